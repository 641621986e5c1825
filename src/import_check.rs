//! The rules every imported session passes, in both WASM modules: the
//! importers (`import::collect`, in the manager page's module) apply them
//! while parsing, and the background applies them again to the parsed
//! sessions a page sends (`check`) before storing anything: a page is
//! trusted with parsing, not with what may enter the store.

use crate::message::{self, Def, Message};
use crate::model::{Field, FieldValue, Millis, Session, Tab};
use crate::msg;
use crate::privacy::{forms_allowed, keep_field, RawField};
use crate::restore::openable;
use crate::settings::Settings;
use serde::{Deserialize, Serialize};

/// The most tabs one import may bring in, all sessions together.
pub const MAX_TABS: usize = 100_000;
/// The most sessions (named saves) one import may create.
pub const MAX_SESSIONS: usize = 10_000;
/// The most text (URLs, titles, typed text) one import may bring in: a
/// runtime message carries no more (Chrome's limit is 64 MiB).
pub const MAX_TEXT_BYTES: usize = 64 << 20;
/// The longest title or name an import keeps: longer is no title anyone
/// reads, and a hostile file could otherwise fill the store with them.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Longer than any URL a browser opens (Chrome's limit is 2 MB); only data:
/// URLs, which are dropped anyway, come near it.
pub const MAX_URL: usize = 2 << 20;

/// One named save an import creates, as the manager sends it to the
/// background (`import.commit`): parsed and chosen in the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedSave {
    pub name: String,
    pub session: Session,
    /// When the file says the session was saved.
    #[serde(default)]
    pub saved_at: Option<Millis>,
}

/// The most bytes the parsed saves may take once unpacked (`decode_saves`).
pub const MAX_RAW_BYTES: usize = 128 << 20;

/// The parsed saves as the manager sends them to the background: the
/// store's own record (`codec`: postcard, LZ4, checksum, format version) of
/// kind `Named`, in base64 (Chrome carries runtime messages as JSON). Not
/// JSON of the model: the background already decodes these records, while a
/// JSON reader of the model would add its own code to the background's
/// module, and the record is several times smaller than the JSON.
pub fn encode_saves(saves: &[ImportedSave]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(crate::codec::encode(crate::codec::Kind::Named, &saves))
}

/// Reads what `encode_saves` wrote; a sentence for the user when it cannot.
pub fn decode_saves(text: &str) -> Result<Vec<ImportedSave>, Message> {
    use crate::codec::{self, Kind};
    use base64::Engine as _;
    let unreadable = |e: &dyn std::fmt::Display| msg!(message::IMPORT_SAVES_UNREADABLE, e.to_string());
    if text.len() > MAX_TEXT_BYTES * 4 / 3 + 4 {
        return Err(msg!(message::IMPORT_SAVES_TOO_LARGE, MAX_TEXT_BYTES >> 20));
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|e| unreadable(&e))?;
    // Checked before anything is unpacked: a short record may claim gigabytes.
    let header = codec::header(&bytes).map_err(|e| unreadable(&e))?;
    if header.raw_len > MAX_RAW_BYTES {
        return Err(msg!(message::IMPORT_SAVES_TOO_LARGE, MAX_RAW_BYTES >> 20));
    }
    codec::decode(Kind::Named, &bytes).map_err(|e| unreadable(&e))
}

/// The longest field value an import keeps: the rule table's, as for typed
/// text (the content script restores no more); the user's own, perhaps
/// lower, cap is applied by `fit_to_settings`.
pub fn max_field_chars() -> usize {
    crate::privacy::rules::rules().max_value_chars
}

/// Schemes that can never be opened but whose tabs are kept, so the restore
/// page lists them (blocked, with the reason) and the user can copy the
/// address: browser pages, local files, other extensions' pages.
const KEPT_UNOPENABLE: &[&str] = &[
    "about",
    "file",
    "chrome",
    "edge",
    "brave",
    "opera",
    "vivaldi",
    "moz-extension",
    "chrome-extension",
    "resource",
];

