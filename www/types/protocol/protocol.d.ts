// Generated from the Rust types of src/protocol/ by ts-rs (src/protocol/typescript.rs).
// Do not edit: `LIFEBOAT_WRITE_TYPES=1 cargo test typescript` writes it anew.

/**
 * A request from a page: on the wire `{"type": "<name>", ...its fields}`
 * (`Request::from_value`; the pages' declarations say so through `ts(tag)`).
 * Serde reads it externally tagged, `{"<name>": {...}}`: serde's own
 * internally tagged reading buffers every message and cost the
 * background's module 46 KB (issue 10).
 */
export type Request = { "type": "overview" } | { "type": "status" } | { "type": "plan", source: string, } | { "type": "restore", source: string, select: SelectView, mode?: RestoreMode, 
/**
 * Open tabs even where the same URL is already open.
 */
duplicates?: boolean, } | { "type": "named.list" } | { "type": "named.save", 
/**
 * Empty: a dated default.
 */
name?: string, scope?: Scope, windowId?: number, tabIds?: Array<number>, } | { "type": "named.overwrite", id: string, } | { "type": "named.rename", id: string, name: string, } | { "type": "named.tags", id: string, tags: Array<string>, } | { "type": "named.delete", id: string, } | { "type": "named.undelete", id: string, } | { "type": "search", query: string, } | { "type": "import.commit", 
/**
 * `import_check::encode_saves` of the chosen sessions.
 */
saves: string, } | { "type": "export", sources: Array<string>, 
/**
 * Keep what was typed into pages (only Lifeboat's own format
 * carries it); the manager asks, the default is yes.
 */
typedText?: boolean, } | { "type": "dismiss", source: string, } | { "type": "undismiss", source: string, } | { "type": "openVisit", source: string, window: number, tab: number, visit: number, } | { "type": "settings" } | { "type": "setSettings", settings: Settings, } | { "type": "backup", 
/**
 * Keep what was typed into pages in the file (default yes).
 */
typedText?: boolean, } | { "type": "pageState", frame: string, state: RawPageState, } | { "type": "pageRestore", frame: string, };

export type SelectView = "all" | Array<WindowSelect>;

export type WindowSelect = { window: number, tabs: Array<number>, };

/**
 * Where a restore puts its tabs.
 */
export type RestoreMode = "new" | "current" | "replace";

/**
 * What `named.save` saves: all windows, one window, or some tabs.
 */
export type Scope = "all" | "window" | "tabs";

/**
 * One session of a selection; `windows: None` takes all of it.
 */
export type SessionPick = { session: number, windows?: Array<WindowPick>, };

/**
 * One window of a picked session; `tabs: None` takes all of it.
 */
export type WindowPick = { window: number, tabs?: Array<number>, };

export type RawPageState = { scroll: [number, number] | null, fields: Array<RawField>, };

/**
 * A form field as the content script reports it (docs/PROTOCOL.md).
 */
export type RawField = { key: string, tag: string, type: string, id: string, name: string, 
/**
 * The field's own `autocomplete` attribute.
 */
autocomplete: string, 
/**
 * Its form's `autocomplete` attribute: a field with no token of its own
 * inherits the form's "off", as browsers do.
 */
formAutocomplete: string, everPassword: boolean, 
/**
 * The user typed into it (trusted input) since the page loaded; a value
 * only the page's script set is kept, but counts as untouched.
 */
touched: boolean, value: string | null, checked: boolean | null, selected: Array<string> | null, };

/**
 * What the background sends a content script.
 */
export type ToContent = { "type": "lifeboat.resend" } | { "type": "lifeboat.restore" };

/**
 * Any answer, as it goes to the page: untagged, since the request says
 * which it is. A `Failure` can answer any request.
 */
export type Answer = Overview | Status | PlanAnswer | Restored | Saves | SaveAnswer | Done | SearchResults | ExportSessions | Settings | SettingsSaved | Backup | PageStateAnswer | PageRestoreAnswer | Record<string, unknown> | Failure;

/**
 * A request that failed or was refused: a sentence for the user.
 *
 * `code` and `args` are for the pages to translate the sentence (issue 15):
 * when the core names a message (`crate::message`), the page looks `code`
 * up in its own locale and fills in `args`, falling back to `error`.
 */
