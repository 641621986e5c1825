//! Chromium's `Tabs_` file: recently closed tabs, windows and tab groups
//! (`tab_restore_service_impl.cc`). Unlike a session file it is positional:
//! a window or group command announces N tabs, each tab starts with a
//! `SelectedNavigationInTab` command and its navigations follow it.
//!
//! Closed windows become the session "Closed windows"; closed tabs and
//! the tabs of closed groups, newest first, one window of the session
//! "Closed tabs". A command out of place (a navigation before any tab, a
//! window inside a window) is counted as damage and skipped; Chromium
//! stops reading there, this reader keeps what it can.

use super::collect::Collector;
use super::pickle::Pickle;
use super::snss::{group_id, group_meta, history, i64_at, navigation, show_state, tab_of, unix_millis, words, Commands, GroupMeta, Nav, Token, MAX_NAVS};
use super::{ImportError, Imported, MAX_TABS};
use crate::message;
use crate::model::{Geometry, Millis, Session, TabGroup, Window, WindowState};
use std::collections::HashMap;

pub const WINDOWS_NAME: &str = "Closed windows";
pub const TABS_NAME: &str = "Closed tabs";

#[derive(Default)]
struct ClosedTab {
    id: i32,
    current: i32,
    navs: Vec<Nav>,
    pinned: bool,
    group: Option<(Token, String, u32)>,
}

#[derive(Default)]
struct ClosedWindow {
    id: i32,
    selected: i32,
    bounds: Option<[i32; 4]>,
    show_state: i32,
    tabs: Vec<ClosedTab>,
}

enum Entry {
    Tab(ClosedTab),
    Window(ClosedWindow),
    /// A closed tab group: its tabs go with the closed tabs, grouped.
    Group(ClosedWindow),
}

impl Entry {
    fn id(&self) -> i32 {
        match self {
            Entry::Tab(t) => t.id,
            Entry::Window(w) | Entry::Group(w) => w.id,
        }
    }
}

#[derive(Default)]
struct Replay {
    /// In file order; `None` once restored (removed).
    entries: Vec<Option<Entry>>,
    by_id: HashMap<i32, usize>,
    live: usize,
    /// The window or group still taking tabs, and how many more.
    open: Option<(usize, i32)>,
    /// Where the tab taking navigations is: entry, and tab within a window/group.
    current: Option<(usize, Option<usize>)>,
    newest: Option<Millis>,
    bad: usize,
}

impl Replay {
    fn push(&mut self, e: Entry) -> Result<usize, ImportError> {
        self.remove(e.id());
        if self.live >= MAX_TABS {
            return Err(ImportError::TooManyTabs { limit: MAX_TABS });
        }
        self.by_id.insert(e.id(), self.entries.len());
        self.entries.push(Some(e));
        self.live += 1;
        Ok(self.entries.len() - 1)
    }

    /// Chromium's `RemoveEntryByID`, for top-level entries: a restored tab
    /// of a closed window stays listed with its window here.
    fn remove(&mut self, id: i32) {
        if let Some(at) = self.by_id.remove(&id) {
            if self.entries[at].take().is_some() {
                self.live -= 1;
            }
        }
    }

    fn tab_mut(&mut self) -> Option<&mut ClosedTab> {
        let (e, t) = self.current?;
        match (self.entries.get_mut(e)?.as_mut()?, t) {
            (Entry::Tab(tab), None) => Some(tab),
            (Entry::Window(w) | Entry::Group(w), Some(t)) => w.tabs.get_mut(t),
            _ => None,
        }
    }

