//! Answers to the extension pages, shaped as docs/PROTOCOL.md says (the
//! types are in `protocol::answer`). The pages render these and decide nothing.

use crate::keeper::Keeper;
use crate::keeper::PageRestore;
use crate::message::{self, Message};
use crate::model::{Container, FieldValue, Millis, Session};
use crate::msg;
use crate::named::NamedMeta;
use crate::protocol::answer::{
    Autosave, Backup, BackupRecord, Overview, PageRestoreAnswer, PlanAnswer, PlanGroup, PlanTab, PlanVisit, PlanWindow, Restorable, RestoredField,
    RestoredPage, SourceKind, SourceView, Status as StatusAnswer, StoreFigures, SyncReport, TabStatus, Timings,
};
use crate::restore::{self, OpenTab, Plan, Status};
use crate::settings::Settings;
use crate::source::{self, Source};
use crate::store::{Backend, Snapshot, StoreError};
use crate::verdict::Verdict;
use serde::Serialize;
use serde_json::{json, Value};

/// A restored frame's state as the content script wants it.
pub fn page_restore(r: Option<&PageRestore>) -> PageRestoreAnswer {
    let Some(r) = r else { return PageRestoreAnswer { state: None } };
    let fields = r
        .fields
        .iter()
        .map(|f| {
            let mut out = RestoredField {
                key: f.key.clone(),
                tag: None,
                kind: None,
                name: None,
                touched: None,
                value: None,
                checked: None,
                selected: None,
            };
            match &f.value {
                FieldValue::Text(v) => out.value = Some(v.clone()),
                FieldValue::Editable(v) => {
                    out.tag = Some("contenteditable".into());
                    out.value = Some(v.clone());
                }
                FieldValue::Checked(c) => out.checked = Some(*c),
                FieldValue::Selected(v) => {
                    out.tag = Some("select".into());
                    out.selected = Some(v.clone());
                }
            }
            // Known kind (format 2): only an element with the same tag, type
            // and name is filled. Without `type`, one whose kind fits the value.
            if !f.tag.is_empty() {
                out.tag = Some(f.tag.clone());
                out.kind = Some(f.kind.clone());
                out.name = Some(f.name.clone());
                out.touched = Some(f.touched);
            }
            out
        })
        .collect();
    PageRestoreAnswer {
        state: Some(RestoredPage { scroll: r.scroll, fields }),
    }
}

/// English label and message key of the sources no verdict names.
const UNREADABLE: (&str, &str) = ("Earlier session (unreadable)", "sourceUnreadable");
const AUTOSAVE: (&str, &str) = ("Autosave", "kind_autosave");
const CURRENT_LABEL: (&str, &str) = ("Current session (last autosave)", "sourceCurrent");

/// Kind, English label and its message key of a session set aside after `v`.
fn ended_kind(v: Verdict) -> (SourceKind, &'static str, &'static str) {
    match v {
        Verdict::Crash => (SourceKind::Crash, "Session that was open when the browser crashed", "sourceCrashed"),
        Verdict::CleanExit => (SourceKind::Clean, "Session from the last time the browser was closed", "sourceClosed"),
        Verdict::Updated => (SourceKind::Updated, "Session from before Lifeboat was updated", "sourceUpdated"),
        Verdict::FirstRun | Verdict::Continuing => (SourceKind::Clean, "Earlier session", "sourceEarlier"),
    }
}

fn counts(s: &Session) -> (usize, usize) {
    (s.windows.len(), s.tab_count())
}

pub fn autosave<B>(k: &Keeper<B>) -> Autosave {
    match &k.failing() {
        None => Autosave {
            ok: true,
            problem: None,
            since: None,
        },
        Some((since, why)) => Autosave {
            ok: false,
            problem: Some(why.clone()),
            since: Some(*since),
        },
    }
}

/// What the toolbar badge says. A failing autosave comes first (the user
/// can lose what they do now); then a crash waiting for an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Badge {
    Clear,
    /// Saving fails, with why.
    Failing(Message),
    /// This many crashed sessions are neither restored nor dismissed.
    CrashWaiting(usize),
}

impl Badge {
    /// The badge's text: "!" for a failing save, the number of waiting crashes.
    pub fn text(&self) -> String {
        match self {
            Self::Clear => String::new(),
            Self::Failing(_) => "!".into(),
            Self::CrashWaiting(n) => n.to_string(),
        }
    }
}

