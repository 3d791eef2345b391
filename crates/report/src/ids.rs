//! Citable rows: every row of a report's tables gets a stable id, `STAGE/KIND/NAME`
//! (`decode/kernel/fused_moe_kernel`, `prefill/overlap/ncclDevKernel_AllReduce…`,
//! `decode/fuse/fused_add_rmsnorm`, `decode/near-miss/…`, `decode/fix/launch-gaps/CPU
//! launch gaps`), so a reader (an agent over MCP, a person pasting into an issue) can name
//! exactly the row it means across calls and front ends.
//!
//! The id is built from what the row is, never from its position: the stage's JSON name
//! (with `.N`, the stage's first input index, when several stages of the report share it:
//! one per rank), the table's kind and the row's canonical name (kernel name, kernel family,
//! catalog id, finding kind and subject). Two rows of one table that would get the same id
//! (a kernel name seen in two categories) are told apart by `~2`, `~3`… in table order. The
//! ids are written once, when the report is made ([`assign`]), into the rows' `row_id`
//! fields; [`find`] looks one up. A layers report's rows are named by pass, layer and
//! position ([`assign_layers`]).

use engine::results::fuse::{FuseRow, NearMiss};
use engine::results::kernels::KernelRow;
use engine::results::layers::LayerAnalysis;
use engine::results::overlap::OverlapRow;
use engine::results::triage::{StageReport, Triage};
use engine::results::verdict::Fix;
use engine::vocab::Stage;

/// The kinds of citable rows, as they appear in ids.
pub const KINDS: [&str; 5] = ["kernel", "overlap", "fuse", "near-miss", "fix"];

/// A stage's JSON name (`prefill`, `decode`, `mixed`, `all`, `other`).
#[must_use]
pub fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Prefill => "prefill",
        Stage::Decode => "decode",
        Stage::Mixed => "mixed",
        Stage::All => "all",
        Stage::Other => "other",
    }
}

/// The id prefix of each stage of a report: its JSON name, or `name.N` (N: its first
/// input index) when several stages share the name.
#[must_use]
pub fn stage_keys<N>(t: &Triage<N>) -> Vec<String> {
    t.stages
        .iter()
        .map(|s| {
            let name = stage_name(s.stage);
            if t.stages.iter().filter(|o| o.stage == s.stage).count() > 1 {
                format!("{name}.{}", s.inputs.first().copied().unwrap_or(0))
            } else {
                name.to_owned()
            }
        })
        .collect()
}

/// Writes every row's `row_id` (see the module's documentation).
pub fn assign<N>(t: &mut Triage<N>) {
    let keys = stage_keys(t);
    for (stage, key) in t.stages.iter_mut().zip(keys) {
        assign_stage(stage, &key);
    }
}

/// Writes the row ids of a layers report: passes `pass/N`, the detailed pass's layers
/// `pass/N/layer/L`, the detailed layer's (and the compared layer's) kernels
/// `pass/N/layer/L/kernel/P` (P: the kernel's position in the layer). Pass, layer and
/// position numbers are what a layers analysis names its rows by.
pub fn assign_layers<N>(a: &mut LayerAnalysis<N>) {
    for p in &mut a.passes {
        p.row_id = format!("pass/{}", p.index);
    }
    if let Some(d) = &mut a.pass {
        for l in &mut d.layers {
            l.row_id = format!("pass/{}/layer/{}", d.index, l.index);
        }
    }
    let details = a.layer.iter_mut().chain(a.compare.iter_mut().map(|c| &mut c.other));
    for d in details {
        for k in &mut d.kernels {
            k.row_id = format!("pass/{}/layer/{}/kernel/{}", d.pass, d.layer, k.position);
        }
    }
}

/// Writes the ids of a report read back without them (written before rows had ids):
/// when any row's id is empty, every id is written again.
pub fn fill<N>(t: &mut Triage<N>) {
    if t.stages.iter().flat_map(rows).any(|r| r.id().is_empty()) {
        assign(t);
    }
}

fn assign_stage(s: &mut StageReport, key: &str) {
    let mut seen = Seen::default();
    for row in &mut s.kernels.rows {
        row.row_id = seen.id(key, "kernel", &row.name);
    }
    for row in &mut s.overlap.rows {
        row.row_id = seen.id(key, "overlap", &row.kernel);
    }
    for row in &mut s.fuse.rows {
        row.row_id = seen.id(key, "fuse", &row.id);
    }
    if let Some(near) = &mut s.fuse.near_miss {
        near.row_id = seen.id(key, "near-miss", &near.id);
    }
    for fix in &mut s.fix_first {
        let kind = serde_json::to_value(fix.kind).ok();
        let kind = kind.as_ref().and_then(serde_json::Value::as_str).unwrap_or("finding");
        fix.row_id = seen.id(key, "fix", &format!("{kind}/{}", fix.subject));
    }
}

/// The ids given so far in one stage, to tell repeats apart.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn id(&mut self, stage: &str, kind: &str, name: &str) -> String {
        let base = format!("{stage}/{kind}/{name}");
        let mut id = base.clone();
        let mut n = 1;
        while self.0.contains(&id) {
            n += 1;
            id = format!("{base}~{n}");
        }
        self.0.push(id.clone());
        id
    }
}

