// The toolbar popup: how the saving is going, and a way to the restore page.

import {
  agoElement, api, countsText, el, icon, initI18n, localize, renderAutosave, send, t, tickTimes,
} from './common.js';

const statusLine = document.getElementById('status');
const autosaveBox = document.getElementById('autosave-alert');
const errorBox = document.getElementById('error');
const openButton = document.getElementById('open-restore');

function showError(contextKey, error) {
  errorBox.replaceChildren(icon('warning'),
    el('div', {}, el('p', { class: 'alert-title' }, t(contextKey)), el('p', {}, error?.message ?? String(error))));
  errorBox.hidden = false;
}

async function refresh() {
  try {
    const status = await send({ type: 'status' });
    errorBox.hidden = true;
    renderAutosave(autosaveBox, status.autosave);
    const saved = status.lastSavedAt != null
      ? agoElement(status.lastSavedAt, 'lastSaved')
      : el('span', {}, t('notSavedYet'));
    statusLine.replaceChildren(
      el('span', { class: 'status-saved' }, saved),
      el('span', { class: 'status-sep', 'aria-hidden': 'true' }, ' · '),
      el('span', { class: 'status-counts' }, countsText(Number(status.windows) || 0, Number(status.tabs) || 0)));
    statusLine.classList.remove('is-loading');
    statusLine.classList.toggle('is-stale', status.autosave?.ok === false);
  } catch (error) {
    statusLine.replaceChildren();
    showError('errStatus', error);
  }
}

openButton.addEventListener('click', async () => {
  try {
    await api.tabs.create({ url: api.runtime.getURL('www/restore.html') });
    window.close();
  } catch (error) {
    showError('errOpenPage', error);
  }
});

await initI18n();
localize();
tickTimes(1000);
await refresh();
setInterval(refresh, 5000);
