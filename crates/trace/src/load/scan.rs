//! A minimal, resumable JSON scanner over a byte buffer that may end mid-value.
//!
//! Every read is bounds-checked: running off the end of the buffer yields
//! [`Stop::Incomplete`] (more input may complete the value), malformed JSON yields
//! [`Stop::Invalid`]. Nothing here allocates except when a string holds escapes.

use std::borrow::Cow;

/// Why a scan stopped before producing a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The buffer ended inside the value.
    Incomplete,
    /// The bytes at `at` are not valid JSON here; `expected` says what was wanted.
    Invalid { at: usize, expected: &'static str },
}

pub(crate) type Scan<T> = Result<T, Stop>;

/// A JSON string as it appears in the buffer (without quotes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawStr<'a> {
    pub raw: &'a [u8],
    pub escaped: bool,
}

impl<'a> RawStr<'a> {
    /// The decoded text (borrowed when there are no escapes). Invalid UTF-8 and bad
    /// escapes are replaced, never rejected.
    pub(crate) fn text(&self) -> Cow<'a, str> {
        if self.escaped { Cow::Owned(unescape(self.raw)) } else { String::from_utf8_lossy(self.raw) }
    }

    /// Whether the raw bytes equal `s` (escaped strings never compare equal; keys we look
    /// for contain no escapes).
    #[cfg(test)]
    pub(crate) fn is(&self, s: &[u8]) -> bool {
        !self.escaped && self.raw == s
    }
}

/// A cursor over a buffer.
pub(crate) struct Cur<'a> {
    pub b: &'a [u8],
    pub i: usize,
}

#[inline]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

impl<'a> Cur<'a> {
    pub(crate) fn new(b: &'a [u8], i: usize) -> Self {
        Cur { b, i }
    }

    /// Skips whitespace and returns the next byte without consuming it.
    #[inline]
    pub(crate) fn peek(&mut self) -> Scan<u8> {
        loop {
            match self.b.get(self.i) {
                Some(&c) if is_ws(c) => self.i += 1,
                Some(&c) => return Ok(c),
                None => return Err(Stop::Incomplete),
            }
        }
    }

    /// Skips whitespace.
    #[inline]
    pub(crate) fn skip_ws(&mut self) {
        while self.b.get(self.i).is_some_and(|&c| is_ws(c)) {
            self.i += 1;
        }
    }

    /// Skips whitespace and consumes `c`.
    #[inline]
    pub(crate) fn expect(&mut self, c: u8, expected: &'static str) -> Scan<()> {
        if self.peek()? == c {
            self.i += 1;
            Ok(())
        } else {
            Err(Stop::Invalid { at: self.i, expected })
        }
    }

    fn invalid<T>(&self, expected: &'static str) -> Scan<T> {
        Err(Stop::Invalid { at: self.i, expected })
    }

    /// Reads a string; the cursor must be on its opening quote (after whitespace).
    #[inline]
    pub(crate) fn string(&mut self) -> Scan<RawStr<'a>> {
        if self.peek()? != b'"' {
            return self.invalid("a string");
        }
        let start = self.i + 1;
        let mut j = start;
        let mut escaped = false;
        loop {
            let at = find_quote_or_backslash(self.b, j).ok_or(Stop::Incomplete)?;
            if self.b.get(at) == Some(&b'"') {
                self.i = at + 1;
                let raw = self.b.get(start..at).ok_or(Stop::Incomplete)?;
                return Ok(RawStr { raw, escaped });
            }
            escaped = true;
            // Skip the backslash and the escaped byte.
            j = at + 2;
            if j > self.b.len() {
                return Err(Stop::Incomplete);
            }
        }
    }

    /// Reads the bytes of a number literal; the cursor must be on its first byte.
    #[inline]
    pub(crate) fn number_span(&mut self) -> Scan<&'a [u8]> {
        let start = self.i;
        let mut j = start;
        while let Some(&c) = self.b.get(j) {
            if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                j += 1;
            } else {
                break;
            }
        }
        if j == self.b.len() {
            // The number may continue in the next chunk.
            return Err(Stop::Incomplete);
        }
        let span = self.b.get(start..j).unwrap_or(&[]);
        if !span.iter().any(u8::is_ascii_digit) {
            return self.invalid("a number");
        }
        self.i = j;
        self.b.get(start..j).ok_or(Stop::Incomplete)
    }

    /// Consumes a literal (`true`, `false`, `null`).
    fn literal(&mut self, word: &'static [u8]) -> Scan<()> {
        let end = self.i + word.len();
        match self.b.get(self.i..end) {
            Some(s) if s == word => {
                self.i = end;
                Ok(())
            }
            Some(_) => self.invalid("a JSON value"),
            None => {
                // Compare what is there; a mismatch is invalid even if short.
                let have = self.b.get(self.i..).unwrap_or(&[]);
                if word.starts_with(have) { Err(Stop::Incomplete) } else { self.invalid("a JSON value") }
            }
        }
    }

    /// Skips one value of any type.
    pub(crate) fn skip_value(&mut self) -> Scan<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => self.skip_nested(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number_span().map(|_| ()),
            _ => self.invalid("a JSON value"),
        }
    }

    /// Skips an object or array without validating its inner structure beyond
    /// bracket balance and string boundaries.
    fn skip_nested(&mut self) -> Scan<()> {
        let mut depth = 0usize;
        loop {
            let c = *self.b.get(self.i).ok_or(Stop::Incomplete)?;
            match c {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.i += 1;
                        return Ok(());
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    /// Reads a value and returns its raw bytes (for values parsed by a second pass).
    pub(crate) fn value_span(&mut self) -> Scan<&'a [u8]> {
        self.peek()?;
        let start = self.i;
        self.skip_value()?;
        self.b.get(start..self.i).ok_or(Stop::Incomplete)
    }

    /// Iterates the members of an object; the cursor must be on `{`. `f` must consume
    /// the value of each member.
    pub(crate) fn object(&mut self, mut f: impl FnMut(&mut Self, RawStr<'a>) -> Scan<()>) -> Scan<()> {
        self.expect(b'{', "'{'")?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':', "':' after an object key")?;
            self.peek()?;
            f(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return self.invalid("',' or '}' in an object"),
            }
        }
    }

    /// Iterates the items of an array; the cursor must be on `[`. `f` must consume each item.
    pub(crate) fn array(&mut self, mut f: impl FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.expect(b'[', "'['")?;
        if self.peek()? == b']' {
            self.i += 1;
            return Ok(());
        }
        loop {
            f(self)?;
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return self.invalid("',' or ']' in an array"),
            }
        }
    }
}

