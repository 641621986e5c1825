// The session the tests build before a crash, and how to compare sessions.
import { waitUntil } from './wait.mjs';

export const SETTLE_MS = 2_500; // the extension persists within ~1 s of the last change
export const GROUP = { title: 'Trip', color: 'blue' };
export const CONTAINER = { name: 'Lifeboat Work', color: 'orange', icon: 'briefcase' };

/**
 * Window A: /page/1 (pinned), /page/2, /page/3 (in tab group GROUP on Chromium,
 * in container CONTAINER on Firefox); window B: /page/4, /page/5.
 * Returns the browser's own account of them (testWindows form) once all have loaded.
 */
export async function openTestTabs(ext, server, kind) {
  const home = await ext.call('windows.getCurrent');
  const create = (props) => ext.call('tabs.create', { windowId: home.id, active: false, ...props });
  await create({ url: server.pageUrl(1), pinned: true });
  await create({ url: server.pageUrl(2) });
  if (kind === 'firefox') {
    const identity = await ext.call('contextualIdentities.create', CONTAINER);
    await create({ url: server.pageUrl(3), cookieStoreId: identity.cookieStoreId });
  } else {
    const tab = await create({ url: server.pageUrl(3) });
    const groupId = await ext.call('tabs.group', { tabIds: [tab.id] });
    await ext.call('tabGroups.update', groupId, GROUP);
  }
  const other = await ext.call('windows.create', { url: server.pageUrl(4) });
  await ext.call('tabs.create', { windowId: other.id, url: server.pageUrl(5) });
  const paths = [1, 2, 3, 4, 5].map((n) => `/page/${n}`);
  const state = await waitUntil(async () => {
    const s = await ext.state();
    const loaded = testTabs(s, server.origin).filter((t) => t.status === 'complete');
    return paths.every((p) => loaded.some((t) => t.path === p)) && s;
  }, { timeout: 15_000, what: 'the test tabs to load' });
  return testWindows(state, server.origin);
}

/** Tabs showing our test pages, with `path` (e.g. "/page/3") added. */
export function testTabs(state, origin) {
  return state.flatMap((w) => w.tabs)
    .filter((t) => t.url.startsWith(`${origin}/`))
    .map((t) => ({ ...t, path: t.url.slice(origin.length) }));
}

/** The comparable part of a session: per window, its test tabs in order with pinned,
 *  group and container; windows without test tabs dropped; windows sorted by first path
 *  (window ids and non-test tabs such as a start page are not ours to compare). */
export function testWindows(state, origin) {
  return state
    .map((w) => testTabs([w], origin).map(({ path, pinned, group, container }) => ({ path, pinned, group, container })))
    .filter((tabs) => tabs.length > 0)
    .sort((a, b) => a[0].path.localeCompare(b[0].path));
}

/** { "/page/1": 1, ... } over every open tab. */
export function pathCounts(state, origin) {
  const counts = {};
  for (const t of testTabs(state, origin)) counts[t.path] = (counts[t.path] ?? 0) + 1;
  return counts;
}

export const allPaths = (windows) => windows.flat().map((t) => t.path);

/** Waits until every path is open at least once, lets late tabs arrive, returns the state. */
export async function waitForPaths(ext, origin, paths, { timeout = 15_000, settleMs = 1_500 } = {}) {
  await waitUntil(async () => {
    const counts = pathCounts(await ext.state(), origin);
    return paths.every((p) => counts[p] >= 1);
  }, { timeout, what: `tabs ${paths.join(', ')} to be open` }).catch(() => {}); // the caller asserts on what is there
  await new Promise((r) => setTimeout(r, settleMs));
  return ext.state();
}
