//! Planning a restore: which tabs would open, which are already open, which
//! an extension may not open and why. The edge carries out the resulting
//! `Order` with the browser's APIs; every decision is made here.

use crate::message::{self, Message};
use crate::model::{Container, Geometry, PageState, Session, Tab, TabGroup, WindowState};
use crate::msg;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum Status {
    Restore,
    AlreadyOpen,
    Blocked(Message),
}

/// Where a tab's container stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct PlannedContainer {
    pub name: Option<String>,
    pub color: Option<String>,
    /// The container to open the tab in; `None` = the default one.
    #[serde(skip)]
    #[cfg_attr(test, ts(skip))]
    pub use_id: Option<String>,
    pub missing: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTab {
    pub tab: Tab,
    /// What to open: `None` for a new-tab page.
    pub open_url: Option<String>,
    pub status: Status,
    pub group: Option<TabGroup>,
    pub container: Option<PlannedContainer>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWindow {
    /// An open window that already holds some of this window's pages.
    pub join: Option<i64>,
    pub state: WindowState,
    pub geometry: Option<Geometry>,
    pub focused: bool,
    pub tabs: Vec<PlannedTab>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub windows: Vec<PlannedWindow>,
    pub notices: Vec<crate::message::Message>,
}

/// Why an extension cannot open `url`, or `Ok(url to open)` (`None`: a new tab).
pub fn openable(url: &str) -> Result<Option<String>, Message> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme = lower.split_once(':').map(|(s, _)| s).unwrap_or("");
    match scheme {
        "http" | "https" => Ok(Some(url.trim().to_string())),
        "about" => match lower.as_str() {
            "about:blank" => Ok(Some("about:blank".into())),
            "about:newtab" | "about:home" | "about:privatebrowsing" => Ok(None),
            _ if lower.starts_with("about:reader?url=") => reader_target(url),
            _ => Err(message::UNOPENABLE_ABOUT.msg()),
        },
        "chrome" | "edge" | "brave" | "opera" | "vivaldi" => {
            if lower.starts_with("chrome://newtab") || lower.starts_with("chrome://new-tab-page") {
                Ok(None)
            } else {
                Err(message::UNOPENABLE_SETTINGS.msg())
            }
        }
        "file" => Err(message::UNOPENABLE_FILE.msg()),
        "javascript" => Err(message::UNOPENABLE_JAVASCRIPT.msg()),
        "data" => Err(message::UNOPENABLE_DATA.msg()),
        "blob" => Err(message::UNOPENABLE_BLOB.msg()),
        "view-source" | "resource" | "moz-extension" | "chrome-extension" | "devtools" => Err(msg!(message::UNOPENABLE_PAGES, scheme)),
        "" => Err(message::UNOPENABLE_NOT_URL.msg()),
        _ => Err(msg!(message::UNOPENABLE_URLS, scheme)),
    }
}

/// Firefox's reader view wraps the real page: open the page itself.
fn reader_target(url: &str) -> Result<Option<String>, Message> {
    let inner = &url["about:reader?url=".len()..];
    let decoded = percent_encoding::percent_decode_str(inner).decode_utf8_lossy();
    match openable(&decoded) {
        Ok(Some(u)) if u.starts_with("http") => Ok(Some(u)),
        _ => Err(message::UNOPENABLE_ABOUT.msg()),
    }
}

/// A tab open in the browser now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTab {
    pub url: String,
    pub window: i64,
}

/// Plans restoring `session` into a browser where `open` tabs are open now and
/// `containers` exist (`None`: the browser has no containers).
pub fn plan(session: &Session, open: &[OpenTab], containers: Option<&[Container]>) -> Plan {
    let mut open_by_url: HashMap<&str, Vec<i64>> = HashMap::new();
    for t in open.iter().rev() {
        open_by_url.entry(t.url.as_str()).or_default().push(t.window);
    }
    let mut missing_containers: Vec<String> = Vec::new();
    let windows = session
        .windows
        .iter()
        .map(|w| {
            // Where this window's pages are open already (the browser restored
            // part of it): the rest joins them there. Blank pages say nothing.
            let mut joined: HashMap<i64, usize> = HashMap::new();
            let tabs = w
                .tabs
                .iter()
                .map(|t| {
                    let (open_url, status) = match openable(&t.url) {
                        Err(reason) => (None, Status::Blocked(reason)),
                        // Each open tab vouches for one saved tab only, so two
                        // saved copies of a URL with one open still bring one back.
                        Ok(u) => match open_by_url.get_mut(t.url.as_str()).and_then(|ws| ws.pop()) {
                            Some(window) => {
                                if t.url.starts_with("http") {
                                    *joined.entry(window).or_default() += 1;
                                }
                                (u, Status::AlreadyOpen)
                            }
                            None => (u, Status::Restore),
                        },
                    };
                    let container = t.container.as_ref().map(|c| plan_container(c, containers, &mut missing_containers));
                    PlannedTab {
                        tab: t.clone(),
                        open_url,
                        status,
                        group: t.group.and_then(|g| w.groups.iter().find(|x| x.id == g).cloned()),
                        container,
                    }
                })
                .collect();
            let join = joined.into_iter().max_by_key(|&(id, n)| (n, std::cmp::Reverse(id))).map(|(id, _)| id);
            PlannedWindow {
                state: w.state,
                geometry: w.geometry,
                focused: w.focused,
                tabs,
                join,
            }
        })
        .collect();
    let notices = missing_containers
        .into_iter()
        .map(|name| crate::msg!(crate::message::NOTICE_CONTAINER_GONE, name))
        .collect();
    Plan { windows, notices }
}

