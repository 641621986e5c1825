//! Every request answered: parsed, checked against its sender's role, handed
//! to its handler (`view`, `manage`, `named`, the keeper), and followed by
//! what a change of named saves or settings asks for (the spare copy, a sync).

use super::Background;
use crate::browser::Browser;
use crate::keeper::Commit;
use crate::manage;
use crate::message;
use crate::msg;
use crate::named;
use crate::protocol::answer::{Answer, Done, Failure, PageRestoreAnswer, PageStateAnswer, SaveAnswer, Saves, SettingsSaved, Timings};
use crate::protocol::{role, Request, Role, Sender};
use crate::store::Backend;
use crate::view;
use serde_json::Value;

impl<B: Backend> Background<B> {
    /// A message as it arrived: its JSON body and its sender as the browser
    /// reports it.
    pub async fn answer_message(&mut self, browser: &impl Browser, message: Value, sender: &Sender) -> Answer {
        let role = role(sender, self.keeper.own_origin());
        match Request::from_value(message) {
            Ok(r) => self.answer(browser, r, role).await,
            Err(e) => Failure::from(msg!(message::BAD_REQUEST, e.to_string())).into(),
        }
    }

    /// Answers `r` from a sender of `role`; refuses what that role may not ask.
    pub async fn answer(&mut self, browser: &impl Browser, r: Request, role: Role) -> Answer {
        if !r.permitted(&role) {
            return Failure::refused().into();
        }
        let changes_named = matches!(
            r,
            Request::NamedSave { .. }
                | Request::NamedOverwrite { .. }
                | Request::NamedRename { .. }
                | Request::NamedTags { .. }
                | Request::NamedDelete { .. }
                | Request::NamedUndelete { .. }
                | Request::ImportCommit { .. }
        );
        // Turning sync on syncs at once too.
        let syncs = changes_named || matches!(r, Request::SetSettings { .. });
        let answer = self.answer_now(browser, r, role).await;
        if changes_named {
            self.keep_named(browser).await;
        }
        if syncs {
            self.sync(browser).await;
        }
        answer
    }

    /// A request answered from memory alone, which need not wait for a
    /// commit's batch to be written (`Background::begin_commit`): `status`,
    /// which a page polls; a page's report of typed text (applied to the
    /// model, committed next); a loading page asking for typed text when
    /// none waits for its tab (every tab of a storm asks). `None`: any
    /// other, which waits.
    pub async fn answer_while_writing(&mut self, browser: &impl Browser, message: &Value, sender: &Sender) -> Option<Answer> {
        let role = role(sender, self.keeper.own_origin());
        let r = Request::from_value(message.clone()).ok()?;
        if !r.permitted(&role) {
            return None;
        }
        let waits = match (&r, &role) {
            (Request::Status | Request::PageState { .. }, _) => false,
            (Request::PageRestore { .. }, Role::Content(frame)) => self.keeper.expects_page(frame.tab),
            _ => true,
        };
        if waits {
            return None;
        }
        Some(self.answer_now(browser, r, role).await)
    }

    fn status(&self) -> Answer {
        let timings = Timings {
            commit_bytes: self.keeper.last_commit_bytes(),
            ..self.timings.clone()
        };
        view::status(&self.keeper, self.last_sync.clone(), timings).into()
    }

