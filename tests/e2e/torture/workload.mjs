// The torture workload: seeded browsing driven through the extension APIs from an
// extension page (tabs opened, closed, moved, navigated, pinned, grouped in
// Chromium or opened in a container in Firefox, windows opened and closed,
// text typed into a note page), and a log of what the session looked like
// after each action, with timestamps.
import { pageUrl } from '../lib/extension.mjs';
import { typeAtEnd } from '../lib/typing.mjs';
import { sleep, withTimeout } from '../lib/wait.mjs';
import { keyOf, projectLive } from './compare.mjs';
import { NOTE_FIELD, NOTE_PREFIX, PAGE_PREFIX, isNotePath } from './pages.mjs';

export const CONTAINERS = [
  { name: 'Torture A', color: 'orange', icon: 'briefcase' },
  { name: 'Torture B', color: 'purple', icon: 'fingerprint' },
];
const GROUP_COLORS = ['grey', 'blue', 'red', 'yellow', 'green', 'pink', 'purple', 'cyan', 'orange'];
const WORDS = ['lifeboat', 'harbour', 'anchor', 'tide', 'keel', 'mast', 'gull', 'rope', 'buoy', 'deck'];
const MAX_TABS = 24;
const MAX_WINDOWS = 4;

/**
 * The browser's windows and tabs, as ExtensionPage.state() reads them, in one
 * evaluation and retried while a tab names a group the browser no longer (or not
 * yet) knows: right after a restore regroups tabs, a group can vanish between
 * windows.getAll and tabGroups.get.
 */
export function readState(ext) {
  return ext.page.evaluate(async () => {
    const api = globalThis.browser ?? globalThis.chrome;
    for (let attempt = 0; ; attempt++) {
      const windows = await api.windows.getAll({ populate: true, windowTypes: ['normal'] });
      const groups = new Map(api.tabGroups ? (await api.tabGroups.query({})).map((g) => [g.id, g]) : []);
      const identities = new Map(api.contextualIdentities
        ? (await api.contextualIdentities.query({}).catch(() => [])).map((c) => [c.cookieStoreId, c.name]) : []);
      const unresolved = windows.some((w) => w.tabs.some((t) => t.groupId !== undefined && t.groupId !== -1 && !groups.has(t.groupId)));
      if (unresolved && attempt < 20) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      return windows.map((w) => ({
        id: w.id,
        state: w.state,
        tabs: [...w.tabs].sort((a, b) => a.index - b.index).map((t) => {
          const g = t.groupId !== undefined && t.groupId !== -1 ? groups.get(t.groupId) : null;
          const container = t.cookieStoreId && !/^firefox-(default|private)$/.test(t.cookieStoreId)
            ? identities.get(t.cookieStoreId) ?? `(unknown ${t.cookieStoreId})` : null;
          return {
            id: t.id, index: t.index, url: t.url || t.pendingUrl || '', title: t.title, status: t.status,
            discarded: t.discarded, pinned: t.pinned, group: g ? { title: g.title, color: g.color } : null, container,
          };
        }),
      }));
    }
  });
}

/** Firefox: the torture's containers (created once per profile), by name → cookieStoreId. */
export async function ensureContainers(ext) {
  const existing = await ext.call('contextualIdentities.query', {});
  const ids = {};
  for (const c of CONTAINERS) {
    const found = existing.find((x) => x.name === c.name) ?? await ext.call('contextualIdentities.create', c);
    ids[c.name] = found.cookieStoreId;
  }
  return ids;
}

export class Workload {
  /**
   * session: BrowserSession; ext: the driving ExtensionPage; origin: the test server;
   * tag: makes this cycle's URLs unique; containers: Firefox's name → cookieStoreId.
   */
  constructor({ session, ext, origin, kind, rng, tag, containers = {} }) {
    Object.assign(this, { session, ext, origin, kind, rng, tag, containers });
    this.serial = 0;
    this.actions = []; // every action: { i, name, detail, tStart, tEnd, changed, error? }
    this.states = []; // distinct compared states: { key, windows, from, until, action }
    this.texts = {}; // note path → [{ value, from, until }]
    this.notePages = new Map(); // note path → puppeteer Page
    this.lastChangeAt = null;
    this.live = [];
    this.homeWindow = null;
  }

