//! Diagnostics: every event that was skipped, adjusted or not understood is counted here
//! by reason, so nothing is dropped silently (the perfetto "stats" idea).

/// How much a diagnostic matters to the reader of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Ignored by design (memory instants, profiler overhead spans, …).
    Info,
    /// Data was lost, damaged or could not be interpreted.
    Warning,
}

/// Why an event (or part of the input) was skipped or adjusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagnosticKind {
    /// The input ended before the JSON document (or gzip stream) was complete.
    Truncated,
    /// Invalid JSON inside `traceEvents`; the parser skipped ahead to the next event.
    MalformedJson,
    /// The deflate data is damaged; everything decoded before the damage was kept.
    GzipCorrupt,
    /// The gzip CRC-32 or length trailer does not match the data.
    GzipChecksum,
    /// Bytes after the end of the JSON document or the last gzip member.
    TrailingData,
    /// An item of `traceEvents` that is not an object.
    NotAnObject,
    /// An event without `ph`.
    MissingPhase,
    /// A phase the engine does not use (`B`/`E`, counters, async `b`/`e`, …).
    UnsupportedPhase,
    /// A timed event without a usable `ts`.
    MissingTimestamp,
    /// A complete event without `dur` (kept with duration 0).
    MissingDuration,
    /// A negative `dur` (kept with duration 0).
    NegativeDuration,
    /// A complete event whose `cat` the engine does not know.
    UnknownCategory,
    /// A GPU activity without a stream (kept on stream 0).
    MissingStream,
    /// An id argument that is not an integer in range (treated as absent).
    BadId,
    /// A top-level metadata value of an unexpected shape (ignored).
    BadMetadata,
    /// Instant events (`[memory]`, iteration markers): not used by any report.
    Instant,
    /// Profiler overhead spans (`cat: overhead`): not used by any report.
    Overhead,
    /// Metadata events other than process/thread names and labels.
    OtherMetadata,
    /// Flow events of a kind no report uses.
    OtherFlow,
    /// GPU activities PyTorch moved onto a logical lane; their hardware stream
    /// (`args.original_stream`) is used.
    LogicalLane,
    /// GPU activities on a logical lane (`tid` ≥ 100000) without `args.original_stream`:
    /// their hardware stream is unknown.
    LaneWithoutStream,
    /// An item of `traceEvents` (or a top-level value) larger than the event cap
    /// ([`crate::MAX_EVENT_BYTES`]): skipped as it streamed past.
    EventTooLarge,
    /// A timed event with a negative `ts` (kept as written).
    NegativeTimestamp,
}

impl DiagnosticKind {
    /// Stable snake_case identifier, used in JSON output.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            DiagnosticKind::Truncated => "truncated",
            DiagnosticKind::MalformedJson => "malformed_json",
            DiagnosticKind::GzipCorrupt => "gzip_corrupt",
            DiagnosticKind::GzipChecksum => "gzip_checksum",
            DiagnosticKind::TrailingData => "trailing_data",
            DiagnosticKind::NotAnObject => "not_an_object",
            DiagnosticKind::MissingPhase => "missing_phase",
            DiagnosticKind::UnsupportedPhase => "unsupported_phase",
            DiagnosticKind::MissingTimestamp => "missing_timestamp",
            DiagnosticKind::MissingDuration => "missing_duration",
            DiagnosticKind::NegativeDuration => "negative_duration",
            DiagnosticKind::UnknownCategory => "unknown_category",
            DiagnosticKind::MissingStream => "missing_stream",
            DiagnosticKind::BadId => "bad_id",
            DiagnosticKind::BadMetadata => "bad_metadata",
            DiagnosticKind::Instant => "instant_event",
            DiagnosticKind::Overhead => "overhead_event",
            DiagnosticKind::OtherMetadata => "other_metadata",
            DiagnosticKind::OtherFlow => "other_flow",
            DiagnosticKind::LogicalLane => "logical_lane",
            DiagnosticKind::LaneWithoutStream => "lane_without_stream",
            DiagnosticKind::EventTooLarge => "event_too_large",
            DiagnosticKind::NegativeTimestamp => "negative_timestamp",
        }
    }

    /// Whether the reader should worry.
    #[must_use]
    pub fn severity(self) -> Severity {
        match self {
            DiagnosticKind::Instant
            | DiagnosticKind::Overhead
            | DiagnosticKind::OtherMetadata
            | DiagnosticKind::OtherFlow
            | DiagnosticKind::LogicalLane
            | DiagnosticKind::MissingDuration => Severity::Info,
            _ => Severity::Warning,
        }
    }

    /// One sentence saying what happened, for people.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            DiagnosticKind::Truncated => "the input ends early; every complete event before the cut was kept",
            DiagnosticKind::MalformedJson => {
                "invalid JSON inside traceEvents; skipped ahead to the next event"
            }
            DiagnosticKind::GzipCorrupt => "damaged gzip data; everything decoded before the damage was kept",
            DiagnosticKind::GzipChecksum => "gzip checksum or length does not match the data",
            DiagnosticKind::TrailingData => "extra bytes after the end of the trace were ignored",
            DiagnosticKind::NotAnObject => "traceEvents items that are not objects were skipped",
            DiagnosticKind::MissingPhase => "events without a phase (ph) were skipped",
            DiagnosticKind::UnsupportedPhase => "events of an unused phase were skipped",
            DiagnosticKind::MissingTimestamp => "timed events without a usable ts were skipped",
            DiagnosticKind::MissingDuration => "complete events without dur were kept as 0 ns",
            DiagnosticKind::NegativeDuration => "negative durations were kept as 0 ns",
            DiagnosticKind::UnknownCategory => "events of an unknown category were skipped",
            DiagnosticKind::MissingStream => "GPU activities without a stream were put on stream 0",
            DiagnosticKind::BadId => "id arguments that are not integers were ignored",
            DiagnosticKind::BadMetadata => "top-level metadata of an unexpected shape was ignored",
            DiagnosticKind::Instant => "instant events (memory, markers) are not used",
            DiagnosticKind::Overhead => "profiler overhead spans are not used",
            DiagnosticKind::OtherMetadata => "metadata events other than names are not used",
            DiagnosticKind::OtherFlow => "flow events of an unused kind were skipped",
            DiagnosticKind::LogicalLane => {
                "graphed GPU activities sit on logical lanes; their hardware stream (args.original_stream) is used for overlap"
            }
            DiagnosticKind::LaneWithoutStream => {
                "GPU activities on a logical lane (tid >= 100000) without args.original_stream: their hardware stream is unknown, so overlap with other streams may be wrong"
            }
            DiagnosticKind::EventTooLarge => "events larger than 64 MiB of JSON were skipped",
            DiagnosticKind::NegativeTimestamp => {
                "events with a negative ts were kept as written; a real capture's times are positive, so the file may be damaged"
            }
        }
    }
}

