//! Chromium's session files (SNSS): `Sessions/Session_<time>` (the open
//! windows) and `Sessions/Tabs_<time>` (recently closed tabs and windows,
//! read by `snss_tabs`); older builds named them `Current Session`,
//! `Last Session`, `Current Tabs`, `Last Tabs`.
//!
//! The file is `SNSS`, an int32 version, then records: a uint16 size, a
//! command id byte, the payload. Versions 1 and 3 are clear text; 2, 4 and 5
//! are encrypted with the system's keychain and are refused as such, never
//! read as garbage. A session file is a log: a full snapshot, then
//! incremental commands, each overriding what came before (Chromium's own
//! `session_service_commands.cc` replays it the same way).
//!
//! Kept per tab: the current navigation's URL and title, pinned, tab group
//! (title, color, collapsed). Per window: the active tab, bounds and show
//! state, and which window was active. The rest of each tab's back/forward
//! history is counted in a note, as for Firefox.
//!
//! Input is untrusted: commands are read one at a time from the bytes (no
//! list of them is built), every payload read is bounds-checked, the tabs
//! and windows the log may create are capped at `MAX_TABS`, each tab's
//! navigations at `MAX_NAVS`. A record cut short at the end is a torn write
//! (the browser was killed while writing it): what came before is kept.

use super::collect::{tab, Collector};
use super::pickle::Pickle;
use super::{HistoryEntry, ImportError, Imported, MAX_INPUT, MAX_TABS};
use crate::model::{Geometry, Millis, Session, Tab, TabGroup, Window, WindowState};
use std::collections::{BTreeMap, HashMap};

pub const MAGIC: [u8; 4] = *b"SNSS";
pub const SESSION_NAME: &str = "Chromium session";
/// Navigations kept per tab; Chromium keeps about 50 and writes fewer.
pub(crate) const MAX_NAVS: usize = 1000;

/// Which of Chromium's two files: their command ids mean different things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Session_*`: the windows and tabs that were open.
    Session,
    /// `Tabs_*`: recently closed tabs and windows.
    Tabs,
}

/// What the file name says, if it is one of Chromium's.
pub fn kind_of_name(file_name: &str) -> Option<Kind> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stamped = |prefix: &str| base.strip_prefix(prefix).is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()));
    if stamped("Session_") || base == "Current Session" || base == "Last Session" {
        Some(Kind::Session)
    } else if stamped("Tabs_") || base == "Current Tabs" || base == "Last Tabs" {
        Some(Kind::Tabs)
    } else {
        None
    }
}

/// The kind of a file whose name does not say: navigations are command 6 in
/// a session file and command 1 in a tabs file.
pub fn guess_kind(bytes: &[u8]) -> Kind {
    let (mut six, mut one) = (0usize, 0usize);
    if let Ok(commands) = Commands::new(bytes) {
        for c in commands {
            match c.id {
                6 => six += 1,
                1 => one += 1,
                _ => {}
            }
        }
    }
    if one > six {
        Kind::Tabs
    } else {
        Kind::Session
    }
}

/// The format version in the header, if the file starts like an SNSS file.
pub fn version(bytes: &[u8]) -> Option<u32> {
    if !bytes.starts_with(&MAGIC) {
        return None;
    }
    Some(u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?))
}

pub fn parse_as(kind: Kind, bytes: &[u8]) -> Result<Imported, ImportError> {
    match kind {
        Kind::Session => parse(bytes),
        Kind::Tabs => super::snss_tabs::parse(bytes),
    }
}

// ---------------------------------------------------------------- records

pub(crate) struct Command<'a> {
    pub id: u8,
    pub payload: &'a [u8],
}

/// The file's commands, one at a time. After the loop, `torn` says whether
/// the last record was cut short and `damaged` whether a record was empty
/// (reading stops there, as Chromium's does).
pub(crate) struct Commands<'a> {
    rest: &'a [u8],
    pub torn: bool,
    pub damaged: bool,
}

impl<'a> Commands<'a> {
    pub fn new(bytes: &'a [u8]) -> Result<Self, ImportError> {
        if bytes.len() > MAX_INPUT {
            return Err(ImportError::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_INPUT as u64,
            });
        }
        if bytes.is_empty() {
            return Err(ImportError::Empty);
        }
        let Some(version) = version(bytes) else {
            return Err(if bytes.starts_with(&MAGIC) {
                ImportError::BadSnss("it ends inside its 8-byte header".into())
            } else {
                ImportError::BadSnss("it lacks the \"SNSS\" header".into())
            });
        };
        match version {
            1 | 3 => Ok(Self {
                rest: &bytes[8..],
                torn: false,
                damaged: false,
            }),
            2 | 4 | 5 => Err(ImportError::Encrypted { version }),
            v => Err(ImportError::BadSnss(format!("its format version {v} is not one Chromium has written"))),
        }
    }

    /// A note on how reading ended, if not cleanly.
    pub fn ending_note(&self) -> Option<String> {
        if self.torn {
            Some("The file's last record was cut short (the browser was writing it when it stopped): what came before it was read.".into())
        } else if self.damaged {
            Some("The file is damaged part way through (an empty record): what came before it was read.".into())
        } else {
            None
        }
    }
}

