//! Sync of named saves through the browser's own `storage.sync` (opt-in).
//!
//! `storage.sync` is small: 102,400 bytes in all, 8,192 per item, 512 items.
//! Each save goes as a manifest item `lb:m:<id>` (name, tags, dates, chunk
//! count, checksum) and its record (already LZ4-compressed) in base64 chunks
//! `lb:c:<id>:<n>` that fit an item. What does not fit the quota is not
//! synced, and the user is told which saves and why.
//!
//! Merging is three-way against what the last sync saw of each save: a side
//! that changed since wins; when both changed, the newer wins and the other
//! is kept locally as a copy, so neither device's edit is lost. A deleted save
//! leaves a small tombstone manifest so the deletion reaches other devices.

use crate::codec::{self, Kind};
use crate::model::Millis;
use crate::named::{self, NamedMeta, NamedSave};
use crate::store::{Backend, Op, StoreError};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub const QUOTA_BYTES: usize = 102_400;
pub const QUOTA_BYTES_PER_ITEM: usize = 8_192;
pub const MAX_ITEMS: usize = 512;
/// Room kept free under the quotas for rounding and other extensions' habits.
const SLACK: usize = 1_024;

use crate::keys::{SYNC_CHUNK as CHUNK, SYNC_MANIFEST as MANIFEST};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "t", default)]
    pub tags: Vec<String>,
    #[serde(rename = "c")]
    pub created_at: Millis,
    #[serde(rename = "u")]
    pub updated_at: Millis,
    /// Number of chunks; 0 for a tombstone.
    #[serde(rename = "k")]
    pub chunks: u32,
    #[serde(rename = "h")]
    pub crc: u32,
    #[serde(rename = "d", default)]
    pub deleted: bool,
}

/// What one sync does.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    /// Items to write to storage.sync.
    pub set: BTreeMap<String, Value>,
    pub remove: Vec<String>,
    /// Saves to store locally (new or newer from another device).
    pub pull: Vec<NamedSave>,
    /// Saves deleted on another device.
    pub delete_local: Vec<String>,
    /// Both sides changed: the local version is kept as a copy under this name.
    pub conflicts: Vec<(NamedSave, String)>,
    /// Saves not synced, with the reason.
    pub not_synced: Vec<(String, crate::message::Message)>,
    /// What each synced save's version is after this sync (the next base).
    pub synced: BTreeMap<String, Millis>,
}

fn item_size(key: &str, value: &Value) -> usize {
    key.len() + value.to_string().len()
}

fn chunks_of(record: &[u8]) -> Vec<String> {
    let text = base64::engine::general_purpose::STANDARD.encode(record);
    // A JSON string of base64 needs 2 quote bytes; keys are short.
    let per = QUOTA_BYTES_PER_ITEM - 64;
    text.as_bytes().chunks(per).map(|c| String::from_utf8_lossy(c).into_owned()).collect()
}

fn manifest_of(meta: &NamedMeta, chunks: u32, crc: u32) -> Manifest {
    Manifest {
        name: meta.name.clone(),
        tags: meta.tags.clone(),
        created_at: meta.created_at,
        updated_at: meta.updated_at,
        chunks,
        crc,
        deleted: meta.deleted_at.is_some(),
    }
}

