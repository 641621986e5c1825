// The session manager (also the options page): named saves and earlier
// sessions, search, one source's windows and tabs with ways to open them,
// import, export, full backup and settings. Every decision is the
// background's (docs/PROTOCOL.md); this page asks and renders the answers.

import {
  agoElement, api, countsText, displayUrl, earlierPages, el, favicon, formatDateTime, formatNumber, icon, initI18n, localize,
  renderAutosave, restoreDoneText, send, sourceLabel, t, tabItem, tickTimes, tn, windowItem, windowStateText,
} from './common.js';

const $ = (id) => document.getElementById(id);
const ui = {
  autosave: $('autosave-alert'),
  pageError: $('page-error'),
  search: $('search'),
  searchPanel: $('search-panel'),
  searchStatus: $('search-status'),
  searchResults: $('search-results'),
  namedList: $('named-list'),
  namedStatus: $('named-status'),
  namedCount: $('named-count'),
  tagFilter: $('tag-filter'),
  sourcesList: $('sources-list'),
  sourcesStatus: $('sources-status'),
  detail: $('detail'),
  importFile: $('import-file'),
  importStatus: $('import-status'),
  importError: $('import-error'),
  importDone: $('import-done'),
  importPreview: $('import-preview'),
  importPreviewBody: $('import-preview-body'),
  importCommit: $('import-commit'),
  importCancel: $('import-cancel'),
  dropOverlay: $('drop-overlay'),
  exportChecked: $('export-checked'),
  exportCheckedLabel: $('export-checked-label'),
  exportFormat: $('export-format'),
  exportButton: $('export-button'),
  exportTyped: $('export-typed'),
  backupTyped: $('backup-typed'),
  exportStatus: $('export-status'),
  backupButton: $('backup-button'),
  backupStatus: $('backup-status'),
  settingsForm: $('settings-form'),
  settingsStatus: $('settings-status'),
  settingsError: $('settings-error'),
  settingsSave: $('settings-save'),
  settingsSaved: $('settings-saved'),
  syncStatus: $('sync-status'),
  toasts: $('toasts'),
};

