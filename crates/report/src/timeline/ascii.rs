//! The ASCII timeline of the CLI (`tracetriage triage --timeline`): one row per stream
//! with work in the window, one character per column by category ([`Category::glyph`]), a
//! row marking overlapped columns, the stage's step marks, a legend and the longest
//! activities in the window. The legacy seed's reference behaviour is anchor-spec §19.

use crate::format;
use engine::timeline::bins::{self, Bins};
use engine::timeline::strip::{overlap_strip, strip};
use engine::timeline::{Timeline, Window};
use engine::vocab::Category;

/// Longest activities listed under the legend.
const LONGEST: usize = 5;

/// Places `text` centred on column `at` of `row` (kept inside the row).
fn place(row: &mut [char], at: usize, text: &str) {
    let len = text.chars().count();
    let start = at.saturating_sub(len / 2).min(row.len().saturating_sub(len));
    for (i, ch) in text.chars().enumerate() {
        if let Some(slot) = row.get_mut(start + i) {
            *slot = ch;
        }
    }
}

fn ms_text(ns: i64, len_ns: i64) -> String {
    let ms = ns as f64 / 1e6;
    if len_ns >= 100_000_000 {
        format!("{ms:.1}")
    } else if len_ns >= 1_000_000 {
        format!("{ms:.3}")
    } else {
        format!("{ms:.4}")
    }
}

fn short(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_owned()
    } else {
        name.chars().take(max.saturating_sub(1)).chain(core::iter::once('…')).collect()
    }
}

/// Renders `window` in about `width` characters per row.
#[must_use]
pub fn render(tl: &Timeline, window: Window, width: usize) -> String {
    let shown: Vec<usize> = (0..tl.lanes.len())
        .filter(|&l| tl.lanes.get(l).is_some_and(|lane| !lane.in_window(window).is_empty()))
        .collect();
    let label_w = shown
        .iter()
        .filter_map(|&l| tl.lanes.get(l))
        .map(|l| l.label.chars().count())
        .chain([8])
        .max()
        .unwrap_or(8)
        .min(24);
    let cols = width.saturating_sub(label_w + 1).max(20);
    let len = window.len_ns();
    let mut out = format!(
        "window {}–{} ms after the trace's first event ({}; one column = {})\n",
        ms_text(window.start_ns - tl.origin_ns, len),
        ms_text(window.end_ns - tl.origin_ns, len),
        format::duration_ns(len),
        format::duration_ns(len / cols as i64)
    );
    if shown.is_empty() {
        out.push_str("no GPU activity in this window\n");
        return out;
    }
    let lanes: Vec<Vec<(i64, i64, Category)>> =
        shown.iter().filter_map(|&l| tl.lanes.get(l)).map(|l| l.in_window(window)).collect();
    let b: Bins = bins::bin(&lanes, window, cols);
    let row = |label: &str, body: &str| format!("{label:<label_w$} {body}\n");
    // Ruler with marks at 0, ¼, ½, ¾ and the end, and their times (ms from the origin).
    let marks: Vec<usize> = (0..=4).map(|i| (cols - 1) * i / 4).collect();
    let mut ruler = vec!['-'; cols];
    let mut times = vec![' '; cols];
    for &m in &marks {
        if let Some(slot) = ruler.get_mut(m) {
            *slot = '|';
        }
        let t = if m + 1 == cols { window.end_ns } else { b.boundary(m) };
        place(&mut times, m, &ms_text(t - tl.origin_ns, len));
    }
    out.push_str(&row("time(ms)", times.iter().collect::<String>().trim_end()));
    out.push_str(&row("", &ruler.iter().collect::<String>()));
    // Steps: '-' inside a stage, '|' where a step starts.
    let mut steps = vec![' '; cols];
    for stage in &tl.stages {
        for (c, slot) in steps.iter_mut().enumerate() {
            let mid = (b.boundary(c) + b.boundary(c + 1)) / 2;
            if stage.start_ns <= mid && mid < stage.end_ns && *slot == ' ' {
                *slot = '-';
            }
        }
        for s in &stage.steps {
            if s.start_ns >= window.start_ns && s.start_ns < window.end_ns && !s.name.is_empty() {
                let c = (0..cols).find(|&c| b.boundary(c + 1) > s.start_ns).unwrap_or(0);
                if let Some(slot) = steps.get_mut(c) {
                    *slot = '|';
                }
            }
        }
    }
    out.push_str(&row("steps", steps.iter().collect::<String>().trim_end()));
    for (row_i, &l) in shown.iter().enumerate() {
        let label = tl.lanes.get(l).map(|x| short(&x.label, label_w)).unwrap_or_default();
        out.push_str(&row(&label, &strip(&b, row_i)));
    }
    out.push_str(&row("overlap", overlap_strip(&b).trim_end()));
    // Legend: the categories drawn, then the marks.
    let mut used: Vec<Category> = b.cells.iter().flatten().filter_map(|c| c.top).collect();
    engine::order::sort_by(&mut used, Ord::cmp);
    used.dedup();
    let mut legend: Vec<String> = used.iter().map(|&c| format!("{} {}", c.glyph(), c.label())).collect();
    legend.push(". idle".to_owned());
    legend.push("^ two or more streams busy".to_owned());
    legend.push("| step start".to_owned());
    // Wrapped to the width.
    let mut line = String::from("legend:");
    for item in legend {
        if line.chars().count() + item.chars().count() + 3 > width.max(40) && line != "legend:" {
            out.push_str(&line);
            out.push('\n');
            line = String::from("       ");
        }
        line.push_str(if line.ends_with(':') || line.trim().is_empty() { " " } else { " · " });
        line.push_str(&item);
    }
    out.push_str(&line);
    out.push('\n');
    // The longest activities in the window.
    let mut longest: Vec<(i64, usize, usize)> = Vec::new();
    for &l in &shown {
        let Some(lane) = tl.lanes.get(l) else { continue };
        for i in lane.range(window) {
            let (Some(&s), Some(&d)) = (lane.start_ns.get(i), lane.dur_ns.get(i)) else { continue };
            if s + d > window.start_ns && s < window.end_ns {
                longest.push((d, l, i));
            }
        }
    }
    engine::order::sort_by(&mut longest, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    if !longest.is_empty() {
        out.push_str("longest in window:\n");
    }
    for &(_, l, i) in longest.iter().take(LONGEST) {
        let h = tl.hover(l, i);
        out.push_str(&format!(
            "  {} {:>9}  {}  {}\n",
            h.category.glyph(),
            format::duration_ns(h.dur_ns),
            h.lane_label,
            short(&h.name, width.saturating_sub(16 + h.lane_label.chars().count()).max(24))
        ));
    }
    out
}