    async fn answer_now(&mut self, browser: &impl Browser, r: Request, role: Role) -> Answer {
        let from = match role {
            Role::Content(frame) => Some(frame),
            _ => None,
        };
        let now = browser.now();
        let store = |e: crate::store::StoreError| Failure::from(e);
        match r {
            Request::Overview => view::overview(&mut self.keeper).await.map_err(store).into(),
            Request::Status => self.status(),
            Request::Plan { source } => {
                let open = self.open_tabs(browser).await;
                let c = self.containers_arg();
                view::plan(&mut self.keeper, &source, &open, c.as_deref())
                    .await
                    .map(|(src, plan)| view::plan_answer(&src, &plan))
                    .map_err(store)
                    .into()
            }
            Request::Restore {
                source,
                select,
                mode,
                duplicates,
            } => self.restore(browser, &source, &select.to_selection(), mode, duplicates).await.into(),
            Request::NamedList => named::list(self.keeper.backend())
                .await
                .map(|saves| Saves { saves, notes: Vec::new() })
                .map_err(store)
                .into(),
            Request::NamedSave {
                name,
                scope,
                window_id,
                tab_ids,
            } => manage::save(&mut self.keeper, &name, scope, window_id, &tab_ids, now).await.into(),
            Request::NamedOverwrite { id } => {
                let session = manage::current_part(&self.keeper, manage::Scope::All, None, &[]);
                named::update(self.keeper.backend(), &id, now, |s| s.session = session)
                    .await
                    .map(|save| SaveAnswer { save })
                    .map_err(store)
                    .into()
            }
            Request::NamedRename { id, name } => named::update(self.keeper.backend(), &id, now, |s| s.meta.name = name)
                .await
                .map(|save| SaveAnswer { save })
                .map_err(store)
                .into(),
            Request::NamedTags { id, tags } => named::update(self.keeper.backend(), &id, now, |s| s.meta.tags = tags)
                .await
                .map(|save| SaveAnswer { save })
                .map_err(store)
                .into(),
            Request::NamedDelete { id } => named::set_deleted(self.keeper.backend(), &id, true, now)
                .await
                .map(|_| Done::OK)
                .map_err(store)
                .into(),
            Request::NamedUndelete { id } => named::set_deleted(self.keeper.backend(), &id, false, now)
                .await
                .map(|_| Done::OK)
                .map_err(store)
                .into(),
            Request::Search { query } => manage::search(&mut self.keeper, &query).await.into(),
            Request::Export { sources, typed_text } => manage::export(&mut self.keeper, &sources, typed_text).await.into(),
            Request::ImportCommit { saves } => manage::commit_import(&mut self.keeper, &saves, now).await.into(),
            Request::OpenVisit { source, window, tab, visit } => match view::visit_url(&mut self.keeper, &source, window, tab, visit).await {
                Ok(Ok(url)) => match browser.open_tab(&url).await {
                    Ok(()) => Done::OK.into(),
                    Err(e) => Failure::from(msg!(message::PAGE_NOT_OPENED, e.to_string())).into(),
                },
                Ok(Err(why)) => Failure::from(why).into(),
                Err(e) => store(e).into(),
            },
            Request::Dismiss { source } => {
                let done = self.keeper.store().settle(&source).await.map(|_| Done::OK).map_err(store);
                self.recount_crashes(browser).await;
                done.into()
            }
            Request::Undismiss { source } => {
                let done = self.keeper.store().unsettle(&source).await.map(|_| Done::OK).map_err(store);
                self.recount_crashes(browser).await;
                done.into()
            }
            Request::Backup { typed_text } => view::backup(&self.keeper, now, typed_text).await.map_err(store).into(),
            #[cfg(feature = "bench")]
            Request::Bench { runs } => Answer::Bench(self.bench(browser, runs)),
            #[cfg(feature = "bench")]
            Request::BenchTimeline { days } => Answer::Bench(self.bench_timeline(browser, days).await),
            Request::Settings => self.keeper.settings().clone().into(),
            Request::SetSettings { settings } => match self.keeper.set_settings(settings).await {
                Ok(commit) => {
                    if commit == Commit::Now {
                        self.commit(browser).await;
                    }
                    SettingsSaved {
                        ok: true,
                        settings: self.keeper.settings().clone(),
                    }
                    .into()
                }
                Err(e) => Failure::from(e.message()).into(),
            },
            Request::PageState { frame, state } => {
                let Some(from) = from else {
                    return PageStateAnswer {
                        ok: false,
                        reason: Some("not from a tab".into()),
                        retry_ms: None,
                    }
                    .into();
                };
                match self.keeper.page_report(&from, &frame, state.scroll, &state.fields, now) {
                    Ok(commit) => {
                        if commit != Commit::Nothing {
                            self.note_pages_pending(browser).await;
                        }
                        if commit == Commit::Now && self.writing {
                            self.commit_soon = true;
                        } else if commit == Commit::Now {
                            self.commit(browser).await;
                        }
                        PageStateAnswer {
                            ok: true,
                            reason: None,
                            retry_ms: None,
                        }
                        .into()
                    }
                    Err(refusal) => PageStateAnswer {
                        ok: false,
                        reason: Some(refusal.reason),
                        retry_ms: refusal.retry_ms,
                    }
                    .into(),
                }
            }
            Request::PageRestore { frame } => {
                let Some(from) = from else { return PageRestoreAnswer { state: None }.into() };
                self.keeper
                    .take_page(&from, &frame)
                    .await
                    .map(|r| view::page_restore(r.as_ref()))
                    .map_err(store)
                    .into()
            }
        }
    }

    /// Times the hot paths inside this background, on the session it holds
    /// (bench builds only): a full snapshot (encode + LZ4 + checksum) and a
    /// one-tab update applied to the model, each over `n` runs.
    #[cfg(feature = "bench")]
    fn bench(&mut self, browser: &impl Browser, n: u32) -> Value {
        use crate::codec::{self, Kind};
        use crate::event::{Event, TabInfo};
        use crate::store::Snapshot;
        use serde_json::json;
        let n = n.max(1);
        // Before this request's own snapshots: what the background holds,
        // and the most it held at once since the last request.
        let (heap_live, heap_peak) = (crate::heap::live(), crate::heap::take_peak());
        let snap = Snapshot {
            taken_at: browser.now(),
            session: self.keeper.session().clone(),
        };
        let t0 = browser.perf_now();
        let mut bytes = 0;
        for _ in 0..n {
            bytes = std::hint::black_box(codec::encode(Kind::Checkpoint, &snap)).len();
        }
        let snapshot_ms = (browser.perf_now() - t0) / n as f64;
        let last = self
            .keeper
            .session()
            .windows
            .iter()
            .flat_map(|w| w.tabs.iter().map(move |t| (w.id, t)))
            .last()
            .map(|(w, t)| (w, t.clone()));
        let mut update_us = Value::Null;
        if let Some((window_id, tab)) = last {
            let t0 = browser.perf_now();
            for i in 0..n {
                let info = TabInfo {
                    id: tab.id,
                    window_id,
                    url: tab.url.clone(),
                    title: tab.title.clone(),
                    muted: i % 2 == 0,
                    ..Default::default()
                };
                self.keeper.apply_to_model(Event::TabUpdated(info));
            }
            update_us = json!((browser.perf_now() - t0) * 1000.0 / n as f64);
            // Put the tab back as it was.
            let info = TabInfo {
                id: tab.id,
                window_id,
                url: tab.url.clone(),
                title: tab.title.clone(),
                muted: tab.muted,
                ..Default::default()
            };
            self.keeper.apply_to_model(Event::TabUpdated(info));
        }
        // The module's linear memory (it grows, never shrinks: its high-water mark).
        #[cfg(target_arch = "wasm32")]
        let wasm_memory = core::arch::wasm32::memory_size(0) * 65_536;
        #[cfg(not(target_arch = "wasm32"))]
        let wasm_memory = 0usize;
        // This request's own snapshots are not the background's: the next
        // request's peak starts after them.
        crate::heap::take_peak();
        json!({ "tabs": snap.session.tab_count(), "runs": n, "snapshotMs": snapshot_ms, "snapshotBytes": bytes, "updateUs": update_us, "startMs": self.timings.start_ms, "wasmMemoryBytes": wasm_memory, "heapLiveBytes": heap_live, "heapPeakBytes": heap_peak })
    }
}

