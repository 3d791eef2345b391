//! The timeline requests: a window of a loaded input drawn as SVG (the input's timeline
//! model is built on its first use and kept), the hit test under the cursor, and where
//! report rows live in time (Open in Perfetto).

use report::engine::timeline::Timeline;
use report::engine::timeline::Window;

use super::palette::palette;
use super::state;
use crate::protocol::{Drawn, HoverFacts, HoverRequest, SpotsRequest, Spotted, TimelineRequest};

/// Runs `f` with input `input`'s timeline (built on first use).
fn with_timeline<T>(input: usize, f: impl FnOnce(&Timeline) -> T) -> Result<T, String> {
    state::with(|s| {
        let l = s.loaded.as_mut().ok_or("no trace is loaded")?;
        let (path, trace) = l.traces.get(input).ok_or("no such input")?;
        let slot = l.timelines.get_mut(input).ok_or("no such input")?;
        Ok(f(slot.get_or_insert_with(|| Timeline::of(trace, path, report::engine::Catalog::builtin()))))
    })
}

/// The windows of a stage's spots, and its span.
pub(super) fn spots(r: &SpotsRequest) -> Result<Spotted, String> {
    with_timeline(r.input, |tl| {
        let span = tl.stages.iter().find(|s| s.label == r.stage).cloned();
        let windows =
            span.as_ref().map_or_else(|| vec![None; r.spots.len()], |s| tl.spot_windows(s.stage, &r.spots));
        Spotted { stage: span, windows }
    })
}

/// Draws the asked window (default: the stage's busiest step, else the whole trace).
pub(super) fn draw(r: &TimelineRequest) -> Result<Drawn, String> {
    with_timeline(r.input, |tl| {
        let window = r.window.unwrap_or_else(|| default_window(tl, r.stage.as_deref()));
        let svg = report::timeline::svg::render(
            tl,
            window,
            r.width.clamp(200, 4000),
            r.height.clamp(80, 4000),
            &palette(&r.palette),
        );
        Drawn { svg, window, origin_ns: tl.origin_ns, stages: tl.stages.clone(), lanes: tl.lanes.len() }
    })
}

/// The busiest step of the stage labelled `stage`, else the whole trace.
fn default_window(tl: &Timeline, stage: Option<&str>) -> Window {
    stage
        .and_then(|label| tl.stages.iter().find(|s| s.label == label))
        .map_or_else(|| tl.full(), |s| s.busiest)
}

/// What is under the cursor on a drawn window (nothing before the input was drawn).
pub(super) fn hover(r: &HoverRequest) -> HoverFacts {
    let hover = state::with(|s| {
        let tl = s.loaded.as_ref()?.timelines.get(r.input)?.as_ref()?;
        let lane = tl.lane_at(r.height, r.y)?;
        tl.hit(r.window, r.width, lane, r.x)
    });
    HoverFacts { hover }
}
