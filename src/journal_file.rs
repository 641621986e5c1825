//! The journal file: the store's busiest records (checkpoints, journal
//! records, the run mark) in one append-only file, where a commit costs its
//! own bytes. In Firefox one IndexedDB commit of ~100 bytes writes ~4 KB of
//! SQLite pages; an append through a sync access handle writes 100
//! (`bench/PROBE.md`). Where Firefox's SessionWriter rewrites the whole
//! session atomically, this appends what changed and compacts now and then.
//!
//! Files `journal-<n>`, each a sequence of frames; a frame is one codec
//! container, whose header carries its length and a CRC. The first frame of
//! a file (`Kind::JournalBase`) holds every live record; each later frame
//! (`Kind::JournalBatch`) holds one commit's puts and deletes, applied in
//! order. A kill during a write leaves a short or mismatched last frame: it
//! is cut off at the next open, with nothing before it lost. When the dead
//! bytes outweigh the live ones, the live records become the base of file
//! n+1, flushed before file n is removed: at every moment one complete file
//! exists. A frame from a newer Lifeboat is refused, never cut or removed.
//!
//! The file I/O is `Files`: a Worker's sync access handles in the browser
//! (`src/web/journal_worker.rs`), memory in tests.

use crate::codec::{self, DecodeError, Kind, HEADER_LEN};
use crate::keys::JOURNAL_BASE_FRAMES as BASE_FRAMES;
use crate::store::{Backend, Op, StoreError};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// File I/O, one call at a time. Names are bare file names in one directory.
#[allow(async_fn_in_trait)]
pub trait Files {
    async fn list(&self) -> Result<Vec<String>, StoreError>;
    /// The file's length (0 if it does not exist).
    async fn size(&self, name: &str) -> Result<u64, StoreError>;
    /// Up to `len` bytes from offset `at` (fewer at the end of the file).
    async fn read_at(&self, name: &str, at: u64, len: u64) -> Result<Vec<u8>, StoreError>;
    /// Writes `bytes` at offset `at`, creating or extending the file.
    async fn write(&self, name: &str, at: u64, bytes: &[u8]) -> Result<(), StoreError>;
    async fn truncate(&self, name: &str, len: u64) -> Result<(), StoreError>;
    /// To the disk itself: survives an OS crash, not only a browser kill.
    async fn flush(&self, name: &str) -> Result<(), StoreError>;
    async fn remove(&self, name: &str) -> Result<(), StoreError>;
}

const PREFIX: &str = "journal-";

/// Compaction waits until the dead bytes exceed the live ones and this much:
/// rewriting a small session after every few commits would cost more than
/// the commits; reading this much more at start-up costs a few ms.
const COMPACT_SLACK: u64 = 1 << 20;

fn file_name(n: u64) -> String {
    format!("{PREFIX}{n}")
}

fn file_number(name: &str) -> Option<u64> {
    name.strip_prefix(PREFIX)?.parse().ok()
}

/// One commit's operations as a frame: `(key, Some(value))` puts,
/// `(key, None)` deletes.
fn frame(kind: Kind, entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    codec::encode(kind, &entries)
}

type Entries = Vec<(String, Option<Vec<u8>>)>;

/// Values up to this size stay in memory (the run mark, a delete's trace):
/// reading one back would cost a Worker round trip for a few bytes. The
/// rest (checkpoints, journal records) is read back from its frame when
/// asked for: the store reads them at start-up and when a user opens an
/// earlier point, so holding every kept point of the timeline in memory
/// cost megabytes for nothing (issue 13).
const KEEP_IN_MEMORY: usize = 64;

/// Compaction writes the live records in frames of about this size after
/// the base, so neither it nor the next opening holds the whole session
/// at once.
const FRAME_TARGET: usize = 256 << 10;

/// Opening reads the file in pieces of this size.
const READ_CHUNK: u64 = 1 << 20;

/// Where a live record is: the frame that last wrote it, and its value if
/// small enough to keep.
#[derive(Debug, Clone)]
struct Slot {
    at: u64,
    len: u32,
    size: u32,
    value: Option<Vec<u8>>,
}

impl Slot {
    fn new(at: u64, len: usize, value: Vec<u8>) -> Self {
        let size = value.len() as u32;
        Self {
            at,
            len: len as u32,
            size,
            value: (value.len() <= KEEP_IN_MEMORY).then_some(value),
        }
    }
}

type Slots = BTreeMap<String, Slot>;