const state = {
  saves: [], // named.list
  sources: [], // overview sources other than named saves
  listsLoaded: false,
  tagFilter: null,
  checked: new Set(), // source ids ticked for export
  selected: null, // source id shown on the right
  plan: null,
  planFor: null,
  planError: null,
  planRequest: 0,
  highlight: null, // { window, tab } to point at once the plan is shown
  edit: null, // 'rename' | 'tags' (named saves)
  confirm: null, // 'replace' | 'overwrite'
  currentCounts: null, // { windows, tabs } open now, for the replace confirmation
  busy: false,
  duplicates: false,
  result: null, // { kind, nodes } shown above the windows
  focusKey: null, // element to focus after the next detail render
  settings: null,
  syncResult: null, // the last sync's result from `status` (null: none this run)
  importToken: null,
  importPreview: null, // { fileName, sessions, ticks } of the file on show
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ------------------------------------------------------------------ helpers

function errorText(error) {
  return error?.message ?? String(error);
}

function errorBox(contextKey, error) {
  return [icon('warning'), el('div', {}, el('p', { class: 'alert-title' }, t(contextKey)), el('p', {}, errorText(error)))];
}

function showPageError(contextKey, error) {
  ui.pageError.replaceChildren(...errorBox(contextKey, error));
  ui.pageError.hidden = false;
}

function isNamed(id) {
  return typeof id === 'string' && state.saves.some((s) => s.id === id);
}

function saveById(id) {
  return state.saves.find((s) => s.id === id) ?? null;
}

function sourceById(id) {
  return state.sources.find((s) => s.id === id) ?? null;
}

function saveName(save) {
  return String(save?.name ?? '').trim() || t('untitled');
}

function sourceTitle(source) {
  if (!source) return '';
  if (source.kind === 'autosave' && source.takenAt != null) return t('autosaveTitle', formatDateTime(source.takenAt));
  return sourceLabel(source) || t('untitled');
}

/** The title of whatever `id` is: a named save or a listed source. */
function titleOf(id) {
  const save = saveById(id);
  if (save) return saveName(save);
  return sourceTitle(sourceById(id) ?? (state.planFor === id ? state.plan?.source : null)) || id;
}

function kindText(kind) {
  const key = `kind_${kind}`;
  const text = t(key);
  return text === key ? '' : text;
}

function timeText(ms) {
  return ms == null ? null : el('time', { datetime: new Date(ms).toISOString(), title: formatDateTime(ms, { seconds: true }) }, formatDateTime(ms));
}

/** Offers `text` as a file download: a Blob and an <a download>, no permission needed. */
function download(fileName, mime, text) {
  const blob = new Blob([text], { type: mime || 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function localDate(ms = Date.now()) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function setStatus(node, kind, ...content) {
  node.className = `card-status is-${kind}`;
  node.replaceChildren(...content);
  node.hidden = content.length === 0;
}

// ------------------------------------------------------------------ toasts

/** A short message at the bottom; `action` gives it a button (e.g. Undo). */
function toast(message, { action = null, timeout = 5000, kind = 'info' } = {}) {
  const node = el('div', { class: `toast toast-${kind}` });
  let timer = null;
  const close = () => {
    clearTimeout(timer);
    const hadFocus = node.contains(document.activeElement);
    node.remove();
    if (hadFocus) {
      const back = document.querySelector('.browse .item-main[aria-pressed="true"]')
        ?? ui.namedList.querySelector('.item-main') ?? ui.search;
      back.focus();
    }
  };
  node.append(
    kind === 'error' ? icon('warning') : icon('check'),
    el('span', { class: 'toast-text' }, message));
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
    if (!node.contains(e.relatedTarget)) arm();
  });
  ui.toasts.append(node);
  arm();
  return { node, actionButton, close };
}

// ------------------------------------------------------------------- lists

function checkbox(id, title) {
  const box = el('input', {
    type: 'checkbox', class: 'export-check', checked: state.checked.has(id),
    title: t('exportCheckTitle'), 'aria-label': t('exportCheckLabel', title),
    dataset: { id },
  });
  return box;
}

function itemRow({ id, title, meta, chips = [], kind, pending = false, notice = null, extraClass = '' }) {
  const selected = id === state.selected;
  return el('li', { class: `item kind-${kind}${selected ? ' is-selected' : ''}${extraClass}`, dataset: { id, kind } },
    checkbox(id, title),
    el('button', {
      type: 'button', class: 'item-main', 'aria-pressed': selected ? 'true' : 'false', dataset: { id },
    },
    el('span', { class: 'item-top' },
      el('span', { class: 'item-title' }, title),
      pending ? el('span', { class: 'badge badge-pending' }, t('sourcePending')) : null),
    el('span', { class: 'item-meta' }, meta),
    chips.length ? el('span', { class: 'item-chips' }, chips) : null,
    notice ? el('span', { class: 'item-notice' }, icon('warning'), el('span', {}, notice)) : null));
}

function renderTagFilter() {
  const tags = [...new Set(state.saves.flatMap((s) => (Array.isArray(s.tags) ? s.tags : []).map(String)))]
    .sort((a, b) => a.localeCompare(b));
  if (state.tagFilter && !tags.includes(state.tagFilter)) state.tagFilter = null;
  ui.tagFilter.hidden = tags.length === 0;
  const chip = (tag, label) => el('button', {
    type: 'button', class: 'filter-chip', 'aria-pressed': String(state.tagFilter === tag), dataset: { tag: tag ?? '' },
  }, tag != null ? icon('tag') : null, label);
  ui.tagFilter.replaceChildren(chip(null, t('tagFilterAll')), ...tags.map((tag) => chip(tag, tag)));
}

function renderNamed() {
  renderTagFilter();
  const shown = state.tagFilter
    ? state.saves.filter((s) => Array.isArray(s.tags) && s.tags.map(String).includes(state.tagFilter))
    : state.saves;
  ui.namedList.replaceChildren(...shown.map((save) => itemRow({
    id: save.id,
    title: saveName(save),
    kind: 'named',
    meta: [timeText(save.updatedAt ?? save.createdAt), ' · ', countsText(Number(save.windows) || 0, Number(save.tabs) || 0)],
    chips: (Array.isArray(save.tags) ? save.tags : []).map((tag) => el('span', { class: 'chip' }, String(tag))),
  })));
  ui.namedCount.textContent = state.saves.length
    ? (state.tagFilter ? t('countOf', formatNumber(shown.length), formatNumber(state.saves.length)) : formatNumber(state.saves.length))
    : '';
  const empty = state.saves.length === 0;
  ui.namedStatus.hidden = !empty;
  if (empty) ui.namedStatus.textContent = t('namedSavesEmpty');
}

function sourceRow(source) {
  const autosave = source.kind === 'autosave';
  return itemRow({
    id: source.id,
    title: autosave ? (source.takenAt != null ? formatDateTime(source.takenAt) : t('kind_autosave')) : sourceTitle(source),
    kind: source.kind,
    pending: !!source.pending,
    notice: source.notice,
    meta: autosave
      ? [source.takenAt != null ? agoElement(source.takenAt) : null, ' · ', countsText(source.windows, source.tabs)]
      : [timeText(source.takenAt), source.takenAt != null ? ' · ' : null, countsText(source.windows, source.tabs)],
  });
}

function renderSources() {
  const open = ui.sourcesList.querySelector('details')?.open;
  const main = state.sources.filter((s) => s.kind !== 'autosave');
  const points = state.sources.filter((s) => s.kind === 'autosave');
  const rows = main.map(sourceRow);
  if (points.length) {
    const details = el('details', { class: 'timeline' },
      el('summary', { class: 'timeline-summary' },
        icon('chevron'),
        el('span', { class: 'timeline-title' }, t('timelineListTitle')),
        el('span', { class: 'list-count' }, tn('nPoints', points.length))),
      el('ul', { class: 'items timeline-items' }, points.map(sourceRow)));
    details.open = !!open || points.some((p) => p.id === state.selected);
    rows.push(el('li', { class: 'timeline-group' }, details));
  }
  ui.sourcesList.replaceChildren(...rows);
  const empty = state.sources.length === 0;
  ui.sourcesStatus.hidden = !empty;
  if (empty) ui.sourcesStatus.textContent = t('sourcesEmptyList');
}

function renderSelectionMarks() {
  for (const li of document.querySelectorAll('.browse li.item[data-id]')) {
    const on = li.dataset.id === state.selected;
    li.classList.toggle('is-selected', on);
    li.querySelector('.item-main')?.setAttribute('aria-pressed', String(on));
  }
}

async function loadNamed() {
  const answer = await send({ type: 'named.list' });
  state.saves = Array.isArray(answer.saves) ? answer.saves : [];
  renderNamed();
}

async function loadOverview() {
  const overview = await send({ type: 'overview' });
  renderAutosave(ui.autosave, overview.autosave);
  state.sources = (Array.isArray(overview.sources) ? overview.sources : []).filter((s) => s.kind !== 'named');
  renderSources();
}

/** Reloads both lists; failures show on the page, not as a rejection. */
async function loadLists() {
  // Re-rendering the lists must not lose the keyboard's place in them.
  const active = document.activeElement;
  const place = active?.closest?.('.browse li.item[data-id]')
    ? { id: active.closest('li.item').dataset.id, cls: active.classList.contains('export-check') ? '.export-check' : '.item-main' }
    : null;
  const results = await Promise.allSettled([loadNamed(), loadOverview()]);
  if (place && !document.querySelector('.browse').contains(document.activeElement)) {
    document.querySelector(`.browse li.item[data-id="${CSS.escape(place.id)}"] ${place.cls}`)?.focus();
  }
  const failed = results.find((r) => r.status === 'rejected');
  if (results[0].status === 'rejected') ui.namedStatus.hidden = true;
  if (results[1].status === 'rejected') ui.sourcesStatus.hidden = true;
  if (failed) showPageError('errLists', failed.reason);
  else ui.pageError.hidden = true;
  state.listsLoaded = true;
  syncExportChoice();
  renderSelectionMarks();
}

// Selecting: clicks on items, ticking for export, tag filter.
document.querySelector('.browse').addEventListener('click', (event) => {
  const main = event.target.closest('.item-main');
  if (main) {
    selectSource(main.dataset.id);
    return;
  }
  const chip = event.target.closest('.filter-chip');
  if (chip) {
    state.tagFilter = chip.dataset.tag || null;
    renderNamed();
    ui.tagFilter.querySelector(`.filter-chip[data-tag="${CSS.escape(state.tagFilter ?? '')}"]`)?.focus();
  }
});

document.querySelector('.browse').addEventListener('change', (event) => {
  const box = event.target.closest('.export-check');
  if (!box) return;
  if (box.checked) state.checked.add(box.dataset.id);
  else state.checked.delete(box.dataset.id);
  if (box.checked) ui.exportChecked.checked = true;
  syncExportChoice();
});

// Arrow keys move between the items of a list (Tab still visits each).
document.querySelector('.browse').addEventListener('keydown', (event) => {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const current = event.target.closest('.item-main, .result-item');
  if (!current) return;
  const scope = current.closest('#search-results') ?? document.querySelector('.browse');
  const all = [...scope.querySelectorAll(current.classList.contains('result-item') ? '.result-item' : '.item-main')]
    .filter((b) => b.offsetParent !== null);
  const index = all.indexOf(current);
  const next = all[index + (event.key === 'ArrowDown' ? 1 : -1)]
    ?? (index === 0 && event.key === 'ArrowUp' && current.classList.contains('result-item') ? ui.search : null);
  if (next) {
    event.preventDefault();
    next.focus();
  }
});

// ----------------------------------------------------------------- search

let searchTimer = null;
let searchRequest = 0;

function renderResults(query, results) {
  ui.searchPanel.hidden = false;
  ui.searchStatus.textContent = results.length === 0 ? t('searchNone', query)
    : results.length >= 200 ? t('searchMany', formatNumber(results.length)) : tn('nResults', results.length);
  ui.searchResults.replaceChildren(...results.map((r) => {
    const title = String(r.title ?? '').trim() || String(r.url ?? '') || t('untitled');
    const button = el('button', {
      type: 'button', class: 'result-item',
      dataset: { source: String(r.source), window: String(r.window), tab: String(r.tab) },
    },
    favicon(r.url, r.favIconUrl, r.title),
    el('span', { class: 'result-text' },
      el('span', { class: 'result-title' }, title),
      el('span', { class: 'result-url', title: String(r.url ?? '') }, displayUrl(r.url)),
      el('span', { class: 'result-source' },
        el('span', { class: 'result-label' }, sourceLabel({ label: r.sourceLabel, labelKey: r.sourceLabelKey }) || titleOf(r.source)),
        r.takenAt != null ? ` · ${formatDateTime(r.takenAt)}` : '')));
    button.addEventListener('click', () => {
      for (const other of ui.searchResults.querySelectorAll('.result-item[aria-current]')) other.removeAttribute('aria-current');
      button.setAttribute('aria-current', 'true');
      selectSource(String(r.source), { highlight: { window: Number(r.window), tab: Number(r.tab) } });
    });
    return el('li', {}, button);
  }));
}

async function runSearch() {
  const query = ui.search.value.trim();
  const request = ++searchRequest;
  if (!query) {
    ui.searchPanel.hidden = true;
    ui.searchResults.replaceChildren();
    ui.searchStatus.textContent = '';
    return;
  }
  ui.searchPanel.hidden = false;
  ui.searchPanel.setAttribute('aria-busy', 'true');
  try {
    const answer = await send({ type: 'search', query });
    if (request !== searchRequest) return;
    renderResults(query, Array.isArray(answer.results) ? answer.results : []);
  } catch (error) {
    if (request !== searchRequest) return;
    ui.searchResults.replaceChildren();
    ui.searchStatus.textContent = `${t('errSearch')} ${errorText(error)}`;
  } finally {
    if (request === searchRequest) ui.searchPanel.removeAttribute('aria-busy');
  }
}

ui.search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 200);
});
ui.search.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && ui.search.value) {
    event.preventDefault();
    ui.search.value = '';
    clearTimeout(searchTimer);
    runSearch();
  } else if (event.key === 'ArrowDown') {
    const first = ui.searchResults.querySelector('.result-item');
    if (first) {
      event.preventDefault();
      first.focus();
    }
  } else if (event.key === 'Enter') {
    clearTimeout(searchTimer);
    runSearch();
  }
});

