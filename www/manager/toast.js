// @ts-check
// Short messages at the bottom of the manager, optionally with a button (Undo).

import { byId, el, errorText, icon, t } from '../common.js';

/**
 * A short message at the bottom; `action` gives it a button (e.g. Undo).
 * @param {string} message
 * @param {{ action?: { label: string, icon?: string, run: () => void } | null, timeout?: number, kind?: 'info' | 'error' }} [options]
 */
export function toast(message, { action = null, timeout = 5000, kind = 'info' } = {}) {
  const node = el('div', { class: `toast toast-${kind}` });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const close = () => {
    clearTimeout(timer);
    const hadFocus = node.contains(document.activeElement);
    node.remove();
    if (hadFocus) {
      /** @type {HTMLElement} */
      const back = document.querySelector('.browse .item-main[aria-pressed="true"]')
        ?? byId('named-list').querySelector('.item-main') ?? byId('search');
      back.focus();
    }
  };
  node.append(
    kind === 'error' ? icon('warning') : icon('check'),
    el('span', { class: 'toast-text' }, message));
  /** @type {HTMLButtonElement | null} */
  let actionButton = null;
  if (action) {
    actionButton = el('button', { type: 'button', class: 'button button-small toast-action' }, icon(action.icon ?? 'undo'), action.label);
    actionButton.addEventListener('click', () => {
      close();
      action.run();
    });
    node.append(actionButton);
  }
  const dismiss = el('button', { type: 'button', class: 'toast-close', title: t('close'), 'aria-label': t('close') }, icon('close'));
  dismiss.addEventListener('click', close);
  node.append(dismiss);
  node.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    }
  });
  // Keep it while the pointer or focus is on it.
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(close, timeout);
  };
  node.addEventListener('mouseenter', () => clearTimeout(timer));
  node.addEventListener('mouseleave', arm);
  node.addEventListener('focusin', () => clearTimeout(timer));
  node.addEventListener('focusout', (e) => {
    if (!(e.relatedTarget instanceof Node && node.contains(e.relatedTarget))) arm();
  });
  byId('toasts').append(node);
  arm();
  return { node, actionButton, close };
}

/** An error toast: "<what failed> <why>", kept a little longer. @param {string} contextKey @param {unknown} error */
export function errorToast(contextKey, error) {
  return toast(`${t(contextKey)} ${errorText(error)}`, { kind: 'error', timeout: 8000 });
}
