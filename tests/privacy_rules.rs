//! The content script's copy of the privacy rule table is the core's: the
//! build's generator (`./build.sh privacy-rules`, the same function that
//! writes `dist/<target>/extension/privacy-rules.js`) is run and its output
//! evaluated in node; and what `extension/content.js` reads of it exists.
//! The card and name rules the content script runs are evaluated on the same
//! inputs as the core's and must agree.

use lifeboat::privacy::looks_like_card_number;
use lifeboat::privacy::rules::{rules, RULES_JSON};
use serde_json::Value;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn generated() -> String {
    let out = Command::new("bash")
        .arg(format!("{ROOT}/build.sh"))
        .arg("privacy-rules")
        .output()
        .expect("bash runs build.sh");
    assert!(out.status.success(), "build.sh privacy-rules failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `script` in node after `prelude`, returning what it prints.
fn node(prelude: &str, script: &str) -> String {
    let out = Command::new("node")
        .arg("--input-type=commonjs")
        .arg("-e")
        .arg(format!("{prelude}\n{script}"))
        .output()
        .expect("node is installed (build.sh needs it)");
    assert!(out.status.success(), "node failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_generated_copy_is_the_table() {
    let js = generated();
    let seen: Value = serde_json::from_str(&node(&js, "process.stdout.write(JSON.stringify(globalThis.lifeboatPrivacyRules))")).unwrap();
    let table: Value = serde_json::from_str(RULES_JSON).unwrap();
    assert_eq!(seen, table);
    // And the core reads the same table.
    assert_eq!(serde_json::from_value::<lifeboat::privacy::rules::Rules>(seen).unwrap(), *rules());
    let frozen = node(&js, "process.stdout.write(String(Object.isFrozen(globalThis.lifeboatPrivacyRules)))");
    assert_eq!(frozen, "true");
}

fn content_script() -> String {
    std::fs::read_to_string(format!("{ROOT}/extension/content.js")).unwrap()
}

#[test]
fn what_the_content_script_reads_is_in_the_table() {
    let table: Value = serde_json::from_str(RULES_JSON).unwrap();
    let src = content_script();
    let mut names: Vec<&str> = src
        .match_indices("RULES.")
        .map(|(at, _)| {
            let rest = &src[at + 6..];
            &rest[..rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len())]
        })
        .collect();
    // Destructured: `const { cardDigitsMin: min, ... } = RULES;`
    for line in src.lines().filter(|l| l.contains("} = RULES;")) {
        let inner = &line[line.find('{').unwrap() + 1..line.find('}').unwrap()];
        names.extend(inner.split(',').map(|p| p.split(':').next().unwrap().trim()));
    }
    assert!(names.len() >= 10, "content.js reads the table: {names:?}");
    for name in names {
        assert!(table.get(name).is_some(), "content.js reads RULES.{name}, which src/privacy/rules.json lacks");
    }
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(format!("{ROOT}/manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["content_scripts"][0]["js"],
        serde_json::json!(["extension/privacy-rules.js", "extension/content.js"]),
        "the table loads first, in the same content-script world"
    );
}

/// The text of `function <name>(…) { … }` in content.js (two-space indent).
fn js_function(src: &str, name: &str) -> String {
    let start = src
        .find(&format!("  function {name}("))
        .unwrap_or_else(|| panic!("content.js has function {name}"));
    let end = start + src[start..].find("\n  }\n").expect("the function ends") + 4;
    src[start..end].to_string()
}

/// The line of `const <name> = …;` in content.js.
fn js_const(src: &str, name: &str) -> String {
    let start = src.find(&format!("  const {name} = ")).unwrap_or_else(|| panic!("content.js has const {name}"));
    let end = start + src[start..].find('\n').unwrap();
    src[start..end].to_string()
}

#[test]
fn the_content_script_finds_the_same_card_numbers_and_names() {
    let src = content_script();
    let prelude = format!(
        "{}\nconst RULES = globalThis.lifeboatPrivacyRules;\n{}\n{}\n{}",
        generated(),
        js_const(&src, "asciiLower"),
        js_function(&src, "hasCardNumber"),
        js_function(&src, "secretName"),
    );
    let texts = [
        "card 4111-1111-1111-1111 12/25",
        "4111 1111 1111 1111 123",
        "4111111111111111",
        "4111111111111114",
        "5500 0000 0000 0004",
        "1 000 000 000 000 000",
        "+44 20 7946 0958",
        "call 0800-123-4567 or 0800-765-4321",
        "2024-05-17 13:45:00",
        "ISBN 978-3-16-148410-0",
        "x4111111111111111y",
        "٤١١١١١١١١١١١١١١١",
        "12345678901234567890123456789012345678901234567890",
        "",
    ];
    let names = [
        "cardnumber",
        "card_no",
        "cc-no",
        "ccv",
        "CVN",
        "İcvv",
        "comment",
        "reference",
        "",
        "\u{212A}cvv",
    ];
    let script = format!(
        "process.stdout.write(JSON.stringify([{}.map(hasCardNumber), {}.map(secretName)]))",
        serde_json::to_string(&texts).unwrap(),
        serde_json::to_string(&names).unwrap()
    );
    let got: (Vec<bool>, Vec<bool>) = serde_json::from_str(&node(&prelude, &script)).unwrap();
    let want: (Vec<bool>, Vec<bool>) = (
        texts.iter().map(|t| looks_like_card_number(t)).collect(),
        names.iter().map(|n| rules().secret_name(n)).collect(),
    );
    assert_eq!(got, want, "content script vs core on {texts:?} / {names:?}");
    assert!(want.0.iter().filter(|b| **b).count() >= 4 && want.1.iter().filter(|b| **b).count() >= 5);
}

/// Issue 11 item 7: text goes back only into a field of the same tag, type
/// and name (the content script's `sameKind`, run in node on stand-in
/// elements); a field saved before those were kept, by its value's kind.
#[test]
fn a_field_whose_kind_changed_gets_nothing() {
    let src = content_script();
    let prelude = format!(
        "{}\nconst RULES = globalThis.lifeboatPrivacyRules;\n{}\n{}\n\
         class HTMLInputElement {{ constructor(type, name) {{ this.localName = 'input'; this.type = type; this.attrs = {{ name }}; }} }}\n\
         class Other {{ constructor(tag, name) {{ this.localName = tag; this.attrs = {{ name }}; }} }}\n\
         const attr = (el, n) => el.attrs[n] ?? '';\n{}\n{}\n{}",
        generated(),
        js_const(&src, "MAX_VALUE_CHARS"),
        js_const(&src, "MAX_NAME_CHARS"),
        js_function(&src, "cap"),
        js_function(&src, "describe"),
        js_function(&src, "sameKind"),
    );
    let script = r#"
        const saved = { key: '#f', tag: 'textarea', type: '', name: 'note', value: 'private' };
        const email = { key: '#f', tag: 'input', type: 'email', name: 'mail', value: 'a@b' };
        const legacy = { key: '#f', value: 'old' };
        const cases = [
          sameKind(saved, new Other('textarea', 'note'), 'text'),
          sameKind(saved, new HTMLInputElement('text', 'note'), 'text'),
          sameKind(saved, new Other('textarea', 'other'), 'text'),
          sameKind(saved, new Other('div', 'note'), 'editable'),
          sameKind(email, new HTMLInputElement('email', 'mail'), 'text'),
          sameKind(email, new HTMLInputElement('search', 'mail'), 'text'),
          sameKind(legacy, new HTMLInputElement('search', 'q'), 'text'),
          sameKind({ key: '#e', tag: 'contenteditable', value: 'x' }, new Other('textarea', ''), 'text'),
        ];
        process.stdout.write(JSON.stringify(cases));"#;
    let got: Vec<bool> = serde_json::from_str(&node(&prelude, script)).unwrap();
    assert_eq!(got, [true, false, false, false, true, false, true, false]);
}
