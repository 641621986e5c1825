//! Typed text and scroll waiting for a restored tab are offered to the tab
//! once it has loaded, rather than asked for by every page that loads: a
//! page nobody restored gets no message and sends none (issue 13, item 5).
//! The content script answers an offer with its frame's `pageRestore`.

use super::Background;
use crate::browser::Browser;
use crate::store::Backend;

/// When to offer again after an offer (ms after the one before), while the
/// tab still has state waiting: the content script is injected at
/// document_idle, which may come after the browser reports the page
/// complete, and a frame may load after its page.
pub const OFFER_PAGE_AGAIN_MS: [u32; 4] = [250, 1_000, 3_000, 10_000];

impl<B: Backend> Background<B> {
    /// Tab `tab` finished loading (`attempt` 0), or the wait after offer
    /// `attempt` ran out: offers it what waits for it, if anything still
    /// does. Returns how long to wait before offering again.
    pub async fn offer_page(&mut self, browser: &impl Browser, tab: i64, attempt: usize) -> Option<u32> {
        if !self.keeper.expects_page(tab) {
            return None;
        }
        browser.offer_page(tab).await;
        OFFER_PAGE_AGAIN_MS.get(attempt).copied()
    }

    /// Right after a restore: tabs already loaded (a window's active tab
    /// loaded while the others were created) get their offer now, once;
    /// the others get theirs, and the repeats, when they have loaded.
    pub(crate) async fn offer_restored_pages(&mut self, browser: &impl Browser, tabs: &[i64]) {
        for &tab in tabs {
            // As the last offer of a schedule: none follows.
            self.offer_page(browser, tab, OFFER_PAGE_AGAIN_MS.len()).await;
        }
    }
}
