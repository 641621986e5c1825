// @ts-check
// The session manager (also the options page): named saves and earlier
// sessions, search, one source's windows and tabs with ways to open them,
// import, export, full backup and settings. Every decision is the
// background's (docs/PROTOCOL.md); this page asks and renders the answers.
//
// One module a section, under manager/: state.js (the one state, render()),
// lists.js, search.js, detail.js (the source on the right) with saves.js (its
// named-save tools), import.js, export.js (with the full backup),
// settings.js with sync.js. This file starts the page and holds what belongs
// to no section: page navigation, the "/" key and the address's #select=.

import { byId, dataOf, initI18n, localize, t, tickTimes } from './common.js';
import './manager/detail.js';
import './manager/export.js';
import './manager/import.js';
import { loadLists } from './manager/lists.js';
import './manager/search.js';
import { loadSettings } from './manager/settings.js';
import { actions, isNamed, render, state } from './manager/state.js';

const search = byId('search', HTMLInputElement);

// ------------------------------------------------------------- page nav

for (const button of document.querySelectorAll('[data-goto]')) {
  button.addEventListener('click', () => {
    const target = byId(dataOf(button).goto ?? '');
    target.scrollIntoView({ block: 'start', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
    target.focus({ preventScroll: true });
  });
}

// "/" focuses the search box, as on many sites.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = /** @type {Element} */ (event.target);
  if (target.closest('input, textarea, select, [contenteditable]')) return;
  event.preventDefault();
  search.focus();
  search.select();
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
    actions.select(wanted.id, { edit: 'rename' });
  } else {
    actions.select(wanted.id);
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
search.placeholder = t('searchPlaceholder');
render('export');
tickTimes(30_000);
await Promise.all([loadLists(), loadSettings()]);
if (!(await applyHash())) {
  const first = state.saves[0]?.id ?? state.sources.find((s) => s.kind === 'current')?.id ?? state.sources[0]?.id;
  if (first) actions.select(first);
}
