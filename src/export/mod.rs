//! Writing sessions for the user to keep or take to another tool: Lifeboat's
//! own JSON (everything, see docs/EXPORT-FORMAT.md), Tab Session Manager JSON,
//! OneTab text, a list of addresses, and an HTML page of links.
//! Exporters never fail and read no clock: the caller passes the time.

pub mod html;
/// Lifeboat's own format, written where its schema is (see there).
pub use crate::import::lifeboat_file as lifeboat;
pub mod onetab;
pub mod tsm;
pub mod urls;

use crate::dates::calendar;
pub use crate::dates::utc;
use crate::model::Millis;

pub use crate::model::Saved;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Lifeboat,
    TabSessionManager,
    OneTab,
    UrlList,
    Html,
}

impl Format {
    pub const ALL: [Format; 5] = [Self::Lifeboat, Self::TabSessionManager, Self::OneTab, Self::UrlList, Self::Html];

    /// The name pages use in messages.
    pub fn id(self) -> &'static str {
        match self {
            Self::Lifeboat => "lifeboat",
            Self::TabSessionManager => "tsm",
            Self::OneTab => "onetab",
            Self::UrlList => "urls",
            Self::Html => "html",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.id() == id)
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Lifeboat | Self::TabSessionManager => "application/json",
            Self::OneTab | Self::UrlList => "text/plain;charset=utf-8",
            Self::Html => "text/html;charset=utf-8",
        }
    }

    /// e.g. `lifeboat-2025-11-25-1204.json`
    pub fn file_name(self, exported_at: Millis) -> String {
        let (ext, what) = match self {
            Self::Lifeboat => ("json", ""),
            Self::TabSessionManager => ("json", "-tab-session-manager"),
            Self::OneTab => ("txt", "-onetab"),
            Self::UrlList => ("txt", "-addresses"),
            Self::Html => ("html", ""),
        };
        let (y, m, d, hh, mm) = calendar(exported_at);
        format!("lifeboat{what}-{y:04}-{m:02}-{d:02}-{hh:02}{mm:02}.{ext}")
    }
}

pub fn export(format: Format, sessions: &[Saved], exported_at: Millis) -> String {
    match format {
        Format::Lifeboat => lifeboat::write(sessions, exported_at),
        Format::TabSessionManager => tsm::write(sessions, exported_at),
        Format::OneTab => onetab::write(sessions),
        Format::UrlList => urls::write(sessions),
        Format::Html => html::write(sessions, exported_at),
    }
}

/// A title or URL on one line: line breaks would split a line format's record.
pub(crate) fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_764_072_245_000), "2025-11-25 12:04 UTC");
        assert_eq!(utc(u64::MAX).len(), "292278994-08-17 07:12 UTC".len());
        assert_eq!(Format::Lifeboat.file_name(1_764_072_245_000), "lifeboat-2025-11-25-1204.json");
        assert_eq!(Format::OneTab.file_name(0), "lifeboat-onetab-1970-01-01-0000.txt");
        for f in Format::ALL {
            assert_eq!(Format::from_id(f.id()), Some(f));
        }
    }
}
