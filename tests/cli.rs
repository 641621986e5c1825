//! The `lifeboat` command as a user runs it: the built binary, every
//! subcommand, on fixtures (Firefox's recorded file, Chromium files written
//! here by `common::Snss`, Lifeboat's export), and every way a file can be
//! wrong: one line on stderr naming the file, and the documented exit code.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

const FIREFOX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/firefox-recovery.jsonlz4");

/// A fresh folder per test, also used as TMPDIR so leftover copies show.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("lifeboat-cli-test-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("tmp")).unwrap();
        Self(dir)
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
    fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run(scratch: &Scratch, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_lifeboat"))
        .args(args)
        .env("TMPDIR", scratch.path("tmp"))
        .env("LIFEBOAT_HOME", scratch.path("home"))
        .output()
        .expect("run lifeboat");
    let left: Vec<_> = fs::read_dir(scratch.path("tmp")).unwrap().flatten().map(|e| e.path()).collect();
    assert!(left.is_empty(), "temporary copies left behind by {args:?}: {left:?}");
    out
}

fn ok(scratch: &Scratch, args: &[&str]) -> String {
    let out = run(scratch, args);
    assert!(out.status.success(), "{args:?}: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Fails with `code` and exactly one line on stderr that names `file`.
fn fails(scratch: &Scratch, args: &[&str], code: i32, file: &Path) -> String {
    let out = run(scratch, args);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
    assert!(err.starts_with("lifeboat: ") && err.contains(&file.display().to_string()), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    err
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn help_on_every_subcommand_and_usage_errors() {
    let s = Scratch::new("help");
    for args in [
        &["--help"][..],
        &["find", "--help"],
        &["show", "--help"],
        &["convert", "--help"],
        &["help", "convert"],
    ] {
        let text = ok(&s, args);
        assert!(
            text.contains("Exit codes:") && text.contains("3  a Chromium session file encrypted"),
            "{args:?}: {text}"
        );
    }
    assert!(ok(&s, &["convert", "--help"]).contains("onetab"));
    for args in [&[][..], &["show"], &["convert", FIREFOX], &["convert", FIREFOX, "--to", "pdf"], &["frobnicate"]] {
        let out = run(&s, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: usage errors exit 1");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn show_firefox() {
    let s = Scratch::new("show-firefox");
    let text = ok(&s, &["show", FIREFOX]);
    for want in [
        "Firefox session file",
        "Firefox session: 2 windows, 7 tabs",
        "  Window 1 (focused): 5 tabs",
        "    [pinned] Page B",
        "  * Page A",
        "[group \"Trip <plans>\", blue] [container firefox-container-1] Work tab",
        "Closed windows: 1 window, 1 tab",
        "Recently closed tabs: 1",
        "Closed tab (from window 1, closed ",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    let doc = json(&ok(&s, &["show", "--json", FIREFOX]));
    assert_eq!(doc["format"], "Firefox session file");
    // Every name Firefox gives its session files.
    for name in [
        "sessionstore.jsonlz4",
        "recovery.jsonlz4",
        "recovery.baklz4",
        "previous.jsonlz4",
        "upgrade.jsonlz4-20251125120000",
    ] {
        let copy = s.write(&format!("names/{name}"), &fs::read(FIREFOX).unwrap());
        assert!(
            ok(&s, &["show", copy.to_str().unwrap()]).contains("Firefox session: 2 windows, 7 tabs"),
            "{name}"
        );
    }
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(doc["sessions"][0]["windows"][0]["tabs"][0]["pinned"], true);
    assert_eq!(doc["closedTabs"][0]["tab"]["url"], "http://127.0.0.1:18765/b.html?closed");
    let a = &doc["sessions"][0]["windows"][0]["tabs"][1];
    assert_eq!(a["title"], "Page A");
    assert_eq!(a["history"]["current"], 1);
    assert_eq!(a["history"]["entries"][0]["title"], "Back one");
    assert!(
        text.contains("      http://127.0.0.1:18765/a.html\n        back    Back one  http://127.0.0.1:18765/b.html?1\n"),
        "{text}"
    );
}

#[test]
fn show_chromium_session_and_tabs() {
    let s = Scratch::new("show-chromium");
    let session = s.write("Sessions/Session_13400000000000000", &common::session_file());
    let doc = json(&ok(&s, &["show", "--json", session.to_str().unwrap()]));
    assert_eq!(doc["format"], "Chromium session file");
    let windows = doc["sessions"][0]["windows"].as_array().unwrap();
    let tabs = |w: &Value| -> Vec<(String, String, bool, bool)> {
        w["tabs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["url"].as_str().unwrap().into(),
                    t["title"].as_str().unwrap().into(),
                    t["pinned"] == true,
                    t["active"] == true,
                )
            })
            .collect()
    };
    let s1 = |u: &str, t: &str, p, a| (u.to_string(), t.to_string(), p, a);
    assert_eq!(
        tabs(&windows[0]),
        [
            s1("https://pinned.example/", "Pinned", true, false),
            s1("https://example.org/two", "Two", false, true)
        ],
        "the closed tab is gone; the current page of the tab with history"
    );
    assert_eq!(windows[0]["groups"][0]["title"], "Work");
    assert_eq!(windows[0]["groups"][0]["color"], "green");
    assert_eq!(windows[0]["tabs"][1]["group"], windows[0]["groups"][0]["id"]);
    assert_eq!(tabs(&windows[1]), [s1("https://second.example/", "Second", false, true)]);
    assert_eq!((windows[1]["focused"].as_bool(), windows[1]["state"].as_str()), (Some(true), Some("Maximized")));
    assert_eq!(doc["sessions"][0]["savedAt"], 1_764_072_000_000u64);
    let text = ok(&s, &["show", session.to_str().unwrap()]);
    assert!(
        text.contains("[group \"Work\", green] Two") && text.contains("Window 2 (focused, maximized)"),
        "{text}"
    );
    // The tab's back history, from the file's navigations.
    assert!(
        text.contains("      https://example.org/two\n        back    One  https://example.org/one\n"),
        "{text}"
    );
    let history = &windows[0]["tabs"][1]["history"];
    assert_eq!(history["current"], 1);
    assert_eq!(history["entries"][0]["url"], "https://example.org/one");
    assert_eq!(history["entries"][0]["time"], 1_764_072_000_000u64);
    assert!(windows[0]["tabs"][0].get("history").is_none(), "one page is no history");

    let closed = s.write("Sessions/Tabs_13400000000000000", &common::tabs_file());
    let text = ok(&s, &["show", closed.to_str().unwrap()]);
    assert!(text.contains("Chromium closed tabs file"), "{text}");
    assert!(text.contains("Closed windows: 1 window, 2 tabs") && text.contains("Closed window B"), "{text}");
    assert!(text.contains("Closed tabs: 1 window, 1 tab") && text.contains("Closed tab"), "{text}");
    // A renamed file is recognised by its content.
    let renamed = s.write("copy-of-session", &common::session_file());
    assert!(ok(&s, &["show", renamed.to_str().unwrap()]).contains("Chromium session file"));
}

#[test]
fn convert_to_every_format() {
    let s = Scratch::new("convert");
    let session = s.write("in/Session_1", &common::session_file());
    let input = session.to_str().unwrap();
    let urls = ok(&s, &["convert", input, "--to", "urls"]);
    assert_eq!(urls, "https://pinned.example/\nhttps://example.org/two\nhttps://second.example/\n");
    assert!(ok(&s, &["convert", input, "--to", "html"]).contains("href=\"https://example.org/two\""));
    assert!(ok(&s, &["convert", input, "--to", "onetab"]).contains("https://second.example/ | Second"));
    assert!(json(&ok(&s, &["convert", input, "--to", "tsm"])).is_array());
    assert_eq!(json(&ok(&s, &["convert", input, "--to", "json"]))["format"], "Chromium session file");
    // Lifeboat's export reads back as the same tabs.
    let out = s.path("out/export.json");
    fs::create_dir_all(out.parent().unwrap()).unwrap();
    assert_eq!(ok(&s, &["convert", input, "--to", "lifeboat", "-o", out.to_str().unwrap()]), "");
    let back = json(&ok(&s, &["show", "--json", out.to_str().unwrap()]));
    assert_eq!(back["format"], "Lifeboat export");
    let two = &back["sessions"][0]["windows"][0]["tabs"][1];
    assert_eq!(
        (two["url"].as_str(), two["history"]["current"].as_u64()),
        (Some("https://example.org/two"), Some(1))
    );
    assert_eq!(two["history"]["entries"][0]["url"], "https://example.org/one", "the export keeps the history");
    let back_urls = ok(&s, &["convert", out.to_str().unwrap(), "--to", "urls"]);
    assert_eq!(back_urls, urls);
    assert!(fs::read_dir(s.path("out")).unwrap().count() == 1, "no temporary file left beside the output");
    // Firefox's file too.
    assert!(ok(&s, &["convert", FIREFOX, "--to", "urls"]).contains("http://127.0.0.1:18765/a.html\n"));
}

#[test]
fn convert_never_writes_into_a_profile_or_over_its_input() {
    let s = Scratch::new("convert-refuses");
    s.write("profile/prefs.js", b"");
    let input = s.write("profile/sessionstore-backups/recovery.jsonlz4", &fs::read(FIREFOX).unwrap());
    let before = listing(&s.path("profile"));
    for out in [s.path("profile/tabs.html"), s.path("profile/sessionstore-backups/x.html"), input.clone()] {
        fails(&s, &["convert", input.to_str().unwrap(), "--to", "html", "-o", out.to_str().unwrap()], 1, &out);
    }
    let chromium = s.write("chrome/Default/Preferences", b"{}");
    let out = chromium.with_file_name("tabs.txt");
    fails(&s, &["convert", FIREFOX, "--to", "urls", "-o", out.to_str().unwrap()], 1, &out);
    assert_eq!(listing(&s.path("profile")), before, "the profile is untouched");
    let missing_dir = s.path("no/such/dir/out.txt");
    fails(&s, &["convert", FIREFOX, "--to", "urls", "-o", missing_dir.to_str().unwrap()], 4, &missing_dir);
}

/// Every file under `dir` with its size and modification time.
fn listing(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            }
            out.push((e.path(), m.len(), m.modified().unwrap()));
        }
    }
    out.sort();
    out
}

fn age(path: &Path, minutes: u64) {
    let t = SystemTime::now() - Duration::from_secs(60 * minutes);
    fs::File::options().write(true).open(path).unwrap().set_modified(t).unwrap();
}

#[test]
fn find_lists_every_profile_newest_first() {
    let s = Scratch::new("find");
    let ff = s.write(
        "home/.mozilla/firefox/abcd.default-release/sessionstore-backups/recovery.jsonlz4",
        &fs::read(FIREFOX).unwrap(),
    );
    let prev = s.write("home/.mozilla/firefox/abcd.default-release/sessionstore-backups/previous.jsonlz4", b"not lz4");
    let cr = s.write("home/.config/chromium/Default/Sessions/Session_13400000000000000", &common::session_file());
    let tabs = s.write("home/.config/chromium/Default/Sessions/Tabs_13400000000000000", &common::tabs_file());
    let enc = s.write(
        "home/AppData/Local/Google/Chrome/User Data/Profile 1/Sessions_Encrypted/Session_13400000000000001",
        &common::Snss::new(5).command(6, &[1, 2, 3]).finish(),
    );
    for (p, m) in [(&ff, 10), (&prev, 50), (&cr, 5), (&tabs, 20), (&enc, 30)] {
        age(p, m);
    }
    let before = listing(&s.path("home"));
    let text = ok(&s, &["find"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    let order: Vec<PathBuf> = lines
        .iter()
        .map(|l| PathBuf::from(&l[l.find(&*s.0.display().to_string()).unwrap()..]))
        .collect();
    assert_eq!(order, [&cr, &ff, &tabs, &enc, &prev].map(|p| p.to_path_buf()), "newest first:\n{text}");
    assert!(lines[0].contains("Chromium") && lines[0].contains("2 windows, 3 tabs"), "{}", lines[0]);
    assert!(
        lines[1].contains("Firefox") && lines[1].contains("2 windows, 7 tabs (+2 closed)"),
        "{}",
        lines[1]
    );
    assert!(lines[3].contains("Google Chrome") && lines[3].contains("encrypted"), "{}", lines[3]);
    assert!(lines[4].contains("unreadable"), "{}", lines[4]);
    assert_eq!(listing(&s.path("home")), before, "find wrote nothing into the profiles");

    let doc = json(&ok(&s, &["find", "--json"]));
    assert_eq!(doc.as_array().unwrap().len(), 5);
    assert_eq!(doc[0]["tabs"], 3);
    assert_eq!(doc[3]["encrypted"], true);

    // --profile: one profile only, whatever the home.
    let only = ok(&s, &["find", "--profile", s.path("home/.config/chromium/Default").to_str().unwrap()]);
    assert_eq!(only.lines().count(), 2, "{only}");
    let missing = s.path("nowhere");
    fails(&s, &["find", "--profile", missing.to_str().unwrap()], 2, &missing);
    // An empty home: nothing found is not an error.
    fs::remove_dir_all(s.path("home")).unwrap();
    assert_eq!(ok(&s, &["find"]), "");
}

#[test]
fn bad_files_get_one_line_and_an_exit_code() {
    let s = Scratch::new("bad");
    let missing = s.path("missing.jsonlz4");
    let empty = s.write("empty.txt", b"");
    let foreign = s.write("picture.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01");
    let zip = s.write("archive.zip", b"PK\x03\x04rest of a zip");
    let fake_lz4 = s.write("recovery.jsonlz4", b"{\"windows\":[]}");
    let fake_snss = s.write("Session_13400000000000000", b"just text");
    let torn_header = s.write("Session_13400000000000001", b"SNSS\x03");
    let folder = s.path("home");
    fs::create_dir_all(&folder).unwrap();
    for file in [&missing, &empty, &foreign, &zip, &fake_lz4, &fake_snss, &torn_header, &folder] {
        fails(&s, &["show", file.to_str().unwrap()], 2, file);
        fails(&s, &["convert", file.to_str().unwrap(), "--to", "urls"], 2, file);
    }
    let encrypted = s.write("Session_13400000000000002", &common::Snss::new(5).finish());
    let err = fails(&s, &["show", encrypted.to_str().unwrap()], 3, &encrypted);
    assert!(err.contains("encrypted"), "{err}");
    // Unreadable: only provable when not running as root.
    let locked = s.write("locked.jsonlz4", &fs::read(FIREFOX).unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read(&locked).is_err() {
            let err = fails(&s, &["show", locked.to_str().unwrap()], 2, &locked);
            assert!(err.contains("permission denied"), "{err}");
        } else {
            eprintln!("running as root: a file without read permission is still readable, not tested");
        }
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
    }
}

#[test]
fn show_a_full_backup() {
    use lifeboat::event::{Event, TabInfo, WindowInfo};
    use lifeboat::keeper::Keeper;
    use lifeboat::store::{block_on, memory::MemoryBackend};
    let s = Scratch::new("backup");
    let mut k = block_on(Keeper::start(MemoryBackend::default(), "1", "ext://me/", 0, true)).unwrap();
    let window = WindowInfo {
        id: 1,
        normal: true,
        ..Default::default()
    };
    k.apply(Event::WindowOpened(window), 1);
    for (id, url) in [(1, "https://kept.example/one"), (2, "https://kept.example/two")] {
        let tab = TabInfo {
            id,
            window_id: 1,
            index: id as usize - 1,
            url: url.into(),
            title: format!("Kept {id}"),
            ..Default::default()
        };
        k.apply(Event::TabCreated(tab), 2);
        block_on(k.commit(3 + id as u64)).unwrap();
    }
    let text = block_on(lifeboat::view::backup(&k, 9, true)).unwrap().to_string();
    let file = s.write("lifeboat-backup-2026-12-06.json", text.as_bytes());
    let out = ok(&s, &["show", file.to_str().unwrap()]);
    assert!(
        out.contains("Lifeboat full backup") && out.contains("Autosave (latest): 1 window, 2 tabs"),
        "{out}"
    );
    assert!(out.contains("Kept 2\n      https://kept.example/two"), "{out}");
    let urls = ok(&s, &["convert", file.to_str().unwrap(), "--to", "urls"]);
    assert_eq!(urls, "https://kept.example/one\nhttps://kept.example/two\n");
}

/// Path, pinned, group (title, color), window focused.
type RealTab = (String, bool, Option<(String, String)>, bool);

/// Files Chromium 156 itself wrote before it was killed (tests/fixtures/README.md).
#[test]
fn real_chromium_files() {
    let s = Scratch::new("real-chromium");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/chromium");
    let origin = "http://127.0.0.1:45045";
    let doc = json(&ok(&s, &["show", "--json", &format!("{dir}/Session_13441036697607567")]));
    assert_eq!(doc["format"], "Chromium session file");
    let windows: Vec<Vec<RealTab>> = doc["sessions"][0]["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w["tabs"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|t| {
                    let path = t["url"].as_str()?.strip_prefix(origin)?.to_string();
                    let group = w["groups"].as_array().unwrap().iter().find(|g| g["id"] == t["group"]);
                    let group = group.map(|g| (g["title"].as_str().unwrap().into(), g["color"].as_str().unwrap().into()));
                    Some((path, t["pinned"] == true, group, w["focused"] == true))
                })
                .collect()
        })
        .collect();
    let tab = |p: &str, pinned, group: Option<(&str, &str)>, focused| (p.to_string(), pinned, group.map(|(a, b)| (a.into(), b.into())), focused);
    assert_eq!(
        windows,
        [
            vec![
                tab("/page/1", true, None, false),
                tab("/page/7", false, None, false),
                tab("/page/3", false, Some(("Trip", "blue")), false)
            ],
            vec![tab("/page/4", false, None, true), tab("/page/5", false, None, true)],
        ]
    );
    assert!(doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().starts_with("2 tabs had back/forward history")));
    // /page/7's back history: /page/2, then /page/6.
    let seventh = doc["sessions"][0]["windows"][0]["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["url"] == format!("{origin}/page/7"))
        .unwrap();
    let pages: Vec<&str> = seventh["history"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["url"].as_str().unwrap())
        .collect();
    assert_eq!(pages, ["/page/2", "/page/6", "/page/7"].map(|p| format!("{origin}{p}")));
    assert_eq!(seventh["history"]["current"], 2);
    let closed = ok(&s, &["convert", &format!("{dir}/Tabs_13441036699886995"), "--to", "urls"]);
    assert_eq!(closed, format!("{origin}/page/8\n"));
    // A real file cut anywhere still reads (a torn tail) or is refused, never misread.
    let bytes = fs::read(format!("{dir}/Session_13441036697607567")).unwrap();
    for n in (0..bytes.len()).step_by(97) {
        let cut = s.write("cut/Session_13441036697607567", &bytes[..n]);
        let out = run(&s, &["show", "--json", cut.to_str().unwrap()]);
        assert!(matches!(out.status.code(), Some(0 | 2)), "cut at {n}");
    }
}
