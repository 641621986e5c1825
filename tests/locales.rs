//! Every `www/_locales/<locale>/messages.json` against the English one:
//! the same messages (no missing, no extra), the same placeholders (names and
//! contents) and the same `$NAME$` / `$1` references in each message, and every
//! plural family (`key_one`, `key_other`, …, picked by `tn()` in www/common.js
//! through `Intl.PluralRules`) complete for the plural categories that
//! `Intl.PluralRules` can select for that locale (asked of node, whose ICU the
//! browsers share). A locale may add only the plural variants its language
//! needs (`_few`, `_many`, …) on top of English's messages. Also: no key twice
//! (even differing in case: browsers and web-ext lint refuse that), and every
//! `__MSG_x__` in manifest.json and every key the core asks `api::text` for is
//! an English message; the core's plural messages are plural families.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// A messages.json as its top-level entries in file order, duplicates kept
/// (serde_json's own map would silently keep only the last one).
struct Entries(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of messages")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The locale's messages by key; duplicate or malformed entries go to `problems`.
fn load(path: &Path, problems: &mut Vec<String>) -> BTreeMap<String, Value> {
    let name = path.strip_prefix(root()).unwrap_or(path).display().to_string();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
    let Entries(entries) = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not valid JSON: {e}"));
    let mut out = BTreeMap::new();
    let mut lower = BTreeMap::<String, String>::new();
    for (key, value) in entries {
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@') {
            problems.push(format!("{name}: key {key:?} has characters other than A-Z a-z 0-9 _ @"));
        }
        if let Some(first) = lower.insert(key.to_lowercase(), key.clone()) {
            problems.push(format!("{name}: key {key:?} is there twice (as {first:?}; keys ignore case)"));
        }
        match value.get("message") {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            _ => problems.push(format!("{name}: {key:?} has no message text")),
        }
        out.insert(key, value);
    }
    out
}

/// The substitutions a message uses: `$NAME$` (lowercased, as browsers match
/// them) and `$1`..`$9`, `$$` being a literal dollar.
fn references(message: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let b = message.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        if b.get(i + 1) == Some(&b'$') {
            i += 2;
            continue;
        }
        let name_len = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'@')
            .count();
        if name_len > 0 && b.get(i + 1 + name_len) == Some(&b'$') {
            refs.insert(format!("${}$", message[i + 1..i + 1 + name_len].to_lowercase()));
            i += name_len + 2;
        } else if b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            refs.insert(message[i..i + 2].to_string());
            i += 2;
        } else {
            i += 1;
        }
    }
    refs
}

/// `key_cat` -> (`key`, `cat`) for a plural category suffix.
fn plural_split(key: &str) -> Option<(&str, &str)> {
    let (base, cat) = key.rsplit_once('_')?;
    CATEGORIES.contains(&cat).then_some((base, cat))
}

