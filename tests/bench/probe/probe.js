// Driven by tests/bench/probe.mjs (puppeteer): sets up the stores, then runs one
// case at a time as n commits `spacing` ms apart, each sent to where it commits
// (the background for IndexedDB, the Worker for OPFS) and awaited before the next.
'use strict';
const api = globalThis.browser ?? globalThis.chrome;

async function send(to, op, args = {}) {
  const r = await api.runtime.sendMessage({ to, op, ...args });
  if (!r) throw new Error(`no answer from ${to} to ${op}`);
  if (!r.ok) throw new Error(r.error);
  return r.r;
}

// case -> the message of one commit
const CASES = {
  none: () => ['bg', 'info', {}],
  none2: () => ['bg', 'info', {}],
  a: (i, size) => ['bg', 'idb', { db: 'probe-a-default', durability: null, i, size }],
  b: (i, size) => ['bg', 'idb', { db: 'probe-b-strict', durability: 'strict', i, size }],
  c0: (i, size) => ['worker', 'commit', { name: 'probe-c-noflush.log', size, flush: false }],
  c1: (i, size) => ['worker', 'commit', { name: 'probe-c-flush.log', size, flush: true }],
};

globalThis.P = {
  run: null,

  /** Opens every store with one commit each (outside any measured window); says what failed. */
  async setup(size) {
    const out = { bg: await send('bg', 'info').catch((e) => ({ error: e.message })), errors: {} };
    for (const k of ['a', 'b']) {
      try { out[k] = await send(...CASES[k](0, size)); } catch (e) { out.errors[k] = e.message; }
    }
    try {
      out.offscreen = await send('bg', 'offscreen');
      out.worker = await send('worker', 'info');
      for (const [k, name] of [['c0', 'probe-c-noflush.log'], ['c1', 'probe-c-flush.log']]) {
        try {
          out[k] = await send('worker', 'open', { name });
          await send(...CASES[k](0, size));
        } catch (e) { out.errors[k] = e.message; }
      }
    } catch (e) {
      out.errors.c0 = out.errors.c1 = e.message;
    }
    return out;
  },

  /** Before a case (outside its window): what runs the background and the Worker now, and
   *  for (c) the file open again if the Worker was started anew (Firefox suspends an idle
   *  background page, and its Worker and handles go with it). */
  async prepare(kase) {
    const out = { bg: await send('bg', 'info') };
    if (kase === 'c0' || kase === 'c1') {
      await send('bg', 'offscreen');
      out.worker = await send('worker', 'info');
      out.open = await send('worker', 'open', { name: CASES[kase](0, 0)[2].name });
    }
    return out;
  },

  /** Starts a case in the background of this page; poll status(). */
  start(kase, n, spacing, size) {
    const run = { kase, n, spacing, done: 0, finished: false, error: null, ms: [], t0: Date.now() };
    this.run = run;
    (async () => {
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await send(...CASES[kase](i + 1, size));
        run.ms.push(performance.now() - t);
        run.done = i + 1;
        const wait = run.t0 + (i + 1) * spacing - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    })().catch((e) => { run.error = e.message; }).finally(() => { run.finished = true; run.t1 = Date.now(); });
    return true;
  },

  status() {
    const r = this.run;
    if (!r) return null;
    const ms = [...r.ms].sort((x, y) => x - y);
    return { kase: r.kase, done: r.done, finished: r.finished, error: r.error, elapsed: (r.t1 ?? Date.now()) - r.t0,
      medianMs: ms.length ? ms[Math.floor(ms.length / 2)] : null, maxMs: ms.length ? ms[ms.length - 1] : null };
  },
};
