// Zero network (issue 6, item 5), in Chromium and Firefox by run.mjs.
//
// Every request the browser makes is watched (torture/netwatch.mjs: in Chromium a
// CDP connection auto-attached to every target, the extension's service worker and
// pages included, with CSP refusals recorded as attempts; in Firefox BiDi
// network.beforeRequestSent for every tab plus a parent-process observer of every
// HTTP channel with its triggering principal) while Lifeboat saves, exports,
// imports (a session whose pages and favicons are on a remote host), renders its
// pages with favicons, and, after a kill, restores. Then every request must be
// either extension-internal (chrome-extension:, moz-extension:, data:, blob:,
// the browser's own chrome: pages) or a test page's own load from the local test
// server (restored tabs loading their pages count as the page's: told apart by
// the target/context they load in). Anything else fails with its URL and who made it.
//
// Positive controls first prove the watch sees what it must: a request from an
// extension page and from the background, and (Chromium) an attempt the
// extension's CSP refused in the service worker.
import assert from 'node:assert/strict';
import { ExtensionPage, openExtensionPage } from './lib/extension.mjs';
import { clickRestoreAll, screenshot, waitForRestorePage } from './lib/restore-page.mjs';
import { routes } from './lib/server.mjs';
import { sleep, waitUntil } from './lib/wait.mjs';
import { keyOf, projectLive, projectPlan } from './torture/compare.mjs';
import { ChromiumNetWatch, FirefoxNetWatch } from './torture/netwatch.mjs';

const REMOTE = 'https://remote.lifeboat.invalid';
// A 1×1 PNG, served as the odd pages' favicon (the even ones carry a data: icon).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const DATA_ICON = `data:image/png;base64,${PNG.toString('base64')}`;

