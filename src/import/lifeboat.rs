//! Lifeboat's own export (docs/EXPORT-FORMAT.md), read through the schema in
//! `lifeboat_file`. Everything the model holds is kept; URLs still pass
//! the same checks as any other import, since the file may have been edited.

use super::collect::{tab, Collector};
use super::json::{self, List, Str};
use super::lifeboat_file::{File, WFrame, WPage, WTab, WValue, WWindow, FORMAT, VERSION};
use super::{text, HistoryEntry, ImportError, Imported, MAX_INPUT};
use crate::message;
use crate::model::{Container, FieldValue, FrameFields, Geometry, PageState, Session, Tab, TabGroup, Window, WindowState};
use serde::Deserialize;

pub const DEFAULT_NAME: &str = "Lifeboat session";

/// Read first, so a newer file is refused for its version and not for a
/// shape this version does not know.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Header {
    format: Str,
    version: json::Int,
}

pub fn parse(bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_INPUT {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_INPUT as u64,
        });
    }
    let body = text::strip_bom(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    let (header, _) = json::parse::<Header>(body)?;
    if header.format.as_deref() != Some(FORMAT) {
        return Err(ImportError::Unrecognised("it is not a Lifeboat export (no \"format\": \"lifeboat\")".into()));
    }
    match header.version.0 {
        Some(v) if (1..=VERSION as i64).contains(&v) => {}
        Some(v) if v > VERSION as i64 => return Err(ImportError::UnsupportedVersion(v as u64)),
        _ => return Err(ImportError::Unrecognised("its \"version\" is missing or invalid".into())),
    }
    let (file, odd) = json::parse::<File>(body)?;
    let mut c = Collector::new();
    c.odd_values(odd);
    for s in file.sessions.0 {
        let windows = s
            .windows
            .0
            .into_iter()
            .enumerate()
            .map(|(i, w)| window(&mut c, i, w))
            .collect::<Result<_, _>>()?;
        let name = if s.name.trim().is_empty() { DEFAULT_NAME.into() } else { s.name };
        c.session(name, s.saved_at, Session { windows });
    }
    c.finish()
}

/// The window at `index` of its session.
fn window(c: &mut Collector, index: usize, w: WWindow) -> Result<Window, ImportError> {
    let mut tabs = Vec::new();
    for mut t in w.tabs.0 {
        let history = t.history.take();
        if let Some(tab) = tab_of(c, t)? {
            tabs.push(tab);
            if let Some(h) = history {
                let entries = h
                    .entries
                    .0
                    .into_iter()
                    .map(|e| HistoryEntry {
                        url: e.url,
                        title: e.title,
                        time: e.time,
                    })
                    .collect();
                c.history(index, tabs.len() - 1, entries, h.current);
            }
        }
    }
    Ok(Window {
        id: 0,
        state: WindowState::parse(&w.state),
        geometry: w.geometry.map(|g| Geometry {
            left: g.left,
            top: g.top,
            width: g.width,
            height: g.height,
        }),
        focused: w.focused,
        tabs,
        groups: w
            .groups
            .0
            .into_iter()
            .map(|g| TabGroup {
                id: g.id,
                title: g.title,
                color: g.color,
                collapsed: g.collapsed,
            })
            .collect(),
    })
}

fn tab_of(c: &mut Collector, t: WTab) -> Result<Option<Tab>, ImportError> {
    let Some(url) = c.tab_url(&t.url)? else { return Ok(None) };
    let mut tab = tab(url, t.title);
    tab.fav_icon_url = c.favicon(t.fav_icon_url.as_deref());
    tab.pinned = t.pinned;
    tab.active = t.active;
    tab.muted = t.muted;
    tab.discarded = t.discarded;
    tab.last_accessed = t.last_accessed;
    tab.group = t.group;
    tab.container = t.container.map(|c| Container {
        cookie_store_id: c.cookie_store_id,
        name: c.name,
        color: c.color,
    });
    tab.page = t.page.and_then(|p| page(c, p));
    Ok(Some(tab))
}

fn page(c: &mut Collector, p: WPage) -> Option<PageState> {
    let Some(url) = c.page_url(&p.url) else {
        c.count(message::N_NOTE_FORM_PAGES);
        return None;
    };
    let frames = p.frames.0.into_iter().filter_map(|f| frame(c, f)).collect();
    Some(PageState {
        url,
        scroll: p.scroll.map(|[x, y]| (x, y)),
        frames,
        cut: 0,
    })
}

fn frame(c: &mut Collector, f: WFrame) -> Option<FrameFields> {
    let Some(url) = c.page_url(&f.url) else {
        c.count(message::N_NOTE_FORM_PAGES);
        return None;
    };
    let fields = f
        .fields
        .0
        .into_iter()
        .filter_map(|f| {
            let value = match f.value {
                WValue::Text(s) => FieldValue::Text(s),
                WValue::Checked(b) => FieldValue::Checked(b),
                WValue::Selected(List(v)) => FieldValue::Selected(v),
                WValue::Editable(s) => FieldValue::Editable(s),
            };
            c.field(f.key, value, f.truncated)
        })
        .collect();
    Some(FrameFields { frame: f.frame, url, fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            parse(br#"{"format":"lifeboat","version":2,"sessions":"new shape"}"#),
            Err(ImportError::UnsupportedVersion(2))
        );
        assert!(matches!(parse(br#"{"format":"lifeboat","sessions":[]}"#), Err(ImportError::Unrecognised(_))));
        assert!(matches!(parse(br#"{"format":"other","version":1}"#), Err(ImportError::Unrecognised(_))));
        assert_eq!(
            parse(br#"{"format":"lifeboat","version":1,"sessions":[]}"#),
            Err(ImportError::NothingToImport(vec![]))
        );
        assert!(matches!(
            parse(br#"{"format":"lifeboat","version":1,"sessions":[{"windows":[{"tabs":[{"url":5}]}]}]}"#),
            Err(ImportError::WrongShape { .. })
        ));
    }

    #[test]
    fn edited_files_are_checked_like_any_other() {
        let got = parse(
            br#"{"format":"lifeboat","version":1,"sessions":[{"name":" ","windows":[{"state":"maximized","tabs":[
                {"url":"javascript:alert(1)"},{"url":"https://a/","favIconUrl":"javascript:x","page":{"url":"data:text/html,x","fields":[]}}]}]}]}"#,
        )
        .unwrap();
        let (name, s) = &got.sessions[0];
        assert_eq!(name, DEFAULT_NAME);
        assert_eq!(s.windows[0].state, WindowState::Maximized);
        assert_eq!(s.tab_count(), 1);
        assert!(!format!("{s:?}").contains("javascript") && !format!("{s:?}").contains("data:"));
        assert_eq!(got.notes.len(), 3, "{:?}", got.notes);
    }
}
