//! The shapes of the WebExtension API objects Lifeboat reads, and their
//! translation into core events. Plain serde, so it is tested natively.

use crate::event::{Event, GroupInfo, TabInfo, WindowInfo};
use crate::model::{Container, Geometry, WindowState};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BrowserTab {
    pub id: Option<i64>,
    pub window_id: i64,
    pub index: usize,
    pub url: Option<String>,
    /// Chrome: the URL a tab is about to load (url stays empty until it commits).
    pub pending_url: Option<String>,
    pub title: Option<String>,
    pub fav_icon_url: Option<String>,
    pub pinned: bool,
    pub active: bool,
    pub muted_info: Option<MutedInfo>,
    pub discarded: bool,
    pub last_accessed: Option<f64>,
    /// Chrome: -1 when ungrouped.
    pub group_id: Option<i64>,
    /// Firefox: the container.
    pub cookie_store_id: Option<String>,
    pub incognito: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MutedInfo {
    pub muted: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BrowserWindow {
    pub id: Option<i64>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub state: Option<String>,
    pub incognito: bool,
    pub focused: bool,
    pub left: Option<i32>,
    pub top: Option<i32>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub tabs: Option<Vec<BrowserTab>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BrowserGroup {
    pub id: i64,
    pub window_id: i64,
    pub title: Option<String>,
    pub color: String,
    pub collapsed: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BrowserContainer {
    pub cookie_store_id: String,
    pub name: String,
    pub color: String,
}

impl From<BrowserContainer> for Container {
    fn from(c: BrowserContainer) -> Self {
        Container {
            cookie_store_id: c.cookie_store_id,
            name: Some(c.name),
            color: Some(c.color),
        }
    }
}

/// Second arguments of tab events.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TabEventInfo {
    pub window_id: i64,
    pub tab_id: i64,
    pub to_index: usize,
    pub is_window_closing: bool,
    pub new_window_id: i64,
    pub new_position: usize,
    pub old_window_id: i64,
}

impl BrowserTab {
    /// `containers`: known containers, to name the tab's one.
    pub fn info(&self, containers: &[Container]) -> Option<TabInfo> {
        let id = self.id?;
        let url = self
            .url
            .as_deref()
            .filter(|u| !u.is_empty())
            .or(self.pending_url.as_deref())
            .unwrap_or("")
            .to_string();
        let container = self.cookie_store_id.as_deref().filter(|c| *c != "firefox-default" && !c.is_empty()).map(|id| {
            containers.iter().find(|c| c.cookie_store_id == id).cloned().unwrap_or(Container {
                cookie_store_id: id.into(),
                name: None,
                color: None,
            })
        });
        Some(TabInfo {
            id,
            window_id: self.window_id,
            index: self.index,
            url,
            title: self.title.clone().unwrap_or_default(),
            fav_icon_url: self.fav_icon_url.clone(),
            pinned: self.pinned,
            active: self.active,
            muted: self.muted_info.as_ref().is_some_and(|m| m.muted),
            discarded: self.discarded,
            last_accessed: self.last_accessed.filter(|t| t.is_finite() && *t > 0.0).map(|t| t as u64),
            group_id: self.group_id.filter(|g| *g >= 0),
            container,
            private: self.incognito,
        })
    }
}

impl BrowserWindow {
    pub fn info(&self) -> Option<WindowInfo> {
        let geometry = match (self.left, self.top, self.width, self.height) {
            (Some(left), Some(top), Some(width), Some(height)) => Some(Geometry { left, top, width, height }),
            _ => None,
        };
        Some(WindowInfo {
            id: self.id?,
            normal: self.kind.as_deref().is_none_or(|k| k == "normal"),
            private: self.incognito,
            state: WindowState::parse(self.state.as_deref().unwrap_or("normal")),
            geometry,
            focused: self.focused,
        })
    }

    /// The events that describe this window and its tabs as they are now.
    pub fn events(&self, containers: &[Container]) -> Vec<Event> {
        let Some(info) = self.info() else { return Vec::new() };
        let mut out = vec![Event::WindowOpened(info)];
        for t in self.tabs.iter().flatten() {
            if let Some(t) = t.info(containers) {
                out.push(Event::TabCreated(t));
            }
        }
        out
    }
}

impl BrowserGroup {
    pub fn info(&self) -> GroupInfo {
        GroupInfo {
            id: self.id,
            window_id: self.window_id,
            title: self.title.clone().unwrap_or_default(),
            color: self.color.clone(),
            collapsed: self.collapsed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_tab_with_group() {
        let t: BrowserTab = serde_json::from_str(
            r#"{"id":5,"windowId":1,"index":2,"url":"https://a/","title":"A","pinned":true,"active":false,
                "mutedInfo":{"muted":true},"groupId":3,"lastAccessed":1764070000000.5,"incognito":false,"status":"complete"}"#,
        )
        .unwrap();
        let i = t.info(&[]).unwrap();
        assert_eq!((i.id, i.window_id, i.index, i.pinned, i.muted, i.group_id), (5, 1, 2, true, true, Some(3)));
        assert_eq!(i.last_accessed, Some(1764070000000));
    }

    #[test]
    fn firefox_tab_with_container_and_pending_url() {
        let containers = [Container {
            cookie_store_id: "firefox-container-2".into(),
            name: Some("Work".into()),
            color: Some("blue".into()),
        }];
        let t: BrowserTab =
            serde_json::from_str(r#"{"id":1,"windowId":1,"index":0,"url":"","pendingUrl":"https://b/","cookieStoreId":"firefox-container-2","groupId":-1}"#)
                .unwrap();
        let i = t.info(&containers).unwrap();
        assert_eq!(i.url, "https://b/");
        assert_eq!(i.group_id, None);
        assert_eq!(i.container.unwrap().name.as_deref(), Some("Work"));
        let d: BrowserTab = serde_json::from_str(r#"{"id":1,"windowId":1,"url":"https://c/","cookieStoreId":"firefox-default"}"#).unwrap();
        assert!(d.info(&[]).unwrap().container.is_none());
    }

    #[test]
    fn window_with_tabs_becomes_events() {
        let w: BrowserWindow = serde_json::from_str(
            r#"{"id":9,"type":"normal","state":"maximized","incognito":false,"focused":true,"left":0,"top":0,"width":800,"height":600,
                "tabs":[{"id":1,"windowId":9,"index":0,"url":"https://a/"},{"windowId":9,"index":1}]}"#,
        )
        .unwrap();
        let ev = w.events(&[]);
        assert_eq!(ev.len(), 2, "a tab without an id is skipped");
        let Event::WindowOpened(info) = &ev[0] else { panic!() };
        assert_eq!(info.state, WindowState::Maximized);
        assert_eq!(info.geometry.unwrap().width, 800);
        let popup: BrowserWindow = serde_json::from_str(r#"{"id":2,"type":"popup"}"#).unwrap();
        assert!(!popup.info().unwrap().normal);
    }
}
