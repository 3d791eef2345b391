//! The merge end to end on generated pairs: an execution trace whose steps replay graphs,
//! and a capture trace whose windows recorded the launches, each launch under its own
//! Python function (`fn_<kernel>` unless told), so every aligned kernel's location names
//! the launch it was aligned with.

use std::fmt::Write as _;

use super::{CaptureIndex, Miss, merge};
use crate::analysis::attribution::{self, Attribution};
use trace::model::Trace;

/// Kernel names standing for a copy and a fill.
const MEMCPY: &str = "memcpy";
const MEMSET: &str = "memset";

fn load(events: &[String]) -> Trace {
    let text = format!("{{\"traceEvents\": [{}]}}", events.join(",\n"));
    trace::load(text.as_bytes()).expect("generated trace")
}

/// An execution trace: per step, its annotation and per graph launch the activities it
/// replayed, in order. Returns the trace and, per step, per launch, the GPU rows.
fn execution(steps: &[(&str, &[&[&str]])]) -> Trace {
    let mut ev = Vec::new();
    let (mut t, mut corr) = (1_000i64, 100u64);
    for (step, launches) in steps {
        let start = t;
        let mut gpu_t = t + 50;
        for kernels in *launches {
            corr += 1;
            ev.push(format!(
                r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaGraphLaunch","pid":1,"tid":1,"ts":{},"dur":2,"args":{{"correlation":{corr}}}}}"#,
                t + 1
            ));
            for k in *kernels {
                let (cat, name) = match *k {
                    MEMCPY => ("gpu_memcpy", "Memcpy DtoD (Device -> Device)"),
                    MEMSET => ("gpu_memset", "Memset (Device)"),
                    other => ("kernel", other),
                };
                ev.push(format!(
                    r#"{{"ph":"X","cat":"{cat}","name":"{name}","pid":0,"tid":7,"ts":{gpu_t},"dur":3,"args":{{"device":0,"stream":7,"correlation":{corr}}}}}"#
                ));
                gpu_t += 4;
            }
            t += 5;
        }
        ev.push(format!(
            r#"{{"ph":"X","cat":"user_annotation","name":"{step}","pid":1,"tid":1,"ts":{start},"dur":{}}}"#,
            t - start + 1
        ));
        t = gpu_t + 100;
    }
    load(&ev)
}

/// A capture trace: per root (its annotation, or none), per window the recorded launches
/// as `kernel` or `kernel@function`. Each launch sits in a cpu_op and a Python frame of
/// its function; launches outside windows (warm-up) are added before each window.
fn capture(roots: &[(Option<&str>, &[&[&str]])]) -> Trace {
    let mut ev = Vec::new();
    let (mut t, mut ext) = (10_000i64, 1u64);
    for (root, windows) in roots {
        let start = t;
        for launches in *windows {
            // A warm-up launch outside the window: it really ran, it is not in the graph.
            ev.push(launch(&mut t, &mut ext, "warmup_kernel@warm_up"));
            t += 5;
            ev.push(format!(
                r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaStreamBeginCapture","pid":1,"tid":1,"ts":{t},"dur":1,"args":{{}}}}"#
            ));
            t += 2;
            for l in *launches {
                ev.push(launch(&mut t, &mut ext, l));
            }
            ev.push(format!(
                r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaStreamEndCapture","pid":1,"tid":1,"ts":{t},"dur":1,"args":{{}}}}"#
            ));
            t += 5;
        }
        if let Some(name) = root {
            ev.push(format!(
                r#"{{"ph":"X","cat":"user_annotation","name":"{name}","pid":1,"tid":1,"ts":{start},"dur":{}}}"#,
                t - start
            ));
        }
        t += 100;
    }
    load(&ev)
}

/// One recorded launch (`kernel` or `kernel@function`) at `t`, in its cpu_op and frame.
fn launch(t: &mut i64, ext: &mut u64, spec: &str) -> String {
    let (kernel, func) = spec.split_once('@').map_or((spec, None), |(k, f)| (k, Some(f)));
    let func = func.map_or_else(|| format!("fn_{kernel}"), str::to_owned);
    let api = match kernel {
        MEMCPY => "cudaMemcpyAsync",
        MEMSET => "cudaMemsetAsync",
        _ => "cudaLaunchKernel",
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"{{"ph":"X","cat":"python_function","name":"/x/vllm/model_executor/layers/{func}.py(10): {func}","pid":1,"tid":1,"ts":{},"dur":4}},
        {{"ph":"X","cat":"cpu_op","name":"op::{func}","pid":1,"tid":1,"ts":{},"dur":3,"args":{{"External id":{ext},"Input Dims":[[8,16]]}}}},
        {{"ph":"X","cat":"cuda_runtime","name":"{api}","pid":1,"tid":1,"ts":{},"dur":1,"args":{{"External id":{ext},"correlation":{},"kernel":"{kernel}"}}}}"#,
        *t,
        *t,
        *t + 1,
        *ext + 5000
    );
    *t += 6;
    *ext += 1;
    out
}

