// @ts-check
// The search box over every saved tab; a result shows its source with the tab pointed at.

import { byId, displayUrl, el, errorText, favicon, formatDateTime, formatNumber, send, sourceLabel, t, tn } from '../common.js';
import { actions, titleOf } from './state.js';

/** @typedef {import('../types/pages').SearchResult} SearchResult */

const ui = {
  search: byId('search', HTMLInputElement),
  panel: byId('search-panel'),
  status: byId('search-status'),
  results: byId('search-results'),
};

/** @type {ReturnType<typeof setTimeout> | undefined} */
let searchTimer;
let searchRequest = 0;

/** @param {string} query @param {SearchResult[]} results */
function renderResults(query, results) {
  ui.panel.hidden = false;
  ui.status.textContent = results.length === 0 ? t('searchNone', query)
    : results.length >= 200 ? t('searchMany', formatNumber(results.length)) : tn('nResults', results.length);
  ui.results.replaceChildren(...results.map((r) => {
    const title = String(r.title ?? '').trim() || String(r.url ?? '') || t('untitled');
    const button = el('button', {
      type: 'button', class: 'result-item',
      dataset: { source: String(r.source), window: String(r.window), tab: String(r.tab) },
    },
    favicon(r.url, null, r.title), // `search` carries no data: icons: the browser's cache or a letter
    el('span', { class: 'result-text' },
      el('span', { class: 'result-title' }, title),
      el('span', { class: 'result-url', title: String(r.url ?? '') }, displayUrl(r.url)),
      el('span', { class: 'result-source' },
        el('span', { class: 'result-label' }, sourceLabel({ label: r.sourceLabel, labelKey: r.sourceLabelKey }) || titleOf(r.source)),
        r.takenAt != null ? ` · ${formatDateTime(r.takenAt)}` : '')));
    button.addEventListener('click', () => {
      for (const other of ui.results.querySelectorAll('.result-item[aria-current]')) other.removeAttribute('aria-current');
      button.setAttribute('aria-current', 'true');
      actions.select(String(r.source), { highlight: { window: Number(r.window), tab: Number(r.tab) } });
    });
    return el('li', {}, button);
  }));
}

async function runSearch() {
  const query = ui.search.value.trim();
  const request = ++searchRequest;
  if (!query) {
    ui.panel.hidden = true;
    ui.results.replaceChildren();
    ui.status.textContent = '';
    return;
  }
  ui.panel.hidden = false;
  ui.panel.setAttribute('aria-busy', 'true');
  const asked = performance.now();
  try {
    const answer = await send({ type: 'search', query });
    if (request !== searchRequest) return;
    renderResults(query, answer.results);
    // From asking to the results in the DOM: the tests and the bench read it.
    performance.measure('lifeboat-search', { start: asked, end: performance.now() });
  } catch (error) {
    if (request !== searchRequest) return;
    ui.results.replaceChildren();
    ui.status.textContent = `${t('errSearch')} ${errorText(error)}`;
  } finally {
    if (request === searchRequest) ui.panel.removeAttribute('aria-busy');
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
    const first = ui.results.querySelector('.result-item');
    if (first instanceof HTMLElement) {
      event.preventDefault();
      first.focus();
    }
  } else if (event.key === 'Enter') {
    clearTimeout(searchTimer);
    runSearch();
  }
});
