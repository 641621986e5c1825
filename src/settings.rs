//! What the user can set. Stored as JSON inside the record container, so a
//! setting added later reads as its default from an older store.

use crate::codec::{self, Kind};
use crate::timeline::{default_tiers, Tier};
use serde::{Deserialize, Serialize};

/// Where typed text is kept (Firefox's `browser.sessionstore.privacy_level`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyLevel {
    #[default]
    Everywhere,
    /// Only on unencrypted sites: HTTPS pages tend to be the sensitive ones.
    NotOnHttps,
    Never,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterCrash {
    /// Open the restore page and let the user choose.
    #[default]
    Ask,
    RestoreAtOnce,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
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
    /// Sync named saves through the browser's own sync (opt-in).
    pub sync: bool,
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
        }
    }
}

impl Settings {
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
