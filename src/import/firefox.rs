//! Firefox's own session files: `sessionstore.jsonlz4`, `recovery.jsonlz4`,
//! `recovery.baklz4`, `previous.jsonlz4`, `upgrade.jsonlz4-<build>` (mozLz4),
//! or the same JSON uncompressed (`sessionstore.js`).
//!
//! Kept, per tab, from the current history entry (`index`, 1-based; clamped,
//! missing means the last): url, title; and pinned, container
//! (`userContextId` n > 0 → `firefox-container-n`), favicon (`image`), last
//! access, muted, tab group (`groupId` → the window's `groups`), form data
//! (`id` keys as `#id`, `xpath` keys as written; frames' form data as the
//! frames `iframe[i]`, nested `iframe[i]/iframe[j]`) and scroll, fields
//! passing the same privacy rules as live ones. Per window: the
//! active tab (`selected`), `sizemode`, position and size, focus
//! (`selectedWindow`). Recently closed windows become a second session,
//! "Closed windows".
//!
//! Noted, not imported: the rest of each tab's history (an extension cannot
//! restore it), recently closed tabs, rich-text (`innerHTML`: HTML, which
//! could carry markup into the page), file inputs. Hidden tabs (hidden by an extension,
//! e.g. a tab-group manager) are imported as ordinary tabs, with a note: they
//! are the user's tabs, and the model has no "hidden".

use super::collect::{tab, Collector};
use super::json::{self, Flag, Int, List, Map, Str};
use super::{mozlz4, text, ClosedTab, HistoryEntry, ImportError, Imported, MAX_INPUT};
use crate::message;
use crate::model::{Container, FieldValue, FrameFields, Geometry, Millis, PageState, Session, Tab, TabGroup, Window, WindowState};
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

pub const SESSION_NAME: &str = "Firefox session";
pub const CLOSED_NAME: &str = "Closed windows";

