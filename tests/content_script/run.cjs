// extension/content.js on a stand-in page, in node: what it sends and when,
// under a fake clock. Run by tests/content_script.rs (cargo test). Each
// scenario gets a fresh context with the generated rule table loaded first,
// as the manifest loads it.
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const vm = require('node:vm');

const ROOT = join(__dirname, '..', '..');
const RULES_JS = execFileSync('bash', [join(ROOT, 'build.sh'), 'privacy-rules'], { encoding: 'utf8' });
const CONTENT_JS = readFileSync(join(ROOT, 'extension', 'content.js'), 'utf8');

// The page: just what content.js touches, run inside the context so that
// instanceof works there.
const FAKE_DOM = String.raw`
  class Node { get parentElement() { return this._parent ?? null; } }
  class Element extends Node {
    constructor(tag, attrs = {}) { super(); this.localName = tag; this.attrs = attrs; this._children = []; }
    getAttribute(n) { return n in this.attrs ? this.attrs[n] : null; }
    get children() { return this._children; }
    get isContentEditable() { return false; }
    dispatchEvent() { return true; }
  }
  class HTMLElement extends Element {}
  class HTMLFormElement extends HTMLElement {
    constructor(attrs) { super('form', attrs); this._controls = []; }
    get elements() { return this._controls; }
  }
  class HTMLInputElement extends HTMLElement {
    constructor(attrs, value = '') { super('input', attrs); this.defaultValue = ''; this.value = value; this.form = null; }
    get type() { return (this.attrs.type ?? 'text').toLowerCase(); }
  }
  class HTMLSelectElement extends HTMLElement {}
  class HTMLTextAreaElement extends HTMLElement {
    constructor(attrs, value = '', form = null) {
      super('textarea', attrs); this.defaultValue = ''; this.value = value; this.form = form;
      if (form) form._controls.push(this);
    }
  }
  const listeners = {};
  const on = (type, fn) => { (listeners[type] ??= new Set()).add(fn); };
  const off = (type, fn) => { listeners[type]?.delete(fn); };
  const html = new Element('html');
  const body = new Element('body');
  body._parent = html; html._children.push(body);
  const fields = [];
  var document = {
    documentElement: html, body, designMode: 'off', scrollingElement: html,
    addEventListener: on, removeEventListener: off,
    querySelectorAll(sel) {
      if (sel.startsWith('[id=')) { const id = JSON.parse(sel.slice(4, -1)); return fields.filter((f) => f.attrs.id === id); }
      if (sel === 'input[type*="password" i]') return fields.filter((f) => f instanceof HTMLInputElement && /password/i.test(f.attrs.type ?? ''));
      return sel === '[contenteditable]' ? [] : fields.slice();
    },
    querySelector(sel) { return this.querySelectorAll(sel)[0] ?? null; },
    getElementById: (id) => fields.find((f) => f.attrs.id === id) ?? null,
    getElementsByTagName: (tag) => (tag === 'form' ? [...new Set(fields.map((f) => f.form).filter(Boolean))] : []),
  };
  var window = globalThis;
  window.top = window;
  window.scrollX = 0; window.scrollY = 0;
  window.addEventListener = on; window.removeEventListener = off;
  var location = { href: 'https://page.example/form' };
  var CSS = { escape: (s) => s };
  class MutationObserver { observe() {} disconnect() {} }
  class Event { constructor(type) { this.type = type; } }
  // Transient user activation: the user just pressed a key or clicked.
  var navigator = { userActivation: { isActive: false, hasBeenActive: false } };
  /** Adds a textarea (id, value, form) to the page's body. */
  function addField(id, value, form = null, attrs = {}) {
    const el = new HTMLTextAreaElement({ id, ...attrs }, value, form);
    el._parent = body; body._children.push(el); fields.push(el);
    return el;
  }
  /** Adds an <input> (id, type, value) to the page's body. */
  function addInput(id, type, value, attrs = {}) {
    const el = new HTMLInputElement({ id, type, ...attrs }, value);
    el._parent = body; body._children.push(el); fields.push(el);
    return el;
  }
  /** An event of the user's own (a trusted one with user activation), or not. */
  function fire(type, target, byUser, { isTrusted = byUser } = {}) {
    navigator.userActivation.isActive = byUser;
    for (const fn of [...(listeners[type] ?? [])]) fn({ type, target, isTrusted });
  }
`;

/** A fresh page with a fake clock and a fake background. `answer(message)` says what
 *  the background answers; `setup(page)` runs before content.js starts. */
