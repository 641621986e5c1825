//! What the import preview shows of a file's sessions, and which part of
//! them `import.commit` keeps: everything, or the windows and tabs the user
//! ticked, as one named save per session or merged into one.
//!
//! The preview lists each window's tabs compactly (title, URL, a small
//! `data:` favicon, pinned), up to `MAX_LISTED_TABS` tabs in all: a window
//! beyond that is listed with its count only and can be taken whole or not
//! at all. Indices in a selection are positions in `Imported::sessions`,
//! their windows and their tabs, as the preview lists them.

use crate::import::{self, Format, Imported};
use crate::model::{Container, Session};
use crate::protocol::answer::{PlanGroup, PreviewSession, PreviewTab, PreviewWindow};
pub use crate::protocol::{SessionPick, WindowPick};
use crate::restore;

/// Tabs listed one by one in a preview, all sessions together.
pub const MAX_LISTED_TABS: usize = 20_000;
/// Characters of a title, and of a URL, shown in a preview.
pub const MAX_TITLE: usize = 300;
pub const MAX_URL: usize = 1_000;
/// The largest favicon (a `data:` URL) a preview carries, and all of them together.
pub const MAX_ICON: usize = 4 << 10;
pub const MAX_ICONS: usize = 2 << 20;

/// A named save to create: what the manager sends the background.
pub type Chosen = crate::import_check::ImportedSave;

pub use crate::message::NOTHING_TICKED;
use crate::message::{self, Message};
use crate::msg;

