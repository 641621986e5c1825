//! The manager's and popup's requests: named saves, search, import and
//! export. Shaped as docs/PROTOCOL.md says; the pages only render.

use crate::import_check::{self, ImportedSave};
use crate::keeper::Keeper;
use crate::message;
use crate::model::{Millis, Session};
use crate::named;
use crate::privacy;
use crate::protocol::answer::{ExportSessions, Failure, Found, Reply, SaveAnswer, Saves, SearchResults};
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

/// The sessions `sources` name, for the manager to write as a file (the
/// exporters are in the pages' module), without typed text unless
/// `typed_text`; the answer says whether they hold any.
pub async fn export<B: Backend>(k: &mut Keeper<B>, sources: &[String], typed_text: bool) -> Reply<ExportSessions> {
    let all = view::all_sources(k).await?;
    let mut picked: Vec<ImportedSave> = Vec::new();
    for id in sources {
        let snap = view::load_source(k, id).await?;
        let label = all.iter().find(|s| &s.id == id).map_or_else(|| id.clone(), |s| s.label.clone());
        let session = if typed_text { snap.session } else { snap.session.without_typed_text() };
        picked.push(ImportedSave {
            name: label,
            saved_at: Some(snap.taken_at),
            session,
        });
    }
    if picked.is_empty() {
        return Err(message::NOTHING_TO_EXPORT.msg().into());
    }
    let holds = picked.iter().any(|s| {
        s.session
            .windows
            .iter()
            .flat_map(|w| &w.tabs)
            .any(|t| t.page.as_ref().is_some_and(|p| p.typed_fields() > 0))
    });
    Ok(ExportSessions {
        sessions: picked,
        holds_typed_text: holds,
    })
}

