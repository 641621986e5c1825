//! Every sentence the core sends the user, in one place (issue 15): its
//! message key in `www/_locales/*/messages.json` and its English text, the
//! template the core fills in itself. A `Message` goes to the pages with the
//! English sentence (the fallback) and the key and arguments the pages
//! translate it with (`messageText()` in www/common.js).
//!
//! A template names its placeholders as messages.json does (`$SIZE$`); the
//! arguments fill them in order of first appearance, which is how the
//! English message's `placeholders` number them (`$1`, `$2`, …). The test
//! below holds en/messages.json to exactly these texts.

use serde::Serialize;

/// One message the core can send: its key and English template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Def {
    pub key: &'static str,
    pub english: &'static str,
}

/// A sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize), serde(deny_unknown_fields))]
pub struct Message {
    /// In English: shown where the page has no `key` message.
    pub text: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, ts(optional, as = "Option<Vec<Arg>>"))]
    pub args: Vec<Arg>,
}

/// What fills a placeholder: words from the user's data (a name, a number,
/// a browser's own error), or a sentence of the core's, translated in turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, serde::Deserialize))]
#[serde(untagged)]
pub enum Arg {
    Text(String),
    Message(Message),
}

impl Arg {
    pub fn text(&self) -> &str {
        match self {
            Self::Text(s) => s,
            Self::Message(m) => &m.text,
        }
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Self::Text(s.to_string())
    }
}

impl From<Message> for Arg {
    fn from(m: Message) -> Self {
        Self::Message(m)
    }
}

/// Numbers go as text: the English sentence writes them as the core does.
macro_rules! arg_from_number {
    ($($t:ty),*) => {$(impl From<$t> for Arg {
        fn from(n: $t) -> Self {
            Self::Text(n.to_string())
        }
    })*};
}
arg_from_number!(u16, u32, u64, usize);

