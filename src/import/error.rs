//! Why a file could not be imported, in words for the user.

use crate::message::{self, Message};
use crate::msg;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// No bytes, or only whitespace.
    Empty,
    /// The file itself is over the limit.
    TooLarge {
        size: u64,
        limit: u64,
    },
    /// A mozLz4 header claims more than the limit (or more than its data can
    /// hold): refused before anything of that size is allocated.
    SizeClaimTooLarge {
        claimed: u64,
        limit: u64,
    },
    /// Named like a Firefox session file, without the mozLz4 header.
    NotMozLz4,
    /// The compressed data is damaged or does not match its header.
    Corrupt(String),
    /// Text that is not UTF-8.
    NotUtf8 {
        offset: usize,
    },
    BadJson {
        line: usize,
        column: usize,
        detail: String,
    },
    /// Nested deeper than any real session file.
    TooDeep,
    /// Valid JSON, but not laid out as this format is.
    WrongShape {
        line: usize,
        column: usize,
        detail: String,
    },
    TooManyTabs {
        limit: usize,
    },
    /// More windows, history entries and fields than any real file has.
    TooComplex {
        limit: usize,
    },
    /// Written by a newer Lifeboat.
    UnsupportedVersion(u64),
    /// A Chromium session file encrypted with the system's keychain (SNSS
    /// versions 2, 4 and 5): recognised, never read as garbage.
    Encrypted {
        version: u32,
    },
    /// A Chromium session file whose header is wrong or cut short.
    BadSnss(String),
    /// Not a format Lifeboat reads; says what it looked like.
    Unrecognised(String),
    /// Readable, but every tab was left out: the notes say why.
    NothingToImport(Vec<crate::message::Message>),
}

impl ImportError {
    /// The sentence for the user (`crate::message`).
    pub fn message(&self) -> Message {
        match self {
            Self::Empty => message::IMPORT_EMPTY.msg(),
            Self::TooLarge { size, limit } => msg!(message::IMPORT_TOO_LARGE, mib(*size), mib(*limit)),
            Self::SizeClaimTooLarge { claimed, limit } => msg!(message::IMPORT_SIZE_CLAIM, mib(*claimed), mib(*limit)),
            Self::NotMozLz4 => message::IMPORT_NOT_MOZLZ4.msg(),
            Self::Corrupt(why) => msg!(message::IMPORT_CORRUPT, why.as_str()),
            Self::NotUtf8 { offset } => msg!(message::IMPORT_NOT_UTF8, *offset),
            Self::BadJson { line, column, detail } => msg!(message::IMPORT_BAD_JSON, detail.as_str(), *line, *column),
            Self::TooDeep => message::IMPORT_TOO_DEEP.msg(),
            Self::WrongShape { line, column, detail } => msg!(message::IMPORT_WRONG_SHAPE, detail.as_str(), *line, *column),
            Self::TooManyTabs { limit } => msg!(message::IMPORT_TOO_MANY_TABS, *limit),
            Self::TooComplex { limit } => msg!(message::IMPORT_TOO_COMPLEX, *limit),
            Self::UnsupportedVersion(v) => msg!(message::IMPORT_NEWER, *v),
            Self::Encrypted { version } => msg!(message::IMPORT_ENCRYPTED, *version),
            Self::BadSnss(why) => msg!(message::IMPORT_BAD_SNSS, why.as_str()),
            Self::Unrecognised(what) => msg!(message::IMPORT_UNRECOGNISED, what.as_str()),
            Self::NothingToImport(notes) if notes.is_empty() => message::IMPORT_NOTHING.msg(),
            // The notes are the importer's own sentences, in English.
            Self::NothingToImport(notes) => msg!(
                message::IMPORT_NOTHING_NOTES,
                message::join(notes.clone()).unwrap_or_else(|| message::IMPORT_NOTHING.msg())
            ),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().text)
    }
}

impl std::error::Error for ImportError {}

/// Mebibytes, rounded up so a file just over a limit does not read as equal to it.
fn mib(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}
