//! The manager's and popup's requests: named saves, search, import and
//! export. Shaped as docs/PROTOCOL.md says; the pages only render.

use crate::export::{self, Saved};
use crate::import::{self, Imported};
use crate::import_choice::{self, Chosen, SessionPick};
use crate::keeper::Keeper;
use crate::message;
use crate::model::{Container, Millis, Session};
use crate::msg;
use crate::named;
use crate::privacy;
use crate::protocol::answer::{ExportFile, Found, ImportPreview, Reply, SaveAnswer, Saves, SearchResults};
pub use crate::protocol::Scope;
use crate::store::Backend;
use crate::view;

/// The live session, or part of it, as the user would save it.
pub fn current_part<B>(k: &Keeper<B>, scope: Scope, window_id: Option<i64>, tab_ids: &[i64]) -> Session {
    let mut s = privacy::scrub(k.session(), k.own_origin()).into_owned();
    match scope {
        Scope::All => {}
        Scope::Window => {
            // No window given: the focused one, as the user sees it.
            let id = window_id.or_else(|| s.windows.iter().find(|w| w.focused).map(|w| w.id));
            s.windows.retain(|w| Some(w.id) == id);
        }
        Scope::Tabs => {
            for w in &mut s.windows {
                w.tabs.retain(|t| tab_ids.contains(&t.id));
                w.prune_groups();
            }
            s.windows.retain(|w| !w.tabs.is_empty());
        }
    }
    s
}

pub async fn save<B: Backend>(k: &mut Keeper<B>, name: &str, scope: Scope, window_id: Option<i64>, tab_ids: &[i64], now: Millis) -> Reply<SaveAnswer> {
    let session = current_part(k, scope, window_id, tab_ids);
    if session.tab_count() == 0 {
        return Err(message::NO_TABS_TO_SAVE.msg().into());
    }
    let meta = named::create(k.backend(), name, Vec::new(), session, now).await?;
    Ok(SaveAnswer { save: meta })
}

/// Every tab whose title or URL contains every word of `query`, across all
/// sources, newest source first.
pub async fn search<B: Backend>(k: &mut Keeper<B>, query: &str) -> Reply<SearchResults> {
    const MAX: usize = 200;
    let words: Vec<String> = query.split_whitespace().map(|w| w.to_lowercase()).collect();
    if words.is_empty() {
        return Ok(SearchResults { results: Vec::new() });
    }
    let mut results = Vec::new();
    'sources: for src in view::all_sources(k).await? {
        let Ok(snap) = view::load_source(k, &src.id).await else { continue };
        for (wi, w) in snap.session.windows.iter().enumerate() {
            for (ti, t) in w.tabs.iter().enumerate() {
                let hay = format!("{}\n{}", t.title.to_lowercase(), t.url.to_lowercase());
                if words.iter().all(|w| hay.contains(w.as_str())) {
                    results.push(Found {
                        source: src.id.clone(),
                        source_label: src.label.clone(),
                        source_label_key: src.label_key.clone(),
                        taken_at: src.taken_at,
                        window: wi,
                        tab: ti,
                        title: t.title.clone(),
                        url: t.url.clone(),
                    });
                    if results.len() >= MAX {
                        break 'sources;
                    }
                }
            }
        }
    }
    Ok(SearchResults { results })
}

