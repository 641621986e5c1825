//! Bounded, forgiving JSON reading shared by the JSON importers.
//!
//! - serde_json stops at 128 levels of nesting, and skips unknown values
//!   without recursing or allocating.
//! - Every element of a `List` or `Map` is charged to a per-parse budget, so a
//!   small file of `{},{},…` cannot make millions of structs: at most
//!   `MAX_ITEMS` elements and `MAX_TABS` tabs exist at once.
//! - Strings are read as bytes and converted lossily: Firefox writes lone
//!   UTF-16 surrogates (a cut emoji in a title) as `\ud83d`, which strict
//!   UTF-8 decoding refuses, and one bad title must not sink a whole session.
//! - Scalars of the wrong type become "absent" and are counted (`odd`),
//!   rather than failing the file.

use super::{ImportError, MAX_TABS};
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

/// Windows, history entries, groups, fields and other list elements per parse.
pub const MAX_ITEMS: usize = 2_000_000;

#[derive(Clone, Copy)]
struct Budget {
    items: usize,
    tabs: usize,
    over: Option<Over>,
    odd: usize,
}

/// Which limit stopped a parse (kept `Copy` for the `Cell`).
#[derive(Clone, Copy)]
enum Over {
    Items,
    Tabs,
}

impl Budget {
    const FULL: Budget = Budget {
        items: MAX_ITEMS,
        tabs: MAX_TABS,
        over: None,
        odd: 0,
    };
}

thread_local! {
    static BUDGET: Cell<Budget> = const { Cell::new(Budget::FULL) };
}

fn charge<E: de::Error>(tab: bool) -> Result<(), E> {
    BUDGET.with(|cell| {
        let mut b = cell.get();
        let left = if tab { &mut b.tabs } else { &mut b.items };
        let result = if *left == 0 {
            b.over = Some(if tab { Over::Tabs } else { Over::Items });
            Err(E::custom("import limit reached"))
        } else {
            *left -= 1;
            Ok(())
        };
        cell.set(b);
        result
    })
}

/// Charges one element a visitor keeps outside `List`/`Map`.
pub(crate) fn charge_item<E: de::Error>() -> Result<(), E> {
    charge(false)
}

fn odd() {
    BUDGET.with(|cell| {
        let mut b = cell.get();
        b.odd += 1;
        cell.set(b);
    })
}

/// Parses `bytes` as `T` with a fresh budget. Also returns how many values
/// had an unexpected type and were taken as absent.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, usize), ImportError> {
    let outer = BUDGET.with(|c| c.replace(Budget::FULL));
    let result = serde_json::from_slice::<T>(bytes);
    let used = BUDGET.with(|c| c.replace(outer));
    match (result, used.over) {
        (Ok(v), _) => Ok((v, used.odd)),
        (Err(_), Some(Over::Tabs)) => Err(ImportError::TooManyTabs { limit: MAX_TABS }),
        (Err(_), Some(Over::Items)) => Err(ImportError::TooComplex { limit: MAX_ITEMS }),
        (Err(e), None) => Err(classify(&e)),
    }
}

fn classify(e: &serde_json::Error) -> ImportError {
    let full = e.to_string();
    // serde_json appends " at line L column C"; the position is given apart.
    let mut detail = match full.rfind(" at line ") {
        Some(at) => full[..at].to_string(),
        None => full.clone(),
    };
    // "expected struct FxTab" names our types, which mean nothing to a user.
    if let Some(at) = detail.find("expected struct ") {
        detail.truncate(at);
        detail.push_str("expected an object");
    }
    let (line, column) = (e.line(), e.column());
    match e.classify() {
        _ if detail.contains("recursion limit exceeded") => ImportError::TooDeep,
        serde_json::error::Category::Data => ImportError::WrongShape { line, column, detail },
        serde_json::error::Category::Eof => ImportError::BadJson {
            line,
            column,
            detail: "the file ends too early".into(),
        },
        _ => ImportError::BadJson { line, column, detail },
    }
}

