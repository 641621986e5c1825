//! OneTab's export: `url | title` a line, a blank line between groups. Each
//! group becomes a window of one session, "OneTab". Lines that are not
//! addresses are skipped and counted in a note.

use super::collect::Collector;
use super::{text, ImportError, Imported};
use crate::model::Session;

pub const SESSION_NAME: &str = "OneTab";

/// Whether a text reads as OneTab's (some `url | title` line) rather than a
/// plain list of addresses.
pub(crate) fn looks_like(text: &str) -> bool {
    text.lines().any(|l| text::piped(l.trim()).is_some_and(|(url, _)| text::is_url(url.trim())))
}

pub fn parse(bytes: &[u8]) -> Result<Imported, ImportError> {
    let text = text::decode(bytes)?;
    let mut c = Collector::new();
    let windows = text::windows(&mut c, text, true)?;
    c.session(SESSION_NAME.into(), None, Session { windows });
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_become_windows() {
        let text = "https://a/ | A | with pipe\nhttps://b/ | B\n\n\n\nnot a url\njavascript:alert(1) | x\nhttps://c/ | C\n\n";
        let got = parse(text.as_bytes()).unwrap();
        let s = &got.sessions[0].1;
        let titles: Vec<Vec<&str>> = s.windows.iter().map(|w| w.tabs.iter().map(|t| t.title.as_str()).collect()).collect();
        assert_eq!(titles, [vec!["A | with pipe", "B"], vec!["C"]]);
        assert_eq!(
            got.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
            ["1 line skipped: not an address.", "1 tab left out: javascript: URLs are never run."]
        );
        assert!(looks_like(text) && looks_like("https://a/ | \n") && !looks_like("https://a/\nx | y"));
    }
}
