//! All ranks of one capture (`report::engine::ranks`): hand-built rank sets whose skews,
//! waiting, exposure and spreads are known by construction, and the four ranks of the
//! real GB300 TP-4 capture against a reviewed golden file, with one skew recomputed
//! independently from the raw JSON.

use std::path::Path;

use report::engine::triage::Input;
use report::engine::triage::Options;
use report::ranks::Alignment;
use report::ranks::RanksReport;

use crate::common;

const AR: &str = "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)";
const AG: &str = "ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)";
const GEMM: &str = "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64";

/// One rank's trace: `kernels` are `(name, stream, start µs, duration µs)` with start on
/// the common axis; the file writes `start − shift_us` under `base`.
fn rank_trace(
    rank: i64,
    base: i64,
    shift_us: i64,
    kernels: &[(&str, i64, i64, i64)],
) -> report::trace::Trace {
    let events: Vec<String> = kernels
        .iter()
        .enumerate()
        .map(|(n, (name, stream, ts, dur))| {
            format!(
                r#"{{"ph":"X","cat":"kernel","name":"{name}","pid":0,"tid":{stream},"ts":{},"dur":{dur},"args":{{"device":0,"stream":{stream},"correlation":{n}}}}}"#,
                ts - shift_us
            )
        })
        .collect();
    let json = format!(
        r#"{{"baseTimeNanoseconds":{base},"distributedInfo":{{"rank":{rank},"world_size":3}},"traceEvents":[{}]}}"#,
        events.join(",")
    );
    report::trace::load(json.as_bytes()).unwrap()
}

/// Three ranks, three all-reduces and one all-gather (rank 2 runs a second one). Rank 1's
/// base time is 1 ms earlier than rank 0's and rank 2's 2 ms later, and their files write
/// `ts` relative to it, so only the base-time alignment puts them together.
///
/// | collective | starts (r0, r1, r2) | common end | skew | last |
/// |------------|---------------------|------------|------|------|
/// | AR 1       | 100, 110, 130       | 150        | 30   | 2    |
/// | AR 2       | 300, 340, 310       | 360        | 40   | 1    |
/// | AR 3       | 500, 505, 525       | 540        | 25   | 2    |
/// | AG 1       | 700, 700, 720       | 730        | 20   | 2    |
fn three_ranks() -> Vec<report::trace::Trace> {
    const BASE: i64 = 1_700_000_000_000_000_000;
    let r0 = rank_trace(
        0,
        BASE,
        0,
        &[(AR, 20, 100, 50), (AR, 20, 300, 60), (AR, 20, 500, 40), (AG, 20, 700, 30), (GEMM, 7, 100, 20)],
    );
    let r1 = rank_trace(
        1,
        BASE - 1_000_000,
        -1000,
        &[(AR, 20, 110, 40), (AR, 20, 340, 20), (AR, 20, 505, 35), (AG, 20, 700, 30)],
    );
    let r2 = rank_trace(
        2,
        BASE + 2_000_000,
        2000,
        &[
            (AR, 20, 130, 20),
            (AR, 20, 310, 50),
            (AR, 20, 525, 15),
            (AG, 20, 720, 10),
            (AG, 20, 800, 10),
            (GEMM, 7, 140, 5),
        ],
    );
    vec![r0, r1, r2]
}

fn report(traces: &[report::trace::Trace], paths: &[&str]) -> RanksReport {
    let inputs: Vec<Input<'_>> =
        paths.iter().zip(traces).map(|(path, trace)| Input { path, trace }).collect();
    report::ranks::compare(&inputs, &Options::default(), report::engine::Catalog::builtin())
}

const US: i64 = 1000;

