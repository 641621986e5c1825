// The page protocol as the pages use it (docs/PROTOCOL.md): the names the
// pages' JSDoc imports, all pointing at the types generated from the Rust
// protocol (./protocol/protocol.d.ts, ts-rs). Nothing here restates a wire
// shape; where a page's name differs from the Rust one, it is an alias.

import type {
  AnswerTo as Answers,
  Done,
  Request as AnyRequest,
  ExportFile,
  Found,
  NamedMeta,
  PlanAnswer,
  PlanTab,
  PreviewTab,
  Restored,
  SelectView,
  SessionPick,
  SourceView,
  TabStatus,
} from './protocol/protocol';

export type {
  Arg as MessageArg,
  Autosave,
  Backup,
  ExportSessions,
  ImportPreview,
  Message,
  Overview,
  PlanTab,
  PlanWindow,
  PreviewSession,
  PreviewTab,
  PreviewWindow,
  RestoreMode,
  Settings,
  SourceKind,
  Status,
  SyncReport,
  TabStatus,
  WindowPick,
} from './protocol/protocol';

/** A request a page sends (`pageState`, `pageRestore` are the content script's). */
export type Request = Exclude<AnyRequest, { type: 'pageState' | 'pageRestore' }>;

/** One entry of `overview.sources` (also `plan.source`). */
export type Source = SourceView;
export type Plan = PlanAnswer;
export type RestoreAnswer = Restored;
export type NamedSave = NamedMeta;
export type SearchResult = Found;
/** A file the pages' module wrote (www/files.js). */
export type ExportAnswer = ExportFile;
/** What `import.commit` keeps: per session, whole or some windows (whole or some tabs). */
export type ImportSelection = SessionPick[];
/** The windows and tabs a `restore` should open: all, or per window the tab indices. */
export type Selection = SelectView;
export type Ok = Done;

/**
 * A tab as the shared window-and-tab view (common.js) shows it: a `plan` tab,
 * or an import preview tab (no plan verdict, no typed text; the manager marks
 * it `restore`).
 */
export type ViewTab = PlanTab | (PreviewTab & { status?: TabStatus; reason?: undefined; typedFields?: undefined });

/** The answer to each request type, by `type` (a failure, `{ error }`, rejects in `send`). */
export type { Answers };
export type AnswerTo<R extends Request> = Answers[R['type']];
