//! The background's one task. It owns the keeper; browser events, page
//! requests and the backstop alarm reach it through a channel, so a commit
//! awaiting IndexedDB never races an event. Start-up (verdict, setting the
//! last session aside) finishes before the first event is applied: events
//! simply wait in the channel.

use super::api;
use super::dto::{BrowserContainer, BrowserGroup, BrowserTab, BrowserWindow, TabEventInfo};
use super::idb::IdbBackend;
use super::restorer;
use super::restorer::Target;
use crate::event::Event;
use crate::import::Imported;
use crate::keeper::{Commit, Keeper};
use crate::manage;
use crate::model::Container;
use crate::named;
use crate::protocol::answer::{Answer, Done, Failure, ImportPreview, PageRestoreAnswer, PageStateAnswer, Reply, Restored, SaveAnswer, Saves, SettingsSaved, StartParts, SyncReport, Timings};
use crate::protocol::{self, Request, RestoreMode, Role, Sender};
use crate::restore::{self, OpenTab, Selection};
use crate::settings::AfterCrash;
use crate::verdict::Verdict;
use crate::view::{self, Badge};
use futures_channel::{mpsc, oneshot};
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use gloo_timers::future::TimeoutFuture;
use serde::Serialize;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;

pub enum Msg {
    /// A raw browser event: its listener's name and arguments.
    Browser(String, JsValue, JsValue, JsValue),
    /// A message from a page or content script, its sender as the browser
    /// reports it, and where to answer.
    Request(JsValue, Sender, oneshot::Sender<JsValue>),
    /// The backstop alarm.
    Tick,
    /// A moment after start-up: decide whether to offer the crashed session
    /// (`recheck`: a later look, in case the page we opened was swept away).
    OfferRestore { recheck: bool },
}

/// Marks this browser run in `storage.session`.
const RUN_FLAG: &str = "lifeboatRun";
/// Set while typed text reported by a page is not committed yet: a
/// background that restarts with it set asks the pages to send it again.
const PAGES_PENDING: &str = "lifeboatPagesPending";
/// How long after start-up to look at what the browser restored itself,
/// before deciding whether the restore page has anything to offer.
const OFFER_DELAY_MS: u32 = 1500;
/// When to look again whether the offered restore page is still there:
/// Firefox's own crash restore, if it runs after ours, replaces the tabs of
/// the window it restores into, our page with them.
const OFFER_RECHECK_MS: u32 = 6000;

struct Background {
    keeper: Keeper<IdbBackend>,
    /// Measured here, reported by `status` (see README for the figures).
    start_ms: f64,
    /// Start-up in parts: loading the WASM (from background.js's first line),
    /// opening storage, judging the last run (reading and setting it aside),
    /// rebuilding the model from the open windows.
    start_parts: [f64; 4],
    commit_ms: f64,
    containers: Vec<Container>,
    /// `PAGES_PENDING` is set in storage.session.
    pages_pending: bool,
    /// Crashed sessions neither restored nor dismissed (`view::crashes_waiting`).
    crashes_waiting: usize,
    /// What the last sync did (or why it failed), for the manager.
    last_sync: Option<SyncReport>,
    /// Conflicts the last day's syncs resolved by keeping a copy, with when.
    sync_conflicts: Vec<(u64, String)>,
    /// Import previews waiting for the user's go-ahead, by token.
    imports: Vec<(String, Imported)>,
    own_origin: String,
    firefox: bool,
    tx: mpsc::UnboundedSender<Msg>,
}

pub async fn run(mut rx: mpsc::UnboundedReceiver<Msg>, tx: mpsc::UnboundedSender<Msg>, script_start: f64) {
    let mut bg = match Background::start(tx, script_start).await {
        Ok(bg) => bg,
        Err(e) => {
            api::console_warn(&format!("Lifeboat could not start: {e}"));
            api::set_badge("!", &format!("Lifeboat is not saving: {e}"), api::BADGE_ALERT).await;
            // Still answer pages, so the user sees why.
            while let Some(msg) = rx.next().await {
                if let Msg::Request(_, _, reply) = msg {
                    let _ = reply.send(json_to_js(&Failure::new(format!("Lifeboat could not open its storage: {e}"))));
                }
            }
            return;
        }
    };
    loop {
        let msg = match bg.keeper.saver.deadline() {
            Some(at) => {
                let wait = at.saturating_sub(api::now()).min(u32::MAX as u64) as u32;
                match select(rx.next(), TimeoutFuture::new(wait)).await {
                    Either::Left((msg, _)) => msg,
                    Either::Right(_) => {
                        bg.commit().await;
                        continue;
                    }
                }
            }
            None => rx.next().await,
        };
        let Some(msg) = msg else { return };
        bg.handle(msg).await;
    }
}

