// node tests/bench/run.mjs — Lifeboat's benchmark in headless Chromium and Firefox ESR.
// Writes bench/RESULTS.md (the native core section from bench/tmp/core.md first,
// then these measurements), prints it, and keeps the raw numbers in
// bench/tmp/results.json. See tests/bench/README.md for the environment variables.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { contentCost, serveContentPages } from './content.mjs';
import { buildDriver, REPO } from './lib/browser.mjs';
import { backgroundCost, chromiumTemplate, commitProbe, eventStorm, headToHead, restoreTime, timelineCost } from './lib/jobs.mjs';
import { renderReport } from './lib/report.mjs';
import { soak } from './lib/soak.mjs';
import { startServer } from './lib/server.mjs';

const env = (name, dflt) => process.env[name] ?? dflt;
const list = (name, dflt) => env(name, dflt).split(',').map((s) => s.trim()).filter(Boolean);
const num = (name, dflt) => Number(env(name, String(dflt)));

export const CONFIG = {
  browsers: list('BENCH_BROWSERS', 'chromium,firefox'),
  parts: list('BENCH_PARTS', 'probe,bench,timeline,storm,soak,restore,h2h,pages,content'),
  benchSizes: list('BENCH_BG_TABS', '100,1000,10000').map(Number),
  restoreTabs: list('BENCH_RESTORE_TABS', '200,1000').map(Number),
  // The background with a week of autosave timeline behind its session (issue 13 item 2): tabs, days.
  timelineTabs: list('BENCH_TIMELINE_TABS', '100,1000,10000').map(Number),
  timelineDays: num('BENCH_TIMELINE_DAYS', 7),
  // Event storm (issue 13 item 6): this many tabs opened at once, then closed at once, beside stormBase tabs.
  storm: num('BENCH_STORM', 500),
  stormBase: num('BENCH_STORM_BASE', 100),
  restoreWindows: num('BENCH_RESTORE_WINDOWS', 4),
  // The memory soak (issue 13 item 2, flat over an hour): tabs, minutes, one sample every … s.
  soakTabs: num('BENCH_SOAK_TABS', 1000),
  soakMinutes: num('BENCH_SOAK_MIN', 60),
  soakSampleS: num('BENCH_SOAK_SAMPLE_S', 60),
  // The content script's cost (issue 13 item 5): counted loads per page and configuration.
  contentRuns: num('BENCH_CONTENT_RUNS', 15),
  contentProbe: env('BENCH_CONTENT_PROBE', '0') === '1', // the in-page probe as well (a second set of loads)
  // spacing in ms [: commits]
  probes: list('BENCH_PROBE', '200:40,2500:20').map((s) => {
    const [spacing, n] = s.split(':').map(Number);
    return { spacingMs: spacing, n: n || 20 };
  }),
  sizes: list('BENCH_SIZES', '20,200,1000').map(Number),
  durationS: num('BENCH_DURATION_S', 120),
  tailS: num('BENCH_TAIL_S', 15),
  settleS: num('BENCH_SETTLE_S', 20),
  paceMs: num('BENCH_PACE_MS', 1000),
  kills: num('BENCH_KILLS', 3),
  killMinS: num('BENCH_KILL_MIN_S', 10),
  killMaxS: num('BENCH_KILL_MAX_S', 35),
  seed: num('BENCH_SEED', 1),
  // Realistic sessions: navigations per content tab before anything is measured (back history).
  warmNavs: num('BENCH_WARM_NAVS', 5),
  warmConcurrency: num('BENCH_WARM_CONCURRENCY', 24),
  templateMin: num('BENCH_TEMPLATE_MIN', 200),
  parallel: env('BENCH_PARALLEL', '1') !== '0',
  dist: resolve(REPO, env('LIFEBOAT_DIST', 'dist/bench')),
  out: resolve(REPO, env('BENCH_OUT', 'bench/RESULTS.md')),
  core: resolve(REPO, env('BENCH_CORE', 'bench/tmp/core.md')),
  json: resolve(REPO, env('BENCH_JSON', 'bench/tmp/results.json')),
};

