//! The fuse-pattern table of a stage: which known fused-kernel families the stage already
//! uses, which it runs split although its framework has the fused path, and which
//! in-flight work would apply (rows from [`crate::analysis::fuse`]), plus at most one
//! near-miss note for a family that came close.
//!
//! Numbers are raw; every sentence and cell is built here, from [`crate::format`].

use serde::{Deserialize, Serialize};

use super::view::{Align, Cell, Column, Table};
use crate::catalog::fuse::{Dtype, Origin, Platform};
use crate::format;

/// How sure a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The fused path's own kernels are in the trace, or the split family takes at least
    /// the pattern's `likely_share`.
    Confirmed,
    /// Split kernels of the family, below `likely_share`.
    Candidate,
}

impl Confidence {
    /// `Confirmed` / `Candidate`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Confirmed => "Confirmed",
            Confidence::Candidate => "Candidate",
        }
    }
}

/// How close a near miss came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Similarity {
    /// Every split group (three or more) matched; only a gate could not be decided (model
    /// or TP size unknown).
    High,
    /// Every split group matched (fewer than three) with an undecided gate, or every split
    /// group but one matched (three or more groups) and the gates hold.
    Medium,
    /// Every split group but one matched, and a gate could not be decided.
    Low,
}

impl Similarity {
    /// `high`, `medium`, `low`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Similarity::High => "high",
            Similarity::Medium => "medium",
            Similarity::Low => "low",
        }
    }
}

/// A data type the run shows, and what showed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DtypeEvidence {
    /// `fp8`, `fp4` or `int8`.
    pub dtype: Dtype,
    /// `kernel <name>` or `model <name>`.
    pub evidence: String,
}

/// What the gates were checked against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FuseContext {
    /// Framework id (`unknown`: framework-specific patterns were not checked).
    pub framework: String,
    /// Model name, or the model files seen on the Python stacks.
    pub model: Option<String>,
    /// Where `model` came from.
    pub model_source: Option<String>,
    /// Tensor-parallel size.
    pub tp_size: Option<i64>,
    /// Where `tp_size` came from (`server_args.json`, `distributedInfo.world_size`).
    pub tp_source: Option<String>,
    /// GPU platform, when known.
    pub platform: Option<Platform>,
    /// Low-precision data types in the run.
    pub dtypes: Vec<DtypeEvidence>,
}

/// One kernel row of a fuse row's family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FuseKernel {
    /// Canonical kernel name (the kernel table's row key).
    pub name: String,
    /// Its GPU time in the stage, ns.
    pub gpu_ns: i64,
    /// Its share of the stage's kernel time, %.
    pub share_pct: f64,
    /// `fused` (a fused-path signal matched) or the split group's name.
    pub role: String,
    /// Python locations that launched it (`path:line function`), most GPU time first.
    pub locations: Vec<String>,
}

/// One accepted fuse pattern.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FuseRow {
    /// Catalog id (look it up with `Catalog::entry`).
    pub id: String,
    /// Display name.
    pub pattern: String,
    /// Mainline, upstream or in-flight.
    pub origin: Origin,
    /// The pull request (`owner/repo#N`), for in-flight and PR-backed patterns.
    pub pr: Option<String>,
    /// Confirmed or Candidate.
    pub confidence: Confidence,
    /// Whether the fused path itself is in the trace (else only split kernels matched).
    pub fused_present: bool,
    /// Σ GPU time of the related kernel rows, ns.
    pub gpu_ns: i64,
    /// Its share of the stage's kernel time, %.
    pub share_pct: f64,
    /// The related kernel rows: fused-path rows first, then each split group's.
    pub kernels: Vec<FuseKernel>,
    /// Candidate source paths of the fused path.
    pub paths: Vec<String>,
    /// The catalog's one-line rationale.
    pub rationale: String,
    /// Reference entries about the same family.
    pub refs: Vec<String>,
}

