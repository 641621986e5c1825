// The measurements: background cost (bench request), restore time, the commit
// floor probe, and one configuration of the head-to-head.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { FIREFOX_EXTENSION_UUID } from '../../e2e/lib/profile.mjs';
import { groupMembers } from '../../e2e/lib/procs.mjs';
import { sleep, waitUntil } from '../../e2e/lib/wait.mjs';
import { BenchBrowser, DRIVER_UUID, REPO, chromiumAcceptRestore, chromiumExtensionId } from './browser.mjs';
import { firefoxRecovery } from './sessionfiles.mjs';
import { CdpBrowser } from './remote.mjs';
import { chromiumSessionFile } from './snss.mjs';
import { storeBytes } from './strace.mjs';
import { contentWindows, recoveryAge, rng, Workload } from './workload.mjs';

export const median = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
export const max = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined);
  return v.length ? Math.max(...v) : null;
};

export function workDir(root, name) {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function ids(b) {
  return b.kind === 'firefox'
    ? { lifeboat: b.opts.lifeboat ? FIREFOX_EXTENSION_UUID : null, driver: DRIVER_UUID }
    : { lifeboat: b.opts.lifeboat ? chromiumExtensionId(b.extensions[1]) : null, driver: chromiumExtensionId(b.extensions[0]) };
}

const items = (server, from, to) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => ({
  url: server.url(from + i), title: `Tab ${from + i}`,
}));

/**
 * N content tabs (uids 1..N) in `windows` windows, lazily: the first tab of each
 * window loaded and active, the others discarded. Also a driver page and the
 * /type page, alone in a window of its own so that it stays visible: a user types
 * only into a visible page, and a hidden one's timers are throttled to about once
 * a second (until 2026-12-07 it was a background tab of the first window, so every
 * word was typed into a hidden page). Returns { driver, typing, nextUid }.
 */
export async function setupSession(b, server, n, { windows = 2, log = () => {}, lifeboatPath = null } = {}) {
  const driver = await b.driverPage();
  const typing = await b.remote.newPage(server.typeUrl, { newWindow: true });
  // Before the other windows exist: new pages open in the focused window.
  const lb = lifeboatPath ? await b.lifeboatPage(lifeboatPath) : null;
  const w1 = (await driver.d('self')).windowId;
  const per = Math.ceil(n / windows);
  let uid = 1;
  const t0 = Date.now();
  for (let w = 0; w < windows && uid <= n; w++) {
    const count = Math.min(per, n - uid + 1);
    let windowId = w1;
    if (w === 0) {
      await driver.call('tabs.create', { windowId: w1, url: server.url(uid), active: true });
    } else {
      windowId = (await driver.call('windows.create', { url: server.url(uid) })).id;
    }
    // In batches: one call per 1,000 tabs would outlast any sane call timeout.
    for (let at = uid + 1; at <= uid + count - 1; at += 50) {
      await driver.d('createTabs', windowId, items(server, at, Math.min(at + 49, uid + count - 1)), 12);
    }
    uid += count;
  }
  const counts = await driver.d('count', server.origin + '/p/');
  log(`set up ${counts.tabs} tabs (${counts.discarded} discarded) in ${windows} windows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { driver, typing, lb, nextUid: n + 1, setupMs: Date.now() - t0 };
}

/**
 * Realistic sessions: before anything is measured, every content tab navigates `navs`
 * times to fresh pages (uids from nextUid on, tab by tab in uid order, so the same
 * seed gives the same session), so that each carries a back history as real tabs do
 * and each browser's own store has it to write. The driver does it in parallel
 * (`concurrency` tabs at a time, in calls of `chunk` tabs, each well within the remote
 * call timeout: about 30 s for 120 tabs on a loaded machine); tabs that were not active
 * are discarded again afterwards. Returns { ms, tabs, navs, failed, discarded, nextUid }.
 */
export async function warmUp(driver, server, nextUid, { navs = 5, concurrency = 24, chunk = 96, log = () => {} } = {}) {
  const t0 = Date.now();
  const tabs = contentWindows(await driver.d('state'), server).flatMap((w) => w.tabs).sort((a, b) => a.uid - b.uid);
  const jobs = tabs.map((t, i) => ({
    id: t.id, discard: !t.active,
    urls: Array.from({ length: navs }, (_, j) => server.url(nextUid + i * navs + j)),
  }));
  const sum = { navs: 0, failed: 0, discarded: 0 };
  if (navs > 0) {
    for (let at = 0; at < jobs.length; at += chunk) {
      const r = await driver.d('navigateTabs', jobs.slice(at, at + chunk), concurrency);
      for (const k of Object.keys(sum)) sum[k] += r[k];
      if ((at / chunk) % 4 === 3 || at + chunk >= jobs.length) {
        log(`warm-up: ${Math.min(at + chunk, jobs.length)} of ${jobs.length} tabs, ${sum.navs} navigations (${sum.failed} failed) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
    }
  }
  return { ms: Date.now() - t0, tabs: jobs.length, perTab: navs, concurrency, ...sum, nextUid: nextUid + jobs.length * navs };
}

/** After a restart: waits until the number of content tabs has been stable for stableMs. */
export async function waitRestored(driver, server, { min = 1, stableMs = 3000, timeout = 180_000, noneAfter = 30_000 } = {}) {
  let last = -1;
  let since = Date.now();
  const t0 = Date.now();
  for (;;) {
    const c = await driver.d('count', server.origin + '/p/').catch(() => ({ tabs: -1 }));
    if (c.tabs !== last) { last = c.tabs; since = Date.now(); }
    const enough = last >= min || (last === 0 && Date.now() - t0 > noneAfter);
    if (enough && Date.now() - since >= stableMs) return { tabs: last, ms: Date.now() - t0 - stableMs };
    if (Date.now() - t0 > timeout) return { tabs: last, ms: null, timedOut: true };
    await sleep(500);
  }
}

/** Chromium sessions this large are written as Chromium's own session file (lib/snss.mjs)
 *  for the template: creating 10,000 tabs through the tabs API (each loaded, then
 *  discarded) ran 33.7 min and then lost its DevTools connection. */
export const CHROMIUM_FILE_MIN = Number(process.env.BENCH_CHROMIUM_FILE_MIN ?? 5000);

