//! The overlap table and timeline on real traces: exposed communication is found and named,
//! the sweep's figures agree with the kernel table, every stage's timeline strip stays
//! small, and the SVG, hit test and ASCII renderings hold on a real decode step.

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
            }
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
