//! The background's state and its decisions, driven by the edge: the keeper,
//! plus what one run of the background remembers (the last sync, the
//! conflicts of the last day, the import waiting for its go-ahead, the crash
//! count on the badge, start-up timings). The edge (`src/web/actor.rs`) only
//! reads the browser, feeds events and timers in, and carries out what this
//! asks through `Browser`; requests are answered in `dispatch`.

mod dispatch;
mod page_offer;

pub use page_offer::OFFER_PAGE_AGAIN_MS;

use crate::browser::{Browser, Capabilities, Target, UserCommand};
use crate::event::Event;
use crate::keeper::{Commit, Keeper, Writing};
use crate::manage;
use crate::model::{Container, Millis};
use crate::protocol::answer::{Reply, Restored, StartParts, SyncReport, Timings};
use crate::protocol::RestoreMode;
use crate::restore::{self, OpenTab, Selection};
use crate::settings::AfterCrash;
use crate::spare::SessionCopy;
use crate::store::{Backend, Op, StoreError};
use crate::verdict::Verdict;
use crate::view;

/// How long after start-up to look at what the browser restored itself,
/// before deciding whether the restore page has anything to offer.
pub const OFFER_DELAY_MS: u32 = 1500;
/// When to look again whether the offered restore page is still there:
/// Firefox's own crash restore, if it runs after ours, replaces the tabs of
/// the window it restores into, our page with them.
pub const OFFER_RECHECK_MS: u32 = 6000;
/// A sync conflict stays listed this long, so that the next sync's report
/// (which pushes the copy and sees no conflict) does not hide it.
const CONFLICTS_KEPT_MS: Millis = 24 * 3600 * 1000;
/// At most this many conflicts are listed.
const CONFLICTS_LISTED: usize = 20;
/// The restore page, under the extension's own origin.
pub const RESTORE_PAGE: &str = "www/restore.html";
pub const MANAGER_PAGE: &str = "www/manager.html";

pub struct Background<B> {
    keeper: Keeper<B>,
    caps: Capabilities,
    /// The containers that exist, as last read.
    containers: Vec<Container>,
    /// Typed text reported by a page is not committed yet (the edge keeps
    /// the flag where a restarted background finds it).
    pages_pending: bool,
    /// Crashed sessions neither restored nor dismissed (`view::crashes_waiting`).
    crashes_waiting: usize,
    /// What the last sync did (or why it failed), for the manager.
    last_sync: Option<SyncReport>,
    /// Conflicts the last day's syncs resolved by keeping a copy, with when.
    sync_conflicts: Vec<(Millis, String)>,
    timings: Timings,
    /// A commit's batch is being written (`begin_commit`, `finish_commit`).
    writing: bool,
    /// A spare copy is being written (`take_spare_copy`, `spare_kept`).
    spare_running: bool,
    /// An event asked for a commit at once while one was being written: it
    /// is due as soon as that one is finished.
    commit_soon: bool,
}

/// A commit whose batch is being written: between `Background::begin_commit`
/// and `Background::finish_commit`, events may be applied (the queue does
/// not stand still behind a slow write); nothing else that reads or writes
/// the store may run.
#[derive(Debug)]
pub struct CommitWrite {
    writing: Writing,
    was_failing: bool,
    since: Option<Millis>,
    t0: f64,
}

impl CommitWrite {
    /// The batch to write (once: it is taken); empty: nothing to write.
    pub fn take_ops(&mut self) -> Vec<Op> {
        self.writing.take_ops()
    }
}

impl<B: Backend> Background<B> {
    pub fn new(keeper: Keeper<B>, caps: Capabilities, containers: Vec<Container>) -> Self {
        Self {
            keeper,
            caps,
            containers,
            pages_pending: false,
            crashes_waiting: 0,
            last_sync: None,
            sync_conflicts: Vec::new(),
            timings: Timings::default(),
            writing: false,
            spare_running: false,
            commit_soon: false,
        }
    }

    pub fn keeper(&self) -> &Keeper<B> {
        &self.keeper
    }

    pub fn capabilities(&self) -> Capabilities {
        self.caps
    }

