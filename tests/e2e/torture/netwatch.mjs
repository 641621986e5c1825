// Watching every network request a browser makes, with who made it.
//
// Chromium: a second CDP connection to the browser that auto-attaches (flatten,
// waiting for the debugger on start) to every target, the extension's service
// worker and pages included, and to their children (workers, out-of-process
// frames); each gets Network.enable and Log.enable. A request is recorded with
// the target it came from, and a CSP refusal ("Refused to connect to …", the
// console entry the browser logs when the extension's own policy blocks an
// attempt) is recorded as an attempt.
//
// Firefox: WebDriver BiDi `network.beforeRequestSent` subscribed globally (every
// tab, extension pages in tabs included), and, because BiDi reports only
// requests of tab contexts, a parent-process observer of every HTTP channel
// (`http-on-modify-request`, installed through BiDi in the chrome scope) that
// records each channel's triggering and loading principals: a request the
// extension triggers carries its moz-extension: origin there, whatever context
// it came from, background included.
import WebSocket from 'ws';
import { chromeEval } from './background.mjs';

export class ChromiumNetWatch {
  constructor(session) {
    this.session = session;
    this.requests = []; // { at, url, method, type, initiator, documentURL, target: { type, url }, blocked? }
    this.attempts = []; // CSP refusals and failed loads: { at, text, url, target }
    this.paused = []; // every request through the browser-level Fetch domain: { url, resourceType, frameId, target }
    this.targets = new Map(); // sessionId → { type, url, targetId }
    this.byTargetId = new Map();
    this.nextId = 1;
    this.pending = new Map();
  }

