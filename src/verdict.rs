//! How did the last run end? Decided once per browser run, before anything
//! may write over what that run left behind (Firefox: SessionStartup).
//!
//! The rule (also in the README): neither browser tells an extension that it
//! is shutting down, but both report the user closing the last normal window.
//! Lifeboat marks the run `clean_exit` at that moment and clears the mark at
//! the next change. A new browser run that finds the mark still clear had an
//! unclean end: a crash, a kill, a power cut, or a quit that closed no window
//! (which looks the same from inside the browser).

use crate::model::Millis;
use serde::{Deserialize, Serialize};

/// What a run leaves behind so the next one can judge how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunMark {
    pub started_at: Millis,
    pub version: String,
    /// Set when the user closed the last normal window.
    pub clean_exit: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Nothing was ever recorded.
    FirstRun,
    CleanExit,
    Crash,
    /// The extension changed version since the last run: not a crash.
    Updated,
    /// The same browser run: the background was only restarted or woken.
    Continuing,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstRun => "first_run",
            Self::CleanExit => "clean",
            Self::Crash => "crash",
            Self::Updated => "updated",
            Self::Continuing => "running",
        }
    }
}

/// `new_browser_run`: the browser's session storage was empty at start
/// (it survives a background restart but not a browser restart).
pub fn decide(last: Option<&RunMark>, new_browser_run: bool, version: &str) -> Verdict {
    if !new_browser_run {
        return Verdict::Continuing;
    }
    match last {
        None => Verdict::FirstRun,
        Some(m) if m.version != version => Verdict::Updated,
        Some(m) if m.clean_exit => Verdict::CleanExit,
        Some(_) => Verdict::Crash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(version: &str, clean_exit: bool) -> RunMark {
        RunMark {
            started_at: 1,
            version: version.into(),
            clean_exit,
        }
    }

    #[test]
    fn verdict_table() {
        let cases = [
            (None, true, Verdict::FirstRun),
            (None, false, Verdict::Continuing),
            (Some(mark("1", false)), true, Verdict::Crash),
            (Some(mark("1", true)), true, Verdict::CleanExit),
            (Some(mark("0.9", false)), true, Verdict::Updated),
            (Some(mark("0.9", true)), true, Verdict::Updated),
            (Some(mark("1", false)), false, Verdict::Continuing),
            (Some(mark("1", true)), false, Verdict::Continuing),
        ];
        for (last, new_run, want) in cases {
            assert_eq!(decide(last.as_ref(), new_run, "1"), want, "{last:?} new_run={new_run}");
        }
    }
}
