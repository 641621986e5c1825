//! Reading sessions saved by other tools (and by Lifeboat's own export).
//!
//! One file per format, each with `parse(bytes) -> Result<Imported, ImportError>`;
//! `detect_and_parse` picks the format from the bytes (the file name only
//! sharpens error messages). Every importer goes through `collect::Collector`,
//! which decides which URLs may enter a session and writes the notes on what
//! was left out, so no importer drops anything silently and none lets a
//! `javascript:` URL through.
//!
//! Input is untrusted: sizes, counts and nesting are capped (`MAX_*`), JSON is
//! read with a per-parse budget (`json`), and no input can panic an importer.

pub mod backup;
mod collect;
mod error;
pub mod firefox;
pub(crate) mod json;
pub mod lifeboat;
pub mod lifeboat_file;
pub mod mozlz4;
pub mod onetab;
mod pickle;
mod settings;
pub mod snss;
mod snss_session;
mod snss_tabs;
mod text;
pub mod tsm;
pub mod urls;

pub(crate) use collect::tidy;
pub use error::ImportError;
pub use settings::apply_settings;

use crate::model::{Millis, Session};

/// A Chromium session file (SNSS) of `kind`: `snss` reads the records both
/// kinds share, `snss_session` and `snss_tabs` what each makes of them.
pub fn parse_snss(kind: snss::Kind, bytes: &[u8]) -> Result<Imported, ImportError> {
    match kind {
        snss::Kind::Session => snss_session::parse(bytes),
        snss::Kind::Tabs => snss_tabs::parse(bytes),
    }
}

/// The `format` of Lifeboat's full backup (`backup`), which the JSON reader
/// tells apart from its export.
pub const BACKUP_FORMAT: &str = "lifeboat-backup";

/// The largest file accepted as it is (plain JSON or text). Real Firefox
/// sessions of 145 MB exist; 257 MiB was too much even for Firefox.
pub const MAX_INPUT: usize = 256 << 20;
/// The largest compressed (mozLz4) file accepted.
pub const MAX_COMPRESSED: usize = 64 << 20;
/// The most tabs one import may bring in, all sessions together.
pub use crate::import_check::MAX_TABS;

/// What a file held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    /// Named sessions, in the file's order. Window and tab ids are fresh
    /// (1, 2, …); every window has exactly one active tab.
    pub sessions: Vec<(String, Session)>,
    /// When each session (same position as in `sessions`) was saved, where
    /// the file says.
    pub saved_at: Vec<Option<Millis>>,
    /// What was left out or changed, and why, one sentence each.
    pub notes: Vec<crate::message::Message>,
    /// Recently closed tabs the file lists (Firefox's `_closedTabs`), for
    /// `lifeboat show`; an import does not keep them (the notes say so).
    pub closed_tabs: Vec<ClosedTab>,
    /// Back/forward history of tabs that had more than their current page
    /// (Firefox's `entries`, Chromium's navigations), for `lifeboat show`.
    /// Kept beside the model: no extension API rebuilds a tab's back stack,
    /// so an import does not store it.
    pub history: Vec<TabHistory>,
}

/// The pages one tab went through.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TabHistory {
    /// Where the tab is: positions in `sessions`, its windows, their tabs.
    pub session: usize,
    pub window: usize,
    pub tab: usize,
    /// Oldest first; at most `MAX_HISTORY`, URLs checked as a tab's are.
    pub entries: Vec<HistoryEntry>,
    /// The entry the tab shows.
    pub current: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryEntry {
    pub url: String,
    pub title: String,
    /// When the page was visited, where the file says (Chromium).
    pub time: Option<Millis>,
}

/// History entries kept per tab: the ones nearest the current page.
pub const MAX_HISTORY: usize = 20;

/// A recently closed tab, as the file lists it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClosedTab {
    /// The 1-based position, in the file, of the open window it was closed in.
    pub window: usize,
    pub closed_at: Option<Millis>,
    /// Its URL passed the same checks as an open tab's; form data is not kept.
    pub tab: crate::model::Tab,
}

impl Imported {
    /// The sessions as `export` takes them, to write an import out again.
    pub fn saved(&self) -> Vec<crate::model::Saved<'_>> {
        self.sessions
            .iter()
            .zip(&self.saved_at)
            .map(|((name, session), saved_at)| crate::model::Saved {
                name,
                saved_at: *saved_at,
                session,
            })
            .collect()
    }
}

