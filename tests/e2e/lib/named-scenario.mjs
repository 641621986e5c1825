// The two windows the named-save, export and sync tests save: a pinned tab,
// an active tab, tab groups (Chromium; Firefox too, it has tabs.group) and a
// container (Firefox), all from the local test server.
import { testTabs, testWindows } from './scenario.mjs';
import { waitUntil } from './wait.mjs';

export const NAMED_GROUP = { title: 'Research', color: 'purple' };
export const READING_GROUP = { title: 'Reading', color: 'green' };
export const NAMED_CONTAINER = { name: 'Lifeboat Named', color: 'green', icon: 'fingerprint' };
export const NAMED_PATHS = [11, 12, 13, 14, 15, 16].map((n) => `/page/${n}`);
/** Loaded at once after a lazy restore: each window's active tab and pinned tabs. */
export const EAGER_PATHS = new Set(['/page/11', '/page/12', '/page/14']);

/**
 * Window A: /page/11 (pinned), /page/12 (active), /page/13 (tab group NAMED_GROUP on
 * Chromium, container NAMED_CONTAINER on Firefox); window B: /page/14 (active),
 * /page/15 and /page/16 (tab group READING_GROUP). `ext` (the page driving the test)
 * stays in a window of its own. Returns { windows (testWindows form), ids: [A, B] }.
 */
export async function openNamedScenario(ext, server, kind) {
  const a = await ext.call('windows.create', { url: server.pageUrl(11) });
  const [first] = await ext.call('tabs.query', { windowId: a.id });
  await ext.call('tabs.update', first.id, { pinned: true });
  await ext.call('tabs.create', { windowId: a.id, url: server.pageUrl(12), active: true });
  if (kind === 'firefox') {
    const identity = await ext.call('contextualIdentities.create', NAMED_CONTAINER);
    await ext.call('tabs.create', { windowId: a.id, url: server.pageUrl(13), active: false, cookieStoreId: identity.cookieStoreId });
  } else {
    const third = await ext.call('tabs.create', { windowId: a.id, url: server.pageUrl(13), active: false });
    const groupId = await ext.call('tabs.group', { tabIds: [third.id], createProperties: { windowId: a.id } });
    await ext.call('tabGroups.update', groupId, NAMED_GROUP);
  }
  const b = await ext.call('windows.create', { url: server.pageUrl(14) });
  const fifth = await ext.call('tabs.create', { windowId: b.id, url: server.pageUrl(15), active: false });
  const sixth = await ext.call('tabs.create', { windowId: b.id, url: server.pageUrl(16), active: false });
  const groupId = await ext.call('tabs.group', { tabIds: [fifth.id, sixth.id], createProperties: { windowId: b.id } });
  await ext.call('tabGroups.update', groupId, READING_GROUP);
  const state = await waitUntil(async () => {
    const s = await ext.state();
    const loaded = testTabs(s, server.origin).filter((t) => t.status === 'complete');
    return NAMED_PATHS.every((p) => loaded.some((t) => t.path === p)) && s;
  }, { timeout: 15_000, what: 'the scenario tabs to load' });
  return { windows: testWindows(state, server.origin), ids: [a.id, b.id] };
}

/** What the scenario must look like (testWindows form). */
export function expectedScenario(kind) {
  const tab = (n, extra = {}) => ({ path: `/page/${n}`, pinned: false, group: null, container: null, ...extra });
  return [
    [tab(11, { pinned: true }), tab(12),
      kind === 'firefox' ? tab(13, { container: NAMED_CONTAINER.name }) : tab(13, { group: NAMED_GROUP })],
    [tab(14), tab(15, { group: READING_GROUP }), tab(16, { group: READING_GROUP })],
  ];
}
