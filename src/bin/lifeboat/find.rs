//! `lifeboat find`: the session files of every Firefox and Chromium-family
//! profile in the usual places on Linux, macOS and Windows (all are looked
//! at on every system: a home copied from another machine works too), or
//! of one given profile. Each file is read (through a copy, see `read`) to
//! say how many windows and tabs it holds.
//!
//! The places hang off the home folder, APPDATA and LOCALAPPDATA;
//! LIFEBOAT_HOME replaces all three (APPDATA and LOCALAPPDATA then under
//! it, as on Windows), so tests and rescues can point it at another home.

use super::failure::Failure;
use super::read::load;
use super::show::millis;
use lifeboat::export::utc;
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};

/// Folders holding Firefox profiles, under home (H), APPDATA (R).
const FIREFOX: &[(char, &str)] = &[
    ('H', ".mozilla/firefox"),
    ('H', ".config/mozilla/firefox"),
    ('H', "snap/firefox/common/.mozilla/firefox"),
    ('H', ".var/app/org.mozilla.firefox/.mozilla/firefox"),
    ('H', "Library/Application Support/Firefox/Profiles"),
    ('R', "Mozilla/Firefox/Profiles"),
];

/// Chromium-family "user data" folders (holding Default, Profile 1, …),
/// under home (H) or LOCALAPPDATA (L), with the browser's name.
const CHROMIUM: &[(char, &str, &str)] = &[
    ('H', ".config/chromium", "Chromium"),
    ('H', "snap/chromium/common/chromium", "Chromium"),
    ('H', ".var/app/org.chromium.Chromium/config/chromium", "Chromium"),
    ('H', ".config/google-chrome", "Google Chrome"),
    ('H', ".config/google-chrome-beta", "Google Chrome Beta"),
    ('H', ".config/BraveSoftware/Brave-Browser", "Brave"),
    ('H', ".config/microsoft-edge", "Microsoft Edge"),
    ('H', ".config/vivaldi", "Vivaldi"),
    ('H', "Library/Application Support/Chromium", "Chromium"),
    ('H', "Library/Application Support/Google/Chrome", "Google Chrome"),
    ('H', "Library/Application Support/BraveSoftware/Brave-Browser", "Brave"),
    ('H', "Library/Application Support/Microsoft Edge", "Microsoft Edge"),
    ('L', "Chromium/User Data", "Chromium"),
    ('L', "Google/Chrome/User Data", "Google Chrome"),
    ('L', "BraveSoftware/Brave-Browser/User Data", "Brave"),
    ('L', "Microsoft/Edge/User Data", "Microsoft Edge"),
    ('L', "Vivaldi/User Data", "Vivaldi"),
];

/// Firefox's session files, relative to a profile.
const FIREFOX_FILES: &[&str] = &[
    "sessionstore.jsonlz4",
    "sessionstore.js",
    "sessionstore-backups/recovery.jsonlz4",
    "sessionstore-backups/recovery.baklz4",
    "sessionstore-backups/previous.jsonlz4",
];

/// Chromium's older session files, at a profile's top.
const CHROMIUM_OLD_FILES: &[&str] = &["Current Session", "Last Session", "Current Tabs", "Last Tabs"];

struct Places {
    home: Option<PathBuf>,
    roaming: Option<PathBuf>,
    local: Option<PathBuf>,
}

impl Places {
    fn from_env() -> Self {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        if let Some(home) = var("LIFEBOAT_HOME") {
            return Self::under(home);
        }
        let home = var("HOME").or_else(|| var("USERPROFILE"));
        let under = home.clone().map(Self::under);
        Self {
            roaming: var("APPDATA").or_else(|| under.as_ref().and_then(|u| u.roaming.clone())),
            local: var("LOCALAPPDATA").or_else(|| under.as_ref().and_then(|u| u.local.clone())),
            home,
        }
    }

