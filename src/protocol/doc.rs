//! docs/PROTOCOL.md, checked against the types: every ```json example (its
//! info string names the type: ```json Overview) and every request written
//! inline (`{ "type": … }`) must read into the protocol's types, and an
//! answer must write back as the same JSON (so a field the doc shows that the
//! type lacks, or the other way round, fails).
//!
//! The examples stay readable: `//` comments are stripped, `"a" | "b"`
//! alternatives are each tried in turn (the others at their first), `…` (or
//! `...`) in an array or object is left out, and a bare name (`PageStateJS`)
//! stands for the example of that name.

use super::answer::*;
use super::{RawPageState, Request, ToContent};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A lenient reader of the doc's JSON: `choose(group, alternatives)` picks
/// which alternative of each `|` group (numbered in reading order) to take.
struct Reader<'a, F: FnMut(usize, usize) -> usize> {
    text: &'a [u8],
    at: usize,
    groups: usize,
    choose: F,
    named: &'a BTreeMap<String, Value>,
}

impl<F: FnMut(usize, usize) -> usize> Reader<'_, F> {
    fn skip(&mut self) {
        loop {
            while self.at < self.text.len() && self.text[self.at].is_ascii_whitespace() {
                self.at += 1;
            }
            if self.text[self.at..].starts_with(b"//") {
                while self.at < self.text.len() && self.text[self.at] != b'\n' {
                    self.at += 1;
                }
            } else {
                return;
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip();
        self.text.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> Result<(), String> {
        match self.peek() {
            Some(got) if got == c => {
                self.at += 1;
                Ok(())
            }
            got => Err(format!("expected {:?} at {}, found {:?}", c as char, self.at, got.map(|g| g as char))),
        }
    }

    /// `…` or `...`: something left out.
    fn elision(&mut self) -> bool {
        self.skip();
        for e in ["…".as_bytes(), b"..."] {
            if self.text[self.at..].starts_with(e) {
                self.at += e.len();
                return true;
            }
        }
        false
    }

    /// A value, or a group of alternatives `a | b | c`.
    fn choice(&mut self) -> Result<Value, String> {
        let mut alternatives = vec![self.value()?];
        while self.peek() == Some(b'|') {
            self.at += 1;
            alternatives.push(self.value()?);
        }
        if alternatives.len() == 1 {
            return Ok(alternatives.remove(0));
        }
        let group = self.groups;
        self.groups += 1;
        let pick = (self.choose)(group, alternatives.len());
        Ok(alternatives.swap_remove(pick.min(alternatives.len() - 1)))
    }

    fn value(&mut self) -> Result<Value, String> {
        match self.peek().ok_or("unexpected end")? {
            b'{' => {
                self.at += 1;
                let mut map = Map::new();
                loop {
                    if !self.elision() && self.peek() != Some(b'}') {
                        let key = match self.value()? {
                            Value::String(k) => k,
                            other => return Err(format!("a key must be a string, not {other}")),
                        };
                        self.eat(b':')?;
                        map.insert(key, self.choice()?);
                    }
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        _ => break,
                    }
                }
                self.eat(b'}')?;
                Ok(Value::Object(map))
            }
            b'[' => {
                self.at += 1;
                let mut list = Vec::new();
                loop {
                    if !self.elision() && self.peek() != Some(b']') {
                        list.push(self.choice()?);
                    }
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        _ => break,
                    }
                }
                self.eat(b']')?;
                Ok(Value::Array(list))
            }
            b'"' => {
                let start = self.at;
                self.at += 1;
                while self.text[self.at] != b'"' {
                    self.at += if self.text[self.at] == b'\\' { 2 } else { 1 };
                }
                self.at += 1;
                serde_json::from_slice(&self.text[start..self.at]).map_err(|e| e.to_string())
            }
            c if c.is_ascii_alphabetic() => {
                let start = self.at;
                while self.at < self.text.len() && (self.text[self.at].is_ascii_alphanumeric() || self.text[self.at] == b'_') {
                    self.at += 1;
                }
                let word = std::str::from_utf8(&self.text[start..self.at]).unwrap();
                match word {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "null" => Ok(Value::Null),
                    name => self.named.get(name).cloned().ok_or_else(|| format!("no example named {name}")),
                }
            }
            _ => {
                let start = self.at;
                while self.at < self.text.len() && matches!(self.text[self.at], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    self.at += 1;
                }
                serde_json::from_slice(&self.text[start..self.at]).map_err(|e| format!("{e} at {start}"))
            }
        }
    }
}

/// Every reading of `text`: each alternative of each group once (the other
/// groups at their first).
fn readings(text: &str, named: &BTreeMap<String, Value>) -> Result<Vec<Value>, String> {
    let read = |choose: &mut dyn FnMut(usize, usize) -> usize| -> Result<(Value, Vec<usize>), String> {
        let mut sizes = Vec::new();
        let mut r = Reader {
            text: text.as_bytes(),
            at: 0,
            groups: 0,
            choose: |g: usize, n: usize| {
                if sizes.len() <= g {
                    sizes.resize(g + 1, 0);
                }
                sizes[g] = n;
                choose(g, n)
            },
            named,
        };
        let v = r.choice()?;
        if r.peek().is_some() {
            return Err(format!("trailing text at {}", r.at));
        }
        Ok((v, sizes))
    };
    let (first, sizes) = read(&mut |_, _| 0)?;
    let mut out = vec![first];
    for (g, &n) in sizes.iter().enumerate() {
        for pick in 1..n {
            out.push(read(&mut |group, _| if group == g { pick } else { 0 })?.0);
        }
    }
    Ok(out)
}