export type Failure = { error: string, 
/**
 * Refused to this sender (see "Who may send what"); absent otherwise.
 */
refused?: boolean, code?: string, args?: Array<Arg>, };

/**
 * A sentence for the user.
 */
export type Message = { 
/**
 * In English: shown where the page has no `key` message.
 */
text: string, key: string, args?: Array<Arg>, };

/**
 * What fills a placeholder: words from the user's data (a name, a number,
 * a browser's own error), or a sentence of the core's, translated in turn.
 */
export type Arg = string | Message;

/**
 * `{ "ok": true }`: done, nothing to tell.
 *
 * (Under `cfg(test)` every answer also derives `Deserialize`, so that the
 * examples in docs/PROTOCOL.md are read back into these types.)
 */
export type Done = { ok: true, };

/**
 * `overview`.
 */
export type Overview = { verdict: VerdictName, lastSavedAt: number | null, autosave: Autosave, sources: Array<SourceView>, };

/**
 * How the last run ended, as `overview` tells it.
 */
export type VerdictName = "crash" | "clean" | "first_run" | "updated" | "running";

/**
 * Whether autosave works, and since when it fails.
 */
export type Autosave = { ok: boolean, problem: Message | null, since: number | null, };

/**
 * One session the user can restore from (`overview.sources`).
 */
export type SourceView = { 
/**
 * Opaque (`crate::source`): passed back as `source`.
 */
id: string, kind: SourceKind, 
/**
 * In English; `label_key` names the message the pages show instead
 * (none for a named save, whose label is the user's name for it).
 */
label: string, labelKey?: string, takenAt: number | null, windows: number, tabs: number, 
/**
 * A crash the user has not dealt with yet.
 */
pending: boolean, notice: Message | null, };

/**
 * What a source is.
 */
export type SourceKind = "crash" | "clean" | "updated" | "current" | "autosave" | "named";

/**
 * `status`.
 */
export type Status = { lastSavedAt: number | null, windows: number, tabs: number, autosave: Autosave, store: StoreFigures, 
/**
 * `null` until the first sync (or with sync off).
 */
sync: SyncReport | null, timings: Timings, };

/**
 * `status.store`: what this run committed.
 */
export type StoreFigures = { commits: number, bytes: number, 
/**
 * Where commits go: `"file"` (the journal file) or `"database"`.
 */
journal: string, };

/**
 * `status.timings`, measured by the edge.
 */
export type Timings = { 
/**
 * The whole start-up, the WASM's fetch, compile and instantiation included.
 */
startMs: number, startParts: StartParts, 
/**
 * The last commit.
 */
commitMs: number, commitBytes: number, 
/**
 * The slowest commit of this run (its write, and a checkpoint's spare
 * copy), and the slowest sync to disk: either holds back the next commit.
 */
slowestCommitMs: number, slowestSyncMs: number, 
/**
 * The longest any change of this run waited to be committed: the
 * recovery point a browser kill would have found at worst.
 */
longestWaitMs: number, 
/**
 * What the background's one queue has handled this run (browser
 * events, page requests, timers), and the time it spent on them,
 * waits for the browser's answers included: beside how long the
 * queue took to drain, how much of that was Lifeboat's own work.
 */
handled: number, busyMs: number, 
/**
 * The same by kind of message (a browser event's listener, `request:`
 * and its type, `tick`, `offerRestore`), and `commit` for every commit's
 * write, also counted in the kind that caused it: where a slow queue's
 * time went.
 */
busyByKind: { [key in string]?: KindTime }, };

/**
 * Start-up in parts (see README): loading the WASM (from background.js's
 * first line), opening storage, judging the last run, building the model.
 */
export type StartParts = { 
/**
 * Before start-up as counted: from the background's time origin (the
 * service worker's or the page's start) to background.js's first line,
 * the browser loading the script and its imports.
 */
beforeScriptMs: number, loadWasmMs: number, 
/**
 * Of `load_wasm_ms`, until the WASM's fetch answered.
 */
fetchWasmMs: number, 
/**
 * Reading the open windows from the browser, beside opening storage
 * and judging (from the core's start).
 */
windowsMs: number, openStorageMs: number, judgeMs: number, modelMs: number, };

/**
 * The queue's time on one kind of message (`status.timings.busyByKind`).
 */
export type KindTime = { n: number, ms: number, maxMs: number, };

