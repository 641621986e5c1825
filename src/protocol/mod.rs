//! The pages' and the content script's protocol with the background
//! (docs/PROTOCOL.md): the requests, and who may send which. A sender's role
//! comes from what the browser says about it (`runtime.MessageSender`), never
//! from the message body: a web page that took over its content script's
//! context must not be able to ask for what only Lifeboat's own pages may.

pub mod answer;
#[cfg(test)]
mod doc;
#[cfg(test)]
mod typescript;

use crate::privacy::RawField;
use crate::restore::Selection;
use crate::settings::Settings;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Who sent a message, as the browser reports it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Sender {
    /// The sending document's URL (a content script: its frame's URL).
    pub url: String,
    /// 0 for a tab's top frame.
    pub frame_id: Option<i64>,
    pub tab: Option<SenderTab>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SenderTab {
    pub id: Option<i64>,
}

/// A content script's frame, as the browser reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub tab: i64,
    /// The browser's frame id: 0 is the top frame.
    pub frame_id: i64,
    /// The frame's own URL.
    pub url: String,
}

impl Frame {
    pub fn is_top(&self) -> bool {
        self.frame_id == 0
    }
}

/// What a sender may ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Lifeboat's own pages: restore page, popup, manager.
    Page,
    /// A content script, which may only report and ask for its own frame.
    Content(Frame),
    /// Neither: may ask nothing.
    Stranger,
}

/// The role of `sender`; `own_origin` is the extension's base URL with its
/// trailing slash (`moz-extension://<uuid>/`), so a look-alike host cannot pass.
pub fn role(sender: &Sender, own_origin: &str) -> Role {
    if own_origin.ends_with('/') && sender.url.starts_with(own_origin) {
        return Role::Page;
    }
    let tab = sender.tab.as_ref().and_then(|t| t.id);
    match (tab, sender.frame_id, origin(&sender.url)) {
        (Some(tab), Some(frame_id), Some(_)) if frame_id >= 0 => Role::Content(Frame {
            tab,
            frame_id,
            url: sender.url.clone(),
        }),
        _ => Role::Stranger,
    }
}

/// `scheme://host[:port]` of an http(s) URL, lower-cased; `None` for
/// anything else (content scripts run on http(s) pages only).
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if host_port.is_empty() {
        return None;
    }
    Some(format!("{scheme}://{}", host_port.to_ascii_lowercase()))
}

fn yes() -> bool {
    true
}

/// Why a request was refused to its sender.
pub const REFUSED: &str = "Lifeboat refuses this request from where it came from.";

