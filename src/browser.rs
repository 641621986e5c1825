//! What the core asks of the browser, as a trait: the edge (`src/web/`)
//! implements it with the WebExtension APIs, the tests with a fake. Every
//! method is I/O only; what to ask, when, and what follows is decided in
//! `background` and `background::dispatch`.
//!
//! The futures are not `Send`: WASM is single-threaded, and so is the
//! background's one task.

use crate::model::{Container, Millis};
use crate::protocol::answer::Restored;
use crate::restore::Order;
use crate::view::Badge;
use serde_json::Value;
use std::collections::BTreeMap;

/// What this browser can do, found from the APIs it has (once, by the
/// edge, at start-up: `src/web/actor.rs`, `capabilities`) and handed to the
/// core as plain data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// `tabs.create` takes `discarded: true` (Firefox): a lazy tab is created
    /// unloaded. Elsewhere it is discarded once its URL has committed.
    pub create_discarded: bool,
    /// Containers (`contextualIdentities`, Firefox).
    pub containers: bool,
    /// Tab groups can be made (`tabGroups` and `tabs.group`: Chromium,
    /// Firefox 139+). Without, a restore opens the tabs ungrouped.
    pub tab_groups: bool,
    /// The context menu can be shown on a tab strip's tab (`"tab"` context).
    pub tab_menu: bool,
}

impl Capabilities {
    /// Where the "Save this window as…" menu item shows.
    pub fn menu_contexts(&self) -> &'static [&'static str] {
        if self.tab_menu {
            &["page", "tab", "action"]
        } else {
            &["page", "action"]
        }
    }
}

/// A tab open in the browser, as the core needs to see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeenTab {
    pub id: i64,
    pub window: i64,
    /// What it shows, or is about to load.
    pub url: String,
    /// Chromium: the URL a tab is about to load while `url` is still empty.
    pub pending_url: Option<String>,
    pub incognito: bool,
}

/// Where a restore order's windows go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    NewWindows,
    /// Every tab into this existing window (the order was merged into one).
    Into(i64),
}

/// A user's gesture outside the pages: a keyboard shortcut or the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserCommand {
    /// The "save session" shortcut: all windows, a dated name.
    SaveSession,
    OpenManager,
    /// The context menu's "Save this window as…", on the window of the
    /// clicked tab (`None`: the focused one).
    SaveWindow(Option<i64>),
}

#[allow(async_fn_in_trait)]
pub trait Browser {
    /// The wall clock.
    fn now(&self) -> Millis;
    /// A monotonic clock in milliseconds, for timings.
    fn perf_now(&self) -> f64;
    fn warn(&self, message: &str);

    /// Every tab open now, in every window.
    async fn tabs(&self) -> Vec<SeenTab>;
    /// The containers that exist now (none where the browser has none, or
    /// when they cannot be read).
    async fn containers(&self) -> Option<Vec<Container>>;
    /// Opens `order` (`create_discarded`: see `Capabilities`).
    async fn carry_out(&self, order: &Order, target: Target, create_discarded: bool) -> Restored;
    async fn close_windows(&self, ids: &[i64]);
    /// Opens `url` in a new, active tab.
    async fn open_tab(&self, url: &str) -> Result<(), String>;
    /// Opens (or focuses) one of Lifeboat's own pages, e.g. `www/restore.html`.
    async fn open_page(&self, path: &str);
    /// Asks a tab's content script to send its typed text again (`lifeboat.resend`).
    async fn ask_to_resend(&self, tab: i64);
    /// Tells a tab's content script that page state waits for it
    /// (`lifeboat.restore`); its frames ask for theirs (`pageRestore`).
    async fn offer_page(&self, tab: i64);
    /// Remembers, for a background that restarts in this browser run,
    /// whether typed text reported by pages is not committed yet.
    async fn set_pages_pending(&self, pending: bool);
    async fn show_badge(&self, badge: &Badge);

    /// Everything in `storage.sync`.
    async fn sync_get_all(&self) -> Result<BTreeMap<String, Value>, String>;
    async fn sync_set(&self, items: &BTreeMap<String, Value>) -> Result<(), String>;
    async fn sync_remove(&self, keys: &[String]) -> Result<(), String>;
}
