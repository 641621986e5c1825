//! `lifeboat show`: a session file's windows and tabs, as text for people
//! or as one JSON document for scripts (also `convert --to json`).

use super::failure::Failure;
use super::read::{load, Loaded};
use lifeboat::export::utc;
use lifeboat::import::TabHistory;
use lifeboat::model::{Millis, Tab, Window};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;
use std::time::SystemTime;

pub fn run(path: &Path, as_json: bool) -> Result<(), Failure> {
    let loaded = load(path)?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&document(path, &loaded)).expect("JSON values serialise"));
    } else {
        print!("{}", text(path, &loaded));
    }
    Ok(())
}

pub fn millis(t: SystemTime) -> Option<Millis> {
    t.duration_since(SystemTime::UNIX_EPOCH).ok().map(|d| d.as_millis() as Millis)
}

/// Everything read, for scripts: the sessions in the model's own JSON
/// (`lifeboat::model`, field names as there).
pub fn document(path: &Path, l: &Loaded) -> Value {
    let sessions: Vec<Value> = l
        .imported
        .sessions
        .iter()
        .zip(&l.imported.saved_at)
        .map(|((name, s), at)| json!({ "name": name, "savedAt": at, "windows": s.windows }))
        .collect();
    let mut sessions = sessions;
    // The model's list of earlier pages is replaced by the file's fuller
    // back/forward history, where the file has one.
    for tab in sessions
        .iter_mut()
        .flat_map(|s| s["windows"].as_array_mut().into_iter().flatten())
        .flat_map(|w| w["tabs"].as_array_mut().into_iter().flatten())
    {
        if let Some(t) = tab.as_object_mut() {
            t.remove("history");
        }
    }
    // Each tab's back/forward history, on the tab itself.
    for h in &l.imported.history {
        let entries: Vec<Value> = h.entries.iter().map(|e| json!({ "url": e.url, "title": e.title, "time": e.time })).collect();
        if let Some(tab) = sessions
            .get_mut(h.session)
            .and_then(|s| s["windows"].get_mut(h.window))
            .and_then(|w| w["tabs"].get_mut(h.tab))
        {
            tab["history"] = json!({ "current": h.current, "entries": entries });
        }
    }
    let closed: Vec<Value> = l
        .imported
        .closed_tabs
        .iter()
        .map(|c| json!({ "window": c.window, "closedAt": c.closed_at, "tab": c.tab }))
        .collect();
    json!({
        "file": path.display().to_string(),
        "format": l.format.label(),
        "modified": l.modified.and_then(millis),
        "sessions": sessions,
        "closedTabs": closed,
        // In English, as the rest of the command's output.
        "notes": l.imported.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
    })
}

pub fn text(path: &Path, l: &Loaded) -> String {
    let mut out = String::new();
    let modified = l.modified.and_then(millis).map(|t| format!(", modified {}", utc(t))).unwrap_or_default();
    let _ = writeln!(out, "{}: {}{modified}", path.display(), l.format.label());
    for (si, ((name, s), at)) in l.imported.sessions.iter().zip(&l.imported.saved_at).enumerate() {
        let saved = at.map(|t| format!(", saved {}", utc(t))).unwrap_or_default();
        let _ = writeln!(out, "\n{name}: {}{saved}", counts(s.windows.len(), s.tab_count()));
        for (wi, w) in s.windows.iter().enumerate() {
            let history = |ti: usize| l.imported.history.iter().find(|h| (h.session, h.window, h.tab) == (si, wi, ti));
            window(&mut out, wi + 1, w, &history);
        }
    }
    if !l.imported.closed_tabs.is_empty() {
        let _ = writeln!(out, "\nRecently closed tabs: {}", l.imported.closed_tabs.len());
        for c in &l.imported.closed_tabs {
            let when = c.closed_at.map(|t| format!(", closed {}", utc(t))).unwrap_or_default();
            let _ = writeln!(out, "  {} (from window {}{when})", tab_line(&c.tab, None), c.window);
            if !c.tab.title.trim().is_empty() {
                let _ = writeln!(out, "      {}", one_line(&c.tab.url));
            }
        }
    }
    if !l.imported.notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for n in &l.imported.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}

fn counts(windows: usize, tabs: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    format!("{windows} window{}, {tabs} tab{}", s(windows), s(tabs))
}

fn window<'a>(out: &mut String, n: usize, w: &Window, history: &dyn Fn(usize) -> Option<&'a TabHistory>) {
    let mut marks = Vec::new();
    if w.focused {
        marks.push("focused".to_string());
    }
    if w.state != lifeboat::model::WindowState::Normal {
        marks.push(w.state.as_str().to_string());
    }
    let marks = if marks.is_empty() {
        String::new()
    } else {
        format!(" ({})", marks.join(", "))
    };
    let _ = writeln!(out, "  Window {n}{marks}: {} tab{}", w.tabs.len(), if w.tabs.len() == 1 { "" } else { "s" });
    for (i, t) in w.tabs.iter().enumerate() {
        let _ = writeln!(out, "  {}", tab_line(t, Some(w)));
        if !t.title.trim().is_empty() {
            let _ = writeln!(out, "      {}", one_line(&t.url));
        }
        if let Some(h) = history(i) {
            pages(out, h);
        }
    }
}