/// Why a file cannot be used.
enum Unusable {
    /// Written by a newer Lifeboat: refuse the store, touch nothing.
    Newer(u16),
    /// Its base frame, or a frame that completes it, is missing or damaged.
    Damaged(DecodeError),
}

/// What reading a file gave: where its live records are, and where the
/// last good frame ends.
struct Replayed {
    slots: Slots,
    good_len: u64,
}

/// The next frame's bytes, if the file holds that many.
fn next_frame(bytes: &[u8]) -> Result<&[u8], DecodeError> {
    if bytes.len() < HEADER_LEN {
        return Err(DecodeError::Truncated {
            have: bytes.len(),
            need: HEADER_LEN,
        });
    }
    let packed = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
    let end = HEADER_LEN.saturating_add(packed);
    bytes.get(..end).ok_or(DecodeError::Truncated { have: bytes.len(), need: end })
}

fn decode_frame(f: &[u8], kind: Kind) -> Result<Entries, DecodeError> {
    codec::header(f)?;
    codec::decode::<Entries>(kind, f)
}

/// The kind of the frame at `at`: a file's first frame is its base.
fn kind_at(at: u64) -> Kind {
    if at == 0 {
        Kind::JournalBase
    } else {
        Kind::JournalBatch
    }
}

/// A file's frames in order, read a chunk at a time: opening never holds
/// more than a chunk or the largest frame.
struct FrameReader<'a, F> {
    files: &'a F,
    name: &'a str,
    size: u64,
    buf: Vec<u8>,
    buf_at: u64,
    at: u64,
}

impl<'a, F: Files> FrameReader<'a, F> {
    async fn new(files: &'a F, name: &'a str) -> Result<Self, StoreError> {
        let size = files.size(name).await?;
        Ok(Self {
            files,
            name,
            size,
            buf: Vec::new(),
            buf_at: 0,
            at: 0,
        })
    }

    /// The buffered bytes from the reader's position on, `need` of them
    /// (or what the file has) read in first if they are not there.
    async fn ahead(&mut self, need: usize) -> Result<&[u8], StoreError> {
        let left = self.size.saturating_sub(self.at);
        let want = (need as u64).min(left);
        let have = (self.buf_at + self.buf.len() as u64).saturating_sub(self.at);
        if self.at < self.buf_at || have < want {
            let len = want.max(READ_CHUNK).min(left);
            self.buf = self.files.read_at(self.name, self.at, len).await?;
            self.buf_at = self.at;
        }
        Ok(&self.buf[(self.at - self.buf_at) as usize..])
    }

    /// The next frame: where it starts and its entries; `None` at the end
    /// of the file; a `DecodeError` for a torn or damaged frame.
    async fn next(&mut self, kind: Kind) -> Result<Option<(u64, usize, Result<Entries, DecodeError>)>, StoreError> {
        if self.at >= self.size {
            return Ok(None);
        }
        let at = self.at;
        let mut need = HEADER_LEN;
        loop {
            let left = self.size - self.at;
            let bytes = self.ahead(need).await?;
            match next_frame(bytes) {
                Ok(f) => {
                    let (len, entries) = (f.len(), decode_frame(f, kind));
                    self.at += len as u64;
                    return Ok(Some((at, len, entries)));
                }
                // The rest of the frame is in the file, not yet read.
                Err(DecodeError::Truncated { need: n, .. }) if n > bytes.len() && (n as u64) <= left => need = n,
                Err(e) => return Ok(Some((at, 0, Err(e)))),
            }
        }
    }
}

/// How many frames after the base complete it, from the base's entries.
fn base_frames(entries: &mut Entries) -> u32 {
    let Some(i) = entries.iter().position(|(k, _)| k == BASE_FRAMES) else {
        return 0;
    };
    let (_, v) = entries.remove(i);
    v.and_then(|v| Some(u32::from_le_bytes(v.get(..4)?.try_into().ok()?))).unwrap_or(0)
}

fn apply_entries(slots: &mut Slots, at: u64, len: usize, entries: Entries) {
    for (k, v) in entries {
        match v {
            Some(v) => slots.insert(k, Slot::new(at, len, v)),
            None => slots.remove(&k),
        };
    }
}

