// Lifeboat content script: what the user typed into this page, and where the
// top page was scrolled, for the session (docs/PROTOCOL.md, "Content script ↔
// background"). Injected at document_idle into every http(s) frame.
//
// A classic script, not a module, with no dependencies. It never throws into
// the page: every entry point catches, and once the background is gone for
// good (extension reloaded or removed) it stops altogether.
//
// Privacy is enforced here and, independently, in the Rust core
// (src/privacy.rs): a field refused here is never sent; the core refuses
// again whatever reaches it.
(() => {
  'use strict';

  const api = globalThis.browser ?? globalThis.chrome;
  if (!api?.runtime?.sendMessage) return;
  // One instance per frame, even if injected twice.
  const MARK = Symbol.for('lifeboat.content');
  if (globalThis[MARK]) return;
  globalThis[MARK] = true;

  const INPUT_DEBOUNCE_MS = 500;
  const SCROLL_DEBOUNCE_MS = 1000;
  const MAX_VALUE_CHARS = 64 * 1024; // per value; the core caps too and marks it truncated
  const MAX_FIELDS = 1000; // per frame
  const MAX_PATH_KEYED = 100; // fields keyed by a structural path (Firefox: 100 XPaths)
  const MAX_FRAME_CHARS = 8 * 1024 * 1024; // all values of one frame together
  const RESTORE_RETRY_MS = [250, 500, 1000, 2000, 4000]; // fields that appear late
  const SCROLL_RETRY_MS = [100, 250, 500, 1000, 2000, 3000];

  const TEXT_TYPES = new Set(['text', 'search', 'email', 'url', 'tel', 'number',
    'date', 'time', 'datetime-local', 'month', 'week']);
  // Never collected, never restored into. (Other input types that are neither
  // text-like nor checkable, e.g. color and range, are simply not collected.)
  const REFUSED_TYPES = new Set(['password', 'hidden', 'file', 'button', 'submit', 'reset', 'image']);
  const REFUSED_AUTOCOMPLETE = new Set(['off', 'one-time-code', 'new-password', 'current-password']);
  const CARD_NAME = /card.?num|cc.?num|cardnumber|card.?no\b|cc.?no\b|cvc|cvv|ccv|csc|cvn|security.?code|card.?code|card.?verif/i;

  // DOM accessors taken from the prototypes: a form's named controls shadow its
  // own properties (an <input name="id"> makes form.id that input).
  const getAttr = Element.prototype.getAttribute;
  const parentOf = Object.getOwnPropertyDescriptor(Node.prototype, 'parentElement').get;
  const childrenOf = Object.getOwnPropertyDescriptor(Element.prototype, 'children').get;
  const formControls = Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, 'elements').get;
  const attr = (el, name) => getAttr.call(el, name) ?? '';

  const isTop = window === window.top;
  const everPassword = new WeakSet(); // inputs seen with type=password at any time
  const touched = new WeakSet(); // fields the user typed into since this load
  const editableDefault = new WeakMap(); // contenteditable host -> its text when first seen
  let dead = false; // the background is gone for good
  let inputTimer = 0;
  let scrollTimer = 0;
  let lastSent = null; // JSON of the last state sent (nothing sent = null)
  let userScrolled = false;

  function guard(fn) {
    return function guarded(...args) {
      if (dead) return undefined;
      try {
        return fn.apply(this, args);
      } catch (e) {
        // Never into the page. A dev build could log here.
        return undefined;
      }
    };
  }

  /** sendMessage that never throws or rejects: null when the background does not answer. */
  function send(message) {
    try {
      if (dead) return Promise.resolve(null);
      if (!api.runtime?.id) { // Chrome: extension reloaded, this context is orphaned
        stop();
        return Promise.resolve(null);
      }
      const p = api.runtime.sendMessage(message);
      if (!p || typeof p.then !== 'function') return Promise.resolve(null);
      return p.then((answer) => answer ?? null, (e) => {
        if (/context invalidated/i.test(String(e?.message ?? e))) stop();
        return null;
      });
    } catch (e) {
      if (/context invalidated/i.test(String(e?.message ?? e))) stop();
      return Promise.resolve(null);
    }
  }

  // ------------------------------------------------------------ frames

  /** "" for the top frame, "iframe[2]/iframe[0]" for a nested same-origin frame
   *  (tag and 0-based index among that document's elements of the same tag), or
   *  null when some ancestor is cross-origin: window.frameElement is null there,
   *  the frame cannot be placed in the tab's state, and is not collected at all. */
  function frameKey() {
    const parts = [];
    let w = window;
    try {
      while (w !== w.top) {
        const host = w.frameElement;
        if (!host) return null; // cross-origin parent (or a sandboxed frame)
        const tag = host.localName;
        const index = Array.prototype.indexOf.call(host.ownerDocument.getElementsByTagName(tag), host);
        parts.unshift(`${tag}[${index}]`);
        w = w.parent;
      }
    } catch (e) {
      return null; // a cross-origin ancestor threw on access
    }
    return parts.join('/');
  }

  // ------------------------------------------------------------ fields

  /** The contenteditable host (outermost editable element) containing node, or null. */
  function editableHost(node) {
    let el = node instanceof Element ? node : node?.parentElement;
    if (!el || !el.isContentEditable) return null;
    for (let up = parentOf.call(el); up && up.isContentEditable; up = parentOf.call(up)) el = up;
    // A document in designMode is one big editor, not a field.
    return el === document.documentElement || document.designMode === 'on' ? null : el;
  }

  /** 'text' | 'check' | 'select' | 'editable' for an element we handle, else null. */
  function kindOf(el) {
    if (el instanceof HTMLInputElement) {
      const type = el.type;
      if (type === 'checkbox' || type === 'radio') return 'check';
      return TEXT_TYPES.has(type) ? 'text' : null; // unknown type attributes read as "text"
    }
    if (el instanceof HTMLTextAreaElement) return 'text';
    if (el instanceof HTMLSelectElement) return 'select';
    if (el instanceof HTMLElement && el.isContentEditable && editableHost(el) === el) return 'editable';
    return null;
  }

  function notePassword(el) {
    if (el instanceof HTMLInputElement && (el.type === 'password' || attr(el, 'type').trim().toLowerCase() === 'password')) {
      everPassword.add(el);
    }
  }

  function autocompleteTokens(el) {
    let value = attr(el, 'autocomplete').trim().toLowerCase();
    if (!value && el.form) value = attr(el.form, 'autocomplete').trim().toLowerCase(); // inherited "off"
    return value ? value.split(/\s+/) : [];
  }

  /** True when the field must never be collected nor restored into. */
  function refused(el) {
    if (el instanceof HTMLInputElement) {
      notePassword(el);
      if (everPassword.has(el) || REFUSED_TYPES.has(el.type)) return true;
    }
    if (autocompleteTokens(el).some((t) => REFUSED_AUTOCOMPLETE.has(t) || t.startsWith('cc-'))) return true;
    return CARD_NAME.test(attr(el, 'name')) || CARD_NAME.test(attr(el, 'id'));
  }

  function luhn(digits) {
    let sum = 0;
    for (let i = digits.length - 1, double = false; i >= 0; i -= 1, double = !double) {
      let d = digits.charCodeAt(i) - 48;
      if (double) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }

  /** True if text holds a Luhn-valid run of 12-19 digits (spaces and dashes between
   *  digits ignored): a card number, wherever it was typed. The whole field is refused. */
  function hasCardNumber(text) {
    if (typeof text !== 'string' || text.length < 12) return false;
    for (const [run] of text.matchAll(/\d(?:[ -]?\d)+/g)) {
      const digits = run.replace(/[ -]/g, '');
      if (digits.length >= 12 && digits.length <= 19 && luhn(digits)) return true;
    }
    return false;
  }

  function cap(text) {
    if (text.length <= MAX_VALUE_CHARS) return text;
    let end = MAX_VALUE_CHARS;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1; // do not split a surrogate pair
    return text.slice(0, end);
  }

  function defaultSelected(select) {
    const options = Array.from(select.options);
    if (select.multiple) return options.filter((o) => o.defaultSelected);
    const marked = options.filter((o) => o.defaultSelected);
    if (marked.length) return [marked[marked.length - 1]];
    // No default: a drop-down shows its first enabled option (HTML "selectedness setting").
    const first = select.size <= 1 ? options.find((o) => !o.disabled) : null;
    return first ? [first] : [];
  }

  const sameOptions = (a, b) => a.length === b.length && a.every((o, i) => o === b[i]);
  const selectedOptions = (select) => Array.from(select.options).filter((o) => o.selected);
  const editableText = (el) => el.innerText;
  const editableDefaultOf = (el) => editableDefault.get(el) ?? '';
  function rememberEditable(el) {
    if (!editableDefault.has(el)) editableDefault.set(el, editableText(el));
  }

  /** The field's current state if it differs from its default, else null. */
  function valueOf(el, kind) {
    switch (kind) {
      case 'text':
        return el.value !== el.defaultValue ? { value: el.value } : null;
      case 'check':
        return el.checked !== el.defaultChecked ? { checked: el.checked } : null;
      case 'select': {
        const now = selectedOptions(el);
        return sameOptions(now, defaultSelected(el)) ? null : { selected: now.map((o) => o.value) };
      }
      case 'editable': {
        const text = editableText(el);
        return text !== editableDefaultOf(el) ? { value: text } : null;
      }
      default:
        return null;
    }
  }

  // ------------------------------------------------------------ keys

  function uniqueId(el) {
    const id = attr(el, 'id');
    if (!id || document.getElementById(id) !== el) return null;
    return document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length === 1 ? id : null;
  }

  const formsOf = () => document.getElementsByTagName('form');
  const formKeyOf = (form) => attr(form, 'id') || String(Array.prototype.indexOf.call(formsOf(), form));
  const namedIn = (form, name) => Array.from(formControls.call(form)).filter((c) => attr(c, 'name') === name);

  /** "/html/body/div[2]/textarea[1]": 1-based positions among same-tag siblings. */
  function structuralPath(el) {
    const parts = [];
    for (let node = el; node; node = parentOf.call(node)) {
      const parent = parentOf.call(node);
      if (!parent || node === document.body) {
        parts.unshift(node.localName);
        if (!parent) break;
        continue;
      }
      let n = 0;
      for (const sibling of childrenOf.call(parent)) {
        if (sibling.localName === node.localName) n += 1;
        if (sibling === node) break;
      }
      parts.unshift(`${node.localName}[${n}]`);
    }
    return `/${parts.join('/')}`;
  }

  /** "#id" (unique id), "@form-key/name/n" (named control of a form), else a structural path. */
  function keyOf(el) {
    const id = uniqueId(el);
    if (id) return `#${id}`;
    const name = attr(el, 'name');
    const form = el.form; // only form controls have one; contenteditable has none
    if (name && form instanceof HTMLFormElement) {
      const n = namedIn(form, name).indexOf(el);
      if (n >= 0) return `@${formKeyOf(form)}/${name}/${n}`;
    }
    return structuralPath(el);
  }

  /** The element a key names today, or null; always checked by recomputing its key. */
  function findByKey(key) {
    let el = null;
    if (key.startsWith('#')) {
      el = document.getElementById(key.slice(1));
    } else if (key.startsWith('@')) {
      for (const form of formsOf()) {
        const prefix = `@${formKeyOf(form)}/`;
        if (!key.startsWith(prefix)) continue;
        const rest = key.slice(prefix.length);
        const slash = rest.lastIndexOf('/');
        if (slash < 0) continue;
        el = namedIn(form, rest.slice(0, slash))[Number(rest.slice(slash + 1))] ?? null;
        if (el) break;
      }
    } else if (key.startsWith('/')) {
      el = document.documentElement;
      const parts = key.slice(1).split('/');
      if (!el || parts[0] !== el.localName) return null;
      for (const part of parts.slice(1)) {
        const m = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(part);
        if (!m) return null;
        const same = Array.from(childrenOf.call(el)).filter((c) => c.localName === m[1]);
        el = same[m[2] ? Number(m[2]) - 1 : 0];
        if (!el) return null;
      }
    }
    return el && keyOf(el) === key ? el : null;
  }

  // ------------------------------------------------------------ collect

  function candidates() {
    const found = Array.from(document.querySelectorAll('input, textarea, select'));
    for (const el of document.querySelectorAll('[contenteditable]')) {
      if (kindOf(el) === 'editable') found.push(el);
    }
    return found;
  }

  function collectFields() {
    const fields = [];
    let pathKeyed = 0;
    let chars = 0;
    for (const el of candidates()) {
      if (fields.length >= MAX_FIELDS) break;
      const kind = kindOf(el);
      if (!kind || refused(el)) continue;
      const state = valueOf(el, kind);
      if (!state) continue;
      if (state.value !== undefined) {
        if (hasCardNumber(state.value)) continue;
        state.value = cap(state.value);
        if (chars + state.value.length > MAX_FRAME_CHARS) continue;
        chars += state.value.length;
      }
      if (state.selected && state.selected.some(hasCardNumber)) continue;
      const key = keyOf(el);
      if (key.startsWith('/') && ++pathKeyed > MAX_PATH_KEYED) continue;
      const isInput = el instanceof HTMLInputElement;
      fields.push({
        key,
        tag: kind === 'editable' ? 'contenteditable' : el.localName,
        type: isInput ? el.type : '',
        id: attr(el, 'id'),
        name: attr(el, 'name'),
        autocomplete: attr(el, 'autocomplete').trim().toLowerCase(),
        everPassword: isInput && everPassword.has(el), // always false here: such fields are refused above
        ...state,
      });
    }
    return fields;
  }

  function scrollPosition() {
    return [Math.round(window.scrollX), Math.round(window.scrollY)];
  }

  const flush = guard(() => {
    clearTimeout(inputTimer);
    clearTimeout(scrollTimer);
    inputTimer = scrollTimer = 0;
    const frame = frameKey();
    if (frame === null) return;
    const state = { url: location.href, scroll: isTop ? scrollPosition() : null, fields: collectFields() };
    const empty = state.fields.length === 0 && (!state.scroll || (state.scroll[0] === 0 && state.scroll[1] === 0));
    const json = JSON.stringify(state);
    // Nothing to say on a page never changed; an emptied page must still clear what was sent.
    if (json === lastSent || (empty && lastSent === null)) return;
    lastSent = json;
    send({ type: 'pageState', frame, state });
  });

  function schedule(kind) {
    if (kind === 'input') {
      clearTimeout(inputTimer);
      inputTimer = setTimeout(flush, INPUT_DEBOUNCE_MS);
    } else if (!inputTimer) { // a pending input flush carries the scroll too
      clearTimeout(scrollTimer);
      scrollTimer = setTimeout(flush, SCROLL_DEBOUNCE_MS);
    }
  }

  /** The field an event is about: a form control or contenteditable host, or null. */
  function fieldOf(target) {
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
      return target;
    }
    return target instanceof Node ? editableHost(target) : null;
  }

  const onInput = guard((event) => {
    const el = fieldOf(event.target);
    if (!el) return;
    notePassword(el);
    if (event.isTrusted) touched.add(el);
    schedule('input');
  });

  const onFocus = guard((event) => {
    const el = fieldOf(event.target);
    if (!el) return;
    notePassword(el);
    if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)) {
      rememberEditable(el); // its text before the user types: the "default" of a contenteditable
    }
  });

  const onScroll = guard(() => schedule('scroll'));

  // A "show password" button turns type=password into text: remember the field was a password.
  const typeWatcher = new MutationObserver(guard((records) => {
    for (const r of records) {
      if ((r.oldValue ?? '').trim().toLowerCase() === 'password') everPassword.add(r.target);
      else notePassword(r.target);
    }
  }));

  const onLeave = guard(() => {
    if (inputTimer || scrollTimer) flush();
  });

  // The background restarted before it committed what this page last sent:
  // send it again (the text is still here in the page).
  const onAsk = guard((message) => {
    if (message?.type !== 'lifeboat.resend' || lastSent === null) return;
    lastSent = null;
    flush();
  });

  function stop() {
    dead = true;
    api.runtime.onMessage.removeListener(onAsk);
    clearTimeout(inputTimer);
    clearTimeout(scrollTimer);
    document.removeEventListener('input', onInput, true);
    document.removeEventListener('change', onInput, true);
    document.removeEventListener('focusin', onFocus, true);
    window.removeEventListener('scroll', onScroll);
    window.removeEventListener('pagehide', onLeave);
    typeWatcher.disconnect();
  }

  // ------------------------------------------------------------ restore

  function fire(el) {
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }

  /** Fills one saved field if its element is there and untouched. Returns false if the
   *  element is not there (yet), true once the field is dealt with (filled or left alone). */
  function restoreField(field) {
    if (!field || typeof field.key !== 'string') return true;
    const el = findByKey(field.key);
    if (!el) return false;
    const kind = kindOf(el);
    if (!kind || refused(el) || touched.has(el)) return true;
    const tagOk = field.tag === undefined
      || field.tag === (kind === 'editable' ? 'contenteditable' : el.localName);
    if (!tagOk) return true;
    if (kind === 'text' && typeof field.value === 'string') {
      if (el.value !== el.defaultValue || hasCardNumber(field.value)) return true;
      el.value = cap(field.value);
    } else if (kind === 'check' && typeof field.checked === 'boolean') {
      if (el.checked !== el.defaultChecked) return true;
      if (el.checked === field.checked) return true;
      el.checked = field.checked;
    } else if (kind === 'select' && Array.isArray(field.selected)) {
      if (!sameOptions(selectedOptions(el), defaultSelected(el))) return true;
      const wanted = new Set(field.selected.filter((v) => typeof v === 'string' && !hasCardNumber(v)));
      const options = Array.from(el.options);
      if (![...wanted].every((v) => options.some((o) => o.value === v))) return false; // options not loaded yet
      if (el.multiple) for (const o of options) o.selected = wanted.has(o.value);
      else el.selectedIndex = wanted.size ? options.findIndex((o) => wanted.has(o.value)) : -1;
    } else if (kind === 'editable' && typeof field.value === 'string') {
      rememberEditable(el);
      if (editableText(el) !== editableDefaultOf(el) || hasCardNumber(field.value)) return true;
      el.innerText = cap(field.value); // plain text only: never markup into the page
    } else {
      return true; // the saved kind does not fit this element any more
    }
    fire(el);
    return true;
  }

  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function restoreFields(fields) {
    let pending = fields.slice(0, MAX_FIELDS);
    for (const delay of [0, ...RESTORE_RETRY_MS]) {
      if (delay) await wait(delay);
      if (dead) return;
      pending = pending.filter((f) => {
        try {
          return !restoreField(f);
        } catch (e) {
          return false;
        }
      });
      if (!pending.length) return;
    }
  }

  async function restoreScroll(scroll) {
    if (!isTop || !Array.isArray(scroll)) return;
    const [x, y] = scroll.map(Number);
    if (!Number.isFinite(x) || !Number.isFinite(y) || (x <= 0 && y <= 0)) return;
    const acted = () => { userScrolled = true; };
    const events = ['wheel', 'touchstart', 'keydown', 'mousedown'];
    for (const name of events) window.addEventListener(name, acted, { passive: true, capture: true, once: true });
    try {
      for (const delay of SCROLL_RETRY_MS) {
        await wait(delay);
        if (dead || userScrolled) return;
        const root = document.scrollingElement ?? document.documentElement;
        // client sizes, not innerWidth/innerHeight: those include the scroll bars.
        const tallEnough = root.scrollHeight - root.clientHeight >= y - 1
          && root.scrollWidth - root.clientWidth >= x - 1;
        if (tallEnough || delay === SCROLL_RETRY_MS[SCROLL_RETRY_MS.length - 1]) {
          window.scrollTo(x, y); // as far as it goes, on the last try
          return;
        }
      }
    } finally {
      for (const name of events) window.removeEventListener(name, acted, { capture: true });
    }
  }

  async function restore(frame) {
    const answer = await send({ type: 'pageRestore', frame, url: location.href });
    const state = answer?.state;
    if (!state || typeof state !== 'object' || dead) return;
    await Promise.all([
      Array.isArray(state.fields) ? restoreFields(state.fields) : null,
      restoreScroll(state.scroll),
    ]);
  }

  // ------------------------------------------------------------ start

  const start = guard(() => {
    const frame = frameKey();
    // A frame whose parent is cross-origin cannot say where it sits in the tab:
    // its fields could not be told apart from another frame's. Not collected at all.
    if (frame === null) return;

    document.addEventListener('input', onInput, true);
    document.addEventListener('change', onInput, true);
    document.addEventListener('focusin', onFocus, true);
    window.addEventListener('pagehide', onLeave);
    // Only the type attribute: no callback ever runs unless a page changes an input's type.
    typeWatcher.observe(document, { subtree: true, attributes: true, attributeFilter: ['type'], attributeOldValue: true });
    if (isTop) window.addEventListener('scroll', onScroll, { passive: true });
    api.runtime.onMessage.addListener(onAsk);

    // Fields present now: passwords noted, contenteditable text taken as its default.
    const fields = document.querySelectorAll('input, textarea, select, [contenteditable]');
    for (const el of fields) {
      notePassword(el);
      if (kindOf(el) === 'editable') rememberEditable(el);
    }
    // The top frame always asks (its scroll may be saved); a frame only if it has fields.
    if (isTop || fields.length) restore(frame).catch(() => {});
  });

  start();
})();