/// What to do with a tab's URL.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Open(String),
    /// Kept; restoring will show it as blocked for this reason.
    Kept(String, Message),
    Dropped(Message),
}

/// Browsers ignore tabs and newlines anywhere in a URL and control
/// characters or spaces at its ends (WHATWG URL), so "java\nscript:" is a
/// javascript: URL: judge the URL as a browser would read it.
fn clean(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

pub fn judge(raw: &str) -> Verdict {
    let url = clean(raw);
    if url.len() > MAX_URL {
        return Verdict::Dropped(message::WHY_URL_TOO_LONG.msg());
    }
    let reason = match openable(&url) {
        Ok(_) => return Verdict::Open(url),
        Err(reason) => reason,
    };
    let lower = url.to_ascii_lowercase();
    let scheme = lower.split_once(':').map_or("", |(s, _)| s);
    // A kept page must not smuggle a script in (about:reader?url=javascript:…).
    let decoded = percent_encoding::percent_decode_str(&lower).decode_utf8_lossy();
    if KEPT_UNOPENABLE.contains(&scheme) && !decoded.contains("javascript:") {
        Verdict::Kept(url, reason)
    } else {
        Verdict::Dropped(reason)
    }
}

/// A favicon worth keeping: a web address, or a small image as a data: URL
/// (`privacy::keep_favicon` sets the size).
pub fn favicon(raw: Option<&str>) -> Option<String> {
    let kept = crate::privacy::keep_favicon(raw)?;
    let lower = kept.get(..11).unwrap_or(&kept).to_ascii_lowercase();
    (lower.starts_with("https:") || lower.starts_with("http:") || lower.starts_with("data:image/")).then_some(kept)
}

/// A form field from a file, if the privacy rules every kept field passes
/// (`privacy::keep_field`) let it in. A file does not say what kind of
/// element the field was: it is inferred from the value and the key (`#id`,
/// `@form/name/n`, or a path with `[@name='…']`).
pub fn field(key: String, value: FieldValue, truncated: bool) -> Result<Field, Def> {
    let (tag, kind) = match &value {
        FieldValue::Text(_) => ("input", "text"),
        FieldValue::Checked(_) => ("input", "checkbox"),
        FieldValue::Selected(_) => ("select", ""),
        FieldValue::Editable(_) => ("contenteditable", ""),
    };
    let id = key.strip_prefix('#').unwrap_or("").to_string();
    let name = field_name(&key).to_string();
    let mut raw = RawField {
        key,
        tag: tag.into(),
        kind: kind.into(),
        id,
        name,
        ..Default::default()
    };
    match value {
        FieldValue::Text(v) | FieldValue::Editable(v) => raw.value = Some(v),
        FieldValue::Checked(b) => raw.checked = Some(b),
        FieldValue::Selected(v) => raw.selected = Some(v),
    }
    let mut f = keep_field(&raw, max_field_chars())?;
    f.truncated |= truncated;
    // The kind was guessed for the rules only: restore into any element
    // whose kind fits the value, as for format 1.
    (f.tag, f.kind, f.name) = Default::default();
    Ok(f)
}

/// A field as a page sent it, through the same rules: its own tag, type and
/// name where it has them (a `password` input stays refused), else inferred
/// from the value and key as for a file.
pub fn recheck_field(f: Field) -> Result<Field, Def> {
    if f.tag.is_empty() && f.kind.is_empty() {
        let touched = f.touched;
        return field(f.key, f.value, f.truncated).map(|kept| Field { touched, ..kept });
    }
    let name = if f.name.is_empty() { field_name(&f.key).to_string() } else { f.name.clone() };
    let mut raw = RawField {
        id: f.key.strip_prefix('#').unwrap_or("").to_string(),
        key: f.key,
        tag: f.tag,
        kind: f.kind,
        name,
        ..Default::default()
    };
    match f.value {
        FieldValue::Text(v) | FieldValue::Editable(v) => raw.value = Some(v),
        FieldValue::Checked(b) => raw.checked = Some(b),
        FieldValue::Selected(v) => raw.selected = Some(v),
    }
    let mut kept = keep_field(&raw, max_field_chars())?;
    kept.truncated |= f.truncated;
    kept.touched = f.touched;
    Ok(kept)
}

/// The `name` a field key names: `@form/name/n` (Lifeboat) or an XPath
/// ending in `[@name='name']` (Firefox); "" when it names none.
pub fn field_name(key: &str) -> &str {
    if key.starts_with('@') {
        let mut parts = key.rsplitn(3, '/');
        return match (parts.next(), parts.next(), parts.next()) {
            (Some(_), Some(name), Some(_)) => name,
            _ => "",
        };
    }
    let last = key.rsplit('/').next().unwrap_or("");
    last.split_once("[@name='")
        .and_then(|(_, rest)| rest.split_once("']"))
        .map_or("", |(name, _)| name)
}

/// Cuts `text` to `MAX_TEXT_CHARS` characters; true if it was cut.
pub fn cap_text(text: &mut String) -> bool {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((at, _)) => {
            text.truncate(at);
            true
        }
        None => false,
    }
}

