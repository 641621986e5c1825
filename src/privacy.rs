//! What may never be stored (Firefox: PrivacyFilter). Private windows are
//! refused when events are applied (`event`); this module holds the rules on
//! content: favicons, Lifeboat's own pages, and form fields. The content
//! script applies the field rules too; these are the ones that count.

use crate::model::{Field, FieldValue, FrameFields, Session};
use crate::settings::{PrivacyLevel, Settings};
use serde::Deserialize;

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

/// A form field as the content script reports it (docs/PROTOCOL.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawField {
    pub key: String,
    pub tag: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub name: String,
    pub autocomplete: String,
    pub ever_password: bool,
    /// The user typed into it (trusted input) since the page loaded; a
    /// value only the page's script set is not.
    pub touched: bool,
    pub value: Option<String>,
    pub checked: Option<bool>,
    pub selected: Option<Vec<String>>,
}

/// Input types whose value is something the user typed or chose and may keep.
const KEPT_INPUT_TYPES: &[&str] = &[
    "",
    "text",
    "search",
    "email",
    "url",
    "tel",
    "number",
    "date",
    "time",
    "datetime-local",
    "month",
    "week",
    "checkbox",
    "radio",
];

/// `autocomplete` tokens that mark secrets (cc-* is checked by prefix).
const SECRET_AUTOCOMPLETE: &[&str] = &["off", "one-time-code", "new-password", "current-password"];

/// Name or id fragments (lower-case, letters and digits only) of card numbers
/// and security codes.
const SECRET_NAMES: &[&str] = &[
    "cardnumber",
    "cardnum",
    "ccnumber",
    "ccnum",
    "creditcard",
    "cvc",
    "cvv",
    "csc",
    "securitycode",
    "cardcode",
    "cardverification",
];

fn sensitive_name(s: &str) -> bool {
    let norm: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    !norm.is_empty() && SECRET_NAMES.iter().any(|n| norm.contains(n))
}

/// A Luhn-valid run of 12 to 19 digits (spaces and dashes allowed between):
/// what a card number looks like, whatever the field is called (Firefox's rule).
pub fn looks_like_card_number(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
        return false;
    }
    let digits: Vec<u32> = v.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(12..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Why a field may not be kept, or `Ok` with what to keep.
pub fn keep_field(raw: &RawField, max_chars: usize) -> Result<Field, &'static str> {
    let tag = raw.tag.to_ascii_lowercase();
    let kind = raw.kind.to_ascii_lowercase();
    if raw.ever_password {
        return Err("was a password field");
    }
    match tag.as_str() {
        "input" if !KEPT_INPUT_TYPES.contains(&kind.as_str()) => return Err("input type never kept"),
        "input" | "textarea" | "select" | "contenteditable" => {}
        _ => return Err("not a form field"),
    }
    let tokens = raw.autocomplete.to_ascii_lowercase();
    if tokens.split_whitespace().any(|t| SECRET_AUTOCOMPLETE.contains(&t) || t.starts_with("cc-")) {
        return Err("autocomplete marks it private");
    }
    if sensitive_name(&raw.name) || sensitive_name(&raw.id) {
        return Err("named like a card number or security code");
    }
    if raw.key.is_empty() {
        return Err("no key");
    }
    let cap = |v: &str| -> (String, bool) {
        match v.char_indices().nth(max_chars) {
            Some((at, _)) => (v[..at].to_string(), true),
            None => (v.to_string(), false),
        }
    };
    let (value, truncated) = if kind == "checkbox" || kind == "radio" {
        (FieldValue::Checked(raw.checked.ok_or("no checked state")?), false)
    } else if tag == "select" {
        let sel = raw.selected.clone().ok_or("no selection")?;
        (FieldValue::Selected(sel.into_iter().take(1000).map(|v| cap(&v).0).collect()), false)
    } else {
        let v = raw.value.as_deref().ok_or("no value")?;
        if looks_like_card_number(v) {
            return Err("value looks like a card number");
        }
        let (v, cut) = cap(v);
        (
            if tag == "contenteditable" {
                FieldValue::Editable(v)
            } else {
                FieldValue::Text(v)
            },
            cut,
        )
    };
    Ok(Field {
        key: raw.key.clone(),
        value,
        truncated,
    })
}

/// Whether typed text may be kept for a page at `url` under `settings`.
pub fn forms_allowed(url: &str, settings: &Settings) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    match settings.privacy_level {
        PrivacyLevel::Never => return Err("typed text is never saved (privacy setting)".into()),
        PrivacyLevel::NotOnHttps if lower.starts_with("https:") => return Err("typed text is not saved on HTTPS sites (privacy setting)".into()),
        _ => {}
    }
    if !(lower.starts_with("http:") || lower.starts_with("https:")) {
        return Err("only web pages".into());
    }
    let host = lower.split("://").nth(1).unwrap_or("").split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    for site in &settings.excluded_sites {
        let site = site.trim().trim_start_matches("*.").to_ascii_lowercase();
        if !site.is_empty() && (host == site || host.ends_with(&format!(".{site}"))) {
            return Err(format!("{site} is excluded (privacy setting)"));
        }
    }
    Ok(())
}

