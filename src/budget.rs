//! Budgets for typed text: what one page, hostile or merely huge, can make
//! Lifeboat keep. A page's own script can fill fields with megabytes and
//! report them again and again; without a bound that text would crowd out
//! the timeline and, past the codec's limit, make the session unreadable.
//!
//! Over budget, the newest text of the fields the user touched wins: the
//! frame just reported before older frames, touched fields before fields
//! only the page's script filled. What is left out is counted, so the
//! restore page can say so.

use crate::model::{Field, FieldValue, FrameFields, Millis, PageState, Session};
use std::collections::HashMap;

/// Bytes a field takes in the budget: its key and its value.
pub fn field_bytes(f: &Field) -> usize {
    let value = match &f.value {
        FieldValue::Text(s) | FieldValue::Editable(s) => s.len(),
        FieldValue::Checked(_) => 1,
        FieldValue::Selected(v) => v.iter().map(|s| s.len() + 1).sum(),
    };
    f.key.len() + value
}

pub fn frame_bytes(f: &FrameFields) -> usize {
    f.fields.iter().map(field_bytes).sum()
}

pub fn page_bytes(p: &PageState) -> usize {
    p.frames.iter().map(frame_bytes).sum()
}

/// Keeps, in `frame`, the fields that fit in `limit` bytes: the ones the
/// user touched first, then the others, each group in page order. Returns
/// how many were left out; the kept fields stay in page order.
pub fn fit_frame(frame: &mut FrameFields, limit: usize) -> usize {
    if frame_bytes(frame) <= limit {
        return 0;
    }
    let mut room = limit;
    let mut keep = vec![false; frame.fields.len()];
    for pass_touched in [true, false] {
        for (i, f) in frame.fields.iter().enumerate() {
            if f.touched != pass_touched {
                continue;
            }
            let n = field_bytes(f);
            if n <= room {
                room -= n;
                keep[i] = true;
            }
        }
    }
    let before = frame.fields.len();
    let mut i = 0;
    frame.fields.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    before - frame.fields.len()
}

/// Trims a tab's page to `limit` bytes, giving up the older frames' text
/// (all frames but `newest`): what only the page's script filled first, then
/// what the user touched, from the last field backwards. Returns the fields
/// left out.
pub fn fit_page(page: &mut PageState, newest: &str, limit: usize) -> usize {
    let mut total = page_bytes(page);
    let mut cut = 0;
    for pass_touched in [false, true] {
        for frame in page.frames.iter_mut().rev().filter(|f| f.frame != newest) {
            let mut i = frame.fields.len();
            while total > limit && i > 0 {
                i -= 1;
                if frame.fields[i].touched == pass_touched {
                    total -= field_bytes(&frame.fields.remove(i));
                    cut += 1;
                }
            }
        }
    }
    page.frames.retain(|f| !f.fields.is_empty());
    cut
}

/// Trims the whole session's typed text to `limit` bytes, taking it from the
/// tabs reported longest ago first (`reported_at`; never reported: oldest),
/// never from `keep_tab`. Returns (tab id, fields left out) per tab cut.
pub fn fit_session(session: &mut Session, keep_tab: i64, reported_at: &HashMap<i64, Millis>, limit: usize) -> Vec<(i64, usize)> {
    let mut total: usize = session
        .windows
        .iter()
        .flat_map(|w| &w.tabs)
        .filter_map(|t| t.page.as_ref())
        .map(page_bytes)
        .sum();
    if total <= limit {
        return Vec::new();
    }
    let mut order: Vec<(Millis, i64)> = session
        .windows
        .iter()
        .flat_map(|w| &w.tabs)
        .filter(|t| t.id != keep_tab && t.page.as_ref().is_some_and(|p| !p.frames.is_empty()))
        .map(|t| (reported_at.get(&t.id).copied().unwrap_or(0), t.id))
        .collect();
    crate::sorting::sort_by_key(&mut order, |x| *x);
    let mut cuts = Vec::new();
    for (_, id) in order {
        if total <= limit {
            break;
        }
        let Some(tab) = session.tab_mut(id) else { continue };
        let Some(page) = tab.page.as_mut() else { continue };
        let bytes = page_bytes(page);
        let fields = page.typed_fields();
        page.frames.clear();
        // A page that had text cut before keeps its count for the restore page.
        if page.is_empty() && page.cut == 0 {
            tab.page = None;
        }
        total -= bytes;
        cuts.push((id, fields));
    }
    cuts
}

