// Crash-recovery tests, each run in Chromium and Firefox by run.mjs.
import assert from 'node:assert/strict';
import { ExtensionPage, openExtensionPage } from './lib/extension.mjs';
import { clickRestoreAll, restartAndRestoreAll, screenshot, waitForRestorePage } from './lib/restore-page.mjs';
import { CONTAINER, GROUP, SETTLE_MS, allPaths, openTestTabs, pathCounts, testTabs, testWindows, waitForPaths } from './lib/scenario.mjs';
import { sleep, waitOrNull } from './lib/wait.mjs';

/** Builds the scenario, checks the browser really has it, closes the helper page so the
 *  saved session is exactly the test tabs (plus the start tab), and lets it persist. */
async function openSession(t, browser) {
  const ext = await openExtensionPage(browser);
  const windows = await openTestTabs(ext, t.server, t.kind);
  assert.equal(windows.length, 2, 'setup: two windows with test tabs');
  assert.deepEqual(allPaths(windows).sort(), ['/page/1', '/page/2', '/page/3', '/page/4', '/page/5']);
  const tabs = windows.flat();
  assert.ok(tabs.find((x) => x.path === '/page/1').pinned, 'setup: /page/1 pinned');
  const third = tabs.find((x) => x.path === '/page/3');
  if (t.kind === 'firefox') assert.equal(third.container, CONTAINER.name, 'setup: /page/3 in the container');
  else assert.deepEqual(third.group, GROUP, 'setup: /page/3 in the tab group');
  return { ext, windows };
}

function assertEachOnce(state, t, paths) {
  const counts = pathCounts(state, t.server.origin);
  const expected = Object.fromEntries(paths.map((p) => [p, 1]));
  assert.deepEqual(counts, expected, 'every test URL open exactly once');
}

const crashAndRestore = {
  name: 'crash-restore',
  async run(t) {
    const browser = await t.launch({ resumeFromCrash: false });
    const { ext, windows: before } = await openSession(t, browser);
    await sleep(SETTLE_MS);
    // The figures the README quotes: start-up, one commit of this session, bytes stored.
    const status = await ext.send({ type: 'status' });
    assert.ok(status.lastSavedAt > 0 && status.tabs >= 5, 'the session was saved before the kill');
    const parts = Object.entries(status.timings.startParts).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    t.log(`background start ${status.timings.startMs.toFixed(1)} ms (${parts}); last commit ${status.timings.commitMs.toFixed(1)} ms, ` +
      `${status.timings.commitBytes} bytes; ${status.store.commits} commits, ${status.store.bytes} bytes in all; journal: ${status.store.journal}`);
    // Firefox commits to the journal file (its background page can start the
    // Worker); Chromium's service worker cannot, and keeps IndexedDB (README).
    assert.equal(status.store.journal, t.kind === 'firefox' ? 'file' : 'database', 'commits go where the README says');
    await ext.close();

    await browser.crash();
    const { after, windowsBefore } = await restartAndRestoreAll(browser, {
      origin: t.server.origin, paths: allPaths(before), screenshotPath: t.artifact('restore-page.png'),
    });
    t.keep('state-after-restore.json', after);
    assert.deepEqual(testWindows(after, t.server.origin), before, 'the same windows and tabs, in order, pinned, group/container');
    assertEachOnce(after, t, allPaths(before));
    const newWindows = after.filter((w) => !windowsBefore.includes(w.id));
    assert.ok(newWindows.every((w) => testTabs([w], t.server.origin).length > 0),
      'the restore left no window without restored tabs behind');
  },
};

const cleanClose = {
  name: 'clean-close',
  async run(t) {
    const browser = await t.launch({ resumeFromCrash: false });
    const { ext } = await openSession(t, browser);
    await sleep(SETTLE_MS);

    // The user closes every window. SIGTERM or Browser.close would look like a crash.
    const closed = await ext.closeAllWindows();
    assert.equal(closed, 2);
    const exitedByItself = await browser.waitForExit(8_000);
    t.log(exitedByItself ? 'the browser quit after its last window closed'
      : 'the browser stayed up after its last window closed; killed it after 8 s');

    await browser.restart();
    const restorePage = await waitForRestorePage(browser, 8_000);
    const page = restorePage ? new ExtensionPage(restorePage) : await openExtensionPage(browser);
    const overview = await page.send({ type: 'overview' });
    t.keep('overview.json', overview);
    assert.ok(!restorePage, `no restore page opens after a clean close; it did, with ${JSON.stringify(overview)}`);
    const clean = overview?.sources?.find((s) => s.kind === 'clean');
    assert.ok(clean, `overview lists a clean source: ${JSON.stringify(overview)}`);
    assert.ok(clean.tabs > 0, `the clean source has tabs: ${JSON.stringify(clean)}`);
    assert.ok(!overview.sources.some((s) => s.pending), `nothing is pending after a clean close: ${JSON.stringify(overview)}`);
  },
};

