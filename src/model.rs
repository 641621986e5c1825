//! The session as Lifeboat keeps it: windows, their tabs, groups and containers.
//! Plain data with no browser types; the edge maps browser objects onto it.
//! A tab's index is its position in `Window::tabs`, so order cannot disagree
//! with an index field.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod v1;

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub windows: Vec<Window>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowState {
    #[default]
    Normal,
    Maximized,
    Minimized,
    Fullscreen,
}

impl WindowState {
    pub fn parse(s: &str) -> Self {
        match s {
            "maximized" => Self::Maximized,
            "minimized" => Self::Minimized,
            "fullscreen" => Self::Fullscreen,
            _ => Self::Normal,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Maximized => "maximized",
            Self::Minimized => "minimized",
            Self::Fullscreen => "fullscreen",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Geometry {
    pub left: i32,
    pub top: i32,
    pub width: i32,
    pub height: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// The browser's id in the run that recorded it; meaningless after a restart.
    pub id: i64,
    pub state: WindowState,
    pub geometry: Option<Geometry>,
    pub focused: bool,
    pub tabs: Vec<Tab>,
    /// Chrome tab groups used by this window's tabs.
    pub groups: Vec<TabGroup>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabGroup {
    pub id: i64,
    pub title: String,
    pub color: String,
    pub collapsed: bool,
}

/// A Firefox container (contextual identity).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    pub cookie_store_id: String,
    pub name: Option<String>,
    pub color: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")] // the trait impls below pick the layout by record version
pub struct Tab {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub fav_icon_url: Option<String>,
    pub pinned: bool,
    pub active: bool,
    pub muted: bool,
    pub discarded: bool,
    pub last_accessed: Option<Millis>,
    /// Id of a `TabGroup` in the same window.
    pub group: Option<i64>,
    pub container: Option<Container>,
    /// What the user typed into the page and where it was scrolled.
    pub page: Option<PageState>,
    /// The pages this tab showed before its current one, oldest first, at
    /// most `MAX_HISTORY` (format 3). No extension API rebuilds a tab's back
    /// stack: they are offered as pages to open.
    pub history: Vec<Visit>,
}

/// One page a tab went through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub url: String,
    pub title: String,
    /// When the tab left it (live) or visited it (where a file says); not
    /// every file says.
    pub at: Option<Millis>,
}

/// Earlier pages kept per tab.
pub const MAX_HISTORY: usize = 20;

impl Tab {
    /// Notes that the tab left its current page for another; `at`: when it
    /// was last looked at. Only web pages are worth a visit (not blank or
    /// browser pages), and the same page twice in a row is one visit.
    pub fn left_page(&mut self, at: Option<Millis>) {
        let lower = self.url.get(..8).unwrap_or(&self.url).to_ascii_lowercase();
        let web = lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("file:");
        if !web || self.history.last().is_some_and(|v| v.url == self.url) {
            return;
        }
        self.history.push(Visit {
            url: self.url.clone(),
            title: self.title.clone(),
            at,
        });
        if self.history.len() > MAX_HISTORY {
            self.history.drain(..self.history.len() - MAX_HISTORY);
        }
    }
}

/// Form fields and scroll of one page, collected by the content script.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")] // the trait impls below pick the layout by record version
pub struct PageState {
    /// The top frame's URL; the state is restored only onto the same URL.
    pub url: String,
    pub scroll: Option<(i32, i32)>,
    /// The top frame (key "") and same-origin frames, each with its fields.
    pub frames: Vec<FrameFields>,
    /// Fields left out because a typed-text budget was exceeded (format 2).
    /// (`default`s here and in `Field` let JSON written without them read;
    /// postcard always reads every member.)
    #[serde(default)]
    pub cut: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrameFields {
    /// "" for the top frame, else the iframe's structural path.
    pub frame: String,
    pub url: String,
    pub fields: Vec<Field>,
}

impl PageState {
    /// Fields holding something the user typed or chose.
    pub fn typed_fields(&self) -> usize {
        self.frames.iter().flat_map(|f| &f.fields).count()
    }

    /// Drops the frames whose URL `refuse` says no to; returns their field count.
    pub fn drop_frames(&mut self, refuse: &mut impl FnMut(&str) -> bool) -> usize {
        let before = self.typed_fields();
        self.frames.retain(|f| !refuse(&f.url));
        before - self.typed_fields()
    }

    /// No typed text and no scroll worth restoring.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty() && self.scroll.is_none_or(|s| s == (0, 0))
    }

    pub fn truncated_fields(&self) -> usize {
        self.frames.iter().flat_map(|f| &f.fields).filter(|f| f.truncated).count()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")] // the trait impls below pick the layout by record version
pub struct Field {
    /// `#id`, `name=...` within a form, or a structural path.
    pub key: String,
    /// What the field was (format 2), so that its value goes back only into
    /// a field of the same kind: `input`, `textarea`, `select` or
    /// `contenteditable`, lower-case. Empty when not known (format 1,
    /// imports): then any element whose kind fits the value.
    #[serde(default)]
    pub tag: String,
    /// The input's type, lower-case; empty for other tags.
    #[serde(default)]
    pub kind: String,
    /// Its `name` attribute (capped).
    #[serde(default)]
    pub name: String,
    pub value: FieldValue,
    /// The value was longer than the cap and was cut.
    pub truncated: bool,
    /// The user typed into it (trusted input); not a value only the page's
    /// script set. False when not known (format 1).
    #[serde(default)]
    pub touched: bool,
}

// Postcard is not self-describing: a record of format 1 holds `Field` and
// `PageState` without their later members. `codec::decode` says which format
// it is reading; the older layout is read through `v1` and converted.
impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match crate::codec::reading_version() {
            1 => v1::Field::deserialize(d).map(Into::into),
            _ => Field::deserialize(d),
        }
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Field::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for Tab {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match crate::codec::reading_version() {
            1 | 2 => v1::Tab::deserialize(d).map(Into::into),
            _ => Tab::deserialize(d),
        }
    }
}

impl Serialize for Tab {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Tab::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for PageState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match crate::codec::reading_version() {
            1 => v1::PageState::deserialize(d).map(Into::into),
            _ => PageState::deserialize(d),
        }
    }
}

impl Serialize for PageState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PageState::serialize(self, s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldValue {
    Text(String),
    Checked(bool),
    Selected(Vec<String>),
    /// contenteditable, as plain text: restoring markup could inject it.
    Editable(String),
}

/// What to take out of stored sessions and deltas, in one walk: the typed
/// text of the frames `text` refuses (every frame of a page whose own URL
/// it refuses) and the visits `visit` refuses.
pub struct Refused<'a> {
    pub text: &'a dyn Fn(&str) -> bool,
    pub visit: &'a dyn Fn(&str) -> bool,
    /// A page left with no text still says how much was cut over the budget
    /// (the settings refused some text; the user still learns some was
    /// left out). False: the count goes with the text.
    pub keep_cut_notes: bool,
}

impl Refused<'static> {
    /// All typed text, no visit: a copy that may leave the store (a backup
    /// without typed text, sync, the spare copy, a content script's view).
    pub const ALL_TEXT: Refused<'static> = Refused {
        text: &|_| true,
        visit: &|_| false,
        keep_cut_notes: false,
    };
}

impl Refused<'_> {
    /// Strips one tab's page state; returns how many fields went.
    pub fn strip_page(&self, page: &mut Option<PageState>) -> usize {
        let Some(p) = page else { return 0 };
        let n = if (self.text)(&p.url) {
            p.drop_frames(&mut |_| true)
        } else {
            p.drop_frames(&mut |u| (self.text)(u))
        };
        if p.is_empty() && (p.cut == 0 || !self.keep_cut_notes) {
            *page = None;
        }
        n
    }

