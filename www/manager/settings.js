// @ts-check
// The settings form: filled from `settings`, saved with `setSettings`.

import { byId, el, errorBox, icon, send, t } from '../common.js';
import { state } from './state.js';
import { loadSyncStatus } from './sync.js';

/** @typedef {import('../types/pages').Settings} Settings */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const form = byId('settings-form', HTMLFormElement);
const ui = {
  status: byId('settings-status'),
  error: byId('settings-error'),
  save: byId('settings-save', HTMLButtonElement),
  saved: byId('settings-saved'),
  excludedSites: byId('excluded-sites', HTMLTextAreaElement),
  lazyRestore: /** @type {HTMLInputElement} */ (form.querySelector('input[name="lazyRestore"]')),
  sync: byId('sync-enabled', HTMLInputElement),
  timelineMaxMib: byId('timeline-max-mib', HTMLInputElement),
};

const TIERS = [
  { input: 'tier-minutes', bucketMs: MINUTE },
  { input: 'tier-hours', bucketMs: HOUR },
  { input: 'tier-days', bucketMs: DAY },
];

/** @param {string} name */
function checkedValue(name) {
  return /** @type {HTMLInputElement | null} */ (form.querySelector(`input[name="${name}"]:checked`))?.value;
}

/** @param {Settings} settings */
function fillSettings(settings) {
  /** @param {string} name @param {string} value */
  const radio = (name, value) => {
    const box = form.querySelector(`input[name="${name}"][value="${CSS.escape(String(value))}"]`);
    if (box instanceof HTMLInputElement) box.checked = true;
  };
  radio('privacyLevel', settings.privacyLevel ?? 'everywhere');
  radio('afterCrash', settings.afterCrash ?? 'ask');
  ui.excludedSites.value = (settings.excludedSites ?? []).join('\n');
  ui.lazyRestore.checked = !!settings.lazyRestore;
  ui.sync.checked = !!settings.sync;
  const tiers = settings.timeline ?? [];
  for (const { input, bucketMs } of TIERS) {
    const tier = tiers.find((x) => Number(x.bucketMs) === bucketMs);
    byId(input, HTMLInputElement).value = String(tier ? Math.round(Number(tier.horizonMs) / bucketMs) : 0);
  }
  ui.timelineMaxMib.value = String(Number(settings.timelineMaxMib) || 0);
}

/** The form's settings over the stored ones (fields the form does not show stay). @param {Settings} base @returns {Settings} */
function readSettings(base) {
  const tiers = (base.timeline ?? []).filter((x) => !TIERS.some(({ bucketMs }) => Number(x.bucketMs) === bucketMs));
  for (const { input, bucketMs } of TIERS) {
    const n = Math.max(0, Math.round(Number(byId(input, HTMLInputElement).value) || 0));
    if (n > 0) tiers.push({ bucketMs, horizonMs: n * bucketMs });
  }
  tiers.sort((a, b) => a.bucketMs - b.bucketMs);
  return {
    ...base,
    privacyLevel: /** @type {Settings['privacyLevel'] | undefined} */ (checkedValue('privacyLevel')) ?? base.privacyLevel,
    excludedSites: ui.excludedSites.value.split('\n').map((s) => s.trim()).filter(Boolean),
    lazyRestore: ui.lazyRestore.checked,
    sync: ui.sync.checked,
    afterCrash: /** @type {Settings['afterCrash'] | undefined} */ (checkedValue('afterCrash')) ?? base.afterCrash,
    timeline: tiers,
    timelineMaxMib: Math.max(0, Math.round(Number(ui.timelineMaxMib.value) || 0)),
  };
}

/** @param {boolean} on */
function settingsEnabled(on) {
  for (const set of form.querySelectorAll('fieldset')) set.disabled = !on;
  ui.save.disabled = !on;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let savedTimer;

export async function loadSettings() {
  try {
    state.settings = await send({ type: 'settings' });
    fillSettings(state.settings);
    ui.status.hidden = true;
    ui.error.hidden = true;
    settingsEnabled(true);
    loadSyncStatus();
  } catch (error) {
    ui.status.hidden = true;
    ui.error.replaceChildren(...errorBox('errSettings', error));
    ui.error.hidden = false;
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!state.settings || ui.save.disabled) return;
  if (!form.reportValidity()) return;
  const settings = readSettings(state.settings);
  ui.save.disabled = true;
  ui.saved.replaceChildren(t('saving'));
  ui.saved.className = 'settings-saved is-working';
  clearTimeout(savedTimer);
  try {
    const answer = await send({ type: 'setSettings', settings });
    state.settings = answer.settings ?? settings;
    fillSettings(state.settings);
    // Turning sync on syncs before the answer comes: show how that went.
    loadSyncStatus();
    ui.error.hidden = true;
    ui.saved.className = 'settings-saved is-ok';
    ui.saved.replaceChildren(icon('check'), el('span', {}, t('settingsSaved')));
    savedTimer = setTimeout(() => ui.saved.replaceChildren(), 4000);
  } catch (error) {
    ui.saved.replaceChildren();
    ui.error.replaceChildren(...errorBox('errSaveSettings', error));
    ui.error.hidden = false;
  } finally {
    ui.save.disabled = false;
  }
});

form.addEventListener('input', () => {
  clearTimeout(savedTimer);
  ui.saved.replaceChildren();
});
