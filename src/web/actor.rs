//! The background's one task at the browser edge. It owns the core's
//! `Background`; browser events, page requests and the minute alarm reach it
//! through a channel, so a commit awaiting IndexedDB never races an event.
//! Start-up (verdict, setting the last session aside) finishes before the
//! first event is applied: events simply wait in the channel.
//!
//! Only I/O lives here: reading the browser, translating its events, timers,
//! and `WebBrowser`, the core's `Browser` carried out with the WebExtension
//! APIs. Every decision is in `crate::background` and `background::dispatch`.

use super::api;
use super::dto::{BrowserContainer, BrowserGroup, BrowserTab, BrowserWindow, TabEventInfo};
use super::idb::IdbBackend;
use super::journal_worker::WorkerFiles;
use super::restorer;
use crate::background::{Background, CommitWrite, OFFER_DELAY_MS, OFFER_RECHECK_MS};
use crate::browser::{Browser, Capabilities, SeenTab, Target, UserCommand};
use crate::event::Event;
use crate::keeper::Keeper;
use crate::model::{Container, Millis};
use crate::protocol::answer::{Failure, Restored, StartParts};
use crate::protocol::{Sender, ToContent};
use crate::restore::Order;
use crate::store::{Store, StoreError};
use crate::two_tier::{Opening, TwoTier};
use crate::view::Badge;
use futures_channel::{mpsc, oneshot};
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use gloo_timers::future::TimeoutFuture;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::JsValue;

pub enum Msg {
    /// A raw browser event: its listener's name and arguments.
    Browser(String, JsValue, JsValue, JsValue),
    /// A message from a page or content script, its sender as the browser
    /// reports it, and where to answer.
    Request(JsValue, Sender, oneshot::Sender<JsValue>),
    /// The minute alarm.
    Tick,
    /// A moment after start-up: decide whether to offer the crashed session
    /// (`recheck`: a later look, in case the page we opened was swept away).
    OfferRestore { recheck: bool },
    /// Offer `attempt` of a restored tab's waiting page state is due
    /// (`Background::offer_page`).
    OfferPage { tab: i64, attempt: usize },
    /// The spare copy written beside the queue is done: how it went, and
    /// when it began.
    SpareKept(Result<usize, StoreError>, f64),
}

impl Msg {
    /// Its kind, for `status.timings.busyByKind`.
    fn kind(&self) -> String {
        match self {
            Msg::Browser(kind, ..) => kind.clone(),
            Msg::Request(req, ..) => {
                let t = js_sys::Reflect::get(req, &"type".into()).ok().and_then(|t| t.as_string());
                format!("request:{}", t.as_deref().unwrap_or("?"))
            }
            Msg::Tick => "tick".into(),
            Msg::OfferRestore { .. } => "offerRestore".into(),
            Msg::OfferPage { .. } => "offerPage".into(),
            Msg::SpareKept(..) => "spareKept".into(),
        }
    }
}

use crate::keys::{PAGES_PENDING_FLAG as PAGES_PENDING, RUN_FLAG};

/// The core's `Browser`, with the WebExtension APIs.
struct WebBrowser;

impl Browser for WebBrowser {
    fn now(&self) -> Millis {
        api::now()
    }

    fn perf_now(&self) -> f64 {
        api::perf_now()
    }

    fn warn(&self, message: &str) {
        api::console_warn(message);
    }

    async fn tabs(&self) -> Vec<SeenTab> {
        let tabs = api::query_tabs().await.and_then(api::from_js::<Vec<BrowserTab>>).unwrap_or_default();
        tabs.into_iter()
            .filter_map(|t| {
                let info = t.info(&[])?;
                Some(SeenTab {
                    id: info.id,
                    window: info.window_id,
                    url: info.url,
                    pending_url: t.pending_url,
                    incognito: t.incognito,
                })
            })
            .collect()
    }

    async fn containers(&self) -> Option<Vec<Container>> {
        let list = api::containers().await.and_then(api::from_js::<Vec<BrowserContainer>>).ok()?;
        Some(list.into_iter().map(Container::from).collect())
    }