pub fn badge<B>(k: &Keeper<B>, crashes_waiting: usize) -> Badge {
    match (&k.failing(), crashes_waiting) {
        (Some((_, why)), _) => Badge::Failing(why.clone()),
        (None, 0) => Badge::Clear,
        (None, n) => Badge::CrashWaiting(n),
    }
}

/// How many crashed sessions wait for the user to restore or dismiss them.
pub async fn crashes_waiting<B: Backend>(k: &Keeper<B>) -> usize {
    k.store()
        .aside_heads()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|(_, e)| e.as_ref().is_ok_and(|a| a.pending && a.ended == Verdict::Crash))
        .count()
}

/// Every source the user can restore from, newest first; pending crashes first.
pub async fn sources<B: Backend>(k: &mut Keeper<B>) -> Result<Vec<SourceView>, StoreError> {
    let mut out = Vec::new();
    // A storage that fails to read (disk full, closed database) must not hide
    // what is in memory: each part is listed if it can be read.
    // Listed from their heads: a set-aside by reference is read only when opened.
    for (key, entry) in k.store().aside_heads().await.unwrap_or_default() {
        match entry {
            Ok(a) => {
                let (kind, label, label_key) = ended_kind(a.ended);
                out.push(SourceView {
                    id: key,
                    kind,
                    label: label.into(),
                    label_key: Some(label_key.into()),
                    taken_at: Some(a.taken_at),
                    windows: a.windows as usize,
                    tabs: a.tabs as usize,
                    pending: a.pending,
                    notice: None,
                });
            }
            Err(e) => out.push(SourceView {
                id: key,
                kind: SourceKind::Clean,
                label: UNREADABLE.0.into(),
                label_key: Some(UNREADABLE.1.into()),
                taken_at: None,
                windows: 0,
                tabs: 0,
                pending: false,
                notice: Some(msg!(message::NOTICE_DAMAGED_SOURCE, e.message())),
            }),
        }
    }
    // The one set aside at this run's start carries the store's notice, if any.
    if let (Some(key), Some(notice)) = (&k.set_aside_key(), &k.notice()) {
        if let Some(s) = out.iter_mut().find(|s| &s.id == key) {
            s.notice = Some(Message::clone(notice));
        }
    }
    // The current state is listed as "current"; the timeline lists the rest.
    let now = k.committed().map_or(0, |s| s.taken_at);
    for p in k.store().timeline(now.max(k.last_saved_at().unwrap_or(0))).await.unwrap_or_default() {
        if Some(p.taken_at) == k.committed().map(|s| s.taken_at) {
            continue;
        }
        out.push(SourceView {
            id: source::point(p.gen, p.seq),
            kind: SourceKind::Autosave,
            label: AUTOSAVE.0.into(),
            label_key: Some(AUTOSAVE.1.into()),
            taken_at: Some(p.taken_at),
            windows: p.windows as usize,
            tabs: p.tabs as usize,
            pending: false,
            notice: None,
        });
    }
    if let Some(snap) = k.committed() {
        let (windows, tabs) = counts(&snap.session);
        out.push(SourceView {
            id: source::CURRENT.into(),
            kind: SourceKind::Current,
            label: CURRENT_LABEL.0.into(),
            label_key: Some(CURRENT_LABEL.1.into()),
            taken_at: Some(snap.taken_at),
            windows,
            tabs,
            pending: false,
            notice: None,
        });
    }
    crate::sorting::sort_by_key(&mut out, |s| (!s.pending, std::cmp::Reverse(s.taken_at)));
    // Named saves after the sessions the browser left, newest first.
    out.extend(crate::named::list(k.backend()).await.unwrap_or_default().iter().map(named_source));
    Ok(out)
}

/// Every source, for search and export.
pub async fn all_sources<B: Backend>(k: &mut Keeper<B>) -> Result<Vec<SourceView>, StoreError> {
    sources(k).await
}

pub async fn overview<B: Backend>(k: &mut Keeper<B>) -> Result<Overview, StoreError> {
    let sources = sources(k).await?;
    Ok(Overview {
        verdict: k.verdict().into(),
        last_saved_at: k.last_saved_at(),
        autosave: autosave(k),
        sources,
    })
}