function page({ answer = () => ({ ok: true }), restore = null, setup = () => {} } = {}) {
  let now = 0;
  const timers = new Map();
  let nextId = 1;
  const sent = [];
  const onMessage = new Set(); // content.js's listeners for what the background sends
  const ctx = {
    setTimeout: (fn, ms = 0) => { const id = nextId++; timers.set(id, { at: now + ms, fn }); return id; },
    clearTimeout: (id) => { timers.delete(id); },
    Promise, Symbol, JSON, Math, Number, String, Array, Object, Set, WeakSet, WeakMap, Error,
  };
  ctx.browser = {
    runtime: {
      id: 'lifeboat',
      sendMessage: (message) => {
        sent.push({ at: now, message: JSON.parse(JSON.stringify(message)) });
        // Answers arrive as JSON text, as the background sends them
        // (docs/PROTOCOL.md); `{ raw }` hands the content script `raw` as it is.
        const a = message.type === 'pageRestore' ? { state: restore } : answer(message);
        return Promise.resolve(a && 'raw' in a ? a.raw : JSON.stringify(a));
      },
      onMessage: { addListener: (fn) => { onMessage.add(fn); }, removeListener: (fn) => { onMessage.delete(fn); } },
    },
  };
  vm.createContext(ctx);
  vm.runInContext(FAKE_DOM, ctx);
  const p = {
    ctx, sent, timers,
    pageStates: () => sent.filter((s) => s.message.type === 'pageState'),
    /** The background's message to the tab (every listener of this frame gets it). */
    tell: (message) => { for (const fn of [...onMessage]) fn(message, { id: 'lifeboat' }, () => {}); },
    run: (code) => vm.runInContext(code, ctx),
    /** Lets promise callbacks run. */
    async settle() { for (let i = 0; i < 10; i += 1) await Promise.resolve(); },
    /** Moves the clock, running timers as they fall due. */
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await p.settle();
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
      await p.settle();
    },
    now: () => now,
  };
  setup(p);
  vm.runInContext(RULES_JS, ctx);
  vm.runInContext(CONTENT_JS, ctx);
  return p;
}

