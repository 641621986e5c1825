// Screenshots of the popup (360 px wide), the restore page after a crash and the
// manager, light and dark, in English (`screenshots`) and German
// (`screenshots-de`: the browser's UI language, long words), in each browser
// run.mjs runs; kept in
// tests/e2e/artifacts/screenshots/<browser>-<lang>-<page>-<light|dark>.png whatever
// the outcome, to be looked at. The test asserts that each page rendered its
// content, in the language asked for (the page's lang, every data-i18n text that
// language's message, no English sentence left where the language differs), and
// that dark really is dark (the page background's luminance).
// LIFEBOAT_UPDATE_SCREENSHOTS=1 also copies them (not the narrow manager) to
// tests/e2e/screenshots/, the committed set (see tests/e2e/README.md).
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExtensionPage, RESTORE_PATH, openExtensionPage } from './lib/extension.mjs';
import { ARTIFACTS } from './lib/harness.mjs';
import { waitForRestorePage } from './lib/restore-page.mjs';
import { SETTLE_MS, openTestTabs } from './lib/scenario.mjs';
import { MANAGER_PATH, POPUP_PATH, click, openPage, shoot } from './lib/ui.mjs';
import { sleep, waitOrNull, waitUntil } from './lib/wait.mjs';

export const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
const HERE = dirname(fileURLToPath(import.meta.url));
const COMMITTED = join(HERE, 'screenshots');
const LOCALES = resolve(HERE, '../../www/_locales');

/** A locale's messages: key -> text. */
function messages(lang) {
  const json = JSON.parse(readFileSync(join(LOCALES, lang, 'messages.json'), 'utf8'));
  return Object.fromEntries(Object.entries(json).map(([key, m]) => [key, m.message]));
}

/** Asserts `page` speaks `lang`: its lang attribute, each data-i18n node that
 *  locale's message, and (other than English) no English message where the
 *  locale says something else. */
async function assertLanguage(t, page, name, lang) {
  const want = messages(lang);
  const englishOf = messages('en');
  const shown = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    nodes: [...document.querySelectorAll('[data-i18n]')].map((n) => [n.dataset.i18n, n.textContent]),
    text: document.body.innerText,
  }));
  assert.ok(shown.lang.toLowerCase().startsWith(lang), `${name}: <html lang> is ${lang} (${shown.lang}); `
    + 'the browser needs its language files for it (Debian: chromium-l10n, firefox-esr-l10n-de; ./build.sh installs them)');
  // A page may put other text into a marked node later (a heading that tells
  // more): count the ones still showing their message, and any in English.
  const plain = shown.nodes.filter(([key]) => want[key] && !want[key].includes('$'));
  const translated = plain.filter(([key, text]) => text === want[key]);
  assert.ok(translated.length >= 5, `${name}: data-i18n texts in ${lang} (${translated.length} of ${plain.length})`);
  const english = plain.filter(([key, text]) => lang !== 'en' && text === englishOf[key] && text !== want[key]);
  assert.deepEqual(english, [], `${name}: no data-i18n text left in English`);
  if (lang !== 'en') {
    const leftovers = Object.entries(englishOf).filter(([key, en]) => en.length >= 12 && !en.includes('$')
      && want[key] !== en && shown.text.includes(en)).map(([key, en]) => `${key}: ${en}`);
    // Checked at the end, so that the screenshots show where they are.
    if (leftovers.length) t.leftovers.push(`${name}: ${leftovers.join('; ')}`);
  }
}

/** Emulates prefers-color-scheme on the page; false if the browser cannot. */
async function colorScheme(page, value) {
  try {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value }]);
  } catch {
    return false;
  }
  return page.evaluate((value) => matchMedia(`(prefers-color-scheme: ${value})`).matches, value);
}

