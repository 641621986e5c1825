// Storage pressure in a real browser (issue 6, item 3), in Chromium and Firefox by run.mjs.
//
// The extension's origin is filled until its writes fail, from an extension page
// (same origin as the background), with random bytes in a separate IndexedDB
// database. Lifeboat asks for `unlimitedStorage`, so the browsers' usual quotas do
// not bind it; the test makes the limit real the way each browser allows:
//
// - Firefox: `dom.quotaManager.temporaryStorage.fixedLimit` (a pref, in KiB) caps
//   the storage Firefox gives all origins; the extension's origin gets a share of
//   it and writes past it fail with QuotaExceededError.
// - Chromium: an unlimitedStorage origin's quota is the free disk space (CDP
//   Storage.overrideQuotaForOrigin changes what navigator.storage.estimate()
//   reports but is not enforced for it; probed). So the profile lives on a small
//   tmpfs and the filler fills the disk itself. Mounting needs root (CAP_SYS_ADMIN);
//   without it the Chromium run is skipped with that reason.
//
// Then tab changes are made. Lifeboat must keep the last good state (the committed
// session stays what it was, the named save stays), show the problem (badge "!",
// status.autosave.ok === false with `since`, the restore page's alert), and, once
// the filler is deleted, recover by itself (a commit with the changes made under
// pressure, badge cleared) and survive a crash with that state (in Chromium the
// database itself does not survive the restart: the spare copy brings it back).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { launchBrowser } from './lib/browsers.mjs';
import { openExtensionPage } from './lib/extension.mjs';
import { ARTIFACTS } from './lib/harness.mjs';
import { waitForRestorePage } from './lib/restore-page.mjs';
import { openTestTabs } from './lib/scenario.mjs';
import { sleep, waitUntil } from './lib/wait.mjs';
import { describeDiff, keyOf, projectLive, projectPlan } from './torture/compare.mjs';

const FILLER_DB = 'lifeboat-pressure-filler';
const FIREFOX_LIMIT_KIB = 40 * 1024; // the origin's share is a quarter of it
const CHROMIUM_TMPFS = '128m';

/** Fills the page's origin in FILLER_DB with random bytes, big chunks first, until writes fail. */
function fill(ext, { reopen }) {
  return ext.page.evaluate(async (name, reopen) => {
    const open = () => new Promise((resolve, reject) => {
      const q = indexedDB.open(name, 1);
      q.onupgradeneeded = () => q.result.createObjectStore('b');
      q.onsuccess = () => resolve(q.result);
      q.onerror = () => reject(q.error);
    });
    let db = null;
    const put = (key, size) => new Promise((resolve, reject) => {
      const buf = new Uint8Array(size);
      for (let j = 0; j < size; j += 65536) crypto.getRandomValues(buf.subarray(j, Math.min(size, j + 65536)));
      const tx = db.transaction('b', 'readwrite');
      tx.objectStore('b').put(buf, key);
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error ?? new Error('aborted'));
      tx.onerror = () => reject(tx.error ?? new Error('failed'));
    });
    let total = 0;
    let n = 0;
    const errors = [];
    db = await open();
    for (const size of [1 << 20, 1 << 16, 1 << 12, 512]) {
      let misses = 0;
      for (let i = 0; i < 5000 && misses < 2; i++) {
        try {
          await put(`k${n++}`, size);
          total += size;
        } catch (e) {
          misses += 1;
          errors.push(`${size} B: ${e?.name}: ${e?.message}`);
          // Firefox may refuse every later write on a connection that hit the limit
          // ("did not allow mutations"): try once more on a new one. Not in Chromium:
          // there an open of the origin's store on a full disk can make it give the
          // store up, and the test must not be the one doing that.
          if (!reopen) {
            misses = 2;
            break;
          }
          db.close();
          db = await open().catch((x) => {
            errors.push(`reopening: ${x?.name}: ${x?.message}`);
            return null;
          });
          if (!db) break;
        }
      }
      if (!db) break;
    }
    db?.close();
    return { total, errors, estimate: await navigator.storage.estimate().catch(() => null) };
  }, FILLER_DB, reopen);
}

