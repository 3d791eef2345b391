//! Trace health: what limits one input's evidence, from the trace and its stage reports.
//!
//! - **GPU only**: no CPU ops, runtime calls or Python frames at all.
//! - **No stacks**: a stage's attribution found no Python stacks.
//! - **No shapes**: CPU ops but none with `Input Dims`.
//! - **Graph replays without capture**: at least [`GRAPH_PCT`] of the GPU time replayed by
//!   graphs, none of it attributed through a capture trace or a baked annotation.
//! - **Dropped activity**: CPU step windows whose launch calls (kernel launches, copies,
//!   fills, CUDA graph launches) are all without GPU activity, while other steps have some:
//!   the profiler lost the GPU side of those steps.
//! - **ROCm graph launches without flows**: `hipGraphLaunch` calls no GPU activity names
//!   by correlation.
//! - **Logical lanes**: PyTorch 2.10+'s logical graph lanes (loader diagnostics).
//! - **Damaged**: the input was truncated or damaged (loader diagnostics).

use crate::analysis::attribution::{Attribution, NONE};
use crate::analysis::stages::Windows;
use crate::results::triage::StageReport;
use crate::results::verdict::{Health, TraceHealth};
use trace::model::{RuntimeKind, Sym, Trace};
use trace::{DiagnosticKind, Severity};

/// Graph-replayed share of GPU time above which missing capture traces matter, %.
const GRAPH_PCT: f64 = 20.0;

/// What limits input `input`'s evidence, from its trace, attribution, stages and step
/// windows (the triage's own `Windows::of`).
pub(crate) fn health(
    input: usize,
    trace: &Trace,
    attribution: &Attribution,
    stages: &[&StageReport],
    framework: &str,
    windows: &Windows,
) -> Vec<TraceHealth> {
    let mut out: Vec<Health> = Vec::new();
    let diagnostics = trace.diagnostics.sorted();
    for d in &diagnostics {
        let damaged = matches!(
            d.kind,
            DiagnosticKind::Truncated
                | DiagnosticKind::MalformedJson
                | DiagnosticKind::GzipCorrupt
                | DiagnosticKind::GzipChecksum
                | DiagnosticKind::EventTooLarge
        );
        if damaged
            && d.kind.severity() == Severity::Warning
            && !out.iter().any(|h| matches!(h, Health::Damaged { .. }))
        {
            out.push(Health::Damaged { diagnostic: d.kind.id().to_owned() });
        }
    }
    let gpu_only = trace.cpu_ops.is_empty() && trace.runtime.is_empty() && trace.python.is_empty();
    if gpu_only {
        out.push(Health::GpuOnly);
    } else {
        if stages.iter().any(|s| s.coverage.computed && s.coverage.without_stacks) {
            out.push(Health::NoStacks { framework: framework.to_owned() });
        }
        let shaped = trace.cpu_ops.input_dims.iter().any(|&d| d != Sym::NONE && d != Sym::EMPTY);
        if !trace.cpu_ops.is_empty() && !shaped {
            out.push(Health::NoShapes { framework: framework.to_owned() });
        }
    }
    let kernel: i64 = stages.iter().map(|s| s.summary.kernel_ns).sum();
    let replay: i64 = stages.iter().map(|s| s.summary.graph_replay_ns).sum();
    let resolved: i64 = stages.iter().map(|s| s.coverage.capture_ns + s.coverage.annotation_ns).sum();
    let graph_pct = crate::results::share(replay, kernel);
    if graph_pct >= GRAPH_PCT && resolved == 0 {
        out.push(Health::GraphWithoutCapture { graph_pct, framework: framework.to_owned() });
    }
    let linked = linked_launches(trace, attribution);
    let rocm = unlinked_hip_graph_launches(trace, &linked);
    if rocm > 0 {
        out.push(Health::RocmGraphWithoutFlows { launches: rocm });
    }
    if let Some((steps, of)) = dropped_steps(trace, &linked, windows) {
        out.push(Health::DroppedActivity { steps, of });
    }
    let count = |kind: DiagnosticKind| -> u64 {
        diagnostics.iter().filter(|d| d.kind == kind).map(|d| d.count).sum()
    };
    let (moved, without_stream) =
        (count(DiagnosticKind::LogicalLane), count(DiagnosticKind::LaneWithoutStream));
    if moved + without_stream > 0 {
        out.push(Health::LogicalLanes { moved, without_stream });
    }
    out.into_iter()
        .map(|finding| TraceHealth { input, finding, text: String::new(), fix: String::new() })
        .collect()
}

/// Per runtime call: whether some GPU activity names it as its launch.
fn linked_launches(trace: &Trace, attribution: &Attribution) -> Vec<bool> {
    let mut linked = vec![false; trace.runtime.len()];
    for &r in &attribution.launch {
        if r != NONE
            && let Some(x) = linked.get_mut(r as usize)
        {
            *x = true;
        }
    }
    linked
}

/// `hipGraphLaunch` calls without GPU activity, when most of them are (0 otherwise).
fn unlinked_hip_graph_launches(trace: &Trace, linked: &[bool]) -> u64 {
    let rt = &trace.runtime;
    let (mut all, mut unlinked) = (0u64, 0u64);
    for i in 0..rt.len() {
        if rt.kind.get(i) != Some(&RuntimeKind::GraphLaunch) {
            continue;
        }
        let name = trace.str(rt.name.get(i).copied().unwrap_or(Sym::EMPTY));
        if !name.starts_with("hip") {
            continue;
        }
        all += 1;
        if !linked.get(i).copied().unwrap_or(false) {
            unlinked += 1;
        }
    }
    if unlinked * 2 > all { unlinked } else { 0 }
}

/// Whether a runtime call launches GPU work that should appear on a stream.
fn launches_work(trace: &Trace, i: usize) -> bool {
    let rt = &trace.runtime;
    match rt.kind.get(i) {
        Some(RuntimeKind::LaunchKernel | RuntimeKind::Memcpy | RuntimeKind::Memset) => true,
        Some(RuntimeKind::GraphLaunch) => {
            !trace.str(rt.name.get(i).copied().unwrap_or(Sym::EMPTY)).starts_with("hip")
        }
        _ => false,
    }
}

/// CPU step windows whose launches all lack GPU activity, and all steps with launches,
/// when at least one step has linked launches and at least one has none linked.
fn dropped_steps(trace: &Trace, linked: &[bool], windows: &Windows) -> Option<(u64, u64)> {
    if windows.cpu.is_empty() {
        return None;
    }
    // Per CPU window: (launches, linked launches), by the innermost window at the call's start.
    let mut per: Vec<(u64, u64)> = vec![(0, 0); windows.cpu.len()];
    for i in 0..trace.runtime.len() {
        if !launches_work(trace, i) {
            continue;
        }
        let Some(&start) = trace.runtime.start_ns.get(i) else { continue };
        let Some(w) = windows.cpu_at(start) else { continue };
        if let Some(p) = per.get_mut(w) {
            p.0 += 1;
            if linked.get(i).copied().unwrap_or(false) {
                p.1 += 1;
            }
        }
    }
    let with_launches = per.iter().filter(|p| p.0 > 0).count() as u64;
    let dropped = per.iter().filter(|p| p.0 > 0 && p.1 == 0).count() as u64;
    (dropped > 0 && dropped < with_launches).then_some((dropped, with_launches))
}
