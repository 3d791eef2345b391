//! Bytes → [`Trace`]: the only module that knows the Chrome/Kineto JSON schema.
//!
//! The input is pushed in chunks ([`Loader::push`]), so the browser can feed a `File`
//! stream and the CLI a file read, and neither holds the whole text. Gzip is sniffed from
//! the magic bytes, never from a file name. Events are scanned one at a time out of a
//! small rolling buffer; no `serde_json::Value` is ever built.
//!
//! Architecture invariant: loading fails ([`LoadError`]) only when the input is not a
//! trace at all. Truncation, corruption and unknown events become diagnostics.

mod build;
mod damage;
pub use damage::MAX_EVENT_BYTES;
mod event;
mod gzip;
mod merge;
pub use gzip::GzipText;
mod meta;
mod number;
mod scan;
mod split;
pub use split::{ItemsAt, Piece, Splitter, find_boundary, parse_items};
mod size;
pub use size::{Estimate, gzip_text_bytes};

use crate::diagnostics::DiagnosticKind as D;
use crate::{LoadError, Trace};
use build::Builder;
use scan::{Cur, Stop};

/// Parse once this much unparsed text has accumulated.
const PARSE_BATCH: usize = 256 * 1024;
/// Compressed bytes fed to the inflater at a time, bounding the text buffer: deflate
/// expands at most about 1032 times, so one slice gives at most about 4 MiB of text.
const INFLATE_SLICE: usize = 4 * 1024;

/// What the loader is doing, for progress displays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the first bytes.
    Start,
    /// Reading plain JSON.
    Parsing,
    /// Inflating gzip and parsing the JSON inside.
    Inflating,
    /// Done.
    Finished,
}

/// Counters for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Input bytes pushed so far (compressed size for gzip).
    pub bytes_in: u64,
    /// JSON text bytes produced so far (equals `bytes_in` for plain input).
    pub bytes_text: u64,
    /// Items of `traceEvents` read so far.
    pub events: u64,
    /// Current phase.
    pub phase: Phase,
    /// Pieces of `traceEvents` parsed on other threads and appended so far (see
    /// [`Loader::absorb`]); 0 for a load on one thread.
    pub pieces: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Top {
    /// Before the first byte of the document.
    Start,
    /// In the top-level object, expecting a key (or `}` when `first`).
    Member { first: bool },
    /// After a top-level value, expecting `,` or `}`.
    MemberSep,
    /// In `traceEvents`, expecting an item (or `]` when `first`).
    Item { first: bool, bare: bool },
    /// After an item, expecting `,` or `]`.
    ItemSep { bare: bool },
    /// After invalid JSON inside `traceEvents`: looking for the next event's `{`.
    Resync { bare: bool },
    /// The document is complete; only whitespace may follow.
    End,
    /// Unrecoverable damage: the rest of the input is ignored.
    Broken,
    /// Skipping an item (or a top-level value) larger than the event cap as it streams
    /// past; then `,` or `]` (`,` or `}`) is expected.
    Skip { then: Then, state: damage::Skipping },
}

/// Where the parse goes after skipping an oversized value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Then {
    /// After an item of `traceEvents`.
    ItemSep { bare: bool },
    /// After a top-level value.
    MemberSep,
}

enum Mode {
    Sniffing(Vec<u8>),
    Plain,
    Gzip(Box<gzip::Gunzip>),
    /// JSON text the caller inflated from a complete, verified gzip stream.
    Inflated,
}

/// A streaming trace loader: [`push`](Loader::push) chunks, then [`finish`](Loader::finish).
pub struct Loader {
    mode: Mode,
    text: Vec<u8>,
    /// Offset of `text[0]` in the whole JSON text.
    base: u64,
    pos: usize,
    /// Unparsed bytes needed before trying again after an incomplete item.
    need: usize,
    top: Top,
    builder: Builder,
    bytes_in: u64,
    bytes_text: u64,
    saw_events: bool,
    top_keys: Vec<String>,
    error: Option<LoadError>,
    /// Keep parsed text (a piece parsed elsewhere, kept in case it is parsed again).
    keep_text: bool,
    /// Pieces appended by [`Loader::absorb`]: (appended, parsed again here).
    pieces: (u64, u64),
    sizing: size::Sizing,
    /// Whitespace squeezed out of the unfinished item at `text[..squeeze_end]`: text from
    /// `squeeze_end` on sits this much further into the input than its index says.
    squeezed: u64,
    squeeze_end: usize,
    /// The largest item kept, in text bytes after squeezing.
    max_event: usize,
}

