//! IndexedDB as the store's `Backend`.
//!
//! Why IndexedDB and not `storage.local`: it keeps binary values as they are
//! in both browsers (Chrome's storage.local would need base64, a third more
//! bytes), and one transaction spans several keys, which is the atomic batch
//! the store relies on. Both browsers keep an extension's IndexedDB with
//! `unlimitedStorage` and across restarts.

use crate::store::{Backend, Op, StoreError};
use futures_channel::oneshot;
use js_sys::{Array, Uint8Array};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbFactory, IdbKeyRange, IdbRequest, IdbTransaction, IdbTransactionMode};

#[wasm_bindgen]
extern "C" {
    /// `transaction(store, mode, { durability })`: web-sys has it only
    /// behind its unstable-APIs flag.
    #[wasm_bindgen(js_name = IDBDatabase)]
    type RawDatabase;
    #[wasm_bindgen(catch, method, js_name = transaction)]
    fn transaction_with_options(this: &RawDatabase, store: &str, mode: IdbTransactionMode, options: &JsValue) -> Result<IdbTransaction, JsValue>;
}

/// A transaction's durability: "relaxed" is both browsers' default now (the
/// commit survives a browser kill); "strict" syncs it to disk.
#[derive(Clone, Copy)]
enum Durability {
    Default,
    Strict,
}

use crate::keys::{IDB_DATABASE as DB, IDB_RECORDS as STORE, SPARE};

pub struct IdbBackend {
    name: String,
    /// The browser may close a connection (storage pressure, clearing site
    /// data): a transaction that cannot start reopens it once.
    db: std::cell::RefCell<IdbDatabase>,
}

fn err(e: JsValue) -> StoreError {
    StoreError::Backend(super::api::message(&e))
}

/// What a request or transaction answered: its result, or its error.
type Answer = Result<JsValue, JsValue>;

/// The first of a request's or transaction's handlers to run answers.
type Slot = Rc<Cell<Option<oneshot::Sender<Answer>>>>;

fn settle(slot: &Slot, answer: Answer) {
    if let Some(tx) = slot.take() {
        let _ = tx.send(answer);
    }
}

/// Handlers set on a request or transaction, unset and freed when its answer
/// came or nobody waits for it any more. (Handlers made with
/// `Closure::once_into_js` are freed only when they run: the one of the
/// two or three that never runs kept its closure, and what that held, the
/// request with its result or the transaction, for the rest of the
/// background's life.)
struct Handlers {
    unset: Box<dyn Fn()>,
    _closures: Vec<Closure<dyn FnMut()>>,
}

impl Drop for Handlers {
    fn drop(&mut self) {
        (self.unset)();
    }
}

async fn answered(rx: oneshot::Receiver<Answer>, handlers: Handlers) -> Answer {
    let answer = rx.await.unwrap_or_else(|_| Err("IndexedDB gave no answer".into()));
    drop(handlers);
    answer
}

/// Resolves with the request's result, rejects with its error. The handlers
/// are set now, not when the future is first polled: a request made beside
/// another (`scan`) may answer while the first is awaited.
pub fn request(req: &IdbRequest) -> impl std::future::Future<Output = Answer> {
    let (tx, rx) = oneshot::channel();
    let slot: Slot = Rc::new(Cell::new(Some(tx)));
    let ok = {
        let (slot, r) = (slot.clone(), req.clone());
        Closure::<dyn FnMut()>::new(move || settle(&slot, Ok(r.result().unwrap_or(JsValue::UNDEFINED))))
    };
    let fail = {
        let (slot, r) = (slot, req.clone());
        Closure::<dyn FnMut()>::new(move || {
            let e = r.error().ok().flatten().map(JsValue::from).unwrap_or_else(|| "IndexedDB request failed".into());
            settle(&slot, Err(e));
        })
    };
    req.set_onsuccess(Some(ok.as_ref().unchecked_ref()));
    req.set_onerror(Some(fail.as_ref().unchecked_ref()));
    let r = req.clone();
    let handlers = Handlers {
        unset: Box::new(move || {
            r.set_onsuccess(None);
            r.set_onerror(None);
        }),
        _closures: vec![ok, fail],
    };
    answered(rx, handlers)
}

/// Resolves when the transaction is durable, rejects if it aborts.
pub fn done(tx: &IdbTransaction) -> impl std::future::Future<Output = Answer> {
    let (sender, rx) = oneshot::channel();
    let slot: Slot = Rc::new(Cell::new(Some(sender)));
    let ok = {
        let slot = slot.clone();
        Closure::<dyn FnMut()>::new(move || settle(&slot, Ok(JsValue::UNDEFINED)))
    };
    let failed = |slot: Slot, t: IdbTransaction| {
        Closure::<dyn FnMut()>::new(move || {
            let e = t.error().map(JsValue::from).unwrap_or_else(|| "IndexedDB transaction aborted".into());
            settle(&slot, Err(e));
        })
    };
    let fail = failed(slot.clone(), tx.clone());
    let abort = failed(slot, tx.clone());
    tx.set_oncomplete(Some(ok.as_ref().unchecked_ref()));
    tx.set_onerror(Some(fail.as_ref().unchecked_ref()));
    tx.set_onabort(Some(abort.as_ref().unchecked_ref()));
    let t = tx.clone();
    let handlers = Handlers {
        unset: Box::new(move || {
            t.set_oncomplete(None);
            t.set_onerror(None);
            t.set_onabort(None);
        }),
        _closures: vec![ok, fail, abort],
    };
    answered(rx, handlers)
}

