//! Carries out a restore `Order` with the browser's APIs. Decisions (what to
//! open, in which order, lazily or not) were made in `restore::order`; this
//! only sequences the calls and reports what the browser refused.

use super::api::{self, to_js};
use crate::browser::Target;
use crate::model::PageState;
use crate::protocol::answer::Restored as Outcome;
use crate::restore::{Order, OrderWindow, Skipped};
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
    let _ = Reflect::set(o, &k.into(), &v.into());
}

fn id_of(v: &JsValue) -> Option<i64> {
    Reflect::get(v, &"id".into()).ok()?.as_f64().map(|f| f as i64)
}

/// `can_create_discarded`: Firefox creates lazy tabs directly; Chrome cannot,
/// so its tabs are discarded right after they are created.
pub async fn carry_out(order: &Order, target: Target, can_create_discarded: bool) -> Outcome {
    let mut out = Outcome {
        skipped: order.skipped.clone(),
        ..Default::default()
    };
    let mut focus = None;
    for w in &order.windows {
        // The rest of a window the browser partly reopened itself joins it.
        let into = match target {
            Target::Into(id) => Some(id),
            Target::NewWindows => w.join,
        };
        match restore_window(w, into, can_create_discarded, &mut out).await {
            Ok(id) => {
                out.windows += usize::from(into.is_none());
                if w.focused || into.is_some() {
                    focus = Some(id);
                }
            }
            Err(e) => out.notices.push(crate::msg!(crate::message::NOTICE_WINDOW_FAILED, e.to_string())),
        }
    }
    if let Some(id) = focus {
        let p = Object::new();
        set(&p, "focused", true);
        let _ = api::update_window(id, &p).await;
    }
    out
}

/// Closes windows (a "replace" restore, once the new ones are open).
pub async fn close_windows(ids: &[i64]) {
    for id in ids {
        let _ = api::remove_window(*id).await;
    }
}

