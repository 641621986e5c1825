// An excluded site typed in Unicode is kept as the browser writes a tab's
// host (punycode). The background's WASM module has no IDNA tables of its
// own (issue 10: the idna crate stays in native builds): its edge asks the
// browser's URL parser (src/web/api.rs host_to_ascii), so this runs in both
// browsers, where only the real parser is.
import assert from 'node:assert/strict';
import { openExtensionPage } from './lib/extension.mjs';

const unicodeSites = {
  name: 'excluded-sites-unicode',
  timeout: 60_000,
  async run(t) {
    const browser = await t.launch();
    const ext = await openExtensionPage(browser);
    const before = await ext.send({ type: 'settings' });
    const typed = ['https://BÜCHER.example/shop', 'bank.example:8443', '*.Straße.example'];
    const answer = await ext.send({ type: 'setSettings', settings: { ...before, excludedSites: typed } });
    t.keep('answer.json', answer);
    assert.ok(!answer.error, `settings saved: ${JSON.stringify(answer)}`);
    // The native idna crate gives the same (src/privacy/site.rs tests).
    assert.deepEqual(answer.settings.excludedSites, ['xn--bcher-kva.example', 'bank.example', 'xn--strae-oqa.example'],
      'Unicode hosts in punycode, ports and paths gone');
    assert.deepEqual((await ext.send({ type: 'settings' })).excludedSites, answer.settings.excludedSites, 'as stored');
    // A host no URL parser reads is refused with a sentence, and nothing changes.
    const refused = await ext.send({ type: 'setSettings', settings: { ...before, excludedSites: ['bü cher.example'] } });
    assert.match(String(refused.error), /is not a site/, JSON.stringify(refused));
    assert.deepEqual((await ext.send({ type: 'settings' })).excludedSites, answer.settings.excludedSites, 'unchanged');
  },
};

export const tests = [unicodeSites];
