// Bytes written per file, from `strace -f -ttt -s 0 -y -e trace=write,pwrite64,pwritev,pwritev2`.
// Lines look like
//   1234 1795613816.528481 write(4</path/to/file>, ""..., 40) = 40
//   1234 1795613816.528481 pwrite64(9</path/db-wal>, ""..., 4096, 8192 <unfinished ...>
//   1234 1795613816.528490 <... pwrite64 resumed>) = 4096
// A call split by another thread's line is "unfinished" and "resumed" on the same pid.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const CALLS = new Set(['write', 'pwrite64', 'pwritev', 'pwritev2', 'writev']);
const START = /^(\d+)\s+(\d+\.\d+)\s+(\w+)\((\d+)<(.*?)>, /;
const RESUMED = /^(\d+)\s+(\d+\.\d+)\s+<\.\.\. (\w+) resumed>.*\)\s+=\s+(-?\d+)/;
const RESULT = /\)\s+=\s+(-?\d+)(?:\s.*)?$/;

/**
 * Sums the bytes each file received from calls that started within [from, to]
 * (epoch ms; either may be omitted). Resolves to Map(path -> { bytes, calls }).
 * Only real files (absolute paths) count: pipes, sockets and eventfds do not.
 */
export async function writesPerFile(file, { from = -Infinity, to = Infinity } = {}) {
  const perFile = new Map();
  const pending = new Map(); // pid -> { path, ts }
  const add = (path, ts, bytes) => {
    if (!(bytes > 0) || ts < from || ts > to || !path.startsWith('/')) return;
    const p = path.replace(/ \(deleted\)$/, '');
    const e = perFile.get(p) ?? { bytes: 0, calls: 0 };
    e.bytes += bytes;
    e.calls += 1;
    perFile.set(p, e);
  };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    let m = START.exec(line);
    if (m) {
      if (!CALLS.has(m[3])) continue;
      const ts = Number(m[2]) * 1000;
      if (line.endsWith('<unfinished ...>')) {
        pending.set(m[1], { path: m[5], ts });
        continue;
      }
      const r = RESULT.exec(line);
      if (r) add(m[5], ts, Number(r[1]));
      continue;
    }
    m = RESUMED.exec(line);
    if (m && CALLS.has(m[3])) {
      const p = pending.get(m[1]);
      pending.delete(m[1]);
      if (p) add(p.path, p.ts, Number(m[4]));
    }
  }
  return perFile;
}

/**
 * Which store a path belongs to. ids: { lifeboat, driver } = Firefox UUIDs or
 * Chromium extension ids. Returns 'browserStore' | 'lifeboat' | 'lifeboatOther' |
 * 'probe' | 'storageMeta' | null.
 * Lifeboat's files are everything its origin stores: IndexedDB, storage.local and the
 * origin-private file system (its journal, issue 12), in both browsers.
 */
export function classify(kind, path, ids) {
  if (kind === 'firefox') {
    if (/\/sessionstore-backups\//.test(path) || /\/sessionstore\.jsonlz4/.test(path)) return 'browserStore';
    // The whole origin directory: idb/ (IndexedDB, storage.local), fs/ (OPFS data files and
    // their metadata.sqlite), ls/, .metadata-v2.
    if (ids.lifeboat && path.includes(`/storage/default/moz-extension+++${ids.lifeboat}`)) return 'lifeboat';
    if (ids.driver && path.includes(`/storage/default/moz-extension+++${ids.driver}`)) return 'probe';
    if (ids.lifeboat && path.includes(ids.lifeboat)) return 'lifeboatOther';
    // The quota manager's own bookkeeping, for any origin (shown apart, not counted as Lifeboat's).
    if (/\/storage\.sqlite(-\w+)?$/.test(path) || /\/storage\/ls-archive\.sqlite/.test(path)) return 'storageMeta';
    return null;
  }
  // Chromium 156 keeps its session in Sessions/ and again, encrypted, in Sessions_Encrypted/.
  if (/\/Default\/Sessions(_Encrypted)?\//.test(path)) return 'browserStore';
  if (ids.lifeboat && path.includes(`/IndexedDB/chrome-extension_${ids.lifeboat}_0.indexeddb`)) return 'lifeboat';
  // Its spare copy (src/backstop.rs) lives in storage.local: its bytes count too.
  if (ids.lifeboat && path.includes(`/Local Extension Settings/${ids.lifeboat}/`)) return 'lifeboat';
  // The origin-private file system: `File System/<n>/t/NN/NNNNNNNN` (data) and its
  // LevelDB metadata name no origin. In these profiles only Lifeboat uses it (the driver
  // stores nothing, the local pages neither), so all of it is Lifeboat's in (b).
  if (ids.lifeboat && (/\/Default\/File System\//.test(path) || /\/Default\/WebStorage\/\d+\/FileSystem\//.test(path))) return 'lifeboat';
  if (ids.driver && path.includes(`/IndexedDB/chrome-extension_${ids.driver}_0.indexeddb`)) return 'probe';
  if (ids.lifeboat && path.includes(ids.lifeboat)) return 'lifeboatOther';
  // The quota manager's database, for any origin (shown apart, not counted as Lifeboat's).
  if (/\/Default\/WebStorage\/QuotaManager/.test(path)) return 'storageMeta';
  return null;
}

/** A file's name for the per-file lists: its path below the profile's store directory,
 *  per-run numbers and the origin's id left out (Session_1344… -> Session_*). */
export function shortName(path) {
  let p = path;
  const origin = /\/storage\/default\/moz-extension\+\+\+[^/]+\/(.*)$/.exec(p);
  if (origin) p = origin[1];
  else if (/\/Default\/File System\//.test(p)) p = `File System/${p.split('/File System/')[1]}`;
  else p = p.split('/').slice(-2).join('/');
  return p.replace(/\d{6,}/g, '*');
}

/** { browserStore: {bytes, calls, files: {name: bytes}}, lifeboat: …, … } for one window of a trace. */
export async function storeBytes(kind, file, ids, window = {}) {
  const perFile = await writesPerFile(file, window);
  const out = {};
  for (const [path, { bytes, calls }] of perFile) {
    const c = classify(kind, path, ids);
    if (!c) continue;
    const e = (out[c] ??= { bytes: 0, calls: 0, files: {} });
    e.bytes += bytes;
    e.calls += calls;
    const name = shortName(path);
    e.files[name] = (e.files[name] ?? 0) + bytes;
  }
  return out;
}
