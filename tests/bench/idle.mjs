// What an idle (or nearly idle) Firefox writes for Lifeboat: Firefox suspends an idle MV3
// background page after ~30 s without events and Lifeboat's one-minute alarm wakes it
// again; each wake may open the journal's OPFS sync access handle and each suspend closes
// it, which costs writes to the OPFS metadata database (bench/PROBE.md, "Conclusion").
//
//   node tests/bench/idle.mjs [--dist DIR] [--minutes N] [--tabs K] [--active] [--keep]
//
// Headless Firefox ESR with DIR/lifeboat-firefox.xpi (default $LIFEBOAT_DIST or dist) under
// strace, K (5) tabs on the bench's local server, then nothing at all for N (5) minutes
// (--active: one tab switch every 2 minutes instead, each moved to a moment when the
// background should be asleep, so that it is a wake of its own: see untilAsleep).
// Prints a Markdown table: bytes written per file group of Lifeboat's origin, in total
// and per minute, and how many times its background started (see `wakes` below).
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchBrowser, REPO, buildDriver, sleep } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import { writesPerFile } from './lib/strace.mjs';
import { FIREFOX_EXTENSION_UUID } from '../e2e/lib/profile.mjs';

const { values: opt } = parseArgs({
  options: {
    dist: { type: 'string', default: process.env.LIFEBOAT_DIST ?? join(REPO, 'dist') },
    minutes: { type: 'string', default: '5' },
    tabs: { type: 'string', default: '5' },
    active: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    // Re-read a kept trace: --report TRACE --from MS (the window start printed on stderr).
    report: { type: 'string' },
    from: { type: 'string' },
    switches: { type: 'string', default: '0' },
  },
});
const MINUTES = Number(opt.minutes);
const TABS = Number(opt.tabs);
const SWITCH_EVERY_MS = 120_000;
// A wake is a burst of opens in Lifeboat's origin directories; two bursts this far apart
// are two wakes (the alarm fires once a minute, the idle suspend comes after ~30 s).
const WAKE_GAP_MS = 10_000;
// Two starts are at least the idle timeout (30 s) apart: the page must be suspended first.
// Opens of the database closer than this are one start (the idb build reopens it ~15 s
// after a wake to commit, on the same page).
const START_GAP_MS = 25_000;

// Writes as the head-to-head traces them, plus openat: the sign of a background start.
const SYSCALLS = 'write,pwrite64,pwritev,pwritev2,openat';

// ------------------------------------------------------------------ file groups

const ORIGIN = `/storage/default/moz-extension+++${FIREFOX_EXTENSION_UUID}`;
const GROUPS = [
  // storage.local: Firefox keeps it in IndexedDB under a separate internal principal.
  ['storage.local (`…^userContextId=4294967295/`)', (p) => p.includes(`${ORIGIN}^userContextId=`)],
  ['IndexedDB (`idb/*`)', (p) => p.includes(`${ORIGIN}/idb/`)],
  ['OPFS data (`fs/` but metadata)', (p) => p.includes(`${ORIGIN}/fs/`) && !/\/fs\/metadata\.sqlite/.test(p)],
  ['OPFS metadata (`fs/metadata.sqlite*`)', (p) => /\/fs\/metadata\.sqlite/.test(p) && p.includes(`${ORIGIN}/fs/`)],
  ['rest of the origin dir', (p) => p.includes(`${ORIGIN}/`) || p.endsWith(ORIGIN)],
];
const groupOf = (path) => GROUPS.find(([, test]) => test(path))?.[0] ?? null;
const QUOTA = /\/storage\.sqlite(-\w+)?$|\/storage\/ls-archive\.sqlite/;

// ------------------------------------------------------------------ opens (wakes)

// `1234 1795.1 openat(AT_FDCWD</x>, ""..., O_RDWR) = 57</path>`, or split in unfinished/resumed.
const OPEN = /^(\d+)\s+(\d+\.\d+)\s+openat\(/;
const OPEN_RESUMED = /^(\d+)\s+(\d+\.\d+)\s+<\.\.\. openat resumed>/;
const FD_PATH = /\)\s+=\s+\d+<(.*)>$/;

