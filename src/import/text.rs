//! Reading the line-based formats (OneTab, URL lists): decoding, and what
//! counts as an address on a line.

use super::collect::{tab, Collector};
use super::{ImportError, MAX_INPUT};
use crate::message;
use crate::model::Window;

pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The file as text: within the size limit, UTF-8, not blank.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    if bytes.len() > MAX_INPUT {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_INPUT as u64,
        });
    }
    let body = strip_bom(bytes);
    let text = std::str::from_utf8(body).map_err(|e| ImportError::NotUtf8 {
        offset: e.valid_up_to() + (bytes.len() - body.len()),
    })?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(text)
}

/// What a file that is plainly not text is (for a clear refusal).
pub(crate) fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const KINDS: &[(&[u8], &str)] = &[
        (b"\x1f\x8b", "a gzip archive"),
        (b"PK\x03\x04", "a zip archive"),
        (b"SQLite format 3\0", "an SQLite database"),
        (b"LFBT", "one of Lifeboat's internal records (export sessions from Lifeboat to move them)"),
        (b"\xFF\xFE", "UTF-16 text (save it as UTF-8)"),
        (b"\xFE\xFF", "UTF-16 text (save it as UTF-8)"),
        (b"%PDF", "a PDF document"),
    ];
    KINDS.iter().find(|(magic, _)| bytes.starts_with(magic)).map(|(_, kind)| *kind)
}

/// Whether `s` is written like an absolute URL: a scheme (letter, then
/// letters, digits, `+-.`) and a colon, no spaces. Whether it may be opened
/// is `Collector`'s decision.
pub(crate) fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.contains(char::is_whitespace)
}

/// OneTab's `url | title` (`url |` when the title is empty), of a trimmed line.
pub(crate) fn piped(line: &str) -> Option<(&str, &str)> {
    line.split_once(" | ").or_else(|| line.strip_suffix(" |").map(|url| (url, "")))
}

/// A line's address and title: `url | title` (OneTab), `url title`, or a
/// bare `url`. `None` for a blank line.
pub(crate) fn split_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (url, title) = piped(line).unwrap_or_else(|| line.split_once(char::is_whitespace).unwrap_or((line, "")));
    Some((url.trim(), title.trim()))
}

/// The tabs listed in `text`, one a line. With `blank_splits`, a blank line
/// starts a new window; lines that are not addresses are counted in a note.
pub(crate) fn windows(c: &mut Collector, text: &str, blank_splits: bool) -> Result<Vec<Window>, ImportError> {
    let mut windows = vec![Window::default()];
    for line in text.lines() {
        let Some((url, title)) = split_line(line) else {
            if blank_splits && windows.last().is_some_and(|w| !w.tabs.is_empty()) {
                windows.push(Window::default());
            }
            continue;
        };
        if !is_url(url) {
            c.count(message::N_NOTE_LINES);
            continue;
        }
        if let Some(url) = c.tab_url(url)? {
            windows.last_mut().expect("never empty").tabs.push(tab(url, title.to_string()));
        }
    }
    Ok(windows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_on_lines() {
        for yes in ["https://a/", "about:blank", "javascript:alert(1)", "file:///x", "moz-extension://u/p"] {
            assert!(is_url(yes), "{yes}");
        }
        for no in ["", "hello", "https://a/ b", "1http://a", "://a", "a:", "http ://a", "ünï:x"] {
            assert!(!is_url(no), "{no}");
        }
    }

    #[test]
    fn lines() {
        assert_eq!(split_line("  https://a/ | A | B "), Some(("https://a/", "A | B")));
        assert_eq!(split_line("https://a/\tTitle here"), Some(("https://a/", "Title here")));
        assert_eq!(split_line("https://a/"), Some(("https://a/", "")));
        assert_eq!(split_line("https://a/ | "), Some(("https://a/", "")));
        assert_eq!(split_line(" \t"), None);
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(b"\xEF\xBB\xBFhi"), Ok("hi"));
        assert_eq!(decode(b"  \n"), Err(ImportError::Empty));
        assert_eq!(decode(b"\xEF\xBB\xBFab\xFF"), Err(ImportError::NotUtf8 { offset: 5 }));
    }
}
