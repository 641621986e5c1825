//! The answers to the requests of `protocol::Request`, one type per answer,
//! serialised exactly as docs/PROTOCOL.md shows (camelCase). The pages'
//! type declarations (`www/types/protocol/`) are generated from these.

use crate::message::{Arg, Message};
use crate::model::Millis;
use crate::named::NamedMeta;
use crate::restore::{PlannedContainer, Skipped};
use crate::settings::Settings;
use crate::store::StoreError;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A request that failed or was refused: a sentence for the user.
///
/// `code` and `args` are for the pages to translate the sentence (issue 15):
/// when the core names a message (`crate::message`), the page looks `code`
/// up in its own locale and fills in `args`, falling back to `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub error: String,
    /// Refused to this sender (see "Who may send what"); absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(test, ts(optional, as = "Option<bool>"))]
    pub refused: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, ts(optional, as = "Option<Vec<Arg>>"))]
    pub args: Vec<Arg>,
}

/// A failure is made from a `Message` only (no constructor takes a bare
/// string), so that every failure the core sends names its message.
impl Failure {
    /// The answer to a request its sender may not make.
    pub fn refused() -> Self {
        Self {
            refused: true,
            ..crate::message::REFUSED.msg().into()
        }
    }
}

impl From<Message> for Failure {
    fn from(m: Message) -> Self {
        Self {
            error: m.text,
            refused: false,
            code: Some(m.key),
            args: m.args,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        e.message().into()
    }
}

/// `{ "ok": true }`: done, nothing to tell.
///
/// (Under `cfg(test)` every answer also derives `Deserialize`, so that the
/// examples in docs/PROTOCOL.md are read back into these types.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct Done {
    #[cfg_attr(test, ts(type = "true"))]
    pub ok: bool,
}

impl Done {
    pub const OK: Done = Done { ok: true };
}

/// Whether autosave works, and since when it fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct Autosave {
    pub ok: bool,
    pub problem: Option<Message>,
    #[cfg_attr(test, ts(type = "number | null"))]
    pub since: Option<Millis>,
}

/// What a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Open when the browser crashed.
    Crash,
    /// From the last time the browser was closed (or an earlier run).
    Clean,
    /// From before Lifeboat was updated.
    Updated,
    /// The live session as last committed in this run.
    Current,
    /// A point of the autosave timeline.
    Autosave,
    /// A named save.
    Named,
}

/// A plan's verdict on one tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize))]
#[serde(rename_all = "snake_case")]
pub enum TabStatus {
    Restore,
    AlreadyOpen,
    /// An extension may not open it (`reason` says why).
    Blocked,
}

/// How the last run ended, as `overview` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize))]
#[serde(rename_all = "snake_case")]
pub enum VerdictName {
    Crash,
    Clean,
    FirstRun,
    Updated,
    /// The background restarted within the same browser run.
    Running,
}

impl From<crate::verdict::Verdict> for VerdictName {
    fn from(v: crate::verdict::Verdict) -> Self {
        use crate::verdict::Verdict;
        match v {
            Verdict::Crash => Self::Crash,
            Verdict::CleanExit => Self::Clean,
            Verdict::FirstRun => Self::FirstRun,
            Verdict::Updated => Self::Updated,
            Verdict::Continuing => Self::Running,
        }
    }
}

/// One session the user can restore from (`overview.sources`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct SourceView {
    /// Opaque (`crate::source`): passed back as `source`.
    pub id: String,
    pub kind: SourceKind,
    /// In English; `label_key` names the message the pages show instead
    /// (none for a named save, whose label is the user's name for it).
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub label_key: Option<String>,
    #[cfg_attr(test, ts(type = "number | null"))]
    pub taken_at: Option<Millis>,
    pub windows: usize,
    pub tabs: usize,
    /// A crash the user has not dealt with yet.
    pub pending: bool,
    pub notice: Option<Message>,
}

