//! The upgrade path: a store written by an earlier build opens after an
//! extension update with verdict "updated", nothing offered as a crash, and
//! nothing lost. Each fixture was written by the build that changed what is
//! stored: `store-format-1.json` by the one that introduced format 1,
//! `store-format-1-patch.json` by the one whose journal records patch tab
//! fields (`DeltaOp::TabPatch`), `store-format-2.json` by the one that keeps
//! each field's tag, type, name and touched mark (format 2),
//! `store-format-3.json` by the one that keeps each tab's earlier pages
//! (format 3).
//! `LIFEBOAT_WRITE_FIXTURES=1 cargo test --test upgrade` writes the newest
//! one; do that only when adding a fixture for a new change, never to make
//! this test pass.

use lifeboat::codec::{self, Kind};
use lifeboat::event::{Event, TabInfo, WindowInfo};
use lifeboat::journal::{Delta, DeltaOp};
use lifeboat::journal_file::memory::MemoryFiles;
use lifeboat::keeper::Keeper;
use lifeboat::model::{Container, Field, FieldValue, Visit};
use lifeboat::named;
use lifeboat::privacy::RawField;
use lifeboat::protocol::answer::SourceKind;
use lifeboat::settings::{PrivacyLevel, Settings};
use lifeboat::store::block_on;
use lifeboat::store::memory::MemoryBackend;
use lifeboat::store::Backend;
use lifeboat::two_tier::{Opening, TwoTier, LAYOUT};
use lifeboat::verdict::Verdict;
use lifeboat::view;
use std::rc::Rc;

const FIXTURES: [&str; 4] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format-1.json"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format-1-patch.json"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format-2.json"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format-3.json"),
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
        name: "reply".into(),
        touched: true,
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
    block_on(named::create(k.backend(), "Research", vec!["work".into()], k.session().clone(), 5_000)).unwrap();
    let backend = k.backend().clone();
    // The browser crashes; the next run sets the session aside and goes on.
    let mut k = block_on(Keeper::start(backend, OLD_VERSION, ORIGIN, 60_000, true)).unwrap();
    assert_eq!(k.verdict(), Verdict::Crash);
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
    k.backend().clone()
}

/// Checks what every build's store must give after an update; returns the
/// typed field of the crashed session, for checks of what a format keeps.
fn check_after_update<B: Backend>(backend: B) -> Field {
    check_tab_after_update(backend).0
}

/// Checks the store after the update; returns the typed field and the
/// history of the tab that navigated before the crash.
fn check_tab_after_update<B: Backend>(backend: B) -> (Field, Vec<Visit>) {
    let mut k = block_on(Keeper::start(backend, "0.2.0", ORIGIN, 100_000, true)).unwrap();
    assert_eq!(k.verdict(), Verdict::Updated, "an update is not a crash");
    assert_eq!(k.settings().privacy_level, PrivacyLevel::NotOnHttps);
    assert_eq!(k.settings().excluded_sites, vec!["bank.example".to_string()]);
    let sources = block_on(view::sources(&mut k)).unwrap();
    // The update itself is not a crash: only the old build's unresolved crash
    // (never restored or dismissed) is still pending.
    assert!(sources.iter().filter(|s| s.pending).all(|s| s.kind == SourceKind::Crash));
    assert!(sources.iter().filter(|s| s.kind == SourceKind::Updated).all(|s| !s.pending));
    // The crashed session from the old build is still there, whole.
    let crash = sources
        .iter()
        .find(|s| s.kind == SourceKind::Crash)
        .expect("the crash set aside by the old build");
    let snap = block_on(view::load_source(&mut k, &crash.id)).unwrap();
    let w = &snap.session.windows[0];
    assert_eq!(w.tabs.len(), 6);
    assert_eq!(w.tabs[0].url, url(0));
    assert!(w.tabs[0].pinned);
    assert_eq!(w.tabs[3].container.as_ref().unwrap().name.as_deref(), Some("Work"));
    let page = w.tabs[5].page.as_ref().expect("typed text survives");
    assert_eq!(page.scroll, Some((0, 640)));
    assert_eq!(page.typed_fields(), 1);
    let field = page.frames[0].fields[0].clone();
    assert_eq!(field.value, FieldValue::Text("half-written reply".into()));
    let history = w.tabs[5].history.clone();
    // The session of the run before the update.
    let updated = sources.iter().find(|s| s.kind == SourceKind::Updated).expect("the last run's session");
    assert_eq!(updated.tabs, 1);
    // The named save.
    let saves = block_on(named::list(k.backend())).unwrap();
    assert_eq!(saves.len(), 1);
    assert_eq!(saves[0].name, "Research");
    assert_eq!(block_on(named::get(k.backend(), &saves[0].id)).unwrap().session.tab_count(), 6);
    // Every autosave point still restores.
    for s in sources.iter().filter(|s| s.kind == SourceKind::Autosave) {
        block_on(view::load_source(&mut k, &s.id)).unwrap();
    }
    (field, history)
}

#[test]
fn a_store_from_the_current_build_survives_an_update() {
    let (field, history) = check_tab_after_update(write_store());
    assert_eq!((field.tag.as_str(), field.name.as_str(), field.touched), ("textarea", "reply", true));
    assert_eq!(history.iter().map(|v| v.url.as_str()).collect::<Vec<_>>(), [url(5)], "the page the tab left");
}

