// @ts-check
// Prints web-ext lint's JSON output (argv: its file) one line per finding (the
// default table truncates messages in logs); exit 1 on errors, 2 when the
// file is not JSON (printed as it is).
import { readFileSync } from 'node:fs';

/**
 * @typedef {{ _type: string, code: string, file?: string, line?: number, message: string, description?: string | string[] }} Finding
 * @typedef {{ errors?: Finding[], warnings?: Finding[], notices?: Finding[], summary: { errors: number, warnings: number, notices: number } }} LintReport
 */

const raw = readFileSync(process.argv[2], 'utf8');
/** @type {LintReport} */
let r;
try {
  r = JSON.parse(raw);
} catch {
  console.error(raw);
  process.exit(2);
}
for (const kind of /** @type {const} */ (['errors', 'warnings', 'notices'])) {
  for (const m of r[kind] ?? []) {
    console.log(`  ${m._type.padEnd(7)} ${m.code} (${m.file ?? ''}${m.line ? `:${m.line}` : ''}): ${m.message}\n`
      + `          ${[m.description ?? ''].flat().join(' ').replace(/\s+/g, ' ')}`);
  }
}
const s = r.summary;
console.log(`web-ext lint: ${s.errors} errors, ${s.warnings} warnings, ${s.notices} notices`);
process.exit(s.errors ? 1 : 0);
