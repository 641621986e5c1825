// The pages at scale (issue 13 item 4): first paint of the restore page and the
// manager showing a 1,000- and a 10,000-tab named save, and the manager's search
// answer, in both browsers; a markdown table on stdout.
//
//     node tests/bench/pages.mjs [chromium|firefox|all]      # needs a build in dist/ (LIFEBOAT_DIST)
//
// First paint: the page's own mark `lifeboat-plan-painted` (the first frame after
// the plan's windows and rows are in the DOM), in ms since the page started to
// load. Search: the manager's measure `lifeboat-search`, from asking the
// background to the results in the DOM (after the box's 200 ms typing pause,
// which is not counted). Each figure is the median of PAGES_RUNS (3) loads or
// searches; beside first paint, the page's measures of its `plan` request and of
// its render (from the answer to the painted frame), and of the request, the
// background's own time (`status.timings.busyByKind["request:plan"]`, read before
// and after each load): the rest of it is the answer's way to the page.
// The session: a Tab Session Manager file of 10 windows, imported through the
// manager's own code (tests/e2e/pages-at-scale.test.mjs makes it), on a fresh
// profile per size, so the search covers that save only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSERS, launchBrowser } from '../e2e/lib/browsers.mjs';
import { RESTORE_PATH, openExtensionPage } from '../e2e/lib/extension.mjs';
import { startServer } from '../e2e/lib/server.mjs';
import { fill, openManager } from '../e2e/lib/ui.mjs';
import { waitUntil } from '../e2e/lib/wait.mjs';
import { bigTsmFile, importSave, mark } from '../e2e/pages-at-scale.test.mjs';

const SIZES = (process.env.PAGES_SIZES ?? '1000,10000').split(',').map(Number);
const RUNS = Number(process.env.PAGES_RUNS ?? 3);
const WINDOWS = 10;

const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};

/** The background's time on `plan` requests so far (`status.timings.busyByKind`):
 *  its handling, the answer's conversion for the message included. */
async function planBusyMs(ext) {
  const status = await ext.send({ type: 'status' });
  return status?.timings?.busyByKind?.['request:plan']?.ms ?? 0;
}

/** One page load (`open()`) showing the save: its first-paint mark, and of
 *  the `plan` request's time, the background's share (`background`). */
async function paint(open, ready, close = true, statusPage) {
  const before = await planBusyMs(statusPage);
  const ext = await open();
  const { page } = ext;
  await waitUntil(() => page.evaluate(ready), { timeout: 60_000, what: 'the page to show the save' });
  await waitUntil(() => mark(page, 'lifeboat-plan-painted'), { timeout: 30_000, what: 'the plan painted mark' });
  const ms = await mark(page, 'lifeboat-plan-painted');
  const request = await mark(page, 'lifeboat-plan-request', 'measure');
  const render = await mark(page, 'lifeboat-plan-render', 'measure');
  const background = Math.round(await planBusyMs(statusPage) - before);
  if (close) await page.close().catch(() => {});
  return { ms, request, render, background, ext };
}

/** @param {string} kind @param {number} tabs @param {{ origin: string }} server */
async function measure(kind, tabs, server) {
  const dir = mkdtempSync(join(tmpdir(), `lifeboat-bench-pages-${kind}-`));
  const browser = await launchBrowser(kind, { dir });
  try {
    const perWindow = tabs / WINDOWS;
    const setup = await openManager(browser);
    const id = await importSave(setup, bigTsmFile(server.origin, WINDOWS, perWindow));
    const restore = [];
    const manager = [];
    const search = [];
    for (let run = 0; run < RUNS; run++) {
      restore.push(await paint(() => openExtensionPage(browser, `${RESTORE_PATH}#source=${encodeURIComponent(id)}`),
        () => document.querySelectorAll('#windows section.window').length > 0, true, setup));
    }
    for (let run = 0; run < RUNS; run++) {
      const last = run === RUNS - 1;
      const shown = await paint(() => openManager(browser, { select: id }),
        () => document.querySelectorAll('#detail section.window').length > 0, !last, setup);
      manager.push(shown);
      const { ext } = shown;
      if (!last) continue;
      // Searches in the last manager page: a tab far down a window each time.
      for (let s = 0; s < RUNS; s++) {
        const before = await ext.page.evaluate(() => performance.getEntriesByName('lifeboat-search').length);
        await fill(ext.page, '#search', `Tab ${7 - s}-${perWindow - 1 - s}`);
        await ext.page.keyboard.press('Enter');
        await waitUntil(() => ext.page.evaluate((n) => performance.getEntriesByName('lifeboat-search').length > n, before),
          { timeout: 30_000, what: 'the search answer' });
        search.push(await mark(ext.page, 'lifeboat-search', 'measure'));
      }
    }
    /** @param {{ ms: number, request: number, render: number, background: number }[]} xs */
    const cell = (xs) => `${median(xs.map((x) => x.ms))} (${median(xs.map((x) => x.request))} [${median(xs.map((x) => x.background))}] + ${median(xs.map((x) => x.render))})`;
    const raw = (xs) => xs.map(({ ms, request, render, background }) => ({ ms, request, render, background }));
    return { restore: cell(restore), manager: cell(manager), search: median(search), raw: { restore: raw(restore), manager: raw(manager), search } };
  } finally {
    await browser.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

const which = process.argv[2] ?? 'all';
const kinds = which === 'all' ? BROWSERS : [which];
const server = await startServer();
const rows = [];
const figures = [];
try {
  for (const kind of kinds) {
    for (const tabs of SIZES) {
      const r = await measure(kind, tabs, server);
      console.error(`[${kind}] ${tabs} tabs: ${JSON.stringify(r.raw)}`);
      rows.push(`| ${kind} | ${tabs.toLocaleString('en')} | ${r.restore} | ${r.manager} | ${r.search} |`);
      const ms = (xs) => median(xs.map((x) => x.ms));
      figures.push({ kind, tabs, restorePaintMs: ms(r.raw.restore), managerPaintMs: ms(r.raw.manager), searchMs: r.search });
    }
  }
} finally {
  await server.close();
}
// The bench (run.mjs) reads the medians from here for its table of targets.
if (process.env.PAGES_JSON) writeFileSync(process.env.PAGES_JSON, JSON.stringify(figures));
console.log([
  `### Pages at scale (median of ${RUNS}; target: first paint ≤ 500 ms, search ≤ 100 ms at 10,000 tabs)`,
  '',
  'First paint in ms since the page started to load; in brackets the `plan` request (from asking to the answer; in square brackets the background\'s own time on it, `status.timings.busyByKind`: its handling and the answer\'s conversion for the message, the rest being the message\'s way there and back) and the page\'s render to the painted frame.',
  '',
  '| browser | tabs | restore page first paint (ms) | manager first paint (ms) | search answer (ms) |',
  '|---|---:|---:|---:|---:|',
  ...rows,
].join('\n'));