impl Default for Loader {
    fn default() -> Self {
        Self::new()
    }
}

impl Loader {
    /// A loader waiting for its first bytes.
    #[must_use]
    pub fn new() -> Self {
        Loader {
            mode: Mode::Sniffing(Vec::new()),
            text: Vec::new(),
            base: 0,
            pos: 0,
            need: PARSE_BATCH,
            top: Top::Start,
            builder: Builder::new(),
            bytes_in: 0,
            bytes_text: 0,
            saw_events: false,
            top_keys: Vec::new(),
            error: None,
            keep_text: false,
            pieces: (0, 0),
            sizing: size::Sizing::default(),
            squeezed: 0,
            squeeze_end: 0,
            max_event: MAX_EVENT_BYTES,
        }
    }

    /// A loader for the JSON text of a gzip file that the caller inflates itself, for
    /// example with a [`GzipText`] in another worker, beside the parser.
    ///
    /// Push the inflated text with [`push`](Loader::push) and count the compressed bytes
    /// read with [`add_compressed_bytes`](Loader::add_compressed_bytes). The caller must
    /// have verified the gzip stream (complete, checksums right, no trailing data:
    /// [`GzipText::is_clean`]); on any doubt it should load the file with [`Loader::new`]
    /// instead, whose own inflater turns damage into diagnostics. The trace is the same as from [`Loader::new`].
    #[must_use]
    pub fn for_inflated_gzip() -> Self {
        Loader { mode: Mode::Inflated, ..Loader::new() }
    }

    /// Counts compressed input bytes consumed by the caller's inflater (see
    /// [`for_inflated_gzip`](Loader::for_inflated_gzip)); ignored by other loaders.
    pub fn add_compressed_bytes(&mut self, bytes: u64) {
        if matches!(self.mode, Mode::Inflated) {
            self.bytes_in += bytes;
        }
    }

    /// Progress so far.
    #[must_use]
    pub fn progress(&self) -> Progress {
        Progress {
            bytes_in: self.bytes_in,
            bytes_text: self.bytes_text,
            events: self.builder.trace.counts.total,
            phase: match self.mode {
                Mode::Sniffing(_) => Phase::Start,
                Mode::Plain => Phase::Parsing,
                Mode::Gzip(_) | Mode::Inflated => Phase::Inflating,
            },
            pieces: self.pieces.0,
        }
    }