/// The formats `detect` recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// sessionstore.jsonlz4, recovery.jsonlz4/.baklz4, previous.jsonlz4, sessionstore.js
    Firefox,
    /// Chromium's `Session_*` (SNSS)
    ChromiumSession,
    /// Chromium's `Tabs_*` (SNSS): recently closed tabs and windows
    ChromiumTabs,
    TabSessionManager,
    OneTab,
    UrlList,
    Lifeboat,
    /// Lifeboat's full backup of everything it stored
    LifeboatBackup,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Self::Firefox => "Firefox session file",
            Self::ChromiumSession => "Chromium session file",
            Self::ChromiumTabs => "Chromium closed tabs file",
            Self::TabSessionManager => "Tab Session Manager export",
            Self::OneTab => "OneTab export",
            Self::UrlList => "list of addresses",
            Self::Lifeboat => "Lifeboat export",
            Self::LifeboatBackup => "Lifeboat full backup",
        }
    }
}

/// Which format `bytes` are in. Reads JSON once, without keeping it, to tell
/// the JSON formats apart.
pub fn detect(file_name: &str, bytes: &[u8]) -> Result<Format, ImportError> {
    if bytes.starts_with(&mozlz4::MAGIC) {
        return Ok(Format::Firefox);
    }
    if firefox::is_compressed_name(file_name) {
        return Err(ImportError::NotMozLz4);
    }
    if bytes.starts_with(&snss::MAGIC) {
        return Ok(match snss::kind_of_name(file_name).unwrap_or_else(|| snss::guess_kind(bytes)) {
            snss::Kind::Session => Format::ChromiumSession,
            snss::Kind::Tabs => Format::ChromiumTabs,
        });
    }
    if snss::kind_of_name(file_name).is_some() && !bytes.is_empty() {
        return Err(ImportError::BadSnss("it is named like one but lacks the \"SNSS\" header".into()));
    }
    if bytes.len() > MAX_INPUT {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_INPUT as u64,
        });
    }
    if let Some(kind) = text::binary_kind(bytes) {
        return Err(ImportError::Unrecognised(format!("this is {kind}, not a session file")));
    }
    let body = text::strip_bom(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(ImportError::Empty),
        Some(b'[') => Ok(Format::TabSessionManager),
        Some(b'{') => {
            let probe: json::Probe = json::parse(body)?.0;
            if probe.is_lifeboat() {
                Ok(Format::Lifeboat)
            } else if probe.is_backup() {
                Ok(Format::LifeboatBackup)
            } else if probe.windows.is_some() {
                Ok(Format::Firefox)
            } else {
                Err(ImportError::Unrecognised(
                    "this JSON file is not a Firefox session, a Tab Session Manager export or a Lifeboat export".into(),
                ))
            }
        }
        Some(_) => {
            let text = text::decode(bytes)?;
            Ok(if onetab::looks_like(text) { Format::OneTab } else { Format::UrlList })
        }
    }
}

/// Reads `bytes` in the format they are in.
pub fn detect_and_parse(file_name: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    parse_as(detect(file_name, bytes)?, bytes)
}

pub fn parse_as(format: Format, bytes: &[u8]) -> Result<Imported, ImportError> {
    match format {
        Format::Firefox => firefox::parse(bytes),
        Format::ChromiumSession => parse_snss(snss::Kind::Session, bytes),
        Format::ChromiumTabs => parse_snss(snss::Kind::Tabs, bytes),
        Format::TabSessionManager => tsm::parse(bytes),
        Format::OneTab => onetab::parse(bytes),
        Format::UrlList => urls::parse(bytes),
        Format::Lifeboat => lifeboat::parse(bytes),
        Format::LifeboatBackup => backup::parse(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format() {
        let cases: [(&[u8], Format); 6] = [
            (b"{\"windows\":[]}", Format::Firefox),
            (b"\xEF\xBB\xBF  {\"format\":\"lifeboat\",\"version\":1,\"sessions\":[]}", Format::Lifeboat),
            (b"[{\"windows\":{}}]", Format::TabSessionManager),
            (b"https://a/ | A\nhttps://b/ | B\n", Format::OneTab),
            (b"https://a/\nhttps://b/\n", Format::UrlList),
            (b"mozLz40\0\0\0\0\0", Format::Firefox),
        ];
        for (bytes, format) in cases {
            assert_eq!(detect("x", bytes), Ok(format), "{}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(detect("x", b""), Err(ImportError::Empty));
        assert_eq!(detect("x", b" \n\t "), Err(ImportError::Empty));
        assert_eq!(detect("recovery.jsonlz4", b"{\"windows\":[]}"), Err(ImportError::NotMozLz4));
        assert!(matches!(detect("x", b"{\"sessions\":[]}"), Err(ImportError::Unrecognised(_))));
        assert!(matches!(detect("x.zip", b"PK\x03\x04rest"), Err(ImportError::Unrecognised(_))));
        assert!(matches!(
            detect("x", b"\xff\xfe\x00h\x00t"),
            Err(ImportError::Unrecognised(_) | ImportError::NotUtf8 { .. })
        ));
        assert!(matches!(detect("x", b"{\"windows\":[}"), Err(ImportError::BadJson { .. })));
    }
}