const started = Date.now();
const log = (m) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`);

/** Two parties meet at each named point; if one fails, the other goes on alone. */
function pairBarrier() {
  const points = new Map();
  let broken = false;
  const barrier = (name) => {
    if (broken) return Promise.resolve();
    let p = points.get(name);
    if (!p) {
      let release;
      p = { count: 0, promise: new Promise((r) => { release = r; }), release: null };
      p.release = release;
      points.set(name, p);
    }
    p.count += 1;
    if (p.count >= 2) p.release();
    return p.promise;
  };
  barrier.break = () => {
    broken = true;
    for (const p of points.values()) p.release();
  };
  return barrier;
}

async function main() {
  const C = CONFIG;
  for (const kind of C.browsers) if (!['chromium', 'firefox'].includes(kind)) throw new Error(`unknown browser ${kind}`);
  if (!existsSync(join(C.dist, 'chrome', 'manifest.json')) || !existsSync(join(C.dist, 'lifeboat-firefox.xpi'))) {
    throw new Error(`no bench build in ${C.dist}: run ./build.sh bench (or set LIFEBOAT_DIST)`);
  }
  const root = mkdtempSync(join(tmpdir(), 'lifeboat-bench-'));
  const driverExt = buildDriver(root);
  const server = await startServer();
  serveContentPages(server);
  const results = { config: C, build: buildInfo(C.dist), command: commandLine(), startedAt: new Date().toISOString(), probe: [], background: [], timeline: [], storm: [], restore: [], h2h: [], content: [], soak: [], errors: [] };
  const common = { root, server, dist: C.dist, driverExt, log };
  const attempt = async (what, fn) => {
    try {
      return await fn();
    } catch (e) {
      log(`FAILED ${what}: ${e?.stack ?? e}`);
      results.errors.push({ what, error: String(e?.message ?? e) });
      return null;
    }
  };
  const save = () => {
    mkdirSync(resolve(C.json, '..'), { recursive: true });
    writeFileSync(C.json, JSON.stringify(results, null, 2));
  };
  // The memory soak runs beside every other part, both browsers at once: it
  // measures memory, not time, and its workload is one action a second (the
  // report says so); one after the other, a full run would take an hour more.
  let soaking = null;
  if (C.parts.includes('soak')) {
    log(`memory soak, beside the other parts: ${C.browsers.join(' and ')}, ${C.soakTabs} tabs, ${C.soakMinutes} min of the workload`);
    soaking = Promise.all(C.browsers.map((kind) => attempt(`soak ${kind}`, () => soak(kind, {
      ...common, log: (m) => log(`(soak) ${m}`), n: C.soakTabs, minutes: C.soakMinutes, sampleS: C.soakSampleS, paceMs: C.paceMs, seed: C.seed, templateMin: C.templateMin,
    })))).then((rs) => {
      results.soak.push(...rs.filter(Boolean));
      save();
    });
  }
  try {
    if (C.parts.includes('probe')) {
      for (const { spacingMs, n } of C.probes) {
        // Both browsers at once: a probe is light, and idle between commits.
        const rs = await Promise.all(C.browsers.map((kind) => attempt(`probe ${kind} ${spacingMs} ms`,
          () => commitProbe(kind, { ...common, n, spacingMs }))));
        results.probe.push(...rs.filter(Boolean));
        save();
      }
    }
    // The 1,000-tab background cost comes from the head-to-head's Lifeboat run when it has 1,000 tabs.
    const reuse = C.parts.includes('h2h') && env('BENCH_BG_REUSE', '1') !== '0';
    // Part 1 at 10,000 tabs comes last: its set-up takes minutes, and a
    // failure there should cost no other part.
    const backgroundAt = async (sizes) => {
      for (const kind of C.browsers) {
        for (const n of sizes) {
          if (reuse && C.sizes.includes(n)) continue;
          log(`background cost: ${kind}, ${n} tabs`);
          const r = await attempt(`background ${kind} ${n}`, () => backgroundCost(kind, n, { ...common, templateMin: C.templateMin }));
          if (r) results.background.push(r);
          save();
        }
      }
    };
    const timelineAt = async (sizes) => {
      for (const kind of C.browsers) {
        for (const n of sizes) {
          log(`a week of timeline: ${kind}, ${n} tabs`);
          const r = await attempt(`timeline ${kind} ${n}`, () => timelineCost(kind, n, { ...common, days: C.timelineDays, templateMin: C.templateMin }));
          if (r) results.timeline.push(r);
          save();
        }
      }
    };
    const LARGE = 5000;
    if (C.parts.includes('bench')) await backgroundAt(C.benchSizes.filter((n) => n < LARGE));
    if (C.parts.includes('timeline')) await timelineAt(C.timelineTabs.filter((n) => n < LARGE));
    if (C.parts.includes('storm')) {
      for (const kind of C.browsers) {
        log(`event storm: ${kind}, ${C.storm} tabs beside ${C.stormBase}`);
        const r = await attempt(`storm ${kind}`, () => eventStorm(kind, { ...common, n: C.stormBase, storm: C.storm }));
        if (r) results.storm.push(r);
        save();
      }
    }
    if (C.parts.includes('restore')) {
      for (const n of C.restoreTabs) {
        for (const kind of C.browsers) {
          log(`restore: ${kind}, ${n} tabs in ${C.restoreWindows} windows`);
          const r = await attempt(`restore ${kind} ${n}`, () => restoreTime(kind, { ...common, n, windows: C.restoreWindows }));
          if (r) results.restore.push(r);
          save();
        }
      }
    }
    if (C.parts.includes('pages')) {
      // Issue 13 item 4: its own script (first paint and search at 1,000 and
      // 10,000 tabs, both browsers), on the same build.
      log('pages at scale');
      const figures = join(root, 'pages.json');
      const md = await attempt('pages', () => execFileSync(process.execPath, [join(REPO, 'tests/bench/pages.mjs'), C.browsers.length > 1 ? 'all' : C.browsers[0]],
        { encoding: 'utf8', env: { ...process.env, LIFEBOAT_DIST: C.dist, PAGES_JSON: figures }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 }));
      if (md) results.pages = md.trim();
      if (existsSync(figures)) results.pagesFigures = JSON.parse(readFileSync(figures, 'utf8'));
      save();
    }
    if (C.parts.includes('content')) {
      for (const kind of C.browsers) {
        log(`content script cost: ${kind}, ${C.contentRuns} loads per page, with and without Lifeboat`);
        const rs = await attempt(`content ${kind}`, () => contentCost(kind, { ...common, runs: C.contentRuns, probe: C.contentProbe }));
        if (rs) results.content.push(...rs);
        save();
      }
    }
    if (C.parts.includes('h2h')) {
      for (const n of C.sizes) {
        for (const kind of C.browsers) {
          log(`head-to-head: ${kind}, ${n} tabs (own store${C.parallel ? ' and Lifeboat in parallel' : ', then Lifeboat'})`);
          const barrier = C.parallel ? pairBarrier() : async () => {};
          let template = null;
          if (kind === 'chromium' && n >= C.templateMin) {
            log(`chromium: setting up ${n} tabs once, in a template profile`);
            template = await attempt(`template chromium ${n}`, () => chromiumTemplate(n, { ...common, warmNavs: C.warmNavs, warmConcurrency: C.warmConcurrency }));
            if (!template) continue;
          }
          const o = { ...common, ...C, log, barrier, template, benchHere: C.parts.includes('bench') && reuse && C.benchSizes.includes(n) };
          const run = (lifeboat) => attempt(`h2h ${kind} ${n} ${lifeboat ? 'lifeboat' : 'own'}`, async () => {
            try {
              return await headToHead(kind, n, lifeboat, o);
            } finally {
              barrier.break?.();
            }
          });
          const pair = C.parallel ? await Promise.all([run(false), run(true)]) : [await run(false), await run(true)];
          for (const r of pair) if (r) results.h2h.push(r);
          const lbRun = pair[1];
          if (lbRun?.bench) {
            results.background.push({
              kind, n, ...lbRun.bench, fromHeadToHead: true, memory: lbRun.bench.memory ?? null,
              restartStartMs: lbRun.kills[0]?.lifeboat?.startMs ?? null, restartStartParts: lbRun.kills[0]?.lifeboat?.startParts ?? null,
              restartTabsOpen: lbRun.kills[0]?.browser?.tabs ?? null, firstStartMs: lbRun.firstStart?.startMs ?? null,
            });
          }
          save();
        }
      }
    }
    if (C.parts.includes('bench')) await backgroundAt(C.benchSizes.filter((n) => n >= LARGE));
    if (C.parts.includes('timeline')) await timelineAt(C.timelineTabs.filter((n) => n >= LARGE));
    if (soaking) {
      log('waiting for the memory soak');
      await soaking;
    }
  } finally {
    await soaking?.catch(() => {});
    await server.close();
    if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
    else log(`kept ${root}`);
  }
  results.finishedAt = new Date().toISOString();
  results.minutes = (Date.now() - started) / 60000;
  if (process.env.BENCH_MERGE) mergeInto(results, JSON.parse(readFileSync(resolve(process.env.BENCH_MERGE), 'utf8')));
  save();
  const core = existsSync(C.core) ? readFileSync(C.core, 'utf8') : null;
  const md = renderReport(results, core);
  mkdirSync(resolve(C.out, '..'), { recursive: true });
  writeFileSync(C.out, md);
  process.stdout.write(md);
  log(`wrote ${C.out} in ${results.minutes.toFixed(1)} min`);
}

/** Which build was measured: the tree's commit (and whether it had changes) and the bench packages' digests and times. */
function buildInfo(dist) {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  const pkg = (file) => {
    const path = join(dist, file);
    if (!existsSync(path)) return null;
    return { file: relative(REPO, path), sha256: createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16), builtAt: statSync(path).mtime.toISOString() };
  };
  return {
    commit: git('rev-parse', 'HEAD'), subject: git('log', '-1', '--format=%s'), branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
    dirty: (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '',
    firefox: pkg('lifeboat-firefox.xpi'), chromium: pkg('lifeboat-chrome.zip'),
  };
}

/** The command as run: the BENCH_* and LIFEBOAT_* variables set, then node and its arguments. */
function commandLine() {
  const vars = Object.entries(process.env).filter(([k]) => /^(BENCH_|LIFEBOAT_DIST$|CHROMIUM_BIN$|FIREFOX_BIN$)/.test(k)).sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${/^[\w.,:/=+-]*$/.test(v) ? v : JSON.stringify(v)}`);
  return [...vars, 'node', relative(REPO, process.argv[1]) || process.argv[1], ...process.argv.slice(2)].join(' ');
}

