//! One trace's `traceEvents` parsed in pieces on several threads, with the result of one
//! sequential pass.
//!
//! The caller (the native loader, which owns the threads) streams the text into a
//! [`Loader`] until it stands inside `traceEvents`, then takes the unparsed text out
//! ([`Loader::detach`]) and cuts what follows into pieces at likely event boundaries
//! ([`find_boundary`]: `}` `,` `{`, which can also occur inside a string). Each piece is
//! parsed on its own ([`parse_items`]) as if it began at an event, into its own model. The
//! pieces are appended back in order ([`Loader::absorb`]), and each append checks the cut
//! was real: the piece before it, parsed from a verified start, must end exactly where this
//! one begins, between two events, in the state this one assumed. The first piece starts
//! where the sequential parser stood, so by induction every accepted piece was parsed as the
//! sequential pass would have parsed it. A piece whose cut was not real (inside a string,
//! inside nested `args`, after the end of `traceEvents`, next to damage) or that follows
//! one is parsed again by the loader itself, as the sequential pass would, until it stands
//! at a real cut again; the result is always the sequential one. After the last piece the rest of the text goes to the loader
//! with [`Loader::push`] as usual, and [`Loader::finish`] ends it.

use super::build::Builder;
use super::{Loader, Mode, PARSE_BATCH, Top};

/// Where the parse of `traceEvents` stands: an offset in the JSON text and the parser's
/// state there (at an event, or after one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemsAt {
    offset: u64,
    top: Top,
}

impl ItemsAt {
    /// The offset in the whole JSON text.
    #[must_use]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The state at the start of a piece cut right before an event's `{` (after its `,`).
    #[must_use]
    pub fn at_event(self, offset: u64) -> ItemsAt {
        let bare = matches!(self.top, Top::Item { bare: true, .. } | Top::ItemSep { bare: true });
        ItemsAt { offset, top: Top::Item { first: false, bare } }
    }
}

/// A piece of `traceEvents` parsed on its own (see [`parse_items`]).
pub struct Piece {
    builder: Builder,
    /// The piece's text, kept in case it must be parsed again in sequence.
    text: Vec<u8>,
    start: ItemsAt,
    /// Where and in which state the parse ended, when it ended between events with only
    /// whitespace left; `None` when the piece did not end cleanly (the cut was not real).
    end: Option<ItemsAt>,
    len: u64,
}

impl Piece {
    /// Whether the piece itself parsed cleanly to its end (its start is checked when it is
    /// appended).
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.end.is_some()
    }
}

/// Where the next event of `text` probably starts at or after `from`: the offset of the
/// `{` in `}` `,` `{` (whitespace allowed between them), or `None`. A guess: the pattern
/// can occur inside strings and nested values; [`Loader::absorb`] verifies it.
#[must_use]
pub fn find_boundary(text: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(k) = text.get(at..).and_then(|rest| memchr::memchr(b'}', rest)) {
        let close = at + k;
        let mut j = close + 1;
        while text.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if text.get(j) == Some(&b',') {
            j += 1;
            while text.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            if text.get(j) == Some(&b'{') {
                return Some(j);
            }
        }
        at = close + 1;
    }
    None
}

/// Parses `text`, a piece of `traceEvents` assumed to start at `start`, into its own model
/// (pure; meant for another thread). `gzip`: whether the text came out of a gzip file (as
/// for the loader it is appended to).
#[must_use]
pub fn parse_items(text: Vec<u8>, start: ItemsAt, gzip: bool) -> Piece {
    let mut loader = Loader::new();
    loader.mode = if gzip { Mode::Inflated } else { Mode::Plain };
    loader.top = start.top;
    loader.base = start.offset;
    loader.saw_events = true;
    let len = text.len() as u64;
    loader.text = text;
    loader.keep_text = true;
    let parsed = loader.parse(false).is_ok();
    let rest_blank = loader.text.get(loader.pos..).is_some_and(|r| r.iter().all(u8::is_ascii_whitespace));
    let end = (parsed && rest_blank && matches!(loader.top, Top::Item { .. } | Top::ItemSep { .. }))
        .then_some(ItemsAt { offset: start.offset + len, top: loader.top });
    Piece { builder: loader.builder, text: loader.text, start, end, len }
}

