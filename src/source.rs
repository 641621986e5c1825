//! Source ids: what the pages get in `overview.sources[].id` and pass back as
//! `source` (docs/PROTOCOL.md). Opaque to the pages; here is what they are.

use crate::keys::SET_ASIDE;
use crate::model::Millis;

/// The live session as last committed.
pub const CURRENT: &str = "current";
const POINT: &str = "point/";
const NAMED: &str = "n/";

/// What a source id names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source<'a> {
    Current,
    /// A point of the autosave timeline: its generation and journal
    /// sequence (`None`: the generation's checkpoint).
    Point {
        gen: u64,
        seq: Option<u32>,
    },
    /// A named save (`n/<hex>`).
    Named(&'a str),
    /// A session set aside at a start (`prev/<hex>`), also its store key.
    SetAside(&'a str),
}

pub fn parse(id: &str) -> Option<Source<'_>> {
    if id == CURRENT {
        return Some(Source::Current);
    }
    if let Some(rest) = id.strip_prefix(POINT) {
        let (g, s) = rest.split_once('/')?;
        let seq = if s == "-" { None } else { Some(u32::from_str_radix(s, 16).ok()?) };
        return Some(Source::Point {
            gen: u64::from_str_radix(g, 16).ok()?,
            seq,
        });
    }
    if is_named(id) {
        return Some(Source::Named(id));
    }
    id.starts_with(SET_ASIDE).then_some(Source::SetAside(id))
}

/// The id of a timeline point.
pub fn point(gen: u64, seq: Option<u32>) -> String {
    match seq {
        Some(s) => format!("{POINT}{gen:x}/{s:x}"),
        None => format!("{POINT}{gen:x}/-"),
    }
}

/// A named save's id, made from its creation time (`n` goes up until free).
pub fn named(n: Millis) -> String {
    format!("{NAMED}{n:016x}")
}

pub fn is_named(id: &str) -> bool {
    id.starts_with(NAMED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back() {
        assert_eq!(parse(CURRENT), Some(Source::Current));
        assert_eq!(parse(&point(0x1a, Some(3))), Some(Source::Point { gen: 0x1a, seq: Some(3) }));
        assert_eq!(parse(&point(7, None)), Some(Source::Point { gen: 7, seq: None }));
        let n = named(5);
        assert_eq!((n.as_str(), parse(&n)), ("n/0000000000000005", Some(Source::Named("n/0000000000000005"))));
        assert_eq!(parse("prev/0000019ab1c2d3e4"), Some(Source::SetAside("prev/0000019ab1c2d3e4")));
        for bad in ["point/zz/1", "point/1", "nothing", ""] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
