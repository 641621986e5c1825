// @ts-check
// Shared edge helpers for Lifeboat's pages: messaging, i18n, time formatting,
// favicons and a small DOM builder. No session logic lives here: the pages ask
// the background (see docs/PROTOCOL.md) and only render the answers.

/**
 * @typedef {import('./types/pages').Request} Request
 * @typedef {import('./types/pages').ViewTab} ViewTab
 * @typedef {import('./types/pages').PlanTab} PlanTab
 * @typedef {import('./types/pages').PlanWindow} PlanWindow
 * @typedef {import('./types/pages').Plan} Plan
 * @typedef {import('./types/pages').Source} Source
 * @typedef {import('./types/pages').RestoreAnswer} RestoreAnswer
 * @typedef {import('./types/pages').Autosave} Autosave
 * @typedef {import('./types/pages').Message} Message
 * @typedef {import('./types/pages').MessageArg} MessageArg
 * @typedef {Node | string | null | undefined | false} Child what el() appends (null, undefined and false are left out)
 */

import { listRows } from './rows.js';

/** The WebExtension API; undefined when a page is opened outside the extension. */
export const api = /** @type {typeof chrome | undefined} */ (globalThis.browser ?? globalThis.chrome);

// ---------------------------------------------------------------- messaging

/** A failure to show to the user; `message` is a sentence for them. */
export class LifeboatError extends Error {
  /** @param {string} message @param {{ fromBackground?: boolean }} [options] */
  constructor(message, { fromBackground = false } = {}) {
    super(message);
    this.name = 'LifeboatError';
    this.fromBackground = fromBackground;
  }
}

/**
 * Sends one protocol message to the background and resolves to its answer.
 * Rejects with a LifeboatError when there is no answer or the answer is
 * `{ error }`, so callers cannot forget to show failures.
 * @template {Request} R
 * @param {R} message
 * @returns {Promise<import('./types/pages').AnswerTo<R>>}
 */
export async function send(message) {
  if (!api?.runtime?.sendMessage) {
    throw new LifeboatError(t('errNoBackground'));
  }
  /** @type {unknown} */
  let answer;
  try {
    // Answers cross as JSON text (docs/PROTOCOL.md): one string, which the
    // browser copies at once, where it copies an object field by field.
    const text = await api.runtime.sendMessage(message);
    answer = typeof text === 'string' ? JSON.parse(text) : text;
  } catch (e) {
    throw new LifeboatError(t('errNoAnswer', errorText(e)));
  }
  if (answer === null || typeof answer !== 'object') {
    throw new LifeboatError(t('errNoAnswer', t('errEmptyAnswer')));
  }
  if ('error' in answer && answer.error != null) {
    // A failure: its sentence in the UI language where the core names it.
    const failure = /** @type {{ error: unknown, code?: unknown, args?: unknown }} */ (answer);
    const text = typeof failure.code === 'string'
      ? messageText({ text: String(failure.error), key: failure.code, args: /** @type {MessageArg[] | undefined} */ (failure.args) })
      : String(failure.error);
    throw new LifeboatError(text, { fromBackground: true });
  }
  // The background answers each request with its type (docs/PROTOCOL.md).
  return /** @type {import('./types/pages').AnswerTo<R>} */ (answer);
}

// --------------------------------------------------------------------- i18n

// English texts live only in _locales/en/messages.json. The browser's i18n
// normally serves them; when it has nothing (e.g. the page is opened outside
// the extension), initI18n() reads that same file so the UI stays readable.
/** @type {Record<string, MessageEntry> | null} */
let english = null;

export const uiLanguage = (() => {
  try {
    return api?.i18n?.getUILanguage?.() || navigator.language || 'en';
  } catch {
    return navigator.language || 'en';
  }
})();

/** @param {string} key @param {string[]} subs */
function browserMessage(key, subs) {
  try {
    return api?.i18n?.getMessage?.(key, subs) || '';
  } catch {
    return '';
  }
}