/** BENCH_MERGE=old.json: rows of an earlier run that this run did not measure again are kept
 *  (e.g. after re-running one failed part), and the report says so. */
function mergeInto(results, old) {
  const keys = {
    probe: (r) => `${r.kind}/${r.spacingMs}`, background: (r) => `${r.kind}/${r.n}`, timeline: (r) => `${r.kind}/${r.n}`,
    restore: (r) => `${r.kind}/${r.n}`, h2h: (r) => `${r.kind}/${r.n}/${r.lifeboat}`, content: (r) => `${r.kind}/${r.page}/${r.lifeboat}`,
    storm: (r) => r.kind, soak: (r) => `${r.kind}/${r.n}`,
  };
  for (const [part, key] of Object.entries(keys)) {
    results[part] ??= [];
    const have = new Set(results[part].map(key));
    results[part].push(...(old[part] ?? []).filter((r) => !have.has(key(r))));
  }
  results.pages ??= old.pages;
  results.pagesFigures ??= old.pagesFigures;
  const fixed = new Set(results.errors.map((e) => e.what));
  results.errors.push(...(old.errors ?? []).filter((e) => !fixed.has(e.what) && !rerun(results, e.what)));
  results.merged = [...(old.merged ?? []), { startedAt: old.startedAt, minutes: old.minutes, config: old.config }];
}

