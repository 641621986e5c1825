// @ts-check
// Exit 0 when node_modules holds the packages and versions package-lock.json
// names (npm ci would change nothing), else 1. build.sh runs npm ci only then:
// npm ci wipes node_modules under anyone using it.
import { readFileSync } from 'node:fs';

/** @typedef {{ version?: string, optional?: boolean }} LockedPackage */

/** @param {string} file @returns {Record<string, LockedPackage>} */
const read = (file) => JSON.parse(readFileSync(file, 'utf8')).packages ?? {};

const want = read('package-lock.json');
const have = read('node_modules/.package-lock.json');
const stale = Object.entries(want).filter(([k, p]) =>
  k !== '' && !(p.optional && !have[k]) && have[k]?.version !== p.version);
process.exit(stale.length ? 1 : 0);