/**
 * Chromium cannot create a discarded tab: each of 1,000 tabs is loaded, then discarded,
 * which takes minutes. For large sessions the tabs are set up once, in a template profile
 * (driver extension only), and each configuration starts from a copy of it: Chromium
 * reopens them from its session (unloaded) at the first start.
 * From CHROMIUM_FILE_MIN tabs on, the template's session is not made through the tabs API
 * but written as Chromium's own session file (lib/snss.mjs), the warm-up's back history
 * included (each tab's `warmNavs` later pages, uids as warmUp gives them, are written as
 * its navigation entries: no page is loaded for them); Chromium then reopens it once
 * (lazily) and rewrites its session in its own words before the kill.
 */
export async function chromiumTemplate(n, { root, server, driverExt, log, warmNavs = 0, warmConcurrency, tag = '' }) {
  const dir = workDir(root, `template-chromium-${n}${warmNavs ? `-warm${warmNavs}` : ''}${tag}`);
  const b = new BenchBrowser('chromium', dir, { lifeboat: false, driver: driverExt, chromiumRestore: true });
  const say = (m) => log(`[template ${n}] ${m}`);
  try {
    if (n >= CHROMIUM_FILE_MIN) return await chromiumTemplateFromFile(b, n, { server, warmNavs, say });
    await b.start();
    const s = await setupSession(b, server, n, { log: say });
    // The back history goes into the template too: both configurations reopen it.
    const warm = await warmUp(s.driver, server, s.nextUid, { navs: warmNavs, concurrency: warmConcurrency, log: say });
    if (warmNavs) say(`warm-up: ${warm.navs} navigations (${warm.failed} failed) in ${(warm.ms / 1000).toFixed(1)} s`);
    await sleep(6000); // Chromium writes its session within 2.5 s of a change
    await b.crash();
    chromiumAcceptRestore(b.profile);
    return { profile: join(dir, 'profile'), setupMs: s.setupMs, warmUp: warm, nextUid: warm.nextUid };
  } finally {
    await b.close();
  }
}

/**
 * Chromium's browser process keeps about 2 file descriptors per tab, loaded or not
 * (shared memory; measured: 1,146 open at 500 restored tabs, 2,142 at 1,000). Past its
 * limit it dies (here at 10,000 tabs, after 13 minutes of reopening them:
 * "Creating shared memory ... failed: Too many open files"). Chromium inherits the
 * bench's limit: refuse early rather than after minutes.
 */
export function checkChromiumFdLimit(n) {
  let limit = Infinity;
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m && m[2] !== 'unlimited') limit = Number(m[2]); // Chromium may raise its soft limit up to the hard one
  } catch { /* not Linux: no check */ }
  const need = 2 * n + 1000;
  if (limit < need) {
    throw new Error(`Chromium with ${n} tabs needs about ${need} open files (2 per tab), but the limit here is ${limit}: raise it (ulimit -n, hard limit) or use fewer tabs`);
  }
}

/** chromiumTemplate for large n: the session file written, Chromium started once to reopen it. */
async function chromiumTemplateFromFile(b, n, { server, warmNavs, say }) {
  checkChromiumFdLimit(n);
  const t0 = Date.now();
  const file = chromiumSessionFile(b.profile, server, n, { windows: 2, navs: warmNavs });
  say(`wrote ${file.tabs} tabs (${file.navigations} navigation entries, ${(file.bytes / 2 ** 20).toFixed(1)} MB) as Chromium's session file in ${file.ms} ms`);
  const t1 = Date.now();
  const seen = await startReopening(b, server, n);
  say(`CDP lists ${seen.pages} of our pages ${((Date.now() - t1) / 1000).toFixed(1)} s after the launch${seen.timedOut ? ' (timed out)' : ''}`);
  const driver = await b.driverPage();
  const restored = await waitRestored(driver, server, { min: n, timeout: Math.max(300_000, n * 60) });
  say(`Chromium reopened ${restored.tabs} tabs, ${((Date.now() - t1) / 1000).toFixed(1)} s after the launch`);
  if (restored.tabs < n) throw new Error(`Chromium reopened ${restored.tabs} of the ${n} tabs of the session file`);
  // Chromium rewrites its session as it reopens it (within 2.5 s of a change); at this size give it longer.
  await sleep(Math.max(6000, n));
  await b.crash();
  chromiumAcceptRestore(b.profile);
  // No page was loaded for the back history: it is in the file (navs counts its entries).
  const warm = { ms: 0, tabs: n, perTab: warmNavs, concurrency: 0, navs: n * warmNavs, failed: 0, discarded: 0, nextUid: file.nextUid, inFile: true };
  return { profile: b.profile, setupMs: Date.now() - t0, warmUp: warm, nextUid: file.nextUid };
}

/**
 * Chromium reopens every tab of a large session on its UI thread and does not answer the
 * remote protocol meanwhile (minutes at 10,000 tabs: longer than driverPage waits). Waits
 * until CDP lists at least `min` pages on our server (unloaded tabs are listed too).
 * Returns { pages, ms } or, after `timeout`, { pages, ms: null, timedOut: true }.
 */
export async function chromiumReopened(b, server, min, { timeout = 1_800_000, interval = 2000 } = {}) {
  const t0 = Date.now();
  let pages = -1;
  for (;;) {
    pages = await b.remote.targets()
      .then((ts) => ts.filter((t) => t.type === 'page' && t.url.startsWith(`${server.origin}/p/`)).length)
      .catch(() => pages);
    if (pages >= min) return { pages, ms: Date.now() - t0 };
    if (Date.now() - t0 > timeout) return { pages, ms: null, timedOut: true };
    await sleep(interval);
  }
}

/**
 * Starts Chromium on a profile whose large session it will reopen, and waits until it has
 * (chromiumReopened). Busy reopening, Chromium may not answer /json/version within the 20 s
 * BenchBrowser.start allows: then the browser is left running and connected to here, with
 * no limit but `timeout`.
 */
