//! What may never be stored (Firefox: PrivacyFilter). Private windows are
//! refused when events are applied (`event`); this module holds the rules on
//! content.

use crate::model::Session;

/// A `data:` favicon larger than this is dropped: icons as data URLs bloat
/// sessions (a 25 MB session was 10 MB without them in one report).
pub const MAX_DATA_FAVICON: usize = 4 * 1024;

/// The favicon worth keeping: a remote URL (never fetched by Lifeboat, only
/// kept so the browser's own cache can show it) or a small `data:` image.
pub fn keep_favicon(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    if url.is_empty() {
        return None;
    }
    if url.starts_with("data:") && url.len() > MAX_DATA_FAVICON {
        return None;
    }
    Some(url.to_string())
}

/// The session without Lifeboat's own pages (its restore page is not part of
/// what the user was doing) and without windows left empty by that.
/// Borrows when there is nothing to remove, which is the usual case.
pub fn scrub<'a>(session: &'a Session, own_origin: &str) -> std::borrow::Cow<'a, Session> {
    let own = |url: &str| !own_origin.is_empty() && url.starts_with(own_origin);
    let dirty = session.windows.iter().any(|w| w.tabs.is_empty() || w.tabs.iter().any(|t| own(&t.url)));
    if !dirty {
        return std::borrow::Cow::Borrowed(session);
    }
    let mut s = session.clone();
    for w in &mut s.windows {
        w.tabs.retain(|t| !own(&t.url));
        w.prune_groups();
    }
    s.windows.retain(|w| !w.tabs.is_empty());
    std::borrow::Cow::Owned(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Tab, Window};

    #[test]
    fn favicons() {
        assert_eq!(keep_favicon(Some("https://x/favicon.ico")).as_deref(), Some("https://x/favicon.ico"));
        assert_eq!(keep_favicon(Some("data:image/png;base64,AAAA")).as_deref(), Some("data:image/png;base64,AAAA"));
        let big = format!("data:image/png;base64,{}", "A".repeat(MAX_DATA_FAVICON));
        assert_eq!(keep_favicon(Some(&big)), None);
        assert_eq!(keep_favicon(Some("")), None);
    }

    #[test]
    fn own_pages_are_scrubbed() {
        let tab = |url: &str| Tab {
            url: url.into(),
            ..Default::default()
        };
        let s = Session {
            windows: vec![
                Window {
                    id: 1,
                    tabs: vec![tab("https://a/"), tab("moz-extension://u/www/restore.html")],
                    ..Default::default()
                },
                Window {
                    id: 2,
                    tabs: vec![tab("moz-extension://u/www/restore.html")],
                    ..Default::default()
                },
            ],
        };
        let out = scrub(&s, "moz-extension://u/");
        assert_eq!(out.windows.len(), 1);
        assert_eq!(out.windows[0].tabs.len(), 1);
        let clean = Session {
            windows: vec![Window {
                id: 1,
                tabs: vec![tab("https://a/")],
                ..Default::default()
            }],
        };
        assert!(matches!(scrub(&clean, "moz-extension://u/"), std::borrow::Cow::Borrowed(_)));
    }
}
