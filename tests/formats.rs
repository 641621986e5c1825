//! Import and export formats end to end: round trips for every format, a real
//! Firefox recovery file, hostile inputs, and seeded random/mutated inputs
//! for every importer (none may panic, none may let a script URL through).
#![cfg(not(target_arch = "wasm32"))]

use lifeboat::export::{self, Format as Out, Saved};
use lifeboat::import::{self, detect_and_parse, firefox, lifeboat as lb, mozlz4, onetab, tsm, urls, Format, ImportError, Imported};
use lifeboat::model::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

const FIXTURE: &[u8] = include_bytes!("fixtures/firefox-recovery.jsonlz4");
const NOW: Millis = 1_764_072_245_000;

// ---------------------------------------------------------------- samples

fn field(key: &str, value: FieldValue) -> Field {
    Field {
        key: key.into(),
        value,
        truncated: false,
        tag: String::new(),
        kind: String::new(),
        name: String::new(),
        touched: false,
    }
}

fn tab(id: i64, url: &str, title: &str) -> Tab {
    Tab {
        id,
        url: url.into(),
        title: title.into(),
        ..Default::default()
    }
}

/// Everything the model can hold, with ids and active tabs as an import
/// leaves them (1, 2, …; one active tab per window).
fn rich() -> Session {
    let mut t1 = tab(1, "https://mail.example/inbox?q=a&b=<c>", "Inbox | \"quoted\" <b>");
    t1.pinned = true;
    t1.fav_icon_url = Some("https://mail.example/favicon.ico".into());
    t1.last_accessed = Some(1_764_000_000_000);
    let mut t2 = tab(2, "https://docs.example/d/1", "Draft — ünïcödé 😀");
    t2.active = true;
    t2.group = Some(7);
    t2.muted = true;
    t2.fav_icon_url = Some("data:image/png;base64,iVBORw0KGgo=".into());
    t2.container = Some(Container {
        cookie_store_id: "firefox-container-3".into(),
        name: Some("Work".into()),
        color: Some("orange".into()),
    });
    t2.page = Some(PageState {
        url: "https://docs.example/d/1".into(),
        scroll: Some((0, 1200)),
        cut: 0,
        frames: vec![
            FrameFields {
                frame: String::new(),
                url: "https://docs.example/d/1".into(),
                fields: vec![
                    field("#title", FieldValue::Text("My draft\nsecond line".into())),
                    field("@f0/agree/0", FieldValue::Checked(true)),
                    field("/html/body/select[0]", FieldValue::Selected(vec!["a".into(), "c".into()])),
                    Field {
                        key: "#body".into(),
                        value: FieldValue::Editable("long text cut".into()),
                        truncated: true,
                        tag: String::new(),
                        kind: String::new(),
                        name: String::new(),
                        touched: false,
                    },
                ],
            },
            FrameFields {
                frame: "iframe[0]".into(),
                url: "https://docs.example/comments".into(),
                fields: vec![field("#c", FieldValue::Text("nice".into()))],
            },
        ],
    });
    let mut t3 = tab(3, "https://docs.example/d/2", "");
    t3.group = Some(7);
    t3.discarded = true;
    let w1 = Window {
        id: 1,
        state: WindowState::Normal,
        geometry: Some(Geometry {
            left: -8,
            top: 20,
            width: 1280,
            height: 800,
        }),
        focused: true,
        tabs: vec![t1, t2, t3],
        groups: vec![TabGroup {
            id: 7,
            title: "Trip <plans> & \"more\"".into(),
            color: "blue".into(),
            collapsed: true,
        }],
    };
    let mut t4 = tab(4, "https://news.example/", "News");
    t4.active = true;
    let w2 = Window {
        id: 2,
        state: WindowState::Maximized,
        tabs: vec![t4, tab(5, "about:config", "Advanced Preferences"), tab(6, "file:///home/me/a.pdf", "a.pdf")],
        ..Default::default()
    };
    Session { windows: vec![w1, w2] }
}

