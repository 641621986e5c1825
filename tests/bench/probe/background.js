// The probe's background: Chromium's MV3 service worker, Firefox's background page.
// (a)/(b) IndexedDB commits happen here, where Lifeboat commits today. (c) OPFS
// commits happen in a dedicated Worker: Firefox starts it from this page; Chromium's
// service worker cannot, so it opens an offscreen document (reason WORKERS) that does.
'use strict';
const api = globalThis.browser ?? globalThis.chrome;
const IS_SERVICE_WORKER = typeof ServiceWorkerGlobalScope !== 'undefined' && globalThis instanceof ServiceWorkerGlobalScope;
const STARTED_AT = Date.now(); // tells a restarted background (Firefox suspends an idle event page)
const describe = (e) => (e && e.name ? `${e.name}: ${e.message}` : String(e?.message ?? e));

const dbs = new Map();
function openDb(name) {
  if (!dbs.has(name)) {
    dbs.set(name, new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('s');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    }));
  }
  return dbs.get(name);
}

const ops = {
  /** One readwrite transaction putting one `size`-byte record, as Lifeboat's src/web/idb.rs
   *  does (a Uint8Array under a key); `durability` null = the default. */
  async idb({ db, durability, i, size }) {
    const d = await openDb(db);
    const value = new Uint8Array(size);
    crypto.getRandomValues(value);
    const tx = durability ? d.transaction('s', 'readwrite', { durability }) : d.transaction('s', 'readwrite');
    tx.objectStore('s').put(value, `k${i % 10}`);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
    });
    return { durability: tx.durability ?? null };
  },

  /** Chromium: the offscreen document that owns the Worker. */
  async offscreen() {
    if (!IS_SERVICE_WORKER) return { offscreen: 'not needed (background page)' };
    const have = await api.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
    if (!have.length) {
      await api.offscreen.createDocument({
        url: 'offscreen.html', reasons: ['WORKERS'], justification: 'a dedicated Worker for FileSystemSyncAccessHandle',
      });
    }
    return { offscreen: have.length ? 'existed' : 'created' };
  },

  info() {
    return {
      context: IS_SERVICE_WORKER ? 'service worker' : 'background page',
      startedAt: STARTED_AT,
      workerConstructor: typeof Worker,
      getDirectory: typeof navigator.storage?.getDirectory,
    };
  },
};

// Firefox: the Worker lives in this background page.
const worker = IS_SERVICE_WORKER ? null : workerPort();

function workerPort() {
  let w = null;
  let next = 1;
  const pending = new Map();
  const start = () => {
    w = new Worker('worker.js');
    w.onmessage = (e) => {
      const p = pending.get(e.data.id);
      pending.delete(e.data.id);
      p?.resolve(e.data);
    };
    w.onerror = (e) => {
      const error = `Worker error: ${e.message ?? 'unknown'} (${e.filename ?? ''}:${e.lineno ?? ''})`;
      for (const p of pending.values()) p.resolve({ ok: false, error });
      pending.clear();
    };
  };
  return (msg) => new Promise((resolve) => {
    if (!w) start();
    const id = next++;
    pending.set(id, { resolve });
    w.postMessage({ ...msg, id });
  });
}

api.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
  if (msg?.to === 'worker' && worker) {
    worker(msg).then(sendResponse, (e) => sendResponse({ ok: false, error: describe(e) }));
    return true;
  }
  if (msg?.to !== 'bg') return false; // 'worker' in Chromium: the offscreen document answers
  Promise.resolve()
    .then(() => ops[msg.op](msg))
    .then((r) => sendResponse({ ok: true, r }), (e) => sendResponse({ ok: false, error: describe(e) }));
  return true;
});
