// Thin clients for the two remote protocols, just what the bench needs: open a
// page, evaluate an async function in it, type into it, close it. puppeteer
// attaches to every target (1,000 tabs here), which the bench cannot afford.
//   Chromium: CDP over the browser endpoint, flat sessions.
//   Firefox:  WebDriver BiDi at ws://127.0.0.1:PORT/session.
import WebSocketImpl from 'ws';
import { sleep, waitUntil, withTimeout } from '../../e2e/lib/wait.mjs';

const WS = WebSocketImpl ?? globalThis.WebSocket;
const CALL_TIMEOUT_MS = Number(process.env.BENCH_CALL_TIMEOUT_MS ?? 120_000);

class Socket {
  constructor(url) {
    this.url = url;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
  }

  async open() {
    this.ws = new WS(this.url, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 });
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => this.#onMessage(JSON.parse(String(data))));
    this.ws.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error(`connection to ${this.url} closed`));
      this.pending.clear();
    });
    this.ws.on('error', () => {});
  }

  #onMessage(msg) {
    if (msg.id !== undefined && this.pending.has(msg.id)) {
      const { resolve, reject, method } = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) {
        const text = typeof msg.error === 'string' ? `${msg.error}: ${msg.message ?? ''}` : `${msg.error.message ?? JSON.stringify(msg.error)}`;
        reject(new Error(`${method}: ${text}`));
      } else resolve(msg.result);
      return;
    }
    for (const l of this.listeners) l(msg);
  }

  send(method, params = {}, extra = {}, timeout = CALL_TIMEOUT_MS) {
    const id = this.nextId++;
    const p = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
    this.ws.send(JSON.stringify({ id, method, params, ...extra }));
    return withTimeout(p, timeout, method);
  }

  close() {
    try { this.ws.terminate(); } catch { /* already gone */ }
  }
}

/** Wraps fn so that it takes one JSON string and returns one: both protocols then
 *  need no value (de)serialisation of their own. */
function wrapped(fn) {
  return `async (json) => { const r = await (${fn})(...JSON.parse(json)); return r === undefined ? '__undefined__' : JSON.stringify(r); }`;
}
const unwrap = (s) => (s === '__undefined__' ? undefined : JSON.parse(s));

// ---------------------------------------------------------------- Chromium

export class CdpBrowser {
  static async connect(port) {
    // Announced is not answering: a Chromium reopening 1,000 tabs beside another
    // under strace took longer than 20 s to answer (the full bench on 60d9e1b).
    const version = await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/json/version`)).json(),
      { timeout: 120_000, interval: 200, what: 'CDP /json/version' });
    const b = new CdpBrowser();
    b.port = port;
    b.sock = new Socket(version.webSocketDebuggerUrl);
    await b.sock.open();
    return b;
  }

  /** Extension origins seen as targets (service workers, pages). */
  async targets() {
    return (await this.sock.send('Target.getTargets')).targetInfos;
  }

  async newPage(url, { newWindow = false } = {}) {
    const { targetId } = await this.sock.send('Target.createTarget', { url: 'about:blank', newWindow, background: true });
    const { sessionId } = await this.sock.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new CdpPage(this, targetId, sessionId);
    if (url) await page.goto(url);
    return page;
  }

  close() {
    this.sock.close();
  }
}

/** In the page: focuses the field, caret at its end; says whether the page is
 *  visible (a user types only into a visible page; a hidden one's timers are throttled). */
const focusEnd = (sel) => {
  const el = document.querySelector(sel);
  el.focus();
  el.setSelectionRange?.(el.value.length, el.value.length);
  return document.visibilityState;
};

class CdpPage {
  constructor(browser, targetId, sessionId) {
    this.browser = browser;
    this.targetId = targetId;
    this.sessionId = sessionId;
  }

  send(method, params = {}, timeout) {
    return this.browser.sock.send(method, params, { sessionId: this.sessionId }, timeout);
  }

  async goto(url) {
    await this.send('Page.navigate', { url });
    await waitUntil(async () => {
      const r = await this.send('Runtime.evaluate', { expression: '[location.href, document.readyState]', returnByValue: true }, 5_000);
      const [href, state] = r.result.value ?? [];
      // Extension pages may hold their load event on a message to their background.
      // Pages may rewrite their own hash (Lifeboat's manager does).
      return href?.split('#')[0] === url.split('#')[0] && (state === 'complete' || (state === 'interactive' && !url.startsWith('http')));
    }, { timeout: 60_000, interval: 100, what: `page ${url} to load` });
  }

  evaluate(fn, ...args) {
    return this.evaluateWithin(undefined, fn, ...args);
  }

  /** evaluate() that may take up to `ms` (undefined: the protocol call's default). */
  async evaluateWithin(ms, fn, ...args) {
    const r = await this.send('Runtime.evaluate', {
      expression: `(${wrapped(fn)})(${JSON.stringify(JSON.stringify(args))})`, awaitPromise: true, returnByValue: true,
    }, ms);
    if (r.exceptionDetails) throw new Error(`evaluate: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return unwrap(r.result.value);
  }