/// `status`, with what only the edge measures (`timings`) and the last sync.
pub fn status<B: Backend>(k: &Keeper<B>, sync: Option<SyncReport>, timings: Timings) -> StatusAnswer {
    let (windows, tabs) = counts(k.session());
    StatusAnswer {
        last_saved_at: k.last_saved_at(),
        windows,
        tabs,
        autosave: autosave(k),
        store: StoreFigures {
            commits: k.commits().0,
            bytes: k.commits().1,
            journal: if k.backend().has_journal_file() { "file" } else { "database" }.into(),
        },
        sync,
        timings,
    }
}

/// Every stored record, decoded by the core, as one JSON document: a full
/// backup the user can keep, and proof of what is (and is not) stored.
/// Everything stored, decoded; without typed text unless `typed_text`. The
/// answer says whether the file holds typed text.
pub async fn backup<B: Backend>(k: &Keeper<B>, now: Millis, typed_text: bool) -> Result<Backup, StoreError> {
    use crate::codec::{self, Kind};
    use crate::journal::Delta;
    use crate::store::SetAside;
    use crate::verdict::RunMark;
    fn as_json<T: Serialize>(r: Result<T, codec::DecodeError>) -> Value {
        match r {
            Ok(v) => serde_json::to_value(v).unwrap_or(Value::Null),
            Err(e) => json!({ "unreadable": e.to_string() }),
        }
    }
    let mut records = Vec::new();
    for key in k.backend().keys("").await? {
        let Some(bytes) = k.backend().get(&key).await? else { continue };
        let without_text = |mut a: SetAside| {
            if !typed_text {
                a.snapshot.session = a.snapshot.session.without_typed_text();
            }
            a
        };
        let value = match codec::header(&bytes).map(|h| h.kind) {
            Ok(Kind::Checkpoint) if key.starts_with(crate::keys::SET_ASIDE) => as_json(codec::decode::<SetAside>(Kind::Checkpoint, &bytes).map(without_text)),
            // A set-aside by reference, written out whole: the file stands on its own.
            Ok(Kind::AsideRef) => match k.store().set_aside(&key).await {
                Ok(a) => as_json(Ok::<_, codec::DecodeError>(without_text(a))),
                Err(e) => json!({ "unreadable": e.to_string() }),
            },
            Ok(Kind::Checkpoint) => as_json(codec::decode::<Snapshot>(Kind::Checkpoint, &bytes).map(|mut s| {
                if !typed_text {
                    s.session = s.session.without_typed_text();
                }
                s
            })),
            Ok(Kind::Delta) => as_json(codec::decode::<Delta>(Kind::Delta, &bytes).map(|d| if typed_text { d } else { d.without_typed_text() })),
            Ok(Kind::Pages) if !typed_text => continue,
            // Named saves, whole (their index is a list of their descriptions).
            Ok(Kind::Named) if key.starts_with("named/") => as_json(codec::decode::<crate::named::NamedSave>(Kind::Named, &bytes).map(|mut n| {
                if !typed_text {
                    n.session = n.session.without_typed_text();
                }
                n
            })),
            Ok(Kind::Named) => as_json(codec::decode::<Vec<crate::named::NamedMeta>>(Kind::Named, &bytes)),
            Ok(Kind::RunMark) => as_json(codec::decode::<RunMark>(Kind::RunMark, &bytes)),
            // Two records are JSON in the container: the settings, and what the last sync saw.
            Ok(Kind::Settings) if key == crate::keys::SETTINGS => serde_json::to_value(Settings::decode(&bytes)).unwrap_or(Value::Null),
            Ok(Kind::Settings) => codec::open(Kind::Settings, &bytes)
                .ok()
                .and_then(|raw| serde_json::from_slice(&raw).ok())
                .unwrap_or(Value::Null),
            Ok(Kind::Pages) => as_json(codec::decode::<Vec<(i64, crate::model::PageState)>>(Kind::Pages, &bytes)),
            Ok(Kind::Layout) => as_json(codec::decode::<u16>(Kind::Layout, &bytes)),
            Ok(kind) => json!({ "kind": kind as u8 }),
            Err(e) => json!({ "unreadable": e.to_string() }),
        };
        records.push(BackupRecord {
            key,
            bytes: bytes.len(),
            value,
        });
    }
    Ok(Backup {
        format: "lifeboat-backup".into(),
        version: 1,
        exported_at: now,
        holds_typed_text: typed_text,
        records,
    })
}