/// A token bucket per tab: how often a page may report. A user typing sends
/// at most a couple of reports a second; a page's script could send
/// hundreds, each rewriting its state.
#[derive(Debug, Default)]
pub struct ReportRate {
    buckets: HashMap<i64, (f64, Millis)>,
}

/// Reports a tab may send at once before the rate applies.
const BURST: f64 = 20.0;

impl ReportRate {
    /// Takes one report's token for `tab`, or says how long until the next
    /// one (ms). `per_minute` 0 means unlimited.
    pub fn take(&mut self, tab: i64, per_minute: u32, now: Millis) -> Result<(), u64> {
        if per_minute == 0 {
            return Ok(());
        }
        let per_ms = per_minute as f64 / 60_000.0;
        let (tokens, at) = self.buckets.entry(tab).or_insert((BURST, now));
        *tokens = (*tokens + now.saturating_sub(*at) as f64 * per_ms).min(BURST);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_ms).ceil() as u64)
        }
    }

    pub fn forget(&mut self, tab: i64) {
        self.buckets.remove(&tab);
    }
}

/// How much text only a page's script changed a tab may have kept, per
/// tab: a page that rewrites a big field every second (a log view, or a
/// hostile page scrolling itself to make its content script report) would
/// otherwise have every report rewritten to disk. What the user touched is
/// never held back by it.
#[derive(Debug, Default)]
pub struct ScriptText {
    buckets: HashMap<i64, (f64, Millis)>,
}

/// Bytes of script-changed text a tab may have kept at once (a page that
/// arrives filled), and how many more a minute.
const SCRIPT_BURST: f64 = 1024.0 * 1024.0;
const SCRIPT_PER_MINUTE: f64 = 64.0 * 1024.0;

impl ScriptText {
    /// Holds a frame's report to the budget: fields the user did not touch
    /// whose value changed since `previous` cost their bytes; if the tab
    /// cannot afford them, they keep their previous value (or stay out).
    /// Returns how many were held back.
    pub fn hold(&mut self, tab: i64, frame: &mut FrameFields, previous: Option<&FrameFields>, now: Millis) -> usize {
        let old = |key: &str| previous.and_then(|p| p.fields.iter().find(|f| f.key == key));
        let changed = |f: &Field| !f.touched && old(&f.key).is_none_or(|o| o.value != f.value);
        let cost: usize = frame.fields.iter().filter(|f| changed(f)).map(field_bytes).sum();
        if cost == 0 {
            return 0;
        }
        let (tokens, at) = self.buckets.entry(tab).or_insert((SCRIPT_BURST, now));
        *tokens = (*tokens + now.saturating_sub(*at) as f64 * SCRIPT_PER_MINUTE / 60_000.0).min(SCRIPT_BURST);
        *at = now;
        if cost as f64 <= *tokens {
            *tokens -= cost as f64;
            return 0;
        }
        let mut held = 0;
        frame.fields.retain_mut(|f| {
            if !changed(f) {
                return true;
            }
            held += 1;
            match old(&f.key) {
                Some(o) => {
                    *f = o.clone();
                    true
                }
                None => false,
            }
        });
        held
    }

    pub fn forget(&mut self, tab: i64) {
        self.buckets.remove(&tab);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_kit::{text_field, window_of};

    fn frame(name: &str, fields: &[(&str, usize)]) -> FrameFields {
        FrameFields {
            frame: name.into(),
            url: "https://a/".into(),
            fields: fields.iter().map(|(k, n)| text_field(k, &"x".repeat(*n))).collect(),
        }
    }

    #[test]
    fn touched_fields_win_and_page_order_stays() {
        let mut f = frame("", &[("#a", 98), ("#b", 98), ("#c", 98)]);
        f.fields[2].touched = true;
        let cut = fit_frame(&mut f, 200);
        assert_eq!(cut, 1);
        let keys: Vec<_> = f.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["#a", "#c"], "the touched field, then the first that fits, in page order");
        let mut small = frame("", &[("#a", 10)]);
        assert_eq!(fit_frame(&mut small, 200), 0);
    }

