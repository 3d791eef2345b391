//! Capture-merge benchmark: the vLLM gpt-oss MI300X pair (piecewise graphs) of
//! `../shared/traces/capture/`, native, one thread. Times, per repetition: loading the
//! capture trace, building its index (`CaptureIndex::build`), and the triage of the
//! execution trace without and with it. The merge's cost is the capture trace's load and
//! index plus the difference between the two triages (target: < 100 ms).
//!
//! ```text
//! cargo bench -p native --bench capture -- [PAIR_DIR] [--reps N]
//! ```
#![allow(clippy::print_stdout, clippy::disallowed_methods, clippy::disallowed_types, clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use report::engine::analysis::capture::CaptureIndex;
use report::engine::triage::{Input, Options};

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let (dir, reps) = common::args(20);
    let dir = dir.unwrap_or_else(|| {
        format!("{}/../../../shared/traces/capture/vllm_gptoss_mi300x_piecewise", env!("CARGO_MANIFEST_DIR"))
    });
    let exec_path = format!("{dir}/graph_execution.json.gz");
    let captures = native::capture::find(&[Path::new(&exec_path).to_path_buf()]);
    let capture_path = captures.first().unwrap_or_else(|| panic!("no capture_traces/ in {dir}"));
    let exec = native::load(Path::new(&exec_path)).unwrap_or_else(|e| panic!("{e}"));
    let catalog = report::engine::Catalog::builtin();
    let inputs = [Input { path: &exec_path, trace: &exec }];
    // (load capture, index, triage without, triage with)
    let mut rows: Vec<[f64; 4]> = Vec::new();
    let mut aligned = 0.0;
    for _ in 0..reps {
        let t = Instant::now();
        let capture = native::load(capture_path).unwrap_or_else(|e| panic!("{e}"));
        let load = ms(t);
        let t = Instant::now();
        let index = CaptureIndex::build(&capture_path.display().to_string(), &capture);
        let build = ms(t);
        drop(capture);
        let t = Instant::now();
        let without = report::triage::triage_with(&inputs, &Options::default(), catalog);
        let plain = ms(t);
        let options = Options { captures: vec![Arc::new(index)], ..Options::default() };
        let t = Instant::now();
        let with = report::triage::triage_with(&inputs, &options, catalog);
        let merged = ms(t);
        assert_eq!(without.stages.len(), with.stages.len());
        let (replayed, done): (i64, i64) = with
            .stages
            .iter()
            .map(|s| (s.coverage.capture.replayed_ns, s.coverage.capture.aligned_ns))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        aligned = 100.0 * done as f64 / replayed.max(1) as f64;
        rows.push([load, build, plain, merged]);
    }
    // Each column's best and median on its own (the triages drift by a few ms between
    // repetitions, so a per-repetition difference would be noise).
    let column = |k: usize| {
        let mut v: Vec<f64> = rows.iter().map(|r| r[k]).collect();
        v.sort_by(f64::total_cmp);
        (v[0], v[v.len() / 2])
    };
    let [load, build, plain, merged] = [0, 1, 2, 3].map(column);
    println!("capture merge {dir} ({aligned:.1}% of graph-replayed time aligned), best / median of {reps}:");
    println!("  load the capture trace        {:6.1} / {:6.1} ms", load.0, load.1);
    println!("  index it (CaptureIndex)       {:6.1} / {:6.1} ms", build.0, build.1);
    println!("  triage without capture        {:6.1} / {:6.1} ms", plain.0, plain.1);
    println!("  triage with capture (merge)   {:6.1} / {:6.1} ms", merged.0, merged.1);
    println!(
        "  merge = load + index + (with − without): {:.1} ms best, {:.1} ms median",
        load.0 + build.0 + (merged.0 - plain.0),
        load.1 + build.1 + (merged.1 - plain.1)
    );
}
