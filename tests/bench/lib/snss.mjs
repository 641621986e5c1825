// Chromium's own session file (SNSS), written by the bench so that Chromium reopens a
// large session itself at its next start, as `firefoxSessionFile` does for Firefox:
// creating 10,000 tabs through the tabs API (each loaded, then discarded) ran for more
// than half an hour and never finished.
//
// Format (tests/fixtures/chromium/Session_13441036697607567, written by Chromium 156
// here; src/import/snss.rs reads it; Chromium's session_service_commands.cc and
// serialized_navigation_entry.cc are the reference):
// - header: "SNSS", int32 LE version 3 (clear text);
// - records: uint16 LE size (= 1 + payload length), uint8 command id, payload;
// - fixed payloads are int32 LE words; variable ones are a base::Pickle: uint32 payload
//   size, then fields each padded to 4 bytes (string = int32 byte length + bytes,
//   string16 = int32 count of UTF-16 units + 2n bytes, int64 = 8 bytes);
// - Chromium only reads a file that has the marker record (id 255, empty) after its
//   full state: it writes one after every rebuild of the file, and so do we.
// Only the commands a restore needs: per window SetWindowType; per tab SetTabWindow,
// SetTabIndexInWindow, one UpdateTabNavigation per history entry and
// SetSelectedNavigationIndex; per window SetSelectedTabInIndex. No bounds (the window
// gets the default size), no page state (an empty one is valid: Chromium writes none
// for some entries itself, and then loads the URL afresh), no session storage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumAcceptRestore, setChromiumRestore } from './browser.mjs';

const CMD = {
  SetTabWindow: 0,
  SetTabIndexInWindow: 2,
  UpdateTabNavigation: 6,
  SetSelectedNavigationIndex: 7,
  SetSelectedTabInIndex: 8,
  SetWindowType: 9,
  Marker: 255,
};
const WINDOW_TYPE_NORMAL = 0;
const PAGE_TRANSITION_LINK = 0; // what the real file holds for a tab opened by tabs.create
const REFERRER_POLICY_OBSOLETE = 2; // always written in that slot (kObsoleteReferrerPolicyNever)
const REFERRER_POLICY = 6; // network::mojom::ReferrerPolicy as Chromium 156 wrote it here
/** µs between 1601-01-01 (base::Time's epoch) and 1970-01-01. */
const WINDOWS_EPOCH_US = 11_644_473_600_000_000n;

/** base::Time's internal value (µs since 1601-01-01) of a JS time in ms: beyond 2^53, hence BigInt. */
export const chromiumTime = (ms) => BigInt(Math.round(ms)) * 1000n + WINDOWS_EPOCH_US;

/** A base::Pickle being written: fields 4-byte aligned, little-endian. */
class Pickle {
  constructor() { this.parts = []; this.size = 0; }
  push(buf) {
    this.parts.push(buf);
    this.size += buf.length;
    const pad = (4 - (buf.length % 4)) % 4;
    if (pad) { this.parts.push(Buffer.alloc(pad)); this.size += pad; }
    return this;
  }
  int(v) { const b = Buffer.alloc(4); b.writeInt32LE(v); return this.push(b); }
  bool(v) { return this.int(v ? 1 : 0); }
  int64(v) { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return this.push(b); }
  string(s) { const b = Buffer.from(s, 'utf8'); this.int(b.length); return this.push(b); }
  string16(s) { const b = Buffer.from(s, 'utf16le'); this.int(b.length / 2); return this.push(b); }
  /** The pickle as Chromium stores it in a record: uint32 payload size, then the payload. */
  bytes() {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(this.size);
    return Buffer.concat([head, ...this.parts], 4 + this.size);
  }
}

/** One record: uint16 size (id + payload), uint8 id, payload. */
function record(id, payload) {
  if (payload.length + 1 > 0xffff) throw new Error(`SNSS record ${id} too large (${payload.length} bytes)`);
  const head = Buffer.alloc(3);
  head.writeUInt16LE(payload.length + 1, 0);
  head.writeUInt8(id, 2);
  return [head, payload];
}

/** A record of int32 words (SetTabWindow, SetTabIndexInWindow, ...). */
const words = (id, ...ws) => {
  const b = Buffer.alloc(4 * ws.length);
  ws.forEach((w, i) => b.writeInt32LE(w, 4 * i));
  return record(id, b);
};

