//! Segments: the kernels of one step each (a step annotation is one forward pass of a
//! serving engine), or the whole stream when the trace has no step annotation. A kernel
//! belongs to the step whose CPU window contains its launch (the GPU runs behind), else to
//! the GPU window containing it.

use rustc_hash::FxHashMap;

use super::sequence::Sequence;
use crate::analysis::stages::{Stage, Windows};
use crate::model::{NO_ID, Trace};

/// Kernels of one step (or of the whole stream).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
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
pub fn split(trace: &Trace, seq: &Sequence, path_stage: Option<Stage>) -> (Vec<Segment>, usize) {
    let windows = Windows::of(trace);
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
    // Launch time per correlation id.
    let rt = &trace.runtime;
    let mut launch: FxHashMap<u64, i64> = FxHashMap::default();
    for i in 0..rt.len() {
        if let (Some(&c), Some(&k), Some(&t)) = (rt.correlation.get(i), rt.kind.get(i), rt.start_ns.get(i))
            && c != NO_ID
            && k.launches_work()
        {
            launch.entry(c).or_insert(t);
        }
    }
    let g = &trace.gpu;
    let cpu = windows.cpu.len();
    let mut by_window: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut index: FxHashMap<usize, usize> = FxHashMap::default();
    let mut outside = 0usize;
    for (pos, &row) in seq.row.iter().enumerate() {
        let i = row as usize;
        let launched = g.correlation.get(i).and_then(|c| launch.get(c)).copied();
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
