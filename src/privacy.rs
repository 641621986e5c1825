//! What may never be stored (Firefox: PrivacyFilter). Private windows are
//! refused when events are applied (`event`); this module holds the rules on
//! content: favicons, Lifeboat's own pages, and form fields. The field rules'
//! data is one table (`privacy/rules.json`) that the content script applies
//! too; the core applies it again, and what it refuses is never stored.

mod card;
pub mod rules;
mod site;

pub use card::looks_like_card_number;
#[cfg(not(feature = "unicode-hosts"))]
pub use site::set_host_to_ascii;
pub use site::{normalise_settings, normalise_site};

use crate::message::{self, Def, Message};
use crate::model::{Field, FieldValue, FrameFields, Session};
use crate::settings::{PrivacyLevel, Settings};
use rules::rules;
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
#[cfg_attr(test, derive(ts_rs::TS), serde(deny_unknown_fields))]
pub struct RawField {
    pub key: String,
    pub tag: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub name: String,
    /// The field's own `autocomplete` attribute.
    pub autocomplete: String,
    /// Its form's `autocomplete` attribute: a field with no token of its own
    /// inherits the form's "off", as browsers do.
    pub form_autocomplete: String,
    pub ever_password: bool,
    /// The user typed into it (trusted input) since the page loaded; a value
    /// only the page's script set is kept, but counts as untouched.
    pub touched: bool,
    pub value: Option<String>,
    pub checked: Option<bool>,
    pub selected: Option<Vec<String>>,
}

/// Why a field may not be kept, or `Ok` with what to keep.
pub fn keep_field(raw: &RawField, max_chars: usize) -> Result<Field, Def> {
    let r = rules();
    let tag = raw.tag.to_ascii_lowercase();
    let kind = raw.kind.to_ascii_lowercase();
    if raw.ever_password {
        return Err(message::WHY_PASSWORD);
    }
    match tag.as_str() {
        "input" if !r.input_type_kept(&kind) => return Err(message::WHY_INPUT_TYPE),
        "input" | "textarea" | "select" | "contenteditable" => {}
        _ => return Err(message::WHY_NOT_A_FIELD),
    }
    let own = raw.autocomplete.to_ascii_lowercase();
    let tokens = if own.trim().is_empty() {
        raw.form_autocomplete.to_ascii_lowercase()
    } else {
        own
    };
    if tokens.split_whitespace().any(|t| r.secret_autocomplete(t)) {
        return Err(message::WHY_AUTOCOMPLETE);
    }
    if r.secret_name(&raw.name) || r.secret_name(&raw.id) {
        return Err(message::WHY_CARD_NAME);
    }
    if raw.key.is_empty() {
        return Err(message::WHY_NO_KEY);
    }
    let max_chars = max_chars.min(r.max_value_chars);
    let cap = |v: &str, max: usize| -> (String, bool) {
        match v.char_indices().nth(max) {
            Some((at, _)) => (v[..at].to_string(), true),
            None => (v.to_string(), false),
        }
    };
    let (value, truncated) = if tag == "input" && r.is_check_type(&kind) {
        (FieldValue::Checked(raw.checked.ok_or(message::WHY_NO_CHECKED)?), false)
    } else if tag == "select" {
        let sel = raw.selected.as_ref().ok_or(message::WHY_NO_SELECTION)?;
        if sel.iter().any(|v| looks_like_card_number(v)) {
            return Err(message::WHY_CARD_OPTION);
        }
        (
            FieldValue::Selected(sel.iter().take(r.max_selected).map(|v| cap(v, max_chars).0).collect()),
            false,
        )
    } else {
        let v = raw.value.as_deref().ok_or(message::WHY_NO_VALUE)?;
        if looks_like_card_number(v) {
            return Err(message::WHY_CARD_VALUE);
        }
        let (v, cut) = cap(v, max_chars);
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
        // What it was, so that it goes back only into the same kind of field.
        tag,
        kind: if raw.tag.eq_ignore_ascii_case("input") { kind } else { String::new() },
        name: cap(&raw.name, r.max_name_chars).0,
        touched: raw.touched,
        value,
        truncated,
    })
}