/// Windows without tabs go, each window gets exactly one active tab and only
/// the groups its tabs use, ids are renumbered.
pub fn tidy(session: &mut Session) {
    session.windows.retain(|w| !w.tabs.is_empty());
    let mut tab_id = 0;
    for (wi, w) in session.windows.iter_mut().enumerate() {
        w.id = wi as i64 + 1;
        let active = w.tabs.iter().position(|t| t.active).unwrap_or(0);
        for (ti, t) in w.tabs.iter_mut().enumerate() {
            tab_id += 1;
            t.id = tab_id;
            t.active = ti == active;
        }
        let groups = &w.groups;
        for t in &mut w.tabs {
            t.group = t.group.filter(|g| groups.iter().any(|x| x.id == *g));
        }
        w.prune_groups();
    }
}

/// Drops typed text the user's settings would not have kept (privacy level,
/// excluded sites), cuts values at the user's cap and fits each tab's typed
/// text into its budget; returns the notes on what changed.
pub fn fit_to_settings<'a>(sessions: impl Iterator<Item = &'a mut Session>, settings: &Settings) -> Vec<Message> {
    let (mut cut, mut over_budget) = (0usize, 0usize);
    // Fields dropped, counted by reason.
    let mut dropped: Vec<(Message, usize)> = Vec::new();
    let tabs = sessions.flat_map(|s| &mut s.windows).flat_map(|w| &mut w.tabs);
    for tab in tabs {
        let Tab { page: Some(page), .. } = tab else { continue };
        for frame in &mut page.frames {
            if let Err(reason) = forms_allowed(&frame.url, settings) {
                if !frame.fields.is_empty() {
                    match dropped.iter_mut().find(|(r, _)| *r == reason) {
                        Some((_, n)) => *n += frame.fields.len(),
                        None => dropped.push((reason, frame.fields.len())),
                    }
                }
                frame.fields.clear();
            }
            for f in &mut frame.fields {
                if let FieldValue::Text(v) | FieldValue::Editable(v) = &mut f.value {
                    if let Some((at, _)) = v.char_indices().nth(settings.max_field_chars as usize) {
                        v.truncate(at);
                        f.truncated = true;
                        cut += 1;
                    }
                }
            }
        }
        page.frames.retain(|f| !f.fields.is_empty());
        // The same per-tab budget as the live session's.
        over_budget += crate::budget::fit_page(page, "\u{0}", settings.typed_text_tab_bytes());
        if page.frames.is_empty() && page.scroll.is_none() {
            tab.page = None;
        }
    }
    let mut notes = Vec::new();
    if over_budget > 0 {
        notes.push(msg!(message::N_NOTE_FIELDS, over_budget, message::WHY_OVER_BUDGET.msg()));
    }
    for (reason, n) in dropped {
        notes.push(msg!(message::N_NOTE_FIELDS, n, reason));
    }
    if cut > 0 {
        notes.push(msg!(message::N_NOTE_FIELDS_CUT, cut, settings.max_field_chars));
    }
    notes
}

