//! The store's backend as the browser gets it: the records written at every
//! commit (checkpoints, journal records, the run mark, typed text waiting
//! for restored tabs) in the journal file where one exists (`journal_file`),
//! everything else (named saves, set-aside sessions, settings) in the
//! database, where it is written seldom and read by key.
//!
//! Where no file can be opened (Chromium's service worker cannot start the
//! Worker a sync access handle needs; a Firefox whose file system is off or
//! failing), the database holds everything, as before the file existed.
//! Records of the file's kind found in the database are the newest state:
//! a store from before the file, or one written while the file could not be
//! opened. They move into the file, replacing what it held, and only then
//! leave the database, so an interruption repeats the move and loses
//! nothing.
//!
//! `LAYOUT` records where this build keeps what. A store whose layout is
//! newer than this build's is refused with a message, never rewritten.

use crate::codec::{self, DecodeError, Kind};
use crate::journal_file::{Files, JournalFile, Opened};
use crate::keys::{CHECKPOINT, JOURNAL, LAYOUT_KEY, PENDING_PAGES, RUN};
use crate::store::{Backend, Op, StoreError};

/// 1: everything in the database.
/// 2: the records of `HOT` in the journal file.
pub const LAYOUT: u16 = 2;

/// The prefixes and keys of the records that live in the journal file.
const HOT: [&str; 4] = [CHECKPOINT, JOURNAL, RUN, PENDING_PAGES];

fn is_hot(key: &str) -> bool {
    HOT.iter().any(|h| key.starts_with(h))
}

/// Where the records were found at start-up, for the log and `status`.
#[derive(Debug, Clone, PartialEq)]
pub enum Opening {
    File {
        opened: Opened,
        moved: usize,
    },
    /// No journal file: why (none when the browser offers none).
    Database {
        why: Option<String>,
    },
}

pub struct TwoTier<C, F> {
    cold: C,
    hot: Option<JournalFile<F>>,
}

impl<C: Backend, F: Files> TwoTier<C, F> {
    pub async fn open(cold: C, files: Option<F>) -> Result<(Self, Opening), StoreError> {
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
        let Some(files) = files else {
            return Ok((Self { cold, hot: None }, Opening::Database { why: None }));
        };
        let (hot, opened) = match JournalFile::open(files).await {
            Ok(o) => o,
            // A newer Lifeboat's file: refused, as above.
            Err(e @ StoreError::Record { .. }) => return Err(e),
            Err(e) => {
                let why = Some(e.message().text);
                return Ok((Self { cold, hot: None }, Opening::Database { why }));
            }
        };
        let moved = Self::move_stranded(&cold, &hot, layout == Some(LAYOUT)).await?;
        Ok((Self { cold, hot: Some(hot) }, Opening::File { opened, moved }))
    }

    /// Moves the records of the file's kind found in the database into the
    /// file; marks the layout unless `marked` (a database-only store marks
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
        ops.push(Op::Put(LAYOUT_KEY.into(), codec::encode(Kind::Layout, &LAYOUT)));
        cold.commit(ops).await?;
        Ok(stranded.len())
    }

    fn hot_for(&self, key: &str) -> Option<&JournalFile<F>> {
        self.hot.as_ref().filter(|_| is_hot(key))
    }
}

impl<C: Backend, F: Files> Backend for TwoTier<C, F> {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.hot_for(key) {
            Some(hot) => hot.get(key).await,
            None => self.cold.get(key).await,
        }
    }

    async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        Ok(self.scan_split(prefix, false).await?.into_iter().map(|(k, _)| k).collect())
    }

    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.scan_split(prefix, true).await
    }

    /// The database's part first: a batch that sets a session aside and
    /// marks the new run must not mark the run with the session not aside.
    async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let Some(hot) = &self.hot else { return self.cold.commit(ops).await };
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

    /// The file: flushed. The database: its layout marker rewritten
    /// durably, which syncs every commit before it (an empty transaction
    /// may write, and sync, nothing).
    async fn sync(&self) -> Result<(), StoreError> {
        match &self.hot {
            Some(hot) => hot.sync().await,
            None => {
                self.cold
                    .commit_durably(vec![Op::Put(LAYOUT_KEY.into(), codec::encode(Kind::Layout, &1u16))])
                    .await
            }
        }
    }

    async fn spare_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.cold.spare_get(key).await
    }

    async fn spare_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.cold.spare_put(key, value).await
    }
}

impl<C: Backend, F: Files> TwoTier<C, F> {
    /// Records under `prefix` from the file, the database or both, in key
    /// order (values only when `values`).
    async fn scan_split(&self, prefix: &str, values: bool) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let Some(hot) = &self.hot else {
            return self.cold_part(prefix, values).await;
        };
        // Entirely the file's (`ck/…`), partly (`""`), or not at all.
        if is_hot(prefix) {
            return hot.scan(prefix).await;
        }
        let mut out = self.cold_part(prefix, values).await?;
        if HOT.iter().any(|h| h.starts_with(prefix)) {
            out.retain(|(k, _)| !is_hot(k));
            out.extend(hot.scan(prefix).await?);
            out.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok(out)
    }

    async fn cold_part(&self, prefix: &str, values: bool) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        if values {
            self.cold.scan(prefix).await
        } else {
            Ok(self.cold.keys(prefix).await?.into_iter().map(|k| (k, Vec::new())).collect())
        }
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

    fn open(db: &Db, files: &MemoryFiles) -> (TwoTier<Db, MemoryFiles>, Opening) {
        block_on(TwoTier::open(db.clone(), Some(files.clone()))).unwrap()
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
