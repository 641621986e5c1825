//! Durable records over a small key-value `Backend` (Firefox: SessionFile,
//! SessionWriter). IndexedDB in the browser, memory or a faulty double in tests.
//!
//! Keys:
//! - `ck/<gen>`: checkpoints, the whole session.
//! - `jr/<gen>/<seq>`: the journal after checkpoint `gen`: one small record of
//!   what changed per commit. When it outgrows the checkpoint, a new
//!   checkpoint starts a new generation. The newest generation and the last
//!   good one before it are kept, so a damaged newest checkpoint falls back
//!   to the previous good state.
//! - `run`: the `RunMark` of the current run (see `verdict`).
//! - `prev/<taken_at>`: a session set aside at the start of a browser run, with
//!   how that run ended; crashes stay until the user deals with them.
//!
//! Every change is one atomic batch, and a new checkpoint is written before
//! the one it supersedes is deleted, so an interrupted write leaves the last
//! good state readable.

use crate::codec::{self, DecodeError, Kind};
use crate::journal::{self, Delta, DeltaOp};
use crate::message::{self, Message};
use crate::model::{Millis, PageState, Session};
use crate::msg;
use crate::settings::Settings;
use crate::timeline;
use crate::verdict::{RunMark, Verdict};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Put(String, Vec<u8>),
    Delete(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The storage refused or failed a read or write (quota, closed database…).
    Backend(String),
    /// A record is not there or is unreadable.
    Record {
        key: String,
        error: DecodeError,
    },
    NotFound(String),
    /// A record too large to be read back was not written.
    TooLarge(usize),
}

impl StoreError {
    /// The sentence for the user (`crate::message`).
    pub fn message(&self) -> Message {
        match self {
            Self::Backend(e) => msg!(message::STORE_BACKEND, e.as_str()),
            Self::Record { key, error } => msg!(message::STORE_RECORD, key.as_str(), error.message()),
            Self::NotFound(key) => msg!(message::STORE_NOT_FOUND, key.as_str()),
            Self::TooLarge(n) => msg!(message::STORE_TOO_LARGE, n >> 20, codec::MAX_RAW >> 20),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().text)
    }
}

impl std::error::Error for StoreError {}

/// The storage Lifeboat writes to. `commit` applies all of its operations or
/// none (IndexedDB transactions do).
#[allow(async_fn_in_trait)]
pub trait Backend {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Keys starting with `prefix`, in ascending order.
    async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
    async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError>;

    /// Makes what was committed survive an OS crash or a power cut, not only
    /// a browser kill (a commit alone is only that: neither browser's
    /// IndexedDB syncs each transaction to disk by default).
    async fn sync(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Whether commits go to a journal file (`status.store.journal`).
    fn has_journal_file(&self) -> bool {
        false
    }

    /// `commit`, then synced to disk with everything committed before it
    /// (IndexedDB: a transaction of durability "strict").
    async fn commit_durably(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        self.commit(ops).await?;
        self.sync().await
    }

    /// A spare area outside this storage, for `spare`'s copy of what must
    /// not be lost; backends without one keep nothing there.
    async fn spare_get(&self, _key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(None)
    }
    async fn spare_put(&self, _key: &str, _value: &[u8]) -> Result<(), StoreError> {
        Ok(())
    }

    /// Keys and values starting with `prefix`, in key order. Backends with a
    /// cost per read (IndexedDB: a transaction each) read them in one go.
    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut out = Vec::new();
        for key in self.keys(prefix).await? {
            if let Some(v) = self.get(&key).await? {
                out.push((key, v));
            }
        }
        Ok(out)
    }
}

/// A shared backend (tests look into the one a store writes to).
impl<B: Backend> Backend for std::rc::Rc<B> {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(key).await
    }
    async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        (**self).keys(prefix).await
    }
    async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        (**self).commit(ops).await
    }
    async fn sync(&self) -> Result<(), StoreError> {
        (**self).sync().await
    }
    async fn commit_durably(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        (**self).commit_durably(ops).await
    }
    fn has_journal_file(&self) -> bool {
        (**self).has_journal_file()
    }
    async fn spare_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).spare_get(key).await
    }
    async fn spare_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        (**self).spare_put(key, value).await
    }
    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        (**self).scan(prefix).await
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub taken_at: Millis,
    pub session: Session,
}

/// A `Snapshot` of a session held elsewhere (the live model): encodes to the
/// same bytes (same fields, same order), without copying the session.
#[derive(Serialize)]
struct SnapshotRef<'a> {
    taken_at: Millis,
    session: &'a Session,
}

/// A session kept aside at the start of a browser run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetAside {
    pub snapshot: Snapshot,
    pub ended: Verdict,
    /// A crash the user has not restored or dismissed yet: never pruned.
    pub pending: bool,
}

/// A session set aside at start-up by reference: the timeline point the
/// last run's state was read from (a generation's checkpoint and its journal
/// up to `upto`), which retention keeps while this record names it. Writing
/// it costs a few dozen bytes where a copy of the session cost the whole
/// session. Its key names the generation too (`aside_key`), so retention
/// finds what is held from keys alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsideRef {
    pub gen: u64,
    /// The last journal record of `gen` in the state; `None`: the checkpoint alone.
    pub upto: Option<u32>,
    pub head: AsideHead,
}

/// What lists and the badge need of a set-aside session, without the session.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AsideHead {
    pub taken_at: Millis,
    pub ended: Verdict,
    pub pending: bool,
    pub windows: u32,
    pub tabs: u32,
}

impl SetAside {
    pub fn head(&self) -> AsideHead {
        AsideHead {
            taken_at: self.snapshot.taken_at,
            ended: self.ended,
            pending: self.pending,
            windows: self.snapshot.session.windows.len() as u32,
            tabs: self.snapshot.session.tab_count() as u32,
        }
    }
}

/// `prev/<taken at>` for a copy; `prev/<taken at>@<generation>` for a reference.
fn aside_key(taken_at: Millis, gen: Option<u64>) -> String {
    match gen {
        Some(g) => format!("{SET_ASIDE}{taken_at:016x}@{g:016x}"),
        None => format!("{SET_ASIDE}{taken_at:016x}"),
    }
}

/// The generation a set-aside key holds, if it is a reference.
fn held_gen(key: &str) -> Option<u64> {
    let (_, gen) = key.strip_prefix(SET_ASIDE)?.split_once('@')?;
    u64::from_str_radix(gen, 16).ok()
}

/// What `load_latest` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Latest {
    pub snapshot: Snapshot,
    /// Set when newer checkpoints were damaged and skipped.
    pub notice: Option<Message>,
}

/// How many set-aside sessions that are not pending crashes are kept.
pub const KEEP_SET_ASIDE: usize = 10;

use crate::keys::{CHECKPOINT, JOURNAL, PENDING_PAGES, RUN, SETTINGS, SET_ASIDE};
use crate::timeline::{journal_prefix, RecordMeta, Tier};

/// Only records that read back are written: a session past the codec's
/// limit would be saved and then be unreadable after a crash.
fn readable(bytes: Vec<u8>) -> Result<Vec<u8>, StoreError> {
    match codec::header(&bytes) {
        Err(DecodeError::TooLarge(n)) => Err(StoreError::TooLarge(n as usize)),
        Err(error) => Err(StoreError::Record {
            key: "(new record)".into(),
            error,
        }),
        Ok(_) => Ok(bytes),
    }
}

fn gen_of(key: &str) -> Option<u64> {
    RecordMeta::parse(key).map(|m| m.gen)
}

/// A journal may grow to the size of its checkpoint (replaying it then reads
/// no more than a fresh checkpoint would), but at least to this.
const MIN_JOURNAL_BYTES: usize = 16 * 1024;
/// And to at most this many records, to bound start-up replay.
const MAX_JOURNAL_RECORDS: u32 = 1000;