    fn inside(&self) -> &'static str {
        if self.gzip() { " inside the gzip stream" } else { "" }
    }

    fn gzip(&self) -> bool {
        matches!(self.mode, Mode::Gzip(_) | Mode::Inflated)
    }

    /// Feeds the next chunk of the input.
    ///
    /// # Errors
    /// When the bytes so far show the input is not a trace; the same error is returned by
    /// every later call and by [`finish`](Loader::finish).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), LoadError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if !matches!(self.mode, Mode::Inflated) {
            self.bytes_in += chunk.len() as u64;
        }
        let r = self.feed(chunk, false);
        if let Err(e) = &r {
            self.error = Some(e.clone());
        }
        r
    }

    fn feed(&mut self, chunk: &[u8], last: bool) -> Result<(), LoadError> {
        if let Mode::Sniffing(head) = &mut self.mode {
            head.extend_from_slice(chunk);
            if head.len() < 2 && !last {
                return Ok(());
            }
            let head = core::mem::take(head);
            self.mode =
                if gzip::sniff(&head) { Mode::Gzip(Box::new(gzip::Gunzip::new())) } else { Mode::Plain };
            return self.feed_decided(&head);
        }
        self.feed_decided(chunk)
    }

    fn feed_decided(&mut self, chunk: &[u8]) -> Result<(), LoadError> {
        match &mut self.mode {
            Mode::Sniffing(_) => Ok(()),
            Mode::Plain | Mode::Inflated => {
                self.text.extend_from_slice(chunk);
                self.bytes_text += chunk.len() as u64;
                self.maybe_parse()
            }
            Mode::Gzip(_) => {
                for slice in chunk.chunks(INFLATE_SLICE) {
                    let before = self.text.len();
                    if let Mode::Gzip(g) = &mut self.mode {
                        g.push(slice, &mut self.text)?;
                        for outcome in g.take_outcomes() {
                            let (kind, detail) = match outcome {
                                gzip::Outcome::Corrupt { offset } => {
                                    (D::GzipCorrupt, format!("at compressed byte {offset}"))
                                }
                                gzip::Outcome::Checksum { member } => {
                                    (D::GzipChecksum, format!("gzip member {member}"))
                                }
                                gzip::Outcome::Trailing { bytes } => {
                                    (D::TrailingData, format!("{bytes} bytes after the gzip stream"))
                                }
                            };
                            self.builder.trace.diagnostics.add(kind, &detail, None);
                        }
                    }
                    self.bytes_text += (self.text.len() - before) as u64;
                    self.maybe_parse()?;
                }
                Ok(())
            }
        }
    }

    fn maybe_parse(&mut self) -> Result<(), LoadError> {
        if self.text.len() - self.pos >= self.need.max(PARSE_BATCH) {
            self.parse(false)?;
            let parsed = self.at(self.pos);
            self.sizing.after_parse(&mut self.builder.trace, parsed, self.bytes_in, self.bytes_text);
        }
        Ok(())
    }

    /// Tells the loader the size of the whole JSON text (a plain file's size; for gzip,
    /// for example, the size its trailer gives). Once a share of it is parsed
    /// (1/64, at least 16 MiB) the loader reserves every column's estimated final rows
    /// (and keeps topping up a table that fills faster than estimated), so columns do
    /// not grow by doubling, and [`estimate`](Loader::estimate) says what the whole trace
    /// will hold. A wrong size costs only memory, never correctness.
    pub fn expect_text_bytes(&mut self, total: u64) {
        self.sizing.expect(total);
    }

    /// Tells the loader the size of a gzip file (`compressed`) and the text size its
    /// trailer gives (`isize`, the last 4 bytes, little-endian: the text's size modulo
    /// 2^32); the whole text's size is worked out when the sample begins, from the ratio of
    /// text to input so far ([`gzip_text_bytes`]). As [`expect_text_bytes`](Loader::expect_text_bytes)
    /// otherwise. For the caller's own inflater, count input with
    /// [`add_compressed_bytes`](Loader::add_compressed_bytes).
    pub fn expect_gzip(&mut self, compressed: u64, isize: u32) {
        self.sizing.expect_gzip(compressed, isize);
    }

    /// Reserves nothing when the model is estimated above `bytes` (the caller, reading
    /// [`estimate`](Loader::estimate), is expected to stop the load instead).
    pub fn limit_model_bytes(&mut self, bytes: u64) {
        self.sizing.limit(bytes);
    }

    /// What the whole trace is expected to hold, once the sample of the text given to
    /// [`expect_text_bytes`](Loader::expect_text_bytes) is parsed; updated as more is read.
    #[must_use]
    pub fn estimate(&self) -> Option<Estimate> {
        self.sizing.estimate()
    }

    /// Caps one item of `traceEvents` (or one top-level value) at `bytes` of JSON text,
    /// not counting whitespace outside strings (default [`MAX_EVENT_BYTES`]): a larger one
    /// is skipped as it streams past, with an `event_too_large` diagnostic, and the rest
    /// loads. The loader then holds about this much text at most.
    pub fn limit_event_bytes(&mut self, bytes: usize) {
        self.max_event = bytes.max(1);
    }

    /// Bytes the loader's text buffer holds (its capacity): with the gzip inflater's
    /// fixed window, the memory a load takes besides the model. It follows the largest
    /// item, never the input's size or its whitespace.
    #[must_use]
    pub fn held_bytes(&self) -> usize {
        let head = match &self.mode {
            Mode::Sniffing(head) => head.capacity(),
            _ => 0,
        };
        self.text.capacity() + head
    }

    /// Keeps only events that overlap `from_ns..=to_ns` (trace time, ns): a window of a
    /// trace too large to hold whole. Metadata is kept, and every item still counts in
    /// [`Trace::counts`]; events left out are not diagnosed.
    pub fn keep_window(&mut self, from_ns: i64, to_ns: i64) {
        self.builder.window = Some((from_ns, to_ns));
    }

    /// Ends the input and returns the trace.
    ///
    /// # Errors
    /// When the input is empty or not a trace (see [`LoadError`]).
    pub fn finish(mut self) -> Result<Trace, LoadError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.bytes_in == 0 {
            return Err(LoadError::Empty);
        }
        self.feed(&[], true)?;
        self.parse(true)?;
        let gzip_cut = match &self.mode {
            Mode::Gzip(g) => !g.is_complete(),
            _ => false,
        };
        let damaged = self.builder.trace.diagnostics.has(D::GzipCorrupt);
        match self.top {
            Top::End | Top::Broken => {
                if gzip_cut && !damaged {
                    self.builder.trace.diagnostics.add(
                        D::Truncated,
                        "the gzip stream ends before its end marker",
                        None,
                    );
                }
            }
            Top::Start if !gzip_cut && !damaged => {
                return Err(LoadError::NotJson {
                    found: "only whitespace".into(),
                    offset: self.at(self.pos),
                    inside: self.inside(),
                });
            }
            _ => {
                let at = self.at(self.pos);
                let detail = if damaged {
                    format!("JSON ends at byte {at} where the gzip data is damaged")
                } else {
                    format!("JSON cut at byte {at}")
                };
                self.builder.trace.diagnostics.add(D::Truncated, &detail, Some(at));
            }
        }
        if self.top == Top::End && !self.saw_events {
            let keys = if self.top_keys.is_empty() { "none".to_owned() } else { self.top_keys.join(", ") };
            return Err(LoadError::NoTraceEvents { keys });
        }
        let t = &self.builder.trace;
        let items = t.counts.total;
        let unphased = t.diagnostics.count(D::NotAnObject) + t.diagnostics.count(D::MissingPhase);
        if t.meta.bare_array && items > 0 && unphased >= items {
            return Err(LoadError::NoEvents { items });
        }
        self.sizing.finish(&mut self.builder.trace);
        let mut trace = self.builder.finish();
        trace.json_bytes = self.bytes_text;
        trace.input_bytes = self.bytes_in;
        Ok(trace)
    }

    /// Parses as much of the buffered text as possible.
    fn parse(&mut self, last: bool) -> Result<(), LoadError> {
        loop {
            let stalled = self.parse_run(last);
            let again = match &stalled {
                Ok(Some(start)) => self.stalled(*start, last),
                _ => false,
            };
            self.drain_parsed();
            if !again {
                return stalled.map(|_| ());
            }
        }
    }

    /// Parses steps until the text runs out; `Ok(Some(start))` when the step at `start`
    /// needs more text than there is (`self.pos` is then `start`).
    fn parse_run(&mut self, last: bool) -> Result<Option<usize>, LoadError> {
        let text = core::mem::take(&mut self.text);
        let mut c = Cur::new(&text, self.pos);
        let result = loop {
            // Whitespace between tokens is consumed here, so it is never kept.
            c.skip_ws();
            let start = c.i;
            match self.step(&mut c, last) {
                Ok(true) => {}
                Ok(false) => break Ok(None),
                Err(Step::Stop(Stop::Incomplete)) => {
                    c.i = start;
                    break Ok(Some(start));
                }
                Err(Step::Stop(Stop::Invalid { at, expected })) => {
                    if let Err(e) = self.invalid(&text, at, expected) {
                        break Err(e);
                    }
                    if self.top == Top::Broken {
                        c.i = text.len();
                    } else {
                        c.i = start + 1;
                    }
                }
                Err(Step::Fatal(e)) => break Err(e),
            }
        };
        self.pos = c.i;
        self.text = text;
        if matches!(result, Ok(None)) && self.need > 0 && self.text.len() - self.pos < self.need / 2 {
            self.need = PARSE_BATCH;
        }
        result
    }

    /// An item (or top-level value) at `start` needs more text than there is. Looks for
    /// the next event when the item is long or the input has ended (damage), squeezes its
    /// whitespace out when it is long, skips it when it is larger than the event cap, and
    /// otherwise waits for more text. Whether to parse again now.
    fn stalled(&mut self, start: usize, last: bool) -> bool {
        let mut tail = self.text.len() - start;
        if let Top::Item { bare, .. } = self.top
            && !self.keep_text
            && (last || tail > damage::SUSPECT_BYTES)
            && let Ok(Some(next)) = damage::next_event(&self.text, start + 1)
        {
            let (at, skipped) = (self.at(start), next - start);
            let detail = format!(
                "near byte {at}: an event that does not end (a damaged quote or bracket?); {skipped} bytes skipped to the next event"
            );
            self.builder.trace.diagnostics.add(D::MalformedJson, &detail, Some(at));
            self.builder.count_unreadable();
            self.pos = next;
            self.top = Top::Item { first: false, bare };
            return true;
        }
        if tail > damage::SUSPECT_BYTES && !self.keep_text && !last {
            let removed = damage::squeeze(&mut self.text, start);
            if removed > 0 {
                self.squeezed += removed as u64;
                self.squeeze_end = self.text.len();
                tail = self.text.len() - start;
            }
        }
        if tail > self.max_event && !last {
            let then = match self.top {
                Top::Item { bare, .. } => Then::ItemSep { bare },
                Top::Member { .. } => Then::MemberSep,
                _ => return false,
            };
            return self.oversized(start, then);
        }
        // Wait for at least twice what we have before retrying this item, so a huge item
        // is re-scanned O(log n) times, not once per chunk (and is seen once it passes the cap).
        self.need = tail.saturating_mul(2).min(self.max_event + 1);
        false
    }

    /// Skips the value at `start`, larger than the event cap, as it streams past.
    fn oversized(&mut self, start: usize, then: Then) -> bool {
        let at = self.at(start);
        let what = if matches!(then, Then::MemberSep) { "a top-level value" } else { "an event" };
        let detail = format!("{what} at byte {at} is larger than {} MiB; skipped", self.max_event >> 20);
        self.builder.trace.diagnostics.add(D::EventTooLarge, &detail, Some(at));
        if matches!(then, Then::ItemSep { .. }) {
            self.builder.count_unreadable();
        }
        let mut state = damage::Skipping::default();
        let rest = self.text.get(start..).unwrap_or(&[]);
        match state.run(rest) {
            Some(k) => {
                self.pos = start + k;
                self.top = after_skip(then);
                true
            }
            None => {
                self.pos = self.text.len();
                self.top = Top::Skip { then, state };
                self.need = PARSE_BATCH;
                false
            }
        }
    }

    /// Drops parsed text; the unconsumed tail is at most one item.
    fn drain_parsed(&mut self) {
        if self.pos == 0 || self.keep_text {
            return;
        }
        self.text.drain(..self.pos);
        self.base = self.at(self.pos);
        if self.pos >= self.squeeze_end {
            self.squeezed = 0;
            self.squeeze_end = 0;
        } else {
            self.squeeze_end -= self.pos;
        }
        self.pos = 0;
        // A long item skipped or squeezed leaves a large, mostly empty buffer behind.
        if self.text.capacity() > (16 << 20).max(4 * self.text.len()) {
            self.text.shrink_to(2 * PARSE_BATCH.max(self.text.len()));
        }
    }

    /// The offset in the whole JSON text of `text[i]`.
    fn at(&self, i: usize) -> u64 {
        let squeezed = if self.squeezed > 0 && i >= self.squeeze_end { self.squeezed } else { 0 };
        self.base + i as u64 + squeezed
    }

    /// Handles invalid JSON found by a step that started at `start`.
    fn invalid(&mut self, text: &[u8], at: usize, expected: &'static str) -> Result<(), LoadError> {
        let offset = self.at(at);
        match self.top {
            Top::Item { bare, .. } | Top::ItemSep { bare } | Top::Resync { bare } => {
                let detail = format!("near byte {offset}: expected {expected}");
                self.builder.trace.diagnostics.add(D::MalformedJson, &detail, Some(offset));
                if matches!(self.top, Top::Item { .. }) {
                    self.builder.count_unreadable();
                }
                self.top = Top::Resync { bare };
                Ok(())
            }
            _ if self.saw_events => {
                let detail = format!("near byte {offset}: expected {expected}; the rest was ignored");
                self.builder.trace.diagnostics.add(D::MalformedJson, &detail, Some(offset));
                self.top = Top::Broken;
                Ok(())
            }
            _ => Err(LoadError::InvalidJson {
                offset,
                expected,
                found: describe(text.get(at..).unwrap_or(&[])),
                inside: if self.gzip() { " of the gzip stream" } else { "" },
            }),
        }
    }

    /// The first bytes: a byte-order mark, then `{` (a trace object) or `[` (a bare event
    /// array); anything else is not a trace.
    fn start(&mut self, c: &mut Cur<'_>) -> Result<(), Step> {
        if c.i == 0 && self.base == 0 && c.b.starts_with(b"\xef\xbb\xbf") {
            c.i = 3;
        }
        match c.peek()? {
            b'{' => {
                c.i += 1;
                self.top = Top::Member { first: true };
            }
            b'[' => {
                c.i += 1;
                self.builder.trace.meta.bare_array = true;
                self.saw_events = true;
                self.top = Top::Item { first: true, bare: true };
            }
            _ => {
                return Err(Step::Fatal(LoadError::NotJson {
                    found: describe(c.b.get(c.i..).unwrap_or(&[])),
                    offset: self.at(c.i),
                    inside: self.inside(),
                }));
            }
        }
        Ok(())
    }

    /// One top-level member: `traceEvents` opens the event array, other keys are metadata.
    fn member(&mut self, c: &mut Cur<'_>, first: bool) -> Result<(), Step> {
        if first && c.peek()? == b'}' {
            c.i += 1;
            self.top = Top::End;
            return Ok(());
        }
        let key = c.string()?;
        c.expect(b':', "':' after a key")?;
        let key = key.text().into_owned();
        if key == "traceEvents" {
            if c.peek()? != b'[' {
                let found = describe_value(c.b.get(c.i..).unwrap_or(&[]));
                return Err(Step::Fatal(LoadError::TraceEventsNotArray { found }));
            }
            c.i += 1;
            self.saw_events = true;
            self.top = Top::Item { first: true, bare: false };
        } else {
            let at = self.at(c.i);
            let value = c.value_span()?;
            meta::apply(&mut self.builder.trace.meta, &mut self.builder.trace.diagnostics, &key, value, at);
            self.top = Top::MemberSep;
        }
        if !self.top_keys.contains(&key) {
            self.top_keys.push(key);
        }
        Ok(())
    }

    /// Performs one step of the top-level state machine. `Ok(true)`: continue;
    /// `Ok(false)`: stop until more input arrives.
    fn step(&mut self, c: &mut Cur<'_>, last: bool) -> Result<bool, Step> {
        match self.top {
            Top::Start => self.start(c)?,
            Top::Member { first } => self.member(c, first)?,
            Top::MemberSep => match c.peek()? {
                b',' => {
                    c.i += 1;
                    self.top = Top::Member { first: false };
                }
                b'}' => {
                    c.i += 1;
                    self.top = Top::End;
                }
                _ => {
                    return Err(Step::Stop(Stop::Invalid {
                        at: c.i,
                        expected: "',' or '}' after a top-level value",
                    }));
                }
            },
            Top::Item { first, bare } => {
                let ch = c.peek()?;
                if first && ch == b']' {
                    c.i += 1;
                    self.top = if bare { Top::End } else { Top::MemberSep };
                    return Ok(true);
                }
                let offset = self.at(c.i);
                if ch == b'{' {
                    let ev = event::parse_event(c)?;
                    self.builder.add(ev, offset);
                } else {
                    c.skip_value()?;
                    self.builder.count_unreadable();
                    self.builder.trace.diagnostics.add(D::NotAnObject, "", Some(offset));
                }
                self.top = Top::ItemSep { bare };
            }
            Top::ItemSep { bare } => match c.peek()? {
                b',' => {
                    c.i += 1;
                    self.top = Top::Item { first: false, bare };
                }
                b']' => {
                    c.i += 1;
                    self.top = if bare { Top::End } else { Top::MemberSep };
                }
                b'{' => {
                    // A lost comma: the next event is right there; read it.
                    let at = self.at(c.i);
                    let detail = format!("near byte {at}: expected ',' between events");
                    self.builder.trace.diagnostics.add(D::MalformedJson, &detail, Some(at));
                    self.top = Top::Item { first: false, bare };
                }
                _ => {
                    return Err(Step::Stop(Stop::Invalid { at: c.i, expected: "',' or ']' between events" }));
                }
            },
            Top::Skip { then, mut state } => {
                let rest = c.b.get(c.i..).unwrap_or(&[]);
                if let Some(k) = state.run(rest) {
                    c.i += k;
                    self.top = after_skip(then);
                } else {
                    c.i = c.b.len();
                    self.top = Top::Skip { then, state };
                    return Ok(false);
                }
            }
            Top::Resync { bare } => return Ok(self.resync(c, bare, last)),
            Top::End => {
                if c.peek().is_ok() {
                    let extra = c.b.len() - c.i;
                    self.builder.trace.diagnostics.add(
                        D::TrailingData,
                        &format!("{extra}+ bytes after the end of the JSON document"),
                        Some(self.at(c.i)),
                    );
                    self.top = Top::Broken;
                }
                c.i = c.b.len();
                return Ok(false);
            }
            Top::Broken => {
                c.i = c.b.len();
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Looks for the next event after damage: `}` `,` `{` where the object that follows
    /// has a `ph` key and is followed by `,` or `]` (see [`damage::next_event`]).
    fn resync(&mut self, c: &mut Cur<'_>, bare: bool, last: bool) -> bool {
        let mut from = c.i;
        loop {
            match damage::next_event(c.b, from) {
                Ok(Some(j)) => {
                    c.i = j;
                    self.top = Top::Item { first: false, bare };
                    return true;
                }
                Err(j) if !last && c.b.len() - j <= self.max_event => {
                    // The candidate may be an event once the next chunk arrives: keep its `}`.
                    let close = c.b.get(..j).and_then(|head| memchr::memrchr(b'}', head));
                    c.i = close.unwrap_or(j).max(c.i);
                    return false;
                }
                // Cut off by the end of the input, or larger than any event kept.
                Err(j) => from = j,
                Ok(None) => break,
            }
        }
        if last {
            self.top = Top::Broken;
        }
        // Keep the last `}` when a boundary may begin there and go on in the next chunk.
        c.i = damage::boundary_tail(c.b).max(c.i);
        false
    }
}

/// The state after a skipped value.
fn after_skip(then: Then) -> Top {
    match then {
        Then::ItemSep { bare } => Top::ItemSep { bare },
        Then::MemberSep => Top::MemberSep,
    }
}

enum Step {
    Stop(Stop),
    Fatal(LoadError),
}

impl From<Stop> for Step {
    fn from(s: Stop) -> Self {
        Step::Stop(s)
    }
}

/// Says in words what the bytes at an unexpected place look like.
fn describe(bytes: &[u8]) -> String {
    let head = bytes.get(..512).unwrap_or(bytes);
    let lower: Vec<u8> = head.iter().take(64).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html") {
        return "an HTML page".into();
    }
    if lower.starts_with(b"<") {
        return "an HTML/XML document".into();
    }
    if bytes.get(257..262) == Some(b"ustar") {
        return "a tar archive (extract the trace from it first)".into();
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return "a zip archive (extract the trace from it first)".into();
    }
    match head.first() {
        None => "the end of the input".into(),
        Some(&b) if b.is_ascii_graphic() || b == b' ' => {
            let snippet: String = String::from_utf8_lossy(head).chars().take(24).collect();
            format!("text starting {snippet:?}")
        }
        Some(&b) => format!("binary data (byte 0x{b:02x})"),
    }
}

/// Names the JSON type of a value.
fn describe_value(bytes: &[u8]) -> String {
    match bytes.first() {
        Some(b'{') => "an object".into(),
        Some(b'"') => "a string".into(),
        Some(b'n') => "null".into(),
        Some(b't' | b'f') => "a boolean".into(),
        Some(b'-' | b'0'..=b'9') => "a number".into(),
        _ => describe(bytes),
    }
}

/// Inflates the beginning of gzip bytes, at most `limit` bytes of text, for sniffing
/// whether a file is a trace. Damage simply ends the output.
#[must_use]
pub fn inflate_prefix(bytes: &[u8], limit: usize) -> Vec<u8> {
    let mut g = gzip::Gunzip::new();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4096) {
        if g.push(chunk, &mut out).is_err() || out.len() >= limit {
            break;
        }
    }
    out.truncate(limit);
    out
}

/// Loads a whole trace held in memory (`.json` or `.json.gz` bytes).
///
/// # Errors
/// When the bytes are not a trace at all; see [`LoadError`].
pub fn load(bytes: &[u8]) -> Result<Trace, LoadError> {
    let mut loader = Loader::new();
    for chunk in bytes.chunks(1 << 20) {
        loader.push(chunk)?;
    }
    loader.finish()
}

#[cfg(test)]
mod tests;
