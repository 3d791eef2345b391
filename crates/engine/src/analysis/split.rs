//! The stage split: which device a report follows, and which stage each of its GPU
//! activities belongs to (launch window → stage).

use super::attribution::{Attribution, NONE};
use super::stages::Windows;
use crate::vocab::{Stage, StageSource};
use trace::model::{GpuKind, Trace};

/// The GPU activities of one stage of one trace.
#[derive(Clone, Debug)]
pub struct StageOps {
    /// The stage.
    pub stage: Stage,
    /// How it was decided.
    pub source: StageSource,
    /// Indexes into `trace.gpu`.
    pub ops: Vec<u32>,
    /// Per op: the step window it belongs to (`u32::MAX` when none), for step extents.
    /// CPU windows come first; ids at or above `cpu_windows` are GPU windows.
    pub step: Vec<u32>,
    /// Number of CPU step windows in the trace.
    pub cpu_windows: u32,
}

/// The device whose work a report shows: the one with the most GPU time. The others are
/// returned with their time so the report can say what it leaves out.
#[must_use]
pub(crate) fn primary_device(trace: &Trace) -> (Option<i64>, Vec<(i64, i64)>) {
    let g = &trace.gpu;
    let mut per: Vec<(i64, i64)> = Vec::new();
    for i in 0..g.len() {
        let (Some(&d), Some(&dur), Some(&kind)) = (g.device.get(i), g.dur_ns.get(i), g.kind.get(i)) else {
            continue;
        };
        if kind == GpuKind::Sync {
            continue;
        }
        match per.iter_mut().find(|(x, _)| *x == d) {
            Some((_, t)) => *t += dur,
            None => per.push((d, dur)),
        }
    }
    crate::order::sort_by(&mut per, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let primary = per.first().map(|&(d, _)| d);
    let others = per.into_iter().skip(1).collect();
    (primary, others)
}

/// Assigns every kernel, copy and fill of `device` to a stage: the path's stage if it names
/// one; else the stage of the CPU window containing the launch; else the GPU window
/// containing the activity; else `other` (or `all` when the trace has no windows).
#[must_use]
pub(crate) fn split(
    trace: &Trace,
    attribution: &Attribution,
    device: Option<i64>,
    path_stage: Option<Stage>,
) -> Vec<StageOps> {
    let windows = Windows::of(trace);
    let g = &trace.gpu;
    let mut groups: Vec<StageOps> = Vec::new();
    let source = if path_stage.is_some() {
        StageSource::Path
    } else if windows.is_empty() {
        StageSource::None
    } else {
        StageSource::Annotations
    };
    for i in 0..g.len() {
        let (Some(&kind), Some(&d), Some(&start)) = (g.kind.get(i), g.device.get(i), g.start_ns.get(i))
        else {
            continue;
        };
        if kind == GpuKind::Sync || device.is_some_and(|p| p != d) {
            continue;
        }
        let (stage, step) = match path_stage {
            Some(s) => (s, NONE),
            None => {
                let launch = attribution.launch.get(i).copied().unwrap_or(NONE);
                let launch_t = trace.runtime.start_ns.get(launch as usize).copied();
                let cpu = launch_t.and_then(|t| windows.cpu_at(t));
                match cpu.and_then(|w| windows.cpu.get(w).map(|x| (x.step.stage, w))) {
                    Some((s, w)) => (s, u32::try_from(w).unwrap_or(NONE)),
                    None => match windows
                        .gpu_at(start)
                        .and_then(|w| windows.gpu.get(w).map(|x| (x.step.stage, w)))
                    {
                        // GPU windows are numbered after the CPU ones.
                        Some((s, w)) => (s, u32::try_from(windows.cpu.len() + w).unwrap_or(NONE)),
                        None if windows.is_empty() => (Stage::All, NONE),
                        None => (Stage::Other, NONE),
                    },
                }
            }
        };
        let idx = u32::try_from(i).unwrap_or(NONE);
        match groups.iter_mut().find(|s| s.stage == stage) {
            Some(s) => {
                s.ops.push(idx);
                s.step.push(step);
            }
            None => groups.push(StageOps {
                stage,
                source,
                ops: vec![idx],
                step: vec![step],
                cpu_windows: u32::try_from(windows.cpu.len()).unwrap_or(NONE),
            }),
        }
    }
    crate::order::sort_by_key(&mut groups, |s| s.stage);
    groups
}
