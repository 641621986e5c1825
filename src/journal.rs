//! Deltas between two committed sessions: what a journal record holds, so
//! that the bytes written for a change grow with the change, not with the
//! session. `diff` then `apply` reproduces the newer session exactly.

use crate::model::{Container, Geometry, Millis, PageState, Refused, Session, Tab, TabGroup, Visit, Window, WindowState, MAX_HISTORY};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DeltaOp {
    /// A window's own fields (new or changed); its tabs come as `Tab` ops.
    Window {
        id: i64,
        state: WindowState,
        geometry: Option<Geometry>,
        focused: bool,
        groups: Vec<TabGroup>,
    },
    WindowGone(i64),
    /// Order of the windows, when it changed.
    WindowOrder(Vec<i64>),
    /// A tab, new or changed, in `window`.
    /// (Boxed: a tab dwarfs the other ops; the encoding is the same.)
    Tab {
        window: i64,
        tab: Box<Tab>,
    },
    TabGone {
        window: i64,
        id: i64,
    },
    /// Order of a window's tabs by id, when it changed.
    TabOrder {
        window: i64,
        ids: Vec<i64>,
    },
    /// The fields that changed of a tab already in `window`: a switch of
    /// tabs or a title is a few bytes, not two whole tabs. (Added after the
    /// other ops: records written before it decode as they did.)
    TabPatch {
        window: i64,
        id: i64,
        fields: Vec<TabField>,
    },
}

/// One field of a `Tab`, for `DeltaOp::TabPatch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TabField {
    Url(String),
    Title(String),
    FavIcon(Option<String>),
    Pinned(bool),
    Active(bool),
    Muted(bool),
    Discarded(bool),
    LastAccessed(Option<Millis>),
    Group(Option<i64>),
    Container(Option<Container>),
    Page(Option<PageState>),
    /// (Format 3, added last so earlier records decode as they did.) The
    /// tab's history, whole: rare, when it changed otherwise than by one
    /// page more.
    History(Vec<Visit>),
    /// One page more in the tab's history (the oldest goes past the cap):
    /// a navigation appends, it does not rewrite the list.
    Visited(Visit),
}

/// The fields of `new` that differ from `old` (same tab id).
fn tab_fields(old: &Tab, new: &Tab) -> Vec<TabField> {
    let mut f = Vec::new();
    if old.url != new.url {
        f.push(TabField::Url(new.url.clone()));
    }
    if old.title != new.title {
        f.push(TabField::Title(new.title.clone()));
    }
    if old.fav_icon_url != new.fav_icon_url {
        f.push(TabField::FavIcon(new.fav_icon_url.clone()));
    }
    if old.pinned != new.pinned {
        f.push(TabField::Pinned(new.pinned));
    }
    if old.active != new.active {
        f.push(TabField::Active(new.active));
    }
    if old.muted != new.muted {
        f.push(TabField::Muted(new.muted));
    }
    if old.discarded != new.discarded {
        f.push(TabField::Discarded(new.discarded));
    }
    if old.last_accessed != new.last_accessed {
        f.push(TabField::LastAccessed(new.last_accessed));
    }
    if old.group != new.group {
        f.push(TabField::Group(new.group));
    }
    if old.container != new.container {
        f.push(TabField::Container(new.container.clone()));
    }
    if old.page != new.page {
        f.push(TabField::Page(new.page.clone()));
    }
    if old.history != new.history {
        let mut appended = old.clone();
        match new.history.last() {
            Some(v) => {
                push_visit(&mut appended.history, v.clone());
                f.push(if appended.history == new.history {
                    TabField::Visited(v.clone())
                } else {
                    TabField::History(new.history.clone())
                });
            }
            None => f.push(TabField::History(Vec::new())),
        }
    }
    f
}

fn push_visit(history: &mut Vec<Visit>, v: Visit) {
    history.push(v);
    if history.len() > MAX_HISTORY {
        history.drain(..history.len() - MAX_HISTORY);
    }
}