pub struct Store<B> {
    backend: B,
    /// Newest checkpoint generation seen or written: new ones go above it.
    gen: u64,
    /// The generation the current state was read from or written to: with
    /// its journal, the last good state, never deleted by a compaction.
    good_gen: Option<u64>,
    /// Next journal record of `good_gen`.
    seq: u32,
    /// The point `load_latest` read the last state from: (generation, last
    /// journal record in it), what a set-aside at start-up refers to.
    latest_point: Option<(u64, Option<u32>, Millis)>,
    /// The state the last commit left, to diff the next one against; `None`
    /// makes the next commit a checkpoint.
    base: Option<Snapshot>,
    checkpoint_len: usize,
    journal_len: usize,
    tiers: Vec<Tier>,
    /// Total bytes the timeline may take; 0: unbounded.
    size_bound: u64,
    /// The timeline's points and the generations set-aside sessions hold,
    /// as last read from keys: a checkpoint's commit needs both, and each
    /// read is a round trip to the database that can take seconds while the
    /// browser opens hundreds of tabs. `finish` keeps it up to date; any
    /// other write of those keys, or a failed commit, forgets it.
    keys_seen: RefCell<Option<KeysSeen>>,
    /// Keys of records whose write failed this run: a failed write may
    /// still have landed, whole or torn (Chromium on a full disk), and the
    /// retry writes the same record number under a newer key. The next
    /// batch deletes them, so no stale or torn record stands before it.
    unsure: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct KeysSeen {
    points: Vec<RecordMeta>,
    held: BTreeSet<u64>,
}

/// Writes a prepared batch; an empty one writes nothing (no transaction).
pub async fn write_batch<B: Backend>(backend: &B, ops: Vec<Op>) -> Result<(), StoreError> {
    if ops.is_empty() {
        return Ok(());
    }
    backend.commit(ops).await
}

/// A commit's batch, prepared but not yet written (`Store::prepare`).
#[derive(Debug)]
pub struct Prepared {
    ops: Vec<Op>,
    /// What the store's base becomes once the batch is in.
    base: NextBase,
    after: After,
    /// The point it adds, and those it deletes (`Store::keys_seen`).
    added: RecordMeta,
    gone: Vec<RecordMeta>,
}

/// A journal record's base is the old one with the record applied (the
/// state a restart replays, equal to the session by `journal`'s round-trip
/// property): a commit then copies no session. At 1,000 tabs with history a
/// copy is about 2 MB, made every half second while the user types.
#[derive(Debug)]
enum NextBase {
    Whole(Snapshot),
    Delta(Delta),
}

#[derive(Debug)]
enum After {
    Journal { bytes: usize },
    Checkpoint { gen: u64, bytes: usize },
}

impl Prepared {
    /// The batch to write (once: it is taken).
    pub fn take_ops(&mut self) -> Vec<Op> {
        std::mem::take(&mut self.ops)
    }
}

/// What one commit wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Written {
    pub bytes: usize,
    pub checkpoint: bool,
}

impl<B: Backend> Store<B> {
    pub fn new(backend: B) -> Self {
        Self {
            backend,
            gen: 0,
            good_gen: None,
            seq: 0,
            latest_point: None,
            base: None,
            checkpoint_len: 0,
            journal_len: 0,
            tiers: timeline::default_tiers(),
            size_bound: 0,
            keys_seen: RefCell::new(None),
            unsure: Vec::new(),
        }
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Makes the next commit a checkpoint, and forgets the loaded state as "current".
    pub fn start_fresh(&mut self) {
        self.base = None;
    }

    /// The current state as one checkpoint record (key, bytes) of its
    /// generation: what `spare` keeps of the timeline.
    /// Typed text is left out: the spare area is readable by content scripts.
    pub fn current_record(&self) -> Option<(String, Vec<u8>)> {
        let base = self.base.as_ref()?;
        let snapshot = Snapshot {
            taken_at: base.taken_at,
            session: base.session.without_typed_text(),
        };
        let bytes = codec::encode(Kind::Checkpoint, &snapshot);
        let key = RecordMeta::of(self.good_gen.unwrap_or(self.gen), None, snapshot.taken_at, &snapshot.session, bytes.len()).key();
        Some((key, bytes))
    }

    /// The record the current state was last written to or read back from:
    /// (generation, journal record; `None`: the checkpoint itself).
    pub fn current_point(&self) -> Option<(u64, Option<u32>)> {
        self.base.as_ref()?;
        Some((self.good_gen?, self.seq.checked_sub(1)))
    }

    /// The record `load_latest` read the newest state back from (whole or not).
    pub fn latest_point(&self) -> Option<(u64, Option<u32>)> {
        self.latest_point.map(|(gen, seq, _)| (gen, seq))
    }

    /// The state as last committed (or loaded), without reading storage.
    pub fn current(&self) -> Option<&Snapshot> {
        self.base.as_ref()
    }

    /// The newest checkpoint that reads back intact, with its journal
    /// replayed up to the first record that does not (a torn last write).
    /// Commits after this continue from what it returns.
    pub async fn load_latest(&mut self) -> Result<Option<Latest>, StoreError> {
        self.forget_keys();
        let keys = self.backend.keys(CHECKPOINT).await?;
        self.gen = keys.iter().filter_map(|k| gen_of(k)).max().unwrap_or(0).max(self.gen);
        self.base = None;
        let mut skipped: Vec<(String, DecodeError)> = Vec::new();
        for key in keys.iter().rev() {
            let Some(bytes) = self.backend.get(key).await? else { continue };
            let mut snapshot = match codec::decode::<Snapshot>(Kind::Checkpoint, &bytes) {
                Ok(s) => s,
                Err(e) => {
                    skipped.push((key.clone(), e));
                    continue;
                }
            };
            let gen = gen_of(key).unwrap_or(0);
            let (seq, journal_len, torn) = self.replay(gen, &mut snapshot, None).await?;
            let damaged = skipped.first().map(|(_, e)| msg!(message::NOTICE_PREVIOUS_GOOD, e.message()));
            let half = torn.then(|| message::NOTICE_HALF_WRITTEN.msg());
            let notice = match (damaged, half) {
                (Some(a), Some(b)) => Some(msg!(message::NOTICE_TWO, a, b)),
                (a, b) => a.or(b),
            };
            self.good_gen = Some(gen);
            self.latest_point = Some((gen, seq.checked_sub(1), snapshot.taken_at));
            // Continue this journal only from an intact newest state.
            if skipped.is_empty() && !torn {
                self.base = Some(snapshot.clone());
                self.seq = seq;
                self.checkpoint_len = bytes.len();
                self.journal_len = journal_len;
            }
            return Ok(Some(Latest { snapshot, notice }));
        }
        match skipped.into_iter().next() {
            None => Ok(None),
            Some((key, error)) => Err(StoreError::Record { key, error }),
        }
    }

    /// Applies generation `gen`'s journal to its checkpoint's `snapshot`, up to
    /// record `upto` (all when `None`), stopping at the first record that does
    /// not decode. Returns the next record number, the journal's bytes, and
    /// whether a torn record stopped it. A number stored under several keys
    /// (a write that failed yet landed, then its retry in the same run) reads
    /// as its newest record that decodes: the retry.
    async fn replay(&self, gen: u64, snapshot: &mut Snapshot, upto: Option<u32>) -> Result<(u32, usize, bool), StoreError> {
        let (mut seq, mut journal_len) = (0, 0);
        let records: Vec<(u32, Vec<u8>)> = self
            .backend
            .scan(&journal_prefix(gen))
            .await?
            .into_iter()
            .filter_map(|(k, b)| Some((RecordMeta::parse(&k)?.seq.unwrap_or(0), b)))
            .collect();
        // Keys sort by number, then by time: each number's records are together, newest last.
        for same in records.chunk_by(|a, b| a.0 == b.0) {
            let number = same[0].0;
            if upto.is_some_and(|u| number > u) {
                break;
            }
            let newest = same
                .iter()
                .rev()
                .find_map(|(_, b)| Some((codec::decode::<Delta>(Kind::Delta, b).ok()?, b.len())));
            match newest {
                Some((d, len)) => {
                    journal::apply(&mut snapshot.session, &d.ops);
                    snapshot.taken_at = d.taken_at;
                    seq = number + 1;
                    journal_len += len;
                }
                // A torn last write: dropped, never fatal.
                None => return Ok((seq, journal_len, true)),
            }
        }
        Ok((seq, journal_len, false))
    }

    /// Every stored point (checkpoints and journal records), from keys alone.
    pub async fn points(&self) -> Result<Vec<RecordMeta>, StoreError> {
        Ok(self.keys_seen().await?.points)
    }

    async fn keys_seen(&self) -> Result<KeysSeen, StoreError> {
        if let Some(seen) = self.keys_seen.borrow().as_ref() {
            return Ok(seen.clone());
        }
        let mut points: Vec<RecordMeta> = self.backend.keys(CHECKPOINT).await?.iter().filter_map(|k| RecordMeta::parse(k)).collect();
        points.extend(self.backend.keys(JOURNAL).await?.iter().filter_map(|k| RecordMeta::parse(k)));
        let held = self.backend.keys(SET_ASIDE).await?.iter().filter_map(|k| held_gen(k)).collect();
        let seen = KeysSeen { points, held };
        *self.keys_seen.borrow_mut() = Some(seen.clone());
        Ok(seen)
    }

    /// The keys read last may no longer be what is stored: read them again next time.
    pub fn forget_keys(&self) {
        self.keys_seen.borrow_mut().take();
    }

    /// The autosave timeline at `now`: the points thinning keeps, newest first.
    pub async fn timeline(&self, now: Millis) -> Result<Vec<RecordMeta>, StoreError> {
        Ok(timeline::select(&self.points().await?, now, &self.tiers))
    }

    /// The state at one point of the timeline.
    pub async fn load_point(&self, gen: u64, seq: Option<u32>) -> Result<Snapshot, StoreError> {
        let key = self
            .backend
            .keys(&format!("{CHECKPOINT}{gen:016x}-"))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound(format!("autosave {gen:x}")))?;
        let bytes = self.backend.get(&key).await?.ok_or_else(|| StoreError::NotFound(key.clone()))?;
        let mut snapshot = codec::decode::<Snapshot>(Kind::Checkpoint, &bytes).map_err(|error| StoreError::Record { key, error })?;
        if let Some(upto) = seq {
            let (next, _, _) = self.replay(gen, &mut snapshot, Some(upto)).await?;
            if next != upto + 1 {
                return Err(StoreError::NotFound(format!("autosave {gen:x}/{upto:x} (damaged)")));
            }
        }
        Ok(snapshot)
    }

