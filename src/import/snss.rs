//! Chromium's session files (SNSS): `Sessions/Session_<time>` (the open
//! windows, replayed by `snss_session`) and `Sessions/Tabs_<time>` (recently
//! closed tabs and windows, by `snss_tabs`); older builds named them `Current Session`,
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
use super::{HistoryEntry, ImportError, MAX_INPUT};
use crate::message;
use crate::model::{Millis, Tab, TabGroup, WindowState};
use std::collections::HashMap;

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
    let stamped = |prefix: &str| {
        base.strip_prefix(prefix)
            .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
    };
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
    pub fn ending_note(&self) -> Option<crate::message::Message> {
        if self.torn {
            Some(message::NOTE_FILE_TORN.msg())
        } else if self.damaged {
            Some(message::NOTE_FILE_DAMAGED.msg())
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
        c.count(message::N_NOTE_TAB_HISTORY);
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

#[derive(Default)]
pub(crate) struct GroupMeta {
    pub title: String,
    pub color: u32,
    pub collapsed: bool,
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
    use super::*;

    #[test]
    fn names_and_guesses() {
        assert_eq!(kind_of_name("/p/Sessions/Session_13400000000000000"), Some(Kind::Session));
        assert_eq!(kind_of_name("C:\\p\\Sessions\\Tabs_13400000000000000"), Some(Kind::Tabs));
        assert_eq!(kind_of_name("Last Tabs"), Some(Kind::Tabs));
        assert_eq!(kind_of_name("recovery.jsonlz4"), None);
        assert_eq!(guess_kind(&session_sample()), Kind::Session);
        assert_eq!(unix_millis(0), None);
        assert_eq!(unix_millis(11_644_473_600_000_000 + 5_000), Some(5));
    }

    /// A session file whose navigations are command 6.
    fn session_sample() -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(3u32.to_le_bytes());
        out.extend([9, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
        out
    }
}
