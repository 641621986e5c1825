// Files a page downloads (an <a download> of a Blob, as the manager's export
// does) land in a directory the test chooses, in both browsers.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from './wait.mjs';

/** Firefox user.js prefs that save every download into `dir` without asking. */
export function firefoxDownloadPrefs(dir) {
  return {
    'browser.download.dir': dir,
    'browser.download.folderList': 2,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.manager.showWhenStarting': false,
    'browser.download.alwaysOpenPanel': false,
    'browser.download.start_downloads_in_tmp_dir': false,
  };
}

/** Chromium: downloads of this browser go to `dir` (CDP Browser.setDownloadBehavior).
 *  Firefox: nothing to do here, see firefoxDownloadPrefs. */
export async function allowDownloads(session, dir) {
  mkdirSync(dir, { recursive: true });
  if (session.kind !== 'chromium') return;
  // Kept attached: Chromium drops the setting when the session that made it detaches.
  const cdp = await session.browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
}

/** Finished downloads in `dir` (partial files left out). */
export function finishedDownloads(dir) {
  return readdirSync(dir).filter((f) => !/\.(crdownload|part)$/.test(f) && statSync(join(dir, f)).size > 0);
}

/** Waits for a finished download not among `before`; returns { name, text }. */
export async function waitForDownload(dir, before = [], { timeout = 15_000 } = {}) {
  const name = await waitUntil(() => finishedDownloads(dir).find((f) => !before.includes(f)),
    { timeout, what: `a download in ${dir}` });
  // The browser may still be writing: wait until the size holds still.
  let size = -1;
  await waitUntil(() => {
    const now = statSync(join(dir, name)).size;
    const still = now === size;
    size = now;
    return still;
  }, { timeout: 5_000, interval: 200, what: `${name} to be written` });
  return { name, text: readFileSync(join(dir, name), 'utf8') };
}
