//! Browser happenings in the core's own terms, and how each one changes the
//! session model. The edge translates tabs/windows/tabGroups events into these,
//! one at a time, so the model never has to be rebuilt from a full query.

use crate::model::{Container, FrameFields, Geometry, Millis, WindowState};
use serde::{Deserialize, Serialize};

/// A tab as the browser describes it at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TabInfo {
    pub id: i64,
    pub window_id: i64,
    pub index: usize,
    pub url: String,
    pub title: String,
    pub fav_icon_url: Option<String>,
    pub pinned: bool,
    pub active: bool,
    pub muted: bool,
    pub discarded: bool,
    pub last_accessed: Option<Millis>,
    pub group_id: Option<i64>,
    pub container: Option<Container>,
    pub private: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowInfo {
    pub id: i64,
    /// Only normal windows are kept: popups, panels and devtools are not sessions.
    pub normal: bool,
    pub private: bool,
    pub state: WindowState,
    pub geometry: Option<Geometry>,
    pub focused: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub id: i64,
    pub window_id: i64,
    pub title: String,
    pub color: String,
    pub collapsed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    WindowOpened(WindowInfo),
    /// State or geometry changed (the edge re-reads the window).
    WindowChanged(WindowInfo),
    WindowClosed {
        window_id: i64,
    },
    /// `None`: focus left the browser.
    WindowFocused {
        window_id: Option<i64>,
    },
    TabCreated(TabInfo),
    /// The full tab after a change.
    TabUpdated(TabInfo),
    TabMoved {
        tab_id: i64,
        window_id: i64,
        to_index: usize,
    },
    TabActivated {
        tab_id: i64,
        window_id: i64,
    },
    TabRemoved {
        tab_id: i64,
        window_id: i64,
        window_closing: bool,
    },
    TabDetached {
        tab_id: i64,
        /// The window it left: a detach reported after its attach (Firefox can
        /// order them so) finds the tab elsewhere already and is stale.
        old_window_id: i64,
    },
    TabAttached {
        tab_id: i64,
        window_id: i64,
        index: usize,
    },
    /// Prerendering swapped one tab id for another.
    TabReplaced {
        added: i64,
        removed: i64,
    },
    GroupChanged(GroupInfo),
    GroupRemoved {
        group_id: i64,
    },
    /// One frame's typed fields (already privacy-filtered), and the top
    /// frame's scroll, from the content script.
    PageChanged {
        tab_id: i64,
        scroll: Option<(i32, i32)>,
        frame: FrameFields,
    },
}

/// What an event did to the model, for the saver's commit policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    None,
    /// Typed text, scroll, titles, icons, which tab is active, window
    /// geometry: worth keeping, cheaper to lose for a few seconds than a tab.
    Detail,
    /// Tabs or windows opened, closed, moved or navigated; pinning, groups
    /// and containers: what a restore must get right.
    Structure,
}