const scenarios = {
  async 'a page where nothing differs: no message, no timer'() {
    const p = page({ setup: (pg) => pg.run("addField('t', '')") });
    await p.advance(60_000);
    assert.deepEqual(p.sent.map((s) => s.message.type), []);
    assert.equal(p.timers.size, 0);
  },

  async 'a pristine page that is never touched: no timer at any point'() {
    const p = page({ setup: (pg) => pg.run("addField('t', ''); addInput('i', 'text', ''); addInput('pw', 'password', '')") });
    await p.settle();
    assert.equal(p.timers.size, 0, 'none at start');
    for (let i = 0; i < 10; i += 1) {
      await p.advance(1_000);
      assert.equal(p.timers.size, 0, `none after ${i + 1} s`);
    }
    assert.deepEqual(p.sent.map((s) => s.message.type), []);
  },

  async 'what differs at start is reported at once, untouched'() {
    const p = page({ setup: (pg) => pg.run("addField('t', 'typed before the script ran', null, { name: 'note' })") });
    await p.settle();
    const [first, ...rest] = p.pageStates();
    assert.equal(rest.length, 0);
    assert.equal(first.at, 0);
    assert.equal(first.message.frame, '');
    assert.deepEqual(first.message.state.fields.map((f) => [f.key, f.tag, f.type, f.name, f.value, f.touched]),
      [['#t', 'textarea', '', 'note', 'typed before the script ran', false]]);
  },

  async 'a password, a card field or a card number filled before start is not reported; the rest is'() {
    const p = page({
      setup: (pg) => pg.run(`addInput('pw', 'password', 'Hunter2-secret');
        addInput('cc', 'text', '4111 1111 1111 1111', { autocomplete: 'cc-number' });
        addField('num', 'typed 4012888888881881', null, { name: 'cardnumber' });
        addField('notes', 'card 4111-1111-1111-1111 12/25');
        addInput('otp', 'text', '934671', { autocomplete: 'one-time-code' });
        addInput('city', 'text', 'Lisbon');`),
    });
    await p.advance(60_000);
    const states = p.pageStates();
    assert.equal(states.length, 1, 'one report at start, for what may be kept');
    assert.deepEqual(states[0].message.state.fields.map((f) => [f.key, f.value]), [['#city', 'Lisbon']]);
    const all = JSON.stringify(p.sent);
    for (const secret of ['Hunter2', '4111', '4012', '934671']) assert.ok(!all.includes(secret), `${secret} never sent`);
  },

  async 'only secrets filled before start: no message, no timer'() {
    const p = page({ setup: (pg) => pg.run("addInput('pw', 'password', 'Hunter2-secret'); addField('notes', '4111 1111 1111 1111')") });
    await p.advance(60_000);
    assert.deepEqual(p.sent.map((s) => s.message.type), []);
    assert.equal(p.timers.size, 0);
  },

  async 'a scrolled page is reported at start'() {
    const p = page({ setup: (pg) => pg.run("addField('t', ''); window.scrollY = 300;") });
    await p.settle();
    assert.deepEqual(p.pageStates().map((s) => s.message.state.scroll), [[0, 300]]);
  },

  async 'synthetic events schedule nothing; the user\'s input does, marked touched'() {
    const p = page({ setup: (pg) => pg.run("var el = addField('t', '')") });
    p.run("el.value = 'set by script'; fire('input', el, false); fire('change', el, false);");
    await p.advance(30_000);
    assert.equal(p.pageStates().length, 0, 'untrusted events');
    p.run("el.value = 'typed'; fire('input', el, true);");
    await p.advance(249);
    assert.equal(p.pageStates().length, 0, 'debounced');
    await p.advance(1);
    const states = p.pageStates();
    assert.equal(states.length, 1);
    assert.deepEqual(states[0].message.state.fields.map((f) => [f.value, f.touched]), [['typed', true]]);
  },

  async 'typing or scrolling without a pause is reported within half a second of the first unsent change, the last change after a pause'() {
    const p = page({ setup: (pg) => pg.run("var el = addField('t', '')") });
    // A key every 200 ms for 3 s, then a scroll every 100 ms for 2 s.
    for (let i = 1; i <= 15; i += 1) {
      p.run(`el.value = 'x'.repeat(${i}); fire('input', el, true);`);
      await p.advance(200);
    }
    for (let i = 1; i <= 20; i += 1) {
      p.run(`window.scrollY = ${i * 50}; fire('scroll', window, false, { isTrusted: true });`);
      await p.advance(100);
    }
    await p.advance(250);
    const states = p.pageStates();
    const gaps = states.map((s, i) => s.at - (i ? states[i - 1].at : 0));
    // 0.5 s after the first change not yet sent, which comes up to 0.2 s (a key) after a report.
    assert.ok(gaps.every((g) => g <= 700), `a report within 0.5 s of the first unsent change: at ${states.map((s) => s.at)}`);
    const last = states[states.length - 1];
    assert.ok(last.at <= 4_900 + 250, `the last scroll (at 4.9 s) reported within the pause: at ${last.at}`);
    assert.deepEqual([last.message.state.scroll, last.message.state.fields[0].value], [[0, 1000], 'x'.repeat(15)]);
    await p.advance(60_000);
    assert.equal(p.pageStates().length, states.length, 'nothing more');
    assert.equal(p.timers.size, 0);
  },

  async 'typed text is reported at once when the page is hidden (a tab switch), not after the debounce'() {
    const p = page({ setup: (pg) => pg.run("var el = addField('t', ''); document.visibilityState = 'visible';") });
    p.run("el.value = 'last words'; fire('input', el, true);");
    await p.advance(100);
    assert.equal(p.pageStates().length, 0, 'debounced while visible');
    p.run("document.visibilityState = 'hidden'; fire('visibilitychange', document, false);");
    await p.settle();
    const states = p.pageStates();
    assert.deepEqual(states.map((s) => [s.at, s.message.state.fields[0].value]), [[100, 'last words']]);
    assert.equal(p.timers.size, 0, 'the debounce is cancelled');
    // Shown and hidden again with nothing new: no second report.
    p.run("document.visibilityState = 'visible'; fire('visibilitychange', document, false); document.visibilityState = 'hidden'; fire('visibilitychange', document, false);");
    await p.advance(10_000);
    assert.equal(p.pageStates().length, 1);
  },

  async 'trusted input without user activation (a script\'s execCommand) schedules nothing'() {
    const p = page({ setup: (pg) => pg.run("var el = addField('t', '')") });
    p.run("el.value = 'inserted by script'; fire('input', el, false, { isTrusted: true });");
    await p.advance(30_000);
    assert.equal(p.pageStates().length, 0);
  },

  async 'a form marked autocomplete=off: its fields are not sent unless they have a token of their own'() {
    const p = page({
      setup: (pg) => pg.run(`var form = new HTMLFormElement({ autocomplete: 'off' });
        addField('a', 'secret', form); addField('b', 'kept', form, { autocomplete: 'on' });`),
    });
    await p.settle();
    const [first] = p.pageStates();
    assert.deepEqual(first.message.state.fields.map((f) => [f.key, f.autocomplete, f.formAutocomplete]), [['#b', 'on', 'off']]);
  },

  async 'over the rate: one retry, no sooner than retryMs, carrying the latest text'() {
    let refuse = 1;
    const p = page({
      answer: () => (refuse-- > 0 ? { ok: false, retryMs: 5_000 } : { ok: true }),
      setup: (pg) => pg.run("var el = addField('t', '')"),
    });
    p.run("el.value = 'one'; fire('input', el, true);");
    await p.advance(250);
    assert.equal(p.pageStates().length, 1);
    // More typing while the retry waits is carried by it, not sent on its own.
    for (const text of ['one two', 'one two three']) {
      p.run(`el.value = ${JSON.stringify(text)}; fire('input', el, true);`);
      await p.advance(1_000);
    }
    await p.advance(4_999 - 2_000);
    assert.equal(p.pageStates().length, 1, 'nothing before retryMs');
    await p.advance(1);
    const states = p.pageStates();
    assert.equal(states.length, 2);
    assert.equal(states[1].at - states[0].at, 5_000);
    assert.equal(states[1].message.state.fields[0].value, 'one two three');
    await p.advance(60_000);
    assert.equal(p.pageStates().length, 2, 'accepted: no more');
  },

  async 'refused again and again: retries back off to one every 10 s and never give up the unsent text'() {
    const p = page({ answer: () => ({ ok: false, retryMs: 10 }), setup: (pg) => pg.run("var el = addField('t', '')") });
    p.run("el.value = 'x'; fire('input', el, true);");
    await p.advance(600_000);
    const at = p.pageStates().map((s) => s.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    assert.deepEqual(gaps.slice(0, 7), [250, 500, 1_000, 2_000, 4_000, 8_000, 10_000], `backing off from the floor: ${gaps}`);
    assert.ok(gaps.slice(6).every((g) => g === 10_000), `then one every 10 s: ${gaps}`);
    assert.ok(at.length > 55, `still trying after 10 minutes: ${at.length} sends`);
    assert.equal(p.timers.size, 1, 'one retry pending, no more');
  },

  async 'restore fills only a field of the same kind, then reports the page once'() {
    const p = page({
      restore: {
        scroll: null,
        fields: [
          { key: '#t', tag: 'textarea', type: '', name: 'note', touched: true, value: 'saved note' },
          { key: '#u', tag: 'input', type: 'email', name: 'mail', touched: true, value: 'a@b.example' }, // now a textarea
          { key: '#v', value: 'saved before format 2' }, // legacy: any element whose kind fits
        ],
      },
      setup: (pg) => pg.run("var t = addField('t', '', null, { name: 'note' }); var u = addField('u', '', null, { name: 'mail' }); var v = addField('v', '');"),
    });
    await p.advance(400);
    assert.equal(p.sent.length, 0, 'nothing asked before the background offers');
    p.tell({ type: 'lifeboat.restore' });
    await p.advance(400);
    const ask = p.sent.find((s) => s.message.type === 'pageRestore');
    assert.equal(ask.message.frame, '');
    assert.deepEqual(JSON.parse(p.run('JSON.stringify([t.value, u.value, v.value])')), ['saved note', '', 'saved before format 2']);
    await p.advance(60_000);
    const states = p.pageStates();
    assert.equal(states.length, 1, 'reported once (the fill fires untrusted events)');
    assert.deepEqual(states[0].message.state.fields.map((f) => [f.key, f.touched]), [['#t', true], ['#v', false]]);
  },

  async 'offered again and again, a page asks for its restored state once'() {
    const p = page({ restore: null, setup: (pg) => pg.run("addField('t', '')") });
    await p.settle();
    for (let i = 0; i < 4; i += 1) {
      p.tell({ type: 'lifeboat.restore' });
      await p.advance(1_000);
    }
    p.tell({ type: 'something else' });
    await p.advance(60_000);
    assert.deepEqual(p.sent.map((s) => [s.message.type, s.message.frame]), [['pageRestore', '']]);
    assert.equal(p.timers.size, 0, 'a null answer leaves no timer');
  },

  async 'an answer that is not JSON text counts as none: no throw, no retry'() {
    for (const raw of ['{"ok": fal', { ok: false, retryMs: 10 }, undefined]) {
      const p = page({ answer: () => ({ raw }), setup: (pg) => pg.run("var el = addField('t', '')") });
      p.run("el.value = 'x'; fire('input', el, true);");
      await p.advance(60_000);
      assert.equal(p.pageStates().length, 1, `one report, not retried: ${JSON.stringify(raw)}`);
      assert.equal(p.timers.size, 0, `no timer left: ${JSON.stringify(raw)}`);
    }
  },

  async 'a refusal without retryMs is not retried'() {
    const p = page({ answer: () => ({ ok: false, reason: 'site excluded' }), setup: (pg) => pg.run("var el = addField('t', '')") });
    p.run("el.value = 'x'; fire('input', el, true);");
    await p.advance(600_000);
    assert.equal(p.pageStates().length, 1);
  },
};

(async () => {
  let failed = 0;
  for (const [name, run] of Object.entries(scenarios)) {
    try {
      await run();
      console.log(`ok   ${name}`);
    } catch (e) {
      failed += 1;
      console.log(`FAIL ${name}\n${e.stack}`);
    }
  }
  process.exit(failed ? 1 : 0);
})();
