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
    /// The template; for a plural family, its `_other` form.
    pub english: &'static str,
    /// A plural family's `_one` form: its key names the family (`nTabs`,
    /// messages.json holds `nTabs_one`, `nTabs_other`, …), its first
    /// argument is the count, and the pages pick the form (`tn()`).
    pub one: Option<&'static str>,
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
        let template = match self.one {
            Some(one) if args.first().map(Arg::text) == Some("1") => one,
            _ => self.english,
        };
        // One pass over the template, so that an argument's own text (a
        // save's name, a file's words) is never read as a placeholder.
        let mut text = String::with_capacity(template.len());
        let mut rest = template;
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

/// Sentences as one message, each translated in turn (`NOTICE_TWO`
/// nested): how a list of notes fills one placeholder. `None` when empty.
pub fn join(messages: Vec<Message>) -> Option<Message> {
    messages
        .into_iter()
        .rev()
        .reduce(|rest, first| NOTICE_TWO.with(vec![first.into(), rest.into()]))
}

/// Whether a key names a plural family, as `messageText()` in
/// www/common.js tells them apart: `n` and a capital (`nTabs`).
pub fn is_plural_key(key: &str) -> bool {
    let mut c = key.chars();
    c.next() == Some('n') && c.next().is_some_and(|c| c.is_ascii_uppercase())
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

macro_rules! one {
    () => {
        None
    };
    ($one:literal) => {
        Some($one)
    };
}

macro_rules! messages {
    ($($name:ident = $key:literal: $(one $one:literal other)? $english:literal;)*) => {
        $(pub const $name: Def = Def { key: $key, english: $english, one: one!($($one)?) };)*
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
    NOTICE_SPARE_NEWER = "noticeSpareNewer": "The browser had lost Lifeboat's latest saves (after its disk ran full); Lifeboat put back its spare copy of the last session, which keeps the tabs but not what was typed into them.";
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

    // Notes on what an import left out or changed (import::collect,
    // import_check): counted ones are plural families, the count first.
    N_NOTE_TABS_KEPT = "nNoteTabsKept": one "$COUNT$ tab kept that an extension cannot reopen ($WHY$): the restore page lists it so its address can be copied." other "$COUNT$ tabs kept that an extension cannot reopen ($WHY$): the restore page lists them so their addresses can be copied.";
    N_NOTE_TABS_LEFT_OUT = "nNoteTabsLeftOut": one "$COUNT$ tab left out: $WHY$." other "$COUNT$ tabs left out: $WHY$.";
    N_NOTE_FAVICONS = "nNoteFavicons": one "$COUNT$ favicon left out (not a web address, or an image too large to keep)." other "$COUNT$ favicons left out (not web addresses, or images too large to keep).";
    N_NOTE_FIELDS = "nNoteFields": one "$COUNT$ form field not imported: $WHY$." other "$COUNT$ form fields not imported: $WHY$.";
    N_NOTE_FIELDS_CUT = "nNoteFieldsCut": one "$COUNT$ form field cut to $LIMIT$ characters (settings)." other "$COUNT$ form fields cut to $LIMIT$ characters (settings).";
    N_NOTE_ODD_VALUES = "nNoteOddValues": one "$COUNT$ value of an unexpected type in the file was ignored." other "$COUNT$ values of an unexpected type in the file were ignored.";
    N_NOTE_TEXT_CUT = "nNoteTextCut": one "$COUNT$ title or name cut to $LIMIT$ characters." other "$COUNT$ titles or names cut to $LIMIT$ characters.";
    N_NOTE_TAB_HISTORY = "nNoteTabHistory": one "$COUNT$ tab had back/forward history, which an extension cannot restore: only its current page is imported." other "$COUNT$ tabs had back/forward history, which an extension cannot restore: only their current pages are imported.";
    N_NOTE_BAD_RECORDS = "nNoteBadRecords": one "$COUNT$ damaged record skipped." other "$COUNT$ damaged records skipped.";
    N_NOTE_MISPLACED_RECORDS = "nNoteMisplacedRecords": one "$COUNT$ damaged or misplaced record skipped." other "$COUNT$ damaged or misplaced records skipped.";
    N_NOTE_NAVIGATIONS = "nNoteNavigations": one "$COUNT$ navigation beyond a tab's first $LIMIT$ left out." other "$COUNT$ navigations beyond a tab's first $LIMIT$ left out.";
    N_NOTE_LINES = "nNoteLines": one "$COUNT$ line skipped: not an address." other "$COUNT$ lines skipped: not addresses.";
    N_NOTE_TAGS = "nNoteTags": one "$COUNT$ session had tags, which Lifeboat does not keep." other "$COUNT$ sessions had tags, which Lifeboat does not keep.";
    N_NOTE_PRIVATE_TABS = "nNotePrivateTabs": one "$COUNT$ private tab left out (Lifeboat never keeps private browsing)." other "$COUNT$ private tabs left out (Lifeboat never keeps private browsing).";
    N_NOTE_CLOSED_TABS = "nNoteClosedTabs": one "$COUNT$ recently closed tab not imported (Firefox's list of closed tabs is not part of the session)." other "$COUNT$ recently closed tabs not imported (Firefox's list of closed tabs is not part of the session).";
    N_NOTE_HIDDEN_TABS = "nNoteHiddenTabs": one "$COUNT$ hidden tab imported as an ordinary tab (Firefox hides tabs for extensions such as tab-group managers)." other "$COUNT$ hidden tabs imported as ordinary tabs (Firefox hides tabs for extensions such as tab-group managers).";
    N_NOTE_RICH_TEXT = "nNoteRichText": one "$COUNT$ rich-text editor not imported: Firefox keeps its content as HTML, which could carry markup into the page." other "$COUNT$ rich-text editors not imported: Firefox keeps their content as HTML, which could carry markup into the page.";
    N_NOTE_FORM_PAGES = "nNoteFormPages": one "$COUNT$ page had form data for an address that is not a web page: left out." other "$COUNT$ pages had form data for an address that is not a web page: left out.";
    N_NOTE_FILE_FIELDS = "nNoteFileFields": one "$COUNT$ file field not imported (a page cannot be given files back)." other "$COUNT$ file fields not imported (a page cannot be given files back).";
    N_NOTE_OLD_VALUES = "nNoteOldValues": one "$COUNT$ form value in an old or unknown format not imported." other "$COUNT$ form values in an old or unknown format not imported.";
    N_NOTE_BACKUP_UNREADABLE = "nNoteBackupUnreadable": one "$COUNT$ record of the backup could not be read and was skipped." other "$COUNT$ records of the backup could not be read and were skipped.";
    N_NOTE_BACKUP_MISSING = "nNoteBackupMissing": one "$COUNT$ named save is listed in the backup without its tabs." other "$COUNT$ named saves are listed in the backup without their tabs.";
    N_NOTE_CHECKED_TABS = "nNoteCheckedTabs": one "$COUNT$ tab left out by the background's checks." other "$COUNT$ tabs left out by the background's checks.";
    N_NOTE_CHECKED_FIELDS = "nNoteCheckedFields": one "$COUNT$ form field left out by the background's checks." other "$COUNT$ form fields left out by the background's checks.";
    NOTE_NO_TABS_LEFT = "noteNoTabsLeft": "\"$NAME$\" had no tabs left to import.";
    NOTE_FILE_TORN = "noteFileTorn": "The file's last record was cut short (the browser was writing it when it stopped): what came before it was read.";
    NOTE_FILE_DAMAGED = "noteFileDamaged": "The file is damaged part way through (an empty record): what came before it was read.";

    // Why a tab or form field was left out (the $WHY$ of a note).
    WHY_URL_TOO_LONG = "whyUrlTooLong": "the address is longer than any browser opens";
    WHY_OVER_BUDGET = "whyOverBudget": "over the typed-text budget of a tab (settings)";
    WHY_NEVER_TYPED = "whyNeverTyped": "typed text is never saved (privacy setting)";
    WHY_NOT_ON_HTTPS = "whyNotOnHttps": "typed text is not saved on HTTPS sites (privacy setting)";
    WHY_ONLY_WEB_PAGES = "whyOnlyWebPages": "only web pages";
    WHY_SITE_EXCLUDED = "whySiteExcluded": "$SITE$ is excluded (privacy setting)";
    WHY_PASSWORD = "whyPassword": "was a password field";
    WHY_INPUT_TYPE = "whyInputType": "input type never kept";
    WHY_NOT_A_FIELD = "whyNotAField": "not a form field";
    WHY_AUTOCOMPLETE = "whyAutocomplete": "autocomplete marks it private";
    WHY_CARD_NAME = "whyCardName": "named like a card number or security code";
    WHY_NO_KEY = "whyNoKey": "no key";
    WHY_NO_CHECKED = "whyNoChecked": "no checked state";
    WHY_NO_SELECTION = "whyNoSelection": "no selection";
    WHY_CARD_OPTION = "whyCardOption": "an option looks like a card number";
    WHY_NO_VALUE = "whyNoValue": "no value";
    WHY_CARD_VALUE = "whyCardValue": "value looks like a card number";
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
            if def.one.is_some() != is_plural_key(def.key) {
                problems.push(format!("{}: a plural family's key is n + a capital (nTabs), and only its", def.key));
            }
            if let Some(one) = def.one {
                if placeholders(def.english).first() != Some(&"COUNT") {
                    problems.push(format!("{}: a plural family's first placeholder is $COUNT$", def.key));
                }
                if en.contains_key(def.key) {
                    problems.push(format!("{}: a plural family has no message of its own name", def.key));
                }
                for (suffix, english) in [("_one", one), ("_other", def.english)] {
                    let key = format!("{}{suffix}", def.key);
                    match en.get(&key) {
                        Some(entry) if entry["message"].as_str() == Some(english) => {
                            if entry.get("placeholders") != en.get(&format!("{}_other", def.key)).and_then(|e| e.get("placeholders")) {
                                problems.push(format!("{key}: placeholders differ from _other"));
                            }
                        }
                        other => problems.push(format!("{key}: en says {other:?} where the core says {english:?}")),
                    }
                }
            }
            let Some(entry) = en.get(def.key).or_else(|| en.get(&format!("{}_other", def.key)).filter(|_| def.one.is_some())) else {
                problems.push(format!("{}: no English message for {:?}", def.key, def.english));
                continue;
            };
            if def.one.is_none() && entry["message"].as_str() != Some(def.english) {
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

    #[test]
    fn a_plural_message_takes_its_form_from_the_count() {
        let one = msg!(N_NOTE_TABS_LEFT_OUT, 1usize, msg!(UNOPENABLE_JAVASCRIPT));
        assert_eq!(one.text, "1 tab left out: javascript: URLs are never run.");
        assert_eq!((one.key.as_str(), one.args[0].text()), ("nNoteTabsLeftOut", "1"));
        let two = msg!(N_NOTE_TABS_LEFT_OUT, 2usize, msg!(UNOPENABLE_JAVASCRIPT));
        assert_eq!(two.text, "2 tabs left out: javascript: URLs are never run.");
        assert!(is_plural_key("nTabs") && !is_plural_key("noticeTwo") && !is_plural_key("n"));
        let joined = join(vec![msg!(IMPORT_EMPTY), one.clone(), msg!(IMPORT_NOTHING)]).unwrap();
        assert_eq!(joined.text, format!("The file is empty. {} There is nothing to import.", one.text));
        assert_eq!(joined.args[1].text(), format!("{} There is nothing to import.", one.text));
        assert_eq!(join(vec![]), None);
    }
}