// ----------------------------------------------------------------- detail

function selectSource(id, { highlight = null, edit = null, focus = null } = {}) {
  if (!id) return;
  const same = id === state.selected;
  state.highlight = highlight;
  if (!same) {
    state.selected = id;
    state.plan = null;
    state.planFor = null;
    state.planError = null;
    state.result = null;
    state.confirm = null;
    state.duplicates = false;
  }
  state.edit = edit && isNamed(id) ? edit : same ? state.edit : null;
  state.focusKey = focus ?? (state.edit && edit ? `${edit}-input` : null);
  renderSelectionMarks();
  if (ui.sourcesList.querySelector(`li.item[data-id="${CSS.escape(id)}"]`)?.closest('details')) {
    ui.sourcesList.querySelector('details').open = true;
  }
  history.replaceState(null, '', `#select=${encodeURIComponent(id)}`);
  renderDetail();
  if (!same || !state.plan) loadPlan();
  else showHighlight();
}

async function loadPlan({ quiet = false } = {}) {
  const id = state.selected;
  const request = ++state.planRequest;
  if (!quiet) {
    state.planError = null;
    renderDetail();
  }
  try {
    const plan = await send({ type: 'plan', source: id });
    if (request !== state.planRequest) return;
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
  renderDetail();
  showHighlight();
}

function showHighlight() {
  if (!state.highlight) return;
  const { window: w, tab } = state.highlight;
  state.highlight = null;
  const row = ui.detail.querySelector(`li.tab[data-window="${w}"][data-index="${tab}"]`);
  if (!row) return;
  for (const old of ui.detail.querySelectorAll('.tab.is-highlighted')) old.classList.remove('is-highlighted');
  row.classList.add('is-highlighted');
  row.scrollIntoView({ block: 'center', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
}

function tabRow(tab, w, i) {
  const status = tab.status ?? 'restore';
  const title = String(tab.title ?? '').trim() || String(tab.url ?? '') || t('untitled');
  const open = el('button', {
    type: 'button', class: 'button button-small button-quiet open-tab',
    disabled: state.busy || status === 'blocked',
    title: status === 'blocked' ? (tab.reason ?? t('badgeBlocked')) : status === 'already_open' ? t('openTabAgainTitle') : t('openTabTitle'),
    'aria-label': t('openTabLabel', title),
    dataset: { key: `tab-${w}-${i}`, window: String(w), tab: String(i), status },
  }, icon('openNew'), el('span', {}, t('openTab')));
  return tabItem(tab, w, i, {
    shortUrl: true,
    after: [open, earlierPages(state.planFor, tab, w, i, (e) => toast(`${t('errOpenEarlierPage')} ${errorText(e)}`, { kind: 'error', timeout: 8000 }))],
  });
}

function windowSection(win, w) {
  const tabs = Array.isArray(win.tabs) ? win.tabs : [];
  const restorable = tabs.filter((tab) => (tab.status ?? 'restore') === 'restore').length;
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
    tabs: tabs.map((tab, i) => tabRow(tab, w, i)),
  });
}

function detailHead(id, save, source) {
  const named = !!save;
  const title = named ? saveName(save) : sourceTitle(source) || titleOf(id);
  const kind = named ? 'named' : source?.kind;
  const windows = named ? save.windows : source?.windows;
  const tabs = named ? save.tabs : source?.tabs;
  const when = named ? (save.updatedAt ?? save.createdAt) : source?.takenAt;

  const heading = [];
  heading.push(el('p', { class: 'detail-kind' }, kindText(kind) || '\u00a0'));
  if (named && state.edit === 'rename') {
    heading.push(renameForm(save));
  } else {
    heading.push(el('h2', { id: 'detail-title', class: 'detail-title', tabindex: '-1' }, title));
  }
  const meta = [];
  if (when != null) {
    meta.push(t(named ? 'savedWhen' : 'takenWhen', formatDateTime(when)), ' · ', agoElement(when));
  }
  if (windows != null) meta.push(when != null ? ' · ' : null, countsText(Number(windows) || 0, Number(tabs) || 0));
  heading.push(el('p', { class: 'detail-meta' }, meta));
  if (named && state.edit === 'tags') {
    heading.push(tagsForm(save));
  } else if (named && Array.isArray(save.tags) && save.tags.length) {
    heading.push(el('p', { class: 'detail-tags' }, el('span', { class: 'visually-hidden' }, t('tagsLabel')),
      save.tags.map((tag) => el('span', { class: 'chip' }, String(tag)))));
  }

  const tools = named ? el('div', { class: 'detail-tools', role: 'group', 'aria-label': t('saveToolsLabel') },
    toolButton('rename', 'edit', 'rename'),
    toolButton('tags', 'tag', 'editTags'),
    toolButton('overwrite', 'overwrite', 'overwrite'),
    toolButton('delete', 'trash', 'delete')) : null;

  return el('header', { class: 'detail-head' }, el('div', { class: 'detail-heading' }, heading), tools);
}

function toolButton(key, iconName, textKey) {
  return el('button', {
    type: 'button', class: `button button-small tool-${key}`, disabled: state.busy,
    'aria-expanded': key === 'rename' || key === 'tags' ? String(state.edit === key) : null,
    dataset: { key, action: key },
  }, icon(iconName), el('span', {}, t(textKey)));
}

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

function tagsForm(save) {
  const input = el('input', {
    type: 'text', class: 'input tags-input', value: (Array.isArray(save.tags) ? save.tags : []).join(', '),
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

function openBar(plan) {
  const windows = Array.isArray(plan?.windows) ? plan.windows : [];
  const all = windows.flatMap((w) => (Array.isArray(w.tabs) ? w.tabs : []));
  const restorable = all.filter((tab) => (tab.status ?? 'restore') === 'restore').length;
  const alreadyOpen = all.filter((tab) => tab.status === 'already_open').length;
  const none = !plan || (restorable === 0 && !(state.duplicates && alreadyOpen));
  const disabled = state.busy || none;
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

function renderDetail() {
  // Keep focus where it was across the re-render (by data-key), unless told otherwise.
  const active = document.activeElement;
  const hadFocus = ui.detail.contains(active) && active !== ui.detail;
  const requested = state.focusKey;
  const key = requested ?? (hadFocus ? active?.dataset?.key : null);
  state.focusKey = null;
  // Text being typed into an inline edit survives the re-render.
  const drafts = new Map();
  for (const input of ui.detail.querySelectorAll('input[type="text"][data-key]')) {
    drafts.set(input.dataset.key, { value: input.value, start: input.selectionStart, end: input.selectionEnd });
  }

  const id = state.selected;
  if (!id) {
    ui.detail.replaceChildren(el('p', { class: 'detail-empty' }, t('detailEmpty')));
    return;
  }
  const save = saveById(id);
  const plan = state.planFor === id ? state.plan : null;
  const source = plan?.source ?? sourceById(id);

  const parts = [detailHead(id, save, source)];
  parts.push(confirmBox(id, save));
  parts.push(openBar(plan));
  if (state.result) parts.push(el('div', { class: `result result-${state.result.kind}`, role: 'status', tabindex: '-1' }, state.result.nodes));
  if (state.planError) {
    const again = el('button', { type: 'button', class: 'button button-small', dataset: { action: 'retry-plan', key: 'retry-plan' } }, t('retry'));
    parts.push(el('div', { class: 'alert alert-danger', role: 'alert' }, ...errorBox('errPlan', state.planError), again));
  }
  if (plan) {
    const notices = [...(Array.isArray(plan.notices) ? plan.notices : [])];
    if (source?.notice && !notices.includes(source.notice)) notices.unshift(source.notice);
    if (notices.length) parts.push(el('ul', { class: 'notices' }, notices.map((n) => el('li', { class: 'notice' }, icon('warning'), el('span', {}, n)))));
    const windows = Array.isArray(plan.windows) ? plan.windows : [];
    parts.push(windows.length
      ? el('div', { class: 'windows' }, windows.map(windowSection))
      : el('p', { class: 'detail-status muted' }, t('planEmpty')));
  } else if (!state.planError) {
    parts.push(el('p', { class: 'detail-status muted' }, t('loading')));
  }
  ui.detail.replaceChildren(...parts.filter(Boolean));
  ui.detail.classList.toggle('is-busy', state.busy);

  for (const [draftKey, draft] of drafts) {
    const input = ui.detail.querySelector(`input[data-key="${CSS.escape(draftKey)}"]`);
    if (input) input.value = draft.value;
  }
  const target = key ? ui.detail.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  if (target && !target.disabled) {
    target.focus({ preventScroll: !requested });
    if (requested && key === 'rename-input') target.select();
    else if (requested && key === 'tags-input') target.setSelectionRange(target.value.length, target.value.length);
    else if (drafts.has(key)) target.setSelectionRange(drafts.get(key).start, drafts.get(key).end);
  } else if (hadFocus || requested) {
    (ui.detail.querySelector('#detail-title') ?? ui.detail).focus({ preventScroll: true });
  }
}

// ---------------------------------------------------------------- actions

function setBusy(busy) {
  state.busy = busy;
  document.body.classList.toggle('is-busy', busy);
}

function restoreResultNodes(answer) {
  const nodes = [el('p', { class: 'result-title' }, icon('check'), el('span', {}, restoreDoneText(answer)))];
  const skipped = Array.isArray(answer.skipped) ? answer.skipped : [];
  if (skipped.length) {
    nodes.push(el('p', { class: 'result-subtitle' }, t('skippedHeading')),
      el('ul', { class: 'skipped' }, skipped.map((s) => el('li', {},
        el('span', { class: 'skipped-url' }, String(s.url ?? '')), ' — ', String(s.reason ?? '')))));
  }
  const notices = Array.isArray(answer.notices) ? answer.notices : [];
  if (notices.length) nodes.push(el('ul', { class: 'result-notices' }, notices.map((n) => el('li', {}, String(n)))));
  return nodes;
}

async function restore(select, mode, { duplicates = state.duplicates, focusKey = null } = {}) {
  const source = state.selected;
  if (state.busy || !source) return;
  state.confirm = null;
  state.result = { kind: 'working', nodes: [el('p', {}, t('restoring'))] };
  setBusy(true);
  state.focusKey = focusKey;
  renderDetail();
  try {
    const message = { type: 'restore', source, select, mode };
    if (duplicates) message.duplicates = true;
    const answer = await send(message);
    if (state.selected !== source) return;
    state.result = { kind: Array.isArray(answer.skipped) && answer.skipped.length ? 'partial' : 'success', nodes: restoreResultNodes(answer) };
  } catch (error) {
    if (state.selected !== source) return;
    state.result = { kind: 'error', nodes: errorBox('errRestore', error) };
  } finally {
    setBusy(false);
    if (state.selected === source) state.focusKey = focusKey;
    renderDetail();
  }
  // What is open changed: the current session and the plan's "already open".
  loadLists();
  if (state.selected === source) loadPlan({ quiet: true });
}

async function rename(id, name) {
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
    toast(`${t('errRename')} ${errorText(error)}`, { kind: 'error', timeout: 8000 });
  } finally {
    setBusy(false);
    renderNamed();
    renderSelectionMarks();
    renderDetail();
  }
}

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

async function setTags(id, text) {
  if (state.busy) return;
  setBusy(true);
  try {
    const answer = await send({ type: 'named.tags', id, tags: parseTags(text) });
    replaceSave(answer.save);
    state.edit = null;
    state.focusKey = 'tags';
  } catch (error) {
    state.focusKey = 'tags-input';
    toast(`${t('errTags')} ${errorText(error)}`, { kind: 'error', timeout: 8000 });
  } finally {
    setBusy(false);
    renderNamed();
    renderSelectionMarks();
    renderDetail();
  }
}

function replaceSave(save) {
  if (!save?.id) return;
  const i = state.saves.findIndex((s) => s.id === save.id);
  if (i >= 0) state.saves[i] = save;
  else state.saves.unshift(save);
}

async function overwrite(id) {
  if (state.busy) return;
  state.confirm = null;
  setBusy(true);
  renderDetail();
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
    renderNamed();
    renderSelectionMarks();
    renderDetail();
  }
  if (state.selected === id) loadPlan({ quiet: true });
}

async function remove(id) {
  if (state.busy) return;
  const save = saveById(id);
  const name = saveName(save);
  setBusy(true);
  try {
    await send({ type: 'named.delete', id });
  } catch (error) {
    setBusy(false);
    state.result = { kind: 'error', nodes: errorBox('errDelete', error) };
    state.focusKey = 'delete';
    renderDetail();
    return;
  }
  setBusy(false);
  const index = state.saves.findIndex((s) => s.id === id);
  state.saves = state.saves.filter((s) => s.id !== id);
  state.checked.delete(id);
  const next = state.saves[Math.min(index, state.saves.length - 1)] ?? null;
  state.selected = null;
  renderNamed();
  syncExportChoice();
  if (next) selectSource(next.id);
  else {
    history.replaceState(null, '', location.pathname + location.search);
    renderDetail();
  }
  const shown = toast(t('deleted', name), {
    timeout: 10_000,
    action: { label: t('undo'), icon: 'undo', run: () => undelete(id) },
  });
  shown.actionButton?.focus();
  loadNamed().catch(() => {});
}

async function undelete(id) {
  try {
    await send({ type: 'named.undelete', id });
    await loadNamed();
    syncExportChoice();
    selectSource(id);
    ui.namedList.querySelector(`li[data-id="${CSS.escape(id)}"] .item-main`)?.focus();
  } catch (error) {
    toast(`${t('errUndelete')} ${errorText(error)}`, { kind: 'error', timeout: 8000 });
  }
}

async function askReplace() {
  state.confirm = 'replace';
  state.currentCounts = null;
  state.focusKey = 'cancel-confirm';
  renderDetail();
  try {
    const status = await send({ type: 'status' });
    if (state.confirm !== 'replace') return;
    state.currentCounts = { windows: Number(status.windows) || 0, tabs: Number(status.tabs) || 0 };
    renderDetail();
  } catch { /* the plain question stays */ }
}

function windowSelect(w, { includeOpen = state.duplicates } = {}) {
  const win = state.plan?.windows?.[w];
  const tabs = (Array.isArray(win?.tabs) ? win.tabs : [])
    .map((tab, i) => ({ status: tab.status ?? 'restore', i }))
    .filter(({ status }) => status === 'restore' || (includeOpen && status === 'already_open'))
    .map(({ i }) => i);
  return [{ window: w, tabs }];
}

ui.detail.addEventListener('click', (event) => {
  const button = event.target.closest('button');
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
    case 'cancel-confirm': {
      const back = state.confirm === 'overwrite' ? 'overwrite' : 'open-replace';
      state.confirm = null;
      state.focusKey = back;
      renderDetail();
      break;
    }
    case 'rename':
    case 'tags':
      state.edit = state.edit === button.dataset.action ? null : button.dataset.action;
      state.focusKey = state.edit ? `${state.edit}-input` : button.dataset.action;
      renderDetail();
      break;
    case 'cancel-edit': {
      const back = state.edit;
      state.edit = null;
      state.focusKey = back;
      renderDetail();
      break;
    }
    case 'overwrite':
      state.confirm = 'overwrite';
      state.focusKey = 'cancel-confirm';
      renderDetail();
      break;
    case 'do-overwrite': overwrite(id); break;
    case 'delete': remove(id); break;
    case 'retry-plan': loadPlan(); break;
    default: break;
  }
});

ui.detail.addEventListener('change', (event) => {
  if (event.target.classList.contains('dup-check')) {
    state.duplicates = event.target.checked;
    state.focusKey = 'dup';
    renderDetail();
  }
});

ui.detail.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  if (state.edit) {
    event.preventDefault();
    const back = state.edit;
    state.edit = null;
    state.focusKey = back;
    renderDetail();
  } else if (state.confirm) {
    event.preventDefault();
    const back = state.confirm === 'overwrite' ? 'overwrite' : 'open-replace';
    state.confirm = null;
    state.focusKey = back;
    renderDetail();
  }
});