impl<B: Backend> Background<B> {
    /// Writes `days` of autosave timeline behind the session this background
    /// holds (bench builds only): a commit an hour, then one a minute for the
    /// last quarter of an hour, each with a twentieth of the tabs retitled,
    /// through the real commit path (thinning, compaction, the spare copy)
    /// and stamped with those past times. Then the titles are put back and
    /// committed now, so the session held is the one the browser has open.
    /// Memory and start-up are then measured with the store a week of use
    /// leaves, not an empty one (issue 13 item 2).
    #[cfg(feature = "bench")]
    async fn bench_timeline(&mut self, browser: &impl Browser, days: u32) -> Value {
        use crate::event::{Event, TabInfo};
        use crate::model::{Millis, Tab};
        const MINUTE: Millis = 60_000;
        let start = browser.now();
        let tabs: Vec<(i64, usize, Tab)> = self
            .keeper
            .session()
            .windows
            .iter()
            .flat_map(|w| w.tabs.iter().enumerate().map(move |(i, t)| (w.id, i, t.clone())))
            .collect();
        let info = |(window_id, index, t): &(i64, usize, Tab), title: String| TabInfo {
            id: t.id,
            window_id: *window_id,
            index: *index,
            url: t.url.clone(),
            title,
            fav_icon_url: t.fav_icon_url.clone(),
            pinned: t.pinned,
            active: t.active,
            muted: t.muted,
            discarded: t.discarded,
            last_accessed: t.last_accessed,
            group_id: t.group,
            container: t.container.clone(),
            private: false,
        };
        let mut times: Vec<Millis> = (1..=u64::from(days) * 24).rev().map(|h| start.saturating_sub(h * 60 * MINUTE)).collect();
        times.extend((1..=15).rev().map(|m| start.saturating_sub(m * MINUTE)));
        let (t0, step) = (browser.perf_now(), (tabs.len() / 20).max(1));
        let (mut bytes, mut failed) = (0, 0);
        for (k, &at) in times.iter().enumerate() {
            for j in 0..step.min(tabs.len()) {
                let tab = &tabs[(k * step + j) % tabs.len()];
                self.keeper.apply(Event::TabUpdated(info(tab, format!("{} ({k})", tab.2.title))), at);
            }
            match self.keeper.commit_pending(at).await {
                Ok(n) => bytes += n,
                Err(_) => failed += 1,
            }
        }
        let now = browser.now();
        for tab in &tabs {
            self.keeper.apply(Event::TabUpdated(info(tab, tab.2.title.clone())), now);
        }
        let written = self.keeper.commit_pending(now).await;
        serde_json::json!({
            "commits": times.len() + 1,
            "bytes": bytes + written.as_ref().map_or(0, |n| *n),
            "failed": failed + usize::from(written.is_err()),
            "ms": browser.perf_now() - t0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::background::OFFER_PAGE_AGAIN_MS;
    use crate::browser::{Capabilities, SeenTab, Target};
    use crate::keeper::Keeper;
    use crate::protocol::{SenderTab, REFUSED};
    use crate::settings::AfterCrash;
    use crate::store::block_on;
    use crate::store::memory::MemoryBackend;
    use crate::test_kit::{open_window as open, FakeBrowser};
    use serde_json::json;

    const OWN: &str = "moz-extension://me/";
    const FIREFOX: Capabilities = Capabilities {
        create_discarded: true,
        containers: true,
        tab_groups: true,
        tab_menu: true,
    };

    /// A background started after a crash: the last run had window 1 with
    /// two tabs; this run has window 7 with one.
    fn after_a_crash() -> Background<MemoryBackend> {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), "1", OWN, 0, true)).unwrap();
        open(&mut k, 1, &[(1, "https://a.example/"), (2, "https://b.example/")], 0);
        block_on(k.commit(1000)).unwrap();
        let mut k = block_on(Keeper::start(k.backend().clone(), "1", OWN, 5000, true)).unwrap();
        open(&mut k, 7, &[(3, "https://z.example/")], 5000);
        block_on(k.commit(5500)).unwrap();
        Background::new(k, FIREFOX, Vec::new())
    }

