//! The user's own form-data settings, applied to an import before it is
//! kept: importers apply the fixed privacy rules, but the privacy level,
//! excluded sites and value cap are the user's and the parsers do not see them.

use super::Imported;
use crate::model::{FieldValue, Tab};
use crate::privacy::forms_allowed;
use crate::settings::Settings;

/// Drops typed text the settings would not have kept, cuts values at the
/// user's cap, and notes what changed.
pub fn apply_settings(imported: &mut Imported, settings: &Settings) {
    let (mut dropped, mut cut, mut over_budget) = (0usize, 0usize, 0usize);
    let mut reasons: Vec<String> = Vec::new();
    let tabs = imported.sessions.iter_mut().flat_map(|(_, s)| &mut s.windows).flat_map(|w| &mut w.tabs);
    for tab in tabs {
        let Tab { page: Some(page), .. } = tab else { continue };
        for frame in &mut page.frames {
            if let Err(reason) = forms_allowed(&frame.url, settings) {
                dropped += frame.fields.len();
                if !frame.fields.is_empty() && !reasons.contains(&reason) {
                    reasons.push(reason);
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
    if over_budget > 0 {
        let s = if over_budget == 1 { "" } else { "s" };
        imported.notes.push(format!(
            "{over_budget} form field{s} not imported: over the typed-text budget of a tab (settings)."
        ));
    }
    if dropped > 0 {
        let s = if dropped == 1 { "" } else { "s" };
        imported.notes.push(format!("{dropped} form field{s} not imported: {}.", reasons.join("; ")));
    }
    if cut > 0 {
        let s = if cut == 1 { "" } else { "s" };
        imported
            .notes
            .push(format!("{cut} form field{s} cut to {} characters (settings).", settings.max_field_chars));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, FrameFields, PageState, Session, Window};
    use crate::settings::PrivacyLevel;

    fn imported(url: &str, value: &str) -> Imported {
        let field = Field {
            key: "#a".into(),
            value: FieldValue::Text(value.into()),
            truncated: false,
            tag: String::new(),
            kind: String::new(),
            name: String::new(),
            touched: false,
        };
        let tab = Tab {
            url: url.into(),
            page: Some(PageState {
                url: url.into(),
                scroll: None,
                cut: 0,
                frames: vec![FrameFields {
                    frame: String::new(),
                    url: url.into(),
                    fields: vec![field],
                }],
            }),
            ..Default::default()
        };
        let session = Session {
            windows: vec![Window {
                tabs: vec![tab],
                ..Default::default()
            }],
        };
        Imported {
            sessions: vec![("s".into(), session)],
            saved_at: vec![None],
            notes: vec![],
            ..Default::default()
        }
    }

    fn page(i: &Imported) -> Option<&PageState> {
        i.sessions[0].1.windows[0].tabs[0].page.as_ref()
    }

    #[test]
    fn privacy_level_excluded_sites_and_cap() {
        let mut i = imported("https://bank.example/x", "abc");
        apply_settings(&mut i, &Settings::default());
        assert!(page(&i).is_some() && i.notes.is_empty());

        let excluded = Settings {
            excluded_sites: vec!["bank.example".into()],
            ..Default::default()
        };
        apply_settings(&mut i, &excluded);
        assert!(page(&i).is_none());
        assert_eq!(i.notes, ["1 form field not imported: bank.example is excluded (privacy setting)."]);

        let mut i = imported("http://a/", "abcdef");
        let never = Settings {
            privacy_level: PrivacyLevel::NotOnHttps,
            max_field_chars: 3,
            ..Default::default()
        };
        apply_settings(&mut i, &never);
        let f = &page(&i).unwrap().frames[0].fields[0];
        assert_eq!((f.value.clone(), f.truncated), (FieldValue::Text("abc".into()), true));
        assert_eq!(i.notes, ["1 form field cut to 3 characters (settings)."]);
    }
}