/// Skips whatever value `seq`/`map` still holds; the caller counted it odd.
fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Visitor methods for the scalar types a forgiving visitor does not want:
/// each counts the value as odd and yields the default.
macro_rules! odd_scalars {
    ($($name:ident: $t:ty),*) => {
        $(fn $name<E: de::Error>(self, _: $t) -> Result<Self::Value, E> {
            odd();
            Ok(Default::default())
        })*
    };
}

/// A JSON array, each element charged to the budget (`TAB`: as a tab).
/// Anything but an array reads as empty.
#[derive(Debug)]
pub(crate) struct List<T, const TAB: bool = false>(pub Vec<T>);

impl<T, const TAB: bool> Default for List<T, TAB> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>, const TAB: bool> Deserialize<'de> for List<T, TAB> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, const TAB: bool>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const TAB: bool> Visitor<'de> for V<T, TAB> {
            type Value = List<T, TAB>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element()? {
                    charge(TAB)?;
                    out.push(x);
                }
                Ok(List(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                odd();
                drain_map(map).map(|_| List::default())
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(List::default())
            }
            odd_scalars!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
        }
        d.deserialize_any(V::<T, TAB>(PhantomData))
    }
}

impl<T: Serialize, const TAB: bool> Serialize for List<T, TAB> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A JSON object as (key, value) pairs in the file's order, each charged to
/// the budget. Anything but an object reads as empty.
#[derive(Debug)]
pub(crate) struct Map<V, const TAB: bool = false>(pub Vec<(String, V)>);

impl<V, const TAB: bool> Default for Map<V, TAB> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>, const TAB: bool> Deserialize<'de> for Map<T, TAB> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, const TAB: bool>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const TAB: bool> Visitor<'de> for V<T, TAB> {
            type Value = Map<T, TAB>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(Str(key)) = map.next_key::<Str>()? {
                    let value = map.next_value()?;
                    charge(TAB)?;
                    out.push((key.unwrap_or_default(), value));
                }
                Ok(Map(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                odd();
                drain_seq(seq).map(|_| Map::default())
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Map::default())
            }
            odd_scalars!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
        }
        d.deserialize_any(V::<T, TAB>(PhantomData))
    }
}

/// A string, read lossily (see the module note); `null` or absent is `None`.
/// Other types are refused by serde_json itself (a string is read as bytes),
/// except arrays, which read as `None`.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Str(pub Option<String>);

