//! Is a trace file complete? Checked incrementally while the server writes it: bytes are
//! pushed as the file grows, so each byte is read once however long the wait.
//!
//! gzip: every member's header is parsed, its deflate stream inflated (into a scratch
//! buffer, discarded) and its trailer's CRC-32 and ISIZE compared, so "complete" means the
//! stream really ended, not that the size stopped changing. Plain JSON: the text starts
//! with `{` or `[` and its last non-blank byte closes it.

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Header,
    Body,
    Trailer,
    Between,
}

/// Incremental check of a gzip stream (one or more members).
pub struct GzCheck {
    stage: Stage,
    header: Vec<u8>,
    trailer: Vec<u8>,
    inflater: Box<InflateState>,
    scratch: Vec<u8>,
    crc: crc32fast::Hasher,
    member_len: u64,
    total_out: u64,
    members: u32,
    consumed: u64,
    error: Option<String>,
}

impl Default for GzCheck {
    fn default() -> Self {
        GzCheck::new()
    }
}

impl GzCheck {
    /// A check at the start of a file.
    #[must_use]
    pub fn new() -> GzCheck {
        GzCheck {
            stage: Stage::Header,
            header: Vec::new(),
            trailer: Vec::new(),
            inflater: InflateState::new_boxed(DataFormat::Raw),
            scratch: vec![0; 1 << 16],
            crc: crc32fast::Hasher::new(),
            member_len: 0,
            total_out: 0,
            members: 0,
            consumed: 0,
            error: None,
        }
    }

    /// Whether the bytes so far end exactly at the end of a complete, intact member.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.error.is_none() && self.stage == Stage::Between && self.members > 0
    }

    /// The damage found, if any (the stream can then never complete).
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Uncompressed bytes so far (the JSON text size once complete).
    #[must_use]
    pub fn text_bytes(&self) -> u64 {
        self.total_out
    }

    /// Where the stream stands, for messages: `in the deflate data`, `complete`, …
    #[must_use]
    pub fn state(&self) -> String {
        if let Some(e) = &self.error {
            return format!("damaged: {e}");
        }
        match self.stage {
            Stage::Header => "gzip header incomplete".to_owned(),
            Stage::Body => "gzip stream not finished (deflate data still arriving)".to_owned(),
            Stage::Trailer => "gzip trailer (CRC-32 and length) not yet written".to_owned(),
            Stage::Between => "complete (gzip trailer verified)".to_owned(),
        }
    }

    /// Pushes the next bytes of the file.
    pub fn push(&mut self, mut input: &[u8]) {
        while !input.is_empty() && self.error.is_none() {
            let before = input.len();
            input = match self.stage {
                Stage::Header => self.header_step(input),
                Stage::Body => self.body_step(input),
                Stage::Trailer => self.trailer_step(input),
                Stage::Between => {
                    let zeros = input.iter().take_while(|&&b| b == 0).count();
                    if zeros > 0 {
                        input.get(zeros..).unwrap_or(&[])
                    } else {
                        self.stage = Stage::Header;
                        input
                    }
                }
            };
            self.consumed += (before - input.len()) as u64;
        }
    }

    fn header_step<'a>(&mut self, input: &'a [u8]) -> &'a [u8] {
        // Headers are small; copy byte by byte until a whole one is present.
        let mut rest = input;
        while let Some((&b, tail)) = rest.split_first() {
            self.header.push(b);
            rest = tail;
            match parse_header(&self.header) {
                Ok(None) => {}
                Ok(Some(_)) => {
                    self.header.clear();
                    self.stage = Stage::Body;
                    self.inflater = InflateState::new_boxed(DataFormat::Raw);
                    self.crc = crc32fast::Hasher::new();
                    self.member_len = 0;
                    return rest;
                }
                Err(e) => {
                    self.error = Some(format!("{e} at byte {}", self.consumed));
                    return &[];
                }
            }
        }
        rest
    }

    fn body_step<'a>(&mut self, input: &'a [u8]) -> &'a [u8] {
        let mut rest = input;
        loop {
            let r = inflate(&mut self.inflater, rest, &mut self.scratch, MZFlush::None);
            let out = self.scratch.get(..r.bytes_written).unwrap_or(&[]);
            self.crc.update(out);
            self.member_len += r.bytes_written as u64;
            self.total_out += r.bytes_written as u64;
            rest = rest.get(r.bytes_consumed..).unwrap_or(&[]);
            match r.status {
                Ok(MZStatus::StreamEnd) => {
                    self.stage = Stage::Trailer;
                    return rest;
                }
                Ok(_) => {
                    if r.bytes_consumed == 0 && r.bytes_written == 0 && !rest.is_empty() {
                        self.error = Some(format!("the inflater stalled near byte {}", self.consumed));
                        return &[];
                    }
                    if rest.is_empty() && r.bytes_written < self.scratch.len() {
                        return rest;
                    }
                }
                Err(MZError::Buf) => return &[],
                Err(_) => {
                    self.error = Some(format!("invalid deflate data near byte {}", self.consumed));
                    return &[];
                }
            }
        }
    }

    fn trailer_step<'a>(&mut self, input: &'a [u8]) -> &'a [u8] {
        let need = 8 - self.trailer.len();
        let take = need.min(input.len());
        self.trailer.extend_from_slice(input.get(..take).unwrap_or(&[]));
        if self.trailer.len() == 8 {
            let word = |i: usize| {
                let b: [u8; 4] = self.trailer.get(i..i + 4).and_then(|s| s.try_into().ok()).unwrap_or([0; 4]);
                u32::from_le_bytes(b)
            };
            let (crc, isize) = (word(0), word(4));
            let ours = std::mem::replace(&mut self.crc, crc32fast::Hasher::new()).finalize();
            if crc != ours || isize != (self.member_len & 0xffff_ffff) as u32 {
                self.error = Some(format!(
                    "member {} fails its checksum (CRC-32 or length differs from its trailer)",
                    self.members + 1
                ));
            } else {
                self.members += 1;
                self.stage = Stage::Between;
            }
            self.trailer.clear();
        }
        input.get(take..).unwrap_or(&[])
    }
}

