// The restore page, the manager and the popup for everyone (issue 15, items 3
// and 4), each run in Chromium and Firefox by run.mjs:
// - restore-page-info: before anything opens, the restore page says how long ago
//   the crash was and how many tabs "Restore all" opens (counted by the core); the
//   toolbar badge shows a crash waiting for an answer until it is restored or
//   dismissed; "Don't restore" can be undone, and the session stays listed and
//   restorable meanwhile.
// - restore-keyboard: after a crash, one chosen window is restored with the
//   keyboard alone (Tab, Shift+Tab, Space, Enter), the focus visible at every step.
// - a11y-pages: axe-core (injected by the test, never shipped) finds no serious or
//   critical violation on the three pages, light and dark; the focus is visible on
//   every control the Tab key reaches; with prefers-reduced-motion nothing moves;
//   with forced colours (Chromium: emulated) the focus ring and the chosen session
//   stay visible (Firefox: through its colour-override pref). axe's findings, all impacts, are kept in
//   tests/e2e/artifacts/<browser>-a11y-pages-axe.json.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { ExtensionPage, RESTORE_PATH, openExtensionPage } from './lib/extension.mjs';
import { clickRestoreAll, waitForRestorePage } from './lib/restore-page.mjs';
import { SETTLE_MS, openTestTabs, pathCounts, waitForPaths } from './lib/scenario.mjs';
import { MANAGER_PATH, POPUP_PATH, click, openPage } from './lib/ui.mjs';
import { sleep, waitOrNull, waitUntil } from './lib/wait.mjs';

// ------------------------------------------------------------------ helpers

const ready = (page) => page.$eval('#restore-all', (b) => !b.disabled).catch(() => false);

/** The restore page showing the crash with the test tabs (the newest crash can hold
 *  only Lifeboat's own pages after a second crash), ready to restore. */
async function restorePageReady(browser, { opensItself }) {
  let page = await waitForRestorePage(browser, opensItself ? 15_000 : 5_000);
  if (opensItself) assert.ok(page, 'the restore page opened after the crash');
  page ??= (await openExtensionPage(browser, RESTORE_PATH)).page;
  await page.setViewport({ width: 1100, height: 800 });
  if (!(await waitOrNull(() => ready(page), { timeout: 5_000 }))) {
    const { sources } = await new ExtensionPage(page).send({ type: 'overview' });
    const crash = sources.filter((x) => x.kind === 'crash').sort((a, b) => b.tabs - a.tabs)[0];
    assert.ok(crash, `the overview lists the crash: ${JSON.stringify(sources)}`);
    await click(page, `#sources button[data-source-id="${crash.id}"]`);
  }
  await waitUntil(() => ready(page), { what: 'the restore page to offer "restore all"' });
  return page;
}

/** The toolbar badge's text, as the extension set it. */
function badgeText(ext) {
  return ext.call('action.getBadgeText', {});
}

async function waitForBadge(ext, text, what) {
  const got = await waitOrNull(async () => (await badgeText(ext)) === text, { timeout: 5_000, what });
  assert.ok(got, `${what}: the badge says ${JSON.stringify(await badgeText(ext))}, not ${JSON.stringify(text)}`);
}

async function pendingCrash(ext, id) {
  const { sources } = await ext.send({ type: 'overview' });
  return sources.find((s) => s.id === id);
}

/** What has the keyboard focus, and whether it shows (a real outline). */
function focused(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return null;
    const style = getComputedStyle(a);
    const section = a.closest('section.window');
    return {
      id: a.id,
      tag: a.tagName.toLowerCase(),
      cls: String(a.className?.baseVal ?? a.className ?? ''),
      windowCheck: a.classList.contains('window-check'),
      window: section ? section.dataset.index : null,
      checked: a.checked ?? null,
      disabled: !!a.disabled,
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1
        && !/rgba\(\d+, \d+, \d+, 0\)|transparent/.test(style.outlineColor),
    };
  });
}

async function shiftTab(page) {
  await page.keyboard.down('Shift');
  await page.keyboard.press('Tab');
  await page.keyboard.up('Shift');
}