// ----------------------------------------------------------------- import

const FORMAT_KEYS = new Set(['firefox', 'tsm', 'onetab', 'urls', 'lifeboat']);

function formatLabel(format) {
  const key = String(format ?? '').toLowerCase();
  return FORMAT_KEYS.has(key) ? t(`importFormat_${key}`) : String(format ?? '');
}

// The preview shows the file's sessions, windows and tabs, every one ticked;
// what stays ticked is imported. The ticks live in `state.importPreview`
// (one Uint8Array per window), so a window's tabs need not be on the page:
// past FOLD_TABS tabs in a file, windows start folded and list their tabs
// when opened, CHUNK rows a frame.
const FOLD_TABS = 200;
const CHUNK = 400;

function resetImport() {
  state.importToken = null;
  state.importPreview = null;
  ui.importPreview.hidden = true;
  ui.importPreviewBody.replaceChildren();
  ui.importError.hidden = true;
  ui.importStatus.hidden = true;
}

async function importFile(file) {
  if (!file) return;
  resetImport();
  ui.importDone.hidden = true;
  ui.importStatus.textContent = t('importReading', file.name);
  ui.importStatus.hidden = false;
  ui.importCommit.disabled = true;
  try {
    const data = base64(await file.arrayBuffer());
    const answer = await send({ type: 'import.preview', fileName: file.name, data });
    state.importToken = answer.token ?? null;
    renderPreview(file.name, answer);
  } catch (error) {
    ui.importError.replaceChildren(...errorBox('errImport', error));
    ui.importError.hidden = false;
  } finally {
    ui.importStatus.hidden = true;
    ui.importFile.value = '';
  }
}

