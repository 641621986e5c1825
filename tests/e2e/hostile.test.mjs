// A hostile page (issue 11): 30 same-origin iframes whose scripts keep filling
// textareas with random CJK text, through script-set values and synthetic events,
// for 60 s, while the user types now and then. The store stays within its typed-text
// budgets, the named save and the earlier session survive, the timeline is never
// thinned for size, after a SIGKILL the latest session loads, and the restore page
// says what was left out.
import assert from 'node:assert/strict';
import { openExtensionPage } from './lib/extension.mjs';
import { waitForRestorePage } from './lib/restore-page.mjs';
import { htmlPage, routes } from './lib/server.mjs';
import { sleep, waitUntil } from './lib/wait.mjs';

const FRAMES = 30;
const CHARS = 60_000; // per textarea, refilled every second: ~180 KB of UTF-8
const RUN_MS = 60_000;
const TAB_BUDGET = 1024 * 1024; // the default typed_text_tab_kib
const SESSION_BUDGET = 16 * 1024 * 1024;
const MINE = 'my own words';

const FRAME_PAGE = htmlPage('Hostile frame', `<textarea id="spam" rows="2" cols="40"></textarea><script>
  const spam = document.getElementById('spam');
  const fill = () => {
    let s = '';
    for (let i = 0; i < ${CHARS}; i += 1) s += String.fromCharCode(0x4e00 + Math.floor(Math.random() * 20000));
    spam.value = s;
    spam.dispatchEvent(new Event('input', { bubbles: true }));
    spam.dispatchEvent(new Event('change', { bubbles: true }));
  };
  fill();
  setInterval(fill, 1000);
</script>`);
const TOP_PAGE = htmlPage('Hostile page', `<textarea id="mine" rows="2" cols="40"></textarea>${
  Array.from({ length: FRAMES }, (_, i) => `<iframe src="/pages/hostile-frame.html?n=${i}" width="120" height="40"></iframe>`).join('')}`);

routes.unshift(
  [/^\/pages\/hostile\.html$/, () => ({ body: TOP_PAGE })],
  [/^\/pages\/hostile-frame\.html$/, () => ({ body: FRAME_PAGE })],
);

/** Bytes of typed text (keys and values) per tab of a Lifeboat export
 *  (docs/EXPORT-FORMAT.md), found wherever tabs sit in it. */
function typedBytes(exported) {
  const perTab = [];
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return undefined;
    if (typeof node.url === 'string' && 'title' in node) {
      let n = 0;
      const frames = [];
      for (const frame of node.page?.frames ?? []) {
        for (const f of frame.fields ?? []) {
          const text = f.value?.text ?? f.value?.editable ?? (f.value?.selected ?? []).join('');
          n += Buffer.byteLength(f.key ?? '') + Buffer.byteLength(text);
          frames.push(`${frame.frame}|${f.key}=${text.slice(0, 16)}`);
        }
      }
      perTab.push({ url: node.url, bytes: n, frames });
      return undefined;
    }
    return Object.values(node).forEach(walk);
  };
  walk(exported);
  return perTab;
}

