//! The store's backend as the browser gets it: the records written at every
//! commit (checkpoints, journal records, the run mark, typed text waiting
//! for restored tabs) in the journal file where one exists (`journal_file`),
//! everything else (named saves, set-aside sessions, settings) in the
//! database, where it is written seldom and read by key.
//!
//! A run stages its first commits in the database and moves to the file
//! only once it keeps committing (`FOLD_AFTER`). In Firefox a database
//! commit costs about 4 KB of writes, while the file costs about 395 KB of
//! writes to Firefox's own file-system metadata each time a background
//! opens it to write and closes it on suspending (`bench/IDLE.md`); a
//! background woken for a tab switch commits once or twice and sleeps
//! again. Staged records are newer than the file's and are read over them
//! (a deletion of a file record is staged as a mark); moving them writes
//! them into the file, flushes it, and only then deletes them from the
//! database, so an interruption repeats the move and loses nothing.
//!
//! Where no file can be opened (Chromium's service worker cannot start the
//! Worker a sync access handle needs; a Firefox whose file system is off or
//! failing), the database holds everything under the records' own keys, as
//! before the file existed. Such records found at start-up are the newest
//! state: a store from before the file, or one written while the file could
//! not be opened. They replace what the file and the staged records held,
//! by the same order of steps.
//!
//! `LAYOUT` records where this build keeps what. A store whose layout is
//! newer than this build's is refused with a message, never rewritten.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use crate::codec::{self, DecodeError, Kind};
use crate::journal_file::{Files, JournalFile, Opened};
use crate::keys::{CHECKPOINT, JOURNAL, LAYOUT_KEY, PENDING_PAGES, RUN, STAGED};
use crate::store::{Backend, Op, StoreError};

/// 1: everything in the database.
/// 2: the records of `HOT` in the journal file.
/// 3: as 2, with newer ones staged in the database under `STAGED`.
pub const LAYOUT: u16 = 3;

/// Commits a run stages in the database before it moves to the file: the
/// cost of a busy run's first commits (16 × ~4 KB) stays well under what
/// opening and closing the file costs (~395 KB), which a run that commits
/// less never pays.
pub const FOLD_AFTER: u32 = 16;

/// The prefixes and keys of the records that live in the journal file.
const HOT: [&str; 4] = [CHECKPOINT, JOURNAL, RUN, PENDING_PAGES];

fn is_hot(key: &str) -> bool {
    HOT.iter().any(|h| key.starts_with(h))
}

/// A staged record's first byte: written, or deleted from the file.
const STAGED_PUT: u8 = 1;
const STAGED_GONE: u8 = 0;

#[derive(Debug, Clone, PartialEq)]
enum Staged {
    Put(Vec<u8>),
    Gone,
}

impl Staged {
    fn encode(&self) -> Vec<u8> {
        match self {
            Staged::Put(v) => [&[STAGED_PUT][..], v].concat(),
            Staged::Gone => vec![STAGED_GONE],
        }
    }

    fn decode(key: &str, bytes: &[u8]) -> Result<Self, StoreError> {
        match bytes.split_first() {
            Some((&STAGED_PUT, v)) => Ok(Staged::Put(v.to_vec())),
            Some((&STAGED_GONE, [])) => Ok(Staged::Gone),
            _ => Err(StoreError::Record {
                key: key.into(),
                error: DecodeError::Payload("not a staged record".into()),
            }),
        }
    }
}

/// Where the records were found at start-up, for the log and `status`.
#[derive(Debug, Clone, PartialEq)]
pub enum Opening {
    File {
        opened: Opened,
        /// Records moved in from the database's own keys.
        moved: usize,
        /// Records staged in the database by earlier runs.
        staged: usize,
    },
    /// No journal file: why (none when the browser offers none).
    Database { why: Option<String> },
}