function previewWindows(session) {
  return Array.isArray(session?.content) ? session.content : [];
}

function previewTabs(win) {
  return Array.isArray(win?.tabs) ? win.tabs : [];
}

function previewTabRow(s, w, i) {
  const p = state.importPreview;
  const tab = previewTabs(previewWindows(p.sessions[s])[w])[i];
  return tabItem({ ...tab, status: 'restore' }, w, i, {
    check: { id: `imp-${s}-${w}-${i}`, checked: p.ticks[s][w].marks[i] === 1, dataset: { session: String(s), window: String(w), tab: String(i) } },
    shortUrl: true,
  });
}

/** Lists the tabs of window `w` of session `s` into its (empty) list, a chunk a frame. */
function fillPreviewTabs(section, s, w) {
  const p = state.importPreview;
  const ol = section.querySelector('ol.tabs');
  const count = previewTabs(previewWindows(p.sessions[s])[w]).length;
  section.dataset.filled = 'true';
  let i = 0;
  // The first chunk goes in at once (the section may not be on the page yet);
  // later ones only while this preview is still on show.
  const step = (first = false) => {
    if (state.importPreview !== p || (!first && !ol.isConnected)) return;
    const end = Math.min(count, i + CHUNK);
    const rows = document.createDocumentFragment();
    for (; i < end; i += 1) rows.append(previewTabRow(s, w, i));
    ol.append(rows);
    if (i < count) requestAnimationFrame(() => step());
  };
  step(true);
}

function previewWindow(win, s, w, fold) {
  const p = state.importPreview;
  const listed = win.listed !== false;
  const count = Number(win.count) || 0;
  const closed = !!win.closed;
  const toggle = listed && fold ? el('button', {
    type: 'button', class: 'button button-small window-toggle', 'aria-expanded': 'false',
    'aria-controls': `imp-${s}-window-${w}-tabs`, dataset: { session: String(s), window: String(w) },
  }, icon('chevron'), el('span', {}, t('importShowTabs'))) : null;
  const section = windowItem(win, w, {
    idPrefix: `imp-${s}-window`,
    check: { checked: p.ticks[s][w].on > 0, dataset: { session: String(s), window: String(w) } },
    meta: [
      closed ? el('span', { class: 'badge badge-closed', title: t('badgeClosedTitle') }, t('badgeClosed')) : null,
      win.state && win.state !== 'normal' ? el('span', {}, windowStateText(win.state)) : null,
      el('span', {}, tn('nTabs', count)),
    ],
    tools: toggle,
    attrs: { 'data-session': String(s), 'data-closed': String(closed) },
  });
  const ol = section.querySelector('ol.tabs');
  ol.id = `imp-${s}-window-${w}-tabs`;
  if (!listed) {
    ol.hidden = true;
    section.append(el('p', { class: 'preview-unlisted muted' }, icon('info'), el('span', {}, t('importNotListed'))));
  } else if (fold) {
    ol.hidden = true;
  } else {
    fillPreviewTabs(section, s, w);
  }
  return section;
}

