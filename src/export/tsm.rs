//! Tab Session Manager's JSON, as its options page imports it: an array of
//! sessions with the keys its `isTSM` check requires (`windows`, `tabsNumber`,
//! `name`, `date`, `tag`, `sessionStartTime`) and tabs, windows and groups
//! shaped like the browser objects TSM saves. Form data and scroll have no
//! place in it; containers keep only their id.

use super::Saved;
use crate::model::{Millis, Tab, Window};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// A JSON object whose keys stay in this order (serde_json's own map sorts
/// them as strings, which puts window "10" before "2").
struct Ordered<T>(Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TsmSession {
    windows: Ordered<Ordered<TsmTab>>,
    windows_number: usize,
    windows_info: Ordered<TsmWindow>,
    tabs_number: usize,
    name: String,
    date: Millis,
    last_edited_time: Millis,
    tag: [&'static str; 0],
    session_start_time: Millis,
    id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tab_groups: Vec<TsmGroup>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TsmTab {
    id: i64,
    index: usize,
    window_id: i64,
    url: String,
    title: String,
    pinned: bool,
    active: bool,
    highlighted: bool,
    incognito: bool,
    discarded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    fav_icon_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cookie_store_id: Option<String>,
    /// -1: no group, as Chrome says it.
    group_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_accessed: Option<Millis>,
    muted_info: Muted,
}

#[derive(Serialize)]
struct Muted {
    muted: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TsmWindow {
    id: i64,
    state: &'static str,
    focused: bool,
    incognito: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    left: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    height: Option<i32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TsmGroup {
    id: i64,
    window_id: i64,
    title: String,
    color: String,
    collapsed: bool,
}

pub fn write(sessions: &[Saved], exported_at: Millis) -> String {
    let out: Vec<TsmSession> = sessions.iter().enumerate().map(|(i, s)| session(i, s, exported_at)).collect();
    serde_json::to_string_pretty(&out).expect("plain data always serialises")
}

fn session(i: usize, s: &Saved, exported_at: Millis) -> TsmSession {
    let date = s.saved_at.unwrap_or(exported_at);
    let mut tab_id = 0;
    let mut groups = Vec::new();
    let mut windows = Vec::new();
    let mut infos = Vec::new();
    for (wi, w) in s.session.windows.iter().enumerate() {
        // Positions, not the browser's ids: the keys only have to be distinct.
        let window_id = wi as i64 + 1;
        let renumber = group_ids(w, &groups);
        for g in &w.groups {
            groups.push(TsmGroup {
                id: renumber(g.id),
                window_id,
                title: g.title.clone(),
                color: g.color.clone(),
                collapsed: g.collapsed,
            });
        }
        let tabs = w
            .tabs
            .iter()
            .enumerate()
            .map(|(index, t)| {
                tab_id += 1;
                (tab_id.to_string(), tab(t, tab_id, index, window_id, t.group.map_or(-1, &renumber)))
            })
            .collect();
        windows.push((window_id.to_string(), Ordered(tabs)));
        infos.push((window_id.to_string(), window(w, window_id)));
    }
    TsmSession {
        windows_number: windows.len(),
        windows: Ordered(windows),
        windows_info: Ordered(infos),
        tabs_number: s.session.tab_count(),
        name: s.name.to_string(),
        date,
        last_edited_time: exported_at,
        tag: [],
        session_start_time: date,
        id: uuid(exported_at, i as u64, s.name),
        tab_groups: groups,
    }
}

/// TSM regroups tabs whose `groupId` is positive and finds the group's
/// details by that id across the session: keep each positive id that no
/// earlier window used, give the rest fresh ones.
fn group_ids<'a>(w: &'a Window, earlier: &[TsmGroup]) -> impl Fn(i64) -> i64 + 'a {
    let taken: Vec<i64> = earlier.iter().map(|g| g.id).collect();
    let mut next = taken.iter().chain(w.groups.iter().map(|g| &g.id)).copied().max().unwrap_or(0).max(0);
    let map: Vec<(i64, i64)> = w
        .groups
        .iter()
        .map(|g| {
            let id = if g.id > 0 && !taken.contains(&g.id) {
                g.id
            } else {
                next += 1;
                next
            };
            (g.id, id)
        })
        .collect();
    move |id| map.iter().find(|(from, _)| *from == id).map_or(-1, |(_, to)| *to)
}

fn tab(t: &Tab, id: i64, index: usize, window_id: i64, group_id: i64) -> TsmTab {
    TsmTab {
        id,
        index,
        window_id,
        url: t.url.clone(),
        title: t.title.clone(),
        pinned: t.pinned,
        active: t.active,
        highlighted: t.active,
        incognito: false,
        discarded: t.discarded,
        fav_icon_url: t.fav_icon_url.clone(),
        cookie_store_id: t.container.as_ref().map(|c| c.cookie_store_id.clone()),
        group_id,
        last_accessed: t.last_accessed,
        muted_info: Muted { muted: t.muted },
    }
}

fn window(w: &Window, id: i64) -> TsmWindow {
    TsmWindow {
        id,
        state: w.state.as_str(),
        focused: w.focused,
        incognito: false,
        kind: "normal",
        left: w.geometry.map(|g| g.left),
        top: w.geometry.map(|g| g.top),
        width: w.geometry.map(|g| g.width),
        height: w.geometry.map(|g| g.height),
    }
}

/// A version-4-shaped UUID from the export time, position and name: TSM uses
/// `id` to tell sessions apart, and exports must not need a random source.
fn uuid(at: Millis, i: u64, name: &str) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64; // FNV-1a
    for b in at.to_le_bytes().iter().chain(&i.to_le_bytes()).chain(name.as_bytes()) {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mix = |mut z: u64| {
        // splitmix64: spreads the FNV hash over the second half
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let (a, b) = (h, mix(h));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        8 + (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Session, TabGroup};

    #[test]
    fn has_what_tsm_checks_and_orders_windows() {
        let w = |g: i64| Window {
            tabs: vec![Tab {
                url: "https://a/".into(),
                group: Some(g),
                ..Default::default()
            }],
            groups: vec![TabGroup { id: g, ..Default::default() }],
            ..Default::default()
        };
        let session = Session {
            windows: (0..11).map(|i| w(if i < 2 { 5 } else { -3 })).collect(),
        };
        let json = write(
            &[Saved {
                name: "S",
                saved_at: None,
                session: &session,
            }],
            7,
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for key in [
            "windows",
            "tabsNumber",
            "name",
            "date",
            "tag",
            "sessionStartTime",
            "id",
            "windowsInfo",
            "lastEditedTime",
        ] {
            assert!(v[0].get(key).is_some(), "{key}");
        }
        assert!(json.find("\"10\": {").unwrap() > json.find("\"9\": {").unwrap(), "windows in order");
        let groups: Vec<i64> = v[0]["tabGroups"].as_array().unwrap().iter().map(|g| g["id"].as_i64().unwrap()).collect();
        assert_eq!(groups[..3], [5, 6, 7], "a reused or non-positive id is replaced");
        assert_eq!(v[0]["windows"]["2"]["2"]["groupId"], 6);
        let id = v[0]["id"].as_str().unwrap();
        assert_eq!((id.len(), &id[14..15]), (36, "4"));
        assert_ne!(uuid(1, 0, "a"), uuid(1, 1, "a"));
    }
}