pub struct TwoTier<C, F> {
    cold: C,
    hot: Option<JournalFile<F>>,
    /// Records staged in the database, by their own keys; read over the
    /// file's. Empty whenever commits go to the file.
    staged: RefCell<BTreeMap<String, Staged>>,
    /// Commits staged by this run; `None` once commits go to the file.
    staging: Cell<Option<u32>>,
    fold_after: u32,
    /// The database took a commit since it was last synced.
    unsynced: Cell<bool>,
}

impl<C: Backend, F: Files> TwoTier<C, F> {
    pub async fn open(cold: C, files: Option<F>) -> Result<(Self, Opening), StoreError> {
        Self::open_with(cold, files, FOLD_AFTER).await
    }

    /// `open`, moving to the file after `fold_after` commits (0: at once).
    pub async fn open_with(cold: C, files: Option<F>, fold_after: u32) -> Result<(Self, Opening), StoreError> {
        let layout = match cold.get(LAYOUT_KEY).await? {
            Some(bytes) => Some(codec::decode::<u16>(Kind::Layout, &bytes).map_err(|error| StoreError::Record { key: LAYOUT_KEY.into(), error })?),
            None => None,
        };
        if let Some(newer) = layout.filter(|&l| l > LAYOUT) {
            return Err(StoreError::Record {
                key: LAYOUT_KEY.into(),
                error: DecodeError::UnsupportedVersion(newer),
            });
        }
        let database_only = |cold, why| {
            let t = Self {
                cold,
                hot: None,
                staged: RefCell::default(),
                staging: Cell::new(None),
                fold_after,
                unsynced: Cell::new(false),
            };
            Ok((t, Opening::Database { why }))
        };
        let Some(files) = files else { return database_only(cold, None) };
        let (hot, opened) = match JournalFile::open(files).await {
            Ok(o) => o,
            // A newer Lifeboat's file: refused, as above.
            Err(e @ StoreError::Record { .. }) => return Err(e),
            Err(e) => return database_only(cold, Some(e.message().text)),
        };
        let moved = Self::move_stranded(&cold, &hot, layout == Some(LAYOUT)).await?;
        let mut staged = BTreeMap::new();
        for (key, bytes) in cold.scan(STAGED).await? {
            let record = Staged::decode(&key, &bytes)?;
            staged.insert(key[STAGED.len()..].to_string(), record);
        }
        let found = staged.len();
        let t = Self {
            cold,
            hot: Some(hot),
            staged: RefCell::new(staged),
            staging: Cell::new(Some(0)),
            fold_after,
            unsynced: Cell::new(false),
        };
        if fold_after == 0 {
            t.fold().await?;
        }
        let opening = Opening::File { opened, moved, staged: found };
        Ok((t, opening))
    }

    /// Moves the records of the file's kind found in the database under
    /// their own keys into the file, replacing the file's and the staged
    /// ones; marks the layout unless `marked` (a database-only store marks
    /// layout 1 when it syncs). Returns how many moved.
    async fn move_stranded(cold: &C, hot: &JournalFile<F>, marked: bool) -> Result<usize, StoreError> {
        let mut stranded = Vec::new();
        for prefix in HOT {
            stranded.extend(cold.scan(prefix).await?.into_iter().filter(|(k, _)| is_hot(k)));
        }
        if stranded.is_empty() {
            if !marked {
                cold.commit(vec![Op::Put(LAYOUT_KEY.into(), codec::encode(Kind::Layout, &LAYOUT))]).await?;
            }
            return Ok(0);
        }
        let mut ops: Vec<Op> = hot.keys("").await?.into_iter().map(Op::Delete).collect();
        ops.extend(stranded.iter().map(|(k, v)| Op::Put(k.clone(), v.clone())));
        hot.commit(ops).await?;
        hot.flush().await?;
        let mut ops: Vec<Op> = stranded.iter().map(|(k, _)| Op::Delete(k.clone())).collect();
        ops.extend(cold.keys(STAGED).await?.into_iter().map(Op::Delete));
        ops.push(Op::Put(LAYOUT_KEY.into(), codec::encode(Kind::Layout, &LAYOUT)));
        cold.commit(ops).await?;
        Ok(stranded.len())
    }

