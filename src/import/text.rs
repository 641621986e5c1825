//! Reading the line-based formats (OneTab, URL lists): decoding, and what
//! counts as an address on a line.

use super::{ImportError, MAX_INPUT};

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
    fn decoding() {
        assert_eq!(decode(b"\xEF\xBB\xBFhi"), Ok("hi"));
        assert_eq!(decode(b"  \n"), Err(ImportError::Empty));
        assert_eq!(decode(b"\xEF\xBB\xBFab\xFF"), Err(ImportError::NotUtf8 { offset: 5 }));
    }
}
