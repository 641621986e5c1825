//! Deltas between two committed sessions: what a journal record holds, so
//! that the bytes written for a change grow with the change, not with the
//! session. `diff` then `apply` reproduces the newer session exactly.

use crate::model::{Geometry, Millis, Session, Tab, TabGroup, Window, WindowState};
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
    Tab {
        window: i64,
        tab: Tab,
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub taken_at: Millis,
    pub ops: Vec<DeltaOp>,
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
            if old_tabs.get(&t.id).is_none_or(|o| *o != t) {
                ops.push(DeltaOp::Tab { window: w.id, tab: t.clone() });
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
            DeltaOp::WindowOrder(ids) => session.windows.sort_by_key(|w| ids.iter().position(|i| *i == w.id).unwrap_or(usize::MAX)),
            DeltaOp::Tab { window, tab } => {
                if let Some(w) = session.window_mut(*window) {
                    match w.tabs.iter_mut().find(|t| t.id == tab.id) {
                        Some(t) => *t = tab.clone(),
                        None => w.tabs.push(tab.clone()),
                    }
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
                    w.tabs.sort_by_key(|t| rank.get(&t.id).copied().unwrap_or(usize::MAX));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tab(id: i64, url: &str) -> Tab {
        Tab {
            id,
            url: url.into(),
            title: format!("t{id}"),
            ..Default::default()
        }
    }

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
        let tab = (0i64..12, 0u8..4, any::<bool>()).prop_map(|(id, u, pinned)| Tab {
            id,
            url: format!("https://x/{u}"),
            pinned,
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
