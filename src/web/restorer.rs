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
pub async fn carry_out<'a>(order: &'a Order, target: Target, can_create_discarded: bool) -> Outcome {
    let mut out = Outcome {
        skipped: order.skipped.clone(),
        ..Default::default()
    };
    let mut focus = None;
    // The rest of a window the browser partly reopened itself joins it.
    let into = |w: &OrderWindow| match target {
        Target::Into(id) => Some(id),
        Target::NewWindows => w.join,
    };
    let one = |w: &'a OrderWindow| async move {
        let mut part = Outcome::default();
        let result = restore_window(w, into(w), can_create_discarded, &mut part).await;
        (w, result, part)
    };
    // Firefox loads nothing it restores, so its windows are restored side by
    // side (each window's creation is a round trip of its own); Chrome's one
    // after another, so that few pages load at once.
    let done = if can_create_discarded {
        futures_util::future::join_all(order.windows.iter().map(one)).await
    } else {
        let mut done = Vec::new();
        for w in &order.windows {
            done.push(one(w).await);
        }
        done
    };
    for (w, result, part) in done {
        out.tabs += part.tabs;
        out.skipped.extend(part.skipped);
        out.notices.extend(part.notices);
        out.pages.extend(part.pages);
        match result {
            Ok(id) => {
                out.windows += usize::from(into(w).is_none());
                if w.focused || into(w).is_some() {
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
    if can_create_discarded {
        // Firefox creates lazy tabs discarded, so nothing loads: they are
        // created CREATE_AT_ONCE at a time (created one after another, each
        // awaited, 200 tabs took about 2 s).
        for chunk in w.tabs.chunks(CREATE_AT_ONCE) {
            let props: Vec<Object> = chunk.iter().map(|t| tab_props(t, win_id, true)).collect();
            let results = futures_util::future::join_all(props.iter().map(|p| api::create_tab(p))).await;
            for (t, result) in chunk.iter().zip(results) {
                created.push(record(t, result, out));
            }
        }
    } else {
        create_and_discard(w, win_id, &mut created, out).await;
    }
    // Tabs created at once may not land in order: then they are moved into it.
    let ids: Vec<i64> = created.iter().flatten().copied().collect();
    if ids.len() > 1 {
        let placed = api::window_tab_ids(win_id).await.unwrap_or_default();
        if !crate::restore::in_order(&placed, &ids) {
            let _ = api::move_tabs_to_end(&ids, win_id).await;
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
    if into.is_none() && w.state != "normal" {
        let p = Object::new();
        set(&p, "state", w.state);
        let _ = api::update_window(win_id, &p).await;
    }
    Ok(win_id)
}

/// Tabs Firefox creates at the same time in a restore (discarded: none loads).
const CREATE_AT_ONCE: usize = 16;
/// Lazy tabs Chrome may have loading at once in a restore (issue 13: at most 4).
const LOADING_AT_ONCE: usize = 4;

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
/// navigation has committed leaves a blank tab that lost its URL. So lazy
/// tabs are created `LOADING_AT_ONCE` at a time, each discarded once the
/// browser reports its URL, and the next created as soon as one is: a big
/// restore never has more than a few pages loading. A tab whose URL has not
/// committed after `GIVE_UP_MS` is left loading rather than empty.
async fn create_and_discard(w: &OrderWindow, win_id: i64, created: &mut Vec<Option<i64>>, out: &mut Outcome) {
    const GIVE_UP_MS: f64 = 6000.0;
    const POLL_MS: u32 = 15;
    let mut loading: Vec<(i64, f64)> = Vec::new();
    let mut next = 0;
    while next < w.tabs.len() || !loading.is_empty() {
        let end = (next + LOADING_AT_ONCE.saturating_sub(loading.len())).min(w.tabs.len());
        let batch = &w.tabs[next..end];
        next = end;
        let props: Vec<Object> = batch.iter().map(|t| tab_props(t, win_id, false)).collect();
        let results = futures_util::future::join_all(props.iter().map(|p| api::create_tab(p))).await;
        for (t, result) in batch.iter().zip(results) {
            let id = record(t, result, out);
            created.push(id);
            if let (Some(id), true) = (id, t.lazy) {
                loading.push((id, api::perf_now()));
            }
        }
        let before = loading.len();
        let (waiting, renamed) = discard_committed(loading.iter().map(|l| l.0).collect()).await;
        rename(created, &mut out.pages, &renamed);
        let now = api::perf_now();
        loading.retain(|(id, since)| waiting.contains(id) && now - since < GIVE_UP_MS);
        // Nothing freed a slot and nothing more can start: wait a moment.
        if loading.len() == before && (next == w.tabs.len() || loading.len() >= LOADING_AT_ONCE) {
            gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
        }
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
    // Asked and discarded all at once: each is a round trip to the browser.
    let tabs = futures_util::future::join_all(ids.iter().map(|&id| api::get_tab(id))).await;
    let is_committed = |t: &Result<JsValue, String>| {
        let url = t.as_ref().ok().and_then(|t| Reflect::get(t, &"url".into()).ok()).and_then(|u| u.as_string());
        url.is_some_and(|u| !u.is_empty() && u != "about:blank")
    };
    let (mut committed, mut waiting) = (Vec::new(), Vec::new());
    for (&id, tab) in ids.iter().zip(&tabs) {
        match tab {
            // Closed meanwhile: nothing to wait for.
            Err(_) => {}
            Ok(_) if is_committed(tab) => committed.push(id),
            Ok(_) => waiting.push(id),
        }
    }
    let discarded = futures_util::future::join_all(committed.iter().map(|&id| api::discard_tab(id))).await;
    let renamed = committed
        .iter()
        .zip(discarded)
        .filter_map(|(&id, d)| d.ok().as_ref().and_then(id_of).filter(|n| *n != id).map(|n| (id, n)))
        .collect();
    (waiting, renamed)
}
