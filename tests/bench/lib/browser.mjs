// A browser for the bench: a profile with the bench driver extension and,
// optionally, Lifeboat; optionally run under strace (the browser in its own
// process group under strace's, so a SIGKILL of the browser's group lets strace
// flush its trace and exit by itself). Reuses the e2e harness's process groups,
// ports and waits; the e2e BrowserSession cannot be wrapped in strace, hence this.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../e2e/lib/ports.mjs';
import { groupMembers, killGroup, spawnGroup, waitGroupGone } from '../../e2e/lib/procs.mjs';
import { callApi } from '../../e2e/lib/extension.mjs';
import { FIREFOX_EXTENSION_UUID, GECKO_ID, QUIET_FIREFOX_PREFS } from '../../e2e/lib/profile.mjs';
import { sleep, waitUntil } from '../../e2e/lib/wait.mjs';
import { BidiBrowser, CdpBrowser } from './remote.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '../../..');

export const EXECUTABLE = {
  chromium: process.env.CHROMIUM_BIN ?? '/usr/lib/chromium/chromium',
  firefox: process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr',
};
const READY_LINE = { chromium: /DevTools listening on ws:\/\//, firefox: /WebDriver BiDi listening on ws:\/\// };

export const DRIVER_GECKO_ID = 'bench-driver@lifeboat';
export const DRIVER_UUID = '0b5e1c2d-3f4a-4b6c-8d7e-9f0a1b2c3d4e';
export const SYSCALLS = 'write,pwrite64,pwritev,pwritev2';

/** Chromium's id of an unpacked extension: from the SHA-256 of its absolute path. */
export function chromiumExtensionId(path) {
  const hex = createHash('sha256').update(path).digest('hex').slice(0, 32);
  return [...hex].map((h) => String.fromCharCode(97 + parseInt(h, 16))).join('');
}

/** The driver extension, built once per bench run under `root`: root/driver-chrome (unpacked)
 *  and root/driver-firefox.xpi. */
export function buildDriver(root) {
  const base = {
    manifest_version: 3, name: 'Lifeboat bench driver', version: '1.0',
    description: 'Acts on tabs for the Lifeboat bench', permissions: ['tabs'],
  };
  const chrome = join(root, 'driver-chrome');
  const ff = join(root, 'driver-firefox');
  for (const [dir, manifest] of [[chrome, base],
    [ff, { ...base, browser_specific_settings: { gecko: { id: DRIVER_GECKO_ID, strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } } } }]]) {
    mkdirSync(dir, { recursive: true });
    cpSync(join(HERE, 'driver'), dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }
  const xpi = join(root, 'driver-firefox.xpi');
  rmSync(xpi, { force: true });
  execFileSync('zip', ['-q', '-r', '-X', xpi, '.'], { cwd: ff });
  return { chrome, xpi };
}

const FIREFOX_PREFS = {
  // As the e2e harness, for an unsigned profile-installed add-on.
  ...QUIET_FIREFOX_PREFS,
  'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_EXTENSION_UUID, [DRIVER_GECKO_ID]: DRIVER_UUID }),
  // Firefox's default; the remote agent turns it off unless user.js sets it.
  'browser.sessionstore.resume_from_crash': true,
};

/**
 * opts: { lifeboat: bool, dist, driver: buildDriver() result,
 *         firefoxPrefs: {}, chromiumRestore: bool ("continue where you left off") }
 */
export class BenchBrowser {
  constructor(kind, dir, opts) {
    this.kind = kind;
    this.dir = dir;
    this.opts = opts;
    this.profile = join(dir, 'profile');
    this.logPath = join(dir, 'browser.log');
    this.starts = 0;
    this.remote = null;
    this.proc = null; // the group we spawned (strace's or the browser's)
    this.browserPgid = null;
    this.lifeboatOrigin = kind === 'firefox' ? `moz-extension://${FIREFOX_EXTENSION_UUID}/` : null;
    this.driverOrigin = kind === 'firefox' ? `moz-extension://${DRIVER_UUID}/` : null;
    this.prepare();
  }

  prepare() {
    mkdirSync(this.profile, { recursive: true });
    const { lifeboat, dist, driver } = this.opts;
    if (this.kind === 'firefox') {
      mkdirSync(join(this.profile, 'extensions'), { recursive: true });
      cpSync(driver.xpi, join(this.profile, 'extensions', `${DRIVER_GECKO_ID}.xpi`));
      if (lifeboat) {
        const xpi = join(dist, 'lifeboat-firefox.xpi');
        if (!existsSync(xpi)) throw new Error(`missing ${xpi}: build the bench extension first (./build.sh bench)`);
        cpSync(xpi, join(this.profile, 'extensions', `${GECKO_ID}.xpi`));
      }
      const prefs = { ...FIREFOX_PREFS, ...(this.opts.firefoxPrefs ?? {}) };
      writeFileSync(join(this.profile, 'user.js'),
        Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n') + '\n');
    } else {
      this.extensions = [driver.chrome];
      if (lifeboat) {
        const dir = resolve(join(dist, 'chrome'));
        if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`missing ${dir}: build the bench extension first`);
        this.extensions.push(dir);
        this.lifeboatOrigin = `chrome-extension://${chromiumExtensionId(dir)}/`;
      }
      this.driverOrigin = `chrome-extension://${chromiumExtensionId(driver.chrome)}/`;
      mkdirSync(join(this.profile, 'Default'), { recursive: true });
      if (this.opts.chromiumRestore) setChromiumRestore(this.profile, true);
    }
  }

  args(port) {
    if (this.kind === 'chromium') {
      // --password-store=basic: a fixed OSCrypt key. Without a keyring each run gets a new
      // key, the encrypted hash of the protected startup preference ("continue where you
      // left off") no longer verifies, and Chromium resets it: it then restores nothing.
      return ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-quic', `--user-data-dir=${this.profile}`, `--remote-debugging-port=${port}`,
        '--disable-features=DisableLoadExtensionCommandLineSwitch',
        `--load-extension=${this.extensions.join(',')}`, '--password-store=basic',
        ...(this.opts.extraArgs ?? []), 'about:blank'];
    }
    return ['--headless', '--profile', this.profile, '--remote-debugging-port', String(port), '--remote-allow-system-access'];
  }

  /** Starts the browser; `trace` = a file for strace's output, or null; `syscalls` = what strace records. */
  async start({ trace = null, syscalls = SYSCALLS } = {}) {
    const port = await freePort();
    this.starts += 1;
    appendFileSync(this.logPath, `\n===== start #${this.starts} at ${new Date().toISOString()}, port ${port}${trace ? `, strace ${trace}` : ''} =====\n`);
    const logOffset = statSync(this.logPath).size;
    const exe = EXECUTABLE[this.kind];
    const env = { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' };
    if (trace) {
      // strace leads our group; setsid puts the browser in a group of its own.
      this.proc = spawnGroup('strace', ['-f', '-ttt', '-s', '0', '-y', '--seccomp-bpf', '-e', `trace=${syscalls}`,
        '-o', trace, '--', 'setsid', exe, ...this.args(port)], { logPath: this.logPath, env });
      this.trace = trace;
      this.browserPgid = await waitUntil(() => {
        if (this.proc.hasExited()) throw new Error(`strace exited; see ${this.logPath}`);
        const child = childrenOf(this.proc.pgid)[0];
        return child && pgidOf(child) === child ? child : null;
      }, { timeout: 15_000, interval: 50, what: 'the browser under strace' });
    } else {
      this.proc = spawnGroup(exe, this.args(port), { logPath: this.logPath, env });
      this.trace = null;
      this.browserPgid = this.proc.pgid;
    }
    this.startedAt = Date.now();
    await waitUntil(() => {
      if (this.proc.hasExited()) throw new Error(`${this.kind} exited during start-up; see ${this.logPath}`);
      return READY_LINE[this.kind].test(readFileSync(this.logPath, 'utf8').slice(logOffset));
    }, { timeout: 60_000, interval: 100, what: `${this.kind} remote endpoint` });
    this.remote = this.kind === 'chromium' ? await CdpBrowser.connect(port) : await BidiBrowser.connect(port);
  }

  disconnect() {
    this.remote?.close();
    this.remote = null;
  }

  /** SIGKILL to the browser's process group; waits for it (and strace) to be gone. */
  async crash() {
    this.disconnect();
    if (!this.proc) return;
    killGroup(this.browserPgid);
    await waitUntil(() => groupMembers(this.browserPgid).length === 0, { timeout: 20_000, interval: 100, what: 'browser group gone' });
    await waitGroupGone(this.proc, 60_000); // strace writes out its trace and exits
    this.proc = null;
  }

  async close() {
    this.disconnect();
    if (!this.proc) return;
    killGroup(this.browserPgid);
    killGroup(this.proc.pgid);
    await waitGroupGone(this.proc, 30_000).catch(() => {});
    this.proc = null;
  }

  /** The driver page (a new tab); its `D` helpers are evaluated through CDP/BiDi. */
  async driverPage() {
    // Marked with the start number: after a restart the browser reopens the old ones too.
    const url = `${this.driverOrigin}driver.html?start${this.starts}`;
    const page = await waitUntil(async () => {
      const p = await this.remote.newPage(url);
      const ok = await p.evaluate(() => typeof globalThis.D?.state === 'function').catch(() => false);
      if (!ok) { await p.close(); return null; }
      return p;
    }, { timeout: 120_000, interval: 500, what: 'driver page' });
    return new Driver(page);
  }

  /** A Lifeboat page (a new tab) to send protocol messages from. */
  async lifeboatPage(path = 'www/manager.html') {
    // A query, not a hash: the manager rewrites its hash (#select=…).
    const url = `${this.lifeboatOrigin}${path}?start${this.starts}`;
    const page = await waitUntil(async () => {
      const p = await this.remote.newPage(url);
      const ok = await p.evaluate(() => typeof (globalThis.browser ?? globalThis.chrome)?.runtime?.sendMessage === 'function').catch(() => false);
      if (!ok) { await p.close(); return null; }
      return p;
    }, { timeout: 120_000, interval: 500, what: 'Lifeboat page' });
    return new LifeboatPage(page);
  }
}

export class Driver {
  constructor(page) {
    this.page = page;
  }
  call(method, ...args) {
    return callApi(this.page, method, args);
  }
  d(name, ...args) {
    return this.page.evaluate((name, args) => globalThis.D[name](...args), name, args);
  }
}

export class LifeboatPage {
  constructor(page) {
    this.page = page;
  }
  /** One message of docs/PROTOCOL.md; retried while the background is not up yet. */
  async send(message, { timeout = 120_000 } = {}) {
    // The call into the page lasts as long as the answer takes (a restore of
    // 1,000 tabs in Chromium: minutes), beyond the retries' deadline.
    return this.page.evaluateWithin(timeout + 30_000, async (message, timeout) => {
      const api = globalThis.browser ?? globalThis.chrome;
      const deadline = Date.now() + timeout;
      for (;;) {
        try {
          const text = await api.runtime.sendMessage(message);
          return typeof text === 'string' ? JSON.parse(text) : text;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }, message, timeout);
  }
}

/** Chromium's "continue where you left off" on or off, in Default/Preferences. */
export function setChromiumRestore(profile, on) {
  const file = join(profile, 'Default', 'Preferences');
  let prefs = {};
  try { prefs = JSON.parse(readFileSync(file, 'utf8')); } catch { /* none yet */ }
  prefs.session = { ...(prefs.session ?? {}), restore_on_startup: on ? 1 : 5 };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(prefs));
}

/**
 * After a crash Chromium does not reopen its session by itself, even set to "continue
 * where you left off": it offers a "Restore" button (a bubble; none in headless).
 * Marking the last exit as normal makes it restore the same session at start, which
 * is what that button does.
 */
export function chromiumAcceptRestore(profile) {
  const file = join(profile, 'Default', 'Preferences');
  const prefs = JSON.parse(readFileSync(file, 'utf8'));
  prefs.profile = { ...(prefs.profile ?? {}), exit_type: 'Normal', exited_cleanly: true };
  writeFileSync(file, JSON.stringify(prefs));
}

function childrenOf(pid) {
  const out = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const [, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

function pgidOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return null;
  }
}

export { sleep };