async fn replay<F: Files>(files: &F, name: &str) -> Result<Result<Replayed, Unusable>, StoreError> {
    let mut reader = FrameReader::new(files, name).await?;
    let damaged = |e: DecodeError| match e {
        DecodeError::UnsupportedVersion(v) => Unusable::Newer(v),
        e => Unusable::Damaged(e),
    };
    let (at, len, mut base) = match reader.next(Kind::JournalBase).await? {
        None => return Ok(Err(Unusable::Damaged(DecodeError::Truncated { have: 0, need: HEADER_LEN }))),
        Some((at, len, Ok(base))) => (at, len, base),
        Some((_, _, Err(e))) => return Ok(Err(damaged(e))),
    };
    let complete_after = base_frames(&mut base);
    let mut slots = Slots::new();
    apply_entries(&mut slots, at, len, base);
    let mut good_len = len as u64;
    let mut frames = 0u32;
    loop {
        match reader.next(Kind::JournalBatch).await? {
            Some((at, len, Ok(entries))) => {
                apply_entries(&mut slots, at, len, entries);
                good_len = at + len as u64;
                frames += 1;
            }
            Some((_, _, Err(DecodeError::UnsupportedVersion(v)))) => return Ok(Err(Unusable::Newer(v))),
            // A torn or damaged frame: what follows it cannot be trusted.
            end => {
                if frames < complete_after {
                    // A compaction that did not finish: the file before it is the complete one.
                    let why = match end {
                        Some((_, _, Err(e))) => e,
                        _ => DecodeError::Payload(format!("an unfinished compaction: {frames} of {complete_after} frames")),
                    };
                    return Ok(Err(Unusable::Damaged(why)));
                }
                break;
            }
        }
    }
    Ok(Ok(Replayed { slots, good_len }))
}

/// What opening found, for the log.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Opened {
    pub file: String,
    /// Bytes of a torn last frame cut off.
    pub cut: usize,
    /// Files that could not be read (and were removed, a complete one being there).
    pub unreadable: Vec<(String, DecodeError)>,
}

struct State {
    n: u64,
    len: u64,
    slots: Slots,
    /// Bytes of the live records, as a base frame would hold them.
    live: u64,
    /// Appended since the last flush.
    unflushed: bool,
}

impl State {
    fn apply(&mut self, key: &str, value: Option<&[u8]>, at: u64, len: usize) {
        if let Some(old) = self.slots.remove(key) {
            self.live -= (key.len() + old.size as usize) as u64;
        }
        if let Some(v) = value {
            self.live += (key.len() + v.len()) as u64;
            self.slots.insert(key.to_string(), Slot::new(at, len, v.to_vec()));
        }
    }
}

fn live_bytes(slots: &Slots) -> u64 {
    slots.iter().map(|(k, s)| (k.len() + s.size as usize) as u64).sum()
}

pub struct JournalFile<F> {
    files: F,
    slack: u64,
    frame_target: usize,
    state: RefCell<State>,
}

impl<F: Files> JournalFile<F> {
    /// Opens the newest complete file, cuts its torn tail, removes the files
    /// it supersedes; starts `journal-1` where there is none.
    pub async fn open(files: F) -> Result<(Self, Opened), StoreError> {
        Self::open_with(files, COMPACT_SLACK, FRAME_TARGET).await
    }

    /// `open`, compacting past `slack` dead bytes into frames of about
    /// `frame_target` bytes (tests compact sooner and smaller).
    pub async fn open_with(files: F, slack: u64, frame_target: usize) -> Result<(Self, Opened), StoreError> {
        let mut numbers: Vec<u64> = files.list().await?.iter().filter_map(|n| file_number(n)).collect();
        numbers.sort_unstable_by(|a, b| b.cmp(a));
        let mut opened = Opened::default();
        let mut found = None;
        for &n in &numbers {
            let name = file_name(n);
            match replay(&files, &name).await? {
                Ok(r) => {
                    let file_len = files.size(&name).await?;
                    found = Some((n, r, file_len));
                    break;
                }
                Err(Unusable::Newer(v)) => {
                    return Err(StoreError::Record {
                        key: name,
                        error: DecodeError::UnsupportedVersion(v),
                    })
                }
                Err(Unusable::Damaged(e)) => opened.unreadable.push((name, e)),
            }
        }
        let (n, slots, len) = match found {
            Some((n, r, file_len)) => {
                let name = file_name(n);
                if r.good_len < file_len {
                    files.truncate(&name, r.good_len).await?;
                    opened.cut = (file_len - r.good_len) as usize;
                }
                // Older files are superseded; newer ones are an interrupted
                // compaction or damaged beyond use.
                for &m in numbers.iter().filter(|&&m| m != n) {
                    files.remove(&file_name(m)).await?;
                }
                (n, r.slots, r.good_len)
            }
            None => {
                // Nothing readable: start after the damaged files, which stay
                // until a complete newer file supersedes them.
                let n = numbers.first().map_or(1, |m| m + 1);
                let base = frame(Kind::JournalBase, &[]);
                files.write(&file_name(n), 0, &base).await?;
                files.flush(&file_name(n)).await?;
                (n, Slots::new(), base.len() as u64)
            }
        };
        opened.file = file_name(n);
        let live = live_bytes(&slots);
        let state = State {
            n,
            len,
            slots,
            live,
            unflushed: false,
        };
        Ok((
            Self {
                files,
                slack,
                frame_target,
                state: RefCell::new(state),
            },
            opened,
        ))
    }