    fn browser() -> FakeBrowser {
        let b = FakeBrowser::default();
        b.now.set(6000);
        b
    }

    fn page() -> Sender {
        Sender {
            url: format!("{OWN}www/manager.html"),
            ..Default::default()
        }
    }

    fn content(tab: i64, url: &str) -> Sender {
        Sender {
            url: url.into(),
            frame_id: Some(0),
            tab: Some(SenderTab { id: Some(tab) }),
        }
    }

    fn ask(bg: &mut Background<MemoryBackend>, b: &FakeBrowser, request: Value, from: &Sender) -> Value {
        serde_json::to_value(block_on(bg.answer_message(b, request, from))).unwrap()
    }

    fn crash_id(bg: &Background<MemoryBackend>) -> String {
        bg.keeper.set_aside_key().map(str::to_string).unwrap()
    }

    /// The bench's week of timeline (bench builds): written through the real
    /// commit path, thinned as in use (a point a minute for the last quarter
    /// of an hour, an hour for a day, a day for a week), and the session held
    /// afterwards is the one the browser has open.
    #[cfg(feature = "bench")]
    #[test]
    fn bench_builds_write_a_week_of_timeline_behind_the_session() {
        const DAY: u64 = 86_400_000;
        let (mut bg, b) = (after_a_crash(), browser());
        let titles = |bg: &Background<MemoryBackend>| -> Vec<(i64, String, String)> {
            let s = bg.keeper.session();
            s.windows.iter().flat_map(|w| w.tabs.iter().map(|t| (t.id, t.url.clone(), t.title.clone()))).collect()
        };
        let before = titles(&bg);
        // Half an hour past a day's start: no point on a bucket's edge.
        b.now.set(10 * DAY + 30 * 60_000);
        let written = ask(&mut bg, &b, json!({ "type": "benchTimeline", "days": 7 }), &page());
        assert_eq!(written["commits"], 7 * 24 + 15 + 1);
        assert_eq!(written["failed"], 0);
        assert_eq!(titles(&bg), before, "the titles are put back");
        let overview = ask(&mut bg, &b, json!({ "type": "overview" }), &page());
        let points = overview["sources"].as_array().unwrap().iter().filter(|s| s["kind"] == "autosave").count();
        // Besides the newest (`current`): the 14 minutes before it, the 23
        // hours before those, and 6 days more (the 7th is a week old).
        assert_eq!(points, 14 + 23 + 6);
    }

    /// While a commit's batch is written, browser events are applied and
    /// stay pending for the next commit; only `status` is answered (to an
    /// extension page); nothing is lost or swallowed.
    #[test]
    fn events_applied_while_a_commit_is_written_go_in_the_next_one() {
        use crate::event::Event;
        use crate::test_kit::tab_info;
        let (mut bg, b) = (after_a_crash(), browser());
        open(&mut bg.keeper, 9, &[(4, "https://c.example/")], 6000);
        let waiting = crate::model::PageState {
            url: "https://e.example/".into(),
            ..Default::default()
        };
        block_on(bg.keeper.expect_pages(vec![(11, waiting)])).unwrap();
        b.now.set(6500);
        let mut write = block_on(bg.begin_commit(&b)).expect("a window was opened");
        let ops = write.take_ops();
        assert!(!ops.is_empty() && bg.is_writing());
        block_on(bg.apply(&b, Event::TabCreated(tab_info(10, 9, 1, "https://d.example/"))));
        let mut now = |r: Value, from: &Sender| block_on(bg.answer_while_writing(&b, &r, from)).map(|a| serde_json::to_value(a).unwrap());
        assert!(now(json!({ "type": "status" }), &page()).is_some());
        assert!(now(json!({ "type": "overview" }), &page()).is_none(), "reads the store: waits");
        let c4 = content(4, "https://c.example/");
        assert!(now(json!({ "type": "status" }), &c4).is_none(), "not a content script's");
        let restore = json!({ "type": "pageRestore", "frame": "" });
        assert_eq!(now(restore.clone(), &c4), Some(json!({ "state": null })), "nothing waits for tab 4");
        assert_eq!(
            now(restore, &content(11, "https://e.example/")),
            None,
            "typed text waits for tab 11: it reads the store"
        );
        let typed = json!({ "type": "pageState", "frame": "", "state": { "scroll": [0, 40], "fields": [] } });
        assert_eq!(now(typed, &c4).unwrap()["ok"], true);
        b.now.set(6600);
        let written = block_on(bg.keeper.backend().commit(ops));
        block_on(bg.finish_commit(&b, write, written));
        let ids = |bg: &Background<MemoryBackend>| -> Vec<i64> {
            bg.keeper
                .committed()
                .unwrap()
                .session
                .windows
                .iter()
                .flat_map(|w| &w.tabs)
                .map(|t| t.id)
                .collect()
        };
        assert!(!bg.is_writing());
        assert!(ids(&bg).contains(&4) && !ids(&bg).contains(&10), "the snapshot was taken before the tab opened");
        assert!(bg.keeper.is_dirty(), "the tab opened meanwhile is still pending");
        assert!(bg.deadline().is_some_and(|d| d <= 6500 + 500), "and due within the saver's bound of its change");
        block_on(bg.commit(&b));
        assert!(!bg.keeper.is_dirty());
        assert!(ids(&bg).contains(&10));
    }