  /** Types `text` into the element matching `selector` (trusted input events). */
  async type(selector, text) {
    const visibility = await this.evaluate(focusEnd, selector);
    await this.send('Emulation.setFocusEmulationEnabled', { enabled: true });
    for (const ch of text) {
      await this.send('Input.dispatchKeyEvent', { type: 'keyDown', text: ch, key: ch, unmodifiedText: ch });
      await this.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch });
    }
    return visibility;
  }

  async close() {
    await this.browser.sock.send('Target.closeTarget', { targetId: this.targetId }).catch(() => {});
  }
}

// ---------------------------------------------------------------- Firefox

export class BidiBrowser {
  static async connect(port) {
    const b = new BidiBrowser();
    b.sock = new Socket(`ws://127.0.0.1:${port}/session`);
    await waitUntil(async () => { await b.sock.open(); return true; }, { timeout: 20_000, interval: 200, what: 'BiDi socket' });
    await b.sock.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: true, unhandledPromptBehavior: { default: 'ignore' } } } });
    return b;
  }

  async newPage(url, { newWindow = false } = {}) {
    const { context } = await this.sock.send('browsingContext.create', { type: newWindow ? 'window' : 'tab', background: true });
    const page = new BidiPage(this, context);
    if (url) await page.goto(url);
    return page;
  }

  async tree() {
    return (await this.sock.send('browsingContext.getTree', { maxDepth: 0 })).contexts;
  }

  close() {
    this.sock.close();
  }
}

class BidiPage {
  constructor(browser, context) {
    this.browser = browser;
    this.context = context;
  }

  send(method, params, timeout) {
    return this.browser.sock.send(method, params, {}, timeout);
  }

  async goto(url) {
    await this.send('browsingContext.navigate', { context: this.context, url, wait: 'complete' });
  }

  evaluate(fn, ...args) {
    return this.evaluateWithin(undefined, fn, ...args);
  }

  /** evaluate() that may take up to `ms` (undefined: the protocol call's default). */
  async evaluateWithin(ms, fn, ...args) {
    const r = await this.send('script.callFunction', {
      functionDeclaration: wrapped(fn), arguments: [{ type: 'string', value: JSON.stringify(args) }],
      target: { context: this.context }, awaitPromise: true, resultOwnership: 'none',
    }, ms);
    if (r.type === 'exception') throw new Error(`evaluate: ${r.exceptionDetails?.text ?? JSON.stringify(r.exceptionDetails)}`);
    return unwrap(r.result.value);
  }

  async type(selector, text) {
    const visibility = await this.evaluate(focusEnd, selector);
    const actions = [];
    for (const ch of text) actions.push({ type: 'keyDown', value: ch }, { type: 'keyUp', value: ch });
    await this.send('input.performActions', { context: this.context, actions: [{ type: 'key', id: 'keyboard', actions }] });
    return visibility;
  }

  async close() {
    await this.send('browsingContext.close', { context: this.context }).catch(() => {});
  }
}

export { sleep };
