// Reading Firefox's own session file: sessionstore-backups/recovery.jsonlz4 is
// "mozLz40\0" + uint32 LE decompressed size + one LZ4 block of JSON.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function lz4BlockDecode(src, size) {
  const out = Buffer.alloc(size);
  let i = 0;
  let o = 0;
  while (i < src.length) {
    const token = src[i++];
    let lit = token >> 4;
    if (lit === 15) {
      let b;
      do { b = src[i++]; lit += b; } while (b === 255);
    }
    src.copy(out, o, i, i + lit);
    i += lit;
    o += lit;
    if (i >= src.length) break;
    const offset = src[i] | (src[i + 1] << 8);
    i += 2;
    let len = token & 15;
    if (len === 15) {
      let b;
      do { b = src[i++]; len += b; } while (b === 255);
    }
    len += 4;
    for (let k = 0; k < len; k++, o++) out[o] = out[o - offset];
  }
  return out.subarray(0, o);
}

export function readMozLz4(path) {
  const buf = readFileSync(path);
  if (buf.subarray(0, 8).toString('latin1') !== 'mozLz40\0') throw new Error(`${path}: not mozLz4`);
  return JSON.parse(lz4BlockDecode(buf.subarray(12), buf.readUInt32LE(8)).toString('utf8'));
}

/**
 * What Firefox would restore after a crash of this profile: the first readable of
 * recovery.jsonlz4, recovery.baklz4 (SessionFile's order after a crash).
 * Returns { file, windows: [{ tabs: [{ url, active, formdata }] }] } or null.
 */
export function firefoxRecovery(profile) {
  for (const name of ['sessionstore-backups/recovery.jsonlz4', 'sessionstore-backups/recovery.baklz4']) {
    const path = join(profile, name);
    if (!existsSync(path)) continue;
    let state;
    try {
      state = readMozLz4(path);
    } catch {
      continue;
    }
    const windows = (state.windows ?? []).map((w) => ({
      tabs: (w.tabs ?? []).map((t, i) => {
        const entry = t.entries?.[(t.index ?? t.entries.length) - 1];
        return {
          url: entry?.url ?? t.userTypedValue ?? '',
          active: i + 1 === w.selected,
          formdata: t.formdata ?? null,
        };
      }),
    }));
    return { file: name, windows };
  }
  return null;
}