/// A row found by its id, with the stage it belongs to.
#[derive(Clone, Copy, Debug)]
pub struct Cited<'a, N> {
    /// The stage the row is in.
    pub stage: &'a StageReport,
    /// The report the stage is in.
    pub report: &'a Triage<N>,
    /// The row.
    pub row: Row<'a>,
}

/// One row of one of a stage's tables.
#[derive(Clone, Copy, Debug)]
pub enum Row<'a> {
    /// A kernel table row.
    Kernel(&'a KernelRow),
    /// An overlap table row.
    Overlap(&'a OverlapRow),
    /// A fuse table row.
    Fuse(&'a FuseRow),
    /// The fuse table's near miss.
    NearMiss(&'a NearMiss),
    /// A fix-first finding.
    Fix(&'a Fix),
}

impl Row<'_> {
    /// The row's id.
    #[must_use]
    pub fn id(&self) -> &str {
        match self {
            Row::Kernel(r) => &r.row_id,
            Row::Overlap(r) => &r.row_id,
            Row::Fuse(r) => &r.row_id,
            Row::NearMiss(r) => &r.row_id,
            Row::Fix(r) => &r.row_id,
        }
    }

    /// The kind of row, as in ids (`kernel`, `overlap`…).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Row::Kernel(_) => "kernel",
            Row::Overlap(_) => "overlap",
            Row::Fuse(_) => "fuse",
            Row::NearMiss(_) => "near-miss",
            Row::Fix(_) => "fix",
        }
    }
}

/// Every citable row of a stage, in table order (kernels, overlap, fuse, near miss, fix-first).
pub fn rows(s: &StageReport) -> impl Iterator<Item = Row<'_>> {
    let kernels = s.kernels.rows.iter().map(Row::Kernel);
    let overlap = s.overlap.rows.iter().map(Row::Overlap);
    let fuse = s.fuse.rows.iter().map(Row::Fuse);
    let near = s.fuse.near_miss.iter().map(Row::NearMiss);
    let fix = s.fix_first.iter().map(Row::Fix);
    kernels.chain(overlap).chain(fuse).chain(near).chain(fix)
}

/// The row whose id is `id`, if the report has it.
#[must_use]
pub fn find<'a, N>(t: &'a Triage<N>, id: &str) -> Option<Cited<'a, N>> {
    t.stages
        .iter()
        .find_map(|stage| rows(stage).find(|r| r.id() == id).map(|row| Cited { stage, report: t, row }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_told_apart_in_order() {
        let mut seen = Seen::default();
        assert_eq!(seen.id("decode", "kernel", "gemm"), "decode/kernel/gemm");
        assert_eq!(seen.id("decode", "kernel", "gemm"), "decode/kernel/gemm~2");
        assert_eq!(seen.id("decode", "kernel", "gemm"), "decode/kernel/gemm~3");
        assert_eq!(seen.id("decode", "overlap", "gemm"), "decode/overlap/gemm");
    }

    fn report() -> crate::Report {
        let json = br#"{"traceEvents": [
          {"ph": "X", "cat": "kernel", "name": "gemm_kernel", "pid": 0, "tid": 7, "ts": 10, "dur": 20,
           "args": {"stream": 7, "correlation": 1}},
          {"ph": "X", "cat": "kernel", "name": "rms_norm/fused", "pid": 0, "tid": 7, "ts": 40, "dur": 5,
           "args": {"stream": 7, "correlation": 2}}
        ]}"#;
        let trace = engine::trace::load(json).expect("a trace");
        let inputs = [engine::triage::Input { path: "x.json", trace: &trace }];
        crate::triage::triage(&inputs, &engine::triage::Options::default())
    }

    #[test]
    fn a_report_s_rows_have_ids_that_find_them() {
        let r = report();
        let ids: Vec<String> = r.stages.iter().flat_map(rows).map(|row| row.id().to_owned()).collect();
        assert!(ids.contains(&"all/kernel/gemm_kernel".to_owned()), "{ids:?}");
        assert!(ids.contains(&"all/kernel/rms_norm/fused".to_owned()), "{ids:?}");
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        let cited = find(&r, "all/kernel/rms_norm/fused").expect("found");
        assert!(matches!(cited.row, Row::Kernel(k) if k.name == "rms_norm/fused"));
        assert_eq!(cited.row.kind(), "kernel");
        assert!(find(&r, "all/kernel/nothing").is_none());
        // The JSON carries them, and a report read back without them gets them again.
        let json = r.to_json();
        assert!(json.contains("\"row_id\": \"all/kernel/gemm_kernel\""), "{json}");
        let mut old = crate::Report::from_json(&json.replace("\"row_id\": \"all/kernel/gemm_kernel\",", ""))
            .expect("read back");
        assert!(find(&old, "all/kernel/gemm_kernel").is_none());
        fill(&mut old);
        assert_eq!(old, r);
    }

    #[test]
    fn stages_sharing_a_name_are_told_apart_by_input() {
        let mut r = report();
        let mut second = r.stages[0].clone();
        second.inputs = vec![1];
        r.stages.push(second);
        assert_eq!(stage_keys(&r), ["all.0", "all.1"]);
        assign(&mut r);
        assert_eq!(r.stages[1].kernels.rows[0].row_id, "all.1/kernel/gemm_kernel");
    }
}
