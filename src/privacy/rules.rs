//! The privacy rule table: the one copy of what typed text is never kept.
//!
//! The data is `rules.json`, not a Rust table, because the content script
//! needs the same data and JSON is already JavaScript: the build wraps the
//! file as it is (`build.sh`, `privacy_rules_js`) into the content script's
//! `extension/privacy-rules.js`, with no converter to keep in step. The core
//! embeds the same file and parses it once.

use serde::Deserialize;
use std::sync::OnceLock;

/// The table's text, as the build wraps it for the content script.
pub const RULES_JSON: &str = include_str!("rules.json");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rules {
    /// The file's own note on what it is.
    #[serde(rename = "//")]
    pub note: String,
    /// `<input>` types whose value may be kept ("" when the page gave none).
    pub kept_input_types: Vec<String>,
    /// The kept types whose state is `checked`, not a value.
    pub check_input_types: Vec<String>,
    /// Never collected, never restored into (and not in `kept_input_types`).
    pub refused_input_types: Vec<String>,
    /// `autocomplete` tokens that mark a secret.
    pub refused_autocomplete: Vec<String>,
    /// `autocomplete` token prefixes that mark a secret (`cc-`: card fields).
    pub refused_autocomplete_prefixes: Vec<String>,
    /// Fragments of a name or id (lower-case, letters and digits only) of card
    /// numbers and security codes.
    pub secret_names: Vec<String>,
    /// A card number is a Luhn-valid window of this many digits.
    pub card_digits_min: usize,
    pub card_digits_max: usize,
    /// Digits a card number can start with (never 0: that also keeps runs
    /// of zeros, which pass Luhn, from counting).
    pub card_first_digits: String,
    /// Characters that may sit between the digits of a card number.
    pub card_separators: String,
    /// A value is cut at this many characters (the setting may lower it).
    pub max_value_chars: usize,
    /// A field's name is kept up to this many characters.
    pub max_name_chars: usize,
    pub max_fields_per_frame: usize,
    /// Fields keyed by a structural path (Firefox keeps 100 XPaths).
    pub max_path_keyed_per_frame: usize,
    /// All values of one frame together, in characters.
    pub max_frame_chars: usize,
    /// Selected options kept per `<select>`.
    pub max_selected: usize,
}

/// The table, parsed at first use.
pub fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| serde_json::from_str(RULES_JSON).expect("src/privacy/rules.json is valid (tested)"))
}

impl Rules {
    pub fn is_check_type(&self, kind: &str) -> bool {
        self.check_input_types.iter().any(|t| t == kind)
    }

    /// Whether an `<input>` of this (lower-case) type may be kept.
    pub fn input_type_kept(&self, kind: &str) -> bool {
        !self.refused_input_types.iter().any(|t| t == kind) && self.kept_input_types.iter().any(|t| t == kind)
    }

    /// Whether one (lower-case) `autocomplete` token marks a secret.
    pub fn secret_autocomplete(&self, token: &str) -> bool {
        self.refused_autocomplete.iter().any(|t| t == token) || self.refused_autocomplete_prefixes.iter().any(|p| token.starts_with(p.as_str()))
    }

    /// Whether a name or id looks like a card number's or security code's.
    pub fn secret_name(&self, name: &str) -> bool {
        let norm: String = name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
        !norm.is_empty() && self.secret_names.iter().any(|n| norm.contains(n.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        let r = rules();
        for t in &r.refused_input_types {
            assert!(!r.kept_input_types.contains(t), "{t} is both kept and refused");
        }
        for t in &r.check_input_types {
            assert!(r.kept_input_types.contains(t), "{t} is a check type but not kept");
        }
        for n in &r.secret_names {
            assert!(
                !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{n} is not normalised"
            );
        }
        assert!(r.card_digits_min >= 12 && r.card_digits_min <= r.card_digits_max && r.card_digits_max <= 19);
        assert!(r.max_path_keyed_per_frame <= r.max_fields_per_frame);
        assert!(r.max_value_chars <= r.max_frame_chars);
    }

    /// The content script's old list had `ccv`, `cvn`, `card_no` and `cc-no`;
    /// the core's did not. Both now read this table.
    #[test]
    fn names_both_copies_refused_are_in_the_table() {
        let r = rules();
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
            "card-verification",
            "cardCode",
        ] {
            assert!(r.secret_name(name), "{name}");
        }
        for name in ["comment", "city", "email", "reference", ""] {
            assert!(!r.secret_name(name), "{name}");
        }
    }

    /// The setting's default is the table's cap: the content script cuts
    /// there whatever the setting says.
    #[test]
    fn the_value_cap_is_the_settings_default() {
        assert_eq!(crate::settings::Settings::default().max_field_chars as usize, rules().max_value_chars);
    }
}
