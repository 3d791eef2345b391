//! A push-based gzip (RFC 1952) decoder over zlib-rs's raw inflater (through flate2).
//!
//! zlib-rs rather than miniz_oxide: it inflates straight into the caller's buffer (no
//! window to copy out of) and its decoding loop is faster, natively and most of all in
//! WebAssembly, where the 1 GiB benchmark trace inflates in 0.79 s instead of 1.2 s
//! (Node's V8; README "Performance").
//!
//! Compressed bytes are pushed in arbitrary chunks; decompressed text is appended to a
//! caller's buffer. Multi-member files are accepted. Damage after the first header is not
//! an error: decoding stops, what was decoded is kept and the damage is reported as an
//! [`Outcome`] for the loader to turn into a diagnostic.

use flate2::{Decompress, FlushDecompress, Status};

use crate::LoadError;

/// Free space at the end of the caller's buffer below which more is made before an
/// inflate step, and how much (small, so the buffer grows only as the text needs: the
/// loader bounds its text by the compressed bytes it pushes at a time).
const MIN_SPARE: usize = 32 * 1024;
const STEP: usize = 64 * 1024;

/// Whether `bytes` (the first bytes of an input) start like a gzip stream.
///
/// A lone `0x1f` at the end of the input counts: it is the start of a cut gzip file.
#[must_use]
pub(crate) fn sniff(bytes: &[u8]) -> bool {
    matches!(bytes, [0x1f, 0x8b, ..] | [0x1f])
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Header,
    Body,
    Trailer,
    AfterMember,
    Done,
}

/// Something that went wrong inside the stream (reported, not fatal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The deflate data is invalid at this compressed offset.
    Corrupt { offset: u64 },
    /// A member's CRC-32 or ISIZE does not match.
    Checksum { member: u32 },
    /// Non-gzip bytes after the last member.
    Trailing { bytes: u64 },
}

/// The streaming decoder.
pub(crate) struct Gunzip {
    stage: Stage,
    pending: Vec<u8>,
    /// Raw deflate (no zlib header), 32 KiB window.
    inflater: Decompress,
    crc: crc32fast::Hasher,
    member_len: u64,
    members: u32,
    consumed: u64,
    outcomes: Vec<Outcome>,
}

impl Gunzip {
    pub(crate) fn new() -> Self {
        Gunzip {
            stage: Stage::Header,
            pending: Vec::new(),
            inflater: Decompress::new(false),
            crc: crc32fast::Hasher::new(),
            member_len: 0,
            members: 0,
            consumed: 0,
            outcomes: Vec::new(),
        }
    }

    /// Problems found so far (drained by the caller).
    pub(crate) fn take_outcomes(&mut self) -> Vec<Outcome> {
        core::mem::take(&mut self.outcomes)
    }

    /// Whether the input so far ends exactly at the end of a complete member.
    pub(crate) fn is_complete(&self) -> bool {
        matches!(self.stage, Stage::AfterMember | Stage::Done) && self.members > 0
    }

