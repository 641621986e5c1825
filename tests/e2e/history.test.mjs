// Per-tab history (issue 14): the pages a tab went through survive a kill, are
// shown on the restore page as "earlier pages in this tab", and each opens in a
// new tab from there. No extension API rebuilds a tab's back stack: this is what
// Lifeboat can offer instead.
import assert from 'node:assert/strict';
import { openExtensionPage } from './lib/extension.mjs';
import { waitForRestorePage } from './lib/restore-page.mjs';
import { sleep, waitUntil } from './lib/wait.mjs';

const tabHistory = {
  name: 'tab-history',
  timeout: 150_000,
  async run(t) {
    const browser = await t.launch({ resumeFromCrash: false });
    const page = await browser.browser.newPage();
    for (const n of [11, 12, 13]) {
      await page.goto(t.server.pageUrl(n), { waitUntil: 'load' });
      await sleep(700);
    }
    const ext = await openExtensionPage(browser);
    // Committed within a couple of seconds of the last navigation.
    await waitUntil(async () => {
      const plan = await ext.send({ type: 'plan', source: 'current' });
      const tab = plan.windows?.flatMap((w) => w.tabs).find((x) => x.url === t.server.pageUrl(13));
      return tab?.history?.length === 2;
    }, { timeout: 10_000, interval: 500, what: 'the tab history to be committed' });

    await browser.crash();
    await browser.restart();
    const restorePage = await waitForRestorePage(browser, 20_000);
    assert.ok(restorePage, 'the restore page opened after the crash');
    const row = `li.tab[data-url="${t.server.pageUrl(13)}"]`;
    const summary = await waitUntil(() => restorePage.evaluate((sel) => {
      const details = document.querySelector(`${sel} details.tab-history`);
      if (!details) return null;
      details.open = true;
      return details.querySelector('summary').textContent;
    }, row), { timeout: 15_000, interval: 250, what: 'the earlier pages of the tab on the restore page' });
    assert.match(summary, /2 earlier pages/, `the restore page counts them: ${summary}`);
    const listed = await restorePage.evaluate((sel) => [...document.querySelectorAll(`${sel} .visit`)].map((v) => v.dataset.url), row);
    assert.deepEqual(listed, [t.server.pageUrl(12), t.server.pageUrl(11)], 'newest first');

    // Open the oldest one from the restore page.
    const ext2 = await openExtensionPage(browser);
    const before = (await ext2.state()).flatMap((w) => w.tabs).filter((x) => x.url === t.server.pageUrl(11)).length;
    await restorePage.evaluate((sel, url) => {
      document.querySelector(`${sel} .visit[data-url="${url}"] button`).click();
    }, row, t.server.pageUrl(11));
    await waitUntil(async () => (await ext2.state()).flatMap((w) => w.tabs)
      .filter((x) => x.url === t.server.pageUrl(11)).length === before + 1,
    { timeout: 10_000, what: 'the earlier page to open in a new tab' });
  },
};

export const tests = [tabHistory];
