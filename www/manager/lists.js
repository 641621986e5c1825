// @ts-check
// The lists on the left: named saves (with the tag filter) and the autosaves
// and earlier sessions, each item with its export tick. Selecting an item
// shows it on the right (detail.js).

import {
  agoElement, byId, countsText, dataOf, el, formatDateTime, formatNumber, icon, messageText, renderAutosave, saveName, send, t,
  timeElement, tn,
} from '../common.js';
import { actions, onRender, render, sourceTitle, state } from './state.js';
import { showPageError } from './util.js';

/** @typedef {import('../types/pages').Source} Source */

const ui = {
  autosave: byId('autosave-alert'),
  pageError: byId('page-error'),
  browse: /** @type {HTMLElement} */ (document.querySelector('.browse')),
  namedList: byId('named-list'),
  namedStatus: byId('named-status'),
  namedCount: byId('named-count'),
  tagFilter: byId('tag-filter'),
  sourcesList: byId('sources-list'),
  sourcesStatus: byId('sources-status'),
  exportChecked: byId('export-checked', HTMLInputElement),
  search: byId('search', HTMLInputElement),
};

/** @param {string} id @param {string} title */
function checkbox(id, title) {
  return el('input', {
    type: 'checkbox', class: 'export-check', checked: state.checked.has(id),
    title: t('exportCheckTitle'), 'aria-label': t('exportCheckLabel', title),
    dataset: { id },
  });
}

/**
 * @param {{ id: string, title: string, meta: (Node | string | null)[], chips?: HTMLElement[], kind: string,
 *   pending?: boolean, notice?: string | null, extraClass?: string }} item
 */
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
  const tags = [...new Set(state.saves.flatMap((s) => (s.tags ?? []).map(String)))]
    .sort((a, b) => a.localeCompare(b));
  if (state.tagFilter && !tags.includes(state.tagFilter)) state.tagFilter = null;
  ui.tagFilter.hidden = tags.length === 0;
  /** @param {string | null} tag @param {string} label */
  const chip = (tag, label) => el('button', {
    type: 'button', class: 'filter-chip', 'aria-pressed': String(state.tagFilter === tag), dataset: { tag: tag ?? '' },
  }, tag != null ? icon('tag') : null, label);
  ui.tagFilter.replaceChildren(chip(null, t('tagFilterAll')), ...tags.map((tag) => chip(tag, tag)));
}

function renderNamed() {
  renderTagFilter();
  const filter = state.tagFilter;
  const shown = filter ? state.saves.filter((s) => (s.tags ?? []).map(String).includes(filter)) : state.saves;
  ui.namedList.replaceChildren(...shown.map((save) => itemRow({
    id: save.id,
    title: saveName(save),
    kind: 'named',
    meta: [timeElement(save.updatedAt ?? save.createdAt), ' · ', countsText(Number(save.windows) || 0, Number(save.tabs) || 0)],
    chips: (save.tags ?? []).map((tag) => el('span', { class: 'chip' }, String(tag))),
  })));
  ui.namedCount.textContent = state.saves.length
    ? (filter ? t('countOf', formatNumber(shown.length), formatNumber(state.saves.length)) : formatNumber(state.saves.length))
    : '';
  const empty = state.saves.length === 0;
  ui.namedStatus.hidden = !empty;
  if (empty) ui.namedStatus.textContent = t('namedSavesEmpty');
}

