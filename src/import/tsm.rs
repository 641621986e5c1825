//! Tab Session Manager's JSON export: an array of sessions, each
//! `{name, date, tag, windows: {<windowId>: {<tabId>: tab}}, windowsInfo:
//! {<windowId>: window}, tabGroups?: [group]}`, where tabs, windows and groups
//! are the browser's own `tabs.Tab`, `windows.Window` and `tabGroups.TabGroup`
//! objects as TSM saved them (read from TSM's save.js/open.js).
//!
//! Kept: session name and date; per window its state, position, size and
//! focus; per tab (ordered by `index`) url, title, pinned, active, favicon,
//! discarded, last access, muted (`mutedInfo`), container (`cookieStoreId`)
//! and group (`groupId` with `tabGroups` title, colour, collapsed).
//! Left out, with a note: private tabs and windows (Lifeboat never keeps
//! private browsing) and tags (the model has none).

use super::collect::{tab, Collector};
use super::json::{self, Flag, Int, List, Map, Str};
use super::{text, ImportError, Imported, MAX_INPUT};
use crate::message;
use crate::model::{Container, Geometry, Session, Tab, TabGroup, Window, WindowState};
use serde::Deserialize;

pub const DEFAULT_NAME: &str = "Tab Session Manager session";

/// Cookie stores that mean "no container".
const DEFAULT_STORES: &[&str] = &["", "firefox-default", "0"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct TsmSession {
    name: Str,
    date: Int,
    tag: List<Str>,
    windows: Option<Map<Map<TsmTab, true>>>,
    #[serde(rename = "windowsInfo")]
    windows_info: Map<TsmWindow>,
    #[serde(rename = "tabGroups")]
    tab_groups: List<TsmGroup>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TsmTab {
    url: Str,
    title: Str,
    index: Int,
    pinned: Flag,
    active: Flag,
    #[serde(rename = "favIconUrl")]
    fav_icon_url: Str,
    #[serde(rename = "cookieStoreId")]
    cookie_store_id: Str,
    #[serde(rename = "groupId")]
    group_id: Int,
    incognito: Flag,
    discarded: Flag,
    #[serde(rename = "lastAccessed")]
    last_accessed: Int,
    #[serde(rename = "mutedInfo")]
    muted_info: Option<Muted>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Muted {
    muted: Flag,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TsmWindow {
    state: Str,
    left: Int,
    top: Int,
    width: Int,
    height: Int,
    focused: Flag,
    incognito: Flag,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TsmGroup {
    id: Int,
    #[serde(rename = "windowId")]
    window_id: Int,
    title: Str,
    color: Str,
    collapsed: Flag,
}

pub fn parse(bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_INPUT {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_INPUT as u64,
        });
    }
    let body = text::strip_bom(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    let (List(sessions), odd) = json::parse::<List<TsmSession>>(body)?;
    if !sessions.is_empty() && sessions.iter().all(|s| s.windows.is_none()) {
        return Err(ImportError::Unrecognised("this JSON list is not a Tab Session Manager export".into()));
    }
    let mut c = Collector::new();
    c.odd_values(odd);
    for s in sessions {
        if s.tag.0.iter().any(|t| !t.or_empty().is_empty()) {
            c.count(message::N_NOTE_TAGS);
        }
        let name = s.name.0.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| DEFAULT_NAME.into());
        let saved_at = s.date.0.and_then(|d| u64::try_from(d).ok());
        let mut windows = Vec::new();
        for (key, Map(tabs)) in s.windows.unwrap_or_default().0 {
            let info = s.windows_info.0.iter().find(|(k, _)| *k == key).map(|(_, w)| w);
            let groups: Vec<&TsmGroup> = s
                .tab_groups
                .0
                .iter()
                .filter(|g| g.window_id.0.is_some() && g.window_id.0 == key.parse().ok())
                .collect();
            windows.push(window(&mut c, tabs, info, &groups)?);
        }
        c.session(name, saved_at, Session { windows });
    }
    c.finish()
}

fn window(c: &mut Collector, tabs: Vec<(String, TsmTab)>, info: Option<&TsmWindow>, groups: &[&TsmGroup]) -> Result<Window, ImportError> {
    let private_window = info.is_some_and(|w| w.incognito.0);
    let mut ordered: Vec<(i64, TsmTab)> = tabs.into_iter().enumerate().map(|(i, (_, t))| (t.index.0.unwrap_or(i as i64), t)).collect();
    ordered.sort_by_key(|(index, _)| *index); // stable: equal indexes keep the file's order
    let mut window = Window::default();
    for (_, t) in ordered {
        if private_window || t.incognito.0 || t.cookie_store_id.as_deref() == Some("firefox-private") {
            c.count(message::N_NOTE_PRIVATE_TABS);
            continue;
        }
        if let Some(tab) = tab_of(c, t, groups, &mut window.groups)? {
            window.tabs.push(tab);
        }
    }
    if let Some(w) = info {
        window.state = WindowState::parse(w.state.or_empty());
        window.focused = w.focused.0;
        let dim = |v: Int| v.0.and_then(|v| i32::try_from(v).ok());
        if let (Some(width), Some(height)) = (dim(w.width), dim(w.height)) {
            window.geometry = Some(Geometry {
                left: dim(w.left).unwrap_or(0),
                top: dim(w.top).unwrap_or(0),
                width,
                height,
            });
        }
    }
    Ok(window)
}

/// One tab; adds the tab's group to `used` the first time it is seen.
fn tab_of(c: &mut Collector, t: TsmTab, groups: &[&TsmGroup], used: &mut Vec<TabGroup>) -> Result<Option<Tab>, ImportError> {
    let Some(url) = c.tab_url(t.url.or_empty())? else { return Ok(None) };
    let mut tab = tab(url, t.title.0.unwrap_or_default());
    tab.pinned = t.pinned.0;
    tab.active = t.active.0;
    tab.discarded = t.discarded.0;
    tab.muted = t.muted_info.is_some_and(|m| m.muted.0);
    tab.fav_icon_url = c.favicon(t.fav_icon_url.as_deref());
    tab.last_accessed = t.last_accessed.0.and_then(|v| u64::try_from(v).ok());
    tab.container = t.cookie_store_id.0.filter(|id| !DEFAULT_STORES.contains(&id.as_str())).map(|id| Container {
        cookie_store_id: id,
        name: None,
        color: None,
    });
    // Chrome's "no group" is -1; TSM regroups tabs even without saved group details.
    if let Some(id) = t.group_id.0.filter(|&g| g > 0) {
        if !used.iter().any(|g| g.id == id) {
            let saved = groups.iter().find(|g| g.id.0 == Some(id));
            used.push(TabGroup {
                id,
                title: saved.and_then(|g| g.title.0.clone()).unwrap_or_default(),
                color: saved.and_then(|g| g.color.0.clone()).unwrap_or_else(|| "grey".into()),
                collapsed: saved.is_some_and(|g| g.collapsed.0),
            });
        }
        tab.group = Some(id);
    }
    Ok(Some(tab))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_tsm_session() {
        let json = r#"[{"name":"Trip","date":1700000000000,"tag":["work"],"tabsNumber":3,"sessionStartTime":1,"windowsNumber":1,
          "windows":{"12":{"40":{"url":"https://b/","title":"B","index":1,"active":true,"groupId":7,"cookieStoreId":"firefox-container-2","mutedInfo":{"muted":true}},
                           "41":{"url":"https://a/","title":"A","index":0,"pinned":true,"groupId":-1,"favIconUrl":"https://a/f.ico"},
                           "42":{"url":"https://p/","index":2,"incognito":true}}},
          "windowsInfo":{"12":{"state":"normal","left":5,"top":6,"width":700,"height":500,"focused":true}},
          "tabGroups":[{"id":7,"windowId":12,"title":"G","color":"red","collapsed":true}]}]"#;
        let got = parse(json.as_bytes()).unwrap();
        let (name, s) = &got.sessions[0];
        assert_eq!(name, "Trip");
        assert_eq!(got.saved_at, [Some(1700000000000)]);
        let w = &s.windows[0];
        assert_eq!(w.tabs.iter().map(|t| t.url.as_str()).collect::<Vec<_>>(), ["https://a/", "https://b/"]);
        assert!(w.tabs[0].pinned && w.tabs[1].active && w.tabs[1].muted);
        assert_eq!(w.tabs[1].container.as_ref().unwrap().cookie_store_id, "firefox-container-2");
        assert_eq!(
            w.groups,
            [TabGroup {
                id: 7,
                title: "G".into(),
                color: "red".into(),
                collapsed: true
            }]
        );
        assert_eq!(
            w.geometry,
            Some(Geometry {
                left: 5,
                top: 6,
                width: 700,
                height: 500
            })
        );
        assert!(got.notes.iter().any(|n| n.text.starts_with("1 private tab")));
        assert!(got.notes.iter().any(|n| n.text.starts_with("1 session had tags")));
    }

    #[test]
    fn wrong_lists() {
        assert!(matches!(parse(b"[1,2]"), Err(ImportError::WrongShape { .. })));
        assert!(matches!(parse(b"[{\"a\":1}]"), Err(ImportError::Unrecognised(_))));
        assert_eq!(parse(b"[]"), Err(ImportError::NothingToImport(vec![])));
    }
}
