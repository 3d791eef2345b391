//! Verdict rules and fix-first estimates on hand-built stage figures.

use super::{StageFigures, stage};
use crate::results::fuse::{Confidence, FuseKernel, FuseRow, FuseState, FuseTable};
use crate::results::kernels::{KernelRow, KernelSite, StageSummary};
use crate::results::overlap::{
    BubbleCause, Bubbles, CauseShare, DepRisk, OverlapRow, OverlapTable, Recommendation, SweepFigures,
    Verdict, Waiting,
};
use crate::results::roofline::{Bound, RowRoofline};
use crate::results::verdict::{FixKind, Reading};
use crate::vocab::{Category, Family, MatchKind, Via};

const MS: i64 = 1_000_000;

fn row(name: &str, category: Category, ms: i64, total_ms: i64) -> KernelRow {
    KernelRow {
        row_id: String::new(),
        name: name.to_owned(),
        category,
        gpu_ns: ms * MS,
        share_pct: 100.0 * ms as f64 / total_ms as f64,
        launches: 10,
        graph_launches: 0,
        sites: vec![KernelSite {
            location: format!("model.py:1 {name}"),
            stack: String::new(),
            launches: 10,
            gpu_ns: ms * MS,
            share_pct: 100.0,
            cpu_op: String::new(),
            graph: false,
            via: Via::Direct,
            matched: MatchKind::None,
        }],
        via: Via::Direct,
        matched: MatchKind::None,
        roofline: RowRoofline::default(),
    }
}

fn summary(kernel_ms: i64, busy_ms: i64, span_ms: i64, steps: u64) -> StageSummary {
    StageSummary {
        start_ns: 0,
        end_ns: span_ms * MS,
        span_ns: span_ms * MS,
        busy_ns: busy_ms * MS,
        kernel_ns: kernel_ms * MS,
        launches: 100,
        graph_replay_ns: 0,
        steps,
        utilization_pct: 100.0 * busy_ms as f64 / span_ms as f64,
    }
}

fn overlap_row(kernel: &str, category: Category, total_ms: i64, exposed_ms: i64) -> OverlapRow {
    OverlapRow {
        row_id: String::new(),
        priority: 1,
        verdict: Verdict::Headroom,
        kernel: kernel.to_owned(),
        category: Some(category),
        python_scope: "layer.py:7 forward".to_owned(),
        graph: true,
        via: Via::GraphLaunch,
        launches: 10,
        total_ns: total_ms * MS,
        exclusive_ns: exposed_ms * MS,
        hidden_ns: (total_ms - exposed_ms) * MS,
        hidden_by_compute_ns: (total_ms - exposed_ms) * MS,
        exposed_ns: exposed_ms * MS,
        recoverable_ns: exposed_ms * MS,
        share_pct: 0.0,
        dep_risk: DepRisk::Low,
        dep_signal: String::new(),
        recommendation: Recommendation::TryOverlap,
        waiting: None,
        copies: None,
    }
}

fn overlap(comm_ms: i64, exposed_comm_ms: i64, busy_ms: i64, rows: Vec<OverlapRow>) -> OverlapTable {
    OverlapTable {
        computed: true,
        sweep: SweepFigures {
            busy_ns: busy_ms * MS,
            comm_ns: comm_ms * MS,
            exposed_comm_ns: exposed_comm_ms * MS,
            ..SweepFigures::default()
        },
        rows,
        ..OverlapTable::default()
    }
}

fn bubbles(idle_ms: i64, causes: &[(BubbleCause, i64)]) -> Bubbles {
    Bubbles {
        idle_ns: idle_ms * MS,
        gaps: 40,
        causes: causes.iter().map(|&(cause, ms)| CauseShare { cause, ns: ms * MS }).collect(),
        largest: Vec::new(),
    }
}

fn figures<'a>(
    summary: &'a StageSummary,
    rows: &'a [KernelRow],
    overlap: &'a OverlapTable,
    fuse: &'a FuseTable,
) -> StageFigures<'a> {
    StageFigures { summary, rows, overlap, fuse, min_share_pct: 1.0 }
}

