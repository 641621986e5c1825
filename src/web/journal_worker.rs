//! `journal_file::Files` through a dedicated Worker
//! (`extension/journal-worker.js`) that holds the origin-private file
//! system's sync access handles. Firefox's background page can start one;
//! Chromium's service worker cannot (no `Worker` there), and keeps the
//! database for everything (`two_tier`).

use crate::journal_file::Files;
use crate::store::StoreError;
use futures_channel::oneshot;
use futures_util::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Worker)]
    type JsWorker;
    #[wasm_bindgen(constructor, catch, js_class = "Worker")]
    fn new(url: &str) -> Result<JsWorker, JsValue>;
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post(this: &JsWorker, message: &JsValue, transfer: &Array);
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &JsWorker, f: &JsValue);
    #[wasm_bindgen(method, setter)]
    fn set_onerror(this: &JsWorker, f: &JsValue);
}

/// A call the Worker has not answered within this is failed: the store
/// reports it and retries, rather than the background waiting forever.
const ANSWER_WITHIN_MS: u32 = 15_000;

type Pending = Rc<RefCell<HashMap<u32, oneshot::Sender<Result<JsValue, String>>>>>;
type Handler = Closure<dyn FnMut(JsValue)>;

pub struct WorkerFiles {
    worker: JsWorker,
    pending: Pending,
    next: Cell<u32>,
    /// `onmessage` and `onerror`, kept alive with the Worker.
    _handlers: (Handler, Handler),
}

impl WorkerFiles {
    /// The Worker, where this context can start one that has the file system.
    pub fn start() -> Option<Self> {
        if !super::api::global_has(&["Worker"]) || !super::api::global_has(&["navigator", "storage", "getDirectory"]) {
            return None;
        }
        let worker = JsWorker::new(&super::api::runtime_get_url("extension/journal-worker.js")).ok()?;
        let pending: Pending = Rc::default();
        let answers = pending.clone();
        let on_message = Handler::new(move |event: JsValue| {
            let data = Reflect::get(&event, &"data".into()).unwrap_or(JsValue::UNDEFINED);
            let id = Reflect::get(&data, &"id".into()).ok().and_then(|v| v.as_f64()).unwrap_or(-1.0) as u32;
            let Some(reply) = answers.borrow_mut().remove(&id) else { return };
            let error = Reflect::get(&data, &"error".into()).ok().and_then(|e| e.as_string());
            let _ = reply.send(match error {
                Some(e) => Err(e),
                None => Ok(Reflect::get(&data, &"value".into()).unwrap_or(JsValue::NULL)),
            });
        });
        let failed = pending.clone();
        let on_error = Handler::new(move |event: JsValue| {
            let why = super::api::message(&Reflect::get(&event, &"message".into()).unwrap_or(event));
            for (_, reply) in failed.borrow_mut().drain() {
                let _ = reply.send(Err(format!("the journal file's worker failed: {why}")));
            }
        });
        worker.set_onmessage(on_message.as_ref());
        worker.set_onerror(on_error.as_ref());
        Some(Self {
            worker,
            pending,
            next: Cell::new(1),
            _handlers: (on_message, on_error),
        })
    }

    async fn call(&self, op: &str, name: &str, at: u64, len: u64, bytes: Option<&[u8]>) -> Result<JsValue, StoreError> {
        let id = self.next.get();
        self.next.set(id.wrapping_add(1));
        let msg = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&msg, &k.into(), &v);
        };
        set("id", id.into());
        set("op", op.into());
        set("dir", crate::keys::JOURNAL_DIR.into());
        set("name", name.into());
        set("at", (at as f64).into());
        set("len", (len as f64).into());
        let transfer = Array::new();
        if let Some(b) = bytes {
            let array = Uint8Array::from(b);
            transfer.push(&array.buffer());
            set("bytes", array.into());
        }
        let (tx, rx) = oneshot::channel();
        self.pending.borrow_mut().insert(id, tx);
        self.worker.post(&msg, &transfer);
        let answer = match select(rx, TimeoutFuture::new(ANSWER_WITHIN_MS)).await {
            Either::Left((Ok(answer), _)) => answer,
            Either::Left((Err(_), _)) => Err("the journal file's worker stopped".into()),
            Either::Right(_) => {
                self.pending.borrow_mut().remove(&id);
                Err(format!("the journal file's worker did not answer {op} within {} s", ANSWER_WITHIN_MS / 1000))
            }
        };
        answer.map_err(StoreError::Backend)
    }
}

impl Files for WorkerFiles {
    async fn list(&self) -> Result<Vec<String>, StoreError> {
        let v = self.call("list", "", 0, 0, None).await?;
        Ok(Array::from(&v).iter().filter_map(|n| n.as_string()).collect())
    }
    async fn size(&self, name: &str) -> Result<u64, StoreError> {
        let v = self.call("size", name, 0, 0, None).await?;
        v.as_f64()
            .map(|n| n as u64)
            .ok_or_else(|| StoreError::Backend("the journal file's worker gave no size".into()))
    }
    async fn read_at(&self, name: &str, at: u64, len: u64) -> Result<Vec<u8>, StoreError> {
        Ok(Uint8Array::new(&self.call("read", name, at, len, None).await?).to_vec())
    }
    async fn write(&self, name: &str, at: u64, bytes: &[u8]) -> Result<(), StoreError> {
        self.call("write", name, at, 0, Some(bytes)).await.map(drop)
    }
    async fn truncate(&self, name: &str, len: u64) -> Result<(), StoreError> {
        self.call("truncate", name, 0, len, None).await.map(drop)
    }
    async fn flush(&self, name: &str) -> Result<(), StoreError> {
        self.call("flush", name, 0, 0, None).await.map(drop)
    }
    async fn remove(&self, name: &str) -> Result<(), StoreError> {
        self.call("remove", name, 0, 0, None).await.map(drop)
    }
}