fn plain() -> Session {
    let mut t = tab(1, "http://intranet.local/", "Intranet");
    t.active = true;
    Session {
        windows: vec![Window {
            id: 1,
            tabs: vec![t, tab(2, "https://example.org/?a=1&b=2", "Example")],
            ..Default::default()
        }],
    }
}

fn saved<'a>(sessions: &'a [(&'a str, Session)]) -> Vec<Saved<'a>> {
    sessions
        .iter()
        .enumerate()
        .map(|(i, (name, session))| Saved {
            name,
            saved_at: Some(NOW - i as u64 * 1000),
            session,
        })
        .collect()
}

// ---------------------------------------------------------------- invariants

/// What every successful import guarantees, whatever the input.
fn check(imp: &Imported) {
    assert_eq!(imp.sessions.len(), imp.saved_at.len());
    assert!(!imp.sessions.is_empty());
    let tabs: usize = imp.sessions.iter().map(|(_, s)| s.tab_count()).sum();
    assert!(tabs <= import::MAX_TABS);
    for (_, s) in &imp.sessions {
        let mut ids: Vec<i64> = s.windows.iter().flat_map(|w| &w.tabs).map(|t| t.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), s.tab_count(), "tab ids are distinct");
        for w in &s.windows {
            assert!(!w.tabs.is_empty());
            assert_eq!(w.tabs.iter().filter(|t| t.active).count(), 1, "one active tab");
            for t in &w.tabs {
                let mut urls = vec![t.url.clone()];
                urls.extend(t.fav_icon_url.clone());
                if let Some(p) = &t.page {
                    urls.push(p.url.clone());
                    urls.extend(p.frames.iter().map(|f| f.url.clone()));
                }
                for u in urls {
                    let squeezed: String = u
                        .chars()
                        .filter(|c| !c.is_whitespace() && !c.is_control())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    assert!(!squeezed.starts_with("javascript:") && !squeezed.starts_with("data:text"), "{u:?} got in");
                    assert!(!squeezed.contains("javascript:") || squeezed.starts_with("http"), "{u:?} got in");
                }
                if let Some(g) = t.group {
                    assert!(w.groups.iter().any(|x| x.id == g), "dangling group");
                }
            }
        }
    }
}

fn import_as(format: Format, bytes: &[u8]) -> Imported {
    let got = import::parse_as(format, bytes).unwrap_or_else(|e| panic!("{format:?}: {e}"));
    check(&got);
    got
}

// ---------------------------------------------------------------- round trips

#[test]
fn lifeboat_round_trip_keeps_everything() {
    let sessions = [("Before the crash", rich()), ("Evening <reading>", plain())];
    let json = export::export(Out::Lifeboat, &saved(&sessions), NOW);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (v["format"].as_str(), v["version"].as_u64(), v["exportedAt"].as_u64()),
        (Some("lifeboat"), Some(1), Some(NOW))
    );
    let got = detect_and_parse("lifeboat.json", json.as_bytes()).unwrap();
    check(&got);
    assert_eq!(got.sessions, sessions.iter().map(|(n, s)| (n.to_string(), s.clone())).collect::<Vec<_>>());
    assert_eq!(got.saved_at, [Some(NOW), Some(NOW - 1000)]);
    // The two tabs an extension cannot reopen are kept, and said so.
    assert_eq!(got.notes.len(), 2, "{:?}", got.notes);
    assert!(got.notes.iter().all(|n| n.text.starts_with("1 tab kept that an extension cannot reopen")));
    // And again: exporting the import gives the same file.
    assert_eq!(export::export(Out::Lifeboat, &got.saved(), NOW), json);
}

#[test]
fn tsm_round_trip_keeps_what_tsm_holds() {
    let sessions = [("Before the crash", rich()), ("Evening", plain())];
    let json = export::export(Out::TabSessionManager, &saved(&sessions), NOW);
    let got = detect_and_parse("sessions.json", json.as_bytes()).unwrap();
    check(&got);
    // TSM has no form data and knows containers by id only.
    let mut expected = rich();
    for t in expected.windows.iter_mut().flat_map(|w| &mut w.tabs) {
        t.page = None;
        if let Some(c) = &mut t.container {
            c.name = None;
            c.color = None;
        }
    }
    assert_eq!(got.sessions[0], ("Before the crash".to_string(), expected));
    assert_eq!(got.sessions[1], ("Evening".to_string(), plain()));
    assert_eq!(got.saved_at, [Some(NOW), Some(NOW - 1000)]);
}