/// Reads a save back from remote items; `None` if any piece is missing or damaged.
fn remote_save(id: &str, m: &Manifest, remote: &BTreeMap<String, Value>) -> Option<NamedSave> {
    let mut text = String::new();
    for i in 0..m.chunks {
        text.push_str(remote.get(&format!("{CHUNK}{id}:{i}"))?.as_str()?);
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
    if crc32fast::hash(&bytes) != m.crc {
        return None;
    }
    let mut save: NamedSave = codec::decode(Kind::Named, &bytes).ok()?;
    save.meta.id = id.to_string();
    Some(save)
}

/// Plans one sync. `local`: every named save with its encoded record
/// (deleted ones included, as tombstones); `remote`: all of storage.sync;
/// `base`: each save's `updated_at` as the last sync left it.
pub fn plan(local: &[(NamedSave, Vec<u8>)], remote: &BTreeMap<String, Value>, base: &BTreeMap<String, Millis>, now: Millis) -> Plan {
    let mut out = Plan::default();
    let manifests: BTreeMap<String, Manifest> = remote
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(MANIFEST)?.to_string(), serde_json::from_value(v.clone()).ok()?)))
        .collect();
    let local_by_id: BTreeMap<&str, &(NamedSave, Vec<u8>)> = local.iter().map(|l| (l.0.meta.id.as_str(), l)).collect();
    let ids: BTreeSet<&str> = local_by_id.keys().copied().chain(manifests.keys().map(String::as_str)).collect();
    let mut push: Vec<&(NamedSave, Vec<u8>)> = Vec::new();
    for id in ids {
        let l = local_by_id.get(id).copied();
        let r = manifests.get(id);
        let b = base.get(id).copied();
        match (l, r) {
            (Some(l), None) => push.push(l),
            (None, Some(r)) if r.deleted => {
                out.synced.insert(id.into(), r.updated_at);
            }
            (None, Some(r)) => match remote_save(id, r, remote) {
                Some(s) => {
                    out.synced.insert(id.into(), r.updated_at);
                    out.pull.push(s);
                }
                None => out.not_synced.push((id.into(), crate::message::SYNC_INCOMPLETE.msg())),
            },
            (Some(l), Some(r)) => {
                let lu = l.0.meta.updated_at;
                let local_changed = b.is_none_or(|b| lu > b);
                let remote_changed = b.is_none_or(|b| r.updated_at > b);
                if lu == r.updated_at {
                    out.synced.insert(id.into(), lu);
                } else if local_changed && !remote_changed {
                    push.push(l);
                } else if remote_changed && !local_changed || r.updated_at > lu {
                    // The other device's version wins; ours survives as a copy
                    // if we had changed it too.
                    if r.deleted {
                        if !local_changed {
                            out.delete_local.push(id.into());
                        } else {
                            push.push(l);
                            continue;
                        }
                    } else if let Some(s) = remote_save(id, r, remote) {
                        if local_changed {
                            out.conflicts.push((l.0.clone(), format!("{} (changed on this device)", l.0.meta.name)));
                        }
                        out.pull.push(s);
                    } else {
                        out.not_synced.push((id.into(), crate::message::SYNC_INCOMPLETE.msg()));
                        continue;
                    }
                    out.synced.insert(id.into(), r.updated_at);
                } else {
                    // Ours is newer: it wins; theirs survives as a copy.
                    if !r.deleted {
                        if let Some(s) = remote_save(id, r, remote) {
                            let name = format!("{} (changed on another device)", s.meta.name);
                            out.conflicts.push((s, name));
                        }
                    }
                    push.push(l);
                }
            }
            (None, None) => {}
        }
    }
    // Write what we push, newest first, as long as the quotas allow; items
    // of saves not pushed this time stay as they are.
    crate::sorting::sort_by_key(&mut push, |l| std::cmp::Reverse(l.0.meta.updated_at));
    let pushed_ids: BTreeSet<&str> = push.iter().map(|l| l.0.meta.id.as_str()).collect();
    let mut used: usize = remote
        .iter()
        .filter(|(k, _)| {
            !pushed_ids
                .iter()
                .any(|id| k.strip_prefix(MANIFEST) == Some(id) || k.starts_with(&format!("{CHUNK}{id}:")))
        })
        .map(|(k, v)| item_size(k, v))
        .sum();
    let mut items: usize = remote.len();
    for l in push {
        let (save, record) = (&l.0, &l.1);
        let id = save.meta.id.as_str();
        let old_items: Vec<&String> = remote
            .keys()
            .filter(|k| k.strip_prefix(MANIFEST) == Some(id) || k.starts_with(&format!("{CHUNK}{id}:")))
            .collect();
        let chunks = if save.meta.deleted_at.is_some() { Vec::new() } else { chunks_of(record) };
        let m = manifest_of(&save.meta, chunks.len() as u32, crc32fast::hash(record));
        let mut new_items: Vec<(String, Value)> = vec![(format!("{MANIFEST}{id}"), serde_json::to_value(&m).expect("manifest serialises"))];
        new_items.extend(chunks.into_iter().enumerate().map(|(i, c)| (format!("{CHUNK}{id}:{i}"), Value::String(c))));
        let size: usize = new_items.iter().map(|(k, v)| item_size(k, v)).sum();
        let count = items - old_items.len() + new_items.len();
        if used + size + SLACK > QUOTA_BYTES || count > MAX_ITEMS {
            out.not_synced.push((
                id.into(),
                crate::msg!(crate::message::SYNC_TOO_BIG, save.meta.name.as_str(), size / 1024 + 1, QUOTA_BYTES / 1024),
            ));
            continue;
        }
        used += size;
        items = count;
        for k in old_items {
            if !new_items.iter().any(|(n, _)| n == k) {
                out.remove.push(k.clone());
            }
        }
        out.set.extend(new_items);
        out.synced.insert(id.into(), save.meta.updated_at);
    }
    let _ = now;
    out
}