impl Def {
    /// The message with these arguments (one per placeholder, in order).
    pub fn with(self, args: Vec<Arg>) -> Message {
        let names = placeholders(self.english);
        debug_assert_eq!(names.len(), args.len(), "{}: arguments", self.key);
        // One pass over the template, so that an argument's own text (a
        // save's name, a file's words) is never read as a placeholder.
        let mut text = String::with_capacity(self.english.len());
        let mut rest = self.english;
        while let Some(start) = rest.find('$') {
            text.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let name = after.find('$').map(|end| &after[..end]);
            match name.and_then(|n| names.iter().position(|m| *m == n)) {
                Some(i) => {
                    text.push_str(args.get(i).map_or("", Arg::text));
                    rest = &after[names[i].len() + 1..];
                }
                None => {
                    text.push('$');
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        Message {
            text,
            key: self.key.to_string(),
            args,
        }
    }

    /// The message of a template without placeholders.
    pub fn msg(self) -> Message {
        self.with(Vec::new())
    }
}

/// `msg!(DEF, a, b)`: the message with its arguments.
#[macro_export]
macro_rules! msg {
    ($def:expr $(, $arg:expr)* $(,)?) => {
        $def.with(vec![$($crate::message::Arg::from($arg)),*])
    };
}

/// The distinct `$NAME$` placeholders of a template, in order of appearance.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('$') {
        let after = &rest[start + 1..];
        match after.find('$') {
            Some(end) if end > 0 && after[..end].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                let name = &after[..end];
                if !out.contains(&name) {
                    out.push(name);
                }
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

macro_rules! messages {
    ($($name:ident = $key:literal: $english:literal;)*) => {
        $(pub const $name: Def = Def { key: $key, english: $english };)*
        /// Every message the core can send.
        pub const ALL: &[Def] = &[$($name),*];
    };
}

messages! {
    // Failures of a request (`Failure.code`).
    REFUSED = "errRefused": "Lifeboat refuses this request from where it came from.";
    BAD_REQUEST = "errBadRequest": "Lifeboat did not understand the request: $DETAIL$";
    FILE_UNREADABLE = "errFileUnreadable": "The file could not be read.";
    PREVIEW_EXPIRED = "errPreviewExpired": "This preview has expired; please choose the file again.";
    PAGE_NOT_OPENED = "errPageNotOpened": "The page could not be opened: $DETAIL$";
    NO_TABS_TO_SAVE = "errNoTabsToSave": "There are no tabs to save there.";
    UNKNOWN_EXPORT_FORMAT = "errUnknownExportFormat": "Unknown export format \"$FORMAT$\".";
    NOTHING_TO_EXPORT = "errNothingToExport": "Choose at least one session to export.";
    STORAGE_NOT_OPENED = "errStorageNotOpened": "Lifeboat could not open its storage: $DETAIL$";
    PAGE_GONE = "errPageGone": "That page is no longer in this session.";
    PAGE_IS_NEW_TAB = "errPageIsNewTab": "That page is the browser's new-tab page.";
    PAGE_UNOPENABLE = "errPageUnopenable": "It cannot be opened: $WHY$.";
    SYNC_FAILED = "errSyncFailed": "Sync failed: $DETAIL$";
    NOTHING_TICKED = "errNothingTicked": "Nothing is ticked: tick at least one tab to import.";
    PICK_NO_SESSION = "errPickNoSession": "The selection names session $NUMBER$, but the file has $COUNT$; please choose the file again.";
    PICK_SESSION_TWICE = "errPickSessionTwice": "The selection names session $NUMBER$ twice.";
    PICK_IN_SESSION = "errPickInSession": "\"$NAME$\": $PROBLEM$";
    PICK_NO_WINDOW = "errPickNoWindow": "the selection names window $NUMBER$, but the session has $COUNT$; please choose the file again.";
    PICK_WINDOW_TWICE = "errPickWindowTwice": "the selection names window $NUMBER$ twice.";
    PICK_NO_TAB = "errPickNoTab": "the selection names tab $TAB$ of window $WINDOW$, which has $COUNT$ tabs; please choose the file again.";
    SETTINGS_NOT_A_SITE = "errSettingsNotASite": "Settings not saved: $ENTRIES$ is not a site (write a host such as bank.example, or a web address).";


    // Why a tab is not opened (restore::openable, a plan, a restore).
    UNOPENABLE_ABOUT = "unopenableAbout": "about: pages cannot be opened by an extension";
    UNOPENABLE_SETTINGS = "unopenableSettings": "browser settings pages cannot be opened by an extension";
    UNOPENABLE_FILE = "unopenableFile": "local files (file:) cannot be opened by an extension";
    UNOPENABLE_JAVASCRIPT = "unopenableJavascript": "javascript: URLs are never run";
    UNOPENABLE_DATA = "unopenableData": "data: URLs cannot be opened by an extension";
    UNOPENABLE_BLOB = "unopenableBlob": "blob: URLs only lived as long as the page that made them";
    UNOPENABLE_PAGES = "unopenablePages": "$SCHEME$: pages cannot be opened by an extension";
    UNOPENABLE_NOT_URL = "unopenableNotUrl": "not a URL";
    UNOPENABLE_URLS = "unopenableUrls": "$SCHEME$: URLs cannot be opened by an extension";
    ALREADY_OPEN = "tabAlreadyOpen": "already open in this browser";
    BROWSER_REFUSED_TAB = "tabBrowserRefused": "the browser refused to open it: $ERROR$";

    // Why a named save was not synced.
    SYNC_INCOMPLETE = "syncIncomplete": "its copy in sync storage is incomplete; it will be read again later";
    SYNC_TOO_BIG = "syncTooBig": "\"$NAME$\" is too big to sync ($SIZE$ KB; sync storage holds $QUOTA$ KB in all)";

    // The toolbar badge's tooltip.
    BADGE_AUTOSAVE_FAILING = "badgeAutosaveFailing": "Lifeboat: autosave is failing: $PROBLEM$";

    // Storage (store::StoreError, codec::DecodeError).
    STORE_BACKEND = "storeBackend": "storage failed: $DETAIL$";
    STORE_RECORD = "storeRecord": "stored record $KEY$ is unusable: $ERROR$";
    STORE_NOT_FOUND = "storeNotFound": "nothing stored under $KEY$";
    STORE_TOO_LARGE = "storeTooLarge": "the session is too large to save ($SIZE$ MiB, over the $LIMIT$ MiB a record may hold); the last saved state is kept";
    RECORD_TRUNCATED = "recordTruncated": "record is cut short ($HAVE$ of $NEED$ bytes)";
    RECORD_BAD_MAGIC = "recordBadMagic": "not a Lifeboat record";
    RECORD_NEWER = "recordNewer": "written by a newer Lifeboat (format $VERSION$)";
    RECORD_WRONG_KIND = "recordWrongKind": "record of kind $FOUND$, expected $EXPECTED$";
    RECORD_TOO_LARGE = "recordTooLarge": "record claims $SIZE$ bytes, over the $LIMIT$-byte limit";
    RECORD_CHECKSUM = "recordChecksum": "record is damaged (checksum mismatch)";
    RECORD_DECOMPRESS = "recordDecompress": "record does not decompress: $DETAIL$";
    RECORD_PAYLOAD = "recordPayload": "record content is unreadable: $DETAIL$";

    // Notices on a session or a plan.
    NOTICE_DAMAGED_SOURCE = "noticeDamagedSource": "This saved session is damaged and cannot be restored: $ERROR$.";
    NOTICE_PREVIOUS_GOOD = "noticePreviousGood": "The latest snapshot was damaged ($ERROR$); this is the previous good one.";
    NOTICE_TWO = "noticeTwo": "$FIRST$ $SECOND$";
    NOTICE_HALF_WRITTEN = "noticeHalfWritten": "The very last change before the end was only half written and was left out.";
    NOTICE_LAST_UNREADABLE = "noticeLastUnreadable": "The last saved session could not be read ($ERROR$).";
    NOTICE_SPARE_RESTORED = "noticeSpareRestored": "The browser had emptied Lifeboat's database (it does so after its disk ran full); Lifeboat put back its spare copy of the last session and the named saves.";
    NOTICE_CONTAINER_GONE = "noticeContainerGone": "The container \"$NAME$\" no longer exists: its tabs will open in the default container.";
    NOTICE_UNGROUPED = "noticeUngrouped": "This browser cannot make tab groups: the tabs were opened ungrouped.";
    NOTICE_FIELDS_CUT = "noticeFieldsCut": "$COUNT$ typed field(s) were longer than the limit and were saved cut short.";
    NOTICE_OVER_BUDGET = "noticeOverBudget": "Some typed text in $COUNT$ tab(s) was left out: it was over the typed-text budget (settings), so the newest text of the fields you typed into was kept first.";
    NOTICE_WINDOW_FAILED = "noticeWindowFailed": "A window could not be created: $ERROR$";
    NOTICE_GROUP_FAILED = "noticeGroupFailed": "The tab group \"$NAME$\" could not be recreated: $ERROR$";
    NOTICE_TYPED_TEXT_LOST = "noticeTypedTextLost": "Typed text could not be kept for the restored tabs: $ERROR$";

    // Why a file could not be imported (import::ImportError).
    IMPORT_EMPTY = "importEmpty": "The file is empty.";
    IMPORT_TOO_LARGE = "importTooLarge": "The file is too large to import ($SIZE$ MiB; the limit is $LIMIT$ MiB).";
    IMPORT_SIZE_CLAIM = "importSizeClaim": "The Firefox session file is damaged: it claims to unpack to $SIZE$ MiB (the limit is $LIMIT$ MiB).";
    IMPORT_NOT_MOZLZ4 = "importNotMozLz4": "The file is named like a Firefox session file but is not one (it lacks the \"mozLz40\" header).";
    IMPORT_CORRUPT = "importCorrupt": "The Firefox session file is damaged and cannot be unpacked ($DETAIL$).";
    IMPORT_NOT_UTF8 = "importNotUtf8": "The file is not UTF-8 text (invalid bytes at offset $OFFSET$).";
    IMPORT_BAD_JSON = "importBadJson": "The file is not valid JSON: $DETAIL$ at line $LINE$, column $COLUMN$.";
    IMPORT_TOO_DEEP = "importTooDeep": "The file is nested too deeply to be a session file.";
    IMPORT_WRONG_SHAPE = "importWrongShape": "The file is not laid out as expected: $DETAIL$ at line $LINE$, column $COLUMN$.";
    IMPORT_TOO_MANY_TABS = "importTooManyTabs": "The file holds more than $LIMIT$ tabs, more than Lifeboat imports at once.";
    IMPORT_TOO_COMPLEX = "importTooComplex": "The file holds more than $LIMIT$ windows, history entries and form fields, more than Lifeboat imports at once.";
    IMPORT_NEWER = "importNewer": "The file was exported by a newer Lifeboat (format version $VERSION$): update Lifeboat to import it.";
    IMPORT_ENCRYPTED = "importEncrypted": "This Chromium session file is encrypted (SNSS version $VERSION$, with the system's keychain): Lifeboat cannot read it.";
    IMPORT_BAD_SNSS = "importBadSnss": "The Chromium session file is damaged: $DETAIL$.";
    IMPORT_UNRECOGNISED = "importUnrecognised": "Lifeboat cannot read this file: $WHAT$. It reads Firefox and Chromium session files, Tab Session Manager and OneTab exports, lists of addresses and its own exports.";
    IMPORT_NOTHING = "importNothing": "There is nothing to import.";
    IMPORT_NOTHING_NOTES = "importNothingNotes": "There is nothing to import. $NOTES$";

    // Why the background refused sessions the manager parsed (import_check).
    IMPORT_SAVES_UNREADABLE = "importSavesUnreadable": "The sessions to import could not be read: $DETAIL$.";
    IMPORT_SAVES_TOO_LARGE = "importSavesTooLarge": "This import is too large: more than $LIMIT$ MiB.";
    IMPORT_TOO_MANY_SESSIONS = "importTooManySessions": "This import is too large: more than $LIMIT$ sessions.";
    IMPORT_SAVES_TOO_MANY_TABS = "importSavesTooManyTabs": "This import is too large: more than $LIMIT$ tabs.";
    IMPORT_TOO_MUCH_TEXT = "importTooMuchText": "This import is too large: more than $LIMIT$ MiB of text.";
    IMPORT_NOTHING_PASSED = "importNothingPassed": "Nothing to import: no tab passed the checks. $NOTES$";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::BTreeSet;

    fn english() -> serde_json::Map<String, Value> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/_locales/en/messages.json");
        let text = std::fs::read_to_string(path).expect("en/messages.json");
        serde_json::from_str(&text).expect("en/messages.json is JSON")
    }

    /// The pages translate what the core sends: every key it can send is an
    /// English message with exactly the core's text and placeholders (so
    /// the other locales, held to English by tests/locales.rs, fit too).
    #[test]
    fn every_core_message_is_the_english_message() {
        let en = english();
        let mut problems = Vec::new();
        let mut keys = BTreeSet::new();
        for def in ALL {
            if !keys.insert(def.key) {
                problems.push(format!("{} is there twice", def.key));
            }
            let Some(entry) = en.get(def.key) else {
                problems.push(format!("{}: no English message for {:?}", def.key, def.english));
                continue;
            };
            if entry["message"].as_str() != Some(def.english) {
                problems.push(format!("{}: en says {} where the core says {:?}", def.key, entry["message"], def.english));
            }
            let want: serde_json::Map<String, Value> = placeholders(def.english)
                .iter()
                .enumerate()
                .map(|(i, name)| (name.to_lowercase(), serde_json::json!({ "content": format!("${}", i + 1) })))
                .collect();
            let have = entry.get("placeholders").and_then(Value::as_object).cloned().unwrap_or_default();
            if have != want {
                problems.push(format!("{}: placeholders {:?}, want {:?}", def.key, Value::Object(have), Value::Object(want)));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn a_message_fills_its_placeholders_in_order() {
        let m = msg!(IMPORT_BAD_JSON, "EOF", 3usize, 9usize);
        assert_eq!(m.text, "The file is not valid JSON: EOF at line 3, column 9.");
        assert_eq!(m.key, "importBadJson");
        assert_eq!(placeholders(IMPORT_BAD_JSON.english), ["DETAIL", "LINE", "COLUMN"]);
        let sly = msg!(IMPORT_BAD_JSON, "$LINE$ $COLUMN$", 1usize, 2usize);
        assert_eq!(sly.text, "The file is not valid JSON: $LINE$ $COLUMN$ at line 1, column 2.");
        let nested = msg!(SYNC_FAILED, msg!(STORE_NOT_FOUND, "k"));
        assert_eq!(nested.text, "Sync failed: nothing stored under k");
        let json = serde_json::to_value(&nested).unwrap();
        assert_eq!(json["args"][0]["key"], "storeNotFound");
        assert_eq!(json["args"][0]["args"][0], "k");
    }
}