    fn apply(&mut self, id: u8, p: &[u8]) -> Result<bool, ImportError> {
        match id {
            // RestoredEntry (id)
            2 => {
                let Some([entry]) = words::<1>(p) else { return Ok(false) };
                if self.open.is_some() {
                    return Ok(false);
                }
                self.current = None;
                self.remove(entry);
            }
            // Window (pickle), or the fixed-size window of old files
            3 | 9 => {
                let Some((w, n)) = window(id, p) else { return Ok(false) };
                if self.open.is_some() || n <= 0 {
                    return Ok(false);
                }
                let at = self.push(Entry::Window(w))?;
                self.open = Some((at, n));
                self.current = None;
            }
            // CreateGroup (pickle: token, id, tab count, browser id, title, color)
            13 => {
                let Some((w, n)) = group(p) else { return Ok(false) };
                if self.open.is_some() || n <= 0 {
                    return Ok(false);
                }
                let at = self.push(Entry::Group(w))?;
                self.open = Some((at, n));
                self.current = None;
            }
            // SelectedNavigationInTab (id, index[, int64 time]): a tab starts.
            4 => {
                let Some([tab_id, index]) = p.get(..8).and_then(words::<2>) else {
                    return Ok(false);
                };
                if p.len() != 8 && p.len() != 16 {
                    return Ok(false);
                }
                let time = i64_at(p, 8).and_then(unix_millis);
                self.newest = self.newest.max(time);
                let tab = ClosedTab {
                    id: tab_id,
                    current: index,
                    ..Default::default()
                };
                match self.open {
                    Some((at, left)) => {
                        if self.live >= MAX_TABS {
                            return Err(ImportError::TooManyTabs { limit: MAX_TABS });
                        }
                        let Some(Some(Entry::Window(w) | Entry::Group(w))) = self.entries.get_mut(at) else {
                            return Ok(false);
                        };
                        w.tabs.push(tab);
                        self.live += 1;
                        self.current = Some((at, Some(w.tabs.len() - 1)));
                        self.open = (left > 1).then_some((at, left - 1));
                    }
                    None => {
                        let at = self.push(Entry::Tab(tab))?;
                        self.current = Some((at, None));
                    }
                }
            }
            // UpdateTabNavigation (pickle), for the current tab
            1 => {
                let Some((_, nav)) = navigation(p) else { return Ok(false) };
                self.newest = self.newest.max(nav.time);
                let Some(tab) = self.tab_mut() else { return Ok(false) };
                if tab.navs.len() < MAX_NAVS {
                    tab.navs.push(nav);
                }
            }
            // PinnedState: written only for a pinned tab
            5 => match self.tab_mut() {
                Some(tab) => tab.pinned = true,
                None => return Ok(false),
            },
            // SetTabGroupData (pickle: token, title, color)
            10 => {
                let data = (|| {
                    let mut k = Pickle::new(p)?;
                    Some(((k.u64()?, k.u64()?), k.string16()?, k.u32()?))
                })();
                let (Some(data), Some(tab)) = (data, self.tab_mut()) else { return Ok(false) };
                tab.group = Some(data);
            }
            // App names, user agents, titles, extra data, the 255 marker: nothing kept.
            _ => {}
        }
        Ok(true)
    }
}

fn window(id: u8, p: &[u8]) -> Option<(ClosedWindow, i32)> {
    if id == 3 {
        // Old fixed layouts: (id, selected, count) or the same plus padding and an int64 time.
        let [wid, selected, n] = p.get(..12).and_then(words::<3>)?;
        if p.len() != 12 && p.len() != 24 {
            return None;
        }
        let w = ClosedWindow {
            id: wid,
            selected,
            ..Default::default()
        };
        return Some((w, n));
    }
    let mut k = Pickle::new(p)?;
    let (wid, selected, n, _time) = (k.i32()?, k.i32()?, k.i32()?, k.i64()?);
    let (x, y, w, h, show) = (k.i32()?, k.i32()?, k.i32()?, k.i32()?, k.i32()?);
    let bounds = (w > 0 && h > 0).then_some([x, y, w, h]);
    let w = ClosedWindow {
        id: wid,
        selected,
        bounds,
        show_state: show,
        tabs: Vec::new(),
    };
    Some((w, n))
}

fn group(p: &[u8]) -> Option<(ClosedWindow, i32)> {
    let mut k = Pickle::new(p)?;
    let (_token_high, _token_low) = (k.u64()?, k.u64()?);
    let (gid, n) = (k.i32()?, k.i32()?);
    let w = ClosedWindow { id: gid, ..Default::default() };
    Some((w, n))
}

pub fn parse(bytes: &[u8]) -> Result<Imported, ImportError> {
    let mut commands = Commands::new(bytes)?;
    let mut r = Replay::default();
    for c in commands.by_ref() {
        if !r.apply(c.id, c.payload)? {
            r.bad += 1;
        }
    }
    let mut c = Collector::new();
    c.count_n(message::N_NOTE_MISPLACED_RECORDS, r.bad);
    if let Some(note) = commands.ending_note() {
        c.note(note);
    }
    // Newest first, as Chromium lists them; closed windows, then the rest
    // (one session at a time: the collector files histories by session).
    let entries: Vec<Entry> = r.entries.into_iter().rev().flatten().collect();
    let (windows, rest): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(|e| matches!(e, Entry::Window(_)));
    let mut out = Vec::new();
    for e in windows {
        let Entry::Window(w) = e else { continue };
        let mut groups = Vec::new();
        let mut tabs = Vec::new();
        for (i, t) in w.tabs.into_iter().enumerate() {
            if let Some(mut tab) = closed_tab(&mut c, t, &mut groups, (out.len(), tabs.len()))? {
                tab.active = i as i32 == w.selected;
                tabs.push(tab);
            }
        }
        out.push(Window {
            state: show_state(w.show_state),
            geometry: w.bounds.map(|[left, top, width, height]| Geometry { left, top, width, height }),
            tabs,
            groups: groups.into_iter().map(|(_, g)| g).collect(),
            ..Default::default()
        });
    }
    if !out.is_empty() {
        c.session(WINDOWS_NAME.into(), r.newest, Session { windows: out });
    }
    let mut loose = Window::default();
    let mut loose_groups: Vec<(Token, TabGroup)> = Vec::new();
    for e in rest {
        let tabs = match e {
            Entry::Tab(t) => vec![t],
            Entry::Group(g) => g.tabs,
            Entry::Window(_) => continue,
        };
        for t in tabs {
            let at = (0, loose.tabs.len());
            loose.tabs.extend(closed_tab(&mut c, t, &mut loose_groups, at)?);
        }
    }
    loose.groups = loose_groups.into_iter().map(|(_, g)| g).collect();
    loose.state = WindowState::Normal;
    if !loose.tabs.is_empty() {
        c.session(TABS_NAME.into(), r.newest, Session { windows: vec![loose] });
    }
    c.finish()
}