/// Exports `sources` as `format`, without typed text unless `typed_text`;
/// the answer says whether the file holds any.
pub async fn export<B: Backend>(k: &mut Keeper<B>, format: &str, sources: &[String], typed_text: bool, now: Millis) -> Reply<ExportFile> {
    let Some(format) = export::Format::from_id(format) else {
        return Err(msg!(message::UNKNOWN_EXPORT_FORMAT, format).into());
    };
    let all = view::all_sources(k).await?;
    let mut picked: Vec<(String, Option<Millis>, Session)> = Vec::new();
    for id in sources {
        let snap = view::load_source(k, id).await?;
        let label = all.iter().find(|s| &s.id == id).map_or_else(|| id.clone(), |s| s.label.clone());
        let session = if typed_text { snap.session } else { snap.session.without_typed_text() };
        picked.push((label, Some(snap.taken_at), session));
    }
    if picked.is_empty() {
        return Err(message::NOTHING_TO_EXPORT.msg().into());
    }
    let holds = picked.iter().any(|(_, _, s)| {
        s.windows
            .iter()
            .flat_map(|w| &w.tabs)
            .any(|t| t.page.as_ref().is_some_and(|p| p.typed_fields() > 0))
    });
    let saved: Vec<Saved> = picked.iter().map(|(name, at, session)| Saved { name, saved_at: *at, session }).collect();
    let text = export::export(format, &saved, now);
    // Only Lifeboat's own format carries typed text at all.
    let holds = holds && format == export::Format::Lifeboat;
    Ok(ExportFile {
        file_name: format.file_name(now),
        mime: format.mime().into(),
        text,
        holds_typed_text: holds,
    })
}

/// Parses a file for the preview: nothing is stored yet.
/// The answer's `token` is left empty for the caller to fill.
/// `containers`: the browser's (`None`: it has none), to name the file's containers.
pub fn preview<B>(
    k: &Keeper<B>,
    file_name: &str,
    bytes: &[u8],
    containers: Option<&[Container]>,
) -> Result<(Imported, ImportPreview), crate::message::Message> {
    let format = import::detect(file_name, bytes).map_err(|e| e.message())?;
    let mut imported = import::parse_as(format, bytes).map_err(|e| e.message())?;
    import::apply_settings(&mut imported, k.settings());
    let sessions = import_choice::preview_sessions(format, &imported, containers);
    let answer = ImportPreview {
        token: String::new(),
        format: format.label().into(),
        sessions,
        notes: imported.notes.clone(),
    };
    Ok((imported, answer))
}