  async start() {
    const ws = new WebSocket(this.session.browser.wsEndpoint(), { perMessageDeflate: false });
    this.ws = ws;
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', (data) => this.#onMessage(JSON.parse(String(data))));
    await this.send('Target.setDiscoverTargets', { discover: true });
    await this.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    // A catch-all underneath: every request that reaches the network stack passes the
    // browser-level Fetch domain (a tab's own navigation too, which a target's Network
    // domain misses when the tab starts loading before anyone could attach to it).
    await this.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] });
    return this;
  }

  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    const msg = { id, method, params, ...(sessionId ? { sessionId } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.ws.send(JSON.stringify(msg));
    });
  }

  #onMessage(m) {
    if (m.id && this.pending.has(m.id)) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`${p.method}: ${m.error.message}`));
      else p.resolve(m.result);
      return;
    }
    const target = m.sessionId ? this.targets.get(m.sessionId) : null;
    switch (m.method) {
      case 'Target.attachedToTarget': this.#attached(m.params, m.sessionId).catch(() => {}); break;
      case 'Target.detachedFromTarget': break;
      case 'Target.targetInfoChanged': {
        const info = m.params.targetInfo;
        const known = this.byTargetId.get(info.targetId);
        if (known) known.url = info.url;
        break;
      }
      case 'Network.requestWillBeSent': {
        const p = m.params;
        this.requests.push({
          at: Date.now(), requestId: p.requestId, url: p.request.url, method: p.request.method, type: p.type ?? null,
          initiator: p.initiator, documentURL: p.documentURL, frameId: p.frameId ?? null,
          target: target ? { type: target.type, url: target.url } : null,
        });
        break;
      }
      case 'Fetch.requestPaused': {
        const p = m.params;
        const frameTarget = p.frameId ? this.byTargetId.get(p.frameId) : null;
        this.paused.push({
          at: Date.now(), url: p.request.url, method: p.request.method, resourceType: p.resourceType, frameId: p.frameId ?? null,
          target: frameTarget ? { type: frameTarget.type, url: frameTarget.url } : null,
          origin: p.request.headers?.Origin ?? null, referer: p.request.headers?.Referer ?? null,
        });
        this.send('Fetch.continueRequest', { requestId: p.requestId }, m.sessionId).catch(() => {});
        break;
      }
      case 'Network.loadingFailed':
        if (m.params.blockedReason) {
          const url = this.requests.findLast((r) => r.requestId === m.params.requestId)?.url ?? `request ${m.params.requestId}`;
          this.attempts.push({ at: Date.now(), text: `${url} blocked (${m.params.blockedReason})`, url, target: target && { type: target.type, url: target.url } });
        }
        break;
      case 'Log.entryAdded': {
        const e = m.params.entry;
        if (/Refused to|Content Security Policy/i.test(e.text)) this.attempts.push({ at: Date.now(), text: e.text, url: e.url ?? null, target: target && { type: target.type, url: target.url } });
        break;
      }
      default:
    }
  }

  async #attached({ sessionId, targetInfo, waitingForDebugger }) {
    const entry = { type: targetInfo.type, url: targetInfo.url, targetId: targetInfo.targetId };
    this.targets.set(sessionId, entry);
    this.byTargetId.set(targetInfo.targetId, entry);
    const quiet = (p) => p.catch(() => {});
    // Children first (a page's workers and frames), then the domains, then let it run.
    await quiet(this.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, sessionId));
    await quiet(this.send('Network.enable', {}, sessionId));
    await quiet(this.send('Log.enable', {}, sessionId));
    if (waitingForDebugger) await quiet(this.send('Runtime.runIfWaitingForDebugger', {}, sessionId));
  }

  /** Evaluates in the extension's service worker (for a positive control). */
  async evaluateInWorker(expression) {
    for (const [sessionId, t] of this.targets) {
      if (t.type === 'service_worker' && t.url.startsWith(this.session.extensionOrigin)) {
        return this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
      }
    }
    throw new Error('the extension service worker is not attached');
  }

  attachedTypes() {
    return [...this.targets.values()].map((t) => `${t.type} ${t.url}`);
  }

  async stop() {
    // Never leave the browser waiting on a watch that is gone.
    await Promise.race([this.send('Fetch.disable').catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
    for (const p of this.pending.values()) p.reject(new Error('watch stopped'));
    this.pending.clear();
    this.ws?.close();
  }
}

export class FirefoxNetWatch {
  constructor(session) {
    this.session = session;
    this.requests = []; // BiDi: { at, url, method, context, contextUrl, initiator, navigation, destination }
    this.channels = []; // parent observer: { url, triggering, loading, system, policy, top, at }
    this.contexts = new Map();
  }

  async start() {
    this.browser = this.session.browser; // the observer lives in this browser run only
    const conn = this.session.browser.connection;
    this.conn = conn;
    this.onRequest = (p) => {
      this.requests.push({
        at: Date.now(), url: p.request.url, method: p.request.method, context: p.context,
        contextUrl: this.contexts.get(p.context) ?? null, initiator: p.initiator ?? null,
        navigation: p.navigation ?? null, destination: p.request.destination ?? null,
      });
    };
    this.onContext = (p) => this.contexts.set(p.context, p.url);
    conn.on('network.beforeRequestSent', this.onRequest);
    for (const e of ['browsingContext.contextCreated', 'browsingContext.navigationStarted', 'browsingContext.load']) conn.on(e, this.onContext);
    await conn.send('session.subscribe', {
      events: ['network.beforeRequestSent', 'browsingContext.contextCreated', 'browsingContext.navigationStarted', 'browsingContext.load'],
    });
    await this.refreshContexts();
    await chromeEval(this.session, `(() => {
      const g = globalThis;
      if (g.__lifeboatNetWatch) return JSON.stringify(true);
      const list = [];
      const observer = {
        observe(subject) {
          try {
            const ch = subject.QueryInterface(Ci.nsIHttpChannel);
            const li = ch.loadInfo;
            const origin = (p) => (p ? (p.isSystemPrincipal ? 'system' : (p.origin || p.spec || '?')) : null);
            let top = null;
            try { top = li.browsingContext?.top?.currentURI?.spec ?? null; } catch {}
            list.push({
              at: Date.now(), url: ch.URI.spec,
              triggering: origin(li.triggeringPrincipal), loading: origin(li.loadingPrincipal),
              policy: li.externalContentPolicyType, top,
            });
          } catch (e) {
            list.push({ at: Date.now(), url: String(subject?.URI?.spec ?? '?'), error: String(e) });
          }
        },
      };
      Services.obs.addObserver(observer, 'http-on-modify-request');
      g.__lifeboatNetWatch = { list, observer };
      return JSON.stringify(true);
    })()`);
    return this;
  }

  async refreshContexts() {
    if (this.session.browser !== this.browser) return;
    const tree = await this.conn.send('browsingContext.getTree', {});
    const walk = (cs) => cs.forEach((c) => {
      this.contexts.set(c.context, c.url);
      walk(c.children ?? []);
    });
    walk(tree.result.contexts);
  }

  /** Collects the parent observer's records so far (they live in the browser until read). */
  async collect() {
    if (this.session.browser !== this.browser) return 0; // that run is over (collected before it ended)
    const list = await chromeEval(this.session, 'JSON.stringify(globalThis.__lifeboatNetWatch?.list.splice(0) ?? [])');
    this.channels.push(...list);
    return list.length;
  }

  async stop() {
    await this.collect().catch(() => {});
    if (this.session.browser !== this.browser) return;
    await chromeEval(this.session, `(() => {
      const w = globalThis.__lifeboatNetWatch;
      if (w) Services.obs.removeObserver(w.observer, 'http-on-modify-request');
      delete globalThis.__lifeboatNetWatch;
      return JSON.stringify(true);
    })()`).catch(() => {});
    this.conn?.off('network.beforeRequestSent', this.onRequest);
    for (const e of ['browsingContext.contextCreated', 'browsingContext.navigationStarted', 'browsingContext.load']) this.conn?.off(e, this.onContext);
  }
}
