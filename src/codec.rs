//! The stored container: every record Lifeboat writes is one of these.
//!
//! ```text
//! offset size
//! 0      4    magic "LFBT"
//! 4      2    format version, u16 LE
//! 6      1    record kind
//! 7      1    reserved (0)
//! 8      4    decompressed length, u32 LE
//! 12     4    compressed length, u32 LE (= bytes after the header)
//! 16     4    CRC-32 of bytes 0..16 and of the compressed payload
//! 20     ..   one LZ4 block (lz4_flex) of the postcard-encoded payload
//! ```
//!
//! Decoding never trusts a length before the checksum has vouched for it, and
//! never allocates more than `MAX_RAW` whatever a header claims.

use crate::message::{self, Message};
use crate::msg;
use serde::{de::DeserializeOwned, Serialize};
use std::cell::Cell;
use std::fmt;

pub const MAGIC: [u8; 4] = *b"LFBT";
/// Version 1: postcard payloads of the types in `model`/`record`.
/// Version 2: `model::Field` gained tag, type, name and touched;
/// `model::PageState` gained `cut`. Version 3: `model::Tab` gained
/// `history`. Older records are still read (`model::v1`).
pub const VERSION: u16 = 3;
pub const HEADER_LEN: usize = 20;
/// The largest payload accepted: far beyond any real session (Firefox's own
/// biggest seen is ~145 MB of JSON; ours is a compact binary), small enough
/// that a lying header cannot exhaust memory.
pub const MAX_RAW: usize = 256 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Checkpoint = 1,
    Delta = 2,
    RunMark = 3,
    Named = 4,
    Settings = 5,
    /// Page states waiting for restored tabs to load.
    Pages = 6,
    /// `spare`'s spare copy of records.
    Spare = 7,
    /// The first frame of a journal file: every live record (`journal_file`).
    JournalBase = 8,
    /// One commit appended to a journal file: its puts and deletes.
    JournalBatch = 9,
    /// Where the store keeps which records (`two_tier::LAYOUT`).
    Layout = 10,
    /// A session set aside by reference to a timeline point (`store::AsideRef`).
    AsideRef = 11,
}

impl Kind {
    fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            1 => Self::Checkpoint,
            2 => Self::Delta,
            3 => Self::RunMark,
            4 => Self::Named,
            5 => Self::Settings,
            6 => Self::Pages,
            7 => Self::Spare,
            8 => Self::JournalBase,
            9 => Self::JournalBatch,
            10 => Self::Layout,
            11 => Self::AsideRef,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Shorter than a header, or shorter than its header says.
    Truncated {
        have: usize,
        need: usize,
    },
    /// Not a Lifeboat record at all.
    BadMagic,
    /// Written by a newer Lifeboat than this one.
    UnsupportedVersion(u16),
    WrongKind {
        expected: u8,
        found: u8,
    },
    TooLarge(u64),
    /// The bytes were changed after they were written (torn write, disk fault).
    ChecksumMismatch,
    Decompress(String),
    Payload(String),
}

impl DecodeError {
    /// The sentence for the user (`crate::message`).
    pub fn message(&self) -> Message {
        match self {
            Self::Truncated { have, need } => msg!(message::RECORD_TRUNCATED, *have, *need),
            Self::BadMagic => message::RECORD_BAD_MAGIC.msg(),
            Self::UnsupportedVersion(v) => msg!(message::RECORD_NEWER, *v),
            Self::WrongKind { expected, found } => msg!(message::RECORD_WRONG_KIND, found.to_string(), expected.to_string()),
            Self::TooLarge(n) => msg!(message::RECORD_TOO_LARGE, *n, MAX_RAW),
            Self::ChecksumMismatch => message::RECORD_CHECKSUM.msg(),
            Self::Decompress(e) => msg!(message::RECORD_DECOMPRESS, e.as_str()),
            Self::Payload(e) => msg!(message::RECORD_PAYLOAD, e.as_str()),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().text)
    }
}

impl std::error::Error for DecodeError {}