impl Str {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
    pub fn or_empty(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }
}

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> Visitor<'de> for Bytes {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Str, E> {
                Ok(Str(Some(lossy(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str, E> {
                Ok(Str(Some(v.to_owned())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Str, A::Error> {
                odd();
                drain_seq(seq).map(|_| Str(None))
            }
        }
        struct Nullable;
        impl<'de> Visitor<'de> for Nullable {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or null")
            }
            fn visit_none<E>(self) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_unit<E>(self) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Str, D::Error> {
                d.deserialize_bytes(Bytes)
            }
        }
        d.deserialize_option(Nullable)
    }
}

/// UTF-8 from serde_json's WTF-8 bytes: a lone surrogate (3 bytes, `ED A0..BF
/// xx`) becomes one U+FFFD, as a browser shows it, not three.
fn lossy(v: &[u8]) -> String {
    match std::str::from_utf8(v) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            let mut out = Vec::with_capacity(v.len());
            let mut i = 0;
            while i < v.len() {
                if v[i] == 0xED && v.get(i + 1).is_some_and(|b| (0xA0..=0xBF).contains(b)) && v.get(i + 2).is_some_and(|b| b & 0xC0 == 0x80) {
                    out.extend_from_slice("\u{FFFD}".as_bytes());
                    i += 3;
                } else {
                    out.push(v[i]);
                    i += 1;
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        }
    }
}

/// A whole number (also from a float or a numeric string); anything else is `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Int(pub Option<i64>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Int, E> {
                Ok(Int(Some(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Int, E> {
                Ok(Int(i64::try_from(v).ok()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Int, E> {
                // `as` saturates and maps NaN to 0; JSON has no NaN anyway.
                Ok(Int(v.is_finite().then_some(v as i64)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Int, E> {
                let n = v.trim().parse().ok();
                if n.is_none() {
                    odd();
                }
                Ok(Int(n))
            }
            fn visit_unit<E>(self) -> Result<Int, E> {
                Ok(Int(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Int, E> {
                odd();
                Ok(Int(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Int, A::Error> {
                odd();
                drain_seq(seq).map(|_| Int(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Int, A::Error> {
                odd();
                drain_map(map).map(|_| Int(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `true` only for JSON `true`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_unit<E>(self) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            odd_scalars!(visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Flag, A::Error> {
                odd();
                drain_seq(seq).map(|_| Flag(false))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Flag, A::Error> {
                odd();
                drain_map(map).map(|_| Flag(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// The few top-level keys that tell the JSON formats apart.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Probe {
    format: Str,
    pub windows: Option<IgnoredAny>,
}

impl Probe {
    pub fn is_lifeboat(&self) -> bool {
        self.format.as_deref() == Some("lifeboat")
    }

    pub fn is_backup(&self) -> bool {
        self.format.as_deref() == Some(super::BACKUP_FORMAT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Default, Debug)]
    #[serde(default)]
    struct T {
        a: List<Int>,
        s: Str,
        f: Flag,
        m: Map<Str>,
    }

    #[test]
    fn forgiving_types_and_order() {
        let (t, odd) = parse::<T>(br#"{"a":[1,2.7,"3",null,true],"s":"x\ud83dy\ud83d\ude00","f":1,"m":{"z":"1","a":null}}"#).unwrap();
        assert_eq!(t.a.0, [Int(Some(1)), Int(Some(2)), Int(Some(3)), Int(None), Int(None)]);
        assert_eq!(t.s.0.as_deref(), Some("x\u{FFFD}y\u{1F600}"), "lone surrogate read lossily");
        assert!(!t.f.0);
        assert_eq!(t.m.0, [("z".to_string(), Str(Some("1".into()))), ("a".to_string(), Str(None))]);
        assert_eq!(odd, 2);
        let (t, odd) = parse::<T>(br#"{"a":{"x":1},"m":[1],"s":null}"#).unwrap();
        assert!(t.a.0.is_empty() && t.m.0.is_empty() && t.s.0.is_none());
        assert_eq!(odd, 2);
    }

    #[test]
    fn limits_and_errors_are_typed() {
        let many = format!("{{\"a\":[{}0]}}", "0,".repeat(MAX_ITEMS));
        assert_eq!(parse::<T>(many.as_bytes()).unwrap_err(), ImportError::TooComplex { limit: MAX_ITEMS });
        // The budget is per parse: the next one starts full.
        assert!(parse::<T>(b"{\"a\":[1]}").is_ok());
        // Nesting serde_json recurses into stops at 128 levels.
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(parse::<Vec<serde_json::Value>>(deep.as_bytes()).unwrap_err(), ImportError::TooDeep);
        assert!(parse::<T>("[".repeat(100_000).as_bytes()).is_err());
        assert!(matches!(parse::<T>(b"{\"a\":[1,}"), Err(ImportError::BadJson { line: 1, .. })));
        assert!(matches!(parse::<T>(b"{\"a\":[1"), Err(ImportError::BadJson { .. })));
        assert!(matches!(parse::<T>(b"{\"s\":5}"), Err(ImportError::WrongShape { .. })));
        let Err(ImportError::WrongShape { detail, .. }) = parse::<Vec<T>>(b"[1]") else {
            panic!()
        };
        assert_eq!(detail, "invalid type: integer `1`, expected an object");
        // Deeply nested values in unknown keys are skipped without recursion.
        let ignored = format!("{{\"zz\":{}{}}}", "[".repeat(50_000), "]".repeat(50_000));
        assert!(parse::<T>(ignored.as_bytes()).is_ok());
    }
}