/// The address of one earlier page of a tab of `source`, if an extension
/// may open it: what `openVisit` opens.
pub async fn visit_url<B: Backend>(k: &mut Keeper<B>, source: &str, window: usize, tab: usize, visit: usize) -> Result<Result<String, Message>, StoreError> {
    let snap = load_source(k, source).await?;
    let Some(v) = snap
        .session
        .windows
        .get(window)
        .and_then(|w| w.tabs.get(tab))
        .and_then(|t| t.history.get(visit))
    else {
        return Ok(Err(message::PAGE_GONE.msg()));
    };
    Ok(match restore::openable(&v.url) {
        Ok(Some(url)) => Ok(url),
        Ok(None) => Err(message::PAGE_IS_NEW_TAB.msg()),
        Err(why) => Err(msg!(message::PAGE_UNOPENABLE, why)),
    })
}

/// The snapshot behind a source id.
pub async fn load_source<B: Backend>(k: &mut Keeper<B>, id: &str) -> Result<Snapshot, StoreError> {
    match source::parse(id) {
        Some(Source::Current) => k.committed().cloned().ok_or_else(|| StoreError::NotFound(id.into())),
        Some(Source::Point { gen, seq }) => k.store().load_point(gen, seq).await,
        Some(Source::Named(id)) => {
            let save = crate::named::get(k.backend(), id).await?;
            Ok(Snapshot {
                taken_at: save.meta.updated_at,
                session: save.session,
            })
        }
        Some(Source::SetAside(id)) => Ok(k.store().set_aside(id).await?.snapshot),
        None => Err(StoreError::NotFound(id.into())),
    }
}

/// A named save as a source.
pub fn named_source(m: &NamedMeta) -> SourceView {
    SourceView {
        id: m.id.clone(),
        kind: SourceKind::Named,
        label: m.name.clone(),
        label_key: None,
        taken_at: Some(m.updated_at),
        windows: m.windows as usize,
        tabs: m.tabs as usize,
        pending: false,
        notice: None,
    }
}

pub fn plan_answer(source: &SourceView, plan: &Plan) -> PlanAnswer {
    let windows = plan
        .windows
        .iter()
        .map(|w| {
            let tabs = w
                .tabs
                .iter()
                .map(|p| {
                    let (status, reason) = match &p.status {
                        Status::Restore => (TabStatus::Restore, None),
                        Status::AlreadyOpen => (TabStatus::AlreadyOpen, Some(message::ALREADY_OPEN.msg())),
                        Status::Blocked(r) => (TabStatus::Blocked, Some(r.clone())),
                    };
                    let page = p.tab.page.as_ref();
                    PlanTab {
                        url: p.tab.url.clone(),
                        title: p.tab.title.clone(),
                        fav_icon_url: p.tab.fav_icon_url.clone().filter(|u| u.starts_with("data:")),
                        pinned: p.tab.pinned,
                        active: p.tab.active,
                        group: p.group.as_ref().map(|g| PlanGroup {
                            title: g.title.clone(),
                            color: g.color.clone(),
                        }),
                        container: p.container.clone(),
                        typed_fields: page.map_or(0, |pg| pg.typed_fields()),
                        truncated_fields: page.map_or(0, |pg| pg.truncated_fields()),
                        cut_fields: page.map_or(0, |pg| pg.cut),
                        // Earlier pages in this tab, newest first; each can be opened on its own.
                        history: p
                            .tab
                            .history
                            .iter()
                            .enumerate()
                            .rev()
                            .map(|(i, v)| PlanVisit {
                                index: i,
                                url: v.url.clone(),
                                title: v.title.clone(),
                                at: v.at,
                                openable: restore::openable(&v.url).is_ok_and(|u| u.is_some()),
                            })
                            .collect(),
                        status,
                        reason,
                    }
                })
                .collect();
            PlanWindow {
                state: w.state.as_str().into(),
                tabs,
                restorable: w.tabs.iter().filter(|t| t.status == Status::Restore).count(),
            }
        })
        .collect();
    // What "Restore all" opens: tabs not open already and not blocked, in
    // the windows that have any.
    PlanAnswer {
        source: source.clone(),
        windows,
        notices: plan.notices.clone(),
        restorable: Restorable {
            tabs: restore::restorable(plan),
            windows: plan.windows.iter().filter(|w| w.tabs.iter().any(|t| t.status == Status::Restore)).count(),
        },
    }
}