    async fn carry_out(&self, order: &Order, target: Target, create_discarded: bool) -> Restored {
        restorer::carry_out(order, target, create_discarded).await
    }

    async fn close_windows(&self, ids: &[i64]) {
        restorer::close_windows(ids).await;
    }

    async fn open_tab(&self, url: &str) -> Result<(), String> {
        api::create_tab(&api::to_js(&json!({ "url": url, "active": true }))).await.map(|_| ())
    }

    async fn open_page(&self, path: &str) {
        api::open_page(path).await;
    }

    async fn ask_to_resend(&self, tab: i64) {
        api::message_tab(tab, &json_to_js(&ToContent::Resend)).await;
    }

    async fn offer_page(&self, tab: i64) {
        api::message_tab(tab, &json_to_js(&ToContent::Restore)).await;
    }

    async fn set_pages_pending(&self, pending: bool) {
        let _ = api::set_session_bool(PAGES_PENDING, pending).await;
    }

    async fn show_badge(&self, badge: &Badge) {
        let (title, color) = match badge {
            Badge::Clear => ("Lifeboat".to_string(), api::BADGE_WAITING),
            Badge::Failing(why) => (
                api::translated(&crate::msg!(crate::message::BADGE_AUTOSAVE_FAILING, why.clone())),
                api::BADGE_ALERT,
            ),
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

    async fn sync_get_all(&self) -> Result<BTreeMap<String, Value>, String> {
        api::from_js(api::sync_get_all().await?)
    }

    async fn sync_set(&self, items: &BTreeMap<String, Value>) -> Result<(), String> {
        api::sync_set(&json_to_js(items)).await
    }

    async fn sync_remove(&self, keys: &[String]) -> Result<(), String> {
        api::sync_remove(keys).await
    }
}

/// The store's backend: the journal file where this browser can keep one,
/// the database for the rest (`two_tier`); shared, so that a commit's batch
/// is written by a future of its own while the queue goes on.
type StoreBackend = Rc<TwoTier<IdbBackend, WorkerFiles>>;

/// A commit's batch on its way to storage, and the commit it finishes.
struct InFlight {
    write: CommitWrite,
    done: Pin<Box<dyn Future<Output = Result<(), StoreError>>>>,
    /// The queue's own time on it so far (preparing the batch).
    busy_ms: f64,
}

struct Edge {
    bg: Background<StoreBackend>,
    tx: mpsc::UnboundedSender<Msg>,
}

pub async fn run(mut rx: mpsc::UnboundedReceiver<Msg>, tx: mpsc::UnboundedSender<Msg>, script_start: f64, wasm_fetched: f64) {
    let mut edge = match Edge::start(tx, script_start, wasm_fetched).await {
        Ok(edge) => edge,
        Err(e) => {
            api::console_warn(&format!("Lifeboat could not start: {e}"));
            api::set_badge("!", &format!("Lifeboat is not saving: {e}"), api::BADGE_ALERT).await;
            // Still answer pages, so the user sees why.
            while let Some(msg) = rx.next().await {
                if let Msg::Request(_, _, reply) = msg {
                    let _ = reply.send(answer_text(&Failure::from(crate::msg!(crate::message::STORAGE_NOT_OPENED, e.to_string()))));
                }
            }
            return;
        }
    };
    // While a commit's batch is written, the queue goes on with browser
    // events (the model keeps up during a storm, `status` answers); the next
    // message that needs the store waits for the write to finish first.
    let mut in_flight: Option<InFlight> = None;
    loop {
        if let Some(mut f) = in_flight.take() {
            match select(&mut f.done, rx.next()).await {
                Either::Left((written, _)) => edge.finish_commit(f, written).await,
                Either::Right((None, _)) => return,
                Either::Right((Some(msg), _)) => {
                    let kind = msg.kind();
                    let t0 = api::perf_now();
                    match edge.handle_while_writing(msg).await {
                        None => in_flight = Some(f),
                        Some(msg) => {
                            let written = f.done.as_mut().await;
                            edge.finish_commit(f, written).await;
                            edge.handle(msg).await;
                        }
                    }
                    edge.bg.note_handled(&kind, api::perf_now() - t0);
                }
            }
            continue;
        }
        let msg = match edge.bg.deadline() {
            // Due: commit before the next message. While events keep coming
            // faster than they are handled (500 tabs opened at once), a
            // message is always ready, and waiting on both would take it
            // every time: the commit would wait for the queue to empty.
            Some(at) if at <= api::now() => {
                in_flight = edge.begin_commit().await;
                continue;
            }
            Some(at) => {
                let wait = at.saturating_sub(api::now()).min(u32::MAX as u64) as u32;
                match select(rx.next(), TimeoutFuture::new(wait)).await {
                    Either::Left((msg, _)) => msg,
                    Either::Right(_) => {
                        in_flight = edge.begin_commit().await;
                        continue;
                    }
                }
            }
            None => rx.next().await,
        };
        let Some(msg) = msg else { return };
        let kind = msg.kind();
        let t0 = api::perf_now();
        edge.handle(msg).await;
        edge.bg.note_handled(&kind, api::perf_now() - t0);
    }
}

/// An answer as it crosses to the page: JSON text (docs/PROTOCOL.md).
/// Firefox copies a message's object field by field: a 10,000-tab `plan`
/// took 430 ms on its way to the page as an object, and a string is copied
/// at once (issue 13 item 4).
fn answer_text(answer: &impl Serialize) -> JsValue {
    match serde_json::to_string(answer) {
        Ok(text) => JsValue::from_str(&text),
        Err(e) => JsValue::from_str(&serde_json::json!({ "error": e.to_string() }).to_string()),
    }
}

/// What the background hands the browser as objects (messages to tabs, sync
/// items): written as JSON text by serde_json and read by the engine's own
/// `JSON.parse`, which is faster than building them through
/// serde-wasm-bindgen, a call across the WASM boundary per field.
fn json_to_js(v: &impl Serialize) -> JsValue {
    serde_json::to_string(v).ok().and_then(|text| js_sys::JSON::parse(&text).ok()).unwrap_or(JsValue::NULL)
}

/// What opening the store found that someone looking into a problem wants.
fn log_opening(opening: &Opening) {
    match opening {
        Opening::Database { why: Some(why) } => api::console_warn(&format!("Lifeboat: no journal file, the database keeps everything: {why}")),
        Opening::File { opened, moved, .. } if opened.cut > 0 || !opened.unreadable.is_empty() || *moved > 0 => api::console_warn(&format!(
            "Lifeboat: journal file {}: {} bytes of a torn last write cut, {} unreadable file(s), {} record(s) moved in from the database",
            opened.file,
            opened.cut,
            opened.unreadable.len(),
            moved
        )),
        _ => {}
    }
}

/// What the browser has open at start-up, read through its APIs.
struct OpenWindows {
    containers: Vec<Container>,
    windows: Result<Vec<BrowserWindow>, String>,
    groups: Vec<BrowserGroup>,
}

impl OpenWindows {
    async fn read() -> Self {
        let containers = WebBrowser.containers().await.unwrap_or_default();
        let windows = api::all_windows(true).await.and_then(api::from_js::<Vec<BrowserWindow>>);
        let groups = api::query_groups().await.and_then(api::from_js::<Vec<BrowserGroup>>).unwrap_or_default();
        Self { containers, windows, groups }
    }
}

/// What this browser can do, from the APIs it has: the one place where the
/// browsers are told apart (`Capabilities`).
fn capabilities() -> Capabilities {
    // No API says whether `tabs.create` takes `discarded: true` or whether a
    // menu item may show on a tab (the "tab" context): both are Gecko's, and
    // `runtime.getBrowserInfo` is Gecko's own API.
    let gecko = api::has(&["runtime", "getBrowserInfo"]);
    Capabilities {
        create_discarded: gecko,
        containers: api::has(&["contextualIdentities"]),
        tab_groups: api::has(&["tabGroups"]) && api::has(&["tabs", "group"]),
        tab_menu: gecko,
    }
}

impl Edge {
    async fn start(tx: mpsc::UnboundedSender<Msg>, script_start: f64, wasm_fetched: f64) -> Result<Self, String> {
        let t0 = api::perf_now();
        let own_origin = api::runtime_get_url("");
        // Not awaited before the store: it only narrows who can read.
        wasm_bindgen_futures::spawn_local(async {
            api::restrict_storage().await;
        });
        let caps = capabilities();
        // The store (open, judge, set aside) and the browser's windows are
        // read at the same time: neither needs the other until the model is
        // built, and each is mostly waiting on the browser.
        let version = api::extension_version();
        let store = async {
            // If session storage cannot be read, assume the same run: a missed crash
            // offer is recoverable by hand; a false one after every wake is not.
            let new_run = !api::session_flag(RUN_FLAG).await.unwrap_or(true);
            // The Worker starts (its script loads) while the database opens.
            let files = WorkerFiles::start();
            let database = IdbBackend::open().await.map_err(|e| e.to_string())?;
            let (backend, opening) = TwoTier::open(database, files).await.map_err(|e| e.to_string())?;
            log_opening(&opening);
            let t_open = api::perf_now();
            let keeper = Keeper::start(Rc::new(backend), &version, &own_origin, api::now(), new_run)
                .await
                .map_err(|e| e.to_string())?;
            // Only now is the last run's state safe from being written over.
            if let Err(e) = api::set_session_flag(RUN_FLAG).await {
                api::console_warn(&format!("Lifeboat: storage.session unavailable: {e}"));
            }
            Ok::<_, String>((keeper, new_run, t_open, api::perf_now()))
        };
        let windows = async {
            let open = OpenWindows::read().await;
            (open, api::perf_now())
        };
        let (judged, (open, t_windows)) = futures_util::future::join(store, windows).await;
        let (keeper, new_run, t_open, t_judged) = judged?;
        let mut edge = Self {
            bg: Background::new(keeper, caps, open.containers),
            tx,
        };
        edge.load_open_windows(open.windows, open.groups).await;
        edge.bg.started(&WebBrowser).await;
        let t_end = api::perf_now();
        if !new_run && api::session_bool(PAGES_PENDING).await {
            edge.bg.ask_pages_again(&WebBrowser).await;
        }
        // The whole start-up: from background.js's first line, the WASM's
        // fetch, compile and instantiation included. Then in parts: loading
        // the WASM (of it, the fetch), opening storage, judging the last run,
        // and what building the model added after the store was ready; the
        // browser's windows are read meanwhile (`windows_ms` from the start
        // of the core).
        let start = script_start.min(t0);
        edge.bg.set_start(
            t_end - start,
            StartParts {
                before_script_ms: script_start,
                load_wasm_ms: t0 - start,
                fetch_wasm_ms: if wasm_fetched.is_finite() { wasm_fetched - start } else { 0.0 },
                windows_ms: t_windows - t0,
                open_storage_ms: t_open - t0,
                judge_ms: t_judged - t_open,
                model_ms: t_end - t_judged,
            },
        );
        api::create_menu(
            "lifeboat-save-window",
            &api::text("menuSaveWindow", "Save this window as…"),
            caps.menu_contexts(),
        )
        .await;
        if edge.bg.offers_restore() {
            edge.later(OFFER_DELAY_MS, Msg::OfferRestore { recheck: false });
        }
        Ok(edge)
    }

    /// Begins a due commit: its batch is then written while the queue goes
    /// on (`run`). `None`: nothing was due (a due sync is done).
    async fn begin_commit(&mut self) -> Option<InFlight> {
        let t0 = api::perf_now();
        let Some(mut write) = self.bg.begin_due_commit(&WebBrowser).await else {
            self.bg.note_handled("deadline", api::perf_now() - t0);
            return None;
        };
        let ops = write.take_ops();
        let backend = self.bg.keeper().backend().clone();
        let done = Box::pin(async move { crate::store::write_batch(&backend, ops).await });
        Some(InFlight {
            write,
            done,
            busy_ms: api::perf_now() - t0,
        })
    }

    /// The commit whose batch was written (or failed to be): counted with
    /// what the queue handled, as one message of its own; then the spare
    /// copy it may have made due.
    async fn finish_commit(&mut self, f: InFlight, written: Result<(), StoreError>) {
        let t0 = api::perf_now();
        self.bg.finish_commit(&WebBrowser, f.write, written).await;
        self.bg.note_handled("deadline", f.busy_ms + api::perf_now() - t0);
        self.start_spare_copy();
    }

    /// Writes a due spare copy beside the queue (`Background::take_spare_copy`);
    /// it reports back through the queue.
    fn start_spare_copy(&mut self) {
        let Some(copy) = self.bg.take_spare_copy() else { return };
        // Any store over the same backend reads what is stored.
        let store = Store::new(self.bg.keeper().backend().clone());
        let tx = self.tx.clone();
        let t0 = api::perf_now();
        wasm_bindgen_futures::spawn_local(async move {
            let kept = copy.keep(&store).await;
            let _ = tx.unbounded_send(Msg::SpareKept(kept, t0));
        });
    }

    /// A message that came while a commit's batch is written: browser
    /// events and requests answered from memory are handled now; anything
    /// else is given back, to wait for the write.
    async fn handle_while_writing(&mut self, msg: Msg) -> Option<Msg> {
        match msg {
            Msg::SpareKept(..) => {
                self.handle(msg).await;
                None
            }
            Msg::Browser(ref kind, ..) if ["tabs.", "windows.", "tabGroups."].iter().any(|p| kind.starts_with(p)) => {
                self.handle(msg).await;
                None
            }
            Msg::Request(req, sender, reply) => {
                let answer = match api::from_js::<Value>(req.clone()) {
                    Ok(body) => self.bg.answer_while_writing(&WebBrowser, &body, &sender).await,
                    Err(_) => None,
                };
                match answer {
                    Some(answer) => {
                        let _ = reply.send(answer_text(&answer));
                        None
                    }
                    None => Some(Msg::Request(req, sender, reply)),
                }
            }
            msg => Some(msg),
        }
    }

    /// Offers a tab its waiting page state, and the next offer when the core
    /// asks for one.
    async fn offer_page(&mut self, tab: i64, attempt: usize) {
        if let Some(ms) = self.bg.offer_page(&WebBrowser, tab, attempt).await {
            self.later(ms, Msg::OfferPage { tab, attempt: attempt + 1 });
        }
    }

    /// Sends `msg` to this task after `ms`.
    fn later(&self, ms: u32, msg: Msg) {
        let tx = self.tx.clone();
        wasm_bindgen_futures::spawn_local(async move {
            TimeoutFuture::new(ms).await;
            let _ = tx.unbounded_send(msg);
        });
    }

    /// The model starts from what is open; from then on events keep it.
    async fn load_open_windows(&mut self, windows: Result<Vec<BrowserWindow>, String>, groups: Vec<BrowserGroup>) {
        match windows {
            Ok(windows) => {
                for w in &windows {
                    for e in w.events(self.bg.containers()) {
                        self.bg.apply(&WebBrowser, e).await;
                    }
                }
            }
            Err(e) => api::console_warn(&format!("Lifeboat: cannot list windows: {e}")),
        }
        for g in groups {
            self.bg.apply(&WebBrowser, Event::GroupChanged(g.info())).await;
        }
    }

    async fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Browser(kind, a, b, c) => {
                if kind.starts_with("contextualIdentities.") {
                    if let Some(list) = WebBrowser.containers().await {
                        self.bg.set_containers(list);
                    }
                    return;
                }
                if kind == "storage.onChanged" {
                    // Another device's change arrived through sync.
                    if b.as_string().as_deref() == Some("sync") {
                        self.bg.sync(&WebBrowser).await;
                    }
                    return;
                }
                if kind == "commands.onCommand" || kind == "contextMenus.onClicked" {
                    if let Some(command) = user_command(&kind, &a, &b) {
                        self.bg.user_command(&WebBrowser, command).await;
                    }
                    return;
                }
                // A tab that has just finished loading.
                let loaded = (kind == "tabs.onUpdated").then(|| loaded_tab(&a, &b)).flatten();
                let attached = (kind == "tabs.onAttached")
                    .then(|| Some((a.as_f64()? as i64, api::from_js::<TabEventInfo>(b.clone()).ok()?.new_window_id)))
                    .flatten();
                if let Some(e) = self.translate(&kind, a, b, c) {
                    self.bg.apply(&WebBrowser, e).await;
                }
                // A tab moved to another window can change on the way (Chrome
                // unpins it, drops its group) without an update event: re-read it.
                // Only an answer from the new window: while the old one closes,
                // Firefox may still report the tab there.
                if let Some((id, window)) = attached {
                    if let Ok(Some(info)) = api::get_tab(id)
                        .await
                        .map(|t| api::from_js::<BrowserTab>(t).ok().and_then(|t| t.info(self.bg.containers())))
                    {
                        if info.window_id == window {
                            self.bg.apply(&WebBrowser, Event::TabUpdated(info)).await;
                        }
                    }
                }
                if let Some(tab) = loaded {
                    self.offer_page(tab, 0).await;
                }
            }
            Msg::Tick => {
                // Pick up geometry changes first: Firefox has no event for them.
                self.refresh_geometry().await;
                self.bg.tick(&WebBrowser).await;
            }
            Msg::SpareKept(kept, t0) => {
                self.bg.spare_kept(kept, api::perf_now() - t0);
                // Another checkpoint's copy may have come due meanwhile.
                self.start_spare_copy();
            }
            Msg::OfferPage { tab, attempt } => self.offer_page(tab, attempt).await,
            Msg::OfferRestore { recheck } => {
                if self.bg.offer_restore(&WebBrowser, recheck).await {
                    self.later(OFFER_RECHECK_MS, Msg::OfferRestore { recheck: true });
                }
            }
            Msg::Request(req, sender, reply) => {
                let answer = match api::from_js::<Value>(req) {
                    Ok(body) => self.bg.answer_message(&WebBrowser, body, &sender).await,
                    Err(e) => Failure::from(crate::msg!(crate::message::BAD_REQUEST, e.to_string())).into(),
                };
                let _ = reply.send(answer_text(&answer));
            }
        }
    }

