//! Shared links: the whole rendered report (never the trace) in a URL fragment,
//! `#r1.<base64url(deflate(report JSON))>`. Opening such a link on any static host renders
//! the same report with no trace and no server. A/B diffs travel the same way as
//! `#d1.<base64url(deflate(diff JSON))>` ([`encode_diff`], [`decode_diff`]).
//!
//! A link is untrusted input: decoding validates every layer and fails with a
//! [`ShareError`]; the decoded report is rendered as text only (no HTML from it, ever).

use crate::diff::DiffReport;
use crate::{DocumentError, Report};

/// The fragment prefix of the current link format.
pub const PREFIX: &str = "r1.";
/// The fragment prefix of the current diff link format.
pub const DIFF_PREFIX: &str = "d1.";
/// Links are kept under this many bytes (browsers and chat tools cut longer URLs).
pub const LINK_BUDGET: usize = 8 * 1024;
/// Decoded JSON larger than this is refused (a deflate bomb).
const MAX_JSON: usize = 16 << 20;
/// The longest link body opened: [`encode`] keeps links under [`LINK_BUDGET`] (past it only
/// when even one row per table does not fit), so a link four times longer was not made by
/// tracetriage and is refused before it is inflated.
pub const MAX_LINK: usize = 4 * LINK_BUDGET;
/// The most rows a linked report may hold over all its tables and stages (kernel,
/// overlap, fuse, fix-first): what fits in a link [`encode`] makes is far less.
pub const MAX_ROWS: usize = 2_000;
/// The most stages a linked report may hold.
pub const MAX_STAGES: usize = 64;

/// Why a link could not be opened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// The fragment is not a tracetriage report link.
    #[error("this link does not hold a tracetriage report (expected #r1.…)")]
    NotALink,
    /// A link format this build does not know.
    #[error("this report link uses format {0:?}, which this version of tracetriage cannot read")]
    UnknownVersion(String),
    /// Damaged: not base64url, not deflate, or not JSON.
    #[error("this report link is damaged ({0}); ask for a new link")]
    Damaged(String),
    /// The JSON is not a readable report or diff.
    #[error("{0}")]
    Document(#[from] DocumentError),
    /// The fragment is not a tracetriage diff link.
    #[error("this link does not hold a tracetriage diff (expected #d1.…)")]
    NotADiffLink,
    /// Larger than any link tracetriage makes: refused before it is drawn.
    #[error("this report link is larger than tracetriage makes them ({0}); it was not made by tracetriage")]
    TooLarge(String),
}

/// Refuses a link body longer than [`MAX_LINK`].
fn check_length(data: &str) -> Result<(), ShareError> {
    if data.len() > MAX_LINK {
        return Err(ShareError::TooLarge(format!(
            "{} of link, at most {}",
            crate::format::bytes(data.len() as u64),
            crate::format::bytes(MAX_LINK as u64)
        )));
    }
    Ok(())
}

/// Refuses a decoded report with more stages or rows than [`encode`] can put in a link.
fn check_size(report: &Report) -> Result<(), ShareError> {
    if report.stages.len() > MAX_STAGES {
        return Err(ShareError::TooLarge(format!("{} stages, at most {MAX_STAGES}", report.stages.len())));
    }
    let rows: usize = report
        .stages
        .iter()
        .map(|s| s.kernels.rows.len() + s.overlap.rows.len() + s.fuse.rows.len() + s.fix_first.len())
        .sum();
    if rows > MAX_ROWS {
        return Err(ShareError::TooLarge(format!(
            "{} table rows, at most {}",
            crate::format::count(rows as u64),
            crate::format::count(MAX_ROWS as u64)
        )));
    }
    Ok(())
}