use crate::keys::SYNC_BASE as BASE;

/// Every named save, deleted ones included (their tombstones must travel),
/// as it may leave the device (without typed text), with its record, and
/// what the last sync saw.
pub async fn local_state<B: Backend>(b: &B) -> Result<(Vec<(NamedSave, Vec<u8>)>, BTreeMap<String, Millis>), StoreError> {
    let mut local = Vec::new();
    for meta in named::index(b).await? {
        if let Some(bytes) = b.get(&format!("named/{}", meta.id)).await? {
            if let Ok(mut save) = codec::decode::<NamedSave>(Kind::Named, &bytes) {
                // The index is the truth for names and deletion.
                save.meta = meta;
                // What people typed never leaves the device.
                save.session = save.session.without_typed_text();
                let bytes = codec::encode(Kind::Named, &save);
                local.push((save, bytes));
            }
        }
    }
    let base = match b.get(BASE).await? {
        Some(bytes) => codec::open(Kind::Settings, &bytes)
            .ok()
            .and_then(|raw| serde_json::from_slice(&raw).ok())
            .unwrap_or_default(),
        None => BTreeMap::new(),
    };
    Ok((local, base))
}

/// Applies the local half of a plan: pulled saves, deletions, conflict
/// copies, and the new base. The remote half (`set`, `remove`) is the edge's.
pub async fn apply_local<B: Backend>(b: &B, plan: &Plan, now: Millis) -> Result<(), StoreError> {
    for save in &plan.pull {
        named::put(b, save).await?;
    }
    for id in &plan.delete_local {
        let _ = named::set_deleted(b, id, true, now).await;
    }
    for (i, (save, name)) in plan.conflicts.iter().enumerate() {
        named::create(b, name, save.meta.tags.clone(), save.session.clone(), now + i as Millis).await?;
    }
    let base = codec::seal(Kind::Settings, &serde_json::to_vec(&plan.synced).expect("a map serialises"));
    b.commit(vec![Op::Put(BASE.into(), base)]).await
}

impl Plan {
    /// Nothing to write, pull, delete or merge (what does not fit is
    /// recomputed every time and says nothing new).
    pub fn is_quiet(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty() && self.pull.is_empty() && self.delete_local.is_empty() && self.conflicts.is_empty()
    }
}

