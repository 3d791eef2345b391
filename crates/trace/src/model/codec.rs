//! A compact binary form of a loaded [`Trace`], so a trace parsed in one Web Worker can
//! be handed to another (the browser loads the rank files of one capture in parallel and
//! analyses them together in one engine worker).
//!
//! Format (all integers little-endian): the magic `TTRC`, a `u32` [`CODEC_VERSION`], the
//! string table (lengths, then one UTF-8 blob, in id order so every [`Sym`] stays valid),
//! then every other field of the [`Trace`] in declaration order. Columns are written as a
//! `u64` row count followed by the packed values, so encoding and decoding are bulk copies.
//! The encoder destructures every model struct without `..`: adding a field to the model
//! breaks the build here until the codec (and [`CODEC_VERSION`]) are updated.
//!
//! Decoding treats the bytes as untrusted (they crossed a worker boundary and may come from
//! another build): it never panics, and rejects a wrong header, truncated data, lengths
//! larger than the input, out-of-range string or track ids, columns of one table that
//! disagree in length, invalid UTF-8 and unknown enum values with a [`CodecError`].

mod read;
#[cfg(test)]
mod tests;
mod write;

use super::{FlowKind, FlowPhase, GpuKind, RuntimeKind, Trace};
use crate::diagnostics::DiagnosticKind;

/// The first four bytes of every encoded trace.
pub const CODEC_MAGIC: [u8; 4] = *b"TTRC";
/// The format version this build writes and reads; bump it whenever the layout changes.
pub const CODEC_VERSION: u32 = 4;

/// Why bytes could not be decoded as a [`Trace`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The input does not start with [`CODEC_MAGIC`].
    #[error("not an encoded trace: expected the magic bytes \"TTRC\", found {found:?}")]
    BadMagic {
        /// The first bytes of the input.
        found: Vec<u8>,
    },
    /// The input was written by a build with another format version.
    #[error("encoded trace has format version {found}; this build reads version {expected} only")]
    UnsupportedVersion {
        /// The version in the input.
        found: u32,
        /// [`CODEC_VERSION`].
        expected: u32,
    },
    /// The input ends before a value is complete.
    #[error(
        "encoded trace is truncated: {what} needs {needed} bytes at offset {offset}, only {available} remain"
    )]
    Truncated {
        /// The value being read.
        what: &'static str,
        /// Byte offset of the value.
        offset: u64,
        /// Bytes the value needs.
        needed: u64,
        /// Bytes left in the input.
        available: u64,
    },
    /// A length prefix promises more items than the remaining bytes can hold.
    #[error(
        "encoded trace is damaged: {what} at offset {offset} declares {len} items, more than the {available} remaining bytes can hold"
    )]
    LengthTooLarge {
        /// The column or list being read.
        what: &'static str,
        /// Byte offset of the length prefix.
        offset: u64,
        /// The declared number of items.
        len: u64,
        /// Bytes left in the input after the prefix.
        available: u64,
    },
    /// A tag, flag or enum code that this build does not know.
    #[error("encoded trace is damaged: invalid value {value} for {what} at offset {offset}")]
    BadValue {
        /// The value being read.
        what: &'static str,
        /// The code found.
        value: u64,
        /// Byte offset of the value.
        offset: u64,
    },
    /// Text that is not valid UTF-8 (or a string length that splits a character).
    #[error("encoded trace is damaged: invalid UTF-8 in {what} at offset {offset}")]
    InvalidUtf8 {
        /// The text being read.
        what: &'static str,
        /// Byte offset of the text.
        offset: u64,
    },
    /// The string lengths do not add up to the size of the text blob.
    #[error("encoded trace is damaged: the string lengths add up to {sum} bytes, the text holds {blob}")]
    StringSizes {
        /// Sum of the lengths.
        sum: u64,
        /// Size of the text blob.
        blob: u64,
    },
    /// The string table holds the same text twice, so ids would not survive re-interning.
    #[error("encoded trace is damaged: string {index} repeats an earlier string")]
    DuplicateString {
        /// Id of the repeated string.
        index: u64,
    },
    /// A string id that is neither in the table nor `Sym::NONE`.
    #[error(
        "encoded trace is damaged: string id {id} in {what} is out of range (the table has {count} strings)"
    )]
    StringOutOfRange {
        /// The column holding the id.
        what: &'static str,
        /// The id.
        id: u32,
        /// Number of strings in the table.
        count: u64,
    },
    /// A track id that is not an index into the track list.
    #[error(
        "encoded trace is damaged: track id {id} in {what} is out of range (the trace has {count} tracks)"
    )]
    TrackOutOfRange {
        /// The column holding the id.
        what: &'static str,
        /// The id.
        id: u32,
        /// Number of tracks.
        count: u64,
    },
    /// Two columns of one table have different lengths.
    #[error(
        "encoded trace is damaged: column {column} of {table} has {len} rows, the table's first column has {expected}"
    )]
    ColumnLength {
        /// The table.
        table: &'static str,
        /// The disagreeing column.
        column: &'static str,
        /// Its row count.
        len: u64,
        /// The first column's row count.
        expected: u64,
    },
    /// Two diagnostics with the same kind and detail (the model groups them).
    #[error("encoded trace is damaged: diagnostic {kind} {detail:?} appears twice")]
    DuplicateDiagnostic {
        /// The diagnostic's id.
        kind: &'static str,
        /// Its detail.
        detail: String,
    },
    /// Bytes left over after the last field.
    #[error("encoded trace is damaged: {extra} unexpected bytes after the end")]
    TrailingBytes {
        /// How many.
        extra: u64,
    },
}

