// Sync of named saves through storage.sync, each run in Chromium and Firefox by
// run.mjs. Headless and signed out, both browsers keep storage.sync on the
// machine (with its quotas), so "another device" is a second profile: its sync
// items are read from there and written into the first profile's storage.sync,
// which is what the browser's sync would do.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from './lib/browsers.mjs';
import { ARTIFACTS } from './lib/harness.mjs';
import { testTabs } from './lib/scenario.mjs';
import { click, isVisible, openManager, shootElement, text } from './lib/ui.mjs';
import { waitUntil } from './lib/wait.mjs';

const SCREENSHOTS = join(ARTIFACTS, 'screenshots');

// chrome.storage.sync's (and Firefox's) quotas.
const QUOTA_BYTES = 102_400;
const QUOTA_BYTES_PER_ITEM = 8_192;
const MAX_ITEMS = 512;

/** An item's size as the quotas count it: key + JSON of the value. */
const itemSize = (key, value) => key.length + JSON.stringify(value).length;

/** Turns the sync setting on through the manager's settings form. */
async function turnSyncOn(manager) {
  await manager.page.$eval('#sync-enabled', (box) => box.scrollIntoView({ block: 'center' }));
  if (!(await manager.page.$eval('#sync-enabled', (box) => box.checked))) await click(manager.page, '#sync-enabled');
  await click(manager.page, '#settings-save');
  await waitUntil(() => manager.page.$eval('#settings-saved', (n) => n.classList.contains('is-ok')), { what: 'the settings saved' });
  const settings = await manager.send({ type: 'settings' });
  assert.equal((settings.settings ?? settings).sync, true, 'the setting "sync" is stored as true');
  // The page shows the result of the sync that turning it on ran.
  await waitUntil(() => isVisible(manager.page, '#sync-status .sync-line'), { what: 'the sync status line' });
  return text(manager.page, '#sync-status');
}

/** Every Lifeboat item in storage.sync, and how it stands against the quotas. */
async function syncItems(ext) {
  const all = await ext.call('storage.sync.get', null);
  const items = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('lb:')));
  const sizes = Object.entries(all).map(([k, v]) => itemSize(k, v));
  return { all, items, count: sizes.length, total: sizes.reduce((a, b) => a + b, 0), largest: Math.max(0, ...sizes) };
}

function assertWithinQuotas(sync, what) {
  assert.ok(sync.largest <= QUOTA_BYTES_PER_ITEM, `${what}: every item within ${QUOTA_BYTES_PER_ITEM} bytes (largest ${sync.largest})`);
  assert.ok(sync.total <= QUOTA_BYTES, `${what}: ${sync.total} bytes in all, within ${QUOTA_BYTES}`);
  assert.ok(sync.count <= MAX_ITEMS, `${what}: ${sync.count} items, within ${MAX_ITEMS}`);
}

/** The manifest and chunks of save `id`; asserts they are complete. */
function itemsOfSave(sync, id) {
  const manifest = sync.items[`lb:m:${id}`];
  assert.ok(manifest, `storage.sync holds lb:m:${id}: ${Object.keys(sync.items).join(', ')}`);
  assert.ok(Number.isInteger(manifest.k) && manifest.k >= 1, `the manifest counts its chunks: ${JSON.stringify(manifest)}`);
  const chunks = {};
  for (let i = 0; i < manifest.k; i++) {
    const key = `lb:c:${id}:${i}`;
    assert.equal(typeof sync.items[key], 'string', `storage.sync holds ${key}`);
    chunks[key] = sync.items[key];
  }
  assert.ok(!(`lb:c:${id}:${manifest.k}` in sync.items), 'no chunk beyond the count');
  return { manifest, chunks };
}

/** "Another device": a second profile with sync on and one named save; returns its
 *  sync items for that save, its name and URLs. The browser is ended here. */