    /// The known containers, to name a tab's one in its events.
    pub fn containers(&self) -> &[Container] {
        &self.containers
    }

    pub fn set_containers(&mut self, containers: Vec<Container>) {
        self.containers = containers;
    }

    /// When the saver wants to commit next, if it does.
    pub fn deadline(&self) -> Option<Millis> {
        if self.commit_soon {
            return Some(0);
        }
        self.keeper.deadline()
    }

    /// Whether a commit's batch is being written.
    pub fn is_writing(&self) -> bool {
        self.writing
    }

    /// The queue has handled one more message of `kind`, in `ms`.
    pub fn note_handled(&mut self, kind: &str, ms: f64) {
        self.timings.handled += 1;
        self.timings.busy_ms += ms;
        self.note_kind(kind, ms);
    }

    fn note_kind(&mut self, kind: &str, ms: f64) {
        // Looked up by &str first: an owned key only for a kind not seen yet.
        match self.timings.busy_by_kind.get_mut(kind) {
            Some(t) => t.add(ms),
            None => self.timings.busy_by_kind.entry(kind.to_owned()).or_default().add(ms),
        }
    }

    /// Start-up as the edge measured it (`status.timings`).
    pub fn set_start(&mut self, start_ms: f64, parts: StartParts) {
        self.timings.start_ms = start_ms;
        self.timings.start_parts = parts;
    }

    /// Applies a browser event; commits at once when the saver says so (or,
    /// while a commit is being written, as soon as it is finished).
    pub async fn apply(&mut self, browser: &impl Browser, e: Event) {
        if self.keeper.apply(e, browser.now()) == Commit::Now {
            if self.writing {
                self.commit_soon = true;
            } else {
                self.commit(browser).await;
            }
        }
    }

    /// Applies an event that never needs a commit of its own (window
    /// geometry read back on the minute alarm).
    pub fn note(&mut self, e: Event, now: Millis) {
        self.keeper.apply(e, now);
    }

    /// After the model was built from the open windows: the badge.
    pub async fn started(&mut self, browser: &impl Browser) {
        self.crashes_waiting = view::crashes_waiting(&self.keeper).await;
        self.show_badge(browser).await;
    }

    /// Whether to offer the crashed session a moment after start-up.
    pub fn offers_restore(&self) -> bool {
        self.keeper.verdict() == Verdict::Crash && self.keeper.set_aside_key().is_some()
    }

    /// Asks every web page's content script to send its typed text again.
    pub async fn ask_pages_again(&mut self, browser: &impl Browser) {
        let ids: Vec<i64> = self
            .keeper
            .session()
            .windows
            .iter()
            .flat_map(|w| &w.tabs)
            .filter(|t| t.url.starts_with("http"))
            .map(|t| t.id)
            .collect();
        for id in ids {
            browser.ask_to_resend(id).await;
        }
    }

    /// Commits what is pending, writing its batch before returning.
    pub async fn commit(&mut self, browser: &impl Browser) {
        // Nothing pending: `begin_commit` did what a commit does besides.
        let Some(mut write) = self.begin_commit(browser).await else { return };
        let ops = write.take_ops();
        let written = crate::store::write_batch(self.keeper.backend(), ops).await;
        self.finish_commit(browser, write, written).await;
        if let Some(copy) = self.take_spare_copy() {
            let t0 = browser.perf_now();
            let kept = copy.keep(self.keeper.store()).await;
            self.spare_kept(kept, browser.perf_now() - t0);
        }
    }

    /// `begin_commit` when a deadline has come: a commit if one is due; a
    /// wake for a sync to disk alone syncs and commits nothing (in a storm
    /// it would add a commit every `SYNC_EVERY`, under the saver's bound).
    pub async fn begin_due_commit(&mut self, browser: &impl Browser) -> Option<CommitWrite> {
        if self.commit_soon || self.keeper.is_due(browser.now()) {
            return self.begin_commit(browser).await;
        }
        let was_failing = self.keeper.failing().is_some();
        self.after_commit(browser, Ok(0), was_failing).await;
        None
    }

