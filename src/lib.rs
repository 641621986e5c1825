//! Lifeboat's core: a crash-proof keeper of browser sessions.
//!
//! Everything here but `web` is plain Rust with no browser types, tested
//! natively. `web` (wasm32 only) binds it to the WebExtension APIs.
//!
//! Two WASM modules come from this crate (see `[features]` in Cargo.toml):
//! the background's (feature `background`: model, tracker, saver, store,
//! verdict, privacy, restore planning, sync, and `import_check`, which checks
//! a parsed import again) and the pages' (feature `pages`: `import`,
//! `export`, `import_choice`). Native builds have both.

pub mod background;
pub mod browser;
pub mod budget;
pub mod codec;
pub mod dates;
pub mod event;
#[cfg(feature = "pages")]
pub mod export;
#[cfg(feature = "pages")]
pub mod files;
pub mod heap;
#[cfg(feature = "pages")]
pub mod import;
pub mod import_check;
#[cfg(feature = "pages")]
pub mod import_choice;
pub mod journal;
pub mod journal_file;
pub mod keeper;
pub mod keys;
pub mod manage;
pub mod message;
pub mod model;
pub mod named;
pub mod privacy;
pub mod protocol;
pub mod purge;
pub mod restore;
pub mod saver;
pub mod settings;
pub mod sorting;
pub mod source;
pub mod spare;
pub mod store;
pub mod sync;
pub mod timeline;
pub mod tracker;
pub mod two_tier;
pub mod verdict;
pub mod view;

pub mod web;

#[cfg(test)]
mod test_kit;