/** Presses Tab `max` times (or until focus leaves the page): every element reached
 *  must show its focus. Returns what was reached. */
async function tabThrough(page, name, max) {
  await page.bringToFront();
  // Start from the top of the page: focus a mark there and take it away.
  await page.evaluate(() => {
    const mark = document.createElement('span');
    mark.tabIndex = -1;
    document.body.prepend(mark);
    mark.focus();
    mark.remove();
  });
  const reached = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) break;
    if (reached.length && reached[0].id && f.id === reached[0].id && f.cls === reached[0].cls) break; // wrapped
    assert.ok(f.visible, `${name}: the focus shows on ${f.tag}#${f.id}.${f.cls} (outline ${f.outline})`);
    reached.push(f);
  }
  assert.ok(reached.length > 0, `${name}: Tab reaches a control`);
  return reached;
}

let axeSource = null;

/** axe-core's violations on the page as it is now (injected here, never shipped). */
async function axe(page) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(`${axeSource}\n;typeof globalThis.axe?.run === 'function'`);
  assert.ok(loaded, 'axe-core loaded into the page');
  return page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return {
      passes: result.passes.length,
      incomplete: result.incomplete.map((v) => ({
        id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 20).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      })),
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      })),
    };
  });
}

/** Emulates media features (Chromium, over CDP: puppeteer's own call knows only a
 *  few). The session stays attached: the emulation ends with it. */
const cdpSessions = new WeakMap();
async function emulate(page, features) {
  let cdp = cdpSessions.get(page);
  if (!cdp) {
    cdp = await page.createCDPSession();
    cdpSessions.set(page, cdp);
  }
  await cdp.send('Emulation.setEmulatedMedia', { features });
}

/** No element has a transition or animation that takes time. */
function moving(page) {
  return page.evaluate(() => {
    const out = [];
    for (const node of document.querySelectorAll('*')) {
      for (const pseudo of [null, '::before', '::after']) {
        const s = getComputedStyle(node, pseudo);
        const long = (list) => list.split(',').some((d) => parseFloat(d) > 0);
        if (long(s.transitionDuration) || (s.animationName !== 'none' && long(s.animationDuration))) {
          out.push(`${node.tagName.toLowerCase()}.${node.className?.baseVal ?? node.className}${pseudo ?? ''}`);
        }
      }
    }
    return out.slice(0, 10);
  });
}

// ------------------------------------------------------------------- tests

