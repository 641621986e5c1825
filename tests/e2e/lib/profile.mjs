// Fresh browser profiles, prepared once before the first start.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GECKO_ID = 'lifeboat@lifeboat';
// Pinned through extensions.webextensions.uuids so page URLs are known in advance.
export const FIREFOX_EXTENSION_UUID = '4f1e2b6a-7c3d-4e5f-9a0b-1c2d3e4f5a6b';

/** For an unsigned profile-installed add-on and a quiet browser (the bench uses them too). */
export const QUIET_FIREFOX_PREFS = {
  'xpinstall.signatures.required': false,
  'extensions.autoDisableScopes': 0,
  'extensions.enabledScopes': 15,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'app.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'browser.safebrowsing.update.enabled': false,
  'network.captive-portal-service.enabled': false,
};

const FIREFOX_PREFS = {
  ...QUIET_FIREFOX_PREFS,
  'privacy.userContext.enabled': true, // containers
  'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_EXTENSION_UUID }),
};

/** Installs the .xpi into the profile and writes user.js. Call once per profile:
 *  Firefox reinstalls an add-on whose .xpi changed, which would look like an update. */
export function prepareFirefoxProfile(dir, { xpi, resumeFromCrash, extraPrefs = {} }) {
  if (!existsSync(xpi)) throw new Error(`missing ${xpi}: run ./build.sh first`);
  mkdirSync(join(dir, 'extensions'), { recursive: true });
  copyFileSync(xpi, join(dir, 'extensions', `${GECKO_ID}.xpi`));
  // The remote agent turns resume_from_crash off unless user.js sets it: always set it.
  const prefs = { ...FIREFOX_PREFS, 'browser.sessionstore.resume_from_crash': resumeFromCrash, ...extraPrefs };
  const lines = Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`);
  writeFileSync(join(dir, 'user.js'), lines.join('\n') + '\n');
}

/** restoreOnStartup: Chromium's "continue where you left off" (session.restore_on_startup = 1). */
export function prepareChromiumProfile(dir, { restoreOnStartup }) {
  mkdirSync(join(dir, 'Default'), { recursive: true });
  if (restoreOnStartup) {
    writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify({ session: { restore_on_startup: 1 } }));
  }
}
