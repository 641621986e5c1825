// @ts-check
// The manifest.json for one target (argv: chrome|firefox), on stdout: the
// shared manifest.json without its x- keys, minus what
// x-lifeboat-targets.<target> drops (dotted keys, permissions).
import { readFileSync } from 'node:fs';

/** @typedef {{ drop?: string[], dropPermissions?: string[] }} TargetSpec */

const target = process.argv[2];
/** @type {Record<string, any>} */
const m = JSON.parse(readFileSync('manifest.json', 'utf8'));
/** @type {TargetSpec | undefined} */
const spec = m['x-lifeboat-targets']?.[target];
if (!spec) {
  console.error(`manifest.json has no x-lifeboat-targets.${target}`);
  process.exit(1);
}
for (const k of Object.keys(m)) if (k.startsWith('x-')) delete m[k];
for (const dotted of spec.drop ?? []) {
  const keys = dotted.split('.');
  const last = /** @type {string} */ (keys.pop());
  /** @type {Record<string, any> | undefined} */
  const parent = keys.reduce((o, k) => o?.[k], m);
  if (parent && Object.hasOwn(parent, last)) delete parent[last];
  else console.error(`warning: x-lifeboat-targets.${target} drops "${dotted}", which is not there`);
}
const drop = new Set(spec.dropPermissions ?? []);
for (const k of ['permissions', 'optional_permissions']) {
  if (Array.isArray(m[k])) m[k] = m[k].filter((/** @type {string} */ p) => !drop.has(p));
}
process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
