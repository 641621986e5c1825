// @ts-check
// Checks an assembled extension (argv: its directory): every file the
// manifest names exists, and every __MSG_x__ in it has a message in the
// default locale. Lists the problems and exits 1 if there are any.
import { existsSync, readFileSync } from 'node:fs';

const dir = process.argv[2];
/** @param {string} f @returns {any} */
const json = (f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
/** @param {unknown} v @returns {unknown[]} */
const list = (v) => (typeof v === 'string' ? [v] : Object.values(v ?? {}));

const m = json('manifest.json');
const files = [m.background?.service_worker, ...(m.background?.scripts ?? []), m.action?.default_popup,
  m.options_ui?.page, m.options_page, ...list(m.icons), ...list(m.action?.default_icon),
  ...(m.content_scripts ?? []).flatMap((/** @type {{ js?: string[], css?: string[] }} */ c) => [...(c.js ?? []), ...(c.css ?? [])]),
  'pkg/lifeboat.js', 'pkg/lifeboat_bg.wasm', 'pkg/lifeboat_pages.js', 'pkg/lifeboat_pages_bg.wasm'].filter(Boolean);
const problems = files.filter((f) => !existsSync(`${dir}/${f}`)).map((f) => `missing file ${f}`);
if (m.default_locale) {
  const f = `_locales/${m.default_locale}/messages.json`;
  const msgs = existsSync(`${dir}/${f}`) ? Object.keys(json(f)).map((k) => k.toLowerCase()) : null;
  if (!msgs) problems.push(`missing file ${f}`);
  else {
    for (const [, k] of JSON.stringify(m).matchAll(/__MSG_(\w+)__/g)) {
      if (!msgs.includes(k.toLowerCase())) problems.push(`no message "${k}" in ${f}`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