/// Where container `c` stands among the `available` ones (`None`: a browser
/// without containers); adds its name to `missing` when it is gone. The
/// import preview shows its files' containers the same way.
pub fn plan_container(c: &Container, available: Option<&[Container]>, missing: &mut Vec<String>) -> PlannedContainer {
    // A browser without containers (Chrome) opens such tabs normally: that is
    // not a container gone missing.
    let Some(_) = available else {
        return PlannedContainer {
            name: c.name.clone(),
            color: c.color.clone(),
            use_id: None,
            missing: false,
        };
    };
    let default = c.cookie_store_id == "firefox-default" || c.cookie_store_id.is_empty();
    let found = available.and_then(|list| {
        list.iter()
            .find(|a| a.cookie_store_id == c.cookie_store_id)
            // A container recreated under the same name has a new id.
            .or_else(|| c.name.as_ref().and_then(|n| list.iter().find(|a| a.name.as_ref() == Some(n))))
    });
    let is_missing = !default && found.is_none();
    if is_missing {
        let name = c.name.clone().unwrap_or_else(|| c.cookie_store_id.clone());
        if !missing.contains(&name) {
            missing.push(name);
        }
    }
    PlannedContainer {
        name: c.name.clone().or_else(|| found.and_then(|f| f.name.clone())),
        color: c.color.clone().or_else(|| found.and_then(|f| f.color.clone())),
        use_id: if default { None } else { found.map(|f| f.cookie_store_id.clone()) },
        missing: is_missing,
    }
}

/// Which tabs the user ticked: per window of the plan, tab positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    Some(Vec<(usize, Vec<usize>)>),
}