#[test]
fn every_committed_store_fixture_opens_after_an_update() {
    let newest = FIXTURES[FIXTURES.len() - 1];
    if std::env::var_os("LIFEBOAT_WRITE_FIXTURES").is_some() {
        std::fs::write(newest, write_store().to_json()).unwrap();
    }
    for fixture in FIXTURES {
        let text = std::fs::read_to_string(fixture).unwrap_or_else(|e| panic!("{fixture} is committed: {e}"));
        let (field, history) = check_tab_after_update(MemoryBackend::from_json(&text).unwrap());
        // Before format 3 no tab kept its earlier pages.
        let format_3 = !fixture.contains("store-format-1") && !fixture.contains("store-format-2");
        assert_eq!(history.len(), usize::from(format_3), "{fixture}");
        let format_1 = fixture.contains("store-format-1");
        // Format 1 did not record what a field was: restored by the kind of its value.
        let want = if format_1 { ("", "", false) } else { ("textarea", "reply", true) };
        assert_eq!((field.tag.as_str(), field.name.as_str(), field.touched), want, "{fixture}");
    }
    // Each fixture holds what it was made for.
    let records = |name: &str| {
        let path = FIXTURES.iter().find(|f| f.ends_with(name)).unwrap();
        MemoryBackend::from_json(&std::fs::read_to_string(path).unwrap()).unwrap().data.borrow().clone()
    };
    let patches = records("store-format-1-patch.json")
        .iter()
        .filter(|(k, _)| k.starts_with("jr/"))
        .filter_map(|(_, v)| codec::decode::<Delta>(Kind::Delta, v).ok())
        .flat_map(|d| d.ops)
        .filter(|op| matches!(op, DeltaOp::TabPatch { .. }))
        .count();
    assert!(patches > 0, "the patch fixture has tab patches");
    for (name, version) in [
        ("store-format-1.json", 1),
        ("store-format-1-patch.json", 1),
        ("store-format-2.json", 2),
        ("store-format-3.json", 3),
    ] {
        let newest = records(name).values().filter_map(|v| codec::header(v).ok()).map(|h| h.version).max();
        assert_eq!(newest, Some(version), "{name} holds records of format {version}");
    }
}

/// Issue 12's update: every fixture above was written with everything in
/// the database. After the update the busy records move into the journal
/// file (Firefox) and the same checks hold; a restart opens the file.
#[test]
fn every_store_fixture_moves_into_the_journal_file_with_nothing_lost() {
    for fixture in FIXTURES {
        let db = Rc::new(MemoryBackend::from_json(&std::fs::read_to_string(fixture).unwrap()).unwrap());
        let hot = db
            .data
            .borrow()
            .keys()
            .filter(|k| k.starts_with("ck/") || k.starts_with("jr/") || *k == "run")
            .count();
        let files = MemoryFiles::default();
        let (store, opening) = block_on(TwoTier::open(db.clone(), Some(files.clone()))).unwrap();
        assert!(
            matches!(&opening, Opening::File { moved, .. } if *moved >= hot && hot > 0),
            "{fixture}: {opening:?}"
        );
        assert!(
            db.data.borrow().keys().all(|k| !k.starts_with("ck/") && !k.starts_with("jr/") && k != "run"),
            "{fixture}: moved out of the database"
        );
        check_after_update(store);
        // The next start reads them from the file.
        let (store, opening) = block_on(TwoTier::open(db.clone(), Some(files.restarted()))).unwrap();
        assert!(matches!(&opening, Opening::File { moved: 0, .. }), "{fixture}: {opening:?}");
        let mut k = block_on(Keeper::start(store, "0.2.0", ORIGIN, 200_000, true)).unwrap();
        let sources = block_on(view::sources(&mut k)).unwrap();
        assert!(sources.iter().any(|s| s.kind == SourceKind::Crash), "{fixture}: the old crash is still offered");
    }
}

/// A store a newer Lifeboat laid out differently: this build refuses it
/// with a message and changes nothing, in the database or the file.
#[test]
fn a_store_from_a_newer_lifeboat_is_refused_not_wiped() {
    let db = Rc::new(write_store());
    db.data.borrow_mut().insert("layout".into(), codec::encode(Kind::Layout, &(LAYOUT + 1)));
    let before = db.data.borrow().clone();
    let files = MemoryFiles::default();
    let err = block_on(TwoTier::open(db.clone(), Some(files.clone()))).err().expect("refused");
    assert_eq!(
        err.to_string(),
        format!("stored record layout is unusable: written by a newer Lifeboat (format {})", LAYOUT + 1)
    );
    assert_eq!(*db.data.borrow(), before, "the database is as it was");
    assert!(files.files.borrow().is_empty(), "no journal file was started");
    // Without a file (Chromium) too.
    assert!(block_on(TwoTier::<_, MemoryFiles>::open(db.clone(), None)).is_err());
    assert_eq!(*db.data.borrow(), before);
}

/// The spare copy in `storage.local` as a format-1 build left it (its
/// envelope and the records inside), put back into an emptied database.
#[test]
fn a_format_1_spare_copy_is_put_back_and_read() {
    let old = MemoryBackend::from_json(&std::fs::read_to_string(FIXTURES[1]).unwrap()).unwrap();
    let records: Vec<(String, Vec<u8>)> = old.data.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    assert!(records.iter().all(|(_, v)| codec::header(v).unwrap().version == 1));
    // `backstop::Spare` is (written_at, records): postcard lays a struct out as this tuple.
    let mut spare = codec::encode(Kind::Spare, &(50_000u64, records));
    spare[4..6].copy_from_slice(&1u16.to_le_bytes());
    let crc = {
        let mut h = crc32fast::Hasher::new();
        h.update(&spare[0..16]);
        h.update(&spare[codec::HEADER_LEN..]);
        h.finalize()
    };
    spare[16..20].copy_from_slice(&crc.to_le_bytes());
    let emptied = MemoryBackend::default();
    emptied.spare.borrow_mut().insert("session".into(), spare);
    let field = check_after_update(emptied);
    assert_eq!(field.tag, "", "format 1 did not record the tag");
}
