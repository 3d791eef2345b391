//! Is a trace file that is still being written complete? Checked incrementally: bytes are
//! pushed as the file grows, so each byte is read once however long the wait.
//!
//! gzip: the engine's [`GzipText`] inflates every member (the text is counted, not kept)
//! and checks its CRC-32 and length, so "complete" means the stream really ended (whole
//! members, nothing after them but zero padding), not that the size stopped changing.
//! Plain JSON: the text starts with `{` or `[` and its top-level value has closed, with
//! only blanks after it ([`JsonEnd`]).

use report::trace::GzipText;

/// Compressed bytes inflated at a time (bounds the scratch text buffer).
const PIECE: usize = 16 * 1024;

/// The completeness check of one file, chosen by its first byte.
#[derive(Default)]
pub enum Completeness {
    /// Nothing read yet.
    #[default]
    Empty,
    /// A gzip stream (first byte `0x1f`).
    Gzip(Box<Gzip>),
    /// Anything else, read as JSON text.
    Json(JsonEnd),
}

/// A gzip stream being written.
pub struct Gzip {
    text: GzipText,
    scratch: Vec<u8>,
    text_bytes: u64,
    /// Why the stream is not gzip after all (a bad first header).
    refused: Option<String>,
}

impl Completeness {
    /// Pushes the next bytes of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        if let Completeness::Empty = self {
            match chunk.first() {
                None => return,
                Some(0x1f) => {
                    *self = Completeness::Gzip(Box::new(Gzip {
                        text: GzipText::new(),
                        scratch: Vec::new(),
                        text_bytes: 0,
                        refused: None,
                    }));
                }
                Some(_) => *self = Completeness::Json(JsonEnd::default()),
            }
        }
        match self {
            Completeness::Empty => {}
            Completeness::Gzip(g) => g.push(chunk),
            Completeness::Json(j) => j.push(chunk),
        }
    }

    /// Whether the content is complete.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        match self {
            Completeness::Empty => false,
            Completeness::Gzip(g) => g.refused.is_none() && g.text.is_clean(),
            Completeness::Json(j) => j.is_complete(),
        }
    }

    /// Whether the content is damaged (it will never complete).
    #[must_use]
    pub fn is_damaged(&self) -> bool {
        matches!(self, Completeness::Gzip(g) if g.refused.is_some() || g.text.is_damaged())
    }

    /// Bytes of JSON text (inflated, for gzip) so far.
    #[must_use]
    pub fn text_bytes(&self) -> u64 {
        match self {
            Completeness::Empty => 0,
            Completeness::Gzip(g) => g.text_bytes,
            Completeness::Json(j) => j.len,
        }
    }

    /// Where the content stands, for messages: `gzip stream not finished …`, `complete …`.
    #[must_use]
    pub fn state(&self) -> String {
        match self {
            Completeness::Empty => "empty so far".to_owned(),
            Completeness::Gzip(g) => match &g.refused {
                Some(why) => format!("damaged: {why}"),
                None if g.text.is_damaged() => "damaged: the gzip stream is broken (invalid deflate data, a \
                                                checksum or length that differs from its trailer, or bytes \
                                                after its end)"
                    .to_owned(),
                None if g.text.is_clean() => "complete (gzip trailer verified)".to_owned(),
                None => "gzip stream not finished (deflate data or its trailer still arriving)".to_owned(),
            },
            Completeness::Json(j) => j.state(),
        }
    }
}

impl Gzip {
    fn push(&mut self, chunk: &[u8]) {
        if self.refused.is_some() {
            return;
        }
        for piece in chunk.chunks(PIECE) {
            self.scratch.clear();
            if let Err(e) = self.text.push(piece, &mut self.scratch) {
                self.refused = Some(e.to_string());
                return;
            }
            self.text_bytes += self.scratch.len() as u64;
        }
    }
}

/// Incremental check of a plain JSON file: complete when the top-level `{…}` or `[…]` has
/// closed (brackets are counted outside strings) and only blanks follow. A flush that
/// happens to end on an inner `}` does not count.
#[derive(Clone, Debug, Default)]
pub struct JsonEnd {
    depth: u64,
    started: bool,
    closed: bool,
    in_string: bool,
    escape: bool,
    junk_after: bool,
    bad_start: bool,
    len: u64,
}

impl JsonEnd {
    /// Pushes the next bytes of the file.
    pub fn push(&mut self, input: &[u8]) {
        self.len += input.len() as u64;
        for &b in input {
            self.byte(b);
        }
    }

    fn byte(&mut self, b: u8) {
        if self.closed {
            self.junk_after |= !b.is_ascii_whitespace();
        } else if !self.started {
            match b {
                b'{' | b'[' => {
                    self.started = true;
                    self.depth = 1;
                }
                _ if b.is_ascii_whitespace() => {}
                _ => self.bad_start = true,
            }
        } else if self.in_string {
            match (self.escape, b) {
                (true, _) => self.escape = false,
                (false, b'\\') => self.escape = true,
                (false, b'"') => self.in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.closed = self.depth == 0;
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

    fn pushed(data: &[u8], chunk: usize) -> Completeness {
        let mut c = Completeness::default();
        for piece in data.chunks(chunk) {
            c.push(piece);
        }
        c
    }

    #[test]
    fn gzip_is_complete_only_at_the_very_end_in_any_chunking() {
        let data = gz(&text());
        for chunk in [1usize, 7, 4096, data.len()] {
            let mut c = Completeness::default();
            let mut fed = 0;
            for piece in data.chunks(chunk) {
                assert!(!c.is_complete(), "complete after {fed} of {} bytes", data.len());
                c.push(piece);
                fed += piece.len();
            }
            assert!(c.is_complete(), "{}", c.state());
            assert_eq!(c.text_bytes(), text().len() as u64);
        }
        for cut in [1, 10, 11, data.len() / 2, data.len() - 8, data.len() - 1] {
            let c = pushed(&data[..cut], 4096);
            assert!(!c.is_complete() && !c.is_damaged(), "cut at {cut}: {}", c.state());
            assert!(c.state().contains("gzip stream not finished"), "{}", c.state());
        }
    }

    #[test]
    fn gzip_members_padding_and_damage() {
        let mut two = gz(b"{\"a\":");
        two.extend(gz(b"1}"));
        two.extend([0u8; 32]);
        assert!(pushed(&two, 5).is_complete());
        let mut bad = gz(&text());
        let n = bad.len();
        bad[n - 6] ^= 0xff; // a CRC byte
        let c = pushed(&bad, 1000);
        assert!(!c.is_complete() && c.is_damaged(), "{}", c.state());
        assert!(c.state().starts_with("damaged: "), "{}", c.state());
        let c = pushed(&[0x1f, 0x00, 1, 2], 4);
        assert!(c.is_damaged() && c.state().starts_with("damaged: "), "{}", c.state());
    }

    #[test]
    fn plain_json_end() {
        let mut j = Completeness::default();
        j.push(b"\n{\"traceEvents\": [{\"name\": \"a}\\\"]\"}");
        assert!(!j.is_complete(), "an inner closing brace is not the end: {}", j.state());
        j.push(b"]}\n  ");
        assert!(j.is_complete(), "{}", j.state());
        j.push(b"x");
        assert!(!j.is_complete());
        assert_eq!(j.state(), "text after the end of the JSON");
    }
}
