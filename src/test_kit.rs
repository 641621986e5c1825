//! Builders shared by the unit tests, so that a change to the model is
//! followed in one place.

use crate::event::{Event, TabInfo, WindowInfo};
use crate::keeper::Keeper;
use crate::model::{Field, FieldValue, Millis, Session, Tab, Window};
use crate::store::Backend;

/// Tab `id` at `url`, titled `t<id>`.
pub fn tab(id: i64, url: &str) -> Tab {
    Tab {
        id,
        url: url.into(),
        title: format!("t{id}"),
        ..Default::default()
    }
}

/// One window (id 1) of `n` tabs, `https://e.org/<i>`.
pub fn session_of(n: usize) -> Session {
    Session {
        windows: vec![Window {
            id: 1,
            tabs: (0..n).map(|i| tab(i as i64, &format!("https://e.org/{i}"))).collect(),
            ..Default::default()
        }],
    }
}

/// A tab as a browser event describes it, titled `t<id>`.
pub fn tab_info(id: i64, window_id: i64, index: usize, url: &str) -> TabInfo {
    TabInfo {
        id,
        window_id,
        index,
        url: url.into(),
        title: format!("t{id}"),
        ..Default::default()
    }
}

/// A normal window as a browser event describes it.
pub fn window_info(id: i64) -> WindowInfo {
    WindowInfo {
        id,
        normal: true,
        ..Default::default()
    }
}

/// Opens window `window`, focused, with `tabs` (id, URL) in order, through
/// the keeper's events.
pub fn open_window<B: Backend>(k: &mut Keeper<B>, window: i64, tabs: &[(i64, &str)], now: Millis) {
    k.apply(
        Event::WindowOpened(WindowInfo {
            focused: true,
            ..window_info(window)
        }),
        now,
    );
    for (index, (id, url)) in tabs.iter().enumerate() {
        k.apply(Event::TabCreated(tab_info(*id, window, index, url)), now);
    }
}

/// A text field with `key` holding `value`.
pub fn text_field(key: &str, value: &str) -> Field {
    Field {
        key: key.into(),
        tag: "textarea".into(),
        kind: String::new(),
        name: String::new(),
        value: FieldValue::Text(value.into()),
        truncated: false,
        touched: false,
    }
}

/// A restored page's state waiting for its tab: scrolled, and one text
/// field `#f` per `(frame key, frame URL, value)`.
pub fn pending_page(url: &str, frames: &[(&str, &str, &str)]) -> crate::model::PageState {
    crate::model::PageState {
        url: url.into(),
        scroll: Some((0, 50)),
        frames: frames
            .iter()
            .map(|(key, furl, value)| crate::model::FrameFields {
                frame: (*key).into(),
                url: (*furl).into(),
                fields: vec![text_field("#f", value)],
            })
            .collect(),
        ..Default::default()
    }
}

/// A normal window `id` with one `https://t<id>.example/` tab per id.
pub fn window_of(id: i64, tab_ids: &[i64]) -> Window {
    Window {
        id,
        tabs: tab_ids
            .iter()
            .map(|&t| Tab {
                id: t,
                url: format!("https://t{t}.example/"),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// A browser for the core's tests: it records what the core asked and
/// answers from what the test set up (`crate::browser::Browser`).
#[derive(Default)]
pub struct FakeBrowser {
    pub now: std::cell::Cell<u64>,
    pub tabs: std::cell::RefCell<Vec<crate::browser::SeenTab>>,
    pub containers: Option<Vec<crate::model::Container>>,
    /// Each restore order carried out, with its target and whether lazy tabs
    /// were to be created discarded.
    pub orders: std::cell::RefCell<Vec<(crate::restore::Order, crate::browser::Target, bool)>>,
    pub closed_windows: std::cell::RefCell<Vec<i64>>,
    pub opened_tabs: std::cell::RefCell<Vec<String>>,
    pub opened_pages: std::cell::RefCell<Vec<String>>,
    pub resend_asked: std::cell::RefCell<Vec<i64>>,
    /// Each tab offered its waiting page state, in order.
    pub pages_offered: std::cell::RefCell<Vec<i64>>,
    /// What the next restore reports as page state of the tabs it opened.
    pub restored_pages: std::cell::RefCell<Vec<(i64, crate::model::PageState)>>,
    pub pages_pending: std::cell::Cell<Option<bool>>,
    pub badges: std::cell::RefCell<Vec<crate::view::Badge>>,
    pub sync_area: std::cell::RefCell<std::collections::BTreeMap<String, serde_json::Value>>,
    /// Every `storage.sync` call fails with this.
    pub sync_fails: Option<String>,
    pub warnings: std::cell::RefCell<Vec<String>>,
}

impl crate::browser::Browser for FakeBrowser {
    fn now(&self) -> u64 {
        self.now.get()
    }
    fn perf_now(&self) -> f64 {
        self.now.get() as f64
    }
    fn warn(&self, message: &str) {
        self.warnings.borrow_mut().push(message.into());
    }
    async fn tabs(&self) -> Vec<crate::browser::SeenTab> {
        self.tabs.borrow().clone()
    }
    async fn containers(&self) -> Option<Vec<crate::model::Container>> {
        self.containers.clone()
    }
    async fn carry_out(&self, order: &crate::restore::Order, target: crate::browser::Target, create_discarded: bool) -> crate::protocol::answer::Restored {
        self.orders.borrow_mut().push((order.clone(), target, create_discarded));
        let new_windows = order
            .windows
            .iter()
            .filter(|w| w.join.is_none() && target == crate::browser::Target::NewWindows);
        crate::protocol::answer::Restored {
            windows: new_windows.count(),
            tabs: order.windows.iter().map(|w| w.tabs.len()).sum(),
            skipped: order.skipped.clone(),
            notices: Vec::new(),
            pages: self.restored_pages.take(),
        }
    }
    async fn close_windows(&self, ids: &[i64]) {
        self.closed_windows.borrow_mut().extend_from_slice(ids);
    }
    async fn open_tab(&self, url: &str) -> Result<(), String> {
        self.opened_tabs.borrow_mut().push(url.into());
        Ok(())
    }
    async fn open_page(&self, path: &str) {
        self.opened_pages.borrow_mut().push(path.into());
    }
    async fn ask_to_resend(&self, tab: i64) {
        self.resend_asked.borrow_mut().push(tab);
    }
    async fn offer_page(&self, tab: i64) {
        self.pages_offered.borrow_mut().push(tab);
    }
    async fn set_pages_pending(&self, pending: bool) {
        self.pages_pending.set(Some(pending));
    }
    async fn show_badge(&self, badge: &crate::view::Badge) {
        self.badges.borrow_mut().push(badge.clone());
    }
    async fn sync_get_all(&self) -> Result<std::collections::BTreeMap<String, serde_json::Value>, String> {
        match &self.sync_fails {
            Some(e) => Err(e.clone()),
            None => Ok(self.sync_area.borrow().clone()),
        }
    }
    async fn sync_set(&self, items: &std::collections::BTreeMap<String, serde_json::Value>) -> Result<(), String> {
        self.sync_area.borrow_mut().extend(items.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(())
    }
    async fn sync_remove(&self, keys: &[String]) -> Result<(), String> {
        let mut area = self.sync_area.borrow_mut();
        for k in keys {
            area.remove(k);
        }
        Ok(())
    }
}
