//! What every importer shares: which URLs may enter a session, counting tabs
//! against the limit, tidying each session, and the notes on what was left
//! out. Importers only translate their format; every decision is here.

use super::{HistoryEntry, ImportError, Imported, TabHistory, MAX_HISTORY, MAX_TABS};
#[cfg(test)]
pub use crate::import_check::max_field_chars;
pub(crate) use crate::import_check::tidy;
use crate::import_check::{cap_text, judge, Verdict, MAX_TEXT_CHARS};
#[cfg(test)]
use crate::import_check::{field_name, MAX_URL};
use crate::message::{self, Arg, Def, Message};
use crate::model::{Field, FieldValue, Millis, Session, Tab};
use crate::msg;

/// Counted notes: the same message is given once, with how many times.
#[derive(Default)]
struct Tally(Vec<(Def, Vec<Arg>, usize)>);

impl Tally {
    fn add(&mut self, def: Def, why: Vec<Arg>, n: usize) {
        match self.0.iter_mut().find(|(d, w, _)| d.key == def.key && *w == why) {
            Some(entry) => entry.2 += n,
            None => self.0.push((def, why, n)),
        }
    }

    /// Each as its plural message: the count, then the other arguments.
    fn sentences(self) -> impl Iterator<Item = Message> {
        self.0.into_iter().map(|(def, why, n)| {
            let mut args = vec![Arg::from(n)];
            args.extend(why);
            def.with(args)
        })
    }
}

pub(crate) struct Collector {
    out: Imported,
    tally: Tally,
    notes: Vec<Message>,
    tabs: usize,
    /// Histories of the session being built: (window, tab) as the importer
    /// built it, before `session` tidies it.
    histories: Vec<(usize, usize, Vec<HistoryEntry>, usize)>,
}

impl Collector {
    pub fn new() -> Self {
        Self {
            out: Imported::default(),
            tally: Tally::default(),
            notes: Vec::new(),
            tabs: 0,
            histories: Vec::new(),
        }
    }

    /// The back/forward history of the tab at (`window`, `tab`) of the
    /// session being built, oldest first, `current` the page it shows.
    /// Entries whose URL no tab could keep are left out; the `MAX_HISTORY`
    /// nearest the current page are kept; one page alone is no history.
    pub fn history(&mut self, window: usize, tab: usize, entries: Vec<HistoryEntry>, current: usize) {
        let mut current = current.min(entries.len().saturating_sub(1));
        let mut kept = Vec::new();
        for (i, mut e) in entries.into_iter().enumerate() {
            match judge(&e.url) {
                Verdict::Open(url) | Verdict::Kept(url, _) => {
                    e.url = url;
                    kept.push(e);
                }
                Verdict::Dropped(_) if i < current => current -= 1,
                Verdict::Dropped(_) => {}
            }
        }
        let current = current.min(kept.len().saturating_sub(1));
        let start = current.saturating_sub(MAX_HISTORY / 2).min(kept.len().saturating_sub(MAX_HISTORY));
        let kept: Vec<HistoryEntry> = kept.into_iter().skip(start).take(MAX_HISTORY).collect();
        if kept.len() > 1 {
            self.histories.push((window, tab, kept, current - start));
        }
    }

    /// Counts one more tab read from the file (whether kept or not) and
    /// returns the URL to keep, or `None` when the tab is left out (noted).
    pub fn tab_url(&mut self, raw: &str) -> Result<Option<String>, ImportError> {
        self.tabs += 1;
        if self.tabs > MAX_TABS {
            return Err(ImportError::TooManyTabs { limit: MAX_TABS });
        }
        Ok(match judge(raw) {
            Verdict::Open(url) => Some(url),
            Verdict::Kept(url, reason) => {
                self.tally.add(message::N_NOTE_TABS_KEPT, vec![reason.into()], 1);
                Some(url)
            }
            Verdict::Dropped(reason) => {
                self.tally.add(message::N_NOTE_TABS_LEFT_OUT, vec![reason.into()], 1);
                None
            }
        })
    }