/// Encodes `value` as a record of `kind`.
pub fn encode<T: Serialize>(kind: Kind, value: &T) -> Vec<u8> {
    let raw = postcard::to_stdvec(value).expect("postcard cannot fail on in-memory model types");
    seal(kind, &raw)
}

/// Wraps already-encoded bytes in the container.
pub fn seal(kind: Kind, raw: &[u8]) -> Vec<u8> {
    let max = lz4_flex::block::get_maximum_output_size(raw.len());
    let mut out = vec![0u8; HEADER_LEN + max];
    let n = lz4_flex::block::compress_into(raw, &mut out[HEADER_LEN..]).expect("buffer sized by get_maximum_output_size");
    out.truncate(HEADER_LEN + n);
    out[0..4].copy_from_slice(&MAGIC);
    out[4..6].copy_from_slice(&VERSION.to_le_bytes());
    out[6] = kind as u8;
    out[7] = 0;
    out[8..12].copy_from_slice(&(raw.len() as u32).to_le_bytes());
    out[12..16].copy_from_slice(&(n as u32).to_le_bytes());
    let crc = checksum(&out[0..16], &out[HEADER_LEN..]);
    out[16..20].copy_from_slice(&crc.to_le_bytes());
    out
}

/// The CRC a header carries, over its first 16 bytes and the payload.
pub(crate) fn checksum(header: &[u8], payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(header);
    h.update(payload);
    h.finalize()
}

/// The header of a record, read without decompressing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub version: u16,
    pub kind: Kind,
    pub raw_len: usize,
    pub packed_len: usize,
}

pub fn header(bytes: &[u8]) -> Result<Header, DecodeError> {
    if bytes.len() < HEADER_LEN {
        if bytes.len() >= 4 && bytes[0..4] != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        return Err(DecodeError::Truncated {
            have: bytes.len(),
            need: HEADER_LEN,
        });
    }
    if bytes[0..4] != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    let raw_len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let packed_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let crc = u32::from_le_bytes(bytes[16..20].try_into().unwrap());
    let have = bytes.len() - HEADER_LEN;
    if have < packed_len {
        return Err(DecodeError::Truncated {
            have: bytes.len(),
            need: HEADER_LEN + packed_len,
        });
    }
    if have > packed_len || checksum(&bytes[0..16], &bytes[HEADER_LEN..]) != crc {
        return Err(DecodeError::ChecksumMismatch);
    }
    if version == 0 || version > VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    if raw_len > MAX_RAW {
        return Err(DecodeError::TooLarge(raw_len as u64));
    }
    let kind = Kind::from_u8(bytes[6]).ok_or(DecodeError::WrongKind { expected: 0, found: bytes[6] })?;
    Ok(Header {
        version,
        kind,
        raw_len,
        packed_len,
    })
}

/// Checks and decompresses a record of `kind`, returning its raw payload.
pub fn open(kind: Kind, bytes: &[u8]) -> Result<Vec<u8>, DecodeError> {
    open_versioned(kind, bytes).map(|(_, raw)| raw)
}

/// `open`, with the record's format version.
fn open_versioned(kind: Kind, bytes: &[u8]) -> Result<(u16, Vec<u8>), DecodeError> {
    let h = header(bytes)?;
    if h.kind != kind {
        return Err(DecodeError::WrongKind {
            expected: kind as u8,
            found: h.kind as u8,
        });
    }
    // LZ4 expands at most ~255x: a tiny payload claiming a huge size is a lie.
    if h.raw_len > h.packed_len.saturating_mul(255).saturating_add(16) {
        return Err(DecodeError::TooLarge(h.raw_len as u64));
    }
    let raw = lz4_flex::block::decompress(&bytes[HEADER_LEN..], h.raw_len).map_err(|e| DecodeError::Decompress(e.to_string()))?;
    if raw.len() != h.raw_len {
        return Err(DecodeError::Decompress(format!("{} bytes, header says {}", raw.len(), h.raw_len)));
    }
    Ok((h.version, raw))
}

