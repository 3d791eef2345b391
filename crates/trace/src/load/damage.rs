//! What the loader does with an item that does not end: finding the next event after
//! damage, squeezing insignificant whitespace out of a long unfinished item, and skipping
//! an item too large to keep as it streams past.
//!
//! None of it runs on a well-formed trace whose events are under a megabyte: it starts
//! only when an item has stayed unfinished for [`SUSPECT_BYTES`] of text, or at the end of
//! the input.

use super::scan::{Cur, Stop};
use super::split::find_boundary;

/// Default cap on one item's text (after whitespace is squeezed out): larger items are
/// skipped as they stream past, with a counted `event_too_large` diagnostic.
pub const MAX_EVENT_BYTES: usize = 64 << 20;

/// An item unfinished after this much text is looked at again: is the next event visible
/// (damage), and can its insignificant whitespace go?
pub(crate) const SUSPECT_BYTES: usize = 1 << 20;

/// Whether the text at `at` is an event: a complete object with a `ph` key, followed by
/// `,` or `]`.
#[derive(Debug, PartialEq, Eq)]
enum Looks {
    Event,
    Not,
    /// The buffer ends before this can be told.
    Unknown,
}

fn looks_like_event(text: &[u8], at: usize) -> Looks {
    let mut c = Cur::new(text, at);
    let mut ph = false;
    let scanned = c.object(|c, key| {
        ph |= !key.escaped && key.raw == b"ph";
        c.skip_value()
    });
    match scanned.and_then(|()| c.peek()) {
        Ok(b',' | b']') if ph => Looks::Event,
        Ok(_) | Err(Stop::Invalid { .. }) => Looks::Not,
        Err(Stop::Incomplete) => Looks::Unknown,
    }
}

/// Where the next event starts at or after `from`: the `{` of a `}` `,` `{` boundary whose
/// object is complete, has a `ph` key and is followed by `,` or `]` (a nested `args`
/// object rarely has all three). `Err(k)` when the buffer ends before a candidate at `k`
/// can be told; `Ok(None)` when there is none.
pub(crate) fn next_event(text: &[u8], from: usize) -> Result<Option<usize>, usize> {
    let mut at = from;
    while let Some(j) = find_boundary(text, at) {
        match looks_like_event(text, j) {
            Looks::Event => return Ok(Some(j)),
            Looks::Not => at = j,
            Looks::Unknown => return Err(j),
        }
    }
    Ok(None)
}

/// Where the text to keep while looking for the next event starts: the last `}` when only
/// whitespace and at most one `,` follow it (the start of a boundary the next chunk may
/// complete, unless the whitespace runs past [`SUSPECT_BYTES`]), else the end.
pub(crate) fn boundary_tail(text: &[u8]) -> usize {
    let Some(close) = memchr::memrchr(b'}', text) else { return text.len() };
    let rest = text.get(close + 1..).unwrap_or(&[]);
    let commas = rest.iter().filter(|&&b| b == b',').count();
    let blank = rest.iter().all(|&b| matches!(b, b',' | b' ' | b'\n' | b'\r' | b'\t'));
    if blank && commas <= 1 && rest.len() <= SUSPECT_BYTES { close } else { text.len() }
}

/// Removes the whitespace outside strings from `text[from..]`, where `from` is the start
/// of a value (outside any string); returns how many bytes went.
pub(crate) fn squeeze(text: &mut Vec<u8>, from: usize) -> usize {
    let mut write = from;
    let mut string = false;
    let mut escape = false;
    for read in from..text.len() {
        let Some(&b) = text.get(read) else { break };
        if string {
            if escape {
                escape = false;
            } else if b == b'\\' {
                escape = true;
            } else if b == b'"' {
                string = false;
            }
        } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            continue;
        } else if b == b'"' {
            string = true;
        }
        if let Some(slot) = text.get_mut(write) {
            *slot = b;
        }
        write += 1;
    }
    let removed = text.len() - write;
    text.truncate(write);
    removed
}

/// Skipping one value as it streams past, without keeping it: nesting depth and whether
/// the scan is inside a string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Skipping {
    depth: u32,
    string: bool,
    escape: bool,
}

impl Skipping {
    /// Runs over `bytes`; the offset of the `,`, `]` or `}` that ends the value (at depth
    /// 0, not consumed), or `None` when the value goes on past them.
    pub(crate) fn run(&mut self, bytes: &[u8]) -> Option<usize> {
        for (k, &b) in bytes.iter().enumerate() {
            if self.string {
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' {
                    self.string = false;
                }
                continue;
            }
            match b {
                b'"' => self.string = true,
                b'{' | b'[' => self.depth = self.depth.saturating_add(1),
                b'}' | b']' | b',' if self.depth == 0 => return Some(k),
                b'}' | b']' => self.depth -= 1,
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeeze_keeps_strings() {
        let mut t = b"xx{ \"a b\" : [ 1 ,\n\t2 ], \"c\\\" d\" :\"e\" }".to_vec();
        let removed = squeeze(&mut t, 2);
        assert_eq!(t, b"xx{\"a b\":[1,2],\"c\\\" d\":\"e\"}");
        assert_eq!(removed, 11);
    }

    #[test]
    fn skipping_ends_at_the_separator_after_the_value() {
        let mut s = Skipping::default();
        assert_eq!(s.run(br#"{"a": [1, "],}"], {"b": 2}"#), None);
        assert_eq!(s.run(br#"}  , {"ph":"X"}"#), Some(3));
        let mut s = Skipping::default();
        assert_eq!(s.run(br#""key": "x\"y", "#), Some(13));
    }

    #[test]
    fn next_event_wants_a_phase_and_a_separator() {
        let t = br#"{"a": [{"x": 1}, {"y": 2}]}, {"ph": "X"}, {"ph""#;
        let first = t.windows(5).position(|w| w == br#"{"ph""#).expect("first");
        let second = t.len() - 5;
        assert_eq!(next_event(t, 1), Ok(Some(first)));
        assert_eq!(next_event(t, first + 1), Err(second));
        assert_eq!(next_event(br#"{"a": [{"x": 1}, {"y": 2}]}"#, 1), Ok(None));
    }
}