#[test]
fn exposed_communication_over_a_quarter_of_busy_time_is_communication_bound() {
    let rows = vec![
        row("void all_reduce_two_shot_kernel<float>", Category::Communication, 50, 100),
        row("gemm_a", Category::Gemm, 40, 100),
        row("norm_a", Category::Norm, 10, 100),
    ];
    let s = summary(100, 100, 110, 10);
    let mut ar = overlap_row("void all_reduce_two_shot_kernel<float>", Category::Communication, 50, 50);
    ar.waiting = Some(Waiting { share_pct: 50.0, max_ns: 16 * MS, median_ns: MS });
    ar.recommendation = Recommendation::LoadAllRanks;
    let o = overlap(50, 50, 100, vec![ar]);
    let fuse = FuseTable::default();
    let (v, fixes) = stage(&figures(&s, &rows, &o, &fuse));
    let Reading::Communication { family, kernel, exposed_pct, busy_share_pct, waiting, .. } = v.reading
    else {
        panic!("communication-bound expected, got {:?}", v.reading)
    };
    assert_eq!(family, Family::AllReduce);
    assert_eq!(kernel.short, "all_reduce_two_shot_kernel");
    assert!((exposed_pct - 100.0).abs() < 1e-9 && (busy_share_pct - 50.0).abs() < 1e-9);
    assert_eq!(waiting.map(|w| (w.max_ns, w.median_ns)), Some((16 * MS, MS)));
    // The wait (time above the median launch: 50 − 10 × 1 ms) and the overlappable rest
    // add up to the exposed time, never more.
    let wait = fixes.iter().find(|f| f.kind == FixKind::PeerWait).expect("a peer-wait finding");
    let comm =
        fixes.iter().find(|f| f.kind == FixKind::ExposedComm).expect("an exposed-communication finding");
    assert_eq!(wait.saving_ns, 40 * MS);
    assert_eq!(comm.saving_ns, 10 * MS);
    assert_eq!(wait.per_step_ns, 4 * MS);
    assert!((wait.stage_pct - 100.0 * 40.0 / 110.0).abs() < 1e-9);
    assert_eq!((wait.row.table.as_str(), wait.graph), ("overlap", true));
}

#[test]
fn cpu_caused_idle_makes_a_stage_launch_bound_and_the_larger_reading_wins() {
    let rows = vec![row("gemm_a", Category::Gemm, 30, 60), row("attn", Category::Attention, 30, 60)];
    let s = summary(60, 60, 100, 4);
    let mut o = overlap(0, 0, 60, Vec::new());
    o.bubbles = bubbles(40, &[(BubbleCause::Launch, 30), (BubbleCause::Graph, 10)]);
    let fuse = FuseTable::default();
    let (v, fixes) = stage(&figures(&s, &rows, &o, &fuse));
    let Reading::Launch { idle_pct, cpu_pct, cause, .. } = v.reading else {
        panic!("launch-bound expected, got {:?}", v.reading)
    };
    assert!((idle_pct - 40.0).abs() < 1e-9 && (cpu_pct - 75.0).abs() < 1e-9);
    assert_eq!(cause, BubbleCause::Launch);
    let gaps = fixes.iter().find(|f| f.kind == FixKind::LaunchGaps).expect("launch gaps");
    assert_eq!(gaps.saving_ns, 30 * MS, "graph-internal idle is not counted");
    assert_eq!(gaps.basis, "try CUDA graphs");
    // Idle explained by GPU-side causes only: not launch-bound.
    o.bubbles = bubbles(40, &[(BubbleCause::Graph, 25), (BubbleCause::Queued, 15)]);
    let (v, _) = stage(&figures(&s, &rows, &o, &fuse));
    assert!(matches!(v.reading, Reading::Balanced { .. }), "{:?}", v.reading);
    // Both readings hold: more exposed communication (35 ms) than CPU idle (30 ms).
    let rows = vec![row("nccl_AllGather", Category::Communication, 35, 60), row("g", Category::Gemm, 25, 60)];
    let mut o = overlap(35, 35, 60, vec![overlap_row("nccl_AllGather", Category::Communication, 35, 35)]);
    o.bubbles = bubbles(40, &[(BubbleCause::Launch, 30)]);
    let (v, _) = stage(&figures(&s, &rows, &o, &fuse));
    assert!(matches!(v.reading, Reading::Communication { .. }), "{:?}", v.reading);
}