/// One tab to create.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderTab {
    pub url: Option<String>,
    pub title: String,
    pub pinned: bool,
    pub active: bool,
    pub muted: bool,
    /// Load only when clicked.
    pub lazy: bool,
    /// Index into `OrderWindow::groups`.
    pub group: Option<usize>,
    pub cookie_store_id: Option<String>,
    /// Typed text and scroll to put back once the page has loaded.
    #[serde(skip)]
    pub page: Option<PageState>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderGroup {
    pub title: String,
    pub color: String,
    pub collapsed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderWindow {
    /// Add the tabs to this open window instead of making a new one.
    pub join: Option<i64>,
    pub state: &'static str,
    pub left: Option<i32>,
    pub top: Option<i32>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub focused: bool,
    pub tabs: Vec<OrderTab>,
    pub groups: Vec<OrderGroup>,
}

/// What the edge carries out, and what it tells the user was left out.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Order {
    pub windows: Vec<OrderWindow>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct Skipped {
    pub url: String,
    pub reason: Message,
}

/// Turns a plan and a selection into windows and tabs to create. Only tabs
/// with status `Restore` are opened; pinned tabs go first (browsers insist);
/// every tab but each window's active one loads lazily when `lazy` is set.
pub fn order(plan: &Plan, selection: &Selection, lazy: bool) -> Order {
    let mut out = Order::default();
    for (wi, w) in plan.windows.iter().enumerate() {
        let chosen: Vec<usize> = match selection {
            Selection::All => (0..w.tabs.len()).collect(),
            Selection::Some(sel) => sel
                .iter()
                .filter(|(i, _)| *i == wi)
                .flat_map(|(_, t)| t.iter().copied())
                .filter(|&t| t < w.tabs.len())
                .collect(),
        };
        let mut tabs: Vec<&PlannedTab> = Vec::new();
        for ti in 0..w.tabs.len() {
            if !chosen.contains(&ti) {
                continue;
            }
            let p = &w.tabs[ti];
            match &p.status {
                Status::Restore => tabs.push(p),
                Status::AlreadyOpen => {}
                Status::Blocked(reason) => out.skipped.push(Skipped {
                    url: p.tab.url.clone(),
                    reason: reason.clone(),
                }),
            }
        }
        if tabs.is_empty() {
            continue;
        }
        crate::sorting::sort_by_key(&mut tabs, |p| !p.tab.pinned); // stable: keeps order within each part
        let active = tabs.iter().position(|p| p.tab.active).unwrap_or(0);
        let mut groups: Vec<(i64, OrderGroup)> = Vec::new();
        let tabs = tabs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let group = p.group.as_ref().map(|g| match groups.iter().position(|(id, _)| *id == g.id) {
                    Some(at) => at,
                    None => {
                        groups.push((
                            g.id,
                            OrderGroup {
                                title: g.title.clone(),
                                color: g.color.clone(),
                                collapsed: g.collapsed,
                            },
                        ));
                        groups.len() - 1
                    }
                });
                OrderTab {
                    url: p.open_url.clone(),
                    title: p.tab.title.clone(),
                    pinned: p.tab.pinned,
                    active: i == active,
                    muted: p.tab.muted,
                    // Pinned tabs load at once, as in Firefox's own restore.
                    // Only web pages: a blank page cannot be created discarded
                    // (Firefox refuses; Chrome never reports it as loaded).
                    lazy: lazy && i != active && p.open_url.as_deref().is_some_and(|u| u.starts_with("http")) && !p.tab.pinned,
                    group,
                    cookie_store_id: p.container.as_ref().and_then(|c| c.use_id.clone()),
                    // Only onto the page it was typed into.
                    page: p.tab.page.clone().filter(|pg| p.open_url.as_deref() == Some(pg.url.as_str())),
                }
            })
            .collect();
        out.windows.push(OrderWindow {
            join: w.join,
            state: w.state.as_str(),
            left: w.geometry.map(|g| g.left),
            top: w.geometry.map(|g| g.top),
            width: w.geometry.map(|g| g.width),
            height: w.geometry.map(|g| g.height),
            focused: w.focused,
            tabs,
            groups: groups.into_iter().map(|(_, g)| g).collect(),
        });
    }
    out
}

/// The order as one window: every window's tabs one after another, for a
/// restore into the current window. Pinned tabs still come first.
pub fn into_one(mut order: Order) -> Order {
    let mut windows = std::mem::take(&mut order.windows).into_iter();
    let Some(mut first) = windows.next() else { return order };
    for w in windows {
        let offset = first.groups.len();
        first.groups.extend(w.groups);
        first.tabs.extend(w.tabs.into_iter().map(|mut t| {
            t.group = t.group.map(|g| g + offset);
            t.active = false;
            t
        }));
    }
    crate::sorting::sort_by_key(&mut first.tabs, |t| !t.pinned);
    order.windows.push(first);
    order
}

/// The order without its tab groups, for a browser that cannot make them:
/// the tabs open ungrouped, and one notice says so (instead of one failure
/// per group).
pub fn ungrouped(mut order: Order) -> (Order, Option<crate::message::Message>) {
    let mut had = false;
    for w in &mut order.windows {
        had |= !w.groups.is_empty();
        w.groups.clear();
        for t in &mut w.tabs {
            t.group = None;
        }
    }
    let notice = had.then(|| crate::message::NOTICE_UNGROUPED.msg());
    (order, notice)
}

/// Whether `created` (tab ids, in the order's order) appear in that order
/// among a window's tabs (`window`, in its order). Tabs created at once
/// may land in another order; the edge then moves them into it.
pub fn in_order(window: &[i64], created: &[i64]) -> bool {
    let mut at = window.iter();
    created.iter().all(|id| at.any(|w| w == id))
}

