// @ts-check
// The right-hand side: one source (named save, autosave, earlier session) with
// its windows and tabs, the ways to open them, and a named save's tools.
// Everything here renders from `state` in renderDetail(); the handlers change
// `state` and ask for renders.

import {
  agoElement, byId, countsText, dataOf, earlierPages, el, errorBox, formatDateTime, formatNumber, icon, messageText, planNotices,
  restorableCount, restoreResultNodes, saveName, send, t, tabItem, tn, windowItem, windowStateText,
} from '../common.js';
import { WINDOWED_FROM, revealRow, showRows } from '../rows.js';
import { loadLists } from './lists.js';
import { overwrite, remove, rename, setBusy, setTags } from './saves.js';
import { actions, isNamed, onRender, render, saveById, sourceById, sourceTitle, state, titleOf } from './state.js';
import { errorToast } from './toast.js';
import { kindText } from './util.js';

/**
 * @typedef {import('../types/pages').NamedSave} NamedSave
 * @typedef {import('../types/pages').Source} Source
 * @typedef {import('../types/pages').Plan} Plan
 * @typedef {import('../types/pages').PlanTab} PlanTab
 * @typedef {import('../types/pages').PlanWindow} PlanWindow
 * @typedef {import('../types/pages').Selection} Selection
 * @typedef {import('../types/pages').RestoreMode} RestoreMode
 * @typedef {import('./state.js').SelectOptions} SelectOptions
 */

const detail = byId('detail');
/** The row last pointed at (a search result): highlighted again when it is rendered anew. @type {{ window: number, tab: number } | null} */
let highlighted = null;

// ------------------------------------------------------------------ select

/** @param {string} id @param {SelectOptions} [options] */
function selectSource(id, { highlight = null, edit = null, focus = null } = {}) {
  if (!id) return;
  const same = id === state.selected;
  state.highlight = highlight;
  if (!same) {
    state.selected = id;
    highlighted = null;
    state.plan = null;
    state.planFor = null;
    state.planError = null;
    state.result = null;
    state.confirm = null;
    state.duplicates = false;
  }
  state.edit = edit && isNamed(id) ? edit : same ? state.edit : null;
  state.focusKey = focus ?? (state.edit && edit ? `${edit}-input` : null);
  history.replaceState(null, '', `#select=${encodeURIComponent(id)}`);
  render('marks', 'detail');
  if (!same || !state.plan) loadPlan();
  else showHighlight();
}
actions.select = selectSource;

/** @param {{ quiet?: boolean }} [options] quiet: keep the plan on show while asking */
async function loadPlan({ quiet = false } = {}) {
  const id = state.selected;
  if (!id) return;
  const request = ++state.planRequest;
  if (!quiet) {
    state.planError = null;
    render('detail');
  }
  try {
    const asked = performance.now();
    const plan = await send({ type: 'plan', source: id });
    if (request !== state.planRequest) return;
    performance.measure('lifeboat-plan-request', { start: asked, end: performance.now() });
    state.plan = plan;
    state.planFor = id;
    state.planError = null;
  } catch (error) {
    if (request !== state.planRequest) return;
    if (!quiet) {
      state.plan = null;
      state.planFor = null;
    }
    state.planError = error;
  }
  render('detail');
  showHighlight();
}
actions.reloadPlan = () => loadPlan({ quiet: true });