  newPath(note = false) {
    this.serial += 1;
    return `${note ? NOTE_PREFIX : PAGE_PREFIX}${this.tag}-${this.serial}`;
  }

  url(path) {
    return this.origin + path;
  }

  /** Reads the browser's state; records it if the compared part changed. `visibleFrom`: the
   *  last moment the change was seen not to have happened yet (default: the action's start). */
  async observe(name, detail, tStart, error, visibleFrom = null) {
    // Read until two reads 30 ms apart agree: an effect the browser shows a moment
    // after the API call resolved must not be missed (it would leave a true state out
    // of the log).
    let state = await readState(this.ext);
    let windows = projectLive(state, this.origin);
    let key = keyOf(windows);
    for (let i = 0; i < 5; i++) {
      await sleep(30);
      const again = await readState(this.ext);
      const againWindows = projectLive(again, this.origin);
      const againKey = keyOf(againWindows);
      state = again;
      windows = againWindows;
      if (againKey === key) break;
      key = againKey;
    }
    const tEnd = Date.now();
    this.live = state;
    const last = this.states.at(-1);
    const changed = !last || last.key !== key;
    const i = this.actions.length;
    if (changed) {
      if (last) last.until = Math.max(tStart, visibleFrom ?? tStart);
      this.states.push({ key, windows, from: tEnd, until: null, action: i });
      this.lastChangeAt = tEnd;
    }
    this.actions.push({ i, name, detail, tStart, tEnd, changed, ...(error ? { error } : {}) });
    return changed;
  }

  /** The starting point of a cycle: the state as it is. */
  async begin() {
    this.homeWindow = (await this.ext.call('windows.getCurrent')).id;
    const t = Date.now();
    await this.observe('begin', null, t);
  }

  testTabs() {
    return this.live.flatMap((w) => w.tabs.map((t) => ({ ...t, windowId: w.id })))
      .filter((t) => t.url.startsWith(`${this.origin}/`))
      .map((t) => ({ ...t, path: t.url.slice(this.origin.length) }));
  }

