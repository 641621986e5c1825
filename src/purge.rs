//! Typed text the privacy settings now refuse, and pages of sites they now
//! exclude from tabs' histories, taken out of everything stored: the
//! timeline's checkpoints and journal records, earlier sessions and named
//! saves. Excluding a site (or saving no typed text at all) must
//! leave nothing of what was typed there in Lifeboat's store, not only in
//! the live session; it is a rare, user-made change, so rewriting every
//! record that holds such text, in one batch, is a cost worth paying.

use crate::codec::{self, Kind};
use crate::journal::Delta;
use crate::keys::{CHECKPOINT, JOURNAL, NAMED_RECORD as NAMED, SET_ASIDE};
pub use crate::model::Refused;
use crate::named::NamedSave;
use crate::store::{Backend, Op, SetAside, Snapshot, StoreError};

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
            let n = s.session.strip(refuse);
            keep(key, n, &|| codec::encode(Kind::Checkpoint, &s));
        }
    }
    for (key, bytes) in b.scan(JOURNAL).await? {
        if let Ok(mut d) = codec::decode::<Delta>(Kind::Delta, &bytes) {
            let n = d.strip(refuse);
            keep(key, n, &|| codec::encode(Kind::Delta, &d));
        }
    }
    for (key, bytes) in b.scan(SET_ASIDE).await? {
        if let Ok(mut a) = codec::decode::<SetAside>(Kind::Checkpoint, &bytes) {
            let n = a.snapshot.session.strip(refuse);
            keep(key, n, &|| codec::encode(Kind::Checkpoint, &a));
        }
    }
    for (key, bytes) in b.scan(NAMED).await? {
        if let Ok(mut s) = codec::decode::<NamedSave>(Kind::Named, &bytes) {
            let n = s.session.strip(refuse);
            keep(key, n, &|| codec::encode(Kind::Named, &s));
        }
    }
    if !ops.is_empty() {
        b.commit(ops).await?;
    }
    Ok(fields)
}
