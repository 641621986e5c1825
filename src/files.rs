//! What the manager page does with files, in the pages' WASM module
//! (`web::pages` binds it): parse an import for its preview, keep the ticked
//! part, and write an export from the sessions the background sends. Nothing
//! here stores anything; the background checks what it is sent again
//! (`import_check`).

use crate::export::{self, Saved};
use crate::import::{self, Imported};
use crate::import_check::ImportedSave;
use crate::import_choice;
use crate::message;
use crate::model::{Container, Millis};
use crate::msg;
use crate::protocol::answer::{Failure, ImportPreview};
use crate::settings::Settings;
use serde_json::{json, Value};

/// Parses a file for the preview with the user's `settings` applied;
/// `containers`: the browser's (`None`: it has none), to name the file's
/// containers as a restore would find them.
pub fn preview(
    file_name: &str,
    bytes: &[u8],
    settings: &Settings,
    containers: Option<&[Container]>,
) -> Result<(Imported, ImportPreview), crate::message::Message> {
    let format = import::detect(file_name, bytes).map_err(|e| e.message())?;
    let mut imported = import::parse_as(format, bytes).map_err(|e| e.message())?;
    import::apply_settings(&mut imported, settings);
    let sessions = import_choice::preview_sessions(format, &imported, containers);
    let answer = ImportPreview {
        format: format.label().into(),
        sessions,
        notes: imported.notes.clone(),
    };
    Ok((imported, answer))
}

/// Writes `sessions` (as the background's `export` answer lists them) in
/// `format`: `{ fileName, mime, text, holdsTypedText }`, or `{ error }`.
/// `holds`: the background says they hold typed text; only Lifeboat's own
/// format carries it.
pub fn export_file(format: &str, sessions: &[ImportedSave], holds: bool, now: Millis) -> Value {
    let Some(format) = export::Format::from_id(format) else {
        return json!(Failure::from(msg!(message::UNKNOWN_EXPORT_FORMAT, format)));
    };
    if sessions.is_empty() {
        return json!(Failure::from(message::NOTHING_TO_EXPORT.msg()));
    }
    let saved: Vec<Saved> = sessions
        .iter()
        .map(|s| Saved {
            name: &s.name,
            saved_at: s.saved_at,
            session: &s.session,
        })
        .collect();
    let text = export::export(format, &saved, now);
    let holds = holds && format == export::Format::Lifeboat;
    json!({ "fileName": format.file_name(now), "mime": format.mime(), "text": text, "holdsTypedText": holds })
}