/** [{ ts (ms), path }] of the successful opens of files in Lifeboat's origin directories. */
async function originOpens(trace) {
  const out = [];
  const pending = new Map();
  const lines = createInterface({ input: createReadStream(trace), crlfDelay: Infinity });
  for await (const line of lines) {
    let m = OPEN.exec(line);
    let ts;
    if (m) {
      ts = Number(m[2]) * 1000;
      if (line.endsWith('<unfinished ...>')) { pending.set(m[1], ts); continue; }
    } else if ((m = OPEN_RESUMED.exec(line))) {
      ts = pending.get(m[1]);
      pending.delete(m[1]);
      if (ts === undefined) continue;
    } else continue;
    const f = FD_PATH.exec(line);
    if (f && f[1].includes(ORIGIN)) out.push({ ts, path: f[1] });
  }
  return out;
}

/** Bursts of opens at least WAKE_GAP_MS apart: [{ at (ms), opens, files:Set }]. */
function bursts(opens, gap = WAKE_GAP_MS) {
  const out = [];
  for (const o of opens.sort((a, b) => a.ts - b.ts)) {
    const last = out.at(-1);
    if (last && o.ts - last.end < gap) {
      last.end = o.ts; last.opens += 1; last.files.add(shortOf(o.path));
    } else out.push({ at: o.ts, end: o.ts, opens: 1, files: new Set([shortOf(o.path)]) });
  }
  return out;
}
const shortOf = (p) => p.slice(p.indexOf(ORIGIN) + ORIGIN.length).replace(/^\^userContextId=\d+/, '[storage.local]').replace(/^\//, '');

/** Starts of the background seen in the trace so far that began after `since`. */
async function startsSince(trace, since) {
  const opens = (await originOpens(trace)).filter((o) => /\/idb\/[^/]+\.sqlite$/.test(o.path) && !o.path.includes(`${ORIGIN}^`));
  return bursts(opens, START_GAP_MS).filter((x) => x.at > since);
}

/**
 * Waits for a moment at or after `t` when the background should be asleep, so that a tab
 * switch there is a wake of its own (one start, one commit) rather than an event in a wake
 * the alarm already made: 45 s after the last start (suspended 30 s after its last event;
 * Lifeboat re-creates its one-minute alarm at each start, so the next alarm comes at 60 s).
 * Reads the trace (the window's first start is awaited if none was seen yet).
 */
async function untilAsleep(trace, from, t) {
  await sleep(Math.max(0, t - Date.now()));
  for (;;) {
    const last = (await startsSince(trace, from)).at(-1)?.at;
    if (last === undefined) { await sleep(2_000); continue; }
    let at = last + 45_000;
    while (at < Date.now()) at += 60_000;
    await sleep(at - Date.now());
    // A start meanwhile (an alarm earlier than thought) moves the aim.
    if ((await startsSince(trace, from)).at(-1)?.at === last) return;
  }
}

// ------------------------------------------------------------------ run

async function main() {
  const dist = resolve(opt.dist);
  const root = mkdtempSync(join(tmpdir(), 'lifeboat-idle-'));
  const driver = buildDriver(root); // BenchBrowser installs it; it is never opened here
  const server = await startServer();
  const b = new BenchBrowser('firefox', join(root, 'ff'), { lifeboat: true, dist, driver });
  const trace = join(root, 'ff.strace');
  let result;
  try {
    await b.start({ trace, syscalls: SYSCALLS });
    const pages = [];
    for (let i = 1; i <= TABS; i++) pages.push(await b.remote.newPage(server.url(i)));
    // Let the start-up writes (install, first snapshot) settle before the window.
    await sleep(15_000);
    const from = Date.now();
    console.error(`window from ${from} (${new Date(from).toISOString()}), trace ${trace}`);
    const to = from + MINUTES * 60_000;
    let switches = 0;
    const switchTimes = [];
    if (opt.active) {
      for (let t = from; t < to; t += SWITCH_EVERY_MS) {
        await untilAsleep(trace, from, t);
        if (Date.now() >= to - 5_000) break;
        const page = pages[switches % pages.length];
        switchTimes.push(Date.now() - from);
        await page.send('browsingContext.activate', { context: page.context });
        switches += 1;
        t = Math.max(t, Date.now() - 30_000); // the next one at least 90 s later
      }
    }
    await sleep(Math.max(0, to - Date.now()));
    await b.close(); // SIGKILL; strace writes out its trace
    result = await report(trace, { from, to, switches, dist });
    if (switchTimes.length) result += `\n\nTab switches at s ${switchTimes.map((x) => `+${x / 1000 | 0}`).join(', ')}.`;
  } finally {
    await b.close().catch(() => {});
    await server.close();
    if (!opt.keep) rmSync(root, { recursive: true, force: true });
    else console.error(`kept ${root}`);
  }
  console.log(result);
}

async function report(trace, { from, to, switches, dist }) {
  const perFile = await writesPerFile(trace, { from, to });
  const rows = new Map(GROUPS.map(([g]) => [g, { bytes: 0, calls: 0, files: new Map() }]));
  let quota = 0;
  for (const [path, { bytes, calls }] of perFile) {
    if (QUOTA.test(path)) quota += bytes;
    const g = groupOf(path);
    if (!g) continue;
    const r = rows.get(g);
    r.bytes += bytes; r.calls += calls;
    const s = shortOf(path);
    r.files.set(s, (r.files.get(s) ?? 0) + bytes);
  }
  const opens = (await originOpens(trace)).filter((o) => o.ts >= from && o.ts <= to);
  // A background start opens Lifeboat's IndexedDB database: the parent closes the file once
  // the suspended page's connection is gone, so each start opens it anew (the xpi, the
  // worker script and the wasm are read from caches after the first start: no sign there). Directory and
  // -journal/-wal opens come with any transaction (also at a suspend), so they do not count.
  const idbOpens = opens.filter((o) => /\/idb\/[^/]+\.sqlite$/.test(o.path) && !o.path.includes(`${ORIGIN}^`));
  const opfsOpens = opens.filter((o) => /\/fs\/[^/]+\/[^/]+$/.test(o.path));
  const starts = bursts(idbOpens, START_GAP_MS);
  const wakes = bursts(opens);
  const min = (to - from) / 60_000;
  const kb = (n) => (n / 1000).toFixed(1);
  const total = [...rows.values()].reduce((s, r) => s + r.bytes, 0);
  const out = [];
  out.push(`### Lifeboat in an ${switches ? `almost idle (${switches} tab switches, about one every ${SWITCH_EVERY_MS / 60_000} min, each aimed at a sleeping background)` : 'idle'} Firefox, ${min} min, ${TABS} tabs`);
  out.push('');
  out.push(`Build: \`${dist}\`. Bytes written (strace \`-e trace=${SYSCALLS}\`) from 15 s after the tabs were opened, to the window's end.`);
  out.push('');
  out.push('| file group | KB | KB/min | write calls | files (KB) |');
  out.push('|---|---:|---:|---:|---|');
  for (const [g, r] of rows) {
    const files = [...r.files].sort((a, b) => b[1] - a[1]).map(([f, n]) => `${f} ${kb(n)}`).join(', ');
    out.push(`| ${g} | ${kb(r.bytes)} | ${kb(r.bytes / min)} | ${r.calls} | ${files} |`);
  }
  out.push(`| **all of Lifeboat's origin** | **${kb(total)}** | **${kb(total / min)}** | | |`);
  out.push(`| quota manager (\`storage.sqlite\`, any origin; not counted above) | ${kb(quota)} | ${kb(quota / min)} | | |`);
  out.push('');
  const at = (xs) => xs.map((x) => `+${((x.ts ?? x.at) - from) / 1000 | 0}`).join(', ') || 'none';
  out.push(`Background starts (opens of Lifeboat's IndexedDB database \`idb/*.sqlite\`, ≥ ${START_GAP_MS / 1000} s apart):`
    + ` **${starts.length}** (${(starts.length / min).toFixed(2)}/min), at s ${at(starts)}.`);
  out.push(`Opens of the OPFS data file(s) (the journal's sync access handle): **${opfsOpens.length}**, at s ${at(opfsOpens)}.`);
  out.push('');
  out.push(`Bursts of opens of any file or directory in Lifeboat's origin directories (${opens.length} opens; wakes and suspends both show):`);
  out.push('');
  for (const [i, w] of wakes.entries()) {
    // What the origin received from this burst to the next one (or the window's end).
    const next = wakes[i + 1]?.at ?? to;
    let bytes = 0;
    for (const [path, r] of await writesPerFile(trace, { from: w.at - 1, to: next - 1 })) if (groupOf(path)) bytes += r.bytes;
    out.push(`- +${((w.at - from) / 1000).toFixed(1)} s: ${w.opens} opens over ${((w.end - w.at) / 1000).toFixed(1)} s, ${kb(bytes)} KB until the next burst: ${[...w.files].join(', ')}`);
  }
  return out.join('\n');
}

if (opt.report) {
  const from = Number(opt.from);
  report(opt.report, { from, to: from + MINUTES * 60_000, switches: Number(opt.switches), dist: resolve(opt.dist) })
    .then((r) => console.log(r), (e) => { console.error(e); process.exit(1); });
} else main().catch((e) => { console.error(e); process.exit(1); });
