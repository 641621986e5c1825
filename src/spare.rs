//! A spare copy, outside the main database, of what must never be lost: the
//! run mark, the latest session, unresolved crashes and the named saves.
//!
//! Why: Chromium deletes an extension's IndexedDB at the next start after a
//! write to it failed for want of disk (it takes the error for corruption),
//! even when later writes succeeded. The spare copy lives in another storage
//! area (the edge uses `storage.local`) and is put back when the database
//! comes up empty.
//!
//! When it is written, so that it costs little: with every checkpoint (a new
//! generation, every few dozen commits), after named saves change, and after
//! every commit once a write has failed in this background run (from then on
//! the database may be gone at the next start).
//!
//! Chromium may also keep the database but drop the writes made after its
//! disk ran full (seen in the storage-pressure test: the checkpoints
//! written once there was room again were gone at the next start, the older
//! records still there). So the start also compares: a spare session of a
//! later commit than the one the database reads back to is put back over it.
//! Commits are compared by their record (generation, then journal number),
//! never by clock time, which a corrected system clock can move back.
//!
//! It never holds typed text: content scripts can read `storage.local` (in
//! Firefox always), so a page that took over its content script must find
//! nothing there. A session put back from it has its tabs but not what was
//! typed into them.

use crate::codec::{self, Kind};
use crate::keys::{
    CHECKPOINT, JOURNAL, NAMED_ANY as NAMED_PREFIX, NAMED_RECORD, RUN, SET_ASIDE, SPARE_NAMED as NAMED, SPARE_SESSION as SESSION,
    SPARE_SESSION_AT as SESSION_AT,
};
use crate::model::Millis;
use crate::named::NamedSave;
use crate::store::{Backend, Op, Store, StoreError};
use crate::timeline::RecordMeta;
use serde::{Deserialize, Serialize};

// Spare area parts (`keys`): the session part changes often, named saves rarely.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Spare {
    written_at: Millis,
    /// Main-store records as they are stored (key, bytes).
    records: Vec<(String, Vec<u8>)>,
}

/// Returns the bytes written.
async fn put<B: Backend>(b: &B, key: &str, written_at: Millis, records: Vec<(String, Vec<u8>)>) -> Result<usize, StoreError> {
    let bytes = codec::encode(Kind::Spare, &Spare { written_at, records });
    b.spare_put(key, &bytes).await?;
    Ok(bytes.len())
}

/// A spare copy of the session to write: the run mark, the current state
/// (as a checkpoint of its generation) and the crashes the user has not
/// dealt with yet. It holds what memory has (the current state), taken when
/// it was due; `keep` reads the rest and writes it. The background runs it
/// apart from its queue (`Background::take_spare_copy`), since under load
/// those reads and the write can take seconds.
#[derive(Debug)]
pub struct SessionCopy {
    current: Option<(String, Vec<u8>)>,
    /// The record the current state was committed as (`Store::current_point`).
    point: Option<Point>,
    now: Millis,
}

/// A commit's record: (generation, journal record; `None`: the checkpoint).
/// Later commits compare greater (`None` before any record number).
type Point = (u64, Option<u32>);

fn point_text((gen, seq): Point) -> String {
    match seq {
        Some(seq) => format!("{gen}/{seq}"),
        None => format!("{gen}/-"),
    }
}

fn parse_point(text: &str) -> Option<Point> {
    let (gen, seq) = text.split_once('/')?;
    let seq = match seq {
        "-" => None,
        n => Some(n.parse().ok()?),
    };
    Some((gen.parse().ok()?, seq))
}

impl SessionCopy {
    pub fn of<B: Backend>(store: &Store<B>, now: Millis) -> Self {
        Self {
            current: store.current_record(),
            point: store.current_point(),
            now,
        }
    }

