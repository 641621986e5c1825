// The page protocol as the pages use it (docs/PROTOCOL.md): every request a
// page sends and the answer it gets. Hand-written until the types generated
// from the Rust protocol (www/types/protocol/, ts-rs) land; then these names
// should become re-exports of those, in this one file. `Answers` (request
// type -> answer) stays here: send() in common.js types each answer by it.
//
// Names in the generated protocol.d.ts (branch core, 12cf775): Source =
// SourceView, Plan = PlanAnswer, RestoreAnswer = Restored, NamedSave =
// NamedMeta, SearchResult = Found, ExportAnswer = ExportFile, ImportSelection
// = SessionPick[], Selection = SelectView, Ok = Done; the others have the same
// names. Pointed at them, tsc reported 18 errors, all from the generated
// requests: optional fields with a serde default come out required
// (restore.mode/duplicates, named.save.windowId/tabIds, import.commit's
// select/merge/name, SessionPick.windows, WindowPick.tabs; they want
// #[ts(optional)]), u64 ids as bigint (windowId, tabIds; they want
// #[ts(type = "number")]), and Found has no favIconUrl (the manager reads it).
// (A container's colour may be null there; so it is here.)

export type Ms = number;

/** A sentence of the core's (src/message.rs): English `text`, and the
 *  _locales message `key` with `args` (nested sentences translated in turn)
 *  that messageText() in common.js shows instead. */
export interface Message {
  text: string;
  key: string;
  args?: MessageArg[];
}

export type MessageArg = string | Message;

export interface Autosave {
  ok: boolean;
  problem?: Message | null;
  since?: Ms | null;
}

export type SourceKind = 'crash' | 'clean' | 'updated' | 'current' | 'autosave' | 'named';

/** One entry of `overview.sources` (also `plan.source`). */
export interface Source {
  id: string;
  kind: SourceKind;
  label: string;
  /** The _locales message naming this kind of session, when the core names it. */
  labelKey?: string | null;
  takenAt?: Ms | null;
  windows: number;
  tabs: number;
  pending?: boolean;
  notice?: Message | null;
}

export interface Overview {
  verdict: 'crash' | 'clean' | 'first_run' | 'updated' | 'running';
  lastSavedAt?: Ms | null;
  autosave?: Autosave;
  sources: Source[];
}

export interface TabGroup {
  title?: string | null;
  color: string;
}

export interface Container {
  name?: string | null;
  color: string | null;
  missing?: boolean;
}

/** An earlier page of a tab (`plan` tab's `history`, newest first). */
export interface Visit {
  index: number;
  url: string;
  title?: string | null;
  at?: Ms | null;
  openable: boolean;
}

export type TabStatus = 'restore' | 'already_open' | 'blocked';

/** A tab as the shared window-and-tab view shows it: a `plan` tab, or an import preview tab. */
export interface ViewTab {
  url: string;
  title?: string | null;
  favIconUrl?: string | null;
  pinned?: boolean;
  active?: boolean;
  group?: TabGroup | null;
  container?: Container | null;
  typedFields?: number;
  status?: TabStatus;
  reason?: Message | null;
}

export interface PlanTab extends ViewTab {
  truncatedFields?: number;
  cutFields?: number;
  history?: Visit[];
}

export type WindowState = 'normal' | 'maximized' | 'minimized' | 'fullscreen' | string;

export interface PlanWindow {
  state?: WindowState;
  tabs: PlanTab[];
  restorable?: number;
}

export interface Plan {
  source?: Source;
  windows: PlanWindow[];
  notices?: Message[];
  restorable?: { tabs: number; windows: number };
}

/** The windows and tabs a `restore` should open: all, or per window the tab indices. */
export type Selection = 'all' | { window: number; tabs: number[] }[];

export type RestoreMode = 'new' | 'current' | 'replace';

export interface Skipped {
  url?: string | null;
  reason?: Message | null;
}

export interface RestoreAnswer {
  windows: number;
  tabs: number;
  skipped?: Skipped[];
  notices?: Message[];
}

export interface SyncReport {
  at?: Ms | null;
  error?: Message | null;
  pushed?: number;
  pulled?: number;
  conflicts?: string[];
  notSynced?: Message[];
}

export interface Status {
  lastSavedAt?: Ms | null;
  windows: number;
  tabs: number;
  autosave?: Autosave;
  sync?: SyncReport | null;
}