    /// Generations to keep at a compaction that writes `new_gen` at `now`:
    /// the new one, the last good one, those a set-aside session refers to
    /// (`held`), those holding kept timeline points; then, oldest first,
    /// points go until the total fits `size_bound`.
    fn generations_to_keep(&self, points: &[RecordMeta], held: &BTreeSet<u64>, new_gen: u64, new_bytes: usize, now: Millis) -> BTreeSet<u64> {
        let mut keep: BTreeSet<u64> = timeline::select(points, now, &self.tiers).iter().map(|p| p.gen).collect();
        keep.insert(new_gen);
        keep.extend(self.good_gen);
        keep.extend(held);
        if self.size_bound > 0 {
            let size = |g: u64| points.iter().filter(|p| p.gen == g).map(|p| p.bytes as u64).sum::<u64>();
            let mut total: u64 = keep.iter().map(|&g| size(g)).sum::<u64>() + new_bytes as u64;
            let protected = |g: u64| g == new_gen || Some(g) == self.good_gen || held.contains(&g);
            for g in keep.clone() {
                if total <= self.size_bound {
                    break;
                }
                if !protected(g) {
                    keep.remove(&g);
                    total -= size(g);
                }
            }
        }
        keep
    }

    /// Generations set-aside sessions refer to: retention keeps them.
    async fn held(&self) -> Result<BTreeSet<u64>, StoreError> {
        Ok(self.keys_seen().await?.held)
    }

    /// Deletes the oldest timeline generation that is neither the current
    /// one, the last good one nor one a set-aside session refers to, then
    /// the oldest set-aside session that is not an unresolved crash (its
    /// generation, if it referred to one, can go at the next call).
    /// Returns whether anything went.
    pub async fn thin_oldest(&mut self) -> Result<bool, StoreError> {
        let points = self.points().await?;
        let held = self.held().await?;
        let protected = |g: u64| Some(g) == self.good_gen || g == self.gen || held.contains(&g);
        if let Some(oldest) = points.iter().map(|p| p.gen).filter(|&g| !protected(g)).min() {
            let ops = points.iter().filter(|p| p.gen == oldest).map(|p| Op::Delete(p.key())).collect();
            let written = self.backend.commit(ops).await;
            self.forget_keys();
            return written.map(|()| true);
        }
        for (key, entry) in self.aside_heads().await?.into_iter().rev() {
            if !entry.as_ref().is_ok_and(|e| e.pending) {
                let written = self.backend.commit(vec![Op::Delete(key)]).await;
                self.forget_keys();
                return written.map(|()| true);
            }
        }
        Ok(false)
    }

    /// Sets how the timeline is thinned and the total size it may take
    /// (0: no bound). Applied at the next compaction.
    pub fn set_retention(&mut self, tiers: Vec<Tier>, size_bound: u64) {
        self.tiers = tiers;
        self.size_bound = size_bound;
    }

    /// Commits `snapshot`, with `mark` in the same batch: a journal record of
    /// what changed since the last commit, or a new checkpoint when the
    /// journal has grown past its bound.
    pub async fn commit(&mut self, snapshot: &Snapshot, mark: Option<&RunMark>) -> Result<Written, StoreError> {
        let Some(mut prepared) = self.prepare(snapshot.taken_at, &snapshot.session, mark).await? else {
            return Ok(Written::default());
        };
        if let Err(e) = write_batch(&self.backend, prepared.take_ops()).await {
            self.write_failed(&prepared);
            return Err(e);
        }
        Ok(self.finish(prepared))
    }

    /// The batch that commits `snapshot` (see `commit`), without writing it;
    /// `None` when there is nothing to write. The store is unchanged until
    /// `finish`: a background keeps applying events while the batch is
    /// written, and prepares the next commit only after finishing this one.
    pub async fn prepare(&self, taken_at: Millis, session: &Session, mark: Option<&RunMark>) -> Result<Option<Prepared>, StoreError> {
        let mut ops = Vec::new();
        if let Some(mark) = mark {
            ops.push(Op::Put(RUN.into(), codec::encode(Kind::RunMark, mark)));
        }
        let delta = self.base.as_ref().map(|b| journal::diff(&b.session, session));
        let record = match (delta, self.good_gen) {
            (Some(d), _) if d.is_empty() && ops.is_empty() => return Ok(None),
            // A last-access time alone waits for the next real change (the
            // base stays, so that commit carries it): else every wake of an
            // idle background writes a record, and in Firefox opens the
            // journal file (~400 KB of metadata writes a wake).
            (Some(d), _) if ops.is_empty() && d.iter().all(DeltaOp::is_last_access_only) => return Ok(None),
            (Some(d), Some(gen)) => {
                let delta = Delta { taken_at, ops: d };
                let bytes = codec::encode(Kind::Delta, &delta);
                let fits = self.journal_len + bytes.len() <= self.checkpoint_len.max(MIN_JOURNAL_BYTES) && self.seq < MAX_JOURNAL_RECORDS;
                let meta = RecordMeta::of(gen, Some(self.seq), taken_at, session, bytes.len());
                fits.then_some((meta, bytes, delta))
            }
            _ => None,
        };
        let record = match record {
            Some((meta, bytes, delta)) => Some((meta, readable(bytes)?, delta)),
            None => None,
        };
        let mut gone = Vec::new();
        // What failed writes may have left goes in the same batch, before the put.
        ops.extend(self.unsure.iter().map(|k| Op::Delete(k.clone())));
        let (added, after, base) = match record {
            Some((meta, bytes, delta)) => {
                let n = bytes.len();
                ops.push(Op::Put(meta.key(), bytes));
                (meta, After::Journal { bytes: n }, NextBase::Delta(delta))
            }
            None => {
                let gen = self.gen + 1;
                let bytes = readable(codec::encode(Kind::Checkpoint, &SnapshotRef { taken_at, session }))?;
                let n = bytes.len();
                let meta = RecordMeta::of(gen, None, taken_at, session, n);
                ops.push(Op::Put(meta.key(), bytes));
                // Generations nothing needs any more go, in the same batch, after the put above.
                let KeysSeen { points, held } = self.keys_seen().await?;
                let keep = self.generations_to_keep(&points, &held, gen, n, taken_at);
                for p in points.into_iter().filter(|p| !keep.contains(&p.gen)) {
                    ops.push(Op::Delete(p.key()));
                    gone.push(p);
                }
                let whole = Snapshot {
                    taken_at,
                    session: session.clone(),
                };
                (meta, After::Checkpoint { gen, bytes: n }, NextBase::Whole(whole))
            }
        };
        Ok(Some(Prepared { ops, base, after, added, gone }))
    }