/// A catalog family that came close without matching.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NearMiss {
    /// Catalog id.
    pub id: String,
    /// Display name.
    pub pattern: String,
    /// How close, computed from which signal groups matched and which gates were undecided.
    pub similarity: Similarity,
    /// Signal groups that matched (`fused path` or split-group names).
    pub matched: Vec<String>,
    /// Split groups with no matching kernel.
    pub missing: Vec<String>,
    /// Gates that could not be decided, as sentences (`the model is unknown; the pattern is for qwen3 models`).
    pub undecided: Vec<String>,
    /// Σ GPU time of the kernels that matched, ns.
    pub gpu_ns: i64,
    /// Its share of the stage's kernel time, %.
    pub share_pct: f64,
}

/// A stage's fuse-pattern table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FuseTable {
    /// Whether the matcher ran for this stage.
    pub computed: bool,
    /// What the gates read.
    #[serde(default)]
    pub context: FuseContext,
    /// Accepted patterns at or above the share cutoff, in acceptance order (priority,
    /// span, rows covered, GPU time, catalog order).
    #[serde(default)]
    pub rows: Vec<FuseRow>,
    /// Accepted patterns below the cutoff (not listed).
    #[serde(default)]
    pub hidden_rows: u64,
    /// Their GPU time, ns.
    #[serde(default)]
    pub hidden_ns: i64,
    /// Patterns the gates let through for this stage.
    #[serde(default)]
    pub patterns_checked: u64,
    /// The closest family that did not match, if any came close.
    #[serde(default)]
    pub near_miss: Option<NearMiss>,
}

const SHOWN_KERNELS: usize = 3;
const SHOWN_LOCATIONS: usize = 4;

/// `path:line function` → `function @ path:line` (the seed tool's form); other text unchanged.
#[must_use]
pub fn location_cell(location: &str) -> String {
    match location.split_once(' ') {
        Some((path, func)) if path.contains(':') && !func.trim().is_empty() => {
            format!("{} @ {path}", func.trim())
        }
        _ => location.to_owned(),
    }
}

/// The Rationale cell.
#[must_use]
pub fn rationale(row: &FuseRow) -> String {
    let share = format::pct(row.share_pct);
    match row.origin {
        Origin::Mainline if row.fused_present => {
            format!(
                "`{}` is present in this trace ({share} related GPU time). {}",
                row.pattern, row.rationale
            )
        }
        Origin::Mainline => format!(
            "Split kernels in this family take {share} of GPU time. This tree already has a matching path. {}",
            row.rationale
        ),
        Origin::Upstream => format!("Matches an upstream path ({share} related GPU time). {}", row.rationale),
        Origin::Inflight => {
            format!("Matches an open upstream path ({share} related GPU time). {}", row.rationale)
        }
    }
}

fn evidence_lines(row: &FuseRow) -> Vec<String> {
    let mut order: Vec<&FuseKernel> = row.kernels.iter().collect();
    order.sort_by(|a, b| b.gpu_ns.cmp(&a.gpu_ns).then_with(|| a.name.cmp(&b.name)));
    let mut lines: Vec<String> = order
        .iter()
        .take(SHOWN_KERNELS)
        .map(|k| {
            let role = if k.role == "fused" { ", fused path" } else { "" };
            format!("{} ({}{role})", k.name, format::pct(k.share_pct))
        })
        .collect();
    if order.len() > SHOWN_KERNELS {
        let rest = order.len() - SHOWN_KERNELS;
        lines.push(format!("… {rest} more kernel{}", if rest == 1 { "" } else { "s" }));
    }
    if lines.is_empty() {
        lines.push("-".to_owned());
    }
    lines
}

fn location_lines(row: &FuseRow) -> Vec<String> {
    let mut order: Vec<&FuseKernel> = row.kernels.iter().collect();
    order.sort_by(|a, b| b.gpu_ns.cmp(&a.gpu_ns).then_with(|| a.name.cmp(&b.name)));
    let mut out: Vec<String> = Vec::new();
    for loc in order.iter().flat_map(|k| k.locations.iter()) {
        let cell = location_cell(loc);
        if loc != "unresolved" && !out.contains(&cell) {
            out.push(cell);
        }
        if out.len() == SHOWN_LOCATIONS {
            break;
        }
    }
    if out.is_empty() {
        out.push("-".to_owned());
    }
    out
}

