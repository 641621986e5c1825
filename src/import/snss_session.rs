//! Replaying a Chromium `Session_` file (`snss`): a log of commands keyed by
//! tab and window ids, last write wins, closing erases, as Chromium's own
//! `session_service_commands.cc` replays it. Windows come out in id order
//! (the order they opened), tabs in visual order.

use super::collect::Collector;
use super::pickle::Pickle;
use super::snss::{
    group_id, history, i64_at, navigation, show_state, tab_of, u64_at, unix_millis, words, Command, Commands, GroupMeta, Nav, Token, MAX_NAVS, SESSION_NAME,
};
use super::{ImportError, Imported, MAX_TABS};
use crate::message;
use crate::model::{Geometry, Millis, Session, TabGroup, Window};
use std::collections::{BTreeMap, HashMap};

#[derive(Default)]
struct TabState {
    window: i32,
    visual_index: i32,
    /// By navigation index: a later command for the same index replaces it.
    navs: BTreeMap<i32, Nav>,
    current: i32,
    pinned: bool,
    group: Option<Token>,
}

#[derive(Default)]
struct WindowEntry {
    /// Only windows given a type are real browser windows (Chromium drops the rest).
    typed: bool,
    selected_index: i32,
    bounds: Option<[i32; 4]>,
    show_state: i32,
}

#[derive(Default)]
struct Replay {
    tabs: HashMap<i32, TabState>,
    windows: HashMap<i32, WindowEntry>,
    groups: HashMap<Token, GroupMeta>,
    active_window: Option<i32>,
    newest: Option<Millis>,
    bad_records: usize,
    navs_dropped: usize,
}

impl Replay {
    fn tab(&mut self, id: i32) -> Result<&mut TabState, ImportError> {
        if !self.tabs.contains_key(&id) && self.tabs.len() >= MAX_TABS {
            return Err(ImportError::TooManyTabs { limit: MAX_TABS });
        }
        Ok(self.tabs.entry(id).or_default())
    }

    fn window(&mut self, id: i32) -> Result<&mut WindowEntry, ImportError> {
        if !self.windows.contains_key(&id) && self.windows.len() >= MAX_TABS {
            return Err(ImportError::TooComplex { limit: MAX_TABS });
        }
        Ok(self.windows.entry(id).or_default())
    }