/// Whether session `index` of a file of `format` holds windows or tabs the
/// browser had already closed (the file says so by putting them apart).
pub fn is_closed(format: Format, imported: &Imported, index: usize) -> bool {
    let name = imported.sessions.get(index).map_or("", |(n, _)| n.as_str());
    match format {
        Format::ChromiumTabs => true,
        Format::Firefox => index > 0 && name == import::firefox::CLOSED_NAME,
        _ => false,
    }
}

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// The sessions as the preview lists them: name, counts, date, whether
/// closed, and each window with its tabs (or its count only, past the cap).
/// `containers`: the browser's containers (`None`: it has none), to name
/// and colour the file's containers as a restore would find them.
pub fn preview_sessions(format: Format, imported: &Imported, containers: Option<&[Container]>) -> Vec<PreviewSession> {
    let mut listed = 0usize;
    let mut icons = 0usize;
    let mut out = Vec::with_capacity(imported.sessions.len());
    for (si, ((name, s), at)) in imported.sessions.iter().zip(&imported.saved_at).enumerate() {
        let closed = is_closed(format, imported, si);
        let windows: Vec<PreviewWindow> = s
            .windows
            .iter()
            .map(|w| {
                let fits = listed + w.tabs.len() <= MAX_LISTED_TABS;
                let tabs: Vec<PreviewTab> = if fits {
                    listed += w.tabs.len();
                    w.tabs
                        .iter()
                        .map(|t| {
                            let mut tab = PreviewTab {
                                title: cut(&t.title, MAX_TITLE),
                                url: cut(&t.url, MAX_URL),
                                fav_icon_url: None,
                                pinned: t.pinned,
                                active: t.active,
                                group: t.group.and_then(|id| w.groups.iter().find(|g| g.id == id)).map(|g| PlanGroup {
                                    title: cut(&g.title, MAX_TITLE),
                                    color: g.color.clone(),
                                }),
                                container: t.container.as_ref().map(|c| restore::plan_container(c, containers, &mut Vec::new())),
                            };
                            if let Some(icon) = t.fav_icon_url.as_deref().filter(|i| i.starts_with("data:") && i.len() <= MAX_ICON) {
                                if icons + icon.len() <= MAX_ICONS {
                                    icons += icon.len();
                                    tab.fav_icon_url = Some(icon.into());
                                }
                            }
                            tab
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                PreviewWindow {
                    state: w.state.as_str().into(),
                    closed,
                    count: w.tabs.len(),
                    listed: fits,
                    tabs,
                }
            })
            .collect();
        out.push(PreviewSession {
            name: name.clone(),
            windows: s.windows.len(),
            tabs: s.tab_count(),
            saved_at: *at,
            closed,
            content: windows,
        });
    }
    out
}

/// What `import.commit` keeps: every session whole (`select: None`) or the
/// ticked part, one save per session or (`merge`) one save named `name`
/// (else the first picked session's name). Refuses an empty selection and
/// indices the file does not have, with a sentence for the user.
pub fn choose(imported: &Imported, select: Option<&[SessionPick]>, merge: bool, name: Option<&str>) -> Result<Vec<Chosen>, Message> {
    let mut picked: Vec<(usize, Chosen)> = Vec::new();
    let sessions: Vec<_> = imported.sessions.iter().zip(&imported.saved_at).collect();
    match select {
        None => {
            for (i, ((name, session), saved_at)) in sessions.iter().enumerate() {
                picked.push((
                    i,
                    Chosen {
                        name: name.clone(),
                        session: session.clone(),
                        saved_at: **saved_at,
                    },
                ));
            }
        }
        Some(select) => {
            let mut seen = vec![false; sessions.len()];
            for pick in select {
                let Some(((name, session), saved_at)) = sessions.get(pick.session) else {
                    return Err(msg!(message::PICK_NO_SESSION, pick.session + 1, sessions.len()));
                };
                if std::mem::replace(&mut seen[pick.session], true) {
                    return Err(msg!(message::PICK_SESSION_TWICE, pick.session + 1));
                }
                let session = match &pick.windows {
                    None => session.clone(),
                    Some(windows) => pick_windows(session, windows).map_err(|e| msg!(message::PICK_IN_SESSION, name.as_str(), e))?,
                };
                picked.push((
                    pick.session,
                    Chosen {
                        name: name.clone(),
                        session,
                        saved_at: **saved_at,
                    },
                ));
            }
            // In the file's order, whatever order the selection came in.
            picked.sort_by_key(|(i, _)| *i);
        }
    }
    let mut picked: Vec<Chosen> = picked.into_iter().map(|(_, c)| c).collect();
    picked.retain(|c| c.session.tab_count() > 0);
    if picked.is_empty() {
        return Err(NOTHING_TICKED.msg());
    }
    if merge && picked.len() > 1 {
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map_or_else(|| picked[0].name.clone(), String::from);
        let saved_at = picked.iter().filter_map(|c| c.saved_at).max();
        let mut session = Session {
            windows: picked.into_iter().flat_map(|c| c.session.windows).collect(),
        };
        import::tidy(&mut session);
        return Ok(vec![Chosen { name, session, saved_at }]);
    }
    if merge {
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            picked[0].name = n.to_string();
        }
    }
    Ok(picked)
}

fn pick_windows(session: &Session, windows: &[WindowPick]) -> Result<Session, Message> {
    let mut seen = vec![false; session.windows.len()];
    let mut out: Vec<(usize, crate::model::Window)> = Vec::new();
    for pick in windows {
        let Some(w) = session.windows.get(pick.window) else {
            return Err(msg!(message::PICK_NO_WINDOW, pick.window + 1, session.windows.len()));
        };
        if std::mem::replace(&mut seen[pick.window], true) {
            return Err(msg!(message::PICK_WINDOW_TWICE, pick.window + 1));
        }
        let mut w = w.clone();
        if let Some(tabs) = &pick.tabs {
            if let Some(&bad) = tabs.iter().find(|&&t| t >= w.tabs.len()) {
                return Err(msg!(message::PICK_NO_TAB, bad + 1, pick.window + 1, w.tabs.len()));
            }
            let keep: std::collections::BTreeSet<usize> = tabs.iter().copied().collect();
            let mut i = 0;
            w.tabs.retain(|_| {
                i += 1;
                keep.contains(&(i - 1))
            });
        }
        out.push((pick.window, w));
    }
    // In the file's order; ids, the active tab and groups made whole again.
    out.sort_by_key(|(i, _)| *i);
    let mut session = Session {
        windows: out.into_iter().map(|(_, w)| w).collect(),
    };
    import::tidy(&mut session);
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn as_json(p: Vec<PreviewSession>) -> Vec<Value> {
        p.into_iter().map(|s| serde_json::to_value(s).unwrap()).collect()
    }
    use crate::model::{Tab, TabGroup, Window};

    const FIREFOX: &[u8] = include_bytes!("../tests/fixtures/firefox-recovery.jsonlz4");

    use crate::test_kit::tab;

    /// "A": two windows (a0 a1 a2 | a3 a4); "B": one window (b0 b1).
    fn two() -> Imported {
        let mut w1 = Window {
            id: 1,
            tabs: vec![tab(1, "https://a0/"), tab(2, "https://a1/"), tab(3, "https://a2/")],
            groups: vec![TabGroup { id: 7, ..Default::default() }],
            ..Default::default()
        };
        w1.tabs[1].active = true;
        w1.tabs[1].group = Some(7);
        let w2 = Window {
            id: 2,
            tabs: vec![tab(4, "https://a3/"), tab(5, "https://a4/")],
            ..Default::default()
        };
        let b = Window {
            id: 1,
            tabs: vec![tab(1, "https://b0/"), tab(2, "https://b1/")],
            ..Default::default()
        };
        Imported {
            sessions: vec![("A".into(), Session { windows: vec![w1, w2] }), ("B".into(), Session { windows: vec![b] })],
            saved_at: vec![Some(100), Some(200)],
            ..Default::default()
        }
    }

    fn urls(s: &Session) -> Vec<Vec<&str>> {
        s.windows.iter().map(|w| w.tabs.iter().map(|t| t.url.as_str()).collect()).collect()
    }

    fn picks(json: &str) -> Vec<SessionPick> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn everything_one_save_per_session() {
        let chosen = choose(&two(), None, false, None).unwrap();
        assert_eq!(chosen.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(chosen[0].session, two().sessions[0].1);
        assert_eq!((chosen[0].saved_at, chosen[1].saved_at), (Some(100), Some(200)));
    }

    #[test]
    fn a_subset_keeps_exactly_the_ticked_tabs_in_file_order() {
        // Given out of order, with a tab twice: the file's order, each once.
        let select = picks(r#"[{"session":1},{"session":0,"windows":[{"window":1},{"window":0,"tabs":[2,0,2]}]}]"#);
        let chosen = choose(&two(), Some(&select), false, None).unwrap();
        assert_eq!(chosen.len(), 2);
        assert_eq!(chosen[0].name, "A");
        assert_eq!(
            urls(&chosen[0].session),
            [vec!["https://a0/", "https://a2/"], vec!["https://a3/", "https://a4/"]]
        );
        let w = &chosen[0].session.windows[0];
        // The active tab (a1) is gone: one tab is active again; its group went with it.
        assert_eq!(w.tabs.iter().filter(|t| t.active).count(), 1);
        assert!(w.groups.is_empty());
        assert_eq!(urls(&chosen[1].session), [vec!["https://b0/", "https://b1/"]]);

        // A session left out, a window left out, an untouched session.
        let select = picks(r#"[{"session":0,"windows":[{"window":1,"tabs":[1]}]}]"#);
        let chosen = choose(&two(), Some(&select), false, None).unwrap();
        assert_eq!(chosen.len(), 1);
        assert_eq!(urls(&chosen[0].session), [vec!["https://a4/"]]);
        assert_eq!(chosen[0].session.windows[0].id, 1, "ids are fresh");
        assert!(chosen[0].session.windows[0].tabs[0].active);
    }

    #[test]
    fn merged_into_one_save() {
        let select = picks(r#"[{"session":0,"windows":[{"window":0,"tabs":[1]}]},{"session":1}]"#);
        let chosen = choose(&two(), Some(&select), true, Some("  Holiday ")).unwrap();
        assert_eq!(chosen.len(), 1);
        let c = &chosen[0];
        assert_eq!(c.name, "Holiday");
        assert_eq!(c.saved_at, Some(200), "the newest date of the merged sessions");
        assert_eq!(urls(&c.session), [vec!["https://a1/"], vec!["https://b0/", "https://b1/"]]);
        let wids: Vec<i64> = c.session.windows.iter().map(|w| w.id).collect();
        let tids: Vec<i64> = c.session.windows.iter().flat_map(|w| &w.tabs).map(|t| t.id).collect();
        assert_eq!((wids, tids), (vec![1, 2], vec![1, 2, 3]), "no id twice in the merged save");
        assert_eq!(c.session.windows[0].tabs[0].group, Some(7), "the group stays with its tab");

        // Everything merged, without a name: the first session's.
        let all = choose(&two(), None, true, None).unwrap();
        assert_eq!((all.len(), all[0].name.as_str(), all[0].session.tab_count()), (1, "A", 7));
        // Merging one session only renames it when asked.
        let one = choose(&two(), Some(&picks(r#"[{"session":1}]"#)), true, Some("Mine")).unwrap();
        assert_eq!((one.len(), one[0].name.as_str()), (1, "Mine"));
    }

    #[test]
    fn an_empty_selection_is_refused() {
        for json in [
            "[]",
            r#"[{"session":0,"windows":[]}]"#,
            r#"[{"session":0,"windows":[{"window":0,"tabs":[]}]},{"session":1,"windows":[{"window":0,"tabs":[]}]}]"#,
        ] {
            assert_eq!(choose(&two(), Some(&picks(json)), false, None), Err(NOTHING_TICKED.msg()), "{json}");
            assert_eq!(choose(&two(), Some(&picks(json)), true, Some("x")), Err(NOTHING_TICKED.msg()), "{json}");
        }
        assert_eq!(choose(&Imported::default(), None, false, None), Err(NOTHING_TICKED.msg()));
    }

    #[test]
    fn indices_out_of_range_or_twice_are_refused() {
        let cases = [
            (r#"[{"session":2}]"#, "session 3, but the file has 2"),
            (
                r#"[{"session":0,"windows":[{"window":2}]}]"#,
                "\"A\": the selection names window 3, but the session has 2",
            ),
            (
                r#"[{"session":1,"windows":[{"window":0,"tabs":[0,2]}]}]"#,
                "tab 3 of window 1, which has 2 tabs",
            ),
            (r#"[{"session":0},{"session":0}]"#, "session 1 twice"),
            (r#"[{"session":0,"windows":[{"window":1},{"window":1,"tabs":[0]}]}]"#, "window 2 twice"),
        ];
        for (json, says) in cases {
            let e = choose(&two(), Some(&picks(json)), false, None).unwrap_err();
            assert!(e.text.contains(says), "{json}: {e}");
        }
        assert!(serde_json::from_str::<Vec<SessionPick>>(r#"[{"session":-1}]"#).is_err());
    }

    #[test]
    fn the_preview_lists_windows_and_tabs() {
        let mut imported = two();
        imported.sessions[0].1.windows[0].tabs[0].fav_icon_url = Some("data:image/png;base64,AAAA".into());
        imported.sessions[0].1.windows[0].tabs[2].fav_icon_url = Some(format!("data:image/png;base64,{}", "A".repeat(MAX_ICON)));
        imported.sessions[0].1.windows[0].tabs[1].title = "é".repeat(MAX_TITLE + 5);
        let p = as_json(preview_sessions(Format::TabSessionManager, &imported, None));
        assert_eq!(
            (p[0]["name"].as_str(), p[0]["windows"].as_u64(), p[0]["tabs"].as_u64()),
            (Some("A"), Some(2), Some(5))
        );
        let w = &p[0]["content"][0];
        assert_eq!(
            (w["count"].as_u64(), w["listed"].as_bool(), w["closed"].as_bool()),
            (Some(3), Some(true), Some(false))
        );
        assert_eq!(w["tabs"][0]["url"], "https://a0/");
        assert_eq!(w["tabs"][0]["title"], "t1");
        assert_eq!(w["tabs"][0]["favIconUrl"], "data:image/png;base64,AAAA");
        assert!(w["tabs"][2].get("favIconUrl").is_none(), "a large icon is left out");
        assert_eq!(w["tabs"][1]["title"].as_str().unwrap().chars().count(), MAX_TITLE + 1, "cut, with an ellipsis");
        assert_eq!(w["tabs"][1]["active"], true);
        assert_eq!(p[1]["content"][0]["tabs"][1]["url"], "https://b1/");
        assert!(p.iter().all(|s| s["closed"] == false));
    }

    #[test]
    fn ten_thousand_tabs_preview_compactly_and_past_the_cap_by_count() {
        let window = |n: usize| Window {
            tabs: (0..n)
                .map(|i| Tab {
                    url: format!("https://example.org/some/longish/path/{i}?q=1"),
                    title: format!("A page with a title of ordinary length, number {i}"),
                    history: vec![crate::model::Visit::default(); 5],
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let imported = Imported {
            sessions: vec![(
                "Big".into(),
                Session {
                    windows: (0..10).map(|_| window(1_000)).collect(),
                },
            )],
            saved_at: vec![None],
            ..Default::default()
        };
        let p = as_json(preview_sessions(Format::TabSessionManager, &imported, None));
        let bytes = serde_json::to_string(&p).unwrap().len();
        assert!(bytes < 2_000_000, "10,000 tabs: {bytes} bytes");
        assert!(p[0]["content"].as_array().unwrap().iter().all(|w| w["listed"] == true));

        let over = Imported {
            sessions: vec![(
                "Huge".into(),
                Session {
                    windows: (0..25).map(|_| window(1_000)).collect(),
                },
            )],
            saved_at: vec![None],
            ..Default::default()
        };
        let p = as_json(preview_sessions(Format::TabSessionManager, &over, None));
        let windows = p[0]["content"].as_array().unwrap();
        let listed = windows.iter().filter(|w| w["listed"] == true).count();
        assert_eq!(listed, MAX_LISTED_TABS / 1_000);
        let unlisted = &windows[listed];
        assert_eq!((unlisted["count"].as_u64(), unlisted["tabs"].as_array().unwrap().len()), (Some(1_000), 0));
        // An unlisted window can still be taken whole.
        let select = picks(r#"[{"session":0,"windows":[{"window":24}]}]"#);
        assert_eq!(choose(&over, Some(&select), false, None).unwrap()[0].session.tab_count(), 1_000);
    }

    #[test]
    fn the_real_firefox_file_marks_its_closed_windows() {
        let format = import::detect("recovery.jsonlz4", FIREFOX).unwrap();
        let imported = import::parse_as(format, FIREFOX).unwrap();
        let p = as_json(preview_sessions(format, &imported, None));
        assert_eq!(p.len(), 2);
        assert_eq!((p[0]["name"].as_str(), p[0]["closed"].as_bool()), (Some("Firefox session"), Some(false)));
        assert_eq!(
            (p[1]["name"].as_str(), p[1]["closed"].as_bool()),
            (Some(import::firefox::CLOSED_NAME), Some(true))
        );
        assert_eq!(p[1]["content"][0]["closed"], true);
        let listed: usize = p[0]["content"].as_array().unwrap().iter().map(|w| w["tabs"].as_array().unwrap().len()).sum();
        assert_eq!(listed, 7);
        // The same sessions in a TSM file are not "closed": only the file's own word counts.
        assert!(!is_closed(Format::TabSessionManager, &imported, 1));

        // Tick the first window's first two tabs and the closed window.
        let select = picks(r#"[{"session":0,"windows":[{"window":0,"tabs":[0,1]}]},{"session":1}]"#);
        let chosen = choose(&imported, Some(&select), false, None).unwrap();
        let want: Vec<&str> = p[0]["content"][0]["tabs"].as_array().unwrap()[..2]
            .iter()
            .map(|t| t["url"].as_str().unwrap())
            .collect();
        assert_eq!(urls(&chosen[0].session), [want]);
        assert_eq!(chosen[1].session, imported.sessions[1].1);
    }

    #[test]
    fn the_preview_carries_groups_and_containers_as_the_restore_page_shows_them() {
        let tsm = br#"[{"name":"G","date":1,"windows":{"5":{
            "1":{"url":"https://g/1","title":"One","index":0,"groupId":9,"cookieStoreId":"firefox-container-2"},
            "2":{"url":"https://g/2","title":"Two","index":1,"groupId":9,"cookieStoreId":"firefox-container-7"},
            "3":{"url":"https://g/3","title":"Three","index":2,"cookieStoreId":"firefox-default"}}},
          "tabGroups":[{"id":9,"windowId":5,"title":"Trip","color":"cyan","collapsed":false}]}]"#;
        let imported = import::parse_as(Format::TabSessionManager, tsm).unwrap();
        let work = Container {
            cookie_store_id: "firefox-container-2".into(),
            name: Some("Work".into()),
            color: Some("orange".into()),
        };
        // Firefox: named from its containers; one it lacks is marked missing.
        let p = as_json(preview_sessions(Format::TabSessionManager, &imported, Some(std::slice::from_ref(&work))));
        let tabs = &p[0]["content"][0]["tabs"];
        assert_eq!(tabs[0]["group"], json!({ "title": "Trip", "color": "cyan" }));
        assert_eq!(tabs[1]["group"], tabs[0]["group"]);
        assert_eq!(tabs[0]["container"], json!({ "name": "Work", "color": "orange", "missing": false }));
        assert_eq!(tabs[1]["container"], json!({ "name": null, "color": null, "missing": true }));
        assert!(
            tabs[2].get("group").is_none() && tabs[2].get("container").is_none(),
            "no group, the default container"
        );
        // Chrome has no containers: nothing is missing, nothing named.
        let p = as_json(preview_sessions(Format::TabSessionManager, &imported, None));
        assert_eq!(
            p[0]["content"][0]["tabs"][0]["container"],
            json!({ "name": null, "color": null, "missing": false })
        );

        // A name and colour the file carries are kept (Lifeboat's own format), and
        // the real Firefox file's grouped container tab has both badges.
        let mut named = imported.clone();
        named.sessions[0].1.windows[0].tabs[0].container = Some(Container {
            cookie_store_id: "firefox-container-4".into(),
            name: Some("Shopping".into()),
            color: Some("pink".into()),
        });
        let p = as_json(preview_sessions(Format::Lifeboat, &named, None));
        assert_eq!(p[0]["content"][0]["tabs"][0]["container"]["name"], "Shopping");
        assert_eq!(p[0]["content"][0]["tabs"][0]["container"]["color"], "pink");
        let fx = import::parse_as(Format::Firefox, FIREFOX).unwrap();
        let personal = Container {
            cookie_store_id: "firefox-container-1".into(),
            name: Some("Personal".into()),
            color: Some("blue".into()),
        };
        let p = as_json(preview_sessions(Format::Firefox, &fx, Some(std::slice::from_ref(&personal))));
        let work_tab = p[0]["content"][0]["tabs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["url"].as_str().unwrap().ends_with("?work"))
            .unwrap();
        assert_eq!(work_tab["group"]["title"], "Trip <plans>");
        assert_eq!(work_tab["container"], json!({ "name": "Personal", "color": "blue", "missing": false }));
    }
}