/// The candidate-path cell lines: `PR #N` first when there is a pull request.
#[must_use]
pub fn path_lines(row: &FuseRow) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(n) = row.pr.as_deref().and_then(|p| p.split_once('#')).map(|(_, n)| n) {
        out.push(format!("PR #{n}"));
    }
    out.extend(row.paths.iter().cloned());
    if out.is_empty() {
        out.push("-".to_owned());
    }
    out
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The near-miss note.
#[must_use]
pub fn near_miss_note(n: &NearMiss) -> String {
    let mut why = Vec::new();
    if n.missing.is_empty() {
        why.push(format!("every signal group matched ({})", list(&n.matched)));
    } else {
        let total = n.matched.len() + n.missing.len();
        why.push(format!(
            "{} of {total} split groups matched ({}); no kernel for {}",
            n.matched.len(),
            list(&n.matched),
            list(&n.missing)
        ));
    }
    why.extend(n.undecided.iter().cloned());
    format!(
        "Near miss (similarity {}): `{}` ({}, {} related GPU time): {}.",
        n.similarity.id(),
        n.pattern,
        n.id,
        format::pct(n.share_pct),
        why.join("; ")
    )
}

/// The presentation table of a stage's fuse rows.
#[must_use]
pub fn table(fuse: &FuseTable, min_share_pct: f64) -> Table {
    let columns = vec![
        Column { label: "Pattern", align: Align::Left },
        Column { label: "Confidence", align: Align::Left },
        Column { label: "Related GPU time", align: Align::Right },
        Column { label: "Share", align: Align::Right },
        Column { label: "Evidence kernels", align: Align::Left },
        Column { label: "Current kernel Python location", align: Align::Left },
        Column { label: "Candidate fused Python path", align: Align::Left },
        Column { label: "Rationale", align: Align::Left },
    ];
    let rows = fuse
        .rows
        .iter()
        .map(|row| {
            let mut share =
                Cell::num(format::pct(row.share_pct), row.share_pct, format!("{:.3}", row.share_pct));
            share.bar = Some(row.share_pct);
            vec![
                Cell::text(row.pattern.clone()),
                Cell::text(row.confidence.label()),
                Cell::num(
                    format::ms(row.gpu_ns),
                    row.gpu_ns as f64,
                    format!("{:.6}", row.gpu_ns as f64 / 1e6),
                ),
                share,
                Cell { lines: evidence_lines(row), sort: None, bar: None, raw: None },
                Cell { lines: location_lines(row), sort: None, bar: None, raw: None },
                Cell { lines: path_lines(row), sort: None, bar: None, raw: None },
                Cell::text(rationale(row)),
            ]
        })
        .collect();
    let mut footer: Vec<String> = Vec::new();
    if fuse.hidden_rows > 0 {
        footer.push(format!(
            "{} more matched pattern{} below the {} share cutoff ({} of GPU time).",
            format::count(fuse.hidden_rows),
            if fuse.hidden_rows == 1 { "" } else { "s" },
            format::pct(min_share_pct),
            format::ms(fuse.hidden_ns)
        ));
    }
    if let Some(n) = &fuse.near_miss {
        footer.push(near_miss_note(n));
    }
    let empty = if !fuse.computed {
        "Fuse-pattern matching did not run for this stage.".to_owned()
    } else if fuse.context.framework == "unknown" && fuse.patterns_checked == 0 {
        "No fuse pattern was checked: the serving framework is unknown (the catalog's patterns are framework-specific; see --framework).".to_owned()
    } else {
        "No source-backed fuse pattern matched this stage.".to_owned()
    };
    Table { columns, rows, empty, footer: (!footer.is_empty()).then(|| footer.join(" ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(
            location_cell("python/sglang/srt/layers/sampler.py:91 forward"),
            "forward @ python/sglang/srt/layers/sampler.py:91"
        );
        assert_eq!(location_cell("unresolved"), "unresolved");
        let n = NearMiss {
            id: "x".into(),
            pattern: "X".into(),
            similarity: Similarity::Medium,
            matched: vec!["RoPE".into(), "KV-cache write".into()],
            missing: vec!["QK norm".into()],
            undecided: vec![],
            gpu_ns: 1,
            share_pct: 2.0,
        };
        assert_eq!(
            near_miss_note(&n),
            "Near miss (similarity medium): `X` (x, 2.0% related GPU time): 2 of 3 split groups matched (RoPE and KV-cache write); no kernel for QK norm."
        );
    }
}
