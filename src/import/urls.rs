//! A plain list of addresses, one a line (a title may follow the address
//! after a space or ` | `). Blank lines are ignored; lines that are not
//! addresses are skipped and counted in a note. One window, one session.

use super::collect::Collector;
use super::{text, ImportError, Imported};
use crate::model::Session;

pub const SESSION_NAME: &str = "Imported addresses";

pub fn parse(bytes: &[u8]) -> Result<Imported, ImportError> {
    let text = text::decode(bytes)?;
    let mut c = Collector::new();
    let windows = text::windows(&mut c, text, false)?;
    c.session(SESSION_NAME.into(), None, Session { windows });
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_window_and_notes() {
        let got = parse(b"https://a/\n\n  https://b/  Bee\r\nhello world\n# comment\ndata:text/html,x\nfile:///tmp/x\n").unwrap();
        let tabs = &got.sessions[0].1.windows[0].tabs;
        assert_eq!(got.sessions[0].1.windows.len(), 1);
        assert_eq!(
            tabs.iter().map(|t| (t.url.as_str(), t.title.as_str())).collect::<Vec<_>>(),
            [("https://a/", ""), ("https://b/", "Bee"), ("file:///tmp/x", "")]
        );
        assert!(tabs[0].active);
        assert_eq!(got.notes.len(), 3, "{:?}", got.notes);
        assert_eq!(got.notes[0].text, "2 lines skipped: not addresses.");
        assert!(matches!(parse(b"nothing here\n"), Err(ImportError::NothingToImport(n)) if n.len() == 2));
    }
}
