//! `extension/content.js` on a stand-in page in node, under a fake clock
//! (tests/content_script/run.cjs): what it sends at start (what was filled
//! or scrolled before it ran, never a secret, nothing and no timer on a
//! pristine page), on synthetic and on the user's input (after a pause, at
//! within half a second of the first unsent change while it goes on), with the form's autocomplete, and
//! how it retries when the core answers `retryMs`.

use std::process::Command;

#[test]
fn the_content_script_sends_what_and_when_it_should() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/content_script/run.cjs");
    let out = Command::new("node").arg(script).output().expect("node is installed (build.sh needs it)");
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}");
    assert!(out.status.success(), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.lines().filter(|l| l.starts_with("ok ")).count() >= 14, "every scenario ran: {report}");
}