    /// Writing `prepared`'s batch failed: what it may have left is deleted
    /// by the next batch, and the keys are read again before a checkpoint
    /// deletes any.
    pub fn write_failed(&mut self, prepared: &Prepared) {
        self.forget_keys();
        let key = prepared.added.key();
        if !self.unsure.contains(&key) {
            self.unsure.push(key);
        }
    }

    /// `prepared`'s batch is written: the store continues from the state it wrote.
    pub fn finish(&mut self, prepared: Prepared) -> Written {
        // Its batch deleted what failed writes left (`prepare`).
        self.unsure.clear();
        if let Some(seen) = self.keys_seen.get_mut() {
            seen.points.retain(|p| !prepared.gone.contains(p));
            seen.points.push(prepared.added);
        }
        let written = match prepared.after {
            After::Journal { bytes } => {
                self.seq += 1;
                self.journal_len += bytes;
                Written { bytes, checkpoint: false }
            }
            After::Checkpoint { gen, bytes } => {
                self.gen = gen;
                self.good_gen = Some(gen);
                self.seq = 0;
                self.checkpoint_len = bytes;
                self.journal_len = 0;
                Written { bytes, checkpoint: true }
            }
        };
        match prepared.base {
            NextBase::Whole(snapshot) => self.base = Some(snapshot),
            NextBase::Delta(delta) => {
                if let Some(base) = self.base.as_mut() {
                    journal::apply(&mut base.session, &delta.ops);
                    base.taken_at = delta.taken_at;
                }
            }
        }
        written
    }

    pub async fn settings(&self) -> Result<Settings, StoreError> {
        Ok(self.backend.get(SETTINGS).await?.map(|b| Settings::decode(&b)).unwrap_or_default())
    }

    /// See `Backend::sync`.
    pub async fn sync(&self) -> Result<(), StoreError> {
        self.backend.sync().await
    }

    pub async fn put_settings(&self, settings: &Settings) -> Result<(), StoreError> {
        self.backend.commit(vec![Op::Put(SETTINGS.into(), settings.encode())]).await
    }

    /// Page states of restored tabs that have not loaded yet, by tab id. They
    /// outlive a background restart (a lazy tab may load an hour later), not
    /// a browser restart (tab ids do not).
    pub async fn pending_pages(&self) -> Result<Vec<(i64, PageState)>, StoreError> {
        Ok(match self.backend.get(PENDING_PAGES).await? {
            Some(b) => codec::decode(Kind::Pages, &b).unwrap_or_default(),
            None => Vec::new(),
        })
    }

    pub async fn put_pending_pages(&self, pages: &[(i64, PageState)]) -> Result<(), StoreError> {
        let op = if pages.is_empty() {
            Op::Delete(PENDING_PAGES.into())
        } else {
            Op::Put(PENDING_PAGES.into(), codec::encode(Kind::Pages, &pages))
        };
        self.backend.commit(vec![op]).await
    }

    /// The last run's mark. A damaged mark reads as "did not end cleanly":
    /// offering a restore that was not needed beats losing one.
    pub async fn run_mark(&self, version: &str) -> Result<Option<RunMark>, StoreError> {
        let Some(bytes) = self.backend.get(RUN).await? else { return Ok(None) };
        Ok(Some(codec::decode(Kind::RunMark, &bytes).unwrap_or(RunMark {
            started_at: 0,
            version: version.into(),
            clean_exit: false,
        })))
    }

    /// Starts a browser run: sets `previous` aside (if any) and writes `mark`,
    /// in one batch, before anything of the new run may be written. The
    /// set-aside is a reference when `previous` is the state `load_latest`
    /// read (its generation is not written again: the next commit starts a
    /// new one), else a copy. Returns the set-aside's key.
    pub async fn begin_run(&mut self, previous: Option<SetAside>, mark: &RunMark) -> Result<Option<String>, StoreError> {
        let mut ops = vec![Op::Put(RUN.into(), codec::encode(Kind::RunMark, mark))];
        let key = match &previous {
            None => None,
            Some(p) => {
                let (key, bytes) = match self.latest_point {
                    Some((gen, upto, taken_at)) if taken_at == p.snapshot.taken_at => {
                        let r = AsideRef { gen, upto, head: p.head() };
                        (aside_key(taken_at, Some(gen)), codec::encode(Kind::AsideRef, &r))
                    }
                    _ => (aside_key(p.snapshot.taken_at, None), codec::encode(Kind::Checkpoint, p)),
                };
                ops.push(Op::Put(key.clone(), bytes));
                Some(key)
            }
        };
        ops.extend(self.prune_ops(key.as_deref()).await?);
        let written = self.backend.commit(ops).await;
        self.forget_keys();
        written.map(|()| key)
    }

    /// Deletes the oldest non-pending set-asides beyond `KEEP_SET_ASIDE`.
    async fn prune_ops(&self, adding: Option<&str>) -> Result<Vec<Op>, StoreError> {
        let mut keep = usize::from(adding.is_some());
        let mut ops = Vec::new();
        for (key, entry) in self.aside_heads().await?.into_iter() {
            let pending = entry.as_ref().is_ok_and(|e| e.pending);
            if Some(key.as_str()) == adding {
                continue;
            }
            if pending || keep < KEEP_SET_ASIDE {
                keep += usize::from(!pending);
            } else {
                ops.push(Op::Delete(key));
            }
        }
        Ok(ops)
    }

    /// Set-aside sessions, newest first, without their sessions (a copy is
    /// read whole); unreadable ones are listed with their error.
    pub async fn aside_heads(&self) -> Result<Vec<(String, Result<AsideHead, DecodeError>)>, StoreError> {
        let mut out = Vec::new();
        for key in self.aside_keys().await? {
            if let Some(bytes) = self.backend.get(&key).await? {
                out.push((key, Aside::decode(&bytes).map(|a| a.head())));
            }
        }
        Ok(out)
    }

    /// One set-aside session without its session.
    pub async fn aside_head(&self, key: &str) -> Result<AsideHead, StoreError> {
        let (key, aside) = self.aside(key).await?;
        aside.map(|a| a.head()).map_err(|error| StoreError::Record { key, error })
    }

    /// Set-aside sessions, newest first; unreadable ones are listed with their error.
    pub async fn set_asides(&self) -> Result<Vec<(String, Result<SetAside, StoreError>)>, StoreError> {
        let mut out = Vec::new();
        for key in self.aside_keys().await? {
            match self.set_aside(&key).await {
                Err(StoreError::NotFound(_)) => {}
                entry => out.push((key, entry)),
            }
        }
        Ok(out)
    }

