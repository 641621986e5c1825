// @ts-check
// The restore page: lists what can be restored, shows the plan for one source
// and sends the user's choice back. All decisions are the background's.

import {
  agoElement, byId, countsText, earlierPages, el, errorText, formatDateTime, icon, initI18n, localize, planNotices,
  messageText, renderAutosave, restorableCount, restoreResultNodes, selectionText, send, setTriState, sourceLabel, t, tabItem, tickTimes, tn,
  windowItem, windowStateText,
} from './common.js';
import { WINDOWED_FROM, refreshRows, showRows } from './rows.js';

/**
 * @typedef {import('./types/pages').Source} Source
 * @typedef {import('./types/pages').Plan} Plan
 * @typedef {import('./types/pages').PlanTab} PlanTab
 * @typedef {import('./types/pages').PlanWindow} PlanWindow
 * @typedef {import('./types/pages').Selection} Selection
 */

const ui = {
  heading: byId('heading'),
  subheading: byId('subheading'),
  autosave: byId('autosave-alert'),
  sources: byId('sources'),
  sourcesStatus: byId('sources-status'),
  planHead: byId('plan-head'),
  planTitle: byId('plan-title'),
  planTaken: byId('plan-taken'),
  planCrash: byId('plan-crash'),
  planSummary: byId('plan-summary'),
  notices: byId('notices'),
  actions: byId('actions'),
  count: byId('selection-count'),
  restoreSelected: byId('restore-selected', HTMLButtonElement),
  restoreAll: byId('restore-all', HTMLButtonElement),
  dontRestore: byId('dont-restore', HTMLButtonElement),
  result: byId('result'),
  planStatus: byId('plan-status'),
  windows: byId('windows'),
};

const state = {
  /** @type {Source[]} */
  sources: [],
  /** @type {string | null} source id */
  selected: null,
  /** @type {Plan | null} the plan on screen */
  plan: null,
  /** @type {string | null} the source that plan belongs to */
  planSource: null,
  busy: false,
  /** @type {string | null} */
  busyText: null,
  planRequest: 0,
  /** @type {WindowTicks[]} the plan's ticks, one per window: the rows of a long plan are not all on the page */
  ticks: [],
};

/** @typedef {{ marks: Uint8Array, on: number, total: number }} WindowTicks marks[i] 1: tab i ticked; total: its restorable tabs */

// ------------------------------------------------------------------ result

/** @param {string} kind @param {...Node} content */
function showResult(kind, ...content) {
  ui.result.className = `result result-${kind}`;
  ui.result.replaceChildren(...content);
  ui.result.hidden = false;
  if (kind !== 'working') ui.result.scrollIntoView({ block: 'nearest' });
}

/**
 * @param {string} contextKey
 * @param {unknown} error
 * @param {{ append?: boolean, retry?: (() => void) | null }} [options]
 */
function showError(contextKey, error, { append = false, retry = null } = {}) {
  const again = retry ? el('button', { type: 'button', class: 'button retry' }, t('retry')) : null;
  again?.addEventListener('click', () => {
    clearResult();
    retry?.();
  });
  const box = el('div', { class: 'result-error-box', role: 'alert' },
    icon('warning'),
    el('div', { class: 'result-error-text' },
      el('p', { class: 'result-title' }, t(contextKey)), el('p', {}, errorText(error))),
    again);
  if (append && !ui.result.hidden) {
    ui.result.append(box);
  } else {
    showResult('error', box);
  }
}

function clearResult() {
  ui.result.hidden = true;
  ui.result.replaceChildren();
}

// ----------------------------------------------------------------- sources

/** @param {string | null} id */
function sourceById(id) {
  return state.sources.find((s) => s.id === id) ?? null;
}

