//! Lifeboat's own file: everything the model holds, as versioned JSON
//! (docs/EXPORT-FORMAT.md). The schema is defined once, here, written by
//! `write` (the `lifeboat` export, `export::lifeboat`) and read back by
//! `import::lifeboat` through the same lenient types: both directions live
//! on the import side, so that export depends on import and not the other
//! way round.

use super::json::List;
use super::TabHistory;
use crate::model::Saved;
use crate::model::{FieldValue, Millis, Tab, Window};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "lifeboat";
pub const VERSION: u64 = 1;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct File {
    pub format: String,
    pub version: u64,
    pub exported_at: Option<Millis>,
    pub sessions: List<WSession>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct WSession {
    pub name: String,
    pub saved_at: Option<Millis>,
    pub windows: List<WWindow>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct WWindow {
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geometry: Option<WGeometry>,
    #[serde(skip_serializing_if = "is_false")]
    pub focused: bool,
    #[serde(skip_serializing_if = "groups_empty")]
    pub groups: List<WGroup>,
    pub tabs: List<WTab, true>,
}

fn groups_empty(g: &List<WGroup>) -> bool {
    g.0.is_empty()
}

#[derive(Serialize, Deserialize, Default, Clone, Copy)]
#[serde(default)]
pub(crate) struct WGeometry {
    pub left: i32,
    pub top: i32,
    pub width: i32,
    pub height: i32,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct WGroup {
    pub id: i64,
    pub title: String,
    pub color: String,
    #[serde(skip_serializing_if = "is_false")]
    pub collapsed: bool,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct WTab {
    pub url: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fav_icon_url: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub pinned: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub active: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub muted: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub discarded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<WContainer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<WPage>,
    /// The tab's back/forward pages, where a browser's file gave them
    /// (`import::TabHistory`); added keys keep format version 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<WHistory>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct WHistory {
    pub current: usize,
    pub entries: List<WEntry>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct WEntry {
    pub url: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Millis>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct WContainer {
    pub cookie_store_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct WPage {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scroll: Option<[i32; 2]>,
    pub frames: List<WFrame>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct WFrame {
    /// "" for the page itself, else the frame's path (`iframe[2]/iframe[0]`).
    pub frame: String,
    pub url: String,
    pub fields: List<WField>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct WField {
    pub key: String,
    pub value: WValue,
    #[serde(default, skip_serializing_if = "is_false")]
    pub truncated: bool,
}

/// `{"text": "…"}`, `{"checked": true}`, `{"selected": ["a"]}`, `{"editable": "…"}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum WValue {
    Text(String),
    Checked(bool),
    Selected(List<String>),
    /// contenteditable, as plain text.
    Editable(String),
}

pub fn write(sessions: &[Saved], exported_at: Millis) -> String {
    write_with_history(sessions, &[], exported_at)
}

/// `write`, with each tab's back/forward pages where `history` has them
/// (positions as in `sessions`).
pub fn write_with_history(sessions: &[Saved], history: &[TabHistory], exported_at: Millis) -> String {
    let mut file = File {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: Some(exported_at),
        sessions: List(sessions.iter().map(session).collect()),
    };
    for h in history {
        let tab = file
            .sessions
            .0
            .get_mut(h.session)
            .and_then(|s| s.windows.0.get_mut(h.window))
            .and_then(|w| w.tabs.0.get_mut(h.tab));
        if let Some(tab) = tab {
            tab.history = Some(WHistory {
                current: h.current,
                entries: List(
                    h.entries
                        .iter()
                        .map(|e| WEntry {
                            url: e.url.clone(),
                            title: e.title.clone(),
                            time: e.time,
                        })
                        .collect(),
                ),
            });
        }
    }
    serde_json::to_string_pretty(&file).expect("plain data always serialises")
}

fn session(s: &Saved) -> WSession {
    WSession {
        name: s.name.to_string(),
        saved_at: s.saved_at,
        windows: List(s.session.windows.iter().map(window).collect()),
    }
}

fn window(w: &Window) -> WWindow {
    WWindow {
        state: w.state.as_str().into(),
        geometry: w.geometry.map(|g| WGeometry {
            left: g.left,
            top: g.top,
            width: g.width,
            height: g.height,
        }),
        focused: w.focused,
        groups: List(
            w.groups
                .iter()
                .map(|g| WGroup {
                    id: g.id,
                    title: g.title.clone(),
                    color: g.color.clone(),
                    collapsed: g.collapsed,
                })
                .collect(),
        ),
        tabs: List(w.tabs.iter().map(tab).collect()),
    }
}

fn tab(t: &Tab) -> WTab {
    WTab {
        url: t.url.clone(),
        title: t.title.clone(),
        fav_icon_url: t.fav_icon_url.clone(),
        pinned: t.pinned,
        active: t.active,
        muted: t.muted,
        discarded: t.discarded,
        last_accessed: t.last_accessed,
        group: t.group,
        container: t.container.as_ref().map(|c| WContainer {
            cookie_store_id: c.cookie_store_id.clone(),
            name: c.name.clone(),
            color: c.color.clone(),
        }),
        page: t.page.as_ref().map(|p| WPage {
            url: p.url.clone(),
            scroll: p.scroll.map(|(x, y)| [x, y]),
            frames: List(
                p.frames
                    .iter()
                    .map(|f| WFrame {
                        frame: f.frame.clone(),
                        url: f.url.clone(),
                        fields: List(
                            f.fields
                                .iter()
                                .map(|f| WField {
                                    key: f.key.clone(),
                                    value: match &f.value {
                                        FieldValue::Text(s) => WValue::Text(s.clone()),
                                        FieldValue::Checked(b) => WValue::Checked(*b),
                                        FieldValue::Selected(v) => WValue::Selected(List(v.clone())),
                                        FieldValue::Editable(s) => WValue::Editable(s.clone()),
                                    },
                                    truncated: f.truncated,
                                })
                                .collect(),
                        ),
                    })
                    .collect(),
            ),
        }),
        // The tab's earlier pages, then the page it shows (the current entry).
        history: (!t.history.is_empty()).then(|| WHistory {
            current: t.history.len(),
            entries: List(
                t.history
                    .iter()
                    .map(|v| WEntry {
                        url: v.url.clone(),
                        title: v.title.clone(),
                        time: v.at,
                    })
                    .chain(std::iter::once(WEntry {
                        url: t.url.clone(),
                        title: t.title.clone(),
                        time: None,
                    }))
                    .collect(),
            ),
        }),
    }
}