/// Keeps an import as named saves: all of it, or what `select` ticks
/// (see `import_choice::choose`), one save per session or `merge`d into one.
pub async fn commit_import<B: Backend>(
    k: &mut Keeper<B>,
    imported: &Imported,
    select: Option<&[SessionPick]>,
    merge: bool,
    name: Option<&str>,
    now: Millis,
) -> Reply<Saves> {
    let chosen = import_choice::choose(imported, select, merge, name)?;
    let mut saves = Vec::new();
    for (i, Chosen { name, session, saved_at: at }) in chosen.into_iter().enumerate() {
        let meta = named::create(k.backend(), &name, vec!["imported".into()], session, now + i as Millis).await?;
        // Keep the file's own date where it has one.
        let meta = match at {
            Some(at) => named::update(k.backend(), &meta.id, at, |s| s.meta.created_at = at).await?,
            None => meta,
        };
        saves.push(meta);
    }
    Ok(Saves { saves })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, TabInfo, WindowInfo};
    use crate::store::block_on;
    use crate::store::memory::MemoryBackend;

    fn keeper() -> Keeper<MemoryBackend> {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), "1", "ext://me/", 0, true)).unwrap();
        for w in 1..=2 {
            k.apply(
                Event::WindowOpened(WindowInfo {
                    id: w,
                    normal: true,
                    focused: w == 2,
                    ..Default::default()
                }),
                0,
            );
            for i in 0..3 {
                let id = w * 10 + i;
                k.apply(
                    Event::TabCreated(TabInfo {
                        id,
                        window_id: w,
                        index: i as usize,
                        url: format!("https://e.org/{id}"),
                        title: format!("Lisbon {id}"),
                        ..Default::default()
                    }),
                    0,
                );
            }
        }
        k
    }

    #[test]
    fn scopes() {
        let k = keeper();
        assert_eq!(current_part(&k, Scope::All, None, &[]).tab_count(), 6);
        let w = current_part(&k, Scope::Window, None, &[]);
        assert_eq!((w.windows.len(), w.windows[0].id), (1, 2), "the focused window");
        assert_eq!(current_part(&k, Scope::Window, Some(1), &[]).windows[0].id, 1);
        let t = current_part(&k, Scope::Tabs, None, &[11, 21, 22]);
        assert_eq!((t.windows.len(), t.tab_count()), (2, 3));
    }

    #[test]
    fn save_search_export_and_import_back() {
        let mut k = keeper();
        let saved = block_on(save(&mut k, "Trip", Scope::Window, Some(1), &[], 100)).unwrap();
        let id = saved.save.id.clone();
        block_on(k.commit(200)).unwrap();
        let found = block_on(search(&mut k, "lisbon 11")).unwrap();
        let hits = &found.results;
        assert!(hits.iter().any(|h| h.source == id && h.url == "https://e.org/11"));
        assert!(hits.iter().all(|h| h.title.contains("11")));
        let out = block_on(export(&mut k, "lifeboat", std::slice::from_ref(&id), true, 300)).unwrap();
        let (imported, preview) = preview(&k, &out.file_name, out.text.as_bytes(), None).unwrap();
        assert_eq!(preview.sessions[0].tabs, 3);
        let back = block_on(commit_import(&mut k, &imported, None, false, None, 400)).unwrap();
        assert_eq!(back.saves.len(), 1);
        assert_eq!(block_on(named::list(k.backend())).unwrap().len(), 2);
    }

    #[test]
    fn an_import_keeps_only_the_ticked_part() {
        let mut k = keeper();
        let file = concat!(
            r#"[{"name":"Work","date":5000,"windows":{"1":{"#,
            r#""1":{"url":"https://w/1","title":"W1","index":0,"windowId":1},"#,
            r#""2":{"url":"https://w/2","title":"W2","index":1,"windowId":1},"#,
            r#""3":{"url":"https://w/3","title":"W3","index":2,"windowId":1}}}}]"#
        );
        let (imported, p) = preview(&k, "tsm.json", file.as_bytes(), None).unwrap();
        assert_eq!(p.sessions[0].content[0].tabs[2].url, "https://w/3");
        let before = k.backend().data.borrow().clone();
        let none: Vec<SessionPick> = serde_json::from_str(r#"[{"session":0,"windows":[{"window":0,"tabs":[]}]}]"#).unwrap();
        let refused = block_on(commit_import(&mut k, &imported, Some(&none), false, None, 400)).unwrap_err();
        assert_eq!(refused.error, import_choice::NOTHING_TICKED.english);
        assert_eq!(refused.code.as_deref(), Some("errNothingTicked"));
        assert_eq!(*k.backend().data.borrow(), before, "a refused selection stores nothing");
        let some: Vec<SessionPick> = serde_json::from_str(r#"[{"session":0,"windows":[{"window":0,"tabs":[0,2]}]}]"#).unwrap();
        let done = block_on(commit_import(&mut k, &imported, Some(&some), true, Some("Two of three"), 500)).unwrap();
        let saves = &done.saves;
        assert_eq!((saves.len(), saves[0].name.as_str(), saves[0].tabs), (1, "Two of three", 2));
        let id = saves[0].id.clone();
        let out = block_on(export(&mut k, "urls", &[id], false, 600)).unwrap();
        let text = &out.text;
        assert!(
            text.contains("https://w/1") && text.contains("https://w/3") && !text.contains("https://w/2"),
            "{text}"
        );
    }

    #[test]
    fn a_hostile_file_is_refused_and_changes_nothing() {
        let k = keeper();
        let before = k.backend().data.borrow().clone();
        assert!(preview(&k, "x.json", b"{not json", None).is_err());
        let mut lying = b"mozLz40\0".to_vec();
        lying.extend_from_slice(&u32::MAX.to_le_bytes());
        lying.extend_from_slice(&[0; 16]);
        assert!(preview(&k, "recovery.jsonlz4", &lying, None).is_err());
        assert_eq!(*k.backend().data.borrow(), before);
    }
}
