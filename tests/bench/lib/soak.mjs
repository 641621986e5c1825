// Issue 13 item 2, over time: the background's memory across an hour of the
// head-to-head's seeded workload. Flat means no growth that does not come back:
// what is still reachable at the end is no more than at the start.
import { cpSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { groupMembers } from '../../e2e/lib/procs.mjs';
import { sleep } from '../../e2e/lib/wait.mjs';
import { BenchBrowser } from './browser.mjs';
import { backgroundMemory, chromiumTemplate, fromTemplate, setupSession, workDir } from './jobs.mjs';
import { Workload } from './workload.mjs';

/**
 * Resident memory (bytes) of the process that runs the background: Chromium, its
 * extension processes (Lifeboat's service worker and the bench driver's page);
 * Firefox, its WebExtensions process (the same two). A trend, not Lifeboat alone.
 */
function extensionRss(b) {
  const read = (path) => { try { return readFileSync(path, 'utf8'); } catch { return ''; } };
  let rss = 0;
  for (const pid of groupMembers(b.browserPgid)) {
    const mine = b.kind === 'chromium'
      ? /--extension-process/.test(read(`/proc/${pid}/cmdline`))
      : read(`/proc/${pid}/comm`).trim() === 'WebExtensions';
    if (!mine) continue;
    const m = /^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`));
    if (m) rss += Number(m[1]) * 1024;
  }
  return rss || null;
}

/**
 * n content tabs, then the seeded workload (one action per paceMs) for `minutes`,
 * sampling every sampleS: the WASM module's linear memory (a high-water mark), what the
 * Rust heap holds and the most it held at once since the last sample (bench builds count it), the
 * service worker's JS heap after a garbage collection (Chromium), the extension
 * process's resident memory, the model's tabs and the commits so far.
 */
export async function soak(kind, { n, minutes, sampleS = 60, paceMs, seed, templateMin, root, server, dist, driverExt, log }) {
  const template = kind === 'chromium' && n >= templateMin ? await chromiumTemplate(n, { root, server, driverExt, log, tag: '-soak' }) : null;
  const dir = workDir(root, `soak-${kind}-${n}`);
  if (template) cpSync(template.profile, join(dir, 'profile'), { recursive: true, filter: (src) => !/\/Singleton\w+$/.test(src) });
  const b = new BenchBrowser(kind, dir, { lifeboat: true, dist, driver: driverExt, chromiumRestore: true });
  const say = (m) => log(`[soak ${kind} ${n}] ${m}`);
  const out = { kind, n, minutes, sampleS, paceMs, seed, samples: [] };
  try {
    const s = template
      ? await fromTemplate(b, server, n, { trace: null, lifeboatPath: 'www/manager.html', log: say, nextUid: template.nextUid })
      : (await b.start(), await setupSession(b, server, n, { log: say, lifeboatPath: 'www/manager.html' }));
    await sleep(5000);
    const w = new Workload({ driver: s.driver, typing: s.typing, server, seed, nextUid: s.nextUid });
    await w.resync();
    const t0 = Date.now();
    const sample = async (actions) => {
      const m = await backgroundMemory(b, s.lb, { gc: true });
      const st = await s.lb.send({ type: 'status' });
      const row = { minute: (Date.now() - t0) / 60000, actions, tabs: m.tabs, snapshotBytes: m.snapshotBytes, wasmMemoryBytes: m.wasmMemoryBytes, jsHeapUsedBytes: m.jsHeapUsedBytes,
        heapLiveBytes: m.heapLiveBytes, heapPeakBytes: m.heapPeakBytes,
        rssBytes: extensionRss(b), commits: st.store.commits, load: loadavg()[0] };
      out.samples.push(row);
      return row;
    };
    let actions = 0;
    await sample(0);
    for (let k = 1; k * sampleS <= minutes * 60; k++) {
      actions += await w.runUntil(t0 + k * sampleS * 1000, paceMs);
      const r = await sample(actions);
      if (k % 10 === 0) say(`${r.minute.toFixed(0)} min: ${actions} actions, ${r.tabs} tabs, WASM ${(r.wasmMemoryBytes / 2 ** 20).toFixed(1)} MB, JS heap ${r.jsHeapUsedBytes === null ? 'n/a' : (r.jsHeapUsedBytes / 2 ** 20).toFixed(1)} MB, RSS ${((r.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MB`);
    }
    out.errors = w.errors;
    out.hiddenTyping = w.hiddenTyping;
    return out;
  } finally {
    await b.close();
  }
}
