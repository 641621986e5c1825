//! `lifeboat convert`: a session file through the extension's own exporters.
//! The output goes to standard output or to a new file written beside its
//! final name and renamed into place, never into a browser profile.

use super::failure::{io_words, Failure};
use super::read::load;
use super::show::{document, millis};
use clap::ValueEnum;
use lifeboat::export::{self, Format};
use std::io::Write as _;
use std::path::Path;
use std::time::SystemTime;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum To {
    Lifeboat,
    Json,
    Html,
    Urls,
    Onetab,
    Tsm,
}

pub fn run(path: &Path, to: To, output: Option<&Path>) -> Result<(), Failure> {
    if let Some(out) = output {
        refuse_output(path, out)?;
    }
    let loaded = load(path)?;
    let now = millis(SystemTime::now()).unwrap_or(0);
    let format = match to {
        To::Json => None,
        To::Lifeboat => Some(Format::Lifeboat),
        To::Html => Some(Format::Html),
        To::Urls => Some(Format::UrlList),
        To::Onetab => Some(Format::OneTab),
        To::Tsm => Some(Format::TabSessionManager),
    };
    let mut text = match format {
        // Lifeboat's own format keeps each tab's history too.
        Some(Format::Lifeboat) => export::lifeboat::write_with_history(&loaded.imported.saved(), &loaded.imported.history, now),
        Some(f) => export::export(f, &loaded.imported.saved(), now),
        None => serde_json::to_string_pretty(&document(path, &loaded)).expect("JSON values serialise"),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match output {
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| Failure::Output(format!("standard output: {}", io_words(&e)))),
        Some(out) => write_new(out, text.as_bytes()),
    }
}

/// Writes `bytes` to a temporary name in the same folder, then renames it:
/// a failed write never leaves half a file under the real name.
fn write_new(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::Output(format!("{}: {}", out.display(), io_words(&e)));
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = out.with_file_name(format!(".{name}.lifeboat-{}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, out)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// An output path that would write into a browser profile, or over the
/// input, is refused before anything is read.
fn refuse_output(input: &Path, out: &Path) -> Result<(), Failure> {
    let out_dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let same = match (std::fs::canonicalize(input), std::fs::canonicalize(out)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(Failure::Usage(format!("{}: refusing to write over the file being read", out.display())));
    }
    let dir = std::fs::canonicalize(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    if let Some(profile) = dir.ancestors().find(|d| super::find::is_profile(d)) {
        return Err(Failure::Usage(format!(
            "{}: refusing to write into the browser profile {}; write it elsewhere",
            out.display(),
            profile.display()
        )));
    }
    Ok(())
}
