//! Every name Lifeboat keeps something under, in one table: the database,
//! its record keys, the spare copy in `storage.local`, `storage.sync`,
//! `storage.session` and the alarm. A stored name outlives the build that
//! wrote it: change one only with a migration.

/// The IndexedDB database and its one object store (`src/web/idb.rs`).
pub const IDB_DATABASE: &str = "lifeboat";
pub const IDB_RECORDS: &str = "records";

// Record keys in that store (`store`, `named`, `sync`, `purge`).

/// Checkpoints of the timeline: `ck/<generation>-…` (`timeline::RecordMeta`).
pub const CHECKPOINT: &str = "ck/";
/// Journal deltas of the timeline: `jr/<generation>-…`.
pub const JOURNAL: &str = "jr/";
/// The run mark: how the last run ended (`verdict`).
pub const RUN: &str = "run";
/// Sessions set aside at start-up: `prev/<taken at>`; also their source ids.
pub const SET_ASIDE: &str = "prev/";
pub const SETTINGS: &str = "settings";
/// Typed text waiting for restored tabs to load.
pub const PENDING_PAGES: &str = "pages";
/// The named saves' index (their descriptions).
pub const NAMED_INDEX: &str = "named-index";
/// One named save: `named/<id>`.
pub const NAMED_RECORD: &str = "named/";
/// What both of the above start with.
pub const NAMED_ANY: &str = "named";
/// What the last sync saw of each save (the next sync's base).
pub const SYNC_BASE: &str = "sync-base";
/// Where the store keeps which records (`two_tier::LAYOUT`).
pub const LAYOUT_KEY: &str = "layout";
/// Journal-file records committed to the database since the file last took
/// them: `staged/<their key>` (`two_tier`).
pub const STAGED: &str = "staged/";

/// In a journal file's base frame: how many frames after it complete it
/// (`journal_file`). Never a record: no store key has this shape.
pub const JOURNAL_BASE_FRAMES: &str = "journal-file:frames";

/// The journal file's directory in the origin-private file system
/// (`extension/journal-worker.js`); its files are `journal-<n>`.
pub const JOURNAL_DIR: &str = "lifeboat";

/// The spare copy in `storage.local` (`spare`, `src/web/idb.rs`):
/// `spare/<database>/<part>`, one part for the session, one for named saves.
pub const SPARE: &str = "spare/";
pub const SPARE_SESSION: &str = "session";
/// Which record the session part's state was committed as (`<gen>/<seq>`,
/// `<gen>/-` for a checkpoint): read at every start, where the session part
/// itself may be megabytes.
pub const SPARE_SESSION_AT: &str = "session-at";
pub const SPARE_NAMED: &str = "named";

/// `storage.sync` (`sync`): one manifest item per save, its record in chunks.
pub const SYNC_MANIFEST: &str = "lb:m:";
pub const SYNC_CHUNK: &str = "lb:c:";

/// `storage.session` (the edge): set once per browser run, so a background
/// that starts without it knows the browser started.
pub const RUN_FLAG: &str = "lifeboatRun";
/// `storage.session`: typed text reported by pages is not committed yet.
pub const PAGES_PENDING_FLAG: &str = "lifeboatPagesPending";

/// The alarm that wakes the background every minute to commit what a lost
/// timer left pending, read window geometry and sync.
pub const MINUTE_ALARM: &str = "lifeboat-minute";
/// Its name before issue 10 (when "backstop" also named the spare copy), cleared at start-up.
pub const OLD_MINUTE_ALARM: &str = "lifeboat-backstop";

#[cfg(test)]
mod tests {
    /// No name is a prefix of another's records by accident: a scan of one
    /// prefix must not return another kind's records.
    #[test]
    fn record_prefixes_do_not_overlap() {
        use super::*;
        let keys = [
            CHECKPOINT,
            JOURNAL,
            RUN,
            SET_ASIDE,
            SETTINGS,
            PENDING_PAGES,
            NAMED_INDEX,
            NAMED_RECORD,
            SYNC_BASE,
            LAYOUT_KEY,
            STAGED,
            JOURNAL_BASE_FRAMES,
        ];
        for a in keys {
            for b in keys {
                if a != b {
                    assert!(!b.starts_with(a), "{b} starts with {a}");
                }
            }
        }
        assert!(NAMED_INDEX.starts_with(NAMED_ANY) && NAMED_RECORD.starts_with(NAMED_ANY));
    }
}
