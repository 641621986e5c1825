// The scripted workload of the head-to-head, its log, and the recovery point
// computed from that log.
//
// Content tabs show /p/<uid>/…, and every navigation or new tab gets a fresh
// uid, so a set of uids identifies a session state. Actions, at a fixed pace:
//   nav     the active tab of a window goes to a new URL          (structural)
//   open    a new active tab with a new URL at the end of a window (structural)
//   close   a content tab that is not active                      (structural)
//   switch  another tab of a window becomes active                 (detail)
//   type    a word typed into the textarea of the /type page      (detail)
// The same seed gives the same actions on the same session, with or without Lifeboat.

export const DEFAULT_MIX = { nav: 0.30, switch: 0.20, type: 0.35, open: 0.075, close: 0.075 };
const WORKING_SET = 8; // switches mostly among the first tabs of a window

export function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** Content tabs of a driver state: [{ windowId, tabs: [{ id, uid, active }] }], windows without content dropped. */
export function contentWindows(state, server) {
  return state.map((w) => ({
    windowId: w.id,
    tabs: w.tabs.map((t) => ({ id: t.id, uid: server.uidOf(t.url), active: t.active })).filter((t) => t.uid !== null),
    activeTabId: w.tabs.find((t) => t.active)?.id ?? null,
  })).filter((w) => w.tabs.length > 0).sort((a, b) => Math.min(...a.tabs.map((t) => t.uid)) - Math.min(...b.tabs.map((t) => t.uid)));
}

export class Workload {
  /**
   * driver: Driver (browser.mjs); typing: a remote page showing server.typeUrl;
   * nextUid: first uid not used yet; seed; mix.
   */
  constructor({ driver, typing, server, seed = 1, nextUid, mix = DEFAULT_MIX }) {
    this.driver = driver;
    this.typing = typing;
    this.server = server;
    this.random = rng(seed);
    this.nextUid = nextUid;
    this.mix = mix;
    this.word = 0; // typed words so far, over the whole run
    this.hiddenTyping = 0; // words typed into a hidden page (should stay 0: no user can)
    this.log = []; // { t, kind, ... } plus { t, kind: 'baseline', uids } at each (re)start
    this.errors = 0;
  }

  /** Reads what is open and makes it the model (after setup or a restart). */
  async resync(typing) {
    if (typing) this.typing = typing;
    const state = await this.driver.d('state');
    this.windows = contentWindows(state, this.server);
    this.log.push({ t: Date.now(), kind: 'baseline', uids: this.uids(), typed: [] });
    this.typedHere = [];
  }

  uids() {
    return this.windows.flatMap((w) => w.tabs.map((t) => t.uid));
  }

  pick(list) {
    return list[Math.floor(this.random() * list.length)];
  }

  chooseKind() {
    let r = this.random();
    for (const [kind, p] of Object.entries(this.mix)) {
      if ((r -= p) < 0) return kind;
    }
    return 'type';
  }

  /** One action; returns its log entry. Errors (a tab that vanished) are logged and skipped. */
  async step() {
    const kind = this.chooseKind();
    const w = this.pick(this.windows);
    const t = Date.now();
    try {
      switch (kind) {
        case 'nav': {
          const tab = w.tabs.find((x) => x.id === w.activeTabId) ?? this.pick(w.tabs.slice(0, WORKING_SET));
          const uid = this.nextUid++;
          await this.driver.call('tabs.update', tab.id, { url: this.server.url(uid) });
          const entry = { t, kind, from: tab.uid, to: uid };
          tab.uid = uid;
          return this.#logged(entry);
        }
        case 'switch': {
          const pool = this.random() < 0.8 ? w.tabs.slice(0, WORKING_SET) : w.tabs;
          const others = pool.filter((x) => x.id !== w.activeTabId);
          if (!others.length) return null;
          const tab = this.pick(others);
          await this.driver.call('tabs.update', tab.id, { active: true });
          w.activeTabId = tab.id;
          return this.#logged({ t, kind, uid: tab.uid });
        }
        case 'open': {
          const uid = this.nextUid++;
          const tab = await this.driver.call('tabs.create', { windowId: w.windowId, url: this.server.url(uid), active: true });
          w.tabs.push({ id: tab.id, uid });
          w.activeTabId = tab.id;
          return this.#logged({ t, kind, to: uid });
        }
        case 'close': {
          const candidates = w.tabs.filter((x) => x.id !== w.activeTabId);
          if (candidates.length < 3) return null;
          const tab = this.pick(candidates);
          await this.driver.call('tabs.remove', tab.id);
          w.tabs = w.tabs.filter((x) => x !== tab);
          return this.#logged({ t, kind, from: tab.uid });
        }
        default: {
          const word = `w${String(++this.word).padStart(5, '0')} `;
          const visibility = await this.typing.type('#notes', word);
          this.typedHere.push(word.trim());
          if (visibility !== 'visible') this.hiddenTyping += 1;
          return this.#logged({ t, kind: 'type', word: word.trim(), visibility });
        }
      }
    } catch (e) {
      this.errors += 1;
      this.lastError = String(e?.message ?? e);
      return null;
    }
  }