    pub fn files(&self) -> &F {
        &self.files
    }

    /// Whether the file holds a record under `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.state.borrow().slots.contains_key(key)
    }

    /// The file written to now and its length.
    pub fn position(&self) -> (String, u64) {
        let s = self.state.borrow();
        (file_name(s.n), s.len)
    }

    /// Flushes what was appended since the last flush.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (name, unflushed) = {
            let s = self.state.borrow();
            (file_name(s.n), s.unflushed)
        };
        if unflushed {
            self.files.flush(&name).await?;
            self.state.borrow_mut().unflushed = false;
        }
        Ok(())
    }

    /// The values of `wanted`, in order: kept ones from memory, the others
    /// decoded from their frames in file `name`, each frame read once and
    /// frames close together in one read.
    async fn values(&self, name: &str, wanted: &[(String, Slot)]) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut frames: Vec<(u64, u32)> = wanted.iter().filter(|(_, s)| s.value.is_none()).map(|(_, s)| (s.at, s.len)).collect();
        frames.sort_unstable();
        frames.dedup();
        let mut decoded: BTreeMap<u64, Entries> = BTreeMap::new();
        let mut i = 0;
        while i < frames.len() {
            // One read for a run of frames with less than a chunk between them.
            let start = frames[i].0;
            let mut end = start + frames[i].1 as u64;
            let mut j = i + 1;
            while j < frames.len() && frames[j].0 <= end + READ_CHUNK && frames[j].0 + frames[j].1 as u64 - start <= 4 * READ_CHUNK {
                end = end.max(frames[j].0 + frames[j].1 as u64);
                j += 1;
            }
            let bytes = self.files.read_at(name, start, end - start).await?;
            for &(at, len) in &frames[i..j] {
                let f = bytes.get((at - start) as usize..(at - start) as usize + len as usize).unwrap_or_default();
                let entries = decode_frame(f, kind_at(at)).map_err(|error| StoreError::Record {
                    key: format!("{name}@{at}"),
                    error,
                })?;
                decoded.insert(at, entries);
            }
            i = j;
        }
        wanted
            .iter()
            .map(|(key, slot)| match &slot.value {
                Some(v) => Ok(v.clone()),
                None => decoded
                    .get(&slot.at)
                    .and_then(|entries| entries.iter().rev().find(|(k, _)| k == key))
                    .and_then(|(_, v)| v.clone())
                    .ok_or_else(|| StoreError::NotFound(format!("{key} in {name}@{}", slot.at))),
            })
            .collect()
    }

    /// The live records under `prefix` (all with ""), with their values.
    async fn read_range(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let (name, wanted) = {
            let s = self.state.borrow();
            let wanted: Vec<(String, Slot)> = s
                .slots
                .range(prefix.to_string()..)
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(k, slot)| (k.clone(), slot.clone()))
                .collect();
            (file_name(s.n), wanted)
        };
        let values = self.values(&name, &wanted).await?;
        Ok(wanted.into_iter().map(|(k, _)| k).zip(values).collect())
    }

    /// Writes the live records as the next file, then removes this one: a
    /// base frame with the small records and how many frames follow it,
    /// then the others in frames of about `frame_target` bytes. Opening
    /// takes the new file only once all of them are there; a failure leaves
    /// this file as it was.
    async fn compact(&self) -> Result<(), StoreError> {
        let (old, new, live) = {
            let s = self.state.borrow();
            let live: Vec<(String, Slot)> = s.slots.iter().map(|(k, slot)| (k.clone(), slot.clone())).collect();
            (file_name(s.n), file_name(s.n + 1), live)
        };
        let (kept, read): (Vec<_>, Vec<_>) = live.into_iter().partition(|(_, s)| s.value.is_some());
        let mut groups: Vec<Vec<(String, Slot)>> = Vec::new();
        let mut group_bytes = usize::MAX;
        for (k, s) in read {
            if group_bytes >= self.frame_target {
                groups.push(Vec::new());
                group_bytes = 0;
            }
            group_bytes += k.len() + s.size as usize;
            groups.last_mut().expect("pushed above").push((k, s));
        }
        let count = (groups.len() as u32).to_le_bytes();
        let mut base_entries: Vec<(&str, Option<&[u8]>)> = kept.iter().map(|(k, s)| (k.as_str(), s.value.as_deref())).collect();
        if !groups.is_empty() {
            base_entries.push((BASE_FRAMES, Some(&count)));
        }
        let base = frame(Kind::JournalBase, &base_entries);
        let written = async {
            let mut slots = Slots::new();
            // A file of that name left by an earlier failed attempt goes first.
            self.files.truncate(&new, 0).await?;
            self.files.write(&new, 0, &base).await?;
            for (k, s) in &kept {
                slots.insert(
                    k.clone(),
                    Slot {
                        at: 0,
                        len: base.len() as u32,
                        ..s.clone()
                    },
                );
            }
            let mut at = base.len() as u64;
            for group in &groups {
                let values = self.values(&old, group).await?;
                let entries: Vec<(&str, Option<&[u8]>)> = group.iter().zip(&values).map(|((k, _), v)| (k.as_str(), Some(v.as_slice()))).collect();
                let bytes = frame(Kind::JournalBatch, &entries);
                self.files.write(&new, at, &bytes).await?;
                for ((k, _), v) in group.iter().zip(values) {
                    slots.insert(k.clone(), Slot::new(at, bytes.len(), v));
                }
                at += bytes.len() as u64;
            }
            self.files.flush(&new).await?;
            Ok::<_, StoreError>((slots, at))
        };
        let (slots, len) = match written.await {
            Ok(done) => done,
            Err(e) => {
                let _ = self.files.remove(&new).await;
                return Err(e);
            }
        };
        {
            let mut s = self.state.borrow_mut();
            s.n += 1;
            s.len = len;
            s.live = live_bytes(&slots);
            s.slots = slots;
            s.unflushed = false;
        }
        // If this fails, the next open removes it: the new file is complete.
        let _ = self.files.remove(&old).await;
        Ok(())
    }

    fn wants_compaction(&self) -> bool {
        let s = self.state.borrow();
        s.len > 2 * s.live + self.slack
    }
}