function renderSources() {
  ui.sources.replaceChildren();
  const empty = state.sources.length === 0;
  ui.sourcesStatus.hidden = !empty;
  ui.sourcesStatus.classList.toggle('empty-state', empty);
  document.body.classList.toggle('is-empty', empty);
  if (empty) ui.sourcesStatus.textContent = t('sourcesEmpty');
  for (const source of state.sources) {
    const selected = source.id === state.selected;
    const button = el('button', {
      type: 'button',
      class: `source source-${source.kind}${source.pending ? ' is-pending' : ''}`,
      'aria-pressed': selected ? 'true' : 'false',
      dataset: { sourceId: source.id, kind: source.kind, pending: String(!!source.pending) },
      disabled: state.busy,
    },
    el('span', { class: 'source-top' },
      el('span', { class: 'source-label' }, sourceLabel(source)),
      source.pending ? el('span', { class: 'badge badge-pending' }, t('sourcePending')) : null),
    source.takenAt != null ? el('span', { class: 'source-time' },
      el('span', {}, formatDateTime(source.takenAt)), ' · ', agoElement(source.takenAt)) : null,
    el('span', { class: 'source-counts' }, countsText(source.windows, source.tabs)),
    source.notice ? el('span', { class: 'source-notice' }, icon('warning'), el('span', {}, messageText(source.notice))) : null);
    button.addEventListener('click', () => selectSource(source.id));
    ui.sources.append(el('li', {}, button));
  }
}

/** @param {string} verdict */
function renderHeading(verdict) {
  const crash = verdict === 'crash' || state.sources.some((s) => s.kind === 'crash' && s.pending);
  ui.heading.textContent = t(crash ? 'headingCrash' : 'headingDefault');
  ui.subheading.textContent = t(crash ? 'subheadingCrash' : 'subheadingDefault');
}

async function loadOverview({ keepSelection = false } = {}) {
  const overview = await send({ type: 'overview' });
  state.sources = overview.sources;
  renderAutosave(ui.autosave, overview.autosave);
  renderHeading(overview.verdict);
  if (!(keepSelection && sourceById(state.selected))) {
    // #source=<id> (a link to one session, e.g. from the bench) picks it when it is listed.
    const asked = new URLSearchParams(location.hash.slice(1)).get('source');
    const first = (asked ? sourceById(asked) : null)
      ?? state.sources.find((s) => s.kind === 'crash' && s.pending) ?? state.sources[0];
    state.selected = first?.id ?? null;
  }
  renderSources();
}

/** @param {string} id */
function selectSource(id) {
  if (state.busy || (id === state.selected && state.plan)) return;
  state.selected = id;
  state.plan = null;
  updateSelection();
  for (const b of ui.sources.querySelectorAll('button[data-source-id]')) {
    b.setAttribute('aria-pressed', String(b.getAttribute('data-source-id') === id));
  }
  clearResult();
  loadPlan();
}

// -------------------------------------------------------------------- plan

/** @param {PlanTab} tab @param {number} windowIndex @param {number} tabIndex */
function tabRow(tab, windowIndex, tabIndex) {
  const status = tab.status ?? 'restore';
  const restorable = status === 'restore';
  const id = `tab-${windowIndex}-${tabIndex}`;
  const notes = [];
  if (tab.container?.missing) {
    notes.push(el('p', { class: 'tab-note note-container' }, icon('info'), el('span', {}, t('containerMissing', tab.container.name ?? ''))));
  }
  if (status === 'blocked' && tab.reason) {
    notes.push(el('p', { class: 'tab-note note-blocked tab-reason' }, el('span', {}, messageText(tab.reason))));
  }
  const ticked = state.ticks[windowIndex]?.marks[tabIndex] === 1;
  return tabItem(tab, windowIndex, tabIndex, {
    check: { id, checked: restorable && ticked, disabled: !restorable, dataset: { window: String(windowIndex), tab: String(tabIndex) } },
    title: status === 'already_open' && tab.reason ? messageText(tab.reason) : null,
    after: [...notes, earlierPages(state.planSource, tab, windowIndex, tabIndex, (e) => showError('errOpenEarlierPage', e))],
  });
}

