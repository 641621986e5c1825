//! Stable sorting through one instance of the standard library's sort.
//!
//! `slice::sort_by_key` is generic over the element, the key and the
//! closure: every call site compiles its own copy of the sort (about 6 KB
//! each in the background's WASM module after `wasm-opt -Oz`, issue 10's
//! budget). These helpers work out the order on indices with one
//! non-generic comparison, so the sort itself is compiled once; only the
//! small key-collecting and reordering code is per type. The keys are
//! computed once per element, as `sort_by_cached_key` does.
use std::cmp::Ordering;

/// The stable order of `len` elements under `cmp` (on their indices).
fn permutation(len: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Puts the elements of `v` in `order` (a permutation of its indices).
fn reorder<T>(v: &mut Vec<T>, order: &[usize]) {
    let mut old: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.iter().map(|&i| old[i].take().expect("a permutation names each index once")));
}

/// Sorts `v` by `key`, keeping the order of equal keys (`slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    if v.len() < 2 {
        return;
    }
    let keys: Vec<K> = v.iter().map(key).collect();
    let order = permutation(keys.len(), &mut |a, b| keys[a].cmp(&keys[b]));
    reorder(v, &order);
}

/// Sorts `v` by `cmp`, keeping the order of equal elements (`slice::sort_by`).
pub fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = permutation(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    reorder(v, &order);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_key_and_keeps_equal_keys_in_order() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_by_key(&mut v, |x| x.0);
        assert_eq!(v, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        sort_by(&mut v, |a, b| b.0.cmp(&a.0));
        assert_eq!(v, [(3, 'a'), (3, 'c'), (2, 'd'), (1, 'b'), (1, 'e')]);
    }

    #[test]
    fn matches_the_standard_sort_on_many_inputs() {
        let mut seed = 7u64;
        for len in 0..200 {
            let v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((seed >> 59) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            let mut std = v;
            sort_by_key(&mut ours, |x| x.0);
            std.sort_by_key(|x| x.0);
            assert_eq!(ours, std, "length {len}");
        }
    }
}
