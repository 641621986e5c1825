// @ts-check
// What the detail's tools do to a named save: rename, tags, overwrite with the
// current session, delete (with Undo). Each changes `state`, then asks for the
// render of what changed.

import { byId, el, errorBox, icon, saveName, send, t } from '../common.js';
import { loadNamed } from './lists.js';
import { actions, render, saveById, state } from './state.js';
import { errorToast, toast } from './toast.js';

/** @typedef {import('../types/pages').NamedSave} NamedSave */

/** @param {boolean} busy */
export function setBusy(busy) {
  state.busy = busy;
  document.body.classList.toggle('is-busy', busy);
}

/** @param {NamedSave | undefined} save */
function replaceSave(save) {
  if (!save?.id) return;
  const i = state.saves.findIndex((s) => s.id === save.id);
  if (i >= 0) state.saves[i] = save;
  else state.saves.unshift(save);
}

/** @param {string} id @param {string} name */
export async function rename(id, name) {
  if (state.busy) return;
  setBusy(true);
  try {
    const answer = await send({ type: 'named.rename', id, name: name.trim() });
    replaceSave(answer.save);
    state.edit = null;
    state.focusKey = 'rename';
    toast(t('renamed', saveName(answer.save ?? saveById(id))));
  } catch (error) {
    state.focusKey = 'rename-input';
    errorToast('errRename', error);
  } finally {
    setBusy(false);
    render('named', 'marks', 'detail');
  }
}

/** "a, b, A" → ["a", "b"]: trimmed, empty ones and repeats (any case) left out. @param {string} text */
function parseTags(text) {
  const seen = new Set();
  const tags = [];
  for (const raw of text.split(',')) {
    const tag = raw.trim();
    if (tag && !seen.has(tag.toLocaleLowerCase())) {
      seen.add(tag.toLocaleLowerCase());
      tags.push(tag);
    }
  }
  return tags;
}

/** @param {string} id @param {string} text */
export async function setTags(id, text) {
  if (state.busy) return;
  setBusy(true);
  try {
    const answer = await send({ type: 'named.tags', id, tags: parseTags(text) });
    replaceSave(answer.save);
    state.edit = null;
    state.focusKey = 'tags';
  } catch (error) {
    state.focusKey = 'tags-input';
    errorToast('errTags', error);
  } finally {
    setBusy(false);
    render('named', 'marks', 'detail');
  }
}

/** @param {string} id */
export async function overwrite(id) {
  if (state.busy) return;
  state.confirm = null;
  setBusy(true);
  render('detail');
  try {
    const answer = await send({ type: 'named.overwrite', id });
    replaceSave(answer.save);
    state.result = { kind: 'success', nodes: [el('p', { class: 'result-title' }, icon('check'),
      el('span', {}, t('overwritten', saveName(answer.save ?? saveById(id)))))] };
  } catch (error) {
    state.result = { kind: 'error', nodes: errorBox('errOverwrite', error) };
  } finally {
    setBusy(false);
    state.focusKey = 'overwrite';
    render('named', 'marks', 'detail');
  }
  if (state.selected === id) actions.reloadPlan();
}

/** @param {string} id */
export async function remove(id) {
  if (state.busy) return;
  const name = saveName(saveById(id));
  setBusy(true);
  try {
    await send({ type: 'named.delete', id });
  } catch (error) {
    setBusy(false);
    state.result = { kind: 'error', nodes: errorBox('errDelete', error) };
    state.focusKey = 'delete';
    render('detail');
    return;
  }
  setBusy(false);
  const index = state.saves.findIndex((s) => s.id === id);
  state.saves = state.saves.filter((s) => s.id !== id);
  state.checked.delete(id);
  const next = state.saves[Math.min(index, state.saves.length - 1)] ?? null;
  state.selected = null;
  render('named', 'export');
  if (next) actions.select(next.id);
  else {
    history.replaceState(null, '', location.pathname + location.search);
    render('detail');
  }
  const shown = toast(t('deleted', name), {
    timeout: 10_000,
    action: { label: t('undo'), icon: 'undo', run: () => undelete(id) },
  });
  shown.actionButton?.focus();
  loadNamed().catch(() => {});
}

/** @param {string} id */
async function undelete(id) {
  try {
    await send({ type: 'named.undelete', id });
    await loadNamed();
    render('export');
    actions.select(id);
    /** @type {HTMLElement | null} */ (byId('named-list').querySelector(`li[data-id="${CSS.escape(id)}"] .item-main`))?.focus();
  } catch (error) {
    errorToast('errUndelete', error);
  }
}
