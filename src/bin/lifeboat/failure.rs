//! Why a command failed: one line for the user, naming the file, and the
//! exit code documented in --help and the README.

use lifeboat::import::ImportError;
use std::path::Path;

#[derive(Debug)]
pub enum Failure {
    /// A refused argument (e.g. an output path inside a profile).
    Usage(String),
    /// The file cannot be read as a session.
    Unreadable(String),
    /// A Chromium file the browser encrypted.
    Encrypted(String),
    /// The output could not be written.
    Output(String),
}

impl Failure {
    pub const USAGE: u8 = 1;

    pub fn code(&self) -> u8 {
        match self {
            Self::Usage(_) => Self::USAGE,
            Self::Unreadable(_) => 2,
            Self::Encrypted(_) => 3,
            Self::Output(_) => 4,
        }
    }

    /// The message on one line, whatever the causes' own wording.
    pub fn message(&self) -> String {
        let (Self::Usage(m) | Self::Unreadable(m) | Self::Encrypted(m) | Self::Output(m)) = self;
        m.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// What an importer said about `path`.
    pub fn import(path: &Path, e: ImportError) -> Self {
        let message = format!("{}: {e}", path.display());
        match e {
            ImportError::Encrypted { .. } => Self::Encrypted(message),
            _ => Self::Unreadable(message),
        }
    }

    /// An I/O error reading `path`, in words.
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        Self::Unreadable(format!("{}: {}", path.display(), io_words(e)))
    }
}

pub fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file".into(),
        PermissionDenied => "permission denied (the file may be locked or belong to another user)".into(),
        IsADirectory => "is a folder, not a file".into(),
        _ => e.to_string(),
    }
}
