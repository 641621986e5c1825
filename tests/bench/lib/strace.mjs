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
 * Chromium extension ids. Returns 'browserStore' | 'lifeboat' | 'lifeboatOther' | 'probe' | null.
 */
export function classify(kind, path, ids) {
  if (kind === 'firefox') {
    if (/\/sessionstore-backups\//.test(path) || /\/sessionstore\.jsonlz4/.test(path)) return 'browserStore';
    if (ids.lifeboat && path.includes(`/storage/default/moz-extension+++${ids.lifeboat}`)) return 'lifeboat';
    if (ids.driver && path.includes(`/storage/default/moz-extension+++${ids.driver}`)) return 'probe';
    if (ids.lifeboat && path.includes(ids.lifeboat)) return 'lifeboatOther';
    return null;
  }
  // Chromium 156 keeps its session in Sessions/ and again, encrypted, in Sessions_Encrypted/.
  if (/\/Default\/Sessions(_Encrypted)?\//.test(path)) return 'browserStore';
  if (ids.lifeboat && path.includes(`/IndexedDB/chrome-extension_${ids.lifeboat}_0.indexeddb`)) return 'lifeboat';
  // Its spare copy (src/backstop.rs) lives in storage.local: its bytes count too.
  if (ids.lifeboat && path.includes(`/Local Extension Settings/${ids.lifeboat}/`)) return 'lifeboat';
  if (ids.driver && path.includes(`/IndexedDB/chrome-extension_${ids.driver}_0.indexeddb`)) return 'probe';
  if (ids.lifeboat && path.includes(ids.lifeboat)) return 'lifeboatOther';
  return null;
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
    // Files grouped by name without per-run numbers (Session_1344… -> Session_*).
    const name = path.split('/').slice(-2).join('/').replace(/\d{6,}/g, '*');
    e.files[name] = (e.files[name] ?? 0) + bytes;
  }
  return out;
}
