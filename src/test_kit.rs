//! Builders shared by the unit tests, so that a change to the model is
//! followed in one place.

use crate::model::{Field, FieldValue, Tab, Window};

/// A text field with `key` holding `value`.
pub fn text_field(key: &str, value: &str) -> Field {
    Field {
        key: key.into(),
        tag: "textarea".into(),
        kind: String::new(),
        name: String::new(),
        value: FieldValue::Text(value.into()),
        truncated: false,
        touched: false,
    }
}

/// A normal window `id` with one `https://t<id>.example/` tab per id.
pub fn window_of(id: i64, tab_ids: &[i64]) -> Window {
    Window {
        id,
        tabs: tab_ids
            .iter()
            .map(|&t| Tab {
                id: t,
                url: format!("https://t{t}.example/"),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}