const info = {
  name: 'restore-page-info',
  async run(t) {
    const browser = await t.launch({ resumeFromCrash: false });
    const ext = await openExtensionPage(browser);
    await openTestTabs(ext, t.server, t.kind);
    await sleep(SETTLE_MS);
    assert.equal(await badgeText(ext), '', 'no badge while nothing waits');
    await ext.close();
    await browser.crash();
    await browser.restart();

    const page = await restorePageReady(browser, { opensItself: true });
    const rp = new ExtensionPage(page);
    const { sources } = await rp.send({ type: 'overview' });
    const crash = sources.find((s) => s.kind === 'crash' && s.pending);
    assert.ok(crash, `a pending crash: ${JSON.stringify(sources)}`);
    assert.equal(await page.$eval('#sources [aria-pressed="true"]', (b) => b.dataset.sourceId), crash.id, 'the crash is shown');

    // How many tabs "Restore all" opens: the core counts them, the page says so.
    const plan = await rp.send({ type: 'plan', source: crash.id });
    const toOpen = plan.windows.flatMap((w) => w.tabs).filter((x) => x.status === 'restore').length;
    assert.ok(toOpen >= 5, `the five test tabs are to be opened (${toOpen})`);
    assert.equal(plan.restorable?.tabs, toOpen, `the plan counts the tabs to open: ${JSON.stringify(plan.restorable)}`);
    const summary = await page.$eval('#plan-summary', (n) => ({ hidden: n.hidden, tabs: n.dataset.tabs, windows: n.dataset.windows, text: n.textContent }));
    t.log(`summary: ${summary.text}`);
    assert.ok(!summary.hidden, 'the page says what "Restore all" opens');
    assert.equal(Number(summary.tabs), toOpen);
    assert.equal(Number(summary.windows), plan.restorable.windows);
    assert.ok(summary.text.includes(`${toOpen} tabs`) && summary.text.includes(`${plan.restorable.windows} window`),
      `the numbers are in the text: ${summary.text}`);
    // How long ago the crash was (the session as last saved before it).
    const when = await page.$eval('#plan-crash', (n) => ({ hidden: n.hidden, text: n.textContent, ago: n.querySelector('time[data-ago]')?.dataset.ago }));
    t.log(`crash line: ${when.text}`);
    assert.ok(!when.hidden, 'the page says when the crash was');
    assert.equal(Number(when.ago), crash.takenAt, 'the time is the last save before the crash');
    assert.match(when.text, /crashed.*\bago\b/i);

    // The badge shows the waiting crash.
    await waitForBadge(rp, '1', 'a crash waits');

    // "Don't restore": the badge goes, the session stays listed and restorable.
    await click(page, '#dont-restore');
    await page.waitForSelector('#undo-dismiss', { timeout: 10_000 });
    await waitForBadge(rp, '', 'the crash was dismissed');
    const dismissed = await pendingCrash(rp, crash.id);
    assert.ok(dismissed, 'the dismissed session stays listed');
    assert.equal(dismissed.pending, false, 'it no longer waits');
    const again = await rp.send({ type: 'plan', source: crash.id });
    assert.equal(again.restorable.tabs, toOpen, 'it can still be restored');
    assert.equal(await page.$eval('#dont-restore', (b) => b.disabled), true, '"Don\'t restore" is done');
    const undoName = await page.$eval('#undo-dismiss', (b) => b.getAttribute('aria-label') || b.textContent);
    assert.match(undoName, /undo/i, `the Undo button says what it undoes: ${undoName}`);
    // The result with its Undo passes axe too.
    const { violations } = await axe(page);
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' | ')}`), [], 'axe-core on the page after "Don\'t restore"');

    // Undo: waiting again, badge back, "Don't restore" offered again.
    await click(page, '#undo-dismiss');
    await waitUntil(async () => (await pendingCrash(rp, crash.id))?.pending === true, { what: 'the crash to wait again' });
    await waitForBadge(rp, '1', 'the dismissal was undone');
    await waitUntil(() => page.$eval('#dont-restore', (b) => !b.disabled), { what: '"Don\'t restore" to be offered again' });
    assert.equal(await page.$eval('#sources [aria-pressed="true"]', (b) => b.dataset.pending), 'true', 'listed as waiting');
    assert.match(await page.$eval('#result', (n) => n.textContent), /undone/i);

    // Restored: the badge goes.
    assert.ok(await clickRestoreAll(page), '#restore-all enabled');
    const check = page.isClosed() ? await openExtensionPage(browser) : rp;
    await waitForBadge(check, '', 'the crash was restored');
    assert.equal((await pendingCrash(check, crash.id))?.pending, false, 'restored: no longer waiting');
  },
};

const keyboard = {
  name: 'restore-keyboard',
  async run(t) {
    const browser = await t.launch({ resumeFromCrash: false });
    const ext = await openExtensionPage(browser);
    const windows = await openTestTabs(ext, t.server, t.kind);
    await sleep(SETTLE_MS);
    await ext.close();
    await browser.crash();
    await browser.restart();

    const page = await restorePageReady(browser, { opensItself: true });
    // The chosen window: the one with /page/4 and /page/5.
    const chosen = await page.evaluate((origin) => [...document.querySelectorAll('section.window')]
      .find((s) => [...s.querySelectorAll('.tab')].some((x) => x.dataset.url === `${origin}/page/4`))?.dataset.index, t.server.origin);
    assert.ok(chosen != null, 'the plan shows the window with /page/4');
    const windowBoxes = await page.$$eval('.window-check:not(:disabled)', (l) => l.length);

    // Tab to every window's checkbox; Space unticks all but the chosen one.
    await page.bringToFront();
    const handled = new Set();
    const reached = [];
    for (let i = 0; i < 200 && handled.size < windowBoxes; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      assert.ok(f, `Tab ${i + 1} reached a control on the page`);
      assert.ok(f.visible, `the focus shows on ${f.tag}#${f.id}.${f.cls} (outline ${f.outline})`);
      reached.push(f.id || f.cls);
      if (!f.windowCheck || handled.has(f.window)) continue;
      handled.add(f.window);
      if (f.checked !== (f.window === chosen)) await page.keyboard.press(' '); // Space (BiDi knows it only as ' ')
      const now = await focused(page);
      assert.equal(now.checked, f.window === chosen, `window ${f.window} ${f.window === chosen ? 'ticked' : 'unticked'} with Space`);
    }
    assert.equal(handled.size, windowBoxes, `Tab reached every window's checkbox (${reached.join(', ')})`);
    const selected = await page.$$eval('.tab-check:checked:not(:disabled)', (l) => l.map((b) => b.closest('section.window').dataset.index));
    assert.ok(selected.length >= 2 && selected.every((w) => w === chosen), `only the chosen window's tabs are ticked: ${selected}`);
    t.log(`selection: ${await page.$eval('#selection-count', (n) => n.textContent)}`);

    // Back to "Restore selected" (it is above the windows), Enter.
    let onButton = false;
    for (let i = 0; i < 60 && !onButton; i++) {
      await shiftTab(page);
      const f = await focused(page);
      assert.ok(f?.visible, `the focus shows on ${f?.tag}#${f?.id}.${f?.cls}`);
      onButton = f.id === 'restore-selected';
    }
    assert.ok(onButton, 'Shift+Tab reaches "Restore selected"');
    await page.keyboard.press('Enter');

    await waitUntil(() => page.$eval('#result', (n) => !n.hidden && /result-(success|partial)/.test(n.className)), { what: 'the restore result' });
    const paths = windows.find((w) => w.some((x) => x.path === '/page/4')).map((x) => x.path);
    const after = await waitForPaths(new ExtensionPage(page), t.server.origin, paths);
    const counts = pathCounts(after, t.server.origin);
    t.keep('state-after-restore.json', after);
    assert.deepEqual(counts, Object.fromEntries(paths.map((p) => [p, 1])), 'only the chosen window was restored, each tab once');
    // The result is announced and the focus is not lost.
    const f = await focused(page);
    assert.ok(f, 'the focus stays on the page after the restore');
  },
};