    /// Whether this run still stages its commits in the database.
    pub fn is_staging(&self) -> bool {
        self.staging.get().is_some()
    }

    /// One database transaction: the commit's own database records and its
    /// file records staged. A deletion of a record only staged removes it;
    /// one of a record in the file is staged as a mark.
    async fn stage(&self, hot: &JournalFile<F>, ops: Vec<Op>) -> Result<(), StoreError> {
        let mut to_db = Vec::with_capacity(ops.len());
        let mut changes = Vec::new();
        for op in ops {
            match op {
                Op::Put(k, v) if is_hot(&k) => {
                    let record = Staged::Put(v);
                    to_db.push(Op::Put(format!("{STAGED}{k}"), record.encode()));
                    changes.push((k, Some(record)));
                }
                Op::Delete(k) if is_hot(&k) => {
                    if hot.contains(&k) {
                        to_db.push(Op::Put(format!("{STAGED}{k}"), Staged::Gone.encode()));
                        changes.push((k, Some(Staged::Gone)));
                    } else {
                        to_db.push(Op::Delete(format!("{STAGED}{k}")));
                        changes.push((k, None));
                    }
                }
                other => to_db.push(other),
            }
        }
        self.cold.commit(to_db).await?;
        let mut staged = self.staged.borrow_mut();
        for (k, change) in changes {
            match change {
                Some(record) => staged.insert(k, record),
                None => staged.remove(&k),
            };
        }
        Ok(())
    }

    /// Moves the staged records into the file (flushed), then out of the
    /// database; from then on commits go to the file. On failure the run
    /// goes on staging.
    async fn fold(&self) -> Result<(), StoreError> {
        let Some(hot) = &self.hot else { return Ok(()) };
        let ops: Vec<Op> = self
            .staged
            .borrow()
            .iter()
            .map(|(k, s)| match s {
                Staged::Put(v) => Op::Put(k.clone(), v.clone()),
                Staged::Gone => Op::Delete(k.clone()),
            })
            .collect();
        if !ops.is_empty() {
            let staged_keys: Vec<Op> = ops
                .iter()
                .map(|op| match op {
                    Op::Put(k, _) | Op::Delete(k) => Op::Delete(format!("{STAGED}{k}")),
                })
                .collect();
            hot.commit(ops).await?;
            hot.flush().await?;
            self.cold.commit(staged_keys).await?;
            self.staged.borrow_mut().clear();
        }
        self.staging.set(None);
        Ok(())
    }

    fn hot_for(&self, key: &str) -> Option<&JournalFile<F>> {
        self.hot.as_ref().filter(|_| is_hot(key))
    }
}