fn patch(t: &mut Tab, fields: &[TabField]) {
    for field in fields {
        match field {
            TabField::Url(v) => t.url = v.clone(),
            TabField::Title(v) => t.title = v.clone(),
            TabField::FavIcon(v) => t.fav_icon_url = v.clone(),
            TabField::Pinned(v) => t.pinned = *v,
            TabField::Active(v) => t.active = *v,
            TabField::Muted(v) => t.muted = *v,
            TabField::Discarded(v) => t.discarded = *v,
            TabField::LastAccessed(v) => t.last_accessed = *v,
            TabField::Group(v) => t.group = *v,
            TabField::Container(v) => t.container = v.clone(),
            TabField::Page(v) => t.page = v.clone(),
            TabField::History(v) => t.history = v.clone(),
            TabField::Visited(v) => push_visit(&mut t.history, v.clone()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub taken_at: Millis,
    pub ops: Vec<DeltaOp>,
}

impl DeltaOp {
    /// Only tabs' last-access times moved: what a woken background sees of
    /// the tab that was selected while it slept (Firefox), nothing the user
    /// would miss after a crash.
    pub fn is_last_access_only(&self) -> bool {
        matches!(self, DeltaOp::TabPatch { fields, .. } if fields.iter().all(|f| matches!(f, TabField::LastAccessed(_))))
    }
}

impl Delta {
    /// The record without typed text (scroll positions stay): for a backup
    /// the user asked to keep free of it.
    pub fn without_typed_text(mut self) -> Self {
        self.strip(&Refused::ALL_TEXT);
        self
    }

    /// Takes out what `r` refuses; returns how many fields and visits went.
    pub fn strip(&mut self, r: &Refused) -> usize {
        let mut n = 0;
        for op in &mut self.ops {
            match op {
                DeltaOp::Tab { tab, .. } => n += r.strip_page(&mut tab.page) + r.strip_history(&mut tab.history),
                DeltaOp::TabPatch { fields, .. } => {
                    let before = fields.len();
                    fields.retain(|f| !matches!(f, TabField::Visited(v) if (r.visit)(&v.url)));
                    n += before - fields.len();
                    for f in fields {
                        match f {
                            TabField::Page(p) => n += r.strip_page(p),
                            TabField::History(h) => n += r.strip_history(h),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        n
    }
}

fn window_op(w: &Window) -> DeltaOp {
    DeltaOp::Window {
        id: w.id,
        state: w.state,
        geometry: w.geometry,
        focused: w.focused,
        groups: w.groups.clone(),
    }
}

fn same_meta(a: &Window, b: &Window) -> bool {
    a.state == b.state && a.geometry == b.geometry && a.focused == b.focused && a.groups == b.groups
}

/// The ops that turn `old` into `new`.
pub fn diff(old: &Session, new: &Session) -> Vec<DeltaOp> {
    let mut ops = Vec::new();
    let old_windows: HashMap<i64, &Window> = old.windows.iter().map(|w| (w.id, w)).collect();
    for w in &new.windows {
        let before = old_windows.get(&w.id).copied();
        if before.is_none_or(|b| !same_meta(b, w)) {
            ops.push(window_op(w));
        }
        let old_tabs: HashMap<i64, &Tab> = before.map(|b| b.tabs.iter().map(|t| (t.id, t)).collect()).unwrap_or_default();
        for t in &w.tabs {
            match old_tabs.get(&t.id) {
                None => ops.push(DeltaOp::Tab {
                    window: w.id,
                    tab: Box::new(t.clone()),
                }),
                Some(o) if *o != t => ops.push(DeltaOp::TabPatch {
                    window: w.id,
                    id: t.id,
                    fields: tab_fields(o, t),
                }),
                Some(_) => {}
            }
        }
        let new_ids: HashSet<i64> = w.tabs.iter().map(|t| t.id).collect();
        let before_ids: Vec<i64> = before.map(|b| b.tabs.iter().map(|t| t.id).collect()).unwrap_or_default();
        for id in before_ids.iter().filter(|id| !new_ids.contains(id)) {
            ops.push(DeltaOp::TabGone { window: w.id, id: *id });
        }
        // `apply` keeps surviving tabs in their old order and appends new
        // ones: only an order that differs from that needs saying.
        let old_set: HashSet<i64> = before_ids.iter().copied().collect();
        let expected = before_ids
            .iter()
            .copied()
            .filter(|id| new_ids.contains(id))
            .chain(w.tabs.iter().map(|t| t.id).filter(|id| !old_set.contains(id)));
        if !expected.eq(w.tabs.iter().map(|t| t.id)) {
            ops.push(DeltaOp::TabOrder {
                window: w.id,
                ids: w.tabs.iter().map(|t| t.id).collect(),
            });
        }
    }
    let new_ids: Vec<i64> = new.windows.iter().map(|w| w.id).collect();
    for w in &old.windows {
        if !new_ids.contains(&w.id) {
            ops.push(DeltaOp::WindowGone(w.id));
        }
    }
    let kept: Vec<i64> = old.windows.iter().map(|w| w.id).filter(|id| new_ids.contains(id)).collect();
    let appended: Vec<i64> = kept.iter().copied().chain(new_ids.iter().copied().filter(|id| !kept.contains(id))).collect();
    if appended != new_ids {
        ops.push(DeltaOp::WindowOrder(new_ids));
    }
    ops
}

/// Applies `ops` to `session`. Ops that name something absent are ignored:
/// a journal is only replayed onto the checkpoint it was written after.
pub fn apply(session: &mut Session, ops: &[DeltaOp]) {
    for op in ops {
        match op {
            DeltaOp::Window {
                id,
                state,
                geometry,
                focused,
                groups,
            } => {
                let w = match session.window_mut(*id) {
                    Some(w) => w,
                    None => {
                        session.windows.push(Window { id: *id, ..Default::default() });
                        session.windows.last_mut().expect("just pushed")
                    }
                };
                w.state = *state;
                w.geometry = *geometry;
                w.focused = *focused;
                w.groups = groups.clone();
            }
            DeltaOp::WindowGone(id) => session.windows.retain(|w| w.id != *id),
            DeltaOp::WindowOrder(ids) => crate::sorting::sort_by_key(&mut session.windows, |w| ids.iter().position(|i| *i == w.id).unwrap_or(usize::MAX)),
            DeltaOp::Tab { window, tab } => {
                if let Some(w) = session.window_mut(*window) {
                    match w.tabs.iter_mut().find(|t| t.id == tab.id) {
                        Some(t) => *t = (**tab).clone(),
                        None => w.tabs.push((**tab).clone()),
                    }
                }
            }
            DeltaOp::TabPatch { window, id, fields } => {
                if let Some(t) = session.window_mut(*window).and_then(|w| w.tabs.iter_mut().find(|t| t.id == *id)) {
                    patch(t, fields);
                }
            }
            DeltaOp::TabGone { window, id } => {
                if let Some(w) = session.window_mut(*window) {
                    w.tabs.retain(|t| t.id != *id);
                }
            }
            DeltaOp::TabOrder { window, ids } => {
                if let Some(w) = session.window_mut(*window) {
                    let rank: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
                    crate::sorting::sort_by_key(&mut w.tabs, |t| rank.get(&t.id).copied().unwrap_or(usize::MAX));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::test_kit::tab;

    #[test]
    fn one_changed_tab_is_one_op() {
        let tabs: Vec<Tab> = (0..1000).map(|i| tab(i, &format!("https://e.org/{i}"))).collect();
        let old = Session {
            windows: vec![Window {
                id: 1,
                tabs,
                ..Default::default()
            }],
        };
        let mut new = old.clone();
        new.windows[0].tabs[500].url = "https://changed/".into();
        let ops = diff(&old, &new);
        assert_eq!(ops.len(), 1);
        let mut s = old.clone();
        apply(&mut s, &ops);
        assert_eq!(s, new);
        assert!(diff(&new, &new).is_empty());
    }

    #[test]
    fn a_tab_switch_is_two_small_patches() {
        let mut tabs: Vec<Tab> = (0..3).map(|i| tab(i, &format!("https://e.org/{}", "x".repeat(100)))).collect();
        tabs[0].active = true;
        let old = Session {
            windows: vec![Window {
                id: 1,
                tabs,
                ..Default::default()
            }],
        };
        let mut new = old.clone();
        new.windows[0].tabs[0].active = false;
        new.windows[0].tabs[2].active = true;
        let ops = diff(&old, &new);
        assert_eq!(
            ops,
            vec![
                DeltaOp::TabPatch {
                    window: 1,
                    id: 0,
                    fields: vec![TabField::Active(false)]
                },
                DeltaOp::TabPatch {
                    window: 1,
                    id: 2,
                    fields: vec![TabField::Active(true)]
                },
            ]
        );
        let bytes = crate::codec::encode(crate::codec::Kind::Delta, &Delta { taken_at: 1, ops: ops.clone() });
        assert!(bytes.len() < 60, "{} bytes", bytes.len());
        let mut s = old.clone();
        apply(&mut s, &ops);
        assert_eq!(s, new);
    }

    #[test]
    fn a_move_is_an_order_op_only() {
        let old = Session {
            windows: vec![Window {
                id: 1,
                tabs: vec![tab(1, "a"), tab(2, "b"), tab(3, "c")],
                ..Default::default()
            }],
        };
        let mut new = old.clone();
        let t = new.windows[0].tabs.remove(0);
        new.windows[0].tabs.push(t);
        let ops = diff(&old, &new);
        assert_eq!(ops, vec![DeltaOp::TabOrder { window: 1, ids: vec![2, 3, 1] }]);
    }

    fn arb_session() -> impl Strategy<Value = Session> {
        // Small id spaces so that sessions share windows and tabs.
        let tab = (
            0i64..12,
            0u8..4,
            any::<bool>(),
            any::<bool>(),
            0u8..3,
            prop::option::of(0i64..3),
            prop::option::of(0u64..3),
        )
            .prop_map(|(id, u, pinned, active, title, group, last)| Tab {
                id,
                url: format!("https://x/{u}"),
                title: format!("t{title}"),
                pinned,
                active,
                group,
                last_accessed: last,
                page: (title == 2).then(|| PageState {
                    url: format!("https://x/{u}"),
                    scroll: Some((0, i32::from(u))),
                    cut: 0,
                    frames: Vec::new(),
                }),
                ..Default::default()
            });
        let window = (0i64..4, prop::collection::vec(tab, 0..8), any::<bool>()).prop_map(|(id, tabs, focused)| {
            let mut seen = std::collections::HashSet::new();
            let tabs = tabs.into_iter().filter(|t| seen.insert(t.id)).collect();
            Window {
                id,
                tabs,
                focused,
                ..Default::default()
            }
        });
        prop::collection::vec(window, 0..4).prop_map(|ws| {
            let mut seen_w = std::collections::HashSet::new();
            let mut seen_t = std::collections::HashSet::new();
            let windows = ws
                .into_iter()
                .filter(|w| seen_w.insert(w.id))
                .map(|mut w| {
                    w.tabs.retain(|t| seen_t.insert(t.id));
                    w
                })
                .collect();
            Session { windows }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, rng_seed: proptest::test_runner::RngSeed::Fixed(7), failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn diff_then_apply_reproduces_the_new_session(old in arb_session(), new in arb_session()) {
            let mut s = old.clone();
            apply(&mut s, &diff(&old, &new));
            prop_assert_eq!(s, new);
        }
    }
}
