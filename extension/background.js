// @ts-check
// Lifeboat's background: loads the Rust core and hands it every browser event.
// No decisions here; see src/web/ for the edge and src/ for the core.
// Start-up is measured from here: fetching, compiling and instantiating the
// WASM are part of what the user waits for.
const scriptStart = performance.now();
import init, { start, on_event, on_message } from "../pkg/lifeboat.js";

// One promise-based API name for both browsers (Chrome MV3's chrome.* returns
// promises; the Rust bindings call browser.*).
globalThis.browser ??= globalThis.chrome;
const api = globalThis.browser;

// Listeners must exist by the end of this script's first turn: an MV3 service
// worker woken by an event only receives it if its listener is already there.
// Events that arrive while the WASM loads wait here, in order.
/** @type {[string, unknown, unknown, unknown][]} */
const early = [];
let ready = false;

/** A listener that hands the event (up to three arguments) to the core. @param {string} kind */
function forward(kind) {
  /** @type {(a?: unknown, b?: unknown, c?: unknown) => void} */
  const listener = (a, b, c) => {
    if (ready) on_event(kind, a, b, c);
    else early.push([kind, a, b, c]);
  };
  return listener;
}

const EVENTS = {
  tabs: ["onCreated", "onUpdated", "onMoved", "onActivated", "onRemoved", "onDetached", "onAttached", "onReplaced"],
  windows: ["onCreated", "onRemoved", "onFocusChanged", "onBoundsChanged"],
  tabGroups: ["onCreated", "onUpdated", "onRemoved", "onMoved"],
  contextualIdentities: ["onCreated", "onUpdated", "onRemoved"],
  alarms: ["onAlarm"],
  commands: ["onCommand"],
  contextMenus: ["onClicked"],
};
// storage.onChanged sits one level deeper than the others.
api.storage.onChanged.addListener(forward("storage.onChanged"));
// Looked up by name: a namespace the browser lacks (tabGroups in Firefox,
// contextualIdentities in Chrome) is skipped.
const namespaces = /** @type {Record<string, Record<string, chrome.events.Event<(...args: unknown[]) => void> | undefined> | undefined>} */ (
  /** @type {unknown} */ (api));
for (const [ns, names] of Object.entries(EVENTS)) {
  for (const name of names) namespaces[ns]?.[name]?.addListener(forward(`${ns}.${name}`));
}

// Fetched here rather than inside init() only to time the fetch apart from
// the compile: at a browser start with many tabs it is the browser, busy
// reopening them, that keeps the fetch waiting.
let wasmFetched = NaN;
const wasm = fetch(new URL("../pkg/lifeboat_bg.wasm", import.meta.url)).then((r) => {
  wasmFetched = performance.now();
  return r;
});
const loaded = init({ module_or_path: wasm }).then(() => {
  start(scriptStart, wasmFetched);
  ready = true;
  for (const [kind, a, b, c] of early.splice(0)) on_event(kind, a, b, c);
});

// Pages and the content script ask the core. The core decides what the
// sender may ask from the sender as the browser reports it (its URL, tab and
// frame), never from the message; sendResponse + `return true` works in both.
// Every answer is JSON text (docs/PROTOCOL.md), a failure to answer too.
api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== api.runtime.id) return false;
  loaded
    .then(() => on_message(message, { url: sender.url, frameId: sender.frameId, tab: sender.tab && { id: sender.tab.id } }))
    .then(sendResponse, (e) => sendResponse(JSON.stringify({ error: String(e?.message ?? e) })));
  return true;
});