    async fn refresh_geometry(&mut self) {
        if let Ok(windows) = api::all_windows(false).await.and_then(api::from_js::<Vec<BrowserWindow>>) {
            let now = api::now();
            for w in windows.iter().filter_map(BrowserWindow::info) {
                self.bg.note(Event::WindowChanged(w), now);
            }
        }
    }

    fn translate(&self, kind: &str, a: JsValue, b: JsValue, c: JsValue) -> Option<Event> {
        let id = |v: &JsValue| v.as_f64().map(|f| f as i64);
        let info = |v: JsValue| api::from_js::<TabEventInfo>(v).ok();
        let tab = |v: JsValue| api::from_js::<BrowserTab>(v).ok().and_then(|t| t.info(self.bg.containers()));
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
}

/// The tab of a `tabs.onUpdated` whose change is that it finished loading.
fn loaded_tab(id: &JsValue, change: &JsValue) -> Option<i64> {
    let status = js_sys::Reflect::get(change, &"status".into()).ok()?.as_string()?;
    (status == "complete").then(|| id.as_f64().map(|f| f as i64)).flatten()
}

/// A keyboard shortcut or a click on the context menu, as the core sees it.
fn user_command(kind: &str, a: &JsValue, b: &JsValue) -> Option<UserCommand> {
    match (kind, a.as_string().as_deref()) {
        ("commands.onCommand", Some("save-session")) => Some(UserCommand::SaveSession),
        ("commands.onCommand", Some("open-manager")) => Some(UserCommand::OpenManager),
        ("contextMenus.onClicked", _) => {
            let window = js_sys::Reflect::get(b, &"windowId".into()).ok().and_then(|v| v.as_f64()).map(|f| f as i64);
            Some(UserCommand::SaveWindow(window))
        }
        _ => None,
    }
}