    fn under(home: PathBuf) -> Self {
        Self {
            roaming: Some(home.join("AppData/Roaming")),
            local: Some(home.join("AppData/Local")),
            home: Some(home),
        }
    }

    fn base(&self, which: char) -> Option<&Path> {
        match which {
            'H' => self.home.as_deref(),
            'R' => self.roaming.as_deref(),
            _ => self.local.as_deref(),
        }
    }

    /// Every profile folder found, with its browser's name.
    fn profiles(&self) -> Vec<(String, PathBuf)> {
        let mut out = Vec::new();
        for (which, rel) in FIREFOX {
            if let Some(root) = self.base(*which).map(|b| b.join(rel)) {
                out.extend(subfolders(&root).into_iter().map(|p| ("Firefox".to_string(), p)));
            }
        }
        for (which, rel, name) in CHROMIUM {
            if let Some(root) = self.base(*which).map(|b| b.join(rel)) {
                out.extend(subfolders(&root).into_iter().map(|p| (name.to_string(), p)));
            }
        }
        out.sort();
        out.dedup_by(|a, b| a.1 == b.1);
        out
    }
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    out.sort();
    out
}

/// The session files in one profile folder.
fn session_files(profile: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = FIREFOX_FILES
        .iter()
        .chain(CHROMIUM_OLD_FILES)
        .map(|f| profile.join(f))
        .filter(|p| p.is_file())
        .collect();
    let named = |dir: &Path, keep: &dyn Fn(&str) -> bool| -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
        entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(keep))
            .collect()
    };
    out.extend(named(&profile.join("sessionstore-backups"), &|n| n.starts_with("upgrade.jsonlz4-")));
    let chromium = |n: &str| lifeboat::import::snss::kind_of_name(n).is_some();
    out.extend(named(&profile.join("Sessions"), &chromium));
    out.extend(named(&profile.join("Sessions_Encrypted"), &chromium));
    out.sort();
    out
}

/// Whether `dir` is (inside) a browser profile or its session folder:
/// `convert` never writes there.
pub fn is_profile(dir: &Path) -> bool {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(name, "sessionstore-backups" | "Sessions" | "Sessions_Encrypted")
        || ["prefs.js", "times.json", "Preferences", "Local State"].iter().any(|f| dir.join(f).is_file())
}

/// One line of the listing.
struct Found {
    browser: String,
    path: PathBuf,
    modified: Option<u64>,
    what: Result<Summary, (u8, String)>,
}

struct Summary {
    format: &'static str,
    windows: usize,
    tabs: usize,
    /// Tabs in the file's other sessions (closed windows) and its closed tabs.
    closed: usize,
}

fn examine(browser: String, path: PathBuf) -> Found {
    let modified = fs::metadata(&path).ok().and_then(|m| m.modified().ok()).and_then(millis);
    let what = match load(&path) {
        Ok(l) => {
            let mut sessions = l.imported.sessions.iter().map(|(_, s)| s);
            let first = sessions.next();
            Ok(Summary {
                format: l.format.label(),
                windows: first.map_or(0, |s| s.windows.len()),
                tabs: first.map_or(0, |s| s.tab_count()),
                closed: sessions.map(|s| s.tab_count()).sum::<usize>() + l.imported.closed_tabs.len(),
            })
        }
        Err(f) => Err((f.code(), short_reason(&path, &f.message()))),
    };
    Found { browser, path, modified, what }
}

/// The failure without the path, which the listing prints anyway.
fn short_reason(path: &Path, message: &str) -> String {
    let prefix = format!("{}: ", path.display());
    message.strip_prefix(&prefix).unwrap_or(message).to_string()
}