#[test]
fn hand_built_ranks_have_the_skews_they_were_built_with() {
    let traces = three_ranks();
    // Given out of order: the report sorts by rank.
    let mut given: Vec<report::trace::Trace> = traces.into_iter().rev().collect();
    given.rotate_left(1); // r1, r0, r2
    let r = report(&given, &["r1.json", "r0.json", "r2.json"]);
    assert_eq!(r.inputs.iter().map(|i| i.rank).collect::<Vec<_>>(), [0, 1, 2]);
    assert!(r.inputs.iter().all(|i| i.alignment == Alignment::BaseTime));
    // Offsets are base − smallest base (rank 1's).
    assert_eq!(r.inputs.iter().map(|i| i.offset_ns).collect::<Vec<_>>(), [1_000_000, 0, 3_000_000]);
    let [stage] = r.stages.as_slice() else { panic!("one stage: {:?}", r.stages) };
    assert_eq!(stage.ranks, [0, 1, 2]);

    let ar = stage.collectives.iter().find(|c| c.family.label() == "all-reduce").unwrap();
    assert_eq!(ar.matched, 3);
    assert_eq!(
        (ar.skew_median_ns, ar.skew_p90_ns, ar.skew_max_ns, ar.skew_total_ns),
        (30 * US, 40 * US, 40 * US, 95 * US)
    );
    assert_eq!(ar.last_counts, [0, 1, 2]);
    assert_eq!((ar.last_rank, ar.last_count), (Some(2), 2));
    assert_eq!(ar.end_spread_median_ns, 0, "every all-reduce ends together once aligned");
    // Waiting: latest start − own start. r0 30+40+25, r1 20+0+20, r2 0+30+0.
    assert_eq!(ar.wait_ns, (95 + 40 + 30) * US);
    assert_eq!(ar.comm_ns, (150 + 95 + 85) * US);
    assert!(ar.unmatched.is_empty());

    let ag = stage.collectives.iter().find(|c| c.family.label() == "all-gather").unwrap();
    assert_eq!(ag.matched, 1);
    assert_eq!((ag.skew_median_ns, ag.skew_max_ns), (20 * US, 20 * US));
    assert_eq!((ag.last_rank, ag.last_count), (Some(2), 1));
    assert_eq!(ag.wait_ns, 40 * US);
    assert_eq!(ag.unmatched.iter().map(|u| (u.rank, u.count)).collect::<Vec<_>>(), [(2, 1)]);
    assert!(r.notes.iter().any(|n| n.contains("all-gather: ranks ran different numbers")), "{:?}", r.notes);

    let f: Vec<_> = stage.figures.iter().map(|f| (f.rank, f)).collect();
    let fig = |rank: i64| f.iter().find(|(r, _)| *r == rank).unwrap().1;
    // Rank 0: waits 30, 40, 25 in the all-reduces and 20 in the all-gather.
    assert_eq!((fig(0).comm_ns, fig(0).wait_ns, fig(0).transfer_ns), (180 * US, 115 * US, 65 * US));
    // Its GEMM (100–120 µs) hides 20 µs of the first wait (100–130).
    assert_eq!(fig(0).exposed_wait_ns, 95 * US);
    assert_eq!(fig(0).exposed_ns, 65 * US);
    // Union of its activity: 50 + 60 + 40 + 30 µs (the GEMM lies inside the first all-reduce).
    assert_eq!(fig(0).busy_ns, 180 * US);
    // Rank 1: waits 20, 0, 20 and 20.
    assert_eq!((fig(1).comm_ns, fig(1).wait_ns, fig(1).exposed_ns), (125 * US, 60 * US, 65 * US));
    // Rank 2: waits 0, 30, 0 and 0 (last into the all-gather); its GEMM (140–145) hides 5 µs of the first transfer
    // (130–150). The extra all-gather (unmatched) is all transfer.
    assert_eq!((fig(2).comm_ns, fig(2).wait_ns), (105 * US, 30 * US));
    assert_eq!((fig(2).transfer_ns, fig(2).exposed_ns, fig(2).exposed_wait_ns), (75 * US, 70 * US, 30 * US));
    assert_eq!(fig(2).collectives, 5);
    assert_eq!([fig(0).last_arrivals, fig(1).last_arrivals, fig(2).last_arrivals], [0, 1, 3]);

    // Per-kernel spread: the GEMM runs 20 µs on rank 0, 5 on rank 2, none on rank 1.
    let gemm = stage.kernels.rows.iter().find(|k| k.name.contains("xmma_gemm")).unwrap();
    assert_eq!(gemm.per_rank_ns, [20 * US, 0, 5 * US]);
    assert_eq!((gemm.min_ns, gemm.median_ns, gemm.max_ns), (0, 5 * US, 20 * US));
    assert_eq!((gemm.min_rank, gemm.max_rank), (1, 0));
    let all_reduce = stage.kernels.rows.iter().find(|k| k.name.contains("AllReduce")).unwrap();
    assert_eq!(all_reduce.per_rank_ns, [150 * US, 95 * US, 85 * US]);
    assert_eq!(all_reduce.median_ns, 95 * US);

    // Markdown and JSON carry the same figures.
    let md = report::ranks::markdown::render(&r);
    assert!(md.contains("| all-reduce |"), "{md}");
    assert!(md.contains("rank 2 (2 of 3)"), "{md}");
    let back = RanksReport::from_json(&r.to_json()).unwrap();
    assert_eq!(back, r);
}