    /// Decodes `input`, appending text to `out`.
    ///
    /// # Errors
    /// Only when the very first header is invalid: then the input is not gzip after all.
    pub(crate) fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), LoadError> {
        while !input.is_empty() {
            match self.stage {
                Stage::Header => input = self.header(input)?,
                Stage::Body => input = self.body(input, out),
                Stage::Trailer => input = self.trailer(input),
                Stage::AfterMember => input = self.after_member(input),
                Stage::Done => {
                    self.consumed += input.len() as u64;
                    input = &[];
                }
            }
        }
        Ok(())
    }

    fn header<'a>(&mut self, input: &'a [u8]) -> Result<&'a [u8], LoadError> {
        let before = self.pending.len();
        self.pending.extend_from_slice(input);
        match parse_header(&self.pending) {
            Ok(Some(len)) => {
                let used = len.saturating_sub(before);
                self.consumed += used as u64;
                self.pending.clear();
                self.inflater.reset(false);
                self.crc = crc32fast::Hasher::new();
                self.member_len = 0;
                self.stage = Stage::Body;
                Ok(input.get(used..).unwrap_or(&[]))
            }
            Ok(None) => {
                self.consumed += input.len() as u64;
                Ok(&[])
            }
            Err(reason) if self.members == 0 => Err(LoadError::BadGzip { reason: reason.into() }),
            Err(_) if self.pending.get(1).is_some_and(|&b| b != 0x8b) => {
                // A lone 0x1f at the end of a chunk looked like the next member; it is not:
                // bytes after the last member, as when they arrive in one chunk.
                self.outcomes.push(Outcome::Trailing { bytes: self.pending.len() as u64 });
                self.stage = Stage::Done;
                Ok(&[])
            }
            Err(_) => {
                // A later member with a bad header: treat it as damage, keep what we have.
                self.outcomes.push(Outcome::Corrupt { offset: self.consumed });
                self.stage = Stage::Done;
                Ok(&[])
            }
        }
    }

    fn body<'a>(&mut self, mut input: &'a [u8], out: &mut Vec<u8>) -> &'a [u8] {
        loop {
            if out.capacity() - out.len() < MIN_SPARE {
                out.reserve(STEP);
            }
            let (in_before, start) = (self.inflater.total_in(), out.len());
            let status = self.inflater.decompress_vec(input, out, FlushDecompress::None);
            let read = usize::try_from(self.inflater.total_in() - in_before).unwrap_or(input.len());
            let text = out.get(start..).unwrap_or(&[]);
            self.crc.update(text);
            self.member_len += text.len() as u64;
            self.consumed += read as u64;
            input = input.get(read..).unwrap_or(&[]);
            match status {
                Ok(Status::StreamEnd) => {
                    self.stage = Stage::Trailer;
                    return input;
                }
                Ok(Status::Ok | Status::BufError) if read > 0 || !text.is_empty() => {}
                // No progress: every byte pushed so far is taken, more are needed.
                Ok(Status::Ok | Status::BufError) => return input,
                Err(_) => {
                    self.outcomes.push(Outcome::Corrupt { offset: self.consumed });
                    self.stage = Stage::Done;
                    return &[];
                }
            }
            if input.is_empty() && out.len() < out.capacity() {
                return input;
            }
        }
    }

    fn trailer<'a>(&mut self, input: &'a [u8]) -> &'a [u8] {
        let need = 8 - self.pending.len();
        let take = need.min(input.len());
        self.pending.extend_from_slice(input.get(..take).unwrap_or(&[]));
        self.consumed += take as u64;
        let rest = input.get(take..).unwrap_or(&[]);
        if let Ok(trailer) = <[u8; 8]>::try_from(self.pending.as_slice()) {
            let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
            let isize = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
            let actual = core::mem::replace(&mut self.crc, crc32fast::Hasher::new()).finalize();
            // ISIZE is the length modulo 2^32.
            if crc != actual || u64::from(isize) != self.member_len & 0xffff_ffff {
                self.outcomes.push(Outcome::Checksum { member: self.members });
            }
            self.members += 1;
            self.pending.clear();
            self.stage = Stage::AfterMember;
        }
        rest
    }

    fn after_member<'a>(&mut self, input: &'a [u8]) -> &'a [u8] {
        if sniff(input) {
            self.stage = Stage::Header;
            return input;
        }
        // Zero padding after the last member is common (tape/block writers); anything else
        // is reported. Either way the rest of the input is not decoded.
        let nonzero = input.iter().any(|&b| b != 0);
        if nonzero {
            self.outcomes.push(Outcome::Trailing { bytes: input.len() as u64 });
        }
        self.consumed += input.len() as u64;
        self.stage = if nonzero { Stage::Done } else { Stage::AfterMember };
        &[]
    }
}

/// Gzip inflated apart from a [`Loader`](super::Loader), for a caller that inflates in one
/// place and parses in another (the browser app inflates in one worker while its engine
/// worker parses). The text may go to
/// [`Loader::for_inflated_gzip`](super::Loader::for_inflated_gzip) only once
/// [`is_clean`](GzipText::is_clean) says the stream was whole; otherwise the caller should
/// load the file with [`Loader::new`](super::Loader::new), whose diagnostics say what was
/// wrong.
pub struct GzipText {
    gunzip: Gunzip,
    damaged: bool,
}

impl GzipText {
    /// A decoder waiting for the first gzip header.
    #[must_use]
    pub fn new() -> Self {
        GzipText { gunzip: Gunzip::new(), damaged: false }
    }

    /// Inflates `compressed` (the next bytes of the file, in any chunking), appending the
    /// text to `text`. Multi-member files are accepted. Pushing more after damage was found
    /// adds nothing.
    ///
    /// # Errors
    /// When the first header is not a gzip header.
    pub fn push(&mut self, compressed: &[u8], text: &mut Vec<u8>) -> Result<(), LoadError> {
        if self.damaged {
            return Ok(());
        }
        let r = self.gunzip.push(compressed, text);
        self.damaged |= !self.gunzip.take_outcomes().is_empty();
        r
    }