/// How many tabs a plan would open.
pub fn restorable(plan: &Plan) -> usize {
    plan.windows.iter().flat_map(|w| &w.tabs).filter(|t| t.status == Status::Restore).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Window;

    #[test]
    fn tabs_created_at_once_are_checked_for_their_order() {
        assert!(in_order(&[1, 5, 6, 7], &[5, 6, 7]), "after the window's own tabs");
        assert!(in_order(&[5, 9, 6, 7], &[5, 6, 7]), "another tab between them does not matter");
        assert!(!in_order(&[1, 6, 5, 7], &[5, 6, 7]), "two swapped");
        assert!(!in_order(&[1, 5, 6], &[5, 6, 7]), "one missing");
        assert!(in_order(&[1], &[]));
    }

    fn tab(url: &str) -> Tab {
        crate::test_kit::tab(0, url)
    }

    fn session() -> Session {
        let mut w1 = Window {
            id: 1,
            tabs: vec![tab("https://a/"), tab("https://b/"), tab("about:config"), tab("https://a/")],
            ..Default::default()
        };
        w1.tabs[1].active = true;
        w1.tabs[3].pinned = true;
        w1.tabs[0].group = Some(5);
        w1.groups.push(TabGroup {
            id: 5,
            title: "G".into(),
            color: "red".into(),
            collapsed: false,
        });
        let w2 = Window {
            id: 2,
            tabs: vec![tab("javascript:alert(1)"), tab("https://c/")],
            ..Default::default()
        };
        Session { windows: vec![w1, w2] }
    }

    #[test]
    fn unopenable_urls_have_reasons_and_special_pages_map() {
        for u in [
            "about:config",
            "chrome://settings",
            "file:///etc/passwd",
            "javascript:void(0)",
            "data:text/html,hi",
            "blob:https://x/1",
            "view-source:https://x/",
            "moz-extension://x/y",
            "gopher://x",
            "nonsense",
        ] {
            assert!(openable(u).is_err(), "{u}");
        }
        assert_eq!(openable("https://x/"), Ok(Some("https://x/".into())));
        assert_eq!(openable("about:newtab"), Ok(None));
        assert_eq!(openable("chrome://newtab/"), Ok(None));
        assert_eq!(openable("about:reader?url=https%3A%2F%2Fx.org%2Fa"), Ok(Some("https://x.org/a".into())));
        assert!(openable("about:reader?url=javascript%3Aalert(1)").is_err());
    }

    #[test]
    fn already_open_counts_each_open_tab_once() {
        let p = plan(&session(), &[open("https://a/", 7), open("https://c/", 8)], None);
        let st: Vec<&Status> = p.windows[0].tabs.iter().map(|t| &t.status).collect();
        assert_eq!(st[0], &Status::AlreadyOpen);
        assert_eq!(st[1], &Status::Restore);
        assert!(matches!(st[2], Status::Blocked(_)));
        assert_eq!(st[3], &Status::Restore, "the second copy of https://a/ is not open yet");
        assert_eq!(p.windows[1].tabs[1].status, Status::AlreadyOpen);
        assert_eq!(restorable(&p), 2);
    }

    fn open(url: &str, window: i64) -> OpenTab {
        OpenTab { url: url.into(), window }
    }

    #[test]
    fn the_rest_of_a_partly_open_window_joins_it() {
        let p = plan(&session(), &[open("https://c/", 8), open("about:blank", 9)], None);
        assert_eq!(p.windows[1].join, Some(8), "window 2's https://c/ is open in window 8");
        assert_eq!(p.windows[0].join, None, "nothing of window 1 is open");
        let o = order(&p, &Selection::All, true);
        assert_eq!(o.windows.iter().map(|w| w.join).collect::<Vec<_>>(), vec![None]);
        let only_blank = plan(
            &Session {
                windows: vec![crate::model::Window {
                    id: 1,
                    tabs: vec![tab("about:blank"), tab("https://z/")],
                    ..Default::default()
                }],
            },
            &[open("about:blank", 9)],
            None,
        );
        assert_eq!(only_blank.windows[0].join, None, "a blank page is no reason to join");
    }

    #[test]
    fn order_puts_pinned_first_keeps_active_and_groups_and_lists_skips() {
        let p = plan(&session(), &[], None);
        let o = order(&p, &Selection::All, true);
        assert_eq!(o.windows.len(), 2);
        let w = &o.windows[0];
        let urls: Vec<_> = w.tabs.iter().map(|t| t.url.clone().unwrap()).collect();
        assert_eq!(urls, ["https://a/", "https://a/", "https://b/"]);
        assert!(w.tabs[0].pinned);
        assert!(w.tabs[2].active && !w.tabs[2].lazy);
        assert!(!w.tabs[0].lazy && w.tabs[1].lazy, "pinned tabs load, others wait");
        assert_eq!(w.tabs[1].group, Some(0));
        assert_eq!(w.groups[0].title, "G");
        assert_eq!(o.skipped.len(), 2);
        assert!(o.skipped.iter().any(|s| s.url.starts_with("javascript:")));
    }

    #[test]
    fn selection_picks_tabs_and_an_unticked_active_tab_moves() {
        let p = plan(&session(), &[], None);
        let o = order(&p, &Selection::Some(vec![(0, vec![0]), (1, vec![])]), false);
        assert_eq!(o.windows.len(), 1);
        assert_eq!(o.windows[0].tabs.len(), 1);
        assert!(o.windows[0].tabs[0].active);
        assert!(o.skipped.is_empty());
    }

    #[test]
    fn into_one_keeps_groups_apart_and_one_active_tab() {
        let p = plan(&session(), &[], None);
        let one = into_one(order(&p, &Selection::All, true));
        assert_eq!(one.windows.len(), 1);
        let w = &one.windows[0];
        assert_eq!(w.tabs.len(), 4);
        assert_eq!(w.tabs.iter().filter(|t| t.active).count(), 1);
        assert!(w.tabs[0].pinned);
        assert!(w.tabs.iter().filter_map(|t| t.group).all(|g| g < w.groups.len()));
    }

    #[test]
    fn containers_in_a_browser_without_them_are_not_missing() {
        let mut t = tab("https://x/");
        t.container = Some(Container {
            cookie_store_id: "firefox-container-1".into(),
            name: None,
            color: None,
        });
        let s = Session {
            windows: vec![crate::model::Window {
                id: 1,
                tabs: vec![t, tab("about:blank")],
                ..Default::default()
            }],
        };
        let p = plan(&s, &[], None);
        assert!(p.notices.is_empty());
        assert!(!p.windows[0].tabs[0].container.as_ref().unwrap().missing);
        let o = order(&p, &Selection::All, true);
        assert!(
            o.windows[0].tabs.iter().all(|t| !(t.lazy && t.url.as_deref() == Some("about:blank"))),
            "blank pages are never lazy"
        );
    }

    #[test]
    fn containers_found_by_id_or_name_else_default_with_notice() {
        let mut s = Session::default();
        let mut w = Window { id: 1, ..Default::default() };
        for (id, name) in [
            ("firefox-container-1", "Work"),
            ("firefox-container-9", "Gone"),
            ("firefox-container-7", "Bank"),
        ] {
            let mut t = tab("https://x/");
            t.container = Some(Container {
                cookie_store_id: id.into(),
                name: Some(name.into()),
                color: None,
            });
            w.tabs.push(t);
        }
        s.windows.push(w);
        let avail = [
            Container {
                cookie_store_id: "firefox-container-1".into(),
                name: Some("Work".into()),
                color: Some("blue".into()),
            },
            Container {
                cookie_store_id: "firefox-container-3".into(),
                name: Some("Bank".into()),
                color: None,
            },
        ];
        let p = plan(&s, &[], Some(&avail));
        let c: Vec<_> = p.windows[0].tabs.iter().map(|t| t.container.clone().unwrap()).collect();
        assert_eq!(c[0].use_id.as_deref(), Some("firefox-container-1"));
        assert!(c[1].missing && c[1].use_id.is_none());
        assert_eq!(c[2].use_id.as_deref(), Some("firefox-container-3"));
        assert_eq!(p.notices.len(), 1);
        assert!(p.notices[0].text.contains("Gone"));
        assert_eq!(p.notices[0].key, "noticeContainerGone");
    }

    #[test]
    fn a_browser_without_tab_groups_gets_the_tabs_ungrouped_and_one_notice() {
        let tab = |group| OrderTab {
            url: Some("https://a/".into()),
            title: String::new(),
            pinned: false,
            active: false,
            muted: false,
            lazy: true,
            group,
            cookie_store_id: None,
            page: None,
        };
        let window = OrderWindow {
            join: None,
            state: "normal",
            left: None,
            top: None,
            width: None,
            height: None,
            focused: true,
            tabs: vec![tab(Some(0)), tab(None)],
            groups: vec![OrderGroup {
                title: "Trip".into(),
                color: "blue".into(),
                collapsed: false,
            }],
        };
        let order = Order {
            windows: vec![window.clone(), window],
            skipped: Vec::new(),
        };
        let (flat, notice) = ungrouped(order);
        assert!(flat.windows.iter().all(|w| w.groups.is_empty() && w.tabs.iter().all(|t| t.group.is_none())));
        assert_eq!(flat.windows.iter().map(|w| w.tabs.len()).sum::<usize>(), 4, "every tab still opens");
        assert!(notice.is_some_and(|n| n.text.contains("ungrouped")));
        assert_eq!(ungrouped(flat).1, None, "no groups, nothing to say");
    }
}