/// One counted reason, with what it applied to and where it was first seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The reason.
    pub kind: DiagnosticKind,
    /// What it applied to (a category, a phase, an offset range), possibly empty.
    pub detail: String,
    /// How many times it happened.
    pub count: u64,
    /// Byte offset (in the JSON text) of the first occurrence, when known.
    pub first_offset: Option<u64>,
}

/// All diagnostics of a load, grouped by `(kind, detail)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    entries: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Counts one occurrence.
    pub fn add(&mut self, kind: DiagnosticKind, detail: &str, offset: Option<u64>) {
        self.add_n(kind, detail, 1, offset);
    }

    /// Counts `n` occurrences.
    pub fn add_n(&mut self, kind: DiagnosticKind, detail: &str, n: u64, offset: Option<u64>) {
        if let Some(d) = self.entries.iter_mut().find(|d| d.kind == kind && d.detail == detail) {
            d.count += n;
            return;
        }
        self.entries.push(Diagnostic { kind, detail: detail.to_owned(), count: n, first_offset: offset });
    }

    /// Counts everything `later` recorded after what this recorded, as if each had been
    /// added here in turn (an entry seen on both sides keeps this side's first offset).
    pub fn absorb(&mut self, later: Diagnostics) {
        for d in later.entries {
            self.add_n(d.kind, &d.detail, d.count, d.first_offset);
        }
    }

    /// Whether any diagnostic of this kind was recorded.
    #[must_use]
    pub fn has(&self, kind: DiagnosticKind) -> bool {
        self.entries.iter().any(|d| d.kind == kind)
    }

    /// Total count of one kind over all details.
    #[must_use]
    pub fn count(&self, kind: DiagnosticKind) -> u64 {
        self.entries.iter().filter(|d| d.kind == kind).map(|d| d.count).sum()
    }

    /// All entries, sorted by (severity descending, kind, detail): a stable display order.
    #[must_use]
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.entries.iter().collect();
        v.sort_by(|a, b| {
            b.kind.severity().cmp(&a.kind.severity()).then(a.kind.cmp(&b.kind)).then(a.detail.cmp(&b.detail))
        });
        v
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry in the order it was first recorded (what [`crate::Trace::to_bytes`] writes).
    #[must_use]
    pub fn entries(&self) -> &[Diagnostic] {
        let Diagnostics { entries } = self;
        entries
    }

    /// Diagnostics holding exactly `entries`, in that order; the caller guarantees that no
    /// two entries share a `(kind, detail)` (the codec checks this before calling).
    pub(crate) fn from_entries(entries: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics { entries }
    }

    /// Adds every entry of `other` (used when several traces are merged into one report).
    pub fn merge(&mut self, other: &Diagnostics) {
        for d in &other.entries {
            self.add_n(d.kind, &d.detail, d.count, d.first_offset);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_by_kind_and_detail() {
        let mut d = Diagnostics::default();
        d.add(DiagnosticKind::UnknownCategory, "cat=foo", Some(10));
        d.add(DiagnosticKind::UnknownCategory, "cat=foo", Some(20));
        d.add(DiagnosticKind::UnknownCategory, "cat=bar", None);
        d.add(DiagnosticKind::Instant, "", None);
        assert_eq!(d.count(DiagnosticKind::UnknownCategory), 3);
        let sorted = d.sorted();
        assert_eq!(sorted.len(), 3);
        // Warnings first, then by detail.
        assert_eq!(sorted[0].detail, "cat=bar");
        assert_eq!(sorted[1].detail, "cat=foo");
        assert_eq!(sorted[1].count, 2);
        assert_eq!(sorted[1].first_offset, Some(10));
        assert_eq!(sorted[2].kind, DiagnosticKind::Instant);
    }
}