    /// The first half of a commit (`Keeper::begin_commit`): its batch, for
    /// the edge to write while it goes on applying events. `None`: nothing
    /// pending (what a commit does besides, a due sync, is done).
    pub async fn begin_commit(&mut self, browser: &impl Browser) -> Option<CommitWrite> {
        debug_assert!(!self.writing, "one commit at a time");
        self.commit_soon = false;
        let was_failing = self.keeper.failing().is_some();
        let since = self.keeper.dirty_since();
        let t0 = browser.perf_now();
        let Some(writing) = self.keeper.begin_commit(browser.now()).await else {
            self.note_kind("commit", browser.perf_now() - t0);
            self.after_commit(browser, Ok(0), was_failing).await;
            return None;
        };
        self.writing = true;
        self.note_kind("commit:prepare", browser.perf_now() - t0);
        Some(CommitWrite {
            writing,
            was_failing,
            since,
            t0,
        })
    }

    /// The second half: `written` is how writing the batch went.
    pub async fn finish_commit(&mut self, browser: &impl Browser, write: CommitWrite, written: Result<(), StoreError>) {
        self.writing = false;
        let t_written = browser.perf_now();
        let result = self.keeper.finish_commit(write.writing, written, browser.now()).await;
        let t1 = browser.perf_now();
        self.note_kind("commit:finish", t1 - t_written);
        self.note_kind("commit", t1 - write.t0);
        // A wake-up that only synced is no commit's time.
        if !matches!(result, Ok(0)) {
            self.timings.commit_ms = t1 - write.t0;
            self.timings.slowest_commit_ms = self.timings.slowest_commit_ms.max(t1 - write.t0);
        }
        if let (Ok(_), Some(since)) = (&result, write.since) {
            let waited = browser.now().saturating_sub(since) as f64;
            self.timings.longest_wait_ms = self.timings.longest_wait_ms.max(waited);
        }
        self.after_commit(browser, result, write.was_failing).await;
    }

    /// The spare copy of the session the last commit made due (after a
    /// checkpoint), unless one is being written: the edge writes it beside
    /// the queue, which meanwhile goes on, commits included (under load its
    /// reads and its write took 10 s in Chromium). It only reads the store;
    /// one at a time, so an older copy never lands over a newer one.
    pub fn take_spare_copy(&mut self) -> Option<SessionCopy> {
        if self.spare_running {
            return None;
        }
        let copy = self.keeper.take_spare_copy()?;
        self.spare_running = true;
        Some(copy)
    }

    /// How writing the spare copy went, and how long it took.
    pub fn spare_kept(&mut self, kept: Result<usize, StoreError>, ms: f64) {
        self.spare_running = false;
        self.note_kind("spare", ms);
        self.keeper.spare_kept(kept);
    }

    /// After a commit (or a wake with nothing to commit): a due sync, the
    /// typed-text flag, the badge.
    async fn after_commit(&mut self, browser: &impl Browser, result: Result<usize, StoreError>, was_failing: bool) {
        let t1 = browser.perf_now();
        if self.keeper.sync_if_due(browser.now()).await {
            self.timings.slowest_sync_ms = self.timings.slowest_sync_ms.max(browser.perf_now() - t1);
        }
        if result.is_ok() && self.pages_pending && !self.keeper.is_dirty() {
            self.pages_pending = false;
            browser.set_pages_pending(false).await;
        }
        match result {
            Ok(_) if was_failing => self.show_badge(browser).await,
            Ok(_) => {}
            Err(e) => {
                browser.warn(&format!("Lifeboat: autosave failed: {e}"));
                self.show_badge(browser).await;
            }
        }
    }

    /// Typed text was kept but is not committed yet.
    pub(crate) async fn note_pages_pending(&mut self, browser: &impl Browser) {
        if !self.pages_pending {
            self.pages_pending = true;
            browser.set_pages_pending(true).await;
        }
    }

    /// The minute alarm: commit whatever a lost timer left pending, and sync.
    /// (The edge reads window geometry first: Firefox has no event for it.)
    pub async fn tick(&mut self, browser: &impl Browser) {
        if self.keeper.is_dirty() {
            self.commit(browser).await;
        }
        self.sync(browser).await;
    }