/// Whether typed text may be kept for a page at `url` under `settings`.
pub fn forms_allowed(url: &str, settings: &Settings) -> Result<(), Message> {
    let lower = url.to_ascii_lowercase();
    match settings.privacy_level {
        PrivacyLevel::Never => return Err(message::WHY_NEVER_TYPED.msg()),
        PrivacyLevel::NotOnHttps if lower.starts_with("https:") => return Err(message::WHY_NOT_ON_HTTPS.msg()),
        _ => {}
    }
    if !(lower.starts_with("http:") || lower.starts_with("https:")) {
        return Err(message::WHY_ONLY_WEB_PAGES.msg());
    }
    match site::excluded_by(&site::url_host(url), settings) {
        Some(site) => Err(crate::msg!(message::WHY_SITE_EXCLUDED, site)),
        None => Ok(()),
    }
}

/// Whether a page may be kept in a tab's history: not on an excluded site.
pub fn visit_allowed(url: &str, settings: &Settings) -> bool {
    site::excluded_by(&site::url_host(url), settings).is_none()
}

fn value_chars(v: &FieldValue) -> usize {
    match v {
        FieldValue::Text(t) | FieldValue::Editable(t) => t.chars().count(),
        FieldValue::Selected(s) => s.iter().map(|o| o.chars().count()).sum(),
        FieldValue::Checked(_) => 0,
    }
}

