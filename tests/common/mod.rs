//! Shared by the integration tests: a small writer of Chromium SNSS files,
//! written from the format's description (not from the importer), so the
//! tests build their Chromium fixtures instead of committing binaries.
#![allow(dead_code)]

/// A `base::Pickle`: a uint32 payload size, then 4-byte aligned fields.
#[derive(Default)]
pub struct Pickle(Vec<u8>);

impl Pickle {
    fn pad(mut self) -> Self {
        while !self.0.len().is_multiple_of(4) {
            self.0.push(0);
        }
        self
    }
    pub fn i32(mut self, v: i32) -> Self {
        self.0.extend(v.to_le_bytes());
        self
    }
    pub fn u32(self, v: u32) -> Self {
        self.i32(v as i32)
    }
    pub fn i64(mut self, v: i64) -> Self {
        self.0.extend(v.to_le_bytes());
        self
    }
    pub fn u64(self, v: u64) -> Self {
        self.i64(v as i64)
    }
    pub fn bool(self, v: bool) -> Self {
        self.i32(v as i32)
    }
    pub fn string(mut self, s: &str) -> Self {
        self.0.extend((s.len() as i32).to_le_bytes());
        self.0.extend(s.as_bytes());
        self.pad()
    }
    pub fn string16(mut self, s: &str) -> Self {
        let units: Vec<u16> = s.encode_utf16().collect();
        self.0.extend((units.len() as i32).to_le_bytes());
        self.0.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        self.pad()
    }
    pub fn finish(self) -> Vec<u8> {
        let mut out = (self.0.len() as u32).to_le_bytes().to_vec();
        out.extend(self.0);
        out
    }
}

/// An SNSS file: `SNSS`, the version, then (uint16 size, id, payload) records.
pub struct Snss(Vec<u8>);

impl Snss {
    pub fn new(version: u32) -> Self {
        let mut b = b"SNSS".to_vec();
        b.extend(version.to_le_bytes());
        Self(b)
    }
    pub fn command(mut self, id: u8, payload: &[u8]) -> Self {
        self.0.extend(((payload.len() + 1) as u16).to_le_bytes());
        self.0.push(id);
        self.0.extend(payload);
        self
    }
    pub fn ints(self, id: u8, v: &[i32]) -> Self {
        let p: Vec<u8> = v.iter().flat_map(|i| i.to_le_bytes()).collect();
        self.command(id, &p)
    }
    pub fn finish(self) -> Vec<u8> {
        self.0
    }
}

/// 2026-11-25 12:00 UTC in Chromium's time (µs since 1601).
pub const TIME: i64 = (1_764_072_000_000 + 11_644_473_600_000) * 1000;

/// A navigation pickle as Chromium writes it (`UpdateTabNavigation`).
pub fn nav(tab: i32, index: i32, url: &str, title: &str) -> Vec<u8> {
    Pickle::default()
        .i32(tab)
        .i32(index)
        .string(url)
        .string16(title)
        .string("page state")
        .i32(1) // transition: typed
        .i32(0)
        .string("")
        .i32(0)
        .string(url)
        .bool(false)
        .i64(TIME)
        .string16("")
        .i32(200)
        .i32(0)
        .i32(0)
        .finish()
}

/// A session file: window 1 with a pinned tab, a tab in the group "Work"
/// (green) with two pages of history (the second current), and a closed
/// tab; window 2 (active, maximized) with one tab.
pub fn session_file() -> Vec<u8> {
    let mut group = Vec::new();
    for v in [3i32, 0] {
        group.extend(v.to_le_bytes());
    }
    group.extend(0xAAu64.to_le_bytes());
    group.extend(0xBBu64.to_le_bytes());
    group.extend([1, 0, 0, 0, 0, 0, 0, 0]);
    let mut closed = 5i32.to_le_bytes().to_vec();
    closed.extend([0; 4]);
    closed.extend(TIME.to_le_bytes());
    Snss::new(3)
        .ints(9, &[1, 0])
        .ints(9, &[2, 0])
        .ints(0, &[1, 2])
        .ints(0, &[1, 3])
        .ints(0, &[1, 5])
        .ints(0, &[2, 4])
        .ints(2, &[2, 0])
        .ints(2, &[3, 1])
        .ints(2, &[5, 2])
        .ints(2, &[4, 0])
        .command(6, &nav(2, 0, "https://pinned.example/", "Pinned"))
        .command(6, &nav(3, 0, "https://example.org/one", "One"))
        .command(6, &nav(3, 1, "https://example.org/two", "Two"))
        .ints(7, &[3, 1])
        .command(6, &nav(5, 0, "https://closed.example/", "Closed"))
        .command(6, &nav(4, 0, "https://second.example/", "Second"))
        .command(12, &[2, 0, 0, 0, 1, 0, 0, 0])
        .command(25, &group)
        .command(27, &Pickle::default().u64(0xAA).u64(0xBB).string16("Work").u32(4).bool(false).finish())
        .ints(8, &[1, 1])
        .ints(8, &[2, 0])
        .ints(14, &[2, 0, 0, 1024, 768, 3])
        .ints(20, &[2])
        .command(255, &[])
        .command(16, &closed)
        .finish()
}

/// A tabs file: one closed tab, then one closed window of two tabs.
pub fn tabs_file() -> Vec<u8> {
    let start = |id: i32| {
        let mut p: Vec<u8> = [id, 0].iter().flat_map(|i: &i32| i.to_le_bytes()).collect();
        p.extend(TIME.to_le_bytes());
        p
    };
    let window = Pickle::default()
        .i32(20)
        .i32(0)
        .i32(2)
        .i64(TIME)
        .i32(0)
        .i32(0)
        .i32(800)
        .i32(600)
        .i32(1)
        .string("")
        .finish();
    Snss::new(3)
        .command(4, &start(10))
        .command(1, &nav(10, 0, "https://closed-tab.example/", "Closed tab"))
        .command(9, &window)
        .command(4, &start(21))
        .command(1, &nav(21, 0, "https://closed-window.example/a", "Closed window A"))
        .command(4, &start(22))
        .command(1, &nav(22, 0, "https://closed-window.example/b", "Closed window B"))
        .finish()
}
