//! What the user can set. Stored as JSON inside the record container, so a
//! setting added later reads as its default from an older store.

use crate::codec::{self, Kind};
use crate::timeline::{default_tiers, Tier};
use serde::{Deserialize, Serialize};

/// Where typed text is kept (Firefox's `browser.sessionstore.privacy_level`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum PrivacyLevel {
    #[default]
    Everywhere,
    /// Only on unencrypted sites: HTTPS pages tend to be the sensitive ones.
    NotOnHttps,
    Never,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum AfterCrash {
    /// Open the restore page and let the user choose.
    #[default]
    Ask,
    RestoreAtOnce,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Settings {
    pub privacy_level: PrivacyLevel,
    /// Hosts (and their subdomains) whose typed text is never kept.
    pub excluded_sites: Vec<String>,
    /// A field's value is cut at this many characters (the restore page says so).
    pub max_field_chars: u32,
    /// Restored tabs other than the active ones load when clicked.
    pub lazy_restore: bool,
    pub after_crash: AfterCrash,
    /// How the autosave timeline is thinned.
    pub timeline: Vec<Tier>,
    /// The most the timeline may take, in MiB (0: no bound). The latest
    /// state and named saves never count against it and are never thinned.
    pub timeline_max_mib: u32,
    /// Sync named saves through the browser's own sync (opt-in). Typed
    /// text never goes with them.
    pub sync: bool,
    /// Typed text kept per tab, in KiB (0: no bound). Over it, the newest
    /// text of the fields the user touched wins; the restore page says what
    /// was left out.
    pub typed_text_tab_kib: u32,
    /// Typed text kept for the whole session, in MiB (0: no bound): the
    /// tabs typed into longest ago give theirs up first.
    pub typed_text_session_mib: u32,
    /// How many reports of typed text a tab may send a minute (0: no bound),
    /// after a burst of 20.
    pub page_reports_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            privacy_level: PrivacyLevel::Everywhere,
            excluded_sites: Vec::new(),
            max_field_chars: 65_536,
            lazy_restore: true,
            after_crash: AfterCrash::Ask,
            timeline: default_tiers(),
            timeline_max_mib: 256,
            sync: false,
            typed_text_tab_kib: 1024,
            typed_text_session_mib: 16,
            page_reports_per_minute: 120,
        }
    }
}

impl Settings {
    pub fn typed_text_tab_bytes(&self) -> usize {
        bound(self.typed_text_tab_kib as usize * 1024)
    }

    pub fn typed_text_session_bytes(&self) -> usize {
        bound(self.typed_text_session_mib as usize * 1024 * 1024)
    }

    pub fn encode(&self) -> Vec<u8> {
        codec::seal(Kind::Settings, &serde_json::to_vec(self).expect("settings serialise"))
    }

    /// Unreadable settings fall back to the defaults: they must never stop saving.
    pub fn decode(bytes: &[u8]) -> Self {
        codec::open(Kind::Settings, bytes)
            .ok()
            .and_then(|raw| serde_json::from_slice(&raw).ok())
            .unwrap_or_default()
    }
}

/// 0 stands for "no bound".
fn bound(n: usize) -> usize {
    if n == 0 {
        usize::MAX
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_defaults_for_missing_or_damaged() {
        let s = Settings {
            privacy_level: PrivacyLevel::NotOnHttps,
            excluded_sites: vec!["bank.example".into()],
            ..Default::default()
        };
        assert_eq!(Settings::decode(&s.encode()), s);
        assert_eq!(Settings::decode(b"junk"), Settings::default());
        let partial = codec::seal(Kind::Settings, br#"{"privacyLevel":"never"}"#);
        assert_eq!(Settings::decode(&partial).privacy_level, PrivacyLevel::Never);
        assert!(Settings::decode(&partial).lazy_restore);
    }
}