/// Plans restoring source `id` against what is open now.
pub async fn plan<B: Backend>(k: &mut Keeper<B>, id: &str, open: &[OpenTab], containers: Option<&[Container]>) -> Result<(SourceView, Plan), StoreError> {
    let snap = load_source(k, id).await?;
    let src = sources(k)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| StoreError::NotFound(id.into()))?;
    let mut plan = restore::plan(&snap.session, open, containers);
    let cut: usize = snap
        .session
        .windows
        .iter()
        .flat_map(|w| &w.tabs)
        .filter_map(|t| t.page.as_ref())
        .map(|p| p.truncated_fields())
        .sum();
    if cut > 0 {
        plan.notices.push(msg!(message::NOTICE_FIELDS_CUT, cut));
    }
    let over_budget = snap
        .session
        .windows
        .iter()
        .flat_map(|w| &w.tabs)
        .filter(|t| t.page.as_ref().is_some_and(|p| p.cut > 0))
        .count();
    if over_budget > 0 {
        plan.notices.push(msg!(message::NOTICE_OVER_BUDGET, over_budget));
    }
    Ok((src, plan))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::block_on;
    use crate::store::memory::MemoryBackend;
    use crate::test_kit::open_window;

    /// Issue 11 item 7: the content script learns what each field was, and
    /// tells fields saved before that (format 1) by the absent `type`.
    #[test]
    fn restored_fields_say_what_they_were() {
        let field = |tag: &str, kind: &str, value: FieldValue| crate::model::Field {
            key: "#f".into(),
            tag: tag.into(),
            kind: kind.into(),
            name: if tag.is_empty() { String::new() } else { "n".into() },
            value,
            truncated: false,
            touched: !tag.is_empty(),
        };
        let r = PageRestore {
            scroll: Some((0, 9)),
            fields: vec![
                field("textarea", "", FieldValue::Text("a".into())),
                field("input", "email", FieldValue::Text("b".into())),
                field("", "", FieldValue::Text("legacy".into())),
                field("", "", FieldValue::Selected(vec!["x".into()])),
            ],
        };
        let got = serde_json::to_value(page_restore(Some(&r))).unwrap();
        let fields = got["state"]["fields"].as_array().unwrap();
        assert_eq!(
            fields[0],
            json!({ "key": "#f", "tag": "textarea", "type": "", "name": "n", "touched": true, "value": "a" })
        );
        assert_eq!(
            fields[1],
            json!({ "key": "#f", "tag": "input", "type": "email", "name": "n", "touched": true, "value": "b" })
        );
        assert_eq!(fields[2], json!({ "key": "#f", "value": "legacy" }));
        assert_eq!(fields[3], json!({ "key": "#f", "tag": "select", "selected": ["x"] }));
        assert_eq!(got["state"]["scroll"], json!([0, 9]));
    }

    /// The full backup holds the named saves whole, and leaves typed text
    /// out when asked, saying which it is.
    #[test]
    fn backup_holds_named_saves_and_can_leave_typed_text_out() {
        let k = block_on(Keeper::start(MemoryBackend::default(), "1", "x://", 0, true)).unwrap();
        let mut session = Session {
            windows: vec![crate::test_kit::window_of(1, &[1])],
        };
        session.windows[0].tabs[0].page = Some(crate::model::PageState {
            url: session.windows[0].tabs[0].url.clone(),
            frames: vec![crate::model::FrameFields {
                frame: String::new(),
                url: session.windows[0].tabs[0].url.clone(),
                fields: vec![crate::test_kit::text_field("#n", "draft in a save")],
            }],
            ..Default::default()
        });
        block_on(crate::named::create(k.backend(), "Trip plans", vec![], session, 5)).unwrap();
        let with = serde_json::to_value(block_on(backup(&k, 10, true)).unwrap()).unwrap();
        let text = with.to_string();
        assert!(text.contains("draft in a save") && text.contains("Trip plans") && text.contains("t1.example"));
        assert_eq!(with["holdsTypedText"], true);
        let without = serde_json::to_value(block_on(backup(&k, 10, false)).unwrap()).unwrap();
        let text = without.to_string();
        assert!(
            !text.contains("draft in a save") && text.contains("Trip plans") && text.contains("t1.example"),
            "{text}"
        );
        assert_eq!(without["holdsTypedText"], false);
    }

    #[test]
    fn overview_lists_the_pending_crash_first_and_the_plan_marks_open_tabs() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), "1", "x://", 0, true)).unwrap();
        open_window(&mut k, 1, &[(0, "https://a/"), (1, "about:config")], 0);
        block_on(k.commit(1000)).unwrap();
        let mut k = block_on(Keeper::start(k.backend().clone(), "1", "x://", 5000, true)).unwrap();
        open_window(&mut k, 1, &[(3, "https://z/")], 5000);
        block_on(k.commit(6000)).unwrap();
        let o = serde_json::to_value(block_on(overview(&mut k)).unwrap()).unwrap();
        assert_eq!(o["verdict"], "crash");
        assert_eq!(o["sources"][0]["kind"], "crash");
        assert_eq!(o["sources"][0]["pending"], true);
        assert_eq!(o["sources"][0]["tabs"], 2);
        assert_eq!(o["sources"][1]["kind"], "current");
        let id = o["sources"][0]["id"].as_str().unwrap().to_string();
        let (src, p) = block_on(plan(
            &mut k,
            &id,
            &[OpenTab {
                url: "https://a/".into(),
                window: 1,
            }],
            None,
        ))
        .unwrap();
        let j = serde_json::to_value(plan_answer(&src, &p)).unwrap();
        assert_eq!(j["windows"][0]["tabs"][0]["status"], "already_open");
        assert_eq!(j["windows"][0]["tabs"][1]["status"], "blocked");
        // Nothing left to open: the page says so before anything opens.
        assert_eq!(j["restorable"], json!({ "tabs": 0, "windows": 0 }));
        assert_eq!(j["windows"][0]["restorable"], 0);
        let (src, p) = block_on(plan(&mut k, &id, &[], None)).unwrap();
        let j = serde_json::to_value(plan_answer(&src, &p)).unwrap();
        assert_eq!(j["restorable"], json!({ "tabs": 1, "windows": 1 }));
        assert_eq!(j["windows"][0]["restorable"], 1);
        assert_eq!(j["source"]["takenAt"], 1000, "when the crashed session was last saved");
    }

    /// Issue 15, item 4: the badge shows a crash waiting for an answer until
    /// it is restored or dismissed (and again after an undo); a failing save
    /// comes first.
    #[test]
    fn the_badge_shows_a_waiting_crash_until_it_is_answered() {
        let mut k = block_on(Keeper::start(MemoryBackend::default(), "1", "x://", 0, true)).unwrap();
        assert_eq!(badge(&k, block_on(crashes_waiting(&k))), Badge::Clear);
        open_window(&mut k, 1, &[(1, "https://a/")], 0);
        block_on(k.commit(1000)).unwrap();
        // Killed: the next run sets the session aside as a pending crash.
        let k = block_on(Keeper::start(k.backend().clone(), "1", "x://", 5000, true)).unwrap();
        let key = k.set_aside_key().map(str::to_string).unwrap();
        assert_eq!(block_on(crashes_waiting(&k)), 1);
        let waiting = badge(&k, 1);
        assert_eq!(waiting, Badge::CrashWaiting(1));
        assert_eq!(waiting.text(), "1");
        block_on(k.store().settle(&key)).unwrap();
        assert_eq!(badge(&k, block_on(crashes_waiting(&k))), Badge::Clear);
        block_on(k.store().unsettle(&key)).unwrap();
        assert_eq!(badge(&k, block_on(crashes_waiting(&k))), Badge::CrashWaiting(1));
        let mut k = k;
        k.set_failing(Some((7, StoreError::Backend("Quota exceeded".into()).message())));
        let failing = badge(&k, 1);
        assert!(
            matches!(&failing, Badge::Failing(m) if m.text == "storage failed: Quota exceeded"),
            "{failing:?}"
        );
        assert_eq!(failing.text(), "!");
        assert_eq!(Badge::Clear.text(), "");
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    /// The pages show a listed session's `label_key` message: it must exist
    /// and say in English what `label` says.
    #[test]
    fn every_source_label_has_its_message() {
        let en: serde_json::Value = serde_json::from_str(include_str!("../www/_locales/en/messages.json")).unwrap();
        let verdicts = [Verdict::Crash, Verdict::CleanExit, Verdict::Updated, Verdict::FirstRun, Verdict::Continuing];
        let by_verdict = verdicts.into_iter().map(|v| {
            let (_, label, key) = ended_kind(v);
            (label, key)
        });
        for (label, key) in by_verdict.chain([UNREADABLE, AUTOSAVE, CURRENT_LABEL]) {
            assert_eq!(en[key]["message"].as_str(), Some(label), "{key}");
        }
    }
}
