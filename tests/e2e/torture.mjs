// Kill torture (issue 6, item 1).
//
//   node tests/e2e/torture.mjs <chromium|firefox|all> [N] [--seed S] [--no-report]
//
// A seeded browsing workload runs in the headless browser with the built
// extension (tabs opened, closed, moved, navigated, pinned, grouped in Chromium
// or opened in a container in Firefox, windows opened and closed, text typed into
// a note page) while a log keeps what the session looked like after each action.
// At a random moment the browser's process group gets SIGKILL (half the kills
// 0–300 ms after a change, a quarter 650–1000 ms after one, while the debounced
// commit is written, a quarter at a random idle moment); the browser restarts on
// the same profile and the crashed session Lifeboat offers is compared with the
// log. Then the crash is dismissed or (one cycle in four) restored, and the next
// cycle starts on the same profile and store.
//
// As a script it runs N kills per browser (default all, 100), prints the counts
// and writes bench/TORTURE.md. run.mjs imports `tests` from here: a short torture
// of 5 kills per browser that fails on any loss. A kill that loses something keeps
// its log, the store as the kill left it and the profile after the restart under
// tests/e2e/artifacts/torture-<browser>-<n>/ (the short test: <browser>-torture-kill-<n>/).
import assert from 'node:assert/strict';
import { execFileSync, fork } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, launchBrowser } from './lib/browsers.mjs';
import { ExtensionPage, openExtensionPage } from './lib/extension.mjs';
import { ARTIFACTS } from './lib/harness.mjs';
import { killGroup } from './lib/procs.mjs';
import { waitForRestorePage } from './lib/restore-page.mjs';
import { startServer } from './lib/server.mjs';
import { sleep, waitUntil } from './lib/wait.mjs';
import { describeDiff, keyOf, projectLive, projectPlan, recoveryPoint, reopenProblems, stateAt, storedTexts, textPoint } from './torture/compare.mjs';
import { NOTE_FIELD, addTortureRoutes } from './torture/pages.mjs';
import { STRUCTURE_LIMIT_MS, TEXT_LIMIT_MS, summarize, summaryLines, writeReport } from './torture/report.mjs';
import { rng, seedFor } from './torture/rng.mjs';
import { Workload, ensureContainers, readState } from './torture/workload.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const REPORT = join(REPO, 'bench', 'TORTURE.md');

addTortureRoutes();

// Temporary directories to remove however the process ends (an interrupted run
// exits from a signal handler, past any finally).
const temporaries = new Set();
process.on('exit', () => {
  for (const dir of temporaries) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporaries.add(dir);
  return dir;
}

// Caches make a kept profile big and say nothing about the session.
const SKIP = new Set(['Cache', 'Code Cache', 'GPUCache', 'cache2', 'startupCache', 'ShaderCache', 'GrShaderCache',
  'GraphiteDawnCache', 'component_crx_cache', 'SingletonSocket', 'SingletonCookie', 'SingletonLock', 'lock', '.parentlock']);

/** Directories holding the extension's stored data in this profile (its IndexedDB origin). */
function storeDirs(session) {
  const id = session.kind === 'chromium'
    ? session.extensionOrigin.match(/^chrome-extension:\/\/([^/]+)/)[1]
    : session.extensionOrigin.match(/^moz-extension:\/\/([^/]+)/)[1];
  const roots = session.kind === 'chromium'
    ? ['Default/IndexedDB', 'Default/WebStorage', 'Default/Local Extension Settings', 'Default/Storage/ext']
    : ['storage/default'];
  const found = [];
  for (const root of roots) {
    const dir = join(session.profile, root);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) if (entry.includes(id)) found.push(join(root, entry));
  }
  // Chromium keeps newer buckets by number; the files are small, take them all.
  if (session.kind === 'chromium' && existsSync(join(session.profile, 'Default/WebStorage'))) found.push('Default/WebStorage');
  return [...new Set(found)];
}

function copyStore(session, dest) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const rel of storeDirs(session)) {
    try {
      cpSync(join(session.profile, rel), join(dest, rel), { recursive: true });
    } catch (e) {
      writeFileSync(join(dest, 'copy-error.txt'), `${rel}: ${e}\n`, { flag: 'a' });
    }
  }
}