    pub async fn show_badge(&self, browser: &impl Browser) {
        browser.show_badge(&view::badge(&self.keeper, self.crashes_waiting)).await;
    }

    /// A crash was restored, dismissed or the dismissal undone: recount.
    pub(crate) async fn recount_crashes(&mut self, browser: &impl Browser) {
        let n = view::crashes_waiting(&self.keeper).await;
        if n != self.crashes_waiting {
            self.crashes_waiting = n;
            self.show_badge(browser).await;
        }
    }

    pub(crate) async fn refresh_containers(&mut self, browser: &impl Browser) {
        if let Some(list) = browser.containers().await {
            self.containers = list;
        }
    }

    /// The containers that exist now; `None` where the browser has none.
    pub(crate) fn containers_arg(&self) -> Option<Vec<Container>> {
        self.caps.containers.then(|| self.containers.clone())
    }

    /// Tabs open now in normal windows, Lifeboat's own pages left out.
    pub(crate) async fn open_tabs(&self, browser: &impl Browser) -> Vec<OpenTab> {
        self.open_tabs_of(browser.tabs().await)
    }

    fn open_tabs_of(&self, tabs: Vec<crate::browser::SeenTab>) -> Vec<OpenTab> {
        let own = self.keeper.own_origin();
        tabs.into_iter()
            .filter(|t| !t.incognito)
            .filter(|t| !t.url.starts_with(own))
            .map(|t| OpenTab { url: t.url, window: t.window })
            .collect()
    }

    /// A moment after start-up: opens the restore page if the crashed
    /// session has anything the browser did not bring back itself, or
    /// restores it at once if the settings say so. Returns whether to look
    /// again after `OFFER_RECHECK_MS` (`recheck`: this is that look).
    pub async fn offer_restore(&mut self, browser: &impl Browser, recheck: bool) -> bool {
        let Some(key) = self.keeper.set_aside_key().map(str::to_string) else {
            return false;
        };
        // Already chosen (restored or dismissed) since: nothing to offer again.
        if recheck && !self.keeper.store().aside_head(&key).await.is_ok_and(|a| a.pending) {
            return false;
        }
        // One look at the tabs: is our page there, and what is open already.
        let tabs = browser.tabs().await;
        let page = format!("{}{RESTORE_PAGE}", self.keeper.own_origin());
        let shows_page = |t: &crate::browser::SeenTab| std::iter::once(&t.url).chain(t.pending_url.as_ref()).any(|u| u.starts_with(&page));
        if tabs.iter().any(shows_page) {
            return false;
        }
        let open = self.open_tabs_of(tabs);
        let containers = self.containers_arg();
        let Ok((_, plan)) = view::plan(&mut self.keeper, &key, &open, containers.as_deref()).await else {
            return false;
        };
        // Everything already back (the browser restored it): nothing to offer.
        if restore::restorable(&plan) == 0 {
            return false;
        }
        if !recheck
            && self.keeper.settings().after_crash == AfterCrash::RestoreAtOnce
            && self.restore(browser, &key, &Selection::All, RestoreMode::New, false).await.is_ok()
        {
            return false;
        }
        browser.open_page(RESTORE_PAGE).await;
        !recheck
    }