impl<C: Backend, F: Files> Backend for TwoTier<C, F> {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(hot) = self.hot_for(key) else { return self.cold.get(key).await };
        match self.staged.borrow().get(key) {
            Some(Staged::Put(v)) => return Ok(Some(v.clone())),
            Some(Staged::Gone) => return Ok(None),
            None => {}
        }
        hot.get(key).await
    }

    async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        Ok(self.scan_split(prefix, false).await?.into_iter().map(|(k, _)| k).collect())
    }

    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.scan_split(prefix, true).await
    }

    /// Staging: one database transaction. The file: the database's part
    /// first, since a batch that sets a session aside and marks the new run
    /// must not mark the run with the session not aside.
    async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let Some(hot) = &self.hot else {
            self.unsynced.set(true);
            return self.cold.commit(ops).await;
        };
        if let Some(n) = self.staging.get() {
            self.unsynced.set(true);
            self.stage(hot, ops).await?;
            let n = n + 1;
            self.staging.set(Some(n));
            // The commit is in; a failed move is tried again after as many.
            if n >= self.fold_after && self.fold().await.is_err() {
                self.staging.set(Some(0));
            }
            return Ok(());
        }
        let (to_file, to_db): (Vec<Op>, Vec<Op>) = ops.into_iter().partition(|op| match op {
            Op::Put(k, _) | Op::Delete(k) => is_hot(k),
        });
        if !to_db.is_empty() {
            self.cold.commit(to_db).await?;
        }
        if !to_file.is_empty() {
            hot.commit(to_file).await?;
        }
        Ok(())
    }

    fn has_journal_file(&self) -> bool {
        self.hot.is_some()
    }

    /// The file: flushed. The database (staging, or everything there): its
    /// layout marker rewritten durably, which syncs every commit before it
    /// (an empty transaction may write, and sync, nothing); not at all when
    /// it took no commit since (a background woken by its alarm).
    async fn sync(&self) -> Result<(), StoreError> {
        if let Some(hot) = self.hot.as_ref().filter(|_| !self.is_staging()) {
            return hot.sync().await;
        }
        if !self.unsynced.get() {
            return Ok(());
        }
        let layout = if self.hot.is_some() { LAYOUT } else { 1 };
        self.cold
            .commit_durably(vec![Op::Put(LAYOUT_KEY.into(), codec::encode(Kind::Layout, &layout))])
            .await?;
        self.unsynced.set(false);
        Ok(())
    }

    async fn spare_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.cold.spare_get(key).await
    }

    async fn spare_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.cold.spare_put(key, value).await
    }
}

