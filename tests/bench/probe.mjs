// node tests/bench/probe.mjs — issue 12, item 1: what ONE small commit (~100 bytes)
// costs on disk in Firefox ESR and Chromium, through
//   a   IndexedDB as Lifeboat uses it today (readwrite transaction, one put, default durability)
//   b   IndexedDB with durability "strict"
//   c0  an append-only OPFS file through a FileSystemSyncAccessHandle in a dedicated Worker
//   c1  the same with flush() after each write
// The fixture extension is tests/bench/probe/ (Firefox: the Worker is started from the
// background page; Chromium: from an offscreen document, reason WORKERS). Each browser
// runs under strace (bytes per file, as tests/bench/lib/strace.mjs counts them), with
// its profile on a loop-mounted ext4 image when the machine allows it (blocks written,
// /sys/block/loopN/stat, around a syncfs). Writes bench/PROBE.md (the part between the
// markers; text after the end marker is kept) and bench/tmp/probe.json.
//
// Environment (defaults in brackets):
//   PROBE_BROWSERS [chromium,firefox]   PROBE_RUNS [50:200,1000:100] (spacing ms : commits, …)
//   PROBE_SIZE [100] bytes a commit     PROBE_TAIL_MS [5000] quiet time counted after each case
//   PROBE_SETTLE_S [60] after setup     PROBE_LOOP [1] try the loop-mounted ext4 profile
//   PROBE_PARALLEL [1] both browsers at once   PROBE_OUT [bench/PROBE.md]   PROBE_KEEP: keep temp files
//   node tests/bench/probe.mjs --render   rewrites bench/PROBE.md from bench/tmp/probe.json (no run)
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXECUTABLE, SYSCALLS } from './lib/browser.mjs';
import { writesPerFile } from './lib/strace.mjs';
import { groupMembers } from '../e2e/lib/procs.mjs';
import { FIREFOX_EXTENSION_UUID, GECKO_ID } from '../e2e/lib/profile.mjs';
import { sleep, waitUntil, withTimeout } from '../e2e/lib/wait.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const env = (k, d) => process.env[k] ?? d;
const CFG = {
  browsers: env('PROBE_BROWSERS', 'chromium,firefox').split(',').filter(Boolean),
  runs: env('PROBE_RUNS', '50:200,1000:100').split(',').map((s) => {
    const [spacing, n] = s.split(':').map(Number);
    return { spacing, n };
  }),
  size: Number(env('PROBE_SIZE', 100)),
  tailMs: Number(env('PROBE_TAIL_MS', 5000)),
  settleS: Number(env('PROBE_SETTLE_S', 60)),
  loop: env('PROBE_LOOP', '1') !== '0',
  parallel: env('PROBE_PARALLEL', '1') !== '0',
  out: resolve(REPO, env('PROBE_OUT', 'bench/PROBE.md')),
  json: resolve(REPO, env('PROBE_JSON', 'bench/tmp/probe.json')),
  keep: !!process.env.PROBE_KEEP,
};
// 'none' and 'none2': the same schedule of messages, nothing stored, before and after the
// cases of a spacing: the noise of a window that long (the lower of the two is subtracted).
const CASES = ['none', 'a', 'b', 'c0', 'c1', 'none2'];
const CONTROLS = ['none', 'none2'];
const CASE_NAME = {
  none: 'control: no commit (same messages), before',
  none2: 'control: no commit (same messages), after',
  a: 'a. IndexedDB, default durability (as today)',
  b: 'b. IndexedDB, durability "strict"',
  c0: 'c. OPFS sync handle, no flush',
  c1: 'c. OPFS sync handle, flush() each',
};
const GROUPS = ['wal', 'db', 'opfs', 'other'];
const GROUP_NAME = { wal: 'WAL/log', db: 'db', opfs: 'OPFS file', other: 'other' };
// Syncs are traced too (not bytes): they show what flush() and "strict" ask of the OS.
const TRACED = `${SYSCALLS},writev,fsync,fdatasync`;