    /// A recently closed tab, listed for `lifeboat show` only: counted
    /// against the limit, dropped quietly when its URL may not be kept (the
    /// importer's own note already says closed tabs are not imported).
    pub fn closed_tab(&mut self, mut closed: super::ClosedTab) -> Result<(), ImportError> {
        self.tabs += 1;
        if self.tabs > MAX_TABS {
            return Err(ImportError::TooManyTabs { limit: MAX_TABS });
        }
        if let Verdict::Open(url) | Verdict::Kept(url, _) = judge(&closed.tab.url) {
            closed.tab.url = url;
            closed.tab.page = None;
            self.out.closed_tabs.push(closed);
        }
        Ok(())
    }

    /// A URL that is not a tab's (form data's page): kept only if it can be opened.
    pub fn page_url(&self, raw: &str) -> Option<String> {
        match judge(raw) {
            Verdict::Open(url) => Some(url),
            _ => None,
        }
    }

    pub fn favicon(&mut self, raw: Option<&str>) -> Option<String> {
        let raw = raw?.trim();
        if raw.is_empty() {
            return None;
        }
        let kept = crate::import_check::favicon(Some(raw));
        if kept.is_none() {
            self.count(message::N_NOTE_FAVICONS);
        }
        kept
    }

    /// A form field from the file, if the privacy rules every kept field
    /// passes (`privacy::keep_field`) let it in; else noted. The file does not
    /// say what kind of element the field was: it is inferred from the value
    /// and the key (`#id`, `@form/name/n`, or a path with `[@name='…']`).
    pub fn field(&mut self, key: String, value: FieldValue, truncated: bool) -> Option<Field> {
        match crate::import_check::field(key, value, truncated) {
            Ok(f) => Some(f),
            Err(reason) => {
                self.tally.add(message::N_NOTE_FIELDS, vec![reason.msg().into()], 1);
                None
            }
        }
    }

    /// Notes one more of something: `def` is a plural family whose only
    /// placeholder is the count (`N_NOTE_HIDDEN_TABS`: "3 hidden tabs …").
    pub fn count(&mut self, def: Def) {
        self.count_n(def, 1);
    }

    pub fn count_n(&mut self, def: Def, n: usize) {
        self.count_with(def, Vec::new(), n);
    }

    /// `n` more of a plural family whose placeholders after the count are `rest`.
    pub fn count_with(&mut self, def: Def, rest: Vec<Arg>, n: usize) {
        if n > 0 {
            self.tally.add(def, rest, n);
        }
    }

    /// A note of its own, e.g. on how a file ended.
    pub fn note(&mut self, sentence: Message) {
        self.notes.push(sentence);
    }

    /// Notes values of an unexpected type that were taken as absent.
    pub fn odd_values(&mut self, n: usize) {
        if n > 0 {
            self.notes.push(msg!(message::N_NOTE_ODD_VALUES, n));
        }
    }

    /// Adds a session after tidying it: windows without tabs go, each window
    /// gets exactly one active tab and only the groups its tabs use, ids are
    /// renumbered. A session left with no tabs is noted, not added.
    pub fn session(&mut self, name: String, saved_at: Option<Millis>, mut session: Session) {
        // Where each window will be once the empty ones are gone.
        let mut position = Vec::with_capacity(session.windows.len());
        let mut kept = 0;
        for w in &session.windows {
            position.push(kept);
            kept += usize::from(!w.tabs.is_empty());
        }
        let histories = std::mem::take(&mut self.histories);
        tidy(&mut session);
        if session.windows.is_empty() {
            self.notes.push(msg!(message::NOTE_NO_TABS_LEFT, name));
            return;
        }
        let index = self.out.sessions.len();
        for (window, tab, entries, current) in histories {
            if let Some(&window) = position.get(window) {
                let fits = session.windows.get(window).is_some_and(|w| tab < w.tabs.len());
                if fits {
                    // The pages before the current one become the tab's history.
                    let before = &entries[..current.min(entries.len())];
                    session.windows[window].tabs[tab].history = before[before.len().saturating_sub(crate::model::MAX_HISTORY)..]
                        .iter()
                        .map(|e| crate::model::Visit {
                            url: e.url.clone(),
                            title: e.title.clone(),
                            at: e.time,
                        })
                        .collect();
                    self.out.history.push(TabHistory {
                        session: index,
                        window,
                        tab,
                        entries,
                        current,
                    });
                }
            }
        }
        self.out.sessions.push((name, session));
        self.out.saved_at.push(saved_at);
    }