impl<F: Files> Backend for JournalFile<F> {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let (name, slot) = {
            let s = self.state.borrow();
            match s.slots.get(key) {
                None => return Ok(None),
                Some(slot) => (file_name(s.n), slot.clone()),
            }
        };
        let mut values = self.values(&name, &[(key.to_string(), slot)]).await?;
        Ok(values.pop())
    }

    async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let s = self.state.borrow();
        Ok(s.slots
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect())
    }

    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.read_range(prefix).await
    }

    /// One frame appended: all of `ops` or, after a kill, none.
    async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let entries: Vec<(&str, Option<&[u8]>)> = ops
            .iter()
            .map(|op| match op {
                Op::Put(k, v) => (k.as_str(), Some(v.as_slice())),
                Op::Delete(k) => (k.as_str(), None),
            })
            .collect();
        let bytes = frame(Kind::JournalBatch, &entries);
        let (name, at) = self.position();
        if let Err(e) = self.files.write(&name, at, &bytes).await {
            // A part of the frame may be there: cut it now (else the next
            // open does, as a torn tail).
            let _ = self.files.truncate(&name, at).await;
            return Err(e);
        }
        {
            let mut s = self.state.borrow_mut();
            s.len += bytes.len() as u64;
            s.unflushed = true;
            for (k, v) in entries {
                s.apply(k, v, at, bytes.len());
            }
        }
        if self.wants_compaction() {
            // The commit is in; a failed compaction is tried again next time.
            let _ = self.compact().await;
        }
        Ok(())
    }

    async fn sync(&self) -> Result<(), StoreError> {
        self.flush().await
    }
}

pub mod memory {
    //! Files in memory, which can "lose power" after a given number of
    //! bytes: every write, truncation and removal costs one step, and each
    //! byte written one more; the step that crosses the budget is done in
    //! part (a write: its first bytes) and every later call fails.
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    #[derive(Debug, Default, Clone)]
    pub struct MemoryFiles {
        pub files: Rc<RefCell<BTreeMap<String, Vec<u8>>>>,
        /// Steps left before the power goes (`None`: never).
        pub budget: Rc<Cell<Option<u64>>>,
        pub flushes: Rc<Cell<u64>>,
        pub bytes_written: Rc<Cell<u64>>,
        pub bytes_read: Rc<Cell<u64>>,
    }