#[test]
fn a_dominant_category_is_named_with_its_largest_kernels_and_roofline() {
    let mut rows = vec![
        row("Cijk_a", Category::Gemm, 50, 100),
        row("Cijk_b", Category::Gemm, 20, 100),
        row("Cijk_c", Category::Gemm, 15, 100),
        row("Cijk_d", Category::Gemm, 5, 100),
        row("norm", Category::Norm, 10, 100),
    ];
    for r in rows.iter_mut().take(3) {
        r.roofline = RowRoofline {
            roof_fraction: Some(0.5),
            bound: Some(Bound::Compute),
            roofline_ns: r.gpu_ns,
            ..RowRoofline::default()
        };
    }
    let s = summary(100, 100, 100, 1);
    let o = overlap(0, 0, 100, Vec::new());
    let fuse = FuseTable::default();
    let (v, _) = stage(&figures(&s, &rows, &o, &fuse));
    let Reading::Kernels { category, share_pct, top, kernels, roof } = v.reading else {
        panic!("kernel-bound expected, got {:?}", v.reading)
    };
    assert_eq!((category, kernels), (Category::Gemm, 4));
    assert!((share_pct - 90.0).abs() < 1e-9);
    // 50 + 20 + 15 = 85 ms ≥ 80% of the 90 ms of GEMMs: three named.
    assert_eq!(top.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(), ["Cijk_a", "Cijk_b", "Cijk_c"]);
    let roof = roof.expect("a roofline reading");
    assert_eq!(roof.bound, Bound::Compute);
    assert!((roof.roof_fraction - 0.5).abs() < 1e-9 && (roof.figured_pct - 85.0 / 0.9).abs() < 1e-6);
    assert_eq!(v.categories.first().map(|c| c.category), Some(Category::Gemm));
    assert_eq!(v.categories.iter().map(|c| c.gpu_ns).sum::<i64>(), 100 * MS);
}

#[test]
fn no_dominant_category_reads_the_roofline_or_balanced() {
    let mut rows = vec![
        row("a", Category::Attention, 35, 100),
        row("g", Category::Gemm, 35, 100),
        row("n", Category::Norm, 30, 100),
    ];
    let s = summary(100, 100, 100, 1);
    let o = overlap(0, 0, 100, Vec::new());
    let fuse = FuseTable::default();
    let (v, _) = stage(&figures(&s, &rows, &o, &fuse));
    let Reading::Balanced { top } = v.reading else { panic!("balanced expected, got {:?}", v.reading) };
    assert_eq!(top.len(), 3);
    for r in &mut rows {
        r.roofline = RowRoofline {
            roof_fraction: Some(0.8),
            bound: Some(Bound::Memory),
            roofline_ns: r.gpu_ns,
            ..Default::default()
        };
    }
    let (v, _) = stage(&figures(&s, &rows, &o, &fuse));
    assert!(
        matches!(&v.reading, Reading::Roofline { roof } if roof.bound == Bound::Memory),
        "{:?}",
        v.reading
    );
    // 35% compute-bound, 65% memory-bound: neither has two thirds, no roofline claim.
    if let Some(r) = rows.get_mut(0) {
        r.roofline.bound = Some(Bound::Compute);
    }
    let (v, _) = stage(&figures(&s, &rows, &o, &fuse));
    assert!(matches!(v.reading, Reading::Balanced { .. }), "{:?}", v.reading);
}

