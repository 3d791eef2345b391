//! The rank-reduction file (`.ttr`): one rank's trace reduced to what the all-ranks
//! report needs ([`RankReduction`]), written where the trace is (`tracetriage reduce`) and
//! compared on another machine (`tracetriage triage --all-ranks *.ttr`).
//!
//! API boundary: a `.ttr` file is the gzip-compressed JSON of a [`RankFile`], the one
//! [`Document`] envelope (`schema` `tracetriage.rank-reduction`, `version`,
//! `generator`) around the engine's [`RankReduction`] fields, on one line
//! (`zcat rank.ttr | jq .` shows it). Its version is [`REDUCTION_VERSION`]; a file of a
//! newer version, of another kind, or damaged (cut short, a wrong checksum, broken JSON)
//! is a [`DocumentError`] that says which, never a panic. Uncompressed JSON is read too.

use engine::ranks::RankReduction;
use engine::triage::{Input, Options};

use super::RanksReport;
use crate::document::{Body, Document, DocumentError};

/// A rank-reduction document: the envelope plus the engine's reduction.
pub type RankFile = Document<RankReduction>;

/// The `schema` value of every rank-reduction file.
pub const REDUCTION_SCHEMA: &str = "tracetriage.rank-reduction";
/// The current rank-reduction version.
pub const REDUCTION_VERSION: u32 = 1;
/// The usual file extension (without the dot).
pub const REDUCTION_EXTENSION: &str = "ttr";

impl Body for RankReduction {
    const SCHEMA: &'static str = REDUCTION_SCHEMA;
    const VERSION: u32 = REDUCTION_VERSION;
    const KIND: &'static str = "rank reduction";
    const PRETTY: bool = false;
}

/// Reduces one trace for the all-ranks report ([`engine::ranks::reduce`]).
#[must_use]
pub fn reduce(input: &Input<'_>, catalog: &engine::Catalog) -> RankFile {
    Document::new(engine::ranks::reduce(input, catalog))
}

/// The all-ranks report of reductions: the same as [`super::compare`] of the traces.
#[must_use]
pub fn compare_reductions(reductions: &[RankReduction], options: &Options) -> RanksReport {
    RanksReport::from(engine::ranks::compare_reductions(reductions, options))
}

/// The `.ttr` bytes of `file`: its JSON, gzip-compressed.
#[must_use]
pub fn to_bytes(file: &RankFile) -> Vec<u8> {
    gzip(file.to_json().as_bytes())
}

/// Reads a `.ttr` file's bytes (gzip-compressed JSON, or the JSON itself).
///
/// # Errors
/// A [`DocumentError`]: newer than this build, damaged (a cut-short or corrupt gzip
/// stream, broken JSON, missing fields), or not a rank reduction.
pub fn from_bytes(bytes: &[u8]) -> Result<RankFile, DocumentError> {
    let kind = RankReduction::KIND;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Document::from_bytes(bytes);
    }
    let mut text = Vec::new();
    let mut gz = engine::trace::GzipText::new();
    gz.push(bytes, &mut text).map_err(|e| DocumentError::Broken { kind, reason: e.to_string() })?;
    if !gz.is_clean() {
        let reason = "the gzip stream is damaged or cut short (a wrong checksum, or the file ends early)";
        return Err(DocumentError::Broken { kind, reason: reason.to_owned() });
    }
    Document::from_bytes(&text)
}

/// `bytes` as one gzip member (deflate level 6, CRC-32 and length trailer).
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let packed = miniz_oxide::deflate::compress_to_vec(bytes, 6);
    let mut out = Vec::with_capacity(packed.len() + 18);
    // Magic, deflate, no flags, no time, no extra flags, unknown OS.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    out.extend_from_slice(&packed);
    out.extend_from_slice(&crc32(bytes).to_le_bytes());
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out
}

/// The CRC-32 (IEEE, reflected) table, built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// The CRC-32 gzip checks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = u32::MAX;
    for &b in bytes {
        let i = ((c ^ u32::from(b)) & 0xff) as usize;
        c = CRC_TABLE.get(i).copied().unwrap_or(0) ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduction() -> RankFile {
        let json = r#"{"baseTimeNanoseconds":5,"distributedInfo":{"rank":1,"world_size":2},"traceEvents":[
            {"ph":"X","cat":"kernel","name":"ncclDevKernel_AllReduce_Sum_bf16_RING_LL","pid":0,"tid":7,"ts":100,"dur":50,"args":{"device":0,"stream":7,"correlation":1}}]}"#;
        let trace = engine::trace::load(json.as_bytes()).expect("a trace");
        reduce(&Input { path: "x-TP-1.trace.json", trace: &trace }, engine::Catalog::builtin())
    }

    #[test]
    fn crc32_is_the_gzip_checksum() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn a_file_reads_back_as_written() {
        let file = reduction();
        assert_eq!(file.comms.len(), 1);
        let bytes = to_bytes(&file);
        assert!(bytes.starts_with(&[0x1f, 0x8b]));
        assert_eq!(from_bytes(&bytes), Ok(file.clone()));
        // The JSON itself is read too.
        assert_eq!(from_bytes(file.to_json().as_bytes()), Ok(file));
    }

    #[test]
    fn newer_damaged_and_other_files_are_typed_errors() {
        let file = reduction();
        let newer = file.to_json().replacen("\"version\":1", "\"version\":2", 1);
        let err = from_bytes(&gzip(newer.as_bytes())).expect_err("newer");
        assert_eq!(err.id(), "newer", "{err}");
        assert!(err.to_string().contains("rank reduction version 2"), "{err}");
        let bytes = to_bytes(&file);
        for cut in [3, 11, bytes.len() / 2, bytes.len() - 1] {
            let err = from_bytes(bytes.get(..cut).unwrap_or_default()).expect_err("cut short");
            assert_eq!(err.id(), "broken", "{cut}: {err}");
        }
        let mut flipped = bytes.clone();
        if let Some(b) = flipped.get_mut(bytes.len() - 6) {
            *b ^= 0x40;
        }
        assert_eq!(from_bytes(&flipped).expect_err("corrupt").id(), "broken");
        let json = file.to_json();
        let broken = json.replacen("\"comms\":[", "\"comms\":[{}", 1);
        assert_eq!(from_bytes(&gzip(broken.as_bytes())).expect_err("fields").id(), "broken");
        let err = from_bytes(br#"{"traceEvents":[]}"#).expect_err("a trace");
        assert_eq!(err.id(), "wrong-kind", "{err}");
        let err = from_bytes(&gzip(br#"{"schema":"tracetriage.report","version":1}"#)).expect_err("report");
        assert_eq!(err.id(), "wrong-kind", "{err}");
        assert_eq!(from_bytes(&[]).expect_err("empty").id(), "wrong-kind");
    }
}