/// Runs the merge; per GPU row (in table order): the location (function name), or `graph`
/// when it kept the graph launch's site; and the outcome.
fn run(exec: &Trace, captures: &[&Trace]) -> (Vec<String>, Vec<Option<Result<(), Miss>>>) {
    let indexes: Vec<CaptureIndex> =
        captures.iter().enumerate().map(|(k, c)| CaptureIndex::build(&format!("c{k}.json"), c)).collect();
    let refs: Vec<&CaptureIndex> = indexes.iter().collect();
    let mut a: Attribution = attribution::attribute(exec);
    let outcome = merge(exec, &mut a, &refs);
    let sites = (0..exec.gpu.len())
        .map(|i| match a.site_of(i) {
            Some(s) if s.capture => {
                let loc = a.strings.get(s.location);
                loc.rsplit(' ').next().unwrap_or(loc).to_owned()
            }
            Some(s) if s.graph => "graph".to_owned(),
            _ => "none".to_owned(),
        })
        .collect();
    let states = (0..exec.gpu.len()).map(|i| outcome.state.get(i).copied().flatten()).collect();
    (sites, states)
}

fn step(bs: u32) -> String {
    format!("execute_{bs}_context_0(0)_generation_{bs}({bs})")
}

#[test]
fn identical_sequences_align_one_to_one() {
    let s = step(32);
    let exec = execution(&[(&s, &[&["a", "b", "c"]])]);
    let cap = capture(&[(Some("capture_32_FULL"), &[&["a", "b@other", "c"]])]);
    let (sites, states) = run(&exec, &[&cap]);
    assert_eq!(sites, ["fn_a", "other", "fn_c"]);
    assert!(states.iter().all(|s| *s == Some(Ok(()))), "{states:?}");
}

#[test]
fn a_launch_missing_from_the_capture_leaves_its_kernel_unaligned() {
    let s = step(32);
    let exec = execution(&[(&s, &[&["a", "b", "c", "d"]])]);
    let cap = capture(&[(Some("capture_32_FULL"), &[&["a", "c", "d"]])]);
    let (sites, states) = run(&exec, &[&cap]);
    assert_eq!(sites, ["fn_a", "graph", "fn_c", "fn_d"]);
    assert_eq!(states[1], Some(Err(Miss::NotRecorded)));
}

#[test]
fn a_recorded_launch_that_did_not_replay_is_skipped() {
    let s = step(32);
    let exec = execution(&[(&s, &[&["a", "c", "d"]])]);
    let cap = capture(&[(Some("capture_32_FULL"), &[&["a", "b", "c", "d"]])]);
    let (sites, states) = run(&exec, &[&cap]);
    assert_eq!(sites, ["fn_a", "fn_c", "fn_d"]);
    assert!(states.iter().all(|s| *s == Some(Ok(()))));
}

#[test]
fn repeated_kernels_keep_their_own_launch_sites_in_order() {
    let s = step(8);
    // The same kernel launched from two layers: order decides, not the name.
    let exec = execution(&[(&s, &[&["norm", "gemm", "norm", "gemm"]])]);
    let cap = capture(&[(
        Some("capture_8_FULL"),
        &[&["norm@input_norm", "gemm@qkv", "norm@post_norm", "gemm@out"]],
    )]);
    let (sites, _) = run(&exec, &[&cap]);
    assert_eq!(sites, ["input_norm", "qkv", "post_norm", "out"]);
}

#[test]
fn several_windows_pair_with_the_step_s_graph_launches_in_order() {
    let s = step(16);
    let exec = execution(&[(&s, &[&["a", "b"], &["c"], &["a", "d"]])]);
    let cap = capture(&[(
        Some("capture_16_PIECEWISE"),
        &[&["a@piece0", "b@piece0"], &["c@piece1"], &["a@piece2", "d@piece2"]],
    )]);
    let (sites, states) = run(&exec, &[&cap]);
    assert_eq!(sites, ["piece0", "piece0", "piece1", "piece2", "piece2"]);
    assert!(states.iter().all(|s| *s == Some(Ok(()))));
}