impl<'a> Iterator for Commands<'a> {
    type Item = Command<'a>;

    fn next(&mut self) -> Option<Command<'a>> {
        if self.rest.is_empty() || self.damaged {
            return None;
        }
        let Some(size) = self.rest.get(..2) else {
            self.torn = true;
            self.rest = &[];
            return None;
        };
        let size = u16::from_le_bytes([size[0], size[1]]) as usize;
        if size == 0 {
            self.damaged = true;
            return None;
        }
        let Some(record) = self.rest.get(2..2 + size) else {
            self.torn = true;
            self.rest = &[];
            return None;
        };
        self.rest = &self.rest[2 + size..];
        Some(Command {
            id: record[0],
            payload: &record[1..],
        })
    }
}

/// A fixed-size payload as int32 words; `None` unless the size is exact
/// (Chromium refuses any other size too).
pub(crate) fn words<const N: usize>(payload: &[u8]) -> Option<[i32; N]> {
    if payload.len() != N * 4 {
        return None;
    }
    let mut out = [0; N];
    for (o, c) in out.iter_mut().zip(payload.chunks_exact(4)) {
        *o = i32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    Some(out)
}

pub(crate) fn i64_at(payload: &[u8], at: usize) -> Option<i64> {
    Some(i64::from_le_bytes(payload.get(at..at + 8)?.try_into().ok()?))
}

pub(crate) fn u64_at(payload: &[u8], at: usize) -> Option<u64> {
    i64_at(payload, at).map(|v| v as u64)
}

/// Chromium's time (microseconds since 1601-01-01 UTC) as Unix milliseconds;
/// `None` for zero ("unknown") and for times before 1970.
pub(crate) fn unix_millis(chromium_micros: i64) -> Option<Millis> {
    const EPOCH_DELTA_MS: i64 = 11_644_473_600_000;
    u64::try_from((chromium_micros / 1000).checked_sub(EPOCH_DELTA_MS)?).ok().filter(|&ms| ms > 0)
}

/// A tab group's id: Chromium's 128-bit token.
pub(crate) type Token = (u64, u64);

/// Tab group colors, by Chromium's `TabGroupColorId` (the names the
/// `tabGroups` extension API uses).
pub(crate) fn color_name(id: u32) -> &'static str {
    const NAMES: [&str; 9] = ["grey", "blue", "red", "yellow", "green", "pink", "purple", "cyan", "orange"];
    NAMES.get(id as usize).copied().unwrap_or("grey")
}

// ---------------------------------------------------------------- navigations

/// One entry of a tab's history.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Nav {
    pub index: i32,
    pub url: String,
    pub title: String,
    pub time: Option<Millis>,
}

/// An `UpdateTabNavigation` command: the tab (or entry) id and the
/// navigation. Fields after the transition type were added over the years:
/// a pickle that ends before the timestamp is an older file, not damage.
pub(crate) fn navigation(payload: &[u8]) -> Option<(i32, Nav)> {
    let mut p = Pickle::new(payload)?;
    let id = p.i32()?;
    let index = p.i32()?;
    let url = p.string()?;
    let title = p.string16()?;
    let _page_state = p.bytes()?;
    let time = (|| {
        let _transition = p.i32()?;
        let _type_mask = p.i32()?;
        let _referrer = p.bytes()?;
        let _referrer_policy = p.i32()?;
        let _original_url = p.bytes()?;
        let _overriding_user_agent = p.bool()?;
        unix_millis(p.i64()?)
    })();
    Some((id, Nav { index, url, title, time }))
}

/// The tab for a history, showing `current`, if the collector keeps its URL.
/// A missing title stays empty: pages show the URL then.
pub(crate) fn tab_of(c: &mut Collector, navs: &[Nav], current: usize, pinned: bool) -> Result<Option<Tab>, ImportError> {
    let Some(nav) = navs.get(current).or(navs.last()) else { return Ok(None) };
    let Some(url) = c.tab_url(&nav.url)? else { return Ok(None) };
    if navs.len() > 1 {
        c.count(
            "tab",
            "had back/forward history, which an extension cannot restore: only the current page is imported",
        );
    }
    let mut t = tab(url, nav.title.clone());
    t.pinned = pinned;
    Ok(Some(t))
}

