// Issue 13's figures beside their targets and anchors, and the memory soak.
// Every figure here comes from the run's raw results; a miss says by how much
// and, from the run's own parts, where the time went.
import { CONTENT_GOAL_MS } from '../content.mjs';
import { median } from './jobs.mjs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');

const NAME = { chromium: 'Chromium', firefox: 'Firefox' };
const MB = 2 ** 20;
const f = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : Number(v).toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d }));
const mb = (bytes, d = 1) => (bytes === null || bytes === undefined ? 'n/a' : `${f(bytes / MB, d)} MB`);
const yes = (ok) => (ok === null || ok === undefined ? 'not measured' : ok ? 'yes' : '**no**');
const over = (v, goal) => (v > goal ? `${f(v / goal, 1)}× the target` : '');

export const GOAL13 = {
  startMs: { 1000: 50, 10000: 300 },
  memoryMiB: { 1000: 10, 10000: 60 },
  restoreMs: { chromium: { 200: 3000, 1000: 15_000 }, firefox: { 200: 1500 } },
  paintMs: 500,
  searchMs: 100,
  stormDrainMs: 1000,
  stormCommits: 10,
  // Flat: what is reachable in the last 10 minutes is at most this much above the first 10 minutes'.
  soakGrowth: 0.10,
  soakSlackMiB: 0.5,
};

/** The background's memory in a sample: WASM linear memory plus (Chromium) the JS heap. */
const total = (m) => (m?.wasmMemoryBytes ? m.wasmMemoryBytes + (m.jsHeapUsedBytes ?? 0) : null);

/** Soak samples of the first and last `minutes`, and whether the last are flat against the first. */
export function soakVerdict(r, minutes = 10) {
  const s = r.samples.filter((x) => total(x) !== null);
  if (s.length < 3) return null;
  const end = s[s.length - 1].minute;
  const first = s.filter((x) => x.minute <= minutes && x.minute > 0);
  const last = s.filter((x) => x.minute >= end - minutes);
  const avg = (xs, key) => (xs.length ? xs.reduce((a, x) => a + key(x), 0) / xs.length : null);
  const a = avg(first.length ? first : [s[1]], total);
  const z = avg(last, total);
  const rssA = avg(first.filter((x) => x.rssBytes), (x) => x.rssBytes);
  const rssZ = avg(last.filter((x) => x.rssBytes), (x) => x.rssBytes);
  return {
    minutes: end, first: a, last: z, peak: Math.max(...s.map(total)), rssFirst: rssA, rssLast: rssZ,
    flat: z <= a * (1 + GOAL13.soakGrowth) + GOAL13.soakSlackMiB * MB,
    wasmFirst: s[0].wasmMemoryBytes, wasmLast: s[s.length - 1].wasmMemoryBytes,
    ...heapVerdict(first.length ? first : [s[1]], last, s),
  };
}

/**
 * The Rust heap (bench builds count every allocation): what it holds comes off
 * again when freed, unlike linear memory. Flat by the same rule as the total.
 */
function heapVerdict(first, last, all) {
  const held = (xs) => xs.filter((x) => x.heapLiveBytes != null);
  const avg = (xs) => (xs.length ? xs.reduce((a, x) => a + x.heapLiveBytes, 0) / xs.length : null);
  const a = avg(held(first));
  const z = avg(held(last));
  if (a === null || z === null) return {};
  const peaks = all.map((x) => x.heapPeakBytes).filter((x) => x != null);
  return { heapFirst: a, heapLast: z, heapPeak: peaks.length ? Math.max(...peaks) : null, heapFlat: z <= a * (1 + GOAL13.soakGrowth) + GOAL13.soakSlackMiB * MB };
}