export async function initI18n() {
  if (browserMessage('appName', [])) return;
  /** @type {string[]} */
  const candidates = [];
  try {
    if (api?.runtime?.getURL) candidates.push(api.runtime.getURL('_locales/en/messages.json'));
  } catch { /* not in an extension */ }
  candidates.push(new URL('../_locales/en/messages.json', import.meta.url).href);
  candidates.push(new URL('./_locales/en/messages.json', import.meta.url).href);
  for (const url of new Set(candidates)) {
    try {
      const res = await fetch(url);
      if (res.ok) {
        english = await res.json();
        return;
      }
    } catch { /* try the next place */ }
  }
}

/** @typedef {{ message: string, placeholders?: Record<string, { content?: string }> }} MessageEntry one entry of messages.json */

// Chrome's message format: $NAME$ placeholders whose content may be $1..$9.
/** @param {MessageEntry} entry @param {string[]} subs */
function format(entry, subs) {
  /** @param {string} s */
  const fill = (s) => s.replace(/\$(\d)/g, (_, n) => subs[Number(n) - 1] ?? '');
  /** @type {Record<string, string>} */
  const placeholders = {};
  for (const [name, p] of Object.entries(entry.placeholders ?? {})) {
    placeholders[name.toLowerCase()] = fill(String(p.content ?? ''));
  }
  return String(entry.message)
    .replace(/\$([A-Za-z0-9_@]+)\$/g, (m, name) => placeholders[name.toLowerCase()] ?? m)
    .replace(/\$(\d)/g, (_, n) => subs[Number(n) - 1] ?? '')
    .replace(/\$\$/g, '$');
}

/**
 * The text for `key`, with substitutions; the English text if i18n has none.
 * @param {string} key
 * @param {...(string | number)} subs
 */
export function t(key, ...subs) {
  const strs = subs.map(String);
  const fromBrowser = browserMessage(key, strs);
  if (fromBrowser) return fromBrowser;
  const entry = english?.[key];
  return entry ? format(entry, strs) : key;
}

const pluralRules = new Intl.PluralRules(uiLanguage);
const numberFormat = new Intl.NumberFormat(uiLanguage);

/** A number as the browser's UI language writes it ("1,234", "1 234", "1.234"). @param {number} n */
export function formatNumber(n) {
  return numberFormat.format(n);
}

/** Plural text from `${key}_one` / `${key}_other` (and other CLDR categories);
 *  `subs` fill the placeholders after the count.
 * @param {string} key @param {number} count @param {...(string | number)} subs */
export function tn(key, count, ...subs) {
  const n = numberFormat.format(count);
  const category = pluralRules.select(count);
  const text = t(`${key}_${category}`, n, ...subs);
  return text === `${key}_${category}` ? t(`${key}_other`, n, ...subs) : text;
}

/** Fills elements marked data-i18n (text) and data-i18n-title / -label. @param {ParentNode} [root] */
export function localize(root = document) {
  const lang = browserMessage('@@ui_locale', []);
  document.documentElement.lang = (lang || uiLanguage).replace('_', '-');
  const dir = browserMessage('@@bidi_dir', []);
  if (dir) document.documentElement.dir = dir;
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(dataOf(node).i18n ?? '');
  for (const node of root.querySelectorAll('[data-i18n-title]')) {
    if (node instanceof HTMLElement) node.title = t(node.dataset.i18nTitle ?? '');
  }
  for (const node of root.querySelectorAll('[data-i18n-label]')) {
    node.setAttribute('aria-label', t(dataOf(node).i18nLabel ?? ''));
  }
}

// --------------------------------------------------------------------- time

