//! Reading a session file without disturbing the browser that owns it: the
//! file is copied into a private temporary folder, only if its size and time
//! did not change during the copy (a browser appends to `Session_` files
//! and replaces `recovery.jsonlz4` while running), and read from the copy.
//! Nothing is ever opened for writing in the profile.

use super::failure::{io_words, Failure};
use lifeboat::import::{self, Format, Imported, MAX_INPUT};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How often a copy is retried while the browser keeps changing the file.
const ATTEMPTS: usize = 5;

/// What a file held, and what it was.
pub struct Loaded {
    pub format: Format,
    pub imported: Imported,
    pub modified: Option<SystemTime>,
}

pub fn load(path: &Path) -> Result<Loaded, Failure> {
    let (bytes, modified) = snapshot(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let format = import::detect(&name, &bytes).map_err(|e| Failure::import(path, e))?;
    let imported = import::parse_as(format, &bytes).map_err(|e| Failure::import(path, e))?;
    Ok(Loaded { format, imported, modified })
}

/// The file's bytes as of one moment, and its modification time.
pub fn snapshot(path: &Path) -> Result<(Vec<u8>, Option<SystemTime>), Failure> {
    let stamp = |p: &Path| fs::metadata(p).map(|m| (m.len(), m.modified().ok(), m.is_dir()));
    let (mut len, mut modified, is_dir) = stamp(path).map_err(|e| Failure::io(path, &e))?;
    if is_dir {
        return Err(Failure::Unreadable(format!("{}: is a folder, not a file", path.display())));
    }
    let dir = TempDir::new().map_err(|e| Failure::Unreadable(format!("cannot make a temporary folder to copy {} into: {}", path.display(), io_words(&e))))?;
    let copy = dir.0.join("copy");
    let mut bytes = Vec::new();
    for _ in 0..ATTEMPTS {
        check_size(path, len)?;
        fs::copy(path, &copy).map_err(|e| Failure::io(path, &e))?;
        bytes = fs::read(&copy).map_err(|e| Failure::io(path, &e))?;
        let (len_after, modified_after, _) = stamp(path).map_err(|e| Failure::io(path, &e))?;
        if (len_after, modified_after) == (len, modified) && bytes.len() as u64 == len {
            break;
        }
        (len, modified) = (len_after, modified_after);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    check_size(path, bytes.len() as u64)?;
    Ok((bytes, modified))
}

fn check_size(path: &Path, len: u64) -> Result<(), Failure> {
    if len > MAX_INPUT as u64 {
        return Err(Failure::Unreadable(format!(
            "{}: the file is too large ({} MiB; the limit is {} MiB)",
            path.display(),
            len >> 20,
            MAX_INPUT >> 20
        )));
    }
    Ok(())
}

/// A folder only this process can read, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<Self> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        loop {
            let n = N.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!("lifeboat-{}-{n}", std::process::id()));
            // create, not create_all: an existing folder (someone else's) is never reused.
            match builder.create(&dir) {
                Ok(()) => return Ok(Self(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_then_reads() {
        let dir = TempDir::new().unwrap();
        let file = dir.0.join("urls.txt");
        fs::write(&file, "https://a/\n").unwrap();
        let (bytes, modified) = snapshot(&file).unwrap();
        assert_eq!(bytes, b"https://a/\n");
        assert!(modified.is_some());
        let loaded = load(&file).unwrap();
        assert_eq!(loaded.format, Format::UrlList);
        assert_eq!(snapshot(&dir.0).unwrap_err().code(), 2);
        assert_eq!(snapshot(&dir.0.join("missing")).unwrap_err().code(), 2);
    }
}