#[test]
fn a_rank_that_is_always_late_is_named_and_its_peers_wait() {
    // Two ranks, ten all-reduces: rank 1 always arrives 7 µs late (i µs extra on the i-th),
    // and every collective ends together 5 µs after it arrives.
    const BASE: i64 = 1_000_000_000;
    let mut k0 = Vec::new();
    let mut k1 = Vec::new();
    for i in 0..10 {
        let t = 1000 * i;
        k0.push((AR, 20, t, 7 + i + 5));
        k1.push((AR, 20, t + 7 + i, 5));
    }
    let traces = vec![rank_trace(0, BASE, 0, &k0), rank_trace(1, BASE, 0, &k1)];
    let r = report(&traces, &["a", "b"]);
    let ar = r.stages.first().unwrap().collectives.first().unwrap();
    // Skews 7..=16 µs: median (11 + 12) / 2, p90 the 9th, max the 10th.
    assert_eq!((ar.skew_median_ns, ar.skew_p90_ns, ar.skew_max_ns), (11_500, 15_000, 16_000));
    assert_eq!((ar.last_rank, ar.last_count, ar.last_counts.clone()), (Some(1), 10, vec![0, 10]));
    let figures = &r.stages.first().unwrap().figures;
    // Rank 0 waits the whole skew; rank 1 not at all; both transfer 5 µs each time.
    assert_eq!(
        figures.iter().map(|f| (f.wait_ns, f.transfer_ns)).collect::<Vec<_>>(),
        [(115_000, 50_000), (0, 50_000)]
    );
}

/// The four ranks of the GB300 TP-4 capture, shown under stable relative paths.
fn tp4() -> (Vec<String>, Vec<report::trace::Trace>) {
    let names: Vec<String> = (0..4)
        .map(|r| {
            format!("../shared/traces/sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-{r}.trace.json.gz")
        })
        .collect();
    let traces = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|r| {
                s.spawn(move || {
                    let path = common::corpus_file(&format!(
                        "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-{r}.trace.json.gz"
                    ));
                    report::trace::load(&common::read(&path)).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    (names, traces)
}

/// The raw kernels of one corpus file read with serde (independent of the engine's
/// loader): base time and `(name, start ns, end ns)` of every `cat: kernel` event.
fn raw_kernels(path: &Path) -> (i64, Vec<(String, i64, i64)>) {
    #[derive(serde::Deserialize)]
    struct Ev {
        cat: Option<String>,
        name: Option<String>,
        ts: Option<f64>,
        dur: Option<f64>,
    }
    #[derive(serde::Deserialize)]
    #[allow(non_snake_case)]
    struct File {
        baseTimeNanoseconds: i64,
        traceEvents: Vec<Ev>,
    }
    let f: File = serde_json::from_slice(&common::gunzip(&common::read(path))).unwrap();
    let ns = |us: f64| (us * 1000.0).round() as i64;
    let kernels = f
        .traceEvents
        .into_iter()
        .filter(|e| e.cat.as_deref() == Some("kernel"))
        .filter_map(|e| Some((e.name?, ns(e.ts?), ns(e.ts? + e.dur?))))
        .collect();
    (f.baseTimeNanoseconds, kernels)
}

#[test]
fn gb300_tp4_ranks_match_the_golden_file() {
    testkit::needs_corpus!();
    let (names, traces) = tp4();
    let r = report(&traces, &names.iter().map(String::as_str).collect::<Vec<_>>());
    let md = report::ranks::markdown::render(&r);
    if let Some(diff) = crate::golden::check("ranks-gb300-tp4.md", &md) {
        panic!("{diff}");
    }
    assert_eq!(RanksReport::from_json(&r.to_json()).unwrap(), r);

    // Independent cross-check of the all-reduce skews of the first stage: every kernel
    // whose name says all-reduce, per rank in start order, on base + ts.
    let raw: Vec<(i64, Vec<(i64, i64)>)> = (0..4)
        .map(|rank| {
            let (base, kernels) = raw_kernels(&common::corpus_file(&format!(
                "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-{rank}.trace.json.gz"
            )));
            let mut ar: Vec<(i64, i64)> = kernels
                .into_iter()
                .filter(|(n, ..)| {
                    let w: String =
                        n.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
                    w.contains("allreduce") || w.contains("lamport")
                })
                .map(|(_, s, e)| (base + s, base + e))
                .collect();
            ar.sort_unstable();
            (base, ar)
        })
        .collect();
    let count = raw.iter().map(|(_, ar)| ar.len()).min().unwrap();
    assert!(count > 0);
    let mut skews: Vec<i64> = (0..count)
        .map(|n| {
            let starts: Vec<i64> = raw.iter().map(|(_, ar)| ar[n].0).collect();
            starts.iter().max().unwrap() - starts.iter().min().unwrap()
        })
        .collect();
    let total: i64 = skews.iter().sum();
    skews.sort_unstable();
    let max = *skews.last().unwrap();
    // The engine's all-reduce rows over all stages add up to the same totals.
    let rows: Vec<_> = r
        .stages
        .iter()
        .flat_map(|s| s.collectives.iter())
        .filter(|c| c.family.label() == "all-reduce")
        .collect();
    assert_eq!(rows.iter().map(|c| c.matched).sum::<u64>(), count as u64);
    assert_eq!(rows.iter().map(|c| c.skew_total_ns).sum::<i64>(), total);
    assert_eq!(rows.iter().map(|c| c.skew_max_ns).max().unwrap(), max);
}