/** @param {Source} source */
function sourceRow(source) {
  const autosave = source.kind === 'autosave';
  return itemRow({
    id: source.id,
    title: autosave ? (source.takenAt != null ? formatDateTime(source.takenAt) : t('kind_autosave')) : sourceTitle(source),
    kind: source.kind,
    pending: !!source.pending,
    notice: messageText(source.notice),
    meta: autosave
      ? [source.takenAt != null ? agoElement(source.takenAt) : null, ' · ', countsText(source.windows, source.tabs)]
      : [timeElement(source.takenAt), source.takenAt != null ? ' · ' : null, countsText(source.windows, source.tabs)],
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

/** Which item is selected, without rebuilding the lists. */
function renderSelectionMarks() {
  for (const li of document.querySelectorAll('.browse li.item[data-id]')) {
    const on = dataOf(li).id === state.selected;
    li.classList.toggle('is-selected', on);
    li.querySelector('.item-main')?.setAttribute('aria-pressed', String(on));
  }
  if (state.selected && ui.sourcesList.querySelector(`li.item[data-id="${CSS.escape(state.selected)}"]`)?.closest('details')) {
    /** @type {HTMLDetailsElement} */ (ui.sourcesList.querySelector('details')).open = true;
  }
}

onRender('named', renderNamed);
onRender('sources', renderSources);
onRender('marks', renderSelectionMarks);

export async function loadNamed() {
  const answer = await send({ type: 'named.list' });
  state.saves = answer.saves;
  render('named');
}

async function loadOverview() {
  const overview = await send({ type: 'overview' });
  renderAutosave(ui.autosave, overview.autosave);
  state.sources = overview.sources.filter((s) => s.kind !== 'named');
  render('sources');
}

/** Reloads both lists; failures show on the page, not as a rejection. */
export async function loadLists() {
  // Re-rendering the lists must not lose the keyboard's place in them.
  const active = document.activeElement;
  const item = active?.closest('.browse li.item[data-id]');
  const place = item
    ? { id: dataOf(item).id ?? '', cls: active?.classList.contains('export-check') ? '.export-check' : '.item-main' }
    : null;
  const results = await Promise.allSettled([loadNamed(), loadOverview()]);
  if (place && !ui.browse.contains(document.activeElement)) {
    /** @type {HTMLElement | null} */ (document.querySelector(`.browse li.item[data-id="${CSS.escape(place.id)}"] ${place.cls}`))?.focus();
  }
  const failed = results.find((r) => r.status === 'rejected');
  if (results[0].status === 'rejected') ui.namedStatus.hidden = true;
  if (results[1].status === 'rejected') ui.sourcesStatus.hidden = true;
  if (failed) showPageError('errLists', failed.reason);
  else ui.pageError.hidden = true;
  state.listsLoaded = true;
  render('export', 'marks');
}

// Selecting: clicks on items, ticking for export, tag filter.
ui.browse.addEventListener('click', (event) => {
  const target = /** @type {Element} */ (event.target);
  const main = target.closest('.item-main');
  if (main) {
    actions.select(dataOf(main).id ?? '');
    return;
  }
  const chip = target.closest('.filter-chip');
  if (chip) {
    state.tagFilter = dataOf(chip).tag || null;
    render('named');
    /** @type {HTMLElement | null} */ (ui.tagFilter.querySelector(`.filter-chip[data-tag="${CSS.escape(state.tagFilter ?? '')}"]`))?.focus();
  }
});

ui.browse.addEventListener('change', (event) => {
  const box = /** @type {Element} */ (event.target).closest('.export-check');
  if (!(box instanceof HTMLInputElement)) return;
  const id = box.dataset.id ?? '';
  if (box.checked) state.checked.add(id);
  else state.checked.delete(id);
  if (box.checked) ui.exportChecked.checked = true;
  render('export');
});

// Arrow keys move between the items of a list (Tab still visits each).
ui.browse.addEventListener('keydown', (event) => {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const current = /** @type {Element} */ (event.target).closest('.item-main, .result-item');
  if (!(current instanceof HTMLElement)) return;
  const scope = current.closest('#search-results') ?? ui.browse;
  const all = [...scope.querySelectorAll(current.classList.contains('result-item') ? '.result-item' : '.item-main')]
    .filter((b) => b instanceof HTMLElement && b.offsetParent !== null).map((b) => /** @type {HTMLElement} */ (b));
  const index = all.indexOf(current);
  const next = all[index + (event.key === 'ArrowDown' ? 1 : -1)]
    ?? (index === 0 && event.key === 'ArrowUp' && current.classList.contains('result-item') ? ui.search : null);
  if (next) {
    event.preventDefault();
    next.focus();
  }
});
