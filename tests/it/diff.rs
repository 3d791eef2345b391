//! A/B diffs (`report::diff`): a hand-built pair whose deltas are known by
//! construction, diff links that round-trip, and the two reviewed golden diffs of the
//! corpus (two ranks of one capture; a LoRA batch-128 decode against a batch-16 decode).

use report::diff;
use report::diff::DiffOptions;
use report::diff::DiffReport;
use report::diff::Presence;
use report::engine::triage::Input;
use report::engine::triage::Options;
use report::engine::vocab::MatchKind;
use report::engine::vocab::Stage;

use crate::common;

const FLASH_A: &str =
    "void flash::flash_fwd_kernel<Flash_fwd_kernel_traits<128, 64, 64, 4>, true>(Flash_fwd_params)";
const FLASH_B: &str =
    "void flash::flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4>, true>(Flash_fwd_params)";
const AR: &str = "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)";
const SOFTMAX: &str = "softmax_warp_forward_kernel";
const NORM: &str = "rms_norm_kernel";

/// A one-stream trace of `(name, start µs, duration µs)`, triaged with every row listed.
fn report(kernels: &[(&str, i64, i64)]) -> report::Report {
    let events: Vec<String> = kernels
        .iter()
        .enumerate()
        .map(|(n, (name, ts, dur))| {
            format!(
                r#"{{"ph":"X","cat":"kernel","name":"{name}","pid":0,"tid":7,"ts":{ts},"dur":{dur},"args":{{"device":0,"stream":7,"correlation":{n}}}}}"#
            )
        })
        .collect();
    let json = format!(r#"{{"traceEvents":[{}]}}"#, events.join(","));
    let trace = report::trace::load(json.as_bytes()).unwrap();
    let options = Options { min_share_pct: 0.0, ..Options::default() };
    report::triage::triage_with(
        &[Input { path: "t.json", trace: &trace }],
        &options,
        report::engine::Catalog::builtin(),
    )
}

/// A: attention 2 × 100 µs, all-reduce 50, softmax 30 (busy 280 µs, 50 idle).
/// B: attention 2 × 80 µs (another tile shape), all-reduce 70, RMS norm 20 (busy 250, 50 idle).
fn pair() -> DiffReport {
    let a = report(&[(FLASH_A, 0, 100), (AR, 100, 50), (FLASH_A, 200, 100), (SOFTMAX, 300, 30)]);
    let b = report(&[(FLASH_B, 0, 80), (AR, 80, 70), (FLASH_B, 200, 80), (NORM, 280, 20)]);
    diff::diff(
        &a,
        &b,
        &DiffOptions { top: 20, a_source: "a".into(), b_source: "b".into(), ..DiffOptions::default() },
    )
}

const US: i64 = 1000;

#[test]
fn hand_built_pair_has_the_deltas_it_was_built_with() {
    let d = pair();
    let [s] = d.stages.as_slice() else { panic!("one stage: {:?}", d.stages) };
    assert_eq!(s.stage, Stage::All);
    let m = &s.summary;
    assert_eq!((m.a.kernel_ns, m.b.kernel_ns, m.delta.kernel_ns), (280 * US, 250 * US, -30 * US));
    assert_eq!((m.a.busy_ns, m.b.busy_ns, m.delta.busy_ns), (280 * US, 250 * US, -30 * US));
    assert_eq!((m.a.launches, m.b.launches, m.delta.launches), (4, 4, 0));
    // Nothing hides the all-reduce on a single stream: all of it is exposed.
    assert_eq!(
        (m.a.exposed_comm_ns, m.b.exposed_comm_ns, m.delta.exposed_comm_ns),
        (Some(50 * US), Some(70 * US), Some(20 * US))
    );
    assert_eq!(m.delta.idle_ns, Some(0), "50 µs idle on both sides");

    // Both sides: attention (normalised match, −40 µs) before the all-reduce (+20 µs).
    let both: Vec<(MatchKind, i64, i64, i64)> =
        s.kernels.rows.iter().map(|k| (k.matched, k.a.gpu_ns, k.b.gpu_ns, k.delta_ns)).collect();
    assert_eq!(
        both,
        [
            (MatchKind::Normalised, 200 * US, 160 * US, -40 * US),
            (MatchKind::Exact, 50 * US, 70 * US, 20 * US)
        ]
    );
    let attn = s.kernels.rows.first().unwrap();
    assert!((attn.a.share_pct - 100.0 * 200.0 / 280.0).abs() < 1e-9);
    assert!((attn.b.share_pct - 64.0).abs() < 1e-9);
    assert!((attn.delta_share_pct - (64.0 - 100.0 * 200.0 / 280.0)).abs() < 1e-9);
    assert_eq!((attn.a.launches, attn.b.launches), (2, 2));

    let only = |rows: &diff::Rows<diff::KernelDiff>| -> Vec<(String, Presence, i64)> {
        rows.rows.iter().map(|k| (k.name.clone(), k.presence, k.delta_ns)).collect()
    };
    assert_eq!(only(&s.only_a), [(SOFTMAX.to_owned(), Presence::OnlyA, -30 * US)]);
    assert_eq!(only(&s.only_b), [(NORM.to_owned(), Presence::OnlyB, 20 * US)]);
    assert!(!s.only_a.rows[0].maybe_unlisted, "B lists every kernel");

    // Categories: sorted by absolute change, and their deltas add up to the kernel delta.
    let deltas: Vec<i64> = s.categories.iter().map(|c| c.delta_ns).collect();
    assert!(deltas.windows(2).all(|w| w[0].abs() >= w[1].abs()), "{deltas:?}");
    assert_eq!(deltas.iter().sum::<i64>(), -30 * US);

    // Markdown names both sides; JSON reads back.
    let md = diff::markdown::render(&d);
    assert!(md.starts_with("Diff View\nA: a\nB: b\n"), "{md}");
    assert!(md.contains("Only in A") && md.contains(SOFTMAX), "{md}");
    assert_eq!(DiffReport::from_json(&d.to_json()).unwrap(), d);
}

#[test]
fn diff_links_round_trip_and_are_not_report_links() {
    let d = pair();
    let link = report::share::encode_diff(&d);
    assert!(link.starts_with("d1."), "{link}");
    assert_eq!(
        report::share::decode_diff(&format!("#{link}")).unwrap(),
        d,
        "a small diff round-trips exactly"
    );
    assert!(matches!(report::share::decode(&link), Err(report::share::ShareError::NotALink)));
    let report_link = report::share::encode(&report(&[(AR, 0, 10)]));
    assert!(matches!(report::share::decode_diff(&report_link), Err(report::share::ShareError::NotADiffLink)));
    let mut damaged = link.clone();
    damaged.truncate(link.len() / 2);
    assert!(matches!(report::share::decode_diff(&damaged), Err(report::share::ShareError::Damaged(_))));
}

#[test]
fn each_stage_carries_both_verdicts_as_the_reports_write_them() {
    let a = report(&[(FLASH_A, 0, 100), (AR, 100, 50), (FLASH_A, 200, 100), (SOFTMAX, 300, 30)]);
    let b = report(&[(AR, 0, 200), (NORM, 250, 20)]);
    let d = diff::diff(&a, &b, &DiffOptions { top: 20, ..DiffOptions::default() });
    let [s] = d.stages.as_slice() else { panic!("one stage: {:?}", d.stages) };
    for (side, r) in [(&s.a_verdict, &a), (&s.b_verdict, &b)] {
        let stage = &r.stages[0];
        assert!(stage.verdict.computed && !stage.verdict.text.is_empty());
        assert_eq!(side.text, stage.verdict.text, "the verdict line of the report");
        let fixes: Vec<String> = stage.fix_first.iter().map(|f| f.text.clone()).collect();
        assert_eq!(side.fix_first, fixes, "the fix-first lines of the report");
    }
    assert_ne!(s.a_verdict.text, s.b_verdict.text);
    // The view shows both; a diff of an older build (no verdicts) reads back and says so.
    let [(_, a_text, _), (_, b_text, _)] = diff::view::verdicts(s);
    assert_eq!((a_text.as_str(), b_text.as_str()), (s.a_verdict.text.as_str(), s.b_verdict.text.as_str()));
    let mut json: serde_json::Value = serde_json::from_str(&d.to_json()).unwrap();
    for stage in json["stages"].as_array_mut().unwrap() {
        let stage = stage.as_object_mut().unwrap();
        stage.remove("a_verdict");
        stage.remove("b_verdict");
    }
    let old = DiffReport::from_json(&json.to_string()).unwrap();
    assert_eq!(old.stages[0].a_verdict, diff::SideVerdict::default());
    assert!(diff::view::verdicts(&old.stages[0])[0].1.starts_with("No verdict"));
}

/// A corpus trace triaged as `tracetriage diff` does (every row listed).
fn corpus_report(file: &str) -> report::Report {
    let trace = report::trace::load(&common::read(&common::corpus_file(file))).unwrap();
    let path = format!("../shared/traces/{file}");
    let options = Options { min_share_pct: 0.0, ..Options::default() };
    report::triage::triage_with(
        &[Input { path: &path, trace: &trace }],
        &options,
        report::engine::Catalog::builtin(),
    )
}

fn check_golden(name: &str, d: &DiffReport) {
    let md = diff::markdown::render(d);
    if let Some(problem) = crate::golden::check(name, &md) {
        panic!("{problem}");
    }
    // A link of the real diff fits the budget and keeps the summary figures.
    let link = report::share::encode_diff(d);
    assert!(link.len() <= report::share::LINK_BUDGET, "{name}: link of {} bytes", link.len());
    let back = report::share::decode_diff(&link).unwrap();
    for (a, b) in d.stages.iter().zip(&back.stages) {
        assert_eq!(a.summary, b.summary);
    }
}

#[test]
fn tp0_vs_tp1_matches_the_golden_file() {
    testkit::needs_corpus!();
    let a = corpus_report("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz");
    let b = corpus_report("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-1.trace.json.gz");
    let d = diff::diff(&a, &b, &DiffOptions { top: 20, ..DiffOptions::default() });
    // Every stage pairs with its own kind, and each stage's deltas add up.
    assert!(d.stages.iter().all(|s| s.stage == s.b_stage));
    for s in &d.stages {
        let listed: i64 = s.categories.iter().map(|c| c.delta_ns).sum();
        let unlisted = s.unlisted.b_ns - s.unlisted.a_ns;
        assert_eq!(listed + unlisted, s.summary.delta.kernel_ns, "{}", s.label);
    }
    check_golden("diff-tp0-vs-tp1.md", &d);
}

#[test]
fn lora_decode_vs_bs16_decode_matches_the_golden_file() {
    testkit::needs_corpus!();
    let a = corpus_report("sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz");
    let b = corpus_report("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz");
    let d =
        diff::diff(&a, &b, &DiffOptions { top: 20, stage: Some(Stage::Decode), ..DiffOptions::default() });
    let [s] = d.stages.as_slice() else { panic!("one decode pair: {:?}", d.notes) };
    assert_eq!((s.stage, s.b_stage), (Stage::Decode, Stage::Decode));
    // The LoRA kernels run in A only.
    assert!(s.only_a.rows.iter().any(|k| k.name.to_lowercase().contains("lora")), "{:?}", s.only_a.rows);
    check_golden("diff-lora-vs-bs16-decode.md", &d);
}
