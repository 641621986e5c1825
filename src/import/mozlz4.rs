//! Firefox's mozLz4 container: `mozLz40\0`, the decompressed size as u32 LE,
//! then one raw LZ4 block (no frame, no checksum).

use super::{ImportError, MAX_COMPRESSED, MAX_INPUT};

pub const MAGIC: [u8; 8] = *b"mozLz40\0";
pub const HEADER_LEN: usize = 12;

/// The decompressed bytes. Sizes are checked before anything is allocated:
/// the claim against `MAX_INPUT` and against what LZ4 can expand the data to
/// (at most ~255x), and the result against the claim.
pub fn decompress(bytes: &[u8]) -> Result<Vec<u8>, ImportError> {
    if !bytes.starts_with(&MAGIC) {
        return Err(ImportError::NotMozLz4);
    }
    if bytes.len() > MAX_COMPRESSED {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_COMPRESSED as u64,
        });
    }
    let Some(size) = bytes.get(8..HEADER_LEN) else {
        return Err(ImportError::Corrupt("the header is cut short".into()));
    };
    let claimed = u32::from_le_bytes(size.try_into().expect("4 bytes")) as usize;
    let packed = &bytes[HEADER_LEN..];
    if claimed > MAX_INPUT {
        return Err(ImportError::SizeClaimTooLarge {
            claimed: claimed as u64,
            limit: MAX_INPUT as u64,
        });
    }
    if claimed > packed.len().saturating_mul(255).saturating_add(16) {
        return Err(ImportError::Corrupt(format!(
            "{} bytes cannot unpack to the {claimed} bytes the header claims",
            packed.len()
        )));
    }
    // The decompressor's own words ("output is too small…") mean nothing to a user.
    let raw = lz4_flex::block::decompress(packed, claimed).map_err(|_| {
        ImportError::Corrupt(format!(
            "the compressed data is damaged or does not match the {claimed} bytes the header claims"
        ))
    })?;
    if raw.len() != claimed {
        return Err(ImportError::Corrupt(format!("unpacked to {} bytes, the header says {claimed}", raw.len())));
    }
    Ok(raw)
}

/// The mozLz4 file Firefox would write for `raw` (tests, and fixtures).
pub fn compress(raw: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend(lz4_flex::block::compress_prepend_size(raw));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncations() {
        let raw = br#"{"windows":[{"tabs":[]}],"pad":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#;
        let packed = compress(raw);
        assert_eq!(decompress(&packed).unwrap(), raw);
        for n in 0..packed.len() {
            assert!(decompress(&packed[..n]).is_err(), "cut at {n}");
        }
    }

    #[test]
    fn lying_sizes_are_refused_before_allocating() {
        let mut packed = compress(b"hello hello hello hello");
        for (claim, expect_cap) in [(u32::MAX, true), ((MAX_INPUT + 1) as u32, true), (200 << 20, false), (24, false), (22, false)] {
            packed[8..12].copy_from_slice(&claim.to_le_bytes());
            let err = decompress(&packed).unwrap_err();
            assert_eq!(matches!(err, ImportError::SizeClaimTooLarge { .. }), expect_cap, "claim {claim}: {err}");
        }
    }
}