const t0 = Date.now();
const log = (m) => console.error(`[probe ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);

// ---------------------------------------------------------------- setup

const root = mkdtempSync(join(tmpdir(), 'lifeboat-probe-'));
const mounts = new Set();
process.on('exit', () => {
  for (const m of mounts) try { execFileSync('umount', ['-l', m], { stdio: 'ignore' }); } catch { /* gone */ }
  if (!CFG.keep) rmSync(root, { recursive: true, force: true });
});

/** The fixture as the e2e harness expects an extension: DIST/chrome and DIST/lifeboat-firefox.xpi. */
function buildProbe(dist) {
  const src = join(HERE, 'probe');
  const files = ['background.js', 'worker.js', 'offscreen.html', 'offscreen.js', 'probe.html', 'probe.js'];
  for (const [target, manifest] of [['chrome', 'manifest.chrome.json'], ['firefox', 'manifest.firefox.json']]) {
    const dir = join(dist, target);
    mkdirSync(dir, { recursive: true });
    for (const f of files) cpSync(join(src, f), join(dir, f));
    const m = JSON.parse(readFileSync(join(src, manifest), 'utf8'));
    // The e2e harness installs DIST/lifeboat-firefox.xpi as GECKO_ID and pins its UUID.
    if (target === 'firefox') m.browser_specific_settings.gecko.id = GECKO_ID;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
  }
  execFileSync('zip', ['-q', '-r', '-X', join(dist, 'lifeboat-firefox.xpi'), '.'], { cwd: join(dist, 'firefox') });
}

/** A wrapper the e2e harness starts instead of the browser: the browser under strace,
 *  strace leading the process group (the harness's setsid'd group). */
function straceWrapper(kind, trace) {
  const file = join(root, `${kind}-under-strace.sh`);
  writeFileSync(file, `#!/bin/sh\nexec strace -f -ttt -s 0 -y --seccomp-bpf -e trace=${TRACED} -o '${trace}' -- '${EXECUTABLE[kind]}' "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

/** The profile directory on a fresh ext4 image, loop-mounted; or { error } saying why not. */
function loopMount(mnt, img) {
  if (!CFG.loop) return { error: 'not tried (PROBE_LOOP=0)' };
  const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  try {
    mkdirSync(mnt, { recursive: true });
    run('truncate', ['-s', '1G', img]);
    run('mkfs.ext4', ['-q', '-F', img]);
    run('mount', ['-o', 'loop', img, mnt]);
    mounts.add(mnt);
    const dev = run('findmnt', ['-n', '-o', 'SOURCE', mnt]);
    const stat = `/sys/block/${basename(dev)}/stat`;
    if (!existsSync(stat)) throw new Error(`no ${stat}`);
    return { mnt, dev, stat };
  } catch (e) {
    return { error: (e.stderr?.toString().trim() || e.message).split('\n')[0] };
  }
}

/** Sectors written to the loop device, after a syncfs of its file system (so what the
 *  page cache still held is counted where it was dirtied). */
function loopSectors(loop) {
  if (!loop?.stat) return null;
  execFileSync('sync', ['-f', loop.mnt]);
  const f = readFileSync(loop.stat, 'utf8').trim().split(/\s+/).map(Number);
  return { sectors: f[6], ios: f[4] };
}

/** fsync/fdatasync calls per file in [from, to] (epoch ms); each call counted where it starts. */
async function syncsPerFile(file, { from, to }) {
  const re = /^\d+\s+(\d+\.\d+)\s+(fsync|fdatasync)\(\d+<(.*?)>/;
  const out = new Map();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const m = re.exec(line);
    if (!m) continue;
    const ts = Number(m[1]) * 1000;
    if (ts < from || ts > to) continue;
    out.set(m[3], (out.get(m[3]) ?? 0) + 1);
  }
  return out;
}

/** Which group a written file belongs to; 'rest' = the rest of the profile (not the probe's). */
function groupOf(kind, path, id) {
  if (kind === 'firefox') {
    if (!path.includes(`/moz-extension+++${id}`)) return 'rest';
    if (/\/idb\/[^/]+\.sqlite-(wal|journal)$/.test(path)) return 'wal';
    if (/\/idb\/[^/]+\.sqlite$/.test(path)) return 'db';
    if (/\/fs\//.test(path) && !/\.sqlite(-\w+)?$/.test(path)) return 'opfs';
    return 'other';
  }
  if (path.includes(`/chrome-extension_${id}_0.indexeddb.`)) {
    if (/\/\d+\.log$/.test(path)) return 'wal';
    if (/\/LOG(\.old)?$/.test(path)) return 'other';
    return 'db';
  }
  // Only the probe uses the origin-private file system in this profile.
  if (/\/File System\//.test(path)) return /\/t\/\d+\/\d+$/.test(path) ? 'opfs' : 'other';
  if (path.includes(id)) return 'other';
  return 'rest';
}

const shortName = (p) => p.split('/').slice(-3).join('/').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, '<uuid>').replace(/[a-p]{32}/, '<id>');

// ---------------------------------------------------------------- one browser

async function probeBrowser(kind, { launchBrowser, openExtensionPage }) {
  const dir = join(root, kind);
  mkdirSync(dir, { recursive: true });
  const trace = join(root, `${kind}.trace`);
  const loop = loopMount(join(dir, 'profile'), join(root, `${kind}.img`));
  log(`${kind}: ${loop.error ? `no loop device (${loop.error})` : `profile on ${loop.dev} (ext4)`}`);
  const version = execFileSync(EXECUTABLE[kind], ['--version'], { env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' } }).toString().trim();
  const result = { kind, version, loop: loop.error ? { error: loop.error } : { dev: loop.dev }, setup: null, cases: [] };
  let session = null;
  try {
    // Glean's telemetry database otherwise rewrites ~0.5 MB now and then: noise on the loop device.
    session = await launchBrowser(kind, { dir, firefoxPrefs: { 'datareporting.healthreport.uploadEnabled': false } });
    result.origin = session.extensionOrigin;
    const id = kind === 'firefox' ? FIREFOX_EXTENSION_UUID : session.extensionOrigin.match(/^chrome-extension:\/\/([a-p]+)\//)[1];
    result.id = id;
    const page = (await openExtensionPage(session, 'probe.html')).page;
    result.setup = await withTimeout(page.evaluate((size) => globalThis.P.setup(size), CFG.size), 60_000, 'probe setup');
    log(`${kind}: setup ${JSON.stringify(result.setup)}`);
    await sleep(CFG.settleS * 1000);
    let bgStartedAt = result.setup.bg?.startedAt;
    for (const { spacing, n } of CFG.runs) {
      for (const kase of CASES) {
        const c = { kase, spacing, n };
        result.cases.push(c);
        if (result.setup.errors?.[kase]) { c.error = result.setup.errors[kase]; continue; }
        c.prepare = await withTimeout(page.evaluate((k) => globalThis.P.prepare(k), kase), 60_000, 'prepare').catch((e) => ({ error: e.message }));
        if (c.prepare.error) { c.error = c.prepare.error; continue; }
        const restarted = c.prepare.bg.startedAt !== bgStartedAt;
        bgStartedAt = c.prepare.bg.startedAt;
        const reopened = c.prepare.open?.reopened;
        if (restarted || reopened) {
          c.restart = { background: restarted, workerReopened: !!reopened };
          log(`${kind}: before ${kase}@${spacing}: ${[restarted && 'the background was started anew', reopened && 'the Worker had no handle: reopened'].filter(Boolean).join(', ')}`);
        }
        const before = loopSectors(loop);
        c.from = Date.now();
        await page.evaluate((k, n, s, size) => globalThis.P.start(k, n, s, size), kase, n, spacing, CFG.size);
        c.status = await waitUntil(async () => {
          const s = await page.evaluate(() => globalThis.P.status());
          return s?.finished ? s : null;
        }, { timeout: n * spacing + 120_000, interval: 500, what: `${kind} case ${kase}` });
        await sleep(CFG.tailMs); // a checkpoint or deferred write after the last commit counts too
        c.to = Date.now();
        const after = loopSectors(loop);
        if (before && after) c.loop = { sectors: after.sectors - before.sectors, ios: after.ios - before.ios };
        if (c.status.error) c.error = c.status.error;
        log(`${kind}: ${kase} x${n} @${spacing} ms: ${c.status.done} done in ${c.status.elapsed} ms${c.error ? `, error ${c.error}` : ''}${c.loop ? `, ${c.loop.sectors} sectors` : ''}`);
      }
    }
  } catch (e) {
    result.error = e.message;
    log(`${kind}: FAILED: ${e.message}`);
  } finally {
    if (session) {
      // Let strace (the group's leader) write out its trace: end the browser's
      // processes, strace then exits by itself; close() ends whatever is left.
      await session.disconnect();
      const pgid = session.proc?.pgid;
      if (pgid) {
        for (const pid of groupMembers(pgid)) if (pid !== pgid) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        await withTimeout(session.proc.exited, 60_000, 'strace to exit').catch(() => {});
      }
      await session.close();
    }
    if (loop.mnt) {
      try { execFileSync('umount', [loop.mnt]); mounts.delete(loop.mnt); } catch (e) { log(`umount ${loop.mnt}: ${e.message}`); }
    }
  }
  if (existsSync(trace)) {
    for (const c of result.cases) {
      if (c.from === undefined) continue;
      const perFile = await writesPerFile(trace, { from: c.from, to: c.to });
      const syncs = await syncsPerFile(trace, { from: c.from, to: c.to });
      c.bytes = { wal: 0, db: 0, opfs: 0, other: 0, rest: 0 };
      c.syncs = { probe: 0, rest: 0 };
      c.files = {};
      for (const [path, { bytes }] of perFile) {
        const g = groupOf(kind, path, result.id);
        c.bytes[g] += bytes;
        if (g !== 'rest') c.files[shortName(path)] = (c.files[shortName(path)] ?? 0) + bytes;
        else (c.restFiles ??= {})[shortName(path)] = (c.restFiles[shortName(path)] ?? 0) + bytes; // JSON only
      }
      for (const [path, count] of syncs) {
        const g = groupOf(kind, path, result.id);
        c.syncs[g === 'rest' ? 'rest' : 'probe'] += count;
        if (g !== 'rest') c.files[`${shortName(path)} (syncs)`] = count;
      }
      c.total = GROUPS.reduce((s, g) => s + c.bytes[g], 0);
    }
    if (!CFG.keep) rmSync(trace, { force: true });
  } else {
    result.error ??= `no strace output at ${trace}`;
  }
  return result;
}

// ---------------------------------------------------------------- report

// A window in which the rest of the profile wrote more than this: its loop blocks are mostly noise.
const NOISY_BYTES = 64 * 1024;
const noisy = (c) => (c.bytes?.rest ?? 0) > NOISY_BYTES;
const per = (x, n) => (x === null || x === undefined ? '–' : (x / n).toFixed(x / n >= 100 ? 0 : 1));

/** meta: { at, minutes, config } of the run (a rerender from the JSON keeps the run's own). */
function render(results, { at, minutes, config: cfg }) {
  const lines = [];
  const push = (...l) => lines.push(...l);
  const runs = cfg.runs;
  push('# Issue 12, item 1: what one ~100-byte commit costs on disk', '',
    `Generated by \`node tests/bench/probe.mjs\` (\`./build.sh probe\`) on ${at}, run took ${minutes.toFixed(1)} min.`, '',
    `- Machine: ${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, Node ${process.version}; other people's browser tests shared the 2 cores.`,
    ...results.map((r) => `- ${r.kind}: ${r.version}; profile disk: ${r.loop.error ? `no loop device (${r.loop.error})` : `ext4 image loop-mounted (${r.loop.dev}), default options`}.`),
    `- Reproduce: \`./build.sh probe\` (= \`node tests/bench/probe.mjs\`, as root for the loop mount). This run: PROBE_RUNS=${runs.map((r) => `${r.spacing}:${r.n}`).join(',')} (spacing ms : commits), ${cfg.size}-byte commits, ${cfg.tailMs} ms counted after each case's last commit, ${cfg.settleS} s settle after setup, browsers ${cfg.parallel ? 'side by side' : 'one after the other'}.`,
    '',
    'Method. A fixture extension (`tests/bench/probe/`, not the product) commits from its background: (a) one readwrite transaction putting one random ' +
    `${cfg.size}-byte Uint8Array under one of 10 keys (what \`src/web/idb.rs\` does), default durability; (b) the same with \`{durability: "strict"}\`; ` +
    '(c) one dedicated Worker appends the bytes at the end of an OPFS file through `FileSystemSyncAccessHandle.write()`, with and without `flush()` after each write. ' +
    'Firefox starts the Worker from its background page; Chromium\'s service worker opens an offscreen document (reason `WORKERS`) that starts it. ' +
    'A page of the extension sends each commit as a message and waits for its answer before the next, on a fixed schedule. Each case has its own database or file, opened with one commit before anything is measured. ' +
    `The browser runs under \`strace -f -y -e trace=${TRACED}\` (started by the e2e harness through a wrapper); bytes are summed per file (\`tests/bench/lib/strace.mjs\`) over the case and the ${cfg.tailMs / 1000} s after it, and divided by the commits. ` +
    'Groups: Firefox `storage/default/moz-extension+++<uuid>/`: WAL = `idb/*.sqlite-wal`, db = `idb/*.sqlite`, OPFS file = data files under `fs/`, other = the rest of that origin (OPFS metadata database, `.metadata-v2`, …); ' +
    'Chromium: WAL/log = the LevelDB log `IndexedDB/chrome-extension_<id>_0.indexeddb.leveldb/*.log`, db = its other files but `LOG` (MANIFEST, .ldb), OPFS file = `File System/…/t/NN/NNNNNNNN`, other = `LOG`, the rest of `File System/` and other files naming the extension. ' +
    '"Total" is the sum of these groups; the rest of the profile is shown apart (browser noise in the same window). ' +
    'The control rows run the same schedule of messages to the background and store nothing, before and after the cases of a spacing: their loop blocks are the noise of a window of that length; the details subtract the lower of the two. ' +
    `† = the rest of the profile wrote more than ${NOISY_BYTES / 1024} KiB in that window (strace): its loop blocks are mostly noise. ` +
    'Profiles as the e2e harness prepares them (Firefox: its quiet prefs, plus `datareporting.healthreport.uploadEnabled` false, or Glean rewrites ~0.5 MB of telemetry database now and then). ' +
    'Loop blocks = sectors written to the loop device between a syncfs before the case and one after its tail (so page-cache writes are counted once, whenever they would reach disk), ÷ 8 = 4 KiB blocks; this counts the whole profile file system, noise and ext4 journal included.',
    '');
  for (const r of results) {
    push(`## ${r.kind === 'firefox' ? 'Firefox' : 'Chromium'} (${r.version})`, '');
    if (r.error) push(`**The run failed:** ${r.error}`, '');
    const head = ['case'];
    for (const { spacing } of runs) {
      head.push(`${spacing} ms: total B/commit`, ...GROUPS.map((g) => GROUP_NAME[g]));
      if (!r.loop.error) head.push(`${spacing} ms: loop 4K blocks/commit`);
    }
    push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`);
    for (const k of CASES) {
      const row = [CASE_NAME[k]];
      for (const { spacing } of runs) {
        const c = r.cases.find((x) => x.kase === k && x.spacing === spacing);
        const width = 5 + (r.loop.error ? 0 : 1);
        if (!c?.bytes || (c.error && !c.status?.done)) {
          row.push(`failed${c?.error ? `: ${c.error}` : ''}`, ...Array(width - 1).fill('–'));
          continue;
        }
        const n = c.status.done;
        row.push(`**${per(c.total, n)}**`, ...GROUPS.map((g) => per(c.bytes[g], n)));
        if (!r.loop.error) row.push(c.loop ? `${(c.loop.sectors / 8 / n).toFixed(2)}${noisy(c) ? ' †' : ''}` : '–');
      }
      push(`| ${row.join(' | ')} |`);
    }
    push('', 'Details per case: commits done, syncs (fsync + fdatasync) of the probe\'s files per commit, time a commit took (message round trip included), bytes per commit to the rest of the profile in the same window (not counted above), and the files written (bytes in the window).', '',
      '| case | spacing ms | commits | syncs/commit | commit ms median (max) | rest of profile B/commit | loop 4K blocks/commit minus the control\'s | files (bytes in the window) |', '|---|---:|---:|---:|---:|---:|---:|---|');
    for (const c of r.cases) {
      if (!c.bytes) { push(`| ${CASE_NAME[c.kase]} | ${c.spacing} | 0 | – | – | – | – | ${c.error ?? 'not run'} |`); continue; }
      const n = c.status.done;
      const files = Object.entries(c.files).map(([f, b]) => `\`${f}\` ${b}`).join(', ') || 'none';
      const controls = r.cases.filter((x) => CONTROLS.includes(x.kase) && x.spacing === c.spacing && x.loop && x.status?.done === n);
      const floor = controls.length ? Math.min(...controls.map((x) => x.loop.sectors)) : null;
      const net = !CONTROLS.includes(c.kase) && c.loop && floor !== null ? `${((c.loop.sectors - floor) / 8 / n).toFixed(2)}${noisy(c) ? ' †' : ''}` : '–';
      push(`| ${CASE_NAME[c.kase]} | ${c.spacing} | ${n}${c.error ? ` (${c.error})` : ''} | ${(c.syncs.probe / n).toFixed(2)} | ${c.status.medianMs?.toFixed(1)} (${c.status.maxMs?.toFixed(1)}) | ${per(c.bytes.rest, n)} | ${net} | ${files} |`);
    }
    const s = r.setup;
    if (s) {
      push('', `Setup: background = ${s.bg?.context ?? JSON.stringify(s.bg)}; ${s.offscreen ? `offscreen document: ${s.offscreen.offscreen}; ` : ''}` +
        `Worker sees \`navigator.storage.getDirectory\`: ${s.worker?.getDirectory ?? '–'}, \`FileSystemSyncAccessHandle\`: ${s.worker?.syncAccessHandle ?? '–'}; ` +
        `errors: ${Object.keys(s.errors).length ? Object.entries(s.errors).map(([k, e]) => `${k}: ${e}`).join('; ') : 'none'}.`);
    }
    const when = (cs) => (cs.length ? cs.map((c) => `before ${c.kase} at ${c.spacing} ms`).join(', ') : 'never');
    push('', `The background had been started anew (its start time changed; the Worker and its handles go with it in Firefox): ${when(r.cases.filter((c) => c.restart?.background))}. ` +
      `The Worker had no open handle for the case's file, so the file was opened again outside the window: ${when(r.cases.filter((c) => c.restart?.workerReopened))}.`);
    push('');
  }
  return lines.join('\n');
}

const BEGIN = '<!-- generated by tests/bench/probe.mjs: begin -->';
const END = '<!-- generated by tests/bench/probe.mjs: end (text below is kept on a rerun) -->';
function writeReport(md) {
  let rest = '\n## Conclusion\n\n(to be written from the tables above)\n';
  if (existsSync(CFG.out)) {
    const old = readFileSync(CFG.out, 'utf8');
    const i = old.indexOf(END);
    if (i >= 0) rest = old.slice(i + END.length);
  }
  mkdirSync(dirname(CFG.out), { recursive: true });
  writeFileSync(CFG.out, `${BEGIN}\n${md}\n${END}${rest}`);
}

// ---------------------------------------------------------------- main

if (process.argv.includes('--render')) { // bench/PROBE.md again from the last run's JSON
  const { meta, results } = JSON.parse(readFileSync(CFG.json, 'utf8'));
  writeReport(render(results, meta));
  log(`rewrote ${CFG.out} from ${CFG.json}`);
  process.exit(0);
}

const dist = join(root, 'dist');
buildProbe(dist);
// Read by the e2e harness when it is imported: the fixture instead of Lifeboat, and each
// browser started under strace.
process.env.LIFEBOAT_DIST = dist;
process.env.CHROMIUM_BIN = straceWrapper('chromium', join(root, 'chromium.trace'));
process.env.FIREFOX_BIN = straceWrapper('firefox', join(root, 'firefox.trace'));
const harness = {
  ...(await import('../e2e/lib/browsers.mjs')),
  ...(await import('../e2e/lib/extension.mjs')),
};
log(`work dir ${root}; runs ${JSON.stringify(CFG.runs)}`);
const results = CFG.parallel
  ? await Promise.all(CFG.browsers.map((k) => probeBrowser(k, harness)))
  : await CFG.browsers.reduce(async (acc, k) => [...(await acc), await probeBrowser(k, harness)], Promise.resolve([]));
mkdirSync(dirname(CFG.json), { recursive: true });
const meta = { at: new Date().toISOString(), minutes: (Date.now() - t0) / 60000, config: CFG };
writeFileSync(CFG.json, JSON.stringify({ meta, results }, null, 2));
const md = render(results, meta);
writeReport(md);
console.log(md);
log(`wrote ${CFG.out} and ${CFG.json}`);
process.exit(results.some((r) => r.error) ? 1 : 0);