pub fn run(profile: Option<&Path>, as_json: bool) -> Result<(), Failure> {
    let profiles: Vec<(String, PathBuf)> = match profile {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(Failure::Unreadable(format!("{}: no such folder", dir.display())));
            }
            let here = session_files(dir);
            let dirs = if here.is_empty() { subfolders(dir) } else { vec![dir.to_path_buf()] };
            dirs.into_iter().map(|d| (String::new(), d)).collect()
        }
        None => Places::from_env().profiles(),
    };
    let mut found: Vec<Found> = Vec::new();
    for (browser, dir) in profiles {
        for file in session_files(&dir) {
            let browser = if browser.is_empty() { guess_browser(&file) } else { browser.clone() };
            found.push(examine(browser, file));
        }
    }
    // Newest first; the same time in path order, so the output is stable.
    found.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| a.path.cmp(&b.path)));
    if as_json {
        let list: Vec<Value> = found.iter().map(entry_json).collect();
        println!("{}", serde_json::to_string_pretty(&list).expect("JSON values serialise"));
    } else if found.is_empty() {
        eprintln!(
            "lifeboat: no session files found{}",
            profile.map(|p| format!(" in {}", p.display())).unwrap_or_default()
        );
    } else {
        for f in &found {
            println!("{}", entry_text(f));
        }
    }
    Ok(())
}

fn guess_browser(file: &Path) -> String {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if lifeboat::import::snss::kind_of_name(name).is_some() {
        "Chromium"
    } else {
        "Firefox"
    }
    .into()
}

fn entry_text(f: &Found) -> String {
    let when = f.modified.map(utc).unwrap_or_else(|| "(no time)".into());
    let what = match &f.what {
        Ok(s) => {
            let closed = if s.closed > 0 { format!(" (+{} closed)", s.closed) } else { String::new() };
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            format!("{} window{}, {} tab{}{closed}", s.windows, plural(s.windows), s.tabs, plural(s.tabs))
        }
        Err((3, _)) => "encrypted by the browser: not readable".into(),
        Err((_, why)) => format!("unreadable: {why}"),
    };
    format!("{when}  {:<14}  {what}  {}", f.browser, f.path.display())
}

fn entry_json(f: &Found) -> Value {
    let mut v = json!({ "path": f.path.display().to_string(), "browser": f.browser, "modified": f.modified });
    match &f.what {
        Ok(s) => {
            v["format"] = json!(s.format);
            v["windows"] = json!(s.windows);
            v["tabs"] = json!(s.tabs);
            v["closed"] = json!(s.closed);
        }
        Err((code, why)) => {
            v["error"] = json!(why);
            v["encrypted"] = json!(*code == 3);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_under_a_given_home() {
        let home = std::env::temp_dir().join(format!("lifeboat-find-test-{}", std::process::id()));
        let ff = home.join(".mozilla/firefox/abc.default-release/sessionstore-backups");
        let cr = home.join("AppData/Local/Google/Chrome/User Data/Profile 1/Sessions");
        fs::create_dir_all(&ff).unwrap();
        fs::create_dir_all(&cr).unwrap();
        fs::write(ff.join("recovery.jsonlz4"), b"x").unwrap();
        fs::write(ff.join("upgrade.jsonlz4-20250101010101"), b"x").unwrap();
        fs::write(ff.join("notes.txt"), b"x").unwrap();
        fs::write(cr.join("Session_13400000000000000"), b"x").unwrap();
        fs::write(cr.join("Session_abc"), b"x").unwrap();
        let profiles = Places::under(home.clone()).profiles();
        let names: Vec<_> = profiles.iter().map(|(b, _)| b.as_str()).collect();
        assert_eq!(names, ["Firefox", "Google Chrome"]);
        let files: Vec<String> = profiles
            .iter()
            .flat_map(|(_, p)| session_files(p))
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files, ["recovery.jsonlz4", "upgrade.jsonlz4-20250101010101", "Session_13400000000000000"]);
        assert!(is_profile(&ff) && is_profile(&cr) && !is_profile(&home));
        fs::remove_dir_all(&home).unwrap();
    }
}