function renderPreview(fileName, answer) {
  const sessions = Array.isArray(answer.sessions) ? answer.sessions : [];
  const notes = Array.isArray(answer.notes) ? answer.notes : [];
  // Everything ticked to begin with.
  const ticks = sessions.map((session) => previewWindows(session).map((win) => {
    const count = Number(win.count) || 0;
    return { marks: new Uint8Array(count).fill(1), on: count, count };
  }));
  state.importPreview = { fileName, sessions, ticks };
  const listedTabs = sessions.reduce((n, session) => n + previewWindows(session).reduce((m, win) => m + previewTabs(win).length, 0), 0);
  const fold = listedTabs > FOLD_TABS;

  const merge = sessions.length > 1 ? el('fieldset', { class: 'preview-merge' },
    el('legend', { class: 'visually-hidden' }, t('importMergeLegend')),
    el('label', { class: 'choice' },
      el('input', { type: 'radio', name: 'import-merge', value: 'separate', class: 'merge-separate', checked: true }),
      el('span', {}, t('importMergeSeparate'))),
    el('label', { class: 'choice' },
      el('input', { type: 'radio', name: 'import-merge', value: 'one', class: 'merge-one' }),
      el('span', {}, t('importMergeOne'))),
    el('input', {
      type: 'text', class: 'input merge-name', value: String(sessions[0]?.name ?? ''), maxlength: 200,
      'aria-label': t('importMergeName'), autocomplete: 'off', spellcheck: 'false', disabled: true,
    })) : null;

  const list = sessions.length ? el('ul', { class: 'preview-sessions' }, sessions.map((session, s) => el('li', {
    class: `preview-session${session.closed ? ' is-closed' : ''}`, dataset: { session: String(s) },
  },
  el('div', { class: 'preview-session-head' },
    el('label', { class: 'preview-session-label', for: `imp-${s}` },
      el('input', { type: 'checkbox', id: `imp-${s}`, class: 'session-check', checked: true, dataset: { session: String(s) } }),
      el('span', { class: 'preview-session-name' }, String(session.name ?? '').trim() || t('untitled'))),
    el('span', { class: 'preview-session-meta' },
      session.closed ? el('span', { class: 'badge badge-closed', title: t('badgeClosedTitle') }, t('badgeClosed')) : null,
      session.savedAt != null ? `${formatDateTime(session.savedAt)} · ` : '',
      countsText(Number(session.windows) || 0, Number(session.tabs) || 0))),
  el('div', { class: 'windows' }, previewWindows(session).map((win, w) => previewWindow(win, s, w, fold)))))) : null;

  // (replaceChildren would write a null as the text "null")
  ui.importPreviewBody.replaceChildren(...[
    el('p', { class: 'preview-file' },
      el('span', { class: 'preview-name' }, fileName),
      el('span', { class: 'badge preview-format' }, formatLabel(answer.format))),
    el('p', { class: 'preview-lead' }, sessions.length ? t('importSelectHint') : t('importNothing')),
    merge,
    list,
    sessions.length ? el('p', { class: 'preview-count', id: 'import-selection-count', role: 'status' }) : null,
    notes.length ? el('ul', { class: 'preview-notes' }, notes.map((n) => el('li', {}, icon('info'), el('span', {}, String(n))))) : null,
  ].filter(Boolean));
  for (let s = 0; s < sessions.length; s += 1) syncPreviewBoxes(s);
  updateImportSelection();
  ui.importPreview.hidden = false;
  (ui.importCommit.disabled ? ui.importCancel : ui.importCommit).focus();
}

/** The session's and its windows' checkboxes as the ticks say (ticked, partly, not). */
function syncPreviewBoxes(s) {
  const p = state.importPreview;
  const wins = p.ticks[s];
  for (const [w, x] of wins.entries()) {
    const box = ui.importPreviewBody.querySelector(`#imp-${s}-window-${w}`);
    if (!box) continue;
    box.checked = x.count > 0 && x.on === x.count;
    box.indeterminate = x.on > 0 && x.on < x.count;
    box.closest('section.window')?.classList.toggle('is-off', x.on === 0);
  }
  const box = ui.importPreviewBody.querySelector(`#imp-${s}`);
  if (box) {
    const on = wins.reduce((n, x) => n + x.on, 0);
    const all = wins.reduce((n, x) => n + x.count, 0);
    box.checked = all > 0 && on === all;
    box.indeterminate = on > 0 && on < all;
  }
}

function setWindowTicks(s, w, on) {
  const x = state.importPreview.ticks[s][w];
  x.marks.fill(on ? 1 : 0);
  x.on = on ? x.count : 0;
  const section = ui.importPreviewBody.querySelector(`section.window[data-session="${s}"][data-index="${w}"]`);
  for (const box of section?.querySelectorAll('.tab-check') ?? []) box.checked = on;
}

function importMerged() {
  return !!ui.importPreviewBody.querySelector('.merge-one:checked');
}

/** What import.commit is to keep: null for everything, else the ticked part (docs/PROTOCOL.md). */
function importSelection() {
  const p = state.importPreview;
  if (!p) return null;
  let everything = true;
  const select = [];
  for (const [s, wins] of p.ticks.entries()) {
    const full = wins.every((x) => x.on === x.count);
    everything &&= full;
    if (!wins.some((x) => x.on > 0)) continue;
    if (full) {
      select.push({ session: s });
      continue;
    }
    const windows = [];
    for (const [w, x] of wins.entries()) {
      if (x.on === 0) continue;
      if (x.on === x.count) {
        windows.push({ window: w });
        continue;
      }
      const tabs = [];
      for (let i = 0; i < x.count; i += 1) if (x.marks[i]) tabs.push(i);
      windows.push({ window: w, tabs });
    }
    select.push({ session: s, windows });
  }
  return everything ? null : select;
}

function updateImportSelection() {
  const p = state.importPreview;
  if (!p) return;
  let ticked = 0;
  let total = 0;
  let sessionsOn = 0;
  for (const wins of p.ticks) {
    const on = wins.reduce((n, x) => n + x.on, 0);
    ticked += on;
    total += wins.reduce((n, x) => n + x.count, 0);
    if (on > 0) sessionsOn += 1;
  }
  const merged = importMerged();
  const nameInput = ui.importPreviewBody.querySelector('.merge-name');
  if (nameInput) nameInput.disabled = !merged;
  const count = ui.importPreviewBody.querySelector('#import-selection-count');
  if (count) {
    count.textContent = ticked === 0 ? t('selectionNone') : t('selectionCount', formatNumber(ticked), formatNumber(total));
  }
  const lead = ui.importPreviewBody.querySelector('.preview-lead');
  if (lead && p.sessions.length) {
    lead.textContent = `${merged ? t('importWillMerge') : tn('importWillAdd', Math.max(sessionsOn, 1))} ${t('importSelectHint')}`;
  }
  ui.importCommit.disabled = !state.importToken || ticked === 0;
  ui.importCommit.textContent = merged || sessionsOn === 0 ? t('importCommit') : tn('importCommitN', sessionsOn);
}

