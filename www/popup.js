// @ts-check
// The toolbar popup: how the saving is going, saving the session under a name,
// opening a named save, and the ways to the restore page and the manager.
// The only browser calls made here are for ids (the popup's window and its
// highlighted tabs, passed to `named.save`) and for opening Lifeboat's pages.

import {
  agoElement, api, byId, countsText, dataOf, el, errorBox, formatDateTime, formatNumber, icon, initI18n, localize,
  renderAutosave, restoreDoneText, saveName, send, t, tickTimes, timeElement, tn,
} from './common.js';

/**
 * @typedef {import('./types/pages').NamedSave} NamedSave
 * @typedef {import('./types/pages').RestoreMode} RestoreMode
 * @typedef {Extract<import('./types/pages').Request, { type: 'named.save' }>} SaveRequest
 */

const ui = {
  status: byId('status'),
  autosave: byId('autosave-alert'),
  error: byId('error'),
  form: byId('save-form', HTMLFormElement),
  name: byId('save-name', HTMLInputElement),
  scope: byId('save-scope', HTMLSelectElement),
  save: byId('save-button', HTMLButtonElement),
  saveResult: byId('save-result'),
  saves: byId('saves'),
  savesStatus: byId('saves-status'),
  restoreResult: byId('restore-result'),
  openRestore: byId('open-restore', HTMLButtonElement),
  openManager: byId('open-manager', HTMLAnchorElement),
};

const state = {
  /** @type {NamedSave[]} */
  saves: [],
  /** @type {string | null} id of the save whose "replace" waits for a confirmation */
  confirming: null,
  busy: false,
  /** @type {string | null} id of the save made a moment ago (highlighted once) */
  justSaved: null,
};

// ------------------------------------------------------------------ errors

/** @param {string} contextKey @param {unknown} error */
function showError(contextKey, error) {
  ui.error.dataset.context = contextKey;
  ui.error.replaceChildren(...errorBox(contextKey, error));
  ui.error.hidden = false;
}

function clearError() {
  delete ui.error.dataset.context;
  ui.error.hidden = true;
  ui.error.replaceChildren();
}

// ------------------------------------------------------------------ status

async function refreshStatus() {
  try {
    const status = await send({ type: 'status' });
    if (ui.error.dataset.context === 'errStatus') clearError();
    renderAutosave(ui.autosave, status.autosave);
    const saved = status.lastSavedAt != null
      ? agoElement(status.lastSavedAt, 'lastSaved')
      : el('span', {}, t('notSavedYet'));
    ui.status.replaceChildren(
      el('span', { class: 'status-saved' }, saved),
      el('span', { class: 'status-sep', 'aria-hidden': 'true' }, ' · '),
      el('span', { class: 'status-counts' }, countsText(Number(status.windows) || 0, Number(status.tabs) || 0)));
    ui.status.classList.remove('is-loading');
    ui.status.classList.toggle('is-stale', status.autosave?.ok === false);
  } catch (error) {
    ui.status.replaceChildren();
    showError('errStatus', error);
  }
}

// -------------------------------------------------------------------- save

function defaultName() {
  return t('defaultSaveName', formatDateTime(Date.now()));
}

/** Labels the "selected tabs" choice with how many tabs are highlighted. */
async function countSelectedTabs() {
  try {
    const tabs = await /** @type {typeof chrome} */ (api).tabs.query({ currentWindow: true, highlighted: true });
    const option = /** @type {HTMLOptionElement} */ (ui.scope.querySelector('option[value="tabs"]'));
    option.textContent = t('scopeTabsCount', formatNumber(tabs.length));
  } catch { /* the plain label stays */ }
}

/** @param {boolean} busy */
function setBusy(busy) {
  state.busy = busy;
  document.body.classList.toggle('is-busy', busy);
  ui.save.disabled = busy;
  for (const b of ui.saves.querySelectorAll('button')) b.disabled = busy;
}