/** A message to the background, retried while it is still starting (no answer, or a transient error). */
async function ask(ext, message, what = message.type) {
  return waitUntil(async () => {
    const answer = await ext.send(message);
    return answer ?? null;
  }, { timeout: 15_000, interval: 300, what });
}

/** The driving extension page after a (re)start: the restore page Lifeboat opens by itself
 *  (and how long after the browser was up it appeared), else our own. */
async function driverAfterStart(session, waitMs) {
  const t0 = Date.now();
  const page = waitMs > 0 ? await waitForRestorePage(session, waitMs) : null;
  return {
    ext: page ? new ExtensionPage(page) : await openExtensionPage(session),
    offered: Boolean(page),
    offerMs: page ? Date.now() - t0 : null,
  };
}

async function waitFirstCommit(ext, after = 0) {
  return waitUntil(async () => {
    const s = await ext.send({ type: 'status' });
    return s && !s.error && s.lastSavedAt != null && s.lastSavedAt >= after && s;
  }, { timeout: 20_000, interval: 200, what: 'the first commit of this browser run' });
}

const countBy = (names) => names.reduce((o, k) => ({ ...o, [k]: (o[k] ?? 0) + 1 }), {});

/** Compares the crashed session Lifeboat offers with the workload's log. */
async function judge(ext, w, killAt, origin) {
  const result = { outcome: 'failed-open', problems: [] };
  let overview;
  try {
    overview = await ask(ext, { type: 'overview' });
  } catch (e) {
    result.problems.push(`overview did not answer: ${e.message}`);
    return { result };
  }
  result.verdict = overview.verdict;
  if (overview.error) {
    result.problems.push(`overview error: ${overview.error}`);
    return { result, overview };
  }
  const pending = (overview.sources ?? []).filter((s) => s.pending && s.kind === 'crash');
  if (overview.verdict !== 'crash') result.problems.push(`verdict ${overview.verdict}, not crash`);
  if (!pending.length) {
    result.problems.push('no pending crash source');
    return { result, overview };
  }
  const source = pending[0];
  if (pending.length > 1) result.problems.push(`${pending.length} pending crash sources`);
  const plan = await ask(ext, { type: 'plan', source: source.id });
  if (plan.error) {
    result.problems.push(`plan error: ${plan.error}`);
    return { result, overview, source, plan };
  }
  const backup = await ask(ext, { type: 'backup' });
  const record = backup.records?.find((r) => r.key === source.id);
  if (!record) result.problems.push(`backup has no record ${source.id}`);
  result.snapshotAgeMs = source.takenAt != null ? killAt - source.takenAt : null;
  result.notice = source.notice ?? null;

  const restored = projectPlan(plan, origin);
  const restoredKey = keyOf(restored);
  result.restoredTabs = restored.flat().length;
  // Lifeboat offers its restore page only when something can be restored.
  result.restorable = (plan.windows ?? []).flatMap((w) => w.tabs).filter((x) => x.status === 'restore').length;
  const point = recoveryPoint(w.states, restoredKey, killAt);
  result.ageMs = point ? point.ageMs : null;
  if (point && point.ageMs <= STRUCTURE_LIMIT_MS) {
    result.outcome = 'complete';
  } else {
    result.outcome = 'lost';
    // What was lost beyond the allowance: against the oldest state still within it.
    const reference = stateAt(w.states, killAt - STRUCTURE_LIMIT_MS);
    result.lost = point
      ? [`restored state is ${Math.round(point.ageMs)} ms old (log state #${point.index}); against the state ${STRUCTURE_LIMIT_MS} ms before the kill: ${describeDiff(reference.windows, restored).join('; ')}`]
      : [`restored state equals no logged state; against the state at the kill: ${describeDiff(w.states.at(-1).windows, restored).join('; ')}; against the state ${STRUCTURE_LIMIT_MS} ms before: ${describeDiff(reference.windows, restored).join('; ')}`];
  }

  // Typed text of this cycle's notes that the restored session holds.
  const stored = storedTexts(record?.value?.snapshot?.session, origin, NOTE_FIELD);
  const restoredPaths = new Set(restored.flat().map((t) => t.path));
  result.texts = [];
  for (const [path, log] of Object.entries(w.texts)) {
    if (!restoredPaths.has(path) || log.length < 2) continue; // closed before the commit, or never typed into
    const value = stored[path] ?? '';
    const tp = textPoint(log, value, killAt);
    result.texts.push({ path, ageMs: tp ? tp.ageMs : null, chars: value.length });
    if (!tp) result.problems.push(`typed text of ${path} is ${JSON.stringify(value)}, never typed`);
    else if (tp.ageMs > TEXT_LIMIT_MS) result.problems.push(`typed text of ${path} is ${Math.round(tp.ageMs)} ms old`);
  }
  return { result, overview, source, plan, backupRecord: record, restored };
}

