//! The user's own form-data settings, applied to an import before it is
//! kept: importers apply the fixed privacy rules, but the privacy level,
//! excluded sites and value cap are the user's and the parsers do not see them.

use super::Imported;
use crate::settings::Settings;

/// Drops typed text the settings would not have kept, cuts values at the
/// user's cap, and notes what changed (`import_check::fit_to_settings`, which
/// the background applies again to what a page sends it).
pub fn apply_settings(imported: &mut Imported, settings: &Settings) {
    let notes = crate::import_check::fit_to_settings(imported.sessions.iter_mut().map(|(_, s)| s), settings);
    imported.notes.extend(notes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldValue, FrameFields, PageState, Session, Tab, Window};
    use crate::settings::PrivacyLevel;

    fn imported(url: &str, value: &str) -> Imported {
        let field = crate::test_kit::text_field("#a", value);
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
        assert_eq!(
            i.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
            ["1 form field not imported: bank.example is excluded (privacy setting)."]
        );

        let mut i = imported("http://a/", "abcdef");
        let never = Settings {
            privacy_level: PrivacyLevel::NotOnHttps,
            max_field_chars: 3,
            ..Default::default()
        };
        apply_settings(&mut i, &never);
        let f = &page(&i).unwrap().frames[0].fields[0];
        assert_eq!((f.value.clone(), f.truncated), (FieldValue::Text("abc".into()), true));
        assert_eq!(
            i.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
            ["1 form field cut to 3 characters (settings)."]
        );
    }
}
