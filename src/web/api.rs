//! The WebExtension APIs Lifeboat calls, bound once. `browser` is the promise
//! API in both browsers: the bootstrap sets `globalThis.browser ??= chrome`.
//! Every call is `catch`: an API the browser lacks (tabGroups in an older
//! Firefox, contextualIdentities in Chrome) is an error, not a trap.

use js_sys::{Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabs"], js_name = query)]
    fn tabs_query(q: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabs"], js_name = get)]
    fn tabs_get(id: f64) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabs"], js_name = sendMessage)]
    fn tabs_send_message(id: f64, message: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabs"], js_name = create)]
    fn tabs_create(p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabs"], js_name = update)]
    fn tabs_update(id: f64, p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabs"], js_name = remove)]
    fn tabs_remove(ids: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabs"], js_name = discard)]
    fn tabs_discard(id: f64) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabs"], js_name = move)]
    fn tabs_move(ids: &JsValue, p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabs"], js_name = group)]
    fn tabs_group(p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabGroups"], js_name = update)]
    fn tab_groups_update(id: f64, p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "tabGroups"], js_name = query)]
    fn tab_groups_query(q: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "windows"], js_name = getAll)]
    fn windows_get_all(q: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "windows"], js_name = create)]
    fn windows_create(p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "windows"], js_name = remove)]
    fn windows_remove(id: f64) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "windows"], js_name = update)]
    fn windows_update(id: f64, p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "contextualIdentities"], js_name = query)]
    fn contextual_identities_query(q: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "storage", "session"], js_name = get)]
    fn storage_session_get(key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "storage", "session"], js_name = set)]
    fn storage_session_set(items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "storage", "local"], js_name = get)]
    fn storage_local_get(key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "storage", "local"], js_name = set)]
    fn storage_local_set(items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "storage", "local"], js_name = setAccessLevel)]
    fn storage_local_set_access_level(p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "storage", "sync"], js_name = setAccessLevel)]
    fn storage_sync_set_access_level(p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "storage", "sync"], js_name = get)]
    fn storage_sync_get(keys: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "storage", "sync"], js_name = set)]
    fn storage_sync_set(items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "storage", "sync"], js_name = remove)]
    fn storage_sync_remove(keys: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "action"], js_name = setBadgeText)]
    fn action_set_badge_text(p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "action"], js_name = setTitle)]
    fn action_set_title(p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "action"], js_name = setBadgeBackgroundColor)]
    fn action_set_badge_background_color(p: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "alarms"], js_name = create)]
    fn alarms_create(name: &str, p: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "alarms"], js_name = clear)]
    fn alarms_clear(name: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "contextMenus"], js_name = removeAll)]
    fn context_menus_remove_all() -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "contextMenus"], js_name = create)]
    fn context_menus_create(p: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "i18n"], js_name = getMessage)]
    fn i18n_get_message(key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["browser", "i18n"], js_name = getMessage)]
    fn i18n_get_message_with(key: &str, substitutions: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["browser", "runtime"], js_name = getURL)]
    pub fn runtime_get_url(path: &str) -> String;
    #[wasm_bindgen(js_namespace = ["browser", "runtime"], js_name = getManifest)]
    fn runtime_get_manifest() -> JsValue;
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub fn console_warn(s: &str);
}

/// Whether `browser.<path>` exists: what this browser's APIs offer.
pub fn has(path: &[&str]) -> bool {
    global_has(&[&["browser"], path].concat())
}

/// Whether `globalThis.<path>` exists (`Worker`, `navigator.storage`…).
pub fn global_has(path: &[&str]) -> bool {
    let mut v = js_sys::global().into();
    for name in path {
        match Reflect::get(&v, &JsValue::from_str(name)) {
            Ok(next) if !next.is_undefined() && !next.is_null() => v = next,
            _ => return false,
        }
    }
    true
}

/// A browser API error as a sentence.
pub fn message(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    Reflect::get(e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn call(p: Result<Promise, JsValue>) -> Result<JsValue, String> {
    JsFuture::from(p.map_err(|e| message(&e))?).await.map_err(|e| message(&e))
}

#[cfg(not(feature = "unicode-hosts"))]
#[wasm_bindgen]
extern "C" {
    /// The WHATWG URL class every browser context has.
    #[wasm_bindgen(js_name = URL)]
    type WebUrl;
    #[wasm_bindgen(constructor, catch, js_class = "URL")]
    fn new(url: &str) -> Result<WebUrl, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn hostname(this: &WebUrl) -> String;
}

/// `host` as the browser writes a tab's host (UTS 46 + punycode), by its
/// own URL parser; `None` when it is no valid host.
#[cfg(not(feature = "unicode-hosts"))]
pub fn host_to_ascii(host: &str) -> Option<String> {
    if host.contains(['/', '?', '#', '@', ':', '\\']) {
        return None;
    }
    let url = WebUrl::new(&format!("http://{host}/")).ok()?;
    Some(url.hostname()).filter(|h| !h.is_empty())
}

pub fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    // Plain objects (not Maps), and None as undefined so optional
    // properties are left out rather than sent as null.
    let s = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(false);
    v.serialize(&s).unwrap_or(JsValue::UNDEFINED)
}

pub fn from_js<T: serde::de::DeserializeOwned>(v: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string())
}