/** @param {SubmitEvent} event */
async function save(event) {
  event.preventDefault();
  if (state.busy) return;
  clearError();
  const scope = /** @type {SaveRequest['scope']} */ (ui.scope.value);
  // An empty name: the dated default shown as the placeholder, so the save
  // gets the name the user saw (in their own time zone).
  const name = ui.name.value.trim() || ui.name.placeholder;
  /** @type {SaveRequest} */
  const message = { type: 'named.save', name, scope };
  setBusy(true);
  try {
    if (!api) throw new Error(t('errNoBackground'));
    if (scope === 'window' || scope === 'tabs') {
      message.windowId = (await api.windows.getCurrent()).id;
    }
    if (scope === 'tabs') {
      message.tabIds = (await api.tabs.query({ currentWindow: true, highlighted: true })).flatMap((tab) => (tab.id == null ? [] : [tab.id]));
    }
  } catch (error) {
    setBusy(false);
    showError('errSave', error);
    return;
  }
  try {
    const answer = await send(message);
    /** @type {Partial<NamedSave>} */
    const saved = answer.save ?? {};
    state.justSaved = saved.id ?? null;
    ui.saveResult.replaceChildren(icon('check'),
      el('span', {}, t('savedAs', saved.name ?? name), ' ',
        el('span', { class: 'muted' }, countsText(Number(saved.windows) || 0, Number(saved.tabs) || 0))));
    ui.saveResult.hidden = false;
    ui.name.value = '';
    ui.name.placeholder = defaultName();
  } catch (error) {
    showError('errSave', error);
  } finally {
    setBusy(false);
  }
  await loadSaves();
}

// ------------------------------------------------------------ named saves

/** @param {NamedSave} save */
function saveItem(save) {
  const id = String(save.id);
  const name = saveName(save);
  const when = save.updatedAt ?? save.createdAt;
  const confirming = state.confirming === id;

  /** @param {string} cls @param {string} key @param {RestoreMode} mode */
  const openButton = (cls, key, mode) => {
    const button = el('button', {
      type: 'button', class: `button button-small ${cls}`, title: t(`${key}Title`, name),
      disabled: state.busy, dataset: { mode },
    }, t(key));
    // The name is what the button shows (speech input users say it); the
    // group names the save, the title says the rest.
    return button;
  };

  const item = el('li', { class: `save${confirming ? ' is-confirming' : ''}${state.justSaved === id ? ' is-new' : ''}`, dataset: { id } },
    el('div', { class: 'save-info' },
      el('span', { class: 'save-name', title: name }, name),
      el('span', { class: 'save-meta' },
        el('span', {},
          timeElement(when),
          when != null ? ' · ' : null,
          countsText(Number(save.windows) || 0, Number(save.tabs) || 0)),
        ...(save.tags ?? []).map((tag) => el('span', { class: 'chip' }, String(tag))))),
    el('div', { class: 'save-actions', role: 'group', 'aria-label': t('openSaveGroup', name) },
      openButton('open-new', 'openNew', 'new'),
      openButton('open-current', 'openCurrent', 'current'),
      openButton('open-replace', 'openReplace', 'replace')));

  if (confirming) {
    const yes = el('button', { type: 'button', class: 'button button-small button-danger confirm-replace', disabled: state.busy },
      t('replaceConfirmButton'));
    const no = el('button', { type: 'button', class: 'button button-small cancel-replace', disabled: state.busy }, t('cancel'));
    yes.addEventListener('click', () => restore(id, 'replace'));
    no.addEventListener('click', () => cancelConfirm(id));
    item.append(el('div', { class: 'save-confirm', role: 'group', 'aria-label': t('replaceConfirm', name) },
      el('p', {}, icon('warning'), el('span', {}, t('replaceConfirm', name))),
      el('div', { class: 'save-confirm-buttons' }, no, yes)));
  }
  return item;
}