    /// Applies one command; `Ok(false)` when its payload is malformed.
    fn apply(&mut self, c: &Command) -> Result<bool, ImportError> {
        let p = c.payload;
        match c.id {
            // SetTabWindow (window, tab)
            0 => match words::<2>(p) {
                Some([w, t]) => self.tab(t)?.window = w,
                None => return Ok(false),
            },
            // SetTabIndexInWindow (tab, index)
            2 => match words::<2>(p) {
                Some([t, i]) => self.tab(t)?.visual_index = i,
                None => return Ok(false),
            },
            // TabNavigationPathPrunedFromBack (tab, index): entries from index on go.
            5 => match words::<2>(p) {
                Some([t, i]) => {
                    let tab = self.tab(t)?;
                    tab.navs.retain(|&k, _| k < i);
                }
                None => return Ok(false),
            },
            6 => {
                let Some((t, nav)) = navigation(p) else { return Ok(false) };
                self.newest = self.newest.max(nav.time);
                let tab = self.tab(t)?;
                if tab.navs.len() >= MAX_NAVS && !tab.navs.contains_key(&nav.index) {
                    self.navs_dropped += 1;
                } else {
                    tab.navs.insert(nav.index, nav);
                }
            }
            // SetSelectedNavigationIndex (tab, index)
            7 => match words::<2>(p) {
                Some([t, i]) => self.tab(t)?.current = i,
                None => return Ok(false),
            },
            // SetSelectedTabInIndex (window, index)
            8 => match words::<2>(p) {
                Some([w, i]) => self.window(w)?.selected_index = i,
                None => return Ok(false),
            },
            // SetWindowType (window, type)
            9 => match words::<2>(p) {
                Some([w, _]) => self.window(w)?.typed = true,
                None => return Ok(false),
            },
            // TabNavigationPathPrunedFromFront (tab, count)
            11 => match words::<2>(p) {
                Some([t, n]) if n > 0 => prune(self.tab(t)?, 0, n),
                _ => return Ok(false),
            },
            // SetPinnedState (tab, bool + padding)
            12 => match p.len() == 8 {
                true => {
                    let [t, _] = words::<2>(p).unwrap_or_default();
                    self.tab(t)?.pinned = p[4] != 0;
                }
                false => return Ok(false),
            },
            // SetWindowBounds3 (window, x, y, w, h, show state)
            14 => match words::<6>(p) {
                Some([w, x, y, width, height, show]) => {
                    let win = self.window(w)?;
                    win.bounds = Some([x, y, width, height]);
                    win.show_state = show;
                }
                None => return Ok(false),
            },
            // TabClosed / WindowClosed (id, padding, int64 time)
            16 | 17 => {
                let Some([id, _]) = p.get(..8).and_then(words::<2>) else { return Ok(false) };
                if p.len() != 16 {
                    return Ok(false);
                }
                self.newest = self.newest.max(i64_at(p, 8).and_then(unix_millis));
                if c.id == 16 {
                    self.tabs.remove(&id);
                } else {
                    self.windows.remove(&id);
                }
            }
            // SetActiveWindow (window)
            20 => match words::<1>(p) {
                Some([w]) => self.active_window = Some(w),
                None => return Ok(false),
            },
            // TabNavigationPathPruned (tab, index, count)
            24 => match words::<3>(p) {
                Some([t, i, n]) if i >= 0 && n > 0 => prune(self.tab(t)?, i, n),
                _ => return Ok(false),
            },
            // SetTabGroup (tab, padding, token high, token low, has group + padding)
            25 => {
                if p.len() != 32 {
                    return Ok(false);
                }
                let [t, _] = words::<2>(&p[..8]).unwrap_or_default();
                let token = (u64_at(p, 8).unwrap_or(0), u64_at(p, 16).unwrap_or(0));
                self.tab(t)?.group = (p[24] != 0).then_some(token);
            }
            // SetTabGroupMetadata2 (pickle: token, title, color, collapsed)
            27 => {
                let Some((token, meta)) = group_metadata(p) else { return Ok(false) };
                if !self.groups.contains_key(&token) && self.groups.len() >= MAX_TABS {
                    return Err(ImportError::TooComplex { limit: MAX_TABS });
                }
                self.groups.insert(token, meta);
            }
            // Obsolete, unused here, the 255 marker, or newer than this reader: skipped.
            _ => {}
        }
        Ok(true)
    }
}

/// Chromium's `ProcessTabNavigationPathPrunedCommand`: `count` entries
/// from `index` go, later ones move down, the current index follows.
fn prune(tab: &mut TabState, index: i32, count: i32) {
    let end = index.saturating_add(count);
    if tab.current >= index && tab.current < end {
        tab.current = index - 1;
    } else if tab.current >= end {
        tab.current -= count;
    }
    let navs = std::mem::take(&mut tab.navs);
    tab.navs = navs
        .into_iter()
        .filter(|(k, _)| *k < index || *k >= end)
        .map(|(k, mut n)| {
            if k >= end {
                n.index = k - count;
            }
            (n.index, n)
        })
        .collect();
}

fn group_metadata(p: &[u8]) -> Option<(Token, GroupMeta)> {
    let mut p = Pickle::new(p)?;
    let token = (p.u64()?, p.u64()?);
    let title = p.string16()?;
    let color = p.u32()?;
    // Added in Chromium 88: older files end before it.
    let collapsed = p.bool().unwrap_or(false);
    Some((token, GroupMeta { title, color, collapsed }))
}

/// Reads a `Session_` file.
pub fn parse(bytes: &[u8]) -> Result<Imported, ImportError> {
    let mut commands = Commands::new(bytes)?;
    let mut r = Replay::default();
    for c in commands.by_ref() {
        if !r.apply(&c)? {
            r.bad_records += 1;
        }
    }
    let mut c = Collector::new();
    c.count_n(message::N_NOTE_BAD_RECORDS, r.bad_records);
    c.count_with(message::N_NOTE_NAVIGATIONS, vec![MAX_NAVS.into()], r.navs_dropped);
    if let Some(note) = commands.ending_note() {
        c.note(note);
    }
    let windows = build_windows(&mut c, r.tabs, r.windows, &r.groups, r.active_window)?;
    c.session(SESSION_NAME.into(), r.newest, Session { windows });
    c.finish()
}