#[test]
fn roots_are_picked_by_batch_size_exact_or_the_next_larger() {
    let (s8, s12, s64) = (step(8), step(12), step(64));
    let exec = execution(&[(&s8, &[&["k"]]), (&s12, &[&["k"]]), (&s64, &[&["k"]])]);
    let cap = capture(&[
        (Some("capture_8_FULL"), &[&["k@bs8"]]),
        (Some("capture_16_FULL"), &[&["k@bs16"]]),
        (Some("capture_32_FULL"), &[&["k@bs32"]]),
    ]);
    let (sites, states) = run(&exec, &[&cap]);
    assert_eq!(sites, ["bs8", "bs16", "graph"], "8 exact, 12 padded to 16, 64 beyond every capture");
    assert_eq!(states[2], Some(Err(Miss::NoRoot { batch: Some(64), launches: 1 })));
}

#[test]
fn roots_in_several_capture_files_are_all_candidates() {
    let s = step(16);
    let exec = execution(&[(&s, &[&["k"]])]);
    let small = capture(&[(Some("capture_8_FULL"), &[&["k@bs8"]])]);
    let large = capture(&[(Some("capture_16_FULL"), &[&["k@bs16"]])]);
    let (sites, _) = run(&exec, &[&small, &large]);
    assert_eq!(sites, ["bs16"]);
}

#[test]
fn copies_and_fills_align_by_kind() {
    let s = step(4);
    let exec = execution(&[(&s, &[&[MEMSET, "a", MEMCPY, "b"]])]);
    let cap = capture(&[(Some("capture_4_FULL"), &[&["memset@zero_fill", "a", "memcpy@copy_in", "b"]])]);
    let (sites, states) = run(&exec, &[&cap]);
    assert_eq!(sites, ["zero_fill", "fn_a", "copy_in", "fn_b"]);
    assert!(states.iter().all(|s| *s == Some(Ok(()))));
}

#[test]
fn a_capture_trace_without_windows_aligns_nothing() {
    let s = step(4);
    let exec = execution(&[(&s, &[&["a"]])]);
    // Only warm-up launches: a trace recorded around, not during, the capture.
    let cap = load(&[launch(&mut 10, &mut 1, "a")]);
    let index = CaptureIndex::build("c.json", &cap);
    assert!(index.roots.is_empty() && index.info.launches == 0);
    let (sites, states) = run(&exec, &[&cap]);
    assert_eq!(sites, ["graph"]);
    assert_eq!(states[0], Some(Err(Miss::NoRoot { batch: Some(4), launches: 1 })));
}

#[test]
fn the_index_keeps_cpu_ops_shapes_and_only_launches_inside_windows() {
    let cap = capture(&[(Some("capture_2_PIECEWISE"), &[&["a", "b"], &["c"]])]);
    let index = CaptureIndex::build("/p/capture_traces/graph_capture_rank_3.json.gz", &cap);
    assert_eq!(index.info.rank, Some(3));
    assert_eq!(index.info.launches, 3, "warm-up launches are not in the graph");
    assert_eq!(index.info.with_stacks, 3);
    let root = index.roots.first().expect("one root");
    assert_eq!((root.batch, root.mode.as_str(), root.windows.len()), (Some(2), "PIECEWISE", 2));
    let site = index.sites.first().expect("a site");
    assert_eq!(index.text(site.cpu_op), "op::fn_a");
    assert_eq!(index.text(site.input_dims), "[[8,16]]");
}

#[test]
fn a_capture_without_root_annotations_is_one_root_sized_by_its_file_name() {
    let s = step(32);
    let exec = execution(&[(&s, &[&["a"]])]);
    let cap = capture(&[(None, &[&["a@sglang_layer"]])]);
    let index = CaptureIndex::build("prof/capture_traces/bs_32_rank0.json.gz", &cap);
    assert_eq!(index.roots.first().map(|r| r.batch), Some(Some(32)));
    let mut a = attribution::attribute(&exec);
    let outcome = merge(&exec, &mut a, &[&index]);
    assert_eq!(outcome.state.first().copied().flatten(), Some(Ok(())));
}

#[test]
fn launches_outside_step_annotations_are_split_into_captured_models() {
    // No step annotation: six launches of a three-piece graph replay it twice.
    let exec = execution(&[("not_a_step", &[&["a"], &["b"], &["c"], &["a"], &["b"], &["c"]])]);
    let cap = capture(&[(Some("capture_4_PIECEWISE"), &[&["a@p0"], &["b@p1"], &["c@p2"]])]);
    let (sites, states) = run(&exec, &[&cap]);
    assert_eq!(sites, ["p0", "p1", "p2", "p0", "p1", "p2"]);
    assert!(states.iter().all(|s| *s == Some(Ok(()))));
}