/// An answer type: reads the example and writes it back unchanged.
fn answer<T: DeserializeOwned + Serialize>(v: &Value) -> Result<(), String> {
    let typed: T = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).unwrap();
    if &back == v {
        Ok(())
    } else {
        Err(format!("writes back as {back}"))
    }
}

/// A type the background only reads (a request or a part of one).
fn request<T: DeserializeOwned>(v: &Value) -> Result<(), String> {
    serde_json::from_value::<T>(v.clone()).map(|_| ()).map_err(|e| e.to_string())
}

fn check(type_name: &str, v: &Value) -> Result<(), String> {
    match type_name {
        "Request" => Request::from_value(v.clone()).map(|_| ()).map_err(|e| e.to_string()),
        "ToContent" => request::<ToContent>(v),
        "PageStateJS" => request::<RawPageState>(v),
        "Overview" => answer::<Overview>(v),
        "Status" => answer::<Status>(v),
        "PlanAnswer" => answer::<PlanAnswer>(v),
        "Restored" => answer::<Restored>(v),
        "PreviewSession" => answer::<PreviewSession>(v),
        "Failure" => answer::<Failure>(v),
        "Message" => answer::<crate::message::Message>(v),
        "SourceView" => answer::<SourceView>(v),
        other => Err(format!("no type {other} for an example (src/protocol/doc.rs)")),
    }
}

/// The examples of `doc`: (type, text, line).
fn examples(doc: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut block: Option<(String, String, usize)> = None;
    for (i, line) in doc.lines().enumerate() {
        let fence = line.trim_start();
        if let Some((name, mut text, at)) = block.take() {
            if fence.starts_with("```") {
                out.push((name, text, at));
            } else {
                text.push_str(line);
                text.push('\n');
                block = Some((name, text, at));
            }
            continue;
        }
        if let Some(info) = fence.strip_prefix("```json") {
            let name = info.trim();
            assert!(!name.is_empty(), "line {}: a ```json example must name its type (```json Overview)", i + 1);
            block = Some((name.to_string(), String::new(), i + 1));
            continue;
        }
        // Requests written inline: `{ "type": … }`.
        for span in line.split('`').skip(1).step_by(2) {
            if span.starts_with("{ \"type\"") {
                out.push(("Request".into(), span.to_string(), i + 1));
            }
        }
    }
    out
}

fn check_doc(doc: &str) -> Vec<String> {
    let examples = examples(doc);
    // Named examples first, so that others can refer to them.
    let mut named = BTreeMap::new();
    for (name, text, _) in &examples {
        if let Ok(mut r) = readings(text, &named) {
            named.entry(name.clone()).or_insert_with(|| r.remove(0));
        }
    }
    let mut failures = Vec::new();
    for (name, text, line) in &examples {
        // The background's own message to content scripts is not a request.
        let name = if text.contains("\"lifeboat.") { "ToContent" } else { name.as_str() };
        match readings(text, &named) {
            Ok(all) => {
                for v in all {
                    if let Err(e) = check(name, &v) {
                        failures.push(format!("docs/PROTOCOL.md line {line}, {name}: {e}\n  {v}"));
                    }
                }
            }
            Err(e) => failures.push(format!("docs/PROTOCOL.md line {line}: cannot read the example: {e}")),
        }
    }
    failures
}

const DOC: &str = include_str!("../../docs/PROTOCOL.md");

#[test]
fn every_example_in_the_protocol_doc_reads_into_the_types() {
    let failures = check_doc(DOC);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let n = examples(DOC).len();
    assert!(n >= 30, "only {n} examples found");
}

/// The check fails when the doc and the types disagree: a renamed field, a
/// field the type does not write, an alternative that is no value.
#[test]
fn a_doc_that_drifted_fails() {
    for (from, to) in [
        ("\"lastSavedAt\": 1764070000000,", "\"lastSaved\": 1764070000000,"),
        ("\"cutFields\": 0,", "\"cutFields\": 0, \"stray\": 1,"),
        (
            "\"status\": \"restore\" | \"already_open\" | \"blocked\",",
            "\"status\": \"restore\" | \"reopened\",",
        ),
        ("{ \"type\": \"named.list\" }", "{ \"type\": \"named.lists\" }"),
        ("\"typedFields\": 0,", ""),
    ] {
        assert!(DOC.contains(from), "{from}");
        assert!(!check_doc(&DOC.replacen(from, to, 1)).is_empty(), "not caught: {from} -> {to}");
    }
}

#[test]
fn the_reader_tries_each_alternative() {
    let named = BTreeMap::new();
    let r = readings(
        r#"{ "a": "x" | "y", "b": [1, …], // note
        "c": 1 | 2 | 3 }"#,
        &named,
    )
    .unwrap();
    assert_eq!(r.len(), 4);
    assert_eq!(r[0], serde_json::json!({ "a": "x", "b": [1], "c": 1 }));
    assert_eq!(r[1]["a"], "y");
    assert_eq!((r[3]["a"].as_str(), r[3]["c"].as_u64()), (Some("x"), Some(3)));
}