/** Relative luminance (0 black … 1 white) of the body's computed background. */
function backgroundLuminance(page) {
  return page.evaluate(() => {
    let node = document.body;
    let colour = 'rgba(0, 0, 0, 0)';
    while (node) {
      colour = getComputedStyle(node).backgroundColor;
      if (!/rgba\(.*,\s*0\)$/.test(colour) && colour !== 'transparent') break;
      node = node.parentElement;
    }
    const [r, g, b] = colour.match(/[\d.]+/g).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  });
}

/** Screenshots of one page in each of `schemes`: emulated where the browser can
 *  (Chromium), else only the scheme the page is in now (Firefox: set by a pref). */
async function shootSchemes(t, page, name, schemes, options = {}) {
  const taken = [];
  for (const scheme of schemes) {
    if (!(await colorScheme(page, scheme))) {
      const now = await page.evaluate(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
      if (now !== scheme) {
        t.log(`${name}: cannot show ${scheme} here (the page is ${now})`);
        continue;
      }
    }
    await sleep(300); // transitions
    const luminance = await backgroundLuminance(page);
    if (scheme === 'dark') assert.ok(luminance < 0.1, `${name} in dark: a dark background (luminance ${luminance.toFixed(3)})`);
    else assert.ok(luminance > 0.6, `${name} in light: a light background (luminance ${luminance.toFixed(3)})`);
    const path = join(SCREENSHOTS, `${t.kind}-${t.lang}-${name}-${scheme}.png`);
    await shoot(page, path, options);
    taken.push(path);
  }
  return taken;
}

/** The restore page (opened by the extension after the crash, or by hand), the
 *  popup and the manager, each in `schemes`. */
async function shootPages(t, browser, { saveId, schemes, restoreOpensItself }) {
  let restorePage = await waitForRestorePage(browser, restoreOpensItself ? 15_000 : 5_000);
  if (restoreOpensItself) assert.ok(restorePage, 'the restore page opened after the crash');
  restorePage ??= (await openExtensionPage(browser, RESTORE_PATH)).page;
  await restorePage.setViewport({ width: 1100, height: 800 });
  // After Firefox's second crash (dark pass) the newest crash holds only Lifeboat's
  // pages: show the first crash, with the test tabs, as the user would pick it.
  const ready = () => restorePage.$eval('#restore-all', (b) => !b.disabled);
  if (!(await waitOrNull(ready, { timeout: 5_000 }))) {
    const { sources } = await new ExtensionPage(restorePage).send({ type: 'overview' });
    const crash = sources.filter((x) => x.kind === 'crash').sort((a, b) => b.tabs - a.tabs)[0];
    assert.ok(crash, `the overview lists the crash: ${JSON.stringify(sources)}`);
    await click(restorePage, `#sources button[data-source-id="${crash.id}"]`);
  }
  await waitUntil(ready, { what: 'the restore page to offer "restore all"' });
  await assertLanguage(t, restorePage, 'restore', t.lang);
  const taken = await shootSchemes(t, restorePage, 'restore', schemes);

  // The popup, at popup size.
  const popup = await openPage(browser, POPUP_PATH, () => document.querySelectorAll('#saves li.save').length >= 2
    && !document.querySelector('#status.is-loading'));
  await popup.page.setViewport({ width: 360, height: 600 });
  const popupWidth = await popup.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(popupWidth <= 360, `the popup fits 360 px without scrolling sideways (${popupWidth} px)`);
  await assertLanguage(t, popup.page, 'popup', t.lang);
  taken.push(...await shootSchemes(t, popup.page, 'popup', schemes));

  // The manager, a save selected; also narrow, as a small window shows it.
  const manager = await openPage(browser, `${MANAGER_PATH}#select=${encodeURIComponent(saveId)}`,
    () => !!document.querySelector('#detail .windows') && !document.getElementById('settings-save').disabled);
  await manager.page.setViewport({ width: 1280, height: 900 });
  const managerWidth = await manager.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(managerWidth <= 1280, `the manager fits 1280 px (${managerWidth} px)`);
  await assertLanguage(t, manager.page, 'manager', t.lang);
  // A sentence of the core's is shown in the page's language too (issue 15):
  // a failure names its message (`code`), which the page translates.
  const failure = await manager.page.evaluate(async () => {
    const { send } = await import(new URL('./common.js', location.href).href);
    try {
      await send({ type: 'export', sources: [] });
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  });
  assert.equal(failure, messages(t.lang).errNothingToExport, `the core's failure is shown in ${t.lang}`);
  taken.push(...await shootSchemes(t, manager.page, 'manager', schemes));
  await manager.page.setViewport({ width: 600, height: 900 });
  await sleep(300);
  const narrow = await manager.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(narrow <= 600, `the manager fits 600 px (${narrow} px)`);
  taken.push(...await shootSchemes(t, manager.page, 'manager-narrow', schemes));
  for (const page of [restorePage, popup.page, manager.page]) await colorScheme(page, 'light');
  return taken;
}

/** The test for one language: 'en' (the browsers' default here) or another locale. */
const screenshotsIn = (lang) => ({
  name: lang === 'en' ? 'screenshots' : `screenshots-${lang}`,
  timeout: 150_000,
  async run(harness) {
    const t = { ...harness, lang, leftovers: [] };
    const browser = await t.launch(lang === 'en' ? {} : { lang });
    const ext = await openExtensionPage(browser, POPUP_PATH);
    await openTestTabs(ext, t.server, t.kind);
    // Named saves for the lists: one with tags, one of a single window.
    const { save } = await ext.send({ type: 'named.save', name: 'Trip to Lisbon', scope: 'all' });
    await ext.send({ type: 'named.tags', id: save.id, tags: ['travel', 'summer'] });
    const own = await ext.call('windows.getCurrent');
    await ext.send({ type: 'named.save', name: 'Reading list — a name long enough to need wrapping in the popup', scope: 'window', windowId: own.id });
    await ext.close();
    await sleep(SETTLE_MS);
    await browser.crash();
    await browser.restart();

    const taken = [];
    if (t.kind === 'firefox') {
      // Puppeteer cannot emulate prefers-color-scheme over BiDi: light now, then
      // dark through prefs, which Firefox reads at its (next) start.
      taken.push(...await shootPages(t, browser, { saveId: save.id, schemes: ['light'], restoreOpensItself: true }));
      appendFileSync(join(browser.profile, 'user.js'), `${Object.entries(FIREFOX_DARK)
        .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n')}\n`);
      await browser.crash();
      await browser.restart();
      taken.push(...await shootPages(t, browser, { saveId: save.id, schemes: ['dark'], restoreOpensItself: false }));
    } else {
      taken.push(...await shootPages(t, browser, { saveId: save.id, schemes: ['light', 'dark'], restoreOpensItself: true }));
    }
    t.log(`screenshots:\n  ${taken.join('\n  ')}`);
    const expected = ['restore', 'popup', 'manager', 'manager-narrow'].flatMap((p) => [`${p}-light`, `${p}-dark`]);
    const prefix = `${t.kind}-${lang}-`;
    assert.deepEqual(taken.map((p) => basename(p)).filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length, -4)).sort(),
      expected.sort(), 'every screenshot taken');
    assert.deepEqual(t.leftovers, [], `no English sentence left in ${lang}`);
    if (process.env.LIFEBOAT_UPDATE_SCREENSHOTS) {
      mkdirSync(COMMITTED, { recursive: true });
      // The narrow manager is the same page: it stays an artifact.
      for (const path of taken.filter((p) => !p.includes('-manager-narrow-'))) copyFileSync(path, join(COMMITTED, basename(path)));
      t.log(`copied to ${COMMITTED}`);
    }
  },
});

// Firefox: dark pages (ui.systemUsesDarkTheme for the browser's own theme,
// the content override for web and extension pages).
const FIREFOX_DARK = { 'ui.systemUsesDarkTheme': 1, 'layout.css.prefers-color-scheme.content-override': 0 };

export const tests = [screenshotsIn('en'), screenshotsIn('de')];