/// `overview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub verdict: VerdictName,
    #[cfg_attr(test, ts(type = "number | null"))]
    pub last_saved_at: Option<Millis>,
    pub autosave: Autosave,
    pub sources: Vec<SourceView>,
}

/// `status.store`: what this run committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct StoreFigures {
    #[cfg_attr(test, ts(type = "number"))]
    pub commits: u64,
    #[cfg_attr(test, ts(type = "number"))]
    pub bytes: u64,
    /// Where commits go: `"file"` (the journal file) or `"database"`.
    pub journal: String,
}

/// Start-up in parts (see README): loading the WASM (from background.js's
/// first line), opening storage, judging the last run, building the model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct StartParts {
    /// Before start-up as counted: from the background's time origin (the
    /// service worker's or the page's start) to background.js's first line,
    /// the browser loading the script and its imports.
    pub before_script_ms: f64,
    pub load_wasm_ms: f64,
    /// Of `load_wasm_ms`, until the WASM's fetch answered.
    pub fetch_wasm_ms: f64,
    /// Reading the open windows from the browser, beside opening storage
    /// and judging (from the core's start).
    pub windows_ms: f64,
    pub open_storage_ms: f64,
    pub judge_ms: f64,
    pub model_ms: f64,
}

/// `status.timings`, measured by the edge.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    /// The whole start-up, the WASM's fetch, compile and instantiation included.
    pub start_ms: f64,
    pub start_parts: StartParts,
    /// The last commit.
    pub commit_ms: f64,
    pub commit_bytes: usize,
    /// The slowest commit of this run (its write, and a checkpoint's spare
    /// copy), and the slowest sync to disk: either holds back the next commit.
    pub slowest_commit_ms: f64,
    pub slowest_sync_ms: f64,
    /// The longest any change of this run waited to be committed: the
    /// recovery point a browser kill would have found at worst.
    pub longest_wait_ms: f64,
    /// What the background's one queue has handled this run (browser
    /// events, page requests, timers), and the time it spent on them,
    /// waits for the browser's answers included: beside how long the
    /// queue took to drain, how much of that was Lifeboat's own work.
    #[cfg_attr(test, ts(type = "number"))]
    pub handled: u64,
    pub busy_ms: f64,
    /// The same by kind of message (a browser event's listener, `request:`
    /// and its type, `tick`, `offerRestore`), and `commit` for every commit's
    /// write, also counted in the kind that caused it: where a slow queue's
    /// time went.
    pub busy_by_kind: BTreeMap<String, KindTime>,
}

/// The queue's time on one kind of message (`status.timings.busyByKind`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct KindTime {
    #[cfg_attr(test, ts(type = "number"))]
    pub n: u64,
    pub ms: f64,
    pub max_ms: f64,
}

impl KindTime {
    pub fn add(&mut self, ms: f64) {
        self.n += 1;
        self.ms += ms;
        self.max_ms = self.max_ms.max(ms);
    }
}

/// What the last sync did, or why it failed (`status.sync`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    #[cfg_attr(test, ts(type = "number"))]
    pub at: Millis,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub pushed: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub pulled: Option<usize>,
    /// Names of the saves a conflict kept a copy of, over the last day.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub conflicts: Option<Vec<String>>,
    /// Why some saves were not synced.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub not_synced: Option<Vec<Message>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub error: Option<Message>,
}

/// `status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct Status {
    #[cfg_attr(test, ts(type = "number | null"))]
    pub last_saved_at: Option<Millis>,
    pub windows: usize,
    pub tabs: usize,
    pub autosave: Autosave,
    pub store: StoreFigures,
    /// `null` until the first sync (or with sync off).
    pub sync: Option<SyncReport>,
    pub timings: Timings,
}

/// An earlier page of a tab (`plan`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct PlanVisit {
    pub index: usize,
    pub url: String,
    pub title: String,
    /// Not every file says when.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub at: Option<Millis>,
    pub openable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct PlanGroup {
    pub title: String,
    pub color: String,
}