/// The fields of one frame that may be kept, and how many were refused.
/// The table's per-frame limits apply as in the content script.
pub fn filter_frame(frame: &str, url: &str, raw: &[RawField], settings: &Settings) -> (FrameFields, usize) {
    let r = rules();
    let max = settings.max_field_chars as usize;
    let mut fields = Vec::new();
    let (mut path_keyed, mut chars) = (0, 0);
    for f in raw.iter().take(r.max_fields_per_frame) {
        let Ok(f) = keep_field(f, max) else { continue };
        if f.key.starts_with('/') {
            path_keyed += 1;
            if path_keyed > r.max_path_keyed_per_frame {
                continue;
            }
        }
        let len = value_chars(&f.value);
        if chars + len > r.max_frame_chars {
            continue;
        }
        chars += len;
        fields.push(f);
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
        for name in [
            "cardnumber",
            "card_number",
            "cc-num",
            "CVV",
            "cvc2",
            "security_code",
            "creditCardNo",
            "ccv",
            "cvn",
            "card_no",
            "cc-no",
        ] {
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

    /// Issue 11 item 6: card numbers inside free text, in every kind of value.
    #[test]
    fn card_numbers_in_free_text_are_refused() {
        for text in ["card 4111-1111-1111-1111 12/25", "4111 1111 1111 1111 123"] {
            assert!(keep_field(&field("textarea", "", text), 100).is_err(), "{text}");
            assert!(keep_field(&field("input", "text", text), 100).is_err(), "{text}");
            assert!(keep_field(&field("contenteditable", "", text), 100).is_err(), "{text}");
            let mut s = field("select", "", "");
            s.selected = Some(vec!["a".into(), text.into()]);
            assert!(keep_field(&s, 100).is_err(), "option {text}");
        }
        for text in ["call +44 20 7946 0958 after 17:00", "due 2024-05-17", "ref 1234-5678"] {
            assert!(keep_field(&field("textarea", "", text), 100).is_ok(), "{text}");
        }
    }

    /// Issue 11 / 10: the core now learns the form's autocomplete.
    #[test]
    fn a_form_marked_off_refuses_fields_without_their_own_token() {
        let mut f = field("input", "text", "x");
        f.form_autocomplete = "off".into();
        assert_eq!(keep_field(&f, 100).unwrap_err(), message::WHY_AUTOCOMPLETE);
        f.form_autocomplete = " OFF ".into();
        assert!(keep_field(&f, 100).is_err());
        // A token of its own wins over the form's, as in browsers.
        f.autocomplete = "street-address".into();
        assert!(keep_field(&f, 100).is_ok());
        f.autocomplete = "cc-number".into();
        f.form_autocomplete = "on".into();
        assert!(keep_field(&f, 100).is_err());
    }

    /// Issue 11 item 7: a kept field says what it was.
    #[test]
    fn fields_keep_tag_type_name_and_touched() {
        let mut f = field("INPUT", "Email", "a@b.example");
        f.name = "Mail".into();
        f.touched = true;
        let kept = keep_field(&f, 100).unwrap();
        assert_eq!(
            (kept.tag.as_str(), kept.kind.as_str(), kept.name.as_str(), kept.touched),
            ("input", "email", "Mail", true)
        );
        let mut t = field("textarea", "ignored", "x");
        t.name = "n".repeat(1000);
        let kept = keep_field(&t, 100).unwrap();
        assert_eq!((kept.tag.as_str(), kept.kind.as_str(), kept.touched), ("textarea", "", false));
        assert_eq!(kept.name.len(), rules().max_name_chars);
    }

    #[test]
    fn the_table_caps_values_whatever_the_setting() {
        let long = "y".repeat(rules().max_value_chars + 10);
        let kept = keep_field(&field("textarea", "", &long), usize::MAX).unwrap();
        assert!(kept.truncated);
        assert_eq!(kept.value, FieldValue::Text("y".repeat(rules().max_value_chars)));
    }

    #[test]
    fn frame_limits_of_the_table() {
        let r = rules();
        let s = Settings::default();
        let many: Vec<RawField> = (0..r.max_fields_per_frame + 5)
            .map(|i| RawField {
                key: format!("#f{i}"),
                ..field("input", "text", "v")
            })
            .collect();
        let (kept, refused) = filter_frame("", "https://a/", &many, &s);
        assert_eq!((kept.fields.len(), refused), (r.max_fields_per_frame, 5));
        let paths: Vec<RawField> = (0..r.max_path_keyed_per_frame + 3)
            .map(|i| RawField {
                key: format!("/html/body/input[{i}]"),
                ..field("input", "text", "v")
            })
            .collect();
        assert_eq!(filter_frame("", "https://a/", &paths, &s).0.fields.len(), r.max_path_keyed_per_frame);
        let big = "z".repeat(r.max_value_chars);
        let heavy: Vec<RawField> = (0..r.max_frame_chars / r.max_value_chars + 2)
            .map(|i| RawField {
                key: format!("#h{i}"),
                ..field("textarea", "", &big)
            })
            .collect();
        let (kept, _) = filter_frame("", "https://a/", &heavy, &s);
        assert_eq!(kept.fields.len(), r.max_frame_chars / r.max_value_chars);
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

    /// Issue 11 item 5: every form of an entry matches the tab's host, which
    /// the browser gives in punycode (and may end with a dot).
    #[test]
    fn exclusions_match_in_any_form() {
        for entry in [
            "https://bank.example",
            "bank.example/",
            "BANK.example.",
            "*.bank.example",
            "http://bank.example:8080/x",
        ] {
            let s = Settings {
                excluded_sites: vec![entry.into()],
                ..Settings::default()
            };
            for url in ["https://bank.example/login", "https://www.bank.example./", "http://BANK.EXAMPLE:81/"] {
                let e = forms_allowed(url, &s).expect_err(&format!("{entry} excludes {url}"));
                assert_eq!(e.text, "bank.example is excluded (privacy setting)");
            }
            assert!(forms_allowed("https://notbank.example/", &s).is_ok(), "{entry}");
        }
        let s = Settings {
            excluded_sites: vec!["bücher.de".into()],
            ..Settings::default()
        };
        assert!(forms_allowed("https://xn--bcher-kva.de/warenkorb", &s).is_err());
        assert!(forms_allowed("https://shop.xn--bcher-kva.de/", &s).is_err());
        assert!(forms_allowed("https://buecher.de/", &s).is_ok());
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