    pub fn finish(mut self) -> Result<Imported, ImportError> {
        let mut capped = 0;
        for (name, session) in &mut self.out.sessions {
            capped += cap_text(name) as usize;
            for w in &mut session.windows {
                capped += w.groups.iter_mut().map(|g| cap_text(&mut g.title) as usize).sum::<usize>();
                for t in &mut w.tabs {
                    capped += cap_text(&mut t.title) as usize;
                    if let Some(name) = t.container.as_mut().and_then(|c| c.name.as_mut()) {
                        capped += cap_text(name) as usize;
                    }
                }
            }
        }
        self.out.notes = self.notes;
        self.out.notes.extend(self.tally.sentences());
        if capped > 0 {
            self.out.notes.push(msg!(message::N_NOTE_TEXT_CUT, capped, MAX_TEXT_CHARS));
        }
        if self.out.sessions.is_empty() {
            return Err(ImportError::NothingToImport(self.out.notes));
        }
        Ok(self.out)
    }
}

/// A tab with the fields every format has; the rest stay default.
pub(crate) fn tab(url: String, title: String) -> Tab {
    Tab {
        url,
        title,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{TabGroup, Window};

    #[test]
    fn urls_are_judged_as_a_browser_reads_them() {
        assert_eq!(judge("  https://a/ \n"), Verdict::Open("https://a/".into()));
        assert_eq!(judge("about:newtab"), Verdict::Open("about:newtab".into()));
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "\u{1}javascript:x",
            "jav\r\nascript:x",
            "data:text/html,<script>",
            "blob:https://a/1",
            "view-source:javascript:x",
            "about:reader?url=javascript%3Aalert(1)",
            "not a url",
            "",
        ] {
            assert!(matches!(judge(bad), Verdict::Dropped(_)), "{bad:?}");
        }
        for kept in ["about:config", "file:///home/me/a.pdf", "chrome://settings", "moz-extension://u/p.html"] {
            assert!(matches!(judge(kept), Verdict::Kept(..)), "{kept:?}");
        }
        assert!(matches!(judge(&format!("https://a/{}", "x".repeat(MAX_URL))), Verdict::Dropped(_)));
    }

    #[test]
    fn notes_count_and_nothing_left_is_an_error() {
        let mut c = Collector::new();
        assert_eq!(c.tab_url("javascript:1").unwrap(), None);
        assert_eq!(c.tab_url("javascript:2").unwrap(), None);
        assert_eq!(c.tab_url("about:config").unwrap().as_deref(), Some("about:config"));
        assert_eq!(c.favicon(Some("javascript:x")), None);
        assert_eq!(c.favicon(Some("https://a/f.ico")).as_deref(), Some("https://a/f.ico"));
        let Err(ImportError::NothingToImport(notes)) = c.finish() else { panic!() };
        assert_eq!(notes.len(), 3);
        assert_eq!(notes[0].text, "2 tabs left out: javascript: URLs are never run.");
        assert_eq!(notes[0].key, "nNoteTabsLeftOut");
        assert_eq!(
            notes[0].args[1],
            Arg::Message(message::UNOPENABLE_JAVASCRIPT.msg()),
            "the reason, translated in turn"
        );
        assert!(notes[1].text.starts_with("1 tab kept that an extension cannot reopen"), "{}", notes[1].text);
        assert_eq!(Collector::new().finish(), Err(ImportError::NothingToImport(vec![])));
    }

    #[test]
    fn fields_pass_the_privacy_rules() {
        let mut c = Collector::new();
        let text = |v: &str| FieldValue::Text(v.into());
        assert!(c.field("#q".into(), text("hello"), false).is_some());
        assert!(c.field("#q".into(), text("4111 1111 1111 1111"), false).is_none(), "Luhn-valid card number");
        assert!(c.field("#cc-number".into(), text("12"), false).is_none(), "named like a card");
        assert!(c.field("/xhtml:html/xhtml:body/xhtml:input[@name='cvv']".into(), text("123"), false).is_none());
        assert!(c.field("@f/card_number/0".into(), text("1"), false).is_none());
        let long = c.field("#a".into(), text(&"x".repeat(max_field_chars() + 1)), false).unwrap();
        assert!(long.truncated);
        assert!(c.field("#a".into(), text("x"), true).unwrap().truncated, "a value cut before stays marked");
        let mut long = "é".repeat(MAX_TEXT_CHARS + 10);
        assert!(cap_text(&mut long));
        assert_eq!(long.chars().count(), MAX_TEXT_CHARS);
        assert!(!cap_text(&mut long));
        assert_eq!(field_name("@form[0]/q/2"), "q");
        let notes = c.finish().unwrap_err();
        assert!(
            format!("{notes}").contains("4 form fields not imported") || format!("{notes}").contains("form field"),
            "{notes}"
        );
    }

    #[test]
    fn histories_are_checked_capped_and_follow_their_tab() {
        let entry = |u: String| HistoryEntry { url: u, ..Default::default() };
        let mut c = Collector::new();
        let mut entries: Vec<HistoryEntry> = (0..50).map(|i| entry(format!("https://e/{i}"))).collect();
        entries.insert(3, entry("javascript:alert(1)".into()));
        // Window 1 of the importer's list is empty: tidying removes it.
        c.history(2, 0, entries, 31); // https://e/30
        c.history(2, 1, vec![entry("https://only/".into())], 0);
        let windows = vec![
            Window {
                tabs: vec![tab("https://a/".into(), "".into())],
                ..Default::default()
            },
            Window::default(),
            Window {
                tabs: vec![tab("https://e/30".into(), "".into()), tab("https://only/".into(), "".into())],
                ..Default::default()
            },
        ];
        c.session("s".into(), None, Session { windows });
        let out = c.finish().unwrap();
        assert_eq!(out.history.len(), 1, "one page alone is no history");
        let h = &out.history[0];
        assert_eq!((h.session, h.window, h.tab), (0, 1, 0));
        assert_eq!(h.entries.len(), MAX_HISTORY);
        assert_eq!(h.entries[h.current].url, "https://e/30");
        assert!(h.entries.iter().all(|e| e.url.starts_with("https://e/")));
    }

    #[test]
    fn tab_limit() {
        let mut c = Collector::new();
        for _ in 0..MAX_TABS {
            c.tab_url("https://a/").unwrap();
        }
        assert_eq!(c.tab_url("https://a/"), Err(ImportError::TooManyTabs { limit: MAX_TABS }));
    }

    #[test]
    fn tidy_renumbers_activates_and_prunes() {
        let mut s = Session {
            windows: vec![
                Window {
                    id: 70,
                    tabs: vec![],
                    ..Default::default()
                },
                Window {
                    id: 9,
                    tabs: vec![tab("https://a/".into(), "".into()), tab("https://b/".into(), "".into())],
                    groups: vec![TabGroup { id: 4, ..Default::default() }, TabGroup { id: 5, ..Default::default() }],
                    ..Default::default()
                },
            ],
        };
        s.windows[1].tabs[0].group = Some(5);
        s.windows[1].tabs[1].group = Some(77);
        s.windows[1].tabs[1].active = true;
        tidy(&mut s);
        let w = &s.windows[0];
        assert_eq!((s.windows.len(), w.id), (1, 1));
        assert_eq!(
            w.tabs.iter().map(|t| (t.id, t.active, t.group)).collect::<Vec<_>>(),
            [(1, false, Some(5)), (2, true, None)]
        );
        assert_eq!(w.groups.len(), 1);
    }
}
