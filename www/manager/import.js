// @ts-check
// The import card: a file (chosen or dropped anywhere on the page) is parsed
// here by the pages' WASM module (../files.js); the preview lists its
// sessions, windows and tabs with ticks, and Import sends what stays ticked
// to the background (import.commit), which checks it and keeps it as named saves.

import {
  byId, countsText, el, errorBox, formatDateTime, icon, messageText, selectionText, setTriState, t, tabItem, tn, windowItem,
  windowStateText,
} from '../common.js';
import { commitImport, previewFile } from '../files.js';
import { listRows, scheduleRows } from '../rows.js';
import { loadNamed } from './lists.js';
import { actions, render, state } from './state.js';
import { showPageError } from './util.js';

/**
 * @typedef {import('../types/pages').ImportPreview} ImportPreview
 * @typedef {import('../types/pages').ImportSelection} ImportSelection
 * @typedef {import('../types/pages').WindowPick} WindowPick
 * @typedef {import('../types/pages').PreviewSession} PreviewSession
 * @typedef {import('../types/pages').PreviewWindow} PreviewWindow
 * @typedef {import('./state.js').ImportShown} ImportShown
 */

const ui = {
  importFile: byId('import-file', HTMLInputElement),
  importStatus: byId('import-status'),
  importError: byId('import-error'),
  importDone: byId('import-done'),
  importPreview: byId('import-preview'),
  importPreviewBody: byId('import-preview-body'),
  importCommit: byId('import-commit', HTMLButtonElement),
  importCancel: byId('import-cancel', HTMLButtonElement),
  dropOverlay: byId('drop-overlay'),
};

const FORMAT_KEYS = new Set(['firefox', 'tsm', 'onetab', 'urls', 'lifeboat']);

/** @param {string | null | undefined} format */
function formatLabel(format) {
  const key = String(format ?? '').toLowerCase();
  return FORMAT_KEYS.has(key) ? t(`importFormat_${key}`) : String(format ?? '');
}

// The preview shows the file's sessions, windows and tabs, every one ticked;
// what stays ticked is imported. The ticks live in `state.importPreview`
// (one Uint8Array per window), so a window's tabs need not be on the page:
// past FOLD_TABS tabs in a file, windows start folded and, opened, list their
// tabs windowed (../rows.js: only the rows in view are on the page).
const FOLD_TABS = 200;

function resetImport() {
  state.importToken = null;
  state.importPreview = null;
  ui.importPreview.hidden = true;
  ui.importPreviewBody.replaceChildren();
  ui.importError.hidden = true;
  ui.importStatus.hidden = true;
}

/** @param {File | null | undefined} file */
async function importFile(file) {
  if (!file) return;
  resetImport();
  ui.importDone.hidden = true;
  ui.importStatus.textContent = t('importReading', file.name);
  ui.importStatus.hidden = false;
  ui.importCommit.disabled = true;
  try {
    const answer = await previewFile(file);
    state.importToken = file.name; // a file is on preview, parsed in this page
    renderPreview(file.name, answer);
  } catch (error) {
    ui.importError.replaceChildren(...errorBox('errImport', error));
    ui.importError.hidden = false;
  } finally {
    ui.importStatus.hidden = true;
    ui.importFile.value = '';
  }
}

/** @param {PreviewSession | undefined} session */
function previewWindows(session) {
  return session?.content ?? [];
}

/** @param {PreviewWindow | undefined} win */
function previewTabs(win) {
  return win?.tabs ?? [];
}

/** @param {ImportShown} p @param {number} s @param {number} w @param {number} i */
function previewTabRow(p, s, w, i) {
  const tab = previewTabs(previewWindows(p.sessions[s])[w])[i];
  return tabItem({ ...tab, status: 'restore' }, w, i, {
    check: { id: `imp-${s}-${w}-${i}`, checked: p.ticks[s][w].marks[i] === 1, dataset: { session: String(s), window: String(w), tab: String(i) } },
    shortUrl: true,
  });
}

/** Lists the tabs of window `w` of session `s` into its (empty) list; windowed in a long file. @param {HTMLElement} section @param {number} s @param {number} w @param {boolean} windowed */
function fillPreviewTabs(section, s, w, windowed) {
  const p = state.importPreview;
  const ol = section.querySelector('ol.tabs');
  if (!p || !(ol instanceof HTMLElement)) return;
  const count = previewTabs(previewWindows(p.sessions[s])[w]).length;
  section.dataset.filled = 'true';
  listRows(ol, count, (i) => previewTabRow(p, s, w, i), { windowed, key: 'import' });
}

/** @param {ImportShown} p @param {PreviewWindow} win @param {number} s @param {number} w @param {boolean} fold */
function previewWindow(p, win, s, w, fold) {
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
  const ol = /** @type {HTMLOListElement} */ (section.querySelector('ol.tabs'));
  ol.id = `imp-${s}-window-${w}-tabs`;
  if (!listed) {
    ol.hidden = true;
    section.append(el('p', { class: 'preview-unlisted muted' }, icon('info'), el('span', {}, t('importNotListed'))));
  } else if (fold) {
    ol.hidden = true;
  } else {
    fillPreviewTabs(section, s, w, false);
  }
  return section;
}

