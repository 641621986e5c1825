//! Core benchmark (`./build.sh bench` runs it): encode + compress and decode of
//! realistic sessions, beside JSON + LZ4 (what Firefox's store does), the cost
//! of one event, and the size of a one-tab journal record. Prints a Markdown
//! section; numbers, not pass/fail.

use lifeboat::codec::{self, Kind};
use lifeboat::event::{Event, TabInfo, WindowInfo};
use lifeboat::journal::{self, Delta};
use lifeboat::keeper::Keeper;
use lifeboat::model::{Session, Tab, Window};
use lifeboat::store::memory::MemoryBackend;
use lifeboat::store::{block_on, Snapshot};
use lifeboat::tracker::Tracker;
use std::hint::black_box;
use std::time::Instant;

/// Deterministic generator (xorshift64*): the same sessions on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const HOSTS: &[&str] = &[
    "github.com",
    "en.wikipedia.org",
    "news.ycombinator.com",
    "docs.rs",
    "developer.mozilla.org",
    "stackoverflow.com",
    "www.youtube.com",
    "mail.google.com",
    "www.nytimes.com",
    "arxiv.org",
    "www.reddit.com",
    "crates.io",
    "www.amazon.com",
    "maps.example.org",
    "blog.rust-lang.org",
    "www.booking.com",
    "twitter.com",
    "docs.python.org",
    "www.bbc.co.uk",
    "calendar.google.com",
];
const WORDS: &[&str] = &[
    "session",
    "restore",
    "browser",
    "crash",
    "window",
    "rust",
    "memory",
    "async",
    "design",
    "review",
    "issue",
    "release",
    "notes",
    "guide",
    "performance",
    "storage",
    "journal",
    "checkpoint",
    "index",
    "query",
    "travel",
    "lisbon",
    "hotel",
    "weather",
    "recipe",
    "budget",
    "meeting",
    "the",
    "of",
    "and",
    "how",
    "to",
    "why",
    "a",
    "new",
    "update",
    "compression",
    "security",
    "privacy",
    "policy",
    "report",
    "search",
];

fn words(r: &mut Rng, n: usize, sep: &str) -> String {
    (0..n).map(|_| r.pick(WORDS)).collect::<Vec<_>>().join(sep)
}

/// A tab with an ~80-character URL and a ~50-character title.
fn tab(r: &mut Rng, id: i64) -> Tab {
    let host = r.pick(HOSTS);
    let n = 3 + (r.next() % 4) as usize;
    let path = words(r, n, "/");
    let query = if r.next().is_multiple_of(3) {
        format!("?id={}&ref={}", r.next() % 100_000, r.pick(WORDS))
    } else {
        String::new()
    };
    let n = 4 + (r.next() % 5) as usize;
    let title = format!("{} - {}", words(r, n, " "), host);
    Tab {
        id,
        url: format!("https://{host}/{path}{query}"),
        title,
        fav_icon_url: Some(format!("https://{host}/favicon.ico")),
        pinned: id % 50 == 0,
        last_accessed: Some(1_764_000_000_000 + r.next() % 10_000_000),
        ..Default::default()
    }
}

pub fn session(tabs: usize, seed: u64) -> Session {
    let mut r = Rng(seed);
    let per_window = 50.max(tabs / 4);
    let windows = tabs.div_ceil(per_window);
    let mut s = Session::default();
    let mut id = 0;
    for w in 0..windows {
        let n = per_window.min(tabs - id as usize);
        let tabs = (0..n)
            .map(|_| {
                id += 1;
                tab(&mut r, id)
            })
            .collect();
        s.windows.push(Window {
            id: w as i64 + 1,
            tabs,
            ..Default::default()
        });
    }
    s
}

/// Median time of `f` over enough runs to take ~0.3 s, in microseconds.
fn time<T>(mut f: impl FnMut() -> T) -> f64 {
    let once = Instant::now();
    black_box(f());
    let per = once.elapsed().as_secs_f64().max(1e-7);
    let runs = ((0.3 / per) as usize).clamp(5, 20_000);
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[samples.len() / 2]
}

/// The events a background feeds its model at start-up (from `tabs.query`).
fn events(s: &Session) -> Vec<Event> {
    let mut out = Vec::new();
    for w in &s.windows {
        out.push(Event::WindowOpened(WindowInfo {
            id: w.id,
            normal: true,
            ..Default::default()
        }));
        for (i, tab) in w.tabs.iter().enumerate() {
            out.push(Event::TabCreated(TabInfo {
                id: tab.id,
                window_id: w.id,
                index: i,
                url: tab.url.clone(),
                title: tab.title.clone(),
                active: tab.active,
                pinned: tab.pinned,
                ..Default::default()
            }));
        }
    }
    out
}

