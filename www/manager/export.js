// @ts-check
// The export card (the current session or the ticked sources, in a format)
// and the full backup card; both offer their answer as a download.

import { byId, el, errorText, icon, send, t, tn } from '../common.js';
import { exportFile } from '../files.js';
import { onRender, state } from './state.js';
import { download, localDate, setStatus } from './util.js';

const ui = {
  exportChecked: byId('export-checked', HTMLInputElement),
  exportCheckedLabel: byId('export-checked-label'),
  exportCurrent: /** @type {HTMLInputElement} */ (document.querySelector('input[name="export-what"][value="current"]')),
  exportFormat: byId('export-format', HTMLSelectElement),
  exportButton: byId('export-button', HTMLButtonElement),
  exportTyped: byId('export-typed', HTMLInputElement),
  exportStatus: byId('export-status'),
  backupTyped: byId('backup-typed', HTMLInputElement),
  backupButton: byId('backup-button', HTMLButtonElement),
  backupStatus: byId('backup-status'),
};

/** "The N ticked sessions" as the ticks in the lists say. */
function renderExportChoice() {
  // Ticks for sources that are gone no longer count.
  const known = new Set([...state.saves.map((s) => s.id), ...state.sources.map((s) => s.id)]);
  if (state.listsLoaded) for (const id of state.checked) if (!known.has(id)) state.checked.delete(id);
  const n = state.checked.size;
  ui.exportCheckedLabel.textContent = n ? tn('exportCheckedN', n) : t('exportCheckedNone');
  ui.exportChecked.disabled = n === 0;
  if (n === 0 && ui.exportChecked.checked) ui.exportCurrent.checked = true;
}
onRender('export', renderExportChoice);

ui.exportButton.addEventListener('click', async () => {
  const what = /** @type {HTMLInputElement | null} */ (document.querySelector('input[name="export-what"]:checked'))?.value ?? 'current';
  const sources = what === 'checked' && state.checked.size ? [...state.checked] : ['current'];
  const format = ui.exportFormat.value;
  ui.exportButton.disabled = true;
  setStatus(ui.exportStatus, 'working', t('working'));
  try {
    const answer = await exportFile(format, sources, ui.exportTyped.checked);
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
    const records = answer.records?.length ?? 0;
    download(fileName, 'application/json', JSON.stringify(answer, null, 1));
    const done = t('backupDone', fileName, tn('nRecords', records));
    setStatus(ui.backupStatus, 'ok', icon('check'), el('span', {}, answer.holdsTypedText ? `${done} ${t('fileHoldsTypedText')}` : done));
  } catch (error) {
    setStatus(ui.backupStatus, 'error', icon('warning'), el('span', {}, `${t('errBackup')} ${errorText(error)}`));
  } finally {
    ui.backupButton.disabled = false;
  }
});
