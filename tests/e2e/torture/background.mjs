// The extension's background from the outside: is it running, and stopping it
// the way the browser does when it retires an idle background.
//
// Chromium: the MV3 service worker, through CDP on the browser target
// (`ServiceWorker.stopWorker` by version, or `Target.closeTarget` on the worker).
// Firefox: the non-persistent background page, terminated as about:debugging's
// "Terminate background script" does: `extension.terminateBackground()` in the
// parent process, reached through WebDriver BiDi in the chrome scope (the lib
// starts Firefox with --remote-allow-system-access).
import { sleep, waitUntil } from '../lib/wait.mjs';
import { GECKO_ID } from '../lib/profile.mjs';

/** Firefox: evaluates `expression` (which must yield a JSON string) in the browser's chrome window. */
export async function chromeEval(session, expression) {
  const conn = session.browser.connection;
  const tree = await conn.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const context = tree.result.contexts[0]?.context;
  if (!context) throw new Error('no chrome window to evaluate in');
  const answer = await conn.send('script.evaluate', { expression, target: { context }, awaitPromise: true });
  const r = answer.result;
  if (r.type !== 'success') throw new Error(`chrome evaluation failed: ${JSON.stringify(r.exceptionDetails ?? r)}`);
  return r.result.type === 'string' ? JSON.parse(r.result.value) : null;
}

const FIREFOX_EXTENSION = `ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs')
  .ExtensionParent.GlobalManager.getExtension(${JSON.stringify(GECKO_ID)})`;

async function browserCdp(session) {
  if (!session.cdp || session.cdp.browserRef !== session.browser) {
    session.cdp = await session.browser.target().createCDPSession();
    session.cdp.browserRef = session.browser;
  }
  return session.cdp;
}

async function workerTargets(session) {
  const cdp = await browserCdp(session);
  const { targetInfos } = await cdp.send('Target.getTargets');
  return targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith(session.extensionOrigin));
}

/** True while the background runs. Asks the browser, never the extension (a message would wake it). */
export async function backgroundRunning(session) {
  if (session.kind === 'chromium') return (await workerTargets(session)).length > 0;
  return (await chromeEval(session, `JSON.stringify(String(${FIREFOX_EXTENSION}.backgroundState))`)) === 'running';
}

/** Chromium: the extension worker's version id, from the ServiceWorker domain of an extension page. */
async function workerVersion(session, page) {
  const cdp = await page.createCDPSession();
  const versions = new Map();
  cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
    for (const v of e.versions) versions.set(v.versionId, v);
  });
  await cdp.send('ServiceWorker.enable');
  const v = await waitUntil(() => [...versions.values()].find((x) => x.scriptURL.startsWith(session.extensionOrigin)
    && x.runningStatus === 'running'), { timeout: 5_000, interval: 50, what: 'the running extension worker version' });
  return { cdp, versionId: v.versionId };
}

/**
 * Stops the background now. method (Chromium): 'stopWorker' (needs `page`, an
 * extension page, for the ServiceWorker domain) or 'closeTarget'. Resolves once
 * the browser reports it stopped; returns how.
 */
export async function stopBackground(session, { method = 'closeTarget', page } = {}) {
  // The background may start again at once (a tab event already on its way wakes it):
  // "stopped" means the one that ran before is gone, not that none runs.
  if (session.kind === 'chromium') {
    const before = new Set((await workerTargets(session)).map((t) => t.targetId));
    if (!before.size) throw new Error('no extension service worker to stop');
    if (method === 'stopWorker') {
      const { cdp, versionId } = await workerVersion(session, page);
      try {
        await cdp.send('ServiceWorker.stopWorker', { versionId });
      } finally {
        await cdp.detach().catch(() => {});
      }
    } else {
      await (await browserCdp(session)).send('Target.closeTarget', { targetId: [...before][0] });
    }
    await waitUntil(async () => !(await workerTargets(session)).some((t) => before.has(t.targetId)),
      { timeout: 5_000, interval: 50, what: 'the service worker to stop' });
    return method;
  }
  // Firefox: the background context object is new after a restart.
  const state = await chromeEval(session, `(async () => {
    const extension = ${FIREFOX_EXTENSION};
    const context = extension.backgroundContext;
    if (!context || extension.backgroundState !== 'running') return JSON.stringify({ error: 'not running: ' + extension.backgroundState });
    globalThis.__lifeboatStopped = context;
    await extension.terminateBackground({ ignoreDevToolsAttached: true, disableResetIdleForTest: true });
    return JSON.stringify({ state: String(extension.backgroundState), same: extension.backgroundContext === context });
  })()`);
  if (state.error) throw new Error(`cannot terminate the background: ${state.error}`);
  await waitUntil(() => chromeEval(session, `JSON.stringify((() => {
    const extension = ${FIREFOX_EXTENSION};
    return extension.backgroundState !== 'running' || extension.backgroundContext !== globalThis.__lifeboatStopped;
  })())`), { timeout: 5_000, interval: 50, what: 'the background to stop' });
  return 'terminateBackground';
}

/** Waits (without messaging the extension) until the background runs again; false if it does not within timeoutMs. */
export async function waitBackgroundRunning(session, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await backgroundRunning(session)) return true;
    await sleep(100);
  }
  return false;
}