const dateTime = new Intl.DateTimeFormat(uiLanguage, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(uiLanguage, { dateStyle: 'full', timeStyle: 'medium' });

/** @param {number} ms @param {{ seconds?: boolean }} [options] */
export function formatDateTime(ms, { seconds = false } = {}) {
  return (seconds ? dateTimeSeconds : dateTime).format(new Date(ms));
}

const relative = new Intl.RelativeTimeFormat(uiLanguage, { numeric: 'always', style: 'long' });

/** "12 seconds ago", "5 minutes ago", "3 hours ago", "2 days ago". @param {number} ms @param {number} [now] */
export function formatAgo(ms, now = Date.now()) {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return relative.format(-s, 'second');
  const m = Math.round(s / 60);
  if (m < 60) return relative.format(-m, 'minute');
  const h = Math.round(s / 3600);
  if (h < 48) return relative.format(-h, 'hour');
  return relative.format(-Math.round(s / 86400), 'day');
}

/**
 * A <time> element that shows formatAgo(ms) (optionally inside a message)
 * and keeps itself current; see tickTimes().
 * @param {number} ms
 * @param {string | null} [key]
 */
export function agoElement(ms, key = null) {
  const node = el('time', { datetime: new Date(ms).toISOString(), title: formatDateTime(ms, { seconds: true }) });
  node.dataset.ago = String(ms);
  if (key) node.dataset.agoKey = key;
  renderAgo(node);
  return node;
}

/** @param {HTMLElement} node */
function renderAgo(node) {
  const ago = formatAgo(Number(node.dataset.ago));
  node.textContent = node.dataset.agoKey ? t(node.dataset.agoKey, ago) : ago;
}

/** Refreshes every agoElement on the page every `intervalMs`. @param {number} intervalMs */
export function tickTimes(intervalMs) {
  return setInterval(() => {
    for (const node of document.querySelectorAll('time[data-ago]')) if (node instanceof HTMLElement) renderAgo(node);
  }, intervalMs);
}

// -------------------------------------------------------------------- DOM

/**
 * el('p', { class: 'x', hidden: true }, 'text', child). An attribute that is
 * false, null or undefined is left out; a non-string value for a property of
 * the element (checked, disabled, value) sets the property.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name === 'class') node.className = String(value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name in node && typeof value !== 'string') /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (node))[name] = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((c) => c != null && c !== false));
  return node;
}

/** The dataset of an element (empty for a non-HTML one). @param {Element | null | undefined} node @returns {DOMStringMap} */
export function dataOf(node) {
  return node instanceof HTMLElement ? node.dataset : {};
}

/**
 * The page's element with this id and class (default HTMLElement); throws
 * when there is none, since the page's HTML and script then disagree.
 * @template {Element} [T=HTMLElement]
 * @param {string} id
 * @param {{ new (): T, prototype: T }} [type]
 * @returns {T}
 */
export function byId(id, type) {
  const node = document.getElementById(id);
  const want = type ?? /** @type {{ new (): T, prototype: T }} */ (/** @type {unknown} */ (HTMLElement));
  if (!(node instanceof want)) throw new Error(`This page has no ${want.name} #${id}`);
  return node;
}

/** An error's text for the user. @param {unknown} error */
export function errorText(error) {
  return error instanceof Error ? error.message : String(/** @type {{ message?: unknown }} */ (error)?.message ?? error);
}

/** A warning icon with the title for `contextKey` and the error's text. @param {string} contextKey @param {unknown} error */
export function errorBox(contextKey, error) {
  return [icon('warning'), el('div', {}, el('p', { class: 'alert-title' }, t(contextKey)), el('p', {}, errorText(error)))];
}

/** @type {Record<string, string>} */
const ICONS = {
  pin: 'M9.5 2h5l-.9 5.2 3.4 3.3v1.5h-4.2V19L12 21l-.8-2v-7H7V10.5l3.4-3.3z',
  warning: 'M12 3 1.5 21h21zm-1 6h2v6h-2zm0 8h2v2h-2z',
  keyboard: 'M3 6h18a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1zm2 3v2h2V9zm4 0v2h2V9zm4 0v2h2V9zm4 0v2h2V9zM7 14v2h10v-2z',
  check: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z',
  block: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM4 12a8 8 0 0 1 12.9-6.3L5.7 16.9A8 8 0 0 1 4 12zm8 8a8 8 0 0 1-4.9-1.7L18.3 7.1A8 8 0 0 1 12 20z',
  info: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1 5h2v2h-2zm0 4h2v6h-2z',
  container: 'M4 4h16v5H4zm0 7h16v9H4zm5 2v2h6v-2z',
  search: 'M15.5 14h-.79l-.28-.27A6.47 6.47 0 0 0 16 9.5 6.5 6.5 0 1 0 9.5 16c1.61 0 3.09-.59 4.23-1.57l.27.28v.79l5 4.99L20.49 19zm-6 0C7.01 14 5 11.99 5 9.5S7.01 5 9.5 5 14 7.01 14 9.5 11.99 14 9.5 14z',
  trash: 'M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6zM19 4h-3.5l-1-1h-5l-1 1H5v2h14z',
  edit: 'M3 17.25V21h3.75L17.81 9.94l-3.75-3.75zM20.71 7.04a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75z',
  tag: 'M21.41 11.58l-9-9A2 2 0 0 0 11 2H4a2 2 0 0 0-2 2v7c0 .55.22 1.05.59 1.42l9 9c.36.36.86.58 1.41.58s1.05-.22 1.41-.59l7-7c.37-.36.59-.86.59-1.41s-.23-1.06-.59-1.42zM5.5 7A1.5 1.5 0 1 1 7 5.5 1.5 1.5 0 0 1 5.5 7z',
  upload: 'M9 16h6v-6h4l-7-7-7 7h4zm-4 2h14v2H5z',
  download: 'M19 9h-4V3H9v6H5l7 7 7-7zM5 18v2h14v-2z',
  openNew: 'M19 19H5V5h7V3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14c1.1 0 2-.9 2-2v-7h-2zM14 3v2h3.59l-9.83 9.83 1.41 1.41L19 6.41V10h2V3z',
  tab: 'M21 3H3a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h18a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm0 16H3V5h10v4h8z',
  swap: 'M6.99 11 3 15l3.99 4v-3H14v-2H6.99zM21 9l-3.99-4v3H10v2h7.01v3z',
  overwrite: 'M17.65 6.35A7.96 7.96 0 0 0 12 4a8 8 0 1 0 7.73 10h-2.08A6 6 0 1 1 12 6c1.66 0 3.14.69 4.22 1.78L13 11h7V4z',
  undo: 'M12.5 8c-2.65 0-5.05.99-6.9 2.6L2 7v9h9l-3.62-3.62A7.96 7.96 0 0 1 12.5 10c3.54 0 6.55 2.31 7.6 5.5l2.37-.78C21.08 10.53 17.15 8 12.5 8z',
  close: 'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z',
  save: 'M17 3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14c1.1 0 2-.9 2-2V7zm-5 16a3 3 0 1 1 0-6 3 3 0 0 1 0 6zm3-10H5V5h10z',
  chevron: 'M8.59 16.59 13.17 12 8.59 7.41 10 6l6 6-6 6z',
};

/** A decorative inline SVG icon (aria-hidden). @param {string} name */
export function icon(name) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon icon-${name}`);
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', ICONS[name] ?? '');
  path.setAttribute('fill', 'currentColor');
  if (name === 'warning' || name === 'keyboard' || name === 'container') path.setAttribute('fill-rule', 'evenodd');
  svg.append(path);
  return svg;
}

// ---------------------------------------------------------------- favicons

const browserFavicons = (() => {
  try {
    return (api?.runtime?.getManifest?.().permissions ?? []).includes('favicon');
  } catch {
    return false;
  }
})();

/** @param {unknown} url */
function hostOf(url) {
  try {
    return new URL(String(url)).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/** @param {unknown} url @param {unknown} title */
function placeholder(url, title) {
  const source = hostOf(url) || String(title ?? '').trim() || String(url ?? '');
  const letter = (source.match(/[\p{L}\p{N}]/u)?.[0] ?? '?').toLocaleUpperCase(uiLanguage);
  return el('span', { class: 'favicon favicon-placeholder', 'aria-hidden': 'true' }, letter);
}

/**
 * The favicon for a tab without any network request: a data: icon, else the
 * browser's own favicon cache (Chrome, with the "favicon" permission), else a
 * letter placeholder.
 * @param {string} url
 * @param {string | null | undefined} favIconUrl
 * @param {string | null | undefined} title
 */
export function favicon(url, favIconUrl, title) {
  /** @type {string | null} */
  let src = null;
  /** @type {string | null} */
  let srcset = null;
  if (typeof favIconUrl === 'string' && favIconUrl.startsWith('data:')) {
    src = favIconUrl;
  } else if (api && browserFavicons && /^(https?|file|ftp):/i.test(String(url))) {
    const runtime = api.runtime;
    /** @param {number} size */
    const cached = (size) => runtime.getURL(`/_favicon/?pageUrl=${encodeURIComponent(url)}&size=${size}`);
    src = cached(16);
    srcset = `${src} 1x, ${cached(32)} 2x`;
  }
  if (!src) return placeholder(url, title);
  const img = el('img', { class: 'favicon', alt: '', width: 16, height: 16, src, srcset, decoding: 'async' });
  img.addEventListener('error', () => img.replaceWith(placeholder(url, title)), { once: true });
  return img;
}

// ------------------------------------------------------------- shared bits

/**
 * "3 earlier pages in this tab", folded: the pages a tab of `source` went
 * through before its current one (`tab.history` of a `plan` answer, newest
 * first), each a button that opens it in a new tab (`openVisit`). No
 * extension API can rebuild a tab's back history; this is what it can do.
 * Null when the tab has none.
 * @param {string | null} source
 * @param {PlanTab} tab
 * @param {number} windowIndex
 * @param {number} tabIndex
 * @param {(error: unknown) => void} onError
 */
export function earlierPages(source, tab, windowIndex, tabIndex, onError) {
  const visits = tab.history ?? [];
  if (!visits.length || !source) return null;
  const items = visits.map((v) => {
    const title = String(v.title ?? '').trim() || String(v.url ?? '');
    const when = v.at != null && Number.isFinite(v.at) ? formatDateTime(v.at) : '';
    const open = el('button', {
      type: 'button', class: 'link-button visit-open', disabled: !v.openable,
      title: String(v.url ?? ''), 'aria-label': t('openEarlierPage', title),
    }, title);
    open.addEventListener('click', () => {
      send({ type: 'openVisit', source, window: windowIndex, tab: tabIndex, visit: v.index }).catch(onError);
    });
    return el('li', { class: 'visit', dataset: { url: String(v.url ?? '') } },
      open, when ? el('span', { class: 'visit-when' }, when) : null);
  });
  return el('details', { class: 'tab-history' },
    el('summary', {}, tn('nEarlierPages', visits.length)),
    el('ol', { class: 'visits' }, items));
}

/** "2 windows · 11 tabs" @param {number} windows @param {number} tabs */
export function countsText(windows, tabs) {
  return t('countsJoin', tn('nWindows', windows), tn('nTabs', tabs));
}

/** "Opened 2 windows with 9 tabs." (or "Nothing was opened.") for a `restore` answer. @param {RestoreAnswer} answer */
export function restoreDoneText(answer) {
  const windows = Number(answer?.windows) || 0;
  const tabs = Number(answer?.tabs) || 0;
  if (!windows && !tabs) return t('restoreNothing');
  // Tabs added to windows that were already open: no window count to speak of.
  return windows ? t('restoreDone', tn('nWindows', windows), tn('nTabs', tabs)) : t('restoreDoneTabs', tn('nTabs', tabs));
}

/**
 * Fills `box` with the "Autosave is not working since …: problem" alert, or
 * hides it when autosave works (or the answer does not say).
 * @param {HTMLElement} box
 * @param {Autosave | undefined} autosave
 */
export function renderAutosave(box, autosave) {
  box.replaceChildren();
  if (!autosave || autosave.ok !== false) {
    box.hidden = true;
    return;
  }
  const problem = autosave.problem ? messageText(autosave.problem) : t('autosaveUnknownProblem');
  const text = autosave.since != null
    ? t('autosaveBrokenSince', `${formatDateTime(autosave.since)} (${formatAgo(autosave.since)})`, problem)
    : t('autosaveBroken', problem);
  box.append(icon('warning'), el('div', {}, el('p', { class: 'alert-title' }, text), el('p', {}, t('autosaveHint'))));
  box.hidden = false;
}

/**
 * A sentence of the core's in the UI language: its `key` message with its
 * arguments (themselves translated when they are sentences), else its
 * English `text`. Plain strings (older answers) are shown as they are.
 * @param {MessageArg | null | undefined} message
 * @returns {string}
 */
export function messageText(message) {
  if (message == null) return '';
  if (typeof message !== 'object') return String(message);
  const key = String(message.key ?? '');
  const args = (message.args ?? []).map(messageText);
  // A plural family (`nTabs`, as message::is_plural_key): the count first.
  const plural = /^n[A-Z]/.test(key) && /^\d+$/.test(args[0] ?? '');
  const text = !key ? '' : plural ? tn(key, Number(args[0]), ...args.slice(1)) : t(key, ...args);
  return text && text !== key && text !== `${key}_other` ? text : String(message.text ?? '');
}

/** A listed session's name: its message where the core names one (its
 *  `label` is English), else the label (a named save's own name).
 * @param {{ label?: string | null, labelKey?: string | null } | null | undefined} source */
export function sourceLabel(source) {
  const key = source?.labelKey;
  const text = key ? t(key) : '';
  return text && text !== key ? text : String(source?.label ?? '');
}

// ------------------------------------------------- windows and tabs (shared)
// One view of a session's windows and tabs for the restore page, the manager
// and the import preview: a window is section.window (header, ol.tabs), a tab
// li.tab (optional checkbox, favicon, title, URL, badges). Each page adds its
// own controls through the options. A long session's lists are windowed
// (rows.js): a page makes its rows from its own state, one at a time.

export const GROUP_COLOURS = new Set(['grey', 'blue', 'red', 'yellow', 'green', 'pink', 'purple', 'cyan', 'orange']);
export const CONTAINER_COLOURS = new Set(['blue', 'turquoise', 'green', 'yellow', 'orange', 'red', 'pink', 'purple', 'toolbar']);

/** @param {string} cls @param {...Child} content */
export function badge(cls, ...content) {
  return el('span', { class: `badge ${cls}` }, ...content);
}

/** "example.org/path?q" for a web address; anything else as it is. @param {string | null | undefined} url */
export function displayUrl(url) {
  try {
    const u = new URL(String(url));
    if (u.protocol === 'http:' || u.protocol === 'https:') {
      return `${u.host.replace(/^www\./, '')}${u.pathname === '/' ? '' : u.pathname}${u.search}`;
    }
  } catch { /* shown as it is */ }
  return String(url ?? '');
}

/** The badges of a tab of a `plan` answer (pinned, group, container, typed text, status). @param {ViewTab} tab */
export function tabBadges(tab) {
  const status = tab.status ?? 'restore';
  /** @type {HTMLElement[]} */
  const badges = [];
  if (tab.pinned) badges.push(badge('badge-pinned', icon('pin'), el('span', { class: 'badge-text' }, t('badgePinned'))));
  if (tab.group) {
    const colour = GROUP_COLOURS.has(tab.group.color) ? tab.group.color : 'grey';
    const name = String(tab.group.title ?? '').trim();
    badges.push(el('span', {
      class: `badge badge-group group-${colour}${name ? '' : ' is-unnamed'}`, title: t('groupTitle'), dataset: { color: colour },
    }, name || t('groupUnnamed')));
  }
  if (tab.container) {
    const colour = tab.container.color && CONTAINER_COLOURS.has(tab.container.color) ? tab.container.color : 'toolbar';
    // A file may give only the container's id, and a browser without containers cannot name it.
    const name = String(tab.container.name ?? '').trim() || t('containerTitle');
    badges.push(el('span', {
      class: `badge badge-container container-${colour}${tab.container.missing ? ' is-missing' : ''}`,
      title: tab.container.missing ? t('containerMissing', name) : t('containerTitle'),
      dataset: { color: colour },
    }, icon('container'), name));
  }
  if (tab.typedFields && tab.typedFields > 0) badges.push(badge('badge-typed', icon('keyboard'), tn('nTypedFields', tab.typedFields)));
  if (status === 'already_open') badges.push(badge('badge-open', icon('check'), t('badgeAlreadyOpen')));
  if (status === 'blocked') badges.push(el('span', { class: 'badge badge-blocked', title: messageText(tab.reason) }, icon('block'), t('badgeBlocked')));
  return badges;
}

/**
 * One tab: li.tab with data-window, data-index, data-status, data-url.
 * `check`: { id, checked, disabled, dataset } puts a checkbox (.tab-check)
 * with the favicon and text in a label; `shortUrl` shows displayUrl();
 * `badges` (default tabBadges) and `after` (controls, notes) follow.
 * @param {ViewTab} tab
 * @param {number} w
 * @param {number} i
 * @param {{ check?: { id: string, checked?: boolean, disabled?: boolean, dataset?: Record<string, string> } | null,
 *   shortUrl?: boolean, badges?: HTMLElement[], after?: Child[], title?: string | null }} [options]
 */
export function tabItem(tab, w, i, { check = null, shortUrl = false, badges = tabBadges(tab), after = [], title: rowTitle = null } = {}) {
  const status = tab.status ?? 'restore';
  const title = String(tab.title ?? '').trim() || String(tab.url ?? '') || t('untitled');
  const url = String(tab.url ?? '');
  const urlId = check ? `${check.id}-url` : null;
  const text = el('span', { class: 'tab-text' },
    el('span', { class: 'tab-title', title }, title),
    el('span', { class: 'tab-url', id: urlId, title: url }, shortUrl ? displayUrl(url) : url));
  let main;
  if (check) {
    const box = el('input', {
      type: 'checkbox', id: check.id, class: 'tab-check', checked: !!check.checked, disabled: !!check.disabled,
      'aria-describedby': urlId, dataset: check.dataset ?? {},
    });
    main = [el('label', { class: 'tab-main', for: check.id }, box, favicon(tab.url, tab.favIconUrl, tab.title), text)];
  } else {
    main = [favicon(tab.url, tab.favIconUrl, tab.title), text];
  }
  const groupColour = tab.group ? (GROUP_COLOURS.has(tab.group.color) ? tab.group.color : 'grey') : null;
  return el('li', {
    class: `tab status-${status}${tab.active ? ' is-active' : ''}${groupColour ? ` in-group group-${groupColour}` : ''}`,
    dataset: { window: String(w), index: String(i), status, url },
    title: rowTitle,
  },
  main,
  badges.length ? el('span', { class: 'badges' }, badges) : null,
  after);
}

/**
 * One window: section.window[data-index] with its header (name "Window n",
 * optionally a checkbox .window-check in a label, `meta` spans, `tools`) and
 * ol.tabs holding `tabs` (li nodes; none yet when they are added later), or
 * `rows`: `count` rows that `row(i)` makes, listed by rows.js (windowed when
 * `windowed`: only the rows near the viewport on the page).
 * `idPrefix` keeps ids unique when a page shows several lists.
 * @param {{ state?: string } | null | undefined} win
 * @param {number} w
 * @param {{ idPrefix?: string, check?: { checked?: boolean, disabled?: boolean, dataset?: Record<string, string> } | null,
 *   meta?: Child[], tools?: Child, tabs?: Child[], name?: string | null, attrs?: Record<string, unknown>,
 *   rows?: { count: number, row: (i: number) => HTMLElement, windowed: boolean, key: string } | null }} [options]
 */
export function windowItem(win, w, { idPrefix = 'window', check = null, meta = [], tools = null, tabs = [], name = null, attrs = {}, rows = null } = {}) {
  const id = `${idPrefix}-${w}`;
  const label = el('span', { class: 'window-name', id: `${id}-name` }, name ?? t('windowLabel', formatNumber(w + 1)));
  const head = check
    ? el('label', { class: 'window-label', for: id },
      el('input', { type: 'checkbox', id, class: 'window-check', checked: !!check.checked, disabled: !!check.disabled, dataset: check.dataset ?? { window: String(w) } }),
      label)
    : label;
  const list = el('ol', { class: 'tabs' }, tabs);
  if (rows) listRows(list, rows.count, rows.row, { windowed: rows.windowed, key: rows.key });
  return el('section', {
    class: 'window', dataset: { index: String(w), state: String(win?.state ?? '') }, 'aria-labelledby': `${id}-name`, ...attrs,
  },
  el('header', { class: 'window-head' }, head, el('span', { class: 'window-meta' }, meta), tools),
  list);
}

/** "Maximized" etc. for a window state ('' for none). @param {string | null | undefined} state */
export function windowStateText(state) {
  const key = `windowState_${state}`;
  return t(key) === key ? String(state ?? '') : t(key);
}

/** Tabs with status `restore` (what a restore opens). @param {ViewTab[]} tabs */
export function restorableCount(tabs) {
  return tabs.filter((tab) => (tab.status ?? 'restore') === 'restore').length;
}

/** The plan's notices in the UI language, the source's own first (once). @param {Plan} plan @param {Source | null | undefined} source */
export function planNotices(plan, source) {
  const notices = (plan.notices ?? []).map(messageText);
  const own = source?.notice ? messageText(source.notice) : '';
  if (own && !notices.includes(own)) notices.unshift(own);
  return notices;
}

/** "3 of 12 tabs ticked" / "Nothing is ticked". @param {number} ticked @param {number} total */
export function selectionText(ticked, total) {
  return ticked === 0 ? t('selectionNone') : t('selectionCount', formatNumber(ticked), formatNumber(total));
}

/** A checkbox standing for `total` boxes of which `on` are ticked: ticked, partly (indeterminate) or not. */
/** @param {HTMLInputElement} box @param {number} on @param {number} total */
export function setTriState(box, on, total) {
  box.checked = total > 0 && on === total;
  box.indeterminate = on > 0 && on < total;
}

/** A <time> showing the date and time (the seconds in its tooltip). @param {number | null | undefined} ms */
export function timeElement(ms) {
  return ms == null ? null : el('time', { datetime: new Date(ms).toISOString(), title: formatDateTime(ms, { seconds: true }) }, formatDateTime(ms));
}

/** A named save's name, or "Untitled". @param {{ name?: string | null } | null | undefined} save */
export function saveName(save) {
  return String(save?.name ?? '').trim() || t('untitled');
}

/**
 * What a `restore` did, for a result box: "Opened 2 windows with 9 tabs.",
 * then the tabs it skipped (li[data-url], with the reason) and its notices.
 * @param {RestoreAnswer} answer
 */
export function restoreResultNodes(answer) {
  /** @type {HTMLElement[]} */
  const nodes = [el('p', { class: 'result-title' }, icon('check'), el('span', {}, restoreDoneText(answer)))];
  const skipped = answer.skipped ?? [];
  if (skipped.length) {
    nodes.push(el('p', { class: 'result-subtitle' }, t('skippedHeading')),
      el('ul', { class: 'skipped' }, skipped.map((s) => el('li', { dataset: { url: String(s.url ?? '') } },
        el('span', { class: 'skipped-url' }, String(s.url ?? '')), ' — ',
        el('span', { class: 'skipped-reason' }, messageText(s.reason))))));
  }
  const notices = answer.notices ?? [];
  if (notices.length) nodes.push(el('ul', { class: 'result-notices' }, notices.map((n) => el('li', {}, messageText(n)))));
  return nodes;
}