    /// Restores the chosen tabs of `source`, planned afresh against what is
    /// open now so nothing opens twice (unless `duplicates`).
    pub(crate) async fn restore(
        &mut self,
        browser: &impl Browser,
        source: &str,
        selection: &Selection,
        mode: RestoreMode,
        duplicates: bool,
    ) -> Reply<Restored> {
        self.refresh_containers(browser).await;
        // Replacing closes what is open: everything of the source must open.
        let open = if duplicates || mode == RestoreMode::Replace {
            Vec::new()
        } else {
            self.open_tabs(browser).await
        };
        let containers = self.containers_arg();
        let (src, plan) = view::plan(&mut self.keeper, source, &open, containers.as_deref()).await?;
        let mut order = restore::order(&plan, selection, self.keeper.settings().lazy_restore);
        let mut notices = Vec::new();
        if !self.caps.tab_groups {
            let (without, notice) = restore::ungrouped(order);
            order = without;
            notices.extend(notice);
        }
        let was_open: Vec<i64> = self.keeper.session().windows.iter().map(|w| w.id).collect();
        let focused = self
            .keeper
            .session()
            .windows
            .iter()
            .find(|w| w.focused)
            .or(self.keeper.session().windows.first())
            .map(|w| w.id);
        let discarded = self.caps.create_discarded;
        let mut outcome = match (mode, focused) {
            (RestoreMode::Current, Some(id)) => browser.carry_out(&restore::into_one(order), Target::Into(id), discarded).await,
            _ => browser.carry_out(&order, Target::NewWindows, discarded).await,
        };
        // Only once something opened: a failed restore must not close the user's windows.
        if mode == RestoreMode::Replace && outcome.tabs > 0 {
            browser.close_windows(&was_open).await;
        }
        let pages = std::mem::take(&mut outcome.pages);
        let offered: Vec<i64> = pages.iter().map(|(tab, _)| *tab).collect();
        match self.keeper.expect_pages(pages).await {
            Ok(()) => self.offer_restored_pages(browser, &offered).await,
            Err(e) => outcome.notices.push(crate::msg!(crate::message::NOTICE_TYPED_TEXT_LOST, e.message())),
        }
        if src.pending {
            self.keeper.store().settle(source).await?;
            self.recount_crashes(browser).await;
        }
        outcome.notices.extend(notices);
        outcome.notices.extend(plan.notices);
        Ok(outcome)
    }

    /// Refreshes the spare copy of the named saves (`spare`) after they changed.
    pub(crate) async fn keep_named(&self, browser: &impl Browser) {
        if let Err(e) = crate::spare::keep_named(self.keeper.backend(), browser.now()).await {
            browser.warn(&format!("Lifeboat: the spare copy of the named saves failed: {e}"));
        }
    }

    /// Syncs named saves with `storage.sync`, when the user turned it on.
    pub async fn sync(&mut self, browser: &impl Browser) {
        if !self.keeper.settings().sync {
            return;
        }
        let now = browser.now();
        let result: Result<(SyncReport, bool), String> = async {
            let (local, base) = crate::sync::local_state(self.keeper.backend()).await.map_err(|e| e.to_string())?;
            let remote = browser.sync_get_all().await?;
            let plan = crate::sync::plan(&local, &remote, &base, now);
            if !plan.remove.is_empty() {
                browser.sync_remove(&plan.remove).await?;
            }
            if !plan.set.is_empty() {
                browser.sync_set(&plan.set).await?;
            }
            crate::sync::apply_local(self.keeper.backend(), &plan, now).await.map_err(|e| e.to_string())?;
            if !plan.is_quiet() {
                self.keep_named(browser).await;
            }
            Ok((crate::sync::summary(&plan, now), plan.is_quiet()))
        }
        .await;
        self.record_sync(result, now);
    }

    /// Keeps a sync's report for `status`, with the conflicts of the last day.
    fn record_sync(&mut self, result: Result<(SyncReport, bool), String>, now: Millis) {
        let mut report = match result {
            // A sync with nothing to do (for instance the echo of our own
            // write) keeps the last real report, with the new time.
            Ok((v, true)) if self.last_sync.as_ref().is_some_and(|l| l.error.is_none()) => {
                let mut last = self.last_sync.take().unwrap_or(v.clone());
                last.at = now;
                last.not_synced = v.not_synced;
                last
            }
            Ok((v, _)) => v,
            Err(e) => SyncReport {
                at: now,
                pushed: None,
                pulled: None,
                conflicts: None,
                not_synced: None,
                error: Some(crate::msg!(crate::message::SYNC_FAILED, e)),
            },
        };
        // A conflict's copy is pushed by the next sync, whose report would
        // otherwise hide the conflict: the recent ones stay listed.
        for c in report.conflicts.iter().flatten() {
            if !self.sync_conflicts.iter().any(|(_, n)| n == c) {
                self.sync_conflicts.push((now, c.clone()));
            }
        }
        self.sync_conflicts.retain(|(at, _)| now.saturating_sub(*at) < CONFLICTS_KEPT_MS);
        self.sync_conflicts.truncate(CONFLICTS_LISTED);
        report.conflicts = Some(self.sync_conflicts.iter().map(|(_, n)| n.clone()).collect());
        self.last_sync = Some(report);
    }

