//! Unit tests of the all-ranks analysis on tiny hand-built traces (the integration tests
//! in `tests/it/ranks.rs` cover bigger hand-built sets and the real TP-4 capture).

use super::{RankReduction, compare, compare_reductions, reduce};
use crate::Catalog;
use crate::results::notes::Note;
use crate::results::ranks::Alignment;
use crate::triage::{Input, Options};

/// A trace of one rank: `kernels` are `(name, stream, start µs, duration µs)`.
fn trace(rank: Option<i64>, base: Option<i64>, kernels: &[(&str, i64, i64, i64)]) -> trace::Trace {
    let mut events = Vec::new();
    for (n, (name, stream, ts, dur)) in kernels.iter().enumerate() {
        events.push(format!(
            r#"{{"ph":"X","cat":"kernel","name":"{name}","pid":0,"tid":{stream},"ts":{ts},"dur":{dur},"args":{{"device":0,"stream":{stream},"correlation":{n}}}}}"#
        ));
    }
    let mut top = Vec::new();
    if let Some(b) = base {
        top.push(format!(r#""baseTimeNanoseconds":{b}"#));
    }
    if let Some(r) = rank {
        top.push(format!(r#""distributedInfo":{{"rank":{r},"world_size":2}}"#));
    }
    top.push(format!(r#""traceEvents":[{}]"#, events.join(",")));
    let json = format!("{{{}}}", top.join(","));
    trace::load(json.as_bytes()).unwrap_or_default()
}

const AR: &str = "ncclDevKernel_AllReduce_Sum_bf16_RING_LL";

#[test]
fn without_base_times_the_first_collective_aligns_the_ranks() {
    // Rank 1's clock is 1 s ahead; its all-reduces start 10 µs late and 20 µs early.
    let a = trace(Some(0), None, &[(AR, 7, 100, 50), (AR, 7, 300, 50)]);
    let b = trace(Some(1), None, &[(AR, 7, 1_000_110, 40), (AR, 7, 1_000_280, 70)]);
    let inputs = [Input { path: "b", trace: &b }, Input { path: "a", trace: &a }];
    let r = compare(&inputs, &Options::default(), Catalog::builtin());
    assert_eq!(r.inputs.iter().map(|i| i.rank).collect::<Vec<_>>(), [0, 1]);
    assert!(r.inputs.iter().all(|i| i.alignment == Alignment::FirstCollective));
    assert_eq!(r.inputs.get(1).map(|i| i.offset_ns), Some(-1_000_000_000));
    let stage = r.stages.first().expect("one stage");
    let ar = stage.collectives.first().expect("all-reduce row");
    assert_eq!((ar.matched, ar.skew_max_ns, ar.skew_total_ns), (2, 20_000, 30_000));
    // Rank 1 is last into the first, rank 0 into the second: a tie, the lowest rank wins.
    assert_eq!(ar.last_counts, [1, 1]);
    assert_eq!((ar.last_rank, ar.last_count), (Some(0), 1));
    assert!(
        r.notes.iter().any(|n| matches!(n, Note::AlignedOnFirstCollective { missing: 2, traces: 2, .. })),
        "{:?}",
        r.notes
    );
}

#[test]
fn ranks_come_from_distributed_info_then_file_names_then_position() {
    let a = trace(None, Some(5), &[(AR, 7, 100, 50)]);
    let b = trace(Some(3), Some(5), &[(AR, 7, 100, 50)]);
    let c = trace(None, Some(5), &[(AR, 7, 100, 50)]);
    let inputs = [
        Input { path: "x/run-TP-1.trace.json", trace: &a },
        Input { path: "y.json", trace: &c },
        Input { path: "z.json", trace: &b },
    ];
    let r = compare(&inputs, &Options::default(), Catalog::builtin());
    let got: Vec<(i64, &str, &str)> =
        r.inputs.iter().map(|i| (i.rank, i.rank_source.as_str(), i.path.as_str())).collect();
    assert_eq!(
        got,
        [
            (1, "file name", "x/run-TP-1.trace.json"),
            (3, "distributedInfo", "z.json"),
            (4, "position", "y.json")
        ]
    );
    assert!(r.inputs.iter().all(|i| i.alignment == Alignment::BaseTime && i.offset_ns == 0));
}

#[test]
fn nothing_to_compare_is_a_note_not_a_failure() {
    let r = compare(&[], &Options::default(), Catalog::builtin());
    assert!(r.stages.is_empty() && !r.notes.is_empty());
    let empty = trace(Some(0), None, &[]);
    let r = compare(&[Input { path: "e", trace: &empty }], &Options::default(), Catalog::builtin());
    assert!(r.stages.is_empty());
    assert!(r.notes.iter().any(|n| matches!(n, Note::NoGpuActivity { .. })), "{:?}", r.notes);
    assert!(r.notes.contains(&Note::OnlyOneRank), "{:?}", r.notes);
}

#[test]
fn reductions_compare_as_the_traces_do_after_a_json_round_trip() {
    let gemm = "sm90_xmma_gemm_bf16bf16_bf16f32";
    let a = trace(Some(0), Some(5), &[(gemm, 8, 90, 80), (AR, 7, 100, 50), (AR, 7, 300, 50)]);
    let b = trace(Some(1), Some(7), &[(AR, 7, 110, 40), (gemm, 8, 200, 30), (AR, 7, 280, 70)]);
    let inputs = [Input { path: "b-TP-1.json", trace: &b }, Input { path: "a-TP-0.json", trace: &a }];
    let catalog = Catalog::builtin();
    let direct = compare(&inputs, &Options::default(), catalog);
    let reductions: Vec<RankReduction> = inputs
        .iter()
        .map(|i| reduce(i, catalog))
        .map(|r| serde_json::from_str(&serde_json::to_string(&r).expect("writes")).expect("reads"))
        .collect();
    assert_eq!(compare_reductions(&reductions, &Options::default()), direct);
    assert!(!direct.stages.is_empty());
    // Rank 0's reduction: its two all-reduces, each with the compute under it (the GEMM
    // covers the first one whole, nothing the second), and per-kernel totals by stage.
    let r0 = reductions.get(1).expect("rank 0");
    assert_eq!((r0.distributed_rank, r0.base_time_ns), (Some(0), Some(5)));
    let spans: Vec<_> = r0.comms.iter().map(|c| (c.start, c.end, c.compute.clone())).collect();
    assert_eq!(spans, [(100_000, 150_000, vec![(100_000, 150_000)]), (300_000, 350_000, vec![])]);
    let totals: Vec<(&str, i64, u64)> =
        r0.stages.iter().flat_map(|s| &s.kernels).map(|k| (r0.name(k.norm), k.ns, k.launches)).collect();
    assert_eq!(totals.len(), 2, "{totals:?}");
    assert!(totals.iter().any(|&(_, ns, n)| (ns, n) == (100_000, 2)), "{totals:?}");
}