function showHighlight() {
  if (!state.highlight) return;
  const { window: w, tab } = state.highlight;
  state.highlight = null;
  const ol = detail.querySelector(`section.window[data-index="${w}"] ol.tabs`);
  if (!(ol instanceof HTMLElement)) return;
  // A long plan's row may not be on the page yet: revealRow renders it first.
  const row = revealRow(ol, tab, { behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
  if (!row) return;
  for (const old of detail.querySelectorAll('.tab.is-highlighted')) old.classList.remove('is-highlighted');
  row.classList.add('is-highlighted');
  highlighted = { window: w, tab };
}

// ------------------------------------------------------------------ render

/** @param {PlanTab} tab @param {number} w @param {number} i */
function tabRow(tab, w, i) {
  const status = tab.status ?? 'restore';
  const title = String(tab.title ?? '').trim() || String(tab.url ?? '') || t('untitled');
  const open = el('button', {
    type: 'button', class: 'button button-small button-quiet open-tab',
    disabled: state.busy || status === 'blocked',
    title: status === 'blocked' ? (tab.reason ? messageText(tab.reason) : t('badgeBlocked')) : status === 'already_open' ? t('openTabAgainTitle') : t('openTabTitle'),
    'aria-label': t('openTabLabel', title),
    dataset: { key: `tab-${w}-${i}`, window: String(w), tab: String(i), status },
  }, icon('openNew'), el('span', {}, t('openTab')));
  const row = tabItem(tab, w, i, {
    shortUrl: true,
    after: [open, earlierPages(state.planFor, tab, w, i, (e) => errorToast('errOpenEarlierPage', e))],
  });
  if (highlighted?.window === w && highlighted.tab === i) row.classList.add('is-highlighted');
  return row;
}

/** @param {PlanWindow} win @param {number} w @param {boolean} windowed */
function windowSection(win, w, windowed) {
  const tabs = win.tabs ?? [];
  const restorable = restorableCount(tabs);
  const openWindow = el('button', {
    type: 'button', class: 'button button-small open-window',
    disabled: state.busy || (restorable === 0 && !state.duplicates),
    title: restorable === 0 && !state.duplicates ? t('noRestorable') : t('openWindowTitle'),
    'aria-label': t('openWindowLabel', formatNumber(w + 1)),
    dataset: { key: `window-${w}`, window: String(w) },
  }, icon('openNew'), el('span', {}, t('openWindow')));
  return windowItem(win, w, {
    meta: [
      win.state && win.state !== 'normal' ? el('span', {}, windowStateText(win.state)) : null,
      el('span', {}, tn('nTabs', tabs.length)),
      restorable < tabs.length ? el('span', {}, t('nToOpen', formatNumber(restorable))) : null,
    ],
    tools: openWindow,
    rows: { count: tabs.length, row: (i) => tabRow(tabs[i], w, i), windowed, key: 'detail' },
  });
}

/** @param {string} id @param {NamedSave | null} save @param {Source | null | undefined} source */
function detailHead(id, save, source) {
  const title = save ? saveName(save) : sourceTitle(source) || titleOf(id);
  const kind = save ? 'named' : source?.kind;
  const windows = save ? save.windows : source?.windows;
  const tabs = save ? save.tabs : source?.tabs;
  const when = save ? (save.updatedAt ?? save.createdAt) : source?.takenAt;

  const heading = [];
  heading.push(el('p', { class: 'detail-kind' }, kindText(kind) || '\u00a0'));
  if (save && state.edit === 'rename') {
    heading.push(renameForm(save));
  } else {
    heading.push(el('h2', { id: 'detail-title', class: 'detail-title', tabindex: '-1' }, title));
  }
  /** @type {(Node | string | null)[]} */
  const meta = [];
  if (when != null) {
    meta.push(t(save ? 'savedWhen' : 'takenWhen', formatDateTime(when)), ' · ', agoElement(when));
  }
  if (windows != null) meta.push(when != null ? ' · ' : null, countsText(Number(windows) || 0, Number(tabs) || 0));
  heading.push(el('p', { class: 'detail-meta' }, meta));
  if (save && state.edit === 'tags') {
    heading.push(tagsForm(save));
  } else if (save?.tags?.length) {
    heading.push(el('p', { class: 'detail-tags' }, el('span', { class: 'visually-hidden' }, t('tagsLabel')),
      save.tags.map((tag) => el('span', { class: 'chip' }, String(tag)))));
  }

  const tools = save ? el('div', { class: 'detail-tools', role: 'group', 'aria-label': t('saveToolsLabel') },
    toolButton('rename', 'edit', 'rename'),
    toolButton('tags', 'tag', 'editTags'),
    toolButton('overwrite', 'overwrite', 'overwrite'),
    toolButton('delete', 'trash', 'delete')) : null;

  return el('header', { class: 'detail-head' }, el('div', { class: 'detail-heading' }, heading), tools);
}

/** @param {string} key @param {string} iconName @param {string} textKey */
function toolButton(key, iconName, textKey) {
  return el('button', {
    type: 'button', class: `button button-small tool-${key}`, disabled: state.busy,
    'aria-expanded': key === 'rename' || key === 'tags' ? String(state.edit === key) : null,
    dataset: { key, action: key },
  }, icon(iconName), el('span', {}, t(textKey)));
}

/** @param {NamedSave} save */
function renameForm(save) {
  const input = el('input', {
    type: 'text', class: 'input rename-input', value: String(save.name ?? ''), maxlength: 200,
    'aria-label': t('renameLabel'), autocomplete: 'off', spellcheck: 'false', dataset: { key: 'rename-input' },
  });
  const form = el('form', { class: 'inline-edit rename-form' },
    input,
    el('button', { type: 'submit', class: 'button button-small button-primary', disabled: state.busy }, t('saveChange')),
    el('button', { type: 'button', class: 'button button-small', dataset: { action: 'cancel-edit' } }, t('cancel')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    rename(save.id, input.value);
  });
  return form;
}

/** @param {NamedSave} save */
function tagsForm(save) {
  const input = el('input', {
    type: 'text', class: 'input tags-input', value: (save.tags ?? []).join(', '),
    'aria-label': t('tagsEditLabel'), placeholder: t('tagsPlaceholder'), autocomplete: 'off', spellcheck: 'false',
    dataset: { key: 'tags-input' }, 'aria-describedby': 'tags-hint',
  });
  const form = el('form', { class: 'inline-edit tags-form' },
    input,
    el('button', { type: 'submit', class: 'button button-small button-primary', disabled: state.busy }, t('saveChange')),
    el('button', { type: 'button', class: 'button button-small', dataset: { action: 'cancel-edit' } }, t('cancel')),
    el('p', { id: 'tags-hint', class: 'hint' }, t('tagsHint')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setTags(save.id, input.value);
  });
  return form;
}

/** @param {string} id @param {NamedSave | null} save */
function confirmBox(id, save) {
  if (state.confirm === 'overwrite' && save) {
    return el('div', { class: 'confirm', role: 'group', 'aria-labelledby': 'confirm-text' },
      icon('warning'),
      el('p', { id: 'confirm-text' }, t('overwriteConfirm', saveName(save), countsText(Number(save.windows) || 0, Number(save.tabs) || 0))),
      el('div', { class: 'confirm-buttons' },
        el('button', { type: 'button', class: 'button button-small', dataset: { action: 'cancel-confirm', key: 'cancel-confirm' } }, t('cancel')),
        el('button', { type: 'button', class: 'button button-small button-danger confirm-overwrite', disabled: state.busy, dataset: { action: 'do-overwrite', key: 'do-overwrite' } }, t('overwriteConfirmButton'))));
  }
  if (state.confirm === 'replace') {
    const now = state.currentCounts;
    return el('div', { class: 'confirm', role: 'group', 'aria-labelledby': 'confirm-text' },
      icon('warning'),
      el('p', { id: 'confirm-text' }, now
        ? t('replaceConfirmCounts', titleOf(id), countsText(now.windows, now.tabs))
        : t('replaceConfirm', titleOf(id))),
      el('div', { class: 'confirm-buttons' },
        el('button', { type: 'button', class: 'button button-small', dataset: { action: 'cancel-confirm', key: 'cancel-confirm' } }, t('cancel')),
        el('button', { type: 'button', class: 'button button-small button-danger confirm-replace', disabled: state.busy, dataset: { action: 'do-replace', key: 'do-replace' } }, t('replaceConfirmButton'))));
  }
  return null;
}

/** @param {Plan | null} plan */
function openBar(plan) {
  const all = (plan?.windows ?? []).flatMap((w) => w.tabs ?? []);
  const restorable = restorableCount(all);
  const alreadyOpen = all.filter((tab) => tab.status === 'already_open').length;
  const none = !plan || (restorable === 0 && !(state.duplicates && alreadyOpen));
  const disabled = state.busy || none;
  /** @param {string} cls @param {string} iconName @param {string} key @param {string} action @param {boolean} [primary] */
  const button = (cls, iconName, key, action, primary = false) => el('button', {
    type: 'button', class: `button ${primary ? 'button-primary ' : ''}${cls}`, disabled, dataset: { action, key: action },
  }, icon(iconName), el('span', {}, t(key)));
  const dup = alreadyOpen ? el('label', { class: 'choice dup-choice' },
    el('input', { type: 'checkbox', class: 'dup-check', checked: state.duplicates, disabled: state.busy, dataset: { key: 'dup' } }),
    el('span', {}, t('includeOpen', tn('nTabs', alreadyOpen)))) : null;
  return el('div', { class: 'open-bar' },
    el('div', { class: 'open-buttons', role: 'group', 'aria-label': t('openAllLabel') },
      el('span', { class: 'open-label', 'aria-hidden': 'true' }, t('openAllLabel')),
      button('open-new', 'openNew', 'openAllNew', 'open-new', true),
      button('open-current', 'tab', 'openAllCurrent', 'open-current'),
      button('open-replace', 'swap', 'openAllReplace', 'open-replace')),
    el('p', { class: 'open-summary' },
      plan ? (restorable === all.length ? tn('nTabsToOpen', restorable) : t('someToOpen', formatNumber(restorable), formatNumber(all.length))) : ''),
    dup);
}

/** @type {Plan | null} the plan whose first frame was marked */
let paintedPlan = null;

function renderDetail() {
  const rendering = performance.now();
  // Keep focus where it was across the re-render (by data-key), unless told otherwise.
  const active = document.activeElement;
  const hadFocus = detail.contains(active) && active !== detail;
  const requested = state.focusKey;
  const key = requested ?? (hadFocus ? dataOf(active).key : null);
  state.focusKey = null;
  // Text being typed into an inline edit survives the re-render.
  /** @type {Map<string, { value: string, start: number | null, end: number | null }>} */
  const drafts = new Map();
  for (const input of detail.querySelectorAll('input[type="text"][data-key]')) {
    if (!(input instanceof HTMLInputElement)) continue;
    drafts.set(input.dataset.key ?? '', { value: input.value, start: input.selectionStart, end: input.selectionEnd });
  }

  const id = state.selected;
  if (!id) {
    detail.replaceChildren(el('p', { class: 'detail-empty' }, t('detailEmpty')));
    return;
  }
  const save = saveById(id);
  const plan = state.planFor === id ? state.plan : null;
  const source = plan?.source ?? sourceById(id);

  /** @type {(HTMLElement | null)[]} */
  const parts = [detailHead(id, save, source)];
  parts.push(confirmBox(id, save));
  parts.push(openBar(plan));
  if (state.result) parts.push(el('div', { class: `result result-${state.result.kind}`, role: 'status', tabindex: '-1' }, state.result.nodes));
  if (state.planError) {
    const again = el('button', { type: 'button', class: 'button button-small', dataset: { action: 'retry-plan', key: 'retry-plan' } }, t('retry'));
    parts.push(el('div', { class: 'alert alert-danger', role: 'alert' }, ...errorBox('errPlan', state.planError), again));
  }
  if (plan) {
    const notices = planNotices(plan, source);
    if (notices.length) parts.push(el('ul', { class: 'notices' }, notices.map((n) => el('li', { class: 'notice' }, icon('warning'), el('span', {}, n)))));
    const windowed = plan.windows.reduce((n, win) => n + (win.tabs?.length ?? 0), 0) > WINDOWED_FROM;
    parts.push(plan.windows.length
      ? el('div', { class: 'windows' }, plan.windows.map((win, w) => windowSection(win, w, windowed)))
      : el('p', { class: 'detail-status muted' }, t('planEmpty')));
  } else if (!state.planError) {
    parts.push(el('p', { class: 'detail-status muted' }, t('loading')));
  }
  detail.replaceChildren(...parts.filter((p) => p !== null));
  detail.classList.toggle('is-busy', state.busy);
  showRows(detail); // the rows in view, now: the focus may go back to one
  if (plan && plan !== paintedPlan) {
    paintedPlan = plan;
    // The first frame with this plan on it, and the time from the render's start
    // to then: the tests and the bench read them.
    requestAnimationFrame(() => setTimeout(() => {
      performance.mark('lifeboat-plan-painted');
      performance.measure('lifeboat-plan-render', { start: rendering, end: performance.now() });
    }, 0));
  }

  for (const [draftKey, draft] of drafts) {
    const input = detail.querySelector(`input[data-key="${CSS.escape(draftKey)}"]`);
    if (input instanceof HTMLInputElement) input.value = draft.value;
  }
  const target = key ? detail.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  if (target instanceof HTMLElement && !(/** @type {HTMLButtonElement} */ (target).disabled)) {
    target.focus({ preventScroll: !requested });
    if (target instanceof HTMLInputElement && key) {
      const draft = drafts.get(key);
      if (requested && key === 'rename-input') target.select();
      else if (requested && key === 'tags-input') target.setSelectionRange(target.value.length, target.value.length);
      else if (draft) target.setSelectionRange(draft.start, draft.end);
    }
  } else if (hadFocus || requested) {
    (/** @type {HTMLElement | null} */ (detail.querySelector('#detail-title')) ?? detail).focus({ preventScroll: true });
  }
}
onRender('detail', renderDetail);

// ----------------------------------------------------------------- restore

/**
 * Opens what `select` names of the selected source.
 * @param {Selection} select
 * @param {RestoreMode} mode
 * @param {{ duplicates?: boolean, focusKey?: string | null }} [options]
 */
async function restore(select, mode, { duplicates = state.duplicates, focusKey = null } = {}) {
  const source = state.selected;
  if (state.busy || !source) return;
  state.confirm = null;
  state.result = { kind: 'working', nodes: [el('p', {}, t('restoring'))] };
  setBusy(true);
  state.focusKey = focusKey;
  render('detail');
  try {
    const answer = await send({ type: 'restore', source, select, mode, ...(duplicates ? { duplicates: true } : {}) });
    if (state.selected !== source) return;
    state.result = { kind: answer.skipped?.length ? 'partial' : 'success', nodes: restoreResultNodes(answer) };
  } catch (error) {
    if (state.selected !== source) return;
    state.result = { kind: 'error', nodes: errorBox('errRestore', error) };
  } finally {
    setBusy(false);
    if (state.selected === source) state.focusKey = focusKey;
    render('detail');
  }
  // What is open changed: the current session and the plan's "already open".
  loadLists();
  if (state.selected === source) loadPlan({ quiet: true });
}

async function askReplace() {
  state.confirm = 'replace';
  state.currentCounts = null;
  state.focusKey = 'cancel-confirm';
  render('detail');
  try {
    const status = await send({ type: 'status' });
    if (state.confirm !== 'replace') return;
    state.currentCounts = { windows: Number(status.windows) || 0, tabs: Number(status.tabs) || 0 };
    render('detail');
  } catch { /* the plain question stays */ }
}

/** The restorable tabs of window `w` (and the open ones, with duplicates). @param {number} w @returns {Selection} */
function windowSelect(w, { includeOpen = state.duplicates } = {}) {
  const win = state.plan?.windows[w];
  const tabs = (win?.tabs ?? [])
    .map((tab, i) => ({ status: tab.status ?? 'restore', i }))
    .filter(({ status }) => status === 'restore' || (includeOpen && status === 'already_open'))
    .map(({ i }) => i);
  return [{ window: w, tabs }];
}

// ----------------------------------------------------------------- events

/** Leaves an open edit or confirmation, focus back on the button that opened it. */
function leaveEdit() {
  const back = state.edit;
  state.edit = null;
  state.focusKey = back;
  render('detail');
}

function leaveConfirm() {
  const back = state.confirm === 'overwrite' ? 'overwrite' : 'open-replace';
  state.confirm = null;
  state.focusKey = back;
  render('detail');
}

detail.addEventListener('click', (event) => {
  const button = /** @type {Element} */ (event.target).closest('button');
  if (!button || button.disabled) return;
  const id = state.selected;
  if (button.classList.contains('open-window')) {
    const w = Number(button.dataset.window);
    restore(windowSelect(w), 'new', { focusKey: `window-${w}` });
    return;
  }
  if (button.classList.contains('open-tab')) {
    const w = Number(button.dataset.window);
    const i = Number(button.dataset.tab);
    // One tab asked for by name opens even where it is already open.
    restore([{ window: w, tabs: [i] }], 'current', {
      duplicates: button.dataset.status === 'already_open' || state.duplicates, focusKey: `tab-${w}-${i}`,
    });
    return;
  }
  switch (button.dataset.action) {
    case 'open-new': restore('all', 'new', { focusKey: 'open-new' }); break;
    case 'open-current': restore('all', 'current', { focusKey: 'open-current' }); break;
    case 'open-replace': askReplace(); break;
    case 'do-replace': restore('all', 'replace', { focusKey: 'open-replace' }); break;
    case 'cancel-confirm': leaveConfirm(); break;
    case 'rename':
    case 'tags': {
      const edit = button.dataset.action;
      state.edit = state.edit === edit ? null : edit;
      state.focusKey = state.edit ? `${state.edit}-input` : edit;
      render('detail');
      break;
    }
    case 'cancel-edit': leaveEdit(); break;
    case 'overwrite':
      state.confirm = 'overwrite';
      state.focusKey = 'cancel-confirm';
      render('detail');
      break;
    case 'do-overwrite': if (id) overwrite(id); break;
    case 'delete': if (id) remove(id); break;
    case 'retry-plan': loadPlan(); break;
    default: break;
  }
});

detail.addEventListener('change', (event) => {
  const box = event.target;
  if (box instanceof HTMLInputElement && box.classList.contains('dup-check')) {
    state.duplicates = box.checked;
    state.focusKey = 'dup';
    render('detail');
  }
});

detail.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  if (state.edit) {
    event.preventDefault();
    leaveEdit();
  } else if (state.confirm) {
    event.preventDefault();
    leaveConfirm();
  }
});