  #logged(entry) {
    entry.done = Date.now(); // t: when the action was issued; done: when the browser had carried it out
    this.log.push(entry);
    return entry;
  }

  /** Runs actions every paceMs until `until` (epoch ms), on an absolute schedule. */
  async runUntil(until, paceMs) {
    let next = Date.now();
    let n = 0;
    while (next < until) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (Date.now() >= until) break;
      await this.step();
      n += 1;
      next += paceMs;
      if (next < Date.now() - paceMs) next = Date.now(); // fell behind: do not burst
    }
    return n;
  }

  /** The entries since the last baseline. */
  segment() {
    let i = this.log.length - 1;
    while (i >= 0 && this.log[i].kind !== 'baseline') i--;
    return this.log.slice(i);
  }
}

/**
 * How old a restored state is, against the segment of the log that ended with a kill.
 * restoredUids: uids of the content tabs the store gives back (any window);
 * restoredWords: typed words it gives back (null: not measured).
 * Returns { structureS, typingS, exact, mismatch, lostActions }:
 *   structureS = kill time - issue time of the first structural action missing
 *   (0 if none is missing), typingS likewise for typed words.
 */
export function recoveryAge(segment, killAt, restoredUids, restoredWords = null) {
  const [baseline, ...actions] = segment;
  const R = new Set(restoredUids);
  const S = new Set(baseline.uids);
  let diff = 0;
  for (const u of S) if (!R.has(u)) diff++;
  for (const u of R) if (!S.has(u)) diff++;
  const toggle = (u, present) => {
    // keep diff = |S xor R| as S changes
    const before = S.has(u) !== R.has(u);
    if (present) S.add(u); else S.delete(u);
    const after = S.has(u) !== R.has(u);
    diff += (after ? 1 : 0) - (before ? 1 : 0);
  };
  const structural = actions.filter((a) => a.t < killAt && (a.kind === 'nav' || a.kind === 'open' || a.kind === 'close'));
  let best = { j: 0, diff };
  structural.forEach((a, i) => {
    if (a.kind === 'nav') { toggle(a.from, false); toggle(a.to, true); }
    if (a.kind === 'open') toggle(a.to, true);
    if (a.kind === 'close') toggle(a.from, false);
    if (diff <= best.diff) best = { j: i + 1, diff };
  });
  // The differences at the best match, for the record.
  const Sb = new Set(baseline.uids);
  for (const a of structural.slice(0, best.j)) {
    if (a.kind === 'nav') { Sb.delete(a.from); Sb.add(a.to); }
    if (a.kind === 'open') Sb.add(a.to);
    if (a.kind === 'close') Sb.delete(a.from);
  }
  const missing = [...Sb].filter((u) => !R.has(u)).slice(0, 10);
  const extra = [...R].filter((u) => !Sb.has(u)).slice(0, 10);
  const firstLost = structural[best.j];
  const structureS = firstLost ? (killAt - firstLost.t) / 1000 : 0;

  let typingS = null;
  if (restoredWords) {
    const have = new Set(restoredWords);
    const typed = actions.filter((a) => a.t < killAt && a.kind === 'type');
    let k = 0;
    while (k < typed.length && have.has(typed[k].word)) k++;
    typingS = k < typed.length ? (killAt - typed[k].t) / 1000 : 0;
  }
  return {
    structureS, typingS, exact: best.diff === 0, mismatch: best.diff,
    lostActions: structural.length - best.j, actions: structural.length,
    ...(best.diff ? { missing, extra } : {}),
  };
}
