// @ts-check
// The type check of ./build.sh test: every JavaScript file of ours (the pages,
// the extension scripts, these build scripts) must start with `// @ts-check`
// (tsconfig.json's checkJs covers them too; the header keeps a file checked
// when an editor opens it outside this project), then `tsc --noEmit -p .`
// must report no error. It reads pkg/*.d.ts, so ./build.sh runs first.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The .js/.mjs files under `dir`, recursively. @param {string} dir @returns {string[]} */
function scripts(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '_locales' ? [] : scripts(path);
    return /\.m?js$/.test(entry.name) ? [path] : [];
  });
}

const unchecked = [...scripts('www'), ...scripts('extension'), ...scripts('tests/build')]
  .filter((file) => !readFileSync(file, 'utf8').startsWith('// @ts-check\n'));
if (unchecked.length) {
  console.error(`These files do not start with "// @ts-check", so tsc would not check them:\n  ${unchecked.join('\n  ')}`);
  process.exit(1);
}
const tsc = spawnSync('node_modules/.bin/tsc', ['--noEmit', '-p', '.'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
console.log('tsc --noEmit: 0 errors');
