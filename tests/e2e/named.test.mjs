// Named saves through the popup, each run in Chromium and Firefox by run.mjs:
// save two windows (a pinned tab, tab groups, a container on Firefox) under a
// name, close them, open the save again from the popup (lazy tabs discarded),
// open it "into this window" without duplicating what is already open, and
// let it replace the session. The scenario is lib/named-scenario.mjs.
import assert from 'node:assert/strict';
import { pathCounts, testTabs, testWindows, waitForPaths } from './lib/scenario.mjs';
import { EAGER_PATHS, NAMED_PATHS, READING_GROUP, expectedScenario, openNamedScenario } from './lib/named-scenario.mjs';
import { openExtensionPage } from './lib/extension.mjs';
import { choose, click, clickAndLetGo, fill, isVisible, openPopup, text } from './lib/ui.mjs';
import { sleep, waitUntil, withTimeout } from './lib/wait.mjs';

async function popupSave(popup, name) {
  await fill(popup.page, '#save-name', name);
  await choose(popup.page, '#save-scope', 'all');
  await click(popup.page, '#save-button');
  await waitUntil(() => isVisible(popup.page, '#save-result'), { what: '#save-result' });
  const saves = (await popup.send({ type: 'named.list' })).saves;
  const save = saves.find((s) => s.name === name);
  assert.ok(save, `named.list has the save "${name}": ${JSON.stringify(saves)}`);
  // The popup lists it with its open buttons.
  await popup.page.waitForSelector(`#saves li.save[data-id="${save.id}"] .open-new`, { timeout: 5_000 });
  return save;
}

/** Clicks one of a save's open buttons in the popup and waits for its result line. */
async function popupOpen(popup, id, cls) {
  await popup.page.$eval('#restore-result', (n) => { n.hidden = true; n.className = 'restore-result'; });
  await click(popup.page, `#saves li.save[data-id="${id}"] ${cls}`);
  await waitUntil(() => popup.page.$eval('#restore-result', (n) => !n.hidden && n.classList.contains('is-done')),
    { timeout: 20_000, what: 'the popup to report the restore' });
  return text(popup.page, '#restore-result');
}

