// @ts-check
// Small helpers of the manager's sections that hold no state.

import { byId, el, errorBox, t } from '../common.js';

/** "Named save", "Autosave", … ('' for a kind without a name). @param {string | undefined} kind */
export function kindText(kind) {
  const key = `kind_${kind}`;
  const text = t(key);
  return text === key ? '' : text;
}

/** The error alert at the top of the page (the lists failed to load). @param {string} contextKey @param {unknown} error */
export function showPageError(contextKey, error) {
  const box = byId('page-error');
  box.replaceChildren(...errorBox(contextKey, error));
  box.hidden = false;
}

/**
 * Offers `text` as a file download: a Blob and an <a download>, no permission needed.
 * @param {string} fileName @param {string | null | undefined} mime @param {string} text
 */
export function download(fileName, mime, text) {
  const blob = new Blob([text], { type: mime || 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "2026-12-06" in local time, for file names. @param {number} [ms] */
export function localDate(ms = Date.now()) {
  const d = new Date(ms);
  /** @param {number} n */
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A card's status line (working, ok, error); hidden when empty. @param {HTMLElement} node @param {string} kind @param {...(Node | string)} content */
export function setStatus(node, kind, ...content) {
  node.className = `card-status is-${kind}`;
  node.replaceChildren(...content);
  node.hidden = content.length === 0;
}
