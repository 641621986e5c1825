//! The session keeper: follows events into the model, commits when the saver
//! says so, and at a browser run's start judges and sets aside what the last
//! run left (Firefox: SessionStartup + the glue of SessionStore). It talks to
//! the browser only through its arguments, so all of it runs in `cargo test`.

use crate::budget::{self, ReportRate, ScriptText};
use crate::event::{Change, Event};
use crate::message::{self, Message};
use crate::model::{Field, Millis, PageState, Session};
use crate::msg;
use crate::privacy;
use crate::privacy::RawField;
use crate::protocol::{self, Frame};
use crate::saver::{Policy, Saver};
use crate::settings::Settings;
use crate::spare::SessionCopy;
use crate::store::{Backend, Latest, Op, Prepared, SetAside, Snapshot, Store, StoreError, Written};
use crate::tracker::Tracker;
use crate::verdict::{self, RunMark, Verdict};
use std::collections::HashMap;

/// What the edge should do about saving after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    Nothing,
    /// Commit at this time (if still due).
    At(Millis),
    /// Commit right away: the browser may be about to exit.
    Now,
}

/// Autosave health, shown to the user when it fails.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Health {
    /// When saving started failing and why.
    pub failing: Option<(Millis, Message)>,
}

/// A commit between `Keeper::begin_commit` and `Keeper::finish_commit`:
/// its batch (or why it could not be prepared) and what it covers.
#[derive(Debug)]
pub struct Writing {
    prepared: Result<Option<Prepared>, StoreError>,
    clean_exit: bool,
    /// The saver's changes the snapshot covers, and when it was taken.
    covered: u64,
    taken_at: Millis,
}

impl Writing {
    /// The batch to write; empty when there is nothing to write (or it could
    /// not be prepared: `finish_commit` reports why).
    pub fn take_ops(&mut self) -> Vec<Op> {
        match &mut self.prepared {
            Ok(Some(p)) => p.take_ops(),
            _ => Vec::new(),
        }
    }
}

pub struct Keeper<B> {
    store: Store<B>,
    /// A spare copy of the session the last commit made due, not yet written.
    spare_due: Option<SessionCopy>,
    tracker: Tracker,
    saver: Saver,
    verdict: Verdict,
    /// Where the set-aside session of this run's start went, if any.
    set_aside_key: Option<String>,
    /// Origin of Lifeboat's own pages, which are never recorded.
    own_origin: String,
    mark: RunMark,
    /// The stored mark's `clean_exit`, to write the mark only when it changes.
    stored_clean: bool,
    /// The last normal window was closed: the model keeps it as the session
    /// the user left, and the next new window starts afresh.
    closed_last: bool,
    last_saved_at: Option<Millis>,
    last_commit_bytes: usize,
    /// Commits that wrote something this background run, and their bytes:
    /// what the store says it committed (benchmarks compare it with the disk).
    commits: u64,
    bytes_committed: u64,
    health: Health,
    notice: Option<Message>,
    settings: Settings,
    /// Typed text waiting for restored tabs to load, by tab id.
    pending_pages: Vec<(i64, PageState)>,
    /// A write failed in this background run: the browser may empty the
    /// database at its next start, so every commit also refreshes the spare
    /// copy (`spare`).
    degraded: bool,
    /// How often each tab may report typed text.
    rate: ReportRate,
    /// When each tab last reported: the session budget takes from the
    /// tabs reported longest ago first.
    reported_at: HashMap<i64, Millis>,
    /// How much text only a page's script changed each tab may keep.
    script_text: ScriptText,
}

/// Why settings were not changed.
#[derive(Debug)]
pub enum SettingsError {
    /// Excluded-site entries that are no site, as written.
    NotASite(Vec<String>),
    Store(StoreError),
}

impl From<StoreError> for SettingsError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl SettingsError {
    /// The sentence for the user (`crate::message`).
    pub fn message(&self) -> Message {
        match self {
            Self::NotASite(entries) => msg!(
                message::SETTINGS_NOT_A_SITE,
                entries.iter().map(|e| format!("“{}”", e.trim())).collect::<Vec<_>>().join(", ")
            ),
            Self::Store(e) => e.message(),
        }
    }
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message().text)
    }
}

/// Why a content script's report was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    /// Too many reports: ask again after this long.
    pub retry_ms: Option<u64>,
}

impl Refusal {
    fn new(reason: &str) -> Self {
        Self {
            reason: reason.into(),
            retry_ms: None,
        }
    }
}

impl From<crate::message::Message> for Refusal {
    fn from(reason: crate::message::Message) -> Self {
        Self::from(reason.text)
    }
}

impl From<String> for Refusal {
    fn from(reason: String) -> Self {
        Self { reason, retry_ms: None }
    }
}

/// Whether a content script's frame may speak for `key` in a tab showing
/// `tab_url`: only the top frame for "", only another frame for any other
/// key, and only a frame of the tab's own site (the content script keys
/// only frames same-origin with the top one).
fn fits_tab(from: &Frame, key: &str, tab_url: &str) -> Result<(), Refusal> {
    if from.is_top() != key.is_empty() {
        return Err(Refusal::new("the frame is not the one it names"));
    }
    match (protocol::origin(&from.url), protocol::origin(tab_url)) {
        (Some(a), Some(b)) if a == b => Ok(()),
        _ => Err(Refusal::new("the frame is not of the tab's site")),
    }
}

/// What goes back into one frame of a restored page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRestore {
    pub scroll: Option<(i32, i32)>,
    pub fields: Vec<Field>,
}

impl<B> Keeper<B> {
    pub fn session(&self) -> &Session {
        self.tracker.session()
    }

    /// The store, to read what it holds and settle set-aside sessions.
    pub fn store(&self) -> &Store<B> {
        &self.store
    }

    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Where the set-aside session of this run's start went, if any.
    pub fn set_aside_key(&self) -> Option<&str> {
        self.set_aside_key.as_deref()
    }