/// The status line for the manager.
/// What a sync did, for the manager (`status.sync`).
pub fn summary(p: &Plan, now: Millis) -> crate::protocol::answer::SyncReport {
    crate::protocol::answer::SyncReport {
        at: now,
        pushed: Some(p.set.keys().filter(|k| k.starts_with(MANIFEST)).count()),
        pulled: Some(p.pull.len()),
        conflicts: Some(p.conflicts.iter().map(|(_, n)| n.clone()).collect()),
        not_synced: Some(p.not_synced.iter().map(|(_, why)| why.clone()).collect()),
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Session, Tab, Window};

    fn save(id: &str, name: &str, updated_at: Millis, tabs: usize) -> (NamedSave, Vec<u8>) {
        let t = (0..tabs)
            .map(|i| Tab {
                id: i as i64,
                url: format!("https://example.org/{id}/{i}/{}", "x".repeat(i % 50)),
                title: format!("{name} {i}"),
                ..Default::default()
            })
            .collect();
        let s = NamedSave {
            meta: NamedMeta {
                id: id.into(),
                name: name.into(),
                tags: vec![],
                created_at: 1,
                updated_at,
                windows: 1,
                tabs: tabs as u32,
                deleted_at: None,
            },
            session: Session {
                windows: vec![Window {
                    id: 1,
                    tabs: t,
                    ..Default::default()
                }],
            },
        };
        let bytes = codec::encode(Kind::Named, &s);
        (s, bytes)
    }

    /// Applies a plan to a simulated storage.sync.
    fn apply(remote: &mut BTreeMap<String, Value>, p: &Plan) {
        for k in &p.remove {
            remote.remove(k);
        }
        remote.extend(p.set.clone());
    }

    /// What people typed never leaves the device: the payload another
    /// device decodes holds the tabs and no typed text.
    #[test]
    fn the_sync_payload_holds_no_typed_text() {
        use crate::store::block_on;
        use crate::store::memory::MemoryBackend;
        let b = MemoryBackend::default();
        let mut session = Session {
            windows: vec![crate::test_kit::window_of(1, &[1, 2])],
        };
        session.windows[0].tabs[0].page = Some(crate::model::PageState {
            url: session.windows[0].tabs[0].url.clone(),
            scroll: Some((0, 10)),
            frames: vec![crate::model::FrameFields {
                frame: String::new(),
                url: session.windows[0].tabs[0].url.clone(),
                fields: vec![crate::test_kit::text_field("#note", "my secret draft")],
            }],
            ..Default::default()
        });
        block_on(named::create(&b, "Typed", vec![], session, 5)).unwrap();
        let (local, base) = block_on(local_state(&b)).unwrap();
        let p = plan(&local, &BTreeMap::new(), &base, 10);
        assert!(!p.set.is_empty());
        let mut remote = BTreeMap::new();
        apply(&mut remote, &p);
        let pulled = plan(&[], &remote, &BTreeMap::new(), 20).pull;
        assert_eq!(pulled.len(), 1);
        assert_eq!(pulled[0].session.tab_count(), 2, "the tabs travel");
        let decoded = format!("{:?}", pulled[0]);
        assert!(!decoded.contains("my secret draft"), "typed text travelled: {decoded}");
        // It stays on this device.
        let kept = block_on(named::get(&b, &pulled[0].meta.id)).unwrap();
        assert!(format!("{kept:?}").contains("my secret draft"));
    }

    #[test]
    fn two_devices_converge_and_quotas_hold() {
        let mut remote = BTreeMap::new();
        let a = vec![save("n/1", "Trip", 10, 30), save("n/2", "Work", 20, 5)];
        let p = plan(&a, &remote, &BTreeMap::new(), 100);
        apply(&mut remote, &p);
        assert!(remote.iter().all(|(k, v)| item_size(k, v) <= QUOTA_BYTES_PER_ITEM));
        assert!(remote.iter().map(|(k, v)| item_size(k, v)).sum::<usize>() <= QUOTA_BYTES);
        // Device B, empty, pulls both, whole.
        let pb = plan(&[], &remote, &BTreeMap::new(), 200);
        assert_eq!(pb.pull.len(), 2);
        assert_eq!(pb.pull.iter().find(|s| s.meta.id == "n/1").unwrap().session, a[0].0.session);
        assert!(pb.set.is_empty());
    }

    #[test]
    fn concurrent_edits_keep_both_versions() {
        let mut remote = BTreeMap::new();
        let base_save = save("n/1", "Trip", 10, 3);
        let p = plan(std::slice::from_ref(&base_save), &remote, &BTreeMap::new(), 0);
        apply(&mut remote, &p);
        let base = p.synced.clone();
        // Device B changed it at 30 and synced.
        let b = save("n/1", "Trip (B)", 30, 4);
        let pb = plan(std::slice::from_ref(&b), &remote, &base, 31);
        apply(&mut remote, &pb);
        // Device A changed it at 20, then syncs: B's newer version wins, A's stays as a copy.
        let a = save("n/1", "Trip (A)", 20, 5);
        let p = plan(&[a], &remote, &base, 40);
        assert_eq!(p.pull[0].meta.name, "Trip (B)");
        assert_eq!(p.conflicts.len(), 1);
        assert_eq!(p.conflicts[0].0.meta.tabs, 5);
        assert!(p.conflicts[0].1.contains("this device"));
    }

    #[test]
    fn deletions_travel_and_unchanged_is_quiet() {
        let mut remote = BTreeMap::new();
        let s = save("n/1", "Old", 10, 3);
        let p = plan(std::slice::from_ref(&s), &remote, &BTreeMap::new(), 0);
        apply(&mut remote, &p);
        let base = p.synced.clone();
        let quiet = plan(std::slice::from_ref(&s), &remote, &base, 1);
        assert!(quiet.set.is_empty() && quiet.pull.is_empty() && quiet.remove.is_empty());
        let mut gone = s.clone();
        gone.0.meta.deleted_at = Some(50);
        gone.0.meta.updated_at = 50;
        let pd = plan(&[gone], &remote, &base, 51);
        apply(&mut remote, &pd);
        assert!(!remote.keys().any(|k| k.starts_with(CHUNK)), "a tombstone has no chunks");
        let other = plan(&[s], &remote, &base, 60);
        assert_eq!(other.delete_local, vec!["n/1".to_string()]);
    }

    /// Two devices with their own stores and one storage.sync between them.
    #[test]
    fn two_stores_sync_named_saves_end_to_end() {
        use crate::store::block_on;
        use crate::store::memory::MemoryBackend;
        let (a, b) = (MemoryBackend::default(), MemoryBackend::default());
        let mut remote = BTreeMap::new();
        let sync = |dev: &MemoryBackend, remote: &mut BTreeMap<String, Value>, now: Millis| {
            let (local, base) = block_on(local_state(dev)).unwrap();
            let p = plan(&local, remote, &base, now);
            apply(remote, &p);
            block_on(apply_local(dev, &p, now)).unwrap();
            p
        };
        let trip = block_on(named::create(&a, "Trip", vec![], save("x", "x", 1, 4).0.session, 10)).unwrap();
        sync(&a, &mut remote, 11);
        sync(&b, &mut remote, 12);
        assert_eq!(block_on(named::list(&b)).unwrap()[0].name, "Trip");
        block_on(named::update(&b, &trip.id, 20, |s| s.meta.name = "Lisbon".into())).unwrap();
        sync(&b, &mut remote, 21);
        sync(&a, &mut remote, 22);
        assert_eq!(block_on(named::list(&a)).unwrap()[0].name, "Lisbon");
        block_on(named::set_deleted(&a, &trip.id, true, 30)).unwrap();
        sync(&a, &mut remote, 31);
        sync(&b, &mut remote, 32);
        assert!(block_on(named::list(&b)).unwrap().is_empty(), "the deletion reached the other device");
    }

    #[test]
    fn a_save_too_big_is_named_and_the_rest_still_syncs() {
        let big = save("n/big", "Everything", 10, 20_000);
        let small = save("n/s", "Small", 5, 3);
        let p = plan(&[big, small], &BTreeMap::new(), &BTreeMap::new(), 0);
        assert_eq!(p.not_synced.len(), 1);
        assert!(p.not_synced[0].1.text.contains("too big to sync"));
        assert_eq!(p.not_synced[0].1.key, "syncTooBig");
        assert!(p.set.contains_key("lb:m:n/s"));
        assert!(!p.set.contains_key("lb:m:n/big"));
    }
}