ui.importPreviewBody.addEventListener('change', (e) => {
  const box = e.target;
  const p = state.importPreview;
  if (!p || !(box instanceof HTMLInputElement)) return;
  const s = Number(box.dataset.session);
  if (box.classList.contains('tab-check')) {
    const x = p.ticks[s][Number(box.dataset.window)];
    const i = Number(box.dataset.tab);
    const now = box.checked ? 1 : 0;
    if (x.marks[i] !== now) {
      x.marks[i] = now;
      x.on += now ? 1 : -1;
    }
    syncPreviewBoxes(s);
  } else if (box.classList.contains('window-check')) {
    setWindowTicks(s, Number(box.dataset.window), box.checked);
    syncPreviewBoxes(s);
  } else if (box.classList.contains('session-check')) {
    for (let w = 0; w < p.ticks[s].length; w += 1) setWindowTicks(s, w, box.checked);
    syncPreviewBoxes(s);
  }
  updateImportSelection();
});

ui.importPreviewBody.addEventListener('click', (e) => {
  const toggle = e.target.closest?.('.window-toggle');
  if (!toggle || !state.importPreview) return;
  const section = toggle.closest('section.window');
  const ol = section.querySelector('ol.tabs');
  const open = toggle.getAttribute('aria-expanded') !== 'true';
  if (open && section.dataset.filled !== 'true') fillPreviewTabs(section, Number(toggle.dataset.session), Number(toggle.dataset.window));
  ol.hidden = !open;
  toggle.setAttribute('aria-expanded', String(open));
  toggle.querySelector('span').textContent = t(open ? 'importHideTabs' : 'importShowTabs');
});

ui.importCommit.addEventListener('click', async () => {
  if (!state.importToken || ui.importCommit.disabled) return;
  ui.importCommit.disabled = true;
  try {
    const select = importSelection();
    const merge = importMerged();
    const name = ui.importPreviewBody.querySelector('.merge-name')?.value.trim() || null;
    const answer = await send({
      type: 'import.commit', token: state.importToken, ...(select ? { select } : {}), ...(merge ? { merge, name } : {}),
    });
    const created = Array.isArray(answer.saves) ? answer.saves : [];
    resetImport();
    ui.importDone.replaceChildren(icon('check'), el('p', {}, tn('importDone', created.length)));
    ui.importDone.hidden = false;
    await loadNamed().catch((error) => showPageError('errLists', error));
    syncExportChoice();
    if (created[0]?.id) selectSource(created[0].id);
    ui.importDone.focus?.();
  } catch (error) {
    ui.importCommit.disabled = false;
    ui.importError.replaceChildren(...errorBox('errImport', error));
    ui.importError.hidden = false;
  }
});

ui.importCancel.addEventListener('click', () => {
  resetImport();
  ui.importFile.focus();
});

ui.importFile.addEventListener('change', () => importFile(ui.importFile.files?.[0]));

// Drag and drop anywhere on the page.
let dragDepth = 0;
const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
document.addEventListener('dragenter', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth += 1;
  ui.dropOverlay.hidden = false;
});
document.addEventListener('dragover', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'copy';
});
document.addEventListener('dragleave', (e) => {
  if (!hasFiles(e)) return;
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) ui.dropOverlay.hidden = true;
});
document.addEventListener('drop', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth = 0;
  ui.dropOverlay.hidden = true;
  const file = e.dataTransfer.files?.[0];
  if (file) {
    $('import-card').scrollIntoView({ block: 'nearest' });
    importFile(file);
  }
});

// ----------------------------------------------------------------- export

function syncExportChoice() {
  // Ticks for sources that are gone no longer count.
  const known = new Set([...state.saves.map((s) => s.id), ...state.sources.map((s) => s.id)]);
  if (state.listsLoaded) for (const id of state.checked) if (!known.has(id)) state.checked.delete(id);
  const n = state.checked.size;
  ui.exportCheckedLabel.textContent = n ? tn('exportCheckedN', n) : t('exportCheckedNone');
  ui.exportChecked.disabled = n === 0;
  if (n === 0 && ui.exportChecked.checked) document.querySelector('input[name="export-what"][value="current"]').checked = true;
}

ui.exportButton.addEventListener('click', async () => {
  const what = document.querySelector('input[name="export-what"]:checked')?.value ?? 'current';
  const sources = what === 'checked' && state.checked.size ? [...state.checked] : ['current'];
  const format = ui.exportFormat.value;
  ui.exportButton.disabled = true;
  setStatus(ui.exportStatus, 'working', t('working'));
  try {
    const answer = await send({ type: 'export', format, sources, typedText: ui.exportTyped.checked });
    download(String(answer.fileName || `lifeboat-${localDate()}.txt`), answer.mime, String(answer.text ?? ''));
    const done = t('exportDone', String(answer.fileName ?? ''));
    setStatus(ui.exportStatus, 'ok', icon('check'), el('span', {}, answer.holdsTypedText ? `${done} ${t('fileHoldsTypedText')}` : done));
  } catch (error) {
    setStatus(ui.exportStatus, 'error', icon('warning'), el('span', {}, `${t('errExport')} ${errorText(error)}`));
  } finally {
    ui.exportButton.disabled = false;
  }
});

ui.backupButton.addEventListener('click', async () => {
  ui.backupButton.disabled = true;
  setStatus(ui.backupStatus, 'working', t('working'));
  try {
    const answer = await send({ type: 'backup', typedText: ui.backupTyped.checked });
    const fileName = `lifeboat-backup-${localDate()}.json`;
    const records = Array.isArray(answer.records) ? answer.records.length : 0;
    download(fileName, 'application/json', JSON.stringify(answer, null, 1));
    const done = t('backupDone', fileName, tn('nRecords', records));
    setStatus(ui.backupStatus, 'ok', icon('check'), el('span', {}, answer.holdsTypedText ? `${done} ${t('fileHoldsTypedText')}` : done));
  } catch (error) {
    setStatus(ui.backupStatus, 'error', icon('warning'), el('span', {}, `${t('errBackup')} ${errorText(error)}`));
  } finally {
    ui.backupButton.disabled = false;
  }
});

// --------------------------------------------------------------- settings

const TIERS = [
  { input: 'tier-minutes', bucketMs: MINUTE },
  { input: 'tier-hours', bucketMs: HOUR },
  { input: 'tier-days', bucketMs: DAY },
];

function fillSettings(settings) {
  const form = ui.settingsForm;
  const radio = (name, value) => {
    const box = form.querySelector(`input[name="${name}"][value="${CSS.escape(String(value))}"]`);
    if (box) box.checked = true;
  };
  radio('privacyLevel', settings.privacyLevel ?? 'everywhere');
  radio('afterCrash', settings.afterCrash ?? 'ask');
  form.elements.excludedSites.value = (Array.isArray(settings.excludedSites) ? settings.excludedSites : []).join('\n');
  form.elements.lazyRestore.checked = !!settings.lazyRestore;
  form.elements.sync.checked = !!settings.sync;
  const tiers = Array.isArray(settings.timeline) ? settings.timeline : [];
  for (const { input, bucketMs } of TIERS) {
    const tier = tiers.find((x) => Number(x.bucketMs) === bucketMs);
    $(input).value = String(tier ? Math.round(Number(tier.horizonMs) / bucketMs) : 0);
  }
  form.elements.timelineMaxMib.value = String(Number(settings.timelineMaxMib) || 0);
}

