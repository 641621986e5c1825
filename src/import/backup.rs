//! Lifeboat's full backup (`"format": "lifeboat-backup"`, `view::backup`):
//! every stored record, decoded to JSON. Read back by encoding each record
//! again into an in-memory store and asking the store itself, so the
//! journal replay is the keeper's own: the latest autosave (checkpoint and
//! journal), each earlier session set aside at a browser start, and each
//! named save whose content the backup holds. The sessions then go through
//! Lifeboat's own export and import, so a hand-edited backup passes the same
//! URL checks as any other file.

use super::lifeboat_file;
use super::{lifeboat, ImportError, Imported, MAX_INPUT};
use crate::codec::{self, Kind};
use crate::dates::utc;
use crate::journal::Delta;
use crate::message;
use crate::model::Saved;
use crate::model::{Millis, Session};
use crate::named::{self, NamedMeta, NamedSave};
use crate::store::memory::MemoryBackend;
use crate::store::{block_on, SetAside, Snapshot, Store};
use serde::Deserialize;
use serde_json::Value;

pub use super::BACKUP_FORMAT as FORMAT;
pub const VERSION: u64 = 1;
pub const LATEST_NAME: &str = "Autosave (latest)";

#[derive(Deserialize)]
struct Backup {
    #[serde(default)]
    version: Option<u64>,
    #[serde(default)]
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct Record {
    key: String,
    #[serde(default)]
    value: Value,
}

pub fn parse(bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_INPUT {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_INPUT as u64,
        });
    }
    // serde_json's own depth limit keeps hostile nesting off the stack.
    let backup: Backup = serde_json::from_slice(super::text::strip_bom(bytes)).map_err(|e| ImportError::BadJson {
        line: e.line(),
        column: e.column(),
        detail: e.to_string(),
    })?;
    match backup.version {
        Some(v) if v > VERSION => return Err(ImportError::UnsupportedVersion(v)),
        Some(_) => {}
        None => return Err(ImportError::Unrecognised("its \"version\" is missing".into())),
    }
    let (store, unreadable) = rebuild(backup.records);
    let mut sessions: Vec<(String, Option<Millis>, Session)> = Vec::new();
    let mut notes = Vec::new();
    let mut store = Store::new(store);
    if let Ok(Some(latest)) = block_on(store.load_latest()) {
        sessions.push((LATEST_NAME.into(), Some(latest.snapshot.taken_at), latest.snapshot.session));
        notes.extend(latest.notice);
    }
    for (_, aside) in block_on(store.set_asides()).unwrap_or_default() {
        if let Ok(a) = aside {
            let name = format!("Earlier session ({})", utc(a.snapshot.taken_at));
            sessions.push((name, Some(a.snapshot.taken_at), a.snapshot.session));
        }
    }
    let metas = block_on(named::list(store.backend())).unwrap_or_default();
    let mut missing_named = 0usize;
    for meta in metas.iter().filter(|m| m.deleted_at.is_none()) {
        match block_on(named::get(store.backend(), &meta.id)) {
            Ok(save) => sessions.push((save.meta.name, Some(save.meta.updated_at), save.session)),
            Err(_) => missing_named += 1,
        }
    }
    if unreadable > 0 {
        notes.push(crate::msg!(message::N_NOTE_BACKUP_UNREADABLE, unreadable));
    }
    if missing_named > 0 {
        notes.push(crate::msg!(message::N_NOTE_BACKUP_MISSING, missing_named));
    }
    // Through Lifeboat's own format: the same checks as any imported file.
    let saved: Vec<Saved> = sessions
        .iter()
        .map(|(name, saved_at, session)| Saved {
            name,
            saved_at: *saved_at,
            session,
        })
        .collect();
    let mut out = match lifeboat::parse(lifeboat_file::write(&saved, 0).as_bytes()) {
        Err(ImportError::NothingToImport(mut n)) => {
            notes.append(&mut n);
            return Err(ImportError::NothingToImport(notes));
        }
        other => other?,
    };
    notes.append(&mut out.notes);
    out.notes = notes;
    Ok(out)
}

/// The store the backup was taken from, as far as its records decode;
/// and how many did not.
fn rebuild(records: Vec<Record>) -> (MemoryBackend, usize) {
    let store = MemoryBackend::default();
    let mut unreadable = 0;
    for Record { key, value } in records {
        let bytes = if key.starts_with("ck/") {
            encode::<Snapshot>(Kind::Checkpoint, value)
        } else if key.starts_with("jr/") {
            encode::<Delta>(Kind::Delta, value)
        } else if key.starts_with("prev/") {
            encode::<SetAside>(Kind::Checkpoint, value)
        } else if key == "named-index" {
            encode::<Vec<NamedMeta>>(Kind::Named, value)
        } else if key.starts_with("named/") {
            // Backups written so far list named saves without their content.
            if value.get("kind").is_some() {
                continue;
            }
            encode::<NamedSave>(Kind::Named, value)
        } else {
            // The run mark, settings, pages waiting for tabs: no tabs in them.
            continue;
        };
        match bytes {
            Some(b) => {
                store.data.borrow_mut().insert(key, b);
            }
            None => unreadable += 1,
        }
    }
    (store, unreadable)
}

fn encode<T: serde::de::DeserializeOwned + serde::Serialize>(kind: Kind, value: Value) -> Option<Vec<u8>> {
    let v: T = serde_json::from_value(value).ok()?;
    Some(codec::encode(kind, &v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, TabInfo, WindowInfo};
    use crate::keeper::Keeper;

    #[test]
    fn reads_a_real_backup() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), "1", "ext://me/", 0, true)).unwrap();
        k.apply(
            Event::WindowOpened(WindowInfo {
                id: 1,
                normal: true,
                ..Default::default()
            }),
            1,
        );
        for (id, url) in [(1, "https://a.example/"), (2, "https://b.example/")] {
            k.apply(
                Event::TabCreated(TabInfo {
                    id,
                    window_id: 1,
                    index: id as usize - 1,
                    url: url.into(),
                    title: format!("T{id}"),
                    ..Default::default()
                }),
                2,
            );
            // A commit after each tab: a checkpoint, then a journal record.
            block_on(k.commit(3 + id as u64)).unwrap();
        }
        let text = block_on(crate::view::backup(&k, 9, true)).unwrap().to_string();
        let got = parse(text.as_bytes()).unwrap();
        let (name, s) = &got.sessions[0];
        assert_eq!(name, LATEST_NAME);
        let urls: Vec<_> = s.windows[0].tabs.iter().map(|t| t.url.as_str()).collect();
        assert_eq!(urls, ["https://a.example/", "https://b.example/"], "checkpoint plus journal");
        assert_eq!(
            parse(br#"{"format":"lifeboat-backup","version":2,"records":[]}"#),
            Err(ImportError::UnsupportedVersion(2))
        );
        assert!(matches!(
            parse(br#"{"format":"lifeboat-backup","version":1,"records":[]}"#),
            Err(ImportError::NothingToImport(_))
        ));
        let damaged = text.replace("https://b.example/", "javascript:alert(1)");
        assert!(!format!("{:?}", parse(damaged.as_bytes())).contains("javascript:alert"));
    }
}