type Result<T> = core::result::Result<T, CodecError>;

fn len64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn gpu_kind_code(k: GpuKind) -> u8 {
    match k {
        GpuKind::Kernel => 0,
        GpuKind::Memcpy => 1,
        GpuKind::Memset => 2,
        GpuKind::Sync => 3,
    }
}

fn runtime_kind_code(k: RuntimeKind) -> u8 {
    match k {
        RuntimeKind::LaunchKernel => 0,
        RuntimeKind::GraphLaunch => 1,
        RuntimeKind::Memcpy => 2,
        RuntimeKind::Memset => 3,
        RuntimeKind::Synchronize => 4,
        RuntimeKind::Other => 5,
        RuntimeKind::BeginCapture => 6,
        RuntimeKind::EndCapture => 7,
    }
}

fn flow_phase_code(p: FlowPhase) -> u8 {
    match p {
        FlowPhase::Start => 0,
        FlowPhase::Step => 1,
        FlowPhase::Finish => 2,
    }
}

fn flow_kind_code(k: FlowKind) -> u8 {
    match k {
        FlowKind::Launch => 0,
        FlowKind::ForwardBackward => 1,
    }
}

/// Every kind, in code order; `diagnostic_kind_code` is the index into this list.
const DIAGNOSTIC_KINDS: [DiagnosticKind; 23] = [
    DiagnosticKind::Truncated,
    DiagnosticKind::MalformedJson,
    DiagnosticKind::GzipCorrupt,
    DiagnosticKind::GzipChecksum,
    DiagnosticKind::TrailingData,
    DiagnosticKind::NotAnObject,
    DiagnosticKind::MissingPhase,
    DiagnosticKind::UnsupportedPhase,
    DiagnosticKind::MissingTimestamp,
    DiagnosticKind::MissingDuration,
    DiagnosticKind::NegativeDuration,
    DiagnosticKind::UnknownCategory,
    DiagnosticKind::MissingStream,
    DiagnosticKind::BadId,
    DiagnosticKind::BadMetadata,
    DiagnosticKind::Instant,
    DiagnosticKind::Overhead,
    DiagnosticKind::OtherMetadata,
    DiagnosticKind::OtherFlow,
    DiagnosticKind::LogicalLane,
    DiagnosticKind::LaneWithoutStream,
    DiagnosticKind::EventTooLarge,
    DiagnosticKind::NegativeTimestamp,
];

fn diagnostic_kind_code(k: DiagnosticKind) -> u8 {
    // Exhaustive on purpose: a new kind is a compile error until it gets a code (append
    // it to `DIAGNOSTIC_KINDS` too; the test `diagnostic_codes_match_the_table` checks).
    match k {
        DiagnosticKind::Truncated => 0,
        DiagnosticKind::MalformedJson => 1,
        DiagnosticKind::GzipCorrupt => 2,
        DiagnosticKind::GzipChecksum => 3,
        DiagnosticKind::TrailingData => 4,
        DiagnosticKind::NotAnObject => 5,
        DiagnosticKind::MissingPhase => 6,
        DiagnosticKind::UnsupportedPhase => 7,
        DiagnosticKind::MissingTimestamp => 8,
        DiagnosticKind::MissingDuration => 9,
        DiagnosticKind::NegativeDuration => 10,
        DiagnosticKind::UnknownCategory => 11,
        DiagnosticKind::MissingStream => 12,
        DiagnosticKind::BadId => 13,
        DiagnosticKind::BadMetadata => 14,
        DiagnosticKind::Instant => 15,
        DiagnosticKind::Overhead => 16,
        DiagnosticKind::OtherMetadata => 17,
        DiagnosticKind::OtherFlow => 18,
        DiagnosticKind::LogicalLane => 19,
        DiagnosticKind::LaneWithoutStream => 20,
        DiagnosticKind::EventTooLarge => 21,
        DiagnosticKind::NegativeTimestamp => 22,
    }
}

impl Trace {
    /// Encodes the whole trace (every field) in a compact binary form that starts with
    /// [`CODEC_MAGIC`] and [`CODEC_VERSION`]; [`Trace::from_bytes`] reads it back.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        write::encode(self)
    }

    /// Decodes bytes written by [`Trace::to_bytes`] of this build.
    ///
    /// # Errors
    /// A [`CodecError`] when the bytes are not an encoded trace of this format version, are
    /// truncated, or are inconsistent (ids out of range, columns of unequal length, …).
    pub fn from_bytes(bytes: &[u8]) -> core::result::Result<Trace, CodecError> {
        read::decode(bytes)
    }
}
