//! What a commit allocates while the user types into one tab of a large
//! session (issue 13 item 2). A journal commit must not copy the session:
//! at 1,000 tabs with history a copy is megabytes, made every half second,
//! and the background's linear memory (which never shrinks) followed that
//! transient up. Its own test binary: the counting allocator sees this test
//! alone.

use lifeboat::event::{Event, TabInfo, WindowInfo};
use lifeboat::heap;
use lifeboat::keeper::Keeper;
use lifeboat::privacy::RawField;
use lifeboat::protocol::Frame;
use lifeboat::store::block_on;
use lifeboat::store::memory::MemoryBackend;

// A bench build installs the counter itself.
#[cfg(not(feature = "bench"))]
#[global_allocator]
static COUNTING: heap::Counting = heap::Counting;

fn tab(id: i64, visit: usize) -> TabInfo {
    TabInfo {
        id,
        window_id: 1,
        index: id as usize,
        url: format!("https://example.org/page/{id}/{visit}?q=a+query+of+some+length"),
        title: format!("Page {id}, visit {visit}: a title of a usual length"),
        ..Default::default()
    }
}

#[test]
fn a_journal_commit_at_1000_tabs_copies_no_session() {
    let mut now = 1_700_000_000_000;
    let mut k = block_on(Keeper::start(MemoryBackend::default(), "1", "ext://own/", now, true)).unwrap();
    k.apply(
        Event::WindowOpened(WindowInfo {
            id: 1,
            normal: true,
            ..Default::default()
        }),
        now,
    );
    for id in 0..1000 {
        k.apply(Event::TabCreated(tab(id, 0)), now);
    }
    // Six pages of history a tab, each step committed.
    for visit in 1..6 {
        for id in 0..1000 {
            k.apply(Event::TabUpdated(tab(id, visit)), now);
        }
        now += 1000;
        block_on(k.commit(now)).unwrap();
    }
    let mut most = 0;
    let mut journal_commits = 0;
    let mut text = String::new();
    for step in 0..20 {
        now += 500;
        text.push_str("typed words ");
        let field = RawField {
            key: "note".into(),
            tag: "textarea".into(),
            name: "note".into(),
            touched: true,
            value: Some(text.clone()),
            ..Default::default()
        };
        let from = Frame {
            tab: 7,
            frame_id: 0,
            url: tab(7, 5).url,
        };
        k.page_report(&from, "", None, &[field], now).unwrap();
        let before = heap::live();
        heap::take_peak();
        let commits = k.commits().0;
        let bytes = block_on(k.commit(now)).unwrap();
        assert!(bytes > 0, "step {step}: the typed text was committed");
        if bytes < 4096 {
            journal_commits += 1;
            most = most.max(heap::take_peak() - before);
        }
        assert_eq!(k.commits().0, commits + 1);
    }
    let live = heap::live();
    assert!(journal_commits >= 15, "most commits of typed text are journal records ({journal_commits})");
    assert!(live > 1_000_000, "the session is large ({live} bytes held)");
    assert!(
        most < live / 20,
        "a journal commit allocated {most} bytes at most, with {live} held: a copy of the session"
    );
}