    /// Reads through `store` only what is stored (any store over the same
    /// backend will do), writes the copy; returns the bytes written.
    pub async fn keep<B: Backend>(self, store: &Store<B>) -> Result<usize, StoreError> {
        let b = store.backend();
        let mut records = Vec::new();
        if let Some(mark) = b.get(RUN).await? {
            records.push((RUN.to_string(), mark));
        }
        records.extend(self.current);
        // Whole, also those set aside by reference: the spare copy must stand
        // on its own when the database is gone.
        for (key, head) in store.aside_heads().await? {
            if !head.is_ok_and(|h| h.pending) {
                continue;
            }
            if let Ok(mut aside) = store.set_aside(&key).await {
                aside.snapshot.session = aside.snapshot.session.without_typed_text();
                records.push((key, codec::encode(Kind::Checkpoint, &aside)));
            }
        }
        let written = put(b, SESSION, self.now, records).await?;
        // After the copy: the mark never names a later commit than it holds.
        if let Some(point) = self.point {
            b.spare_put(SESSION_AT, point_text(point).as_bytes()).await?;
        }
        Ok(written)
    }
}

/// Keeps every named save (and the index), without typed text. Returns the
/// bytes written.
pub async fn keep_named<B: Backend>(b: &B, now: Millis) -> Result<usize, StoreError> {
    let mut records = Vec::new();
    for (key, bytes) in b.scan(NAMED_PREFIX).await? {
        let save = key
            .starts_with(NAMED_RECORD)
            .then(|| codec::decode::<NamedSave>(Kind::Named, &bytes).ok())
            .flatten();
        records.push(match save {
            Some(mut save) => {
                save.session = save.session.without_typed_text();
                (key, codec::encode(Kind::Named, &save))
            }
            None => (key, bytes),
        });
    }
    put(b, NAMED, now, records).await
}

/// At start-up: if the main store is empty (no run mark: never started, or
/// emptied behind Lifeboat's back) and the spare area holds a copy, puts it
/// back. Returns when the copy was taken. A damaged copy is left alone: the
/// start then goes on as a first run, which loses nothing more.
pub async fn recover<B: Backend>(b: &B) -> Result<Option<Millis>, StoreError> {
    if b.get(RUN).await?.is_some() {
        return Ok(None);
    }
    let mut ops = Vec::new();
    let mut taken = None;
    for key in [SESSION, NAMED] {
        // An unreadable spare area is as good as none.
        let Ok(Some(bytes)) = b.spare_get(key).await else { continue };
        let Ok(spare) = codec::decode::<Spare>(Kind::Spare, &bytes) else { continue };
        taken = Some(taken.map_or(spare.written_at, |t: Millis| t.min(spare.written_at)));
        ops.extend(spare.records.into_iter().map(|(k, v)| Op::Put(k, v)));
    }
    if ops.is_empty() {
        return Ok(None);
    }
    b.commit(ops).await?;
    Ok(taken)
}