// Firefox: dark pages (ui.systemUsesDarkTheme for the browser's own theme, the
// content override for web and extension pages), reduced motion.
const FIREFOX_DARK = { 'ui.systemUsesDarkTheme': 1, 'layout.css.prefers-color-scheme.content-override': 0, 'ui.prefersReducedMotion': 1 };

const pages = {
  name: 'a11y-pages',
  timeout: 180_000,
  async run(t) {
    const browser = await t.launch();
    const ext = await openExtensionPage(browser, POPUP_PATH);
    await openTestTabs(ext, t.server, t.kind);
    const { save } = await ext.send({ type: 'named.save', name: 'Trip to Lisbon', scope: 'all' });
    await ext.send({ type: 'named.tags', id: save.id, tags: ['travel'] });
    await ext.close();
    await sleep(SETTLE_MS);
    await browser.crash();
    await browser.restart();

    const findings = [];
    const serious = [];
    const check = async (page, name, scheme) => {
      const dark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
      assert.equal(dark, scheme === 'dark', `${name} is shown ${scheme}`);
      const { passes, incomplete, violations } = await axe(page);
      findings.push({ page: name, scheme, passes, incomplete, violations });
      t.log(`axe ${name} ${scheme}: ${passes} rules passed, ${violations.length} violated, to check by hand: ${incomplete.map((v) => `${v.id} (${v.nodes.length})`).join(', ') || 'none'}`);
      assert.ok(passes > 10, `axe ran its rules on ${name}`);
      for (const v of violations) {
        t.log(`axe ${name} ${scheme}: ${v.impact} ${v.id} (${v.help}) ${v.nodes.slice(0, 3).map((n) => n.target).join(' | ')}`);
        if (v.impact === 'serious' || v.impact === 'critical') serious.push(`${name} ${scheme}: ${v.impact} ${v.id}: ${v.nodes.map((n) => n.target).join(' | ')}`);
      }
    };
    const open = async (opensItself) => ({
      restore: await restorePageReady(browser, { opensItself }),
      popup: (await openPage(browser, POPUP_PATH, () => document.querySelectorAll('#saves li.save').length >= 1
        && !document.querySelector('#status.is-loading'))).page,
      manager: (await openPage(browser, `${MANAGER_PATH}#select=${encodeURIComponent(save.id)}`,
        () => !!document.querySelector('#detail .windows') && !document.getElementById('settings-save').disabled)).page,
    });
    const pass = async (all, scheme) => {
      await all.popup.setViewport({ width: 360, height: 600 });
      await all.manager.setViewport({ width: 1280, height: 900 });
      for (const [name, page] of Object.entries(all)) {
        if (t.kind === 'chromium') await emulate(page, [{ name: 'prefers-color-scheme', value: scheme }]);
        await page.bringToFront();
        await sleep(300);
        await check(page, name, scheme);
        const reached = await tabThrough(page, `${name} ${scheme}`, 40);
        t.log(`${name} ${scheme}: Tab reached ${reached.length} controls, each with a visible focus`);
      }
    };

    if (t.kind === 'firefox') {
      // Puppeteer cannot emulate media features over BiDi: light now, then dark
      // and reduced motion through prefs, which Firefox reads at its next start.
      await pass(await open(true), 'light');
      appendFileSync(`${browser.profile}/user.js`, `${Object.entries(FIREFOX_DARK)
        .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n')}\n`);
      await browser.crash();
      await browser.restart();
      const all = await open(false);
      await pass(all, 'dark');
      for (const [name, page] of Object.entries(all)) {
        assert.ok(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches), `${name}: reduced motion is asked for`);
        assert.deepEqual(await moving(page), [], `${name}: nothing moves with reduced motion`);
      }
      // Forced colours: Firefox's "override the colours of pages: always".
      appendFileSync(`${browser.profile}/user.js`, 'user_pref("browser.display.document_color_use", 2);\n');
      await browser.crash();
      await browser.restart();
      const forced = await open(false);
      for (const [name, page] of Object.entries(forced)) {
        await page.bringToFront();
        assert.ok(await page.evaluate(() => matchMedia('(forced-colors: active)').matches), `${name}: forced colours are on`);
        await tabThrough(page, `${name} forced colours`, 15);
      }
      const mark = await forced.restore.$eval('#sources [aria-pressed="true"]', (b) => getComputedStyle(b).outlineStyle);
      assert.notEqual(mark, 'none', 'forced colours: the chosen session is outlined');
    } else {
      const all = await open(true);
      await pass(all, 'light');
      await pass(all, 'dark');
      for (const [name, page] of Object.entries(all)) {
        await emulate(page, [{ name: 'prefers-reduced-motion', value: 'reduce' }]);
        assert.ok(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches), `${name}: reduced motion is asked for`);
        assert.deepEqual(await moving(page), [], `${name}: nothing moves with reduced motion`);
        // Forced colours: the focus ring survives, and the chosen session stays marked.
        await emulate(page, [{ name: 'forced-colors', value: 'active' }]);
        assert.ok(await page.evaluate(() => matchMedia('(forced-colors: active)').matches), `${name}: forced colours are on`);
        await tabThrough(page, `${name} forced colours`, 15);
        if (name === 'restore') {
          const mark = await page.$eval('#sources [aria-pressed="true"]', (b) => getComputedStyle(b).outlineStyle);
          assert.notEqual(mark, 'none', 'forced colours: the chosen session is outlined');
        }
        await emulate(page, []);
      }
    }
    mkdirSync(dirname(t.artifact('axe.json')), { recursive: true });
    writeFileSync(t.artifact('axe.json'), JSON.stringify(findings, null, 2));
    assert.deepEqual(serious, [], 'axe-core: no serious or critical violation');
  },
};

export const tests = [info, keyboard, pages];