/**
 * Runs `kills` kill-restart cycles on a running `session`. Returns the per-kill results.
 * log(line); keep: keep failure artifacts under ARTIFACTS/torture-<kind>-<n>/.
 */
export async function runTorture({ session, server, kills, seed, log = console.log, keep = true, artifactPrefix = `torture-${session.kind}` }) {
  const kind = session.kind;
  const r = rng(seedFor(seed, kind));
  const origin = server.origin;
  const work = tempDir(`lifeboat-torture-${kind}-`);
  const results = [];
  try {
    let { ext } = await driverAfterStart(session, 0);
    const containers = kind === 'firefox' ? await ensureContainers(ext) : {};
    await waitFirstCommit(ext);
    // Firefox writes addonStartup.json.lz4 late: a kill before it makes the add-on look new.
    if (kind === 'firefox' && session.starts === 1) await sleep(2_000);
    for (let n = 1; n <= kills; n++) {
      const w = new Workload({ session, ext, origin, kind, rng: r, tag: `s${seed}c${n}`, containers });
      // How much to do, and when to kill.
      const count = r.int(2, 25);
      const mode = r.weighted({ change: 50, commit: 25, idle: 25 });
      let harnessError = null;
      try {
        await w.begin();
        let last = null;
        for (let i = 0; i < count + 10; i++) {
          const changedLast = last && (last.changed || last.text);
          if (i >= count && (mode === 'idle' || changedLast)) break;
          if (i > 0) await sleep(r.chance(0.35) ? r.between(0, 150) : r.between(200, 1500));
          last = await w.step();
        }
        const delay = mode === 'change' ? r.between(0, 300) : mode === 'commit' ? r.between(650, 1000) : r.between(0, 3000);
        const from = mode === 'idle' ? w.actions.at(-1).tEnd : w.lastChangeAt;
        await sleep(Math.max(0, from + delay - Date.now()));
      } catch (e) {
        // The log may miss a change now: this cycle cannot be judged, only survived.
        harnessError = `workload: ${e.message}`;
      }
      const killAt = Date.now();
      const load = loadavg()[0];
      killGroup(session.proc.pgid);
      await session.crash();
      copyStore(session, join(work, 'store-at-kill'));

      await session.restart().catch(async (e) => {
        log(`restart failed (${e.message.split('\n')[0]}); trying once more`);
        await session.crash().catch(() => {});
        await session.restart();
      });
      let offered;
      let offerMs;
      ({ ext, offered, offerMs } = await driverAfterStart(session, 10_000));
      let judged;
      try {
        judged = harnessError ? { result: { outcome: 'harness-error', problems: [harnessError] } } : await judge(ext, w, killAt, origin);
      } catch (e) {
        judged = { result: { outcome: 'harness-error', problems: [`judging: ${e.message}`] } };
      }
      const result = {
        n, mode, actions: w.actions.length, sinceChangeMs: w.lastChangeAt ? killAt - w.lastChangeAt : null, offered, offerMs, load, ...judged.result,
        did: countBy(w.actions.filter((a) => a.name !== 'begin').map((a) => a.name)),
        failedActions: w.actions.filter((a) => a.error).map((a) => `${a.name}: ${a.error}`),
      };

      // Next cycle starts clean: dismiss, or restore and check what came back.
      try {
        const source = judged.source ?? (await ask(ext, { type: 'overview' })).sources?.find((s) => s.pending);
        if (source && judged.restored && result.outcome !== 'failed-open' && r.chance(0.25)) {
          const before = projectLive(await readState(ext), origin);
          const answer = await ask(ext, { type: 'restore', source: source.id, select: 'all' });
          const planned = judged.plan.windows.flatMap((w) => w.tabs).filter((x) => x.status === 'restore' && x.url.startsWith(`${origin}/`)).length;
          let problems = null;
          await waitUntil(async () => {
            problems = reopenProblems(judged.plan, before, projectLive(await readState(ext), origin), origin);
            return problems.length === 0;
          }, { timeout: 30_000, interval: 300, what: 'the restored tabs' }).catch(() => {});
          result.reopen = { ok: problems.length === 0, tabs: answer.tabs ?? null, planned, ...(problems.length ? { diff: problems } : {}) };
          if (problems.length) result.problems.push(`restore did not reopen as planned: ${problems.join('; ')}`);
        } else if (source) {
          const answer = await ask(ext, { type: 'dismiss', source: source.id });
          if (!answer.ok) result.problems.push(`dismiss answered ${JSON.stringify(answer)}`);
        }
        const after = await ask(ext, { type: 'overview' });
        if (after.sources?.some((s) => s.pending)) result.problems.push('a crash is still pending after restore/dismiss');
      } catch (e) {
        result.problems.push(`restore/dismiss: ${e.message}`);
      }
      // The store must have committed this run (and a restore) before the next kill.
      await waitFirstCommit(ext, Date.now() - 200).catch(() => waitFirstCommit(ext));

      const text = result.texts?.length ? `, text ${result.texts.map((x) => (x.ageMs == null ? 'unmatched' : `${(x.ageMs / 1000).toFixed(1)} s`)).join('/')}` : '';
      log(`kill ${n}/${kills} ${mode} +${result.sinceChangeMs} ms after ${result.actions} actions: ${result.outcome}`
        + `${result.ageMs != null ? `, recovery point ${Math.round(result.ageMs)} ms` : ''}`
        + `${result.snapshotAgeMs != null ? ` (snapshot ${(result.snapshotAgeMs / 1000).toFixed(1)} s old)` : ''}${text}`
        + `${result.reopen ? `, restored ${result.reopen.ok ? 'as planned' : 'WRONG'}` : ''}`
        + `${result.lost ? `\n    lost: ${result.lost.join('; ')}` : ''}${result.problems.length ? `\n    problems: ${result.problems.join('; ')}` : ''}`);
      results.push(result);

      if (keep && (result.outcome !== 'complete' || result.problems.length)) {
        const dest = join(ARTIFACTS, `${artifactPrefix}-${n}`);
        rmSync(dest, { recursive: true, force: true });
        mkdirSync(dest, { recursive: true });
        writeFileSync(join(dest, 'log.json'), JSON.stringify({
          result, killAt, seed, actions: w.actions, states: w.states, texts: w.texts,
          overview: judged.overview, plan: judged.plan, backupRecord: judged.backupRecord,
        }, null, 2));
        cpSync(join(work, 'store-at-kill'), join(dest, 'store-at-kill'), { recursive: true });
        try {
          cpSync(session.profile, join(dest, 'profile-after-restart'), {
            recursive: true, verbatimSymlinks: true, filter: (src) => !SKIP.has(basename(src)),
          });
        } catch (e) {
          writeFileSync(join(dest, 'copy-error.txt'), String(e));
        }
        cpSync(session.logPath, join(dest, 'browser.log'));
        log(`    kept ${dest}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}

// ------------------------------------------------------------ run.mjs: a short torture

const SHORT_KILLS = Number(process.env.TORTURE_SHORT_KILLS ?? 5);

export const tests = [{
  name: 'torture',
  timeout: SHORT_KILLS * 60_000 + 60_000,
  async run(t) {
    const session = await t.launch({ resumeFromCrash: false });
    const results = await runTorture({
      session, server: t.server, kills: SHORT_KILLS, seed: Number(process.env.TORTURE_SEED ?? 6), log: (l) => t.log(l),
      artifactPrefix: `${t.kind}-torture-kill`, // apart from a full run's torture-<browser>-<n>
    });
    const s = summarize(results);
    t.keep('torture-results.json', results);
    for (const line of summaryLines(t.kind, s)) t.log(line);
    assert.equal(s.kills, SHORT_KILLS);
    assert.deepEqual(s.problems, [], 'every kill restored completely, the store opened and no problem was seen');
    assert.equal(s.complete, SHORT_KILLS);
  },
}];

// ------------------------------------------------------------ as a script

async function runBrowser(kind, kills, seed) {
  for (const entry of existsSync(ARTIFACTS) ? readdirSync(ARTIFACTS) : []) {
    if (entry.startsWith(`torture-${kind}-`)) rmSync(join(ARTIFACTS, entry), { recursive: true, force: true });
  }
  const server = await startServer();
  const dir = tempDir(`lifeboat-torture-${kind}-profile-`);
  const started = Date.now();
  let session = null;
  const log = (line) => console.log(`[${kind}] ${line}`);
  try {
    session = await launchBrowser(kind, { dir, resumeFromCrash: false });
    const version = await session.browser.version();
    log(`${version}, seed ${seed}, ${kills} kills, profile ${session.profile}`);
    const results = await runTorture({ session, server, kills, seed, log });
    const summary = summarize(results);
    writeFileSync(join(ARTIFACTS, `torture-${kind}.json`), JSON.stringify(results, null, 2));
    return { kind, summary, version, seed, kills, date: new Date().toISOString(), durationMin: Math.round((Date.now() - started) / 60_000) };
  } finally {
    if (session) await session.close().catch(() => {});
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A private copy of the build (dist/chrome and the .xpi), and which commit it came from. */
function snapshotDist() {
  const dist = resolve(process.env.LIFEBOAT_DIST ?? join(REPO, 'dist'));
  const dir = tempDir('lifeboat-torture-dist-');
  cpSync(join(dist, 'chrome'), join(dir, 'chrome'), { recursive: true });
  cpSync(join(dist, 'lifeboat-firefox.xpi'), join(dir, 'lifeboat-firefox.xpi'));
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['-C', REPO, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch { /* not a git checkout */ }
  return { dir, commit, builtAt: statSync(join(dist, 'lifeboat-firefox.xpi')).mtime.toISOString() };
}

function runChild(kind, argv, distDir) {
  return new Promise((resolveRun) => {
    const child = fork(fileURLToPath(import.meta.url), [kind, ...argv], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, LIFEBOAT_DIST: distDir },
    });
    let result = null;
    child.on('message', (m) => { result = m; });
    child.on('exit', (code, signal) => resolveRun(result ?? { kind, error: `exited with ${signal ?? code}` }));
    process.on('exit', () => child.kill());
  });
}

async function main() {
  const args = process.argv.slice(2);
  const flag = (name) => {
    const at = args.indexOf(name);
    return at >= 0 ? args.splice(at, 2)[1] : null;
  };
  const seed = Number(flag('--seed') ?? 1);
  const noReport = args.includes('--no-report');
  const positional = args.filter((a) => !a.startsWith('--'));
  const target = positional[0] ?? 'all';
  const kills = Number(positional[1] ?? 100);
  if (!(target === 'all' || BROWSERS.includes(target)) || !(kills > 0)) {
    console.error('usage: node tests/e2e/torture.mjs <chromium|firefox|all> [N] [--seed S] [--no-report]');
    process.exitCode = 2;
    return;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const childArgs = [String(kills), '--seed', String(seed), '--no-report'];
  if (process.send) {
    // A child: run one browser and hand the result back.
    const run = await runBrowser(target, kills, seed).catch((e) => ({ kind: target, error: e.stack ?? String(e) }));
    process.send(run, () => process.disconnect());
    process.exitCode = run.error ? 1 : 0;
    return;
  }
  // Chromium loads the unpacked extension from its directory at every restart: a
  // rebuild of dist/ during a long run must not change it between kills. Each
  // browser runs in a child on a private copy of the build.
  const build = snapshotDist();
  let runs;
  try {
    runs = await Promise.all((target === 'all' ? BROWSERS : [target]).map((k) => runChild(k, childArgs, build.dir)));
  } finally {
    rmSync(build.dir, { recursive: true, force: true });
  }

  console.log('\nKill torture');
  const report = {};
  for (const run of runs) {
    if (run.error) {
      console.log(`${run.kind}: the run failed: ${run.error}`);
      continue;
    }
    for (const line of summaryLines(run.kind, run.summary)) console.log(line);
    report[run.kind] = { ...run, build: `${build.commit}, dist built ${build.builtAt}`, command: `node tests/e2e/torture.mjs ${target} ${kills} --seed ${seed}` };
  }
  if (!noReport && Object.keys(report).length) {
    writeReport(REPORT, report);
    console.log(`wrote ${REPORT}`);
  }
  const bad = runs.some((r) => r.error || r.summary.lost || r.summary.failedOpen || r.summary.problems.length);
  process.exitCode = bad ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
