//! `Field` and `PageState` as format 1 stored them, read from old records and
//! converted. Every other type kept its layout; the containers (`Tab`,
//! `FrameFields`, journal deltas, named saves...) reach these through the
//! version-aware `Deserialize` of the current types.

use super::{FieldValue, FrameFields};
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct Field {
    key: String,
    value: FieldValue,
    truncated: bool,
}

impl From<Field> for super::Field {
    fn from(f: Field) -> Self {
        Self {
            key: f.key,
            // Not recorded then: restored into any element whose kind fits the value.
            tag: String::new(),
            kind: String::new(),
            name: String::new(),
            value: f.value,
            truncated: f.truncated,
            touched: false,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct PageState {
    url: String,
    scroll: Option<(i32, i32)>,
    frames: Vec<FrameFields>,
}

impl From<PageState> for super::PageState {
    fn from(p: PageState) -> Self {
        Self {
            url: p.url,
            scroll: p.scroll,
            frames: p.frames,
            cut: 0,
        }
    }
}
