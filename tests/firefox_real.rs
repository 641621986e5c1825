//! The Firefox importer against a file Firefox itself just wrote: firefox-esr
//! runs headless on a fresh profile, opens two pages served from here (one
//! types into its form and scrolls), and its recovery.jsonlz4 is imported.
//! Fails, rather than skips, when /usr/bin/firefox-esr is missing.
//!
//! tests/fixtures/firefox-recovery.jsonlz4 was made the same way, from a
//! profile seeded with a sessionstore.jsonlz4 (pinned, container, group and
//! hidden tabs, a closed window) and `browser.startup.page` = 3, so Firefox
//! restored it and wrote it back in its own format.
#![cfg(all(unix, not(target_arch = "wasm32")))]

use lifeboat::import::{detect_and_parse, Imported};
use lifeboat::model::{FieldValue, Tab};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FIREFOX: &str = "/usr/bin/firefox-esr";

const PAGE_A: &str = r#"<!doctype html><html><head><title>Page A</title></head><body>
<form><input id="name" type="text"><textarea name="t"></textarea></form>
<div style="height:5000px">tall</div>
<script>
// Firefox keeps form data after an input event and scroll after a scroll.
setTimeout(() => {
  const n = document.getElementById('name');
  n.value = 'typed text';
  n.dispatchEvent(new Event('input', { bubbles: true }));
  window.scrollTo(0, 1234);
}, 300);
</script></body></html>"#;

const PAGE_B: &str = "<!doctype html><html><head><title>Page B</title></head><body>b</body></html>";

/// Serves the two pages on 127.0.0.1 until the test process ends.
fn serve() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Read the headers up to the blank line.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let (status, body) = match path {
                "/a" => ("200 OK", PAGE_A),
                "/b" => ("200 OK", PAGE_B),
                _ => ("404 Not Found", ""),
            };
            let mut out = &stream;
            let _ = write!(
                out,
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// Firefox in its own process group and a temporary profile; both go when dropped.
struct Browser {
    child: Child,
    dir: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The whole group (content processes too), by the id we started.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start(urls: &[String]) -> Browser {
    assert!(Path::new(FIREFOX).exists(), "{FIREFOX} is missing: install firefox-esr to run this test");
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("lifeboat-firefox-real-{}-{nanos}", std::process::id()));
    let profile = dir.join("profile");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(
        profile.join("user.js"),
        [
            r#"user_pref("browser.sessionstore.interval", 1000);"#,
            r#"user_pref("browser.sessionstore.resume_from_crash", true);"#,
            r#"user_pref("browser.shell.checkDefaultBrowser", false);"#,
            r#"user_pref("browser.startup.homepage_override.mstone", "ignore");"#,
            r#"user_pref("datareporting.policy.dataSubmissionEnabled", false);"#,
            r#"user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);"#,
            r#"user_pref("app.update.enabled", false);"#,
            r#"user_pref("browser.safebrowsing.update.enabled", false);"#,
            r#"user_pref("network.captive-portal-service.enabled", false);"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let log = std::fs::File::create(dir.join("firefox.log")).unwrap();
    let child = Command::new(FIREFOX)
        .args(["--headless", "--no-remote", "--profile"])
        .arg(&profile)
        .args(urls)
        .env("MOZ_CRASHREPORTER_DISABLE", "1")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .expect("start firefox-esr");
    Browser { child, dir }
}

fn field_text(tab: &Tab, key: &str) -> Option<String> {
    let page = tab.page.as_ref()?;
    page.frames.iter().flat_map(|f| &f.fields).find(|f| f.key == key).and_then(|f| match &f.value {
        FieldValue::Text(t) => Some(t.clone()),
        _ => None,
    })
}

/// Firefox's view of the two tabs has settled: both loaded, text and scroll kept.
fn settled(got: &Imported, urls: &[String]) -> bool {
    let tabs: Vec<&Tab> = got.sessions[0].1.windows.iter().flat_map(|w| &w.tabs).collect();
    tabs.len() == urls.len()
        && tabs.iter().zip(urls).all(|(t, u)| &t.url == u)
        && tabs[1].title == "Page B"
        && field_text(tabs[0], "#name").is_some()
        && tabs[0].page.as_ref().is_some_and(|p| p.scroll.is_some())
}

#[test]
fn imports_the_recovery_file_firefox_writes() {
    let port = serve();
    let urls = vec![format!("http://127.0.0.1:{port}/a"), format!("http://127.0.0.1:{port}/b")];
    let browser = start(&urls);
    let recovery = browser.dir.join("profile/sessionstore-backups/recovery.jsonlz4");
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut last = None;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(250));
        // Firefox writes a temporary file and renames it: a read sees a whole file.
        let Ok(bytes) = std::fs::read(&recovery) else { continue };
        let got = detect_and_parse("recovery.jsonlz4", &bytes).expect("Firefox's own file imports");
        if settled(&got, &urls) {
            last = Some(got);
            break;
        }
        last = Some(got);
    }
    let log = std::fs::read_to_string(browser.dir.join("firefox.log")).unwrap_or_default();
    drop(browser);
    let got = last.unwrap_or_else(|| panic!("no recovery.jsonlz4 within 40 s; Firefox said:\n{log}"));
    assert!(settled(&got, &urls), "Firefox's session never settled: {got:#?}");
    let w = &got.sessions[0].1.windows[0];
    assert_eq!(w.tabs[0].title, "Page A");
    assert!(w.tabs[0].active, "the first page given on the command line is selected");
    assert_eq!(field_text(&w.tabs[0], "#name").as_deref(), Some("typed text"));
    assert_eq!(w.tabs[0].page.as_ref().unwrap().scroll, Some((0, 1234)));
    assert!(got.saved_at[0].is_some());
}
