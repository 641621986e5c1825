// Acting as the extension: an extension page driven through puppeteer, with
// `(globalThis.browser ?? chrome).*` calls evaluated inside it. The extension
// APIs are the ground truth for what the browser has open (URL, index, pinned,
// group, container), the same in both browsers.
import assert from 'node:assert/strict';
import { waitUntil, withTimeout } from './wait.mjs';

export const RESTORE_PATH = 'www/restore.html';

// Firefox: puppeteer's BiDi client gets no navigation events for moz-extension:
// pages (page.url() stays "about:blank", page.goto() never resolves although the
// page loads). So navigate with the BiDi command itself, and ask the page where it is.
async function navigate(page, url) {
  const context = page.mainFrame().browsingContext; // only a BiDi frame has one
  if (context) await context.navigate(url, 'complete');
  else await page.goto(url, { waitUntil: 'load', timeout: 10_000 });
}

/** The page's real URL (see navigate); page.url() if the page does not answer. */
export function pageUrl(page) {
  return withTimeout(page.evaluate(() => location.href), 3_000, 'location.href').catch(() => page.url());
}

/** Opens `path` of the extension in a new tab and waits until the extension APIs answer
 *  (right after a start the extension may not be running yet). */
export async function openExtensionPage(session, path = RESTORE_PATH) {
  const url = session.extensionOrigin + path;
  let page = null;
  await waitUntil(async () => {
    // A new tab can be lost, e.g. when it lands in a window the extension is just
    // restoring: then start over with another one.
    if (!page || page.isClosed()) page = await session.browser.newPage();
    try {
      if ((await pageUrl(page)) !== url) await navigate(page, url);
      return await page.evaluate(() => typeof (globalThis.browser ?? globalThis.chrome)?.tabs?.query === 'function');
    } catch (e) {
      // The tab is gone without puppeteer noticing ("no such frame"): use another.
      if (/no such frame|not found|closed|detached/i.test(String(e?.message ?? e))) page = null;
      throw e;
    }
  }, { timeout: 20_000, interval: 500, what: `extension page ${url}` });
  return new ExtensionPage(page);
}

/** Runs the extension API `method` ('tabs.create', …) with `args` in an extension
 *  page (anything with puppeteer's `evaluate(fn, ...args)`) and returns its result. */
export function callApi(page, method, args) {
  return page.evaluate(async (method, args) => {
    const api = globalThis.browser ?? globalThis.chrome;
    const path = method.split('.');
    const name = path.pop();
    const target = path.reduce((obj, key) => obj[key], api);
    return await target[name](...args);
  }, method, args);
}

export class ExtensionPage {
  constructor(page) {
    this.page = page;
  }

  /** call('tabs.create', {url}) runs `api.tabs.create({url})` in the page and returns its result. */
  call(method, ...args) {
    return callApi(this.page, method, args);
  }

  /** One message of docs/PROTOCOL.md to the background; its answer (JSON
   *  text on its way, as the protocol says) read. */
  async send(message) {
    const text = await this.call('runtime.sendMessage', message);
    assert.equal(typeof text, 'string', `the answer to ${message?.type} is JSON text: ${String(text).slice(0, 200)}`);
    return JSON.parse(text);
  }

  /** An export as the manager makes it (www/files.js: the sessions from the
   *  background, the file written by the pages' module): `{ fileName, mime, text,
   *  holdsTypedText }`, or `{ error }`. */
  exportFile(format, sources, typedText = true) {
    return this.page.evaluate(async (format, sources, typedText) => {
      const files = await import(new URL('/www/files.js', location.href).href);
      return files.exportFile(format, sources, typedText).catch((e) => ({ error: String(e?.message ?? e) }));
    }, format, sources, typedText);
  }

  /** A file's import preview as the manager makes it (parsed in this page by the
   *  pages' module): `{ format, sessions, notes }`, or `{ error }`. `data`: base64. */
  previewFile(fileName, data) {
    return this.page.evaluate(async (fileName, data) => {
      const files = await import(new URL('/www/files.js', location.href).href);
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      return files.previewFile(new File([bytes], fileName)).catch((e) => ({ error: String(e?.message ?? e) }));
    }, fileName, data);
  }

  /** Imports the ticked part (`select` as docs/PROTOCOL.md; null: all) of the file
   *  previewFile last showed in this page: the background's `import.commit` answer. */
  commitImport(select = null, merge = false, name = null) {
    return this.page.evaluate(async (select, merge, name) => {
      const files = await import(new URL('/www/files.js', location.href).href);
      return files.commitImport(select, merge, name).catch((e) => ({ error: String(e?.message ?? e) }));
    }, select, merge, name);
  }

  /** Every normal window with its tabs in index order, groups and containers resolved to names. */
  state() {
    return this.page.evaluate(async () => {
      const api = globalThis.browser ?? globalThis.chrome;
      const windows = await api.windows.getAll({ populate: true, windowTypes: ['normal'] });
      const result = [];
      for (const w of windows) {
        const tabs = [];
        for (const t of [...w.tabs].sort((a, b) => a.index - b.index)) {
          let group = null;
          if (api.tabGroups && t.groupId !== undefined && t.groupId !== -1) {
            const g = await api.tabGroups.get(t.groupId);
            group = { title: g.title, color: g.color };
          }
          let container = null;
          if (api.contextualIdentities && t.cookieStoreId && !/^firefox-(default|private)$/.test(t.cookieStoreId)) {
            container = await api.contextualIdentities.get(t.cookieStoreId)
              .then((c) => c.name, () => `(unknown ${t.cookieStoreId})`);
          }
          tabs.push({
            id: t.id, index: t.index, url: t.url || t.pendingUrl || '', title: t.title,
            status: t.status, discarded: t.discarded, pinned: t.pinned, group, container,
          });
        }
        result.push({ id: w.id, state: w.state, tabs });
      }
      return result;
    });
  }

  /** Closes every normal window as a user would, this page's own window last (the
   *  browser normally quits then). Returns how many windows there were. */
  closeAllWindows() {
    return this.page.evaluate(async () => {
      const api = globalThis.browser ?? globalThis.chrome;
      const own = (await api.windows.getCurrent()).id;
      const all = await api.windows.getAll({ windowTypes: ['normal'] });
      for (const w of all) if (w.id !== own) await api.windows.remove(w.id);
      // Answer first: removing our own window ends this evaluation.
      setTimeout(() => api.windows.remove(own), 200);
      return all.length;
    });
  }

  close() {
    return this.page.close();
  }
}
