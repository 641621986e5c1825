//! The pages' WASM module (feature `pages`), loaded by the manager only
//! when the user imports or exports (`www/files.js`): files are parsed and
//! written here, in the page, so the always-running background carries no
//! importer or exporter and no file crosses the runtime messages. What the
//! page sends the background is checked there again (`import_check`).

use crate::files;
use crate::import::Imported;
use crate::import_check::ImportedSave;
use crate::import_choice::{self, SessionPick};
use crate::model::Container;
use crate::settings::Settings;
use serde::{de::DeserializeOwned, Serialize};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The file on show in the preview, until the user imports it or picks another.
    static PREVIEW: RefCell<Option<Imported>> = const { RefCell::new(None) };
}

/// Plain JSON-shaped values: the result crosses `runtime.sendMessage`, which
/// Chrome serialises as JSON (no Maps, null rather than undefined).
fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

fn from_js<T: DeserializeOwned>(v: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string())
}

/// A failure as the background answers one (`Failure`: English `error`,
/// and the message `code` and `args` the page translates it with).
fn failure(m: crate::message::Message) -> JsValue {
    to_js(&crate::protocol::answer::Failure::from(m))
}

/// A failure with no message of its own (a page passing a malformed value).
fn error(e: impl std::fmt::Display) -> JsValue {
    failure(crate::msg!(crate::message::BAD_REQUEST, e.to_string()))
}

/// Parses `bytes` (the file `file_name`) with the user's `settings` (the
/// background's `settings` answer) for the preview: `{ format, sessions,
/// notes }` (docs/PROTOCOL.md), or `{ error }`. `containers`: the browser's
/// (`contextualIdentities.query`, as `{ cookieStoreId, name, color }`), null
/// where it has none.
#[wasm_bindgen]
pub fn preview_import(file_name: String, bytes: &[u8], settings: JsValue, containers: JsValue) -> JsValue {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Identity {
        cookie_store_id: String,
        name: Option<String>,
        color: Option<String>,
    }
    let settings: Settings = from_js(settings).unwrap_or_default();
    let containers: Option<Vec<Container>> = from_js::<Option<Vec<Identity>>>(containers).ok().flatten().map(|list| {
        list.into_iter()
            .map(|c| Container {
                cookie_store_id: c.cookie_store_id,
                name: c.name,
                color: c.color,
            })
            .collect()
    });
    match files::preview(&file_name, bytes, &settings, containers.as_deref()) {
        Ok((imported, answer)) => {
            PREVIEW.with(|p| *p.borrow_mut() = Some(imported));
            to_js(&answer)
        }
        Err(e) => {
            PREVIEW.with(|p| *p.borrow_mut() = None);
            failure(e)
        }
    }
}

/// The saves the previewed file gives with `select` ticked (null: all), one
/// per session or `merge`d into one named `name`: `{ saves }` for
/// `import.commit`, or `{ error }`.
#[wasm_bindgen]
pub fn choose_import(select: JsValue, merge: bool, name: Option<String>) -> JsValue {
    let select: Option<Vec<SessionPick>> = match from_js(select) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    PREVIEW.with(|p| match p.borrow().as_ref() {
        Some(imported) => match import_choice::choose(imported, select.as_deref(), merge, name.as_deref()) {
            Ok(saves) => to_js(&serde_json::json!({ "saves": crate::import_check::encode_saves(&saves) })),
            Err(e) => failure(e),
        },
        None => failure(crate::message::PREVIEW_EXPIRED.msg()),
    })
}

/// Writes the background's `export` answer (`{ sessions, holdsTypedText }`)
/// as a file in `format` at time `now`: `{ fileName, mime, text,
/// holdsTypedText }`, or `{ error }`.
#[wasm_bindgen]
pub fn export_file(format: String, answer: JsValue, now: f64) -> JsValue {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Sessions {
        sessions: Vec<ImportedSave>,
        #[serde(default)]
        holds_typed_text: bool,
    }
    match from_js::<Sessions>(answer) {
        Ok(s) => to_js(&files::export_file(&format, &s.sessions, s.holds_typed_text, now.max(0.0) as u64)),
        Err(e) => error(format!("The sessions to export could not be read: {e}")),
    }
}