pub async fn query_tabs() -> Result<JsValue, String> {
    call(tabs_query(&Object::new())).await
}
pub async fn get_tab(id: i64) -> Result<JsValue, String> {
    call(tabs_get(id as f64)).await
}
pub async fn create_tab(props: &JsValue) -> Result<JsValue, String> {
    call(tabs_create(props)).await
}
pub async fn update_tab(id: i64, props: &JsValue) -> Result<JsValue, String> {
    call(tabs_update(id as f64, props)).await
}
pub async fn remove_tabs(ids: &[i64]) -> Result<JsValue, String> {
    call(tabs_remove(&to_js(ids))).await
}
pub async fn discard_tab(id: i64) -> Result<JsValue, String> {
    call(tabs_discard(id as f64)).await
}
/// Moves the tabs, in this order, to the end of their window (pinned ones
/// to the end of its pinned tabs: the browser keeps them apart).
pub async fn move_tabs_to_end(ids: &[i64], window_id: i64) -> Result<JsValue, String> {
    let p = Object::new();
    let _ = Reflect::set(&p, &"windowId".into(), &(window_id as f64).into());
    let _ = Reflect::set(&p, &"index".into(), &(-1.0).into());
    call(tabs_move(&to_js(ids), &p)).await
}
/// The ids of a window's tabs, in their order.
pub async fn window_tab_ids(window_id: i64) -> Result<Vec<i64>, String> {
    let q = Object::new();
    let _ = Reflect::set(&q, &"windowId".into(), &(window_id as f64).into());
    let tabs = js_sys::Array::from(&call(tabs_query(&q)).await?);
    let mut placed: Vec<(f64, i64)> = tabs
        .iter()
        .filter_map(|t| {
            let index = Reflect::get(&t, &"index".into()).ok()?.as_f64()?;
            let id = Reflect::get(&t, &"id".into()).ok()?.as_f64()?;
            Some((index, id as i64))
        })
        .collect();
    crate::sorting::sort_by(&mut placed, |a, b| a.0.total_cmp(&b.0));
    Ok(placed.into_iter().map(|(_, id)| id).collect())
}
pub async fn group_tabs(props: &JsValue) -> Result<JsValue, String> {
    call(tabs_group(props)).await
}
pub async fn update_group(id: i64, props: &JsValue) -> Result<JsValue, String> {
    call(tab_groups_update(id as f64, props)).await
}
pub async fn query_groups() -> Result<JsValue, String> {
    call(tab_groups_query(&Object::new())).await
}
pub async fn all_windows(populate: bool) -> Result<JsValue, String> {
    let q = Object::new();
    let _ = Reflect::set(&q, &"populate".into(), &populate.into());
    call(windows_get_all(&q)).await
}
pub async fn create_window(props: &JsValue) -> Result<JsValue, String> {
    call(windows_create(props)).await
}
pub async fn update_window(id: i64, props: &JsValue) -> Result<JsValue, String> {
    call(windows_update(id as f64, props)).await
}
pub async fn remove_window(id: i64) -> Result<JsValue, String> {
    call(windows_remove(id as f64)).await
}
pub async fn containers() -> Result<JsValue, String> {
    call(contextual_identities_query(&Object::new())).await
}

/// The browser's session storage: kept across background restarts, emptied
/// when the browser restarts. Answers "is this a new browser run?".
pub async fn session_flag(key: &str) -> Result<bool, String> {
    let got = call(storage_session_get(key)).await?;
    Ok(Reflect::get(&got, &key.into()).map(|v| !v.is_undefined()).unwrap_or(false))
}
/// Keeps content scripts out of `storage.local` and `storage.sync` where the
/// browser can (Chrome); Firefox cannot, which is why nothing typed is kept
/// there. Returns what could not be restricted.
pub async fn restrict_storage() -> Vec<String> {
    let level = Object::new();
    let _ = Reflect::set(&level, &"accessLevel".into(), &"TRUSTED_CONTEXTS".into());
    let mut failed = Vec::new();
    if let Err(e) = call(storage_local_set_access_level(&level)).await {
        failed.push(format!("storage.local: {e}"));
    }
    if let Err(e) = call(storage_sync_set_access_level(&level)).await {
        failed.push(format!("storage.sync: {e}"));
    }
    failed
}

pub async fn set_session_flag(key: &str) -> Result<(), String> {
    set_session_bool(key, true).await
}

pub async fn set_session_bool(key: &str, value: bool) -> Result<(), String> {
    let o = Object::new();
    let _ = Reflect::set(&o, &key.into(), &value.into());
    call(storage_session_set(&o)).await.map(|_| ())
}