/// The other pages of a tab's history: "back" ones were before the current
/// page (the earlier pages in this tab), "forward" ones after it.
fn pages(out: &mut String, h: &TabHistory) {
    for (i, e) in h.entries.iter().enumerate() {
        let way = match i.cmp(&h.current) {
            std::cmp::Ordering::Less => "back",
            std::cmp::Ordering::Equal => continue,
            std::cmp::Ordering::Greater => "forward",
        };
        let title = if e.title.trim().is_empty() {
            String::new()
        } else {
            format!("{}  ", one_line(&e.title))
        };
        let _ = writeln!(out, "        {way:<7} {title}{}", one_line(&e.url));
    }
}

/// `* [pinned] [group "Work", green] [container 2] Title`; `*` marks the active tab.
fn tab_line(t: &Tab, w: Option<&Window>) -> String {
    let mut line = String::from(if t.active { "* " } else { "  " });
    if t.pinned {
        line.push_str("[pinned] ");
    }
    if let Some(g) = t.group.and_then(|id| w?.groups.iter().find(|g| g.id == id)) {
        let _ = write!(line, "[group \"{}\", {}] ", one_line(&g.title), g.color);
    }
    if let Some(c) = &t.container {
        let _ = write!(line, "[container {}] ", one_line(c.name.as_deref().unwrap_or(&c.cookie_store_id)));
    }
    // A page without a title is known by its address.
    line.push_str(&one_line(if t.title.trim().is_empty() { &t.url } else { &t.title }));
    line
}

/// Titles come from web pages: no control characters reach the terminal.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lifeboat::import::{ClosedTab, Format, Imported};
    use lifeboat::model::{Session, TabGroup};

    #[test]
    fn text_marks_and_escapes() {
        let tab = |url: &str, title: &str| Tab {
            url: url.into(),
            title: title.into(),
            ..Default::default()
        };
        let mut a = tab("https://a/", "A\u{1b}[31m");
        a.pinned = true;
        a.active = true;
        a.group = Some(1);
        let w = Window {
            focused: true,
            tabs: vec![a, tab("https://b/", "")],
            groups: vec![TabGroup {
                id: 1,
                title: "Work".into(),
                color: "green".into(),
                collapsed: false,
            }],
            ..Default::default()
        };
        let l = Loaded {
            format: Format::ChromiumSession,
            imported: Imported {
                sessions: vec![("S".into(), Session { windows: vec![w] })],
                saved_at: vec![Some(0)],
                notes: vec![lifeboat::message::NOTE_FILE_TORN.msg()],
                closed_tabs: vec![ClosedTab {
                    window: 1,
                    closed_at: None,
                    tab: tab("https://c/", "C"),
                }],
                history: vec![TabHistory {
                    session: 0,
                    window: 0,
                    tab: 0,
                    entries: ["https://old/", "https://a/", "https://new/"]
                        .map(|u| lifeboat::import::HistoryEntry {
                            url: u.into(),
                            title: String::new(),
                            ..Default::default()
                        })
                        .to_vec(),
                    current: 1,
                }],
            },
            modified: None,
        };
        let got = text(Path::new("f"), &l);
        assert!(got.contains("S: 1 window, 2 tabs, saved 1970-01-01 00:00 UTC"), "{got}");
        assert!(got.contains("  Window 1 (focused): 2 tabs"), "{got}");
        assert!(got.contains("* [pinned] [group \"Work\", green] A [31m"), "{got}");
        assert!(
            got.contains("    https://b/\n") && !got.contains("      https://b/"),
            "untitled shows its address once: {got}"
        );
        assert!(got.contains("Recently closed tabs: 1") && got.contains("C (from window 1)"), "{got}");
        assert!(!got.contains('\u{1b}'));
        assert!(
            got.contains("      https://a/\n        back    https://old/\n        forward https://new/\n"),
            "{got}"
        );
        let doc = document(Path::new("f"), &l);
        assert_eq!(doc["sessions"][0]["windows"][0]["tabs"][0]["pinned"], true);
        assert_eq!(doc["closedTabs"][0]["tab"]["url"], "https://c/");
        assert_eq!(doc["sessions"][0]["windows"][0]["tabs"][0]["history"]["current"], 1);
        assert_eq!(doc["sessions"][0]["windows"][0]["tabs"][0]["history"]["entries"][2]["url"], "https://new/");
    }
}