/// The fields of one frame that may be kept, and how many were refused.
pub fn filter_frame(frame: &str, url: &str, raw: &[RawField], settings: &Settings) -> (FrameFields, usize) {
    let max = settings.max_field_chars as usize;
    let mut fields = Vec::new();
    for r in raw.iter().take(MAX_FIELDS_PER_FRAME) {
        if let Ok(f) = keep_field(r, max) {
            fields.push(f);
        }
    }
    let refused = raw.len() - fields.len();
    (
        FrameFields {
            frame: frame.into(),
            url: url.into(),
            fields,
        },
        refused,
    )
}

/// More fields than any real form has; a page sending more is cut off.
pub const MAX_FIELDS_PER_FRAME: usize = 2000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Tab, Window};

    fn field(tag: &str, kind: &str, value: &str) -> RawField {
        RawField {
            key: "#f".into(),
            tag: tag.into(),
            kind: kind.into(),
            value: Some(value.into()),
            ..Default::default()
        }
    }

    #[test]
    fn secrets_are_refused() {
        for kind in ["password", "hidden", "file", "submit", "button", "image", "reset"] {
            assert!(keep_field(&field("input", kind, "x"), 100).is_err(), "{kind}");
        }
        let mut was_password = field("input", "text", "hunter2");
        was_password.ever_password = true;
        assert!(keep_field(&was_password, 100).is_err());
        for ac in [
            "off",
            "cc-number",
            "cc-csc",
            "billing cc-exp",
            "one-time-code",
            "new-password",
            "current-password",
        ] {
            let mut f = field("input", "text", "x");
            f.autocomplete = ac.into();
            assert!(keep_field(&f, 100).is_err(), "{ac}");
        }
        for name in ["cardnumber", "card_number", "cc-num", "CVV", "cvc2", "security_code", "creditCardNo"] {
            let mut f = field("input", "text", "x");
            f.name = name.into();
            assert!(keep_field(&f, 100).is_err(), "{name}");
            let mut f = field("input", "text", "x");
            f.id = name.into();
            assert!(keep_field(&f, 100).is_err(), "id {name}");
        }
        assert!(keep_field(&field("input", "text", "4111 1111 1111 1111"), 100).is_err());
        assert!(keep_field(&field("textarea", "", "4111-1111-1111-1111"), 100).is_err());
    }

    #[test]
    fn luhn() {
        assert!(looks_like_card_number("4111111111111111"));
        assert!(looks_like_card_number("5500 0000 0000 0004"));
        assert!(!looks_like_card_number("4111111111111112"), "fails the check digit");
        assert!(!looks_like_card_number("12345678901"), "too short");
        assert!(!looks_like_card_number("my card is 4111111111111111"), "not only digits");
        assert!(!looks_like_card_number(""));
    }

    #[test]
    fn kept_kinds_and_cap() {
        let t = keep_field(&field("textarea", "", "héllo wörld"), 5).unwrap();
        assert_eq!(t.value, FieldValue::Text("héllo".into()));
        assert!(t.truncated);
        let mut c = field("input", "checkbox", "");
        c.checked = Some(true);
        assert_eq!(keep_field(&c, 10).unwrap().value, FieldValue::Checked(true));
        let mut s = field("select", "", "");
        s.selected = Some(vec!["a".into(), "c".into()]);
        assert_eq!(keep_field(&s, 10).unwrap().value, FieldValue::Selected(vec!["a".into(), "c".into()]));
        assert_eq!(
            keep_field(&field("contenteditable", "", "note"), 10).unwrap().value,
            FieldValue::Editable("note".into())
        );
        for kind in ["", "text", "search", "email", "url", "tel", "number", "date", "time"] {
            assert!(keep_field(&field("input", kind, "v"), 10).is_ok(), "{kind}");
        }
        assert!(keep_field(&field("div", "", "v"), 10).is_err());
    }

    #[test]
    fn site_rules() {
        let mut s = Settings::default();
        assert!(forms_allowed("https://mail.example.com/x", &s).is_ok());
        s.excluded_sites = vec!["example.com".into()];
        assert!(forms_allowed("https://mail.example.com/x", &s).is_err());
        assert!(forms_allowed("https://user@example.com:8443/", &s).is_err());
        assert!(forms_allowed("https://notexample.com/", &s).is_ok());
        s.privacy_level = PrivacyLevel::NotOnHttps;
        assert!(forms_allowed("https://a.org/", &s).is_err());
        assert!(forms_allowed("http://a.org/", &s).is_ok());
        s.privacy_level = PrivacyLevel::Never;
        assert!(forms_allowed("http://a.org/", &s).is_err());
    }

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