export function soakSection(results) {
  const out = [];
  if (!results.soak?.length) return out;
  const r0 = results.soak[0];
  out.push(`## The background's memory over ${r0.minutes} minutes of the workload (issue 13 item 2; \`tests/bench/lib/soak.mjs\`)`, '');
  out.push(`${f(r0.n)} content tabs, then the head-to-head's seeded workload (seed ${r0.seed}, one action every ${r0.paceMs} ms: navigations, tab switches, typing, tabs opened and closed) for ${r0.minutes} minutes, `
    + `both browsers side by side and beside the run's other parts (whose timings share the machine with it; the load column says how busy it was); every ${r0.sampleS} s: the WASM module's linear memory (a high-water mark: it never shrinks), the service worker's JS heap after a garbage collection `
    + '(Chromium, CDP `HeapProfiler.collectGarbage` then `Runtime.getHeapUsage`: what is still reachable; Firefox\'s remote protocol has no heap figure), and the resident memory of the process that runs the background '
    + '(Chromium: its extension processes; Firefox: its WebExtensions process; both also run the bench driver\'s page: a trend, not Lifeboat alone). '
    + `*Flat*: the mean of the last 10 minutes (WASM + JS heap) is at most ${GOAL13.soakGrowth * 100} % + ${GOAL13.soakSlackMiB} MB above the mean of the first 10. `
    + '*Rust heap*: the bytes the background\'s Rust heap holds (a bench build counts every allocation and free, `src/heap.rs`), which, unlike linear memory, come off again, '
    + 'and the most it held at once between two samples; flat by the same rule.', '');
  const rows = results.soak.map((r) => {
    const v = soakVerdict(r);
    const s = r.samples;
    const lastS = s[s.length - 1];
    return [NAME[r.kind], f(r.n), f(lastS?.minute, 0), f(lastS?.actions), `${s[0]?.tabs ?? 'n/a'} → ${lastS?.tabs ?? 'n/a'}`,
      `${mb(v?.wasmFirst)} → ${mb(v?.wasmLast)}`,
      `${s[0]?.jsHeapUsedBytes ? `${mb(median(s.slice(1, 11).map((x) => x.jsHeapUsedBytes)))} → ${mb(median(s.slice(-10).map((x) => x.jsHeapUsedBytes)))}` : 'n/a'}`,
      `${mb(v?.first)} → ${mb(v?.last)} (peak ${mb(v?.peak)})`,
      v?.heapFirst != null ? `${mb(v.heapFirst)} → ${mb(v.heapLast)} (most at once ${mb(v.heapPeak)}); flat: ${yes(v.heapFlat)}` : 'n/a',
      `${mb(v?.rssFirst, 0)} → ${mb(v?.rssLast, 0)}`, yes(v?.flat),
      `${s[0]?.commits ?? 0} → ${lastS?.commits ?? 0}`, `${f(median(s.map((x) => x.load)), 1)}`];
  });
  out.push(table(['browser', 'tabs', 'minutes', 'actions', 'tabs in the model', 'WASM memory', 'JS heap after GC, median of the first / last 10 samples', 'background, first 10 → last 10 min (mean)', 'Rust heap held, first 10 → last 10 min (mean)', 'extension process RSS (mean)', 'flat?', 'commits', 'load (median)'], rows));
  out.push('');
  for (const r of results.soak) {
    const pts = r.samples.filter((x) => total(x) !== null).filter((_, i, a) => i % Math.max(1, Math.floor(a.length / 12)) === 0 || i === a.length - 1);
    out.push(`- ${NAME[r.kind]}, every few samples (minute: WASM + heap MB / RSS MB): ${pts.map((x) => `${f(x.minute, 0)}: ${f(total(x) / MB, 1)} / ${x.rssBytes ? f(x.rssBytes / MB, 0) : 'n/a'}`).join('; ')}.`);
  }
  out.push('');
  return out;
}

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Where a start-up's time went, from `status.timings.startParts`. */
function startWhy(b) {
  const p = b.restartStartParts;
  if (!p) return '';
  const own = b.restartStartMs - (p.fetchWasmMs ?? 0);
  return p.fetchWasmMs > b.restartStartMs / 2
    ? `of it ${f(p.fetchWasmMs)} ms until the browser answered the fetch of the extension's own \`.wasm\` while it reopened its tabs (bench/STARTUP-WAIT.md); Lifeboat's part after the bytes ${f(own)} ms`
    : `reading the open windows from the browser ${f(p.windowsMs)} ms, beside opening storage ${f(p.openStorageMs)} ms; judging ${f(p.judgeMs)}, the model ${f(p.modelMs)} ms; loading the WASM ${f(p.loadWasmMs)} ms`;
}

/** Where a storm's drain went, from the queue's time by kind. */
function stormWhy(m) {
  const commit = m.byKind?.find((k) => k.kind === 'commit');
  const handlers = (m.busyMs ?? 0) - (commit?.ms ?? 0);
  if ((m.busyMs ?? 0) < m.drainMs / 2) {
    // Since commits are written beside the queue, their time ("commit", the write included) is not the queue's.
    return `the queue was busy ${f(m.busyMs)} ms of the ${f(m.drainMs)} ms (${f(m.cpuMs)} ms of CPU; its ${f(commit?.n)} commits took ${f(commit?.ms)} ms from start to end, written beside it): the rest is the browser delivering its events late`;
  }
  if (commit && commit.ms > m.busyMs / 2) {
    return `the queue waited ${f(commit.ms)} ms on ${commit.n} commit writes (the slowest ${f(commit.maxMs)} ms: the browser answered the database late while it created the tabs); `
      + `handling the ${f(m.handled)} messages themselves took ${f(handlers)} ms`;
  }
  if ((m.busyMs ?? 0) > m.drainMs / 2) return `the queue was busy ${f(m.busyMs)} ms (${f(m.cpuMs)} ms of CPU): most of it waiting for the browser's answers`;
  return `the queue was busy ${f(m.busyMs)} ms of the drain (${f(m.cpuMs)} ms of CPU): the rest is the browser delivering its events late`;
}

