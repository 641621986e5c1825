// The dedicated Worker: an append-only file in the origin-private file system,
// written through a FileSystemSyncAccessHandle, optionally flush()ed per commit.
'use strict';
const handles = new Map();
const STARTED_AT = Date.now();
const describe = (e) => (e && e.name ? `${e.name}: ${e.message}` : String(e?.message ?? e));

const ops = {
  info() {
    return {
      getDirectory: typeof navigator.storage?.getDirectory,
      syncAccessHandle: typeof FileSystemSyncAccessHandle,
      startedAt: STARTED_AT,
    };
  },
  async open({ name }) {
    if (handles.has(name)) return { size: await handles.get(name).getSize(), reopened: false };
    const root = await navigator.storage.getDirectory();
    const file = await root.getFileHandle(name, { create: true });
    const h = await file.createSyncAccessHandle();
    handles.set(name, h);
    return { size: await h.getSize(), reopened: true, startedAt: STARTED_AT };
  },
  /** One commit: `size` bytes appended at the end; flush() after it if asked. */
  async commit({ name, size, flush }) {
    const h = handles.get(name);
    if (!h) throw new Error(`${name} is not open`);
    const buf = new Uint8Array(size);
    crypto.getRandomValues(buf);
    const at = await h.getSize();
    const n = await h.write(buf, { at });
    if (n !== size) throw new Error(`short write: ${n} of ${size}`);
    if (flush) await h.flush();
    return { at };
  },
};

onmessage = async (e) => {
  const { id, op } = e.data;
  try {
    postMessage({ id, ok: true, r: await ops[op](e.data) });
  } catch (err) {
    postMessage({ id, ok: false, error: describe(err) });
  }
};
