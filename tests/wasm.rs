//! Tests of the WASM bindings, run in headless Chromium by
//! wasm-bindgen-test-runner (through chromedriver): the IndexedDB backend
//! under the real store, and browser objects crossing into the core.
#![cfg(target_arch = "wasm32")]

use lifeboat::codec::{self, Kind};
use lifeboat::model::{Session, Tab, Window};
use lifeboat::store::{Backend, Op, Snapshot, Store};
use lifeboat::web::dto::{BrowserTab, BrowserWindow};
use lifeboat::web::idb::IdbBackend;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn snapshot(t: u64, n: usize) -> Snapshot {
    let tabs = (0..n)
        .map(|i| Tab {
            id: i as i64,
            url: format!("https://example.org/{t}/{i}"),
            title: format!("Tab {i}"),
            ..Default::default()
        })
        .collect();
    Snapshot {
        taken_at: t,
        session: Session {
            windows: vec![Window {
                id: 1,
                tabs,
                ..Default::default()
            }],
        },
    }
}

#[wasm_bindgen_test]
async fn indexeddb_batch_is_applied_whole_and_reads_back_binary() {
    let db = IdbBackend::open_named("test-batch").await.expect("open IndexedDB");
    db.commit(vec![
        Op::Put("t/a".into(), vec![0, 1, 2, 255]),
        Op::Put("t/b".into(), vec![9; 1000]),
        Op::Put("u/c".into(), vec![7]),
    ])
    .await
    .unwrap();
    assert_eq!(db.get("t/a").await.unwrap(), Some(vec![0, 1, 2, 255]));
    assert_eq!(db.keys("t/").await.unwrap(), vec!["t/a".to_string(), "t/b".to_string()]);
    db.commit(vec![Op::Delete("t/a".into())]).await.unwrap();
    assert_eq!(db.get("t/a").await.unwrap(), None);
    assert_eq!(db.get("missing").await.unwrap(), None);
}

/// Every handler Lifeboat sets on an IndexedDB request or transaction is
/// unset once it answered: one left behind keeps the request (and its
/// result) or the transaction alive for the background's whole life (a
/// one-hour soak in Chromium saw the JS heap grow 1.4 MB in 30 minutes).
/// Requests made side by side both answer, the second while the first is
/// awaited.
#[wasm_bindgen_test]
async fn indexeddb_handlers_are_released_once_answered() {
    use lifeboat::web::idb::{done, request};
    use wasm_bindgen::JsCast;
    drop(IdbBackend::open_named("test-handlers").await.expect("create the database"));
    let factory: web_sys::IdbFactory = js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into()).unwrap().unchecked_into();
    let open = factory.open_with_u32("test-handlers", 1).unwrap();
    let db: web_sys::IdbDatabase = request(&open).await.unwrap().unchecked_into();
    assert!(open.onsuccess().is_none() && open.onerror().is_none());
    let tx = db
        .transaction_with_str_and_mode(lifeboat::keys::IDB_RECORDS, web_sys::IdbTransactionMode::Readwrite)
        .unwrap();
    let finished = done(&tx);
    let store = tx.object_store(lifeboat::keys::IDB_RECORDS).unwrap();
    let put = store.put_with_key(&js_sys::Uint8Array::from(&[1u8, 2, 3][..]), &"k".into()).unwrap();
    let get = store.get(&"k".into()).unwrap();
    let (put_answer, get_answer) = (request(&put), request(&get));
    put_answer.await.unwrap();
    let value = get_answer.await.unwrap();
    assert_eq!(js_sys::Uint8Array::new(&value).to_vec(), vec![1, 2, 3]);
    finished.await.unwrap();
    for r in [&put, &get] {
        assert!(r.onsuccess().is_none() && r.onerror().is_none());
    }
    assert!(tx.oncomplete().is_none() && tx.onerror().is_none() && tx.onabort().is_none());
    // A transaction that aborts answers with an error, and is released too.
    let tx = db
        .transaction_with_str_and_mode(lifeboat::keys::IDB_RECORDS, web_sys::IdbTransactionMode::Readwrite)
        .unwrap();
    let finished = done(&tx);
    tx.abort().unwrap();
    assert!(finished.await.is_err());
    assert!(tx.oncomplete().is_none() && tx.onerror().is_none() && tx.onabort().is_none());
    db.close();
}

#[wasm_bindgen_test]
async fn store_over_indexeddb_journals_and_falls_back_to_the_previous_checkpoint() {
    let db = IdbBackend::open_named("test-store").await.unwrap();
    let old: Vec<Op> = db.keys("").await.unwrap().into_iter().map(Op::Delete).collect();
    db.commit(old).await.unwrap();
    let mut store = Store::new(db);
    store.commit(&snapshot(1, 30), None).await.unwrap();
    // Small changes go to the journal after the checkpoint.
    let mut changed = snapshot(2, 30);
    changed.session.windows[0].tabs[0].url = "https://example.org/changed".into();
    let w = store.commit(&changed, None).await.unwrap();
    assert!(!w.checkpoint);
    assert_eq!(store.backend().keys("jr/").await.unwrap().len(), 1);
    let mut reopened = Store::new(IdbBackend::open_named("test-store").await.unwrap());
    assert_eq!(reopened.load_latest().await.unwrap().unwrap().snapshot, changed);
    // A new checkpoint, then damage it: the previous one plus its journal loads.
    store.start_fresh();
    store.commit(&snapshot(3, 30), None).await.unwrap();
    let key = store.backend().keys("ck/").await.unwrap().pop().unwrap();
    let mut bytes = store.backend().get(&key).await.unwrap().unwrap();
    bytes.truncate(bytes.len() / 2);
    store.backend().commit(vec![Op::Put(key, bytes)]).await.unwrap();
    let fallback = reopened.load_latest().await.unwrap().unwrap();
    assert_eq!(fallback.snapshot, changed);
    assert!(fallback.notice.is_some());
}

#[wasm_bindgen_test]
fn browser_objects_cross_into_the_core() {
    let tab = js_sys::JSON::parse(
        r#"{"id":3,"windowId":2,"index":1,"url":"https://a/","title":"A","pinned":true,"mutedInfo":{"muted":false},"groupId":-1,"incognito":false}"#,
    )
    .unwrap();
    let t: BrowserTab = serde_wasm_bindgen::from_value(tab).unwrap();
    let info = t.info(&[]).unwrap();
    assert_eq!((info.id, info.window_id, info.index, info.pinned, info.group_id), (3, 2, 1, true, None));
    let win = js_sys::JSON::parse(r#"{"id":2,"type":"normal","state":"normal","incognito":true,"focused":false,"tabs":[]}"#).unwrap();
    let w: BrowserWindow = serde_wasm_bindgen::from_value(win).unwrap();
    assert!(w.info().unwrap().private);
}

#[wasm_bindgen_test]
fn codec_round_trips_in_wasm() {
    let s = snapshot(9, 100);
    let bytes = codec::encode(Kind::Checkpoint, &s);
    assert_eq!(codec::decode::<Snapshot>(Kind::Checkpoint, &bytes).unwrap(), s);
}