/// Hands a tab's navigations to the collector as its history.
pub(crate) fn history(c: &mut Collector, window: usize, tab: usize, navs: Vec<Nav>, current: usize) {
    if navs.len() > 1 {
        let entries = navs
            .into_iter()
            .map(|n| HistoryEntry {
                url: n.url,
                title: n.title,
                time: n.time,
            })
            .collect();
        c.history(window, tab, entries, current);
    }
}

// ---------------------------------------------------------------- Session_ replay

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
struct WindowState3 {
    /// Only windows given a type are real browser windows (Chromium drops the rest).
    typed: bool,
    selected_index: i32,
    bounds: Option<[i32; 4]>,
    show_state: i32,
}

#[derive(Default)]
pub(crate) struct GroupMeta {
    title: String,
    color: u32,
    collapsed: bool,
}

#[derive(Default)]
struct Replay {
    tabs: HashMap<i32, TabState>,
    windows: HashMap<i32, WindowState3>,
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

    fn window(&mut self, id: i32) -> Result<&mut WindowState3, ImportError> {
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
    c.count_n("damaged record", "skipped", r.bad_records);
    c.count_n("navigation", "beyond the first 1000 of a tab left out", r.navs_dropped);
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
    windows: HashMap<i32, WindowState3>,
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
        let geometry = w.bounds.filter(|b| b[2] > 0 && b[3] > 0).map(|[left, top, width, height]| Geometry {
            left,
            top,
            width,
            height,
        });
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

/// The window-local id of a group, adding it on first use.
pub(crate) fn group_id(window_groups: &mut Vec<(Token, TabGroup)>, token: Token, meta: &HashMap<Token, GroupMeta>) -> i64 {
    if let Some((_, g)) = window_groups.iter().find(|(t, _)| *t == token) {
        return g.id;
    }
    let id = window_groups.len() as i64 + 1;
    let m = meta.get(&token);
    window_groups.push((
        token,
        TabGroup {
            id,
            title: m.map(|m| m.title.clone()).unwrap_or_default(),
            color: color_name(m.map_or(0, |m| m.color)).into(),
            collapsed: m.is_some_and(|m| m.collapsed),
        },
    ));
    id
}

/// Chromium's persisted show states: 2 minimized, 3 maximized, 5 fullscreen.
pub(crate) fn show_state(v: i32) -> WindowState {
    match v {
        2 => WindowState::Minimized,
        3 => WindowState::Maximized,
        5 => WindowState::Fullscreen,
        _ => WindowState::Normal,
    }
}

/// Group title and color as a closed tab's group data (`Tabs_` files)
/// carries them, for `group_id`.
pub(crate) fn group_meta(title: String, color: u32) -> GroupMeta {
    GroupMeta {
        title,
        color,
        collapsed: false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::pickle::PickleWriter;
    use super::*;

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
        let tabs: Vec<_> = w1.tabs.iter().map(|t| (t.url.as_str(), t.title.as_str(), t.pinned, t.active, t.group.is_some())).collect();
        assert_eq!(tabs, [("https://b/", "", true, false, false), ("https://a/1", "A1", false, true, true)]);
        assert_eq!(w1.groups[0].title, "Work");
        assert_eq!(w1.groups[0].color, "green");
        assert!(w1.groups[0].collapsed && !w1.focused);
        let w2 = &s.windows[1];
        assert!(w2.focused);
        assert_eq!(w2.state, WindowState::Maximized);
        assert_eq!(w2.geometry.map(|g| (g.left, g.width)), Some((10, 800)));
        assert_eq!(got.saved_at[0], unix_millis(13_400_000_000_000_000));
        assert!(got.notes.iter().any(|n| n.contains("back/forward")), "{:?}", got.notes);
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
        assert!(got.notes.iter().any(|n| n.contains("cut short")), "{:?}", got.notes);
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
        assert!(got.notes.iter().any(|n| n.starts_with("2 damaged records skipped")), "{:?}", got.notes);
    }

    #[test]
    fn names_and_guesses() {
        assert_eq!(kind_of_name("/p/Sessions/Session_13400000000000000"), Some(Kind::Session));
        assert_eq!(kind_of_name("C:\\p\\Sessions\\Tabs_13400000000000000"), Some(Kind::Tabs));
        assert_eq!(kind_of_name("Last Tabs"), Some(Kind::Tabs));
        assert_eq!(kind_of_name("recovery.jsonlz4"), None);
        assert_eq!(guess_kind(&file(3, &sample())), Kind::Session);
        assert_eq!(unix_millis(0), None);
        assert_eq!(unix_millis(11_644_473_600_000_000 + 5_000), Some(5));
    }
}