/** Every restorable tab ticked, as a plan starts. @param {Plan} plan @returns {WindowTicks[]} */
function allTicked(plan) {
  return plan.windows.map((win) => {
    const tabs = win.tabs ?? [];
    const marks = new Uint8Array(tabs.length);
    tabs.forEach((tab, i) => { marks[i] = (tab.status ?? 'restore') === 'restore' ? 1 : 0; });
    const total = marks.reduce((n, m) => n + m, 0);
    return { marks, on: total, total };
  });
}

/** @param {PlanWindow} win @param {number} windowIndex @param {boolean} windowed */
function windowSection(win, windowIndex, windowed) {
  const tabs = win.tabs ?? [];
  const restorable = restorableCount(tabs);
  return windowItem(win, windowIndex, {
    check: { checked: restorable > 0, disabled: restorable === 0 },
    meta: [
      el('span', { class: `window-state state-${win.state}` }, windowStateText(win.state)),
      el('span', { class: 'window-count' }, tn('nTabs', tabs.length)),
    ],
    rows: { count: tabs.length, row: (i) => tabRow(tabs[i], windowIndex, i), windowed, key: 'restore' },
  });
}

// Ticks go to state.ticks first; the boxes on the page follow it.
ui.windows.addEventListener('change', (e) => {
  const box = e.target;
  if (!(box instanceof HTMLInputElement) || !state.plan) return;
  const section = box.closest('section.window');
  const w = Number(section?.getAttribute('data-index'));
  const x = state.ticks[w];
  if (!x || !section) return;
  if (box.classList.contains('window-check')) {
    const tabs = state.plan.windows[w]?.tabs ?? [];
    tabs.forEach((tab, i) => { if ((tab.status ?? 'restore') === 'restore') x.marks[i] = box.checked ? 1 : 0; });
    x.on = box.checked ? x.total : 0;
    const ol = /** @type {HTMLElement} */ (section.querySelector('ol.tabs'));
    for (const tabBox of ol.querySelectorAll('.tab-check:not(:disabled)')) /** @type {HTMLInputElement} */ (tabBox).checked = box.checked;
    refreshRows(ol);
  } else if (box.classList.contains('tab-check')) {
    const i = Number(box.dataset.tab);
    const now = box.checked ? 1 : 0;
    if (x.marks[i] !== now) {
      x.marks[i] = now;
      x.on += now ? 1 : -1;
    }
  } else {
    return;
  }
  updateSelection();
});

/** @param {Plan} plan */
function renderPlan(plan) {
  /** @type {Partial<Source>} */
  const source = plan.source ?? sourceById(state.selected) ?? {};
  ui.planTitle.textContent = sourceLabel(source);
  ui.planTaken.replaceChildren();
  if (source.takenAt != null) {
    ui.planTaken.append(
      t('snapshotTaken', formatDateTime(source.takenAt, { seconds: true })), ' · ', agoElement(source.takenAt));
  }
  // Before anything opens: how long ago the crash was (the session as last
  // saved before it) and what "Restore all" opens (the core counts it).
  const crashedAt = source.kind === 'crash' ? source.takenAt : null;
  const crashed = crashedAt != null;
  ui.planCrash.replaceChildren(...(crashed ? [agoElement(crashedAt, 'crashAgo')] : []));
  ui.planCrash.hidden = !crashed;
  const will = plan.restorable ?? { tabs: 0, windows: 0 };
  const willTabs = Number(will.tabs) || 0;
  const willWindows = Number(will.windows) || 0;
  ui.planSummary.textContent = willTabs ? t('restoreAllWillOpen', countsText(willWindows, willTabs)) : '';
  ui.planSummary.dataset.tabs = String(willTabs);
  ui.planSummary.dataset.windows = String(willWindows);
  ui.planSummary.hidden = willTabs === 0;
  ui.planHead.hidden = false;

  const notices = planNotices(plan, plan.source ?? sourceById(state.selected));
  ui.notices.replaceChildren(...notices.map((n) => el('li', { class: 'notice' }, icon('warning'), el('span', {}, n))));
  ui.notices.hidden = notices.length === 0;

  const started = performance.now();
  state.ticks = allTicked(plan);
  const total = plan.windows.reduce((n, win) => n + (win.tabs?.length ?? 0), 0);
  const windowed = total > WINDOWED_FROM;
  ui.windows.replaceChildren(...plan.windows.map((win, w) => windowSection(win, w, windowed)));
  showRows(ui.windows);
  ui.actions.hidden = false;
  ui.planStatus.hidden = true;
  updateSelection();
  markPainted('lifeboat-plan-painted', started);
}

