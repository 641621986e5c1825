// @ts-check
// Files in the manager: import and export run in the pages' WASM module
// (pkg/lifeboat_pages.js, built from the same crate as the background's, see
// Cargo.toml [features]). It is loaded here, on the first import or export,
// never by the background. The background sends and receives sessions, not
// files, and checks what it is sent again (src/import_check.rs).

import { LifeboatError, api, send } from './common.js';

/**
 * @typedef {import('./types/pages').ImportPreview} ImportPreview
 * @typedef {import('./types/pages').ImportSelection} ImportSelection
 * @typedef {import('./types/pages').ExportAnswer} ExportAnswer
 * @typedef {import('./types/pages').ExportSessions} ExportSessions
 * The module as the pages call it: narrower than the `any`s of the
 * pkg/lifeboat_pages.d.ts wasm-pack writes, and checked against it (files()).
 * @typedef {{
 *   default: () => Promise<unknown>,
 *   preview_import: (fileName: string, bytes: Uint8Array, settings: unknown, containers: unknown) => unknown,
 *   choose_import: (select: ImportSelection | null, merge: boolean, name: string | undefined) => unknown,
 *   export_file: (format: string, sessions: ExportSessions, now: number) => unknown,
 * }} PagesModule
 */

/** @type {Promise<PagesModule> | null} */
let loading = null;

/** The pages' module, loaded once. @returns {Promise<PagesModule>} */
function files() {
  loading ??= import(/* @vite-ignore */ '../pkg/lifeboat_pages.js').then(async (/** @type {PagesModule} */ m) => {
    await m.default();
    return m;
  });
  return loading;
}

/**
 * The module's answer, or its `{ error }` thrown as the background's are.
 * @template T
 * @param {unknown} answer
 * @returns {T}
 */
function answerOf(answer) {
  const a = /** @type {{ error?: unknown }} */ (answer);
  if (a?.error != null) throw new LifeboatError(String(a.error), { fromBackground: true });
  return /** @type {T} */ (answer);
}

/** This browser's containers as the preview names them; null where it has none. */
async function containers() {
  const identities = /** @type {{ query?: (q: object) => Promise<unknown[]> } | undefined} */ (
    /** @type {any} */ (api)?.contextualIdentities);
  if (!identities?.query) return null;
  return identities.query({}).catch(() => []);
}

/**
 * Parses `file` for the preview with the user's settings (docs/PROTOCOL.md).
 * @param {File} file
 * @returns {Promise<ImportPreview>}
 */
export async function previewFile(file) {
  const [m, settings, bytes, known] = await Promise.all([files(), send({ type: 'settings' }), file.arrayBuffer(), containers()]);
  return answerOf(m.preview_import(file.name, new Uint8Array(bytes), settings, known));
}

/**
 * Keeps the ticked part of the file on preview (`select` null: all of it) as
 * named saves; the background checks the sessions before storing them.
 * @param {ImportSelection | null} select
 * @param {boolean} merge
 * @param {string | null} name
 */
export async function commitImport(select, merge, name) {
  const m = await files();
  const { saves } = answerOf(/** @type {unknown} */ (m.choose_import(select ?? null, !!merge, name ?? undefined)));
  return send({ type: 'import.commit', saves: /** @type {string} */ (saves) });
}

/**
 * `sources` written as `format`, from the sessions the background sends
 * (without typed text unless `typedText`).
 * @param {string} format
 * @param {string[]} sources
 * @param {boolean} [typedText]
 * @returns {Promise<ExportAnswer>}
 */
export async function exportFile(format, sources, typedText = true) {
  const [m, sessions] = await Promise.all([files(), send({ type: 'export', sources, typedText })]);
  return answerOf(m.export_file(format, sessions, Date.now()));
}
