// @ts-check
// The manager's one state, and how a section asks for a render: an action
// changes `state`, then calls render() with the sections that show what
// changed. Each section module registers its render with onRender(), and the
// few things one section asks of another (selecting a source) go through
// `actions`, so the section modules do not import each other in a circle.

import { formatDateTime, saveName, sourceLabel, t } from '../common.js';

/**
 * @typedef {import('../types/pages').NamedSave} NamedSave
 * @typedef {import('../types/pages').Source} Source
 * @typedef {import('../types/pages').Plan} Plan
 * @typedef {import('../types/pages').Settings} Settings
 * @typedef {import('../types/pages').SyncReport} SyncReport
 * @typedef {import('../types/pages').PreviewSession} PreviewSession
 * @typedef {{ marks: Uint8Array, on: number, count: number }} WindowTicks the import preview's ticks of one window
 * @typedef {{ fileName: string, sessions: PreviewSession[], ticks: WindowTicks[][] }} ImportShown
 * @typedef {{ kind: 'working' | 'success' | 'partial' | 'error', nodes: Node[] }} DetailResult
 * @typedef {{ window: number, tab: number }} TabPlace
 * @typedef {{ highlight?: TabPlace | null, edit?: 'rename' | 'tags' | null, focus?: string | null }} SelectOptions
 * @typedef {'named' | 'sources' | 'marks' | 'detail' | 'export' | 'sync'} Section
 */

export const state = {
  // lists (lists.js)
  /** @type {NamedSave[]} named.list */
  saves: [],
  /** @type {Source[]} overview sources other than named saves */
  sources: [],
  listsLoaded: false,
  /** @type {string | null} */
  tagFilter: null,
  /** @type {Set<string>} source ids ticked for export */
  checked: new Set(),
  // the selected source (detail.js, saves.js)
  /** @type {string | null} source id shown on the right */
  selected: null,
  /** @type {Plan | null} */
  plan: null,
  /** @type {string | null} the source `plan` belongs to */
  planFor: null,
  /** @type {unknown} */
  planError: null,
  planRequest: 0,
  /** @type {TabPlace | null} to point at once the plan is shown */
  highlight: null,
  /** @type {'rename' | 'tags' | null} inline edit of a named save */
  edit: null,
  /** @type {'replace' | 'overwrite' | null} */
  confirm: null,
  /** @type {{ windows: number, tabs: number } | null} open now, for the replace confirmation */
  currentCounts: null,
  busy: false,
  duplicates: false,
  /** @type {DetailResult | null} shown above the windows */
  result: null,
  /** @type {string | null} data-key of the element to focus after the next detail render */
  focusKey: null,
  // settings and sync (settings.js, sync.js)
  /** @type {Settings | null} */
  settings: null,
  /** @type {SyncReport | null} the last sync's result from `status` (null: none this run) */
  syncResult: null,
  // import (import.js)
  /** @type {string | null} */
  importToken: null,
  /** @type {ImportShown | null} the file on show */
  importPreview: null,
};

/** @type {Partial<Record<Section, () => void>>} */
const renderers = {};

/** @param {Section} section @param {() => void} fn */
export function onRender(section, fn) {
  renderers[section] = fn;
}

/** Renders these sections from `state`, in this order. @param {...Section} sections */
export function render(...sections) {
  for (const section of sections) renderers[section]?.();
}

/** What one section asks of another; the owning module fills each in. */
export const actions = {
  /** Shows source `id` on the right (detail.js). @type {(id: string, options?: SelectOptions) => void} */
  select: () => {},
  /** Asks for the selected source's plan again, keeping the one on show meanwhile (detail.js). @type {() => Promise<void>} */
  reloadPlan: async () => {},
};

/** @param {string | null} id */
export function isNamed(id) {
  return typeof id === 'string' && state.saves.some((s) => s.id === id);
}

/** @param {string | null} id */
export function saveById(id) {
  return state.saves.find((s) => s.id === id) ?? null;
}

/** @param {string | null} id */
export function sourceById(id) {
  return state.sources.find((s) => s.id === id) ?? null;
}

/** @param {Source | null | undefined} source */
export function sourceTitle(source) {
  if (!source) return '';
  if (source.kind === 'autosave' && source.takenAt != null) return t('autosaveTitle', formatDateTime(source.takenAt));
  return sourceLabel(source) || t('untitled');
}

/** The title of whatever `id` is: a named save or a listed source. @param {string} id */
export function titleOf(id) {
  const save = saveById(id);
  if (save) return saveName(save);
  return sourceTitle(sourceById(id) ?? (state.planFor === id ? state.plan?.source : null)) || id;
}