    /// Strips one tab's history; returns how many visits went.
    pub fn strip_history(&self, history: &mut Vec<Visit>) -> usize {
        let before = history.len();
        history.retain(|v| !(self.visit)(&v.url));
        before - history.len()
    }
}

/// A session as a file holds it, with its name and date: what exporters
/// write and `import::Imported::saved` gives back.
#[derive(Debug, Clone, Copy)]
pub struct Saved<'a> {
    pub name: &'a str,
    pub saved_at: Option<Millis>,
    pub session: &'a Session,
}

impl Session {
    /// The session with no typed text (scroll positions stay): what may sit
    /// where a content script can read it, or leave the device through sync.
    pub fn without_typed_text(&self) -> Session {
        let mut s = self.clone();
        s.strip(&Refused::ALL_TEXT);
        s
    }

    /// Takes out what `r` refuses; returns how many fields and visits went.
    pub fn strip(&mut self, r: &Refused) -> usize {
        self.windows
            .iter_mut()
            .flat_map(|w| w.tabs.iter_mut())
            .map(|t| r.strip_page(&mut t.page) + r.strip_history(&mut t.history))
            .sum()
    }

    pub fn tab_count(&self) -> usize {
        self.windows.iter().map(|w| w.tabs.len()).sum()
    }

    pub fn window(&self, id: i64) -> Option<&Window> {
        self.windows.iter().find(|w| w.id == id)
    }

    pub fn window_mut(&mut self, id: i64) -> Option<&mut Window> {
        self.windows.iter_mut().find(|w| w.id == id)
    }

    /// Where a tab is: (window position, tab position).
    pub fn find_tab(&self, tab_id: i64) -> Option<(usize, usize)> {
        self.windows
            .iter()
            .enumerate()
            .find_map(|(wi, w)| w.tabs.iter().position(|t| t.id == tab_id).map(|ti| (wi, ti)))
    }

    pub fn tab_mut(&mut self, tab_id: i64) -> Option<&mut Tab> {
        let (wi, ti) = self.find_tab(tab_id)?;
        Some(&mut self.windows[wi].tabs[ti])
    }
}

impl Window {
    /// Drops groups no tab refers to any more.
    pub fn prune_groups(&mut self) {
        let tabs = &self.tabs;
        self.groups.retain(|g| tabs.iter().any(|t| t.group == Some(g.id)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// JSON is self-describing: a field or page written before format 2's
    /// members existed reads with their defaults.
    #[test]
    fn json_without_the_format_2_members_reads() {
        let page: PageState = serde_json::from_str(
            r##"{"url":"https://a/","scroll":null,"frames":[{"frame":"","url":"https://a/","fields":[{"key":"#c","value":{"Text":"x"},"truncated":false}]}]}"##,
        )
        .unwrap();
        assert_eq!(page.cut, 0);
        let f = &page.frames[0].fields[0];
        assert_eq!((f.tag.as_str(), f.kind.as_str(), f.name.as_str(), f.touched), ("", "", "", false));
        let back: PageState = serde_json::from_value(serde_json::to_value(&page).unwrap()).unwrap();
        assert_eq!(back, page);
    }
}
