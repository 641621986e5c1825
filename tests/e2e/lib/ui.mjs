// Driving Lifeboat's own pages (popup, manager) the way a user does, in both
// browsers. The popup is opened as an ordinary tab at <origin>/www/popup.html.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openExtensionPage } from './extension.mjs';
import { waitUntil } from './wait.mjs';

export const POPUP_PATH = 'www/popup.html';
export const MANAGER_PATH = 'www/manager.html';

/** Opens `path` as a tab and waits until the page has finished its first render
 *  (`ready` runs in the page and must return true). */
export async function openPage(session, path, ready) {
  const ext = await openExtensionPage(session, path);
  if (ready) {
    await waitUntil(() => ext.page.evaluate(ready), { timeout: 15_000, what: `${path} to render` });
  }
  return ext;
}

// A list is loaded once its status line no longer says "Loading…" (or is hidden).
const LOADED = (id) => `(() => { const s = document.getElementById(${JSON.stringify(id)});
  const loading = (globalThis.browser ?? globalThis.chrome).i18n.getMessage('loading');
  return !!s && (s.hidden || s.textContent !== loading); })()`;

/** The popup, rendered: status line and the list of saves filled in. */
export function openPopup(session) {
  return openPage(session, POPUP_PATH, new Function(`return !document.querySelector('#status.is-loading') && ${LOADED('saves-status')};`));
}

/** The manager, rendered: both lists loaded and the settings form filled in.
 *  `select`: the source shown (else the manager shows the newest save). */
export function openManager(session, { select = null } = {}) {
  const path = select ? `${MANAGER_PATH}#select=${encodeURIComponent(select)}` : MANAGER_PATH;
  return openPage(session, path, new Function(`return ${LOADED('named-status')} && ${LOADED('sources-status')}
    && !document.getElementById('settings-save').disabled;`));
}

/** A click on the element the selector names: a real (trusted) click; the DOM's own
 *  click (same handlers) only where the browser cannot click it (e.g. no box).
 *  The page's tab is brought to the front first, as a user looks at what they click
 *  (a background tab renders nothing, and a trusted click on it waits forever). */
export async function click(page, selector) {
  await page.bringToFront().catch(() => {});
  const handle = await page.waitForSelector(selector, { timeout: 10_000 });
  try {
    await handle.scrollIntoView();
    await handle.click();
  } catch (error) {
    if (!/not clickable|not visible|bounding box|not an Element|detached/i.test(error.message)) throw error;
    await handle.evaluate((node) => node.click());
  } finally {
    await handle.dispose().catch(() => {});
  }
}

/** A click whose effect closes the page (its window): the DOM's click, fired after the
 *  call returns, since a trusted click would wait for a page that is gone. */
export async function clickAndLetGo(page, selector) {
  await page.waitForSelector(selector, { timeout: 10_000 });
  await page.$eval(selector, (node) => setTimeout(() => node.click(), 0));
}

/** Sets a text input's value as typing would (input event), without keyboard timing issues. */
export async function fill(page, selector, value) {
  await page.waitForSelector(selector, { timeout: 10_000 });
  await page.$eval(selector, (node, value) => {
    node.focus();
    node.value = value;
    node.dispatchEvent(new Event('input', { bubbles: true }));
    node.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** Chooses a <select> option or sets a checkbox, firing input/change. */
export async function choose(page, selector, value) {
  await page.$eval(selector, (node, value) => {
    if (node.type === 'checkbox' || node.type === 'radio') node.checked = value;
    else node.value = value;
    node.dispatchEvent(new Event('input', { bubbles: true }));
    node.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** Text content of the first element matching `selector` ('' if none), whitespace squeezed. */
export function text(page, selector) {
  return page.evaluate((selector) => (document.querySelector(selector)?.textContent ?? '').replace(/\s+/g, ' ').trim(), selector);
}

export function isVisible(page, selector) {
  return page.evaluate((selector) => {
    const node = document.querySelector(selector);
    return !!node && !node.hidden && node.getClientRects().length > 0;
  }, selector);
}

/** A PNG of the page at `path` (directories created). */
export async function shoot(page, path, { fullPage = true } = {}) {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage });
}

/** A PNG of one element (by its box in the document; no DOM node handles). */
export async function shootElement(page, selector, path) {
  mkdirSync(dirname(path), { recursive: true });
  const clip = await page.$eval(selector, (node) => {
    node.scrollIntoView({ block: 'start' });
    const r = node.getBoundingClientRect();
    return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
  });
  await page.screenshot({ path, clip, captureBeyondViewport: true });
}

/** Chooses the file at `path` in the manager's import box and waits for what
 *  the page shows: 'preview' or 'error'. The pages' module parses in the page,
 *  so a big file may take a while on a loaded machine. */
export async function uploadImport(manager, path, timeout = 30_000) {
  await manager.page.$eval('#import-error', (n) => { n.hidden = true; });
  const input = await manager.page.$('#import-file');
  if (!input) throw new Error('no #import-file on the manager page');
  await input.uploadFile(path);
  await input.dispose();
  return waitUntil(async () => {
    if (await isVisible(manager.page, '#import-error')) return 'error';
    if (await isVisible(manager.page, '#import-preview')) return 'preview';
    return null;
  }, { timeout, what: 'the import preview or an import error' });
}