fn urls_and_titles(s: &Session) -> Vec<Vec<(String, String)>> {
    s.windows
        .iter()
        .map(|w| w.tabs.iter().map(|t| (t.url.clone(), t.title.clone())).collect())
        .collect()
}

#[test]
fn onetab_round_trip_keeps_addresses_titles_and_groups() {
    let sessions = [("a", rich()), ("b", plain())];
    let text = export::export(Out::OneTab, &saved(&sessions), NOW);
    let got = detect_and_parse("onetab.txt", text.as_bytes()).unwrap();
    check(&got);
    assert_eq!(got.sessions.len(), 1, "OneTab has no sessions, only groups");
    let mut expected = urls_and_titles(&rich());
    expected.extend(urls_and_titles(&plain()));
    // A title with a line break arrives on one line.
    for w in &mut expected {
        for (_, title) in w {
            *title = title.replace('\n', " ");
        }
    }
    assert_eq!(urls_and_titles(&got.sessions[0].1), expected);
}

#[test]
fn url_list_round_trip_keeps_addresses() {
    let sessions = [("a", rich()), ("b", plain())];
    let text = export::export(Out::UrlList, &saved(&sessions), NOW);
    let got = detect_and_parse("urls.txt", text.as_bytes()).unwrap();
    check(&got);
    let want: Vec<String> = sessions
        .iter()
        .flat_map(|(_, s)| s.windows.iter().flat_map(|w| w.tabs.iter().map(|t| t.url.clone())))
        .collect();
    let have: Vec<String> = got.sessions[0].1.windows[0].tabs.iter().map(|t| t.url.clone()).collect();
    assert_eq!(have, want);
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The (href, text) of every link in an exported page.
fn links(html: &str) -> Vec<(String, String)> {
    html.split("<a href=\"")
        .skip(1)
        .map(|rest| {
            let (href, rest) = rest.split_once('"').unwrap();
            let text = rest.split_once('>').unwrap().1.split_once("</a>").unwrap().0;
            (unescape(href), unescape(text))
        })
        .collect()
}

#[test]
fn html_links_every_web_page_and_nothing_else() {
    let mut hostile = plain();
    hostile.windows[0]
        .tabs
        .push(tab(3, "javascript:alert(document.cookie)", "<script>alert(1)</script>"));
    let sessions = [("<img src=x onerror=alert(1)>", rich()), ("b", hostile)];
    let html = export::export(Out::Html, &saved(&sessions), NOW);
    let want: Vec<(String, String)> = sessions
        .iter()
        .flat_map(|(_, s)| s.windows.iter().flat_map(|w| &w.tabs))
        .filter(|t| t.url.starts_with("http"))
        .map(|t| (t.url.clone(), if t.title.is_empty() { t.url.clone() } else { t.title.clone() }))
        .collect();
    assert_eq!(links(&html), want);
    assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("href=\"javascript"));
    assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"));
    // Every session name, window and unopenable address is still listed, as text.
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") && html.contains("about:config") && html.contains("javascript:alert(document.cookie)"));
}

#[test]
fn exports_name_their_files() {
    for f in Out::ALL {
        let name = f.file_name(NOW);
        assert!(name.starts_with("lifeboat") && name.contains("2025-11-25"), "{name}");
        assert!(!f.mime().is_empty());
    }
}

// ---------------------------------------------------------------- Firefox

fn urls_of(w: &Window) -> Vec<&str> {
    w.tabs.iter().map(|t| t.url.as_str()).collect()
}

