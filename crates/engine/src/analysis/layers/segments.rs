//! Segments: the kernels of one step each (a step annotation is one forward pass of a
//! serving engine), or the whole stream when the trace has no step annotation. A kernel
//! belongs to the step whose CPU window contains its launch (the GPU runs behind), else to
//! the GPU window containing it. Only windows of the processes that launched the
//! sequence's kernels (CPU) and of the processes its kernels are on (GPU) count: in a
//! merged trace another rank's steps never cut this rank's passes.

use rustc_hash::FxHashMap;

use super::sequence::Sequence;
use crate::analysis::stages::{Window, Windows, stage_from_annotation};
use crate::vocab::Stage;
use trace::model::{Key, NO_ID, Trace, TrackId};

/// Kernels of one step (or of the whole stream).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Segment {
    /// Kernel positions in the sequence, ascending.
    pub positions: Vec<usize>,
    /// Step annotation text (empty for the whole stream).
    pub step: String,
    /// The step's stage.
    pub stage: Stage,
    /// The step's batch size.
    pub batch: Option<u32>,
    /// Whether a step window bounds it.
    pub windowed: bool,
}

/// The segments of a sequence, in order of their first kernel, and the number of kernels
/// outside every step window (when the trace has windows).
#[must_use]
pub(super) fn split(trace: &Trace, seq: &Sequence, path_stage: Option<Stage>) -> (Vec<Segment>, usize) {
    // Launch time and process per correlation id.
    let rt = &trace.runtime;
    let mut launch: FxHashMap<u64, (i64, Option<TrackId>)> = FxHashMap::default();
    for i in 0..rt.len() {
        if let (Some(&c), Some(&k), Some(&t)) = (rt.correlation.get(i), rt.kind.get(i), rt.start_ns.get(i))
            && c != NO_ID
            && k.launches_work()
        {
            launch.entry(c).or_insert((t, rt.track.get(i).copied()));
        }
    }
    let g = &trace.gpu;
    let pid = |track: Option<TrackId>| track.and_then(|t| trace.tracks.get(t)).map(|t| t.pid);
    let mut cpu_pids: Vec<Key> = Vec::new();
    let mut gpu_pids: Vec<Key> = Vec::new();
    for &row in &seq.row {
        let i = row as usize;
        if let Some(p) = g.correlation.get(i).and_then(|c| launch.get(c)).and_then(|l| pid(l.1))
            && !cpu_pids.contains(&p)
        {
            cpu_pids.push(p);
        }
        if let Some(p) = pid(g.track.get(i).copied())
            && !gpu_pids.contains(&p)
        {
            gpu_pids.push(p);
        }
    }
    let windows = windows_of(trace, &cpu_pids, &gpu_pids);
    if windows.is_empty() {
        let all = Segment {
            positions: (0..seq.len()).collect(),
            step: String::new(),
            stage: path_stage.unwrap_or(Stage::All),
            batch: None,
            windowed: false,
        };
        return (if seq.is_empty() { Vec::new() } else { vec![all] }, 0);
    }
    let cpu = windows.cpu.len();
    let mut by_window: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut index: FxHashMap<usize, usize> = FxHashMap::default();
    let mut outside = 0usize;
    for (pos, &row) in seq.row.iter().enumerate() {
        let i = row as usize;
        let launched = g.correlation.get(i).and_then(|c| launch.get(c)).map(|l| l.0);
        let w = launched
            .and_then(|t| windows.cpu_at(t))
            .or_else(|| seq.start.get(pos).and_then(|&s| windows.gpu_at(s)).map(|w| cpu + w));
        let Some(w) = w else {
            outside += 1;
            continue;
        };
        match index.get(&w) {
            Some(&k) => {
                if let Some((_, v)) = by_window.get_mut(k) {
                    v.push(pos);
                }
            }
            None => {
                index.insert(w, by_window.len());
                by_window.push((w, vec![pos]));
            }
        }
    }
    let segments = by_window
        .into_iter()
        .filter_map(|(w, positions)| {
            let win = if w < cpu { windows.cpu.get(w) } else { windows.gpu.get(w - cpu) }?;
            Some(Segment {
                positions,
                step: trace.str(win.name).to_owned(),
                stage: win.step.stage,
                batch: win.step.batch,
                windowed: true,
            })
        })
        .collect();
    (segments, outside)
}

/// The stage windows of a trace whose annotation sits on one of `cpu_pids` (CPU windows)
/// or `gpu_pids` (GPU windows), each sorted by start — [`Windows::of`] restricted to one
/// rank's processes.
fn windows_of(trace: &Trace, cpu_pids: &[Key], gpu_pids: &[Key]) -> Windows {
    let mut w = Windows::default();
    let a = &trace.annotations;
    for i in 0..a.len() {
        let (Some(&name), Some(&start), Some(&dur), Some(&on_gpu)) =
            (a.name.get(i), a.start_ns.get(i), a.dur_ns.get(i), a.on_gpu.get(i))
        else {
            continue;
        };
        let pids = if on_gpu { gpu_pids } else { cpu_pids };
        let pid = a.track.get(i).and_then(|&t| trace.tracks.get(t)).map(|t| t.pid);
        if !pid.is_some_and(|p| pids.contains(&p)) {
            continue;
        }
        if let Some(step) = stage_from_annotation(trace.str(name)) {
            let window = Window { step, start_ns: start, end_ns: start.saturating_add(dur), on_gpu, name };
            if on_gpu { w.gpu.push(window) } else { w.cpu.push(window) }
        }
    }
    w.cpu.sort_by_key(|x| (x.start_ns, x.end_ns));
    w.gpu.sort_by_key(|x| (x.start_ns, x.end_ns));
    w
}