/// The plural categories `Intl.PluralRules` selects for each locale, from node.
fn plural_categories(locales: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let script = "const out = {};\
        for (const l of process.argv.slice(1)) {\
          const tag = l.replace('_', '-');\
          if (!Intl.PluralRules.supportedLocalesOf([tag]).length) { console.error('node has no plural rules for ' + tag); process.exit(1); }\
          out[l] = new Intl.PluralRules(tag).resolvedOptions().pluralCategories;\
        }\
        console.log(JSON.stringify(out));";
    let out = Command::new("node")
        .arg("-e")
        .arg(script)
        .args(locales)
        .output()
        .expect("node is installed (build.sh needs it)");
    assert!(out.status.success(), "node failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("node printed the categories as JSON")
}

#[test]
fn every_locale_has_exactly_the_english_messages_and_placeholders() {
    let dir = root().join("www/_locales");
    let mut problems = Vec::new();
    let en = load(&dir.join("en/messages.json"), &mut problems);
    let families: BTreeSet<&str> = en.keys().filter_map(|k| k.strip_suffix("_other")).collect();
    // The core's plural messages (import notes: the count first, the page
    // picks the form) are families here, so every locale is held to them.
    for def in lifeboat::message::ALL.iter().filter(|d| d.one.is_some()) {
        if !families.contains(def.key) {
            problems.push(format!("en: the core's plural message {:?} is no plural family ({0}_one, {0}_other)", def.key));
        }
    }

    let mut locales: Vec<String> = std::fs::read_dir(&dir)
        .expect("www/_locales exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    locales.sort();
    for want in ["de", "en", "es", "fr", "it", "ja", "pt_BR", "ru", "zh_CN"] {
        assert!(locales.iter().any(|l| l == want), "www/_locales/{want} is missing");
    }
    let categories = plural_categories(&locales);

    for locale in &locales {
        let file = format!("www/_locales/{locale}/messages.json");
        let messages = load(&dir.join(locale).join("messages.json"), &mut problems);
        let cats = &categories[locale];
        // What each of the locale's keys must look like in English: itself, or
        // for an extra plural variant (`nTabs_few`), the family's `_other`.
        for (key, entry) in &messages {
            let english_key = if en.contains_key(key) {
                key.clone()
            } else if let Some((base, cat)) = plural_split(key).filter(|(b, _)| families.contains(b)) {
                if !cats.contains(cat) {
                    problems.push(format!(
                        "{file}: {key:?}: Intl.PluralRules never selects \"{cat}\" for {locale} (only {cats:?})"
                    ));
                }
                format!("{base}_other")
            } else {
                problems.push(format!("{file}: {key:?} is not an English message"));
                continue;
            };
            let english = &en[&english_key];
            if entry.get("placeholders") != english.get("placeholders") {
                problems.push(format!(
                    "{file}: {key:?} has placeholders {} where English {english_key:?} has {}",
                    entry.get("placeholders").map_or("none".into(), Value::to_string),
                    english.get("placeholders").map_or("none".into(), Value::to_string)
                ));
            }
            let text = |v: &Value| v.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
            let (mine, theirs) = (references(&text(entry)), references(&text(english)));
            if mine != theirs {
                problems.push(format!(
                    "{file}: {key:?} uses {mine:?} where English {english_key:?} uses {theirs:?}: {:?}",
                    text(entry)
                ));
            }
        }
        for key in en.keys().filter(|k| !messages.contains_key(*k)) {
            problems.push(format!("{file}: lacks {key:?}"));
        }
        for base in &families {
            for cat in cats {
                let key = format!("{base}_{cat}");
                if !messages.contains_key(&key) {
                    problems.push(format!("{file}: plural family {base:?} lacks {key:?}, which {locale} selects"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} locale problem(s):\n  {}", problems.len(), problems.join("\n  "));
}

#[test]
fn the_manifest_and_the_core_ask_only_for_english_messages() {
    let mut problems = Vec::new();
    let en = load(&root().join("www/_locales/en/messages.json"), &mut problems);
    let has = |key: &str| en.keys().any(|k| k.eq_ignore_ascii_case(key));
    let manifest = std::fs::read_to_string(root().join("manifest.json")).expect("manifest.json");
    let mut asked = Vec::new();
    for part in manifest.split("__MSG_").skip(1) {
        let key = part.split("__").next().unwrap_or_default();
        asked.push(key.to_string());
        if !has(key) {
            problems.push(format!("manifest.json: __MSG_{key}__ has no English message"));
        }
    }
    for want in ["appName", "appDescription"] {
        assert!(asked.iter().any(|k| k == want), "manifest.json no longer asks for __MSG_{want}__");
    }
    let manifest: Value = serde_json::from_str(&manifest).expect("manifest.json is JSON");
    for (name, command) in manifest["commands"].as_object().into_iter().flatten() {
        let description = command["description"].as_str().unwrap_or_default();
        if !description.starts_with("__MSG_") {
            problems.push(format!("manifest.json: command {name:?} has an untranslated description {description:?}"));
        }
    }
    // The background's texts: api::text("key", "English fallback").
    let mut stack = vec![root().join("src")];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().filter_map(|e| e.ok()).map(|e| e.path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for part in source.split("api::text(\"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                if !has(key) {
                    problems.push(format!("{}: api::text({key:?}) has no English message", path.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn references_are_read_as_browsers_read_them() {
    let r = |s: &str| references(s).into_iter().collect::<Vec<_>>();
    assert_eq!(r("Opened $WINDOWS$ with $Tabs$."), ["$tabs$", "$windows$"]);
    assert_eq!(r("costs $$5 and $1"), ["$1"]);
    assert_eq!(r("no refs: 5 $ here"), Vec::<String>::new());
    assert_eq!(plural_split("nTabs_few"), Some(("nTabs", "few")));
    assert_eq!(plural_split("format_onetab"), None);
}
