// A 10,000-tab session in the restore page and the manager (issue 13 item 4), in
// Chromium and Firefox: the session is a named save made by importing a
// generated Tab Session Manager file (10 windows of 1,000 tabs of the test server).
// - restore page: far fewer rows on the page than tabs (windowed lists, each row
//   "n of 1,000" to assistive technology); scrolled to the end, the last tab is
//   there; Tab walks from row to row past the rows first rendered; everything
//   unticked, three tabs ticked in three windows (two of them then scrolled out
//   of the page), a window ticked while its rows are not rendered and unticked
//   again; Restore selected opens exactly those three tabs, each once; axe-core
//   finds no serious or critical violation in the windowed view (nor in the manager's);
// - manager: the save's detail as few rows; the last tab reached by scrolling; a
//   search finds one tab, its result points at that row (rendered for it), and
//   the row's Open button opens exactly that tab.
// The pages' own marks (performance.mark/measure: first frame with the plan,
// search from asking to results) are printed; they are not asserted (the bench
// reports them: tests/bench/pages.mjs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { RESTORE_PATH, openExtensionPage } from './lib/extension.mjs';
import { pathCounts, waitForPaths } from './lib/scenario.mjs';
import { click, fill, openManager } from './lib/ui.mjs';
import { waitUntil } from './lib/wait.mjs';

export const WINDOWS = 10;
export const PER_WINDOW = 1_000;

/** A Tab Session Manager export: one session of `windows` windows of `perWindow`
 *  tabs, tab i of window w at `${origin}/page/${w * perWindow + i}`, titled "Tab w-i". */
export function bigTsmFile(origin, windows = WINDOWS, perWindow = PER_WINDOW) {
  let id = 100;
  return JSON.stringify([{
    name: 'Ten thousand', date: 1_700_000_000_000, tag: [], sessionStartTime: 1,
    windows: Object.fromEntries(Array.from({ length: windows }, (_, w) => [String(10 + w), Object.fromEntries(
      Array.from({ length: perWindow }, (_, index) => {
        id += 1;
        return [String(id), {
          url: `${origin}/page/${w * perWindow + index}`, title: `Tab ${w}-${index}`, index, windowId: 10 + w, active: index === 0,
        }];
      }))])),
    windowsInfo: Object.fromEntries(Array.from({ length: windows }, (_, w) => [String(10 + w), { state: 'normal' }])),
  }]);
}

/** Imports `json` as a named save through the manager's own import code; its id. */
export async function importSave(manager, json) {
  const preview = await manager.previewFile('big.json', Buffer.from(json).toString('base64'));
  assert.ok(!preview.error, `the file previews: ${preview.error}`);
  const answer = await manager.commitImport(null);
  assert.equal(answer.saves?.length, 1, `one save: ${JSON.stringify(answer).slice(0, 300)}`);
  return answer.saves[0].id;
}

/** The page's mark `name` (ms since the page started), or its measure's duration. */
export function mark(page, name, kind = 'mark') {
  return page.evaluate((name, kind) => {
    const entries = performance.getEntriesByName(name, kind);
    const last = entries[entries.length - 1];
    return last ? Math.round((kind === 'mark' ? last.startTime : last.duration) * 10) / 10 : null;
  }, name, kind);
}