if (!routes.some(([p]) => p.source.includes('net'))) {
  routes.unshift(
    [/^\/net\/page\/(\d+)$/, (m) => {
      const icon = Number(m[1]) % 2 ? `/net/icon/${m[1]}.png` : DATA_ICON;
      return { body: `<!doctype html><html><head><meta charset="utf-8"><title>Net ${m[1]}</title><link rel="icon" href="${icon}"></head><body><h1>Net ${m[1]}</h1></body></html>` };
    }],
    [/^\/net\/icon\/\d+\.png$/, () => ({ type: 'image/png', body: PNG })],
    [/^\/probe\//, () => ({ status: 204, body: '' })],
  );
}

// Firefox starts on a blank page instead of its home page, which fetches things of
// its own at every start. New windows keep the default (the home page): a window
// the extension opens without a URL shows it, and what it fetches is then on the
// extension's account.
const QUIET_FIREFOX = { 'browser.startup.page': 0 };

const INTERNAL = /^(chrome-extension|moz-extension|data|blob|chrome|about|resource|devtools):/;

function startWatch(session) {
  return session.kind === 'chromium' ? new ChromiumNetWatch(session).start() : new FirefoxNetWatch(session).start();
}

/** Sorts a Chromium watch's records into allowed kinds and violations. */
function judgeChromium(watch, { origin, extensionOrigin }) {
  const onTest = (u) => typeof u === 'string' && u.startsWith(`${origin}/`);
  const fromExtension = (r) => r.target?.url?.startsWith(extensionOrigin) || r.documentURL?.startsWith(extensionOrigin);
  const out = { internal: 0, pageLoads: 0, controls: [], violations: [] };
  for (const r of watch.requests) {
    if (/[?&]probe=/.test(r.url) || r.url.includes('/probe/')) out.controls.push(r);
    if (INTERNAL.test(r.url)) out.internal += 1;
    else if (!fromExtension(r) && onTest(r.url) && (onTest(r.documentURL) || onTest(r.target?.url))) out.pageLoads += 1;
    else out.violations.push(`${r.url} (${r.type ?? '?'}) from ${r.target?.type ?? '?'} ${r.target?.url ?? '?'}, document ${r.documentURL ?? '?'}, initiator ${JSON.stringify(r.initiator)}`);
  }
  // The catch-all: every request that reached the network stack.
  out.documents = 0;
  for (const r of watch.paused) {
    if (r.url.includes('/probe/')) out.controls.push(r);
    if (INTERNAL.test(r.url)) continue;
    if (onTest(r.url) && r.resourceType === 'Document') out.documents += 1; // a tab loading a test page (a restore's too)
    else if (onTest(r.url) && !r.target?.url?.startsWith(extensionOrigin) && (onTest(r.target?.url) || onTest(r.referer))) continue; // its own subresources
    else out.violations.push(`${r.url} (${r.resourceType}) through the network stack, frame ${r.frameId ?? 'none'} of ${r.target?.type ?? '?'} ${r.target?.url ?? '?'}, Origin ${r.origin}, Referer ${r.referer}`);
  }
  for (const a of watch.attempts) {
    if (a.text.includes('/probe/')) out.controls.push(a);
    else if (a.target?.url?.startsWith(extensionOrigin)) out.violations.push(`attempt refused by CSP in ${a.target.type} ${a.target.url}: ${a.text}`);
  }
  return out;
}

/** Sorts a Firefox watch's records (BiDi and the parent observer) into allowed kinds and violations. */
function judgeFirefox(watch, { origin, extensionOrigin }) {
  const onTest = (u) => typeof u === 'string' && u.startsWith(`${origin}/`);
  const extOrigin = extensionOrigin.replace(/\/$/, '');
  const out = { internal: 0, pageLoads: 0, documents: 0, extensionNavigations: 0, browserOwn: [], controls: [], violations: [] };
  for (const r of watch.requests) {
    if (r.url.includes('/probe/')) out.controls.push(r);
    const ctx = watch.contexts.get(r.context) ?? r.contextUrl ?? '';
    if (INTERNAL.test(r.url)) out.internal += 1;
    else if (onTest(r.url) && !ctx.startsWith(extensionOrigin)) out.pageLoads += 1;
    else out.violations.push(`${r.url} (${r.destination ?? '?'}) in context ${ctx || r.context}, initiator ${JSON.stringify(r.initiator)}`);
  }
  for (const c of watch.channels) {
    if (c.url.includes('/probe/')) out.controls.push(c);
    const byExtension = c.triggering === extOrigin || c.loading === extOrigin;
    const document = c.policy === 6 || c.policy === 7; // TYPE_DOCUMENT, TYPE_SUBDOCUMENT: a load into a tab or frame
    if (INTERNAL.test(c.url)) continue;
    if (onTest(c.url) && document) {
      // A tab loading a test page; opened by the extension (a restore) or not, it is the page's load.
      out.documents += 1;
      if (byExtension) out.extensionNavigations += 1;
      continue;
    }
    if (onTest(c.url) && !byExtension && (onTest(c.top) || c.triggering?.startsWith(origin))) continue; // the page's own subresources, its favicon
    if (c.triggering === 'system' && (c.loading === 'system' || c.loading == null) && !c.top) {
      // Firefox's own services (remote settings and the like): made by the browser for
      // itself, in no tab, with the system principal; reported, not the extension's.
      out.browserOwn.push(c.url);
      continue;
    }
    out.violations.push(`${c.url} (content policy ${c.policy}) triggered by ${c.triggering}, loading principal ${c.loading}, in ${c.top ?? 'no tab'}${c.error ? `, ${c.error}` : ''}`);
  }
  return out;
}

/** Tabs with favicons (odd pages: an http favicon; even: data:), in two windows, pinned,
 *  grouped (Chromium) or in a container (Firefox). Returns their paths. */
async function openPages(ext, session, origin) {
  const home = (await ext.call('windows.getCurrent')).id;
  const url = (n) => `${origin}/net/page/${n}`;
  await ext.call('tabs.create', { windowId: home, url: url(1), pinned: true, active: false });
  const t2 = await ext.call('tabs.create', { windowId: home, url: url(2), active: false });
  if (session.kind === 'chromium') {
    const g = await ext.call('tabs.group', { tabIds: [t2.id] });
    await ext.call('tabGroups.update', g, { title: 'Offline', color: 'green' });
    await ext.call('tabs.create', { windowId: home, url: url(3), active: false });
  } else {
    const c = await ext.call('contextualIdentities.create', { name: 'Net test', color: 'blue', icon: 'circle' });
    await ext.call('tabs.create', { windowId: home, url: url(3), cookieStoreId: c.cookieStoreId, active: false });
  }
  const other = await ext.call('windows.create', { url: url(4) });
  await ext.call('tabs.create', { windowId: other.id, url: url(5) });
  await ext.call('tabs.create', { windowId: other.id, url: url(6) });
  const paths = [1, 2, 3, 4, 5, 6].map((n) => `/net/page/${n}`);
  await waitUntil(async () => {
    const tabs = (await ext.state()).flatMap((w) => w.tabs);
    return paths.every((p) => tabs.some((t) => t.url === origin + p && t.status === 'complete'));
  }, { timeout: 15_000, what: 'the test pages to load' });
  return paths;
}

const zeroNetwork = {
  name: 'zero-network',
  timeout: 180_000,
  async run(t) {
    const origin = t.server.origin;
    const session = await t.launch({ resumeFromCrash: false, firefoxPrefs: QUIET_FIREFOX });
    const watches = [await startWatch(session)];
    const ext = await openExtensionPage(session);
    const nonce = Date.now();

    // Positive controls: the watch sees an extension page's and the background's requests.
    await ext.page.evaluate((u) => fetch(u).then((r) => r.status), `${session.extensionOrigin}manifest.json?probe=page-${nonce}`);
    if (session.kind === 'chromium') {
      await watches[0].evaluateInWorker(`fetch(chrome.runtime.getURL('manifest.json?probe=worker-${nonce}')).then((r) => r.status)`);
      // An attempt the extension's own policy refuses is seen too (and is a violation unless it is this probe).
      await watches[0].evaluateInWorker(`fetch('${origin}/probe/worker-${nonce}').then(() => 'sent', (e) => String(e))`);
    } else {
      // The background (an event page) opens a tab: the parent observer sees its load, triggered by the extension.
      await ext.page.evaluate(async (u) => {
        const bg = await browser.runtime.getBackgroundPage();
        const tab = await bg.browser.tabs.create({ url: u, active: false });
        await new Promise((r) => setTimeout(r, 1_000));
        await browser.tabs.remove(tab.id);
      }, `${origin}/probe/background-${nonce}`);
    }

    // Save: a session with favicons, committed.
    const t0 = Date.now();
    const paths = await openPages(ext, session, origin);
    const committed = await waitUntil(async () => {
      const plan = await ext.send({ type: 'plan', source: 'current' });
      const live = projectLive(await ext.state(), origin);
      return !plan.error && keyOf(projectPlan(plan, origin)) === keyOf(live) && plan;
    }, { timeout: 15_000, what: 'the session to be committed' });
    const status = await ext.send({ type: 'status' });
    assert.ok(status.lastSavedAt >= t0, `saved: ${JSON.stringify(status)}`);
    assert.ok(committed.windows.flatMap((w) => w.tabs).some((tab) => tab.favIconUrl?.startsWith('data:')), 'the session keeps data: favicons');

    // Export in every format, then import a session whose pages and favicons are remote.
    const exports = {};
    for (const format of ['lifeboat', 'tsm', 'onetab', 'urls', 'html']) {
      const answer = await ext.exportFile(format, ['current']);
      assert.ok(typeof answer.text === 'string' && answer.text.includes('/net/page/1'), `export ${format}: ${JSON.stringify(answer).slice(0, 300)}`);
      exports[format] = answer.text;
    }
    const remote = (text) => text.split(origin).join(REMOTE);
    // Remote favicon addresses on the odd pages (Firefox reports tab icons as data: URLs).
    const withIcons = JSON.parse(remote(exports.lifeboat));
    for (const tab of withIcons.sessions.flatMap((x) => x.windows).flatMap((w) => w.tabs)) {
      const n = tab.url.match(/\/net\/page\/(\d+)$/)?.[1];
      if (n && Number(n) % 2) tab.favIconUrl = `${REMOTE}/net/icon/${n}.png`;
    }
    const imported = [];
    for (const [fileName, text] of [['remote-lifeboat.json', JSON.stringify(withIcons)], ['remote-tsm.json', remote(exports.tsm)], ['remote-urls.txt', remote(exports.urls)]]) {
      const preview = await ext.previewFile(fileName, Buffer.from(text).toString('base64'));
      assert.ok(preview.sessions?.length, `import preview of ${fileName}: ${JSON.stringify(preview).slice(0, 300)}`);
      const done = await ext.commitImport();
      assert.ok(done.saves?.length, `import of ${fileName}: ${JSON.stringify(done).slice(0, 300)}`);
      imported.push(...done.saves);
    }
    // The imported save keeps a remote favicon address: pages must show it without fetching it.
    const again = await ext.exportFile('lifeboat', imported.map((s) => s.id));
    t.keep('exports.json', { exports, again });
    assert.ok(again.text?.includes(`${REMOTE}/net/page/1`), 'the imported saves hold remote pages');
    assert.ok(again.text?.includes(`${REMOTE}/net/icon/1.png`), 'an imported save holds a remote favicon URL');

    // Render the pages: the manager, the popup, and the restore page showing the remote save.
    for (const path of ['www/manager.html', 'www/popup.html']) {
      const page = await openExtensionPage(session, path);
      await sleep(1_500);
      await page.close();
    }
    const restorePage = await openExtensionPage(session);
    await restorePage.page.waitForSelector(`[data-source-id="${imported[0].id}"]`, { timeout: 10_000 });
    await restorePage.page.click(`[data-source-id="${imported[0].id}"]`);
    await sleep(2_000);
    await screenshot(restorePage.page, t.artifact('remote-save.png'));
    await restorePage.close();

    // A crash, then the restore page Lifeboat opens by itself, with favicons, and a restore.
    await ext.close().catch(() => {});
    await sleep(2_500);
    if (session.kind === 'firefox') await watches[0].collect();
    await session.crash();
    await session.restart();
    watches.push(await startWatch(session));
    const offered = await waitForRestorePage(session, 15_000);
    assert.ok(offered, 'the restore page opened after the crash');
    await screenshot(offered, t.artifact('restore-page.png'));
    const icons = await offered.$$eval('img.favicon', (imgs) => imgs.map((i) => i.getAttribute('src')));
    t.log(`restore page shows ${icons.length} favicon images (${[...new Set(icons.map((s) => s.split(/[?,]/)[0].slice(0, 40)))].join(', ')})`);
    assert.ok(icons.length >= 3, `the restore page shows favicons: ${JSON.stringify(icons).slice(0, 300)}`);
    assert.ok(icons.every((src) => INTERNAL.test(src)), `favicons come from data: or the browser's own cache: ${JSON.stringify(icons).slice(0, 300)}`);
    assert.ok(await clickRestoreAll(offered), '#restore-all could be clicked');
    const check = offered.isClosed() ? await openExtensionPage(session) : new ExtensionPage(offered);
    await waitUntil(async () => {
      const open = (await check.state()).flatMap((w) => w.tabs).map((tab) => tab.url);
      return paths.every((p) => open.includes(origin + p));
    }, { timeout: 20_000, what: 'the restored tabs' });
    await sleep(3_000); // their loads, favicons and a commit

    // The verdict.
    const verdicts = [];
    for (const w of watches) {
      if (session.kind === 'firefox') {
        await w.collect();
        await w.refreshContexts().catch(() => {});
      }
      const who = { origin, extensionOrigin: session.extensionOrigin };
      verdicts.push(session.kind === 'chromium' ? judgeChromium(w, who) : judgeFirefox(w, who));
      await w.stop();
    }
    const [before, after] = verdicts;
    t.keep('network.json', { watches: watches.map((w) => ({ requests: w.requests, attempts: w.attempts, channels: w.channels, targets: w.attachedTypes?.() })), verdicts });
    t.log(`before the crash: ${before.internal} internal, ${before.pageLoads} page loads, ${before.controls.length} control records; `
      + `after: ${after.internal} internal, ${after.pageLoads} page requests, ${after.documents} test pages loaded${after.extensionNavigations != null ? ` (${after.extensionNavigations} tab loads the restore triggered)` : ''}`);
    if (session.kind === 'chromium') {
      assert.ok(before.controls.some((r) => r.url?.includes(`probe=page-${nonce}`) && r.target?.url?.startsWith(session.extensionOrigin)), 'control: an extension page request was seen');
      assert.ok(before.controls.some((r) => r.url?.includes(`probe=worker-${nonce}`) && r.target?.type === 'service_worker'), 'control: a service worker request was seen');
      assert.ok(before.controls.some((a) => a.text?.includes(`/probe/worker-${nonce}`) && a.target?.type === 'service_worker'), 'control: an attempt the CSP refused in the worker was seen');
    } else {
      assert.ok(before.controls.some((c) => c.url?.includes(`/probe/background-${nonce}`) && c.triggering === session.extensionOrigin.replace(/\/$/, '')),
        'control: a load the background triggered was seen with the extension as its trigger');
    }
    if (session.kind === 'chromium') {
      assert.ok(watches[1].attachedTypes().some((x) => x.startsWith(`service_worker ${session.extensionOrigin}`)),
        `after the restart the watch was attached to the extension's service worker: ${watches[1].attachedTypes().join(', ')}`);
    }
    // Lazy restore loads only each window's active tab at once (Firefox creates the others discarded).
    assert.ok(after.documents >= 2, `the restored tabs' own loads were seen (${after.documents})`);
    const own = verdicts.flatMap((v) => v.browserOwn ?? []);
    if (own.length) t.log(`the browser's own requests (system principal, no tab; not the extension's): ${[...new Set(own.map((u) => new URL(u).host))].join(', ')} (${own.length})`);
    const violations = verdicts.flatMap((v) => v.violations.filter((x) => !x.includes('/probe/')));
    assert.deepEqual(violations, [], 'no request other than extension-internal ones and the test pages\' own loads');
  },
};

export const tests = [zeroNetwork];
