// @ts-check
// The journal file's I/O, in a dedicated Worker: only a Worker may hold a
// FileSystemSyncAccessHandle, whose writes cost their own bytes and nothing
// more (bench/PROBE.md). No decisions here: src/journal_file.rs decides what
// is written where and when, src/web/journal_worker.rs sends the calls.
// One call at a time, in order; each answers { id, value } or { id, error }.
//
// A sync access handle is opened only to write, and then kept: in Firefox each
// opening writes ~98 KB to the file system's metadata database and each close
// (the background page suspended) ~165 KB (bench/PROBE.md), while reading
// through `getFile()` needs no handle. So a background woken by its minute
// alarm reads the journal and, with nothing to commit, writes nothing.

/** @typedef {{ id: number, op: string, dir: string, name?: string, at?: number, len?: number, bytes?: Uint8Array }} Call */
/** @typedef {{ getSize(): number, read(b: Uint8Array, o: { at: number }): number, write(b: Uint8Array, o: { at: number }): number, truncate(n: number): void, flush(): void, close(): void }} SyncHandle */

const scope = /** @type {{ postMessage(m: unknown, t: Transferable[]): void, onmessage: ((e: MessageEvent<Call>) => void) | null }} */ (
  /** @type {unknown} */ (globalThis)
);

/** @type {Promise<FileSystemDirectoryHandle> | undefined} */
let dir;
/** @type {Map<string, SyncHandle>} */
const handles = new Map();

/** The one directory the calls name (src/keys.rs, JOURNAL_DIR). @param {string} [name] */
async function directory(name) {
  dir ??= navigator.storage.getDirectory().then((root) => root.getDirectoryHandle(name ?? "", { create: true }));
  return dir;
}

/** `fn()`, again while the file is locked: a background that just restarted
 * may find the last one's handle not yet released. Up to 2 s.
 * @template T @param {() => Promise<T>} fn @returns {Promise<T>} */
async function unlocked(fn) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 20 || /** @type {Error} */ (e)?.name !== "NoModificationAllowedError") throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** An open handle for `name`. @param {string} name */
async function handle(name) {
  const open = handles.get(name);
  if (open) return open;
  const file = await (await directory()).getFileHandle(name, { create: true });
  const h = await unlocked(async () => /** @type {SyncHandle} */ (await /** @type {any} */ (file).createSyncAccessHandle()));
  handles.set(name, h);
  return h;
}

/** The file `name` if it exists: reading never creates one (a read may
 * come just after a compaction removed the file it was looking at).
 * @param {string} name @returns {Promise<FileSystemFileHandle | null>} */
async function existing(name) {
  try {
    return await (await directory()).getFileHandle(name);
  } catch (e) {
    if (/** @type {Error} */ (e)?.name === "NotFoundError") return null;
    throw e;
  }
}

/** @param {Call} call @returns {Promise<unknown>} */
async function run({ op, dir: dirName, name = "", at = 0, len = 0, bytes }) {
  await directory(dirName);
  switch (op) {
    case "list": {
      const names = [];
      for await (const key of /** @type {any} */ (await directory()).keys()) names.push(key);
      return names;
    }
    case "size": {
      const h = handles.get(name);
      if (h) return h.getSize();
      const file = await existing(name);
      return file ? unlocked(async () => (await file.getFile()).size) : 0;
    }
    case "read": {
      // `len` bytes from `at`, fewer at the end of the file (none if there is no file).
      const h = handles.get(name);
      if (h) {
        const out = new Uint8Array(Math.max(0, Math.min(len, h.getSize() - at)));
        h.read(out, { at });
        return out;
      }
      const file = await existing(name);
      if (!file) return new Uint8Array();
      return unlocked(async () => new Uint8Array(await (await file.getFile()).slice(at, at + len).arrayBuffer()));
    }
    case "write": {
      const data = bytes ?? new Uint8Array();
      const n = (await handle(name)).write(data, { at });
      if (n !== data.length) throw new Error(`wrote ${n} of ${data.length} bytes`);
      return null;
    }
    case "truncate":
      (await handle(name)).truncate(len);
      return null;
    case "flush":
      (await handle(name)).flush();
      return null;
    case "remove":
      handles.get(name)?.close();
      handles.delete(name);
      await (await directory()).removeEntry(name);
      return null;
    default:
      throw new Error(`unknown call ${op}`);
  }
}

let queue = Promise.resolve();
scope.onmessage = ({ data }) => {
  queue = queue.then(async () => {
    try {
      const value = await run(data);
      scope.postMessage({ id: data.id, value }, value instanceof Uint8Array ? [value.buffer] : []);
    } catch (e) {
      const err = /** @type {Error} */ (e);
      scope.postMessage({ id: data.id, error: err?.name ? `${err.name}: ${err.message}` : String(e) }, []);
    }
  });
};