/**
 * UpdateTabNavigation: the tab id, then SerializedNavigationEntry::WriteToPickle's fields
 * in its order, as the real file has them (only the first five are required by
 * Chromium's reader; the rest are what it writes, with neutral values).
 */
function navigation(tabId, index, url, title, time) {
  const p = new Pickle()
    .int(tabId)
    .int(index)
    .string(url) // virtual URL
    .string16(title)
    .string('') // encoded page state: none, the page loads from its URL
    .int(PAGE_TRANSITION_LINK)
    .int(0) // type mask (no POST data)
    .string('') // referrer URL
    .int(REFERRER_POLICY_OBSOLETE)
    .string(url) // original request URL
    .bool(false) // user agent overridden
    .int64(time)
    .string16('') // search terms (removed field, written empty)
    .int(200) // HTTP status code
    .int(REFERRER_POLICY)
    .int(0) // extended info: no entries
    .int64(-1).int64(-1).int64(-1) // task id, parent task id, root task id
    .int(0); // obsolete child task id count
  return record(CMD.UpdateTabNavigation, p.bytes());
}

/**
 * Writes a Chromium session of n content tabs (uids 1..n, URL server.url(uid), title
 * `Tab <uid>`) in `windows` windows (ceil(n / windows) tabs each, in uid order; the
 * first tab of each selected) as Chromium's own session file,
 * `<profile>/Default/Sessions/Session_<µs since 1601>`, and sets the Preferences that
 * make Chromium reopen it at the next start ("continue where you left off", last exit
 * normal). Chromium restores lazily: it creates every tab and loads only the selected
 * ones and a few background ones.
 *
 * `navs` > 0 gives each tab a back history as the bench's warm-up would leave it: the
 * tab of uid u first showed url(u), then navigated `navs` times to url(nextUid + (u - 1) *
 * navs + j), j = 0..navs-1, and shows the last of them. Returns { path, bytes, tabs,
 * navigations, nextUid, ms }.
 */
export function chromiumSessionFile(profile, server, n, { windows = 2, navs = 0, nextUid = n + 1, now = Date.now() } = {}) {
  const t0 = Date.now();
  const header = Buffer.alloc(8);
  header.write('SNSS', 0, 'latin1');
  header.writeInt32LE(3, 4);
  const out = [header];
  const add = (rec) => out.push(...rec);
  // Session ids: windows 1..windows, tabs after them (unique across both, as Chromium's).
  const per = Math.ceil(n / windows);
  const time = chromiumTime(now);
  let navigations = 0;
  for (let w = 0, uid = 1; w < windows && uid <= n; w++) {
    const windowId = w + 1;
    add(words(CMD.SetWindowType, windowId, WINDOW_TYPE_NORMAL));
    for (let index = 0; index < per && uid <= n; index++, uid++) {
      const tabId = windows + uid;
      add(words(CMD.SetTabWindow, windowId, tabId));
      add(words(CMD.SetTabIndexInWindow, tabId, index));
      const uids = [uid, ...Array.from({ length: navs }, (_, j) => nextUid + (uid - 1) * navs + j)];
      // Older entries a second apart, the current one `now`.
      uids.forEach((u, k) => add(navigation(tabId, k, server.url(u), `Tab ${u}`, time - BigInt(uids.length - 1 - k) * 1_000_000n)));
      navigations += uids.length;
      add(words(CMD.SetSelectedNavigationIndex, tabId, uids.length - 1));
    }
    add(words(CMD.SetSelectedTabInIndex, windowId, 0));
  }
  add(record(CMD.Marker, Buffer.alloc(0)));
  const dir = join(profile, 'Default', 'Sessions');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `Session_${time}`);
  const data = Buffer.concat(out);
  writeFileSync(path, data);
  // "Continue where you left off", and a last exit Chromium takes for normal (after a
  // crash it would only offer a Restore button, which headless has not).
  setChromiumRestore(profile, true);
  chromiumAcceptRestore(profile);
  return { path, bytes: data.length, tabs: n, navigations, nextUid: nextUid + n * navs, ms: Date.now() - t0 };
}
