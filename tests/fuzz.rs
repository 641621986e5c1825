//! Fuzzing on stable Rust: every stored-record decoder and the journal replay
//! get random, truncated, bit-flipped and size-lying input from a fixed seed.
//! Zero panics, and allocation bounded by the codec's cap whatever a header
//! claims. `cargo test` runs a short pass; `./build.sh fuzz` sets
//! LIFEBOAT_FUZZ_CASES for a long one and prints the counts.
//! (The JSON and text importers have their own seeded loops in
//! tests/formats.rs; Chromium's binary SNSS files are fuzzed here, with
//! structure-aware mutations.)

mod common;

use lifeboat::codec::{self, Kind, HEADER_LEN};
use lifeboat::event::{Event, TabInfo, WindowInfo};
use lifeboat::import::{snss, ImportError, MAX_TABS};
use lifeboat::journal::Delta;
use lifeboat::keeper::Keeper;
use lifeboat::named::NamedMeta;
use lifeboat::settings::Settings;
use lifeboat::store::memory::MemoryBackend;
use lifeboat::store::{block_on, SetAside, Snapshot, Store};
use lifeboat::verdict::RunMark;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn cases() -> usize {
    std::env::var("LIFEBOAT_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000)
}

/// Recomputes a record's checksum so a mutation gets past it and reaches
/// the decompressor and the payload decoder.
fn reseal(bytes: &mut [u8]) {
    if bytes.len() >= HEADER_LEN {
        let mut h = crc32fast::Hasher::new();
        h.update(&bytes[0..16]);
        h.update(&bytes[HEADER_LEN..]);
        let crc = h.finalize();
        bytes[16..20].copy_from_slice(&crc.to_le_bytes());
    }
}

/// One mutated input from a valid `seed` record.
fn mutate(r: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    match r.below(7) {
        0 => b.truncate(r.below(b.len() + 1)),
        1 => {
            for _ in 0..=r.below(4) {
                let i = r.below(b.len());
                b[i] ^= 1 << r.below(8);
            }
        }
        2 => {
            // A payload that lies about its sizes, with a valid checksum.
            let claim = [0u32, 1, u32::MAX, (codec::MAX_RAW as u32) + 1, r.next() as u32][r.below(5)];
            b[8..12].copy_from_slice(&claim.to_le_bytes());
            reseal(&mut b);
        }
        3 => {
            // Garbage in the compressed body, checksum fixed up.
            for _ in 0..=r.below(8) {
                let i = HEADER_LEN + r.below(b.len() - HEADER_LEN);
                b[i] = r.next() as u8;
            }
            reseal(&mut b);
        }
        4 => {
            // A valid container around a corrupted payload: reaches postcard.
            let Ok(kind) = codec::header(&b).map(|h| h.kind) else { return b };
            let Ok(mut raw) = codec::open(kind, &b) else { return b };
            for _ in 0..=r.below(6) {
                if raw.is_empty() {
                    break;
                }
                let i = r.below(raw.len());
                raw[i] = r.next() as u8;
            }
            raw.truncate(raw.len() - r.below(raw.len().min(8) + 1));
            b = codec::seal(kind, &raw);
        }
        5 => b = (0..r.below(200)).map(|_| r.next() as u8).collect(),
        _ => {
            let at = r.below(b.len());
            let extra: Vec<u8> = (0..r.below(64)).map(|_| r.next() as u8).collect();
            b.splice(at..at, extra);
            reseal(&mut b);
        }
    }
    b
}

/// A realistic store, from the committed upgrade fixtures (the second one's
/// journal patches tab fields).
fn fixture() -> MemoryBackend {
    fixture_named("store-format-1.json")
}

fn fixture_named(name: &str) -> MemoryBackend {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    MemoryBackend::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn fuzz_kind<T: serde::de::DeserializeOwned>(name: &str, kind: Kind, seeds: &[Vec<u8>], r: &mut Rng) -> usize {
    let n = cases();
    for _ in 0..n {
        let pick = r.below(seeds.len());
        let input = mutate(r, &seeds[pick]);
        let _ = codec::decode::<T>(kind, &input);
    }
    println!("fuzz: {name}: {n} inputs, no panic");
    n
}

fn records(prefix: &str) -> Vec<Vec<u8>> {
    ["store-format-1.json", "store-format-1-patch.json", "store-format-2.json"]
        .iter()
        .flat_map(|f| {
            fixture_named(f)
                .data
                .borrow()
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn record_decoders_survive_hostile_input() {
    let mut r = Rng(0x5eed_11fe_b0a7);
    let mut total = 0;
    total += fuzz_kind::<Snapshot>("checkpoint", Kind::Checkpoint, &records("ck/"), &mut r);
    total += fuzz_kind::<Delta>("journal record", Kind::Delta, &records("jr/"), &mut r);
    total += fuzz_kind::<SetAside>("set-aside session", Kind::Checkpoint, &records("prev/"), &mut r);
    total += fuzz_kind::<RunMark>("run mark", Kind::RunMark, &records("run"), &mut r);
    total += fuzz_kind::<Vec<NamedMeta>>("named-save index", Kind::Named, &records("named-index"), &mut r);
    let settings = records("settings");
    for _ in 0..cases() {
        let _ = Settings::decode(&mutate(&mut r, &settings[0]));
    }
    println!("fuzz: settings: {} inputs, no panic", cases());
    assert!(total >= 5 * cases());
}

/// Replay of a whole store whose records were damaged at random: it loads
/// something or says why, never panics, and a store with intact checkpoints
/// always yields a state.
#[test]
fn journal_replay_survives_damaged_stores() {
    let mut r = Rng(0xdead_beef_cafe);
    let base = fixture();
    let keys: Vec<String> = base.data.borrow().keys().cloned().collect();
    let n = cases() / 10;
    for _ in 0..n {
        let store = base.clone();
        {
            let mut data = store.data.borrow_mut();
            for _ in 0..=r.below(3) {
                let k = &keys[r.below(keys.len())];
                if k.starts_with("ck/") {
                    continue; // checkpoints stay intact: the replay is what is fuzzed
                }
                let v = data.get(k).cloned().unwrap_or_default();
                if v.len() > HEADER_LEN {
                    data.insert(k.clone(), mutate(&mut r, &v));
                }
            }
        }
        let mut s = Store::new(store);
        let loaded = block_on(s.load_latest()).expect("intact checkpoints always load");
        assert!(loaded.is_some());
    }
    println!("fuzz: journal replay: {n} damaged stores, no panic");
}

/// The spare copy (`spare`) is read back at start-up when the database is
/// empty or older than it: a damaged or hostile one is ignored or put back,
/// never a panic, and the start goes on.
#[test]
fn a_damaged_spare_copy_never_stops_a_start() {
    let mut r = Rng(0x0b5e_55ed_5a4e);
    // A real spare copy: a store's first commit is a checkpoint, which writes it.
    let mut k = block_on(Keeper::start(MemoryBackend::default(), "1", "ext://own/", 0, true)).unwrap();
    k.apply(
        Event::WindowOpened(WindowInfo {
            id: 1,
            normal: true,
            ..Default::default()
        }),
        1,
    );
    k.apply(
        Event::TabCreated(TabInfo {
            id: 1,
            window_id: 1,
            url: "https://example.org/".into(),
            ..Default::default()
        }),
        1,
    );
    block_on(k.commit(2)).unwrap();
    let spare = k.backend().spare.borrow().clone();
    assert!(!spare.is_empty(), "the commit wrote a spare copy");
    let seeds: Vec<(String, Vec<u8>)> = spare.into_iter().collect();
    let n = cases();
    for _ in 0..n {
        // Every part as written, one of them damaged: the copy itself, or
        // the mark saying when its state was taken (plain text, not a record).
        let b = MemoryBackend::default();
        *b.spare.borrow_mut() = seeds.iter().cloned().collect();
        let (key, seed) = &seeds[r.below(seeds.len())];
        let damaged = match codec::header(seed) {
            Ok(_) => mutate(&mut r, seed),
            Err(_) => (0..r.below(24)).map(|_| r.next() as u8).collect(),
        };
        b.spare.borrow_mut().insert(key.clone(), damaged);
        // Whatever was put back, the keeper starts.
        block_on(Keeper::start(b, "1", "ext://own/", 10, true)).expect("a start with a damaged spare copy goes on");
    }
    println!("fuzz: spare copy at start-up: {n} inputs, no panic");
}

// ---------------------------------------------------------------- Chromium SNSS

/// Where each record of an SNSS file starts (its uint16 size).
fn record_offsets(file: &[u8]) -> Vec<usize> {
    let (mut at, mut out) = (8, Vec::new());
    while at + 2 <= file.len() {
        out.push(at);
        at += 2 + u16::from_le_bytes([file[at], file[at + 1]]) as usize;
    }
    out
}

/// One hostile variant of a valid SNSS file.
fn mutate_snss(r: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    let records = record_offsets(&b);
    let record = records[r.below(records.len())];
    match r.below(6) {
        // A torn write: cut anywhere, also inside the header.
        0 => b.truncate(r.below(b.len() + 1)),
        // A record whose size lies (0, larger than the file, one off, anything).
        1 => {
            let size = [0u16, 1, u16::MAX, b.len() as u16, r.next() as u16][r.below(5)];
            b[record..record + 2].copy_from_slice(&size.to_le_bytes());
        }
        // A garbage pickle: the payload's own size field, then its lengths, lie.
        2 => {
            let at = record + 3;
            for k in 0..=r.below(4) {
                let i = at + 4 * (k + r.below(8));
                if i + 4 <= b.len() {
                    let v = [u32::MAX, 0x8000_0000, 0x7fff_ffff, r.next() as u32][r.below(4)];
                    b[i..i + 4].copy_from_slice(&v.to_le_bytes());
                }
            }
        }
        // Random bytes inside a record, the command id included.
        3 => {
            for _ in 0..=r.below(8) {
                let i = record + 2 + r.below(b.len() - record - 2);
                b[i] = r.next() as u8;
            }
        }
        // A record repeated or moved: commands out of order.
        4 => {
            let end = records.iter().find(|&&o| o > record).copied().unwrap_or(b.len());
            let chunk = b[record..end].to_vec();
            let to = records[r.below(records.len())];
            b.splice(to..to, chunk);
        }
        // Another format version, including the encrypted ones.
        _ => b[4] = r.below(7) as u8,
    }
    b
}

fn check_snss(kind: snss::Kind, bytes: &[u8]) {
    match lifeboat::import::parse_snss(kind, bytes) {
        Ok(got) => {
            let tabs: usize = got.sessions.iter().map(|(_, s)| s.tab_count()).sum();
            assert!(tabs <= MAX_TABS);
            for (_, s) in &got.sessions {
                for w in &s.windows {
                    assert_eq!(w.tabs.iter().filter(|t| t.active).count(), 1, "one active tab per window");
                    assert!(w.tabs.iter().all(|t| !t.url.to_ascii_lowercase().starts_with("javascript:")));
                }
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

#[test]
fn snss_files_survive_hostile_input() {
    let mut r = Rng(0x5a55_0c0d_e5ee_d001);
    let real = |name: &str| std::fs::read(format!("{}/tests/fixtures/chromium/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let seeds = [
        (snss::Kind::Session, common::session_file()),
        (snss::Kind::Tabs, common::tabs_file()),
        (snss::Kind::Session, real("Session_13441036697607567")),
        (snss::Kind::Tabs, real("Tabs_13441036699886995")),
    ];
    for (kind, seed) in &seeds {
        check_snss(*kind, seed);
        assert!(lifeboat::import::parse_snss(*kind, seed).is_ok(), "the seeds themselves read");
    }
    let n = cases();
    for i in 0..n {
        let (kind, seed) = &seeds[i % seeds.len()];
        let input = mutate_snss(&mut r, seed);
        check_snss(*kind, &input);
        // The other command table on the same bytes: a misnamed file.
        check_snss(
            if *kind == snss::Kind::Session {
                snss::Kind::Tabs
            } else {
                snss::Kind::Session
            },
            &input,
        );
    }
    // Pure noise after a valid header.
    for _ in 0..n / 10 {
        let mut b = common::Snss::new(3).finish();
        b.extend((0..r.below(600)).map(|_| r.next() as u8));
        check_snss(snss::Kind::Session, &b);
        check_snss(snss::Kind::Tabs, &b);
    }
    println!("fuzz: snss: {} inputs, no panic", 2 * n + n / 5);
}

/// 100,000 commands of every kind with random ids and payload words: read
/// in one pass, no panic; ids made up by the file cannot grow the replay
/// beyond the tab limit.
#[test]
fn snss_hundred_thousand_commands() {
    let mut r = Rng(0x100_000c);
    let mut f = common::Snss::new(3).ints(9, &[1, 0]);
    for i in 0..100_000 {
        let id = [0u8, 2, 5, 6, 7, 8, 9, 11, 12, 14, 16, 17, 20, 24, 25, 27, 255, r.next() as u8][r.below(18)];
        f = match id {
            6 => f.command(6, &common::nav(r.below(50) as i32, r.below(8) as i32, &format!("https://e.org/{i}"), "t")),
            0 => f.ints(0, &[1, r.below(200) as i32]),
            _ => f.ints(id, &[r.below(200) as i32, r.below(8) as i32]),
        };
    }
    let file = f.finish();
    check_snss(snss::Kind::Session, &file);
    check_snss(snss::Kind::Tabs, &file);

    // Every command naming a new tab: refused at the limit, not grown without end.
    let mut f = common::Snss::new(3);
    for t in 0..(MAX_TABS as i32 + 10) {
        f = f.ints(12, &[t, 1]);
    }
    assert_eq!(
        lifeboat::import::parse_snss(snss::Kind::Session, &f.finish()),
        Err(ImportError::TooManyTabs { limit: MAX_TABS })
    );
}
