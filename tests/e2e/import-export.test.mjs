// Import and export through the manager page, each run in Chromium and Firefox
// by run.mjs:
// - a recovery.jsonlz4 written by the real firefox-esr (tests/fixtures, see its
//   README) uploaded through the file picker, previewed, imported and opened;
// - hostile files (a mozLz4 header lying about its size, javascript:/data:
//   URLs only, broken JSON) refused with a clear message, nothing saved;
// - a named save exported as Lifeboat JSON (by message and by the Export
//   button, which downloads it) and imported back: the same windows and tabs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowDownloads, finishedDownloads, firefoxDownloadPrefs, waitForDownload } from './lib/downloads.mjs';
import { firefoxSession, mozLz4Compress } from './lib/mozlz4.mjs';
import { NAMED_PATHS, openNamedScenario } from './lib/named-scenario.mjs';
import { testTabs } from './lib/scenario.mjs';
import { choose, click, isVisible, openManager, text, uploadImport } from './lib/ui.mjs';
import { sleep, waitUntil } from './lib/wait.mjs';

const FIXTURE = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/firefox-recovery.jsonlz4');
// What the fixture's main session holds (tests/fixtures/README.md): Firefox wrote it
// while serving its pages from 127.0.0.1:18765, which nothing serves now; the tabs
// still open at those addresses (showing an error page), which is what is checked.
const FX = 'http://127.0.0.1:18765';
const FIXTURE_TABS = [
  // window 1: the pinned tab, a tab whose current entry is the second of its history,
  // a container tab (userContextId 1 = Firefox's "Personal") and a plain tab in the
  // group "Trip <plans>", and a hidden tab imported as an ordinary one
  [
    { url: `${FX}/b.html`, pinned: true, group: null },
    { url: `${FX}/a.html`, pinned: false, group: null },
    { url: `${FX}/b.html?work`, pinned: false, group: { title: 'Trip <plans>', color: 'blue' } },
    { url: `${FX}/b.html?grouped`, pinned: false, group: { title: 'Trip <plans>', color: 'blue' } },
    { url: `${FX}/b.html?bar`, pinned: false, group: null },
  ],
  // window 2 (about:config cannot be opened by an extension and is skipped)
  [{ url: `${FX}/b.html?w2`, pinned: false, group: null }],
];

const idsOf = async (ext) => (await ext.send({ type: 'named.list' })).saves.map((s) => s.id).sort();