/// One tab of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct PlanTab {
    pub url: String,
    pub title: String,
    /// Only `data:` icons.
    pub fav_icon_url: Option<String>,
    pub pinned: bool,
    pub active: bool,
    pub group: Option<PlanGroup>,
    pub container: Option<PlannedContainer>,
    /// Fields with typed text.
    pub typed_fields: usize,
    /// Of those, values cut at the per-field cap. No page shows it yet (the
    /// plan's notices say it in a sentence); kept for a per-tab mark.
    pub truncated_fields: usize,
    /// Fields left out: over the typed-text budget.
    pub cut_fields: u32,
    /// Earlier pages of this tab, newest first.
    pub history: Vec<PlanVisit>,
    pub status: TabStatus,
    pub reason: Option<Message>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct PlanWindow {
    #[cfg_attr(test, ts(type = "\"normal\" | \"maximized\" | \"minimized\" | \"fullscreen\""))]
    pub state: String,
    pub tabs: Vec<PlanTab>,
    /// Its tabs with status `restore`.
    pub restorable: usize,
}

/// What "Restore all" opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct Restorable {
    pub tabs: usize,
    pub windows: usize,
}

/// `plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct PlanAnswer {
    pub source: SourceView,
    pub windows: Vec<PlanWindow>,
    pub notices: Vec<Message>,
    pub restorable: Restorable,
}

/// `restore`: what opened, and what the browser refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct Restored {
    pub windows: usize,
    pub tabs: usize,
    pub skipped: Vec<Skipped>,
    pub notices: Vec<Message>,
    /// Created tabs with typed text to put back when they load.
    #[serde(skip)]
    #[cfg_attr(test, ts(skip))]
    pub pages: Vec<(i64, crate::model::PageState)>,
}

/// `named.list`, `import.commit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct Saves {
    pub saves: Vec<NamedMeta>,
    /// `import.commit`: what the background's own checks left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, ts(optional, as = "Option<Vec<Message>>"))]
    pub notes: Vec<Message>,
}

/// `named.save`, `named.overwrite`, `named.rename`, `named.tags`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct SaveAnswer {
    pub save: NamedMeta,
}

/// One tab `search` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct Found {
    pub source: String,
    pub source_label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub source_label_key: Option<String>,
    #[cfg_attr(test, ts(type = "number | null"))]
    pub taken_at: Option<Millis>,
    pub window: usize,
    pub tab: usize,
    pub title: String,
    pub url: String,
}

/// `search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct SearchResults {
    pub results: Vec<Found>,
}

/// `export`: the sessions for the manager to write as a file with the
/// pages' module (`files::export_file`, which answers an `ExportFile`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct ExportSessions {
    #[cfg_attr(test, ts(type = "Array<{ name: string, session: unknown, savedAt: number | null }>"))]
    pub sessions: Vec<crate::import_check::ImportedSave>,
    pub holds_typed_text: bool,
}

/// A file for the page to offer as a download (the pages' module writes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct ExportFile {
    pub file_name: String,
    pub mime: String,
    pub text: String,
    pub holds_typed_text: bool,
}

/// A tab of an import preview; compact (see docs/PROTOCOL.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct PreviewTab {
    pub title: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub fav_icon_url: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(test, ts(optional, as = "Option<bool>"))]
    pub pinned: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(test, ts(optional, as = "Option<bool>"))]
    pub active: bool,
    /// As the restore page shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub group: Option<PlanGroup>,
    /// Named from the file or this browser's containers, as a restore finds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub container: Option<PlannedContainer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct PreviewWindow {
    #[cfg_attr(test, ts(type = "\"normal\" | \"maximized\" | \"minimized\" | \"fullscreen\""))]
    pub state: String,
    pub closed: bool,
    pub count: usize,
    /// False past the listing cap: `tabs` is empty, only `count` is known.
    pub listed: bool,
    pub tabs: Vec<PreviewTab>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct PreviewSession {
    pub name: String,
    pub windows: usize,
    pub tabs: usize,
    #[cfg_attr(test, ts(type = "number | null"))]
    pub saved_at: Option<Millis>,
    pub closed: bool,
    pub content: Vec<PreviewWindow>,
}

