//! The words around the browser's interactive timeline: the window shown, the step picker's
//! entries and the hover tip's facts, from the engine's [`Window`], [`StepSpan`] and
//! [`Hover`] (the drawing itself is [`super::svg`]).

use crate::format;
use engine::timeline::{Hover, StepSpan, Window};

/// The window shown, in ms after the trace's first timestamp `origin_ns`, and its length:
/// `1.250 – 3.750 ms after the trace start (2.50 ms shown)`.
#[must_use]
pub fn window_line(w: Window, origin_ns: i64) -> String {
    format!(
        "{:.3} – {:.3} ms after the trace start ({} shown)",
        (w.start_ns - origin_ns) as f64 / 1e6,
        (w.end_ns - origin_ns) as f64 / 1e6,
        format::duration_ns(w.len_ns())
    )
}

/// A step picker entry: the step's number (counted from 1) and its GPU time,
/// `step 2 · 1.50 ms of GPU time`.
#[must_use]
pub fn step_label(number: usize, s: &StepSpan) -> String {
    format!("step {number} · {} of GPU time", format::duration_ns(s.gpu_ns))
}

/// The hover tip's facts line: category, duration and lane, `gemm · 12.5 µs · dev 0 stream 7`.
#[must_use]
pub fn hover_facts(h: &Hover) -> String {
    format!("{} · {} · {}", h.category.label(), format::duration_ns(h.dur_ns), h.lane_label)
}

/// The hover tip's Python site, or `Python site unresolved`.
#[must_use]
pub fn hover_site(h: &Hover) -> String {
    h.site.clone().unwrap_or_else(|| "Python site unresolved".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::vocab::Category;

    fn hover(site: Option<&str>) -> Hover {
        Hover {
            lane: 0,
            index: 0,
            name: "nvjet_tst_128x64".to_owned(),
            category: Category::Gemm,
            start_ns: 0,
            dur_ns: 12_500,
            device: 0,
            stream: 7,
            lane_label: "dev 0 stream 7".to_owned(),
            site: site.map(str::to_owned),
        }
    }

    #[test]
    fn window_and_step_lines() {
        let origin = 1_000_000_000;
        let w = Window::new(origin + 1_250_000, origin + 3_750_000);
        assert_eq!(window_line(w, origin), "1.250 – 3.750 ms after the trace start (2.50 ms shown)");
        let s =
            StepSpan { name: "step[DECODE]".to_owned(), start_ns: 0, end_ns: 2_000_000, gpu_ns: 1_500_000 };
        assert_eq!(step_label(2, &s), "step 2 · 1.50 ms of GPU time");
    }

    #[test]
    fn hover_tip_lines() {
        assert_eq!(hover_facts(&hover(None)), "gemm · 12.5 µs · dev 0 stream 7");
        assert_eq!(hover_site(&hover(None)), "Python site unresolved");
        assert_eq!(hover_site(&hover(Some("linear.py:120 forward"))), "linear.py:120 forward");
    }
}
