//! The live model: the session as the browser has it now, kept by applying
//! `Event`s one at a time (`event.rs` says what each one is).

use crate::event::{Change, Event, TabInfo};
use crate::model::{PageState, Session, Tab, TabGroup, Window};

/// The live session plus what it needs to follow events: tabs that are
/// between a detach and an attach, and which windows are private.
#[derive(Debug, Default, Clone)]
pub struct Tracker {
    session: Session,
    /// The window each tab of `session` is in, so that a tab is found
    /// without searching every window: rebuilding the model from 10,000
    /// open tabs made that quadratic. Only the tracker adds tabs, so a tab
    /// missing here is not in the session; where one is listed, the window
    /// is checked and a wrong entry falls back to a search.
    window_of: std::collections::HashMap<i64, i64>,
    detached: Vec<Tab>,
    /// Window ids seen as private or not normal: their events are ignored.
    ignored_windows: Vec<i64>,
    /// Typed text and history of the committed state (URL, page, history)
    /// by tab id, for a model rebuilt after a background restart in the same
    /// browser run: the browser does not know them, so a rebuilt tab takes
    /// them back when its URL is the same.
    carried_pages: std::collections::HashMap<i64, (String, Option<PageState>, Vec<crate::model::Visit>)>,
}

impl Tracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers the typed text and history of `session` (same browser
    /// run, same tab ids), for the tabs the browser lists again.
    pub fn carry_pages_from(&mut self, session: &Session) {
        self.carried_pages = session
            .windows
            .iter()
            .flat_map(|w| &w.tabs)
            .filter(|t| t.page.is_some() || !t.history.is_empty())
            .map(|t| (t.id, (t.url.clone(), t.page.clone(), t.history.clone())))
            .collect();
    }

    /// The live session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// For changing what tabs hold (pages, typed text); which tabs exist and
    /// where is the tracker's to change, through events.
    pub fn contents_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// Forgets every window and tab.
    pub fn clear(&mut self) {
        self.session.windows.clear();
        self.window_of.clear();
    }

    /// Where tab `tab_id` is: (window index, tab index).
    pub fn find(&self, tab_id: i64) -> Option<(usize, usize)> {
        let window = *self.window_of.get(&tab_id)?;
        let listed = self.session.windows.iter().position(|w| w.id == window).and_then(|wi| {
            let ti = self.session.windows[wi].tabs.iter().position(|t| t.id == tab_id)?;
            Some((wi, ti))
        });
        listed.or_else(|| self.session.find_tab(tab_id))
    }

    pub fn tab(&self, tab_id: i64) -> Option<&Tab> {
        let (wi, ti) = self.find(tab_id)?;
        Some(&self.session.windows[wi].tabs[ti])
    }

    pub fn tab_mut(&mut self, tab_id: i64) -> Option<&mut Tab> {
        let (wi, ti) = self.find(tab_id)?;
        Some(&mut self.session.windows[wi].tabs[ti])
    }

    pub fn is_ignored(&self, window_id: i64) -> bool {
        self.ignored_windows.contains(&window_id)
    }

    pub fn apply(&mut self, event: Event) -> Change {
        match event {
            Event::WindowOpened(info) => {
                if info.private || !info.normal {
                    if !self.ignored_windows.contains(&info.id) {
                        self.ignored_windows.push(info.id);
                    }
                    return Change::None;
                }
                if self.session.window(info.id).is_some() {
                    return self.apply(Event::WindowChanged(info));
                }
                if info.focused {
                    self.session.windows.iter_mut().for_each(|w| w.focused = false);
                }
                self.session.windows.push(Window {
                    id: info.id,
                    state: info.state,
                    geometry: info.geometry,
                    focused: info.focused,
                    tabs: Vec::new(),
                    groups: Vec::new(),
                });
                Change::Structure
            }
            Event::WindowChanged(info) => match self.session.window_mut(info.id) {
                Some(w) if w.state != info.state || w.geometry != info.geometry => {
                    w.state = info.state;
                    w.geometry = info.geometry;
                    Change::Detail
                }
                _ => Change::None,
            },
            Event::WindowClosed { window_id } => {
                self.ignored_windows.retain(|&id| id != window_id);
                let before = self.session.windows.len();
                if let Some(w) = self.session.window(window_id) {
                    for t in &w.tabs {
                        self.window_of.remove(&t.id);
                    }
                }
                self.session.windows.retain(|w| w.id != window_id);
                if self.session.windows.len() != before {
                    Change::Structure
                } else {
                    Change::None
                }
            }
            Event::WindowFocused { window_id } => {
                let mut changed = false;
                for w in &mut self.session.windows {
                    let f = Some(w.id) == window_id;
                    changed |= w.focused != f;
                    w.focused = f;
                }
                // Focus alone is not worth a commit; it rides along with the next one.
                let _ = changed;
                Change::None
            }
            Event::TabCreated(info) => self.upsert_tab(info),
            Event::TabUpdated(info) => self.upsert_tab(info),
            Event::TabMoved { tab_id, window_id, to_index } => {
                let Some(w) = self.session.window_mut(window_id) else { return Change::None };
                let Some(from) = w.tabs.iter().position(|t| t.id == tab_id) else {
                    return Change::None;
                };
                let tab = w.tabs.remove(from);
                let to = to_index.min(w.tabs.len());
                w.tabs.insert(to, tab);
                if from == to {
                    Change::None
                } else {
                    Change::Structure
                }
            }
            Event::TabActivated { tab_id, window_id } => {
                let Some(w) = self.session.window_mut(window_id) else { return Change::None };
                let mut changed = false;
                for t in &mut w.tabs {
                    let a = t.id == tab_id;
                    changed |= t.active != a;
                    t.active = a;
                }
                if changed {
                    Change::Detail
                } else {
                    Change::None
                }
            }
            Event::TabRemoved {
                tab_id,
                window_id: _,
                window_closing,
            } => {
                // A closing window keeps its tabs until WindowClosed: if it is the
                // last window, the session as the user left it is what must be kept.
                if window_closing {
                    return Change::None;
                }
                self.remove_tab(tab_id).map_or(Change::None, |_| Change::Structure)
            }
            Event::TabDetached { tab_id, old_window_id } => {
                match self.find(tab_id) {
                    Some((wi, _)) if self.session.windows[wi].id != old_window_id => return Change::None,
                    None => return Change::None,
                    Some(_) => {}
                }
                let tab = self.remove_tab(tab_id).expect("tab just found");
                self.detached.push(tab);
                Change::Structure
            }
            Event::TabAttached { tab_id, window_id, index } => {
                let mut tab = match self.detached.iter().position(|t| t.id == tab_id) {
                    Some(pos) => self.detached.remove(pos),
                    // Attached before its detach: move it from where it still is.
                    None => match self.find(tab_id) {
                        Some((wi, _)) if self.session.windows[wi].id != window_id => self.remove_tab(tab_id).expect("tab just found"),
                        _ => return Change::None,
                    },
                };
                if self.session.window(window_id).is_none() {
                    if self.is_ignored(window_id) {
                        return Change::Structure;
                    }
                    // The attach can come before its window's creation event.
                    self.session.windows.push(Window {
                        id: window_id,
                        ..Window::default()
                    });
                }
                let w = self.session.window_mut(window_id).expect("window just ensured");
                // A group does not follow its tab into another window.
                tab.group = None;
                let at = index.min(w.tabs.len());
                w.tabs.insert(at, tab);
                self.window_of.insert(tab_id, window_id);
                Change::Structure
            }
            Event::TabReplaced { added, removed } => match self.tab_mut(removed) {
                Some(t) => {
                    t.id = added;
                    if let Some(w) = self.window_of.remove(&removed) {
                        self.window_of.insert(added, w);
                    }
                    Change::Structure
                }
                None => Change::None,
            },
            Event::GroupChanged(g) => {
                let Some(w) = self.session.window_mut(g.window_id) else { return Change::None };
                let group = TabGroup {
                    id: g.id,
                    title: g.title,
                    color: g.color,
                    collapsed: g.collapsed,
                };
                match w.groups.iter_mut().find(|x| x.id == g.id) {
                    Some(x) if *x == group => Change::None,
                    Some(x) => {
                        *x = group;
                        Change::Structure
                    }
                    None => {
                        w.groups.push(group);
                        Change::Structure
                    }
                }
            }
            Event::GroupRemoved { group_id } => {
                let mut changed = false;
                for w in &mut self.session.windows {
                    let before = w.groups.len();
                    w.groups.retain(|g| g.id != group_id);
                    changed |= before != w.groups.len();
                    for t in &mut w.tabs {
                        if t.group == Some(group_id) {
                            t.group = None;
                        }
                    }
                }
                if changed {
                    Change::Structure
                } else {
                    Change::None
                }
            }
            Event::PageChanged { tab_id, scroll, frame } => {
                let Some(t) = self.tab_mut(tab_id) else { return Change::None };
                // A report from the page the tab has since left is stale.
                if frame.frame.is_empty() && frame.url != t.url {
                    return Change::None;
                }
                let before = t.page.clone();
                let page = t.page.get_or_insert_with(|| PageState {
                    url: t.url.clone(),
                    ..Default::default()
                });
                if frame.frame.is_empty() {
                    page.scroll = scroll;
                }
                page.frames.retain(|f| f.frame != frame.frame);
                if !frame.fields.is_empty() {
                    page.frames.push(frame);
                    crate::sorting::sort_by(&mut page.frames, |a, b| a.frame.cmp(&b.frame));
                }
                if page.frames.is_empty() && page.scroll.is_none_or(|s| s == (0, 0)) {
                    t.page = None;
                }
                if t.page == before {
                    Change::None
                } else {
                    Change::Detail
                }
            }
        }
    }

    fn remove_tab(&mut self, tab_id: i64) -> Option<Tab> {
        let (wi, ti) = self.find(tab_id)?;
        let w = &mut self.session.windows[wi];
        let tab = w.tabs.remove(ti);
        self.window_of.remove(&tab_id);
        w.prune_groups();
        Some(tab)
    }

    fn upsert_tab(&mut self, info: TabInfo) -> Change {
        if info.private || self.is_ignored(info.window_id) {
            return Change::None;
        }
        if self.session.window(info.window_id).is_none() {
            // Tab events can arrive before their window's: make the window now.
            self.session.windows.push(Window {
                id: info.window_id,
                ..Window::default()
            });
        }
        let group = info.group_id.filter(|&g| g >= 0);
        let existing = self.find(info.id);
        let keep_page = |old: Option<&Tab>| old.and_then(|t| t.page.clone()).filter(|p| p.url == info.url);
        // A navigation adds the page left to the tab's history.
        let history = |old: Option<&Tab>| match old {
            Some(o) if o.url != info.url => {
                let mut o = o.clone();
                o.left_page(o.last_accessed);
                o.history
            }
            Some(o) => o.history.clone(),
            None => Vec::new(),
        };
        let tab = |old: Option<Tab>| Tab {
            id: info.id,
            url: info.url.clone(),
            title: info.title.clone(),
            fav_icon_url: crate::privacy::keep_favicon(info.fav_icon_url.as_deref()),
            pinned: info.pinned,
            active: info.active,
            muted: info.muted,
            discarded: info.discarded,
            last_accessed: info.last_accessed,
            group,
            container: info.container.clone(),
            // Typed text belongs to a URL; a navigation drops it.
            page: keep_page(old.as_ref()),
            history: history(old.as_ref()),
        };
        let carried = self
            .carried_pages
            .remove(&info.id)
            .filter(|(url, _, _)| *url == info.url)
            .map(|(_, page, history)| (page, history));
        match existing {
            Some((wi, ti)) if self.session.windows[wi].id == info.window_id => {
                let w = &mut self.session.windows[wi];
                let new = tab(Some(w.tabs[ti].clone()));
                if w.tabs[ti] == new {
                    return Change::None;
                }
                let old = &w.tabs[ti];
                let structural = old.url != new.url || old.pinned != new.pinned || old.group != new.group || old.container != new.container;
                if new.active {
                    w.tabs.iter_mut().for_each(|t| t.active = false);
                }
                w.tabs[ti] = new;
                if w.tabs[ti].group.is_none() {
                    w.prune_groups();
                }
                if structural {
                    Change::Structure
                } else {
                    Change::Detail
                }
            }
            Some(_) => {
                // Reported in another window than we thought: move it.
                let old = self.remove_tab(info.id);
                let w = self.session.window_mut(info.window_id).expect("window just ensured");
                let at = info.index.min(w.tabs.len());
                w.tabs.insert(at, tab(old));
                self.window_of.insert(info.id, info.window_id);
                Change::Structure
            }
            None => {
                let w = self.session.window_mut(info.window_id).expect("window just ensured");
                if info.active {
                    w.tabs.iter_mut().for_each(|t| t.active = false);
                }
                let at = info.index.min(w.tabs.len());
                let mut new = tab(None);
                if let Some((page, history)) = carried {
                    new.page = page;
                    new.history = history;
                }
                w.tabs.insert(at, new);
                self.window_of.insert(info.id, info.window_id);
                Change::Structure
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{GroupInfo, WindowInfo};
    use crate::model::{Field, FieldValue, FrameFields};

    use crate::test_kit::{tab_info as tab, window_info as win};
    fn urls(t: &Tracker, w: usize) -> Vec<&str> {
        t.session.windows[w].tabs.iter().map(|t| t.url.as_str()).collect()
    }

    /// The tab-id index answers as a search of every window would, through
    /// a seeded mix of every event that adds, moves, replaces or removes
    /// tabs and windows, and after `clear`. As in a browser, a tab id is
    /// never in two places: no tab is created while detached, and a
    /// replacement gets a new id.
    #[test]
    fn the_tab_index_agrees_with_a_search() {
        let mut t = Tracker::new();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as i64
        };
        for w in 1..=3 {
            t.apply(Event::WindowOpened(win(w)));
        }
        let mut fresh = 1000;
        let check = |t: &Tracker| {
            for id in (0..60).chain(1000..1100) {
                assert_eq!(t.find(id), t.session.find_tab(id), "tab {id}");
            }
        };
        for step in 0..3000 {
            let (id, w) = (next(60), 1 + next(4));
            let detached = t.detached.iter().any(|d| d.id == id);
            let e = match next(8) {
                0..=2 if detached => continue,
                0 | 1 => Event::TabCreated(tab(id, w, next(30) as usize, "https://a/")),
                2 => Event::TabUpdated(tab(id, w, 0, "https://b/")),
                3 => Event::TabRemoved {
                    tab_id: id,
                    window_id: w,
                    window_closing: false,
                },
                4 => Event::TabMoved {
                    tab_id: id,
                    window_id: w,
                    to_index: next(30) as usize,
                },
                5 => {
                    fresh += 1;
                    Event::TabReplaced { added: fresh, removed: id }
                }
                6 => match t.find(id) {
                    Some((wi, _)) => Event::TabDetached {
                        tab_id: id,
                        old_window_id: t.session.windows[wi].id,
                    },
                    None => Event::TabAttached {
                        tab_id: id,
                        window_id: w,
                        index: 0,
                    },
                },
                _ if step % 50 == 0 => Event::WindowClosed { window_id: w },
                _ => Event::TabAttached {
                    tab_id: id,
                    window_id: w,
                    index: next(30) as usize,
                },
            };
            t.apply(e);
            check(&t);
        }
        assert!(t.session.tab_count() > 0);
        t.clear();
        check(&t);
        t.apply(Event::TabCreated(tab(7, 1, 0, "https://c/")));
        assert_eq!(t.find(7), Some((0, 0)));
    }

    #[test]
    fn creates_moves_and_removes_tabs_in_order() {
        let mut t = Tracker::new();
        t.apply(Event::WindowOpened(win(1)));
        for (i, u) in ["a", "b", "c"].iter().enumerate() {
            assert_eq!(t.apply(Event::TabCreated(tab(i as i64 + 10, 1, i, u))), Change::Structure);
        }
        assert_eq!(urls(&t, 0), ["a", "b", "c"]);
        t.apply(Event::TabMoved {
            tab_id: 10,
            window_id: 1,
            to_index: 2,
        });
        assert_eq!(urls(&t, 0), ["b", "c", "a"]);
        t.apply(Event::TabCreated(tab(13, 1, 1, "d")));
        assert_eq!(urls(&t, 0), ["b", "d", "c", "a"]);
        t.apply(Event::TabRemoved {
            tab_id: 11,
            window_id: 1,
            window_closing: false,
        });
        assert_eq!(urls(&t, 0), ["d", "c", "a"]);
    }

    #[test]
    fn unchanged_update_is_not_a_change() {
        let mut t = Tracker::new();
        t.apply(Event::WindowOpened(win(1)));
        t.apply(Event::TabCreated(tab(1, 1, 0, "a")));
        assert_eq!(t.apply(Event::TabUpdated(tab(1, 1, 0, "a"))), Change::None);
        assert_eq!(t.apply(Event::TabUpdated(tab(1, 1, 0, "b"))), Change::Structure);
    }

    #[test]
    fn private_and_popup_windows_are_never_recorded() {
        let mut t = Tracker::new();
        t.apply(Event::WindowOpened(WindowInfo {
            id: 1,
            normal: true,
            private: true,
            ..Default::default()
        }));
        t.apply(Event::WindowOpened(WindowInfo {
            id: 2,
            normal: false,
            ..Default::default()
        }));
        assert_eq!(t.apply(Event::TabCreated(tab(1, 1, 0, "https://secret/"))), Change::None);
        assert_eq!(t.apply(Event::TabCreated(tab(2, 2, 0, "https://popup/"))), Change::None);
        let mut p = tab(3, 3, 0, "https://p/");
        p.private = true;
        assert_eq!(t.apply(Event::TabCreated(p)), Change::None);
        assert_eq!(t.session.tab_count(), 0);
    }

    #[test]
    fn closing_window_keeps_its_tabs_until_the_window_goes() {
        let mut t = Tracker::new();
        t.apply(Event::WindowOpened(win(1)));
        t.apply(Event::TabCreated(tab(1, 1, 0, "a")));
        assert_eq!(
            t.apply(Event::TabRemoved {
                tab_id: 1,
                window_id: 1,
                window_closing: true
            }),
            Change::None
        );
        assert_eq!(t.session.tab_count(), 1);
        assert_eq!(t.apply(Event::WindowClosed { window_id: 1 }), Change::Structure);
        assert!(t.session.windows.is_empty());
    }

    #[test]
    fn detach_and_attach_move_a_tab_between_windows() {
        let mut t = Tracker::new();
        t.apply(Event::WindowOpened(win(1)));
        t.apply(Event::WindowOpened(win(2)));
        t.apply(Event::TabCreated(tab(1, 1, 0, "a")));
        t.apply(Event::TabCreated(tab(2, 2, 0, "b")));
        t.apply(Event::TabDetached { tab_id: 1, old_window_id: 1 });
        t.apply(Event::TabAttached {
            tab_id: 1,
            window_id: 2,
            index: 0,
        });
        assert!(t.session.windows[0].tabs.is_empty());
        assert_eq!(urls(&t, 1), ["a", "b"]);
    }

    /// Moving the only tab of a window: the window closes on the way, and the
    /// browser may report the attach before the detach, or a late re-read of
    /// the tab from its old window. Whatever the order, the tab ends where it
    /// went, once.
    #[test]
    fn a_moved_tab_survives_any_order_of_its_events() {
        let moved = |t: &Tracker| {
            assert_eq!(t.session.windows.len(), 1, "{:?}", t.session);
            assert_eq!(urls(t, 0), ["a", "b"]);
        };
        let setup = || {
            let mut t = Tracker::new();
            t.apply(Event::WindowOpened(win(1)));
            t.apply(Event::WindowOpened(win(2)));
            t.apply(Event::TabCreated(tab(1, 1, 0, "a")));
            t.apply(Event::TabCreated(tab(2, 2, 0, "b")));
            t
        };
        let detach = Event::TabDetached { tab_id: 1, old_window_id: 1 };
        let attach = Event::TabAttached {
            tab_id: 1,
            window_id: 2,
            index: 0,
        };
        let closed = Event::WindowClosed { window_id: 1 };
        let orders = [
            vec![detach.clone(), attach.clone(), closed.clone()],
            vec![detach.clone(), closed.clone(), attach.clone()],
            vec![attach.clone(), detach.clone(), closed.clone()],
            vec![attach.clone(), closed.clone(), detach.clone()],
        ];
        for order in orders {
            let mut t = setup();
            for e in order.clone() {
                t.apply(e);
            }
            moved(&t);
        }
        // A stale re-read from the old window after the attach is not applied
        // (the edge checks the window), but a right one changes nothing.
        let mut t = setup();
        t.apply(attach.clone());
        assert_eq!(t.apply(Event::TabUpdated(tab(1, 2, 0, "a"))), Change::None);
        t.apply(detach);
        t.apply(closed);
        moved(&t);
    }

    #[test]
    fn groups_follow_their_tabs() {
        let mut t = Tracker::new();
        t.apply(Event::WindowOpened(win(1)));
        let mut a = tab(1, 1, 0, "a");
        a.group_id = Some(7);
        t.apply(Event::TabCreated(a.clone()));
        t.apply(Event::GroupChanged(GroupInfo {
            id: 7,
            window_id: 1,
            title: "Trip".into(),
            color: "blue".into(),
            collapsed: false,
        }));
        assert_eq!(t.session.windows[0].groups[0].title, "Trip");
        a.group_id = Some(-1);
        t.apply(Event::TabUpdated(a));
        assert!(t.session.windows[0].groups.is_empty(), "an empty group is pruned");
    }

    #[test]
    fn activation_and_page_state() {
        let mut t = Tracker::new();
        t.apply(Event::WindowOpened(win(1)));
        t.apply(Event::TabCreated(tab(1, 1, 0, "a")));
        t.apply(Event::TabCreated(tab(2, 1, 1, "b")));
        t.apply(Event::TabActivated { tab_id: 2, window_id: 1 });
        assert!(t.session.windows[0].tabs[1].active && !t.session.windows[0].tabs[0].active);
        let field = Field {
            key: "#c".into(),
            value: FieldValue::Text("hi".into()),
            truncated: false,
            tag: String::new(),
            kind: String::new(),
            name: String::new(),
            touched: false,
        };
        let top = FrameFields {
            frame: String::new(),
            url: "b".into(),
            fields: vec![field.clone()],
        };
        let sub = FrameFields {
            frame: "iframe[0]".into(),
            url: "b2".into(),
            fields: vec![field],
        };
        assert_eq!(
            t.apply(Event::PageChanged {
                tab_id: 2,
                scroll: Some((0, 40)),
                frame: top.clone()
            }),
            Change::Detail
        );
        assert_eq!(
            t.apply(Event::PageChanged {
                tab_id: 2,
                scroll: Some((0, 40)),
                frame: top.clone()
            }),
            Change::None
        );
        assert_eq!(
            t.apply(Event::PageChanged {
                tab_id: 2,
                scroll: None,
                frame: sub
            }),
            Change::Detail
        );
        let page = t.session.windows[0].tabs[1].page.clone().unwrap();
        assert_eq!((page.url.as_str(), page.scroll, page.typed_fields()), ("b", Some((0, 40)), 2));
        // A report from a page the tab has left is ignored.
        let stale = FrameFields {
            url: "elsewhere".into(),
            ..top
        };
        assert_eq!(
            t.apply(Event::PageChanged {
                tab_id: 2,
                scroll: None,
                frame: stale
            }),
            Change::None
        );
        // Navigating away drops the typed state.
        t.apply(Event::TabUpdated(tab(2, 1, 1, "c")));
        assert!(t.session.windows[0].tabs[1].page.is_none());
    }
}
