//! The overlap table and timeline on real traces: exposed communication is found and named,
//! the sweep's figures agree with the kernel table, every stage's timeline strip stays
//! small, and the SVG, hit test and ASCII renderings hold on a real decode step. Serial
//! rows: a synthetic decode whose graph replays run one dependent chain on one stream has
//! its compute rows folded away, and keeps them once a second stream works beside it.

use report::Report;
use report::engine::timeline;
use report::engine::timeline::Timeline;
use report::engine::vocab::Category;
use report::engine::vocab::Stage;
use report::overlap::OverlapRow;
use report::overlap::Verdict;

use crate::common;
use crate::golden::report_of;

fn corpus(name: &str) -> Report {
    report_of(&common::corpus_file(name), name)
}

fn row<'a>(rows: &'a [OverlapRow], needle: &str) -> Option<&'a OverlapRow> {
    rows.iter().find(|r| r.kernel.contains(needle))
}

/// A decode-like trace: `steps` SGLang decode steps, each one `cudaGraphLaunch` replaying
/// a dependent chain on stream 7 (GEMM, norm, attention, all-reduce, activation and a
/// device-to-device copy, 1 µs apart). With `beside`, each step also launches a short
/// all-gather on stream 9 that runs beside the chain's GEMM.
fn decode_trace(steps: u32, beside: bool) -> String {
    const CHAIN: [(&str, &str, u32); 6] = [
        ("kernel", "nvjet_tst_128x64_v_bz_TNN", 40),
        ("kernel", "vllm::rms_norm_kernel", 10),
        ("kernel", "flash_fwd_splitkv_kernel", 30),
        ("kernel", "ncclDevKernel_AllReduce_Sum_bf16_RING_LL", 20),
        ("kernel", "vllm::act_and_mul_kernel", 10),
        ("gpu_memcpy", "Memcpy DtoD (Device -> Device)", 8),
    ];
    let mut events = Vec::new();
    let mut corr = 1;
    for s in 0..steps {
        let cpu = 1_000 + s * 1_000;
        events.push(format!(
            r#"{{"ph":"X","cat":"user_annotation","name":"step[DECODE bs=16]","pid":1,"tid":1,"ts":{cpu},"dur":50}}"#
        ));
        events.push(format!(
            r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaGraphLaunch","pid":1,"tid":1,"ts":{},"dur":5,"args":{{"correlation":{corr}}}}}"#,
            cpu + 2
        ));
        let mut gpu = cpu + 20;
        for (cat, name, dur) in CHAIN {
            events.push(format!(
                r#"{{"ph":"X","cat":"{cat}","name":"{name}","pid":0,"tid":7,"ts":{gpu},"dur":{dur},"args":{{"device":0,"stream":7,"correlation":{corr}}}}}"#
            ));
            gpu += dur + 1;
        }
        corr += 1;
        if beside {
            events.push(format!(
                r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":{},"dur":3,"args":{{"correlation":{corr}}}}}"#,
                cpu + 10
            ));
            events.push(format!(
                r#"{{"ph":"X","cat":"kernel","name":"ncclDevKernel_AllGather_RING_LL","pid":0,"tid":9,"ts":{},"dur":6,"args":{{"device":0,"stream":9,"correlation":{corr}}}}}"#,
                cpu + 25
            ));
            corr += 1;
        }
    }
    format!(r#"{{"traceEvents":[{}]}}"#, events.join(",\n"))
}

fn decode_report(beside: bool) -> Report {
    let trace = report::trace::load(decode_trace(4, beside).as_bytes()).unwrap();
    // A neutral name: a path naming a stage (`…DECODE…`) would make it one stage without steps.
    let inputs = [report::engine::triage::Input { path: "serial.json", trace: &trace }];
    report::triage::triage_with(
        &inputs,
        &report::engine::triage::Options::default(),
        report::engine::Catalog::builtin(),
    )
}

#[test]
fn a_serial_chain_on_one_stream_is_folded_away() {
    let report = decode_report(false);
    let s = report.stages.iter().find(|s| s.stage == Stage::Decode).expect("a decode stage");
    let o = &s.overlap;
    assert_eq!((o.sweep.streams, s.summary.steps), (1, 4));
    // GEMM, norm, attention and activation ran with nothing beside them: folded.
    assert_eq!(o.serial_folded_rows, 4, "{:#?}", o.rows);
    assert_eq!(o.serial_folded_ns, 4 * (40 + 10 + 30 + 10) * 1_000);
    for r in &o.rows {
        assert!(
            matches!(r.category, None | Some(Category::Communication) | Some(Category::Memory)),
            "{} should be folded",
            r.kernel
        );
    }
    // Communication is never folded, nor is a copy that could move to a copy engine; both
    // recover their exposed time.
    let ar = row(&o.rows, "AllReduce").expect("the all-reduce stays");
    assert_eq!((ar.verdict, ar.recoverable_ns, ar.exposed_ns), (Verdict::Headroom, 80_000, 80_000));
    let copy = row(&o.rows, "Memcpy DtoD").expect("the copy stays");
    assert_eq!((copy.verdict, copy.recoverable_ns), (Verdict::Headroom, 32_000));
    // The gaps inside the replays are GPU-side: no recoverable idle time.
    if let Some(b) = o.rows.iter().find(|r| r.verdict == Verdict::Bubbles) {
        assert_eq!(b.recoverable_ns, 0, "{b:?}");
    }
    // The footer says what was folded, in the report's own formats.
    let md = report::markdown::render(&report);
    let line = format!(
        "4 rows on a single busy stream folded away ({}, {} of GPU busy time)",
        report::format::ms(o.serial_folded_ns),
        report::format::pct(report::format::share(o.serial_folded_ns, o.sweep.busy_ns))
    );
    assert!(md.contains(&line), "{md}");
    assert!(md.contains("| Recoverable |"), "{md}");
    // And it reads back from JSON.
    let back = Report::from_json(&report.to_json()).unwrap();
    assert_eq!(back, report);
}

#[test]
fn a_second_busy_stream_keeps_the_chain_rows() {
    let report = decode_report(true);
    let s = report.stages.iter().find(|s| s.stage == Stage::Decode).expect("a decode stage");
    let o = &s.overlap;
    assert_eq!((o.sweep.streams, o.serial_folded_rows, o.serial_folded_ns), (2, 0, 0));
    for needle in ["nvjet_tst", "rms_norm", "flash_fwd_splitkv", "act_and_mul"] {
        let r = row(&o.rows, needle).unwrap_or_else(|| panic!("{needle}: row kept: {:#?}", o.rows));
        assert_eq!(r.verdict, Verdict::Headroom, "{needle}");
        assert!(r.recoverable_ns > 0 && r.recoverable_ns == r.exclusive_ns, "{needle}: {r:?}");
    }
    // The GEMM lost the all-gather's 6 µs per step to the other stream.
    let gemm = row(&o.rows, "nvjet_tst").unwrap();
    assert_eq!((gemm.total_ns, gemm.recoverable_ns), (160_000, 160_000 - 4 * 6_000));
    let ar = row(&o.rows, "AllReduce").expect("the all-reduce stays");
    assert_eq!(ar.recoverable_ns, ar.exposed_ns);
    // Ranked by priority, then by recoverable time.
    for w in o.rows.windows(2) {
        assert!(
            (w[0].priority, std::cmp::Reverse(w[0].recoverable_ns))
                <= (w[1].priority, std::cmp::Reverse(w[1].recoverable_ns)),
            "{} before {}",
            w[0].kernel,
            w[1].kernel
        );
    }
    assert!(!report::markdown::render(&report).contains("folded away"));
}

#[test]
fn sglang_tp0_names_the_exposed_all_reduce() {
    testkit::needs_corpus!();
    let report = corpus("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz");
    let md = report::markdown::render(&report);
    let overlap_md =
        md.split("Overlap Opportunity Table").nth(1).unwrap().split("Fuse Opportunity Table").next().unwrap();
    assert!(!overlap_md.contains("not available"), "{overlap_md}");
    for (stage, kernel) in
        [(Stage::Prefill, "all_reduce_two_shot_kernel"), (Stage::Decode, "all_reduce_one_shot_push_kernel")]
    {
        let s = report.stages.iter().find(|s| s.stage == stage).unwrap();
        assert!(s.overlap.computed);
        let r = row(&s.overlap.rows, kernel).unwrap_or_else(|| panic!("{stage:?}: no {kernel} row"));
        assert_eq!(r.category, Some(Category::Communication));
        assert_eq!(r.verdict, Verdict::Headroom);
        // Its time is the kernel table's, and nearly all of it is exposed (one compute stream).
        let k = s.kernels.rows.iter().find(|k| k.name == r.kernel).unwrap();
        assert_eq!(r.total_ns, k.gpu_ns);
        assert!(
            r.exposed_ns as f64 >= 0.95 * r.total_ns as f64,
            "{stage:?}: {} of {}",
            r.exposed_ns,
            r.total_ns
        );
        assert!(r.waiting.is_some(), "{stage:?}: a collective this large is flagged as waiting on peers");
        // The markdown names it with its exposed time.
        assert!(overlap_md.contains(kernel));
        assert!(
            overlap_md.contains(&format!("exposed {}", report::format::ms(r.exposed_ns))),
            "{overlap_md}"
        );
        assert!(overlap_md.contains("load all ranks"));
    }
}

#[test]
fn hta_ddp_finds_nccl_all_reduce_exposure() {
    testkit::needs_corpus!();
    let report = corpus("hta_v100_2rank_ddp_rank1_large.trace.json.gz");
    let s = &report.stages[0];
    let r = row(&s.overlap.rows, "ncclKernel_AllReduce").expect("an NCCL all-reduce row");
    assert_eq!(r.category, Some(Category::Communication));
    // NCCL runs on its own stream here but nothing overlaps it: all of it is exposed.
    assert_eq!(s.overlap.sweep.streams, 2);
    assert_eq!(s.overlap.sweep.overlap_ns, 0);
    assert_eq!(r.exposed_ns, r.total_ns);
    assert!(r.share_pct > 30.0, "{}", r.share_pct);
    assert_eq!(s.overlap.sweep.exposed_comm_ns, s.overlap.sweep.comm_ns);
}

#[test]
fn every_corpus_stage_has_consistent_sweep_figures_and_a_small_strip() {
    testkit::needs_corpus!();
    for (name, report) in crate::golden::corpus_reports() {
        for s in &report.stages {
            let o = &s.overlap;
            let what = format!("{name} {}", s.label);
            assert!(o.computed, "{what}");
            assert_eq!(o.sweep.busy_ns, s.summary.busy_ns, "{what}: busy");
            assert_eq!(o.sweep.span_ns, s.summary.span_ns, "{what}: span");
            assert_eq!(o.sweep.kernel_ns, s.summary.kernel_ns, "{what}: Σ");
            assert!(o.sweep.overlap_ns <= o.sweep.busy_ns && o.sweep.busy_ns <= o.sweep.span_ns, "{what}");
            assert_eq!(o.sweep.idle_ns, o.sweep.span_ns - o.sweep.busy_ns, "{what}: idle");
            assert_eq!(o.bubbles.idle_ns, o.sweep.idle_ns, "{what}: bubbles add up to the idle time");
            assert_eq!(
                o.bubbles.causes.iter().map(|c| c.ns).sum::<i64>(),
                o.bubbles.idle_ns,
                "{what}: causes"
            );
            for r in &o.rows {
                assert_eq!(r.exclusive_ns + r.hidden_ns, r.total_ns, "{what}: {}", r.kernel);
                assert!(r.hidden_by_compute_ns <= r.hidden_ns && (1..=5).contains(&r.priority), "{what}");
                assert!(r.share_pct >= report.min_share_pct, "{what}: {} below the cutoff", r.kernel);
                // Recoverable time: communication its exposed time, hidden rows nothing.
                assert!((0..=r.total_ns).contains(&r.recoverable_ns), "{what}: {}", r.kernel);
                match r.verdict {
                    Verdict::LowRoiHidden => assert_eq!(r.recoverable_ns, 0, "{what}: {}", r.kernel),
                    Verdict::Bubbles => assert!(r.recoverable_ns <= r.exposed_ns, "{what}"),
                    _ if r.category == Some(Category::Communication) => {
                        assert_eq!(r.recoverable_ns, r.exposed_ns, "{what}: {}", r.kernel)
                    }
                    _ => {}
                }
            }
            for w in o.rows.windows(2) {
                let key = |r: &OverlapRow| (r.priority, std::cmp::Reverse(r.recoverable_ns));
                assert!(key(&w[0]) <= key(&w[1]), "{what}: {} before {}", w[0].kernel, w[1].kernel);
            }
            assert!(o.serial_folded_ns <= o.sweep.busy_ns, "{what}");
            let t = o.timeline.as_ref().unwrap_or_else(|| panic!("{what}: no timeline"));
            let json = serde_json::to_string(t).unwrap();
            assert!(json.len() <= 2048, "{what}: timeline summary is {} bytes", json.len());
            assert!(
                !t.lanes.is_empty()
                    && t.lanes.iter().all(|l| l.strip.chars().count() == t.overlap.chars().count())
            );
            assert_eq!(t.end_ns - t.start_ns, t.bin_ns * t.overlap.chars().count() as i64, "{what}");
            // Decoding a strip gives segments inside the window.
            for lane in &t.lanes {
                for (a, b, _) in t.segments(lane) {
                    assert!(t.start_ns <= a && a < b && b <= t.end_ns, "{what}");
                }
            }
        }
    }
}

fn decode_timeline() -> Timeline {
    let name = "sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz";
    let trace = report::trace::load(&common::read(&common::corpus_file(name))).unwrap();
    Timeline::of(&trace, name, report::engine::Catalog::builtin())
}

#[test]
fn svg_of_a_real_decode_step_stays_small_and_hit_tests_against_the_model() {
    testkit::needs_corpus!();
    let tl = decode_timeline();
    let w = tl.busiest_step(Stage::Decode).expect("a decode step");
    let kernels: usize = tl.lanes.iter().map(|l| l.in_window(w).len()).sum();
    assert!(kernels > 2_000, "the busiest decode step has {kernels} activities");
    let (width, height) = (1200, 240);
    let svg = report::timeline::svg::render(&tl, w, width, height, &report::timeline::Palette::default());
    assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
    for tag in ["text", "svg"] {
        assert_eq!(
            svg.matches(&format!("<{tag}")).count(),
            svg.matches(&format!("</{tag}>")).count(),
            "{tag}"
        );
    }
    for lane in &tl.lanes {
        assert!(svg.contains(&format!("\n{}\n</text>", lane.label)), "lane {} labelled", lane.label);
    }
    let layout = timeline::Layout::new(width, height, tl.lanes.len());
    let rects = svg.matches("<rect").count();
    let bound = tl.lanes.len() * layout.plot_width() as usize + 2 * layout.plot_width() as usize;
    assert!(rects <= bound, "{rects} rectangles for {kernels} kernels (bound {bound})");
    assert!(svg.len() < 400_000, "{} bytes", svg.len());
    // Hover the middle of the longest kernel of the step.
    let (lane, i) = tl
        .lanes
        .iter()
        .enumerate()
        .flat_map(|(l, lane)| lane.range(w).map(move |i| (l, i)))
        .max_by_key(|&(l, i)| (tl.lanes[l].dur_ns[i], std::cmp::Reverse((l, i))))
        .unwrap();
    let mid = tl.lanes[lane].start_ns[i] + tl.lanes[lane].dur_ns[i] / 2;
    let h = tl.hit(w, width, lane, layout.x_at(w, mid)).expect("a kernel under the cursor");
    assert_eq!((h.lane, h.index), (lane, i));
    assert_eq!(h.name, tl.names[tl.lanes[lane].name[i] as usize]);
    assert!(h.site.as_deref().is_some_and(|s| s.ends_with("[graph]")), "a replayed kernel: {:?}", h.site);
    assert_eq!(tl.lane_at(height, layout.lane_top(lane) + 1.0), Some(lane));
}

#[test]
fn ascii_of_the_busiest_step() {
    testkit::needs_corpus!();
    let tl = decode_timeline();
    let w = tl.busiest_step(Stage::Decode).unwrap();
    let text = report::timeline::ascii::render(&tl, w, 100);
    let lanes = tl.lanes.iter().filter(|l| !l.in_window(w).is_empty()).count();
    let rows = text.lines().filter(|l| l.starts_with("stream ")).count();
    assert_eq!(rows, lanes, "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 110), "{text}");
    assert!(text.contains("legend: ") && text.contains("= communication"), "{text}");
}