function deleteFiller(ext) {
  return ext.page.evaluate((name) => new Promise((resolve, reject) => {
    const q = indexedDB.deleteDatabase(name);
    q.onsuccess = () => resolve(true);
    q.onerror = () => reject(q.error);
    q.onblocked = () => resolve('blocked');
  }), FILLER_DB);
}

/** The spare copy's parts in storage.local (src/spare.rs): length and a digest of
 *  each, so the log shows when each was last rewritten. */
function spareCopy(ext) {
  return ext.page.evaluate(async () => {
    const all = await (globalThis.browser ?? globalThis.chrome).storage.local.get(null);
    const out = {};
    for (const [k, v] of Object.entries(all)) {
      if (!k.startsWith('spare/') || typeof v !== 'string') continue;
      const d = new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(v)));
      out[k] = `${v.length} chars ${[...d.slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    }
    return out;
  });
}

async function committed(ext, origin) {
  const plan = await ext.send({ type: 'plan', source: 'current' });
  return { plan, windows: plan.error ? null : projectPlan(plan, origin) };
}

function mountTmpfs(dir) {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${CHROMIUM_TMPFS}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return String(e.stderr || e.message).trim();
  }
}

const pressure = {
  name: 'storage-pressure',
  timeout: 240_000,
  async run(t) {
    const origin = t.server.origin;
    // Our own directory: Chromium's profile must be on a mount made before the start.
    const dir = mkdtempSync(join(tmpdir(), `lifeboat-pressure-${t.kind}-`));
    const profile = join(dir, 'profile');
    mkdirSync(profile);
    let mounted = false;
    const umount = () => {
      if (!mounted) return;
      try {
        execFileSync('umount', ['-l', profile], { stdio: 'pipe' });
      } catch { /* already gone */ }
      mounted = false;
    };
    process.once('exit', umount);
    let session = null;
    let failed = true;
    try {
      if (t.kind === 'chromium') {
        const why = mountTmpfs(profile);
        if (why) {
          t.log(`SKIPPED: Chromium gives an unlimitedStorage extension the whole disk as quota; filling a small tmpfs is the way to make its writes fail, and mounting one failed: ${why}`);
          failed = false;
          return;
        }
        mounted = true;
      }
      session = await launchBrowser(t.kind, {
        dir, resumeFromCrash: false,
        firefoxPrefs: { 'dom.quotaManager.temporaryStorage.fixedLimit': FIREFOX_LIMIT_KIB },
      });
      const ext = await openExtensionPage(session);
      await openTestTabs(ext, t.server, t.kind);
      const named = await ext.send({ type: 'named.save', name: 'Kept under pressure', scope: 'all' });
      assert.ok(named.save?.id, `named save: ${JSON.stringify(named)}`);
      const good = await waitUntil(async () => {
        const c = await committed(ext, origin);
        return c.windows && keyOf(c.windows) === keyOf(projectLive(await ext.state(), origin)) && c;
      }, { timeout: 15_000, what: 'the session to be committed' });
      const before = await ext.send({ type: 'status' });
      assert.equal(before.autosave.ok, true);
      t.log(`spare copy before the pressure: ${JSON.stringify(await spareCopy(ext))}`);

      // Fill until writes fail. Firefox: the extension's origin, from an extension page,
      // with random bytes in a separate IndexedDB database, up to the quota. Chromium:
      // the disk (the quota of an unlimitedStorage origin), with a ballast file written
      // to the last byte, as anything else on a user's disk fills it; then the only
      // IndexedDB writes that meet the full disk are Lifeboat's own, and freeing the
      // space is deleting that file, as a user deletes some file.
      const ballast = join(profile, 'ballast.bin');
      if (t.kind === 'chromium') {
        const fd = openSync(ballast, 'w');
        const chunk = Buffer.alloc(1048576, 1);
        let size = 0;
        for (const step of [1048576, 4096, 1]) {
          try {
            for (;;) size += writeSync(fd, chunk, 0, step);
          } catch (e) {
            if (e.code !== 'ENOSPC') throw e;
          }
        }
        closeSync(fd);
        const fs = statfsSync(profile);
        t.log(`ballast of ${(size / 1048576).toFixed(1)} MiB fills the profile's disk (${Number(fs.bavail) * Number(fs.bsize)} bytes left)`);
      } else {
        const filled = await fill(ext, { reopen: true });
        t.log(`filled ${(filled.total / 1048576).toFixed(1)} MiB; then: ${filled.errors.join(' | ')}; estimate ${JSON.stringify(filled.estimate)}`);
        t.keep('filled.json', filled);
        assert.ok(filled.errors.length >= 4, 'every chunk size ran into the limit');
      }

      // Changes under pressure: long random URLs (LZ4 cannot shrink them) make the
      // commit bigger than any crumb of space left.
      const home = (await ext.call('windows.getCurrent')).id;
      const changedAt = Date.now();
      const noise = () => Array.from({ length: 16_000 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 36)]).join('');
      for (let i = 0; i < 8; i++) {
        await ext.call('tabs.create', { windowId: home, url: `${origin}/page/${60 + i}?${noise()}`, active: false });
      }
      const failing = await waitUntil(async () => {
        const s = await ext.send({ type: 'status' });
        return s.autosave?.ok === false && s;
      }, { timeout: 20_000, interval: 300, what: 'autosave to report the failure' }).catch(async (e) => {
        throw new Error(`${e.message}; status: ${JSON.stringify(await ext.send({ type: 'status' }))}`);
      });
      t.log(`autosave failing since ${new Date(failing.autosave.since).toISOString()}: ${JSON.stringify(failing.autosave.problem)}`);
      t.keep('failing.json', failing);
      assert.ok(typeof failing.autosave.since === 'number' && failing.autosave.since >= changedAt - 1_000 && failing.autosave.since <= Date.now(),
        `status says since when: ${JSON.stringify(failing.autosave)}`);
      assert.ok(failing.autosave.problem, 'status says what the problem is');
      assert.equal(await ext.call('action.getBadgeText', {}), '!', 'the toolbar badge shows the problem');
      // The last good state is kept: the committed session is what it was before the filling.
      const kept = await committed(ext, origin);
      assert.ok(!kept.plan.error, `the last good session can still be read while writes fail: ${kept.plan.error}`);
      assert.deepEqual(kept.windows, good.windows, 'the committed session is still the last good one');
      const overview = await ext.send({ type: 'overview' });
      assert.ok(!overview.error, `the overview answers while writes fail: ${overview.error}`);
      assert.equal(overview.autosave?.ok, false, 'the overview carries the problem');
      // (Named saves live in storage: while it cannot be read they may not be listed; that
      // they are still there is checked once it can be read again.)
      const restorePage = await openExtensionPage(session);
      const alert = await waitUntil(() => restorePage.page.$eval('#autosave-alert', (e) => !e.hidden && e.textContent.trim()).catch(() => null),
        { timeout: 5_000, what: 'the restore page\'s autosave alert' });
      t.log(`restore page says: ${alert.replace(/\s+/g, ' ').slice(0, 200)}`);
      await restorePage.page.screenshot({ path: t.artifact('autosave-alert.png') }).catch(() => {});
      await restorePage.close();
      // It retries (every 5 s) while the storage is full: still failing since the first
      // failure, unless a retry found room (a failed write's leftovers cleaned up).
      await sleep(6_000);
      const still = await ext.send({ type: 'status' });
      if (still.autosave.ok === false) {
        assert.equal(still.autosave.since, failing.autosave.since, '"since" stays the first failure');
      } else {
        t.log(`a retry found room while the filler was still there (last saved ${still.lastSavedAt - failing.autosave.since} ms after the first failure)`);
        assert.ok(still.lastSavedAt > failing.autosave.since, `ok again only with a commit after the failure: ${JSON.stringify(still)}`);
      }

      // Free the space: Lifeboat recovers by itself.
      if (t.kind === 'chromium') {
        rmSync(ballast);
      } else {
        const freed = await deleteFiller(ext);
        assert.equal(freed, true, 'the filler database was deleted');
      }
      const freedAt = Date.now();
      // One more change once there is room, so there is something to commit even if a
      // retry already found room before.
      await ext.call('tabs.create', { windowId: home, url: `${origin}/page/70`, active: false });
      const recovered = await waitUntil(async () => {
        const s = await ext.send({ type: 'status' });
        return s.autosave?.ok === true && s.lastSavedAt > freedAt - 1_000 && s;
      }, { timeout: 75_000, interval: 500, what: 'autosave to recover by itself' });
      t.log(`recovered ${recovered.lastSavedAt - freedAt} ms after the space was freed`);
      assert.equal(await ext.call('action.getBadgeText', {}), '', 'the badge is cleared');
      const live = projectLive(await ext.state(), origin);
      const now = await waitUntil(async () => {
        const c = await committed(ext, origin);
        return keyOf(c.windows) === keyOf(live) && c;
      }, { timeout: 10_000, what: 'the committed session to hold the changes made under pressure' });
      assert.ok(now.windows.flat().some((x) => x.path.startsWith('/page/63?')), 'the changes made under pressure are committed');
      assert.ok(now.windows.flat().some((x) => x.path === '/page/70'), 'the change made after the space came back is committed');
      t.log(`spare copy after the recovery: ${JSON.stringify(await spareCopy(ext))}`);
      const listed = await ext.send({ type: 'named.list' });
      assert.ok(listed.saves?.some((x) => x.id === named.save.id), `the named save is kept: ${JSON.stringify(listed).slice(0, 300)}`);

      // And the store is whole: a crash now offers exactly that session.
      await ext.close().catch(() => {});
      await sleep(2_500);
      const fresh = await openExtensionPage(session);
      // What the crash must bring back: the live session once it is committed (a
      // late title or activation may still be on its way under load), then time
      // for the spare copy that follows that commit.
      const liveBefore = await waitUntil(async () => {
        const live = projectLive(await fresh.state(), origin);
        return keyOf((await committed(fresh, origin)).windows) === keyOf(live) && live;
      }, { timeout: 10_000, what: 'the session before the crash to be committed' });
      await sleep(2_500);
      t.log(`spare copy before the crash: ${JSON.stringify(await spareCopy(fresh))}`);
      await session.crash();
      await session.restart();
      const page = await waitForRestorePage(session, 15_000);
      const after = await openExtensionPage(session);
      const overviewAfter = await after.send({ type: 'overview' });
      t.keep('overview-after-crash.json', overviewAfter);
      // Chromium empties an IndexedDB whose write failed for want of disk at the next
      // start, or keeps it but without the big records written once there was room
      // again; Lifeboat's spare copy (storage.local) brings the session back and says so.
      t.log(`after the crash, the crash source's notice: ${JSON.stringify(overviewAfter.sources?.find((s) => s.pending)?.notice ?? null)}`);
      assert.ok(page, `the restore page opened after the crash; overview: ${JSON.stringify(overviewAfter).slice(0, 600)}`);
      const crash = overviewAfter.sources.find((s) => s.pending);
      assert.ok(crash, 'a crash is offered');
      const plan = await after.send({ type: 'plan', source: crash.id });
      const offered = projectPlan(plan, origin);
      assert.deepEqual(offered, liveBefore, `the crashed session is the one that was open: ${describeDiff(liveBefore, offered)}`);
      assert.ok((await after.send({ type: 'overview' })).sources.some((s) => s.id === named.save.id), 'the named save survived it all');
      failed = false;
    } finally {
      if (session) {
        if (failed) {
          const dest = join(ARTIFACTS, `${t.kind}-storage-pressure-profile`);
          rmSync(dest, { recursive: true, force: true });
          try {
            cpSync(profile, dest, { recursive: true, verbatimSymlinks: true, filter: (src) => !['SingletonSocket', 'SingletonCookie', 'SingletonLock', 'Cache', 'Code Cache', 'cache2'].includes(basename(src)) && !src.endsWith('.blob') });
          } catch { /* best effort */ }
        }
        await session.close();
      }
      umount();
      process.removeListener('exit', umount);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const tests = [pressure];
