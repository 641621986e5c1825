// Firefox's mozLz4 container (the 8 bytes "mozLz40\0", a u32 little-endian
// decompressed size, then one LZ4 block), for tests that read a real session
// file or write one of their own. The writer emits a valid LZ4 block made of
// literals only: any LZ4 decoder reads it, it is just not smaller.

const MAGIC = Buffer.from('mozLz40\0', 'binary');

/** Decompresses a mozLz4 file's bytes to a Buffer (throws on anything malformed). */
export function mozLz4Decompress(file) {
  const buf = Buffer.from(file);
  if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) throw new Error('not a mozLz4 file');
  const size = buf.readUInt32LE(8);
  const out = Buffer.alloc(size);
  let i = 12;
  let o = 0;
  const length = (n) => {
    if (n !== 15) return n;
    let b;
    do {
      if (i >= buf.length) throw new Error('truncated length');
      b = buf[i++];
      n += b;
    } while (b === 255);
    return n;
  };
  while (i < buf.length) {
    const token = buf[i++];
    const literals = length(token >> 4);
    if (i + literals > buf.length || o + literals > size) throw new Error('literals overrun');
    buf.copy(out, o, i, i + literals);
    i += literals;
    o += literals;
    if (i >= buf.length) break; // the last sequence has no match
    const offset = buf.readUInt16LE(i);
    i += 2;
    if (offset === 0 || offset > o) throw new Error('bad match offset');
    const match = length(token & 15) + 4;
    if (o + match > size) throw new Error('match overrun');
    for (let k = 0; k < match; k++, o++) out[o] = out[o - offset];
  }
  if (o !== size) throw new Error(`decompressed ${o} bytes, header says ${size}`);
  return out;
}

/** `data` (string or bytes) as a mozLz4 file; `claimedSize` overrides the header's size (to lie). */
export function mozLz4Compress(data, { claimedSize } = {}) {
  const body = Buffer.from(data);
  const header = Buffer.alloc(12);
  MAGIC.copy(header);
  header.writeUInt32LE(claimedSize ?? body.length, 8);
  // One sequence of literals: token 0xF0, then the length beyond 15 in 255s and a remainder.
  const lengthBytes = [];
  if (body.length >= 15) {
    let rest = body.length - 15;
    while (rest >= 255) {
      lengthBytes.push(255);
      rest -= 255;
    }
    lengthBytes.push(rest);
  }
  const token = Buffer.from([Math.min(body.length, 15) << 4, ...lengthBytes]);
  return Buffer.concat([header, token, body]);
}

/** A Firefox session (sessionstore JSON) with one tab per URL list entry, per window.
 *  windows: [[{ url, title, pinned?, userContextId? }, ...], ...] */
export function firefoxSession(windows) {
  return {
    version: ['sessionrestore', 1],
    windows: windows.map((tabs) => ({
      tabs: tabs.map((tab) => ({
        entries: [{ url: tab.url, title: tab.title ?? tab.url, triggeringPrincipal_base64: '{"3":{}}' }],
        index: 1,
        pinned: !!tab.pinned,
        hidden: false,
        userContextId: tab.userContextId ?? 0,
        attributes: {},
      })),
      selected: 1,
      sizemode: 'normal',
      _closedTabs: [],
    })),
    _closedWindows: [],
    session: { lastUpdate: Date.now(), startTime: Date.now() - 60_000 },
    global: {},
  };
}