/// The tab for a closed tab, which will sit at `at` (window, tab) of its session.
fn closed_tab(c: &mut Collector, t: ClosedTab, groups: &mut Vec<(Token, TabGroup)>, at: (usize, usize)) -> Result<Option<crate::model::Tab>, ImportError> {
    let current = usize::try_from(t.current).unwrap_or(0).min(t.navs.len().saturating_sub(1));
    let Some(mut tab) = tab_of(c, &t.navs, current, t.pinned)? else {
        return Ok(None);
    };
    if let Some((token, title, color)) = t.group {
        let meta: HashMap<Token, GroupMeta> = HashMap::from([(token, group_meta(title, color))]);
        tab.group = Some(group_id(groups, token, &meta));
    }
    history(c, at.0, at.1, t.navs, current);
    Ok(Some(tab))
}

#[cfg(test)]
mod tests {
    use super::super::pickle::PickleWriter;
    use super::*;

    /// A version-3 file of `commands` (the Session_ tests' writer).
    fn file(commands: &[(u8, Vec<u8>)]) -> Vec<u8> {
        super::super::snss_session::tests::file(3, commands)
    }

    fn ints(v: &[i32]) -> Vec<u8> {
        v.iter().flat_map(|i| i.to_le_bytes()).collect()
    }

    fn start(id: i32, index: i32) -> (u8, Vec<u8>) {
        let mut p = ints(&[id, index]);
        p.extend(13_400_000_000_000_000i64.to_le_bytes());
        (4, p)
    }

    fn nav(url: &str, title: &str) -> (u8, Vec<u8>) {
        (1, PickleWriter::default().i32(0).i32(0).string(url).string16(title).string("").finish())
    }

    fn window(id: i32, selected: i32, n: i32) -> (u8, Vec<u8>) {
        let p = PickleWriter::default()
            .i32(id)
            .i32(selected)
            .i32(n)
            .i64(0)
            .i32(0)
            .i32(0)
            .i32(640)
            .i32(480)
            .i32(1)
            .string("")
            .finish();
        (9, p)
    }

    #[test]
    fn closed_tabs_windows_and_restores() {
        let group = PickleWriter::default().u64(1).u64(2).string16("Research").u32(1).finish();
        let cmds = vec![
            start(10, 1),
            (5, vec![1]),
            nav("https://a/1", "A1"),
            nav("https://a/2", "A2"),
            window(20, 1, 2),
            start(21, 0),
            nav("https://w/1", "W1"),
            start(22, 0),
            (10, group),
            nav("https://w/2", "W2"),
            start(30, 0),
            nav("https://gone/", "restored later"),
            (2, ints(&[30])),
            start(40, 0),
            nav("https://b/", "B"),
        ];
        let got = parse(&file(&cmds)).unwrap();
        let names: Vec<_> = got.sessions.iter().map(|(n, s)| (n.as_str(), s.windows.len(), s.tab_count())).collect();
        assert_eq!(names, [(WINDOWS_NAME, 1, 2), (TABS_NAME, 1, 2)]);
        let w = &got.sessions[0].1.windows[0];
        assert_eq!(w.tabs[1].url, "https://w/2");
        assert!(w.tabs[1].active && w.tabs[1].group.is_some());
        assert_eq!((w.groups[0].title.as_str(), w.groups[0].color.as_str()), ("Research", "blue"));
        assert_eq!(w.geometry.map(|g| g.width), Some(640));
        let loose = &got.sessions[1].1.windows[0];
        let tabs: Vec<_> = loose.tabs.iter().map(|t| (t.url.as_str(), t.pinned)).collect();
        assert_eq!(tabs, [("https://b/", false), ("https://a/2", true)], "newest first; current entry");
    }

    #[test]
    fn misplaced_commands_are_skipped() {
        let cmds = vec![
            nav("https://orphan/", "x"),
            (5, vec![1]),
            window(1, 0, 0),
            start(2, 0),
            nav("https://ok/", "ok"),
        ];
        let got = parse(&file(&cmds)).unwrap();
        assert_eq!(got.sessions.len(), 1);
        assert!(
            got.notes.iter().any(|n| n.text.starts_with("3 damaged or misplaced records")),
            "{:?}",
            got.notes
        );
    }
}