/** @param {string} fileName @param {ImportPreview} answer */
function renderPreview(fileName, answer) {
  const sessions = answer.sessions;
  const notes = answer.notes ?? [];
  // Everything ticked to begin with.
  const ticks = sessions.map((session) => previewWindows(session).map((win) => {
    const count = Number(win.count) || 0;
    return { marks: new Uint8Array(count).fill(1), on: count, count };
  }));
  const p = { fileName, sessions, ticks };
  state.importPreview = p;
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
  el('div', { class: 'windows' }, previewWindows(session).map((win, w) => previewWindow(p, win, s, w, fold)))))) : null;

  // (replaceChildren would write a null as the text "null")
  ui.importPreviewBody.replaceChildren(...[
    el('p', { class: 'preview-file' },
      el('span', { class: 'preview-name' }, fileName),
      el('span', { class: 'badge preview-format' }, formatLabel(answer.format))),
    el('p', { class: 'preview-lead' }, sessions.length ? t('importSelectHint') : t('importNothing')),
    merge,
    list,
    sessions.length ? el('p', { class: 'preview-count', id: 'import-selection-count', role: 'status' }) : null,
    notes.length ? el('ul', { class: 'preview-notes' }, notes.map((n) => el('li', {}, icon('info'), el('span', {}, messageText(n))))) : null,
  ].filter((node) => node !== null));
  for (let s = 0; s < sessions.length; s += 1) syncPreviewBoxes(s);
  updateImportSelection();
  ui.importPreview.hidden = false;
  (ui.importCommit.disabled ? ui.importCancel : ui.importCommit).focus();
}

/** The session's and its windows' checkboxes as the ticks say (ticked, partly, not). @param {number} s */
function syncPreviewBoxes(s) {
  const p = state.importPreview;
  if (!p) return;
  const wins = p.ticks[s];
  for (const [w, x] of wins.entries()) {
    const box = ui.importPreviewBody.querySelector(`#imp-${s}-window-${w}`);
    if (!(box instanceof HTMLInputElement)) continue;
    setTriState(box, x.on, x.count);
    box.closest('section.window')?.classList.toggle('is-off', x.on === 0);
  }
  const box = ui.importPreviewBody.querySelector(`#imp-${s}`);
  if (box instanceof HTMLInputElement) {
    setTriState(box, wins.reduce((n, x) => n + x.on, 0), wins.reduce((n, x) => n + x.count, 0));
  }
}

/** @param {ImportShown} p @param {number} s @param {number} w @param {boolean} on */
function setWindowTicks(p, s, w, on) {
  const x = p.ticks[s][w];
  x.marks.fill(on ? 1 : 0);
  x.on = on ? x.count : 0;
  const section = ui.importPreviewBody.querySelector(`section.window[data-session="${s}"][data-index="${w}"]`);
  for (const box of section?.querySelectorAll('.tab-check') ?? []) /** @type {HTMLInputElement} */ (box).checked = on;
}

function importMerged() {
  return !!ui.importPreviewBody.querySelector('.merge-one:checked');
}

/** What import.commit is to keep: null for everything, else the ticked part (docs/PROTOCOL.md). @returns {ImportSelection | null} */
function importSelection() {
  const p = state.importPreview;
  if (!p) return null;
  let everything = true;
  /** @type {ImportSelection} */
  const select = [];
  for (const [s, wins] of p.ticks.entries()) {
    const full = wins.every((x) => x.on === x.count);
    everything &&= full;
    if (!wins.some((x) => x.on > 0)) continue;
    if (full) {
      select.push({ session: s });
      continue;
    }
    /** @type {WindowPick[]} */
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
  if (nameInput instanceof HTMLInputElement) nameInput.disabled = !merged;
  const count = ui.importPreviewBody.querySelector('#import-selection-count');
  if (count) {
    count.textContent = selectionText(ticked, total);
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
    setWindowTicks(p, s, Number(box.dataset.window), box.checked);
    syncPreviewBoxes(s);
  } else if (box.classList.contains('session-check')) {
    for (let w = 0; w < p.ticks[s].length; w += 1) setWindowTicks(p, s, w, box.checked);
    syncPreviewBoxes(s);
  }
  updateImportSelection();
});

ui.importPreviewBody.addEventListener('click', (e) => {
  const toggle = /** @type {Element} */ (e.target).closest('.window-toggle');
  if (!(toggle instanceof HTMLElement) || !state.importPreview) return;
  const section = /** @type {HTMLElement} */ (toggle.closest('section.window'));
  const ol = /** @type {HTMLOListElement} */ (section.querySelector('ol.tabs'));
  const open = toggle.getAttribute('aria-expanded') !== 'true';
  if (open && section.dataset.filled !== 'true') fillPreviewTabs(section, Number(toggle.dataset.session), Number(toggle.dataset.window), true);
  ol.hidden = !open;
  scheduleRows();
  toggle.setAttribute('aria-expanded', String(open));
  /** @type {HTMLElement} */ (toggle.querySelector('span')).textContent = t(open ? 'importHideTabs' : 'importShowTabs');
});

ui.importCommit.addEventListener('click', async () => {
  if (!state.importToken || ui.importCommit.disabled) return;
  ui.importCommit.disabled = true;
  try {
    const select = importSelection();
    const merge = importMerged();
    const name = /** @type {HTMLInputElement | null} */ (ui.importPreviewBody.querySelector('.merge-name'))?.value.trim() || null;
    const answer = await commitImport(select, merge, merge ? name : null);
    const created = answer.saves;
    resetImport();
    // What the background's own checks left out, if anything.
    const notes = (answer.notes ?? []).map((n) => el('li', {}, messageText(n)));
    ui.importDone.replaceChildren(icon('check'), el('p', {}, tn('importDone', created.length)),
      ...(notes.length ? [el('ul', { class: 'preview-notes' }, notes)] : []));
    ui.importDone.hidden = false;
    await loadNamed().catch((error) => showPageError('errLists', error));
    render('export');
    if (created[0]?.id) actions.select(created[0].id);
    ui.importDone.focus();
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
/** @param {DragEvent} e */
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
  if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
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
  const file = e.dataTransfer?.files?.[0];
  if (file) {
    byId('import-card').scrollIntoView({ block: 'nearest' });
    importFile(file);
  }
});