    /// A checkpoint makes a spare copy of the session due: written apart
    /// from the commit, after it, one copy at a time.
    #[test]
    fn a_checkpoint_s_spare_copy_is_written_after_it_as_work_of_its_own() {
        let k = block_on(Keeper::start(MemoryBackend::default(), "1", OWN, 0, true)).unwrap();
        let (mut bg, b) = (Background::new(k, FIREFOX, Vec::new()), browser());
        open(&mut bg.keeper, 1, &[(1, "https://a.example/")], 6000);
        let mut write = block_on(bg.begin_commit(&b)).unwrap();
        let written = block_on(bg.keeper.backend().commit(write.take_ops()));
        block_on(bg.finish_commit(&b, write, written));
        assert!(bg.keeper.backend().spare.borrow().is_empty(), "not written with the commit");
        let copy = bg.take_spare_copy().expect("the first commit of a run is a checkpoint");
        assert!(!bg.is_writing(), "commits go on meanwhile");
        // Another checkpoint meanwhile: its copy waits for this one.
        bg.keeper.start_fresh();
        open(&mut bg.keeper, 1, &[(2, "https://b.example/")], 6100);
        block_on(bg.commit(&b));
        assert!(bg.take_spare_copy().is_none(), "one copy at a time");
        let kept = block_on(copy.keep(bg.keeper.store()));
        assert!(kept.as_ref().is_ok_and(|n| *n > 0));
        bg.spare_kept(kept, 1.0);
        let spare = bg.keeper.backend().spare.borrow().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            spare,
            [crate::keys::SPARE_SESSION, crate::keys::SPARE_SESSION_AT],
            "the copy, then when its state was taken"
        );
        let newer = bg.take_spare_copy().expect("the second checkpoint's copy, due");
        bg.spare_kept(block_on(newer.keep(bg.keeper.store())), 1.0);
        assert!(bg.take_spare_copy().is_none());
    }

    /// A wake for a sync to disk alone syncs and commits nothing: what is
    /// pending waits for the saver's own deadline (in a storm, one more
    /// commit every 5 s otherwise).
    #[test]
    fn a_wake_for_a_sync_alone_commits_nothing() {
        let (mut bg, b) = (after_a_crash(), browser());
        assert!(!bg.keeper.is_dirty());
        let sync_at = bg.deadline().expect("the last commit is not on disk yet");
        open(&mut bg.keeper, 9, &[(4, "https://c.example/")], sync_at - 100);
        let due = bg.keeper.dirty_since().unwrap() + crate::saver::Policy::default().settle;
        assert!(due > sync_at);
        b.now.set(sync_at);
        assert_eq!(bg.deadline(), Some(sync_at));
        assert!(block_on(bg.begin_due_commit(&b)).is_none(), "not due yet");
        assert!(bg.keeper.is_dirty());
        assert_eq!(bg.deadline(), Some(due), "synced: the saver's deadline is next");
        b.now.set(due);
        let mut write = block_on(bg.begin_due_commit(&b)).expect("due now");
        let written = block_on(bg.keeper.backend().commit(write.take_ops()));
        block_on(bg.finish_commit(&b, write, written));
        assert!(!bg.keeper.is_dirty());
    }

    /// The last window closing while a commit is written asks for the next
    /// commit at once (its clean mark): it is due the moment the write ends.
    #[test]
    fn a_commit_asked_for_at_once_while_writing_is_due_when_the_write_ends() {
        use crate::event::Event;
        let (mut bg, b) = (after_a_crash(), browser());
        open(&mut bg.keeper, 7, &[(5, "https://y.example/")], 6000);
        let mut write = block_on(bg.begin_commit(&b)).expect("a tab was opened");
        let ops = write.take_ops();
        block_on(bg.apply(&b, Event::WindowClosed { window_id: 7 }));
        assert!(bg.is_writing(), "no second commit began");
        assert_eq!(bg.deadline(), Some(0));
        let written = block_on(bg.keeper.backend().commit(ops));
        block_on(bg.finish_commit(&b, write, written));
        assert_eq!(bg.deadline(), Some(0), "due now");
        block_on(bg.commit(&b));
        assert!(!bg.keeper.is_dirty());
        assert_ne!(bg.deadline(), Some(0), "only a sync to disk may be due later");
        let ended = block_on(Keeper::start(bg.keeper.backend().clone(), "1", OWN, 9000, true)).unwrap().verdict();
        assert_eq!(ended, crate::verdict::Verdict::CleanExit);
    }

    #[test]
    fn requests_are_answered_and_refused_by_role() {
        let (mut bg, b) = (after_a_crash(), browser());
        let o = ask(&mut bg, &b, json!({ "type": "overview" }), &page());
        assert_eq!((o["verdict"].as_str(), o["sources"][0]["kind"].as_str()), (Some("crash"), Some("crash")));
        assert_eq!(o["sources"][0]["pending"], true);
        let refused = json!({ "error": REFUSED, "refused": true, "code": "errRefused" });
        let site = content(3, "https://z.example/");
        assert_eq!(
            ask(&mut bg, &b, json!({ "type": "backup" }), &site),
            refused,
            "a content script reads no backup"
        );
        assert_eq!(ask(&mut bg, &b, json!({ "type": "pageRestore", "frame": "" }), &page()), refused);
        assert_eq!(ask(&mut bg, &b, json!({ "type": "overview" }), &Sender::default()), refused, "a stranger");
        let bad = ask(&mut bg, &b, json!({ "type": "nope" }), &page());
        assert!(bad["error"].as_str().unwrap().starts_with("Lifeboat did not understand"), "{bad}");
        assert!(bad.get("refused").is_none());
        assert_eq!(bad["code"], "errBadRequest", "{bad}");
        // A failure is an `error` sentence, whatever the request.
        let gone = ask(&mut bg, &b, json!({ "type": "plan", "source": "prev/nothing" }), &page());
        assert!(gone["error"].is_string(), "{gone}");
        // An import the background cannot read is refused with a sentence.
        let garbled = ask(&mut bg, &b, json!({ "type": "import.commit", "saves": "not a record" }), &page());
        assert!(garbled["error"].is_string() && garbled.get("saves").is_none(), "{garbled}");
    }

    #[test]
    fn named_saves_round_trip_and_refresh_the_spare_copy() {
        let (mut bg, b) = (after_a_crash(), browser());
        let saved = ask(&mut bg, &b, json!({ "type": "named.save", "name": "Trip", "scope": "all" }), &page());
        let id = saved["save"]["id"].as_str().unwrap().to_string();
        assert_eq!((saved["save"]["name"].as_str(), saved["save"]["tabs"].as_u64()), (Some("Trip"), Some(1)));
        let list = ask(&mut bg, &b, json!({ "type": "named.list" }), &page());
        assert_eq!(list["saves"][0]["id"], id.as_str());
        let done = ask(&mut bg, &b, json!({ "type": "named.delete", "id": id }), &page());
        assert_eq!(done, json!({ "ok": true }));
        assert!(ask(&mut bg, &b, json!({ "type": "named.list" }), &page())["saves"]
            .as_array()
            .unwrap()
            .is_empty());
        assert!(
            bg.keeper.backend().spare.borrow().contains_key("named"),
            "a change of named saves refreshes their spare copy"
        );
        let nothing = ask(&mut bg, &b, json!({ "type": "named.save", "scope": "tabs", "tabIds": [99] }), &page());
        assert_eq!(nothing, json!({ "error": "There are no tabs to save there.", "code": "errNoTabsToSave" }));
    }

    #[test]
    fn status_carries_the_edges_timings() {
        let (mut bg, b) = (after_a_crash(), browser());
        bg.set_start(
            12.5,
            crate::protocol::answer::StartParts {
                before_script_ms: 30.0,
                load_wasm_ms: 4.0,
                fetch_wasm_ms: 1.5,
                windows_ms: 2.5,
                open_storage_ms: 3.0,
                judge_ms: 2.0,
                model_ms: 1.0,
            },
        );
        let s = ask(&mut bg, &b, json!({ "type": "status" }), &page());
        assert_eq!(s["timings"]["startMs"], 12.5);
        assert_eq!(s["timings"]["startParts"]["loadWasmMs"], 4.0);
        assert_eq!(s["timings"]["startParts"]["fetchWasmMs"], 1.5);
        assert_eq!(s["timings"]["startParts"]["beforeScriptMs"], 30.0);
        assert_eq!(s["timings"]["startParts"]["windowsMs"], 2.5);
        // The queue's time by kind of message, commits apart as well.
        bg.note_handled("tabs.onUpdated", 2.0);
        bg.note_handled("tabs.onUpdated", 5.0);
        bg.note_handled("request:status", 1.0);
        block_on(bg.commit(&b));
        let s = ask(&mut bg, &b, json!({ "type": "status" }), &page());
        assert_eq!(s["timings"]["busyByKind"]["tabs.onUpdated"], json!({ "n": 2, "ms": 7.0, "maxMs": 5.0 }));
        assert_eq!(s["timings"]["busyByKind"]["request:status"], json!({ "n": 1, "ms": 1.0, "maxMs": 1.0 }));
        assert_eq!(s["timings"]["busyByKind"]["commit"]["n"], 1);
        assert_eq!((s["windows"].as_u64(), s["tabs"].as_u64()), (Some(1), Some(1)));
        assert_eq!(s["sync"], Value::Null, "sync is off");
        assert_eq!(s["autosave"], json!({ "ok": true, "problem": null, "since": null }));
    }

    /// How long a change waited for its commit, and the slowest commit of
    /// the run, reach `status`: the bench reads them before each kill.
    #[test]
    fn status_carries_the_longest_wait_for_a_commit() {
        let (mut bg, b) = (after_a_crash(), browser());
        open(&mut bg.keeper, 9, &[(4, "https://c.example/")], 6000);
        b.now.set(6700);
        block_on(bg.commit(&b));
        let s = ask(&mut bg, &b, json!({ "type": "status" }), &page());
        assert_eq!(s["timings"]["longestWaitMs"], 700.0);
        assert_eq!(s["timings"]["slowestCommitMs"], 0.0, "the fake clock stood still during the write");
        assert_eq!(s["timings"]["slowestSyncMs"], 0.0, "no sync was due");
        // A later, quicker commit does not lower it.
        open(&mut bg.keeper, 10, &[(5, "https://d.example/")], 7000);
        b.now.set(7100);
        block_on(bg.commit(&b));
        let s = ask(&mut bg, &b, json!({ "type": "status" }), &page());
        assert_eq!(s["timings"]["longestWaitMs"], 700.0);
        assert!(!bg.keeper.is_dirty());
        // What the queue handled, as the edge notes it.
        bg.note_handled("tabs.onCreated", 2.5);
        bg.note_handled("tick", 1.0);
        let s = ask(&mut bg, &b, json!({ "type": "status" }), &page());
        assert_eq!((s["timings"]["handled"].as_u64(), s["timings"]["busyMs"].as_f64()), (Some(2), Some(3.5)));
    }

    /// A "replace" restore closes the windows that were open, once the new
    /// ones are; restoring the crash settles it and clears the badge.
    #[test]
    fn replace_closes_what_was_open_and_restoring_a_crash_settles_it() {
        let (mut bg, b) = (after_a_crash(), browser());
        block_on(bg.started(&b));
        assert_eq!(*b.badges.borrow(), [crate::view::Badge::CrashWaiting(1)]);
        let id = crash_id(&bg);
        let r = ask(
            &mut bg,
            &b,
            json!({ "type": "restore", "source": id, "select": "all", "mode": "replace" }),
            &page(),
        );
        assert_eq!((r["windows"].as_u64(), r["tabs"].as_u64()), (Some(1), Some(2)), "{r}");
        assert_eq!(*b.closed_windows.borrow(), [7]);
        let orders = b.orders.borrow();
        assert_eq!((orders[0].1, orders[0].2), (Target::NewWindows, true), "Firefox creates lazy tabs discarded");
        drop(orders);
        let o = ask(&mut bg, &b, json!({ "type": "overview" }), &page());
        assert_eq!(o["sources"][0]["pending"], false, "restored: no longer pending");
        assert_eq!(b.badges.borrow().last(), Some(&crate::view::Badge::Clear));
    }

    #[test]
    fn current_mode_opens_into_the_focused_window_and_closes_nothing() {
        let (mut bg, b) = (after_a_crash(), browser());
        bg.caps.create_discarded = false;
        // One of the crashed tabs is open again: it is left out.
        b.tabs.borrow_mut().push(SeenTab {
            id: 3,
            window: 7,
            url: "https://a.example/".into(),
            ..Default::default()
        });
        let id = crash_id(&bg);
        let r = ask(
            &mut bg,
            &b,
            json!({ "type": "restore", "source": id, "select": "all", "mode": "current" }),
            &page(),
        );
        assert_eq!(r["tabs"], 1, "{r}");
        assert_eq!((b.orders.borrow()[0].1, b.orders.borrow()[0].2), (Target::Into(7), false));
        assert!(b.closed_windows.borrow().is_empty());
    }

    #[test]
    fn the_restore_page_is_offered_then_looked_at_again() {
        let (mut bg, b) = (after_a_crash(), browser());
        assert!(bg.offers_restore());
        assert!(block_on(bg.offer_restore(&b, false)), "look again later");
        assert_eq!(*b.opened_pages.borrow(), ["www/restore.html"]);
        // Still there on the second look: nothing more.
        b.tabs.borrow_mut().push(SeenTab {
            id: 9,
            window: 7,
            url: format!("{OWN}www/restore.html"),
            ..Default::default()
        });
        assert!(!block_on(bg.offer_restore(&b, true)));
        assert_eq!(b.opened_pages.borrow().len(), 1);
        // Swept away by the browser's own restore: opened again, once.
        b.tabs.borrow_mut().clear();
        assert!(!block_on(bg.offer_restore(&b, true)));
        assert_eq!(b.opened_pages.borrow().len(), 2);
        // Dismissed since: the second look does nothing.
        let id = crash_id(&bg);
        assert_eq!(ask(&mut bg, &b, json!({ "type": "dismiss", "source": id }), &page()), json!({ "ok": true }));
        assert!(!block_on(bg.offer_restore(&b, true)));
        assert_eq!(b.opened_pages.borrow().len(), 2);
    }

    #[test]
    fn nothing_is_offered_when_the_browser_brought_everything_back() {
        let (mut bg, b) = (after_a_crash(), browser());
        for (id, url) in [(4, "https://a.example/"), (5, "https://b.example/")] {
            b.tabs.borrow_mut().push(SeenTab {
                id,
                window: 7,
                url: url.into(),
                ..Default::default()
            });
        }
        assert!(!block_on(bg.offer_restore(&b, false)));
        assert!(b.opened_pages.borrow().is_empty() && b.orders.borrow().is_empty());
    }

    #[test]
    fn restore_at_once_restores_without_the_page() {
        let (mut bg, b) = (after_a_crash(), browser());
        bg.keeper.settings_mut().after_crash = AfterCrash::RestoreAtOnce;
        assert!(!block_on(bg.offer_restore(&b, false)));
        assert!(b.opened_pages.borrow().is_empty());
        assert_eq!(b.orders.borrow().len(), 1);
    }

    #[test]
    fn typed_text_is_flagged_pending_until_committed() {
        let (mut bg, b) = (after_a_crash(), browser());
        let report = json!({ "type": "pageState", "frame": "", "state": { "fields": [
            { "key": "#c", "tag": "textarea", "type": "", "value": "hello", "touched": true }
        ] } });
        let site = content(3, "https://z.example/");
        assert_eq!(ask(&mut bg, &b, report, &site), json!({ "ok": true }));
        assert_eq!(b.pages_pending.get(), Some(true));
        block_on(bg.commit(&b));
        assert_eq!(b.pages_pending.get(), Some(false));
        // A page that names another tab's frame is refused, with why.
        let wrong = json!({ "type": "pageState", "frame": "", "state": { "fields": [] } });
        let other = ask(&mut bg, &b, wrong, &content(3, "https://elsewhere.example/"));
        assert_eq!(other["ok"], false);
        assert!(other["reason"].is_string(), "{other}");
        // A restarted background asks the pages to send again.
        block_on(bg.ask_pages_again(&b));
        assert_eq!(*b.resend_asked.borrow(), [3]);
    }

    /// A restore's typed text is offered to its tab (no page asks unless
    /// offered): to tabs already loaded right after the restore, then when
    /// a tab loads and on the schedule after, until its frames took it.
    #[test]
    fn restored_page_state_is_offered_to_its_tab_until_taken() {
        use crate::test_kit::pending_page;
        let (mut bg, b) = (after_a_crash(), browser());
        let frames = [("", "https://a.example/", "top text"), ("iframe[0]", "https://a.example/inner", "inner text")];
        b.restored_pages.borrow_mut().push((20, pending_page("https://a.example/", &frames)));
        let id = crash_id(&bg);
        let r = ask(&mut bg, &b, json!({ "type": "restore", "source": id, "select": "all", "mode": "new" }), &page());
        assert!(r["tabs"].as_u64().is_some(), "{r}");
        assert_eq!(*b.pages_offered.borrow(), [20], "offered right after the restore");
        // Loaded: offered again, then on the schedule while anything waits.
        assert_eq!(block_on(bg.offer_page(&b, 20, 0)), Some(OFFER_PAGE_AGAIN_MS[0]));
        assert_eq!(block_on(bg.offer_page(&b, 21, 0)), None, "nothing waits for tab 21");
        assert_eq!(*b.pages_offered.borrow(), [20, 20]);
        let last = OFFER_PAGE_AGAIN_MS.len();
        assert_eq!(block_on(bg.offer_page(&b, 20, last)), None, "the last offer schedules none");
        assert_eq!(b.pages_offered.borrow().len(), 3);
        // The top frame takes its part; the frame's part still waits.
        let top = ask(&mut bg, &b, json!({ "type": "pageRestore", "frame": "" }), &content(20, "https://a.example/"));
        assert_eq!(top["state"]["fields"][0]["value"], "top text", "{top}");
        assert_eq!(block_on(bg.offer_page(&b, 20, 1)), Some(OFFER_PAGE_AGAIN_MS[1]));
        let inner = Sender {
            frame_id: Some(3),
            ..content(20, "https://a.example/inner")
        };
        let taken = ask(&mut bg, &b, json!({ "type": "pageRestore", "frame": "iframe[0]" }), &inner);
        assert_eq!(taken["state"]["fields"][0]["value"], "inner text", "{taken}");
        // All taken: no more offers.
        assert_eq!(block_on(bg.offer_page(&b, 20, 2)), None);
        assert_eq!(b.pages_offered.borrow().len(), 4);
    }

    #[test]
    fn turning_sync_on_syncs_and_status_reports_it() {
        let (mut bg, b) = (after_a_crash(), browser());
        ask(&mut bg, &b, json!({ "type": "named.save", "name": "Synced", "scope": "all" }), &page());
        assert!(b.sync_area.borrow().is_empty(), "sync is off");
        let mut settings = bg.keeper.settings().clone();
        settings.sync = true;
        let answer = ask(&mut bg, &b, json!({ "type": "setSettings", "settings": settings }), &page());
        assert_eq!((answer["ok"].as_bool(), answer["settings"]["sync"].as_bool()), (Some(true), Some(true)));
        assert!(!b.sync_area.borrow().is_empty(), "pushed at once");
        let s = ask(&mut bg, &b, json!({ "type": "status" }), &page());
        assert_eq!((s["sync"]["pushed"].as_u64(), s["sync"]["at"].as_u64()), (Some(1), Some(6000)), "{s}");
        let failing = FakeBrowser {
            sync_fails: Some("quota".into()),
            ..browser()
        };
        block_on(bg.sync(&failing));
        let s = ask(&mut bg, &b, json!({ "type": "status" }), &page());
        assert_eq!(
            s["sync"]["error"],
            json!({ "text": "Sync failed: quota", "key": "errSyncFailed", "args": ["quota"] })
        );
    }
}