  /** Polls `stillThere()` until it is false (or 5 s passed). */
  async waitGone(stillThere) {
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && await stillThere()) await sleep(20);
  }

  /**
   * Waits until tab `id` shows `url` and has loaded (or 10 s passed: the log reads what is
   * there). Returns the last moment the tab was seen not yet showing `url` (as the
   * extension and the log read a tab: url, else pendingUrl): until then the session was
   * still the one before. A new tab can show about:blank for a while (Firefox, a
   * container's first tab), which is not a test tab.
   */
  async waitLoaded(id, url, notYetAt = null) {
    const deadline = Date.now() + 10_000;
    let lastNotSeen = notYetAt;
    while (Date.now() < deadline) {
      const asked = Date.now();
      const tab = await this.ext.call('tabs.get', id).catch(() => null);
      if (!tab) return lastNotSeen;
      if ((tab.url || tab.pendingUrl) !== url) lastNotSeen = asked;
      else if (tab.status === 'complete') return lastNotSeen;
      await sleep(50);
    }
    return lastNotSeen;
  }

  async waitWindowLoaded(windowId, url, notYetAt = null) {
    const deadline = Date.now() + 10_000;
    let lastNotSeen = notYetAt;
    while (Date.now() < deadline) {
      const asked = Date.now();
      const tabs = await this.ext.call('tabs.query', { windowId }).catch(() => []);
      const tab = tabs.find((t) => (t.url || t.pendingUrl) === url);
      if (!tab) lastNotSeen = asked;
      else if (tab.status === 'complete') return lastNotSeen;
      await sleep(50);
    }
    return lastNotSeen;
  }

  /** One random action, logged. Returns { name, changed, text } (text: typing changed a note). */
  async step() {
    const r = this.rng;
    const tabs = this.testTabs();
    const n = tabs.length;
    const windows = this.live.length;
    const chromium = this.kind === 'chromium';
    const grouped = tabs.filter((t) => t.group);
    const ownNotes = [...this.notePages.keys()].filter((p) => tabs.some((t) => t.path === p));
    const name = r.weighted({
      open: n < 3 ? 100 : n >= MAX_TABS ? 1 : 20,
      close: n >= MAX_TABS ? 40 : n > 2 ? 12 : 0,
      move: n > 1 ? 12 : 0,
      navigate: tabs.some((t) => !isNotePath(t.path)) ? 14 : 0,
      pin: n > 0 ? 5 : 0,
      group: chromium && tabs.some((t) => !t.pinned) ? 6 : 0,
      groupEdit: chromium && grouped.length ? 3 : 0,
      ungroup: chromium && grouped.length ? 3 : 0,
      window: windows < MAX_WINDOWS ? 4 : 0,
      closeWindow: windows > 1 ? 3 : 0,
      type: 16,
      activate: n > 0 ? 6 : 0,
    });
    const tStart = Date.now();
    let detail = null;
    let error = null;
    let text = false;
    let visibleFrom = null;
    try {
      switch (name) {
        case 'open': ({ detail, visibleFrom } = await this.open(r.chance(0.12))); break;
        case 'close': {
          const t = r.pick(tabs);
          detail = t.path;
          await this.ext.call('tabs.remove', t.id);
          this.notePages.delete(t.path);
          await this.waitGone(() => this.ext.call('tabs.get', t.id).then(() => true, () => false));
          break;
        }
        case 'move': {
          const t = r.pick(tabs);
          const others = this.live.filter((w) => w.id !== t.windowId);
          if (others.length && r.chance(0.3)) {
            const to = r.pick(others);
            detail = `${t.path} → window ${to.id}`;
            await this.ext.call('tabs.move', t.id, { windowId: to.id, index: r.chance(0.5) ? -1 : r.int(0, to.tabs.length) });
          } else {
            const w = this.live.find((x) => x.id === t.windowId);
            const index = r.int(0, Math.max(0, w.tabs.length - 1));
            detail = `${t.path} → ${index}`;
            await this.ext.call('tabs.move', t.id, { index });
          }
          break;
        }
        case 'navigate': {
          const t = r.pick(tabs.filter((x) => !isNotePath(x.path)));
          const url = this.url(this.newPath());
          detail = `${t.path} → ${url.slice(this.origin.length)}`;
          const before = await this.ext.call('tabs.update', t.id, { url });
          const asked = Date.now();
          visibleFrom = await this.waitLoaded(t.id, url, (before?.url || before?.pendingUrl) !== url ? asked : null);
          break;
        }
        case 'pin': {
          const t = r.pick(tabs);
          detail = `${t.path} pinned=${!t.pinned}`;
          await this.ext.call('tabs.update', t.id, { pinned: !t.pinned });
          break;
        }
        case 'group': {
          const t = r.pick(tabs.filter((x) => !x.pinned));
          const existing = grouped.filter((x) => x.windowId === t.windowId && x.id !== t.id);
          if (existing.length && r.chance(0.3)) {
            const g = r.pick(existing);
            const groupId = (await this.ext.call('tabs.get', g.id)).groupId;
            detail = `${t.path} joins the group of ${g.path}`;
            await this.ext.call('tabs.group', { tabIds: [t.id], groupId });
          } else {
            detail = `${t.path} in a new group`;
            const groupId = await this.ext.call('tabs.group', { tabIds: [t.id] });
            // Log the untitled group as its own state, then name it (two changes).
            await this.observe(name, detail, tStart);
            return this.titleGroup(groupId);
          }
          break;
        }
        case 'groupEdit': {
          const g = r.pick(grouped);
          const groupId = (await this.ext.call('tabs.get', g.id)).groupId;
          return this.titleGroup(groupId);
        }
        case 'ungroup': {
          const t = r.pick(grouped);
          detail = t.path;
          await this.ext.call('tabs.ungroup', [t.id]);
          break;
        }
        case 'window': {
          const path = this.newPath();
          detail = path;
          const w = await this.ext.call('windows.create', { url: this.url(path), focused: false });
          const asked = Date.now();
          const shown = (w.tabs ?? []).some((t) => (t.url || t.pendingUrl) === this.url(path));
          visibleFrom = await this.waitWindowLoaded(w.id, this.url(path), shown ? null : asked);
          break;
        }
        case 'closeWindow': {
          const w = r.pick(this.live.filter((x) => x.id !== this.homeWindow));
          detail = `window ${w.id} with ${w.tabs.length} tabs`;
          await this.ext.call('windows.remove', w.id);
          // Chromium resolves windows.remove before windows.getAll stops listing the
          // window: the log must not read the state before the change is visible.
          await this.waitGone(async () => (await this.ext.call('windows.getAll', {})).some((x) => x.id === w.id));
          break;
        }
        case 'type': {
          if (!ownNotes.length) {
            ({ detail, visibleFrom } = await this.open(true));
            break;
          }
          const path = r.pick(ownNotes);
          const word = ` ${r.pick(WORDS)}${this.serial++}`;
          detail = `${path} +"${word}"`;
          const value = await this.type(path, word);
          const log = this.texts[path];
          log.at(-1).until = tStart;
          log.push({ value, from: Date.now(), until: null });
          this.lastChangeAt = Date.now();
          text = true;
          break;
        }
        case 'activate': {
          const t = r.pick(tabs);
          detail = t.path;
          await this.ext.call('tabs.update', t.id, { active: true });
          break;
        }
        default: throw new Error(`unknown action ${name}`);
      }
    } catch (e) {
      error = String(e?.message ?? e).split('\n')[0];
    }
    const changed = await this.observe(name, detail, tStart, error, visibleFrom);
    return { name, changed, text };
  }

  async titleGroup(groupId) {
    const r = this.rng;
    const title = `${r.pick(WORDS)}-${this.serial++}`;
    const color = r.pick(GROUP_COLORS);
    const tStart = Date.now();
    let error = null;
    try {
      await this.ext.call('tabGroups.update', groupId, { title, color });
    } catch (e) {
      error = String(e?.message ?? e).split('\n')[0];
    }
    const changed = await this.observe('groupTitle', `${title}|${color}`, tStart, error);
    return { name: 'groupTitle', changed, text: false };
  }

  /** Opens a page (or a note) in a random window, sometimes in a container (Firefox). */
  async open(note) {
    const r = this.rng;
    const path = this.newPath(note);
    const url = this.url(path);
    const w = r.pick(this.live);
    const props = { windowId: w.id, url, active: r.chance(0.3) };
    if (r.chance(0.3)) props.index = r.int(0, w.tabs.length);
    const names = Object.keys(this.containers);
    if (names.length && r.chance(0.35)) props.cookieStoreId = this.containers[r.pick(names)];
    const tab = await this.ext.call('tabs.create', props);
    const asked = Date.now();
    const visibleFrom = await this.waitLoaded(tab.id, url, (tab.url || tab.pendingUrl) !== url ? asked : null);
    if (note) {
      this.texts[path] = [{ value: '', from: Date.now(), until: null }];
      this.notePages.set(path, null);
    }
    return { detail: `${path}${props.cookieStoreId ? ` in ${props.cookieStoreId}` : ''} in window ${w.id}`, visibleFrom };
  }

  /** Appends `word` to the note's textarea with the keyboard; returns the new value. */
  async type(path, word) {
    let page = this.notePages.get(path);
    if (!page || page.isClosed()) {
      page = null;
      const url = this.url(path);
      for (const p of await this.session.browser.pages()) {
        const u = p.url().startsWith('http') ? p.url() : await pageUrl(p);
        if (u === url) page = p;
      }
      if (!page) throw new Error(`no page for ${path}`);
      this.notePages.set(path, page);
    }
    return withTimeout(typeAtEnd(page, `#${NOTE_FIELD}`, word), 10_000, `typing into ${path}`);
  }
}