/** Marks (performance.mark) the first frame painted after now, and measures
 *  `lifeboat-plan-render` from `start` to then: the tests and the bench read them.
 * @param {string} name @param {number} start */
function markPainted(name, start) {
  requestAnimationFrame(() => setTimeout(() => {
    performance.mark(name);
    performance.measure('lifeboat-plan-render', { start, end: performance.now() });
  }, 0));
}

/** The ticked tabs, per window (from state: a long plan's rows are not all on the page). @returns {{ window: number, tabs: number[] }[]} */
function selection() {
  const select = [];
  for (const [w, x] of state.ticks.entries()) {
    if (!x.on) continue;
    const tabs = [];
    for (let i = 0; i < x.marks.length; i += 1) if (x.marks[i]) tabs.push(i);
    select.push({ window: w, tabs });
  }
  return select;
}

function updateSelection() {
  let total = 0;
  let ticked = 0;
  for (const section of ui.windows.querySelectorAll('section.window')) {
    const x = state.ticks[Number(section.getAttribute('data-index'))];
    if (!x) continue;
    total += x.total;
    ticked += x.on;
    setTriState(/** @type {HTMLInputElement} */ (section.querySelector('.window-check')), x.on, x.total);
    section.classList.toggle('is-off', x.total > 0 && x.on === 0);
  }
  ui.count.textContent = state.busy && state.busyText ? state.busyText
    : total === 0 ? t('noRestorable')
    : selectionText(ticked, total);
  const source = sourceById(state.selected);
  const idle = !state.busy && state.plan !== null && state.planSource === state.selected;
  ui.restoreSelected.disabled = !idle || ticked === 0;
  ui.restoreAll.disabled = !idle || total === 0;
  ui.dontRestore.disabled = !idle || !source?.pending;
  ui.dontRestore.title = source?.pending ? '' : t('dontRestoreHint');
}

/** @param {{ quiet?: boolean }} [options] quiet: keep what is on show while asking */
async function loadPlan({ quiet = false } = {}) {
  const id = state.selected;
  const request = ++state.planRequest;
  if (!id) {
    state.plan = null;
    ui.planHead.hidden = true;
    ui.actions.hidden = true;
    ui.notices.hidden = true;
    ui.windows.replaceChildren();
    return;
  }
  if (!quiet) {
    ui.planStatus.textContent = t('loading');
    ui.planStatus.hidden = false;
    ui.windows.setAttribute('aria-busy', 'true');
  }
  try {
    const asked = performance.now();
    const plan = await send({ type: 'plan', source: id });
    if (request !== state.planRequest) return;
    performance.measure('lifeboat-plan-request', { start: asked, end: performance.now() });
    state.plan = plan;
    state.planSource = id;
    renderPlan(plan);
  } catch (error) {
    if (request !== state.planRequest) return;
    ui.planStatus.hidden = true;
    if (!quiet) {
      state.plan = null;
      const source = sourceById(id);
      ui.planTitle.textContent = sourceLabel(source);
      ui.planTaken.replaceChildren();
      ui.planHead.hidden = !source;
      ui.notices.hidden = true;
      ui.actions.hidden = true;
      ui.windows.replaceChildren();
    }
    showError('errPlan', error, { append: quiet, retry: quiet ? null : () => loadPlan() });
  } finally {
    if (request === state.planRequest) ui.windows.removeAttribute('aria-busy');
  }
}

// ----------------------------------------------------------------- actions

/** @type {Element | null} */
let focusBeforeBusy = null;