    /// A keyboard shortcut or the context menu.
    pub async fn user_command(&mut self, browser: &impl Browser, command: UserCommand) {
        let now = browser.now();
        match command {
            UserCommand::SaveSession => {
                if manage::save(&mut self.keeper, "", manage::Scope::All, None, &[], now).await.is_ok() {
                    self.keep_named(browser).await;
                }
            }
            UserCommand::OpenManager => browser.open_page(MANAGER_PAGE).await,
            UserCommand::SaveWindow(window) => {
                let name = format!("Window of {}", crate::dates::utc(now));
                if let Ok(answer) = manage::save(&mut self.keeper, &name, manage::Scope::Window, window, &[], now).await {
                    self.keep_named(browser).await;
                    // The manager opens with the new save's name ready to edit.
                    browser.open_page(&format!("{MANAGER_PAGE}#rename={}", answer.save.id)).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::block_on;
    use crate::store::memory::MemoryBackend;

    fn report(at: Millis, conflicts: &[&str]) -> SyncReport {
        SyncReport {
            at,
            pushed: Some(1),
            pulled: Some(0),
            conflicts: Some(conflicts.iter().map(|c| c.to_string()).collect()),
            not_synced: Some(Vec::new()),
            error: None,
        }
    }

    /// A conflict stays listed for a day, even through the quiet syncs that
    /// follow it; at most 20 are; a quiet sync keeps the last real report.
    #[test]
    fn sync_conflicts_stay_listed_a_day_and_at_most_twenty() {
        let k = block_on(Keeper::start(MemoryBackend::default(), "1", "x://me/", 0, true)).unwrap();
        let mut bg = Background::new(k, Capabilities::default(), Vec::new());
        bg.record_sync(Ok((report(0, &["Trip (conflict)"]), false)), 0);
        let quiet = SyncReport {
            pushed: Some(0),
            ..report(1000, &[])
        };
        bg.record_sync(Ok((quiet, true)), 1000);
        let last = bg.last_sync.clone().unwrap();
        assert_eq!((last.at, last.pushed), (1000, Some(1)), "the last real report, with the new time");
        assert_eq!(last.conflicts.unwrap(), ["Trip (conflict)"]);
        bg.record_sync(Ok((report(CONFLICTS_KEPT_MS, &[]), false)), CONFLICTS_KEPT_MS);
        assert_eq!(bg.last_sync.clone().unwrap().conflicts.unwrap(), Vec::<String>::new(), "a day later");
        let many: Vec<String> = (0..25).map(|i| format!("Save {i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        bg.record_sync(Ok((report(2 * CONFLICTS_KEPT_MS, &many), false)), 2 * CONFLICTS_KEPT_MS);
        assert_eq!(bg.last_sync.clone().unwrap().conflicts.unwrap().len(), CONFLICTS_LISTED);
        bg.record_sync(Err("quota".into()), 2 * CONFLICTS_KEPT_MS + 1);
        let failed = bg.last_sync.clone().unwrap();
        let error = failed.error.unwrap();
        assert_eq!(error.text, "Sync failed: quota");
        assert_eq!(error.key, "errSyncFailed");
        assert_eq!(failed.conflicts.unwrap().len(), CONFLICTS_LISTED, "still listed after a failure");
    }

    #[test]
    fn menu_contexts_follow_the_capabilities() {
        let tab_menu = Capabilities {
            tab_menu: true,
            ..Default::default()
        };
        assert_eq!(tab_menu.menu_contexts(), ["page", "tab", "action"]);
        assert_eq!(Capabilities::default().menu_contexts(), ["page", "action"]);
    }
}