    /// What the store had to say at start-up (a damaged snapshot replaced).
    pub fn notice(&self) -> Option<&Message> {
        self.notice.as_ref()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// When saving started failing, and why.
    pub fn failing(&self) -> Option<&(Millis, Message)> {
        self.health.failing.as_ref()
    }

    pub fn last_saved_at(&self) -> Option<Millis> {
        self.last_saved_at
    }

    /// Bytes of the last commit.
    pub fn last_commit_bytes(&self) -> usize {
        self.last_commit_bytes
    }

    /// Commits that wrote something in this background run, and their bytes.
    pub fn commits(&self) -> (u64, u64) {
        (self.commits, self.bytes_committed)
    }

    /// When the saver wants to commit or sync next, if it does.
    pub fn deadline(&self) -> Option<Millis> {
        match (self.saver.deadline(), self.saver.sync_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The saver's own deadline for what is pending has come.
    pub fn is_due(&self, now: Millis) -> bool {
        self.saver.is_due(now)
    }

    /// Something is not committed yet.
    pub fn is_dirty(&self) -> bool {
        self.saver.is_dirty()
    }

    /// When the oldest change not committed yet was made.
    pub fn dirty_since(&self) -> Option<Millis> {
        self.saver.pending_since()
    }

    /// Applies an event to the live model only, the saver not told (the
    /// bench times the model alone).
    pub fn apply_to_model(&mut self, e: Event) {
        self.tracker.apply(e);
    }

    #[cfg(test)]
    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    #[cfg(test)]
    pub(crate) fn set_failing(&mut self, failing: Option<(Millis, Message)>) {
        self.health.failing = failing;
    }

    pub fn own_origin(&self) -> &str {
        &self.own_origin
    }
}

impl<B: Backend> Keeper<B> {
    pub fn backend(&self) -> &B {
        self.store.backend()
    }

    /// Reads what the last run left and, at a new browser run, judges it and
    /// sets it aside before anything may write over it.
    pub async fn start(backend: B, version: &str, own_origin: &str, now: Millis, new_browser_run: bool) -> Result<Self, StoreError> {
        let mut store = Store::new(backend);
        let mut last_mark = store.run_mark(version).await?;
        // No mark: a first run, or a database emptied behind Lifeboat's back.
        // A spare copy elsewhere is put back before anything is judged.
        let recovered = match last_mark {
            Some(_) => None,
            None => crate::spare::recover(store.backend()).await?,
        };
        if recovered.is_some() {
            last_mark = store.run_mark(version).await?;
        }
        let mut read = store.load_latest().await;
        // The database kept older records but lost later writes: the spare
        // session is of a later commit than the one it reads back to. (Not
        // after putting the whole copy back: it reads to the copy's own state.)
        let read_to = read.as_ref().ok().and_then(|l| l.as_ref()).and(store.latest_point());
        let newer = recovered.is_none() && crate::spare::recover_newer(store.backend(), read_to).await.unwrap_or(false);
        if newer {
            read = store.load_latest().await;
        }
        let (latest, notice) = match read {
            Ok(Some(Latest { snapshot, notice })) => (Some(snapshot), notice),
            Ok(None) => (None, None),
            // Nothing readable: say so, and start afresh rather than stop saving.
            Err(e) => (None, Some(msg!(message::NOTICE_LAST_UNREADABLE, e.message()))),
        };
        let notice = match (recovered, newer) {
            (Some(_), _) => Some(message::NOTICE_SPARE_RESTORED.msg()),
            (None, true) => Some(message::NOTICE_SPARE_NEWER.msg()),
            (None, false) => notice,
        };
        // Snapshots without a mark (a damaged or lost mark) count as a crash.
        let effective_mark = last_mark.clone().or_else(|| {
            latest.as_ref().map(|_| RunMark {
                started_at: 0,
                version: version.into(),
                clean_exit: false,
            })
        });
        let verdict = verdict::decide(effective_mark.as_ref(), new_browser_run, version);
        let mut set_aside_key = None;
        let mark = if verdict == Verdict::Continuing {
            last_mark.unwrap_or(RunMark {
                started_at: now,
                version: version.into(),
                clean_exit: false,
            })
        } else {
            let mark = RunMark {
                started_at: now,
                version: version.into(),
                clean_exit: false,
            };
            let previous = latest.filter(|s| s.session.tab_count() > 0).map(|snapshot| SetAside {
                snapshot,
                ended: verdict,
                pending: verdict == Verdict::Crash,
            });
            set_aside_key = store.begin_run(previous, &mark).await?;
            // The last run's session is set aside; this run's first commit is
            // a checkpoint of its own (tab ids do not survive a restart anyway).
            store.start_fresh();
            if !store.pending_pages().await?.is_empty() {
                store.put_pending_pages(&[]).await?;
            }
            // Deleted named saves could be undone until now.
            crate::named::purge(store.backend(), now).await?;
            mark
        };
        let mut tracker = Tracker::new();
        if verdict == Verdict::Continuing {
            if let Some(current) = store.current() {
                tracker.carry_pages_from(&current.session);
            }
        }
        let settings = store.settings().await?;
        store.set_retention(settings.timeline.clone(), settings.timeline_max_mib as u64 * 1024 * 1024);
        let pending_pages = store.pending_pages().await?;
        Ok(Self {
            settings,
            pending_pages,
            store,
            spare_due: None,
            tracker,
            saver: Saver::new(Policy::default()),
            verdict,
            set_aside_key,
            own_origin: own_origin.into(),
            stored_clean: mark.clean_exit,
            mark,
            closed_last: false,
            last_saved_at: None,
            last_commit_bytes: 0,
            commits: 0,
            bytes_committed: 0,
            health: Health::default(),
            notice,
            degraded: false,
            rate: ReportRate::default(),
            reported_at: HashMap::new(),
            script_text: ScriptText::default(),
        })
    }

    /// Applies one browser event and says when to commit.
    pub fn apply(&mut self, event: Event, now: Millis) -> Commit {
        if self.closed_last {
            // A window opened after the last one closed: a new session begins.
            if matches!(event, Event::WindowOpened(_) | Event::TabCreated(_)) {
                self.tracker.clear();
                self.closed_last = false;
            } else {
                return Commit::Nothing;
            }
        }
        // The last normal window is closing: the first tab removed with it is
        // the earliest sign (a browser may quit right after), so the clean
        // mark is written then, not at the window's own event.
        let closing = match event {
            Event::WindowClosed { window_id } => Some(window_id),
            Event::TabRemoved {
                window_id,
                window_closing: true,
                ..
            } => Some(window_id),
            _ => None,
        };
        if let Some(window_id) = closing {
            let s = self.tracker.session();
            if s.windows.len() == 1 && s.windows[0].id == window_id {
                self.closed_last = true;
                self.saver.note(Change::Structure, now);
                return Commit::Now;
            }
        }
        let updated = match &event {
            Event::TabUpdated(info) => Some(info.id),
            _ => None,
        };
        if let Event::TabRemoved { tab_id, .. } = event {
            self.rate.forget(tab_id);
            self.reported_at.remove(&tab_id);
            self.script_text.forget(tab_id);
        }
        let typed = matches!(event, Event::PageChanged { .. });
        let churn = matches!(event, Event::TabCreated(_) | Event::TabRemoved { .. });
        let change = self.tracker.apply(event);
        // A page left on an excluded site is not kept in the tab's history.
        if let Some(t) = updated.and_then(|id| self.tracker.tab_mut(id)) {
            if t.history.last().is_some_and(|v| !privacy::visit_allowed(&v.url, &self.settings)) {
                t.history.pop();
            }
        }
        self.saver.note(change, now);
        if typed && change != Change::None {
            self.saver.note_typed(now);
        }
        if churn && change != Change::None {
            self.saver.note_churn(now);
        }
        match self.saver.deadline() {
            Some(at) => Commit::At(at),
            None => Commit::Nothing,
        }
    }

    /// Commits the session if anything is pending, then syncs the store to
    /// disk if that is due. Returns bytes written.
    pub async fn commit(&mut self, now: Millis) -> Result<usize, StoreError> {
        let written = self.commit_pending(now).await;
        self.sync_if_due(now).await;
        written
    }

    /// Syncs what was committed to disk if that is due; says whether it was.
    pub async fn sync_if_due(&mut self, now: Millis) -> bool {
        if !self.saver.sync_due(now) {
            return false;
        }
        let ok = self.store.sync().await.is_ok();
        self.saver.synced(ok, now);
        true
    }

    /// Commits the session if anything is pending. Returns bytes written.
    pub async fn commit_pending(&mut self, now: Millis) -> Result<usize, StoreError> {
        let Some(mut writing) = self.begin_commit(now).await else { return Ok(0) };
        let ops = writing.take_ops();
        let written = crate::store::write_batch(self.store.backend(), ops).await;
        let result = self.finish_commit(writing, written, now).await;
        if let Some(copy) = self.take_spare_copy() {
            let kept = copy.keep(&self.store).await;
            self.spare_kept(kept);
        }
        result
    }

    /// Makes the next commit a checkpoint (tests).
    #[cfg(test)]
    pub(crate) fn start_fresh(&mut self) {
        self.store.start_fresh();
    }

    /// The spare copy a commit made due (`finish_commit`), to write apart.
    pub fn take_spare_copy(&mut self) -> Option<SessionCopy> {
        self.spare_due.take()
    }

    /// How writing the spare copy went: a failed spare copy is not a failed
    /// save (the database has it); its bytes count with the commits'.
    pub fn spare_kept(&mut self, kept: Result<usize, StoreError>) {
        self.bytes_committed += kept.unwrap_or(0) as u64;
    }

    /// The first half of a commit: the snapshot of what is pending and its
    /// batch (`Writing::take_ops`), for the caller to write while events
    /// keep being applied; `finish_commit` then takes the result. `None`:
    /// nothing pending. Until `finish_commit`, no other commit may begin.
    pub async fn begin_commit(&mut self, now: Millis) -> Option<Writing> {
        if !self.saver.is_dirty() {
            return None;
        }
        let covered = self.saver.changes();
        self.mark.clean_exit = self.closed_last;
        // The live model, not a copy of it: the store copies only what it keeps.
        let session = privacy::scrub(self.tracker.session(), &self.own_origin);
        let mark = (self.mark.clean_exit != self.stored_clean).then_some(&self.mark);
        let prepared = self.store.prepare(now, &session, mark).await;
        Some(Writing {
            prepared,
            clean_exit: self.mark.clean_exit,
            covered,
            taken_at: now,
        })
    }

    /// The second half of a commit: `written` is how writing its batch
    /// went. Returns bytes written.
    pub async fn finish_commit(&mut self, writing: Writing, written: Result<(), StoreError>, now: Millis) -> Result<usize, StoreError> {
        let result = match (writing.prepared, written) {
            (Ok(Some(prepared)), Ok(())) => Ok(self.store.finish(prepared)),
            (Ok(None), Ok(())) => Ok(Written::default()),
            (Ok(Some(prepared)), Err(e)) => {
                self.store.write_failed(&prepared);
                Err(e)
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        match result {
            Ok(written) => {
                self.stored_clean = writing.clean_exit;
                self.saver.committed(writing.covered, writing.taken_at, now);
                self.last_saved_at = Some(now);
                self.last_commit_bytes = written.bytes;
                if written.bytes > 0 {
                    self.commits += 1;
                    self.bytes_committed += written.bytes as u64;
                }
                self.health.failing = None;
                if written.checkpoint || (self.degraded && written.bytes > 0) {
                    self.spare_due = Some(SessionCopy::of(&self.store, now));
                }
                Ok(written.bytes)
            }
            Err(e) => {
                // A write that failed may still have landed (a timeout): the
                // keys are read again before the next checkpoint deletes any.
                self.store.forget_keys();
                self.saver.failed(now);
                self.degraded = true;
                // Out of room: give up the oldest timeline point before the
                // retry; the latest state, named saves and unresolved crashes
                // are never what goes.
                if let StoreError::Backend(msg) = &e {
                    if msg.contains("Quota") || msg.contains("quota") {
                        let _ = self.store.thin_oldest().await;
                    }
                }
                let since = self.health.failing.as_ref().map_or(now, |(t, _)| *t);
                self.health.failing = Some((since, e.message()));
                Err(e)
            }
        }
    }

    /// A content script's report of one frame: `from` is what the browser
    /// says of the sender (tab, frame id, the frame's URL), `key` the frame's
    /// place in the tab ("" for the top frame). Fields are filtered by the
    /// privacy rules and held to the budgets; a page the settings exclude
    /// keeps nothing.
    pub fn page_report(&mut self, from: &Frame, key: &str, scroll: Option<(i32, i32)>, raw: &[RawField], now: Millis) -> Result<Commit, Refusal> {
        let Some(tab) = self.tracker.tab(from.tab) else {
            return Err(Refusal::new("not a recorded tab"));
        };
        fits_tab(from, key, &tab.url)?;
        privacy::forms_allowed(&tab.url, &self.settings)?;
        if !from.is_top() {
            privacy::forms_allowed(&from.url, &self.settings)?;
        }
        if let Err(wait) = self.rate.take(from.tab, self.settings.page_reports_per_minute, now) {
            return Err(Refusal {
                reason: "too many reports from this tab".into(),
                retry_ms: Some(wait),
            });
        }
        let (mut fields, _refused) = privacy::filter_frame(key, &from.url, raw, &self.settings);
        let previous = self.tracker.tab(from.tab).and_then(|t| {
            let page = t.page.as_ref()?;
            page.frames.iter().find(|f| f.frame == key && f.url == from.url)
        });
        let mut cut = self.script_text.hold(from.tab, &mut fields, previous, now);
        let tab_limit = self.settings.typed_text_tab_bytes();
        cut += budget::fit_frame(&mut fields, tab_limit);
        let commit = self.apply(
            Event::PageChanged {
                tab_id: from.tab,
                scroll: if from.is_top() { scroll } else { None },
                frame: fields,
            },
            now,
        );
        if let Some(page) = self.tracker.tab_mut(from.tab).and_then(|t| t.page.as_mut()) {
            cut += budget::fit_page(page, key, tab_limit);
        }
        self.reported_at.insert(from.tab, now);
        let limit = self.settings.typed_text_session_bytes();
        for (tab, n) in budget::fit_session(self.tracker.contents_mut(), from.tab, &self.reported_at, limit) {
            self.note_cut(tab, n);
        }
        self.note_cut(from.tab, cut);
        Ok(commit)
    }

    /// Counts typed fields left out of a tab for want of budget, on its
    /// page state, so that a restore after a crash can say so.
    fn note_cut(&mut self, tab: i64, n: usize) {
        if n == 0 {
            return;
        }
        if let Some(t) = self.tracker.tab_mut(tab) {
            let url = t.url.clone();
            let page = t.page.get_or_insert_with(|| PageState { url, ..Default::default() });
            page.cut = page.cut.saturating_add(n as u32);
        }
    }

    /// Typed fields left out of the live session's tabs for want of budget.
    pub fn cut_fields(&self) -> usize {
        self.session()
            .windows
            .iter()
            .flat_map(|w| &w.tabs)
            .filter_map(|t| t.page.as_ref())
            .map(|p| p.cut as usize)
            .sum()
    }

    /// Restored tabs whose page state should go back when they load.
    pub async fn expect_pages(&mut self, pages: Vec<(i64, PageState)>) -> Result<(), StoreError> {
        if pages.is_empty() {
            return Ok(());
        }
        self.pending_pages.extend(pages);
        self.store.put_pending_pages(&self.pending_pages).await
    }

    /// What a restored tab's frame should get back, once: only the frame the
    /// browser says is asking, on the page the text was typed into, and only
    /// what the settings of this moment still allow.
    /// Whether typed text waits for tab `tab` to load (`take_page`).
    pub fn expects_page(&self, tab: i64) -> bool {
        self.pending_pages.iter().any(|(id, _)| *id == tab)
    }

    pub async fn take_page(&mut self, from: &Frame, key: &str) -> Result<Option<PageRestore>, StoreError> {
        let Some(at) = self.pending_pages.iter().position(|(id, _)| *id == from.tab) else {
            return Ok(None);
        };
        let page = &mut self.pending_pages[at].1;
        if fits_tab(from, key, &page.url).is_err() {
            return Ok(None);
        }
        // The top frame must be on the page the text was typed into.
        if from.is_top() && page.url != from.url {
            return Ok(None);
        }
        let allowed = privacy::forms_allowed(&page.url, &self.settings).is_ok() && privacy::forms_allowed(&from.url, &self.settings).is_ok();
        let fi = page.frames.iter().position(|f| f.frame == key && f.url == from.url);
        let fields = fi.map(|fi| page.frames.remove(fi).fields).filter(|_| allowed).unwrap_or_default();
        let scroll = if from.is_top() { page.scroll.take() } else { None };
        if fi.is_none() && scroll.is_none() {
            return Ok(None);
        }
        self.forget_empty_pages().await?;
        Ok(Some(PageRestore { scroll, fields }))
    }

    async fn forget_empty_pages(&mut self) -> Result<(), StoreError> {
        self.pending_pages.retain(|(_, p)| !p.frames.is_empty() || p.scroll.is_some());
        self.store.put_pending_pages(&self.pending_pages).await
    }

    /// Stores new settings. Typed text they now refuse goes at once, from
    /// the live session and from pages waiting to be restored; the answer
    /// says to commit then.
    pub async fn set_settings(&mut self, mut settings: Settings) -> Result<Commit, SettingsError> {
        // Exclusions are kept in the form they are compared in (the manager
        // shows it); an entry that is no site refuses the whole change.
        let unreadable = privacy::normalise_settings(&mut settings);
        if !unreadable.is_empty() {
            return Err(SettingsError::NotASite(unreadable));
        }
        self.store.put_settings(&settings).await?;
        self.store
            .set_retention(settings.timeline.clone(), settings.timeline_max_mib as u64 * 1024 * 1024);
        // Only a change of what is kept can refuse something kept before.
        let privacy_changed = settings.privacy_level != self.settings.privacy_level || settings.excluded_sites != self.settings.excluded_sites;
        self.settings = settings;
        if !privacy_changed {
            return Ok(Commit::Nothing);
        }
        let now_set = self.settings.clone();
        let refused = |url: &str| privacy::forms_allowed(url, &now_set).is_err();
        let mut dropped = 0;
        for t in self.tracker.contents_mut().windows.iter_mut().flat_map(|w| w.tabs.iter_mut()) {
            let before = t.history.len();
            t.history.retain(|v| privacy::visit_allowed(&v.url, &self.settings));
            dropped += before - t.history.len();
            if let Some(page) = &mut t.page {
                // A page on an excluded site loses every frame, whatever their URLs.
                dropped += if refused(&t.url) {
                    page.drop_frames(&mut |_| true)
                } else {
                    page.drop_frames(&mut |u| refused(u))
                };
                if page.is_empty() {
                    t.page = None;
                }
            }
        }
        let before = self.pending_pages.iter().map(|(_, p)| p.typed_fields()).sum::<usize>();
        for (_, page) in &mut self.pending_pages {
            let top_refused = refused(&page.url);
            page.drop_frames(&mut |u| top_refused || refused(u));
        }
        if self.pending_pages.iter().map(|(_, p)| p.typed_fields()).sum::<usize>() != before {
            self.forget_empty_pages().await?;
        }
        // And from everything stored: older points, earlier sessions, named saves.
        let visit_refused = |url: &str| !privacy::visit_allowed(url, &now_set);
        let what = crate::purge::Refused {
            text: &refused,
            visit: &visit_refused,
            keep_cut_notes: true,
        };
        crate::purge::refused(self.store.backend(), &what).await?;
        if dropped == 0 {
            return Ok(Commit::Nothing);
        }
        self.saver.note(Change::Detail, 0);
        Ok(Commit::Now)
    }

    /// The live session as last committed, for the restore page's "current".
    pub fn committed(&self) -> Option<&Snapshot> {
        self.store.current()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{TabInfo, WindowInfo};
    use crate::store::block_on;
    use crate::store::memory::MemoryBackend;
    use crate::store::Backend;
    use crate::test_kit::pending_page;

    const V: &str = "1.0";
    const OWN: &str = "moz-extension://me/";

    /// A tab's top frame as the browser reports it.
    fn top(tab: i64, url: &str) -> Frame {
        Frame {
            tab,
            frame_id: 0,
            url: url.into(),
        }
    }

    fn open_two_tabs<B: Backend>(k: &mut Keeper<B>, now: Millis) {
        crate::test_kit::open_window(k, 1, &[(0, "https://a/"), (1, "https://b/")], now);
    }

    /// Keeps the storage across "browser runs".
    fn restart(k: Keeper<MemoryBackend>, now: Millis, new_run: bool) -> Keeper<MemoryBackend> {
        let backend = k.store.backend().clone();
        block_on(Keeper::start(backend, V, OWN, now, new_run)).unwrap()
    }

    /// Issue 13's event storm: 500 tabs opened at once, then closed at once,
    /// one event every `every` ms. Driven as the edge drives it (commit
    /// whenever the deadline has come). Returns the commits, and how long
    /// after the storm's last event the last one came.
    fn storm(every: Millis) -> (u64, Millis) {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        block_on(k.commit(1_000)).unwrap();
        let before = k.commits().0;
        let mut last_commit = 0;
        let mut drive = |k: &mut Keeper<MemoryBackend>, e: Event, now: Millis| {
            if let Some(at) = k.deadline().filter(|&at| at <= now) {
                // As `Background::begin_due_commit`: a wake for a sync
                // alone commits nothing.
                if k.is_due(at) {
                    block_on(k.commit(at)).unwrap();
                    last_commit = at;
                } else {
                    block_on(k.sync_if_due(at));
                }
            }
            k.apply(e, now);
        };
        let t0 = 10_000;
        for i in 0..500 {
            let tab = crate::test_kit::tab_info(100 + i, 1, 2 + i as usize, "https://storm/");
            drive(&mut k, Event::TabCreated(tab), t0 + every * i as Millis);
        }
        for i in 0..500 {
            let e = Event::TabRemoved {
                tab_id: 100 + i,
                window_id: 1,
                window_closing: false,
            };
            drive(&mut k, e, t0 + every * (500 + i) as Millis);
        }
        let storm_end = t0 + every * 999;
        while let Some(at) = k.deadline().filter(|_| k.is_dirty()) {
            block_on(k.commit(at)).unwrap();
            last_commit = at;
        }
        assert_eq!(k.committed().unwrap().session.tab_count(), 2, "what is stored is what is open");
        (k.commits().0 - before, last_commit - storm_end)
    }

    /// 1,000 events in 4 s, as a browser delivers them on an idle machine:
    /// a handful of commits, not 500, the last within a second of the storm.
    #[test]
    fn an_event_storm_is_a_handful_of_commits() {
        let (commits, after) = storm(4);
        assert!((1..=5).contains(&commits), "{commits} commits for the storm");
        assert!(after <= 1_000, "the last commit came {after} ms after the storm");
    }

    /// The same storm on a loaded machine: 19 tabs a second, under the
    /// storm's change rate, is still a storm (52 s: one commit per 1.5 s,
    /// not one per 0.5 s).
    #[test]
    fn a_slowly_delivered_storm_is_still_a_storm() {
        let (commits, after) = storm(1_000 / 19);
        assert!((1..=52_600 / 1_500 + 1).contains(&commits), "{commits} commits for the storm");
        assert!(after <= 1_000, "the last commit came {after} ms after the storm");
    }

    #[test]
    fn first_run_then_crash_sets_the_session_aside_as_pending() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        assert_eq!(k.verdict, Verdict::FirstRun);
        open_two_tabs(&mut k, 10);
        block_on(k.commit(2000)).unwrap();
        let k = restart(k, 5000, true);
        assert_eq!(k.verdict, Verdict::Crash);
        let aside = block_on(k.store.set_aside(k.set_aside_key.as_ref().unwrap())).unwrap();
        assert!(aside.pending);
        assert_eq!(aside.ended, Verdict::Crash);
        assert_eq!(aside.snapshot.session.tab_count(), 2);
    }

    #[test]
    fn closing_the_last_window_is_a_clean_exit_and_keeps_its_tabs() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        block_on(k.commit(2000)).unwrap();
        // The browser removes the tabs of a closing window, then the window.
        // The browser removes the tabs of a closing window, then the window:
        // the first of those already says the last window is going.
        let closing = |id| Event::TabRemoved {
            tab_id: id,
            window_id: 1,
            window_closing: true,
        };
        assert_eq!(k.apply(closing(0), 3000), Commit::Now);
        assert_eq!(k.apply(closing(1), 3000), Commit::Nothing);
        assert_eq!(k.apply(Event::WindowClosed { window_id: 1 }, 3000), Commit::Nothing);
        block_on(k.commit(3000)).unwrap();
        let k = restart(k, 9000, true);
        assert_eq!(k.verdict, Verdict::CleanExit);
        let aside = block_on(k.store.set_aside(k.set_aside_key.as_ref().unwrap())).unwrap();
        assert!(!aside.pending);
        assert_eq!(aside.snapshot.session.tab_count(), 2, "the last session stays reachable");
    }

    #[test]
    fn a_window_reopened_after_the_last_closed_clears_the_clean_mark() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        k.apply(Event::WindowClosed { window_id: 1 }, 100);
        block_on(k.commit(100)).unwrap();
        k.apply(
            Event::WindowOpened(WindowInfo {
                id: 2,
                normal: true,
                ..Default::default()
            }),
            200,
        );
        k.apply(
            Event::TabCreated(TabInfo {
                id: 9,
                window_id: 2,
                url: "https://c/".into(),
                ..Default::default()
            }),
            200,
        );
        assert_eq!(k.session().tab_count(), 1);
        block_on(k.commit(1200)).unwrap();
        let k = restart(k, 9000, true);
        assert_eq!(k.verdict, Verdict::Crash);
    }

    #[test]
    fn a_woken_background_continues_without_verdict_or_set_aside() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        block_on(k.commit(2000)).unwrap();
        let k = restart(k, 3000, false);
        assert_eq!(k.verdict, Verdict::Continuing);
        assert!(k.set_aside_key.is_none());
        assert!(block_on(k.store.set_asides()).unwrap().is_empty());
    }

    #[test]
    fn typed_text_survives_a_background_restart() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        let field = RawField {
            key: "#c".into(),
            tag: "textarea".into(),
            value: Some("draft".into()),
            ..Default::default()
        };
        k.page_report(&top(1, "https://b/"), "", None, &[field], 20).unwrap();
        block_on(k.commit(5000)).unwrap();
        // The background restarts in the same browser run and rebuilds its model.
        let mut k = restart(k, 6000, false);
        open_two_tabs(&mut k, 6000);
        block_on(k.commit(7000)).unwrap();
        assert_eq!(
            k.committed().unwrap().session.windows[0].tabs[1].page.as_ref().map(|p| p.typed_fields()),
            Some(1)
        );
    }

    #[test]
    fn an_update_is_not_a_crash() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), "0.9", OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        block_on(k.commit(2000)).unwrap();
        let k = restart(k, 3000, true);
        assert_eq!(k.verdict, Verdict::Updated);
        let aside = block_on(k.store.set_aside(k.set_aside_key.as_ref().unwrap())).unwrap();
        assert!(!aside.pending);
    }

    fn raw(key: &str, kind: &str, value: &str) -> RawField {
        RawField {
            key: key.into(),
            tag: "input".into(),
            kind: kind.into(),
            value: Some(value.into()),
            ..Default::default()
        }
    }

    #[test]
    fn typed_text_is_filtered_then_kept_with_its_tab() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        let fields = [
            raw("#c", "text", "hello"),
            raw("#p", "password", "hunter2"),
            raw("#n", "text", "4111111111111111"),
        ];
        let c = k.page_report(&top(1, "https://b/"), "", Some((0, 300)), &fields, 20).unwrap();
        assert!(matches!(c, Commit::At(_)));
        let page = k.session().windows[0].tabs[1].page.clone().unwrap();
        assert_eq!(page.typed_fields(), 1);
        assert_eq!(page.scroll, Some((0, 300)));
        block_on(k.commit(5000)).unwrap();
        // The decoded backup is everything stored: the secrets are not in it.
        let text = block_on(crate::view::backup(&k, 0, true)).unwrap().to_string();
        assert!(text.contains("hello") && !text.contains("hunter2") && !text.contains("4111111111111111"));
        // Excluded sites keep nothing.
        let mut s = k.settings.clone();
        s.excluded_sites = vec!["b".into()];
        block_on(k.set_settings(s)).unwrap();
        assert!(k.page_report(&top(1, "https://b/"), "", None, &fields, 30).is_err());
    }

    #[test]
    fn page_state_goes_back_once_to_the_same_url_and_survives_a_background_restart() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        let field = Field {
            key: "#c".into(),
            value: crate::model::FieldValue::Text("hi".into()),
            truncated: false,
            tag: String::new(),
            kind: String::new(),
            name: String::new(),
            touched: false,
        };
        let page = PageState {
            url: "https://a/".into(),
            scroll: Some((0, 99)),
            cut: 0,
            frames: vec![crate::model::FrameFields {
                frame: String::new(),
                url: "https://a/".into(),
                fields: vec![field.clone()],
            }],
        };
        block_on(k.expect_pages(vec![(42, page)])).unwrap();
        let mut k = restart(k, 10, false);
        assert_eq!(block_on(k.take_page(&top(42, "https://elsewhere/"), "")).unwrap(), None);
        let got = block_on(k.take_page(&top(42, "https://a/"), "")).unwrap().unwrap();
        assert_eq!((got.scroll, got.fields), (Some((0, 99)), vec![field]));
        assert_eq!(block_on(k.take_page(&top(42, "https://a/"), "")).unwrap(), None, "only once");
    }

    /// Storage that runs full: the last good state stays, old timeline points
    /// go first, the failure is visible with its start time, and saving
    /// resumes by itself once there is room.
    #[test]
    fn storage_pressure_keeps_the_latest_state_and_thins_old_points() {
        use crate::store::memory::{Fault, FaultyBackend};
        let backend = FaultyBackend::default();
        let mut k = block_on(Keeper::start(backend, V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 0);
        // An hour of history in several generations.
        for m in 0..60u64 {
            if m % 10 == 0 {
                k.store.start_fresh();
            }
            k.apply(
                Event::TabUpdated(TabInfo {
                    id: 0,
                    window_id: 1,
                    url: format!("https://a/{m}"),
                    ..Default::default()
                }),
                m * 60_000,
            );
            block_on(k.commit(m * 60_000 + 1000)).unwrap();
        }
        let named = block_on(crate::named::create(k.store.backend(), "Keep me", vec![], k.session().clone(), 1)).unwrap();
        let gens_before: std::collections::BTreeSet<u64> = block_on(k.store.points()).unwrap().iter().map(|p| p.gen).collect();
        k.store.backend().fail_next(Fault::Refuse);
        k.apply(
            Event::TabUpdated(TabInfo {
                id: 0,
                window_id: 1,
                url: "https://a/full".into(),
                ..Default::default()
            }),
            3_700_000,
        );
        assert!(block_on(k.commit(3_701_000)).is_err());
        let (since, why) = k.health.failing.clone().unwrap();
        assert_eq!(since, 3_701_000);
        assert!(why.text.contains("Quota"));
        assert_eq!(why.key, "storeBackend");
        assert!(k.saver.is_dirty(), "the change is still pending");
        assert!(!k.saver.is_due(3_702_000), "no retry in a tight loop");
        let gens_after: std::collections::BTreeSet<u64> = block_on(k.store.points()).unwrap().iter().map(|p| p.gen).collect();
        assert_eq!(gens_after.len() + 1, gens_before.len(), "one old generation went");
        assert_eq!(gens_after.iter().max(), gens_before.iter().max(), "not the newest");
        assert!(block_on(crate::named::get(k.store.backend(), &named.id)).is_ok(), "named saves never go");
        // Room again: the retry commits, the problem clears.
        block_on(k.commit(3_710_000)).unwrap();
        assert!(k.health.failing.is_none());
        let mut reopened = crate::store::Store::new(k.store.backend().inner.clone());
        assert_eq!(
            block_on(reopened.load_latest()).unwrap().unwrap().snapshot.session.windows[0].tabs[0].url,
            "https://a/full"
        );
        // A full disk that fails a write yet leaves its record torn (Chromium):
        // the retry and every later commit still read back.
        for (i, url) in ["https://a/torn", "https://a/retried", "https://a/after"].into_iter().enumerate() {
            if i == 0 {
                k.store.backend().fail_next(Fault::Tear { ops: usize::MAX, keep: 7 });
            }
            k.apply(
                Event::TabUpdated(TabInfo {
                    id: 0,
                    window_id: 1,
                    url: url.into(),
                    ..Default::default()
                }),
                3_720_000 + i as u64 * 60_000,
            );
            let committed = block_on(k.commit(3_721_000 + i as u64 * 60_000));
            assert_eq!(committed.is_err(), i == 0, "{url}");
            k.store.backend().revive();
        }
        let mut reopened = crate::store::Store::new(k.store.backend().inner.clone());
        assert_eq!(
            block_on(reopened.load_latest()).unwrap().unwrap().snapshot.session.windows[0].tabs[0].url,
            "https://a/after"
        );
    }

    /// What a fresh start would read back from the store.
    fn read_back(k: &Keeper<MemoryBackend>) -> Snapshot {
        let mut store = Store::new(k.store.backend().clone());
        block_on(store.load_latest()).unwrap().unwrap().snapshot
    }

    fn typed(key: &str, value: &str, touched: bool) -> RawField {
        RawField {
            key: key.into(),
            tag: "textarea".into(),
            value: Some(value.into()),
            touched,
            ..Default::default()
        }
    }

    /// A frame may speak only for itself: the browser's frame id must fit
    /// the key it names, and the frame must be of the tab's site.
    #[test]
    fn a_frame_cannot_speak_for_another() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        let f = [typed("#t", "iban DE00", false)];
        let sub = |url: &str| Frame {
            tab: 1,
            frame_id: 7,
            url: url.into(),
        };
        // A cross-site iframe claiming to be the top frame, with the top's URL in its message or not.
        assert!(k.page_report(&sub("https://evil.example/"), "", None, &f, 20).is_err());
        assert!(k.page_report(&sub("https://b/"), "", None, &f, 20).is_err(), "frame id 7 is not the top frame");
        // A cross-site iframe under any key.
        assert!(k.page_report(&sub("https://evil.example/"), "iframe[0]", None, &f, 20).is_err());
        // The top frame cannot pose as a subframe either.
        assert!(k.page_report(&top(1, "https://b/"), "iframe[0]", None, &f, 20).is_err());
        // A same-site iframe under its own key is fine.
        assert!(k.page_report(&sub("https://b/inner"), "iframe[0]", None, &f, 20).is_ok());
        // A top frame of another site than the tab's (a stale or forged report).
        assert!(k.page_report(&top(1, "https://evil.example/"), "", None, &f, 20).is_err());
    }

    #[test]
    fn restored_text_goes_only_to_its_own_frame() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        let page = pending_page("https://a/", &[("", "https://a/", "top text"), ("iframe[0]", "https://a/inner", "inner text")]);
        block_on(k.expect_pages(vec![(42, page)])).unwrap();
        let sub = |url: &str| Frame {
            tab: 42,
            frame_id: 3,
            url: url.into(),
        };
        // A subframe asking for the top frame's text, or a cross-site one for the inner frame's.
        assert_eq!(block_on(k.take_page(&sub("https://a/"), "")).unwrap(), None);
        assert_eq!(block_on(k.take_page(&sub("https://evil.example/inner"), "iframe[0]")).unwrap(), None);
        let inner = block_on(k.take_page(&sub("https://a/inner"), "iframe[0]")).unwrap().unwrap();
        assert_eq!(inner.fields, vec![crate::test_kit::text_field("#f", "inner text")]);
        let top_frame = block_on(k.take_page(&top(42, "https://a/"), "")).unwrap().unwrap();
        assert_eq!(top_frame.fields, vec![crate::test_kit::text_field("#f", "top text")]);
    }

    /// Restore checks the settings of the moment: a site excluded since the
    /// text was kept gets its scroll back, not its text.
    #[test]
    fn restore_obeys_the_settings_of_the_moment() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        block_on(k.expect_pages(vec![(42, pending_page("https://bank.example/", &[("", "https://bank.example/", "acct 1234")]))])).unwrap();
        block_on(k.expect_pages(vec![(43, pending_page("https://news.example/", &[("", "https://news.example/", "comment")]))])).unwrap();
        let mut s = k.settings.clone();
        s.excluded_sites = vec!["https://BANK.example./login".into()];
        block_on(k.set_settings(s.clone())).unwrap();
        assert_eq!(k.settings.excluded_sites, ["bank.example"], "kept as compared");
        s.excluded_sites.push("not a site at all".into());
        let refused = block_on(k.set_settings(s)).unwrap_err();
        assert!(refused.to_string().contains("“not a site at all” is not a site"), "{refused}");
        assert_eq!(k.settings.excluded_sites, ["bank.example"], "nothing changed");
        assert_eq!(
            block_on(k.take_page(&top(42, "https://bank.example/"), ""))
                .unwrap()
                .map(|r| (r.scroll, r.fields.len())),
            Some((Some((0, 50)), 0))
        );
        assert_eq!(
            block_on(k.take_page(&top(43, "https://news.example/"), "")).unwrap().map(|r| r.fields.len()),
            Some(1)
        );
    }

    /// Excluding a site or switching typed text off drops what is kept at
    /// once, and the next commit leaves none of it in the store.
    #[test]
    fn changing_privacy_settings_drops_text_already_kept() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        k.page_report(&top(0, "https://a/"), "", Some((0, 10)), &[typed("#t", "note on a", true)], 20)
            .unwrap();
        k.page_report(&top(1, "https://b/"), "", None, &[typed("#t", "note on b", true)], 20).unwrap();
        block_on(k.commit(5000)).unwrap();
        let mut s = k.settings.clone();
        s.excluded_sites = vec!["b".into()];
        assert_eq!(block_on(k.set_settings(s.clone())).unwrap(), Commit::Now);
        block_on(k.commit(5100)).unwrap();
        let stored = format!("{:?}", read_back(&k));
        assert!(stored.contains("note on a") && !stored.contains("note on b"), "{stored}");
        s.privacy_level = crate::settings::PrivacyLevel::Never;
        assert_eq!(block_on(k.set_settings(s.clone())).unwrap(), Commit::Now);
        block_on(k.commit(5200)).unwrap();
        let stored = format!("{:?}", read_back(&k));
        assert!(!stored.contains("note on a"), "{stored}");
        assert!(stored.contains("scroll: Some((0, 10))"), "scroll is not typed text");
        assert_eq!(block_on(k.set_settings(s)).unwrap(), Commit::Nothing, "nothing left to drop");
    }

    /// Excluding a site takes what was typed there out of everything
    /// stored, not only the live session: older points and their journal
    /// records, the session set aside at the last crash, named saves.
    #[test]
    fn excluding_a_site_purges_its_text_from_the_whole_store() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        k.page_report(&top(0, "https://a/"), "", None, &[typed("#t", "note on a", true)], 20).unwrap();
        k.page_report(&top(1, "https://b/"), "", None, &[typed("#t", "note on b", true)], 20).unwrap();
        block_on(k.commit(2_000)).unwrap();
        k.page_report(&top(1, "https://b/"), "", None, &[typed("#t", "note on b, longer", true)], 2_100)
            .unwrap();
        // Tab 0 went through a page of b: in its history.
        navigate(&mut k, 0, "https://b/secret-page", 2_200);
        navigate(&mut k, 0, "https://c/", 2_300);
        block_on(k.commit(4_000)).unwrap();
        block_on(crate::named::create(k.store.backend(), "Keep", vec![], k.session().clone(), 4_500)).unwrap();
        // A crash: the session with the text is set aside, and the new run types there again.
        let mut k = restart(k, 10_000, true);
        open_two_tabs(&mut k, 10_000);
        k.page_report(&top(1, "https://b/"), "", None, &[typed("#t", "note on b again", true)], 10_100)
            .unwrap();
        block_on(k.commit(12_000)).unwrap();
        let everything = |k: &Keeper<MemoryBackend>| block_on(crate::view::backup(k, 0, true)).unwrap().to_string();
        assert_eq!(
            everything(&k).matches("note on b").count(),
            5,
            "setup: in two journal records, a checkpoint, a set-aside, a named save"
        );
        assert!(everything(&k).contains("secret-page"), "setup: the page is in a history");
        let mut s = k.settings.clone();
        s.excluded_sites = vec!["b".into()];
        assert_eq!(block_on(k.set_settings(s)).unwrap(), Commit::Now);
        block_on(k.commit(13_000)).unwrap();
        let after = everything(&k);
        assert!(!after.contains("note on b"), "{after}");
        assert!(!after.contains("secret-page"), "nor the excluded site's pages in histories: {after}");
        assert!(after.contains("note on a"), "other sites keep theirs");
        // A change that keeps what is kept rewrites nothing.
        let before = k.store.backend().data.borrow().clone();
        let mut s = k.settings.clone();
        s.lazy_restore = !s.lazy_restore;
        assert_eq!(block_on(k.set_settings(s)).unwrap(), Commit::Nothing);
        let after_other: Vec<_> = k
            .store
            .backend()
            .data
            .borrow()
            .iter()
            .filter(|(key, _)| key.as_str() != "settings")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let before_other: Vec<_> = before
            .iter()
            .filter(|(key, _)| key.as_str() != "settings")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert!(after_other == before_other, "only the settings record changed");
        // Everything still loads.
        let sources = block_on(crate::view::sources(&mut k)).unwrap();
        for src in &sources {
            block_on(crate::view::load_source(&mut k, &src.id)).unwrap();
        }
    }

    /// A page's script fills fields with far more than anyone types: the tab
    /// keeps its budget, the field the user touched wins, and the cut is
    /// counted; the whole session keeps its own budget too.
    #[test]
    fn typed_text_budgets_hold() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        let mut s = k.settings.clone();
        s.typed_text_tab_kib = 64;
        s.typed_text_session_mib = 0;
        block_on(k.set_settings(s)).unwrap();
        let filler = "字".repeat(10_000); // 30,000 bytes
        let mut raw: Vec<RawField> = (0..5).map(|i| typed(&format!("#spam{i}"), &filler, false)).collect();
        raw.push(typed("#mine", "what I typed", true));
        k.page_report(&top(1, "https://b/"), "", None, &raw, 20).unwrap();
        let page = k.session().windows[0].tabs[1].page.clone().unwrap();
        assert!(budget::page_bytes(&page) <= 64 * 1024);
        assert!(page.frames[0].fields.iter().any(|f| f.key == "#mine"), "the touched field wins");
        assert_eq!(page.typed_fields(), 3, "two fillers and the user's field fit");
        assert_eq!(k.cut_fields(), 3);
        // The session budget: the tab reported longest ago gives its text up.
        let mut s = k.settings.clone();
        s.typed_text_session_mib = 1;
        s.typed_text_tab_kib = 1024;
        block_on(k.set_settings(s)).unwrap();
        let big: Vec<RawField> = (0..34).map(|i| typed(&format!("#b{i}"), &filler, false)).collect();
        k.page_report(&top(0, "https://a/"), "", None, &big, 30).unwrap();
        let total: usize = k.session().windows[0].tabs.iter().filter_map(|t| t.page.as_ref()).map(budget::page_bytes).sum();
        assert!(total <= 1024 * 1024, "{total}");
        let gave_up = k.session().windows[0].tabs[1].page.clone().unwrap();
        assert!(gave_up.frames.is_empty(), "tab 1 reported longest ago");
        assert_eq!(gave_up.cut, 3 + 3, "its earlier cut and the three fields it gave up now");
        assert_eq!(k.session().windows[0].tabs[0].page.as_ref().unwrap().typed_fields(), 34);
        // After a crash, the restore page's plan says what was left out.
        block_on(k.commit(10_000)).unwrap();
        let mut k = restart(k, 20_000, true);
        let id = k.set_aside_key.clone().unwrap();
        let (_, plan) = block_on(crate::view::plan(&mut k, &id, &[], None)).unwrap();
        assert!(plan.notices.iter().any(|n| n.text.contains("1 tab(s) was left out")), "{:?}", plan.notices);
    }

    #[test]
    fn a_tab_reporting_too_often_is_told_to_wait() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        let f = [typed("#t", "x", true)];
        for _ in 0..20 {
            k.page_report(&top(1, "https://b/"), "", None, &f, 100).unwrap();
        }
        let refused = k.page_report(&top(1, "https://b/"), "", None, &f, 100).unwrap_err();
        assert_eq!(refused.retry_ms, Some(500));
        assert!(k.page_report(&top(0, "https://a/"), "", None, &f, 100).is_ok(), "another tab is not held back");
        assert!(k.page_report(&top(1, "https://b/"), "", None, &f, 600).is_ok());
    }

    fn navigate<B: Backend>(k: &mut Keeper<B>, tab: i64, url: &str, now: Millis) {
        k.apply(
            Event::TabUpdated(TabInfo {
                id: tab,
                window_id: 1,
                url: url.into(),
                title: format!("Title of {url}"),
                last_accessed: Some(now),
                ..Default::default()
            }),
            now,
        );
    }

    /// Each tab keeps the pages it went through (web pages only, not an
    /// excluded site, the last 20); a navigation appends one small journal
    /// record; the history survives a crash and a background restart.
    #[test]
    fn each_tab_keeps_its_earlier_pages() {
        use crate::journal::{Delta, DeltaOp, TabField};
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        let mut s = k.settings.clone();
        s.excluded_sites = vec!["bank.example".into()];
        block_on(k.set_settings(s)).unwrap();
        navigate(&mut k, 0, "about:blank", 100);
        navigate(&mut k, 0, "https://one.example/", 200);
        navigate(&mut k, 0, "https://bank.example/login", 300);
        navigate(&mut k, 0, "https://two.example/", 400);
        block_on(k.commit(1_000)).unwrap();
        let urls = |t: &crate::model::Tab| t.history.iter().map(|v| v.url.clone()).collect::<Vec<_>>();
        assert_eq!(
            urls(&k.session().windows[0].tabs[0]),
            ["https://a/", "https://one.example/"],
            "no blank page, no excluded site"
        );
        assert_eq!(k.session().windows[0].tabs[0].history[1].title, "Title of https://one.example/");
        // One navigation more: a journal record appending one visit.
        navigate(&mut k, 0, "https://three.example/", 1_100);
        block_on(k.commit(2_000)).unwrap();
        let last = block_on(k.store.backend().keys("jr/")).unwrap().pop().unwrap();
        let delta: Delta = crate::codec::decode(crate::codec::Kind::Delta, &block_on(k.store.backend().get(&last)).unwrap().unwrap()).unwrap();
        let appended = delta.ops.iter().any(
            |op| matches!(op, DeltaOp::TabPatch { fields, .. } if fields.iter().any(|f| matches!(f, TabField::Visited(v) if v.url == "https://two.example/"))),
        );
        assert!(appended, "{delta:?}");
        // Never more than 20.
        for i in 0..30 {
            navigate(&mut k, 0, &format!("https://p{i}.example/"), 3_000 + i);
        }
        assert_eq!(k.session().windows[0].tabs[0].history.len(), crate::model::MAX_HISTORY);
        assert_eq!(k.session().windows[0].tabs[0].history.last().unwrap().url, "https://p28.example/");
        block_on(k.commit(5_000)).unwrap();
        // A background restart in the same run keeps it; so does a crash.
        let mut again = restart(k, 6_000, false);
        again.apply(
            Event::WindowOpened(WindowInfo {
                id: 1,
                normal: true,
                ..Default::default()
            }),
            6_000,
        );
        again.apply(
            Event::TabCreated(TabInfo {
                id: 0,
                window_id: 1,
                url: "https://p29.example/".into(),
                ..Default::default()
            }),
            6_000,
        );
        assert_eq!(again.session().windows[0].tabs[0].history.len(), crate::model::MAX_HISTORY);
        block_on(again.commit(7_000)).unwrap();
        let crashed = restart(again, 9_000, true);
        let aside = block_on(crashed.store.set_aside(crashed.set_aside_key.as_ref().unwrap())).unwrap();
        assert_eq!(aside.snapshot.session.windows[0].tabs[0].history.len(), crate::model::MAX_HISTORY);
    }

    #[test]
    fn own_pages_never_reach_storage() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), V, OWN, 0, true)).unwrap();
        open_two_tabs(&mut k, 10);
        k.apply(
            Event::TabCreated(TabInfo {
                id: 7,
                window_id: 1,
                index: 2,
                url: format!("{OWN}www/restore.html"),
                ..Default::default()
            }),
            20,
        );
        block_on(k.commit(2000)).unwrap();
        let snap = k.committed().unwrap();
        assert_eq!(snap.session.tab_count(), 2);
    }
}
