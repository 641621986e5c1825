// Launch, crash, restart and close a real browser with the built extension,
// and connect puppeteer-core to it. One BrowserSession = one profile; a restart
// reuses the profile, as a user's next start after a crash does.
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { freePort } from './ports.mjs';
import { groupMembers, killGroup, spawnGroup, waitGroupGone } from './procs.mjs';
import { FIREFOX_EXTENSION_UUID, prepareChromiumProfile, prepareFirefoxProfile } from './profile.mjs';
import { waitUntil, withTimeout } from './wait.mjs';

export const BROWSERS = ['chromium', 'firefox'];

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// LIFEBOAT_DIST lets the harness run against another build (e.g. a throwaway extension).
const DIST = resolve(process.env.LIFEBOAT_DIST ?? join(REPO, 'dist'));

const EXECUTABLE = {
  // The real binary: the /usr/bin/chromium wrapper adds flags and noise of its own.
  chromium: process.env.CHROMIUM_BIN ?? '/usr/lib/chromium/chromium',
  firefox: process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr',
};

// What each browser prints once its remote endpoint accepts connections.
const READY_LINE = {
  chromium: /DevTools listening on ws:\/\//,
  firefox: /WebDriver BiDi listening on ws:\/\//,
};

function browserArgs(kind, profile, port, lang) {
  if (kind === 'chromium') {
    return [
      ...(lang ? [`--lang=${lang}`] : []),
      '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-quic', `--user-data-dir=${profile}`, `--remote-debugging-port=${port}`,
      // Without this, recent Chrome ignores --load-extension.
      '--disable-features=DisableLoadExtensionCommandLineSwitch',
      `--load-extension=${join(DIST, 'chrome')}`,
      'about:blank',
    ];
  }
  // No start URL for Firefox: a command-line URL is opened on top of whatever
  // Firefox restores, which is not what a user's plain start does.
  return ['--headless', '--profile', profile, '--remote-debugging-port', String(port),
    '--remote-allow-system-access'];
}

/**
 * Starts `kind` ('chromium' | 'firefox') on a new profile under `dir`.
 * resumeFromCrash: Firefox's browser.sessionstore.resume_from_crash.
 * restoreOnStartup: Chromium's "continue where you left off".
 * firefoxPrefs: more user.js prefs.
 * lang: the browser's UI language (e.g. 'de'), which the extension's pages
 *   follow; needs the browser's language files (chromium-l10n,
 *   firefox-esr-l10n-<lang>: ./build.sh setup installs German).
 */
export async function launchBrowser(kind, { dir, resumeFromCrash = false, restoreOnStartup = false, firefoxPrefs = {}, lang = null }) {
  if (!BROWSERS.includes(kind)) throw new Error(`unknown browser ${kind}`);
  const session = new BrowserSession(kind, dir, lang);
  mkdirSync(session.profile, { recursive: true });
  if (kind === 'firefox') {
    prepareFirefoxProfile(session.profile, {
      xpi: join(DIST, 'lifeboat-firefox.xpi'), resumeFromCrash,
      // Firefox takes its UI language from this pref (and the language pack it names).
      extraPrefs: { ...(lang ? { 'intl.locale.requested': lang } : {}), ...firefoxPrefs },
    });
  } else {
    if (!existsSync(join(DIST, 'chrome', 'manifest.json'))) throw new Error(`missing ${DIST}/chrome: run ./build.sh first`);
    prepareChromiumProfile(session.profile, { restoreOnStartup });
  }
  try {
    await session.start();
  } catch (error) {
    await session.close(); // the caller never gets the session, so end it here
    throw error;
  }
  return session;
}

export class BrowserSession {
  constructor(kind, dir, lang = null) {
    this.kind = kind;
    this.lang = lang;
    this.profile = join(dir, 'profile');
    this.logPath = join(dir, 'browser.log');
    this.proc = null;
    this.browser = null; // puppeteer Browser while connected
    // Chromium's id comes from the extension's path; learnt at the first start.
    this.extensionOrigin = kind === 'firefox' ? `moz-extension://${FIREFOX_EXTENSION_UUID}/` : null;
    this.starts = 0;
    this.closed = false; // after close() nothing may start it again (e.g. a timed-out test still running)
  }

  /** Starts the browser on this profile and connects puppeteer. */
  async start() {
    if (this.closed) throw new Error('browser session already closed');
    if (this.proc && !this.proc.hasExited()) throw new Error('browser already running');
    const port = await freePort();
    this.starts += 1;
    appendFileSync(this.logPath, `\n===== start #${this.starts} at ${new Date().toISOString()}, port ${port} =====\n`);
    const logOffset = statSync(this.logPath).size;
    this.proc = spawnGroup(EXECUTABLE[this.kind], browserArgs(this.kind, this.profile, port, this.lang), {
      logPath: this.logPath,
      // Chromium on Linux reads its UI language from the environment as well as --lang.
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', ...(this.lang ? { LANGUAGE: this.lang } : {}) },
    });
    await waitUntil(() => {
      if (this.proc.hasExited()) throw new Error(`${this.kind} exited during start-up; see ${this.logPath}`);
      return READY_LINE[this.kind].test(readFileSync(this.logPath, 'utf8').slice(logOffset));
    }, { timeout: 30_000, interval: 100, what: `${this.kind} remote endpoint` });
    this.browser = await this.#connect(port);
    if (!this.extensionOrigin) this.extensionOrigin = await this.#chromiumExtensionOrigin();
  }

  async #connect(port) {
    // No call needs long; a hung one should fail the test, not stall it for puppeteer's 3 min.
    const common = { defaultViewport: null, protocolTimeout: 20_000 };
    if (this.kind === 'chromium') {
      return puppeteer.connect({ ...common, browserURL: `http://127.0.0.1:${port}` });
    }
    return puppeteer.connect({ ...common, browserWSEndpoint: `ws://127.0.0.1:${port}/session`, protocol: 'webDriverBiDi' });
  }

  async #chromiumExtensionOrigin() {
    const worker = await this.browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
      { timeout: 15_000 },
    );
    // Not new URL().origin: that is "null" for a chrome-extension: URL.
    return worker.url().match(/^chrome-extension:\/\/[^/]+\//)[0];
  }

  /** The puppeteer connection dies with the browser; drop it first so nothing waits on it. */
  async disconnect() {
    const browser = this.browser;
    this.browser = null;
    if (browser) await withTimeout(browser.disconnect(), 3_000, 'puppeteer disconnect').catch(() => {});
  }

  /** A crash as the OS sees one: SIGKILL to the whole process group. */
  async crash() {
    await this.disconnect();
    killGroup(this.proc.pgid);
    await waitGroupGone(this.proc);
  }

  async restart() {
    await this.start();
  }

  /** For a user-initiated quit: true if the browser exited by itself within graceMs;
   *  otherwise (or if some of its processes linger) the group is killed. */
  async waitForExit(graceMs) {
    await this.disconnect();
    const exitedByItself = await Promise.race([
      this.proc.exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), graceMs)),
    ]);
    if (exitedByItself) await waitUntil(() => groupMembers(this.proc.pgid).length === 0, { timeout: 5_000 }).catch(() => {});
    killGroup(this.proc.pgid);
    await waitGroupGone(this.proc);
    return exitedByItself;
  }

  /** Always ends the process group; safe to call twice or after a crash. */
  async close() {
    this.closed = true;
    await this.disconnect();
    if (!this.proc) return;
    killGroup(this.proc.pgid);
    await waitGroupGone(this.proc);
  }
}
