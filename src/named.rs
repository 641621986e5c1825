//! Named saves: sessions the user keeps under a name. Each is one record;
//! an index lists them without decoding any (users keep hundreds). The index
//! is a cache: if it is lost or damaged it is rebuilt from the records, which
//! carry their own name and dates, so a save is never lost with it.

use crate::codec::{self, Kind};
use crate::model::{Millis, Session};
use crate::store::{Backend, Op, StoreError};
use serde::{Deserialize, Serialize};

use crate::keys::{NAMED_INDEX as INDEX, NAMED_RECORD as PREFIX};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct NamedMeta {
    pub id: String,
    pub name: String,
    pub tags: Vec<String>,
    #[cfg_attr(test, ts(type = "number"))]
    pub created_at: Millis,
    #[cfg_attr(test, ts(type = "number"))]
    pub updated_at: Millis,
    pub windows: u32,
    pub tabs: u32,
    /// Deleted, but can be brought back until purged. (No serde skipping:
    /// the stored encoding is not self-describing.)
    #[cfg_attr(test, ts(type = "number | null"))]
    pub deleted_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedSave {
    pub meta: NamedMeta,
    pub session: Session,
}

fn record_key(id: &str) -> String {
    format!("{PREFIX}{id}")
}

/// Longest name kept; longer ones are cut.
pub const MAX_NAME: usize = 200;

fn clean_name(name: &str) -> String {
    let n: String = name.trim().chars().filter(|c| !c.is_control()).take(MAX_NAME).collect();
    n
}

/// The index, rebuilt from the records if it is missing but records exist,
/// or unreadable.
pub async fn index<B: Backend>(b: &B) -> Result<Vec<NamedMeta>, StoreError> {
    if let Some(bytes) = b.get(INDEX).await? {
        if let Ok(list) = codec::decode::<Vec<NamedMeta>>(Kind::Named, &bytes) {
            return Ok(list);
        }
    }
    let mut list = Vec::new();
    for key in b.keys(PREFIX).await? {
        if let Some(bytes) = b.get(&key).await? {
            if let Ok(save) = codec::decode::<NamedSave>(Kind::Named, &bytes) {
                list.push(save.meta);
            }
        }
    }
    Ok(list)
}

/// Live saves, newest first.
pub async fn list<B: Backend>(b: &B) -> Result<Vec<NamedMeta>, StoreError> {
    let mut list: Vec<NamedMeta> = index(b).await?.into_iter().filter(|m| m.deleted_at.is_none()).collect();
    crate::sorting::sort_by_key(&mut list, |m| std::cmp::Reverse(m.updated_at));
    Ok(list)
}

pub async fn get<B: Backend>(b: &B, id: &str) -> Result<NamedSave, StoreError> {
    let key = record_key(id);
    let bytes = b.get(&key).await?.ok_or_else(|| StoreError::NotFound(id.into()))?;
    codec::decode(Kind::Named, &bytes).map_err(|error| StoreError::Record { key, error })
}

/// Writes a save and the index in one batch.
async fn write<B: Backend>(b: &B, mut idx: Vec<NamedMeta>, save: &NamedSave) -> Result<(), StoreError> {
    idx.retain(|m| m.id != save.meta.id);
    idx.push(save.meta.clone());
    b.commit(vec![
        Op::Put(record_key(&save.meta.id), codec::encode(Kind::Named, save)),
        Op::Put(INDEX.into(), codec::encode(Kind::Named, &idx)),
    ])
    .await
}

/// Stores a save exactly as given (from another device), replacing any
/// save with its id.
pub async fn put<B: Backend>(b: &B, save: &NamedSave) -> Result<(), StoreError> {
    let idx = index(b).await?;
    write(b, idx, save).await
}

/// Saves `session` under `name` as a new named save.
pub async fn create<B: Backend>(b: &B, name: &str, tags: Vec<String>, session: Session, now: Millis) -> Result<NamedMeta, StoreError> {
    let idx = index(b).await?;
    let mut n = now;
    let id = loop {
        let id = crate::source::named(n);
        if !idx.iter().any(|m| m.id == id) {
            break id;
        }
        n += 1;
    };
    let name = match clean_name(name) {
        n if n.is_empty() => default_name(now),
        n => n,
    };
    let meta = NamedMeta {
        id,
        name,
        tags,
        created_at: now,
        updated_at: now,
        windows: session.windows.len() as u32,
        tabs: session.tab_count() as u32,
        deleted_at: None,
    };
    write(b, idx, &NamedSave { meta: meta.clone(), session }).await?;
    Ok(meta)
}

/// "Session of 2026-11-25 14:03 UTC" (the core has no time zone).
pub fn default_name(now: Millis) -> String {
    format!("Session of {}", crate::dates::utc(now))
}

/// Changes a save: its session, name or tags.
pub async fn update<B: Backend>(b: &B, id: &str, now: Millis, change: impl FnOnce(&mut NamedSave)) -> Result<NamedMeta, StoreError> {
    let idx = index(b).await?;
    let mut save = get(b, id).await?;
    change(&mut save);
    save.meta.name = match clean_name(&save.meta.name) {
        n if n.is_empty() => default_name(save.meta.created_at),
        n => n,
    };
    save.meta.tags = save.meta.tags.iter().map(|t| clean_name(t)).filter(|t| !t.is_empty()).take(50).collect();
    save.meta.windows = save.session.windows.len() as u32;
    save.meta.tabs = save.session.tab_count() as u32;
    save.meta.updated_at = now;
    write(b, idx, &save).await?;
    Ok(save.meta)
}

/// Hides a save (or brings it back): the record stays until `purge`. The
/// change dates the save, so it reaches other devices through sync.
pub async fn set_deleted<B: Backend>(b: &B, id: &str, deleted: bool, now: Millis) -> Result<(), StoreError> {
    let mut idx = index(b).await?;
    let meta = idx.iter_mut().find(|m| m.id == id).ok_or_else(|| StoreError::NotFound(id.into()))?;
    meta.deleted_at = deleted.then_some(now);
    meta.updated_at = now;
    // Keep the record's own copy in step, so a rebuilt index agrees.
    let mut save = get(b, id).await?;
    save.meta = meta.clone();
    b.commit(vec![
        Op::Put(record_key(id), codec::encode(Kind::Named, &save)),
        Op::Put(INDEX.into(), codec::encode(Kind::Named, &idx)),
    ])
    .await
}

/// Removes saves deleted before `before` for good.
pub async fn purge<B: Backend>(b: &B, before: Millis) -> Result<usize, StoreError> {
    let idx = index(b).await?;
    let (gone, kept): (Vec<NamedMeta>, Vec<NamedMeta>) = idx.into_iter().partition(|m| m.deleted_at.is_some_and(|d| d < before));
    if gone.is_empty() {
        return Ok(0);
    }
    let mut ops: Vec<Op> = gone.iter().map(|m| Op::Delete(record_key(&m.id))).collect();
    ops.push(Op::Put(INDEX.into(), codec::encode(Kind::Named, &kept)));
    b.commit(ops).await?;
    Ok(gone.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::block_on;
    use crate::store::memory::MemoryBackend;

    use crate::test_kit::session_of as session;

    #[test]
    fn create_list_rename_delete_undo_purge() {
        let b = MemoryBackend::default();
        let a = block_on(create(&b, "  Trip\u{7}  ", vec!["travel".into()], session(3), 1000)).unwrap();
        let c = block_on(create(&b, "", vec![], session(1), 1000)).unwrap();
        assert_eq!(a.name, "Trip");
        assert_ne!(a.id, c.id, "same instant, distinct ids");
        assert!(c.name.starts_with("Session of 1970-01-01 00:00"));
        let l = block_on(list(&b)).unwrap();
        assert_eq!(l.len(), 2);
        let r = block_on(update(&b, &a.id, 2000, |s| s.meta.name = "Lisbon".into())).unwrap();
        assert_eq!((r.name.as_str(), r.tabs), ("Lisbon", 3));
        assert_eq!(block_on(list(&b)).unwrap()[0].id, a.id, "newest change first");
        block_on(set_deleted(&b, &a.id, true, 3000)).unwrap();
        assert_eq!(block_on(list(&b)).unwrap().len(), 1);
        block_on(set_deleted(&b, &a.id, false, 3000)).unwrap();
        assert_eq!(block_on(list(&b)).unwrap().len(), 2);
        block_on(set_deleted(&b, &a.id, true, 3000)).unwrap();
        assert_eq!(block_on(purge(&b, 2500)).unwrap(), 0);
        assert_eq!(block_on(purge(&b, 4000)).unwrap(), 1);
        assert!(block_on(get(&b, &a.id)).is_err());
    }

    #[test]
    fn a_lost_or_damaged_index_is_rebuilt_from_the_saves() {
        let b = MemoryBackend::default();
        let a = block_on(create(&b, "Work", vec![], session(2), 5)).unwrap();
        b.data.borrow_mut().insert(INDEX.into(), b"garbage".to_vec());
        assert_eq!(block_on(list(&b)).unwrap(), vec![a.clone()]);
        b.data.borrow_mut().remove(INDEX);
        assert_eq!(block_on(list(&b)).unwrap(), vec![a]);
    }

    #[test]
    fn default_names_are_dated() {
        assert_eq!(default_name(1_764_079_380_000), "Session of 2025-11-25 14:03 UTC");
    }
}