export async function startReopening(b, server, n, { timeout = Math.max(300_000, n * 300), start = {} } = {}) {
  const t0 = Date.now();
  try {
    await b.start(start);
  } catch (e) {
    if (!b.proc || b.proc.hasExited() || !/json\/version/.test(String(e))) throw e;
    const port = Number([...readFileSync(b.logPath, 'utf8').matchAll(/===== start #\d+ .*?, port (\d+)/g)].pop()?.[1]);
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/json/version`, { signal: AbortSignal.timeout(60_000) })).ok,
      { timeout, interval: 2000, what: 'CDP /json/version of Chromium reopening its session' });
    b.remote = await CdpBrowser.connect(port);
  }
  return chromiumReopened(b, server, n, { timeout: Math.max(1000, timeout - (Date.now() - t0)) });
}

/** Firefox sessions this large are written as a session file for Firefox to reopen:
 *  creating 10,000 tabs one by one through the tabs API had made 2,500 in 8 minutes. */
export const FIREFOX_FILE_MIN = Number(process.env.BENCH_FIREFOX_FILE_MIN ?? 5000);

/**
 * Writes a Firefox session of n content tabs (uids 1..n, `windows` windows, the first
 * tab of each selected) into the profile, as Firefox's own session file, and the prefs
 * that make it reopen it once at the next start (lazily: tabs load when selected).
 * Returns the prefs to start with. The file is compressed by the core bench's
 * `mozlz4` mode (lz4_flex, as Lifeboat reads these files).
 */
export function firefoxSessionFile(profile, server, n, { windows = 2 } = {}) {
  const per = Math.ceil(n / windows);
  const principal = '{"3":{}}'; // the system principal, as Firefox writes for typed URLs
  const ws = [];
  for (let w = 0, uid = 1; w < windows && uid <= n; w++) {
    const tabs = [];
    for (let i = 0; i < per && uid <= n; i++, uid++) {
      tabs.push({ entries: [{ url: server.url(uid), title: `Tab ${uid}`, triggeringPrincipal_base64: principal }], index: 1, hidden: false, attributes: {} });
    }
    ws.push({ tabs, selected: 1, _closedTabs: [], width: 1280, height: 800, screenX: 0, screenY: 0, sizemode: 'normal' });
  }
  const session = { version: ['sessionrestore', 1], windows: ws, selectedWindow: 1, _closedWindows: [], session: { lastUpdate: Date.now(), startTime: Date.now(), recentCrashes: 0 }, global: {} };
  const packed = execFileSync('cargo', ['run', '--release', '--quiet', '--bin', 'bench', '--', 'mozlz4'], { cwd: REPO, input: JSON.stringify(session), maxBuffer: 1 << 28 });
  writeFileSync(join(profile, 'sessionstore.jsonlz4'), packed);
  return { 'browser.sessionstore.resume_session_once': true, 'browser.sessionstore.max_resumed_crashes': 1000 };
}

/** A browser on a copy of a template profile, its tabs reopened and our own pages fresh. */
export async function fromTemplate(b, server, n, { trace, lifeboatPath, log, nextUid = n + 1 }) {
  const t0 = Date.now();
  if (b.kind === 'chromium' && n >= CHROMIUM_FILE_MIN) await startReopening(b, server, Math.floor(n * 0.98), { start: { trace } });
  else await b.start({ trace });
  const driver = await b.driverPage();
  const restored = await waitRestored(driver, server, { min: Math.floor(n * 0.98), timeout: Math.max(300_000, n * 60) });
  const typing = await b.remote.newPage(`${server.typeUrl}?start=${b.starts}`, { newWindow: true });
  const lb = lifeboatPath ? await b.lifeboatPage(lifeboatPath) : null;
  const mark = `?start${b.starts}`;
  const stale = (await driver.d('state')).flatMap((x) => x.tabs).filter((t) => (t.url.startsWith(server.typeUrl)
    ? !t.url.endsWith(`?start=${b.starts}`)
    : (t.url.startsWith(b.driverOrigin) || (b.lifeboatOrigin && t.url.startsWith(b.lifeboatOrigin))) && !t.url.split('#')[0].endsWith(mark))).map((t) => t.id);
  if (stale.length) await driver.call('tabs.remove', stale);
  log(`reopened ${restored.tabs} tabs from the template in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { driver, typing, lb, nextUid, setupMs: Date.now() - t0 };
}

// ---------------------------------------------------------------- 1. background cost

/** Runs `bench` requests sized so each loop lasts long enough for the timer's grain. */
export async function benchRequests(lb, { targetMs = 500, updateBudgetMs = 10_000, repeats = 7 } = {}) {
  // Sizing runs: the least disturbed of three short loops.
  const probes = [];
  for (let i = 0; i < 3; i++) probes.push((await lb.send({ type: 'bench', runs: 30 })).snapshotMs || 0);
  const est = Math.max(Math.min(...probes.filter((x) => x > 0), 10), 0.005);
  const nSnap = Math.min(20_000, Math.max(50, Math.ceil(targetMs / est)));
  const snaps = [];
  let bytes = null;
  let tabs = null;
  for (let i = 0; i < repeats; i++) {
    const r = await lb.send({ type: 'bench', runs: nSnap });
    snaps.push(r.snapshotMs);
    bytes = r.snapshotBytes;
    tabs = r.tabs;
  }
  // The update loop runs as many times as the snapshot loop, in the same request:
  // enough runs for a 1 ms timer means as many snapshots too, hence the budget.
  const nUpd = Math.min(200_000, Math.max(2_000, Math.floor(updateBudgetMs / est)));
  const upds = [];
  for (let i = 0; i < Math.max(3, Math.ceil(repeats / 2)); i++) {
    const r = await lb.send({ type: 'bench', runs: nUpd }, { timeout: 300_000 });
    upds.push(r.updateUs);
  }
  return {
    tabs, snapshotMs: median(snaps), snapshotMsMin: Math.min(...snaps), snapshotMsAll: snaps, snapshotBytes: bytes, runsSnapshot: nSnap,
    updateUs: median(upds), updateUsMin: Math.min(...upds), updateUsAll: upds, runsUpdate: nUpd,
  };
}

/** A browser with Lifeboat and n real tabs (Chromium's large sessions from a template, Firefox's from a session file). */
async function browserWithTabs(kind, n, dir, { server, dist, driverExt, log, template = null }) {
  if (template) cpSync(template.profile, join(dir, 'profile'), { recursive: true, filter: (src) => !/\/Singleton\w+$/.test(src) });
  // Chromium: "continue where you left off", so that it reopens the tabs after the kill.
  const b = new BenchBrowser(kind, dir, { lifeboat: true, dist, driver: driverExt, chromiumRestore: true, firefoxPrefs: { 'browser.sessionstore.max_resumed_crashes': 1000 } });
  const fromFile = kind === 'firefox' && n >= FIREFOX_FILE_MIN;
  if (fromFile) {
    b.opts = { ...b.opts, firefoxPrefs: firefoxSessionFile(b.profile, server, n) };
    b.prepare();
  }
  try {
    const { lb } = template || fromFile
      ? await fromTemplate(b, server, n, { trace: null, lifeboatPath: 'www/manager.html', log })
      : (await b.start(), await setupSession(b, server, n, { log, lifeboatPath: 'www/manager.html' }));
    return { b, lb };
  } catch (e) {
    await b.close();
    throw e;
  }
}

/** Crashes the browser, lets it reopen the tabs itself, and reads the restarted background's start-up and memory. */
async function crashAndRestart(b, kind, n, server) {
  await sleep(2500); // the last change committed
  await b.crash();
  if (kind === 'chromium') chromiumAcceptRestore(b.profile);
  if (kind === 'chromium' && n >= CHROMIUM_FILE_MIN) await startReopening(b, server, Math.floor(n * 0.9));
  else await b.start();
  const d2 = await b.driverPage();
  const restored = await waitRestored(d2, server, { min: Math.floor(n * 0.9), timeout: Math.max(180_000, n * 60) });
  const lb = await b.lifeboatPage();
  const st = await lb.send({ type: 'status' });
  const again = await lb.send({ type: 'bench', runs: 20 });
  const restartMemory = await backgroundMemory(b, lb);
  return {
    lb, restartMemory, restartStartMs: st.timings.startMs, restartStartParts: st.timings.startParts ?? null,
    restartTabsOpen: restored.tabs, restartModelTabs: again.tabs,
  };
}

/** Background cost with n real tabs, then start-up after a crash restart on that profile. */
export async function backgroundCost(kind, n, { root, server, dist, driverExt, log, templateMin = Infinity }) {
  const template = kind === 'chromium' && n >= templateMin ? await chromiumTemplate(n, { root, server, driverExt, log }) : null;
  const { b, lb } = await browserWithTabs(kind, n, workDir(root, `bg-${kind}-${n}`), { server, dist, driverExt, log, template });
  try {
    await sleep(3000);
    const r = { ...(await benchRequests(lb)), load: loadavg()[0] };
    log(`bench: ${JSON.stringify({ tabs: r.tabs, snapshotMs: r.snapshotMs, updateUs: r.updateUs })}`);
    const first = (await lb.send({ type: 'status' })).timings;
    const memory = await backgroundMemory(b, lb);
    const { lb: _, ...restart } = await crashAndRestart(b, kind, n, server);
    return { kind, n, ...r, firstStartMs: first.startMs, memory, ...restart };
  } finally {
    await b.close();
  }
}

/** Sources of each kind in `overview` (the autosave timeline's points among them). */
async function sourceCounts(lb) {
  const counts = {};
  for (const s of (await lb.send({ type: 'overview' })).sources) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
  return counts;
}

/**
 * Issue 13 item 2 with a week of autosave timeline behind the session: n real tabs,
 * the background's memory; then `days` of timeline written through the real commit
 * path (the bench request `benchTimeline`: a commit an hour, then one a minute for
 * the last 15 minutes, a twentieth of the tabs changed in each), memory again (its
 * high-water mark includes writing them); then a crash and a restart on that store:
 * start-up and memory with the week in it.
 */
export async function timelineCost(kind, n, { root, server, dist, driverExt, log, days = 7, templateMin = Infinity }) {
  const template = kind === 'chromium' && n >= templateMin ? await chromiumTemplate(n, { root, server, driverExt, log }) : null;
  const { b, lb } = await browserWithTabs(kind, n, workDir(root, `timeline-${kind}-${n}`), { server, dist, driverExt, log, template });
  try {
    await sleep(3000);
    const memory = await backgroundMemory(b, lb);
    const written = await lb.send({ type: 'benchTimeline', days }, { timeout: 900_000 });
    const sources = await sourceCounts(lb);
    const writtenMemory = await backgroundMemory(b, lb);
    log(`timeline: ${JSON.stringify({ written, sources })}`);
    const { lb: lb2, ...restart } = await crashAndRestart(b, kind, n, server);
    return { kind, n, days, written, sources, memory, writtenMemory, ...restart, restartSources: await sourceCounts(lb2), load: loadavg()[0] };
  } finally {
    await b.close();
  }
}

// ---------------------------------------------------------------- memory and event storms (issue 13)

/** The background's memory: the WASM module's linear memory (its high-water mark:
 *  it never shrinks) from the bench request and, in Chromium, the service worker's
 *  JS heap through CDP (Firefox's remote protocol has no heap figure). */
export async function backgroundMemory(b, lb, { gc = false } = {}) {
  const r = await lb.send({ type: 'bench', runs: 1 });
  let jsHeapUsed = null;
  if (b.kind === 'chromium') {
    const sw = (await b.remote.targets()).find((t) => t.type === 'service_worker' && t.url.startsWith(b.lifeboatOrigin));
    if (sw) {
      const { sessionId } = await b.remote.sock.send('Target.attachToTarget', { targetId: sw.targetId, flatten: true });
      try {
        // What is still reachable, not what a collection has not come to yet.
        if (gc) await b.remote.sock.send('HeapProfiler.collectGarbage', {}, { sessionId });
        jsHeapUsed = (await b.remote.sock.send('Runtime.getHeapUsage', {}, { sessionId })).usedSize;
      } finally {
        await b.remote.sock.send('Target.detachFromTarget', { sessionId }).catch(() => {});
      }
    }
  }
  return {
    tabs: r.tabs, wasmMemoryBytes: r.wasmMemoryBytes ?? null, jsHeapUsedBytes: jsHeapUsed, snapshotBytes: r.snapshotBytes ?? null,
    heapLiveBytes: r.heapLiveBytes ?? null, heapPeakBytes: r.heapPeakBytes ?? null,
  };
}

/**
 * CPU time (ms) the background's thread has run, and time it waited, runnable, for a
 * CPU, from the kernel (schedstat: run time, run-queue wait), or null: Chromium, the service worker threads of its extension processes (Lifeboat's
 * is the only one with work here); Firefox, the main thread of its WebExtensions
 * process (Lifeboat's background page, and the bench driver's page, mostly idle).
 * Wall time inside the background counts waits for a CPU too; this does not.
 */
function backgroundCpuMs(b) {
  const read = (path) => { try { return readFileSync(path, 'utf8'); } catch { return ''; } };
  const sched = (pid, tid) => read(`/proc/${pid}/task/${tid}/schedstat`).split(' ').map((x) => Number(x) / 1e6);
  let total = 0;
  let waited = 0;
  let threads = 0;
  for (const pid of groupMembers(b.browserPgid)) {
    if (b.kind === 'chromium') {
      if (!/--extension-process/.test(read(`/proc/${pid}/cmdline`))) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`, { withFileTypes: false })) {
        if (!/ServiceWorker/.test(read(`/proc/${pid}/task/${tid}/comm`))) continue;
        const [run, wait] = sched(pid, tid);
        total += run;
        waited += wait;
        threads += 1;
      }
    } else if (read(`/proc/${pid}/comm`).trim() === 'WebExtensions') {
      const [run, wait] = sched(pid, pid);
      total += run;
      waited += wait;
      threads += 1;
    }
  }
  return threads ? { run: total, wait: waited } : null;
}

/** The background busy until it answers: its one queue (events and page requests,
 *  in order) has reached this request. */
async function drainMs(lb, since) {
  await lb.send({ type: 'status' });
  return Date.now() - since;
}

/**
 * n tabs, then `storm` tabs opened at once in a new window and, once loaded,
 * closed at once. For each: how long the browser took to create / remove them,
 * when the background's queue was drained after the last one existed, and how many
 * commits the storm cost (counted until 5 s after). Memory before, at the peak and
 * after (issue 13 items 2 and 6).
 */
export async function eventStorm(kind, { n, storm, root, server, dist, driverExt, log }) {
  const dir = workDir(root, `storm-${kind}`);
  const b = new BenchBrowser(kind, dir, { lifeboat: true, dist, driver: driverExt });
  const out = { kind, n, storm };
  try {
    await b.start();
    const { driver, lb } = await setupSession(b, server, n, { log, lifeboatPath: 'www/manager.html' });
    await sleep(5000);
    out.memoryBefore = await backgroundMemory(b, lb);
    const commits = async () => (await lb.send({ type: 'status' })).store.commits;
    // The queue's own work (handled messages, time spent on them) from the storm's start to its drain.
    const timings = async () => (await lb.send({ type: 'status' })).timings;
    const own = (a, z) => ({ handled: z.handled - a.handled, busyMs: Math.round(z.busyMs - a.busyMs),
      cpuMs: a.cpu && z.cpu ? Math.round(z.cpu.run - a.cpu.run) : null,
      cpuWaitMs: a.cpu && z.cpu ? Math.round(z.cpu.wait - a.cpu.wait) : null,
      byKind: kindsBetween(a.busyByKind, z.busyByKind) });
    const queue = async () => ({ ...(await timings()), cpu: backgroundCpuMs(b) });
    const win = (await driver.call('windows.create', { url: server.url(100_000) })).id;
    await sleep(3000);
    const urls = Array.from({ length: storm }, (_, i) => server.url(100_001 + i));
    // Open.
    let c0 = await commits();
    let q0 = await queue();
    let t0 = Date.now();
    const opened = await driver.d('openMany', win, urls);
    const openEnd = Date.now();
    const openDrain = await drainMs(lb, openEnd);
    const openOwn = own(q0, await queue());
    await waitUntil(async () => (await driver.d('count', server.origin + '/p/')).tabs >= n + storm + 1, { timeout: 120_000, interval: 250, what: 'storm tabs' });
    await sleep(5000);
    out.open = { browserMs: opened.ms, wallMs: openEnd - t0, drainMs: openDrain, commits: (await commits()) - c0, ...openOwn };
    out.memoryPeak = await backgroundMemory(b, lb);
    log(`storm: ${storm} tabs opened at once: ${JSON.stringify(out.open)}`);
    // Close.
    c0 = await commits();
    q0 = await queue();
    t0 = Date.now();
    const removed = await driver.d('removeMany', opened.ids);
    const closeEnd = Date.now();
    const closeDrain = await drainMs(lb, closeEnd);
    const closeOwn = own(q0, await queue());
    await sleep(5000);
    out.close = { browserMs: removed.ms, wallMs: closeEnd - t0, drainMs: closeDrain, commits: (await commits()) - c0, ...closeOwn };
    out.memoryAfter = await backgroundMemory(b, lb);
    log(`storm: ${storm} tabs closed at once: ${JSON.stringify(out.close)}; memory ${JSON.stringify([out.memoryBefore, out.memoryPeak, out.memoryAfter])}`);
    return out;
  } finally {
    await b.close();
  }
}

/**
 * Where the queue's time went between two `status.timings.busyByKind`:
 * kind → { n, ms, maxMs } (maxMs over the whole run so far), longest first.
 */
function kindsBetween(a = {}, z = {}) {
  return Object.entries(z ?? {})
    .map(([kind, t]) => ({ kind, n: t.n - (a?.[kind]?.n ?? 0), ms: Math.round(t.ms - (a?.[kind]?.ms ?? 0)), maxMs: Math.round(t.maxMs) }))
    .filter((t) => t.n > 0)
    .sort((x, y) => y.ms - x.ms);
}

// ---------------------------------------------------------------- 2. restore time

async function timeRestore(lb, driver, server, source, n) {
  const t0 = Date.now();
  const answer = await lb.send({ type: 'restore', source, select: 'all' }, { timeout: 600_000 });
  const answerMs = Date.now() - t0;
  let allMs = null;
  await waitUntil(async () => {
    const c = await driver.d('count', server.origin + '/p/');
    if (c.tabs >= n) { allMs = Date.now() - t0; return true; }
    return false;
  }, { timeout: 600_000, interval: 50, what: `${n} restored tabs` }).catch(() => {});
  const c = await driver.d('count', server.origin + '/p/');
  return { load: loadavg()[0], answerMs, allMs, answer: { windows: answer.windows, tabs: answer.tabs, error: answer.error }, open: c.tabs, discarded: c.discarded };
}

/** Firefox writes its session every 15 s; Chromium soon after a change. */
const OWN_STORE_CATCH_UP_MS = 20_000;

/** 200 tabs in 4 windows: restored from a named save, from a crashed session, and by the browser itself. */
export async function restoreTime(kind, { n, windows, root, server, dist, driverExt, log }) {
  const dir = workDir(root, `restore-${kind}`);
  // The browser's own crash restore off, so what reappears is Lifeboat's doing.
  const b = new BenchBrowser(kind, dir, { lifeboat: true, dist, driver: driverExt, firefoxPrefs: { 'browser.sessionstore.resume_from_crash': false } });
  const out = { kind, n, windows };
  try {
    await b.start();
    let { driver, lb } = await setupSession(b, server, n, { windows, log, lifeboatPath: 'www/manager.html' });
    await sleep(3000);
    const saved = await lb.send({ type: 'named.save', name: 'bench', scope: 'all' });
    if (!saved.save) throw new Error(`named.save: ${JSON.stringify(saved)}`);
    // Close the windows with content tabs, keep the one with our pages.
    const state = await driver.d('state');
    const own = (await driver.d('self')).windowId;
    for (const w of contentWindows(state, server)) {
      if (w.windowId !== own) await driver.call('windows.remove', w.windowId);
      else await driver.call('tabs.remove', w.tabs.map((t) => t.id));
    }
    await waitUntil(async () => (await driver.d('count', server.origin + '/p/')).tabs === 0, { timeout: 30_000, what: 'tabs closed' });
    await sleep(2500);
    out.named = await timeRestore(lb, driver, server, saved.save.id, n);
    log(`restore from a named save: ${JSON.stringify(out.named)}`);
    await sleep(3000); // committed
    // The crashed session: kill with the n tabs open, restart, restore the crash source.
    await b.crash();
    await b.start();
    driver = await b.driverPage();
    lb = await b.lifeboatPage();
    const overview = await waitUntil(async () => {
      const o = await lb.send({ type: 'overview' });
      return o.sources?.some((s) => s.kind === 'crash') && o;
    }, { timeout: 30_000, what: 'a crash source' });
    const crash = overview.sources.find((s) => s.kind === 'crash');
    out.crashSource = { tabs: crash.tabs, windows: crash.windows };
    await sleep(2000); // let the restore offer (a page) come and go
    out.crash = await timeRestore(lb, driver, server, crash.id, n);
    log(`restore of the crashed session: ${JSON.stringify(out.crash)}`);
    // The anchor: the browser's own restore of the same session after a kill
    // (Firefox: resume_from_crash; Chromium: "continue where you left off", the
    // crash marked as a normal exit, as its Restore button would), timed from
    // the browser's launch, since it restores while it starts.
    // The browser's own store must hold the restored tabs before the kill. Firefox's
    // file is read until it does (it writes every 15 s, later under load); Chromium's
    // is not read here: it writes soon after a change.
    let ownFileTabs = null;
    if (kind === 'firefox') {
      const inFile = () => (firefoxRecovery(b.profile)?.windows ?? []).flatMap((w) => w.tabs).filter((t) => t.url.startsWith(server.origin + '/p/')).length;
      await waitUntil(() => (ownFileTabs = inFile()) >= n, { timeout: 3 * OWN_STORE_CATCH_UP_MS, interval: 1000, what: `${n} tabs in Firefox's own session file` })
        .catch(() => log(`Firefox's own session file held ${ownFileTabs} of the ${n} tabs at the kill`));
    } else {
      await sleep(OWN_STORE_CATCH_UP_MS);
    }
    await b.crash();
    // Firefox asks instead of restoring after a second crash in a row unless told otherwise.
    b.opts = { ...b.opts, firefoxPrefs: { 'browser.sessionstore.resume_from_crash': true, 'browser.sessionstore.max_resumed_crashes': 1000 }, chromiumRestore: true };
    b.prepare();
    if (kind === 'chromium') chromiumAcceptRestore(b.profile);
    const t0 = Date.now();
    await b.start();
    driver = await b.driverPage();
    const driverMs = Date.now() - t0;
    let allMs = null;
    await waitUntil(async () => {
      if ((await driver.d('count', server.origin + '/p/')).tabs < n) return false;
      allMs = Date.now() - t0;
      return true;
    }, { timeout: Math.max(60_000, n * 120), interval: 50, what: `${n} tabs the browser restored` }).catch(() => {}); // fewer: "open" says how many
    const c = await driver.d('count', server.origin + '/p/');
    out.own = { load: loadavg()[0], driverMs, allMs, open: c.tabs, discarded: c.discarded, ownFileTabs };
    log(`the browser's own restore: ${JSON.stringify(out.own)}`);
    return out;
  } finally {
    await b.close();
  }
}

// ---------------------------------------------------------------- per-commit floor

/** n raw IndexedDB commits from the driver extension's page, under strace. */
export async function commitProbe(kind, { n, spacingMs, size = 100, root, driverExt, log }) {
  const dir = workDir(root, `probe-${kind}-${spacingMs}`);
  const b = new BenchBrowser(kind, dir, { lifeboat: false, driver: driverExt });
  const trace = join(dir, 'trace.txt');
  try {
    await b.start({ trace });
    const driver = await b.driverPage();
    await driver.d('idbProbe', 2, 100, size, 'warmup'); // create the database outside the window
    await sleep(3000);
    const from = Date.now();
    await driver.d('idbProbe', n, spacingMs, size, 'warmup');
    await sleep(Math.max(3000, spacingMs)); // a checkpoint after the last commit counts too
    const to = Date.now();
    await b.crash();
    const bytes = await storeBytes(kind, trace, ids(b), { from, to });
    const p = bytes.probe ?? { bytes: 0, files: {} };
    log(`probe ${spacingMs} ms: ${p.bytes} bytes for ${n} commits`);
    return { kind, n, spacingMs, size, bytes: p.bytes, perCommit: p.bytes / n, files: p.files };
  } finally {
    await b.close();
    if (!process.env.BENCH_KEEP) rmSync(trace, { force: true });
  }
}

// ---------------------------------------------------------------- 3. head-to-head

/**
 * One configuration: `kind`, n tabs, with Lifeboat or with the browser's own store
 * only. Phases: set up, settle, a bytes window under strace (workload for
 * durationS, then tailS quiet), then `kills` segments each ended by SIGKILL at a
 * random moment, measuring what each store gives back after the restart.
 * `barrier(name)` (optional) lets two configurations run in step.
 */
export async function headToHead(kind, n, lifeboat, o) {
  const { root, server, dist, driverExt, log, barrier = async () => {} } = o;
  const tag = `${kind}-${n}-${lifeboat ? 'lifeboat' : 'own'}`;
  const dir = workDir(root, `h2h-${tag}`);
  // Not the lock of the template's (dead) browser: a copied lock names another "computer".
  if (o.template) cpSync(o.template.profile, join(dir, 'profile'), { recursive: true, filter: (src) => !/\/Singleton\w+$/.test(src) });
  const b = new BenchBrowser(kind, dir, {
    lifeboat, dist, driver: driverExt,
    // Only changes what Firefox does at a start after several crashes in a row (it
    // would show about:sessionrestore instead of restoring), not how it writes.
    firefoxPrefs: {
      'browser.sessionstore.max_resumed_crashes': 1000,
      // The simulated user acts every second, but nothing the bench does counts as user
      // input for Firefox's idle service: 180 s (idleDelay, seconds) after the start it
      // took the user for idle and saved once an hour (interval.idle) instead of every
      // 15 s (measured: no write after 175 s, navigating and typing every 2 s). A user who
      // acts is never idle that long: this keeps its store in the regime of an active user.
      'browser.sessionstore.idleDelay': 86400,
    },
    // Chromium: "continue where you left off" from the first start (a later change is
    // ignored: the preference is MAC-protected), so that it reopens its tabs after a kill.
    // It decides what Chromium does at start-up, not what its session service writes.
    chromiumRestore: true,
  });
  const trace = join(dir, 'trace.txt');
  const out = { kind, n, lifeboat, kills: [], bench: null };
  const say = (m) => log(`[${tag}] ${m}`);
  try {
    const lifeboatPath = lifeboat ? 'www/restore.html' : null;
    const { driver, typing, lb, nextUid: firstUid, setupMs } = o.template
      ? await fromTemplate(b, server, n, { trace, lifeboatPath, log: say, nextUid: o.template.nextUid })
      : (await b.start({ trace }), await setupSession(b, server, n, { log: say, lifeboatPath }));
    out.setupMs = setupMs;
    // Back history for every tab, before (and outside) the bytes window. Chromium's large
    // sessions got theirs in the template, which both configurations reopen.
    let nextUid = firstUid;
    if (o.template) {
      out.warmUp = { ...o.template.warmUp, inTemplate: true };
    } else {
      out.warmUp = await warmUp(driver, server, nextUid, { navs: o.warmNavs, concurrency: o.warmConcurrency, log: say });
      nextUid = out.warmUp.nextUid;
      if (o.warmNavs) say(`warm-up: ${out.warmUp.navs} navigations (${out.warmUp.failed} failed) in ${(out.warmUp.ms / 1000).toFixed(1)} s`);
    }
    await barrier('setup');
    if (lifeboat && o.benchHere) {
      out.bench = { ...(await benchRequests(lb)), load: loadavg()[0] };
      out.bench.memory = await backgroundMemory(b, lb);
      say(`bench: snapshot ${out.bench.snapshotMs} ms, update ${out.bench.updateUs} µs`);
    }
    await barrier('bench');
    await sleep(o.settleS * 1000);
    const w = new Workload({ driver, typing, server, seed: o.seed, nextUid });
    await w.resync();
    await barrier('start');
    const before = lb ? await lb.send({ type: 'status' }) : null;
    out.loadBefore = loadavg()[0];
    out.firstStart = before?.timings ?? null;
    const from = Date.now();
    const actions = await w.runUntil(from + o.durationS * 1000, o.paceMs);
    const stopped = Date.now();
    await sleep(o.tailS * 1000);
    const after = lb ? await lb.send({ type: 'status' }) : null;
    out.loadAfter = loadavg()[0];
    const to = Date.now();
    out.window = { from, stopped, to, seconds: (to - from) / 1000, workloadSeconds: (stopped - from) / 1000, actions, errors: w.errors, lastError: w.lastError, hiddenTyping: w.hiddenTyping };
    out.mix = countKinds(w.log.filter((e) => e.t >= from && e.t <= stopped));
    if (lb) {
      out.store = {
        commits: after.store.commits - before.store.commits,
        bytes: after.store.bytes - before.store.bytes,
        timings: after.timings,
      };
    }
    say(`window: ${actions} actions in ${out.window.workloadSeconds.toFixed(0)} s (+${o.tailS} s quiet), ${w.errors} errors`);

    // Recovery points: each segment ends with a SIGKILL at a random moment.
    const random = rng(o.seed * 7919 + n);
    let cur = { driver, typing, lb };
    for (let k = 0; k < o.kills; k++) {
      if (k > 0) await w.resync(cur.typing);
      else w.log.push({ t: Date.now(), kind: 'baseline', uids: w.uids() }); // segment 1 starts here
      const len = o.killMinS + random() * (o.killMaxS - o.killMinS);
      await w.runUntil(Date.now() + len * 1000, o.paceMs);
      const segment = w.segment();
      // How long this run's commits and syncs took, and the longest a change
      // waited for its commit: explains a recovery point over its goal.
      const before = lifeboat && cur.lb
        ? await Promise.race([cur.lb.send({ type: 'status' }).then((s) => s.timings), sleep(3000).then(() => 'no answer in 3 s')]).catch((e) => String(e))
        : null;
      const killAt = Date.now();
      await b.crash();
      const kill = { k, segmentS: len, killAt, timingsBefore: before };
      kill.actions = segment.slice(1).map((a) => ({ kind: a.kind, agoS: (killAt - a.t) / 1000, tookS: ((a.done ?? a.t) - a.t) / 1000, ...(a.visibility ? { visibility: a.visibility } : {}) }));
      // What Firefox's own store holds for the typed text (its formdata), read from its file.
      let ffWords = null;
      if (kind === 'firefox') {
        const rec = firefoxRecovery(b.profile);
        kill.browserFile = rec?.file ?? null;
        ffWords = rec ? wordsIn(JSON.stringify(rec.windows.flatMap((x) => x.tabs).filter((t) => t.url.startsWith(server.typeUrl)).map((t) => t.formdata))) : null;
      }
      if (kind === 'chromium') chromiumAcceptRestore(b.profile);
      const t0 = Date.now();
      await b.start();
      const d2 = await b.driverPage();
      const restored = await waitRestored(d2, server, { min: 1, timeout: 120_000 });
      kill.restartMs = Date.now() - t0;
      const state = await d2.d('state');
      const own = contentWindows(state, server).flatMap((x) => x.tabs.map((t) => t.uid));
      let ownWords = ffWords;
      if (kind === 'chromium') ownWords = await chromiumTypedWords(b, d2, state, server);
      kill.browser = { tabs: restored.tabs, ...recoveryAge(segment, killAt, own, ownWords) };
      let lb2 = null;
      if (lifeboat) {
        lb2 = await b.lifeboatPage('www/restore.html');
        kill.lifeboat = await lifeboatRecovery(lb2, server, segment, killAt);
        if (k === 0) {
          const t = (await lb2.send({ type: 'status' })).timings;
          kill.lifeboat.startMs = t.startMs;
          kill.lifeboat.startParts = t.startParts ?? null;
        }
      }
      say(`kill ${k + 1}: browser's own store ${fmtAge(kill.browser)}${lifeboat ? `, Lifeboat ${fmtAge(kill.lifeboat)}` : ''}`);
      out.kills.push(kill);
      // Tidy up: our pages from before the crash go (the browser reopened them), fresh ones stay.
      const freshType = `${server.typeUrl}?start=${b.starts}`;
      const t2 = await b.remote.newPage(freshType, { newWindow: true });
      const mark = `?start${b.starts}`;
      const stale = (await d2.d('state')).flatMap((x) => x.tabs).filter((t) => {
        if (t.url.startsWith(server.typeUrl)) return t.url !== freshType;
        if (t.url.startsWith(b.driverOrigin) || (b.lifeboatOrigin && t.url.startsWith(b.lifeboatOrigin))) return !t.url.split('#')[0].endsWith(mark);
        return false;
      }).map((t) => t.id);
      if (stale.length) await d2.call('tabs.remove', stale).catch(() => {});
      cur = { driver: d2, typing: t2, lb: lb2 };
      w.driver = d2;
    }
    await b.close();
    // Bytes per store in the window, from the trace.
    out.bytes = await storeBytes(kind, trace, ids(b), { from, to });
    say(`bytes: ${JSON.stringify(Object.fromEntries(Object.entries(out.bytes).map(([k2, v]) => [k2, v.bytes])))}`);
    return out;
  } finally {
    await b.close();
    if (!process.env.BENCH_KEEP) rmSync(trace, { force: true });
  }
}

function countKinds(entries) {
  const c = {};
  for (const e of entries) if (e.kind !== 'baseline') c[e.kind] = (c[e.kind] ?? 0) + 1;
  return c;
}

const wordsIn = (text) => (text ?? '').match(/w\d{5}/g) ?? [];
const fmtAge = (a) => (a ? `${a.structureS.toFixed(1)} s tabs${a.typingS !== null && a.typingS !== undefined ? `, ${a.typingS.toFixed(1)} s text` : ''}${a.exact ? '' : ` (no exact match: ${a.mismatch} tabs differ)`}` : 'n/a');

/** What Lifeboat would restore: the crash source's tabs (plan) and its typed text (backup). */
async function lifeboatRecovery(lb, server, segment, killAt) {
  const overview = await waitUntil(async () => {
    const o = await lb.send({ type: 'overview' });
    return o.sources?.some((s) => s.kind === 'crash') && o;
  }, { timeout: 30_000, what: 'a crash source' }).catch(() => null);
  if (!overview) return { error: 'no crash source' };
  const crash = overview.sources.filter((s) => s.kind === 'crash').sort((a, b) => b.takenAt - a.takenAt)[0];
  const plan = await lb.send({ type: 'plan', source: crash.id });
  const uids = (plan.windows ?? []).flatMap((w) => w.tabs.map((t) => server.uidOf(t.url))).filter((u) => u !== null);
  const backup = await lb.send({ type: 'backup' });
  const record = backup.records?.find((r) => r.key === crash.id);
  const words = record ? wordsIn(JSON.stringify(record.value)) : null;
  await lb.send({ type: 'dismiss', source: crash.id });
  return { takenAt: crash.takenAt, tabs: uids.length, ...recoveryAge(segment, killAt, uids, words) };
}

/** The text Chromium put back into the restored /type page (loading it if needed). */
async function chromiumTypedWords(b, driver, state, server) {
  const tab = state.flatMap((w) => w.tabs).find((t) => t.url.startsWith(server.typeUrl));
  if (!tab) return [];
  if (tab.discarded || tab.status !== 'complete') {
    await driver.call('tabs.update', tab.id, { active: true }).catch(() => {});
    await sleep(2000);
  }
  const targets = await b.remote.targets();
  const target = targets.find((t) => t.type === 'page' && t.url === tab.url);
  if (!target) return null;
  const { sessionId } = await b.remote.sock.send('Target.attachToTarget', { targetId: target.targetId, flatten: true });
  let text = '';
  for (let i = 0; i < 10; i++) {
    const r = await b.remote.sock.send('Runtime.evaluate', { expression: "document.querySelector('#notes')?.value ?? ''", returnByValue: true }, { sessionId }).catch(() => null);
    text = r?.result?.value ?? '';
    if (text) break;
    await sleep(300);
  }
  await b.remote.sock.send('Target.detachFromTarget', { sessionId }).catch(() => {});
  return wordsIn(text);
}