/**
 * What the last sync did, or why it failed (`status.sync`).
 */
export type SyncReport = { at: number, pushed?: number, pulled?: number, 
/**
 * Names of the saves a conflict kept a copy of, over the last day.
 */
conflicts?: Array<string>, 
/**
 * Why some saves were not synced.
 */
notSynced?: Array<Message>, error?: Message, };

/**
 * `plan`.
 */
export type PlanAnswer = { source: SourceView, windows: Array<PlanWindow>, notices: Array<Message>, restorable: Restorable, };

export type PlanWindow = { state: "normal" | "maximized" | "minimized" | "fullscreen", tabs: Array<PlanTab>, 
/**
 * Its tabs with status `restore`.
 */
restorable: number, };

/**
 * One tab of a plan.
 */
export type PlanTab = { url: string, title: string, 
/**
 * Only `data:` icons.
 */
favIconUrl: string | null, pinned: boolean, active: boolean, group: PlanGroup | null, container: PlannedContainer | null, 
/**
 * Fields with typed text.
 */
typedFields: number, 
/**
 * Of those, values cut at the per-field cap. No page shows it yet (the
 * plan's notices say it in a sentence); kept for a per-tab mark.
 */
truncatedFields: number, 
/**
 * Fields left out: over the typed-text budget.
 */
cutFields: number, 
/**
 * Earlier pages of this tab, newest first.
 */
history: Array<PlanVisit>, status: TabStatus, reason: Message | null, };

/**
 * A plan's verdict on one tab.
 */
export type TabStatus = "restore" | "already_open" | "blocked";

export type PlanGroup = { title: string, color: string, };

/**
 * An earlier page of a tab (`plan`).
 */
export type PlanVisit = { index: number, url: string, title: string, 
/**
 * Not every file says when.
 */
at: number | null, openable: boolean, };

/**
 * Where a tab's container stands now.
 */
export type PlannedContainer = { name: string | null, color: string | null, missing: boolean, };

/**
 * What "Restore all" opens.
 */
export type Restorable = { tabs: number, windows: number, };

/**
 * `restore`: what opened, and what the browser refused.
 */
export type Restored = { windows: number, tabs: number, skipped: Array<Skipped>, notices: Array<Message>, };

export type Skipped = { url: string, reason: Message, };

/**
 * `named.list`, `import.commit`.
 */
export type Saves = { saves: Array<NamedMeta>, 
/**
 * `import.commit`: what the background's own checks left out.
 */
notes?: Array<Message>, };

/**
 * `named.save`, `named.overwrite`, `named.rename`, `named.tags`.
 */
export type SaveAnswer = { save: NamedMeta, };

export type NamedMeta = { id: string, name: string, tags: Array<string>, createdAt: number, updatedAt: number, windows: number, tabs: number, 
/**
 * Deleted, but can be brought back until purged. (No serde skipping:
 * the stored encoding is not self-describing.)
 */
deletedAt: number | null, };

/**
 * `search`.
 */
export type SearchResults = { results: Array<Found>, };

/**
 * One tab `search` found.
 */
export type Found = { source: string, sourceLabel: string, sourceLabelKey?: string, takenAt: number | null, window: number, tab: number, title: string, url: string, };

/**
 * `export`: the sessions for the manager to write as a file with the
 * pages' module (`files::export_file`, which answers an `ExportFile`).
 */
export type ExportSessions = { sessions: Array<{ name: string, session: unknown, savedAt: number | null }>, holdsTypedText: boolean, };

/**
 * A file for the page to offer as a download (the pages' module writes it).
 */
export type ExportFile = { fileName: string, mime: string, text: string, holdsTypedText: boolean, };

/**
 * The import preview the pages' module answers (`files::preview`).
 */
export type ImportPreview = { 
/**
 * The format's label.
 */
format: string, sessions: Array<PreviewSession>, 
/**
 * What the import leaves out or changes, one sentence each.
 */
notes: Array<Message>, };

export type PreviewSession = { name: string, windows: number, tabs: number, savedAt: number | null, closed: boolean, content: Array<PreviewWindow>, };

export type PreviewWindow = { state: "normal" | "maximized" | "minimized" | "fullscreen", closed: boolean, count: number, 
/**
 * False past the listing cap: `tabs` is empty, only `count` is known.
 */
listed: boolean, tabs: Array<PreviewTab>, };

