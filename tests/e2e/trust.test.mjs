// The trust boundary (issue 11): code running in a content script's context (what
// a renderer exploit on any web page gets) may only report and ask for its own
// frame's state. Everything else a page of Lifeboat's own may ask is refused to it,
// and storage.local/sync are closed to it. The same requests from an extension page
// work. Chromium only: CDP can evaluate in the extension's content-script world;
// Firefox's remote protocols offer no way into an extension's content-script sandbox.
import assert from 'node:assert/strict';
import { openExtensionPage } from './lib/extension.mjs';
import { sleep, waitUntil } from './lib/wait.mjs';

/** Evaluates `fn(arg)` (an async function's source) in Lifeboat's content-script world
 *  of the page's top frame; returns its JSON-able result. */
async function inContentWorld(page, cdp, contexts, fn, arg) {
  const top = (await cdp.send('Page.getFrameTree')).frameTree.frame.id;
  const context = await waitUntil(async () => contexts.find((c) => c.auxData?.frameId === top
    && c.auxData?.type === 'isolated' && c.origin.startsWith('chrome-extension://')), {
    timeout: 10_000, what: "Lifeboat's content-script world in the page",
  });
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
    expression: `(${fn})(${JSON.stringify(arg)})`, contextId: context.id, awaitPromise: true, returnByValue: true,
  });
  if (exceptionDetails) return { thrown: exceptionDetails.exception?.description ?? exceptionDetails.text };
  return result.value;
}

const send = async (message) => {
  try {
    const text = await chrome.runtime.sendMessage(message);
    return { answer: typeof text === 'string' ? JSON.parse(text) : { notText: text } };
  } catch (e) {
    return { thrown: String(e?.message ?? e) };
  }
};

const readStorage = async (area) => {
  try {
    return { got: JSON.stringify(await chrome.storage[area].get(null)).length };
  } catch (e) {
    return { thrown: String(e?.message ?? e) };
  }
};

const contentScriptRefused = {
  name: 'content-script-refused',
  browsers: ['chromium'],
  timeout: 120_000,
  async run(t) {
    const browser = await t.launch({ resumeFromCrash: false });
    const ext = await openExtensionPage(browser);
    const { save } = await ext.send({ type: 'named.save', name: 'Keep me', scope: 'all' });
    assert.ok(save?.id, 'setup: a named save exists');
    const settingsBefore = await ext.send({ type: 'settings' });
    assert.ok(settingsBefore?.timelineMaxMib > 1, `setup: settings answered ${JSON.stringify(settingsBefore)}`);

    const page = await browser.browser.newPage();
    const cdp = await page.createCDPSession();
    const contexts = [];
    cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
    cdp.on('Runtime.executionContextsCleared', () => contexts.splice(0));
    await cdp.send('Runtime.enable');
    await page.goto(t.server.pageUrl(1), { waitUntil: 'load' });
    await sleep(500); // content scripts run at document_idle

    const privileged = [
      { type: 'backup' },
      { type: 'export', sources: ['current'] },
      { type: 'setSettings', settings: { ...settingsBefore, timelineMaxMib: 1 } },
      { type: 'restore', source: 'current', select: 'all', mode: 'replace' },
      { type: 'named.delete', id: save.id },
      { type: 'overview' },
      { type: 'import.commit', saves: 'TEJPQQ==' },
    ];
    for (const message of privileged) {
      const got = await inContentWorld(page, cdp, contexts, send, message);
      assert.equal(got?.answer?.refused, true, `${message.type} from a content script is refused: ${JSON.stringify(got).slice(0, 300)}`);
      assert.equal(got.answer.records, undefined, `${message.type}: no stored data in the refusal`);
    }
    // Its own frame only: the top frame cannot report or ask for a subframe's state.
    const foreign = await inContentWorld(page, cdp, contexts, send,
      { type: 'pageState', frame: 'iframe[0]', state: { fields: [{ key: '#iban', tag: 'input', type: 'text', value: 'DE00 planted' }] } });
    assert.equal(foreign?.answer?.ok, false, `a report for another frame is refused: ${JSON.stringify(foreign)}`);
    const own = await inContentWorld(page, cdp, contexts, send, { type: 'pageState', frame: '', state: { scroll: [0, 0], fields: [] } });
    assert.equal(own?.answer?.ok, true, `a report for its own frame is taken: ${JSON.stringify(own)}`);
    // storage.local and storage.sync are closed to content scripts.
    for (const area of ['local', 'sync']) {
      const got = await inContentWorld(page, cdp, contexts, readStorage, area);
      assert.ok(got?.thrown, `storage.${area} is not readable from a content script: ${JSON.stringify(got)}`);
    }

    // Nothing happened, and the same requests from an extension page work.
    assert.ok((await ext.state()).flatMap((w) => w.tabs).some((tab) => tab.url === t.server.pageUrl(1)), 'no window was closed');
    const settingsAfter = await ext.send({ type: 'settings' });
    assert.equal(settingsAfter.timelineMaxMib, settingsBefore.timelineMaxMib, 'settings unchanged');
    const { saves } = await ext.send({ type: 'named.list' });
    assert.ok(saves.some((s) => s.id === save.id && !s.deletedAt), 'the named save is still there');
    const backup = await ext.send({ type: 'backup' });
    assert.ok(Array.isArray(backup?.records) && backup.records.length > 0, 'backup from an extension page works');
    // The named save, which exists for sure ("current" may not be committed yet this early).
    const exported = await ext.exportFile('lifeboat', [save.id]);
    assert.ok(typeof exported?.text === 'string' && exported.text.length > 0, `export from an extension page works: ${JSON.stringify(exported).slice(0, 200)}`);
    const overview = await ext.send({ type: 'overview' });
    assert.ok(Array.isArray(overview?.sources), 'overview from an extension page works');
    assert.equal((await ext.send({ type: 'setSettings', settings: settingsBefore }))?.ok, true, 'setSettings from an extension page works');
    const deleted = await ext.send({ type: 'named.delete', id: save.id });
    assert.deepEqual(deleted, { ok: true }, 'named.delete from an extension page works');
    await cdp.detach().catch(() => {});
  },
};

export const tests = [contentScriptRefused];