const hostilePage = {
  name: 'hostile-page',
  timeout: 240_000,
  async run(t) {
    const browser = await t.launch({ resumeFromCrash: false });
    const ext = await openExtensionPage(browser);
    await ext.call('tabs.create', { url: t.server.pageUrl(1) });
    await sleep(2_500);
    const { save } = await ext.send({ type: 'named.save', name: 'Before the hostile page', scope: 'all' });
    assert.ok(save?.id, 'setup: a named save');

    const page = await browser.browser.newPage();
    await page.goto(`${t.server.origin}/pages/hostile.html`, { waitUntil: 'load' });
    await sleep(1_000);
    const frames = page.frames().filter((f) => f.url().includes('hostile-frame'));
    assert.equal(frames.length, FRAMES, 'setup: every iframe loaded');
    await page.type('#mine', MINE);
    const started = Date.now();
    // Now and then the user types into one of the frames: its content script then
    // reports the frame, script-filled text and all.
    for (let i = 0; Date.now() - started < RUN_MS; i += 1) {
      await frames[i % FRAMES].type('#spam', 'x').catch(() => {});
      await sleep(1_500);
    }
    // The newest text the user touched, at the end of what they typed (Firefox may put
    // the caret back at the start when the field is focused again).
    await page.focus('#mine');
    await page.keyboard.press('End');
    await page.keyboard.type('!');
    // Under the page's load its frames compete for the tab's report rate: the
    // user's last keystroke may wait a few seconds for its turn, but gets there.
    await waitUntil(async () => (await ext.exportFile('lifeboat', ['current'], true))
      .text.includes(`${MINE}!`), { timeout: 30_000, interval: 1_000, what: 'the last keystroke to be committed' });

    const backup = await ext.send({ type: 'backup' });
    assert.ok(Array.isArray(backup?.records), `backup answered: ${JSON.stringify(backup).slice(0, 200)}`);
    const storedBytes = backup.records.reduce((n, r) => n + r.bytes, 0);
    const exported = await ext.exportFile('lifeboat', ['current'], true);
    const perTab = typedBytes(JSON.parse(exported.text));
    const hostile = perTab.find((x) => x.url.includes('/pages/hostile.html'));
    t.log(`store ${storedBytes} bytes in ${backup.records.length} records; typed text per tab ${JSON.stringify(perTab)}`);
    assert.ok(hostile, 'the hostile tab is in the session');
    assert.ok(hostile.bytes > 0 && hostile.bytes <= TAB_BUDGET, `the hostile tab keeps at most its budget: ${hostile.bytes}`);
    assert.ok(perTab.reduce((n, x) => n + x.bytes, 0) <= SESSION_BUDGET, 'the session keeps at most its budget');
    assert.ok(exported.text.includes(`${MINE}!`), 'the text the user typed wins over the filler');
    const current = await ext.send({ type: 'plan', source: 'current' });
    const liveTab = current.windows.flatMap((w) => w.tabs).find((x) => x.url.includes('/pages/hostile.html'));
    assert.ok(liveTab?.cutFields > 0, `the cut is counted on the tab: ${JSON.stringify(liveTab)}`);
    // 60 s of this must not come near the timeline's size bound (256 MiB), which is
    // what would thin older points for size.
    assert.ok(storedBytes < 64 * 1024 * 1024, `the store stays small: ${storedBytes} bytes`);
    const { saves } = await ext.send({ type: 'named.list' });
    assert.ok(saves.some((s) => s.id === save.id && !s.deletedAt), 'the named save survives');

    await browser.crash();
    await browser.restart();
    const restorePage = await waitForRestorePage(browser, 20_000);
    assert.ok(restorePage, 'the restore page opened after the crash');
    const ext2 = await openExtensionPage(browser);
    const overview = await ext2.send({ type: 'overview' });
    const crashed = overview?.sources?.find((s) => s.kind === 'crash' && s.pending);
    assert.ok(crashed, `the crashed session is offered: ${JSON.stringify(overview).slice(0, 400)}`);
    const plan = await ext2.send({ type: 'plan', source: crashed.id });
    assert.ok(!plan?.error, `the latest session loads: ${JSON.stringify(plan).slice(0, 300)}`);
    const tab = plan.windows.flatMap((w) => w.tabs).find((x) => x.url.includes('/pages/hostile.html'));
    assert.ok(tab?.cutFields > 0, `the plan marks the hostile tab as cut: ${JSON.stringify(tab)}`);
    assert.ok(plan.notices.some((n) => /left out/i.test(n.text) && n.key === 'noticeOverBudget'), `the plan says what was cut: ${JSON.stringify(plan.notices)}`);
    const shown = await waitUntil(() => restorePage.evaluate(() => document.body.innerText), {
      timeout: 10_000, what: 'the restore page text',
    });
    await waitUntil(async () => /left out/i.test(await restorePage.evaluate(() => document.body.innerText)), {
      timeout: 10_000, what: `the restore page to say what was cut (it shows: ${shown.slice(0, 300)})`,
    });
    const { saves: after } = await ext2.send({ type: 'named.list' });
    assert.ok(after.some((s) => s.id === save.id && !s.deletedAt), 'the named save survives the crash');
  },
};

export const tests = [hostilePage];