/// Decodes a record of `kind` into `T`, in the layout of the record's version.
pub fn decode<T: DeserializeOwned>(kind: Kind, bytes: &[u8]) -> Result<T, DecodeError> {
    let (version, raw) = open_versioned(kind, bytes)?;
    let _reading = Reading::start(version);
    postcard::from_bytes(&raw).map_err(|e| DecodeError::Payload(e.to_string()))
}

thread_local! {
    /// The format version of the record being decoded on this thread.
    static READING: Cell<u16> = const { Cell::new(VERSION) };
}

/// The format version whose layout is being read: `VERSION` except inside
/// `decode` of an older record. Types whose layout changed look at it.
pub fn reading_version() -> u16 {
    READING.with(Cell::get)
}

/// Sets the version being read until dropped (a panic included).
struct Reading(u16);

impl Reading {
    fn start(version: u16) -> Self {
        Self(READING.with(|r| r.replace(version)))
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.with(|r| r.set(self.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn sample() -> Session {
        crate::test_kit::session_of(20)
    }

    #[test]
    fn round_trip() {
        let s = sample();
        let bytes = encode(Kind::Checkpoint, &s);
        assert_eq!(&bytes[0..4], b"LFBT");
        assert_eq!(decode::<Session>(Kind::Checkpoint, &bytes).unwrap(), s);
    }

    #[test]
    fn every_truncation_is_a_typed_error() {
        let bytes = encode(Kind::Checkpoint, &sample());
        for n in 0..bytes.len() {
            let r = decode::<Session>(Kind::Checkpoint, &bytes[..n]);
            assert!(r.is_err(), "truncated at {n} decoded");
        }
        assert!(matches!(decode::<Session>(Kind::Checkpoint, &bytes[..10]), Err(DecodeError::Truncated { .. })));
    }

    #[test]
    fn every_bit_flip_is_detected() {
        let bytes = encode(Kind::Checkpoint, &sample());
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                assert!(decode::<Session>(Kind::Checkpoint, &b).is_err(), "flip at byte {i} bit {bit} went unnoticed");
            }
        }
    }

    #[test]
    fn foreign_and_wrong_kind() {
        assert_eq!(
            decode::<Session>(Kind::Checkpoint, b"{\"windows\":[]}xxxxxxxxxxxxxx"),
            Err(DecodeError::BadMagic)
        );
        let bytes = encode(Kind::RunMark, &1u32);
        assert!(matches!(decode::<Session>(Kind::Checkpoint, &bytes), Err(DecodeError::WrongKind { .. })));
    }

    /// A header that lies about sizes, with a valid checksum over the lie,
    /// must be refused before anything of that size is allocated.
    #[test]
    fn lying_headers_are_refused() {
        let mut bytes = encode(Kind::Checkpoint, &sample());
        for claim in [u32::MAX, (MAX_RAW + 1) as u32, 200 << 20] {
            bytes[8..12].copy_from_slice(&claim.to_le_bytes());
            let crc = checksum(&bytes[0..16], &bytes[HEADER_LEN..]);
            bytes[16..20].copy_from_slice(&crc.to_le_bytes());
            assert!(
                matches!(decode::<Session>(Kind::Checkpoint, &bytes), Err(DecodeError::TooLarge(_))),
                "claim {claim}"
            );
        }
        // Claims a little more than it holds: decompression fails cleanly.
        let mut bytes = encode(Kind::Checkpoint, &sample());
        let raw = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
        bytes[8..12].copy_from_slice(&(raw + 100).to_le_bytes());
        let crc = checksum(&bytes[0..16], &bytes[HEADER_LEN..]);
        bytes[16..20].copy_from_slice(&crc.to_le_bytes());
        assert!(decode::<Session>(Kind::Checkpoint, &bytes).is_err());
    }

    /// Rewrites a record's version (and its checksum, as that build would have).
    fn as_version(mut bytes: Vec<u8>, version: u16) -> Vec<u8> {
        bytes[4..6].copy_from_slice(&version.to_le_bytes());
        let crc = checksum(&bytes[0..16], &bytes[HEADER_LEN..]);
        bytes[16..20].copy_from_slice(&crc.to_le_bytes());
        bytes
    }

    /// A format-1 page state, as that build's postcard wrote it: fields
    /// without tag, type, name, touched; pages without `cut`.
    #[test]
    fn format_1_pages_read_into_the_current_types() {
        #[derive(Serialize)]
        struct Field1 {
            key: String,
            value: FieldValue,
            truncated: bool,
        }
        #[derive(Serialize)]
        struct Frame1 {
            frame: String,
            url: String,
            fields: Vec<Field1>,
        }
        #[derive(Serialize)]
        struct Page1 {
            url: String,
            scroll: Option<(i32, i32)>,
            frames: Vec<Frame1>,
        }
        let page = Page1 {
            url: "https://a/".into(),
            scroll: Some((0, 5)),
            frames: vec![Frame1 {
                frame: String::new(),
                url: "https://a/".into(),
                fields: vec![Field1 {
                    key: "#c".into(),
                    value: FieldValue::Text("typed".into()),
                    truncated: true,
                }],
            }],
        };
        let bytes = as_version(seal(Kind::Pages, &postcard::to_stdvec(&vec![(7i64, Some(page))]).unwrap()), 1);
        let got: Vec<(i64, Option<PageState>)> = decode(Kind::Pages, &bytes).unwrap();
        let p = got[0].1.as_ref().unwrap();
        assert_eq!((p.url.as_str(), p.scroll, p.cut), ("https://a/", Some((0, 5)), 0));
        let f = &p.frames[0].fields[0];
        assert_eq!((f.key.as_str(), f.tag.as_str(), f.kind.as_str(), f.name.as_str()), ("#c", "", "", ""));
        assert_eq!((&f.value, f.truncated, f.touched), (&FieldValue::Text("typed".into()), true, false));
        // The same bytes read as the current format are not a page state.
        assert!(decode::<Vec<(i64, Option<PageState>)>>(Kind::Pages, &as_version(bytes, VERSION)).is_err());
        assert_eq!(reading_version(), VERSION, "the version read goes back after decoding");
    }

    #[test]
    fn the_current_format_keeps_what_a_field_was_and_the_tab_history() {
        let mut s = sample();
        s.windows[0].tabs[0].page = Some(PageState {
            url: "https://a/".into(),
            scroll: None,
            frames: vec![FrameFields {
                frame: String::new(),
                url: "https://a/".into(),
                fields: vec![Field {
                    key: "#c".into(),
                    tag: "input".into(),
                    kind: "email".into(),
                    name: "mail".into(),
                    value: FieldValue::Text("a@b.example".into()),
                    truncated: false,
                    touched: true,
                }],
            }],
            cut: 3,
        });
        s.windows[0].tabs[0].history = vec![crate::model::Visit {
            url: "https://before/".into(),
            title: "Before".into(),
            at: Some(7),
        }];
        let bytes = encode(Kind::Checkpoint, &s);
        assert_eq!(header(&bytes).unwrap().version, 3);
        assert_eq!(decode::<Session>(Kind::Checkpoint, &bytes).unwrap(), s);
    }

    #[test]
    fn a_record_from_a_newer_build_says_so() {
        let bytes = as_version(encode(Kind::Checkpoint, &sample()), VERSION + 1);
        let e = decode::<Session>(Kind::Checkpoint, &bytes).unwrap_err();
        assert_eq!(e, DecodeError::UnsupportedVersion(VERSION + 1));
        assert_eq!(e.to_string(), format!("written by a newer Lifeboat (format {})", VERSION + 1));
    }

    #[test]
    fn newer_version_is_refused_with_its_number() {
        let mut bytes = encode(Kind::Checkpoint, &sample());
        bytes[4..6].copy_from_slice(&9u16.to_le_bytes());
        let crc = checksum(&bytes[0..16], &bytes[HEADER_LEN..]);
        bytes[16..20].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(decode::<Session>(Kind::Checkpoint, &bytes), Err(DecodeError::UnsupportedVersion(9)));
    }
}