    #[test]
    fn older_frames_give_up_what_the_script_filled_first() {
        let mut old = frame("", &[("#typed", 98), ("#filled", 98)]);
        old.fields[0].touched = true;
        let mut page = PageState {
            url: "https://a/".into(),
            frames: vec![old, frame("iframe[0]", &[("#new", 98)])],
            ..Default::default()
        };
        assert_eq!(fit_page(&mut page, "iframe[0]", 220), 1);
        assert_eq!(page.frames[0].fields[0].key, "#typed");
    }

    #[test]
    fn the_newest_frame_wins_over_older_ones() {
        let mut page = PageState {
            url: "https://a/".into(),
            frames: vec![frame("", &[("#old1", 98), ("#old2", 98)]), frame("iframe[0]", &[("#new", 98)])],
            ..Default::default()
        };
        assert_eq!(fit_page(&mut page, "iframe[0]", 210), 1);
        assert_eq!(page_bytes(&page), 103 + 102);
        assert_eq!(page.frames[1].fields[0].key, "#new");
        assert_eq!(page.frames[0].fields.len(), 1);
    }

    #[test]
    fn the_session_gives_up_the_tabs_reported_longest_ago() {
        let page = |n| PageState {
            url: "https://a/".into(),
            frames: vec![frame("", &[("#t", n)])],
            ..Default::default()
        };
        let mut s = Session {
            windows: vec![window_of(1, &[1, 2, 3])],
        };
        for (i, t) in s.windows[0].tabs.iter_mut().enumerate() {
            t.page = Some(page(98 + i));
        }
        let reported: HashMap<i64, Millis> = [(1, 30), (2, 10), (3, 20)].into();
        // 100 + 101 + 102 bytes; a limit of 250 takes one tab: tab 2, the oldest report.
        let cuts = fit_session(&mut s, 3, &reported, 250);
        assert_eq!(cuts, vec![(2, 1)]);
        assert!(s.windows[0].tabs[1].page.is_none());
        // The tab just reported is never the one cut, even if it is the oldest.
        let cuts = fit_session(&mut s, 1, &HashMap::new(), 100);
        assert_eq!(cuts, vec![(3, 1)]);
    }

    /// A page's script rewriting a big field again and again is held back
    /// once it has used its budget; what the user typed still goes through.
    #[test]
    fn script_changed_text_is_held_to_its_budget() {
        let mut st = ScriptText::default();
        let big = |v: &str, touched: bool| {
            let mut f = text_field(if v == "c" { "#new" } else { "#log" }, &v.repeat(400 * 1024));
            f.touched = touched;
            f
        };
        let mut first = FrameFields {
            frame: String::new(),
            url: "https://a/".into(),
            fields: vec![big("a", false)],
        };
        assert_eq!(st.hold(1, &mut first, None, 0), 0, "a page that arrives filled is kept");
        let mut second = FrameFields {
            fields: vec![big("b", false), big("c", false)],
            ..first.clone()
        };
        // 800 KiB more at once is over what is left of the burst: the changed field keeps its old value, the new one stays out.
        assert_eq!(st.hold(1, &mut second, Some(&first), 1_000), 2);
        assert!(second.fields == first.fields, "the old value stays, the new field is left out");
        let mut mine = FrameFields {
            fields: vec![big("d", true)],
            ..first.clone()
        };
        assert_eq!(st.hold(1, &mut mine, Some(&first), 1_000), 0, "touched text is never held back");
        let mut same = first.clone();
        assert_eq!(st.hold(1, &mut same, Some(&first), 1_000), 0, "unchanged text costs nothing");
        // Ten minutes later the budget has refilled by 640 KiB.
        let mut later = FrameFields {
            fields: vec![big("e", false)],
            ..first.clone()
        };
        assert_eq!(st.hold(1, &mut later, Some(&first), 600_000), 0);
    }

    #[test]
    fn a_tab_that_reports_too_often_waits() {
        let mut r = ReportRate::default();
        for _ in 0..20 {
            assert!(r.take(1, 120, 0).is_ok());
        }
        let wait = r.take(1, 120, 0).unwrap_err();
        assert_eq!(wait, 500, "120 a minute: one every 500 ms");
        assert!(r.take(2, 120, 0).is_ok(), "other tabs have their own bucket");
        assert!(r.take(1, 120, 500).is_ok());
        assert!(r.take(1, 0, 500).is_ok(), "0: unlimited");
    }
}