async function otherDevice(t) {
  const dir = mkdtempSync(join(tmpdir(), `lifeboat-e2e-${t.kind}-sync-other-`));
  const browser = await launchBrowser(t.kind, { dir });
  try {
    const manager = await openManager(browser);
    const said = await turnSyncOn(manager);
    t.log(`other device, sync turned on: ${said}`);
    const urls = [t.server.pageUrl(21), t.server.pageUrl(22)];
    const win = await manager.call('windows.create', { url: urls[0] });
    await manager.call('tabs.create', { windowId: win.id, url: urls[1] });
    await waitUntil(async () => testTabs(await manager.state(), t.server.origin).filter((x) => x.status === 'complete').length === 2,
      { what: 'the other device\'s tabs to load' });
    const name = `From the other ${t.kind}`;
    const { save } = await manager.send({ type: 'named.save', name, scope: 'window', windowId: win.id });
    assert.ok(save?.id, 'the other device saved');
    const sync = await waitUntil(async () => {
      const s = await syncItems(manager);
      return s.items[`lb:m:${save.id}`] && s;
    }, { what: 'the other device to sync its save' });
    const { manifest, chunks } = itemsOfSave(sync, save.id);
    assert.equal(manifest.n, name);
    // Then that device renames it: its sync pushes the new version.
    const renamed = `${name}, renamed there`;
    await manager.send({ type: 'named.rename', id: save.id, name: renamed });
    const later = await waitUntil(async () => {
      const s = await syncItems(manager);
      return s.items[`lb:m:${save.id}`]?.n === renamed && s;
    }, { what: 'the other device to sync its rename' });
    const edited = itemsOfSave(later, save.id);
    assert.ok(edited.manifest.u > manifest.u, 'the rename is a newer version');
    return {
      id: save.id, name, renamed, urls,
      items: { [`lb:m:${save.id}`]: manifest, ...chunks },
      editedItems: { [`lb:m:${save.id}`]: edited.manifest, ...edited.chunks },
    };
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const syncTest = {
  name: 'sync',
  timeout: 120_000,
  async run(t) {
    const other = await otherDevice(t);
    t.keep('other-device-items.json', other);

    const browser = await t.launch();
    const manager = await openManager(browser);
    assert.equal(Object.keys((await syncItems(manager)).items).length, 0, 'a fresh profile\'s storage.sync has no Lifeboat items');
    const said = await turnSyncOn(manager);
    t.log(`sync turned on: ${said}`);
    assert.match(said, /Last synced/, 'the page shows the last sync');

    // A named save goes to storage.sync as a manifest and chunks, within the quotas.
    const win = await manager.call('windows.create', { url: t.server.pageUrl(31) });
    for (const n of [32, 33]) await manager.call('tabs.create', { windowId: win.id, url: t.server.pageUrl(n), active: false });
    await waitUntil(async () => testTabs(await manager.state(), t.server.origin).filter((x) => x.status === 'complete').length === 3,
      { what: 'the tabs to load' });
    const { save } = await manager.send({ type: 'named.save', name: 'Synced here', scope: 'all' });
    const sync = await waitUntil(async () => {
      const s = await syncItems(manager);
      return s.items[`lb:m:${save.id}`] && s;
    }, { what: 'the save in storage.sync' });
    t.keep('sync-items.json', sync.items);
    const { manifest } = itemsOfSave(sync, save.id);
    assert.equal(manifest.n, 'Synced here');
    assert.deepEqual([manifest.c, manifest.u], [save.createdAt, save.updatedAt], 'the manifest carries the save\'s dates');
    assertWithinQuotas(sync, 'after one save');
    if (typeof (await manager.page.evaluate(() => typeof (globalThis.browser ?? chrome).storage.sync.getBytesInUse)) === 'string') {
      const inUse = await manager.call('storage.sync.getBytesInUse', null).catch(() => null);
      t.log(`storage.sync bytes in use: ${inUse} (counted here: ${sync.total})`);
      if (inUse != null) assert.ok(inUse <= QUOTA_BYTES, `the browser counts ${inUse} bytes, within the quota`);
    }
    const status = await manager.send({ type: 'status' });
    assert.ok(status.sync && status.sync.error == null, `status reports a sync without error: ${JSON.stringify(status.sync)}`);

    // Another device's save arrives: the browser's sync writes its items here.
    await manager.call('storage.sync.set', other.items);
    const pulled = await waitUntil(async () => (await manager.send({ type: 'named.list' })).saves.find((s) => s.id === other.id),
      { timeout: 15_000, what: 'the other device\'s save in named.list' });
    assert.equal(pulled.name, other.name);
    assert.equal(pulled.windows, 1);
    assert.equal(pulled.tabs, 2);
    const plan = await manager.send({ type: 'plan', source: other.id });
    assert.deepEqual(plan.windows.flatMap((w) => w.tabs.map((x) => x.url)), other.urls, 'the pulled save holds the other device\'s tabs');
    const after = await manager.send({ type: 'status' });
    t.log(`status.sync after the other device's items arrived: ${JSON.stringify(after.sync)}`);
    assert.ok(after.sync && after.sync.error == null, 'the sync that pulled it reports no error');
    // Our own save is still there, untouched by the pull.
    assert.ok((await syncItems(manager)).items[`lb:m:${save.id}`], 'our own save stays in storage.sync');

    // Both devices change the same save: here while sync is off (offline, in
    // effect), there before (its rename, captured above). Turning sync on again
    // merges: the newer version (ours) wins, the other device's survives as a copy.
    const settings = await manager.send({ type: 'settings' });
    await manager.send({ type: 'setSettings', settings: { ...(settings.settings ?? settings), sync: false } });
    const ours = 'Renamed here';
    await manager.send({ type: 'named.rename', id: other.id, name: ours });
    await manager.call('storage.sync.set', other.editedItems);
    await turnSyncOn(manager); // the page still shows the box ticked: Save settings sends sync: true
    const merged = (await manager.send({ type: 'status' })).sync;
    t.log(`status.sync after both devices changed the same save: ${JSON.stringify(merged)}`);
    const copyName = `${other.renamed} (changed on another device)`;
    const names = (await manager.send({ type: 'named.list' })).saves.map((x) => x.name);
    assert.ok(names.includes(ours) && names.includes(copyName), `both versions kept: ${JSON.stringify(names)}`);
    assert.equal((await syncItems(manager)).items[`lb:m:${other.id}`]?.n, ours, 'ours, the newer, is what sync storage holds now');

    // A save too big for sync storage: a clear message, listed under the setting;
    // the quotas still hold. (An imported list of addresses: no tabs need opening.)
    const lines = Array.from({ length: 3000 }, (_, i) => `${t.server.origin}/page/${i}?${randomBytes(36).toString('base64url')}`);
    const preview = await manager.previewFile('many.txt', Buffer.from(lines.join('\n')).toString('base64'));
    assert.ok(preview.sessions?.length, `a preview of the big list: ${JSON.stringify(preview).slice(0, 300)}`);
    const { saves: [big] } = await manager.commitImport();
    const bigStatus = (await manager.send({ type: 'status' })).sync;
    t.log(`status.sync after the big save: ${JSON.stringify(bigStatus)}`);
    assert.ok(Array.isArray(bigStatus?.notSynced) && bigStatus.notSynced.some((r) => r.text.includes(big.name) && /too big to sync/.test(r.text) && r.key === 'syncTooBig'),
      `the big save is reported as too big to sync: ${JSON.stringify(bigStatus)}`);
    const afterBig = await syncItems(manager);
    assert.ok(!afterBig.items[`lb:m:${big.id}`], 'the big save is not in storage.sync');
    assertWithinQuotas(afterBig, 'after the big save');
    // The manager lists it under the setting. (Showing a small save: the manager's
    // first look at a 3,000-tab save takes long in Chromium, see the report.)
    const page = await openManager(browser, { select: save.id });
    await waitUntil(() => isVisible(page.page, '#sync-status .sync-not-synced li'), { what: 'the not-synced list under the setting' });
    const shown = await text(page.page, '#sync-status');
    t.log(`the manager shows: ${shown}`);
    assert.ok(shown.includes(big.name) && /too big to sync/.test(shown), 'the manager names the save too big to sync');
    // Kept with the other screenshots: the setting with its last result.
    await shootElement(page.page, '#settings-form', join(SCREENSHOTS, `${t.kind}-manager-sync-setting.png`));

    // Last, as it fails today: the merge above kept both versions, but the result
    // the page shows is that of the sync which the merge's own storage.sync writes
    // set off (storage.onChanged), which had nothing to do. The user is never told.
    assert.deepEqual(merged?.conflicts, [copyName], 'the last sync\'s result (status.sync) reports the conflict and the copy it kept');
  },
};

export const tests = [syncTest];