/** axe-core's serious and critical findings on the page as it is (injected here, never shipped; as in a11y-pages). */
async function seriousA11y(page) {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  assert.ok(await page.evaluate(`${source}\n;typeof globalThis.axe?.run === 'function'`), 'axe-core loaded into the page');
  return page.evaluate(async () => (await globalThis.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`));
}

/** How the page shows its windows: sections, rows on the page, spacers, set sizes. */
function rowsShown(page, root) {
  return page.evaluate((root) => {
    const scope = document.querySelector(root);
    return {
      windows: scope.querySelectorAll('section.window').length,
      rows: scope.querySelectorAll('li.tab').length,
      windowed: scope.querySelectorAll('ol.tabs[data-windowed]').length,
      setsize: scope.querySelector('li.tab')?.getAttribute('aria-setsize') ?? null,
    };
  }, root);
}

/** Scrolls window `w`'s list until row `i` is on the page (the rows come a frame after the scroll). */
async function scrollToRow(page, root, w, i) {
  const selector = `${root} li.tab[data-window="${w}"][data-index="${i}"]`;
  await waitUntil(() => page.evaluate((root, w, i, selector) => {
    if (document.querySelector(selector)) return true;
    const ol = document.querySelector(`${root} section.window[data-index="${w}"] ol.tabs`);
    const box = ol.getBoundingClientRect();
    const count = Number(ol.dataset.windowed) || ol.children.length; // rows.js: a windowed list's row count
    window.scrollBy(0, box.top + (box.height * i) / count - innerHeight / 2);
    return false;
  }, root, w, i, selector), { timeout: 10_000, interval: 100, what: `row ${i} of window ${w} on the page` });
}

/** Untick everything, tick three tabs far apart, restore them: exactly those open, once each. */
async function restorePage(t, browser, id, log) {
  const origin = t.server.origin;
  const ext = await openExtensionPage(browser, `${RESTORE_PATH}#source=${encodeURIComponent(id)}`);
  const { page } = ext;
  await page.setViewport({ width: 1100, height: 800 });
  await waitUntil(() => page.evaluate(() => document.querySelectorAll('#windows section.window').length > 0
    && !document.getElementById('restore-all').disabled), { timeout: 30_000, what: 'the restore page to show the save' });
  assert.equal(await page.$eval('#sources [aria-pressed="true"]', (b) => b.dataset.sourceId), id, '#source= picked the save');
  await waitUntil(() => mark(page, 'lifeboat-plan-painted'), { what: 'the plan painted mark' });
  log.restorePaint = await mark(page, 'lifeboat-plan-painted');
  log.restoreParts = [await mark(page, 'lifeboat-plan-request', 'measure'), await mark(page, 'lifeboat-plan-render', 'measure')];

  const shown = await rowsShown(page, '#windows');
  t.log(`restore page: ${JSON.stringify(shown)}`);
  assert.equal(shown.windows, WINDOWS, 'every window has its section');
  assert.equal(shown.windowed, WINDOWS, 'every list is windowed');
  assert.ok(shown.rows > 0 && shown.rows < 200, `far fewer rows on the page than 10,000 tabs: ${shown.rows}`);
  assert.equal(shown.setsize, String(PER_WINDOW), 'a row says how many its list has');
  assert.equal(await page.$eval('#selection-count', (n) => n.textContent), 'Tabs selected: 10,000 of 10,000');
  assert.deepEqual(await seriousA11y(page), [], 'axe-core: no serious or critical violation in the windowed lists');

  // Keyboard: Tab from the first tab's box walks the rows, past those first rendered.
  await page.bringToFront();
  await page.$eval('#tab-0-0', (b) => b.focus());
  const steps = 60;
  for (let k = 0; k < steps; k++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), `tab-0-${steps}`, `${steps} Tabs later the focus is on row ${steps + 1}`);

  // The end: the last tab of the last window.
  await scrollToRow(page, '#windows', WINDOWS - 1, PER_WINDOW - 1);
  assert.equal(await page.$eval(`#tab-${WINDOWS - 1}-${PER_WINDOW - 1}`, (b) => b.closest('li').dataset.url), `${origin}/page/${WINDOWS * PER_WINDOW - 1}`);
  assert.ok((await rowsShown(page, '#windows')).rows < 200, 'still few rows at the end');
  await page.screenshot({ path: t.artifact('restore-end.png') }); // the view, to look at (kept in artifacts/)

  // Nothing ticked (each window's box, a real click), then three tabs.
  await page.evaluate(() => window.scrollTo(0, 0));
  for (let w = 0; w < WINDOWS; w++) await click(page, `#window-${w}`);
  assert.equal(await page.$eval('#selection-count', (n) => n.textContent), 'No tabs selected');
  assert.ok(await page.$eval('#restore-selected', (b) => b.disabled), 'nothing ticked: Restore selected is off');
  const picks = [[0, 5], [4, 500], [WINDOWS - 1, PER_WINDOW - 1]];
  for (const [w, i] of picks) {
    await scrollToRow(page, '#windows', w, i);
    await click(page, `#tab-${w}-${i}`);
  }
  // Back to the top: the two last picks are no longer on the page, their ticks are kept.
  await page.evaluate(() => window.scrollTo(0, 0));
  await waitUntil(() => page.evaluate(() => !document.getElementById('tab-4-500')), { what: 'row 4-500 off the page' });
  assert.equal(await page.$eval('#selection-count', (n) => n.textContent), 'Tabs selected: 3 of 10,000');
  // A window ticked while its rows are not on the page: its rows come ticked; then off again.
  await click(page, '#window-7');
  assert.equal(await page.$eval('#selection-count', (n) => n.textContent), 'Tabs selected: 1,003 of 10,000');
  await scrollToRow(page, '#windows', 7, 600);
  assert.ok(await page.$eval('#tab-7-600', (b) => b.checked), 'a row of the ticked window comes ticked');
  await click(page, '#window-7'); // (the click scrolls to the window's head: row 600 goes)
  await scrollToRow(page, '#windows', 7, 600);
  assert.ok(!(await page.$eval('#tab-7-600', (b) => b.checked)), 'unticked with its window');
  await scrollToRow(page, '#windows', 4, 500);
  assert.ok(await page.$eval('#tab-4-500', (b) => b.checked), 'a tick scrolled away is still there');
  assert.equal(await page.$eval('#selection-count', (n) => n.textContent), 'Tabs selected: 3 of 10,000');

  await click(page, '#restore-selected');
  await waitUntil(() => page.$eval('#result', (n) => !n.hidden && /result-(success|partial)/.test(n.className)),
    { timeout: 30_000, what: 'the restore result' });
  const paths = picks.map(([w, i]) => `/page/${w * PER_WINDOW + i}`);
  const after = await waitForPaths(ext, origin, paths);
  t.keep('restore-page-after.json', after);
  assert.deepEqual(pathCounts(after, origin), Object.fromEntries(paths.map((p) => [p, 1])), 'exactly the ticked tabs opened, each once');
  await page.close().catch(() => {});
  return paths;
}

/** The manager: the save's detail windowed; a search for one tab; that tab opened from its row. */
async function manager(t, browser, id, opened, log) {
  const origin = t.server.origin;
  const m = await openManager(browser, { select: id });
  const { page } = m;
  await page.setViewport({ width: 1200, height: 800 });
  await waitUntil(() => page.evaluate(() => document.querySelectorAll('#detail section.window').length > 0),
    { timeout: 30_000, what: 'the detail to show the save' });
  await waitUntil(() => mark(page, 'lifeboat-plan-painted'), { what: 'the plan painted mark' });
  log.managerPaint = await mark(page, 'lifeboat-plan-painted');
  log.managerParts = [await mark(page, 'lifeboat-plan-request', 'measure'), await mark(page, 'lifeboat-plan-render', 'measure')];
  const shown = await rowsShown(page, '#detail');
  t.log(`manager: ${JSON.stringify(shown)}`);
  assert.equal(shown.windows, WINDOWS);
  assert.equal(shown.windowed, WINDOWS);
  assert.ok(shown.rows > 0 && shown.rows < 200, `far fewer rows on the page than 10,000 tabs: ${shown.rows}`);
  assert.deepEqual(await seriousA11y(page), [], 'axe-core: no serious or critical violation in the windowed lists');
  await scrollToRow(page, '#detail', WINDOWS - 1, PER_WINDOW - 1);
  assert.equal(await page.$eval(`#detail li.tab[data-window="${WINDOWS - 1}"][data-index="${PER_WINDOW - 1}"]`, (li) => li.dataset.url),
    `${origin}/page/${WINDOWS * PER_WINDOW - 1}`);
  await page.evaluate(() => window.scrollTo(0, 0));

  // Search: one tab of the save, far down its window.
  await fill(page, '#search', 'Tab 7-321');
  await page.keyboard.press('Enter');
  await waitUntil(() => page.evaluate((id) => [...document.querySelectorAll('#search-results .result-item')]
    .some((b) => b.dataset.source === id), id), { timeout: 10_000, what: 'the search result' });
  log.search = await mark(page, 'lifeboat-search', 'measure');
  const results = await page.$$eval('#search-results .result-item', (l) => l.map((b) => ({ ...b.dataset })));
  assert.deepEqual(results, [{ source: id, window: '7', tab: '321' }], 'one result: that tab of that save');
  await click(page, '#search-results .result-item');
  const row = '#detail li.tab.is-highlighted[data-window="7"][data-index="321"]';
  await waitUntil(() => page.$(row), { what: 'the result\'s row rendered and pointed at' });
  await page.screenshot({ path: t.artifact('manager-result.png') });
  await click(page, `${row} .open-tab`);
  const path = `/page/${7 * PER_WINDOW + 321}`;
  const after = await waitForPaths(m, origin, [...opened, path]);
  t.keep('manager-after.json', after);
  assert.deepEqual(pathCounts(after, origin), Object.fromEntries([...opened, path].map((p) => [p, 1])),
    'the result\'s tab opened once, nothing else');
}

const pagesAtScale = {
  name: 'pages-at-scale',
  timeout: 240_000,
  async run(t) {
    const browser = await t.launch();
    const setup = await openManager(browser);
    const id = await importSave(setup, bigTsmFile(t.server.origin));
    await setup.page.close().catch(() => {});
    const log = {};
    const opened = await restorePage(t, browser, id, log);
    await manager(t, browser, id, opened, log);
    t.log(`10,000 tabs (${t.kind}): first paint (ms since the page started; plan request + render) restore page ${log.restorePaint}`
      + ` (${log.restoreParts.join(' + ')}), manager ${log.managerPaint} (${log.managerParts.join(' + ')}); search ${log.search} ms`);
  },
};

export const tests = [pagesAtScale];
