//! The overlap timeline: an interactive model of a trace's GPU work, lane by lane (built by
//! `analysis::timeline`, `Timeline::of`; drawn as SVG and ASCII by the `report` crate).
//!
//! [`Timeline`] holds one [`Lane`] per device × stream with its activities sorted by start
//! (category, canonical name, duration, Python site), the stage windows and their steps. It
//! owns all its text, so a front end can keep it (or send it across a worker boundary) and
//! drop the trace. Rendering takes a time [`Window`] and a size: the SVG renderer draws
//! lanes, kernels coloured by category, overlapped and idle time shaded and stage windows
//! marked, merging sub-pixel kernels per pixel column so thousands of kernels stay a few
//! hundred rectangles; [`Timeline::hit`] answers "what is under the cursor" from the model,
//! with the same geometry ([`Layout`]); the ASCII renderer prints one row per stream.
//!
//! Times are trace nanoseconds; [`Timeline::origin_ns`] (the trace's first event) is the
//! zero of every axis and of the CLI's `--window START..END` (milliseconds).

pub mod bins;
pub mod layout;
pub mod spots;
pub mod strip;

use serde::{Deserialize, Serialize};

use crate::vocab::Category;
use crate::vocab::Stage;

pub use layout::Layout;

/// A time window, trace nanoseconds, `start < end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Start, ns.
    pub start_ns: i64,
    /// End, ns.
    pub end_ns: i64,
}

impl Window {
    /// A window; an empty or reversed one is widened to 1 ns.
    #[must_use]
    pub fn new(start_ns: i64, end_ns: i64) -> Window {
        Window { start_ns, end_ns: end_ns.max(start_ns.saturating_add(1)) }
    }

    /// Length, ns (≥ 1).
    #[must_use]
    pub fn len_ns(self) -> i64 {
        (self.end_ns - self.start_ns).max(1)
    }

    /// Zoomed by `factor` (2.0 shows half as much time) around `anchor_ns`, which keeps its
    /// place on screen; never shorter than 1 µs.
    #[must_use]
    pub fn zoomed(self, factor: f64, anchor_ns: i64) -> Window {
        let factor = if factor.is_finite() && factor > 0.0 { factor } else { 1.0 };
        let len = ((self.len_ns() as f64 / factor).round() as i64).max(1_000);
        let frac = (anchor_ns - self.start_ns) as f64 / self.len_ns() as f64;
        let start = anchor_ns - (frac * len as f64).round() as i64;
        Window::new(start, start.saturating_add(len))
    }

    /// Moved by `delta_ns` (positive: later).
    #[must_use]
    pub fn shifted(self, delta_ns: i64) -> Window {
        Window::new(self.start_ns.saturating_add(delta_ns), self.end_ns.saturating_add(delta_ns))
    }

    /// The window `start_ms..end_ms` milliseconds after `origin_ns` (the CLI's `--window`).
    #[must_use]
    pub fn from_ms(origin_ns: i64, start_ms: f64, end_ms: f64) -> Window {
        let at = |ms: f64| origin_ns.saturating_add((ms * 1e6).round() as i64);
        Window::new(at(start_ms), at(end_ms))
    }
}

/// One device × stream lane; activity columns are sorted by start (then end).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    /// Device ordinal.
    pub device: i64,
    /// Stream id.
    pub stream: i64,
    /// Display label: `stream 7`, or `GPU 1 · stream 7` when the trace has several devices.
    pub label: String,
    /// Whether the device is the one the report follows.
    pub primary: bool,
    /// Σ durations, ns.
    pub gpu_ns: i64,
    /// Starts, ns.
    pub start_ns: Vec<i64>,
    /// Durations, ns.
    pub dur_ns: Vec<i64>,
    /// Running maximum of `start + dur` (for window and hit searches).
    pub max_end_ns: Vec<i64>,
    /// Categories.
    pub category: Vec<Category>,
    /// Indexes into [`Timeline::names`].
    pub name: Vec<u32>,
    /// Indexes into [`Timeline::sites`], `u32::MAX` when unresolved.
    pub site: Vec<u32>,
}

impl Lane {
    /// Number of activities.
    #[must_use]
    pub fn len(&self) -> usize {
        self.start_ns.len()
    }

    /// Whether the lane has no activity.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.start_ns.is_empty()
    }

    /// Index range of the activities that may intersect `w` (every activity in it does;
    /// a few before it may end before `w` starts: check each).
    #[must_use]
    pub fn range(&self, w: Window) -> core::ops::Range<usize> {
        let from = self.max_end_ns.partition_point(|&e| e <= w.start_ns);
        let to = self.start_ns.partition_point(|&s| s < w.end_ns).max(from);
        from..to
    }

    /// `(start, end, category)` of the activities intersecting `w`, clipped to it.
    #[must_use]
    pub fn in_window(&self, w: Window) -> Vec<(i64, i64, Category)> {
        let mut out = Vec::new();
        for i in self.range(w) {
            let (Some(&s), Some(&d), Some(&c)) =
                (self.start_ns.get(i), self.dur_ns.get(i), self.category.get(i))
            else {
                continue;
            };
            let e = s.saturating_add(d);
            if e > w.start_ns && s < w.end_ns {
                out.push((s.max(w.start_ns), e.min(w.end_ns), c));
            }
        }
        out
    }
}