/// The import preview the pages' module answers (`files::preview`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct ImportPreview {
    /// The format's label.
    pub format: String,
    pub sessions: Vec<PreviewSession>,
    /// What the import leaves out or changes, one sentence each.
    pub notes: Vec<Message>,
}

/// `setSettings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct SettingsSaved {
    #[cfg_attr(test, ts(type = "true"))]
    pub ok: bool,
    pub settings: Settings,
}

/// One stored record, decoded (`backup`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct BackupRecord {
    pub key: String,
    pub bytes: usize,
    /// The record as the core decodes it; its shape is the store's, not a
    /// protocol promise.
    #[cfg_attr(test, ts(type = "unknown"))]
    pub value: Value,
}

/// `backup`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    #[cfg_attr(test, ts(type = "\"lifeboat-backup\""))]
    pub format: String,
    pub version: u32,
    #[cfg_attr(test, ts(type = "number"))]
    pub exported_at: Millis,
    pub holds_typed_text: bool,
    pub records: Vec<BackupRecord>,
}

/// `pageState`: kept, or refused with why (and when to try again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
#[serde(rename_all = "camelCase")]
pub struct PageStateAnswer {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub reason: Option<String>,
    /// Set when the tab reports too often.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional, type = "number"))]
    pub retry_ms: Option<u64>,
}

/// A field to put back (`pageRestore`). Fields saved before the kind was
/// kept (store format 1, imports) have no `type` and no `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct RestoredField {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional, type = "\"textarea\" | \"input\" | \"select\" | \"contenteditable\""))]
    pub tag: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub touched: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub checked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub selected: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct RestoredPage {
    pub scroll: Option<(i32, i32)>,
    pub fields: Vec<RestoredField>,
}

/// `pageRestore`: `state` is null unless a Lifeboat restore left this
/// frame something to put back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct PageRestoreAnswer {
    pub state: Option<RestoredPage>,
}

/// Any answer, as it goes to the page: untagged, since the request says
/// which it is. A `Failure` can answer any request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(untagged)]
pub enum Answer {
    Overview(Overview),
    Status(Status),
    Plan(PlanAnswer),
    Restored(Restored),
    Saves(Saves),
    Save(SaveAnswer),
    Done(Done),
    Search(SearchResults),
    Export(ExportSessions),
    Settings(Settings),
    SettingsSaved(SettingsSaved),
    Backup(Backup),
    PageState(PageStateAnswer),
    PageRestore(PageRestoreAnswer),
    /// Bench builds only: figures of the hot paths.
    #[cfg_attr(test, ts(type = "Record<string, unknown>"))]
    Bench(Value),
    Failure(Failure),
}

/// A handler's outcome: its answer, or a failure to show.
pub type Reply<T> = Result<T, Failure>;

macro_rules! answer_from {
    ($($t:ident => $v:ident),* $(,)?) => {
        $(impl From<$t> for Answer {
            fn from(a: $t) -> Self {
                Self::$v(a)
            }
        })*
    };
}

answer_from! {
    Overview => Overview, Status => Status, PlanAnswer => Plan, Restored => Restored,
    Saves => Saves, SaveAnswer => Save, Done => Done, SearchResults => Search,
    ExportSessions => Export, Settings => Settings,
    SettingsSaved => SettingsSaved, Backup => Backup, PageStateAnswer => PageState,
    PageRestoreAnswer => PageRestore, Failure => Failure,
}

impl<T: Into<Answer>> From<Reply<T>> for Answer {
    fn from(r: Reply<T>) -> Self {
        match r {
            Ok(a) => a.into(),
            Err(f) => Self::Failure(f),
        }
    }
}

/// The backup as the file the user keeps: its JSON.
impl std::fmt::Display for Backup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| std::fmt::Error)?)
    }
}