/// Position of the first `"` or `\\` at or after `from`.
///
/// Eight bytes at a time (SWAR): strings in traces are mostly short keys and names, where
/// this beats a vectorised search's set-up cost, and it is just as fast on wasm32.
#[inline]
fn find_quote_or_backslash(b: &[u8], from: usize) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const QUOTE: u64 = LO * b'"' as u64;
    const BACKSLASH: u64 = LO * b'\\' as u64;
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let q = x ^ QUOTE;
        let s = x ^ BACKSLASH;
        // The lowest set high bit marks the first byte equal to either (exact for the
        // lowest match; higher false positives are never looked at).
        let m = (q.wrapping_sub(LO) & !q | s.wrapping_sub(LO) & !s) & HI;
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?.iter().position(|&c| c == b'"' || c == b'\\').map(|k| i + k)
}

/// Decodes JSON string escapes; malformed escapes are kept literally, bad UTF-8 replaced.
pub(crate) fn unescape(raw: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = raw.get(i + 1) else {
            out.push(c);
            break;
        };
        i += 2;
        let simple = match e {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        if e == b'u'
            && let Some(unit) = hex4(raw.get(i..i + 4))
        {
            i += 4;
            let ch = if (0xd800..0xdc00).contains(&unit) {
                // A high surrogate: combine with a following low surrogate.
                let low = (raw.get(i) == Some(&b'\\') && raw.get(i + 1) == Some(&b'u'))
                    .then(|| hex4(raw.get(i + 2..i + 6)))
                    .flatten()
                    .filter(|l| (0xdc00..0xe000).contains(l));
                match low {
                    Some(l) => {
                        i += 6;
                        char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (l - 0xdc00))
                    }
                    None => None,
                }
            } else {
                char::from_u32(unit)
            };
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.unwrap_or('\u{fffd}').encode_utf8(&mut buf).as_bytes());
            continue;
        }
        // Unknown escape: keep it as written.
        out.push(b'\\');
        out.push(e);
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn hex4(b: Option<&[u8]>) -> Option<u32> {
    let b = b?;
    let s = core::str::from_utf8(b).ok()?;
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_borrowed_and_escaped() {
        let mut c = Cur::new(br#"  "abc" "a\"b\\c\u00e9\ud83d\ude00" "#, 0);
        let s = c.string().expect("plain");
        assert!(!s.escaped);
        assert_eq!(s.text(), "abc");
        let s = c.string().expect("escaped");
        assert_eq!(s.text(), "a\"b\\c\u{e9}\u{1F600}");
    }

    #[test]
    fn incomplete_at_every_cut() {
        let doc = br#"{"a": [1, 2.5e3, "x\"y", {"b": null}], "c": true, "d": -12}"#;
        for cut in 0..doc.len() {
            let mut c = Cur::new(&doc[..cut], 0);
            assert_eq!(c.skip_value(), Err(Stop::Incomplete), "cut at {cut}");
        }
        let mut c = Cur::new(doc, 0);
        // A complete document ends exactly at its closing brace.
        assert_eq!(c.skip_value(), Ok(()));
        assert_eq!(c.i, doc.len());
    }

    #[test]
    fn invalid_values_are_invalid() {
        for doc in [&b"@"[..], b"tru ", b"nulx", b"-x"] {
            let mut c = Cur::new(doc, 0);
            assert!(matches!(c.skip_value(), Err(Stop::Invalid { .. })), "{:?}", doc);
        }
    }

    #[test]
    fn object_and_array_iterate() {
        let mut c = Cur::new(br#"{"k": [1,2,3], "e": {}, "z": []} "#, 0);
        let mut keys = Vec::new();
        c.object(|c, k| {
            keys.push(k.text().into_owned());
            c.skip_value()
        })
        .expect("object");
        assert_eq!(keys, ["k", "e", "z"]);
        let mut c = Cur::new(b"[1, 2 ,3] ", 0);
        let mut n = 0;
        c.array(|c| {
            n += 1;
            c.skip_value()
        })
        .expect("array");
        assert_eq!(n, 3);
    }

    #[test]
    fn unescape_keeps_bad_escapes() {
        assert_eq!(unescape(br"a\qb"), "a\\qb");
        assert_eq!(unescape(br"\ud800x"), "\u{fffd}x");
        assert_eq!(unescape(b"\\"), "\\");
    }
}
