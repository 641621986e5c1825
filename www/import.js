// Files in the manager: import and export run in the pages' WASM module
// (pkg/lifeboat_pages.js, built from the same crate as the background's, see
// Cargo.toml [features]). It is loaded here, on the first import or export,
// never by the background. The background sends and receives sessions, not
// files, and checks what it is sent again (src/import_check.rs).

import { LifeboatError, send } from './common.js';

let loading = null;

/** The pages' module, loaded once. */
function files() {
  loading ??= import('../pkg/lifeboat_pages.js').then(async (m) => {
    await m.default();
    return m;
  });
  return loading;
}

function answerOf(answer) {
  if (answer?.error != null) throw new LifeboatError(String(answer.error), { fromBackground: true });
  return answer;
}

/**
 * Parses `file` for the preview with the user's settings:
 * `{ format, sessions, notes }` as docs/PROTOCOL.md describes the preview.
 * @param {File} file
 */
export async function previewFile(file) {
  const [m, settings, bytes] = await Promise.all([files(), send({ type: 'settings' }), file.arrayBuffer()]);
  return answerOf(m.preview_import(file.name, new Uint8Array(bytes), settings));
}

/**
 * Keeps the ticked part of the file on preview (`select` null: all of it)
 * as named saves; the background checks the sessions before storing them.
 */
export async function commitImport(select, merge, name) {
  const m = await files();
  const { saves } = answerOf(m.choose_import(select ?? null, !!merge, name ?? undefined));
  return send({ type: 'import.commit', saves });
}

/**
 * `{ fileName, mime, text, holdsTypedText }`: `sources` written as `format`,
 * from the sessions the background sends (without typed text unless `typedText`).
 */
export async function exportFile(format, sources, typedText = true) {
  const [m, sessions] = await Promise.all([files(), send({ type: 'export', sources, typedText })]);
  return answerOf(m.export_file(format, sessions, Date.now()));
}