/** Whether a failure of an earlier run ("background chromium 100", "h2h firefox 20 own", …) was measured now. */
function rerun(results, what) {
  const [part, kind, n, who] = what.split(' ');
  if (part === 'background') return results.background.some((r) => r.kind === kind && r.n === Number(n));
  if (part === 'timeline') return results.timeline.some((r) => r.kind === kind && r.n === Number(n));
  if (part === 'restore') return results.restore.some((r) => r.kind === kind && (n === undefined || r.n === Number(n)));
  if (part === 'h2h') return results.h2h.some((r) => r.kind === kind && r.n === Number(n) && r.lifeboat === (who === 'lifeboat'));
  if (part === 'probe') return results.probe.some((r) => r.kind === kind && r.spacingMs === Number(n));
  if (part === 'content') return results.content.some((r) => r.kind === kind);
  if (part === 'storm' || part === 'soak') return (results[part] ?? []).some((r) => r.kind === kind);
  return false;
}

/** `--report [results.json]`: re-renders bench/RESULTS.md from saved raw results, measures nothing. */
function reportOnly(file) {
  const results = JSON.parse(readFileSync(file, 'utf8'));
  const core = existsSync(CONFIG.core) ? readFileSync(CONFIG.core, 'utf8') : null;
  const md = renderReport(results, core);
  writeFileSync(CONFIG.out, md);
  process.stdout.write(md);
}

const at = process.argv.indexOf('--report');
if (at >= 0) reportOnly(resolve(process.argv[at + 1] ?? CONFIG.json));
else main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exitCode = 1;
});
