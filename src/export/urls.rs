//! Every tab's address, one a line, in order: for pasting anywhere.

use super::{one_line, Saved};

pub fn write(sessions: &[Saved]) -> String {
    let mut out = String::new();
    for t in sessions.iter().flat_map(|s| &s.session.windows).flat_map(|w| &w.tabs) {
        out.push_str(&one_line(&t.url));
        out.push('\n');
    }
    out
}
