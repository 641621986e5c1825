//! Reading Chromium's `base::Pickle`, the layout of SNSS commands with
//! variable-length payloads: a uint32 payload size, then fields each padded
//! to 4 bytes (strings as an int32 length then the bytes, string16 as an
//! int32 count of UTF-16 units). Every read is checked against the payload
//! and returns `None` past its end, so a lying length cannot read or
//! allocate beyond the record it came in.

pub(crate) struct Pickle<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Pickle<'a> {
    /// The pickle in a command's payload, if its header is consistent
    /// (the size it claims fits, and the header is a whole number of words).
    pub fn new(payload: &'a [u8]) -> Option<Self> {
        let size = u32::from_le_bytes(payload.get(..4)?.try_into().ok()?) as usize;
        let header = payload.len().checked_sub(size)?;
        if header < 4 || header % 4 != 0 {
            return None;
        }
        Some(Self {
            body: &payload[header..],
            at: 0,
        })
    }

    /// `n` bytes, then the padding to the next 4-byte boundary.
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let bytes = self.body.get(self.at..end)?;
        self.at = end.checked_next_multiple_of(4)?.min(self.body.len());
        Some(bytes)
    }

    pub fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn bool(&mut self) -> Option<bool> {
        self.i32().map(|v| v != 0)
    }

    /// A byte string; a negative length is malformed.
    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.i32()?).ok()?;
        self.take(len)
    }

    pub fn string(&mut self) -> Option<String> {
        self.bytes().map(|b| String::from_utf8_lossy(b).into_owned())
    }

    pub fn string16(&mut self) -> Option<String> {
        let units = usize::try_from(self.i32()?).ok()?;
        let raw = self.take(units.checked_mul(2)?)?;
        let units = raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
        Some(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
    }
}

/// Writing pickles, for the unit tests (Chromium's layout, as above).
#[cfg(test)]
#[derive(Default)]
pub(crate) struct PickleWriter(Vec<u8>);

#[cfg(test)]
impl PickleWriter {
    fn pad(&mut self) {
        while !self.0.len().is_multiple_of(4) {
            self.0.push(0);
        }
    }

    pub fn i32(mut self, v: i32) -> Self {
        self.0.extend(v.to_le_bytes());
        self
    }

    pub fn u32(self, v: u32) -> Self {
        self.i32(v as i32)
    }

    pub fn i64(mut self, v: i64) -> Self {
        self.0.extend(v.to_le_bytes());
        self
    }

    pub fn u64(self, v: u64) -> Self {
        self.i64(v as i64)
    }

    pub fn bool(self, v: bool) -> Self {
        self.i32(v as i32)
    }

    pub fn string(mut self, s: &str) -> Self {
        self.0.extend((s.len() as i32).to_le_bytes());
        self.0.extend(s.as_bytes());
        self.pad();
        self
    }

    pub fn string16(mut self, s: &str) -> Self {
        let units: Vec<u16> = s.encode_utf16().collect();
        self.0.extend((units.len() as i32).to_le_bytes());
        self.0.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        self.pad();
        self
    }

    /// The pickle: payload size, then the payload.
    pub fn finish(self) -> Vec<u8> {
        let mut out = (self.0.len() as u32).to_le_bytes().to_vec();
        out.extend(self.0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let bytes = PickleWriter::default()
            .i32(-5)
            .string("héllo")
            .string16("wörld ✓")
            .i64(1 << 40)
            .bool(true)
            .finish();
        let mut p = Pickle::new(&bytes).unwrap();
        assert_eq!(p.i32(), Some(-5));
        assert_eq!(p.string().as_deref(), Some("héllo"));
        assert_eq!(p.string16().as_deref(), Some("wörld ✓"));
        assert_eq!(p.i64(), Some(1 << 40));
        assert_eq!(p.bool(), Some(true));
        assert_eq!(p.i32(), None, "past the end");
    }

    #[test]
    fn lying_sizes_read_nothing() {
        assert!(Pickle::new(b"").is_none());
        assert!(Pickle::new(&[9, 0, 0, 0, 1]).is_none(), "payload claims more than is there");
        assert!(Pickle::new(&[0, 0, 0, 0, 1]).is_none(), "header not a whole word");
        for len in [i32::MAX, -1, 5] {
            let bytes = PickleWriter::default().i32(len).i32(0).finish();
            let mut p = Pickle::new(&bytes).unwrap();
            assert_eq!(p.string(), None, "length {len}");
        }
        let bytes = PickleWriter::default().i32(i32::MAX).finish();
        assert_eq!(Pickle::new(&bytes).unwrap().string16(), None);
    }
}