/// Encodes a report into a link fragment (without the `#`), shrinking it to fit
/// [`LINK_BUDGET`] if needed; what was left out is said in the report's notes.
#[must_use]
pub fn encode(report: &Report) -> String {
    let mut r = report.clone();
    let first = pack(&r);
    if first.len() <= LINK_BUDGET {
        return first;
    }
    // Pass 1: what a shared view does not need.
    shrink_details(&mut r);
    let mut link = pack_with_note(
        &r,
        "names longer than 120 characters, Python stacks, extra sites and info diagnostics are left out",
    );
    if link.len() <= LINK_BUDGET {
        return link;
    }
    // Pass 2: fewer rows per table, largest first kept.
    let max_rows = r.stages.iter().map(|s| s.kernels.rows.len()).max().unwrap_or(0);
    let mut keep = max_rows;
    while keep > 1 && link.len() > LINK_BUDGET {
        keep = keep * 3 / 4;
        let mut t = r.clone();
        for s in &mut t.stages {
            let dropped: Vec<_> = s.kernels.rows.drain(keep.min(s.kernels.rows.len())..).collect();
            s.kernels.hidden_rows += dropped.len() as u64;
            s.kernels.hidden_ns += dropped.iter().map(|row| row.gpu_ns).sum::<i64>();
            // The other tables and the fix-first list keep as many rows at most.
            let dropped: Vec<_> = s.overlap.rows.drain(keep.min(s.overlap.rows.len())..).collect();
            s.overlap.hidden_rows += dropped.len() as u64;
            s.overlap.hidden_ns += dropped.iter().map(|row| row.total_ns).sum::<i64>();
            // Fuse rows in display order (missing first), kept in their acceptance order.
            let mut kept = crate::fuse::order(&s.fuse);
            kept.truncate(keep);
            kept.sort_unstable();
            s.fuse.rows = kept.into_iter().filter_map(|i| s.fuse.rows.get(i).cloned()).collect();
            s.fix_first.truncate(keep);
        }
        link = pack_with_note(&t, &format!("only the top {keep} rows of each table per stage are included"));
    }
    link
}

fn shrink_details(r: &mut Report) {
    const NAME: usize = 120;
    r.diagnostics.retain(|d| d.severity == "warning");
    for s in &mut r.stages {
        for row in &mut s.kernels.rows {
            if row.name.chars().count() > NAME {
                row.name = row.name.chars().take(NAME).chain(core::iter::once('…')).collect();
            }
            row.sites.truncate(2);
            for site in &mut row.sites {
                site.stack.clear();
            }
        }
        // Findings name their rows by kernel name: cut the same way, they still match.
        let cut = |text: &mut String| {
            if text.chars().count() > NAME {
                *text = text.chars().take(NAME).chain(core::iter::once('…')).collect();
            }
        };
        for f in &mut s.fix_first {
            cut(&mut f.subject);
            if f.row.table == "kernels" {
                cut(&mut f.row.key);
            }
        }
    }
}

fn pack_with_note(r: &Report, note: &str) -> String {
    let mut t = r.clone();
    t.notes.push(format!("Shared link: {note}; open the trace for the full report."));
    pack(&t)
}

/// The report's JSON without the sentences [`decode`] writes again from the typed values
/// (verdict lines, findings, health), so a link spends its bytes on figures.
fn pack(r: &Report) -> String {
    let mut t = r.clone();
    crate::verdict::clear(&mut t);
    pack_json(PREFIX, &serde_json::to_vec(&t).unwrap_or_default())
}

fn pack_json(prefix: &str, json: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json, 9);
    format!("{prefix}{}", base64url_encode(&packed))
}

/// Encodes a diff into a link fragment (without the `#`), shrinking it to fit
/// [`LINK_BUDGET`] as [`encode`] does: long names first, then fewer rows per table (the
/// largest changes kept); what was left out is said in the diff's notes.
#[must_use]
pub fn encode_diff(diff: &DiffReport) -> String {
    use crate::diff::link;
    let pack_diff = |d: &DiffReport, note: Option<&str>| {
        let mut t = d.clone();
        if let Some(note) = note {
            t.notes.push(format!("Shared link: {note}; open the traces for the full diff."));
        }
        pack_json(DIFF_PREFIX, &serde_json::to_vec(&t).unwrap_or_default())
    };
    let first = pack_diff(diff, None);
    if first.len() <= LINK_BUDGET {
        return first;
    }
    let mut d = diff.clone();
    link::shrink_details(&mut d);
    let mut out = pack_diff(
        &d,
        Some("names longer than 120 characters and extra names of normalised matches are left out"),
    );
    let mut keep = link::max_rows(&d);
    while keep > 1 && out.len() > LINK_BUDGET {
        keep = keep * 3 / 4;
        let mut t = d.clone();
        link::keep_rows(&mut t, keep);
        out = pack_diff(&t, Some(&format!("only the top {keep} rows per table are included")));
    }
    out
}