/// Parses a gzip member header: `Ok(Some(len))` when complete, `Ok(None)` when more bytes
/// are needed.
fn parse_header(b: &[u8]) -> Result<Option<usize>, &'static str> {
    match (b.first(), b.get(1), b.get(2)) {
        (Some(&x), _, _) if x != 0x1f => return Err("not a gzip header"),
        (_, Some(&y), _) if y != 0x8b => return Err("not a gzip header"),
        (_, _, Some(&m)) if m != 8 => return Err("gzip member with an unknown compression method"),
        _ => {}
    }
    let Some(&flags) = b.get(3) else { return Ok(None) };
    let mut pos = 10;
    if b.len() < pos {
        return Ok(None);
    }
    if flags & 4 != 0 {
        let (Some(&lo), Some(&hi)) = (b.get(pos), b.get(pos + 1)) else { return Ok(None) };
        pos += 2 + usize::from(u16::from_le_bytes([lo, hi]));
        if b.len() < pos {
            return Ok(None);
        }
    }
    for flag in [8u8, 16] {
        if flags & flag != 0 {
            match b.get(pos..).and_then(|s| s.iter().position(|&c| c == 0)) {
                Some(i) => pos += i + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & 2 != 0 {
        pos += 2;
        if b.len() < pos {
            return Ok(None);
        }
    }
    Ok(Some(pos))
}

/// Incremental check of a plain JSON file: complete when the top-level `{…}` or `[…]` has
/// closed (brackets are counted outside strings) and only blanks follow. A flush that
/// happens to end on an inner `}` does not count.
#[derive(Clone, Debug, Default)]
pub struct JsonTail {
    depth: u64,
    started: bool,
    closed: bool,
    in_string: bool,
    escape: bool,
    junk_after: bool,
    bad_start: bool,
    len: u64,
}

impl JsonTail {
    /// Pushes the next bytes of the file.
    pub fn push(&mut self, input: &[u8]) {
        self.len += input.len() as u64;
        for &b in input {
            if self.closed {
                if !b.is_ascii_whitespace() {
                    self.junk_after = true;
                }
                continue;
            }
            if !self.started {
                match b {
                    b'{' | b'[' => {
                        self.started = true;
                        self.depth = 1;
                    }
                    _ if b.is_ascii_whitespace() => {}
                    _ => self.bad_start = true,
                }
                continue;
            }
            if self.in_string {
                match (self.escape, b) {
                    (true, _) => self.escape = false,
                    (false, b'\\') => self.escape = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        self.closed = true;
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether the text is closed.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.closed && !self.junk_after && !self.bad_start
    }

    /// Text bytes so far.
    #[must_use]
    pub fn text_bytes(&self) -> u64 {
        self.len
    }

    /// Where the text stands, for messages.
    #[must_use]
    pub fn state(&self) -> String {
        if self.bad_start {
            "not JSON (does not start with { or [)".to_owned()
        } else if self.junk_after {
            "text after the end of the JSON".to_owned()
        } else if self.closed {
            "complete (JSON closed)".to_owned()
        } else {
            format!("JSON text not closed yet (nesting depth {})", self.depth)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn text() -> Vec<u8> {
        let mut t = b"{\"traceEvents\": [".to_vec();
        for i in 0..20_000 {
            t.extend_from_slice(format!("{{\"ph\":\"X\",\"name\":\"k{}\",\"ts\":{i}}},", i % 97).as_bytes());
        }
        t.extend_from_slice(b"{}]}\n");
        t
    }

    #[test]
    fn complete_only_at_the_very_end_in_any_chunking() {
        let data = gz(&text());
        for chunk in [1usize, 7, 4096, data.len()] {
            let mut c = GzCheck::new();
            let mut fed = 0;
            for piece in data.chunks(chunk) {
                assert!(!c.is_complete(), "complete after {fed} of {} bytes", data.len());
                c.push(piece);
                fed += piece.len();
            }
            assert!(c.is_complete(), "{}", c.state());
            assert_eq!(c.text_bytes(), text().len() as u64);
        }
    }

    #[test]
    fn every_cut_is_incomplete() {
        let data = gz(&text());
        for cut in [1, 10, 11, data.len() / 2, data.len() - 8, data.len() - 1] {
            let mut c = GzCheck::new();
            c.push(&data[..cut]);
            assert!(!c.is_complete(), "cut at {cut}");
            assert!(c.error().is_none(), "cut at {cut}: {:?}", c.error());
        }
    }

    #[test]
    fn multi_member_and_checksum_damage() {
        let mut two = gz(b"{\"a\":");
        two.extend(gz(b"1}"));
        let mut c = GzCheck::new();
        c.push(&two);
        assert!(c.is_complete());
        let mut bad = gz(&text());
        let n = bad.len();
        bad[n - 6] ^= 0xff; // a CRC byte
        let mut c = GzCheck::new();
        c.push(&bad);
        assert!(!c.is_complete());
        assert!(c.error().unwrap().contains("checksum"), "{}", c.state());
    }

    #[test]
    fn plain_json_tail() {
        let mut j = JsonTail::default();
        j.push(b"\n{\"traceEvents\": [{\"name\": \"a}\\\"]\"}");
        assert!(!j.is_complete(), "an inner closing brace is not the end: {}", j.state());
        j.push(b"]}\n  ");
        assert!(j.is_complete(), "{}", j.state());
        j.push(b"x");
        assert!(!j.is_complete());
    }
}
