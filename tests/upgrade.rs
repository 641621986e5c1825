//! The upgrade path: a store written by an earlier build opens after an
//! extension update with verdict "updated", nothing offered as a crash, and
//! nothing lost. Each fixture was written by the build that changed what is
//! stored: `store-format-1.json` by the one that introduced format 1,
//! `store-format-1-patch.json` by the one whose journal records patch tab
//! fields (`DeltaOp::TabPatch`). `LIFEBOAT_WRITE_FIXTURES=1 cargo test --test
//! upgrade` writes the newest one; do that only when adding a fixture for a
//! new change, never to make this test pass.

use lifeboat::codec::{self, Kind};
use lifeboat::event::{Event, TabInfo, WindowInfo};
use lifeboat::journal::{Delta, DeltaOp};
use lifeboat::keeper::Keeper;
use lifeboat::model::Container;
use lifeboat::named;
use lifeboat::privacy::RawField;
use lifeboat::settings::{PrivacyLevel, Settings};
use lifeboat::store::block_on;
use lifeboat::store::memory::MemoryBackend;
use lifeboat::verdict::Verdict;
use lifeboat::view;

const FIXTURES: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format-1.json"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format-1-patch.json"),
];
const OLD_VERSION: &str = "0.1.0";
const ORIGIN: &str = "moz-extension://fixture/";

fn url(i: usize) -> String {
    format!("https://example.org/article/{i}?ref=fixture")
}

/// What an earlier build leaves: a run with a journal, typed text, a named
/// save and settings; then a crash and a second run, then the update.
fn write_store() -> MemoryBackend {
    let mut k = block_on(Keeper::start(MemoryBackend::default(), OLD_VERSION, ORIGIN, 1_000, true)).unwrap();
    let s = Settings {
        privacy_level: PrivacyLevel::NotOnHttps,
        excluded_sites: vec!["bank.example".into()],
        ..Settings::default()
    };
    block_on(k.set_settings(s)).unwrap();
    k.apply(
        Event::WindowOpened(WindowInfo {
            id: 1,
            normal: true,
            focused: true,
            ..Default::default()
        }),
        1_000,
    );
    for i in 0..6 {
        let mut t = TabInfo {
            id: i as i64,
            window_id: 1,
            index: i,
            url: url(i),
            title: format!("Article {i}"),
            pinned: i == 0,
            ..Default::default()
        };
        if i == 3 {
            t.container = Some(Container {
                cookie_store_id: "firefox-container-2".into(),
                name: Some("Work".into()),
                color: Some("blue".into()),
            });
        }
        k.apply(Event::TabCreated(t), 1_000);
    }
    block_on(k.commit(2_000)).unwrap();
    // Typed text on an http page (the settings keep none on https).
    k.apply(
        Event::TabUpdated(TabInfo {
            id: 5,
            window_id: 1,
            index: 5,
            url: "http://forum.example/reply".into(),
            title: "Reply".into(),
            ..Default::default()
        }),
        3_000,
    );
    let field = RawField {
        key: "#reply".into(),
        tag: "textarea".into(),
        value: Some("half-written reply".into()),
        ..Default::default()
    };
    let frame = lifeboat::protocol::Frame {
        tab: 5,
        frame_id: 0,
        url: "http://forum.example/reply".into(),
    };
    k.page_report(&frame, "", Some((0, 640)), &[field], 3_000).unwrap();
    block_on(k.commit(4_000)).unwrap();
    block_on(named::create(k.store.backend(), "Research", vec!["work".into()], k.session().clone(), 5_000)).unwrap();
    let backend = k.store.backend().clone();
    // The browser crashes; the next run sets the session aside and goes on.
    let mut k = block_on(Keeper::start(backend, OLD_VERSION, ORIGIN, 60_000, true)).unwrap();
    assert_eq!(k.verdict, Verdict::Crash);
    k.apply(
        Event::WindowOpened(WindowInfo {
            id: 7,
            normal: true,
            ..Default::default()
        }),
        60_000,
    );
    k.apply(
        Event::TabCreated(TabInfo {
            id: 70,
            window_id: 7,
            url: url(70),
            title: "After the crash".into(),
            ..Default::default()
        }),
        60_000,
    );
    block_on(k.commit(61_000)).unwrap();
    k.store.backend().clone()
}

