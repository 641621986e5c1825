//! `Field` and `PageState` as format 1 stored them, and `Tab` as formats 1
//! and 2 did, read from old records and converted. Every other type kept its
//! layout; the containers (`Window`, `FrameFields`, journal deltas, named
//! saves...) reach these through the version-aware `Deserialize` of the
//! current types.

use super::{Container, FieldValue, FrameFields, Millis};
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

/// A tab before format 3 (no history).
#[derive(Deserialize)]
pub(super) struct Tab {
    id: i64,
    url: String,
    title: String,
    fav_icon_url: Option<String>,
    pinned: bool,
    active: bool,
    muted: bool,
    discarded: bool,
    last_accessed: Option<Millis>,
    group: Option<i64>,
    container: Option<Container>,
    page: Option<super::PageState>,
}

impl From<Tab> for super::Tab {
    fn from(t: Tab) -> Self {
        Self {
            id: t.id,
            url: t.url,
            title: t.title,
            fav_icon_url: t.fav_icon_url,
            pinned: t.pinned,
            active: t.active,
            muted: t.muted,
            discarded: t.discarded,
            last_accessed: t.last_accessed,
            group: t.group,
            container: t.container,
            page: t.page,
            history: Vec::new(),
        }
    }
}
