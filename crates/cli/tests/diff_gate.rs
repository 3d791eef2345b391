//! `tracetriage diff A B --fail-above PCT [--metric …]`: the CI gate on a pair of corpus
//! traces (two ranks of one SGLang GB300 capture), with thresholds chosen on both sides of
//! the regression the diff's own JSON shows.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types)]

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetriage")).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Rank 1 is the faster rank of this capture on every stage, so rank 0 as B regresses.
fn pair() -> (String, String) {
    let dir = testkit::traces_dir();
    let file = |r: u8| {
        dir.join(format!("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-{r}.trace.json.gz"))
            .to_string_lossy()
            .into_owned()
    };
    (file(1), file(0))
}

/// The largest per-stage growth of `figure` (`busy_ns`, `span_ns`, `kernel_ns`) from A to
/// B in a diff JSON, percent.
fn largest_growth(diff: &serde_json::Value, figure: &str) -> f64 {
    let stages = diff["stages"].as_array().unwrap();
    assert!(!stages.is_empty());
    stages
        .iter()
        .map(|s| {
            let a = s["summary"]["a"][figure].as_i64().unwrap();
            let b = s["summary"]["b"][figure].as_i64().unwrap();
            assert!(a > 0, "{figure} of A");
            (b - a) as f64 * 100.0 / a as f64
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

#[test]
fn fail_above_exits_3_when_b_regresses_more_than_the_threshold_and_0_otherwise() {
    testkit::needs_corpus!();
    let (a, b) = pair();
    let o = run(&["diff", "--format", "json", &a, &b]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "no verdict without --fail-above: {}", stderr(&o));
    let diff: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    for (metric, figure) in [("busy", "busy_ns"), ("wall", "span_ns"), ("kernel-time", "kernel_ns")] {
        let grew = largest_growth(&diff, figure);
        assert!(grew > 1.0, "B must regress on some stage to test the gate: {metric} {grew}%");
        let over = format!("{:.3}", grew / 2.0);
        let under = format!("{:.3}", grew + 1.0);

        // Under the measured regression: the gate fails, after writing the diff as usual.
        let o = run(&["diff", "--fail-above", &over, "--metric", metric, &a, &b]);
        assert_eq!(o.status.code(), Some(3), "{metric} --fail-above {over}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "one verdict line: {err}");
        assert!(err.starts_with("tracetriage: regression: B's "), "{err}");
        assert!(err.contains(" grew more than ") && err.contains(metric.replace('-', " ").as_str()), "{err}");
        let md = String::from_utf8(o.stdout).unwrap();
        assert!(md.starts_with("Diff View\n"), "the diff is still written: {md}");

        // Over it: the gate passes, and says so.
        let o = run(&["diff", "--fail-above", &under, "--metric", metric, &a, &b]);
        assert_eq!(o.status.code(), Some(0), "{metric} --fail-above {under}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "one verdict line: {err}");
        assert!(err.starts_with("tracetriage: within threshold: "), "{err}");
    }

    // The default metric is busy time.
    let busy = largest_growth(&diff, "busy_ns");
    let o = run(&["diff", "--fail-above", &format!("{:.3}", busy - 0.5), &a, &b]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("busy time"), "{}", stderr(&o));
    // B faster than A never fails, even at 0%.
    let o = run(&["diff", "--fail-above", "0", &b, &a]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_stage_on_one_side_only_is_named_and_does_not_fail() {
    testkit::needs_corpus!();
    // A has both stages, B (a decode-only trace) has decode only: extend/prefill is not
    // compared, and says so.
    let dir = testkit::traces_dir();
    let a = dir.join("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz");
    let b = dir.join("sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let o = run(&["diff", "--format", "json", a, b]);
    assert!(o.status.success(), "{}", stderr(&o));
    let diff: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(diff["unpaired_a"], serde_json::json!(["extend/prefill"]), "{}", diff["notes"]);
    let grew = largest_growth(&diff, "busy_ns");
    let o = run(&["diff", "--fail-above", &format!("{:.3}", grew.max(0.0) + 1.0), a, b]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("not compared: A's extend/prefill (no counterpart in B)"), "{err}");
}

#[test]
fn fail_above_is_checked_on_the_command_line() {
    let o = run(&["diff", "--fail-above=-3", "a.json", "b.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--fail-above must be a percentage of 0 or more"), "{}", stderr(&o));
    let o = run(&["diff", "--metric", "wall", "a.json", "b.json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("--metric picks the figure the --fail-above gate compares"), "{err}");
    let o = run(&["diff", "--fail-above", "5", "--metric", "p99", "a.json", "b.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("busy, wall or kernel-time"), "{}", stderr(&o));
    let o = run(&["diff", "--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    assert!(help.contains("--fail-above <PCT>") && help.contains("exit with status 3"), "{help}");
}