impl Loader {
    /// When the parser stands inside `traceEvents` (at or after an event), takes the text
    /// it has not parsed yet out of it and says where it stands; the caller then hands that
    /// text and what follows to [`parse_items`] in pieces and [`absorb`](Loader::absorb)s
    /// them. `None` (nothing taken) before `traceEvents`, after it, after damage, for a
    /// loader that inflates gzip itself, or after an error.
    pub fn detach(&mut self) -> Option<(ItemsAt, Vec<u8>)> {
        if self.error.is_none() && matches!(self.mode, Mode::Plain | Mode::Inflated) {
            // Parse what is buffered first (the loader waits for a batch before parsing).
            if let Err(e) = self.parse(false) {
                self.error = Some(e);
            }
        }
        let items = matches!(self.top, Top::Item { .. } | Top::ItemSep { .. });
        if !items || self.error.is_some() || !matches!(self.mode, Mode::Plain | Mode::Inflated) {
            return None;
        }
        let rest = self.text.split_off(self.pos.min(self.text.len()));
        self.text.clear();
        self.base = self.at(self.pos);
        self.squeezed = 0;
        self.squeeze_end = 0;
        self.pos = 0;
        self.need = PARSE_BATCH;
        let n = rest.len() as u64;
        self.bytes_text -= n;
        if matches!(self.mode, Mode::Plain) {
            self.bytes_in -= n;
        }
        Some((ItemsAt { offset: self.base, top: self.top }, rest))
    }

    /// Appends a piece parsed by [`parse_items`] right after the text parsed so far. When
    /// the piece starts exactly where this parse stands and ended cleanly itself, its model
    /// is appended; otherwise its text is parsed here, in sequence (the result is the same
    /// either way; only the time differs).
    pub fn absorb(&mut self, piece: Piece) {
        let connects = piece.end.is_some() && self.error.is_none() && self.at_boundary() == Some(piece.start);
        match piece.end {
            Some(end) if connects => {
                self.builder.absorb(piece.builder);
                self.text.clear();
                self.pos = 0;
                self.base = end.offset;
                self.squeezed = 0;
                self.squeeze_end = 0;
                self.top = end.top;
                self.bytes_text += piece.len;
                if matches!(self.mode, Mode::Plain) {
                    self.bytes_in += piece.len;
                }
                self.pieces.0 += 1;
            }
            _ => {
                self.pieces.1 += 1;
                // An error stays recorded in the loader; `finish` returns it.
                if self.push(&piece.text).is_ok()
                    && let Err(e) = self.parse(false)
                {
                    self.error = Some(e);
                }
            }
        }
    }

    /// Where the parse stands when it is between events inside `traceEvents` with nothing
    /// but whitespace unparsed (the offset after that whitespace), else `None`.
    fn at_boundary(&self) -> Option<ItemsAt> {
        let rest = self.text.get(self.pos..)?;
        let between = matches!(self.top, Top::Item { .. } | Top::ItemSep { .. });
        (between && rest.iter().all(u8::is_ascii_whitespace))
            .then(|| ItemsAt { offset: self.at(self.text.len()), top: self.top })
    }

    /// Pieces appended so far: (parsed elsewhere and appended, parsed again here in
    /// sequence because their cut was not real or came after one that was not).
    #[must_use]
    pub fn pieces(&self) -> (u64, u64) {
        self.pieces
    }
}

/// Cuts the text after [`Loader::detach`] into pieces of about `target` bytes at likely
/// event boundaries, each with the state it is assumed to start in (pure bookkeeping; the
/// caller parses the pieces where it likes and appends them in order).
pub struct Splitter {
    target: usize,
    pending: Vec<u8>,
    at: ItemsAt,
}

impl Splitter {
    /// Starts after a [`Loader::detach`] that stood at `at` and returned `rest`.
    #[must_use]
    pub fn new(at: ItemsAt, rest: Vec<u8>, target: usize) -> Self {
        Splitter { target: target.max(1), pending: rest, at }
    }

    /// Adds the next text; every piece now complete is appended to `out`, with where it
    /// starts. Text without a boundary for eight pieces' worth is cut anyway: that piece
    /// cannot end cleanly, and the caller falls back to a sequential load (events that
    /// large are not what real traces hold).
    pub fn push(&mut self, text: &[u8], out: &mut Vec<(Vec<u8>, ItemsAt)>) {
        self.pending.extend_from_slice(text);
        while self.pending.len() > self.target {
            let cut = match find_boundary(&self.pending, self.target) {
                Some(j) => j,
                None if self.pending.len() > self.target.saturating_mul(8) => self.pending.len(),
                None => return,
            };
            let rest = self.pending.split_off(cut);
            let piece = core::mem::replace(&mut self.pending, rest);
            let start = self.at;
            self.at = self.at.at_event(start.offset + piece.len() as u64);
            out.push((piece, start));
        }
    }