/// A request from a page: on the wire `{"type": "<name>", ...its fields}`
/// (`Request::from_value`; the pages' declarations say so through `ts(tag)`).
/// Serde reads it externally tagged, `{"<name>": {...}}`: serde's own
/// internally tagged reading buffers every message and cost the
/// background's module 46 KB (issue 10).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(tag = "type"))]
#[serde(rename_all = "camelCase")]
pub enum Request {
    Overview,
    Status,
    Plan {
        source: String,
    },
    Restore {
        source: String,
        select: SelectView,
        #[serde(default)]
        #[cfg_attr(test, ts(optional, as = "Option<_>"))]
        mode: RestoreMode,
        /// Open tabs even where the same URL is already open.
        #[serde(default)]
        #[cfg_attr(test, ts(optional, as = "Option<_>"))]
        duplicates: bool,
    },
    #[serde(rename = "named.list")]
    NamedList,
    #[serde(rename = "named.save")]
    NamedSave {
        /// Empty: a dated default.
        #[serde(default)]
        #[cfg_attr(test, ts(optional, as = "Option<_>"))]
        name: String,
        #[serde(default)]
        #[cfg_attr(test, ts(optional, as = "Option<_>"))]
        scope: Scope,
        #[serde(rename = "windowId")]
        #[cfg_attr(test, ts(optional, type = "number"))]
        window_id: Option<i64>,
        #[serde(rename = "tabIds", default)]
        #[cfg_attr(test, ts(optional, as = "Option<Vec<f64>>"))]
        tab_ids: Vec<i64>,
    },
    #[serde(rename = "named.overwrite")]
    NamedOverwrite {
        id: String,
    },
    #[serde(rename = "named.rename")]
    NamedRename {
        id: String,
        name: String,
    },
    #[serde(rename = "named.tags")]
    NamedTags {
        id: String,
        tags: Vec<String>,
    },
    #[serde(rename = "named.delete")]
    NamedDelete {
        id: String,
    },
    #[serde(rename = "named.undelete")]
    NamedUndelete {
        id: String,
    },
    Search {
        query: String,
    },
    /// Sessions the manager parsed from a file and the user chose (the
    /// pages' module parses; nothing of the file reaches the background).
    /// The background checks them again before keeping them as named saves.
    #[serde(rename = "import.commit")]
    ImportCommit {
        /// `import_check::encode_saves` of the chosen sessions.
        saves: String,
    },
    /// The sessions of `sources`, for the manager to write as a file.
    Export {
        sources: Vec<String>,
        /// Keep what was typed into pages (only Lifeboat's own format
        /// carries it); the manager asks, the default is yes.
        #[serde(rename = "typedText", default = "yes")]
        #[cfg_attr(test, ts(optional, as = "Option<_>"))]
        typed_text: bool,
    },
    Dismiss {
        source: String,
    },
    /// Undoes `dismiss`: the crash is pending again.
    Undismiss {
        source: String,
    },
    /// Opens one earlier page of a tab of `source` (`history[visit]` of tab
    /// `tab` of window `window`, as `plan` lists them) in a new tab.
    #[serde(rename = "openVisit")]
    OpenVisit {
        source: String,
        window: usize,
        tab: usize,
        visit: usize,
    },
    Settings,
    SetSettings {
        settings: Settings,
    },
    /// Everything Lifeboat has stored, decoded: the user's full backup.
    Backup {
        /// Keep what was typed into pages in the file (default yes).
        #[serde(rename = "typedText", default = "yes")]
        #[cfg_attr(test, ts(optional, as = "Option<_>"))]
        typed_text: bool,
    },
    /// Bench builds only: time the hot paths in the background.
    #[cfg(feature = "bench")]
    Bench {
        runs: u32,
    },
    /// Bench builds only: put `days` of autosave timeline behind the session
    /// held, so the background is measured with the store a week of use leaves.
    #[cfg(feature = "bench")]
    BenchTimeline {
        days: u32,
    },
    /// From the content script (docs/PROTOCOL.md). `frame` is the frame's
    /// place in the tab ("" for the top frame); the tab, the browser's frame
    /// id and the URL come from the sender, never from here.
    PageState {
        frame: String,
        state: RawPageState,
    },
    PageRestore {
        frame: String,
    },
}

impl Request {
    /// Reads a message as it arrives: `{"type": "<name>", ...fields}`.
    /// Unknown fields are ignored, as everywhere in the protocol.
    pub fn from_value(message: Value) -> Result<Request, serde_json::Error> {
        use serde::de::Error;
        let Value::Object(mut fields) = message else {
            return Err(serde_json::Error::custom("a request is an object"));
        };
        let Some(Value::String(name)) = fields.remove("type") else {
            return Err(serde_json::Error::missing_field("type"));
        };
        let mut tagged = Map::new();
        tagged.insert(name.clone(), Value::Object(fields));
        match serde_json::from_value(Value::Object(tagged)) {
            Ok(r) => Ok(r),
            // A request without fields (`{"type": "status"}`) is a bare name;
            // so is one that has none but was sent some anyway.
            Err(e) => serde_json::from_value(Value::String(name)).map_err(|_| e),
        }
    }

    /// `from_value` of a message's text (the tests write requests as text).
    #[cfg(test)]
    pub fn from_json(text: &str) -> Result<Request, serde_json::Error> {
        Request::from_value(serde_json::from_str(text)?)
    }
}

/// What the background sends a content script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(Deserialize, ts_rs::TS))]
#[serde(tag = "type")]
pub enum ToContent {
    /// Send your page's state again: typed text you sent was not committed
    /// before the background restarted. No answer.
    #[serde(rename = "lifeboat.resend")]
    Resend,
    /// Typed text or scroll of a restored page waits for this tab: each
    /// frame asks for its own (`pageRestore`). Sent when the tab has loaded,
    /// and again a few times while something still waits. No answer.
    #[serde(rename = "lifeboat.restore")]
    Restore,
}