    /// Newest first: keys sort by the time the session was taken.
    async fn aside_keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.backend.keys(SET_ASIDE).await?.into_iter().rev().collect())
    }

    pub async fn set_aside(&self, key: &str) -> Result<SetAside, StoreError> {
        let record = |error| StoreError::Record { key: key.into(), error };
        match self.aside(key).await?.1.map_err(record)? {
            Aside::Copy(a) => Ok(a),
            Aside::Ref(r) => {
                // The point it names is gone or damaged: the set-aside is unreadable, not missing.
                let snapshot = self.load_point(r.gen, r.upto).await.map_err(|e| StoreError::Record {
                    key: key.into(),
                    error: DecodeError::Payload(e.to_string()),
                })?;
                Ok(SetAside {
                    snapshot,
                    ended: r.head.ended,
                    pending: r.head.pending,
                })
            }
        }
    }

    /// A set-aside record as stored (a reference is not followed).
    async fn aside(&self, key: &str) -> Result<(String, Result<Aside, DecodeError>), StoreError> {
        if !key.starts_with(SET_ASIDE) {
            return Err(StoreError::NotFound(key.into()));
        }
        let bytes = self.backend.get(key).await?.ok_or_else(|| StoreError::NotFound(key.into()))?;
        Ok((key.into(), Aside::decode(&bytes)))
    }

    /// Marks a set-aside crash pending or not; a reference is rewritten
    /// without reading its session. Returns the state it had.
    async fn mark_pending(&self, key: &str, pending: bool) -> Result<AsideHead, StoreError> {
        let (key, aside) = self.aside(key).await?;
        let mut aside = aside.map_err(|error| StoreError::Record { key: key.clone(), error })?;
        let was = aside.head();
        if was.pending != pending {
            let bytes = match &mut aside {
                Aside::Copy(a) => {
                    a.pending = pending;
                    codec::encode(Kind::Checkpoint, a)
                }
                Aside::Ref(r) => {
                    r.head.pending = pending;
                    codec::encode(Kind::AsideRef, r)
                }
            };
            self.backend.commit(vec![Op::Put(key, bytes)]).await?;
        }
        Ok(was)
    }

    /// The user restored or dismissed a set-aside crash: it may now be pruned.
    pub async fn settle(&self, key: &str) -> Result<(), StoreError> {
        self.mark_pending(key, false).await.map(|_| ())
    }

    /// Undoes `settle` for a crash the user dismissed: it is pending again
    /// (offered, never pruned). Only a crash can be pending; anything else
    /// is left as it is and reported as not found.
    pub async fn unsettle(&self, key: &str) -> Result<(), StoreError> {
        let (_, aside) = self.aside(key).await?;
        if !aside.is_ok_and(|a| a.head().ended == Verdict::Crash) {
            return Err(StoreError::NotFound(key.into()));
        }
        self.mark_pending(key, true).await.map(|_| ())
    }
}

/// A set-aside record: a copy of the session (before references, and where
/// the state did not come from the timeline) or a reference.
enum Aside {
    Copy(SetAside),
    Ref(AsideRef),
}

impl Aside {
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        match codec::header(bytes)?.kind {
            Kind::AsideRef => codec::decode(Kind::AsideRef, bytes).map(Self::Ref),
            _ => codec::decode(Kind::Checkpoint, bytes).map(Self::Copy),
        }
    }

    fn head(&self) -> AsideHead {
        match self {
            Self::Copy(a) => a.head(),
            Self::Ref(r) => r.head,
        }
    }
}

/// Runs a future that never waits (the memory backends), for native tests and
/// tools. Panics if the future is actually pending.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("block_on: future is pending; only synchronous backends are supported"),
    }
}

pub mod memory {
    //! In-memory backends: a plain one, and one that fails or tears writes on command.
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    #[derive(Debug, Default, Clone)]
    pub struct MemoryBackend {
        pub data: RefCell<BTreeMap<String, Vec<u8>>>,
        /// Bytes put, summed over all commits.
        pub bytes_written: RefCell<usize>,
        pub commits: RefCell<usize>,
        /// The spare area (`Backend::spare_put`).
        pub spare: RefCell<BTreeMap<String, Vec<u8>>>,
    }

    impl MemoryBackend {
        /// Every record as JSON (key → base64): store fixtures for upgrade tests.
        pub fn to_json(&self) -> String {
            use base64::Engine as _;
            let data = self.data.borrow();
            let map: BTreeMap<&String, String> = data.iter().map(|(k, v)| (k, base64::engine::general_purpose::STANDARD.encode(v))).collect();
            serde_json::to_string_pretty(&map).expect("a map of strings serialises")
        }

        pub fn from_json(text: &str) -> Result<Self, String> {
            use base64::Engine as _;
            let map: BTreeMap<String, String> = serde_json::from_str(text).map_err(|e| e.to_string())?;
            let data = map
                .into_iter()
                .map(|(k, v)| base64::engine::general_purpose::STANDARD.decode(v).map(|b| (k, b)).map_err(|e| e.to_string()))
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            Ok(Self {
                data: data.into(),
                ..Default::default()
            })
        }
    }