export interface NamedSave {
  id: string;
  name: string;
  tags?: string[];
  createdAt?: Ms | null;
  updatedAt?: Ms | null;
  windows: number;
  tabs: number;
}

export interface SearchResult {
  source: string;
  sourceLabel?: string | null;
  sourceLabelKey?: string | null;
  takenAt?: Ms | null;
  window: number;
  tab: number;
  title?: string | null;
  url: string;
  favIconUrl?: string | null;
}

export interface PreviewTab extends ViewTab {}

export interface PreviewWindow {
  state?: WindowState;
  closed?: boolean;
  count: number;
  listed?: boolean;
  tabs: PreviewTab[];
}

export interface PreviewSession {
  name?: string | null;
  windows: number;
  tabs: number;
  savedAt?: Ms | null;
  closed?: boolean;
  content: PreviewWindow[];
}

/** The pages' module's preview of a file (www/files.js; parsed in the page). */
export interface ImportPreview {
  format: string;
  sessions: PreviewSession[];
  notes?: string[];
}

/** What `import.commit` keeps: per session, whole or some windows (whole or some tabs). */
export type ImportSelection = { session: number; windows?: { window: number; tabs?: number[] }[] }[];

/** The sessions `export` hands the manager, to write as a file in the page. */
export interface ExportSessions {
  sessions: { name: string; savedAt?: Ms | null; session: unknown }[];
  holdsTypedText: boolean;
}

/** A file the pages' module wrote (www/files.js). */
export interface ExportAnswer {
  fileName: string;
  mime: string;
  text: string;
  holdsTypedText: boolean;
}

export interface Backup {
  format: 'lifeboat-backup';
  version: number;
  exportedAt: Ms;
  holdsTypedText: boolean;
  records: { key: string; bytes: number; value: unknown }[];
}

export interface TimelineTier {
  bucketMs: number;
  horizonMs: number;
}

export interface Settings {
  privacyLevel: 'everywhere' | 'not_on_https' | 'never';
  excludedSites: string[];
  maxFieldChars?: number;
  lazyRestore: boolean;
  afterCrash: 'ask' | 'restore_at_once';
  timeline: TimelineTier[];
  timelineMaxMib: number;
  sync: boolean;
  typedTextTabKib?: number;
  typedTextSessionMib?: number;
  pageReportsPerMinute?: number;
}

export interface Ok {
  ok: true;
}

export type Request =
  | { type: 'overview' }
  | { type: 'plan'; source: string }
  | { type: 'restore'; source: string; select: Selection; mode?: RestoreMode; duplicates?: boolean }
  | { type: 'openVisit'; source: string; window: number; tab: number; visit: number }
  | { type: 'dismiss'; source: string }
  | { type: 'undismiss'; source: string }
  | { type: 'status' }
  | { type: 'backup'; typedText: boolean }
  | { type: 'settings' }
  | { type: 'setSettings'; settings: Settings }
  | { type: 'named.list' }
  | { type: 'named.save'; name: string; scope: 'all' | 'window' | 'tabs'; windowId?: number; tabIds?: number[] }
  | { type: 'named.overwrite'; id: string }
  | { type: 'named.rename'; id: string; name: string }
  | { type: 'named.tags'; id: string; tags: string[] }
  | { type: 'named.delete'; id: string }
  | { type: 'named.undelete'; id: string }
  | { type: 'search'; query: string }
  | { type: 'import.commit'; saves: string }
  | { type: 'export'; sources: string[]; typedText: boolean };

/** The answer to each request type (a failure, `{ error }`, rejects in `send`). */
export interface Answers {
  overview: Overview;
  plan: Plan;
  restore: RestoreAnswer;
  openVisit: Ok;
  dismiss: Ok;
  undismiss: Ok;
  status: Status;
  backup: Backup;
  settings: Settings;
  setSettings: { ok: true; settings: Settings };
  'named.list': { saves: NamedSave[] };
  'named.save': { save: NamedSave };
  'named.overwrite': { save: NamedSave };
  'named.rename': { save: NamedSave };
  'named.tags': { save: NamedSave };
  'named.delete': Ok;
  'named.undelete': Ok;
  search: { results: SearchResult[] };
  'import.commit': { saves: NamedSave[]; notes?: string[] };
  export: ExportSessions;
}

export type AnswerTo<R extends Request> = Answers[R['type']];