/// At start-up, once the store has been read back to the commit `latest`
/// (`Store::latest_point`; `None`: nothing readable): if the spare session
/// is of a later commit, the database lost writes. Puts the spare session
/// back as a checkpoint above every generation stored (their journals were
/// written against states it already holds), with any set-aside crash the
/// database lacks. Returns whether it did; the caller reads the store again.
pub async fn recover_newer<B: Backend>(b: &B, latest: Option<Point>) -> Result<bool, StoreError> {
    let copied = match b.spare_get(SESSION_AT).await {
        Ok(Some(bytes)) => std::str::from_utf8(&bytes).ok().and_then(parse_point),
        _ => None,
    };
    let Some(copied) = copied else { return Ok(false) };
    if latest.is_some_and(|l| copied <= l) {
        return Ok(false);
    }
    let Ok(Some(bytes)) = b.spare_get(SESSION).await else { return Ok(false) };
    let Ok(spare) = codec::decode::<Spare>(Kind::Spare, &bytes) else {
        return Ok(false);
    };
    let mut stored = b.keys(CHECKPOINT).await?;
    stored.extend(b.keys(JOURNAL).await?);
    let above = stored.iter().filter_map(|k| RecordMeta::parse(k)).map(|m| m.gen).max().unwrap_or(0) + 1;
    let mut ops = Vec::new();
    for (key, value) in spare.records {
        if key.starts_with(CHECKPOINT) {
            let Some(mut meta) = RecordMeta::parse(&key) else { continue };
            meta.gen = above;
            ops.push(Op::Put(meta.key(), value));
        } else if key.starts_with(SET_ASIDE) && b.get(&key).await?.is_none() {
            ops.push(Op::Put(key, value));
        }
    }
    if !ops.iter().any(|op| matches!(op, Op::Put(k, _) if k.starts_with(CHECKPOINT))) {
        return Ok(false);
    }
    b.commit(ops).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, TabInfo, WindowInfo};
    use crate::keeper::Keeper;
    use crate::keys::SET_ASIDE;
    use crate::store::memory::{Fault, FaultyBackend, MemoryBackend};
    use crate::store::{block_on, SetAside};
    use crate::verdict::Verdict;

    fn started<B: Backend>(b: B) -> Keeper<B> {
        block_on(Keeper::start(b, "1.0", "ext://own/", 0, true)).unwrap()
    }

    fn started_again(k: Keeper<MemoryBackend>, now: Millis) -> Keeper<MemoryBackend> {
        block_on(Keeper::start(k.backend().clone(), "1.0", "ext://own/", now, true)).unwrap()
    }

    fn open_tab<B: Backend>(k: &mut Keeper<B>, id: i64, url: &str, now: Millis) {
        k.apply(
            Event::WindowOpened(WindowInfo {
                id: 1,
                normal: true,
                ..Default::default()
            }),
            now,
        );
        k.apply(
            Event::TabCreated(TabInfo {
                id,
                window_id: 1,
                index: 99,
                url: url.into(),
                ..Default::default()
            }),
            now,
        );
    }

    #[test]
    fn nothing_to_recover_on_a_first_run_or_a_store_in_use() {
        let b = MemoryBackend::default();
        assert_eq!(block_on(recover(&b)).unwrap(), None);
        block_on(b.commit(vec![Op::Put(RUN.into(), vec![1])])).unwrap();
        let spare = Spare {
            written_at: 5,
            records: vec![("x".into(), vec![2])],
        };
        block_on(b.spare_put(SESSION, &codec::encode(Kind::Spare, &spare))).unwrap();
        assert_eq!(block_on(recover(&b)).unwrap(), None, "a store with a run mark is not overwritten");
        assert!(!b.data.borrow().contains_key("x"));
    }

    #[test]
    fn commits_compare_by_record_not_by_clock() {
        for p in [(1, None), (1, Some(0)), (7, Some(41)), (u64::MAX, Some(u32::MAX))] {
            assert_eq!(parse_point(&point_text(p)), Some(p));
        }
        assert!(
            (1, None) < (1, Some(0)) && (1, Some(9)) < (2, None),
            "a checkpoint, its journal, the next checkpoint"
        );
        for bad in ["", "1", "x/1", "1/x", "1/-1", "-/1"] {
            assert_eq!(parse_point(bad), None, "{bad}");
        }
    }

    /// The system clock corrected backwards after the spare copy was made:
    /// later commits carry earlier times, and the store is still the newer.
    #[test]
    fn a_clock_set_back_never_puts_an_older_copy_back() {
        let mut k = started(MemoryBackend::default());
        open_tab(&mut k, 1, "https://a.example/", 5_000_000);
        block_on(k.commit(5_000_000)).unwrap();
        assert!(k.backend().spare.borrow().contains_key(SESSION_AT), "a checkpoint writes the copy");
        open_tab(&mut k, 2, "https://b.example/", 1_000);
        block_on(k.commit(2_000)).unwrap();
        let k2 = started_again(k, 3_000);
        assert_eq!(k2.notice(), None);
        let aside = block_on(k2.store().set_aside(k2.set_aside_key().unwrap())).unwrap();
        assert_eq!(aside.snapshot.session.tab_count(), 2, "the later commit, though taken at an earlier time");
    }

    #[test]
    fn a_damaged_spare_copy_is_ignored() {
        let b = MemoryBackend::default();
        block_on(b.spare_put(SESSION, b"not a container")).unwrap();
        assert_eq!(block_on(recover(&b)).unwrap(), None);
        assert!(b.data.borrow().is_empty());
    }

    /// Content scripts can read the spare area: it holds the tabs and none
    /// of what was typed, in the session, the pending crashes or named saves.
    #[test]
    fn the_spare_copy_holds_no_typed_text() {
        let mut k = started(MemoryBackend::default());
        open_tab(&mut k, 1, "https://a.example/", 1_000);
        let field = crate::privacy::RawField {
            key: "#t".into(),
            tag: "textarea".into(),
            value: Some("typed secret".into()),
            ..Default::default()
        };
        let top = crate::protocol::Frame {
            tab: 1,
            frame_id: 0,
            url: "https://a.example/".into(),
        };
        k.page_report(&top, "", None, &[field], 1_500).unwrap();
        block_on(k.commit(2_000)).unwrap();
        block_on(crate::named::create(k.backend(), "Trip", Vec::new(), k.session().clone(), 2_500)).unwrap();
        block_on(keep_named(k.backend(), 2_500)).unwrap();
        // A crash: the next run sets the session aside as pending, and its first checkpoint refreshes the spare copy.
        let mut k = started_again(k, 5_000);
        open_tab(&mut k, 2, "https://b.example/", 5_000);
        block_on(k.commit(6_000)).unwrap();
        let b = k.backend();
        assert!(
            format!("{:?}", block_on(k.store().set_asides()).unwrap()).contains("typed secret"),
            "the database keeps it"
        );
        let mut decoded = String::new();
        for key in [SESSION, NAMED] {
            let bytes = block_on(b.spare_get(key)).unwrap().unwrap();
            let spare = codec::decode::<Spare>(Kind::Spare, &bytes).unwrap();
            for (key, record) in spare.records {
                let text = match codec::header(&record).unwrap().kind {
                    Kind::Checkpoint if key.starts_with(SET_ASIDE) => format!("{:?}", codec::decode::<SetAside>(Kind::Checkpoint, &record).unwrap()),
                    Kind::Checkpoint => format!("{:?}", codec::decode::<crate::store::Snapshot>(Kind::Checkpoint, &record).unwrap()),
                    Kind::Named if key.starts_with(NAMED_RECORD) => format!("{:?}", codec::decode::<NamedSave>(Kind::Named, &record).unwrap()),
                    _ => String::new(),
                };
                decoded.push_str(&text);
            }
        }
        assert!(
            decoded.contains("https://a.example/") && decoded.contains("Trip"),
            "the tabs and saves are there"
        );
        assert!(!decoded.contains("typed secret"), "{decoded}");
    }

    #[test]
    fn spare_is_written_at_checkpoints_not_at_every_journal_record() {
        let mut k = started(MemoryBackend::default());
        open_tab(&mut k, 1, "https://a.example/", 1_000);
        block_on(k.commit(2_000)).unwrap();
        let first = block_on(k.backend().spare_get(SESSION))
            .unwrap()
            .expect("the first commit of a run is a checkpoint");
        open_tab(&mut k, 2, "https://b.example/", 3_000);
        block_on(k.commit(4_000)).unwrap();
        assert_eq!(
            block_on(k.backend().spare_get(SESSION)).unwrap().unwrap(),
            first,
            "a journal record leaves the spare copy alone"
        );
    }

    /// Chromium's case: a write fails for want of room, later ones succeed,
    /// and at the next start the database is empty. The spare copy brings
    /// back the crash (as it was at the last commit) and the named saves.
    #[test]
    fn an_emptied_database_comes_back_from_the_spare_copy() {
        let mut k = started(FaultyBackend::default());
        open_tab(&mut k, 1, "https://a.example/", 1_000);
        block_on(k.commit(2_000)).unwrap();
        let save = block_on(crate::named::create(k.backend(), "Trip", Vec::new(), k.session().clone(), 2_500)).unwrap();
        block_on(keep_named(k.backend(), 2_500)).unwrap();
        open_tab(&mut k, 2, "https://b.example/", 3_000);
        k.backend().fail_next(Fault::Refuse);
        assert!(block_on(k.commit(4_000)).is_err());
        open_tab(&mut k, 3, "https://c.example/", 5_000);
        block_on(k.commit(9_000)).unwrap();
        let latest = k.store().current().unwrap().clone();
        assert_eq!(latest.session.tab_count(), 3);

        // Next start: the database is empty, the spare area is not.
        let next = FaultyBackend::default();
        *next.inner.spare.borrow_mut() = k.backend().inner.spare.borrow().clone();
        let k2 = block_on(Keeper::start(next, "1.0", "ext://own/", 20_000, true)).unwrap();
        assert_eq!(k2.verdict(), Verdict::Crash);
        assert!(k2.notice().is_some_and(|n| n.text.contains("spare copy")), "{:?}", k2.notice());
        let checkpoints = block_on(k2.backend().keys(crate::keys::CHECKPOINT)).unwrap();
        assert_eq!(checkpoints.len(), 1, "the copy is put back once: {checkpoints:?}");
        let aside = block_on(k2.store().set_aside(k2.set_aside_key().unwrap())).unwrap();
        assert_eq!(aside.snapshot.session, latest.session, "the crash is the state of the last commit");
        let saves = block_on(crate::named::list(k2.backend())).unwrap();
        assert!(saves.iter().any(|s| s.id == save.id), "the named save is back");
    }

    /// Chromium's other case (the storage-pressure test): the database keeps
    /// its older records but loses the writes made once there was room
    /// again. The spare session, newer, is put back over it; a store that
    /// reads to its last commit is left alone.
    #[test]
    fn a_database_that_lost_its_latest_writes_comes_back_from_the_spare_copy() {
        let mut k = started(FaultyBackend::default());
        open_tab(&mut k, 1, "https://a.example/", 1_000);
        block_on(k.commit(2_000)).unwrap();
        open_tab(&mut k, 2, "https://b.example/", 2_500);
        block_on(k.commit(3_000)).unwrap();
        let before = k.backend().inner.data.borrow().clone();
        open_tab(&mut k, 3, "https://c.example/", 3_500);
        k.backend().fail_next(Fault::Refuse);
        assert!(block_on(k.commit(4_000)).is_err());
        block_on(k.commit(9_000)).unwrap();
        open_tab(&mut k, 4, "https://d.example/", 9_500);
        block_on(k.commit(10_000)).unwrap();
        let latest = k.store().current().unwrap().clone();
        assert_eq!(latest.session.tab_count(), 4);

        // Unharmed, the store reads to the spare's state or later: left alone.
        let same = MemoryBackend {
            data: k.backend().inner.data.clone(),
            spare: k.backend().inner.spare.clone(),
            ..Default::default()
        };
        let k1 = block_on(Keeper::start(same, "1.0", "ext://own/", 20_000, true)).unwrap();
        assert_eq!(k1.notice(), None);
        assert_eq!(
            block_on(k1.store().set_aside(k1.set_aside_key().unwrap())).unwrap().snapshot.session,
            latest.session
        );

        // The database as it was before the failure, the spare area as it is.
        let next = MemoryBackend {
            data: before.into(),
            spare: k.backend().inner.spare.clone(),
            ..Default::default()
        };
        let k2 = block_on(Keeper::start(next, "1.0", "ext://own/", 20_000, true)).unwrap();
        assert_eq!(k2.verdict(), Verdict::Crash);
        assert_eq!(k2.notice().map(|n| n.key.as_str()), Some("noticeSpareNewer"));
        let aside = block_on(k2.store().set_aside(k2.set_aside_key().unwrap())).unwrap();
        assert_eq!(aside.snapshot.session, latest.session, "the crash is the state of the last commit");
        // Writing goes on from it, and a restart reads that.
        let mut k2 = k2;
        open_tab(&mut k2, 5, "https://e.example/", 21_000);
        block_on(k2.commit(22_000)).unwrap();
        let k3 = started_again(k2, 30_000);
        assert_eq!(k3.notice(), None);
        let aside = block_on(k3.store().set_aside(k3.set_aside_key().unwrap())).unwrap();
        assert_eq!(aside.snapshot.taken_at, 22_000, "this run's last commit");
        assert_eq!(aside.snapshot.session.tab_count(), 1, "a new browser run: the tab opened in it");
    }
}