impl<C: Backend, F: Files> TwoTier<C, F> {
    /// Records under `prefix` from the file (with the staged ones over it),
    /// the database or both, in key order (values only when `values`).
    async fn scan_split(&self, prefix: &str, values: bool) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let Some(hot) = &self.hot else {
            return self.cold_part(prefix, values).await;
        };
        // Entirely the file's (`ck/…`), partly (`""`), or not at all.
        if is_hot(prefix) {
            return self.hot_part(hot, prefix, values).await;
        }
        let mut out = self.cold_part(prefix, values).await?;
        if HOT.iter().any(|h| h.starts_with(prefix)) {
            out.retain(|(k, _)| !is_hot(k));
            out.extend(self.hot_part(hot, prefix, values).await?);
            crate::sorting::sort_by(&mut out, |a, b| a.0.cmp(&b.0));
        }
        Ok(out)
    }

    /// The file's records under `prefix`, values only when `values`: the
    /// file reads its large ones back from disk (`journal_file`).
    async fn hot_part(&self, hot: &JournalFile<F>, prefix: &str, values: bool) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let from_file = if values {
            hot.scan(prefix).await?
        } else {
            hot.keys(prefix).await?.into_iter().map(|k| (k, Vec::new())).collect()
        };
        let staged = self.staged.borrow();
        if staged.is_empty() {
            return Ok(from_file);
        }
        let mut records: BTreeMap<String, Vec<u8>> = from_file.into_iter().collect();
        for (k, s) in staged.range(prefix.to_string()..).take_while(|(k, _)| k.starts_with(prefix)) {
            match s {
                Staged::Put(v) => records.insert(k.clone(), if values { v.clone() } else { Vec::new() }),
                Staged::Gone => records.remove(k),
            };
        }
        Ok(records.into_iter().collect())
    }

    /// The database's records, without the staged ones (read through
    /// `hot_part`, or left for the next start that opens the file).
    async fn cold_part(&self, prefix: &str, values: bool) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut out = if values {
            self.cold.scan(prefix).await?
        } else {
            self.cold.keys(prefix).await?.into_iter().map(|k| (k, Vec::new())).collect()
        };
        out.retain(|(k, _)| !k.starts_with(STAGED));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal_file::memory::MemoryFiles;
    use crate::store::block_on;
    use crate::store::memory::MemoryBackend;
    use std::rc::Rc;

    type Db = Rc<MemoryBackend>;

    /// Commits go to the file at once.
    fn open(db: &Db, files: &MemoryFiles) -> (TwoTier<Db, MemoryFiles>, Opening) {
        block_on(TwoTier::open_with(db.clone(), Some(files.clone()), 0)).unwrap()
    }

    /// Commits are staged first, as in the browser.
    fn open_staging(db: &Db, files: &MemoryFiles) -> TwoTier<Db, MemoryFiles> {
        block_on(TwoTier::open(db.clone(), Some(files.clone()))).unwrap().0
    }

    fn put(k: &str, v: u8) -> Op {
        Op::Put(k.into(), vec![v; 50])
    }

    fn db_keys(db: &Db) -> Vec<String> {
        db.data.borrow().keys().cloned().collect()
    }

    #[test]
    fn a_run_stages_its_first_commits_in_the_database_then_writes_the_file() {
        let db = Db::default();
        let files = MemoryFiles::default();
        drop(open(&db, &files)); // the file exists, as after a first run
        let written = files.bytes_written.get();
        let t = open_staging(&db, &files);
        for i in 0..FOLD_AFTER - 1 {
            block_on(t.commit(vec![put(&format!("jr/1-{i:02}"), i as u8), put("run", 9), put("prev/1", 1)])).unwrap();
        }
        assert!(t.is_staging());
        assert_eq!(files.bytes_written.get(), written, "the file is not written while staging");
        assert!(db.data.borrow().contains_key("staged/run"));
        assert_eq!(block_on(t.get("run")).unwrap(), Some(vec![9; 50]));
        assert_eq!(block_on(t.keys("jr/")).unwrap().len(), FOLD_AFTER as usize - 1);
        // A restart reads the staged records over the file.
        let t = open_staging(&db, &files.restarted());
        assert_eq!(block_on(t.keys("jr/")).unwrap().len(), FOLD_AFTER as usize - 1);
        // A run that keeps committing moves them into the file.
        let files = files.restarted();
        let t = open_staging(&db, &files);
        for i in 0..FOLD_AFTER {
            block_on(t.commit(vec![put("run", i as u8)])).unwrap();
        }
        assert!(!t.is_staging());
        assert_eq!(db_keys(&db), ["layout", "prev/1"]);
        block_on(t.commit(vec![put("pages", 3)])).unwrap();
        assert_eq!(db_keys(&db), ["layout", "prev/1"], "then commits go to the file");
        let t = open_staging(&db, &files.restarted());
        assert_eq!(block_on(t.keys("")).unwrap().len(), FOLD_AFTER as usize - 1 + 4);
        assert_eq!(block_on(t.get("run")).unwrap(), Some(vec![FOLD_AFTER as u8 - 1; 50]));
        assert_eq!(block_on(t.get("pages")).unwrap(), Some(vec![3; 50]));
    }

    #[test]
    fn a_staged_deletion_hides_the_file_record_until_the_file_drops_it() {
        let db = Db::default();
        let files = MemoryFiles::default();
        let (t, _) = open(&db, &files);
        block_on(t.commit(vec![put("ck/1-a", 1), put("jr/1-0", 2)])).unwrap();
        let files = files.restarted();
        let t = open_staging(&db, &files);
        // One deletion of a file record, one of a record only staged.
        block_on(t.commit(vec![Op::Delete("jr/1-0".into()), put("ck/2-b", 3)])).unwrap();
        block_on(t.commit(vec![Op::Delete("ck/2-b".into())])).unwrap();
        assert_eq!(block_on(t.keys("")).unwrap(), ["ck/1-a", "layout"]);
        assert_eq!(block_on(t.get("jr/1-0")).unwrap(), None);
        assert_eq!(db_keys(&db), ["layout", "staged/jr/1-0"], "a mark for the file's record, nothing for the other");
        let (t, opening) = open(&db, &files.restarted());
        assert!(matches!(opening, Opening::File { staged: 1, .. }), "{opening:?}");
        assert_eq!(block_on(t.scan("")).unwrap().len(), 2);
        assert_eq!(db_keys(&db), ["layout"]);
        assert_eq!(block_on(t.get("jr/1-0")).unwrap(), None);
    }

    /// Moving the staged records into the file, interrupted at any step of
    /// its writes, loses nothing and repeats at the next start.
    #[test]
    fn a_move_to_the_file_interrupted_at_any_byte_loses_nothing() {
        let db0 = Db::default();
        let files0 = MemoryFiles::default();
        let (t, _) = open(&db0, &files0);
        block_on(t.commit(vec![put("ck/1-a", 1), put("jr/1-0", 2), put("run", 3)])).unwrap();
        let t = open_staging(&db0, &files0.restarted());
        block_on(t.commit(vec![Op::Delete("jr/1-0".into()), put("jr/1-1", 4), put("named/x", 5)])).unwrap();
        let want = block_on(t.scan("")).unwrap();
        let db0 = MemoryBackend::clone(&db0);
        for budget in 0..600 {
            let db = Db::new(db0.clone());
            let files = files0.restarted();
            let t = block_on(TwoTier::open_with(db.clone(), Some(files.clone()), 1)).unwrap().0;
            files.budget.set(Some(budget));
            block_on(t.commit(vec![put("run", 6)])).expect("the commit is staged whatever the file does");
            let (t, _) = open(&db, &files.restarted());
            let mut got = block_on(t.scan("")).unwrap();
            got.retain(|(k, _)| k != "run");
            let mut want = want.clone();
            want.retain(|(k, _)| k != "run");
            assert_eq!(got, want, "budget {budget}");
            assert_eq!(block_on(t.get("run")).unwrap(), Some(vec![6; 50]), "budget {budget}");
            assert_eq!(db_keys(&db), ["layout", "named/x"], "budget {budget}");
        }
    }

    /// The previous build's layout (2: the file, nothing staged) is read as
    /// it is and marked as this one's.
    #[test]
    fn a_store_of_layout_2_opens_with_nothing_lost() {
        let db = Db::default();
        let files = MemoryFiles::default();
        let (t, _) = open(&db, &files);
        block_on(t.commit(vec![put("ck/1-a", 1), put("run", 2), put("settings", 3)])).unwrap();
        db.data.borrow_mut().insert(LAYOUT_KEY.into(), codec::encode(Kind::Layout, &2u16));
        let t = open_staging(&db, &files.restarted());
        assert_eq!(block_on(t.keys("")).unwrap(), ["ck/1-a", "layout", "run", "settings"]);
        assert_eq!(codec::decode::<u16>(Kind::Layout, &db.data.borrow()[LAYOUT_KEY]).unwrap(), LAYOUT);
    }

    /// A run without the file kept everything in the database under the
    /// records' own keys: that replaces both the file and what was staged.
    #[test]
    fn a_database_only_run_replaces_the_file_and_the_staged_records() {
        let db = Db::default();
        let files = MemoryFiles::default();
        let (t, _) = open(&db, &files);
        block_on(t.commit(vec![put("ck/1-a", 1)])).unwrap();
        let t = open_staging(&db, &files.restarted());
        block_on(t.commit(vec![put("jr/1-0", 2)])).unwrap();
        let (t, _) = block_on(TwoTier::<_, MemoryFiles>::open(db.clone(), None)).unwrap();
        assert_eq!(block_on(t.keys("")).unwrap(), ["layout"], "staged records are not read without the file");
        block_on(t.commit(vec![put("ck/2-b", 7)])).unwrap();
        let (t, opening) = open(&db, &files.restarted());
        assert!(matches!(opening, Opening::File { moved: 1, .. }), "{opening:?}");
        assert_eq!(block_on(t.keys("")).unwrap(), ["ck/2-b", "layout"]);
        assert_eq!(db_keys(&db), ["layout"]);
    }

    #[test]
    fn commits_go_to_the_file_and_the_rest_to_the_database() {
        let db = Db::default();
        let files = MemoryFiles::default();
        let (t, _) = open(&db, &files);
        block_on(t.commit(vec![
            Op::Put("run".into(), vec![1]),
            Op::Put("ck/1-x".into(), vec![2]),
            Op::Put("prev/5".into(), vec![3]),
            Op::Put("settings".into(), vec![4]),
        ]))
        .unwrap();
        let in_db: Vec<String> = db.data.borrow().keys().cloned().collect();
        assert_eq!(in_db, ["layout", "prev/5", "settings"]);
        assert_eq!(block_on(t.get("run")).unwrap(), Some(vec![1]));
        assert_eq!(block_on(t.keys("")).unwrap(), ["ck/1-x", "layout", "prev/5", "run", "settings"]);
        assert_eq!(block_on(t.keys("ck/")).unwrap(), ["ck/1-x"]);
        assert_eq!(block_on(t.scan("p")).unwrap(), [("prev/5".to_string(), vec![3])]);
        // After a restart the file still has them.
        let (t, _) = open(&db, &files.restarted());
        assert_eq!(block_on(t.get("ck/1-x")).unwrap(), Some(vec![2]));
    }

    /// Listing the timeline's points (keys) reads no checkpoint back from
    /// the file; reading the records does.
    #[test]
    fn listing_the_file_s_keys_reads_no_value_back() {
        let db = Db::default();
        let files = MemoryFiles::default();
        let (t, _) = open(&db, &files);
        let big = Op::Put("ck/1-a".into(), vec![7; 4000]);
        block_on(t.commit(vec![big, put("jr/1-0", 2)])).unwrap();
        let (t, _) = open(&db, &files.restarted());
        let files = t.hot.as_ref().unwrap().files().clone();
        let read = files.bytes_read.get();
        assert_eq!(block_on(t.keys("ck/")).unwrap(), ["ck/1-a"]);
        assert_eq!(block_on(t.keys("")).unwrap(), ["ck/1-a", "jr/1-0", "layout"]);
        assert_eq!(files.bytes_read.get(), read, "keys alone read nothing");
        assert_eq!(block_on(t.scan("ck/")).unwrap(), [("ck/1-a".to_string(), vec![7; 4000])]);
        assert!(files.bytes_read.get() > read + 20);
    }

    #[test]
    fn without_a_file_everything_stays_in_the_database() {
        let db = Db::default();
        let (t, opening) = block_on(TwoTier::<_, MemoryFiles>::open(db.clone(), None)).unwrap();
        assert_eq!(opening, Opening::Database { why: None });
        block_on(t.commit(vec![Op::Put("run".into(), vec![1])])).unwrap();
        assert_eq!(db.data.borrow().keys().collect::<Vec<_>>(), ["run"]);
    }

    #[test]
    fn a_file_that_fails_to_open_falls_back_to_the_database_and_says_why() {
        let db = Db::default();
        let files = MemoryFiles::default();
        files.budget.set(Some(0));
        let (t, opening) = open(&db, &files);
        assert!(matches!(&opening, Opening::Database { why: Some(w) } if w.contains("power")), "{opening:?}");
        block_on(t.commit(vec![Op::Put("run".into(), vec![1])])).unwrap();
        assert!(db.data.borrow().contains_key("run"));
        // Next time the file works: the database's records move into it.
        let files = MemoryFiles::default();
        let (t, opening) = open(&db, &files);
        assert!(matches!(opening, Opening::File { moved: 1, .. }), "{opening:?}");
        assert!(!db.data.borrow().contains_key("run"));
        assert_eq!(block_on(t.get("run")).unwrap(), Some(vec![1]));
    }

    #[test]
    fn a_database_only_store_syncs_by_a_durable_marker_that_a_later_file_replaces() {
        let db = Db::default();
        let (t, _) = block_on(TwoTier::<_, MemoryFiles>::open(db.clone(), None)).unwrap();
        block_on(t.commit(vec![Op::Put("run".into(), vec![1])])).unwrap();
        block_on(t.sync()).unwrap();
        let layout = |db: &Db| codec::decode::<u16>(Kind::Layout, &db.data.borrow()[LAYOUT_KEY]).unwrap();
        assert_eq!(layout(&db), 1);
        let (t, _) = open(&db, &MemoryFiles::default());
        assert_eq!(layout(&db), LAYOUT);
        assert_eq!(block_on(t.get("run")).unwrap(), Some(vec![1]));
    }

    /// A background woken by its alarm commits nothing: its sync writes
    /// nothing either, staging or with the database only.
    #[test]
    fn a_sync_with_nothing_committed_since_writes_nothing() {
        let db = Db::default();
        let files = MemoryFiles::default();
        drop(open(&db, &files));
        let staging = open_staging(&db, &files.restarted());
        let (database_only, _) = block_on(TwoTier::<_, MemoryFiles>::open(db.clone(), None)).unwrap();
        for t in [&staging, &database_only] {
            let commits = *db.commits.borrow();
            block_on(t.sync()).unwrap();
            assert_eq!(*db.commits.borrow(), commits, "nothing to sync");
            block_on(t.commit(vec![put("run", 1)])).unwrap();
            block_on(t.sync()).unwrap();
            assert_eq!(*db.commits.borrow(), commits + 2, "the commit, then the durable marker");
            block_on(t.sync()).unwrap();
            assert_eq!(*db.commits.borrow(), commits + 2);
        }
    }

    #[test]
    fn a_newer_layout_is_refused_and_nothing_is_changed() {
        let db = Db::default();
        db.data.borrow_mut().insert(LAYOUT_KEY.into(), codec::encode(Kind::Layout, &(LAYOUT + 1)));
        db.data.borrow_mut().insert("ck/1-x".into(), vec![1]);
        let before = db.data.borrow().clone();
        let files = MemoryFiles::default();
        let err = block_on(TwoTier::open(db.clone(), Some(files.clone()))).err().expect("refused");
        assert!(err.to_string().contains("newer Lifeboat"), "{err}");
        assert_eq!(*db.data.borrow(), before);
        assert!(files.files.borrow().is_empty(), "no file started");
    }

    /// A move interrupted at any step repeats at the next start; the records
    /// end up in the file exactly once, and the database keeps the rest.
    #[test]
    fn an_interrupted_move_repeats_and_loses_nothing() {
        let db0 = MemoryBackend::default();
        for (k, v) in [("ck/1-a", 1u8), ("jr/1-0-b", 2), ("run", 3), ("prev/9", 4), ("named/x", 5)] {
            db0.data.borrow_mut().insert(k.into(), vec![v; 300]);
        }
        let want_file: Vec<&str> = vec!["ck/1-a", "jr/1-0-b", "run"];
        for budget in 0..2_000 {
            let db = Db::new(db0.clone());
            let files = MemoryFiles::default();
            files.budget.set(Some(budget));
            let _ = block_on(TwoTier::open(db.clone(), Some(files.clone())));
            let files = files.restarted();
            let (t, _) = open(&db, &files);
            let all = block_on(t.scan("")).unwrap();
            let keys: Vec<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(keys, ["ck/1-a", "jr/1-0-b", "layout", "named/x", "prev/9", "run"], "budget {budget}");
            for k in &want_file {
                assert!(!db.data.borrow().contains_key(*k), "budget {budget}: {k} left in the database");
            }
            assert_eq!(block_on(t.get("run")).unwrap(), Some(vec![3; 300]));
        }
    }
}
