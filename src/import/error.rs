//! Why a file could not be imported, in words for the user.

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
    NothingToImport(Vec<String>),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "The file is empty."),
            Self::TooLarge { size, limit } => write!(f, "The file is too large to import ({} MiB; the limit is {} MiB).", mib(*size), mib(*limit)),
            Self::SizeClaimTooLarge { claimed, limit } => write!(
                f,
                "The Firefox session file is damaged: it claims to unpack to {} MiB (the limit is {} MiB).",
                mib(*claimed),
                mib(*limit)
            ),
            Self::NotMozLz4 => write!(f, "The file is named like a Firefox session file but is not one (it lacks the \"mozLz40\" header)."),
            Self::Corrupt(why) => write!(f, "The Firefox session file is damaged and cannot be unpacked ({why})."),
            Self::NotUtf8 { offset } => write!(f, "The file is not UTF-8 text (invalid bytes at offset {offset})."),
            Self::BadJson { line, column, detail } => write!(f, "The file is not valid JSON: {detail} at line {line}, column {column}."),
            Self::TooDeep => write!(f, "The file is nested too deeply to be a session file."),
            Self::WrongShape { line, column, detail } => write!(f, "The file is not laid out as expected: {detail} at line {line}, column {column}."),
            Self::TooManyTabs { limit } => write!(f, "The file holds more than {limit} tabs, more than Lifeboat imports at once."),
            Self::TooComplex { limit } => write!(
                f,
                "The file holds more than {limit} windows, history entries and form fields, more than Lifeboat imports at once."
            ),
            Self::UnsupportedVersion(v) => write!(f, "The file was exported by a newer Lifeboat (format version {v}): update Lifeboat to import it."),
            Self::Encrypted { version } => write!(
                f,
                "This Chromium session file is encrypted (SNSS version {version}, with the system's keychain): Lifeboat cannot read it."
            ),
            Self::BadSnss(why) => write!(f, "The Chromium session file is damaged: {why}."),
            Self::Unrecognised(what) => write!(
                f,
                "Lifeboat cannot read this file: {what}. It reads Firefox and Chromium session files, Tab Session Manager and OneTab exports, lists of addresses and its own exports."
            ),
            Self::NothingToImport(notes) => {
                write!(f, "There is nothing to import.")?;
                for n in notes {
                    write!(f, " {n}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ImportError {}

/// Mebibytes, rounded up so a file just over a limit does not read as equal to it.
fn mib(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}