fn check_after_update(backend: MemoryBackend) {
    let mut k = block_on(Keeper::start(backend, "0.2.0", ORIGIN, 100_000, true)).unwrap();
    assert_eq!(k.verdict, Verdict::Updated, "an update is not a crash");
    assert_eq!(k.settings.privacy_level, PrivacyLevel::NotOnHttps);
    assert_eq!(k.settings.excluded_sites, vec!["bank.example".to_string()]);
    let sources = block_on(view::sources(&mut k)).unwrap();
    // The update itself is not a crash: only the old build's unresolved crash
    // (never restored or dismissed) is still pending.
    assert!(sources.iter().filter(|s| s.pending).all(|s| s.kind == "crash"));
    assert!(sources.iter().filter(|s| s.kind == "updated").all(|s| !s.pending));
    // The crashed session from the old build is still there, whole.
    let crash = sources.iter().find(|s| s.kind == "crash").expect("the crash set aside by the old build");
    let snap = block_on(view::load_source(&mut k, &crash.id)).unwrap();
    let w = &snap.session.windows[0];
    assert_eq!(w.tabs.len(), 6);
    assert_eq!(w.tabs[0].url, url(0));
    assert!(w.tabs[0].pinned);
    assert_eq!(w.tabs[3].container.as_ref().unwrap().name.as_deref(), Some("Work"));
    let page = w.tabs[5].page.as_ref().expect("typed text survives");
    assert_eq!(page.scroll, Some((0, 640)));
    assert_eq!(page.typed_fields(), 1);
    // The session of the run before the update.
    let updated = sources.iter().find(|s| s.kind == "updated").expect("the last run's session");
    assert_eq!(updated.tabs, 1);
    // The named save.
    let saves = block_on(named::list(k.store.backend())).unwrap();
    assert_eq!(saves.len(), 1);
    assert_eq!(saves[0].name, "Research");
    assert_eq!(block_on(named::get(k.store.backend(), &saves[0].id)).unwrap().session.tab_count(), 6);
    // Every autosave point still restores.
    for s in sources.iter().filter(|s| s.kind == "autosave") {
        block_on(view::load_source(&mut k, &s.id)).unwrap();
    }
}

#[test]
fn a_store_from_the_current_build_survives_an_update() {
    check_after_update(write_store());
}

#[test]
fn every_committed_store_fixture_opens_after_an_update() {
    let newest = FIXTURES[FIXTURES.len() - 1];
    if std::env::var_os("LIFEBOAT_WRITE_FIXTURES").is_some() {
        std::fs::write(newest, write_store().to_json()).unwrap();
    }
    for fixture in FIXTURES {
        let text = std::fs::read_to_string(fixture).unwrap_or_else(|e| panic!("{fixture} is committed: {e}"));
        check_after_update(MemoryBackend::from_json(&text).unwrap());
    }
    // The newest fixture holds what it was made for: a journal record patching a tab.
    let store = MemoryBackend::from_json(&std::fs::read_to_string(newest).unwrap()).unwrap();
    let data = store.data.borrow();
    let patches = data
        .iter()
        .filter(|(k, _)| k.starts_with("jr/"))
        .filter_map(|(_, v)| codec::decode::<Delta>(Kind::Delta, v).ok())
        .flat_map(|d| d.ops)
        .filter(|op| matches!(op, DeltaOp::TabPatch { .. }))
        .count();
    assert!(patches > 0, "the patch fixture has tab patches");
}
