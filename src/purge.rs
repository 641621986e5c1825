//! Typed text the privacy settings now refuse, and pages of sites they now
//! exclude from tabs' histories, taken out of everything stored: the
//! timeline's checkpoints and journal records, earlier sessions and named
//! saves. Excluding a site (or saving no typed text at all) must
//! leave nothing of what was typed there in Lifeboat's store, not only in
//! the live session; it is a rare, user-made change, so rewriting every
//! record that holds such text, in one batch, is a cost worth paying.

use crate::codec::{self, Kind};
use crate::journal::{Delta, DeltaOp, TabField};
use crate::model::{PageState, Session, Visit};
use crate::named::NamedSave;
use crate::keys::{CHECKPOINT, JOURNAL, NAMED_RECORD as NAMED, SET_ASIDE};
use crate::store::{Backend, Op, SetAside, Snapshot, StoreError};


/// Drops from `page` the frames `refuse` says no to (every frame when the
/// page itself is refused); returns how many fields went.
fn strip_page(page: &mut Option<PageState>, refuse: &dyn Fn(&str) -> bool) -> usize {
    let Some(p) = page else { return 0 };
    let n = if refuse(&p.url) {
        p.drop_frames(&mut |_| true)
    } else {
        p.drop_frames(&mut |u| refuse(u))
    };
    if p.is_empty() && p.cut == 0 {
        *page = None;
    }
    n
}

/// What the settings now refuse: typed text on a page, a page in a history.
pub struct Refused<'a> {
    pub text: &'a dyn Fn(&str) -> bool,
    pub visit: &'a dyn Fn(&str) -> bool,
}

fn strip_history(history: &mut Vec<Visit>, r: &Refused) -> usize {
    let before = history.len();
    history.retain(|v| !(r.visit)(&v.url));
    before - history.len()
}

fn strip_session(s: &mut Session, r: &Refused) -> usize {
    s.windows
        .iter_mut()
        .flat_map(|w| w.tabs.iter_mut())
        .map(|t| strip_page(&mut t.page, r.text) + strip_history(&mut t.history, r))
        .sum()
}

fn strip_delta(d: &mut Delta, r: &Refused) -> usize {
    let mut n = 0;
    for op in &mut d.ops {
        match op {
            DeltaOp::Tab { tab, .. } => n += strip_page(&mut tab.page, r.text) + strip_history(&mut tab.history, r),
            DeltaOp::TabPatch { fields, .. } => {
                let before = fields.len();
                fields.retain(|f| !matches!(f, TabField::Visited(v) if (r.visit)(&v.url)));
                n += before - fields.len();
                for f in fields {
                    match f {
                        TabField::Page(p) => n += strip_page(p, r.text),
                        TabField::History(h) => n += strip_history(h, r),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    n
}

/// Rewrites every stored record holding typed text or visits that `refused`
/// says no to, without them, in one batch. Records that do not decode are
/// left as they are (the store reports them where they are read). Returns
/// how many fields and visits went.
pub async fn refused<B: Backend>(b: &B, refuse: &Refused<'_>) -> Result<usize, StoreError> {
    let mut ops = Vec::new();
    let mut fields = 0;
    let mut keep = |key: String, n: usize, encode: &dyn Fn() -> Vec<u8>| {
        if n > 0 {
            fields += n;
            ops.push(Op::Put(key, encode()));
        }
    };
    for (key, bytes) in b.scan(CHECKPOINT).await? {
        if let Ok(mut s) = codec::decode::<Snapshot>(Kind::Checkpoint, &bytes) {
            let n = strip_session(&mut s.session, refuse);
            keep(key, n, &|| codec::encode(Kind::Checkpoint, &s));
        }
    }
    for (key, bytes) in b.scan(JOURNAL).await? {
        if let Ok(mut d) = codec::decode::<Delta>(Kind::Delta, &bytes) {
            let n = strip_delta(&mut d, refuse);
            keep(key, n, &|| codec::encode(Kind::Delta, &d));
        }
    }
    for (key, bytes) in b.scan(SET_ASIDE).await? {
        if let Ok(mut a) = codec::decode::<SetAside>(Kind::Checkpoint, &bytes) {
            let n = strip_session(&mut a.snapshot.session, refuse);
            keep(key, n, &|| codec::encode(Kind::Checkpoint, &a));
        }
    }
    for (key, bytes) in b.scan(NAMED).await? {
        if let Ok(mut s) = codec::decode::<NamedSave>(Kind::Named, &bytes) {
            let n = strip_session(&mut s.session, refuse);
            keep(key, n, &|| codec::encode(Kind::Named, &s));
        }
    }
    if !ops.is_empty() {
        b.commit(ops).await?;
    }
    Ok(fields)
}
