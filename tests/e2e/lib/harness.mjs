// Runs one test against one browser: its own temp dir (profile + browser log),
// every browser it launched ended afterwards, and on failure the profile, log
// and error kept under tests/e2e/artifacts/<browser>-<test>/. That stays until the
// test fails again (not wiped by a later pass: intermittent failures need it).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browsers.mjs';
import { withTimeout } from './wait.mjs';

export const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../artifacts');

// Caches make a kept profile big and say nothing about the session.
const SKIP_IN_ARTIFACTS = new Set(['Cache', 'Code Cache', 'GPUCache', 'cache2', 'startupCache', 'ShaderCache',
  'GrShaderCache', 'GraphiteDawnCache', 'component_crx_cache', 'SingletonSocket', 'SingletonCookie']);

/** test = { name, timeout?, run(t) }. Resolves to { browser, test, ok, ms, error? }. */
export async function runTest(test, kind, { server }) {
  const dir = mkdtempSync(join(tmpdir(), `lifeboat-e2e-${kind}-${test.name}-`));
  const sessions = [];
  const t = {
    kind,
    server,
    /** Launches `kind` on this test's profile; ended when the test ends, pass or fail. */
    async launch(options = {}) {
      if (sessions.length) throw new Error('one browser per test: use restart()');
      const session = await launchBrowser(kind, { dir, ...options });
      sessions.push(session);
      return session;
    },
    /** A file kept in tests/e2e/artifacts/ whatever the outcome (e.g. a screenshot). */
    artifact: (name) => join(ARTIFACTS, `${kind}-${test.name}-${name}`),
    /** Data kept only if the test fails, next to its profile and browser log. */
    keep: (name, data) => writeFileSync(join(dir, name), JSON.stringify(data, null, 2)),
    log: (...args) => console.log(`[${kind}] ${test.name}:`, ...args),
  };
  const started = Date.now();
  let error = null;
  try {
    await withTimeout(test.run(t), test.timeout ?? 120_000, `${kind} ${test.name}`);
  } catch (e) {
    error = e;
  } finally {
    for (const session of sessions) await session.close().catch(() => {});
  }
  const kept = error ? keepArtifacts(dir, `${kind}-${test.name}`, error) : null;
  rmSync(dir, { recursive: true, force: true });
  return {
    browser: kind, test: test.name, ok: !error, ms: Date.now() - started,
    error: error ? `${error.stack ?? error}\n(profile, browser log and details kept in ${kept})` : undefined,
  };
}

function keepArtifacts(dir, name, error) {
  const dest = join(ARTIFACTS, name);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  try {
    cpSync(dir, dest, { recursive: true, verbatimSymlinks: true, filter: (src) => !SKIP_IN_ARTIFACTS.has(basename(src)) });
  } catch (e) {
    writeFileSync(join(dest, 'copy-error.txt'), String(e));
  }
  // assert's diff in the message skips lines; keep both sides whole.
  const sides = typeof error === 'object' && 'actual' in error ? `\nactual:\n${JSON.stringify(error.actual, null, 2)}\nexpected:\n${JSON.stringify(error.expected, null, 2)}\n` : '';
  writeFileSync(join(dest, 'error.txt'), `failed at ${new Date().toISOString()}\n${error.stack ?? error}\n${sides}`);
  return dest;
}
