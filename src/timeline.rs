//! The autosave timeline: which earlier states stay restorable.
//!
//! Every commit is a restorable point: a checkpoint, or a checkpoint plus the
//! journal records up to one of them. So points cost no extra writes, and
//! tabs that did not change are stored once per generation and shared by all
//! of its points. Thinning keeps the newest point of each time bucket (by
//! default every minute for 15 minutes, every hour for a day, every day for
//! a week) and lets compaction drop the generations no kept point needs.
//!
//! What a point is (time, windows, tabs, bytes) is written into its record's
//! key, so the timeline is listed from keys alone, without decoding anything.

use crate::model::{Millis, Session};
use serde::{Deserialize, Serialize};

/// A stored record's key, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordMeta {
    pub gen: u64,
    /// `None` for the checkpoint itself, else the journal record's number.
    pub seq: Option<u32>,
    pub taken_at: Millis,
    pub windows: u32,
    pub tabs: u32,
    pub bytes: u32,
}

pub use crate::keys::CHECKPOINT;
pub use crate::keys::JOURNAL;

impl RecordMeta {
    pub fn of(gen: u64, seq: Option<u32>, taken_at: Millis, session: &Session, bytes: usize) -> Self {
        Self {
            gen,
            seq,
            taken_at,
            windows: session.windows.len() as u32,
            tabs: session.tab_count() as u32,
            bytes: bytes as u32,
        }
    }

    /// `ck/<gen>-<time>-<windows>-<tabs>-<bytes>` or `jr/<gen>/<seq>-<time>-…`,
    /// fixed-width hex so keys sort by generation, then sequence.
    pub fn key(&self) -> String {
        let tail = format!("{:012x}-{:x}-{:x}-{:x}", self.taken_at, self.windows, self.tabs, self.bytes);
        match self.seq {
            None => format!("{CHECKPOINT}{:016x}-{tail}", self.gen),
            Some(seq) => format!("{JOURNAL}{:016x}/{seq:08x}-{tail}", self.gen),
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        let (gen, seq, tail) = if let Some(rest) = key.strip_prefix(CHECKPOINT) {
            let (g, t) = rest.split_once('-')?;
            (g, None, t)
        } else {
            let rest = key.strip_prefix(JOURNAL)?;
            let (g, rest) = rest.split_once('/')?;
            let (s, t) = rest.split_once('-')?;
            (g, Some(u32::from_str_radix(s, 16).ok()?), t)
        };
        let mut parts = tail.split('-').map(|p| u64::from_str_radix(p, 16).ok());
        let (taken_at, windows, tabs, bytes) = (parts.next()??, parts.next()??, parts.next()??, parts.next()??);
        Some(Self {
            gen: u64::from_str_radix(gen, 16).ok()?,
            seq,
            taken_at,
            windows: windows as u32,
            tabs: tabs as u32,
            bytes: bytes as u32,
        })
    }
}

pub fn journal_prefix(gen: u64) -> String {
    format!("{JOURNAL}{gen:016x}/")
}

/// Keep the newest point in each `bucket` for points younger than `horizon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Tier {
    #[cfg_attr(test, ts(type = "number"))]
    pub bucket_ms: Millis,
    #[cfg_attr(test, ts(type = "number"))]
    pub horizon_ms: Millis,
}

pub fn default_tiers() -> Vec<Tier> {
    const MIN: Millis = 60_000;
    vec![
        Tier {
            bucket_ms: MIN,
            horizon_ms: 15 * MIN,
        },
        Tier {
            bucket_ms: 60 * MIN,
            horizon_ms: 24 * 60 * MIN,
        },
        Tier {
            bucket_ms: 24 * 60 * MIN,
            horizon_ms: 7 * 24 * 60 * MIN,
        },
    ]
}

/// The points to keep, newest first: per tier and bucket, the newest point.
/// The newest point of all is always kept.
pub fn select(points: &[RecordMeta], now: Millis, tiers: &[Tier]) -> Vec<RecordMeta> {
    let mut sorted: Vec<RecordMeta> = points.to_vec();
    crate::sorting::sort_by_key(&mut sorted, |p| std::cmp::Reverse((p.taken_at, p.gen, p.seq.map_or(0, |s| s as u64 + 1))));
    let mut kept: Vec<RecordMeta> = Vec::new();
    let mut taken: std::collections::HashSet<(usize, u64)> = std::collections::HashSet::new();
    for (i, p) in sorted.iter().enumerate() {
        let age = now.saturating_sub(p.taken_at);
        let keep = i == 0
            || tiers
                .iter()
                .enumerate()
                .any(|(ti, t)| t.bucket_ms > 0 && age < t.horizon_ms && taken.insert((ti, p.taken_at / t.bucket_ms)));
        if keep {
            kept.push(*p);
        }
        // A point fills its bucket in every tier, kept or not by that tier.
        for (ti, t) in tiers.iter().enumerate() {
            if t.bucket_ms > 0 && age < t.horizon_ms {
                taken.insert((ti, p.taken_at / t.bucket_ms));
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(gen: u64, seq: Option<u32>, taken_at: Millis) -> RecordMeta {
        RecordMeta {
            gen,
            seq,
            taken_at,
            windows: 1,
            tabs: 3,
            bytes: 100,
        }
    }

    #[test]
    fn keys_round_trip_and_sort() {
        for p in [point(1, None, 1_764_000_000_000), point(0xabc, Some(77), 5)] {
            assert_eq!(RecordMeta::parse(&p.key()), Some(p));
        }
        assert!(point(2, None, 1).key() > point(1, None, 9).key());
        assert!(point(1, Some(10), 1).key() > point(1, Some(9), 9).key());
        assert_eq!(RecordMeta::parse("ck/zz"), None);
        assert_eq!(RecordMeta::parse("settings"), None);
    }

    #[test]
    fn thinning_keeps_one_point_per_bucket() {
        const MIN: Millis = 60_000;
        let now = 30 * 24 * 60 * MIN;
        // A commit every 10 s for the last 2 hours, then one a day for 20 days.
        let mut points: Vec<RecordMeta> = (0..720).map(|i| point(1, Some(i), now - i as u64 * 10_000)).collect();
        points.extend((1..20).map(|d| point(0, None, now - d * 24 * 60 * MIN - 5)));
        let kept = select(&points, now, &default_tiers());
        assert_eq!(kept[0].taken_at, now, "the newest is kept");
        let within = |lo: Millis, hi: Millis| kept.iter().filter(|p| now - p.taken_at >= lo && now - p.taken_at < hi).count();
        assert!((15..=16).contains(&within(0, 15 * MIN)), "{}", within(0, 15 * MIN));
        assert!(within(15 * MIN, 24 * 60 * MIN) <= 3, "hourly after 15 minutes");
        assert!((6..=8).contains(&within(24 * 60 * MIN, 8 * 24 * 60 * MIN)), "daily for a week");
        assert_eq!(within(8 * 24 * 60 * MIN, u64::MAX), 0, "nothing older than a week");
    }
}