const browserRestoresItself = {
  name: 'browser-restores-too',
  async run(t) {
    const browser = await t.launch({
      resumeFromCrash: true, // Firefox
      restoreOnStartup: true, // Chromium: "continue where you left off"
      // Firefox writes its own session at most every 15 s by default; at 1 s it surely
      // has the test tabs to restore, otherwise this test would only repeat crash-restore.
      firefoxPrefs: { 'browser.sessionstore.interval': 1_000 },
    });
    const { ext, windows: before } = await openSession(t, browser);
    await sleep(SETTLE_MS);
    // The figures the README quotes: start-up, one commit of this session, bytes stored.
    const status = await ext.send({ type: 'status' });
    assert.ok(status.lastSavedAt > 0 && status.tabs >= 5, 'the session was saved before the kill');
    const parts = Object.entries(status.timings.startParts).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    t.log(`background start ${status.timings.startMs.toFixed(1)} ms (${parts}); last commit ${status.timings.commitMs.toFixed(1)} ms, ` +
      `${status.timings.commitBytes} bytes; ${status.store.commits} commits, ${status.store.bytes} bytes in all; journal: ${status.store.journal}`);
    // Firefox commits to the journal file (its background page can start the
    // Worker); Chromium's service worker cannot, and keeps IndexedDB (README).
    assert.equal(status.store.journal, t.kind === 'firefox' ? 'file' : 'database', 'commits go where the README says');
    await ext.close();

    await browser.crash();
    await browser.restart();
    const restorePage = await waitForRestorePage(browser, 10_000);
    t.log(restorePage ? 'the restore page opened' : 'no restore page opened');
    const probe = restorePage ? new ExtensionPage(restorePage) : await openExtensionPage(browser);
    // Premise: the browser brings tabs back by itself, before anyone clicks anything.
    const byBrowser = await waitOrNull(async () => {
      const counts = pathCounts(await probe.state(), t.server.origin);
      return Object.keys(counts).length > 0 && counts;
    }, { timeout: 15_000, what: 'the browser to restore test tabs' });
    assert.ok(byBrowser, 'premise: the browser restored test tabs by itself (check its restore setting)');
    // Let the browser finish its own restore, as a user would, before clicking.
    const settled = await waitForPaths(probe, t.server.origin, allPaths(before), { timeout: 5_000, settleMs: 500 });
    t.log(`open before any click: ${JSON.stringify(pathCounts(settled, t.server.origin))}`);
    if (restorePage) {
      await screenshot(restorePage, t.artifact('restore-page.png'));
      // A user who sees the page clicks "restore all" whatever is already back.
      const clicked = await clickRestoreAll(restorePage, { timeout: 5_000 });
      t.log(`#restore-all ${clicked ? 'clicked' : 'stayed disabled'}`);
    }
    const check = probe.page.isClosed() ? await openExtensionPage(browser) : probe;
    const after = await waitForPaths(check, t.server.origin, allPaths(before), { settleMs: 3_000 });
    t.keep('state-after-restore.json', after);
    assertEachOnce(after, t, allPaths(before));
  },
};

/** Closes every restore page and waits `ms`; returns the restore page that opened meanwhile, or null. */
async function closeAndWatch(browser, page, ms) {
  await page.close();
  return waitForRestorePage(browser, ms);
}

const offerAgain = {
  name: 'restore-page-comes-back',
  async run(t) {
    const browser = await t.launch({ resumeFromCrash: false });
    for (const answered of [false, true]) {
      const { ext } = await openSession(t, browser);
      await sleep(SETTLE_MS);
      await ext.close();
      await browser.crash();
      await browser.restart();
      const first = await waitForRestorePage(browser, 15_000);
      assert.ok(first, 'the restore page opened after the crash');
      const page = new ExtensionPage(first);
      const crash = (await page.send({ type: 'overview' })).sources.find((s) => s.pending);
      assert.ok(crash, 'a crash is pending');
      if (!answered) {
        // Swept away before the user chose (Firefox's own crash restore replaces the
        // tabs of the window it restores into): it is offered again, once.
        const again = await closeAndWatch(browser, first, 12_000);
        assert.ok(again, 'the restore page came back while the crash was unanswered');
        const answer = await new ExtensionPage(again).send({ type: 'dismiss', source: crash.id });
        assert.ok(answer.ok, `dismissed: ${JSON.stringify(answer)}`);
        await again.close();
      } else {
        // Answered, then closed: it stays closed.
        const answer = await page.send({ type: 'dismiss', source: crash.id });
        assert.ok(answer.ok, `dismissed: ${JSON.stringify(answer)}`);
        const again = await closeAndWatch(browser, first, 10_000);
        assert.equal(again, null, 'no restore page comes back after the user answered');
      }
    }
  },
};

export const tests = [crashAndRestore, cleanClose, browserRestoresItself, offerAgain];