/// Decodes a diff link fragment (with or without the leading `#`).
///
/// # Errors
/// See [`ShareError`]; a report link (`#r1.…`) gives [`ShareError::NotADiffLink`].
pub fn decode_diff(fragment: &str) -> Result<DiffReport, ShareError> {
    let body = link_body(fragment);
    let Some((version, data)) = body.split_once('.') else {
        return Err(ShareError::NotADiffLink);
    };
    if !version.starts_with('d') || version.len() < 2 {
        return Err(ShareError::NotADiffLink);
    }
    if format!("{version}.") != DIFF_PREFIX {
        return Err(ShareError::UnknownVersion(version.to_owned()));
    }
    check_length(data)?;
    let text = unpack(data)?;
    Ok(DiffReport::from_json(&text)?)
}

/// base64url → inflate (bounded) → UTF-8 text.
fn unpack(data: &str) -> Result<String, ShareError> {
    let packed = base64url_decode(data).ok_or_else(|| ShareError::Damaged("not base64url".into()))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON)
        .map_err(|_| ShareError::Damaged("not compressed data".into()))?;
    String::from_utf8(json).map_err(|_| ShareError::Damaged("not text".into()))
}

/// Decodes a link fragment (with or without the leading `#`).
///
/// # Errors
/// See [`ShareError`].
pub fn decode(fragment: &str) -> Result<Report, ShareError> {
    let body = link_body(fragment);
    let Some((version, data)) = body.split_once('.') else {
        return Err(ShareError::NotALink);
    };
    if !version.starts_with('r') || version.len() < 2 {
        return Err(ShareError::NotALink);
    }
    if format!("{version}.") != PREFIX {
        return Err(ShareError::UnknownVersion(version.to_owned()));
    }
    check_length(data)?;
    let text = unpack(data)?;
    let mut report = Report::from_json(&text)?;
    check_size(&report)?;
    crate::verdict::write(&mut report);
    // Links made before rows had ids: give them theirs.
    crate::ids::fill(&mut report);
    Ok(report)
}

/// The link of a fragment: without `#` and without the page's parameters after the first
/// `&` (`tab=`, `q=`: [`crate::fragment`]; the base64url payload never holds `&`).
fn link_body(fragment: &str) -> &str {
    let body = fragment.trim().trim_start_matches('#');
    body.split('&').next().unwrap_or(body)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
#[must_use]
pub fn base64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for k in 0..chars {
            let idx = (n >> (18 - 6 * k)) & 63;
            out.push(char::from(ALPHABET.get(idx as usize).copied().unwrap_or(b'A')));
        }
    }
    out
}

/// Decodes base64url (padding and whitespace tolerated); `None` on any other character.
#[must_use]
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' | b' ' | b'\n' | b'\r' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or(0));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trip() {
        for n in 0..40usize {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
            let enc = base64url_encode(&data);
            assert!(enc.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
            assert_eq!(base64url_decode(&enc).as_deref(), Some(data.as_slice()));
        }
        assert_eq!(base64url_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url_decode("Zm9vYg"), Some(b"foob".to_vec()));
        assert_eq!(base64url_decode("Zm9v!"), None);
    }

    #[test]
    fn bad_links_say_why() {
        assert_eq!(decode("#hello"), Err(ShareError::NotALink));
        assert_eq!(decode(""), Err(ShareError::NotALink));
        assert!(matches!(decode("#r9.abc"), Err(ShareError::UnknownVersion(_))));
        assert!(matches!(decode("#r1.%%%"), Err(ShareError::Damaged(_))));
        assert!(matches!(decode("#r1.AAAA"), Err(ShareError::Damaged(_))));
        let not_report =
            format!("r1.{}", base64url_encode(&miniz_oxide::deflate::compress_to_vec(b"{\"a\":1}", 6)));
        assert!(matches!(decode(&not_report), Err(ShareError::Document(_))));
        let newer = br#"{"schema":"tracetriage.report","version":99}"#;
        let newer = format!("r1.{}", base64url_encode(&miniz_oxide::deflate::compress_to_vec(newer, 6)));
        assert!(matches!(decode(&newer), Err(ShareError::Document(DocumentError::Newer { .. }))));
        let long = format!("r1.{}", "A".repeat(MAX_LINK + 1));
        let err = decode(&long).unwrap_err();
        assert!(matches!(err, ShareError::TooLarge(_)), "{err}");
        assert!(
            err.to_string().starts_with("this report link is larger than tracetriage makes them"),
            "{err}"
        );
        assert!(matches!(
            decode_diff(&format!("d1.{}", "A".repeat(MAX_LINK + 1))),
            Err(ShareError::TooLarge(_))
        ));
    }
}