    /// Whether damage was found so far: invalid deflate data, a wrong CRC-32 or length, or
    /// bytes other than zero padding after the last member.
    #[must_use]
    pub fn is_damaged(&self) -> bool {
        self.damaged
    }

    /// Whether everything pushed so far is one or more complete members with the right
    /// checksums, followed by nothing or zero padding: the text is the file's whole text.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        !self.damaged && self.gunzip.is_complete()
    }
}

impl Default for GzipText {
    fn default() -> Self {
        Self::new()
    }
}

/// Parses a gzip member header; `Ok(None)` when more bytes are needed.
fn parse_header(b: &[u8]) -> Result<Option<usize>, &'static str> {
    const FHCRC: u8 = 0x02;
    const FEXTRA: u8 = 0x04;
    const FNAME: u8 = 0x08;
    const FCOMMENT: u8 = 0x10;
    let (Some(&id1), Some(&id2)) = (b.first(), b.get(1)) else {
        return if b.first().is_some_and(|&x| x != 0x1f) { Err("bad magic") } else { Ok(None) };
    };
    if id1 != 0x1f || id2 != 0x8b {
        return Err("bad magic bytes");
    }
    let Some(&method) = b.get(2) else { return Ok(None) };
    if method != 8 {
        return Err("compression method is not deflate");
    }
    let Some(&flags) = b.get(3) else { return Ok(None) };
    if flags & 0xe0 != 0 {
        return Err("reserved header flags are set");
    }
    let mut pos = 10;
    if b.len() < pos {
        return Ok(None);
    }
    if flags & FEXTRA != 0 {
        let (Some(&lo), Some(&hi)) = (b.get(pos), b.get(pos + 1)) else { return Ok(None) };
        pos += 2 + usize::from(u16::from_le_bytes([lo, hi]));
        if b.len() < pos {
            return Ok(None);
        }
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            match b.get(pos..).and_then(|rest| memchr::memchr(0, rest)) {
                Some(nul) => pos += nul + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & FHCRC != 0 {
        pos += 2;
        if b.len() < pos {
            return Ok(None);
        }
    }
    Ok(Some(pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gzip member of `text` built with miniz_oxide's compressor.
    pub(crate) fn gzip(text: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        out.extend(miniz_oxide::deflate::compress_to_vec(text, 6));
        let mut crc = crc32fast::Hasher::new();
        crc.update(text);
        out.extend(crc.finalize().to_le_bytes());
        out.extend((text.len() as u32).to_le_bytes());
        out
    }

    fn decode_in_chunks(data: &[u8], chunk: usize) -> (Vec<u8>, Gunzip) {
        let mut g = Gunzip::new();
        let mut out = Vec::new();
        for c in data.chunks(chunk.max(1)) {
            g.push(c, &mut out).expect("valid header");
        }
        (out, g)
    }

    #[test]
    fn round_trips_in_any_chunking() {
        let text: Vec<u8> = (0..200_000u32).flat_map(|i| format!("{i},").into_bytes()).collect();
        let gz = gzip(&text);
        for chunk in [1, 7, 4096, 1 << 20] {
            let (out, mut g) = decode_in_chunks(&gz, chunk);
            assert_eq!(out, text, "chunk {chunk}");
            assert!(g.is_complete());
            assert!(g.take_outcomes().is_empty());
        }
    }

    #[test]
    fn multi_member_concatenates() {
        let mut gz = gzip(b"{\"a\":");
        gz.extend(gzip(b"1}"));
        let (out, mut g) = decode_in_chunks(&gz, 3);
        assert_eq!(out, b"{\"a\":1}");
        assert_eq!(g.members, 2);
        assert!(g.take_outcomes().is_empty());
    }

    #[test]
    fn header_with_name_and_extra_fields() {
        let body = gzip(b"hello");
        let mut gz = vec![0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3];
        gz.extend([3, 0, b'x', b'y', b'z']);
        gz.extend(b"trace.json\0a comment\0");
        gz.extend([0xaa, 0xbb]);
        gz.extend(body.get(10..).expect("body"));
        let (out, mut g) = decode_in_chunks(&gz, 2);
        assert_eq!(out, b"hello");
        assert!(g.take_outcomes().is_empty());
    }

    #[test]
    fn damage_is_reported_not_fatal() {
        let text: Vec<u8> =
            (0..50_000u32).flat_map(|i| format!("{},", i * 7919 % 10007).into_bytes()).collect();
        let mut gz = gzip(&text);
        let len = gz.len();
        // Corrupt the checksum.
        if let Some(b) = gz.get_mut(len - 6) {
            *b ^= 0xff;
        }
        let (out, mut g) = decode_in_chunks(&gz, 1000);
        assert_eq!(out, text);
        assert_eq!(g.take_outcomes(), vec![Outcome::Checksum { member: 0 }]);
        // Trailing garbage.
        let mut gz = gzip(b"abc");
        gz.extend(b"garbage");
        let (_, mut g) = decode_in_chunks(&gz, 1000);
        assert_eq!(g.take_outcomes(), vec![Outcome::Trailing { bytes: 7 }]);
        // Garbage starting with 0x1f is trailing data in any chunking (found by the fuzzer:
        // one byte at a time it was taken for a damaged next member).
        let mut gz = gzip(b"abc");
        gz.extend(b"\x1fgarbage");
        for size in [1, 1000] {
            let (_, mut g) = decode_in_chunks(&gz, size);
            assert!(matches!(g.take_outcomes()[..], [Outcome::Trailing { .. }]), "chunks of {size}");
        }
        // Zero padding is fine.
        let mut gz = gzip(b"abc");
        gz.extend([0u8; 512]);
        let (_, mut g) = decode_in_chunks(&gz, 100);
        assert!(g.take_outcomes().is_empty());
    }

    /// `GzipText` pushed `gz` in `chunk`-byte pieces: the text and whether it was clean.
    fn gzip_text(gz: &[u8], chunk: usize) -> (Vec<u8>, bool, bool) {
        let mut g = GzipText::new();
        let mut out = Vec::new();
        for c in gz.chunks(chunk) {
            g.push(c, &mut out).expect("valid header");
        }
        (out, g.is_clean(), g.is_damaged())
    }

    #[test]
    fn gzip_text_is_clean_only_for_a_whole_stream() {
        let text: Vec<u8> = (0..60_000u32).flat_map(|i| format!("{},", i * 31 % 977).into_bytes()).collect();
        let gz = gzip(&text);
        assert_eq!(gzip_text(&gz, 1000), (text.clone(), true, false));
        // Several members, zero padding after them.
        let mut two = gzip(b"{\"a\":");
        two.extend(gzip(b"1}"));
        two.extend([0u8; 64]);
        assert_eq!(gzip_text(&two, 5), (b"{\"a\":1}".to_vec(), true, false));
        // Cut: not clean, not damaged (yet).
        let (out, clean, damaged) = gzip_text(gz.get(..gz.len() - 3).expect("cut"), 1000);
        assert_eq!((out == text, clean, damaged), (true, false, false));
        // A wrong CRC-32.
        let mut bad = gz.clone();
        let n = bad.len();
        if let Some(b) = bad.get_mut(n - 6) {
            *b ^= 1;
        }
        let (_, clean, damaged) = gzip_text(&bad, 1000);
        assert_eq!((clean, damaged), (false, true));
        // Garbage after the member.
        let mut trailing = gz.clone();
        trailing.extend(b"<html>");
        let (_, clean, damaged) = gzip_text(&trailing, 1000);
        assert_eq!((clean, damaged), (false, true));
        // Not gzip at all.
        assert!(GzipText::new().push(b"{\"traceEvents\":[]}", &mut Vec::new()).is_err());
    }

    #[test]
    fn bad_first_header_is_an_error() {
        let mut g = Gunzip::new();
        let mut out = Vec::new();
        assert!(matches!(g.push(&[0x1f, 0x8b, 9, 0], &mut out), Err(LoadError::BadGzip { .. })));
    }

    #[test]
    fn truncation_leaves_prefix_and_incomplete_state() {
        let text: Vec<u8> = (0..100_000u32).flat_map(|i| format!("{i} ").into_bytes()).collect();
        let gz = gzip(&text);
        let cut = gz.get(..gz.len() / 2).expect("half");
        let (out, g) = decode_in_chunks(cut, 999);
        assert!(!g.is_complete());
        assert!(!out.is_empty());
        assert_eq!(out.as_slice(), text.get(..out.len()).expect("prefix"));
    }
}
