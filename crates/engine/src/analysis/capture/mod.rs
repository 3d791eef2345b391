//! Graph-capture traces: exact sources for graph-replayed kernels.
//!
//! Under CUDA/HIP graphs the execution trace says only that a graph launch replayed a run
//! of kernels. A *capture trace* (vLLM's `capture_traces/`, SGLang's
//! `--enable-profile-cuda-graph`) is a profiler trace recorded while those graphs were
//! captured: every launch inside a `…BeginCapture` … `…EndCapture` window names its kernel
//! (`args.kernel`) and sits in its CPU op and Python stack. [`CaptureIndex`] reads what
//! the merge needs from one such trace; the merge (`merge.rs`) pairs each graph launch of
//! an execution trace with its window and aligns the window's launches with the replayed
//! kernels (`align.rs`), so each aligned kernel takes the site that launched it at capture
//! time. Without Python stacks, a launch's innermost `record_function` scope stands in
//! (`analysis::scope`).

mod align;
mod index;
mod merge;
#[cfg(test)]
mod tests;

pub use index::CaptureIndex;
pub(crate) use merge::merge;

pub use crate::results::capture::CaptureMiss as Miss;
use crate::results::capture::{CaptureCoverage, CaptureMissTime};

use trace::model::Trace;

/// What the merge did, per GPU activity.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outcome {
    /// Per GPU activity (empty when no graph launch was seen): `None` when it is not a
    /// replay, else aligned (`Ok`) or why not (`Err`).
    pub state: Vec<Option<Result<(), Miss>>>,
}

impl Outcome {
    fn slot(&mut self, trace: &Trace, i: u32) -> Option<&mut Option<Result<(), Miss>>> {
        if self.state.is_empty() {
            self.state = vec![None; trace.gpu.len()];
        }
        self.state.get_mut(i as usize)
    }

    fn aligned(&mut self, trace: &Trace, i: u32) {
        if let Some(s) = self.slot(trace, i) {
            *s = Some(Ok(()));
        }
    }

    fn miss(&mut self, trace: &Trace, acts: &[u32], why: Miss) {
        for &i in acts {
            if let Some(s) = self.slot(trace, i) {
                *s = Some(Err(why));
            }
        }
    }

    /// Every graph replay of `trace` (by its attribution) unaligned for `why`: a trace of a
    /// rank no capture trace belongs to.
    pub(crate) fn none(
        trace: &Trace,
        attribution: &crate::analysis::attribution::Attribution,
        why: Miss,
    ) -> Outcome {
        let mut out = Outcome::default();
        let replays: Vec<u32> = (0..attribution.site.len())
            .filter(|&i| attribution.site_of(i).is_some_and(|s| s.graph && !s.capture))
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        out.miss(trace, &replays, why);
        out
    }
}

impl Outcome {
    /// How the graph-replayed activities among `ops` were matched (`computed` set: capture
    /// traces were given); `without_stacks` when the capture traces had no Python stacks.
    pub(crate) fn coverage(&self, trace: &Trace, ops: &[u32], without_stacks: bool) -> CaptureCoverage {
        let mut c = CaptureCoverage { computed: true, without_stacks, ..CaptureCoverage::default() };
        let mut missed: Vec<(Miss, i64)> = Vec::new();
        for &i in ops {
            let Some(Some(state)) = self.state.get(i as usize) else { continue };
            let dur = trace.gpu.dur_ns.get(i as usize).copied().unwrap_or(0).max(0);
            c.replayed_ns += dur;
            match state {
                Ok(()) => c.aligned_ns += dur,
                Err(why) => match missed.iter_mut().find(|(w, _)| w == why) {
                    Some((_, ns)) => *ns += dur,
                    None => missed.push((*why, dur)),
                },
            }
        }
        crate::order::sort_by(&mut missed, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        c.missed = missed.into_iter().map(|(why, ns)| CaptureMissTime { why, ns }).collect();
        c
    }
}
