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

use serde::{de::DeserializeOwned, Serialize};
use std::fmt;

pub const MAGIC: [u8; 4] = *b"LFBT";
/// Version 1: postcard payloads of the types in `model`/`record`.
pub const VERSION: u16 = 1;
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
    /// `backstop`'s spare copy of records.
    Spare = 7,
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

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { have, need } => write!(f, "record is cut short ({have} of {need} bytes)"),
            Self::BadMagic => write!(f, "not a Lifeboat record"),
            Self::UnsupportedVersion(v) => write!(f, "written by a newer Lifeboat (format {v})"),
            Self::WrongKind { expected, found } => write!(f, "record of kind {found}, expected {expected}"),
            Self::TooLarge(n) => write!(f, "record claims {n} bytes, over the {MAX_RAW}-byte limit"),
            Self::ChecksumMismatch => write!(f, "record is damaged (checksum mismatch)"),
            Self::Decompress(e) => write!(f, "record does not decompress: {e}"),
            Self::Payload(e) => write!(f, "record content is unreadable: {e}"),
        }
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

fn checksum(header: &[u8], payload: &[u8]) -> u32 {
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
    Ok(raw)
}

/// Decodes a record of `kind` into `T`.
pub fn decode<T: DeserializeOwned>(kind: Kind, bytes: &[u8]) -> Result<T, DecodeError> {
    let raw = open(kind, bytes)?;
    postcard::from_bytes(&raw).map_err(|e| DecodeError::Payload(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn sample() -> Session {
        let tabs = (0..20)
            .map(|i| Tab {
                id: i,
                url: format!("https://example.org/page/{i}"),
                title: format!("Page {i}"),
                ..Default::default()
            })
            .collect();
        Session {
            windows: vec![Window {
                id: 1,
                tabs,
                ..Default::default()
            }],
        }
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

    #[test]
    fn newer_version_is_refused_with_its_number() {
        let mut bytes = encode(Kind::Checkpoint, &sample());
        bytes[4..6].copy_from_slice(&9u16.to_le_bytes());
        let crc = checksum(&bytes[0..16], &bytes[HEADER_LEN..]);
        bytes[16..20].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(decode::<Session>(Kind::Checkpoint, &bytes), Err(DecodeError::UnsupportedVersion(9)));
    }
}
