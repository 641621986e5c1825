// The bench's hands inside the browser, in both configurations (with and without
// Lifeboat): tabs and windows through the extension APIs, and a raw IndexedDB
// commit probe. Stores nothing itself. Called by the bench through CDP/BiDi.
'use strict';
const api = globalThis.browser ?? globalThis.chrome;
const isFirefox = typeof globalThis.browser !== 'undefined' && location.protocol === 'moz-extension:';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Chromium cannot create a discarded tab: create it, wait until its URL has
 *  committed, then discard it (discarding earlier loses the URL). */
async function createLazyChromium(windowId, { url }) {
  const tab = await api.tabs.create({ windowId, url, active: false });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const t = await api.tabs.get(tab.id);
    if (t.url === url) break; // committed (pendingUrl gone)
    if (Date.now() > deadline) break;
    await sleep(50);
  }
  try {
    const d = await api.tabs.discard(tab.id);
    return d?.id ?? tab.id;
  } catch {
    return tab.id;
  }
}

globalThis.D = {
  isFirefox,

  /** Creates lazy (discarded) tabs [{url, title}] at the end of windowId. */
  async createTabs(windowId, items, concurrency = 6) {
    if (isFirefox) {
      const ids = [];
      for (const { url, title } of items) {
        ids.push((await api.tabs.create({ windowId, url, title, discarded: true, active: false })).id);
      }
      return ids;
    }
    const ids = new Array(items.length);
    let next = 0;
    // In parallel, but tabs must land in order: create in order, wait in parallel.
    const workers = Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        ids[i] = await createLazyChromium(windowId, items[i]);
      }
    });
    await Promise.all(workers);
    return ids;
  },

  /** Opens every url at once in windowId (an event storm: one call each, none awaited
   *  before the next is made). Returns { ids, ms } once all exist. */
  async openMany(windowId, urls) {
    const t0 = Date.now();
    const tabs = await Promise.all(urls.map((url) => api.tabs.create({ windowId, url, active: false })));
    return { ids: tabs.map((t) => t.id), ms: Date.now() - t0 };
  },

  /** Closes the tabs in one call. Returns { ms }. */
  async removeMany(ids) {
    const t0 = Date.now();
    await api.tabs.remove(ids);
    return { ms: Date.now() - t0 };
  },

  /**
   * Warm-up: each job { id, urls, discard } navigates tab `id` to each of `urls` in
   * turn, waiting for each page to commit and finish loading (a navigation cancelled
   * by the next one would leave no back entry), then discards the tab again if asked.
   * `concurrency` tabs at a time. Returns { ms, navs, failed, discarded }.
   */
  async navigateTabs(jobs, concurrency = 8, timeoutMs = 30_000) {
    const t0 = Date.now();
    let navs = 0;
    let failed = 0;
    let discarded = 0;
    const loaded = async (id, url) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const t = await api.tabs.get(id);
        if (t.url === url && t.status === 'complete' && !t.discarded) return true;
        if (Date.now() > deadline) return false;
        await sleep(40);
      }
    };
    let next = 0;
    const workers = Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const { id, urls, discard } = jobs[next++];
        for (const url of urls) {
          try {
            await api.tabs.update(id, { url });
            if (await loaded(id, url)) navs += 1; else failed += 1;
          } catch {
            failed += 1;
          }
        }
        if (discard) {
          try {
            await api.tabs.discard(id);
            discarded += 1;
          } catch { /* active, or already gone */ }
        }
      }
    });
    await Promise.all(workers);
    return { ms: Date.now() - t0, navs, failed, discarded };
  },

  /** This page's own tab (its window is "the first window" of the bench). */
  async self() {
    return await api.tabs.getCurrent();
  },

  async state() {
    const windows = await api.windows.getAll({ populate: true, windowTypes: ['normal'] });
    return windows.map((w) => ({
      id: w.id, focused: w.focused,
      tabs: [...w.tabs].sort((a, b) => a.index - b.index).map((t) => ({
        id: t.id, index: t.index, url: t.url || t.pendingUrl || '', title: t.title, active: t.active,
        discarded: t.discarded, status: t.status,
      })),
    }));
  },

  /** Number of tabs whose URL starts with prefix, and how many of them are discarded. */
  async count(prefix) {
    const tabs = await api.tabs.query({});
    const mine = tabs.filter((t) => (t.url || t.pendingUrl || '').startsWith(prefix));
    return { tabs: mine.length, discarded: mine.filter((t) => t.discarded).length, all: tabs.length };
  },

  /** The floor: n IndexedDB commits of a `size`-byte record, `spacingMs` apart,
   *  each its own readwrite transaction waited for (default durability). */
  async idbProbe(n, spacingMs, size, name = 'probe') {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('s');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const t0 = Date.now();
    for (let i = 0; i < n; i++) {
      const value = new Uint8Array(size);
      crypto.getRandomValues(value);
      await new Promise((resolve, reject) => {
        const tx = db.transaction('s', 'readwrite');
        tx.objectStore('s').put(value, `k${i % 10}`);
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      const wait = t0 + (i + 1) * spacingMs - Date.now();
      if (wait > 0) await sleep(wait);
    }
    db.close();
    return { n, ms: Date.now() - t0 };
  },
};
