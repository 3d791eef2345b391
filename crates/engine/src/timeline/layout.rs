//! Geometry of a timeline drawing: where lanes and times are in pixels. Shared by the hit
//! test ([`super::Timeline::hit`]) and the SVG renderer in the `report` crate, so the two
//! agree to the pixel.

use super::Window;

/// Height of the stage band and the time axis above the lanes, px.
pub const TOP: f64 = 32.0;
/// Padding under the lanes, px.
const BOTTOM: f64 = 4.0;
/// Padding right of the plot, px.
const RIGHT: f64 = 8.0;
/// The tallest a lane gets, px.
const MAX_LANE: f64 = 28.0;

/// Where things are in a drawing of `width × height` pixels with `lanes` lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// Lanes drawn.
    pub lanes: usize,
}

impl Layout {
    /// A layout (at least 40 × 48 pixels).
    #[must_use]
    pub fn new(width: u32, height: u32, lanes: usize) -> Layout {
        Layout { width: width.max(40), height: height.max(48), lanes }
    }

    /// Left edge of the plot (right of the lane labels), px.
    #[must_use]
    pub fn left(&self) -> f64 {
        (f64::from(self.width) / 4.0).min(120.0).round()
    }

    /// Right edge of the plot, px.
    #[must_use]
    pub fn right(&self) -> f64 {
        (f64::from(self.width) - RIGHT).max(self.left() + 1.0)
    }

    /// Plot width, px (≥ 1).
    #[must_use]
    pub fn plot_width(&self) -> f64 {
        self.right() - self.left()
    }

    /// Nanoseconds per pixel for `w`.
    #[must_use]
    pub fn ns_per_px(&self, w: Window) -> f64 {
        w.len_ns() as f64 / self.plot_width()
    }

    /// The x coordinate of time `t`.
    #[must_use]
    pub fn x_at(&self, w: Window, t: i64) -> f64 {
        self.left() + (t - w.start_ns) as f64 / self.ns_per_px(w)
    }

    /// The time at x coordinate `x` (`None` outside the plot).
    #[must_use]
    pub fn time_at(&self, w: Window, x: f64) -> Option<i64> {
        (x >= self.left() - 0.5 && x <= self.right() + 0.5)
            .then(|| w.start_ns + ((x - self.left()) * self.ns_per_px(w)).round() as i64)
    }

    /// Height of one lane, px.
    #[must_use]
    pub fn lane_height(&self) -> f64 {
        let free = (f64::from(self.height) - TOP - BOTTOM).max(1.0);
        (free / self.lanes.max(1) as f64).min(MAX_LANE)
    }

    /// Top of lane `i`, px.
    #[must_use]
    pub fn lane_top(&self, i: usize) -> f64 {
        TOP + i as f64 * self.lane_height()
    }

    /// The lane at y coordinate `y`.
    #[must_use]
    pub fn lane_at(&self, y: f64) -> Option<usize> {
        if y < TOP {
            return None;
        }
        let i = ((y - TOP) / self.lane_height()).floor() as usize;
        (i < self.lanes).then_some(i)
    }
}