fn json_to_js(v: &impl Serialize) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// What the browser has open at start-up, read through its APIs.
struct OpenWindows {
    containers: Vec<Container>,
    windows: Result<Vec<BrowserWindow>, String>,
    groups: Vec<BrowserGroup>,
}

impl OpenWindows {
    async fn read() -> Self {
        let containers = match api::containers().await.and_then(api::from_js::<Vec<BrowserContainer>>) {
            Ok(list) => list.into_iter().map(Container::from).collect(),
            Err(_) => Vec::new(),
        };
        let windows = api::all_windows(true).await.and_then(api::from_js::<Vec<BrowserWindow>>);
        let groups = api::query_groups().await.and_then(api::from_js::<Vec<BrowserGroup>>).unwrap_or_default();
        Self { containers, windows, groups }
    }
}

impl Background {
    async fn start(tx: mpsc::UnboundedSender<Msg>, script_start: f64) -> Result<Self, String> {
        let t0 = api::perf_now();
        let own_origin = api::runtime_get_url("");
        // Not awaited before the store: it only narrows who can read.
        wasm_bindgen_futures::spawn_local(async {
            api::restrict_storage().await;
        });
        let firefox = own_origin.starts_with("moz-extension:");
        // If session storage cannot be read, assume the same run: a missed crash
        // offer is recoverable by hand; a false one after every wake is not.
        // The store (open, judge, set aside) and the browser's windows are
        // read at the same time: neither needs the other until the model is
        // built, and each is mostly waiting on the browser.
        let version = api::extension_version();
        let store = async {
            // If session storage cannot be read, assume the same run: a missed crash
            // offer is recoverable by hand; a false one after every wake is not.
            let new_run = !api::session_flag(RUN_FLAG).await.unwrap_or(true);
            let backend = IdbBackend::open().await.map_err(|e| e.to_string())?;
            let t_open = api::perf_now();
            let keeper = Keeper::start(backend, &version, &own_origin, api::now(), new_run)
                .await
                .map_err(|e| e.to_string())?;
            // Only now is the last run's state safe from being written over.
            if let Err(e) = api::set_session_flag(RUN_FLAG).await {
                api::console_warn(&format!("Lifeboat: storage.session unavailable: {e}"));
            }
            Ok::<_, String>((keeper, new_run, t_open, api::perf_now()))
        };
        let (judged, open) = futures_util::future::join(store, OpenWindows::read()).await;
        let (keeper, new_run, t_open, t_judged) = judged?;
        let mut bg = Self {
            keeper,
            start_ms: 0.0,
            start_parts: [0.0; 4],
            commit_ms: 0.0,
            containers: Vec::new(),
            imports: Vec::new(),
            last_sync: None,
            pages_pending: false,
            crashes_waiting: 0,
            sync_conflicts: Vec::new(),
            own_origin,
            firefox,
            tx,
        };
        bg.load_open_windows(open).await;
        bg.crashes_waiting = view::crashes_waiting(&bg.keeper).await;
        bg.show_badge().await;
        let t_end = api::perf_now();
        // The whole start-up: from background.js's first line, the WASM's
        // fetch, compile and instantiation included.
        bg.start_ms = t_end - script_start.min(t0);
        if !new_run && api::session_bool(PAGES_PENDING).await {
            bg.ask_pages_again().await;
        }
        // Open storage, judge the last run, then what building the model added
        // after the store was ready (the windows are read meanwhile).
        bg.start_parts = [t0 - script_start.min(t0), t_open - t0, t_judged - t_open, t_end - t_judged];
        let contexts: &[&str] = if bg.firefox { &["page", "tab", "action"] } else { &["page", "action"] };
        api::create_menu("lifeboat-save-window", &api::text("menuSaveWindow", "Save this window as…"), contexts).await;
        if bg.keeper.verdict == Verdict::Crash && bg.keeper.set_aside_key.is_some() {
            let tx = bg.tx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                TimeoutFuture::new(OFFER_DELAY_MS).await;
                let _ = tx.unbounded_send(Msg::OfferRestore { recheck: false });
            });
        }
        Ok(bg)
    }

    async fn refresh_containers(&mut self) {
        if let Ok(list) = api::containers().await {
            if let Ok(list) = api::from_js::<Vec<BrowserContainer>>(list) {
                self.containers = list.into_iter().map(Container::from).collect();
            }
        }
    }

    /// The model starts from what is open; from then on events keep it.
    async fn load_open_windows(&mut self, open: OpenWindows) {
        let now = api::now();
        self.containers = open.containers;
        match open.windows {
            Ok(windows) => {
                for w in &windows {
                    for e in w.events(&self.containers) {
                        self.apply(e, now).await;
                    }
                }
            }
            Err(e) => api::console_warn(&format!("Lifeboat: cannot list windows: {e}")),
        }
        for g in open.groups {
            self.apply(Event::GroupChanged(g.info()), now).await;
        }
    }

    async fn apply(&mut self, e: Event, now: u64) {
        if self.keeper.apply(e, now) == Commit::Now {
            self.commit().await;
        }
    }

    /// Asks every web page's content script to send its typed text again.
    async fn ask_pages_again(&mut self) {
        let ask = json_to_js(&json!({ "type": "lifeboat.resend" }));
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
            api::message_tab(id, &ask).await;
        }
    }

    async fn commit(&mut self) {
        let was_failing = self.keeper.health.failing.is_some();
        let t0 = api::perf_now();
        let result = self.keeper.commit(api::now()).await;
        self.commit_ms = api::perf_now() - t0;
        if result.is_ok() && self.pages_pending && !self.keeper.saver.is_dirty() {
            self.pages_pending = false;
            let _ = api::set_session_bool(PAGES_PENDING, false).await;
        }
        match result {
            Ok(_) if was_failing => self.show_badge().await,
            Ok(_) => {}
            Err(e) => {
                api::console_warn(&format!("Lifeboat: autosave failed: {e}"));
                self.show_badge().await;
            }
        }
    }

    /// The toolbar badge as the core decides it (`view::badge`).
    async fn show_badge(&self) {
        let badge = view::badge(&self.keeper, self.crashes_waiting);
        let (title, color) = match &badge {
            Badge::Clear => ("Lifeboat".to_string(), api::BADGE_WAITING),
            Badge::Failing(why) => (format!("Lifeboat: autosave is failing: {why}"), api::BADGE_ALERT),
            Badge::CrashWaiting(_) => (
                api::text(
                    "badgeCrashWaiting",
                    "Lifeboat: tabs from a crash are waiting. Open the restore page to restore or dismiss them.",
                ),
                api::BADGE_WAITING,
            ),
        };
        api::set_badge(&badge.text(), &title, color).await;
    }

    /// A crash was restored, dismissed or the dismissal undone: recount.
    async fn recount_crashes(&mut self) {
        let n = view::crashes_waiting(&self.keeper).await;
        if n != self.crashes_waiting {
            self.crashes_waiting = n;
            self.show_badge().await;
        }
    }

    async fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Browser(kind, a, b, c) => {
                if kind.starts_with("contextualIdentities.") {
                    self.refresh_containers().await;
                    return;
                }
                if kind == "storage.onChanged" {
                    // Another device's change arrived through sync.
                    if b.as_string().as_deref() == Some("sync") {
                        self.sync().await;
                    }
                    return;
                }
                if kind == "commands.onCommand" || kind == "contextMenus.onClicked" {
                    self.user_command(&kind, a, b).await;
                    return;
                }
                let attached = (kind == "tabs.onAttached")
                    .then(|| Some((a.as_f64()? as i64, api::from_js::<TabEventInfo>(b.clone()).ok()?.new_window_id)))
                    .flatten();
                if let Some(e) = self.translate(&kind, a, b, c) {
                    self.apply(e, api::now()).await;
                }
                // A tab moved to another window can change on the way (Chrome
                // unpins it, drops its group) without an update event: re-read it.
                // Only an answer from the new window: while the old one closes,
                // Firefox may still report the tab there.
                if let Some((id, window)) = attached {
                    if let Ok(Some(info)) = api::get_tab(id)
                        .await
                        .map(|t| api::from_js::<BrowserTab>(t).ok().and_then(|t| t.info(&self.containers)))
                    {
                        if info.window_id == window {
                            self.apply(Event::TabUpdated(info), api::now()).await;
                        }
                    }
                }
            }
            Msg::Tick => {
                // The backstop: pick up geometry changes (Firefox has no event for
                // them) and commit whatever a lost timer left pending.
                self.refresh_geometry().await;
                if self.keeper.saver.is_dirty() {
                    self.commit().await;
                }
                self.sync().await;
            }
            Msg::OfferRestore { recheck } => self.offer_restore(recheck).await,
            Msg::Request(req, sender, reply) => {
                let role = protocol::role(&sender, &self.own_origin);
                let answer = match api::from_js::<Value>(req).and_then(|v| serde_json::from_value::<Request>(v).map_err(|e| e.to_string())) {
                    Ok(r) if !r.permitted(&role) => Answer::Failure(Failure::refused()),
                    Ok(r) => self.answer(r, role).await,
                    Err(e) => Answer::Failure(Failure::new(format!("Lifeboat did not understand the request: {e}"))),
                };
                let _ = reply.send(json_to_js(&answer));
            }
        }
    }

    async fn refresh_geometry(&mut self) {
        if let Ok(windows) = api::all_windows(false).await.and_then(api::from_js::<Vec<BrowserWindow>>) {
            let now = api::now();
            for w in windows.iter().filter_map(BrowserWindow::info) {
                self.keeper.apply(Event::WindowChanged(w), now);
            }
        }
    }

    fn translate(&self, kind: &str, a: JsValue, b: JsValue, c: JsValue) -> Option<Event> {
        let id = |v: &JsValue| v.as_f64().map(|f| f as i64);
        let info = |v: JsValue| api::from_js::<TabEventInfo>(v).ok();
        let tab = |v: JsValue| api::from_js::<BrowserTab>(v).ok().and_then(|t| t.info(&self.containers));
        Some(match kind {
            "tabs.onCreated" => Event::TabCreated(tab(a)?),
            "tabs.onUpdated" => Event::TabUpdated(tab(c)?),
            "tabs.onMoved" => {
                let i = info(b)?;
                Event::TabMoved {
                    tab_id: id(&a)?,
                    window_id: i.window_id,
                    to_index: i.to_index,
                }
            }
            "tabs.onActivated" => {
                let i = info(a)?;
                Event::TabActivated {
                    tab_id: i.tab_id,
                    window_id: i.window_id,
                }
            }
            "tabs.onRemoved" => {
                let i = info(b)?;
                Event::TabRemoved {
                    tab_id: id(&a)?,
                    window_id: i.window_id,
                    window_closing: i.is_window_closing,
                }
            }
            "tabs.onDetached" => Event::TabDetached {
                tab_id: id(&a)?,
                old_window_id: info(b)?.old_window_id,
            },
            "tabs.onAttached" => {
                let i = info(b)?;
                Event::TabAttached {
                    tab_id: id(&a)?,
                    window_id: i.new_window_id,
                    index: i.new_position,
                }
            }
            "tabs.onReplaced" => Event::TabReplaced {
                added: id(&a)?,
                removed: id(&b)?,
            },
            "windows.onCreated" => Event::WindowOpened(api::from_js::<BrowserWindow>(a).ok()?.info()?),
            "windows.onBoundsChanged" => Event::WindowChanged(api::from_js::<BrowserWindow>(a).ok()?.info()?),
            "windows.onRemoved" => Event::WindowClosed { window_id: id(&a)? },
            "windows.onFocusChanged" => Event::WindowFocused {
                window_id: id(&a).filter(|w| *w >= 0),
            },
            "tabGroups.onCreated" | "tabGroups.onUpdated" | "tabGroups.onMoved" => Event::GroupChanged(api::from_js::<BrowserGroup>(a).ok()?.info()),
            "tabGroups.onRemoved" => Event::GroupRemoved {
                group_id: api::from_js::<BrowserGroup>(a).ok()?.id,
            },
            _ => return None,
        })
    }

    /// Tabs open now in normal windows, Lifeboat's own pages left out.
    async fn open_tabs(&self) -> Vec<OpenTab> {
        self.open_tabs_of(Self::all_tabs().await)
    }

    async fn all_tabs() -> Vec<BrowserTab> {
        api::query_tabs().await.and_then(api::from_js::<Vec<BrowserTab>>).unwrap_or_default()
    }

    fn open_tabs_of(&self, tabs: Vec<BrowserTab>) -> Vec<OpenTab> {
        tabs.into_iter()
            .filter(|t| !t.incognito)
            .filter_map(|t| t.info(&[]))
            .filter(|t| !t.url.starts_with(&self.own_origin))
            .map(|t| OpenTab {
                url: t.url,
                window: t.window_id,
            })
            .collect()
    }

    /// The containers that exist now; `None` where the browser has none.
    fn containers_arg(&self) -> Option<Vec<Container>> {
        self.firefox.then(|| self.containers.clone())
    }

    async fn offer_restore(&mut self, recheck: bool) {
        let Some(key) = self.keeper.set_aside_key.clone() else { return };
        // Already chosen (restored or dismissed) since: nothing to offer again.
        if recheck && !self.keeper.store.set_aside(&key).await.is_ok_and(|a| a.pending) {
            return;
        }
        // One look at the tabs: is our page there, and what is open already.
        let tabs = Self::all_tabs().await;
        let page = format!("{}www/restore.html", self.own_origin);
        let shows_page = |t: &BrowserTab| [&t.url, &t.pending_url].iter().any(|u| u.as_deref().is_some_and(|u| u.starts_with(&page)));
        if tabs.iter().any(shows_page) {
            return;
        }
        let open = self.open_tabs_of(tabs);
        let containers = self.containers_arg();
        let Ok((_, plan)) = view::plan(&mut self.keeper, &key, &open, containers.as_deref()).await else {
            return;
        };
        // Everything already back (the browser restored it): nothing to offer.
        if restore::restorable(&plan) == 0 {
            return;
        }
        if !recheck
            && self.keeper.settings.after_crash == AfterCrash::RestoreAtOnce
            && self.restore(&key, &Selection::All, RestoreMode::New, false).await.is_ok()
        {
            return;
        }
        api::open_page("www/restore.html").await;
        if !recheck {
            let tx = self.tx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                TimeoutFuture::new(OFFER_RECHECK_MS).await;
                let _ = tx.unbounded_send(Msg::OfferRestore { recheck: true });
            });
        }
    }

    /// Syncs named saves with `storage.sync`, when the user turned it on.
    async fn sync(&mut self) {
        if !self.keeper.settings.sync {
            return;
        }
        let now = api::now();
        let result: Result<(SyncReport, bool), String> = async {
            let (local, base) = crate::sync::local_state(self.keeper.store.backend()).await.map_err(|e| e.to_string())?;
            let remote: std::collections::BTreeMap<String, Value> = api::from_js(api::sync_get_all().await?)?;
            let plan = crate::sync::plan(&local, &remote, &base, now);
            if !plan.remove.is_empty() {
                api::sync_remove(&plan.remove).await?;
            }
            if !plan.set.is_empty() {
                api::sync_set(&json_to_js(&plan.set)).await?;
            }
            crate::sync::apply_local(self.keeper.store.backend(), &plan, now)
                .await
                .map_err(|e| e.to_string())?;
            if !plan.is_quiet() {
                self.keep_named().await;
            }
            Ok((crate::sync::summary(&plan, now), plan.is_quiet()))
        }
        .await;
        let report = match result {
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
                error: Some(format!("Sync failed: {e}")),
            },
        };
        // A conflict's copy is pushed by the next sync, whose report would
        // otherwise hide the conflict: the recent ones stay listed.
        let mut report = report;
        for c in report.conflicts.iter().flatten() {
            if !self.sync_conflicts.iter().any(|(_, n)| n == c) {
                self.sync_conflicts.push((now, c.to_string()));
            }
        }
        self.sync_conflicts.retain(|(at, _)| now.saturating_sub(*at) < 24 * 3600 * 1000);
        self.sync_conflicts.truncate(20);
        report.conflicts = Some(self.sync_conflicts.iter().map(|(_, n)| n.clone()).collect());
        self.last_sync = Some(report);
    }

    /// Refreshes the spare copy of the named saves (`backstop`) after they changed.
    async fn keep_named(&self) {
        if let Err(e) = crate::backstop::keep_named(self.keeper.store.backend(), api::now()).await {
            api::console_warn(&format!("Lifeboat: the spare copy of the named saves failed: {e}"));
        }
    }

    /// A keyboard shortcut or the context menu.
    async fn user_command(&mut self, kind: &str, a: JsValue, b: JsValue) {
        let tab_window = || js_sys::Reflect::get(&b, &"windowId".into()).ok().and_then(|v| v.as_f64()).map(|f| f as i64);
        match (kind, a.as_string().as_deref()) {
            ("commands.onCommand", Some("save-session")) => {
                let saved = manage::save(&mut self.keeper, "", manage::Scope::All, None, &[], api::now()).await;
                if saved.is_ok() {
                    self.keep_named().await;
                }
            }
            ("commands.onCommand", Some("open-manager")) => api::open_page("www/manager.html").await,
            ("contextMenus.onClicked", _) => {
                let name = format!("Window of {}", crate::export::utc(api::now()));
                if let Ok(answer) = manage::save(&mut self.keeper, &name, manage::Scope::Window, tab_window(), &[], api::now()).await {
                    self.keep_named().await;
                    // The manager opens with the new save's name ready to edit.
                    let id = answer.save.id;
                    api::open_page(&format!("www/manager.html#rename={id}")).await;
                }
            }
            _ => {}
        }
    }

    fn import_preview(&mut self, file_name: &str, data: &str) -> Reply<ImportPreview> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| Failure::new("The file could not be read."))?;
        let (imported, mut answer) = manage::preview(&self.keeper, file_name, &bytes)?;
        let token = format!("{:x}", api::now());
        // One preview at a time is all the manager shows.
        self.imports.clear();
        self.imports.push((token.clone(), imported));
        answer.token = token;
        Ok(answer)
    }

    /// Restores the chosen tabs of `source`, planned afresh against what is
    /// open now so nothing opens twice (unless `duplicates`).
    async fn restore(&mut self, source: &str, selection: &Selection, mode: RestoreMode, duplicates: bool) -> Reply<Restored> {
        self.refresh_containers().await;
        // Replacing closes what is open: everything of the source must open.
        let open = if duplicates || mode == RestoreMode::Replace {
            Vec::new()
        } else {
            self.open_tabs().await
        };
        let containers = self.containers_arg();
        let (src, plan) = view::plan(&mut self.keeper, source, &open, containers.as_deref()).await?;
        let order = restore::order(&plan, selection, self.keeper.settings.lazy_restore);
        let was_open: Vec<i64> = self.keeper.session().windows.iter().map(|w| w.id).collect();
        let focused = self
            .keeper
            .session()
            .windows
            .iter()
            .find(|w| w.focused)
            .or(self.keeper.session().windows.first())
            .map(|w| w.id);
        let mut outcome = match (mode, focused) {
            (RestoreMode::Current, Some(id)) => restorer::carry_out(&restore::into_one(order), Target::Into(id), self.firefox).await,
            _ => restorer::carry_out(&order, Target::NewWindows, self.firefox).await,
        };
        if mode == RestoreMode::Replace && outcome.tabs > 0 {
            restorer::close_windows(&was_open).await;
        }
        if let Err(e) = self.keeper.expect_pages(std::mem::take(&mut outcome.pages)).await {
            outcome.notices.push(format!("Typed text could not be kept for the restored tabs: {e}"));
        }
        if src.pending {
            self.keeper.store.settle(source).await?;
            self.recount_crashes().await;
        }
        outcome.notices.extend(plan.notices);
        Ok(outcome)
    }

    async fn answer(&mut self, r: Request, role: Role) -> Answer {
        let changes_named = matches!(
            r,
            Request::NamedSave { .. }
                | Request::NamedOverwrite { .. }
                | Request::NamedRename { .. }
                | Request::NamedTags { .. }
                | Request::NamedDelete { .. }
                | Request::NamedUndelete { .. }
                | Request::ImportCommit { .. }
        );
        // Turning sync on syncs at once too.
        let syncs = changes_named || matches!(r, Request::SetSettings { .. });
        let answer = self.answer_now(r, role).await;
        if changes_named {
            self.keep_named().await;
        }
        if syncs {
            self.sync().await;
        }
        answer
    }

    /// Times the hot paths inside this background, on the session it holds
    /// (bench builds only): a full snapshot (encode + LZ4 + checksum) and a
    /// one-tab update applied to the model, each over `n` runs.
    #[cfg(feature = "bench")]
    fn bench(&mut self, n: u32) -> Value {
        use crate::codec::{self, Kind};
        use crate::store::Snapshot;
        let n = n.max(1);
        let snap = Snapshot {
            taken_at: api::now(),
            session: self.keeper.session().clone(),
        };
        let t0 = api::perf_now();
        let mut bytes = 0;
        for _ in 0..n {
            bytes = std::hint::black_box(codec::encode(Kind::Checkpoint, &snap)).len();
        }
        let snapshot_ms = (api::perf_now() - t0) / n as f64;
        let last = self
            .keeper
            .session()
            .windows
            .iter()
            .flat_map(|w| w.tabs.iter().map(move |t| (w.id, t)))
            .last()
            .map(|(w, t)| (w, t.clone()));
        let mut update_us = Value::Null;
        if let Some((window_id, tab)) = last {
            let t0 = api::perf_now();
            for i in 0..n {
                let info = crate::event::TabInfo {
                    id: tab.id,
                    window_id,
                    url: tab.url.clone(),
                    title: tab.title.clone(),
                    muted: i % 2 == 0,
                    ..Default::default()
                };
                self.keeper.tracker.apply(crate::event::Event::TabUpdated(info));
            }
            update_us = json!((api::perf_now() - t0) * 1000.0 / n as f64);
            // Put the tab back as it was.
            let info = crate::event::TabInfo {
                id: tab.id,
                window_id,
                url: tab.url.clone(),
                title: tab.title.clone(),
                muted: tab.muted,
                ..Default::default()
            };
            self.keeper.tracker.apply(crate::event::Event::TabUpdated(info));
        }
        json!({ "tabs": snap.session.tab_count(), "runs": n, "snapshotMs": snapshot_ms, "snapshotBytes": bytes, "updateUs": update_us, "startMs": self.start_ms })
    }

    async fn answer_now(&mut self, r: Request, role: Role) -> Answer {
        let from = match role {
            Role::Content(frame) => Some(frame),
            _ => None,
        };
        let now = api::now();
        match r {
            Request::Overview => view::overview(&mut self.keeper).await.map_err(Failure::from).into(),
            Request::Status => {
                let timings = Timings {
                    start_ms: self.start_ms,
                    start_parts: StartParts {
                        load_wasm_ms: self.start_parts[0],
                        open_storage_ms: self.start_parts[1],
                        judge_ms: self.start_parts[2],
                        model_ms: self.start_parts[3],
                    },
                    commit_ms: self.commit_ms,
                    commit_bytes: self.keeper.last_commit_bytes,
                };
                view::status(&self.keeper, self.last_sync.clone(), timings).into()
            }
            Request::Plan { source } => {
                let open = self.open_tabs().await;
                let c = self.containers_arg();
                view::plan(&mut self.keeper, &source, &open, c.as_deref())
                    .await
                    .map(|(src, plan)| view::plan_answer(&src, &plan))
                    .map_err(Failure::from)
                    .into()
            }
            Request::Restore {
                source,
                select,
                mode,
                duplicates,
            } => self.restore(&source, &select.to_selection(), mode, duplicates).await.into(),
            Request::NamedList => named::list(self.keeper.store.backend())
                .await
                .map(|saves| Saves { saves })
                .map_err(Failure::from)
                .into(),
            Request::NamedSave {
                name,
                scope,
                window_id,
                tab_ids,
            } => manage::save(&mut self.keeper, &name, scope, window_id, &tab_ids, now).await.into(),
            Request::NamedOverwrite { id } => {
                let session = manage::current_part(&self.keeper, manage::Scope::All, None, &[]);
                named::update(self.keeper.store.backend(), &id, now, |s| s.session = session)
                    .await
                    .map(|save| SaveAnswer { save })
                    .map_err(Failure::from)
                    .into()
            }
            Request::NamedRename { id, name } => named::update(self.keeper.store.backend(), &id, now, |s| s.meta.name = name)
                .await
                .map(|save| SaveAnswer { save })
                .map_err(Failure::from)
                .into(),
            Request::NamedTags { id, tags } => named::update(self.keeper.store.backend(), &id, now, |s| s.meta.tags = tags)
                .await
                .map(|save| SaveAnswer { save })
                .map_err(Failure::from)
                .into(),
            Request::NamedDelete { id } => named::set_deleted(self.keeper.store.backend(), &id, true, now)
                .await
                .map(|_| Done::OK)
                .map_err(Failure::from)
                .into(),
            Request::NamedUndelete { id } => named::set_deleted(self.keeper.store.backend(), &id, false, now)
                .await
                .map(|_| Done::OK)
                .map_err(Failure::from)
                .into(),
            Request::Search { query } => manage::search(&mut self.keeper, &query).await.into(),
            Request::Export { format, sources, typed_text } => manage::export(&mut self.keeper, &format, &sources, typed_text, now).await.into(),
            Request::ImportPreview { file_name, data } => self.import_preview(&file_name, &data).into(),
            Request::ImportCommit { token, select, merge, name } => match self.imports.iter().position(|(t, _)| *t == token) {
                Some(at) => {
                    let answer = manage::commit_import(&mut self.keeper, &self.imports[at].1, select.as_deref(), merge, name.as_deref(), now).await;
                    // A refused selection leaves the preview for another try.
                    if answer.is_ok() {
                        self.imports.remove(at);
                    }
                    answer.into()
                }
                None => Answer::Failure(Failure::new("This preview has expired; please choose the file again.")),
            },
            Request::OpenVisit { source, window, tab, visit } => match view::visit_url(&mut self.keeper, &source, window, tab, visit).await {
                Ok(Ok(url)) => {
                    let props = api::to_js(&json!({ "url": url, "active": true }));
                    match api::create_tab(&props).await {
                        Ok(_) => Done::OK.into(),
                        Err(e) => Failure::new(format!("The page could not be opened: {e}")).into(),
                    }
                }
                Ok(Err(why)) => Failure::new(why).into(),
                Err(e) => Failure::from(e).into(),
            },
            Request::Dismiss { source } => {
                let done = self.keeper.store.settle(&source).await.map(|_| Done::OK).map_err(Failure::from);
                self.recount_crashes().await;
                done.into()
            }
            Request::Undismiss { source } => {
                let done = self.keeper.store.unsettle(&source).await.map(|_| Done::OK).map_err(Failure::from);
                self.recount_crashes().await;
                done.into()
            }
            Request::Backup { typed_text } => view::backup(&self.keeper, now, typed_text).await.map_err(Failure::from).into(),
            #[cfg(feature = "bench")]
            Request::Bench { runs } => Answer::Bench(self.bench(runs)),
            Request::Settings => self.keeper.settings.clone().into(),
            Request::SetSettings { settings } => match self.keeper.set_settings(settings).await {
                Ok(commit) => {
                    if commit == Commit::Now {
                        self.commit().await;
                    }
                    SettingsSaved {
                        ok: true,
                        settings: self.keeper.settings.clone(),
                    }
                    .into()
                }
                Err(e) => Failure::new(e.to_string()).into(),
            },
            Request::PageState { frame, state } => {
                let Some(from) = from else {
                    return PageStateAnswer {
                        ok: false,
                        reason: Some("not from a tab".into()),
                        retry_ms: None,
                    }
                    .into();
                };
                match self.keeper.page_report(&from, &frame, state.scroll, &state.fields, now) {
                    Ok(commit) => {
                        if commit != Commit::Nothing && !self.pages_pending {
                            self.pages_pending = true;
                            let _ = api::set_session_bool(PAGES_PENDING, true).await;
                        }
                        if commit == Commit::Now {
                            self.commit().await;
                        }
                        PageStateAnswer {
                            ok: true,
                            reason: None,
                            retry_ms: None,
                        }
                        .into()
                    }
                    Err(refusal) => PageStateAnswer {
                        ok: false,
                        reason: Some(refusal.reason),
                        retry_ms: refusal.retry_ms,
                    }
                    .into(),
                }
            }
            Request::PageRestore { frame } => {
                let Some(from) = from else { return PageRestoreAnswer { state: None }.into() };
                self.keeper
                    .take_page(&from, &frame)
                    .await
                    .map(|r| view::page_restore(r.as_ref()))
                    .map_err(Failure::from)
                    .into()
            }
        }
    }
}