const importFirefox = {
  name: 'import-firefox',
  timeout: 90_000,
  async run(t) {
    const browser = await t.launch();
    const manager = await openManager(browser);
    const files = join(dirname(browser.profile), 'files');
    mkdirSync(files, { recursive: true });

    // A real recovery.jsonlz4: the preview first, nothing stored yet.
    assert.deepEqual(await idsOf(manager), [], 'a fresh profile has no named saves');
    assert.equal(await uploadImport(manager, FIXTURE), 'preview', `the preview shows (error: ${await text(manager.page, '#import-error')})`);
    const preview = await manager.page.evaluate(() => ({
      format: document.querySelector('#import-preview .preview-format')?.textContent,
      sessions: [...document.querySelectorAll('#import-preview .preview-sessions > li')].map((li) => li.textContent.replace(/\s+/g, ' ')),
      notes: [...document.querySelectorAll('#import-preview .preview-notes li')].map((li) => li.textContent),
      commit: document.getElementById('import-commit').textContent,
      commitEnabled: !document.getElementById('import-commit').disabled,
    }));
    t.keep('preview.json', preview);
    assert.equal(preview.format, 'Firefox session file');
    assert.equal(preview.sessions.length, 2, `the session and the closed windows: ${JSON.stringify(preview.sessions)}`);
    assert.match(preview.sessions[0], /Firefox session.*2 windows.*7 tabs/);
    assert.match(preview.sessions[1], /Closed windows.*1 window.*1 tab/);
    for (const what of [/back\/forward history/, /hidden tab/, /about: pages/, /closed tab/]) {
      assert.ok(preview.notes.some((n) => what.test(n)), `a preview note says what is dropped (${what}): ${JSON.stringify(preview.notes)}`);
    }
    assert.ok(preview.commitEnabled, 'the Import button is enabled');
    assert.deepEqual(await idsOf(manager), [], 'the preview stores nothing');

    // Import: two saves, the first selected in the manager.
    await click(manager.page, '#import-commit');
    await waitUntil(() => isVisible(manager.page, '#import-done'), { what: '#import-done' });
    const saves = (await manager.send({ type: 'named.list' })).saves;
    t.keep('saves.json', saves);
    const imported = saves.find((s) => s.name === 'Firefox session');
    assert.ok(imported && saves.some((s) => s.name === 'Closed windows'), `both sessions saved: ${JSON.stringify(saves)}`);
    assert.equal(imported.windows, 2);
    assert.equal(imported.tabs, 7);
    assert.ok(imported.tags.includes('imported'), 'tagged "imported"');

    // Open it from the manager, into new windows.
    const openNew = `#detail .open-bar [data-action="open-new"]`;
    await manager.page.evaluate((id) => { location.hash = `select=${encodeURIComponent(id)}`; }, imported.id);
    await waitUntil(() => manager.page.evaluate((sel, id) => {
      const button = document.querySelector(sel);
      return document.querySelector(`#named-list li.item.is-selected[data-id="${CSS.escape(id)}"]`) && button && !button.disabled;
    }, openNew, imported.id), { what: 'the imported save selected, its Open button enabled' });
    await click(manager.page, openNew);
    await waitUntil(() => manager.page.$('#detail .result.result-success, #detail .result.result-partial'), { timeout: 20_000, what: 'the restore result' });
    const result = await text(manager.page, '#detail .result');
    t.log(`manager after opening: ${result}`);
    assert.match(result, /about:config/, 'the skipped about:config is named');

    const state = await waitUntil(async () => {
      const s = await manager.state();
      const open = testTabs(s, FX);
      return FIXTURE_TABS.flat().every((x) => open.some((o) => o.url === x.url)) && s;
    }, { timeout: 15_000, what: 'the imported tabs to open' });
    t.keep('state.json', state);
    const windows = state.map((w) => testTabs([w], FX).map(({ url, pinned, group }) => ({ url, pinned, group })))
      .filter((w) => w.length).sort((a, b) => b.length - a.length);
    assert.deepEqual(windows, FIXTURE_TABS, 'the imported windows and tabs open, in order, pinned, grouped');
    if (t.kind === 'firefox') {
      const work = testTabs(state, FX).find((x) => x.url === `${FX}/b.html?work`);
      assert.equal(work.container, 'Personal', 'userContextId 1 opens in Firefox\'s container 1');
    }

    // Hostile files: a clear message, nothing saved.
    const before = await idsOf(manager);
    const hostile = [
      ['recovery.jsonlz4', mozLz4Compress('{"windows":[]}', { claimedSize: 0xFFFFFFF0 }), /damaged/i],
      ['previous.jsonlz4', mozLz4Compress(JSON.stringify(firefoxSession([[{ url: 'https://example.org/' }]])), { claimedSize: 40 }), /damaged/i],
      ['sessionstore.jsonlz4', mozLz4Compress(JSON.stringify(firefoxSession([[{ url: 'javascript:alert(document.cookie)' }, { url: 'data:text/html,<script>alert(1)</script>' }]]))), /javascript:/],
      ['session.json', Buffer.from(JSON.stringify(firefoxSession([[{ url: 'javascript:alert(1)' }]]))), /javascript:/],
      ['broken.json', Buffer.from('{"windows": [ {"tabs": '), /JSON/],
      ['noise.jsonlz4', Buffer.from('mozLz40\0\xff\xff\xff\x00garbage', 'binary'), /damaged|cannot/i],
    ];
    for (const [name, bytes, expected] of hostile) {
      const dir = join(files, name.replace(/\W/g, '_'));
      mkdirSync(dir, { recursive: true });
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const shown = await uploadImport(manager, path);
      const message = await text(manager.page, '#import-error');
      t.log(`${name}: ${message}`);
      assert.equal(shown, 'error', `${name}: an error, not a preview`);
      assert.match(message, expected, `${name}: the message says what is wrong`);
      assert.ok(!(await isVisible(manager.page, '#import-preview')), `${name}: no preview`);
    }
    await sleep(500);
    assert.deepEqual(await idsOf(manager), before, 'no hostile file added a save');
  },
};

/** A save's windows and tabs as compared across a round trip (names, URLs, pinned,
 *  groups, containers), from its own Lifeboat export. */
function comparable(exported) {
  return exported.sessions.map((s) => ({
    name: s.name,
    windows: s.windows.map((w) => w.tabs.map((tab) => {
      const group = (w.groups ?? []).find((g) => g.id === tab.group);
      return {
        url: tab.url, title: tab.title, pinned: !!tab.pinned,
        group: group ? { title: group.title, color: group.color, collapsed: !!group.collapsed } : null,
        container: tab.container?.name ?? null,
      };
    })),
  }));
}

