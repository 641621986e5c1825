// node tests/e2e/demo.mjs <chromium|firefox>
// Headless demo for machines without a display: open a few local pages, kill the
// browser, restart it, restore from Lifeboat's restore page, print what came back.
// The restore page is saved to tests/e2e/artifacts/demo-<browser>.png.
import { join } from 'node:path';
import { BROWSERS } from './lib/browsers.mjs';
import { openExtensionPage } from './lib/extension.mjs';
import { ARTIFACTS, runTest } from './lib/harness.mjs';
import { restartAndRestoreAll } from './lib/restore-page.mjs';
import { SETTLE_MS, allPaths, openTestTabs, testTabs } from './lib/scenario.mjs';
import { startServer } from './lib/server.mjs';
import { sleep } from './lib/wait.mjs';

const kind = process.argv[2];
if (!BROWSERS.includes(kind)) {
  console.error('usage: node tests/e2e/demo.mjs <chromium|firefox>');
  process.exit(2);
}

function describe(state, origin) {
  return state.map((w, i) => {
    const tabs = w.tabs.map((tab) => {
      const [t] = testTabs([{ tabs: [tab] }], origin);
      const extras = [tab.pinned && 'pinned', tab.group && `group "${tab.group.title}" ${tab.group.color}`,
        tab.container && `container "${tab.container}"`].filter(Boolean).join(', ');
      return `    ${t ? t.path : tab.url || "(no URL)"}  "${tab.title ?? ''}"${extras ? `  (${extras})` : ''}`;
    });
    return `  window ${i + 1}:\n${tabs.join('\n')}`;
  }).join('\n');
}

const demo = {
  name: 'demo',
  async run(t) {
    const browser = await t.launch();
    const ext = await openExtensionPage(browser);
    const before = await openTestTabs(ext, t.server, kind);
    console.log(`Opened in ${kind}:\n${describe(await ext.state(), t.server.origin)}`);
    await ext.close();
    await sleep(SETTLE_MS);

    console.log('Killing the browser (SIGKILL to its process group) and starting it again...');
    await browser.crash();
    const screenshotPath = join(ARTIFACTS, `demo-${kind}.png`);
    const { after } = await restartAndRestoreAll(browser, { origin: t.server.origin, paths: allPaths(before), screenshotPath });
    console.log(`Restore page saved to ${screenshotPath}; clicked "Restore all".`);
    console.log(`Open after the restore:\n${describe(after, t.server.origin)}`);
    const back = new Set(testTabs(after, t.server.origin).map((x) => x.path));
    const missing = allPaths(before).filter((p) => !back.has(p));
    if (missing.length) throw new Error(`not restored: ${missing.join(', ')}`);
  },
};

const server = await startServer();
const result = await runTest(demo, kind, { server });
await server.close();
console.log(result.ok ? 'Demo finished: every page came back.' : `Demo failed: ${result.error}`);
process.exitCode = result.ok ? 0 : 1;