    impl Backend for MemoryBackend {
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(self.data.borrow().get(key).cloned())
        }
        async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
            Ok(self
                .data
                .borrow()
                .range(prefix.to_string()..)
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(k, _)| k.clone())
                .collect())
        }
        async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
            let mut data = self.data.borrow_mut();
            *self.commits.borrow_mut() += 1;
            for op in ops {
                match op {
                    Op::Put(k, v) => {
                        *self.bytes_written.borrow_mut() += v.len();
                        data.insert(k, v);
                    }
                    Op::Delete(k) => {
                        data.remove(&k);
                    }
                }
            }
            Ok(())
        }
        async fn spare_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(self.spare.borrow().get(key).cloned())
        }
        async fn spare_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
            self.spare.borrow_mut().insert(key.into(), value.to_vec());
            Ok(())
        }
    }

    /// What the next commit of a `FaultyBackend` does.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Fault {
        /// Works normally.
        None,
        /// Refuses the whole commit (quota exceeded, database closed).
        Refuse,
        /// Applies the first `ops` operations, the last of them a put cut to
        /// `keep` bytes; then "the power goes": later commits fail too.
        Tear { ops: usize, keep: usize },
    }

    #[derive(Debug, Default)]
    pub struct FaultyBackend {
        pub inner: MemoryBackend,
        pub fault: RefCell<Option<Fault>>,
        pub dead: RefCell<bool>,
    }

    impl FaultyBackend {
        pub fn fail_next(&self, fault: Fault) {
            *self.fault.borrow_mut() = Some(fault);
        }
        /// The machine comes back: writes work again.
        pub fn revive(&self) {
            *self.dead.borrow_mut() = false;
            *self.fault.borrow_mut() = None;
        }
    }

    impl Backend for FaultyBackend {
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            self.inner.get(key).await
        }
        async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
            self.inner.keys(prefix).await
        }
        async fn spare_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            self.inner.spare_get(key).await
        }
        async fn spare_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
            if *self.dead.borrow() {
                return Err(StoreError::Backend("storage is gone".into()));
            }
            self.inner.spare_put(key, value).await
        }
        async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
            if *self.dead.borrow() {
                return Err(StoreError::Backend("storage is gone".into()));
            }
            let fault = self.fault.borrow_mut().take().unwrap_or(Fault::None);
            match fault {
                Fault::None => self.inner.commit(ops).await,
                Fault::Refuse => Err(StoreError::Backend("QuotaExceededError".into())),
                Fault::Tear { ops: n, keep } => {
                    let mut applied: Vec<Op> = ops.into_iter().take(n).collect();
                    if let Some(Op::Put(_, v)) = applied.last_mut() {
                        v.truncate(keep);
                    }
                    self.inner.commit(applied).await?;
                    *self.dead.borrow_mut() = true;
                    Err(StoreError::Backend("interrupted".into()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::memory::*;
    use super::*;
    use crate::model::{Tab, Window};

    fn snap(t: Millis, n: usize) -> Snapshot {
        let tabs = (0..n)
            .map(|i| Tab {
                id: i as i64,
                url: format!("https://e.org/{t}/{i}"),
                ..Default::default()
            })
            .collect();
        Snapshot {
            taken_at: t,
            session: Session {
                windows: vec![Window {
                    id: 1,
                    tabs,
                    ..Default::default()
                }],
            },
        }
    }

    /// A journal commit moves the base on by applying its own record, not by
    /// copying the session: after each one it equals what was committed,
    /// and what a reopened store replays.
    #[test]
    fn journal_commits_leave_the_committed_state_as_base_without_a_copy() {
        let mut s = Store::new(MemoryBackend::default());
        let mut state = snap(1, 5);
        block_on(s.commit(&state, None)).unwrap();
        let steps: Vec<fn(&mut Session)> = vec![
            |x| x.windows[0].tabs[1].url = "https://e.org/moved".into(),
            |x| {
                x.windows[0].tabs.remove(0);
            },
            |x| {
                x.windows[0].tabs.push(Tab {
                    id: 50,
                    url: "https://e.org/new".into(),
                    ..Default::default()
                })
            },
            |x| x.windows[0].tabs.reverse(),
            |x| {
                x.windows.push(Window {
                    id: 2,
                    tabs: vec![Tab { id: 60, ..Default::default() }],
                    ..Default::default()
                })
            },
            |x| x.windows[0].tabs[0].title = "typed and titled".into(),
            |x| {
                x.windows.remove(0);
            },
        ];
        for (i, step) in steps.into_iter().enumerate() {
            step(&mut state.session);
            state.taken_at = 10 + i as Millis;
            let w = block_on(s.commit(&state, None)).unwrap();
            assert!(!w.checkpoint, "step {i} is a journal record");
            assert_eq!(s.base.as_ref(), Some(&state), "step {i}");
        }
        let mut reopened = Store::new(s.backend().clone());
        assert_eq!(block_on(reopened.load_latest()).unwrap().unwrap().snapshot, state);
    }

    fn mark(clean: bool) -> RunMark {
        RunMark {
            started_at: 1,
            version: "1".into(),
            clean_exit: clean,
        }
    }

    /// The same window with tab `changed` renamed: a one-tab change.
    fn edited(t: Millis, n: usize, changed: usize) -> Snapshot {
        let mut s = snap(0, n);
        s.taken_at = t;
        s.session.windows[0].tabs[changed % n].url = format!("https://changed/{t}");
        s
    }

    fn reopen(s: &Store<MemoryBackend>) -> Store<MemoryBackend> {
        Store::new(s.backend().clone())
    }

    /// A woken background sees the selected tab's last-access time moved:
    /// nothing is written for that alone, and the next real change carries it.
    /// A checkpoint's commit reads the timeline's keys once per store, then
    /// keeps them itself: later checkpoints (which delete what retention
    /// lets go) read no keys, and what it keeps is what a fresh read finds.
    #[test]
    fn checkpoints_after_the_first_read_no_keys_and_know_what_is_stored() {
        struct Counting {
            inner: std::rc::Rc<MemoryBackend>,
            keys: std::cell::Cell<usize>,
        }
        impl Backend for Counting {
            async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
                self.inner.get(key).await
            }
            async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
                self.keys.set(self.keys.get() + 1);
                self.inner.keys(prefix).await
            }
            async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
                self.inner.commit(ops).await
            }
        }
        const DAY: Millis = 24 * 3600 * 1000;
        let inner = std::rc::Rc::new(MemoryBackend::default());
        let mut s = Store::new(Counting {
            inner: inner.clone(),
            keys: Default::default(),
        });
        block_on(s.commit(&snap(DAY, 3), None)).unwrap();
        let after_first = s.backend().keys.get();
        assert!(after_first > 0);
        for day in 2..12 {
            s.start_fresh();
            assert!(block_on(s.commit(&snap(day * DAY, 3), None)).unwrap().checkpoint);
            block_on(s.commit(&snap(day * DAY + 1000, 4), None)).unwrap();
        }
        assert_eq!(s.backend().keys.get(), after_first, "no checkpoint after the first read keys");
        let mut kept = block_on(s.points()).unwrap();
        let mut stored = block_on(Store::new(inner.clone()).points()).unwrap();
        kept.sort_by_key(|p| p.key());
        stored.sort_by_key(|p| p.key());
        assert_eq!(kept, stored);
        assert!(stored.iter().filter(|p| p.seq.is_none()).count() < 11, "retention deleted old generations");
    }

    #[test]
    fn a_last_access_time_alone_is_not_a_commit() {
        let mut s = Store::new(MemoryBackend::default());
        block_on(s.commit(&snap(0, 3), None)).unwrap();
        let commits = *s.backend().commits.borrow();
        let mut woke = snap(0, 3);
        woke.taken_at = 60_000;
        woke.session.windows[0].tabs[1].last_accessed = Some(60_000);
        assert_eq!(block_on(s.commit(&woke, None)).unwrap(), Written::default());
        assert_eq!(*s.backend().commits.borrow(), commits, "nothing written");
        let mut changed = woke.clone();
        changed.taken_at = 61_000;
        changed.session.windows[0].tabs[2].url = "https://changed/".into();
        assert!(block_on(s.commit(&changed, None)).unwrap().bytes > 0);
        let back = block_on(reopen(&s).load_latest()).unwrap().unwrap().snapshot;
        assert_eq!(back.session, changed.session, "the last-access time came with the next change");
    }

    /// A session past the codec's limit is refused with its cause, never
    /// written to be unreadable after a crash; the last good state stays.
    #[test]
    fn a_record_that_could_not_be_read_back_is_not_written() {
        let mut s = Store::new(MemoryBackend::default());
        block_on(s.commit(&snap(1, 2), None)).unwrap();
        for checkpoint in [false, true] {
            if checkpoint {
                s.start_fresh();
            }
            let mut huge = snap(2, 2);
            huge.session.windows[0].tabs[0].title = "a".repeat(codec::MAX_RAW + 1);
            let err = block_on(s.commit(&huge, None)).unwrap_err();
            assert!(matches!(err, StoreError::TooLarge(n) if n > codec::MAX_RAW), "{err}");
            assert!(err.to_string().contains("too large to save"));
        }
        let mut reopened = Store::new(s.backend().clone());
        assert_eq!(block_on(reopened.load_latest()).unwrap().unwrap().snapshot, snap(1, 2));
    }

    #[test]
    fn small_changes_are_journal_records_until_compaction() {
        let mut s = Store::new(MemoryBackend::default());
        let first = block_on(s.commit(&snap(0, 200), None)).unwrap();
        assert!(first.checkpoint);
        let mut checkpoints = 0;
        for t in 1..=400 {
            let w = block_on(s.commit(&edited(t, 200, t as usize), None)).unwrap();
            if w.checkpoint {
                checkpoints += 1;
            } else {
                assert!(
                    w.bytes < 200 && w.bytes * 5 < first.bytes,
                    "a one-tab delta took {} bytes (checkpoint {})",
                    w.bytes,
                    first.bytes
                );
            }
            if t % 37 == 0 {
                assert_eq!(block_on(reopen(&s).load_latest()).unwrap().unwrap().snapshot, edited(t, 200, t as usize));
            }
        }
        assert!(checkpoints >= 1, "the journal was never compacted");
        // At most two generations are kept.
        let gens: std::collections::BTreeSet<u64> = block_on(s.backend().keys("")).unwrap().iter().filter_map(|k| gen_of(k)).collect();
        assert!(gens.len() <= 2, "{gens:?}");
        assert_eq!(
            block_on(s.commit(&edited(400, 200, 400), None)).unwrap(),
            Written::default(),
            "no change, no write"
        );
    }

    const MIN: Millis = 60_000;

    /// A commit a minute for three hours, compacting now and then.
    fn three_hours(s: &mut Store<MemoryBackend>) {
        for m in 0..180u64 {
            if m % 20 == 0 {
                s.start_fresh();
            }
            block_on(s.commit(&edited(m * MIN, 30, m as usize), None)).unwrap();
        }
    }

    #[test]
    fn the_timeline_is_thinned_and_any_kept_point_restores() {
        let mut s = Store::new(MemoryBackend::default());
        three_hours(&mut s);
        let now = 179 * MIN;
        let points = block_on(s.timeline(now)).unwrap();
        assert_eq!(points[0].taken_at, now);
        assert!(points.len() >= 15 && points.len() <= 20, "{} points", points.len());
        for p in &points {
            let got = block_on(s.load_point(p.gen, p.seq)).unwrap();
            let m = p.taken_at / MIN;
            assert_eq!(got, edited(p.taken_at, 30, m as usize), "point at minute {m}");
        }
        // Generations no kept point needs were dropped at compactions.
        let gens: std::collections::BTreeSet<u64> = block_on(s.points()).unwrap().iter().map(|p| p.gen).collect();
        assert!(gens.len() <= 6, "{gens:?}");
    }

    #[test]
    fn a_size_bound_thins_old_points_first_never_the_latest() {
        let mut s = Store::new(MemoryBackend::default());
        s.set_retention(timeline::default_tiers(), 1);
        three_hours(&mut s);
        let gens: std::collections::BTreeSet<u64> = block_on(s.points()).unwrap().iter().map(|p| p.gen).collect();
        assert!(gens.len() <= 2, "{gens:?}");
        assert_eq!(block_on(reopen(&s).load_latest()).unwrap().unwrap().snapshot, edited(179 * MIN, 30, 179));
    }

    fn crash_of(snapshot: Snapshot) -> SetAside {
        SetAside {
            snapshot,
            ended: Verdict::Crash,
            pending: true,
        }
    }

    /// Issue 13: no whole-session rewrite at start-up. The state the last
    /// run left is set aside as a reference of a few dozen bytes; it reads
    /// back whole, retention keeps what it names through later compactions
    /// and thinning while it is pending, and both go once it is settled and
    /// thinned.
    #[test]
    fn the_last_state_is_set_aside_by_reference_and_kept_while_named() {
        let mut s = Store::new(MemoryBackend::default());
        block_on(s.commit(&snap(1, 500), None)).unwrap();
        block_on(s.commit(&edited(2, 500, 7), None)).unwrap();
        let mut r = reopen(&s);
        let latest = block_on(r.load_latest()).unwrap().unwrap().snapshot;
        assert_eq!(latest, edited(2, 500, 7));
        let key = block_on(r.begin_run(Some(crash_of(latest.clone())), &mark(false))).unwrap().unwrap();
        let bytes = block_on(r.backend().get(&key)).unwrap().unwrap();
        assert_eq!(codec::header(&bytes).unwrap().kind, Kind::AsideRef);
        assert!(bytes.len() < 100, "a reference, not the {}-tab session: {} bytes", 500, bytes.len());
        assert_eq!(block_on(r.set_aside(&key)).unwrap(), crash_of(latest.clone()));
        let head = block_on(r.aside_head(&key)).unwrap();
        assert_eq!((head.tabs, head.windows, head.taken_at, head.pending), (500, 1, 2, true));

        // This run compacts with a retention that keeps no old point at all.
        r.set_retention(Vec::new(), 1);
        r.start_fresh();
        for t in 10..15 {
            r.start_fresh();
            block_on(r.commit(&snap(t, 3), None)).unwrap();
        }
        assert_eq!(block_on(r.set_aside(&key)).unwrap().snapshot, latest, "compaction kept the generation it names");
        while block_on(r.thin_oldest()).unwrap() {}
        assert_eq!(
            block_on(r.set_aside(&key)).unwrap().snapshot,
            latest,
            "a pending crash and its generation are never thinned"
        );

        block_on(r.settle(&key)).unwrap();
        assert!(!block_on(r.aside_head(&key)).unwrap().pending);
        assert!(
            block_on(r.backend().get(&key)).unwrap().unwrap().len() < 100,
            "settling rewrites the reference only"
        );
        while block_on(r.thin_oldest()).unwrap() {}
        assert!(matches!(block_on(r.set_aside(&key)), Err(StoreError::NotFound(_))));
        assert!(
            block_on(r.points()).unwrap().iter().all(|p| p.taken_at >= 10),
            "the generation it named went with it"
        );
    }

    /// A reference names the journal record the state ended at: what the
    /// run appends to that generation later (a woken background continuing
    /// it) is not part of the set-aside, and a torn record is not either.
    #[test]
    fn a_reference_reads_its_point_not_what_came_after() {
        let mut s = Store::new(MemoryBackend::default());
        block_on(s.commit(&snap(0, 10), None)).unwrap();
        block_on(s.commit(&edited(1, 10, 1), None)).unwrap();
        block_on(s.commit(&edited(2, 10, 2), None)).unwrap();
        let torn = block_on(s.backend().keys("jr/")).unwrap().pop().unwrap();
        s.backend().data.borrow_mut().get_mut(&torn).unwrap().truncate(15);
        let mut r = reopen(&s);
        let latest = block_on(r.load_latest()).unwrap().unwrap().snapshot;
        assert_eq!(latest, edited(1, 10, 1));
        let key = block_on(r.begin_run(Some(crash_of(latest.clone())), &mark(false))).unwrap().unwrap();
        assert_eq!(block_on(r.set_aside(&key)).unwrap().snapshot, latest);

        // Untorn: a later run that continues the same generation.
        let mut s = Store::new(MemoryBackend::default());
        block_on(s.commit(&snap(0, 10), None)).unwrap();
        let mut r = reopen(&s);
        let latest = block_on(r.load_latest()).unwrap().unwrap().snapshot;
        let key = block_on(r.begin_run(Some(crash_of(latest.clone())), &mark(false))).unwrap().unwrap();
        let mut woken = reopen(&r);
        block_on(woken.load_latest()).unwrap();
        block_on(woken.commit(&edited(5, 10, 4), None)).unwrap();
        assert_eq!(block_on(woken.points()).unwrap().len(), 2, "appended to the named generation");
        assert_eq!(block_on(woken.set_aside(&key)).unwrap().snapshot, latest);
    }

    /// Copies written before references (and any set-aside that is not the
    /// state just read) still read, settle, count and prune as before.
    #[test]
    fn a_set_aside_copy_still_reads_and_settles() {
        let mut s = Store::new(MemoryBackend::default());
        let key = block_on(s.begin_run(Some(crash_of(snap(3, 4))), &mark(false))).unwrap().unwrap();
        assert_eq!(
            codec::header(&block_on(s.backend().get(&key)).unwrap().unwrap()).unwrap().kind,
            Kind::Checkpoint
        );
        assert_eq!(block_on(s.set_aside(&key)).unwrap(), crash_of(snap(3, 4)));
        block_on(s.settle(&key)).unwrap();
        assert!(!block_on(s.set_aside(&key)).unwrap().pending);
        block_on(s.unsettle(&key)).unwrap();
        assert!(block_on(s.aside_head(&key)).unwrap().pending);
    }

    #[test]
    fn a_torn_last_journal_record_is_dropped() {
        let mut s = Store::new(MemoryBackend::default());
        block_on(s.commit(&snap(0, 10), None)).unwrap();
        block_on(s.commit(&edited(1, 10, 1), None)).unwrap();
        block_on(s.commit(&edited(2, 10, 2), None)).unwrap();
        let key = block_on(s.backend().keys("jr/")).unwrap().pop().unwrap();
        s.backend().data.borrow_mut().get_mut(&key).unwrap().truncate(15);
        let mut r = reopen(&s);
        let latest = block_on(r.load_latest()).unwrap().unwrap();
        assert_eq!(latest.snapshot, edited(1, 10, 1));
        assert!(latest.notice.is_some());
        // Writing goes on from there, past the torn record.
        block_on(r.commit(&edited(3, 10, 3), None)).unwrap();
        assert_eq!(block_on(reopen(&r).load_latest()).unwrap().unwrap().snapshot, edited(3, 10, 3));
    }

    #[test]
    fn damaged_latest_falls_back_to_previous_with_notice() {
        let mut s = Store::new(MemoryBackend::default());
        block_on(s.commit(&snap(1, 3), None)).unwrap();
        block_on(s.commit(&edited(2, 3, 0), None)).unwrap();
        s.start_fresh();
        block_on(s.commit(&snap(3, 3), None)).unwrap();
        let key = block_on(s.backend().keys("ck/")).unwrap().pop().unwrap();
        s.backend().data.borrow_mut().get_mut(&key).unwrap()[30] ^= 0x40;
        let mut r = reopen(&s);
        let latest = block_on(r.load_latest()).unwrap().unwrap();
        assert_eq!(latest.snapshot, edited(2, 3, 0), "previous checkpoint plus its journal");
        let notice = latest.notice.unwrap();
        assert!(notice.text.contains("damaged"), "{notice:?}");
        assert_eq!(notice.key, "noticePreviousGood");
        assert!(
            matches!(&notice.args[..], [crate::message::Arg::Message(m)] if m.key.starts_with("record")),
            "{notice:?}"
        );
        // The next commit goes above the damaged generation and keeps the good one.
        block_on(r.commit(&snap(4, 3), None)).unwrap();
        assert_eq!(block_on(reopen(&r).load_latest()).unwrap().unwrap().snapshot, snap(4, 3));
        assert!(
            block_on(r.backend().keys("ck/")).unwrap().iter().any(|k| gen_of(k) == Some(1)),
            "the last good generation is kept"
        );
    }

    /// Interrupt the commit of state 3, as a journal record and as a
    /// checkpoint, after every operation of its batch and at every 7th byte
    /// of the record being written: what loads is state 2 or 3, whole.
    #[test]
    fn an_interrupted_write_at_any_point_leaves_a_restorable_state() {
        let record_len = codec::encode(Kind::Checkpoint, &snap(3, 4)).len();
        for as_checkpoint in [false, true] {
            for ops in 0..=4 {
                for keep in (0..=record_len).step_by(7).chain([record_len]) {
                    let mut s = Store::new(FaultyBackend::default());
                    block_on(s.commit(&snap(1, 4), Some(&mark(false)))).unwrap();
                    block_on(s.commit(&edited(2, 4, 1), None)).unwrap();
                    if as_checkpoint {
                        s.start_fresh();
                    }
                    s.backend().fail_next(Fault::Tear { ops, keep });
                    assert!(block_on(s.commit(&edited(3, 4, 2), Some(&mark(true)))).is_err());
                    // Restart on the same storage.
                    s.backend().revive();
                    let data = std::mem::take(&mut *s.backend().inner.data.borrow_mut());
                    let mut reopened = Store::new(MemoryBackend {
                        data: data.into(),
                        ..Default::default()
                    });
                    let got = block_on(reopened.load_latest()).unwrap().unwrap().snapshot;
                    assert!(
                        got == edited(2, 4, 1) || got == edited(3, 4, 2),
                        "checkpoint={as_checkpoint} ops={ops} keep={keep}: {got:?}"
                    );
                    assert!(block_on(reopened.run_mark("1")).unwrap().is_some());
                }
            }
        }
    }

    /// Chromium on a full disk: a journal write fails yet leaves its record,
    /// torn or whole; the disk gets room and writing goes on in the same
    /// run. The retry writes that record number again under a newer key:
    /// what loads is the last commit, and the failed write's record is gone.
    #[test]
    fn a_write_that_failed_yet_landed_is_replaced_by_its_retry() {
        let record_len = codec::encode(Kind::Checkpoint, &snap(3, 4)).len();
        for keep in [0, 9, record_len / 2, usize::MAX] {
            let mut s = Store::new(FaultyBackend::default());
            block_on(s.commit(&snap(1, 4), None)).unwrap();
            block_on(s.commit(&edited(2, 4, 1), None)).unwrap();
            s.backend().fail_next(Fault::Tear { ops: 1, keep });
            assert!(block_on(s.commit(&edited(3, 4, 2), None)).is_err());
            let left = block_on(s.backend().keys("jr/")).unwrap();
            assert_eq!(left.len(), 2, "keep={keep}: the failed write left its record");
            s.backend().revive();
            block_on(s.commit(&edited(4, 4, 3), None)).unwrap();
            block_on(s.commit(&edited(5, 4, 0), None)).unwrap();
            let keys = block_on(s.backend().keys("jr/")).unwrap();
            assert!(!keys.contains(&left[1]), "keep={keep}: the retry deleted what the failed write left: {keys:?}");
            let data = s.backend().inner.data.borrow().clone();
            let mut reopened = Store::new(MemoryBackend {
                data: data.into(),
                ..Default::default()
            });
            let latest = block_on(reopened.load_latest()).unwrap().unwrap();
            assert_eq!(latest.snapshot, edited(5, 4, 0), "keep={keep}");
            assert!(latest.notice.is_none(), "keep={keep}: {:?}", latest.notice);
        }
    }

    /// A store that already holds such a leftover (written before the retry
    /// deleted it, or left by a batch that failed twice) still reads to its
    /// last commit: of one record number the newest readable record counts.
    #[test]
    fn of_one_record_number_the_newest_readable_record_counts() {
        for stale in [b"torn".to_vec(), codec::encode(Kind::Delta, &Delta { taken_at: 3, ops: Vec::new() })] {
            let mut s = Store::new(MemoryBackend::default());
            block_on(s.commit(&snap(1, 4), None)).unwrap();
            block_on(s.commit(&edited(2, 4, 1), None)).unwrap();
            block_on(s.commit(&edited(4, 4, 3), None)).unwrap();
            block_on(s.commit(&edited(5, 4, 0), None)).unwrap();
            let keys = block_on(s.backend().keys("jr/")).unwrap();
            // An older key for record 1 (the retried one, written at 4).
            let mut meta = RecordMeta::parse(&keys[1]).unwrap();
            meta.taken_at = 3;
            s.backend().data.borrow_mut().insert(meta.key(), stale.clone());
            let latest = block_on(reopen(&s).load_latest()).unwrap().unwrap();
            assert_eq!(latest.snapshot, edited(5, 4, 0));
            assert!(latest.notice.is_none(), "{:?}", latest.notice);
            let point = block_on(s.load_point(meta.gen, meta.seq)).unwrap();
            assert_eq!(point, edited(4, 4, 3), "the timeline's point reads the retry too");
        }
    }

    #[test]
    fn a_refused_commit_changes_nothing() {
        let mut s = Store::new(FaultyBackend::default());
        block_on(s.commit(&snap(1, 2), None)).unwrap();
        s.backend().fail_next(Fault::Refuse);
        assert!(matches!(block_on(s.commit(&snap(2, 2), None)), Err(StoreError::Backend(_))));
        assert_eq!(block_on(s.load_latest()).unwrap().unwrap().snapshot, snap(1, 2));
        block_on(s.commit(&snap(3, 2), None)).unwrap();
        assert_eq!(block_on(s.load_latest()).unwrap().unwrap().snapshot, snap(3, 2));
    }

    #[test]
    fn nothing_readable_is_an_error_not_an_empty_store() {
        let mut s = Store::new(MemoryBackend::default());
        s.backend().data.borrow_mut().insert("ck/0000000000000001".into(), b"garbage".to_vec());
        assert!(matches!(block_on(s.load_latest()), Err(StoreError::Record { .. })));
    }

    #[test]
    fn set_asides_keep_pending_crashes_beyond_the_limit() {
        let mut s = Store::new(MemoryBackend::default());
        let crash = SetAside {
            snapshot: snap(1, 2),
            ended: Verdict::Crash,
            pending: true,
        };
        block_on(s.begin_run(Some(crash), &mark(false))).unwrap();
        for t in 2..30 {
            let clean = SetAside {
                snapshot: snap(t, 2),
                ended: Verdict::CleanExit,
                pending: false,
            };
            block_on(s.begin_run(Some(clean), &mark(false))).unwrap();
        }
        let all = block_on(s.set_asides()).unwrap();
        assert_eq!(all.len(), KEEP_SET_ASIDE + 1);
        assert_eq!(all[0].1.as_ref().unwrap().snapshot.taken_at, 29, "newest first");
        assert!(all.iter().any(|(_, e)| e.as_ref().unwrap().pending));
        // Once settled, the crash is pruned like any other.
        let key = all.last().unwrap().0.clone();
        block_on(s.settle(&key)).unwrap();
        block_on(s.begin_run(
            Some(SetAside {
                snapshot: snap(40, 1),
                ended: Verdict::CleanExit,
                pending: false,
            }),
            &mark(false),
        ))
        .unwrap();
        assert!(block_on(s.set_asides()).unwrap().iter().all(|(_, e)| !e.as_ref().unwrap().pending));
    }

    /// "Don't restore" can be undone: the dismissed crash is pending again,
    /// unchanged otherwise; a clean exit cannot be made a pending crash.
    #[test]
    fn a_dismissed_crash_can_be_made_pending_again() {
        let mut s = Store::new(MemoryBackend::default());
        let crash = SetAside {
            snapshot: snap(1, 2),
            ended: Verdict::Crash,
            pending: true,
        };
        let key = block_on(s.begin_run(Some(crash.clone()), &mark(false))).unwrap().unwrap();
        block_on(s.settle(&key)).unwrap();
        assert!(!block_on(s.set_aside(&key)).unwrap().pending);
        block_on(s.unsettle(&key)).unwrap();
        assert_eq!(block_on(s.set_aside(&key)).unwrap(), crash);
        // Twice is harmless.
        block_on(s.unsettle(&key)).unwrap();
        assert_eq!(block_on(s.set_aside(&key)).unwrap(), crash);
        let clean = SetAside {
            snapshot: snap(5, 1),
            ended: Verdict::CleanExit,
            pending: false,
        };
        let clean_key = block_on(s.begin_run(Some(clean), &mark(false))).unwrap().unwrap();
        assert!(matches!(block_on(s.unsettle(&clean_key)), Err(StoreError::NotFound(_))));
        assert!(!block_on(s.set_aside(&clean_key)).unwrap().pending);
        assert!(matches!(block_on(s.unsettle("prev/ffff")), Err(StoreError::NotFound(_))));
    }
}