/// Keeps sessions the manager parsed and chose as named saves, once they
/// pass the background's own checks (`import_check::check`): the page is
/// not trusted with what enters the store.
pub async fn commit_import<B: Backend>(k: &mut Keeper<B>, saves: &str, now: Millis) -> Reply<Saves> {
    let (checked, notes) = import_check::decode_saves(saves)
        .and_then(|saves| import_check::check(saves, k.settings()))
        .map_err(Failure::from)?;
    let mut saves = Vec::new();
    for (i, ImportedSave { name, session, saved_at: at }) in checked.into_iter().enumerate() {
        let meta = named::create(k.backend(), &name, vec!["imported".into()], session, now + i as Millis).await?;
        // Keep the file's own date where it has one.
        let meta = match at {
            Some(at) => named::update(k.backend(), &meta.id, at, |s| s.meta.created_at = at).await?,
            None => meta,
        };
        saves.push(meta);
    }
    Ok(Saves { saves, notes })
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

    /// The manager's round trip: the background hands the sessions out,
    /// the pages' module writes and parses the file, the background checks
    /// and keeps what comes back.
    #[cfg(feature = "pages")]
    fn write(out: &ExportSessions, format: &str) -> (String, String) {
        let file = crate::files::export_file(format, &out.sessions, out.holds_typed_text, 300);
        (file["fileName"].as_str().unwrap().to_string(), file["text"].as_str().unwrap().to_string())
    }

    #[cfg(feature = "pages")]
    fn chosen(
        imported: &crate::import::Imported,
        select: Option<&[crate::import_choice::SessionPick]>,
        merge: bool,
        name: Option<&str>,
    ) -> Result<String, crate::message::Message> {
        // As the runtime message carries it.
        Ok(import_check::encode_saves(&crate::import_choice::choose(imported, select, merge, name)?))
    }

    #[test]
    #[cfg(feature = "pages")]
    fn save_search_export_and_import_back() {
        use crate::files::preview;
        let mut k = keeper();
        let saved = block_on(save(&mut k, "Trip", Scope::Window, Some(1), &[], 100)).unwrap();
        let id = saved.save.id.clone();
        block_on(k.commit(200)).unwrap();
        let found = block_on(search(&mut k, "lisbon 11")).unwrap();
        let hits = &found.results;
        assert!(hits.iter().any(|h| h.source == id && h.url == "https://e.org/11"));
        assert!(hits.iter().all(|h| h.title.contains("11")));
        let out = block_on(export(&mut k, std::slice::from_ref(&id), true)).unwrap();
        let (file_name, text) = write(&out, "lifeboat");
        let (imported, preview) = preview(&file_name, text.as_bytes(), k.settings(), None).unwrap();
        assert_eq!(preview.sessions[0].tabs, 3);
        let back = block_on(commit_import(&mut k, &chosen(&imported, None, false, None).unwrap(), 400)).unwrap();
        assert_eq!(back.saves.len(), 1);
        assert_eq!(block_on(named::list(k.backend())).unwrap().len(), 2);
    }

    #[test]
    #[cfg(feature = "pages")]
    fn an_import_keeps_only_the_ticked_part() {
        use crate::files::preview;
        use crate::import_choice::{self, SessionPick};
        let mut k = keeper();
        let file = concat!(
            r#"[{"name":"Work","date":5000,"windows":{"1":{"#,
            r#""1":{"url":"https://w/1","title":"W1","index":0,"windowId":1},"#,
            r#""2":{"url":"https://w/2","title":"W2","index":1,"windowId":1},"#,
            r#""3":{"url":"https://w/3","title":"W3","index":2,"windowId":1}}}}]"#
        );
        let (imported, p) = preview("tsm.json", file.as_bytes(), k.settings(), None).unwrap();
        assert_eq!(p.sessions[0].content[0].tabs[2].url, "https://w/3");
        let none: Vec<SessionPick> = serde_json::from_str(r#"[{"session":0,"windows":[{"window":0,"tabs":[]}]}]"#).unwrap();
        assert_eq!(chosen(&imported, Some(&none), false, None).unwrap_err().key, import_choice::NOTHING_TICKED.key);
        let before = k.backend().data.borrow().clone();
        let refused = block_on(commit_import(&mut k, &import_check::encode_saves(&[]), 400)).unwrap_err();
        assert!(refused.error.starts_with("Nothing to import"), "{refused:?}");
        assert_eq!(*k.backend().data.borrow(), before, "a refused import stores nothing");
        let some: Vec<SessionPick> = serde_json::from_str(r#"[{"session":0,"windows":[{"window":0,"tabs":[0,2]}]}]"#).unwrap();
        let done = block_on(commit_import(&mut k, &chosen(&imported, Some(&some), true, Some("Two of three")).unwrap(), 500)).unwrap();
        let saves = &done.saves;
        assert_eq!((saves.len(), saves[0].name.as_str(), saves[0].tabs), (1, "Two of three", 2));
        let id = saves[0].id.clone();
        let out = block_on(export(&mut k, &[id], false)).unwrap();
        let (_, text) = write(&out, "urls");
        assert!(
            text.contains("https://w/1") && text.contains("https://w/3") && !text.contains("https://w/2"),
            "{text}"
        );
    }

    #[test]
    #[cfg(feature = "pages")]
    fn a_hostile_file_is_refused_and_changes_nothing() {
        use crate::files::preview;
        let k = keeper();
        let before = k.backend().data.borrow().clone();
        assert!(preview("x.json", b"{not json", k.settings(), None).is_err());
        let mut lying = b"mozLz40\0".to_vec();
        lying.extend_from_slice(&u32::MAX.to_le_bytes());
        lying.extend_from_slice(&[0; 16]);
        assert!(preview("recovery.jsonlz4", &lying, k.settings(), None).is_err());
        assert_eq!(*k.backend().data.borrow(), before);
    }

    /// A parsed import with a password field's text and a script URL, sent
    /// as a page would: the background stores neither.
    #[test]
    fn a_hostile_parsed_import_stores_only_what_passes() {
        let mut k = keeper();
        use crate::model::{Field, FieldValue, FrameFields, PageState, Tab, Window};
        let url = "https://a.example/";
        let password = Field {
            key: "#pw".into(),
            value: FieldValue::Text("hunter2".into()),
            truncated: false,
            tag: "input".into(),
            kind: "password".into(),
            name: String::new(),
            touched: true,
        };
        let tabs = vec![
            Tab {
                url: "javascript:steal()".into(),
                ..Default::default()
            },
            Tab {
                url: url.into(),
                page: Some(PageState {
                    url: url.into(),
                    frames: vec![FrameFields {
                        frame: String::new(),
                        url: url.into(),
                        fields: vec![password],
                    }],
                    ..Default::default()
                }),
                ..Default::default()
            },
        ];
        let save = ImportedSave {
            name: "Sent by a page".into(),
            saved_at: None,
            session: Session {
                windows: vec![Window {
                    id: 5,
                    tabs,
                    ..Default::default()
                }],
            },
        };
        let done = block_on(commit_import(&mut k, &import_check::encode_saves(&[save]), 10)).unwrap();
        let id = done.saves[0].id.clone();
        let kept = block_on(named::get(k.backend(), &id)).unwrap();
        let tabs = &kept.session.windows[0].tabs;
        assert_eq!((tabs.len(), tabs[0].url.as_str(), tabs[0].page.is_none()), (1, "https://a.example/", true));
        assert!(done.notes.iter().any(|n| n.text.contains("left out")), "{done:?}");
    }
}