/// Checks sessions a page parsed and chose before the background stores
/// them: the same URL, favicon, form-field and text rules as the importers,
/// then the user's settings, then tidied. Tabs, visits and fields that fail
/// are left out and counted in the notes; an import over the caps is
/// refused whole, with a sentence for the user.
pub fn check(saves: Vec<ImportedSave>, settings: &Settings) -> Result<(Vec<ImportedSave>, Vec<Message>), Message> {
    if saves.len() > MAX_SESSIONS {
        return Err(msg!(message::IMPORT_TOO_MANY_SESSIONS, MAX_SESSIONS));
    }
    let tabs: usize = saves.iter().map(|s| s.session.tab_count()).sum();
    if tabs > MAX_TABS {
        return Err(msg!(message::IMPORT_SAVES_TOO_MANY_TABS, MAX_TABS));
    }
    if text_bytes(&saves) > MAX_TEXT_BYTES {
        return Err(msg!(message::IMPORT_TOO_MUCH_TEXT, MAX_TEXT_BYTES >> 20));
    }
    let (mut dropped_tabs, mut dropped_fields, mut cut) = (0usize, 0usize, 0usize);
    let mut kept = Vec::with_capacity(saves.len());
    for mut save in saves {
        cut += cap_text(&mut save.name) as usize;
        for w in &mut save.session.windows {
            w.tabs.retain_mut(|t| match judge(&t.url) {
                Verdict::Open(url) | Verdict::Kept(url, _) => {
                    t.url = url;
                    true
                }
                Verdict::Dropped(_) => {
                    dropped_tabs += 1;
                    false
                }
            });
            for g in &mut w.groups {
                cut += cap_text(&mut g.title) as usize;
            }
            for t in &mut w.tabs {
                cut += cap_text(&mut t.title) as usize;
                if let Some(name) = t.container.as_mut().and_then(|c| c.name.as_mut()) {
                    cut += cap_text(name) as usize;
                }
                t.fav_icon_url = favicon(t.fav_icon_url.as_deref());
                t.history.retain_mut(|v| match judge(&v.url) {
                    Verdict::Open(url) | Verdict::Kept(url, _) => {
                        v.url = url;
                        cap_text(&mut v.title);
                        true
                    }
                    Verdict::Dropped(_) => false,
                });
                let extra = t.history.len().saturating_sub(crate::model::MAX_HISTORY);
                t.history.drain(..extra);
                if let Some(page) = &mut t.page {
                    // Typed text only for pages that can be opened, under the
                    // rules every kept field passes.
                    page.frames.retain(|f| matches!(judge(&f.url), Verdict::Open(_)));
                    for frame in &mut page.frames {
                        let before = frame.fields.len();
                        frame.fields = std::mem::take(&mut frame.fields).into_iter().filter_map(|f| recheck_field(f).ok()).collect();
                        dropped_fields += before - frame.fields.len();
                    }
                }
            }
        }
        let mut notes = fit_to_settings(std::iter::once(&mut save.session), settings);
        tidy(&mut save.session);
        if save.session.windows.is_empty() {
            notes.push(msg!(message::NOTE_NO_TABS_LEFT, save.name.as_str()));
        }
        kept.push((save, notes));
    }
    let mut notes: Vec<Message> = Vec::new();
    for (def, n) in [(message::N_NOTE_CHECKED_TABS, dropped_tabs), (message::N_NOTE_CHECKED_FIELDS, dropped_fields)] {
        if n > 0 {
            notes.push(msg!(def, n));
        }
    }
    if cut > 0 {
        notes.push(msg!(message::N_NOTE_TEXT_CUT, cut, MAX_TEXT_CHARS));
    }
    let mut saves = Vec::new();
    for (save, more) in kept {
        for n in more {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
        if !save.session.windows.is_empty() {
            saves.push(save);
        }
    }
    if saves.is_empty() {
        let notes = message::join(notes).map_or(message::Arg::from(""), message::Arg::from);
        let mut refusal = message::IMPORT_NOTHING_PASSED.with(vec![notes]);
        refusal.text = refusal.text.trim_end().to_string();
        return Err(refusal);
    }
    Ok((saves, notes))
}

/// The bytes of text the saves hold (URLs, titles, names, typed text).
fn text_bytes(saves: &[ImportedSave]) -> usize {
    let field = |f: &Field| {
        f.key.len()
            + match &f.value {
                FieldValue::Text(v) | FieldValue::Editable(v) => v.len(),
                FieldValue::Selected(v) => v.iter().map(String::len).sum(),
                FieldValue::Checked(_) => 1,
            }
    };
    let tab = |t: &Tab| {
        t.url.len()
            + t.title.len()
            + t.fav_icon_url.as_ref().map_or(0, String::len)
            + t.history.iter().map(|v| v.url.len() + v.title.len()).sum::<usize>()
            + t.page
                .as_ref()
                .map_or(0, |p| p.frames.iter().map(|f| f.url.len() + f.fields.iter().map(field).sum::<usize>()).sum())
    };
    saves
        .iter()
        .map(|s| s.name.len() + s.session.windows.iter().map(|w| w.tabs.iter().map(tab).sum::<usize>()).sum::<usize>())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FrameFields, PageState, Visit, Window};
    use crate::test_kit::text_field as text;

    fn tab(url: &str, fields: Vec<Field>) -> Tab {
        Tab {
            id: 7,
            url: url.into(),
            title: "t".into(),
            page: (!fields.is_empty()).then(|| PageState {
                url: url.into(),
                frames: vec![FrameFields {
                    frame: String::new(),
                    url: url.into(),
                    fields,
                }],
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn save(tabs: Vec<Tab>) -> ImportedSave {
        ImportedSave {
            name: "Hostile".into(),
            saved_at: Some(5),
            session: Session {
                windows: vec![Window {
                    id: 99,
                    tabs,
                    ..Default::default()
                }],
            },
        }
    }

    fn fields(s: &ImportedSave) -> Vec<String> {
        s.session
            .windows
            .iter()
            .flat_map(|w| &w.tabs)
            .flat_map(|t| t.page.iter())
            .flat_map(|p| &p.frames)
            .flat_map(|f| &f.fields)
            .map(|f| f.key.clone())
            .collect()
    }

    /// What a compromised or buggy manager page could send: password and
    /// card fields with text, script and private URLs, an excluded site. The
    /// background keeps only what an import of a file would have kept.
    #[test]
    fn a_hostile_parsed_import_is_filtered() {
        let sent = vec![save(vec![
            tab(
                "https://a.example/login",
                vec![
                    Field {
                        tag: "input".into(),
                        kind: "password".into(),
                        ..text("#pw", "hunter2")
                    },
                    Field {
                        tag: "INPUT".into(),
                        kind: "Password".into(),
                        ..text("#pw2", "hunter3")
                    },
                    text("#cvv", "123"),
                    text("#n", "4111 1111 1111 1111"),
                    Field {
                        tag: "input".into(),
                        kind: "text".into(),
                        name: "cc-number".into(),
                        ..text("#x", "1")
                    },
                    text("#note", "draft"),
                ],
            ),
            tab("javascript:alert(1)", vec![]),
            tab("java\nscript:alert(1)", vec![]),
            tab("data:text/html,<script>x</script>", vec![]),
            tab("blob:https://a.example/1", vec![]),
            tab("about:config", vec![]),
            tab("https://bank.example/", vec![text("#memo", "secret memo")]),
            Tab {
                history: vec![
                    Visit {
                        url: "javascript:evil()".into(),
                        ..Default::default()
                    },
                    Visit {
                        url: "https://a.example/old".into(),
                        ..Default::default()
                    },
                ],
                fav_icon_url: Some("javascript:x".into()),
                ..tab("https://c.example/", vec![])
            },
        ])];
        let settings = Settings {
            excluded_sites: vec!["bank.example".into()],
            ..Default::default()
        };
        let (kept, notes) = check(sent, &settings).unwrap();
        let urls: Vec<&str> = kept[0].session.windows[0].tabs.iter().map(|t| t.url.as_str()).collect();
        assert_eq!(urls, ["https://a.example/login", "about:config", "https://bank.example/", "https://c.example/"]);
        assert_eq!(fields(&kept[0]), ["#note"], "password and card fields' text goes, and the excluded site's");
        let c = &kept[0].session.windows[0].tabs[3];
        assert_eq!((c.history.len(), c.fav_icon_url.as_ref()), (1, None));
        assert_eq!(kept[0].session.windows[0].id, 1, "renumbered");
        let texts: Vec<&str> = notes.iter().map(|n| n.text.as_str()).collect();
        assert!(texts.iter().any(|n| n.starts_with("4 tabs left out")), "{texts:?}");
        assert!(texts.iter().any(|n| n.contains("form fields left out")), "{texts:?}");
        assert!(texts.iter().any(|n| n.contains("bank.example is excluded")), "{texts:?}");
        let tabs = notes.iter().find(|n| n.key == "nNoteCheckedTabs").expect("a counted note");
        assert_eq!(tabs.args[0].text(), "4", "the count first: the pages pick the plural form by it");
    }

    #[test]
    fn an_oversized_import_is_refused_with_a_reason() {
        let many: Vec<Tab> = (0..MAX_TABS + 1).map(|_| tab("https://a/", vec![])).collect();
        let err = check(vec![save(many)], &Settings::default()).unwrap_err();
        assert!(err.text.contains("more than 100000 tabs"), "{err:?}");
        let sessions: Vec<ImportedSave> = (0..MAX_SESSIONS + 1).map(|_| save(vec![])).collect();
        assert!(check(sessions, &Settings::default()).unwrap_err().text.contains("sessions"));
        let huge = "x".repeat(MAX_URL - 20);
        let big: Vec<Tab> = (0..40).map(|i| tab(&format!("https://a/{i}{huge}"), vec![])).collect();
        assert!(check(vec![save(big)], &Settings::default()).unwrap_err().text.contains("MiB of text"));
        let long = Tab {
            title: "t".repeat(MAX_TEXT_CHARS + 9),
            ..tab("https://a/", vec![])
        };
        let (kept, notes) = check(vec![save(vec![long])], &Settings::default()).unwrap();
        assert_eq!(kept[0].session.windows[0].tabs[0].title.chars().count(), MAX_TEXT_CHARS);
        assert!(notes.iter().any(|n| n.text == "1 title or name cut to 4096 characters."), "{notes:?}");
    }

    #[test]
    fn nothing_that_passes_is_refused() {
        let err = check(vec![save(vec![tab("javascript:x", vec![])])], &Settings::default()).unwrap_err();
        assert!(err.text.starts_with("Nothing to import"), "{err:?}");
        // The parsed form as the runtime message carries it.
        let sent = encode_saves(&[save(vec![tab("https://a/", vec![text("#q", "x")])])]);
        let back = decode_saves(&sent).unwrap();
        assert_eq!(check(back, &Settings::default()).unwrap().0[0].session.tab_count(), 1);
    }

    #[test]
    fn unreadable_or_lying_saves_are_refused() {
        assert!(decode_saves("not base64!").unwrap_err().text.contains("could not be read"));
        assert!(decode_saves("AAAA").unwrap_err().text.contains("could not be read"));
        // A valid record of another kind, and one claiming to unpack to 4 GiB.
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let other = crate::codec::encode(crate::codec::Kind::Settings, &1u8);
        assert!(decode_saves(&b64(&other)).unwrap_err().text.contains("could not be read"));
        let mut lying = crate::codec::encode(crate::codec::Kind::Named, &Vec::<ImportedSave>::new());
        lying[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode_saves(&b64(&lying)).is_err());
    }
}