/** @param {boolean} busy @param {string | null} [text] */
function setBusy(busy, text = null) {
  // Disabling the focused button drops keyboard focus; put it back afterwards.
  if (busy) focusBeforeBusy = document.activeElement;
  state.busy = busy;
  state.busyText = text;
  document.body.classList.toggle('is-busy', busy);
  ui.actions.setAttribute('aria-busy', String(busy));
  for (const b of ui.sources.querySelectorAll('button')) b.disabled = busy;
  updateSelection();
  if (!busy) {
    const lost = !document.activeElement || document.activeElement === document.body;
    const before = focusBeforeBusy;
    if (lost && before instanceof HTMLElement && before.isConnected && !(/** @type {HTMLButtonElement} */ (before).disabled)) before.focus();
    else if (lost && !ui.result.hidden) ui.result.focus({ preventScroll: true });
    else if (lost) /** @type {HTMLElement | null} */ (ui.sources.querySelector('[aria-pressed="true"]'))?.focus();
    focusBeforeBusy = null;
  }
}

async function refreshAfterAction() {
  try {
    await loadOverview({ keepSelection: true });
    await loadPlan({ quiet: true });
  } catch (error) {
    showError('errOverview', error, { append: true });
  }
}

/** @param {Selection} select */
async function restore(select) {
  if (state.busy || !state.plan || state.planSource !== state.selected) return;
  const source = state.planSource;
  if (!source) return;
  setBusy(true, t('restoring'));
  showResult('working', el('p', {}, t('restoring')));
  try {
    const answer = await send({ type: 'restore', source, select });
    showResult(answer.skipped?.length ? 'partial' : 'success', ...restoreResultNodes(answer));
    await refreshAfterAction();
  } catch (error) {
    showError('errRestore', error);
  } finally {
    setBusy(false);
  }
}

async function dismiss() {
  if (state.busy || !state.selected) return;
  const source = state.selected;
  if (!sourceById(source)?.pending) return;
  setBusy(true, t('dismissing'));
  showResult('working', el('p', {}, t('dismissing')));
  try {
    await send({ type: 'dismiss', source });
    // The session stays listed and restorable; Undo makes it a waiting crash again.
    const undo = el('button', { type: 'button', id: 'undo-dismiss', class: 'button undo', 'aria-label': t('undoDismiss') },
      icon('undo'), el('span', {}, t('undo')));
    undo.addEventListener('click', () => undismiss(source));
    showResult('success', el('div', { class: 'result-row' },
      el('p', { class: 'result-title' }, icon('check'), el('span', {}, t('dismissDone'))), undo));
    await refreshAfterAction();
  } catch (error) {
    showError('errDismiss', error);
  } finally {
    setBusy(false);
  }
}

/** @param {string} source */
async function undismiss(source) {
  if (state.busy) return;
  setBusy(true, t('dismissing'));
  showResult('working', el('p', {}, t('dismissing')));
  try {
    await send({ type: 'undismiss', source });
    if (state.selected !== source) {
      state.selected = source;
      state.plan = null;
    }
    showResult('success', el('p', { class: 'result-title undone' }, icon('undo'), el('span', {}, t('undismissDone'))));
    await refreshAfterAction();
  } catch (error) {
    showError('errUndismiss', error);
  } finally {
    setBusy(false);
  }
}

ui.restoreSelected.addEventListener('click', () => {
  const select = selection();
  if (select.length) restore(select);
});
ui.restoreAll.addEventListener('click', () => restore('all'));
ui.dontRestore.addEventListener('click', dismiss);

// -------------------------------------------------------------------- start

async function loadAll() {
  ui.sourcesStatus.textContent = t('loading');
  ui.sourcesStatus.hidden = false;
  try {
    await loadOverview();
  } catch (error) {
    ui.sourcesStatus.hidden = true;
    showError('errOverview', error, { retry: loadAll });
    return;
  }
  await loadPlan();
}

await initI18n();
localize();
tickTimes(30_000);
await loadAll();