/// A recovery.jsonlz4 written by Firefox ESR 153 (see tests/firefox_real.rs
/// for how such a file is made): two windows, a closed window, a pinned tab,
/// a container tab, a tab group, a hidden tab, form data and scroll.
#[test]
fn real_firefox_recovery_file() {
    assert_eq!(import::detect("recovery.jsonlz4", FIXTURE), Ok(Format::Firefox));
    let got = detect_and_parse("recovery.jsonlz4", FIXTURE).unwrap();
    check(&got);
    let names: Vec<&str> = got.sessions.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [firefox::SESSION_NAME, firefox::CLOSED_NAME]);
    assert_eq!(got.saved_at, [Some(1_795_610_759_746); 2]);
    let s = &got.sessions[0].1;
    let p = "http://127.0.0.1:18765/";
    let w = &s.windows[0];
    assert_eq!(
        urls_of(w),
        [
            format!("{p}b.html"),
            format!("{p}a.html"),
            format!("{p}b.html?work"),
            format!("{p}b.html?grouped"),
            format!("{p}b.html?bar"),
        ]
    );
    assert!(w.focused && w.tabs[0].pinned && w.tabs[1].active);
    assert_eq!(w.tabs[1].title, "Page A");
    assert_eq!(w.state, WindowState::Normal);
    assert_eq!(
        w.geometry,
        Some(Geometry {
            left: 10,
            top: 20,
            width: 1000,
            height: 700
        })
    );
    assert_eq!(w.tabs[2].container.as_ref().map(|c| c.cookie_store_id.as_str()), Some("firefox-container-1"));
    assert_eq!(
        w.groups,
        [TabGroup {
            id: 1,
            title: "Trip <plans>".into(),
            color: "blue".into(),
            collapsed: false
        }]
    );
    assert_eq!((w.tabs[2].group, w.tabs[3].group, w.tabs[4].group), (Some(1), Some(1), None));
    let page = w.tabs[1].page.as_ref().unwrap();
    assert_eq!(page.scroll, Some((0, 1234)));
    assert_eq!(page.frames.len(), 1);
    let fields: Vec<(&str, &FieldValue)> = page.frames[0].fields.iter().map(|f| (f.key.as_str(), &f.value)).collect();
    assert_eq!(
        fields,
        [
            ("#name", &FieldValue::Text("typed text".into())),
            ("#cb", &FieldValue::Checked(true)),
            ("#sel", &FieldValue::Selected(vec!["y".into()])),
            ("/xhtml:html/xhtml:body/xhtml:form/xhtml:textarea[@name='t']", &FieldValue::Text("area".into())),
        ]
    );
    let w2 = &s.windows[1];
    assert_eq!(urls_of(w2), [format!("{p}b.html?w2").as_str(), "about:config"]);
    assert!(!w2.focused);
    assert_eq!(urls_of(&got.sessions[1].1.windows[0]), [format!("{p}b.html?closedwin")]);
    for note in [
        "1 hidden tab imported",
        "1 tab had back/forward history",
        "1 tab kept that an extension cannot reopen",
        "1 recently closed tab",
    ] {
        assert!(got.notes.iter().any(|n| n.text.starts_with(note)), "{note}: {:?}", got.notes);
    }
}

#[test]
fn firefox_json_uncompressed_and_recompressed() {
    let raw = mozlz4::decompress(FIXTURE).unwrap();
    let from_js = detect_and_parse("sessionstore.js", &raw).unwrap();
    let from_lz4 = detect_and_parse("recovery.jsonlz4", FIXTURE).unwrap();
    assert_eq!(from_js, from_lz4);
    assert_eq!(detect_and_parse("previous.jsonlz4", &mozlz4::compress(&raw)).unwrap(), from_lz4);
}

#[test]
fn lying_mozlz4_headers() {
    let raw_len = u32::from_le_bytes(FIXTURE[8..12].try_into().unwrap());
    let with_claim = |claim: u32| {
        let mut b = FIXTURE.to_vec();
        b[8..12].copy_from_slice(&claim.to_le_bytes());
        firefox::parse(&b)
    };
    assert!(matches!(with_claim(u32::MAX), Err(ImportError::SizeClaimTooLarge { .. })));
    assert!(matches!(with_claim(300 << 20), Err(ImportError::SizeClaimTooLarge { .. })));
    // Within the cap, but more than 2 KB of LZ4 can hold.
    assert!(matches!(with_claim(200 << 20), Err(ImportError::Corrupt(_))));
    for claim in [raw_len - 1, raw_len + 1, 0, 1] {
        assert!(matches!(with_claim(claim), Err(ImportError::Corrupt(_) | ImportError::Empty)), "claim {claim}");
    }
    assert!(matches!(firefox::parse(&FIXTURE[..FIXTURE.len() / 2]), Err(ImportError::Corrupt(_))));
    assert!(matches!(firefox::parse(b"mozLz40\0\x01"), Err(ImportError::Corrupt(_))));
    let e = with_claim(u32::MAX).unwrap_err().to_string();
    assert!(e.contains("4096 MiB") && e.contains("256 MiB"), "{e}");
}