/// Whether a file name is one Firefox gives its compressed session files.
pub fn is_compressed_name(file_name: &str) -> bool {
    let name = file_name.to_ascii_lowercase();
    // upgrade.jsonlz4-20211001010123
    let name = match name.rsplit_once('-') {
        Some((base, build)) if !build.is_empty() && build.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => &name,
    };
    [".jsonlz4", ".baklz4", ".mozlz4"].iter().any(|ext| name.ends_with(ext))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Root {
    windows: Option<List<FxWindow>>,
    #[serde(rename = "_closedWindows")]
    closed_windows: List<FxWindow>,
    #[serde(rename = "selectedWindow")]
    selected_window: Int,
    session: Option<Meta>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Meta {
    #[serde(rename = "lastUpdate")]
    last_update: Int,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FxWindow {
    tabs: List<FxTab, true>,
    selected: Int,
    sizemode: Str,
    #[serde(rename = "screenX")]
    screen_x: Int,
    #[serde(rename = "screenY")]
    screen_y: Int,
    width: Int,
    height: Int,
    groups: List<FxGroup>,
    #[serde(rename = "_closedTabs")]
    closed_tabs: List<FxClosedTab, true>,
}

/// One of a window's recently closed tabs.
#[derive(Deserialize, Default)]
#[serde(default)]
struct FxClosedTab {
    state: FxTab,
    #[serde(rename = "closedAt")]
    closed_at: Int,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FxGroup {
    id: Str,
    name: Str,
    color: Str,
    collapsed: Flag,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FxTab {
    entries: List<FxEntry>,
    index: Int,
    pinned: Flag,
    hidden: Flag,
    #[serde(rename = "userContextId")]
    user_context_id: Int,
    image: Str,
    #[serde(rename = "lastAccessed")]
    last_accessed: Int,
    muted: Flag,
    #[serde(rename = "groupId")]
    group_id: Str,
    formdata: Option<Form>,
    scroll: Scroll,
    /// What was typed in the address bar of a tab that never loaded.
    #[serde(rename = "userTypedValue")]
    user_typed_value: Str,
}

/// One history entry. Older Firefox kept form data and scroll here.
#[derive(Deserialize, Default)]
#[serde(default)]
struct FxEntry {
    url: Str,
    title: Str,
    formdata: Option<Form>,
    scroll: Scroll,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Form {
    url: Str,
    id: Map<Value>,
    xpath: Map<Value>,
    #[serde(rename = "innerHTML")]
    inner_html: Option<IgnoredAny>,
    /// Form data of the page's frames, in frame order (`null` for a frame without).
    children: List<Option<Form>>,
}

/// A form value as SessionStoreUtils writes it.
#[derive(Debug, Default)]
enum Value {
    Text(String),
    Checked(bool),
    /// `{selectedIndex, value}` for a select, an array of values for a multiple one.
    Selected(Vec<String>),
    /// `{type: "file", fileList: […]}`
    File,
    /// Older forms (a bare select index) and anything else.
    #[default]
    Other,
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a form value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Text(v.to_owned()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Checked(v))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut values = Vec::new();
                while let Some(Str(v)) = seq.next_element::<Str>()? {
                    json::charge_item()?;
                    values.extend(v);
                }
                Ok(Value::Selected(values))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let (mut value, mut file) = (None, false);
                while let Some(Str(key)) = map.next_key::<Str>()? {
                    match key.as_deref() {
                        Some("value") => value = map.next_value::<Str>()?.0,
                        Some("type") => file = map.next_value::<Str>()?.as_deref() == Some("file"),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(match (file, value) {
                    (true, _) => Value::File,
                    (false, Some(v)) => Value::Selected(vec![v]),
                    (false, None) => Value::Other,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// `"x,y"`, or `{"scroll": "x,y", …}` as current Firefox writes it.
#[derive(Debug, Default, Clone, Copy)]
struct Scroll(Option<(i32, i32)>);

impl Scroll {
    fn parse(s: &str) -> Self {
        let mut parts = s.split(',').map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()));
        match (parts.next().flatten(), parts.next().flatten(), parts.next()) {
            // `as` saturates: an absurd offset cannot wrap.
            (Some(x), Some(y), None) => Scroll(Some((x.round() as i32, y.round() as i32))),
            _ => Scroll(None),
        }
    }
}

impl<'de> Deserialize<'de> for Scroll {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scroll;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scroll position")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scroll, E> {
                Ok(Scroll::parse(v))
            }
            fn visit_unit<E>(self) -> Result<Scroll, E> {
                Ok(Scroll(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scroll, A::Error> {
                let mut out = Scroll(None);
                while let Some(Str(key)) = map.next_key::<Str>()? {
                    if key.as_deref() == Some("scroll") {
                        out = map.next_value::<Str>()?.as_deref().map_or(Scroll(None), Scroll::parse);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(out)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scroll, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scroll(None))
            }
        }
        d.deserialize_any(V)
    }
}

pub fn parse(bytes: &[u8]) -> Result<Imported, ImportError> {
    let unpacked;
    let json_bytes = if bytes.starts_with(&mozlz4::MAGIC) {
        unpacked = mozlz4::decompress(bytes)?;
        &unpacked[..]
    } else if bytes.len() > MAX_INPUT {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_INPUT as u64,
        });
    } else {
        text::strip_bom(bytes)
    };
    if json_bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    let (root, odd) = json::parse::<Root>(json_bytes)?;
    let Some(windows) = root.windows else {
        return Err(ImportError::Unrecognised("it has no \"windows\", so it is not a Firefox session file".into()));
    };
    let mut c = Collector::new();
    c.odd_values(odd);
    let saved_at: Option<Millis> = root.session.and_then(|m| m.last_update.0).and_then(|t| u64::try_from(t).ok());
    let focused = root.selected_window.0;
    let mut closed_tabs = 0;
    let mut open = Vec::new();
    for (i, mut w) in windows.0.into_iter().enumerate() {
        for t in std::mem::take(&mut w.closed_tabs.0) {
            closed_tabs += 1;
            closed_tab(&mut c, i + 1, t)?;
        }
        open.push(window(&mut c, i, w, focused == Some(i as i64 + 1))?);
    }
    c.session(SESSION_NAME.into(), saved_at, Session { windows: open });
    if !root.closed_windows.0.is_empty() {
        let closed = root
            .closed_windows
            .0
            .into_iter()
            .enumerate()
            .map(|(i, w)| window(&mut c, i, w, false))
            .collect::<Result<_, _>>()?;
        c.session(CLOSED_NAME.into(), saved_at, Session { windows: closed });
    }
    c.count_n(message::N_NOTE_CLOSED_TABS, closed_tabs);
    c.finish()
}

/// The current entry of a closed tab, for `Imported::closed_tabs`.
fn closed_tab(c: &mut Collector, window: usize, t: FxClosedTab) -> Result<(), ImportError> {
    let s = t.state;
    let n = s.entries.0.len();
    let index = s.index.0.unwrap_or(n as i64).clamp(1, n.max(1) as i64) as usize;
    let Some(entry) = s.entries.0.into_iter().nth(index - 1) else { return Ok(()) };
    let mut tab = tab(entry.url.0.unwrap_or_default(), entry.title.0.unwrap_or_default());
    tab.pinned = s.pinned.0;
    tab.container = container(s.user_context_id);
    c.closed_tab(ClosedTab {
        window,
        closed_at: t.closed_at.0.and_then(|v| u64::try_from(v).ok()),
        tab,
    })
}

fn container(user_context_id: Int) -> Option<Container> {
    user_context_id.0.filter(|&n| n > 0).map(|n| Container {
        cookie_store_id: format!("firefox-container-{n}"),
        name: None,
        color: None,
    })
}

/// The window at `index` of its session.
fn window(c: &mut Collector, index: usize, w: FxWindow, focused: bool) -> Result<Window, ImportError> {
    let groups: Vec<(Option<String>, TabGroup)> = w
        .groups
        .0
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let group = TabGroup {
                id: i as i64 + 1,
                title: g.name.0.unwrap_or_default(),
                color: g.color.0.unwrap_or_default(),
                collapsed: g.collapsed.0,
            };
            (g.id.0, group)
        })
        .collect();
    let selected = w.selected.0.unwrap_or(1);
    let mut tabs = Vec::new();
    for (i, t) in w.tabs.0.into_iter().enumerate() {
        let group_id = t.group_id.0.clone();
        let history = history_of(&t);
        if let Some(mut tab) = tab_of(c, t)? {
            tab.active = selected == i as i64 + 1;
            tab.group = group_id.and_then(|g| groups.iter().find(|(id, _)| id.as_deref() == Some(g.as_str())).map(|(_, x)| x.id));
            tabs.push(tab);
            if let Some((entries, current)) = history {
                c.history(index, tabs.len() - 1, entries, current);
            }
        }
    }
    let dim = |v: Int| v.0.and_then(|v| i32::try_from(v).ok());
    let geometry = match (dim(w.width), dim(w.height)) {
        (Some(width), Some(height)) => Some(Geometry {
            left: dim(w.screen_x).unwrap_or(0),
            top: dim(w.screen_y).unwrap_or(0),
            width,
            height,
        }),
        _ => None,
    };
    Ok(Window {
        id: 0,
        state: WindowState::parse(w.sizemode.or_empty()),
        geometry,
        focused,
        tabs,
        groups: groups.into_iter().map(|(_, g)| g).collect(),
    })
}

/// A tab's back/forward entries and the current one (`index` is 1-based,
/// as in `tab_of`), when it has more than one.
fn history_of(t: &FxTab) -> Option<(Vec<HistoryEntry>, usize)> {
    let n = t.entries.0.len();
    if n < 2 {
        return None;
    }
    let current = t.index.0.unwrap_or(n as i64).clamp(1, n as i64) as usize - 1;
    let entries = t
        .entries
        .0
        .iter()
        .map(|e| HistoryEntry {
            url: e.url.0.clone().unwrap_or_default(),
            title: e.title.0.clone().unwrap_or_default(),
            time: None,
        })
        .collect();
    Some((entries, current))
}

fn tab_of(c: &mut Collector, t: FxTab) -> Result<Option<Tab>, ImportError> {
    let n = t.entries.0.len();
    let current = match n {
        0 => None,
        _ => {
            let index = t.index.0.unwrap_or(n as i64).clamp(1, n as i64) as usize;
            t.entries.0.into_iter().nth(index - 1)
        }
    };
    let (raw_url, title, entry_form, entry_scroll) = match current {
        Some(e) => (e.url.0.unwrap_or_default(), e.title.0.unwrap_or_default(), e.formdata, e.scroll),
        // A tab that never loaded: what was typed, if anything.
        None => (t.user_typed_value.0.unwrap_or_default(), String::new(), None, Scroll(None)),
    };
    let Some(url) = c.tab_url(&raw_url)? else { return Ok(None) };
    if t.hidden.0 {
        c.count(message::N_NOTE_HIDDEN_TABS);
    }
    if n > 1 {
        c.count(message::N_NOTE_TAB_HISTORY);
    }
    let mut tab = tab(url, title);
    tab.pinned = t.pinned.0;
    tab.muted = t.muted.0;
    tab.fav_icon_url = c.favicon(t.image.as_deref());
    tab.last_accessed = t.last_accessed.0.and_then(|v| u64::try_from(v).ok());
    tab.container = container(t.user_context_id);
    let scroll = t.scroll.0.or(entry_scroll.0);
    tab.page = page(c, &tab.url, t.formdata.or(entry_form), scroll);
    Ok(Some(tab))
}

fn page(c: &mut Collector, tab_url: &str, form: Option<Form>, scroll: Option<(i32, i32)>) -> Option<PageState> {
    let url = c.page_url(tab_url)?;
    let mut frames = Vec::new();
    if let Some(form) = form {
        frames_of(c, String::new(), form, Some(&url), &mut frames);
    }
    (scroll.is_some() || !frames.is_empty()).then_some(PageState { url, scroll, frames, cut: 0 })
}

/// The fields of one frame (`key` "" is the page itself) and of its frames.
/// Firefox's n-th child frame is the content script's `iframe[n]` when a page
/// has only iframes; restore matches frame URLs too, so a page that mixes
/// other frame kinds cannot get the wrong frame's text.
fn frames_of(c: &mut Collector, key: String, form: Form, fallback_url: Option<&str>, out: &mut Vec<FrameFields>) {
    if form.inner_html.is_some() {
        c.count(message::N_NOTE_RICH_TEXT);
    }
    let values: Vec<(String, Value)> = form.id.0.into_iter().map(|(k, v)| (format!("#{k}"), v)).chain(form.xpath.0).collect();
    match form.url.as_deref().or(fallback_url).and_then(|u| c.page_url(u)) {
        Some(url) => {
            let fields: Vec<_> = values.into_iter().filter_map(|(k, v)| value(c, v).and_then(|v| c.field(k, v, false))).collect();
            if !fields.is_empty() {
                out.push(FrameFields {
                    frame: key.clone(),
                    url,
                    fields,
                });
            }
        }
        None if !values.is_empty() => c.count(message::N_NOTE_FORM_PAGES),
        None => {}
    }
    for (i, child) in form.children.0.into_iter().enumerate() {
        if let Some(child) = child {
            let path = if key.is_empty() {
                format!("iframe[{i}]")
            } else {
                format!("{key}/iframe[{i}]")
            };
            frames_of(c, path, child, None, out);
        }
    }
}

fn value(c: &mut Collector, v: Value) -> Option<FieldValue> {
    match v {
        Value::Text(s) => Some(FieldValue::Text(s)),
        Value::Checked(b) => Some(FieldValue::Checked(b)),
        Value::Selected(v) => Some(FieldValue::Selected(v)),
        Value::File => {
            c.count(message::N_NOTE_FILE_FIELDS);
            None
        }
        Value::Other => {
            c.count(message::N_NOTE_OLD_VALUES);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::collect::max_field_chars;

    fn one(json: &str) -> Imported {
        parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn names() {
        for yes in [
            "sessionstore.jsonlz4",
            "recovery.baklz4",
            "Previous.JSONLZ4",
            "upgrade.jsonlz4-20211001010123",
            "search.json.mozlz4",
        ] {
            assert!(is_compressed_name(yes), "{yes}");
        }
        for no in ["sessionstore.js", "x.json", "lz4", "", "a.jsonlz4-", "a.jsonlz4-12x"] {
            assert!(!is_compressed_name(no), "{no}");
        }
    }

    #[test]
    fn current_entry_index_is_clamped_and_defaults_to_last() {
        let e = r#"[{"url":"https://a/","title":"A"},{"url":"https://b/","title":"B"}]"#;
        let json = format!(
            r#"{{"windows":[{{"tabs":[{{"entries":{e},"index":1}},{{"entries":{e}}},{{"entries":{e},"index":99}},{{"entries":{e},"index":-3}},{{"entries":{e},"index":"x"}}]}}]}}"#
        );
        let got = one(&json);
        let urls: Vec<_> = got.sessions[0].1.windows[0].tabs.iter().map(|t| t.url.as_str()).collect();
        assert_eq!(urls, ["https://a/", "https://b/", "https://b/", "https://a/", "https://b/"]);
        assert!(got.notes.iter().any(|n| n.text.starts_with("5 tabs had back/forward history")));
        assert!(got.notes.iter().any(|n| n.text.contains("unexpected type")), "{:?}", got.notes);
    }

    #[test]
    fn form_values_of_every_kind() {
        let json = r#"{"windows":[{"tabs":[{"entries":[{"url":"https://f/"}],
          "formdata":{"url":"https://f/","id":{"a":"text","b":true,"c":{"selectedIndex":1,"value":"y"},"d":["p","q"],"e":{"type":"file","fileList":["x"]},"f":3},
                      "xpath":{"/xhtml:html/xhtml:body/xhtml:textarea[1]":"t"},"innerHTML":"<b>x</b>",
                      "children":[null,{"url":"https://f/frame","id":{"z":"1"},"children":[{"url":"https://f/inner","id":{"y":"2"}}]},{"id":{"w":"no url"}}]},
          "scroll":{"scroll":"10,2000"}}]}]}"#;
        let got = one(json);
        let page = got.sessions[0].1.windows[0].tabs[0].page.clone().unwrap();
        assert_eq!(page.scroll, Some((10, 2000)));
        assert_eq!(
            page.frames.iter().map(|f| (f.frame.as_str(), f.url.as_str())).collect::<Vec<_>>(),
            [("", "https://f/"), ("iframe[1]", "https://f/frame"), ("iframe[1]/iframe[0]", "https://f/inner")]
        );
        let f: Vec<_> = page.frames[0].fields.iter().map(|f| (f.key.as_str(), f.value.clone())).collect();
        assert_eq!(
            f,
            [
                ("#a", FieldValue::Text("text".into())),
                ("#b", FieldValue::Checked(true)),
                ("#c", FieldValue::Selected(vec!["y".into()])),
                ("#d", FieldValue::Selected(vec!["p".into(), "q".into()])),
                ("/xhtml:html/xhtml:body/xhtml:textarea[1]", FieldValue::Text("t".into())),
            ]
        );
        for n in ["file field", "form value", "rich-text editor", "page"] {
            assert!(got.notes.iter().any(|x| x.text.starts_with(&format!("1 {n} "))), "{n}: {:?}", got.notes);
        }
    }

    #[test]
    fn hostile_form_url_and_script_tabs() {
        let json = r#"{"windows":[{"selected":2,"tabs":[
            {"entries":[{"url":"javascript:alert(1)"}]},
            {"entries":[{"url":"https://ok/"}],"formdata":{"url":"javascript:alert(2)","id":{"a":"x"}},"image":"javascript:alert(3)"}]}]}"#;
        let got = one(json);
        let tabs = &got.sessions[0].1.windows[0].tabs;
        assert_eq!(tabs.len(), 1);
        assert!(tabs[0].active);
        assert!(tabs[0].page.is_none() && tabs[0].fav_icon_url.is_none());
        assert!(!format!("{:?}", got.sessions).contains("javascript"));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            r#"{{"windows":[{{"tabs":[{{"entries":[{{"url":"https://f/"}}],"formdata":{}{{}}{}}}]}}]}}"#,
            r#"{"children":["#.repeat(300),
            "]}".repeat(300)
        );
        assert_eq!(parse(deep.as_bytes()), Err(ImportError::TooDeep));
        for hostile in ["[".repeat(1 << 20), "{\"windows\":".repeat(1 << 16)] {
            assert!(parse(hostile.as_bytes()).is_err());
        }
    }

    #[test]
    fn not_a_firefox_file() {
        assert!(matches!(parse(b"{}"), Err(ImportError::Unrecognised(_))));
        assert_eq!(parse(b"   "), Err(ImportError::Empty));
        assert!(matches!(parse(b"{\"windows\":[{\"tabs\":[]}]}"), Err(ImportError::NothingToImport(_))));
        let long_field = format!(
            r#"{{"windows":[{{"tabs":[{{"entries":[{{"url":"https://f/"}}],"formdata":{{"id":{{"a":"{}"}}}}}}]}}]}}"#,
            "é".repeat(max_field_chars() + 5)
        );
        let got = parse(long_field.as_bytes()).unwrap();
        let f = &got.sessions[0].1.windows[0].tabs[0].page.as_ref().unwrap().frames[0].fields[0];
        assert!(f.truncated);
        assert!(matches!(&f.value, FieldValue::Text(t) if t.chars().count() == max_field_chars()));
    }
}
