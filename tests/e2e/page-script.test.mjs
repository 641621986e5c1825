// What a page's own script does to its fields (extension/content.js, issue 11
// items 5 and 6): a value already set when the content script starts is
// reported once; a value set later by script, with synthetic input/change
// events, makes no report of its own; the user's next keystroke reports both,
// the script's value marked untouched and the typed one touched. Run in
// Chromium and Firefox by run.mjs.
import assert from 'node:assert/strict';
import { openExtensionPage } from './lib/extension.mjs';
import { routes } from './lib/server.mjs';
import { sleep, waitOrNull } from './lib/wait.mjs';

const PATH = '/pages/scripted.html';
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Scripted fields</title></head><body>
<textarea id="pre"></textarea>
<textarea id="later"></textarea>
<textarea id="typed"></textarea>
<script>
  // Set while the page parses: before the content script (document_idle) starts.
  document.getElementById('pre').value = 'set-before-start';
  window.setLater = () => {
    const el = document.getElementById('later');
    el.value = 'set-by-script-later';
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
</script></body></html>`;
routes.unshift([/^\/pages\/scripted\.html$/, () => ({ body: PAGE })]);

/** Every stored field (decoded by the core) by key: the `touched` marks seen for it. */
async function storedFields(ext) {
  const backup = await ext.send({ type: 'backup', typedText: true });
  assert.ok(Array.isArray(backup?.records), `backup answered: ${JSON.stringify(backup).slice(0, 300)}`);
  const found = {};
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (typeof v.key === 'string' && 'touched' in v && 'value' in v) (found[v.key] ??= []).push(v.touched);
      Object.values(v).forEach(walk);
    }
  };
  walk(backup.records);
  return found;
}

const pageScript = {
  name: 'page-script-values',
  timeout: 120_000,
  async run(t) {
    const browser = await t.launch({ resumeFromCrash: false });
    const ext = await openExtensionPage(browser);
    const page = await browser.browser.newPage();
    await page.goto(t.server.origin + PATH, { waitUntil: 'load' });

    // Commits of typed text settle within 10 s.
    const first = await waitOrNull(async () => {
      const f = await storedFields(ext);
      return f['#pre'] && f;
    }, { timeout: 20_000, interval: 1_000, what: 'the value present at start to be stored' });
    assert.ok(first, 'a value that differed when the content script started was reported and stored');
    assert.deepEqual([...new Set(first['#pre'])], [false], 'set by the page: untouched');

    await page.evaluate(() => window.setLater());
    await sleep(12_000); // longer than the longest settle: a report would be stored by now
    const quiet = await storedFields(ext);
    assert.equal(quiet['#later'], undefined, `synthetic events schedule no report: ${JSON.stringify(quiet)}`);

    await page.type('#typed', 'typed by the user');
    const both = await waitOrNull(async () => {
      const f = await storedFields(ext);
      return f['#later'] && f['#typed'] && f;
    }, { timeout: 20_000, interval: 1_000, what: 'the next report to be stored' });
    assert.ok(both, 'the user\'s typing reported the page, the script\'s value included');
    assert.ok(both['#later'].every((x) => x === false), `the script's value is untouched: ${JSON.stringify(both)}`);
    assert.ok(both['#typed'].includes(true), `the typed value is touched: ${JSON.stringify(both)}`);
    t.log(`stored: ${JSON.stringify(both)}`);
  },
};

export const tests = [pageScript];