function readSettings() {
  const form = ui.settingsForm;
  const base = state.settings ?? {};
  const tiers = (Array.isArray(base.timeline) ? base.timeline : [])
    .filter((x) => !TIERS.some(({ bucketMs }) => Number(x.bucketMs) === bucketMs));
  for (const { input, bucketMs } of TIERS) {
    const n = Math.max(0, Math.round(Number($(input).value) || 0));
    if (n > 0) tiers.push({ bucketMs, horizonMs: n * bucketMs });
  }
  tiers.sort((a, b) => a.bucketMs - b.bucketMs);
  return {
    ...base,
    privacyLevel: form.querySelector('input[name="privacyLevel"]:checked')?.value ?? base.privacyLevel,
    excludedSites: form.elements.excludedSites.value.split('\n').map((s) => s.trim()).filter(Boolean),
    lazyRestore: form.elements.lazyRestore.checked,
    sync: form.elements.sync.checked,
    afterCrash: form.querySelector('input[name="afterCrash"]:checked')?.value ?? base.afterCrash,
    timeline: tiers,
    timelineMaxMib: Math.max(0, Math.round(Number(form.elements.timelineMaxMib.value) || 0)),
  };
}

function settingsEnabled(on) {
  for (const set of ui.settingsForm.querySelectorAll('fieldset')) set.disabled = !on;
  ui.settingsSave.disabled = !on;
}

let savedTimer = null;

async function loadSettings() {
  try {
    const settings = await send({ type: 'settings' });
    state.settings = settings.settings ?? settings;
    fillSettings(state.settings);
    ui.settingsStatus.hidden = true;
    ui.settingsError.hidden = true;
    settingsEnabled(true);
    loadSyncStatus();
  } catch (error) {
    ui.settingsStatus.hidden = true;
    ui.settingsError.replaceChildren(...errorBox('errSettings', error));
    ui.settingsError.hidden = false;
  }
}

ui.settingsForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!state.settings || ui.settingsSave.disabled) return;
  if (!ui.settingsForm.reportValidity()) return;
  const settings = readSettings();
  ui.settingsSave.disabled = true;
  ui.settingsSaved.replaceChildren(t('saving'));
  ui.settingsSaved.className = 'settings-saved is-working';
  clearTimeout(savedTimer);
  try {
    const answer = await send({ type: 'setSettings', settings });
    const stored = answer.settings ?? (answer.privacyLevel ? answer : settings);
    state.settings = stored;
    fillSettings(stored);
    // Turning sync on syncs before the answer comes: show how that went.
    loadSyncStatus();
    ui.settingsError.hidden = true;
    ui.settingsSaved.className = 'settings-saved is-ok';
    ui.settingsSaved.replaceChildren(icon('check'), el('span', {}, t('settingsSaved')));
    savedTimer = setTimeout(() => ui.settingsSaved.replaceChildren(), 4000);
  } catch (error) {
    ui.settingsSaved.replaceChildren();
    ui.settingsError.replaceChildren(...errorBox('errSaveSettings', error));
    ui.settingsError.hidden = false;
  } finally {
    ui.settingsSave.disabled = false;
  }
});

ui.settingsForm.addEventListener('input', () => {
  clearTimeout(savedTimer);
  ui.settingsSaved.replaceChildren();
});

// ------------------------------------------------------------------- sync

/** The last sync's result under the sync setting, while sync is on. */
function renderSync() {
  const box = ui.syncStatus;
  const sync = state.syncResult;
  if (!state.settings?.sync) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const nodes = [];
  if (!sync || sync.at == null) {
    nodes.push(el('p', { class: 'sync-line muted' }, t('syncNotYet')));
  } else if (sync.error != null) {
    nodes.push(el('p', { class: 'sync-line is-error' }, icon('warning'),
      el('span', {}, String(sync.error), ' ', agoElement(sync.at, 'syncFailedWhen'))));
  } else {
    nodes.push(el('p', { class: 'sync-line is-ok' }, icon('check'),
      el('span', {}, agoElement(sync.at, 'syncLast'), ' ',
        t('syncCounts', tn('syncSent', Number(sync.pushed) || 0), tn('syncReceived', Number(sync.pulled) || 0)))));
    const list = (cls, items) => el('ul', { class: `sync-list ${cls}` }, items.map((x) => el('li', {}, String(x))));
    const conflicts = Array.isArray(sync.conflicts) ? sync.conflicts : [];
    if (conflicts.length) {
      nodes.push(el('p', { class: 'sync-line is-warn' }, icon('info'), el('span', {}, t('syncConflicts'))),
        list('sync-conflicts', conflicts));
    }
    const notSynced = Array.isArray(sync.notSynced) ? sync.notSynced : [];
    if (notSynced.length) {
      nodes.push(el('p', { class: 'sync-line is-warn' }, icon('warning'), el('span', {}, t('syncNotSynced'))),
        list('sync-not-synced', notSynced));
    }
  }
  box.replaceChildren(...nodes);
  box.hidden = false;
}

async function loadSyncStatus() {
  try {
    const status = await send({ type: 'status' });
    state.syncResult = status.sync ?? null;
  } catch { /* the last known result stays */ }
  renderSync();
}

// Syncs also happen on their own (every minute, and when another device's change
// arrives): keep the line current while the page is looked at.
setInterval(() => {
  if (document.visibilityState === 'visible' && state.settings?.sync) loadSyncStatus();
}, 30_000);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.settings?.sync) loadSyncStatus();
});

// ------------------------------------------------------------- page nav

for (const button of document.querySelectorAll('[data-goto]')) {
  button.addEventListener('click', () => {
    const target = $(button.dataset.goto);
    target.scrollIntoView({ block: 'start', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
    target.focus({ preventScroll: true });
  });
}

// "/" focuses the search box, as on many sites.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest('input, textarea, select, [contenteditable]')) return;
  event.preventDefault();
  ui.search.focus();
  ui.search.select();
});

// ------------------------------------------------------------------- hash

/** `#select=<id>` opens with that source selected; `#rename=<id>` with its name being edited. */
function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const rename = params.get('rename');
  const select = rename ?? params.get('select');
  return select ? { id: select, rename: !!rename } : null;
}

async function applyHash({ reload = false } = {}) {
  const wanted = readHash();
  if (!wanted) return false;
  if (reload) await loadLists();
  if (wanted.rename && isNamed(wanted.id)) {
    selectSource(wanted.id, { edit: 'rename' });
  } else {
    selectSource(wanted.id);
  }
  document.querySelector(`.browse li.item[data-id="${CSS.escape(wanted.id)}"]`)?.scrollIntoView({ block: 'nearest' });
  return true;
}

// Saves made elsewhere (the popup, the context menu) show up when the page is looked at again.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.listsLoaded && !state.busy) loadLists();
});

window.addEventListener('hashchange', () => {
  const wanted = readHash();
  if (wanted && (wanted.id !== state.selected || wanted.rename)) applyHash({ reload: true });
});

// ------------------------------------------------------------------ start

await initI18n();
localize();
ui.search.placeholder = t('searchPlaceholder');
syncExportChoice();
tickTimes(30_000);
await Promise.all([loadLists(), loadSettings()]);
if (!(await applyHash())) {
  const first = state.saves[0]?.id ?? state.sources.find((s) => s.kind === 'current')?.id ?? state.sources[0]?.id;
  if (first) {
    selectSource(first);
  }
}
