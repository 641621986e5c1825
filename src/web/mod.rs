//! The browser edge: the only code that knows wasm-bindgen and the
//! WebExtension APIs. `extension/background.js` calls the three exports.

pub mod dto;

#[cfg(target_arch = "wasm32")]
mod actor;
#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
pub mod idb;
#[cfg(target_arch = "wasm32")]
mod restorer;

#[cfg(target_arch = "wasm32")]
pub use exports::*;

#[cfg(target_arch = "wasm32")]
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
    /// background.js, so that start-up counts loading the WASM too.
    pub fn start(script_start: f64) {
        console_error_panic_hook::set_once();
        let (tx, rx) = mpsc::unbounded();
        INBOX.with(|i| *i.borrow_mut() = Some(tx.clone()));
        super::api::create_alarm(crate::keys::MINUTE_ALARM, 1.0);
        super::api::clear_alarm(crate::keys::OLD_MINUTE_ALARM);
        wasm_bindgen_futures::spawn_local(actor::run(rx, tx, script_start));
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