#[test]
fn an_empty_stage_reads_empty() {
    let s = StageSummary::default();
    let o = OverlapTable::default();
    let fuse = FuseTable::default();
    let (v, fixes) = stage(&figures(&s, &[], &o, &fuse));
    assert_eq!(v.reading, Reading::Empty);
    assert!(fixes.is_empty());
}

fn fuse_row(kernels: &[(&str, &str, i64)], fused_present: bool) -> FuseRow {
    FuseRow {
        row_id: String::new(),
        id: "qk-norm-rope".to_owned(),
        pattern: "Fused QK norm + RoPE".to_owned(),
        origin: crate::catalog::fuse::Origin::Mainline,
        pr: None,
        confidence: Confidence::Confirmed,
        fused_present,
        state: FuseState::of(fused_present, false, crate::catalog::fuse::Origin::Mainline),
        gpu_ns: kernels.iter().map(|k| k.2 * MS).sum(),
        share_pct: 0.0,
        kernels: kernels
            .iter()
            .map(|&(name, role, ms)| FuseKernel {
                name: name.to_owned(),
                gpu_ns: ms * MS,
                share_pct: 0.0,
                role: role.to_owned(),
                locations: Vec::new(),
            })
            .collect(),
        paths: Vec::new(),
        rationale: String::new(),
        refs: Vec::new(),
    }
}

#[test]
fn fix_first_ranks_by_saving_cuts_small_findings_and_keeps_five() {
    let mut rows = vec![
        row("qknorm", Category::Norm, 6, 100),
        row("rope", Category::Rope, 4, 100),
        row("gemm", Category::Gemm, 60, 100),
        row("attn", Category::Attention, 30, 100),
    ];
    if let Some(r) = rows.get_mut(2) {
        r.roofline = RowRoofline {
            roof_fraction: Some(0.25),
            bound: Some(Bound::Compute),
            roofline_ns: r.gpu_ns,
            headroom_ns: Some(45 * MS),
            ..RowRoofline::default()
        };
    }
    let s = summary(100, 100, 200, 10);
    let mut copy = overlap_row("Memcpy DtoH", Category::Memory, 8, 8);
    copy.recommendation = Recommendation::AvoidSync;
    let small = overlap_row("nccl_tiny", Category::Communication, 1, 1);
    let mut o = overlap(
        21,
        20,
        100,
        vec![overlap_row("nccl_AllReduce", Category::Communication, 20, 20), copy, small],
    );
    o.bubbles = bubbles(100, &[(BubbleCause::Python, 30), (BubbleCause::Sync, 12)]);
    let fuse = FuseTable {
        rows: vec![
            fuse_row(&[("qknorm", "norm", 6), ("rope", "rope", 4)], false),
            fuse_row(&[("fused", "fused", 9)], true),
        ],
        ..FuseTable::default()
    };
    let (_, fixes) = stage(&figures(&s, &rows, &o, &fuse));
    let got: Vec<(FixKind, i64)> = fixes.iter().map(|f| (f.kind, f.saving_ns / MS)).collect();
    assert_eq!(
        got,
        [
            (FixKind::BelowRoof, 45),
            (FixKind::LaunchGaps, 30),
            (FixKind::ExposedComm, 20),
            (FixKind::SyncGaps, 12),
            (FixKind::Copies, 8),
        ],
        "ranked by saving, five at most"
    );
    // The fuse finding (all but the longest split kernel: 4 ms = 2% of the 200 ms stage)
    // is sixth; the 1 ms collective (0.5% of the stage) is under the cutoff.
    let o2 = overlap(21, 20, 100, Vec::new());
    let (_, fixes) = stage(&figures(&s, &rows, &o2, &fuse));
    let fuse_fix = fixes.iter().find(|f| f.kind == FixKind::Fuse).expect("a fuse finding");
    assert_eq!((fuse_fix.saving_ns, fuse_fix.count), (4 * MS, 2));
    assert_eq!(fuse_fix.location, "model.py:1 qknorm");
    assert!(fixes.iter().all(|f| f.subject != "nccl_tiny"));
}