fn build_windows(
    c: &mut Collector,
    tabs: HashMap<i32, TabState>,
    windows: HashMap<i32, WindowEntry>,
    groups: &HashMap<Token, GroupMeta>,
    active_window: Option<i32>,
) -> Result<Vec<Window>, ImportError> {
    let mut by_window: BTreeMap<i32, Vec<(i32, TabState)>> = BTreeMap::new();
    for (id, t) in tabs {
        if t.window != 0 && !t.navs.is_empty() && windows.get(&t.window).is_some_and(|w| w.typed) {
            by_window.entry(t.window).or_default().push((id, t));
        }
    }
    let mut out = Vec::new();
    // Window ids grow as windows open: this is Chromium's own order.
    for (wid, mut wtabs) in by_window {
        let w = &windows[&wid];
        wtabs.sort_by_key(|(id, t)| (t.visual_index, *id));
        let active = wtabs.iter().position(|(_, t)| t.visual_index == w.selected_index).unwrap_or(0);
        let mut window_groups: Vec<(Token, TabGroup)> = Vec::new();
        let mut kept = Vec::new();
        for (i, (_, t)) in wtabs.into_iter().enumerate() {
            let navs: Vec<Nav> = t.navs.into_values().collect();
            // Chromium's FindClosestNavigationWithIndex: the first at or after the index.
            let current = navs.iter().position(|n| n.index >= t.current).unwrap_or(navs.len() - 1);
            let Some(mut tab) = tab_of(c, &navs, current, t.pinned)? else { continue };
            tab.active = i == active;
            if let Some(token) = t.group {
                tab.group = Some(group_id(&mut window_groups, token, groups));
            }
            kept.push(tab);
            history(c, out.len(), kept.len() - 1, navs, current);
        }
        let geometry = w
            .bounds
            .filter(|b| b[2] > 0 && b[3] > 0)
            .map(|[left, top, width, height]| Geometry { left, top, width, height });
        out.push(Window {
            id: 0,
            state: show_state(w.show_state),
            geometry,
            focused: active_window == Some(wid),
            tabs: kept,
            groups: window_groups.into_iter().map(|(_, g)| g).collect(),
        });
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::pickle::PickleWriter;
    use super::super::snss::MAGIC;
    use super::*;
    use crate::model::WindowState;

    pub(crate) fn file(version: u32, commands: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(version.to_le_bytes());
        for (id, payload) in commands {
            out.extend(((payload.len() + 1) as u16).to_le_bytes());
            out.push(*id);
            out.extend(payload);
        }
        out
    }

    fn ints(v: &[i32]) -> Vec<u8> {
        v.iter().flat_map(|i| i.to_le_bytes()).collect()
    }

    fn nav(tab: i32, index: i32, url: &str, title: &str) -> (u8, Vec<u8>) {
        let p = PickleWriter::default()
            .i32(tab)
            .i32(index)
            .string(url)
            .string16(title)
            .string("")
            .i32(0)
            .i32(0)
            .string("")
            .i32(0)
            .string("")
            .bool(false)
            .i64(13_400_000_000_000_000)
            .finish();
        (6, p)
    }

    fn sample() -> Vec<(u8, Vec<u8>)> {
        let mut group = ints(&[3, 0]);
        group.extend(7u64.to_le_bytes());
        group.extend(9u64.to_le_bytes());
        group.extend(ints(&[1, 0]));
        vec![
            (9, ints(&[1, 0])),
            (9, ints(&[2, 0])),
            (0, ints(&[1, 3])),
            (0, ints(&[1, 4])),
            (0, ints(&[2, 5])),
            (2, ints(&[3, 1])),
            (2, ints(&[4, 0])),
            (2, ints(&[5, 0])),
            nav(3, 0, "https://a/1", "A1"),
            nav(3, 1, "https://a/2", "A2"),
            (7, ints(&[3, 0])),
            nav(4, 0, "https://b/", ""),
            nav(5, 0, "https://c/", "C"),
            (12, vec![4, 0, 0, 0, 1, 0, 0, 0]),
            (25, group),
            (27, PickleWriter::default().u64(7).u64(9).string16("Work").u32(4).bool(true).finish()),
            (8, ints(&[1, 1])),
            (20, ints(&[2])),
            (14, ints(&[2, 10, 20, 800, 600, 3])),
            (255, vec![]),
        ]
    }

    #[test]
    fn replays_a_session() {
        let got = parse(&file(3, &sample())).unwrap();
        let (name, s) = &got.sessions[0];
        assert_eq!(name, SESSION_NAME);
        assert_eq!(s.windows.len(), 2);
        let w1 = &s.windows[0];
        let tabs: Vec<_> = w1
            .tabs
            .iter()
            .map(|t| (t.url.as_str(), t.title.as_str(), t.pinned, t.active, t.group.is_some()))
            .collect();
        assert_eq!(tabs, [("https://b/", "", true, false, false), ("https://a/1", "A1", false, true, true)]);
        assert_eq!(w1.groups[0].title, "Work");
        assert_eq!(w1.groups[0].color, "green");
        assert!(w1.groups[0].collapsed && !w1.focused);
        let w2 = &s.windows[1];
        assert!(w2.focused);
        assert_eq!(w2.state, WindowState::Maximized);
        assert_eq!(w2.geometry.map(|g| (g.left, g.width)), Some((10, 800)));
        assert_eq!(got.saved_at[0], unix_millis(13_400_000_000_000_000));
        assert!(got.notes.iter().any(|n| n.text.contains("back/forward")), "{:?}", got.notes);
    }

    #[test]
    fn later_commands_win_and_closing_erases() {
        let mut cmds = sample();
        cmds.push(nav(5, 0, "https://c2/", "C2"));
        cmds.push((7, ints(&[3, 1])));
        let mut closed = ints(&[4, 0]);
        closed.extend(0i64.to_le_bytes());
        cmds.push((16, closed));
        let s = parse(&file(3, &cmds)).unwrap().sessions.remove(0).1;
        assert_eq!(s.windows[0].tabs.iter().map(|t| t.url.as_str()).collect::<Vec<_>>(), ["https://a/2"]);
        assert_eq!(s.windows[1].tabs[0].title, "C2");
    }

    #[test]
    fn untyped_windows_and_tabs_without_pages_are_dropped() {
        let cmds = vec![(0, ints(&[1, 3])), nav(3, 0, "https://a/", "A"), (9, ints(&[2, 0])), (0, ints(&[2, 4]))];
        assert!(matches!(parse(&file(3, &cmds)), Err(ImportError::NothingToImport(_))));
    }

    #[test]
    fn versions_and_headers() {
        for v in [2, 4, 5] {
            assert_eq!(parse(&file(v, &sample())), Err(ImportError::Encrypted { version: v }));
        }
        assert!(parse(&file(1, &sample())).is_ok());
        assert!(matches!(parse(&file(7, &[])), Err(ImportError::BadSnss(_))));
        assert!(matches!(parse(b"SNSS\x03\0"), Err(ImportError::BadSnss(_))));
        assert_eq!(parse(b""), Err(ImportError::Empty));
    }

    #[test]
    fn torn_tail_keeps_what_came_before() {
        let bytes = file(3, &sample());
        let mut cut = bytes.clone();
        cut.extend([200, 0, 6, 1, 2]);
        let got = parse(&cut).unwrap();
        assert_eq!(got.sessions[0].1.tab_count(), 3);
        assert!(got.notes.iter().any(|n| n.text.contains("cut short")), "{:?}", got.notes);
        for n in 8..bytes.len() {
            let _ = parse(&bytes[..n]);
        }
    }

    #[test]
    fn malformed_payloads_are_counted_not_trusted() {
        let mut cmds = sample();
        cmds.insert(0, (0, vec![1, 2, 3]));
        cmds.insert(0, (6, vec![0xff; 12]));
        let got = parse(&file(3, &cmds)).unwrap();
        assert!(got.notes.iter().any(|n| n.text.starts_with("2 damaged records skipped")), "{:?}", got.notes);
    }
}