    impl MemoryFiles {
        /// The same files after a restart: the budget is gone.
        pub fn restarted(&self) -> Self {
            Self {
                files: Rc::new(RefCell::new(self.files.borrow().clone())),
                ..Default::default()
            }
        }

        /// One step (a truncation, a removal) done whole, or the power goes.
        fn step(&self) -> Result<(), StoreError> {
            match self.spend(1)? {
                1 => Ok(()),
                _ => Err(StoreError::Backend("the power went".into())),
            }
        }

        fn spend(&self, steps: u64) -> Result<u64, StoreError> {
            match self.budget.get() {
                None => Ok(steps),
                Some(0) => Err(StoreError::Backend("the power went".into())),
                Some(b) => {
                    self.budget.set(Some(b.saturating_sub(steps)));
                    Ok(steps.min(b))
                }
            }
        }
    }

    impl Files for MemoryFiles {
        async fn list(&self) -> Result<Vec<String>, StoreError> {
            self.spend(0)?;
            Ok(self.files.borrow().keys().cloned().collect())
        }
        async fn size(&self, name: &str) -> Result<u64, StoreError> {
            self.spend(0)?;
            Ok(self.files.borrow().get(name).map_or(0, |f| f.len() as u64))
        }
        async fn read_at(&self, name: &str, at: u64, len: u64) -> Result<Vec<u8>, StoreError> {
            self.spend(0)?;
            let files = self.files.borrow();
            let f = files.get(name).map_or(&[][..], |f| f.as_slice());
            let start = (at as usize).min(f.len());
            let end = start.saturating_add(len as usize).min(f.len());
            self.bytes_read.set(self.bytes_read.get() + (end - start) as u64);
            Ok(f[start..end].to_vec())
        }
        async fn write(&self, name: &str, at: u64, bytes: &[u8]) -> Result<(), StoreError> {
            let steps = 1 + bytes.len() as u64;
            let done = self.spend(steps)?;
            let n = done.saturating_sub(1) as usize;
            let mut files = self.files.borrow_mut();
            let f = files.entry(name.to_string()).or_default();
            let at = at as usize;
            if f.len() < at + n {
                f.resize(at + n, 0);
            }
            f[at..at + n].copy_from_slice(&bytes[..n]);
            self.bytes_written.set(self.bytes_written.get() + n as u64);
            if done < steps {
                return Err(StoreError::Backend("the power went".into()));
            }
            Ok(())
        }
        async fn truncate(&self, name: &str, len: u64) -> Result<(), StoreError> {
            self.step()?;
            if let Some(f) = self.files.borrow_mut().get_mut(name) {
                f.truncate(len as usize);
            }
            Ok(())
        }
        async fn flush(&self, _name: &str) -> Result<(), StoreError> {
            self.spend(0)?;
            self.flushes.set(self.flushes.get() + 1);
            Ok(())
        }
        async fn remove(&self, name: &str) -> Result<(), StoreError> {
            self.step()?;
            self.files.borrow_mut().remove(name);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::memory::MemoryFiles;
    use super::*;
    use crate::store::block_on;

    type Records = BTreeMap<String, Vec<u8>>;

    /// Compaction past 2 KiB of dead bytes, so the workload compacts often,
    /// into frames of 1.5 KiB, so a compacted file has several.
    const SLACK: u64 = 2048;
    const FRAMES: usize = 1536;

    fn open(files: &MemoryFiles) -> JournalFile<MemoryFiles> {
        block_on(JournalFile::open_with(files.clone(), SLACK, FRAMES)).unwrap().0
    }

    /// Every live record with its value, read as the store reads them.
    fn records(j: &JournalFile<MemoryFiles>) -> Records {
        block_on(j.scan("")).unwrap().into_iter().collect()
    }

    /// A put of `len` bytes that do not compress (records are compressed).
    fn put(k: &str, len: usize, seed: u8) -> Op {
        let mut x = seed as u32 + 1;
        let value = (0..len)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        Op::Put(k.into(), value)
    }

    /// A run of commits that compacts several times.
    fn workload() -> Vec<Vec<Op>> {
        let mut w = Vec::new();
        for i in 0..12u8 {
            w.push(vec![put("run", 20, i), put(&format!("jr/{i}"), 900, i)]);
            w.push(vec![Op::Delete(format!("jr/{}", i.wrapping_sub(3))), put("ck/1", 200, i)]);
        }
        w
    }

    fn apply(model: &mut Records, ops: &[Op]) {
        for op in ops {
            match op {
                Op::Put(k, v) => {
                    model.insert(k.clone(), v.clone());
                }
                Op::Delete(k) => {
                    model.remove(k);
                }
            }
        }
    }

    /// The workload committed to a new file, and the records it leaves.
    fn after_workload(files: &MemoryFiles) -> (JournalFile<MemoryFiles>, Records) {
        let j = open(files);
        let mut model = Records::new();
        for ops in workload() {
            apply(&mut model, &ops);
            block_on(j.commit(ops)).unwrap();
        }
        assert!(j.state.borrow().n > 1, "the workload compacted at least once");
        (j, model)
    }

    #[test]
    fn records_survive_reopening_and_compaction_keeps_them() {
        let files = MemoryFiles::default();
        let (j, model) = after_workload(&files);
        assert_eq!(files.files.borrow().len(), 1, "superseded files are removed");
        assert_eq!(records(&j), model);
        assert_eq!(records(&open(&files.restarted())), model);
    }

    /// Only small values stay in memory: the rest is read back from the
    /// file, also after compaction has regrouped it into several frames.
    #[test]
    fn large_values_are_read_back_from_the_file_not_held() {
        let files = MemoryFiles::default();
        let (j, model) = after_workload(&files);
        for (k, slot) in &j.state.borrow().slots {
            assert_eq!(slot.value.is_some(), slot.size as usize <= KEEP_IN_MEMORY, "{k}");
        }
        assert!(j.state.borrow().slots.values().any(|s| s.value.is_none()));
        let read = files.bytes_read.get();
        assert_eq!(block_on(j.keys("")).unwrap(), model.keys().cloned().collect::<Vec<_>>());
        assert_eq!(block_on(j.get("run")).unwrap().as_ref(), model.get("run"));
        assert_eq!(files.bytes_read.get(), read, "listing keys and reading a small value read nothing");
        assert_eq!(records(&j), model);
        for (k, v) in &model {
            assert_eq!(block_on(j.get(k)).unwrap().as_ref(), Some(v), "{k}");
        }
    }

    /// A file written before compaction wrote frames after the base (one
    /// base frame holding everything) still opens whole.
    #[test]
    fn a_base_frame_holding_every_record_still_opens() {
        let files = MemoryFiles::default();
        let Op::Put(_, big) = put("ck/1", 5000, 3) else { unreachable!() };
        let entries = [("ck/1", Some(big.as_slice())), ("run", Some(&b"mark"[..]))];
        files.files.borrow_mut().insert(file_name(4), frame(Kind::JournalBase, &entries));
        let j = open(&files);
        assert_eq!(records(&j), Records::from([("ck/1".into(), big), ("run".into(), b"mark".to_vec())]));
        assert_eq!(j.position().0, file_name(4));
    }

    /// The power goes at every step and every byte of every write of the
    /// workload (commits and compactions): the files then open to exactly
    /// the records of the commits that had returned, plus possibly the one
    /// that was under way, and never to anything else.
    #[test]
    fn an_interruption_at_any_byte_loses_no_finished_commit() {
        let total = {
            let files = MemoryFiles::default();
            let j = open(&files);
            let before = files.bytes_written.get();
            let mut steps = 0u64;
            files.budget.set(Some(u64::MAX));
            for ops in workload() {
                block_on(j.commit(ops)).unwrap();
            }
            steps += u64::MAX - files.budget.get().unwrap();
            assert!(files.bytes_written.get() > before);
            steps
        };
        for budget in 0..=total {
            let files = MemoryFiles::default();
            let j = open(&files);
            files.budget.set(Some(budget));
            let mut done = Records::new();
            let mut under_way = None;
            for ops in workload() {
                let mut next = done.clone();
                apply(&mut next, &ops);
                if block_on(j.commit(ops)).is_ok() {
                    done = next;
                } else {
                    under_way = Some(next);
                    break;
                }
            }
            let (back, _) = block_on(JournalFile::open_with(files.restarted(), SLACK, FRAMES)).unwrap_or_else(|e| panic!("budget {budget}: {e}"));
            let got = records(&back);
            assert!(got == done || Some(&got) == under_way.as_ref(), "budget {budget}: reopened to something else");
            // And it goes on from there.
            block_on(back.commit(vec![put("after", 3, 1)])).unwrap();
            let again = records(&open(&back.files().restarted()));
            assert!(again.contains_key("after"), "budget {budget}");
        }
    }

    #[test]
    fn a_torn_tail_is_cut_and_appends_continue_after_the_last_good_frame() {
        let files = MemoryFiles::default();
        let j = open(&files);
        block_on(j.commit(vec![put("run", 10, 1)])).unwrap();
        block_on(j.commit(vec![put("jr/1", 10, 2)])).unwrap();
        let (name, len) = j.position();
        // A kill in the middle of the next frame.
        files
            .files
            .borrow_mut()
            .get_mut(&name)
            .unwrap()
            .extend_from_slice(&codec::encode(Kind::JournalBatch, &1u8)[..7]);
        let (back, opened) = block_on(JournalFile::open_with(files.restarted(), SLACK, FRAMES)).unwrap();
        assert_eq!(opened.cut, 7);
        assert_eq!(back.position(), (name.clone(), len));
        block_on(back.commit(vec![put("jr/2", 10, 3)])).unwrap();
        let r = records(&open(&back.files().restarted()));
        assert_eq!(r.keys().collect::<Vec<_>>(), ["jr/1", "jr/2", "run"]);
    }

    /// A flipped byte in the middle (a disk fault): the records of the frames
    /// before it are kept, the rest cannot be trusted.
    #[test]
    fn a_damaged_frame_keeps_what_came_before_it() {
        let files = MemoryFiles::default();
        let j = open(&files);
        block_on(j.commit(vec![put("a", 10, 1)])).unwrap();
        let (name, mid) = j.position();
        block_on(j.commit(vec![put("b", 10, 2)])).unwrap();
        block_on(j.commit(vec![put("c", 10, 3)])).unwrap();
        files.files.borrow_mut().get_mut(&name).unwrap()[mid as usize + HEADER_LEN + 2] ^= 0x40;
        let r = records(&open(&files.restarted()));
        assert_eq!(r.keys().collect::<Vec<_>>(), ["a"]);
    }

    /// A newer Lifeboat's file: this one refuses it and changes nothing.
    #[test]
    fn a_file_from_a_newer_lifeboat_is_refused_untouched() {
        let files = MemoryFiles::default();
        let j = open(&files);
        block_on(j.commit(vec![put("run", 10, 1)])).unwrap();
        let (name, at) = j.position();
        let mut newer = frame(Kind::JournalBatch, &[("ck/9", Some(&[1u8, 2][..]))]);
        newer[4..6].copy_from_slice(&(codec::VERSION + 1).to_le_bytes());
        let crc = codec::checksum(&newer[0..16], &newer[HEADER_LEN..]);
        newer[16..20].copy_from_slice(&crc.to_le_bytes());
        files.files.borrow_mut().get_mut(&name).unwrap().extend_from_slice(&newer);
        let before = files.files.borrow().clone();
        let err = block_on(JournalFile::open(files.restarted())).err().expect("refused");
        assert!(
            matches!(&err, StoreError::Record { error: DecodeError::UnsupportedVersion(v), .. } if *v == codec::VERSION + 1),
            "{err:?}"
        );
        assert!(err.to_string().contains("newer Lifeboat"), "{err}");
        assert_eq!(*files.files.borrow(), before);
        assert!(at > 0);
    }

    #[test]
    fn an_unreadable_file_is_kept_until_a_complete_newer_one_exists() {
        let files = MemoryFiles::default();
        files.files.borrow_mut().insert("journal-3".into(), b"not a journal".to_vec());
        files.files.borrow_mut().insert("unrelated".into(), b"x".to_vec());
        let (j, opened) = block_on(JournalFile::open(files.clone())).unwrap();
        assert_eq!(opened.file, "journal-4");
        assert_eq!(opened.unreadable.len(), 1);
        assert!(files.files.borrow().contains_key("journal-3"));
        block_on(j.commit(vec![put("run", 1, 1)])).unwrap();
        let (_, opened) = block_on(JournalFile::open(files.clone())).unwrap();
        assert_eq!(opened.file, "journal-4");
        assert_eq!(files.files.borrow().keys().collect::<Vec<_>>(), ["journal-4", "unrelated"]);
    }

    #[test]
    fn a_commit_appends_about_its_own_bytes_and_a_sync_flushes_once() {
        let files = MemoryFiles::default();
        let j = open(&files);
        let before = files.bytes_written.get();
        block_on(j.commit(vec![put("jr/1-x", 100, 7)])).unwrap();
        let cost = files.bytes_written.get() - before;
        assert!(cost < 100 + 60, "a 100-byte record cost {cost} bytes");
        let flushes = files.flushes.get();
        block_on(j.sync()).unwrap();
        block_on(j.sync()).unwrap();
        assert_eq!(files.flushes.get(), flushes + 1, "nothing new, nothing to flush");
    }
}