pub async fn session_bool(key: &str) -> bool {
    match call(storage_session_get(key)).await {
        Ok(got) => Reflect::get(&got, &key.into()).ok().and_then(|v| v.as_bool()).unwrap_or(false),
        Err(_) => false,
    }
}

/// `storage.local`, another storage area than Lifeboat's IndexedDB (see
/// `spare`). Values are strings: Chrome keeps JSON there, not bytes.
pub async fn local_get(key: &str) -> Result<Option<String>, String> {
    let got = call(storage_local_get(key)).await?;
    Ok(Reflect::get(&got, &key.into()).ok().and_then(|v| v.as_string()))
}
pub async fn local_set(key: &str, value: &str) -> Result<(), String> {
    let o = Object::new();
    let _ = Reflect::set(&o, &key.into(), &value.into());
    call(storage_local_set(&o)).await.map(|_| ())
}

/// A message to a tab's content scripts; a tab without one just fails.
pub async fn message_tab(id: i64, message: &JsValue) {
    let _ = call(tabs_send_message(id as f64, message)).await;
}

/// All of `storage.sync`.
pub async fn sync_get_all() -> Result<JsValue, String> {
    call(storage_sync_get(&JsValue::NULL)).await
}
pub async fn sync_set(items: &JsValue) -> Result<(), String> {
    call(storage_sync_set(items)).await.map(|_| ())
}
pub async fn sync_remove(keys: &[String]) -> Result<(), String> {
    call(storage_sync_remove(&to_js(keys))).await.map(|_| ())
}

/// Red: something is wrong (saving fails).
pub const BADGE_ALERT: &str = "#b3261e";
/// Blue: something waits for the user (a crash to restore or dismiss).
pub const BADGE_WAITING: &str = "#0a5cc2";

pub async fn set_badge(text: &str, title: &str, color: &str) {
    let o = Object::new();
    let _ = Reflect::set(&o, &"text".into(), &text.into());
    let _ = call(action_set_badge_text(&o)).await;
    let c = Object::new();
    let _ = Reflect::set(&c, &"color".into(), &color.into());
    let _ = call(action_set_badge_background_color(&c)).await;
    let t = Object::new();
    let _ = Reflect::set(&t, &"title".into(), &title.into());
    let _ = call(action_set_title(&t)).await;
}

/// A repeating alarm: the minute alarm that commits even if a timer was
/// lost with a suspended background.
pub fn create_alarm(name: &str, period_minutes: f64) {
    let o = Object::new();
    let _ = Reflect::set(&o, &"periodInMinutes".into(), &period_minutes.into());
    if let Err(e) = alarms_create(name, &o) {
        console_warn(&format!("Lifeboat: no minute alarm: {}", message(&e)));
    }
}

/// Removes an alarm (one a previous build made), if there is one.
pub fn clear_alarm(name: &str) {
    let _ = alarms_clear(name);
}

/// A string from `_locales`, or `fallback` (English) when it has none.
pub fn text(key: &str, fallback: &str) -> String {
    i18n_get_message(key)
        .ok()
        .and_then(|v| v.as_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

/// A sentence of the core's in the browser's language (its arguments too),
/// or its English text when `_locales` has no such message.
pub fn translated(m: &crate::message::Message) -> String {
    let subs: Vec<String> = m
        .args
        .iter()
        .map(|a| match a {
            crate::message::Arg::Text(s) => s.clone(),
            crate::message::Arg::Message(inner) => translated(inner),
        })
        .collect();
    i18n_get_message_with(&m.key, &to_js(&subs))
        .ok()
        .and_then(|v| v.as_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| m.text.clone())
}

/// (Re)creates Lifeboat's context-menu item.
pub async fn create_menu(id: &str, title: &str, contexts: &[&str]) {
    let _ = call(context_menus_remove_all()).await;
    let o = Object::new();
    let _ = Reflect::set(&o, &"id".into(), &id.into());
    let _ = Reflect::set(&o, &"title".into(), &title.into());
    let _ = Reflect::set(&o, &"contexts".into(), &to_js(contexts));
    if let Err(e) = context_menus_create(&o) {
        console_warn(&format!("Lifeboat: no context menu: {}", message(&e)));
    }
}

pub async fn open_page(path: &str) {
    let p = Object::new();
    let _ = Reflect::set(&p, &"url".into(), &runtime_get_url(path).into());
    if let Err(e) = create_tab(&p).await {
        console_warn(&format!("Lifeboat: cannot open {path}: {e}"));
    }
}

pub fn extension_version() -> String {
    Reflect::get(&runtime_get_manifest(), &"version".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// `performance.now()` of the background (0.1 ms grain in Chrome, 1 ms in Firefox).
pub fn perf_now() -> f64 {
    Reflect::get(&js_sys::global(), &"performance".into())
        .and_then(|p| Reflect::get(&p, &"now".into()).and_then(|f| js_sys::Function::from(f).call0(&p)))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

pub fn now() -> u64 {
    js_sys::Date::now() as u64
}