impl IdbBackend {
    pub async fn open() -> Result<Self, StoreError> {
        Self::open_named(DB).await
    }

    /// A database of another name: tests use their own.
    pub async fn open_named(name: &str) -> Result<Self, StoreError> {
        let factory: IdbFactory = js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into())
            .map_err(err)?
            .dyn_into()
            .map_err(|_| StoreError::Backend("IndexedDB is not available".into()))?;
        let req = factory.open_with_u32(name, 1).map_err(err)?;
        let upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(move |e: web_sys::IdbVersionChangeEvent| {
            let Some(target) = e.target() else { return };
            let Ok(req) = target.dyn_into::<IdbRequest>() else { return };
            let Ok(result) = req.result() else { return };
            let db: IdbDatabase = result.unchecked_into();
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        });
        req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = request(&req).await.map_err(err)?;
        req.set_onupgradeneeded(None);
        drop(upgrade);
        Ok(Self {
            name: name.to_string(),
            db: std::cell::RefCell::new(db.unchecked_into()),
        })
    }

    fn spare_key(&self, key: &str) -> String {
        format!("{SPARE}{}/{key}", self.name)
    }

    async fn tx(&self, mode: IdbTransactionMode) -> Result<(IdbTransaction, web_sys::IdbObjectStore), StoreError> {
        self.tx_with(mode, Durability::Default).await
    }

    async fn tx_with(&self, mode: IdbTransactionMode, durability: Durability) -> Result<(IdbTransaction, web_sys::IdbObjectStore), StoreError> {
        let open = |db: &IdbDatabase| match durability {
            Durability::Default => db.transaction_with_str_and_mode(STORE, mode),
            Durability::Strict => {
                let options = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&options, &"durability".into(), &"strict".into());
                db.unchecked_ref::<RawDatabase>().transaction_with_options(STORE, mode, &options)
            }
        };
        let first = open(&self.db.borrow());
        let tx = match first {
            Ok(tx) => tx,
            Err(_) => {
                let fresh = Self::open_named(&self.name).await?.db.into_inner();
                *self.db.borrow_mut() = fresh;
                open(&self.db.borrow()).map_err(err)?
            }
        };
        let store = tx.object_store(STORE).map_err(err)?;
        Ok((tx, store))
    }
}

impl Backend for IdbBackend {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let (_tx, store) = self.tx(IdbTransactionMode::Readonly).await?;
        let v = request(&store.get(&key.into()).map_err(err)?).await.map_err(err)?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        Ok(Some(Uint8Array::new(&v).to_vec()))
    }

    async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let (_tx, store) = self.tx(IdbTransactionMode::Readonly).await?;
        let range = IdbKeyRange::bound(&prefix.into(), &format!("{prefix}\u{ffff}").into()).map_err(err)?;
        let keys: Array = request(&store.get_all_keys_with_key(&range).map_err(err)?).await.map_err(err)?.unchecked_into();
        Ok(keys.iter().filter_map(|k| k.as_string()).collect())
    }

    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        // One transaction, two requests over the same range: keys and values
        // come back in the same order.
        let (_tx, store) = self.tx(IdbTransactionMode::Readonly).await?;
        let range = IdbKeyRange::bound(&prefix.into(), &format!("{prefix}\u{ffff}").into()).map_err(err)?;
        let keys = request(&store.get_all_keys_with_key(&range).map_err(err)?);
        let values = request(&store.get_all_with_key(&range).map_err(err)?);
        let keys: Array = keys.await.map_err(err)?.unchecked_into();
        let values: Array = values.await.map_err(err)?.unchecked_into();
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k.as_string()?, Uint8Array::new(&v).to_vec())))
            .collect())
    }

    /// The spare area is `storage.local` (base64: Chrome stores JSON there),
    /// under keys of this database's name, so test databases keep their own.
    async fn spare_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        use base64::Engine as _;
        let Some(text) = super::api::local_get(&self.spare_key(key)).await.map_err(StoreError::Backend)? else {
            return Ok(None);
        };
        Ok(base64::engine::general_purpose::STANDARD.decode(text).ok())
    }

    async fn spare_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        use base64::Engine as _;
        let text = base64::engine::general_purpose::STANDARD.encode(value);
        super::api::local_set(&self.spare_key(key), &text).await.map_err(StoreError::Backend)
    }

    async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        self.write(ops, Durability::Default).await
    }

    async fn commit_durably(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        self.write(ops, Durability::Strict).await
    }
}

impl IdbBackend {
    async fn write(&self, ops: Vec<Op>, durability: Durability) -> Result<(), StoreError> {
        let (tx, store) = self.tx_with(IdbTransactionMode::Readwrite, durability).await?;
        let finished = done(&tx);
        for op in &ops {
            let r = match op {
                Op::Put(k, v) => store.put_with_key(&Uint8Array::from(v.as_slice()), &k.into()).map(|_| ()),
                Op::Delete(k) => store.delete(&k.into()).map(|_| ()),
            };
            if let Err(e) = r {
                let _ = tx.abort();
                let _ = finished.await;
                return Err(err(e));
            }
        }
        finished.await.map(|_| ()).map_err(err)
    }
}