const namedRoundTrip = {
  name: 'named-save-reopen',
  timeout: 90_000,
  async run(t) {
    const browser = await t.launch();
    const popup = await openPopup(browser);
    const home = (await popup.call('windows.getCurrent')).id;
    // The popup alone in its window: the browser's start tab would be saved too, and
    // a lazy about:blank stalls a Chromium restore for seconds (see the report).
    const own = await popup.call('tabs.getCurrent');
    const start = (await popup.call('tabs.query', { windowId: home })).filter((x) => x.id !== own.id).map((x) => x.id);
    if (start.length) await popup.call('tabs.remove', start);
    const { windows: before, ids } = await openNamedScenario(popup, t.server, t.kind);
    const paths = NAMED_PATHS;
    t.keep('before.json', before);
    assert.deepEqual(before, expectedScenario(t.kind), 'setup: the browser has the scenario (pinned, groups, container)');

    // Save through the popup, under a name, every window.
    const name = `Project ${t.kind}`;
    const save = await popupSave(popup, name);
    assert.deepEqual([save.windows, save.tabs], [2, 6], `the save counts the windows and tabs (Lifeboat's own page left out): ${JSON.stringify(save)}`);

    // Close the two windows; the popup's own window keeps the browser up.
    for (const id of ids) await popup.call('windows.remove', id);
    await waitUntil(async () => testTabs(await popup.state(), t.server.origin).length === 0, { what: 'the test windows to close' });
    await sleep(1_000);

    // Reopen from the popup, into new windows.
    const said = await popupOpen(popup, save.id, '.open-new');
    t.log(`popup after .open-new: ${said}`);
    const after = await waitForPaths(popup, t.server.origin, paths);
    t.keep('after-open-new.json', after);
    assert.deepEqual(testWindows(after, t.server.origin), before,
      'the same windows and tabs, in order, pinned, group/container');
    assert.deepEqual(pathCounts(after, t.server.origin), Object.fromEntries(paths.map((p) => [p, 1])), 'each tab opened once');
    const restoredWindows = after.filter((w) => testTabs([w], t.server.origin).length > 0);
    assert.ok(restoredWindows.every((w) => w.id !== home && !ids.includes(w.id)), 'the save opened in new windows');

    // Lazy restore (the default): every tab but the active and pinned ones is discarded.
    const lazy = await waitUntil(async () => {
      const tabs = testTabs(await popup.state(), t.server.origin);
      const wrong = tabs.filter((x) => !!x.discarded === EAGER_PATHS.has(x.path));
      return wrong.length === 0 ? tabs : null;
    }, { timeout: 15_000, what: 'lazy tabs discarded, active and pinned ones loaded' }).catch(async (e) => {
      t.keep('lazy.json', await popup.state());
      throw e;
    });
    assert.deepEqual(lazy.filter((x) => x.discarded).map((x) => x.path).sort(), ['/page/13', '/page/15', '/page/16']);

    // "Into this window": close window B again, then open the save into the popup's
    // window: only B's tabs come back; A's, still open, are not duplicated.
    const windowB = restoredWindows.find((w) => testTabs([w], t.server.origin).some((x) => x.path === '/page/14'));
    await popup.call('windows.remove', windowB.id);
    await waitUntil(async () => !pathCounts(await popup.state(), t.server.origin)['/page/14'], { what: 'window B to close' });
    await popup.call('windows.update', home, { focused: true });
    await sleep(1_000); // the focus change reaches the extension
    const said2 = await popupOpen(popup, save.id, '.open-current');
    t.log(`popup after .open-current: ${said2}`);
    const current = await waitForPaths(popup, t.server.origin, paths);
    t.keep('after-open-current.json', current);
    assert.deepEqual(pathCounts(current, t.server.origin), Object.fromEntries(paths.map((p) => [p, 1])),
      'open into this window: the missing tabs opened, none that was open is duplicated');
    const homeWindow = current.find((w) => w.id === home);
    assert.deepEqual(testTabs([homeWindow], t.server.origin).map((x) => x.path), ['/page/14', '/page/15', '/page/16'],
      'the missing tabs opened into the popup\'s window, in order');
    assert.deepEqual(testWindows([homeWindow], t.server.origin)[0].map((x) => x.group), [null, READING_GROUP, READING_GROUP],
      'their tab group came with them');

    // Everything open now: "into this window" again opens nothing.
    const said3 = await popupOpen(popup, save.id, '.open-current');
    t.log(`popup after a second .open-current: ${said3}`);
    const again = await waitForPaths(popup, t.server.origin, paths, { settleMs: 1_500 });
    assert.deepEqual(pathCounts(again, t.server.origin), Object.fromEntries(paths.map((p) => [p, 1])),
      `a second "into this window" duplicates nothing (popup said: ${said3})`);

    // "Replace session", confirmed: the save's windows open anew and every window
    // that was open closes, the popup's own included.
    const windowsBefore = again.map((w) => w.id);
    await click(popup.page, `#saves li.save[data-id="${save.id}"] .open-replace`);
    const started = Date.now();
    const closed = new Promise((resolve) => popup.page.once('close', resolve));
    await clickAndLetGo(popup.page, `#saves li.save[data-id="${save.id}"] .confirm-replace`);
    // (Puppeteer reports the page closing in Chromium; over BiDi it does not.)
    if (t.kind === 'chromium' && await withTimeout(closed, 10_000, 'close').then(() => true, () => false)) {
      t.log(`replace: the popup's window closed after ${Date.now() - started} ms`);
    }
    // A page opened now may land in a window about to close: then open another.
    let check = null;
    const replaced = await waitUntil(async () => {
      check ??= await openExtensionPage(browser);
      try {
        const state = await check.state();
        return !state.some((w) => windowsBefore.includes(w.id)) && state;
      } catch (error) {
        check = null;
        throw error;
      }
    }, { timeout: 20_000, what: 'every window open before "replace" to close' });
    t.log(`replace: every old window closed after ${Date.now() - started} ms`);
    await waitForPaths(check, t.server.origin, paths);
    const final = await check.state();
    t.keep('after-replace.json', final);
    assert.deepEqual(testWindows(final, t.server.origin), before, 'replace: the saved windows and tabs, as saved');
    assert.deepEqual(pathCounts(final, t.server.origin), Object.fromEntries(paths.map((p) => [p, 1])), 'replace: each tab once');
    const ours = (url) => url.startsWith(browser.extensionOrigin);
    const windows = final.filter((w) => w.tabs.some((x) => !ours(x.url)));
    assert.equal(windows.length, save.windows, `replace: the save's ${save.windows} windows and no other: ${JSON.stringify(final.map((w) => w.tabs.map((x) => x.url)))}`);
    assert.ok(replaced.every((w) => !windowsBefore.includes(w.id)), 'replace: no window from before is left');
  },
};

export const tests = [namedRoundTrip];