#[test]
fn every_bit_flip_of_the_fixture_is_handled() {
    for i in 0..FIXTURE.len() {
        for bit in [0, 3, 7] {
            let mut b = FIXTURE.to_vec();
            b[i] ^= 1 << bit;
            if let Ok(got) = detect_and_parse("recovery.jsonlz4", &b) {
                check(&got);
            }
        }
    }
}

// ---------------------------------------------------------------- hostile inputs

type Parse = fn(&[u8]) -> Result<Imported, ImportError>;

fn all_parsers() -> [(&'static str, Parse); 6] {
    [
        ("detect", |b| detect_and_parse("file", b)),
        ("firefox", firefox::parse),
        ("tsm", tsm::parse),
        ("onetab", onetab::parse),
        ("urls", urls::parse),
        ("lifeboat", lb::parse),
    ]
}

#[test]
fn empty_and_blank_files() {
    for (name, parse) in all_parsers() {
        assert_eq!(parse(b""), Err(ImportError::Empty), "{name}");
        assert_eq!(parse(b" \r\n\t "), Err(ImportError::Empty), "{name}");
    }
}

#[test]
fn ten_megabytes_of_brackets() {
    let brackets = "[".repeat(10 << 20);
    for (name, parse) in all_parsers() {
        assert!(parse(brackets.as_bytes()).is_err(), "{name}");
    }
    // Nesting through keys each importer knows, and through ones it skips.
    for open in ["{\"windows\":[", "[{\"windows\":{\"1\":", "{\"sessions\":[", "{\"a\":"] {
        let bytes = open.repeat((256 << 10) / open.len());
        for (name, parse) in all_parsers() {
            assert!(parse(bytes.as_bytes()).is_err(), "{name} {open}");
        }
    }
}

#[test]
fn huge_files_are_refused_before_reading() {
    let huge = vec![0u8; import::MAX_INPUT + 1];
    for (name, parse) in all_parsers() {
        assert!(matches!(parse(&huge), Err(ImportError::TooLarge { .. })), "{name}");
    }
    let mut packed = vec![0u8; import::MAX_COMPRESSED + 1];
    packed[..8].copy_from_slice(&mozlz4::MAGIC);
    assert!(matches!(detect_and_parse("x", &packed), Err(ImportError::TooLarge { .. })));
}

#[test]
fn not_utf8() {
    assert!(matches!(urls::parse(b"https://a/\n\xff\xfe\n"), Err(ImportError::NotUtf8 { offset: 11 })));
    assert!(matches!(onetab::parse(b"https://a/ | \xc3\x28"), Err(ImportError::NotUtf8 { .. })));
    assert!(matches!(detect_and_parse("x", b"https://a/\n\x80"), Err(ImportError::NotUtf8 { .. })));
    // Inside JSON strings, invalid bytes read as U+FFFD rather than sinking the file.
    let got = tsm::parse(b"[{\"name\":\"a\xffb\",\"windows\":{\"1\":{\"1\":{\"url\":\"https://a/\",\"title\":\"\xc3\"}}}}]").unwrap();
    assert_eq!(got.sessions[0].0, "a\u{FFFD}b");
}

#[test]
fn script_urls_never_get_in() {
    let js = [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " \tjava\nscript:alert(1)",
        "about:reader?url=javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
    ];
    let escaped: Vec<String> = js.iter().map(|u| serde_json::to_string(u).unwrap()).collect();
    let ff = format!(
        r#"{{"windows":[{{"tabs":[{}{{"entries":[{{"url":"https://ok/"}}]}}]}}]}}"#,
        escaped
            .iter()
            .map(|u| format!(r#"{{"entries":[{{"url":{u}}}],"image":{u}}},"#))
            .collect::<String>()
    );
    let tsm_json = format!(
        r#"[{{"name":"x","windows":{{"1":{{{}"99":{{"url":"https://ok/"}}}}}}}}]"#,
        escaped
            .iter()
            .enumerate()
            .map(|(i, u)| format!(r#""{i}":{{"url":{u},"favIconUrl":{u}}},"#))
            .collect::<String>()
    );
    let lb_json = format!(
        r#"{{"format":"lifeboat","version":1,"sessions":[{{"windows":[{{"tabs":[{}{{"url":"https://ok/"}}]}}]}}]}}"#,
        escaped
            .iter()
            .map(|u| format!(r#"{{"url":{u},"favIconUrl":{u},"page":{{"url":{u}}}}},"#))
            .collect::<String>()
    );
    let lines: String = js
        .iter()
        .filter(|u| !u.contains('\n'))
        .map(|u| format!("{} | t\n", u.trim()))
        .collect::<String>()
        + "https://ok/ | ok\n";
    for (format, bytes) in [
        (Format::Firefox, ff.into_bytes()),
        (Format::TabSessionManager, tsm_json.into_bytes()),
        (Format::Lifeboat, lb_json.into_bytes()),
        (Format::OneTab, lines.clone().into_bytes()),
        (Format::UrlList, lines.into_bytes()),
    ] {
        let got = import_as(format, &bytes);
        assert_eq!(got.sessions[0].1.tab_count(), 1, "{format:?}");
        assert!(
            got.notes.iter().any(|n| n.text.contains("javascript: URLs are never run")),
            "{format:?}: {:?}",
            got.notes
        );
    }
}

#[test]
fn too_many_tabs() {
    let n = import::MAX_TABS + 1;
    let list = "https://a/\n".repeat(n);
    assert_eq!(urls::parse(list.as_bytes()), Err(ImportError::TooManyTabs { limit: import::MAX_TABS }));
    let tabs = r#"{"entries":[{"url":"https://a/"}]},"#.repeat(n);
    let ff = format!(r#"{{"windows":[{{"tabs":[{}{{}}]}}]}}"#, tabs);
    assert_eq!(firefox::parse(ff.as_bytes()), Err(ImportError::TooManyTabs { limit: import::MAX_TABS }));
    // Many tabs spread over many windows and sessions count together.
    let window = format!(r#"{{"tabs":[{}]}}"#, vec![r#"{"url":"https://a/"}"#; 1000].join(","));
    let session = format!(r#"{{"windows":[{}]}}"#, vec![window; 20].join(","));
    let lb_json = format!(r#"{{"format":"lifeboat","version":1,"sessions":[{}]}}"#, vec![session; 6].join(","));
    assert_eq!(lb::parse(lb_json.as_bytes()), Err(ImportError::TooManyTabs { limit: import::MAX_TABS }));
}

#[test]
fn errors_read_as_sentences() {
    for e in [
        ImportError::Empty,
        ImportError::NotMozLz4,
        ImportError::TooDeep,
        ImportError::TooManyTabs { limit: 100_000 },
        ImportError::UnsupportedVersion(2),
        ImportError::NothingToImport(vec![lifeboat::msg!(
            lifeboat::message::N_NOTE_TABS_LEFT_OUT,
            2usize,
            lifeboat::message::UNOPENABLE_JAVASCRIPT.msg()
        )]),
        firefox::parse(b"{\"windows\": [}").unwrap_err(),
    ] {
        let s = e.to_string();
        assert!(s.ends_with('.') && s.chars().next().unwrap().is_uppercase(), "{s}");
    }
}

// ---------------------------------------------------------------- random and mutated inputs

/// Cases per importer and kind of input: a short pass in `cargo test`;
/// `./build.sh fuzz` sets LIFEBOAT_FUZZ_CASES for a long one.
fn fuzz_cases() -> u32 {
    std::env::var("LIFEBOAT_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

/// Deterministic: a fixed seed, no failure files.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(0x11fe_b0a7),
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    })
}

/// Edits to a valid file: flips, overwrites, cuts, and copies of its own bytes.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Set(usize, u8),
    Cut(usize),
    Dup(usize, usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), prop::sample::select(b"{}[]\",:\\0 ab-9tfn\xff".to_vec())).prop_map(|(i, b)| Edit::Set(i, b)),
        any::<usize>().prop_map(Edit::Cut),
        (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(a, b, c)| Edit::Dup(a, b, c)),
    ];
    prop::collection::vec(edit, 1..6)
}

fn apply(base: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = base.to_vec();
    for e in edits {
        if b.is_empty() {
            break;
        }
        let n = b.len();
        match *e {
            Edit::Flip(i, bit) => b[i % n] ^= 1 << bit,
            Edit::Set(i, v) => b[i % n] = v,
            Edit::Cut(i) => b.truncate(i % n),
            Edit::Dup(from, len, to) => {
                let from = from % n;
                let chunk: Vec<u8> = b[from..(from + len % 64).min(n)].to_vec();
                let to = to % n;
                b.splice(to..to, chunk);
            }
        }
    }
    b
}

/// Runs `parse` on mutations of `seeds` and on random bytes: it may refuse,
/// it may not panic, and what it accepts keeps the invariants. (A hang would
/// never finish: the test run's own limit catches it.)
fn fuzz(name: &str, parse: Parse, seeds: Vec<Vec<u8>>) {
    for seed in &seeds {
        import_ok(parse, seed);
    }
    let cases = fuzz_cases();
    let mut runner = runner(cases);
    let strategy = (prop::sample::select(seeds), edits());
    runner
        .run(&strategy, |(seed, edits)| {
            if let Ok(got) = parse(&apply(&seed, &edits)) {
                check(&got);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..400), |bytes| {
            if let Ok(got) = parse(&bytes) {
                check(&got);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    println!(
        "fuzz: import {name}: {} inputs ({cases} mutated files, {cases} random byte strings), no panic",
        2 * cases
    );
}

fn import_ok(parse: Parse, bytes: &[u8]) {
    check(&parse(bytes).unwrap());
}

fn exports(format: Out) -> Vec<Vec<u8>> {
    let sessions = [("a", rich()), ("b", plain())];
    vec![
        export::export(format, &saved(&sessions), NOW).into_bytes(),
        export::export(format, &saved(&sessions[1..]), NOW).into_bytes(),
    ]
}

#[test]
fn fuzz_firefox() {
    let raw = mozlz4::decompress(FIXTURE).unwrap();
    // Mutating the JSON reaches the parser; mutating the container reaches LZ4.
    fuzz("firefox", firefox::parse, vec![FIXTURE.to_vec(), raw.clone()]);
    fuzz("firefox-repacked", |b| firefox::parse(&mozlz4::compress(b)), vec![raw]);
}

#[test]
fn fuzz_tsm() {
    fuzz("tsm", tsm::parse, exports(Out::TabSessionManager));
}

#[test]
fn fuzz_onetab() {
    fuzz("onetab", onetab::parse, exports(Out::OneTab));
}

#[test]
fn fuzz_urls() {
    fuzz("urls", urls::parse, exports(Out::UrlList));
}

#[test]
fn fuzz_lifeboat() {
    fuzz("lifeboat", lb::parse, exports(Out::Lifeboat));
}

#[test]
fn fuzz_detect() {
    let mut seeds = vec![FIXTURE.to_vec()];
    for f in [Out::Lifeboat, Out::TabSessionManager, Out::OneTab, Out::UrlList] {
        seeds.extend(exports(f));
    }
    // Chromium's SNSS files, recognised by their header whatever their name.
    seeds.push(include_bytes!("fixtures/chromium/Session_13441036697607567").to_vec());
    seeds.push(include_bytes!("fixtures/chromium/Tabs_13441036699886995").to_vec());
    fuzz("detect", |b| detect_and_parse("upload", b), seeds);
}
