// The restore page the extension opens by itself after a crash.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExtensionPage, RESTORE_PATH, openExtensionPage, pageUrl } from './extension.mjs';
import { waitForPaths } from './scenario.mjs';
import { waitOrNull } from './wait.mjs';

/** The tab showing the restore page, or null if none appears within `timeout` ms. */
export function waitForRestorePage(session, timeout) {
  const prefix = session.extensionOrigin + RESTORE_PATH;
  return waitOrNull(async () => {
    for (const page of await session.browser.pages()) {
      if ((await pageUrl(page)).startsWith(prefix)) return page;
    }
    return null;
  }, { timeout, interval: 250, what: 'the restore page' });
}

/** Clicks #restore-all once the page has enabled it; false if it stays disabled. */
export async function clickRestoreAll(page, { timeout = 10_000 } = {}) {
  await page.waitForSelector('#restore-all', { timeout });
  const enabled = await waitOrNull(
    () => page.$eval('#restore-all', (b) => !b.disabled && b.getAttribute('aria-disabled') !== 'true'),
    { timeout, what: '#restore-all to be enabled' },
  );
  if (!enabled) return false;
  await page.click('#restore-all');
  return true;
}

export async function screenshot(page, path) {
  mkdirSync(dirname(path), { recursive: true });
  // The page fills itself in asynchronously: wait until it offers "restore all" (or give up).
  await waitOrNull(() => page.$eval('#restore-all', (b) => !b.disabled), { timeout: 5_000 });
  await page.screenshot({ path, fullPage: true });
}

/**
 * The user's side of a crash: restart the browser, wait for the restore page the
 * extension opens by itself, screenshot it, click "restore all". Returns the browser's
 * state once every one of `paths` (test page paths under `origin`) is open again, or
 * when the wait for them ran out (the caller asserts), and the ids of the windows that
 * were open before the click.
 */
export async function restartAndRestoreAll(browser, { origin, paths, screenshotPath }) {
  await browser.restart();
  const restorePage = await waitForRestorePage(browser, 15_000);
  if (!restorePage) throw new Error('the extension did not open its restore page within 15 s of the restart after a crash');
  const windowsBefore = (await new ExtensionPage(restorePage).state()).map((w) => w.id);
  await screenshot(restorePage, screenshotPath);
  if (!(await clickRestoreAll(restorePage))) throw new Error('#restore-all stayed disabled on the restore page');
  // Read back through the restore page itself: a new tab opened now could land in a
  // window that is being restored.
  const check = restorePage.isClosed() ? await openExtensionPage(browser) : new ExtensionPage(restorePage);
  return { after: await waitForPaths(check, origin, paths), windowsBefore };
}
