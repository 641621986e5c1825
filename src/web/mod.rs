//! The browser edge: the only code that knows wasm-bindgen and the
//! WebExtension APIs. `extension/background.js` calls the three exports of
//! the background's module (feature `background`); `www/files.js` calls
//! those of the pages' module (`pages`, feature `pages`).

pub mod dto;

#[cfg(all(target_arch = "wasm32", feature = "background"))]
mod actor;
#[cfg(all(target_arch = "wasm32", feature = "background"))]
mod api;
#[cfg(all(target_arch = "wasm32", feature = "background"))]
pub mod idb;
#[cfg(all(target_arch = "wasm32", feature = "background"))]
mod journal_worker;
#[cfg(all(target_arch = "wasm32", feature = "pages"))]
pub mod pages;
#[cfg(all(target_arch = "wasm32", feature = "background"))]
mod restorer;

#[cfg(all(target_arch = "wasm32", feature = "background"))]
pub use exports::*;

#[cfg(all(target_arch = "wasm32", feature = "background"))]
mod exports {
    use super::actor::{self, Msg};
    use futures_channel::{mpsc, oneshot};
    use js_sys::Promise;
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;

    thread_local! {
        static INBOX: RefCell<Option<mpsc::UnboundedSender<Msg>>> = const { RefCell::new(None) };
    }

    fn send(msg: Msg) -> bool {
        INBOX.with(|i| i.borrow().as_ref().is_some_and(|tx| tx.unbounded_send(msg).is_ok()))
    }

    /// Starts the background: judges the last run, then follows events.
    #[wasm_bindgen]
    /// `script_start`: `performance.now()` at the first line of
    /// background.js, so that start-up counts loading the WASM too;
    /// `wasm_fetched`: when the WASM's fetch answered (NaN if unknown).
    pub fn start(script_start: f64, wasm_fetched: f64) {
        console_error_panic_hook::set_once();
        // Exclusion entries in Unicode: the browser's URL parser, not idna's 141 KB.
        #[cfg(not(feature = "unicode-hosts"))]
        crate::privacy::set_host_to_ascii(super::api::host_to_ascii);
        let (tx, rx) = mpsc::unbounded();
        INBOX.with(|i| *i.borrow_mut() = Some(tx.clone()));
        super::api::create_alarm(crate::keys::MINUTE_ALARM, 1.0);
        super::api::clear_alarm(crate::keys::OLD_MINUTE_ALARM);
        wasm_bindgen_futures::spawn_local(actor::run(rx, tx, script_start, wasm_fetched));
    }

    /// A browser event: the listener's name (`tabs.onCreated`…) and its arguments.
    #[wasm_bindgen]
    pub fn on_event(kind: String, a: JsValue, b: JsValue, c: JsValue) {
        let msg = if kind == "alarms.onAlarm" { Msg::Tick } else { Msg::Browser(kind, a, b, c) };
        send(msg);
    }

    /// A request from one of Lifeboat's pages or its content script, with
    /// the sender as the browser reports it (`url`, `frameId`, `tab.id`);
    /// resolves with the answer.
    #[wasm_bindgen]
    pub fn on_message(request: JsValue, sender: JsValue) -> Promise {
        let (reply, answer) = oneshot::channel();
        let sender = super::api::from_js::<crate::protocol::Sender>(sender).unwrap_or_default();
        let sent = send(Msg::Request(request, sender, reply));
        wasm_bindgen_futures::future_to_promise(async move {
            if !sent {
                return Err(JsValue::from_str("Lifeboat's background is not running"));
            }
            answer.await.map_err(|_| JsValue::from_str("Lifeboat's background stopped before answering"))
        })
    }
}
