// @ts-check
// Lifeboat content script: what the user typed into this page, and where the
// top page was scrolled, for the session (docs/PROTOCOL.md, "Content script ↔
// background"). Injected at document_idle into every http(s) frame.
//
// A classic script, not a module, with no dependencies. It never throws into
// the page: every entry point catches, and once the background is gone for
// good (extension reloaded or removed) it stops altogether.
//
// Privacy is enforced here and, independently, in the Rust core
// (src/privacy.rs), from one rule table (src/privacy/rules.json), which the
// build turns into extension/privacy-rules.js, loaded before this script: a
// field refused here is never sent; the core refuses again whatever reaches it.
//
// Only the user's own (trusted) input and scrolling schedule a report; what
// the page's script set is reported with it, marked untouched.

/**
 * @typedef {'text' | 'check' | 'select' | 'editable'} Kind
 * @typedef {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | HTMLElement} Field a form control or contenteditable host
 * @typedef {{ value?: string, checked?: boolean, selected?: string[] }} FieldValue
 * @typedef {{ key?: unknown, tag?: string, type?: string, name?: string, touched?: boolean } & FieldValue} SavedField a field of a `pageRestore` answer
 */
(() => {
  'use strict';

  const foundApi = /** @type {typeof chrome | undefined} */ (globalThis.browser ?? globalThis.chrome);
  const loadedRules = globalThis.lifeboatPrivacyRules;
  // Without the rule table nothing could be judged: collect nothing.
  if (!foundApi?.runtime?.sendMessage || !loadedRules) return;
  const api = foundApi;
  const RULES = loadedRules;
  // One instance per frame, even if injected twice.
  const MARK = Symbol.for('lifeboat.content');
  const marks = /** @type {Record<symbol, boolean>} */ (/** @type {unknown} */ (globalThis));
  if (marks[MARK]) return;
  marks[MARK] = true;

  // A report goes once typing or scrolling pauses this long, and never later than
  // MAX_WAIT_MS after the first unsent change, however long it goes on: with the
  // core's own commit delay (src/saver.rs, at most 0.5 s) a change survives a
  // browser kill within about a second.
  const DEBOUNCE_MS = 250;
  const MAX_WAIT_MS = 500;
  const RETRY_MS = [250, 10_000]; // bounds on the wait before a refused report goes again
  const RESTORE_RETRY_MS = [250, 500, 1000, 2000, 4000]; // fields that appear late
  const SCROLL_RETRY_MS = [100, 250, 500, 1000, 2000, 3000];

  // From the rule table (the core reads the same one).
  const MAX_VALUE_CHARS = RULES.maxValueChars; // per value; the core caps too and marks it truncated
  const MAX_NAME_CHARS = RULES.maxNameChars;
  const MAX_FIELDS = RULES.maxFieldsPerFrame;
  const MAX_PATH_KEYED = RULES.maxPathKeyedPerFrame; // fields keyed by a structural path
  const MAX_FRAME_CHARS = RULES.maxFrameChars; // all values of one frame together
  const CHECK_TYPES = new Set(RULES.checkInputTypes);
  // Input types neither kept nor refused (color, range...) are simply not collected.
  const KEPT_TYPES = new Set(RULES.keptInputTypes);
  const REFUSED_TYPES = new Set(RULES.refusedInputTypes); // never collected, never restored into
  const REFUSED_AUTOCOMPLETE = new Set(RULES.refusedAutocomplete);

  // DOM accessors taken from the prototypes: a form's named controls shadow its
  // own properties (an <input name="id"> makes form.id that input).
  /**
   * A getter of a prototype's own property, to call on any element.
   * @template T
   * @param {object} proto @param {string} name @returns {(this: Element | Node) => T}
   */
  const getter = (proto, name) => /** @type {(this: Element | Node) => T} */ (Object.getOwnPropertyDescriptor(proto, name)?.get);
  const getAttr = Element.prototype.getAttribute;
  /** @type {(this: Node) => HTMLElement | null} */
  const parentOf = getter(Node.prototype, 'parentElement');
  /** @type {(this: Element) => HTMLCollection} */
  const childrenOf = getter(Element.prototype, 'children');
  /** @type {(this: HTMLFormElement) => HTMLFormControlsCollection} */
  const formControls = getter(HTMLFormElement.prototype, 'elements');
  /** @param {Element} el @param {string} name */
  const attr = (el, name) => getAttr.call(el, name) ?? '';

  const isTop = window === window.top;
  /** @type {WeakSet<Node>} */
  const everPassword = new WeakSet(); // inputs seen with type=password at any time
  /** @type {WeakSet<Element>} */
  const typed = new WeakSet(); // fields the user typed into since this load (trusted input)
  /** @type {WeakSet<Element>} */
  const restoredTouched = new WeakSet(); // fields refilled with text the user had typed
  /** @type {WeakMap<HTMLElement, string>} */
  const editableDefault = new WeakMap(); // contenteditable host -> its text when first seen
  let dead = false; // the background is gone for good
  /** @type {ReturnType<typeof setTimeout> | 0} */
  let debounceTimer = 0; // the change waits for a pause...
  /** @type {ReturnType<typeof setTimeout> | 0} */
  let boundTimer = 0; // ...but no longer than MAX_WAIT_MS
  /** @type {ReturnType<typeof setTimeout> | 0} */
  let retryTimer = 0; // the core asked to wait (rate limit): the retry carries every change
  let retries = 0;
  let filled = 0; // fields restored: the page's state now differs and must be reported
  const UNSENT = ''; // lastSent after a refusal: the same state must go again
  /** @type {string | null} */
  let lastSent = null; // JSON of the last state sent (nothing sent = null)
  let userScrolled = false;
  let askedRestore = false; // this page asked for its restored state (once per page)
  /** @type {string | null} */
  let thisFrame = null; // this frame's key in the tab's state (set at start)

  /**
   * fn, made never to throw into the page, and to do nothing once the background is gone.
   * @template {unknown[]} A
   * @template R
   * @param {(...args: A) => R} fn
   * @returns {(...args: A) => R | undefined}
   */
  function guard(fn) {
    /** @this {unknown} @param {A} args */
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

  /** @param {unknown} e */
  const invalidated = (e) => /context invalidated/i.test(String(/** @type {{ message?: unknown }} */ (e)?.message ?? e));

  /**
   * An answer as it arrives, JSON text (docs/PROTOCOL.md); null for none or unreadable.
   * @param {unknown} text
   */
  function readAnswer(text) {
    if (typeof text !== 'string') return null;
    try {
      return JSON.parse(text) ?? null;
    } catch {
      return null;
    }
  }

  /**
   * sendMessage that never throws or rejects: null when the background does not answer.
   * @param {{ type: 'pageState', frame: string, state: object } | { type: 'pageRestore', frame: string, url: string }} message
   * @returns {Promise<any>} the answer as the background sent it (checked where it is used)
   */
  function send(message) {
    try {
      if (dead) return Promise.resolve(null);
      if (!api.runtime?.id) { // Chrome: extension reloaded, this context is orphaned
        stop();
        return Promise.resolve(null);
      }
      // Not necessarily a promise of this realm (or a promise at all): checked by shape.
      const p = /** @type {Promise<unknown> | undefined} */ (api.runtime.sendMessage(message));
      if (!p || typeof p.then !== 'function') return Promise.resolve(null);
      return p.then(readAnswer, (e) => {
        if (invalidated(e)) stop();
        return null;
      });
    } catch (e) {
      if (invalidated(e)) stop();
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
    /** @type {Window} */
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

  /** The contenteditable host (outermost editable element) containing node, or null. @param {Node | null | undefined} node */
  function editableHost(node) {
    // (an element that is not HTML has no isContentEditable: undefined, so null below)
    let el = /** @type {HTMLElement | null | undefined} */ (node instanceof Element ? node : node?.parentElement);
    if (!el || !el.isContentEditable) return null;
    for (let up = parentOf.call(el); up && up.isContentEditable; up = parentOf.call(up)) el = up;
    // A document in designMode is one big editor, not a field.
    return el === document.documentElement || document.designMode === 'on' ? null : el;
  }

  /** 'text' | 'check' | 'select' | 'editable' for an element we handle, else null. @param {Element} el @returns {Kind | null} */
  function kindOf(el) {
    if (el instanceof HTMLInputElement) {
      const type = el.type; // unknown type attributes read as "text"
      if (REFUSED_TYPES.has(type) || !KEPT_TYPES.has(type)) return null;
      return CHECK_TYPES.has(type) ? 'check' : 'text';
    }
    if (el instanceof HTMLTextAreaElement) return 'text';
    if (el instanceof HTMLSelectElement) return 'select';
    if (el instanceof HTMLElement && el.isContentEditable && editableHost(el) === el) return 'editable';
    return null;
  }

  /** @param {Node} el */
  function notePassword(el) {
    if (el instanceof HTMLInputElement && (el.type === 'password' || attr(el, 'type').trim().toLowerCase() === 'password')) {
      everPassword.add(el);
    }
  }

  // The core lower-cases ASCII only; so does this, or the two could disagree.
  /** @param {string} s */
  const asciiLower = (s) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  /** @param {string} s */
  const tokens = (s) => asciiLower(s.trim()).split(/\s+/).filter(Boolean);
  /** @param {Element} el @returns {HTMLFormElement | null} */
  const formOf = (el) => {
    const form = el instanceof HTMLElement ? /** @type {{ form?: unknown }} */ (el).form : null;
    return form instanceof HTMLFormElement ? form : null;
  };
  /** @param {Element} el */
  const ownAutocomplete = (el) => attr(el, 'autocomplete');
  /** @param {Element} el */
  const formAutocomplete = (el) => {
    const form = formOf(el);
    return form ? attr(form, 'autocomplete') : '';
  };

  /** The field's effective autocomplete tokens: its own, else its form's (an inherited "off"). */
  /** @param {Element} el */
  function autocompleteTokens(el) {
    const own = tokens(ownAutocomplete(el));
    return own.length ? own : tokens(formAutocomplete(el));
  }

  /** A name or id like a card number's or security code's (letters and digits, lower-case). */
  /** @param {string} name */
  function secretName(name) {
    const norm = asciiLower(name.replace(/[^A-Za-z0-9]/g, ''));
    return norm !== '' && RULES.secretNames.some((n) => norm.includes(n));
  }

  /** True when the field must never be collected nor restored into. @param {Element} el */
  function refused(el) {
    if (el instanceof HTMLInputElement) {
      notePassword(el);
      if (everPassword.has(el) || REFUSED_TYPES.has(el.type)) return true;
    }
    /** @param {string} t */
    const secret = (t) => REFUSED_AUTOCOMPLETE.has(t) || RULES.refusedAutocompletePrefixes.some((p) => t.startsWith(p));
    if (autocompleteTokens(el).some(secret)) return true;
    return secretName(attr(el, 'name')) || secretName(attr(el, 'id'));
  }

  /** True if text holds a card number: a Luhn-valid window of 12-19 consecutive digits
   *  inside a run of digits, spaces and dashes, starting with a digit a card can start
   *  with. The same walk as the core's (src/privacy/card.rs). The whole field is refused.
   *  @param {unknown} text */
  function hasCardNumber(text) {
    if (typeof text !== 'string') return false;
    const { cardDigitsMin: min, cardDigitsMax: max, cardSeparators: seps, cardFirstDigits: first } = RULES;
    /** @type {number[]} */
    const digits = []; // the current run's digits, newest last
    for (const c of text) {
      if (c >= '0' && c <= '9') {
        if (digits.length >= 2 * max) digits.splice(0, max);
        digits.push(c.charCodeAt(0) - 48);
        // Every window ending here: walk back, doubling every second digit.
        let sum = 0;
        for (let back = 0; back < max && back < digits.length; back += 1) {
          const d = digits[digits.length - 1 - back];
          sum += back % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
          if (back + 1 >= min && sum % 10 === 0 && first.includes(String(d))) return true;
        }
      } else if (!seps.includes(c)) {
        digits.length = 0; // the run ends
      }
    }
    return false;
  }

  /** @param {string} text @param {number} [max] */
  function cap(text, max = MAX_VALUE_CHARS) {
    if (text.length <= max) return text;
    let end = max;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1; // do not split a surrogate pair
    return text.slice(0, end);
  }

  /** @param {HTMLSelectElement} select */
  function defaultSelected(select) {
    const options = Array.from(select.options);
    if (select.multiple) return options.filter((o) => o.defaultSelected);
    const marked = options.filter((o) => o.defaultSelected);
    if (marked.length) return [marked[marked.length - 1]];
    // No default: a drop-down shows its first enabled option (HTML "selectedness setting").
    const first = select.size <= 1 ? options.find((o) => !o.disabled) : null;
    return first ? [first] : [];
  }

  /** @param {HTMLOptionElement[]} a @param {HTMLOptionElement[]} b */
  const sameOptions = (a, b) => a.length === b.length && a.every((o, i) => o === b[i]);
  /** @param {HTMLSelectElement} select */
  const selectedOptions = (select) => Array.from(select.options).filter((o) => o.selected);
  /** @param {HTMLElement} el */
  const editableText = (el) => el.innerText;
  /** @param {HTMLElement} el */
  const editableDefaultOf = (el) => editableDefault.get(el) ?? '';
  /** @param {HTMLElement} el */
  function rememberEditable(el) {
    if (!editableDefault.has(el)) editableDefault.set(el, editableText(el));
  }

  /** The field's current state if it differs from its default, else null. @param {Element} el @param {Kind} kind @returns {FieldValue | null} */
  function valueOf(el, kind) {
    switch (kind) {
      case 'text': {
        const input = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (el);
        return input.value !== input.defaultValue ? { value: input.value } : null;
      }
      case 'check': {
        const input = /** @type {HTMLInputElement} */ (el);
        return input.checked !== input.defaultChecked ? { checked: input.checked } : null;
      }
      case 'select': {
        const select = /** @type {HTMLSelectElement} */ (el);
        const now = selectedOptions(select);
        return sameOptions(now, defaultSelected(select)) ? null : { selected: now.map((o) => o.value) };
      }
      case 'editable': {
        const host = /** @type {HTMLElement} */ (el);
        const text = editableText(host);
        return text !== editableDefaultOf(host) ? { value: text } : null;
      }
      default:
        return null;
    }
  }

  // ------------------------------------------------------------ keys

  /** @param {Element} el */
  function uniqueId(el) {
    const id = attr(el, 'id');
    if (!id || document.getElementById(id) !== el) return null;
    return document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length === 1 ? id : null;
  }

  const formsOf = () => document.getElementsByTagName('form');
  /** @param {HTMLFormElement} form */
  const formKeyOf = (form) => attr(form, 'id') || String(Array.prototype.indexOf.call(formsOf(), form));
  /** @param {HTMLFormElement} form @param {string} name */
  const namedIn = (form, name) => Array.from(formControls.call(form)).filter((c) => attr(c, 'name') === name);

  /** "/html/body/div[2]/textarea[1]": 1-based positions among same-tag siblings. @param {Element} el */
  function structuralPath(el) {
    const parts = [];
    /** @type {Element | null} */
    let node = el;
    for (; node; node = parentOf.call(node)) {
      /** @type {Element | null} */
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

  /** "#id" (unique id), "@form-key/name/n" (named control of a form), else a structural path. @param {Element} el */
  function keyOf(el) {
    const id = uniqueId(el);
    if (id) return `#${id}`;
    const name = attr(el, 'name');
    const form = /** @type {{ form?: unknown }} */ (el).form; // only form controls have one; contenteditable has none
    if (name && form instanceof HTMLFormElement) {
      const n = namedIn(form, name).indexOf(el);
      if (n >= 0) return `@${formKeyOf(form)}/${name}/${n}`;
    }
    return structuralPath(el);
  }

  /** The element a key names today, or null; always checked by recomputing its key. @param {string} key */
  function findByKey(key) {
    /** @type {Element | null | undefined} */
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
        /** @type {Element[]} */
        const same = Array.from(childrenOf.call(el)).filter((c) => c.localName === m[1]);
        el = same[m[2] ? Number(m[2]) - 1 : 0];
        if (!el) return null;
      }
    }
    return el && keyOf(el) === key ? el : null;
  }

  // ------------------------------------------------------------ collect

  function candidates() {
    /** @type {Element[]} */
    const found = Array.from(document.querySelectorAll('input, textarea, select'));
    for (const el of document.querySelectorAll('[contenteditable]')) {
      if (kindOf(el) === 'editable') found.push(el);
    }
    return found;
  }

  /** What a field is, as kept with its value: it goes back only into the same kind. @param {Element} el @param {Kind} kind */
  function describe(el, kind) {
    return {
      tag: kind === 'editable' ? 'contenteditable' : el.localName,
      type: el instanceof HTMLInputElement ? el.type : '',
      name: cap(attr(el, 'name'), MAX_NAME_CHARS),
    };
  }

  function collectFields() {
    /** @type {object[]} */
    const fields = [];
    let pathKeyed = 0;
    let chars = 0;
    for (const el of candidates()) {
      if (fields.length >= MAX_FIELDS) break;
      const kind = kindOf(el);
      // Cheap checks first: most fields are as the page loaded them, and the
      // name and autocomplete rules cost more than the value compare (2,000
      // fields took ~45 ms in Firefox). A field that was ever a password is
      // not even read.
      if (!kind || everPassword.has(el)) continue;
      const state = valueOf(el, kind);
      if (!state || refused(el)) continue;
      if (state.value !== undefined) {
        if (hasCardNumber(state.value)) continue;
        state.value = cap(state.value);
        if (chars + state.value.length > MAX_FRAME_CHARS) continue;
        chars += state.value.length;
      }
      if (state.selected && state.selected.some(hasCardNumber)) continue;
      const key = keyOf(el);
      if (key.startsWith('/') && ++pathKeyed > MAX_PATH_KEYED) continue;
      fields.push({
        key,
        ...describe(el, kind),
        id: attr(el, 'id'),
        autocomplete: ownAutocomplete(el),
        formAutocomplete: formAutocomplete(el),
        everPassword: el instanceof HTMLInputElement && everPassword.has(el), // always false here: refused above
        touched: typed.has(el) || restoredTouched.has(el),
        ...state,
      });
    }
    return fields;
  }

  function scrollPosition() {
    return [Math.round(window.scrollX), Math.round(window.scrollY)];
  }

  const flush = guard(() => {
    clearTimeout(debounceTimer);
    clearTimeout(boundTimer);
    clearTimeout(retryTimer);
    debounceTimer = boundTimer = retryTimer = 0;
    const frame = frameKey();
    if (frame === null) return;
    // The background takes tab, frame id and URL from the sender; `url` is informative.
    const state = { url: location.href, scroll: isTop ? scrollPosition() : null, fields: collectFields() };
    const empty = state.fields.length === 0 && (!state.scroll || (state.scroll[0] === 0 && state.scroll[1] === 0));
    const json = JSON.stringify(state);
    // Nothing to say on a page never changed; an emptied page must still clear what was sent.
    if (json === lastSent || (empty && lastSent === null)) return;
    lastSent = json;
    send({ type: 'pageState', frame, state }).then(guard((answer) => {
      if (answer?.ok !== false || !Number.isFinite(answer.retryMs)) {
        retries = 0;
        return;
      }
      // Over the core's report rate (other frames of the tab may be reporting
      // too): send again, no sooner than it asked, backing off while refused;
      // never give up, or the last thing typed could stay unsaved.
      if (lastSent === json) lastSent = UNSENT;
      if (retryTimer) return;
      retries += 1;
      const backoff = RETRY_MS[0] * 2 ** Math.min(retries - 1, 6);
      const wait = Math.min(Math.max(answer.retryMs, backoff), RETRY_MS[1]);
      retryTimer = setTimeout(flush, wait);
    }));
  });

  /** A report of the page's state, soon: typed text and scroll go in the same one. */
  function schedule() {
    if (retryTimer) return; // the pending retry will carry this change
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(flush, DEBOUNCE_MS);
    if (!boundTimer) boundTimer = setTimeout(flush, MAX_WAIT_MS);
  }

  /** The field an event is about: a form control or contenteditable host, or null. @param {EventTarget | null} target @returns {Field | null} */
  function fieldOf(target) {
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
      return target;
    }
    return target instanceof Node ? editableHost(target) : null;
  }

  /** The user's own input: a trusted event while the page has transient user
   *  activation. isTrusted alone is not enough: a page's script can make trusted
   *  input events without any user action (document.execCommand('insertText')). */
  /** @param {Event} event */
  const byUser = (event) => event.isTrusted && (globalThis.navigator?.userActivation?.isActive ?? true);

  // A page's own script can set values and fire events at will; only the user's
  // input schedules a report (which then carries the page's values too).
  const onInput = guard((/** @type {Event} */ event) => {
    const el = fieldOf(event.target);
    if (!el) return;
    notePassword(el);
    if (!byUser(event)) return;
    typed.add(el);
    retries = 0;
    schedule();
  });

  const onFocus = guard((/** @type {Event} */ event) => {
    const el = fieldOf(event.target);
    if (!el) return;
    notePassword(el);
    if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)) {
      rememberEditable(el); // its text before the user types: the "default" of a contenteditable
    }
  });

  const onScroll = guard((/** @type {Event} */ event) => {
    if (event.isTrusted) schedule();
  });

  // A "show password" button turns type=password into text: remember the field was a password.
  const typeWatcher = new MutationObserver(guard((/** @type {MutationRecord[]} */ records) => {
    for (const r of records) {
      if ((r.oldValue ?? '').trim().toLowerCase() === 'password') everPassword.add(r.target);
      else notePassword(r.target);
    }
  }));

  const onLeave = guard(() => {
    if (debounceTimer || retryTimer) flush();
  });

  // Hidden (the user switched tabs or minimised the window): report now. A hidden
  // page's timers are throttled to about once a second, more under load, so
  // the debounce could hold the last words typed well past the promised second.
  const onHidden = guard(() => {
    if (document.visibilityState === 'hidden' && debounceTimer) flush();
  });

  // What the background asks of this page (docs/PROTOCOL.md):
  // - lifeboat.resend: it restarted before it committed what this page last
  //   sent: send it again (the text is still here in the page);
  // - lifeboat.restore: a restore left typed text or scroll for this tab: each
  //   frame asks for its own, once (the offer comes again while any waits).
  const onAsk = guard((/** @type {{ type?: unknown } | null | undefined} */ message) => {
    if (message?.type === 'lifeboat.resend' && lastSent !== null) {
      lastSent = null;
      flush();
    } else if (message?.type === 'lifeboat.restore' && !askedRestore && thisFrame !== null) {
      askedRestore = true;
      // The top frame may have scroll saved; a frame only fields.
      if (isTop || document.querySelector('input, textarea, select, [contenteditable]')) restore(thisFrame).catch(() => {});
    }
  });

  function stop() {
    dead = true;
    api.runtime.onMessage.removeListener(onAsk);
    clearTimeout(debounceTimer);
    clearTimeout(boundTimer);
    clearTimeout(retryTimer);
    document.removeEventListener('input', onInput, true);
    document.removeEventListener('change', onInput, true);
    document.removeEventListener('focusin', onFocus, true);
    window.removeEventListener('scroll', onScroll);
    window.removeEventListener('pagehide', onLeave);
    document.removeEventListener('visibilitychange', onHidden);
    typeWatcher.disconnect();
  }

  // ------------------------------------------------------------ restore

  /** @param {Element} el */
  function fire(el) {
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }

  /** Whether a saved field may go into el: the same tag, type and name as when it was
   *  saved; a field saved before those were kept (no `type` in the answer) goes into
   *  an element whose kind fits its value, as before. */
  /** @param {SavedField} field @param {Element} el @param {Kind} kind */
  function sameKind(field, el, kind) {
    const now = describe(el, kind);
    if (typeof field.type === 'string') {
      return field.tag === now.tag && field.type === now.type && field.name === now.name;
    }
    return field.tag === undefined || field.tag === now.tag;
  }

  /** Fills one saved field if its element is there and untouched. Returns false if the
   *  element is not there (yet), true once the field is dealt with (filled or left alone).
   *  @param {SavedField | null | undefined} field */
  function restoreField(field) {
    if (!field || typeof field.key !== 'string') return true;
    const el = findByKey(field.key);
    if (!el) return false;
    const kind = kindOf(el);
    if (!kind || refused(el) || typed.has(el) || !sameKind(field, el, kind)) return true;
    if (kind === 'text' && typeof field.value === 'string') {
      const input = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (el);
      if (input.value !== input.defaultValue || hasCardNumber(field.value)) return true;
      input.value = cap(field.value);
    } else if (kind === 'check' && typeof field.checked === 'boolean') {
      const input = /** @type {HTMLInputElement} */ (el);
      if (input.checked !== input.defaultChecked) return true;
      if (input.checked === field.checked) return true;
      input.checked = field.checked;
    } else if (kind === 'select' && Array.isArray(field.selected)) {
      const select = /** @type {HTMLSelectElement} */ (el);
      if (!sameOptions(selectedOptions(select), defaultSelected(select))) return true;
      const wanted = new Set(field.selected.filter((v) => typeof v === 'string' && !hasCardNumber(v)));
      const options = Array.from(select.options);
      if (![...wanted].every((v) => options.some((o) => o.value === v))) return false; // options not loaded yet
      if (select.multiple) for (const o of options) o.selected = wanted.has(o.value);
      else select.selectedIndex = wanted.size ? options.findIndex((o) => wanted.has(o.value)) : -1;
    } else if (kind === 'editable' && typeof field.value === 'string') {
      const host = /** @type {HTMLElement} */ (el);
      rememberEditable(host);
      if (editableText(host) !== editableDefaultOf(host) || hasCardNumber(field.value)) return true;
      host.innerText = cap(field.value); // plain text only: never markup into the page
    } else {
      return true; // the saved kind does not fit this element any more
    }
    if (field.touched === true) restoredTouched.add(el);
    fire(el); // the page's handlers see the value; our own listener ignores these (untrusted)
    filled += 1;
    return true;
  }

  /** @param {number} ms */
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** @param {(SavedField | null)[]} fields */
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

  /** @param {unknown} scroll */
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

  /** @param {string} frame */
  async function restore(frame) {
    // `frame` is checked by the core against the sender's frame; `url` is informative.
    const answer = await send({ type: 'pageRestore', frame, url: location.href });
    const state = answer?.state;
    if (!state || typeof state !== 'object' || dead) return;
    await Promise.all([
      Array.isArray(state.fields) ? restoreFields(state.fields) : null,
      restoreScroll(state.scroll),
    ]);
    // The events fired while filling are untrusted and schedule nothing: report the
    // restored state once, so that it is kept again.
    if (filled) schedule();
  }

  // ------------------------------------------------------------ start

  const start = guard(() => {
    thisFrame = frameKey();
    // A frame whose parent is cross-origin cannot say where it sits in the tab:
    // its fields could not be told apart from another frame's. Not collected at all.
    if (thisFrame === null) return;

    document.addEventListener('input', onInput, true);
    document.addEventListener('change', onInput, true);
    document.addEventListener('focusin', onFocus, true);
    window.addEventListener('pagehide', onLeave);
    document.addEventListener('visibilitychange', onHidden);
    // Only the type attribute: no callback ever runs unless a page changes an input's type.
    typeWatcher.observe(document, { subtree: true, attributes: true, attributeFilter: ['type'], attributeOldValue: true });
    if (isTop) window.addEventListener('scroll', onScroll, { passive: true });
    api.runtime.onMessage.addListener(onAsk);

    // Fields present now: passwords noted, contenteditable text taken as its
    // default. The selector engine finds the few that matter: reading every
    // field from here cost ~10 ms on a page of 2,000 fields in Firefox.
    for (const el of document.querySelectorAll('input[type*="password" i]')) notePassword(el);
    for (const el of document.querySelectorAll('[contenteditable]')) {
      if (kindOf(el) === 'editable') rememberEditable(/** @type {HTMLElement} */ (el));
    }
    // What is there already (typed before this script ran, or put back by the
    // browser) is reported once; a page with nothing changed and not scrolled gets
    // no message and no timer. Restored state comes when the background offers it.
    flush();
  });

  start();
})();