    /// The text after the last cut: push it to the loader after the last piece.
    #[must_use]
    pub fn finish(self) -> Vec<u8> {
        self.pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Trace;

    /// The parallel load's steps run one after the other: push until detached, cut, parse
    /// each piece on its own, append in order. Returns the trace and the loader's
    /// (appended, parsed again) piece counts.
    fn in_pieces(text: &[u8], first: usize, target: usize) -> (Trace, (u64, u64)) {
        let mut loader = Loader::new();
        let (head, tail) = text.split_at(first.min(text.len()));
        loader.push(head).expect("a trace");
        let (at, rest) = loader.detach().expect("inside traceEvents");
        let mut splitter = Splitter::new(at, rest, target);
        let mut pieces = Vec::new();
        for chunk in tail.chunks(target / 3 + 1) {
            splitter.push(chunk, &mut pieces);
        }
        for (piece, start) in pieces {
            loader.absorb(parse_items(piece, start, false));
        }
        loader.push(&splitter.finish()).expect("still a trace");
        let counts = loader.pieces();
        (loader.finish().expect("a trace"), counts)
    }

    fn event(i: usize) -> String {
        match i % 6 {
            0 => format!(
                r#"{{"ph":"X","cat":"kernel","name":"k{}<{{}},{{}}>","pid":0,"tid":7,"ts":{i},"dur":2,"args":{{"device":0,"stream":7,"correlation":{i},"grid":[1,2,3]}}}}"#,
                i % 4
            ),
            1 => format!(
                r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":"t{}","ts":{i},"dur":1,"args":{{"correlation":{i},"External id":{i}}}}}"#,
                i % 3
            ),
            2 => format!(
                r#"{{"ph":"X","cat":"python_function","name":"a.py({i}): f \"}}, {{\" \u00e9","pid":1,"tid":0,"ts":{i},"dur":5,"args":{{"Python id":{i},"nested":[{{"a":1}}, {{"b":2}}]}}}}"#
            ),
            3 => format!(r#"{{"ph":"M","name":"thread_name","pid":1,"tid":{i},"args":{{"name":"thr{i}"}}}}"#),
            4 => format!(r#"{{"ph":"f","cat":"ac2g","id":{i},"pid":0,"tid":7,"ts":{i},"bp":"e"}}"#),
            _ => format!(
                r#"{{"ph":"X","cat":"cpu_op","name":"aten::mm","pid":1,"tid":"t1","ts":{i},"dur":3,"args":{{"Input Dims":[[{i}, 2], []]}}}}"#
            ),
        }
    }

    fn trace_text(n: usize, broken: Option<usize>) -> String {
        let events: Vec<String> = (0..n)
            .map(|i| if Some(i) == broken { r#"{"ph":"X", "name": oops}"#.to_owned() } else { event(i) })
            .collect();
        format!(
            "{{\"schemaVersion\":1,\"traceEvents\":[\n{}\n],\"traceName\":\"t\",\"deviceProperties\":[{{\"id\":0}}, {{\"id\":1}}]}}",
            events.join(",\n")
        )
    }

    #[test]
    fn pieces_give_the_sequential_trace_to_the_byte() {
        let text = trace_text(3000, None);
        let whole = crate::load(text.as_bytes()).expect("trace").to_bytes();
        let mut appended = 0;
        for (first, target) in [(200, 500), (1000, 4096), (50, 64), (5000, 30_000)] {
            let (t, (ok, again)) = in_pieces(text.as_bytes(), first, target);
            assert!(ok + again > 2, "{first}/{target}: only {ok} + {again} pieces");
            assert_eq!(t.to_bytes(), whole, "first {first}, target {target}");
            appended += ok;
        }
        assert!(appended > 10, "hardly any piece was parsed on its own: {appended}");
    }

    #[test]
    fn cuts_that_are_not_boundaries_are_parsed_again() {
        // Every `}, {` inside the Python names and the nested args is a false boundary;
        // with small pieces many cuts land there: those pieces are parsed again in
        // sequence, and the trace is still the sequential one.
        let text = trace_text(400, None);
        let whole = crate::load(text.as_bytes()).expect("trace").to_bytes();
        let (mut ok, mut again) = (0, 0);
        for target in 20..90 {
            let (t, counts) = in_pieces(text.as_bytes(), 300, target);
            assert_eq!(t.to_bytes(), whole, "target {target}");
            ok += counts.0;
            again += counts.1;
        }
        assert!(ok > 0 && again > 0, "appended {ok}, parsed again {again}");
    }

    #[test]
    fn damage_and_truncation_give_the_sequential_trace() {
        let text = trace_text(2000, Some(1234));
        let whole = crate::load(text.as_bytes()).expect("trace");
        assert!(whole.diagnostics.has(crate::DiagnosticKind::MalformedJson));
        let (t, _) = in_pieces(text.as_bytes(), 500, 2000);
        assert_eq!(t.to_bytes(), whole.to_bytes());
        let cut = &text.as_bytes()[..text.len() * 2 / 3];
        let whole = crate::load(cut).expect("trace");
        assert!(whole.diagnostics.has(crate::DiagnosticKind::Truncated));
        let (t, (ok, _)) = in_pieces(cut, 500, 2000);
        assert!(ok > 2);
        assert_eq!(t.to_bytes(), whole.to_bytes());
    }

    #[test]
    fn no_detach_outside_trace_events() {
        let mut loader = Loader::new();
        loader.push(br#"{"deviceProperties": [{"id": 0}"#).expect("push");
        assert!(loader.detach().is_none());
        let mut gz = Loader::new();
        gz.push(&[0x1f, 0x8b, 8, 0]).expect("gzip head");
        assert!(gz.detach().is_none());
    }
}