/** Where two JSON values differ, as "path: a -> b" lines (at most `limit`). */
function diff(a, b, path = '', out = [], limit = 8) {
  if (out.length >= limit) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[key], b[key], `${path}/${key}`, out, limit);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
  }
  return out;
}

const exportReimport = {
  name: 'export-reimport',
  timeout: 90_000,
  async run(t) {
    const downloads = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-downloads-'));
    try {
      await exportAndReimport(t, downloads);
    } finally {
      rmSync(downloads, { recursive: true, force: true });
    }
  },
};

async function exportAndReimport(t, downloads) {
  const browser = await t.launch({ firefoxPrefs: firefoxDownloadPrefs(downloads) });
  await allowDownloads(browser, downloads);
  let manager = await openManager(browser);
  await openNamedScenario(manager, t.server, t.kind);
  await sleep(1_000);
  const { save } = await manager.send({ type: 'named.save', name: `Round trip ${t.kind}`, scope: 'all' });
  assert.ok(save?.id, 'saved');

  // By message.
  const answer = await manager.exportFile('lifeboat', [save.id]);
  assert.match(answer.fileName, /^lifeboat-\d{4}-\d{2}-\d{2}-\d{4}\.json$/);
  assert.match(answer.mime, /^application\/json/);
  const exported = JSON.parse(answer.text);
  assert.equal(exported.format, 'lifeboat');
  assert.equal(exported.version, 1);
  assert.equal(exported.sessions.length, 1);
  const original = comparable(exported);
  t.keep('original.json', exported);
  assert.equal(original[0].name, save.name);
  const urls = original[0].windows.flat().map((x) => x.url).filter((u) => u.startsWith(t.server.origin));
  assert.deepEqual(urls.map((u) => u.slice(t.server.origin.length)), NAMED_PATHS, 'the export holds the test tabs in order');

  // By the Export button: tick the save, "the ticked sessions", Lifeboat JSON.
  await manager.close();
  manager = await openManager(browser); // lists the new save
  await click(manager.page, `#named-list li.item[data-id="${save.id}"] .export-check`);
  await waitUntil(() => manager.page.$eval('#export-checked', (n) => !n.disabled), { what: 'the "ticked" export choice enabled' });
  await click(manager.page, '#export-checked');
  await choose(manager.page, '#export-format', 'lifeboat');
  const before = finishedDownloads(downloads);
  await click(manager.page, '#export-button');
  await waitUntil(() => manager.page.$eval('#export-status', (n) => !n.hidden && n.classList.contains('is-ok')),
    { what: 'the export status' }).catch(async (e) => {
    throw new Error(`${e.message}; #export-status says: ${await text(manager.page, '#export-status')}`);
  });
  const file = await waitForDownload(downloads, before);
  t.log(`downloaded ${file.name}: ${await text(manager.page, '#export-status')}`);
  assert.match(file.name, /^lifeboat-.*\.json$/);
  const fromButton = JSON.parse(file.text);
  assert.deepEqual({ ...fromButton, exportedAt: 0 }, { ...exported, exportedAt: 0 }, 'the button downloads the same export');

  // Import the text back.
  const preview = await manager.previewFile(file.name, Buffer.from(file.text).toString('base64'));
  t.keep('reimport-preview.json', preview);
  assert.ok(preview.sessions?.length, `a preview: ${JSON.stringify(preview)}`);
  assert.equal(preview.format, 'Lifeboat export');
  assert.deepEqual(preview.sessions.map(({ name, windows, tabs }) => ({ name, windows, tabs })),
    [{ name: save.name, windows: save.windows, tabs: save.tabs }]);
  const { saves: [again] } = await manager.commitImport();
  assert.ok(again?.id && again.id !== save.id, 'a new save');
  assert.equal(again.name, save.name);
  assert.deepEqual([again.windows, again.tabs], [save.windows, save.tabs]);
  const reexported = JSON.parse((await manager.exportFile('lifeboat', [again.id])).text);
  t.keep('reexported.json', reexported);
  assert.deepEqual(comparable(reexported), original, 'the re-imported save equals the original');
  // Report (not fail on) any other difference, such as flags the importer fills in.
  const differences = diff(exported.sessions, reexported.sessions);
  if (differences.length) t.log(`note: the re-imported save differs from the original elsewhere: ${differences.join('; ')}`);

  // The other formats export the same save without error.
  for (const format of ['tsm', 'onetab', 'urls', 'html']) {
    const other = await manager.exportFile(format, [save.id]);
    assert.ok(other.text && other.fileName, `${format} export`);
    for (const path of NAMED_PATHS) assert.ok(other.text.includes(`${t.server.origin}${path}`), `${format} export lists ${path}`);
  }
}

export const tests = [importFirefox, exportReimport];