/** Issue 13's targets, one row per figure and browser. */
export function issue13Section(results, contentPairs) {
  const rows = [];
  const add = (item, target, kind, measured, anchor, ok, why = '') => rows.push([item, target, NAME[kind] ?? kind, measured, anchor, target === 'no target' ? '(no target)' : yes(ok), why]);
  // 1 and 2: start-up and memory at each size.
  for (const b of [...results.background].sort((a, z) => a.n - z.n || a.kind.localeCompare(z.kind))) {
    const goal = GOAL13.startMs[b.n];
    if (goal) {
      const ok = b.restartStartMs === null || b.restartStartMs === undefined ? null : b.restartStartMs <= goal;
      add(`1. start-up, ${f(b.n)} tabs (restart, WASM load included)`, `≤ ${goal} ms`, b.kind, `${f(b.restartStartMs)} ms`,
        `the browser's own tabs: ${f(b.restartTabsOpen)} reopened`, ok, ok ? '' : `${over(b.restartStartMs, goal)}; ${startWhy(b)}`);
    }
    const mgoal = GOAL13.memoryMiB[b.n];
    for (const [when, m] of [['set up', b.memory], ['after a restart', b.restartMemory]]) {
      if (!total(m)) continue;
      const t = total(m);
      add(`2. memory, ${f(b.n)} tabs, ${when}${b.fromHeadToHead ? ' (the head-to-head\'s session: 6 pages of history a tab)' : ''}`, mgoal ? `≤ ${mgoal} MB` : 'no target', b.kind,
        `${mb(t)} (WASM ${mb(m.wasmMemoryBytes)}${m.jsHeapUsedBytes ? `, JS heap ${mb(m.jsHeapUsedBytes)}` : '; no JS heap figure in Firefox'})`, 'n/a', mgoal ? t <= mgoal * MB : null,
        mgoal && t > mgoal * MB ? over(t / MB, mgoal) : '');
    }
  }
  // 2 again, with a week of autosave timeline in the store (the `timeline` part).
  for (const t of [...(results.timeline ?? [])].sort((a, z) => a.n - z.n || a.kind.localeCompare(z.kind))) {
    const mgoal = GOAL13.memoryMiB[t.n];
    for (const [when, m] of [['while a week of timeline was written', t.writtenMemory], ['after a restart with a week of timeline', t.restartMemory]]) {
      const all = total(m);
      if (!all) continue;
      add(`2. memory, ${f(t.n)} tabs, ${when}`, mgoal ? `≤ ${mgoal} MB` : 'no target', t.kind,
        `${mb(all)} (WASM ${mb(m.wasmMemoryBytes)}${m.jsHeapUsedBytes ? `, JS heap ${mb(m.jsHeapUsedBytes)}` : '; no JS heap figure in Firefox'})`, 'n/a', mgoal ? all <= mgoal * MB : null,
        mgoal && all > mgoal * MB ? `${over(all / MB, mgoal)}; the WASM figure is the module's high-water mark, reached while ${t.written?.commits ?? 'the'} commits were written one after another` : '');
    }
  }
  for (const r of results.soak ?? []) {
    const v = soakVerdict(r);
    const s = r.samples;
    const grew = (key) => (s.length > 1 && s[1][key] != null && s[s.length - 1][key] != null ? s[s.length - 1][key] - s[1][key] : null);
    const heap = grew('jsHeapUsedBytes');
    const size = grew('snapshotBytes');
    add(`2. memory flat over ${f(v?.minutes, 0)} min of the workload, ${f(r.n)} tabs`, 'flat', r.kind, v ? `${mb(v.first)} → ${mb(v.last)} (peak ${mb(v.peak)})` : 'n/a',
      v?.rssFirst ? `extension process RSS ${mb(v.rssFirst, 0)} → ${mb(v.rssLast, 0)}` : 'n/a', v?.flat ?? null,
      v?.flat === false ? `from the first sample to the last: WASM memory ${mb(grew('wasmMemoryBytes'))} more${heap === null ? '' : `, JS heap after a collection ${mb(heap)} more`}${size === null ? '' : `; the session's encoded size ${mb(size, 2)} more`}`
        + (v.heapFirst == null ? '' : `; the Rust heap held ${mb(v.heapFirst)} → ${mb(v.heapLast)} (flat: ${yes(v.heapFlat)}), at most ${mb(v.heapPeak)} at once`) : '');
  }
  // 3: restore.
  for (const r of [...(results.restore ?? [])].sort((a, z) => a.n - z.n)) {
    const goal = GOAL13.restoreMs[r.kind]?.[r.n];
    for (const [label, m] of [['named save', r.named], ['crashed session', r.crash]]) {
      if (!m) continue;
      const ok = goal && m.allMs !== null ? m.allMs <= goal : null;
      const perTab = m.allMs && r.n ? m.allMs / r.n : null;
      add(`3. restore, ${f(r.n)} tabs in ${r.windows ?? 4} windows, ${label}`, goal ? `≤ ${f(goal / 1000, 1)} s` : 'no target', r.kind, `${f(m.allMs / 1000, 2)} s`,
        r.own ? `the browser's own, from its launch: ${r.own.allMs === null ? `${f(r.own.open)} of ${f(r.n)} tabs within its wait${r.own.ownFileTabs != null && r.own.ownFileTabs < r.n ? ` (its session file held ${f(r.own.ownFileTabs)} at the kill)` : ''}` : `${f(r.own.allMs / 1000, 2)} s`}` : 'n/a', goal ? ok : null,
        ok === false ? `${over(m.allMs, goal)}; ${f(perTab)} ms a tab: ${r.kind === 'chromium'
          ? 'an extension cannot create a tab unloaded in Chromium: each is created loading and discarded once its address committed, at most 4 at a time (the cap of item 3), where the browser itself creates them unloaded'
          : 'creating each discarded tab through the tabs API'}` : '');
    }
  }
  // 4: pages.
  for (const p of (results.pagesFigures ?? []).filter((x) => x.tabs >= 10_000)) {
    const ok = p.restorePaintMs <= GOAL13.paintMs && p.managerPaintMs <= GOAL13.paintMs;
    add(`4. pages, ${f(p.tabs)} tabs: first paint (restore page / manager)`, `≤ ${GOAL13.paintMs} ms`, p.kind, `${f(p.restorePaintMs)} / ${f(p.managerPaintMs)} ms`, 'n/a', ok);
    add(`4. pages, ${f(p.tabs)} tabs: search answer`, `≤ ${GOAL13.searchMs} ms`, p.kind, `${f(p.searchMs)} ms`, 'n/a', p.searchMs <= GOAL13.searchMs);
  }
  // 5: content script.
  for (const p of contentPairs ?? []) {
    const goal = CONTENT_GOAL_MS[p.page];
    const ok = p.added === null ? null : p.added <= goal;
    add(`5. content script, ${p.page === 'typical' ? 'typical page' : '2,000 fields'}: main-thread time added to a load`, `≤ ${goal} ms`, p.kind,
      `${f(p.added, 2)} ms${p.ci ? ` (90 %: ${f(p.ci[0], 1)} … ${f(p.ci[1], 1)})` : ''}`, `without Lifeboat: ${f(p.without?.median, 1)} ms`, ok,
      ok === false ? `${over(p.added, goal)}; ${p.ci && p.ci[0] <= goal ? 'within the noise of this machine' : 'reading, watching and answering for every field of the page'}` : '');
  }
  // 6: storms.
  for (const r of results.storm ?? []) {
    for (const [label, m] of [['opened', r.open], ['closed', r.close]]) {
      if (!m) continue;
      const ok = m.drainMs <= GOAL13.stormDrainMs;
      add(`6. storm, ${f(r.storm)} tabs ${label} at once: drained`, `≤ ${f(GOAL13.stormDrainMs)} ms`, r.kind, `${f(m.drainMs)} ms`, `the browser took ${f(m.browserMs)} ms to ${label === 'opened' ? 'open' : 'close'} them`, ok,
        ok ? '' : stormWhy(m));
      const cok = m.commits <= GOAL13.stormCommits;
      add(`6. storm, ${f(r.storm)} tabs ${label} at once: commits`, `a handful (read as ≤ ${GOAL13.stormCommits})`, r.kind, f(m.commits), 'n/a', cok,
        cok ? '' : `in a storm the saver commits within 1.5 s (0.5 s otherwise: issue 12's recovery point, 2 s, bounds how long it may wait), so a storm of ${f((m.browserMs + m.drainMs) / 1000, 1)} s, from the first tab to the last event, costs about one commit per 1.5 s it lasts; not 500`);
    }
  }
  const order = (row) => Number(row[0].split('.')[0]);
  rows.sort((a, z) => order(a) - order(z));
  const out = ['## Issue 13 targets: each figure beside its target and anchor', ''];
  out.push(`From this run's raw results (\`${results.config?.json ? relative(REPO, results.config.json) : 'bench/tmp/results.json'}\`); *anchor* is what the browser itself did in the same part of the run. A miss says by how much and where the time went, from that part's own measurements.`, '');
  out.push(table(['item', 'target', 'browser', 'measured', 'anchor', 'met?', 'by how much, and why'], rows));
  out.push('');
  return out;
}
