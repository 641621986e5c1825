// @ts-check
// The sync line under the sync setting: how the last sync went, while sync is on.

import { agoElement, byId, el, icon, messageText, send, t, tn } from '../common.js';
import { onRender, render, state } from './state.js';

const box = byId('sync-status');

/** The last sync's result under the sync setting, while sync is on. */
function renderSync() {
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
      el('span', {}, messageText(sync.error), ' ', agoElement(sync.at, 'syncFailedWhen'))));
  } else {
    nodes.push(el('p', { class: 'sync-line is-ok' }, icon('check'),
      el('span', {}, agoElement(sync.at, 'syncLast'), ' ',
        t('syncCounts', tn('syncSent', Number(sync.pushed) || 0), tn('syncReceived', Number(sync.pulled) || 0)))));
    /** @param {string} cls @param {string[]} items */
    const list = (cls, items) => el('ul', { class: `sync-list ${cls}` }, items.map((x) => el('li', {}, String(x))));
    const conflicts = sync.conflicts ?? [];
    if (conflicts.length) {
      nodes.push(el('p', { class: 'sync-line is-warn' }, icon('info'), el('span', {}, t('syncConflicts'))),
        list('sync-conflicts', conflicts));
    }
    const notSynced = sync.notSynced ?? [];
    if (notSynced.length) {
      nodes.push(el('p', { class: 'sync-line is-warn' }, icon('warning'), el('span', {}, t('syncNotSynced'))),
        list('sync-not-synced', notSynced.map(messageText)));
    }
  }
  box.replaceChildren(...nodes);
  box.hidden = false;
}
onRender('sync', renderSync);

export async function loadSyncStatus() {
  try {
    const status = await send({ type: 'status' });
    state.syncResult = status.sync ?? null;
  } catch { /* the last known result stays */ }
  render('sync');
}

// Syncs also happen on their own (every minute, and when another device's change
// arrives): keep the line current while the page is looked at.
setInterval(() => {
  if (document.visibilityState === 'visible' && state.settings?.sync) loadSyncStatus();
}, 30_000);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.settings?.sync) loadSyncStatus();
});
