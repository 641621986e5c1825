// Chromium: the offscreen document (reason WORKERS) starts the dedicated Worker
// that holds the OPFS sync access handles, and relays the probe's messages to it.
'use strict';
let w = null;
let next = 1;
const pending = new Map();
function toWorker(msg) {
  if (!w) {
    w = new Worker('worker.js');
    w.onmessage = (e) => {
      const p = pending.get(e.data.id);
      pending.delete(e.data.id);
      p?.(e.data);
    };
    w.onerror = (e) => {
      const error = `Worker error: ${e.message ?? 'unknown'} (${e.filename ?? ''}:${e.lineno ?? ''})`;
      for (const p of pending.values()) p({ ok: false, error });
      pending.clear();
    };
  }
  return new Promise((resolve) => {
    const id = next++;
    pending.set(id, resolve);
    w.postMessage({ ...msg, id });
  });
}
chrome.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
  if (msg?.to !== 'worker') return false;
  toWorker(msg).then(sendResponse);
  return true;
});
