//! The bytes the Rust heap holds: counted in bench builds (feature `bench`
//! installs the counter) and by tests that install it themselves.
//!
//! The WASM module's linear memory is a high-water mark: it grows to the
//! largest heap the background ever needed (plus the allocator's
//! fragmentation) and never shrinks, so it cannot tell a leak from one
//! large moment. This counter can: it follows every allocation, so what a
//! commit frees comes off again. `peak` is the most held at once since the
//! last `take_peak`. Releases keep the system allocator as it is: the
//! counter is installed only where asked for.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting. Install it with `#[global_allocator]`.
pub struct Counting;

// SAFETY: every call is passed on unchanged to the system allocator; only
// the counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, size) };
        if !q.is_null() {
            grew(size);
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        q
    }
}

fn grew(n: usize) {
    let live = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(live, Relaxed);
}

#[cfg(feature = "bench")]
#[global_allocator]
static COUNTING: Counting = Counting;

/// Bytes held now.
pub fn live() -> usize {
    LIVE.load(Relaxed)
}

/// The most bytes held at once since the last call (or the start).
pub fn take_peak() -> usize {
    PEAK.swap(live(), Relaxed)
}