async fn restore_window(w: &OrderWindow, into: Option<i64>, can_create_discarded: bool, out: &mut Outcome) -> Result<i64, String> {
    let (win_id, placeholder) = match into {
        Some(id) => (id, Vec::new()),
        None => {
            let props = Object::new();
            // A blank placeholder tab, removed once the real tabs exist: the
            // browser's own new-tab page may load things from the network.
            set(&props, "url", "about:blank");
            // Geometry only applies to a normal window; the state is set at the end.
            if let (Some(l), Some(t), Some(wd), Some(h)) = (w.left, w.top, w.width, w.height) {
                set(&props, "left", l);
                set(&props, "top", t);
                set(&props, "width", wd);
                set(&props, "height", h);
            }
            let win = api::create_window(&props).await?;
            let win_id = id_of(&win).ok_or("the browser returned no window")?;
            let placeholder: Vec<i64> = Reflect::get(&win, &"tabs".into())
                .ok()
                .map(|t| js_sys::Array::from(&t).iter().filter_map(|t| id_of(&t)).collect())
                .unwrap_or_default();
            (win_id, placeholder)
        }
    };

    let mut created: Vec<Option<i64>> = Vec::with_capacity(w.tabs.len());
    // Chrome: lazy tabs created but not yet discarded. Each is discarded as
    // soon as its URL has committed, while the next ones are created, so a
    // big restore never has more than a few pages loading at once.
    let mut loading: Vec<i64> = Vec::new();
    if can_create_discarded {
        // Firefox creates lazy tabs discarded, so nothing loads: they are
        // created CREATE_AT_ONCE at a time (one after another, each awaited,
        // 200 tabs took about 2 s), then put in order if they did not land
        // in it.
        for chunk in w.tabs.chunks(CREATE_AT_ONCE) {
            let props: Vec<Object> = chunk.iter().map(|t| tab_props(t, win_id, true)).collect();
            let results = futures_util::future::join_all(props.iter().map(|p| api::create_tab(p))).await;
            for (t, result) in chunk.iter().zip(results) {
                created.push(record(t, result, out));
            }
        }
        let ids: Vec<i64> = created.iter().flatten().copied().collect();
        if ids.len() > 1 {
            let placed = api::window_tab_ids(win_id).await.unwrap_or_default();
            if !crate::restore::in_order(&placed, &ids) {
                let _ = api::move_tabs_to_end(&ids, win_id).await;
            }
        }
    } else {
        for t in &w.tabs {
            let id = record(t, api::create_tab(&tab_props(t, win_id, false)).await, out);
            created.push(id);
            if let (Some(id), true) = (id, t.lazy) {
                loading.push(id);
                let (waiting, renamed) = discard_committed(loading).await;
                loading = waiting;
                rename(&mut created, &mut out.pages, &renamed);
            }
        }
    }

    for (gi, g) in w.groups.iter().enumerate() {
        let ids: Vec<i64> = w
            .tabs
            .iter()
            .zip(&created)
            .filter(|(t, _)| t.group == Some(gi))
            .filter_map(|(_, id)| *id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let p = Object::new();
        set(&p, "tabIds", to_js(&ids));
        let cp = Object::new();
        set(&cp, "windowId", win_id as f64);
        set(&p, "createProperties", cp);
        match api::group_tabs(&p).await {
            Ok(gid) => {
                let u = Object::new();
                set(&u, "title", g.title.as_str());
                set(&u, "color", g.color.as_str());
                set(&u, "collapsed", g.collapsed);
                if let Some(gid) = gid.as_f64() {
                    let _ = api::update_group(gid as i64, &u).await;
                }
            }
            Err(e) => out
                .notices
                .push(crate::msg!(crate::message::NOTICE_GROUP_FAILED, g.title.as_str(), e.to_string())),
        }
    }

    if let Some(active) = w.tabs.iter().zip(&created).find(|(t, _)| t.active).and_then(|(_, id)| *id) {
        let p = Object::new();
        set(&p, "active", true);
        let _ = api::update_tab(active, &p).await;
    }
    for (t, id) in w.tabs.iter().zip(&created) {
        if let (Some(id), true) = (id, t.muted) {
            let p = Object::new();
            set(&p, "muted", true);
            let _ = api::update_tab(*id, &p).await;
        }
    }
    if created.iter().any(Option::is_some) && !placeholder.is_empty() {
        let _ = api::remove_tabs(&placeholder).await;
    }
    if !can_create_discarded {
        discard_once_committed(loading, &mut out.pages).await;
    }
    if into.is_none() && w.state != "normal" {
        let p = Object::new();
        set(&p, "state", w.state);
        let _ = api::update_window(win_id, &p).await;
    }
    Ok(win_id)
}

/// Tabs Firefox creates at the same time in a restore (discarded: none loads).
const CREATE_AT_ONCE: usize = 16;

/// `tabs.create`'s properties for a tab of the order.
fn tab_props(t: &crate::restore::OrderTab, win_id: i64, discarded: bool) -> Object {
    let p = Object::new();
    set(&p, "windowId", win_id as f64);
    if let Some(url) = &t.url {
        set(&p, "url", url.as_str());
    }
    set(&p, "pinned", t.pinned);
    set(&p, "active", false);
    if let Some(c) = &t.cookie_store_id {
        set(&p, "cookieStoreId", c.as_str());
    }
    if t.lazy && discarded {
        set(&p, "discarded", true);
        set(&p, "title", t.title.as_str());
    }
    p
}

/// Counts a created tab and keeps its page state under its id, or notes
/// what the browser refused. Returns the new tab's id.
fn record(t: &crate::restore::OrderTab, result: Result<JsValue, String>, out: &mut Outcome) -> Option<i64> {
    match result {
        Ok(tab) => {
            out.tabs += 1;
            let id = id_of(&tab);
            if let (Some(id), Some(page)) = (id, &t.page) {
                out.pages.push((id, page.clone()));
            }
            id
        }
        Err(e) => {
            out.skipped.push(Skipped {
                url: t.url.clone().unwrap_or_default(),
                reason: crate::msg!(crate::message::BROWSER_REFUSED_TAB, e.to_string()),
            });
            None
        }
    }
}

/// Chrome cannot create a tab discarded, and discarding one before its
/// navigation has committed leaves a blank tab that lost its URL. So each
/// lazy tab is discarded once the browser reports its URL (or gives up after
/// a few seconds, leaving that tab loaded rather than empty).
async fn discard_once_committed(mut ids: Vec<i64>, pages: &mut [(i64, PageState)]) {
    const TRIES: u32 = 60;
    for _ in 0..TRIES {
        let (waiting, renamed) = discard_committed(ids).await;
        rename(&mut [], pages, &renamed);
        ids = waiting;
        if ids.is_empty() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
}

/// Follows tabs whose id changed when they were discarded (Chrome has
/// replaced a discarded tab's contents under a new id).
fn rename(created: &mut [Option<i64>], pages: &mut [(i64, PageState)], renamed: &[(i64, i64)]) {
    for (old, new) in renamed {
        created.iter_mut().filter(|c| **c == Some(*old)).for_each(|c| *c = Some(*new));
        pages.iter_mut().filter(|p| p.0 == *old).for_each(|p| p.0 = *new);
    }
}

/// One pass: discards the tabs whose URL has committed. Returns the others,
/// and (old, new) for a tab the browser gave a new id when discarding it.
async fn discard_committed(ids: Vec<i64>) -> (Vec<i64>, Vec<(i64, i64)>) {
    let mut waiting = Vec::new();
    let mut renamed = Vec::new();
    for id in ids {
        let committed = api::get_tab(id)
            .await
            .ok()
            .and_then(|t| Reflect::get(&t, &"url".into()).ok())
            .and_then(|u| u.as_string())
            .is_some_and(|u| !u.is_empty() && u != "about:blank");
        if committed {
            if let Some(new) = api::discard_tab(id).await.ok().as_ref().and_then(id_of).filter(|n| *n != id) {
                renamed.push((id, new));
            }
        } else {
            waiting.push(id);
        }
    }
    (waiting, renamed)
}