/// A step inside a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSpan {
    /// The annotation text (empty for work outside any step).
    pub name: String,
    /// GPU extent start, ns.
    pub start_ns: i64,
    /// GPU extent end, ns.
    pub end_ns: i64,
    /// Σ durations, ns.
    pub gpu_ns: i64,
}

/// A stage's window on the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageSpan {
    /// The stage.
    pub stage: Stage,
    /// Its heading label.
    pub label: String,
    /// First start, ns.
    pub start_ns: i64,
    /// Last end, ns.
    pub end_ns: i64,
    /// Its steps, sorted by start.
    pub steps: Vec<StepSpan>,
    /// The busiest step's window (the stage's extent when it has no steps).
    pub busiest: Window,
}

/// What is under the cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hover {
    /// Lane index.
    pub lane: usize,
    /// Activity index in the lane.
    pub index: usize,
    /// Canonical kernel name (or the copy/fill description).
    pub name: String,
    /// Category.
    pub category: Category,
    /// Start, ns.
    pub start_ns: i64,
    /// Duration, ns.
    pub dur_ns: i64,
    /// Device ordinal.
    pub device: i64,
    /// Stream id.
    pub stream: i64,
    /// The lane label.
    pub lane_label: String,
    /// Python site (`path:line func`, ` [graph]` for replays), if resolved.
    pub site: Option<String>,
}

/// The timeline model of one trace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// The trace's first timestamp (any event), ns: zero of the axes and of `--window`.
    pub origin_ns: i64,
    /// The last end of any GPU activity, ns.
    pub end_ns: i64,
    /// Lanes sorted by device then stream.
    pub lanes: Vec<Lane>,
    /// Stages of the primary device, in report order (`other`, work outside every stage
    /// window, has none).
    pub stages: Vec<StageSpan>,
    /// Distinct activity names.
    pub names: Vec<String>,
    /// Distinct Python sites.
    pub sites: Vec<String>,
}

impl Timeline {
    /// The window of a stage's busiest step (or its whole extent without steps).
    #[must_use]
    pub fn busiest_step(&self, stage: Stage) -> Option<Window> {
        self.stages.iter().find(|s| s.stage == stage).map(|s| s.busiest)
    }

    /// The window of everything on the timeline.
    #[must_use]
    pub fn full(&self) -> Window {
        let start =
            self.lanes.iter().filter_map(|l| l.start_ns.first()).min().copied().unwrap_or(self.origin_ns);
        Window::new(start, self.end_ns)
    }

    /// The lane under a y coordinate of an SVG of `height_px` pixels.
    #[must_use]
    pub fn lane_at(&self, height_px: u32, y_px: f64) -> Option<usize> {
        Layout::new(0, height_px, self.lanes.len()).lane_at(y_px)
    }

    /// The activity under x coordinate `x_px` of an SVG `width_px` wide showing `window`,
    /// on lane `lane`: the shortest activity containing that time, else the nearest one
    /// within two pixels. Searches the model (binary search), never the drawing.
    #[must_use]
    pub fn hit(&self, window: Window, width_px: u32, lane: usize, x_px: f64) -> Option<Hover> {
        let layout = Layout::new(width_px, 0, self.lanes.len());
        let l = self.lanes.get(lane)?;
        let t = layout.time_at(window, x_px)?;
        let tol = (2.0 * layout.ns_per_px(window)).ceil() as i64;
        let upto = l.start_ns.partition_point(|&s| s <= t.saturating_add(tol));
        let mut best: Option<(bool, i64, usize)> = None; // (misses, distance or length, index)
        for i in (0..upto).rev() {
            if l.max_end_ns.get(i).is_none_or(|&e| e < t.saturating_sub(tol)) {
                break;
            }
            let (Some(&s), Some(&d)) = (l.start_ns.get(i), l.dur_ns.get(i)) else { continue };
            let e = s.saturating_add(d);
            let key = if s <= t && t < e.max(s + 1) {
                (false, d, i)
            } else {
                let dist = if t < s { s - t } else { t - e };
                if dist > tol {
                    continue;
                }
                (true, dist, i)
            };
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        let (_, _, i) = best?;
        Some(self.hover(lane, i))
    }

    /// The hover facts of activity `index` of lane `lane` (empty strings if out of range).
    #[must_use]
    pub fn hover(&self, lane: usize, index: usize) -> Hover {
        let l = self.lanes.get(lane);
        let get = |v: Option<&Vec<i64>>| v.and_then(|v| v.get(index)).copied().unwrap_or(0);
        let name = l.and_then(|l| l.name.get(index)).and_then(|&n| self.names.get(n as usize));
        let site = l.and_then(|l| l.site.get(index)).and_then(|&s| self.sites.get(s as usize));
        Hover {
            lane,
            index,
            name: name.cloned().unwrap_or_default(),
            category: l.and_then(|l| l.category.get(index)).copied().unwrap_or(Category::Other),
            start_ns: get(l.map(|l| &l.start_ns)),
            dur_ns: get(l.map(|l| &l.dur_ns)),
            device: l.map_or(0, |l| l.device),
            stream: l.map_or(0, |l| l.stream),
            lane_label: l.map(|l| l.label.clone()).unwrap_or_default(),
            site: site.cloned(),
        }
    }
}

#[cfg(test)]
mod tests;
