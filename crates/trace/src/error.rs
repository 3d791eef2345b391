//! The one way loading can fail: the input is not a trace at all.

/// Why bytes could not be loaded as a trace.
///
/// Damage inside a trace (truncation, a corrupt event, an unknown category) is not an
/// error: it becomes a counted [`crate::Diagnostic`] and every good event is kept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Zero bytes of input.
    #[error("the file is empty (0 bytes), expected a Kineto/Chrome trace (.json or .json.gz)")]
    Empty,
    /// The first meaningful bytes are not the start of a JSON object or array.
    #[error(
        "not a trace: expected a JSON object with \"traceEvents\" or a JSON array of events{inside}, found {found} at byte {offset}"
    )]
    NotJson {
        /// A description of what was found (`an HTML page`, `binary data (byte 0x89)`).
        found: String,
        /// Offset in the (decompressed) text.
        offset: u64,
        /// `" inside the gzip stream"` for compressed input, else empty.
        inside: &'static str,
    },
    /// Invalid JSON before the first event, where the shape of the file is still unknown.
    #[error("not a trace: invalid JSON at byte {offset}{inside}: expected {expected}, found {found}")]
    InvalidJson {
        /// Offset in the (decompressed) text.
        offset: u64,
        /// What the parser expected there.
        expected: &'static str,
        /// What it found.
        found: String,
        /// `" of the gzip stream"` for compressed input, else empty.
        inside: &'static str,
    },
    /// A complete JSON object that has no `traceEvents` key.
    #[error("not a trace: the JSON object has no \"traceEvents\" array (its keys: {keys})")]
    NoTraceEvents {
        /// The top-level keys that were present, comma-separated.
        keys: String,
    },
    /// `traceEvents` holds something other than an array.
    #[error("not a trace: \"traceEvents\" is {found}, expected an array of events")]
    TraceEventsNotArray {
        /// What it holds.
        found: String,
    },
    /// A top-level array none of whose items is an event (an object with `ph`).
    #[error(
        "not a trace: a JSON array of {items} items, none of them an event (an object with \"ph\"); expected a Kineto/Chrome trace"
    )]
    NoEvents {
        /// How many items the array holds.
        items: u64,
    },
    /// The gzip header is invalid (the magic bytes matched, the rest did not).
    #[error("not a trace: the gzip header is invalid ({reason})")]
    BadGzip {
        /// What is wrong with it.
        reason: String,
    },
}
