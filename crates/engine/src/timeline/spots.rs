//! Where a report row lives in time: the window a viewer (the timeline, the Perfetto UI)
//! should show for a stage, a step, a kernel row or an idle gap. Pure lookups in the
//! [`Timeline`] model; the words around them are `report`'s.

use serde::{Deserialize, Serialize};

use super::{StageSpan, StepSpan, Timeline, Window};
use crate::vocab::Stage;

/// What to look for in a stage: a kernel row's launches, or one idle gap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Spot {
    /// Launches of a kernel (its canonical name, the kernel and overlap tables' row key).
    Kernel {
        /// The canonical name.
        name: String,
    },
    /// An idle gap (the bubbles summary's).
    Gap {
        /// Start, ns (trace time).
        start_ns: i64,
        /// Length, ns.
        dur_ns: i64,
    },
}

/// Context shown around a single launch or gap that lies in no step: this many times its
/// length on each side, at least [`MIN_PAD_NS`].
const PAD_FACTOR: i64 = 2;

/// The least context around a launch or gap, ns (10 µs).
const MIN_PAD_NS: i64 = 10_000;

impl StageSpan {
    /// The stage's whole extent.
    #[must_use]
    pub fn window(&self) -> Window {
        Window::new(self.start_ns, self.end_ns)
    }

    /// The step holding time `t_ns` (steps are sorted by start; the latest one starting at
    /// or before `t_ns` that has not ended yet).
    #[must_use]
    pub fn step_at(&self, t_ns: i64) -> Option<&StepSpan> {
        let upto = self.steps.partition_point(|s| s.start_ns <= t_ns);
        self.steps.get(..upto)?.iter().rev().find(|s| t_ns < s.end_ns.max(s.start_ns + 1))
    }
}

impl StepSpan {
    /// The step's extent.
    #[must_use]
    pub fn window(&self) -> Window {
        Window::new(self.start_ns, self.end_ns)
    }
}

/// `start_ns .. start_ns + dur_ns` with context on both sides (see [`PAD_FACTOR`]).
#[must_use]
pub fn padded(start_ns: i64, dur_ns: i64) -> Window {
    let dur = dur_ns.max(0);
    let pad = dur.saturating_mul(PAD_FACTOR).max(MIN_PAD_NS);
    Window::new(start_ns.saturating_sub(pad), start_ns.saturating_add(dur).saturating_add(pad))
}

impl Timeline {
    /// The span of `stage` (none for `other` or a stage without GPU work).
    #[must_use]
    pub fn stage_span(&self, stage: Stage) -> Option<&StageSpan> {
        self.stages.iter().find(|s| s.stage == stage)
    }

    /// Where kernel row `kernel` (a canonical name, as the kernel and overlap tables key
    /// their rows) of `stage` lives: the step holding its longest launch on the followed
    /// device inside the stage (the earliest of equally long ones), else (in no step, or the
    /// stage has only one step) that launch with context around it. `None` when the stage
    /// has no such launch.
    #[must_use]
    pub fn kernel_window(&self, stage: Stage, kernel: &str) -> Option<Window> {
        self.kernel_windows(stage, &[kernel]).into_iter().next().flatten()
    }

    /// [`Timeline::kernel_window`] of each of `kernels`, in one pass over the stage's
    /// launches (a table's rows are placed together without rescanning the stage per row).
    #[must_use]
    pub fn kernel_windows(&self, stage: Stage, kernels: &[&str]) -> Vec<Option<Window>> {
        let mut out = vec![None; kernels.len()];
        let Some(span) = self.stage_span(stage) else { return out };
        // The timeline's name index → the asked kernels with that name.
        let mut wanted: std::collections::BTreeMap<u32, Vec<usize>> = std::collections::BTreeMap::new();
        for (k, name) in kernels.iter().enumerate() {
            if let Some(i) = self.names.iter().position(|n| n == name).and_then(|i| u32::try_from(i).ok()) {
                wanted.entry(i).or_default().push(k);
            }
        }
        if wanted.is_empty() {
            return out;
        }
        let extent = span.window();
        // Per name index: (duration, start) of its longest launch, the earliest of ties.
        let mut best: std::collections::BTreeMap<u32, (i64, i64)> = std::collections::BTreeMap::new();
        for lane in self.lanes.iter().filter(|l| l.primary) {
            for i in lane.range(extent) {
                let (Some(&n), Some(&s), Some(&d)) =
                    (lane.name.get(i), lane.start_ns.get(i), lane.dur_ns.get(i))
                else {
                    continue;
                };
                if s < extent.start_ns || s >= extent.end_ns || !wanted.contains_key(&n) {
                    continue;
                }
                let slot = best.entry(n).or_insert((d, s));
                if d > slot.0 || (d == slot.0 && s < slot.1) {
                    *slot = (d, s);
                }
            }
        }
        // A stage's only step is the stage: the launch with context says more.
        let steps_help = span.steps.len() > 1;
        for (n, (dur, start)) in best {
            let step = span.step_at(start).filter(|_| steps_help);
            let w = step.map_or_else(|| padded(start, dur), StepSpan::window);
            for &k in wanted.get(&n).map_or(&[][..], Vec::as_slice) {
                if let Some(slot) = out.get_mut(k) {
                    *slot = Some(w);
                }
            }
        }
        out
    }

    /// Where an idle gap of `stage` (`start_ns`, `dur_ns`, as the bubbles summary lists its
    /// largest ones) is best seen: the gap with context around it, kept inside the step
    /// holding it.
    #[must_use]
    pub fn gap_window(&self, stage: Stage, start_ns: i64, dur_ns: i64) -> Window {
        let around = padded(start_ns, dur_ns);
        match self.stage_span(stage).and_then(|s| s.step_at(start_ns)) {
            Some(step) => Window::new(around.start_ns.max(step.start_ns), around.end_ns.min(step.end_ns)),
            None => around,
        }
    }

    /// The window of `spot` in `stage` ([`Timeline::kernel_window`], [`Timeline::gap_window`]).
    #[must_use]
    pub fn spot_window(&self, stage: Stage, spot: &Spot) -> Option<Window> {
        self.spot_windows(stage, core::slice::from_ref(spot)).into_iter().next().flatten()
    }

    /// [`Timeline::spot_window`] of each of `spots`, the kernels found in one pass.
    #[must_use]
    pub fn spot_windows(&self, stage: Stage, spots: &[Spot]) -> Vec<Option<Window>> {
        let kernels: Vec<&str> = spots
            .iter()
            .filter_map(|s| match s {
                Spot::Kernel { name } => Some(name.as_str()),
                Spot::Gap { .. } => None,
            })
            .collect();
        let mut found = self.kernel_windows(stage, &kernels).into_iter();
        spots
            .iter()
            .map(|spot| match spot {
                Spot::Kernel { .. } => found.next().flatten(),
                Spot::Gap { start_ns, dur_ns } => Some(self.gap_window(stage, *start_ns, *dur_ns)),
            })
            .collect()
    }
}
