//! OneTab's text: `url | title` a line, a blank line after each window (OneTab
//! calls them groups). Only addresses and titles fit.

use super::{one_line, Saved};

pub fn write(sessions: &[Saved]) -> String {
    let mut out = String::new();
    for w in sessions.iter().flat_map(|s| &s.session.windows) {
        for t in &w.tabs {
            out.push_str(&format!("{} | {}\n", one_line(&t.url), one_line(&t.title)));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Session, Tab, Window};

    #[test]
    fn titles_cannot_break_lines() {
        let s = Session {
            windows: vec![Window {
                tabs: vec![Tab {
                    url: "https://a/".into(),
                    title: "two\nlines | and\ra pipe".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
        };
        assert_eq!(
            write(&[Saved {
                name: "x",
                saved_at: None,
                session: &s
            }]),
            "https://a/ | two lines | and a pipe\n\n"
        );
    }
}