/**
 * A tab of an import preview; compact (see docs/PROTOCOL.md).
 */
export type PreviewTab = { title: string, url: string, favIconUrl?: string, pinned?: boolean, active?: boolean, 
/**
 * As the restore page shows it.
 */
group?: PlanGroup, 
/**
 * Named from the file or this browser's containers, as a restore finds it.
 */
container?: PlannedContainer, };

/**
 * `setSettings`.
 */
export type SettingsSaved = { ok: true, settings: Settings, };

export type Settings = { privacyLevel: PrivacyLevel, 
/**
 * Hosts (and their subdomains) whose typed text is never kept.
 */
excludedSites: Array<string>, 
/**
 * A field's value is cut at this many characters (the restore page says so).
 */
maxFieldChars: number, 
/**
 * Restored tabs other than the active ones load when clicked.
 */
lazyRestore: boolean, afterCrash: AfterCrash, 
/**
 * How the autosave timeline is thinned.
 */
timeline: Array<Tier>, 
/**
 * The most the timeline may take, in MiB (0: no bound). The latest
 * state and named saves never count against it and are never thinned.
 */
timelineMaxMib: number, 
/**
 * Sync named saves through the browser's own sync (opt-in). Typed
 * text never goes with them.
 */
sync: boolean, 
/**
 * Typed text kept per tab, in KiB (0: no bound). Over it, the newest
 * text of the fields the user touched wins; the restore page says what
 * was left out.
 */
typedTextTabKib: number, 
/**
 * Typed text kept for the whole session, in MiB (0: no bound): the
 * tabs typed into longest ago give theirs up first.
 */
typedTextSessionMib: number, 
/**
 * How many reports of typed text a tab may send a minute (0: no bound),
 * after a burst of 20.
 */
pageReportsPerMinute: number, };

/**
 * Where typed text is kept (Firefox's `browser.sessionstore.privacy_level`).
 */
export type PrivacyLevel = "everywhere" | "not_on_https" | "never";

export type AfterCrash = "ask" | "restore_at_once";

/**
 * Keep the newest point in each `bucket` for points younger than `horizon`.
 */
export type Tier = { bucketMs: number, horizonMs: number, };

/**
 * `backup`.
 */
export type Backup = { format: "lifeboat-backup", version: number, exportedAt: number, holdsTypedText: boolean, records: Array<BackupRecord>, };

/**
 * One stored record, decoded (`backup`).
 */
export type BackupRecord = { key: string, bytes: number, 
/**
 * The record as the core decodes it; its shape is the store's, not a
 * protocol promise.
 */
value: unknown, };

/**
 * `pageState`: kept, or refused with why (and when to try again).
 */
export type PageStateAnswer = { ok: boolean, reason?: string, 
/**
 * Set when the tab reports too often.
 */
retryMs?: number, };

/**
 * `pageRestore`: `state` is null unless a Lifeboat restore left this
 * frame something to put back.
 */
export type PageRestoreAnswer = { state: RestoredPage | null, };

export type RestoredPage = { scroll: [number, number] | null, fields: Array<RestoredField>, };

/**
 * A field to put back (`pageRestore`). Fields saved before the kind was
 * kept (store format 1, imports) have no `type` and no `name`.
 */
export type RestoredField = { key: string, tag?: "textarea" | "input" | "select" | "contenteditable", type?: string, name?: string, touched?: boolean, value?: string, checked?: boolean, selected?: Array<string>, };

/**
 * The answer to each request, by its `type` (a `Failure` can answer any).
 */
export type AnswerTo = {
  "overview": Overview,
  "status": Status,
  "plan": PlanAnswer,
  "restore": Restored,
  "named.list": Saves,
  "named.save": SaveAnswer,
  "named.overwrite": SaveAnswer,
  "named.rename": SaveAnswer,
  "named.tags": SaveAnswer,
  "named.delete": Done,
  "named.undelete": Done,
  "search": SearchResults,
  "import.commit": Saves,
  "export": ExportSessions,
  "dismiss": Done,
  "undismiss": Done,
  "openVisit": Done,
  "settings": Settings,
  "setSettings": SettingsSaved,
  "backup": Backup,
  "pageState": PageStateAnswer,
  "pageRestore": PageRestoreAnswer,
};