function renderSaves() {
  ui.saves.replaceChildren(...state.saves.map(saveItem));
  const empty = state.saves.length === 0;
  ui.savesStatus.hidden = !empty;
  if (empty) ui.savesStatus.textContent = t('namedSavesEmptyPopup');
}

async function loadSaves() {
  try {
    const answer = await send({ type: 'named.list' });
    state.saves = answer.saves;
    if (state.confirming && !state.saves.some((s) => s.id === state.confirming)) state.confirming = null;
    renderSaves();
    state.justSaved = null;
  } catch (error) {
    ui.savesStatus.hidden = true;
    showError('errNamedList', error);
  }
}

/** @param {string} id @param {string} selector */
function focusIn(id, selector) {
  const item = [...ui.saves.children].find((li) => dataOf(li).id === id);
  /** @type {HTMLElement | null | undefined} */ (item?.querySelector(selector))?.focus();
}

/** @param {string} id */
function cancelConfirm(id) {
  state.confirming = null;
  renderSaves();
  focusIn(id, '.open-replace');
}

/** @param {string} id @param {RestoreMode} mode */
async function restore(id, mode) {
  if (state.busy) return;
  clearError();
  state.confirming = null;
  setBusy(true);
  renderSaves();
  ui.restoreResult.hidden = false;
  ui.restoreResult.className = 'restore-result is-working';
  ui.restoreResult.replaceChildren(t('restoring'));
  try {
    const answer = await send({ type: 'restore', source: id, select: 'all', mode });
    const skipped = answer.skipped?.length ?? 0;
    ui.restoreResult.className = 'restore-result is-done';
    ui.restoreResult.replaceChildren(icon('check'), el('span', {}, restoreDoneText(answer),
      skipped ? ` ${t('restoreSkippedCount', tn('nTabs', skipped))}` : ''));
  } catch (error) {
    ui.restoreResult.hidden = true;
    showError('errRestore', error);
  } finally {
    setBusy(false);
    renderSaves();
    focusIn(id, mode === 'new' ? '.open-new' : mode === 'current' ? '.open-current' : '.open-replace');
  }
}

ui.saves.addEventListener('click', (event) => {
  const button = /** @type {Element} */ (event.target).closest('button[data-mode]');
  if (!(button instanceof HTMLButtonElement) || state.busy) return;
  const id = dataOf(button.closest('li.save')).id;
  if (!id) return;
  const mode = /** @type {RestoreMode} */ (button.dataset.mode);
  if (mode === 'replace') {
    state.confirming = id;
    renderSaves();
    focusIn(id, '.cancel-replace');
  } else {
    restore(id, mode);
  }
});

ui.saves.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && state.confirming) {
    event.preventDefault();
    event.stopPropagation();
    cancelConfirm(state.confirming);
  }
});

// ------------------------------------------------------------------- pages

/** @param {string} path @param {string} contextKey */
async function openPage(path, contextKey) {
  try {
    if (!api) throw new Error(t('errNoBackground'));
    await api.tabs.create({ url: api.runtime.getURL(path) });
    window.close();
  } catch (error) {
    showError(contextKey, error);
  }
}

ui.openRestore.addEventListener('click', () => openPage('www/restore.html', 'errOpenPage'));
ui.openManager.addEventListener('click', (event) => {
  if (!api?.tabs?.create) return; // outside the extension: follow the link
  event.preventDefault();
  openPage('www/manager.html', 'errOpenManager');
});

ui.form.addEventListener('submit', save);
ui.name.addEventListener('input', () => {
  ui.saveResult.hidden = true;
});

// -------------------------------------------------------------------- start

await initI18n();
localize();
ui.name.placeholder = defaultName();
ui.name.focus();
tickTimes(1000);
countSelectedTabs();
await Promise.all([refreshStatus(), loadSaves()]);
setInterval(() => {
  refreshStatus();
  if (!ui.name.value) ui.name.placeholder = defaultName();
}, 5000);