/// What `named.save` saves: all windows, one window, or some tabs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    #[default]
    All,
    Window,
    Tabs,
}

/// One session of a selection; `windows: None` takes all of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionPick {
    pub session: usize,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub windows: Option<Vec<WindowPick>>,
}

/// One window of a picked session; `tabs: None` takes all of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct WindowPick {
    pub window: usize,
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub tabs: Option<Vec<usize>>,
}

/// Where a restore puts its tabs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RestoreMode {
    /// In new windows, as they were.
    #[default]
    New,
    /// All into the focused window.
    Current,
    /// In new windows, then the windows that were open close.
    Replace,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(default)]
#[cfg_attr(test, serde(deny_unknown_fields))]
pub struct RawPageState {
    pub scroll: Option<(i32, i32)>,
    pub fields: Vec<RawField>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(untagged)]
pub enum SelectView {
    /// "all"
    Word(#[cfg_attr(test, ts(type = "\"all\""))] String),
    Some(Vec<WindowSelect>),
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct WindowSelect {
    pub window: usize,
    pub tabs: Vec<usize>,
}

impl SelectView {
    pub fn to_selection(&self) -> Selection {
        match self {
            Self::Word(_) => Selection::All,
            Self::Some(v) => Selection::Some(v.iter().map(|w| (w.window, w.tabs.clone())).collect()),
        }
    }
}

impl Request {
    /// Whether `role` may send this request: the content script only its
    /// page's reports and restores, the pages everything else.
    pub fn permitted(&self, role: &Role) -> bool {
        let from_page_script = matches!(self, Self::PageState { .. } | Self::PageRestore { .. });
        match role {
            Role::Page => !from_page_script,
            Role::Content(_) => from_page_script,
            Role::Stranger => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "chrome-extension://abc/";

    fn sender(url: &str, tab: Option<i64>, frame_id: Option<i64>) -> Sender {
        Sender {
            url: url.into(),
            frame_id,
            tab: Some(SenderTab { id: tab }),
        }
    }

    fn req(json: &str) -> Request {
        Request::from_json(json).unwrap()
    }

    #[test]
    fn requests_parse() {
        let r = Request::from_json(r#"{"type":"restore","source":"prev/1","select":"all"}"#).unwrap();
        assert!(matches!(
            r,
            Request::Restore {
                select: SelectView::Word(_),
                ..
            }
        ));
        let r = Request::from_json(r#"{"type":"restore","source":"x","select":[{"window":0,"tabs":[1,2]}]}"#).unwrap();
        let Request::Restore { select, .. } = r else { panic!() };
        assert_eq!(select.to_selection(), Selection::Some(vec![(0, vec![1, 2])]));
        assert!(Request::from_json(r#"{"type":"nope"}"#).is_err());
        let r = Request::from_json(r#"{"type":"restore","source":"n/1","select":"all","mode":"current","duplicates":true}"#).unwrap();
        assert!(matches!(
            r,
            Request::Restore {
                mode: RestoreMode::Current,
                duplicates: true,
                ..
            }
        ));
        let r = Request::from_json(r#"{"type":"named.save","name":"x","scope":"tabs","windowId":3,"tabIds":[1,2]}"#).unwrap();
        assert!(matches!(
            r,
            Request::NamedSave {
                scope: Scope::Tabs,
                window_id: Some(3),
                ..
            }
        ));
        for t in ["named.list", "backup", "settings"] {
            assert!(Request::from_json(&format!(r#"{{"type":"{t}"}}"#)).is_ok(), "{t}");
        }
        assert!(Request::from_json(r#"{"type":"pageRestore","frame":"","url":"https://a/"}"#).is_ok());
        // Fields a request does not have are ignored, for a request without
        // any too.
        assert!(matches!(Request::from_json(r#"{"type":"status","since":1}"#), Ok(Request::Status)));
        assert!(matches!(Request::from_json(r#"{"type":"overview"}"#), Ok(Request::Overview)));
        // What is wrong is said.
        let missing = Request::from_json(r#"{"type":"plan"}"#).unwrap_err().to_string();
        assert!(missing.contains("missing field `source`"), "{missing}");
        let unknown = Request::from_json(r#"{"type":"nope","a":1}"#).unwrap_err().to_string();
        assert!(unknown.contains("unknown variant `nope`"), "{unknown}");
        assert!(Request::from_json(r#"{"source":"current"}"#).unwrap_err().to_string().contains("type"));
        assert!(Request::from_json(r#"{"type":3}"#).is_err());
        assert!(Request::from_json(r#"["plan"]"#).is_err());
        assert!(Request::from_json(r#"{"type":"plan","source":7}"#).is_err());
    }

    #[test]
    fn roles_come_from_the_sender() {
        assert_eq!(role(&sender("chrome-extension://abc/www/restore.html", Some(3), Some(0)), OWN), Role::Page);
        assert_eq!(role(&sender("chrome-extension://abc/www/popup.html", None, None), OWN), Role::Page);
        // A look-alike extension id is not ours.
        assert_eq!(role(&sender("chrome-extension://abcd/www/restore.html", None, None), OWN), Role::Stranger);
        assert_eq!(
            role(&sender("https://a.example/x", Some(3), Some(7)), OWN),
            Role::Content(Frame {
                tab: 3,
                frame_id: 7,
                url: "https://a.example/x".into()
            })
        );
        assert_eq!(role(&sender("https://a.example/x", None, Some(0)), OWN), Role::Stranger, "no tab");
        assert_eq!(role(&sender("file:///etc/passwd", Some(3), Some(0)), OWN), Role::Stranger);
        assert_eq!(role(&Sender::default(), OWN), Role::Stranger);
    }

    #[test]
    fn import_commit_takes_parsed_sessions() {
        let Request::ImportCommit { saves } = req(r#"{"type":"import.commit","saves":"TEJPQQ=="}"#) else {
            panic!()
        };
        assert_eq!(saves, "TEJPQQ==");
        assert!(Request::from_json(r#"{"type":"import.commit"}"#).is_err());
        assert!(
            Request::from_json(r#"{"type":"import.preview","fileName":"a","data":""}"#).is_err(),
            "files are parsed in the page"
        );
    }

    /// Everything a page may ask is refused to a content script, and the
    /// other way round: a compromised renderer cannot read backups, change
    /// settings, restore with "replace", delete saves or import.
    #[test]
    fn the_dispatch_refuses_by_role() {
        let content = Role::Content(Frame {
            tab: 1,
            frame_id: 0,
            url: "https://a/".into(),
        });
        let page_only = [
            r#"{"type":"backup"}"#,
            r#"{"type":"export","sources":["current"]}"#,
            r#"{"type":"setSettings","settings":{"timelineMaxMib":1}}"#,
            r#"{"type":"settings"}"#,
            r#"{"type":"restore","source":"current","select":"all","mode":"replace"}"#,
            r#"{"type":"named.delete","id":"n/1"}"#,
            r#"{"type":"named.save","name":"x"}"#,
            r#"{"type":"dismiss","source":"prev/1"}"#,
            r#"{"type":"undismiss","source":"prev/1"}"#,
            r#"{"type":"import.commit","saves":""}"#,
            r#"{"type":"overview"}"#,
            r#"{"type":"plan","source":"current"}"#,
            r#"{"type":"search","query":"a"}"#,
            r#"{"type":"openVisit","source":"current","window":0,"tab":0,"visit":0}"#,
        ];
        for json in page_only {
            let r = req(json);
            assert!(!r.permitted(&content), "content script may not: {json}");
            assert!(r.permitted(&Role::Page), "a page may: {json}");
            assert!(!r.permitted(&Role::Stranger), "{json}");
        }
        for json in [
            r#"{"type":"pageState","frame":"","state":{"fields":[]}}"#,
            r#"{"type":"pageRestore","frame":""}"#,
        ] {
            let r = req(json);
            assert!(r.permitted(&content), "{json}");
            assert!(!r.permitted(&Role::Page), "{json}");
            assert!(!r.permitted(&Role::Stranger), "{json}");
        }
    }

    #[test]
    fn origins() {
        assert_eq!(origin("https://User@A.example:8443/x?y#z").as_deref(), Some("https://a.example:8443"));
        assert_eq!(origin("http://a/").as_deref(), Some("http://a"));
        assert_eq!(origin("moz-extension://u/x"), None);
        assert_eq!(origin("https:///x"), None);
        assert_eq!(origin("about:blank"), None);
    }
}