/// A store as a background leaves it: a checkpoint of `s` and 50 journal
/// records of small changes after it.
fn stored(s: &Session) -> MemoryBackend {
    let mut k = block_on(Keeper::start(MemoryBackend::default(), "1", "ext://own/", 0, true)).unwrap();
    for e in events(s) {
        k.apply(e, 1);
    }
    block_on(k.commit(2)).unwrap();
    let w = &s.windows[0];
    for i in 0..50 {
        let t = &w.tabs[i % w.tabs.len()];
        k.apply(
            Event::TabUpdated(TabInfo {
                id: t.id,
                window_id: w.id,
                index: i % w.tabs.len(),
                url: format!("https://example.org/step/{i}"),
                title: t.title.clone(),
                ..Default::default()
            }),
            10 + i as u64,
        );
        block_on(k.commit(10 + i as u64)).unwrap();
    }
    k.backend().clone()
}

fn fmt_us(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

/// `bench mozlz4 < session.json > sessionstore.jsonlz4`: the browser bench sets
/// up a 10,000-tab Firefox session as a session file for Firefox to reopen,
/// since creating that many tabs one by one through the tabs API takes longer
/// than the run (tests/bench/lib/jobs.mjs).
fn mozlz4() {
    use std::io::{Read, Write};
    let mut json = Vec::new();
    std::io::stdin().read_to_end(&mut json).expect("read stdin");
    let mut out = lifeboat::import::mozlz4::MAGIC.to_vec();
    out.extend(lz4_flex::block::compress_prepend_size(&json));
    std::io::stdout().write_all(&out).expect("write stdout");
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("mozlz4") {
        return mozlz4();
    }
    println!("### Core, native (release build; `cargo run --release --bin bench`)\n");
    println!("| tabs | binary+LZ4 encode | decode | bytes | bytes/tab | JSON+LZ4 encode | decode | bytes | bytes/tab |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in [100, 1_000, 10_000] {
        let snap = Snapshot {
            taken_at: 1,
            session: session(n, 42),
        };
        let bin = codec::encode(Kind::Checkpoint, &snap);
        let enc = time(|| codec::encode(Kind::Checkpoint, &snap));
        let dec = time(|| codec::decode::<Snapshot>(Kind::Checkpoint, &bin).unwrap());
        let json = lz4_flex::block::compress_prepend_size(&serde_json::to_vec(&snap).unwrap());
        let jenc = time(|| lz4_flex::block::compress_prepend_size(&serde_json::to_vec(&snap).unwrap()));
        let jdec = time(|| serde_json::from_slice::<Snapshot>(&lz4_flex::block::decompress_size_prepended(&json).unwrap()).unwrap());
        println!(
            "| {n} | {} | {} | {} | {:.1} | {} | {} | {} | {:.1} |",
            fmt_us(enc),
            fmt_us(dec),
            bin.len(),
            bin.len() as f64 / n as f64,
            fmt_us(jenc),
            fmt_us(jdec),
            json.len(),
            json.len() as f64 / n as f64
        );
    }

    println!("\n| tabs | one event applied to the model | journal record for a one-tab change | diff of two committed states |");
    println!("|---:|---:|---:|---:|");
    for n in [100, 1_000, 10_000] {
        let s = session(n, 42);
        let mut t = Tracker::new();
        for e in events(&s) {
            t.apply(e);
        }
        let last = s.windows.last().unwrap();
        let target = last.tabs.last().unwrap().id;
        let mut flip = false;
        let per_event = time(|| {
            flip = !flip;
            let info = TabInfo {
                id: target,
                window_id: last.id,
                index: last.tabs.len() - 1,
                url: "https://example.org/x".into(),
                muted: flip,
                ..Default::default()
            };
            t.apply(Event::TabUpdated(info))
        });
        let mut changed = s.clone();
        changed.windows[0].tabs[0].url = "https://example.org/navigated/somewhere/else".into();
        let record = codec::encode(
            Kind::Delta,
            &Delta {
                taken_at: 2,
                ops: journal::diff(&s, &changed),
            },
        );
        let diff = time(|| journal::diff(&s, &changed));
        println!("| {n} | {} | {} bytes | {} |", fmt_us(per_event), record.len(), fmt_us(diff));
    }

    println!("\n| tabs | start-up in the core: read the store, judge, set aside, rebuild the model | journal record for a tab switch |");
    println!("|---:|---:|---:|");
    for n in [100, 1_000, 10_000] {
        let s = session(n, 42);
        let backend = stored(&s);
        let evs = events(&s);
        // A new browser run after a crash: the whole path but the browser's calls.
        let start = time(|| {
            let mut k = block_on(Keeper::start(backend.clone(), "1", "ext://own/", 100_000, true)).unwrap();
            for e in evs.iter().cloned() {
                k.apply(e, 100_000);
            }
            k
        });
        let mut switched = s.clone();
        let w = &mut switched.windows[0];
        w.tabs.iter_mut().for_each(|t| t.active = false);
        w.tabs[1].active = true;
        let record = codec::encode(
            Kind::Delta,
            &Delta {
                taken_at: 2,
                ops: journal::diff(&s, &switched),
            },
        );
        println!("| {n} | {} | {} bytes |", fmt_us(start), record.len());
    }
}
