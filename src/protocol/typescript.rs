//! The pages' TypeScript declarations of the protocol, generated from the
//! Rust types with ts-rs (a dev-dependency: none of it is in the WASM) into
//! one file, `www/types/protocol/protocol.d.ts`: one import path for the
//! pages, and one file whose diff shows any change of the protocol.
//!
//! `cargo test` fails when the committed file is stale;
//! `LIFEBOAT_WRITE_TYPES=1 cargo test typescript` writes it anew.

use super::answer::*;
use super::{RawPageState, Request, RestoreMode, Scope, SelectView, SessionPick, ToContent, WindowPick, WindowSelect};
use crate::message::{Arg, Message};
use crate::named::NamedMeta;
use crate::privacy::RawField;
use crate::restore::{PlannedContainer, Skipped};
use crate::settings::{AfterCrash, PrivacyLevel, Settings};
use crate::timeline::Tier;
use std::collections::BTreeSet;
use ts_rs::TS;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/types/protocol/protocol.d.ts");

struct Declarations {
    text: String,
    declared: BTreeSet<String>,
    needed: BTreeSet<String>,
}

impl Declarations {
    fn add<T: TS + 'static>(&mut self) {
        if let Some(docs) = T::docs() {
            self.text.push_str(&docs);
        }
        self.text.push_str("export ");
        self.text.push_str(&T::decl());
        self.text.push_str("\n\n");
        self.declared.insert(T::ident());
        self.needed.extend(T::dependencies().into_iter().map(|d| d.ts_name));
    }
}

/// Every type a page sends or receives, and every type they use.
fn declarations() -> Declarations {
    let mut d = Declarations {
        text: String::from(
            "// Generated from the Rust types of src/protocol/ by ts-rs (src/protocol/typescript.rs).\n\
             // Do not edit: `LIFEBOAT_WRITE_TYPES=1 cargo test typescript` writes it anew.\n\n",
        ),
        declared: BTreeSet::new(),
        needed: BTreeSet::new(),
    };
    macro_rules! add {
        ($($t:ty),* $(,)?) => { $(d.add::<$t>();)* };
    }
    add!(
        // What the pages and the content script send.
        Request,
        SelectView,
        WindowSelect,
        RestoreMode,
        Scope,
        SessionPick,
        WindowPick,
        RawPageState,
        RawField,
        // What the background sends a content script.
        ToContent,
        // The answers.
        Answer,
        Failure,
        Message,
        Arg,
        Done,
        Overview,
        VerdictName,
        Autosave,
        SourceView,
        SourceKind,
        Status,
        StoreFigures,
        Timings,
        StartParts,
        KindTime,
        SyncReport,
        PlanAnswer,
        PlanWindow,
        PlanTab,
        TabStatus,
        PlanGroup,
        PlanVisit,
        PlannedContainer,
        Restorable,
        Restored,
        Skipped,
        Saves,
        SaveAnswer,
        NamedMeta,
        SearchResults,
        Found,
        ExportSessions,
        ExportFile,
        ImportPreview,
        PreviewSession,
        PreviewWindow,
        PreviewTab,
        SettingsSaved,
        Settings,
        PrivacyLevel,
        AfterCrash,
        Tier,
        Backup,
        BackupRecord,
        PageStateAnswer,
        PageRestoreAnswer,
        RestoredPage,
        RestoredField,
    );
    d.answer_map();
    d
}

/// The answer to each request, by its `type`: what `dispatch` answers.
const ANSWER_TO: &[(&str, &str)] = &[
    ("overview", "Overview"),
    ("status", "Status"),
    ("plan", "PlanAnswer"),
    ("restore", "Restored"),
    ("named.list", "Saves"),
    ("named.save", "SaveAnswer"),
    ("named.overwrite", "SaveAnswer"),
    ("named.rename", "SaveAnswer"),
    ("named.tags", "SaveAnswer"),
    ("named.delete", "Done"),
    ("named.undelete", "Done"),
    ("search", "SearchResults"),
    ("import.commit", "Saves"),
    ("export", "ExportSessions"),
    ("dismiss", "Done"),
    ("undismiss", "Done"),
    ("openVisit", "Done"),
    ("settings", "Settings"),
    ("setSettings", "SettingsSaved"),
    ("backup", "Backup"),
    ("pageState", "PageStateAnswer"),
    ("pageRestore", "PageRestoreAnswer"),
];

impl Declarations {
    /// `AnswerTo["plan"]` is `PlanAnswer`; every request type must be in it.
    fn answer_map(&mut self) {
        let request = Request::decl();
        let types: Vec<&str> = request.split("\"type\": \"").skip(1).filter_map(|t| t.split('"').next()).collect();
        for t in &types {
            assert!(ANSWER_TO.iter().any(|(r, _)| r == t), "request {t} has no answer in ANSWER_TO");
        }
        self.text
            .push_str("/**\n * The answer to each request, by its `type` (a `Failure` can answer any).\n */\nexport type AnswerTo = {\n");
        for (request, answer) in ANSWER_TO {
            assert!(self.declared.contains(*answer), "{answer}");
            assert!(types.contains(request), "{request} is no request");
            self.text.push_str(&format!("  \"{request}\": {answer},\n"));
        }
        self.text.push_str("};\n");
    }
}

#[test]
fn the_pages_protocol_types_are_current() {
    let d = declarations();
    let missing: Vec<_> = d.needed.difference(&d.declared).collect();
    assert!(missing.is_empty(), "declare these too (src/protocol/typescript.rs): {missing:?}");
    if std::env::var_os("LIFEBOAT_WRITE_TYPES").is_some() {
        std::fs::write(PATH, &d.text).unwrap();
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == d.text,
        "www/types/protocol/protocol.d.ts is stale: the protocol's Rust types changed. \
         Run `LIFEBOAT_WRITE_TYPES=1 cargo test typescript` and commit the file."
    );
}
