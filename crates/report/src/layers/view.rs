//! Presentation tables of a [`LayersReport`], built once for every front end (the CLI's
//! text, compute-flow and Perfetto output, the browser's layer tab). Times come from
//! [`crate::format`]; nothing here formats a number otherwise.

use std::sync::Mutex;

use super::{LayerDetail, LayersReport, PassNote};
use crate::format;
use crate::table::{Align, Cell, Column, Table};

/// A `'static` column label for text known only at run time (profile groups): each
/// distinct text is leaked once, and there are only as many as catalog groups.
fn label(text: &str) -> &'static str {
    if let Some(c) = engine::vocab::Category::ALL.iter().find(|c| c.label() == text) {
        return c.label();
    }
    static SEEN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let Ok(mut seen) = SEEN.lock() else { return "category" };
    if let Some(s) = seen.iter().find(|s| **s == text) {
        return s;
    }
    let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
    seen.push(leaked);
    leaked
}

/// Seconds after the Perfetto origin.
fn secs(r: &LayersReport, ns: i64) -> Cell {
    let rel = ns - r.origin_ns;
    Cell::num(format::seconds6(rel), rel as f64, rel.to_string())
}

/// One pass note as text.
#[must_use]
pub fn note_text(n: &PassNote) -> String {
    match n {
        PassNote::ColdStart { ratio } => format!("cold-start ({ratio:.2}× steady)"),
        PassNote::SteadyState => "steady-state".to_owned(),
        PassNote::Growing { ratio } => format!("growing {ratio:.2}×"),
        PassNote::Slower { ratio } => format!("slower ({ratio:.2}× steady)"),
        PassNote::Faster { ratio } => format!("faster ({ratio:.2}× steady)"),
        PassNote::Changed { what } => format!("changed: {what}"),
        PassNote::LayerCount { found, expected } => format!("{found} layers, config says {expected}"),
    }
}

/// The header block: `(label, value)` lines.
#[must_use]
pub fn header(r: &LayersReport) -> Vec<(&'static str, String)> {
    let mut lines = vec![("Trace", r.input.path.clone())];
    let i = &r.input;
    let mut gpu = i.gpu.clone().unwrap_or_else(|| "unknown GPU".to_owned());
    if let Some(d) = i.device {
        gpu.push_str(&format!(" (device {d})"));
    }
    match (i.rank, i.world_size) {
        (Some(rank), Some(world)) => gpu.push_str(&format!(", rank {rank} of {world}")),
        (Some(rank), None) => gpu.push_str(&format!(", rank {rank}")),
        _ => {}
    }
    lines.push(("GPU", gpu));
    if let Some(s) = i.stream {
        let mut text = format!("{s} ({} kernels)", format::count(i.kernels));
        let others: Vec<String> = i
            .other_streams
            .iter()
            .take(6)
            .map(|o| {
                let dev =
                    if Some(o.device) == i.device { String::new() } else { format!("device {} ", o.device) };
                format!(
                    "{dev}stream {} ({} kernels, {})",
                    o.stream,
                    format::count(o.kernels),
                    format::ms(o.gpu_ns)
                )
            })
            .collect();
        if !others.is_empty() {
            let more = i.other_streams.len().saturating_sub(6);
            text.push_str(&format!("; not analysed: {}", others.join(", ")));
            if more > 0 {
                text.push_str(&format!(" and {more} more"));
            }
        }
        lines.push(("Stream", text));
    }
    let p = &r.profile;
    let method = match (&p.anchor, p.method) {
        (Some(a), super::Method::Anchors) => format!(
            "anchors: `{a}` ({} of its block), {} block{} per layer ({})",
            p.anchor_at,
            p.blocks_per_layer,
            if p.blocks_per_layer == 1 { "" } else { "s" },
            p.half_labels.join(", ")
        ),
        _ => "automatic: the repeating kernel-name sequence of one layer".to_owned(),
    };
    lines.push(("Profile", format!("{} (from {})", p.name, p.source)));
    lines.push(("Layers found by", method));
    if let Some(n) = r.config_layers {
        lines.push(("config.json", format!("{n} layers")));
    }
    let mut stages: Vec<(String, usize)> = Vec::new();
    for pass in &r.passes {
        let s = pass.stage.label().to_owned();
        match stages.iter_mut().find(|(x, _)| *x == s) {
            Some(e) => e.1 += 1,
            None => stages.push((s, 1)),
        }
    }
    let parts: Vec<String> = stages.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let mut passes = format::count(r.passes.len() as u64);
    if !parts.is_empty() {
        passes.push_str(&format!(" ({})", parts.join(", ")));
    }
    if let Some(s) = r.steady_pass.and_then(|i| r.passes.get(i)) {
        passes.push_str(&format!("; steady state: pass {} ({} layers)", s.index, s.layers));
    }
    lines.push(("Forward passes", passes));
    lines
}

/// The heading of a pass's layer table: `Layers of pass 3`.
#[must_use]
pub fn pass_layers_title(pass: usize) -> String {
    format!("Layers of pass {pass}")
}

/// A layer's number, type, compress ratio (as `ratio_key=…`, when listed), pass and
/// figures: `5 [full] (c_ratio=4) of pass 3 — 1.20 ms wall, 1.10 ms Σ, 42 kernels`.
fn layer_figures(d: &LayerDetail, ratio_key: &str) -> String {
    let cr = d.compress_ratio.map_or_else(String::new, |c| format!(" ({ratio_key}={c})"));
    format!(
        "{} [{}]{cr} of pass {} — {} wall, {} Σ, {} kernels",
        d.layer,
        d.kind,
        d.pass,
        format::duration_ns(d.wall_ns),
        format::duration_ns(d.sum_ns),
        format::count(d.kernels.len() as u64)
    )
}

/// The heading of one layer in the text report: `Layer 5 [full] (c_ratio=4) of pass 3 —
/// 1.20 ms wall, 1.10 ms Σ, 42 kernels` (the compress ratio only when listed).
#[must_use]
pub fn layer_heading(d: &LayerDetail) -> String {
    format!("Layer {}", layer_figures(d, "c_ratio"))
}

/// The heading of one layer's compute flow: `Compute flow: layer 5 [full]
/// (compress_ratio=4) of pass 3 — 1.20 ms wall, 1.10 ms Σ, 42 kernels | starts 0.001000 s
/// after the trace start` (seconds after `origin_ns`, the report's Perfetto origin).
#[must_use]
pub fn compute_flow_heading(d: &LayerDetail, origin_ns: i64) -> String {
    format!(
        "Compute flow: layer {} | starts {} s after the trace start",
        layer_figures(d, "compress_ratio"),
        format::seconds6(d.start_ns - origin_ns)
    )
}

/// The heading of a clicked layer in the browser's Layers tab: `Layer 5 of pass 3 (full):
/// 1.20 ms wall, 1.10 ms of kernels`.
#[must_use]
pub fn layer_title(d: &LayerDetail) -> String {
    format!(
        "Layer {} of pass {} ({}): {} wall, {} of kernels",
        d.layer,
        d.pass,
        d.kind,
        format::duration_ns(d.wall_ns),
        format::duration_ns(d.sum_ns)
    )
}

/// The all-passes summary.
#[must_use]
pub fn passes_table(r: &LayersReport) -> Table {
    let columns = vec![
        Column::right("Pass"),
        Column::left("Step"),
        Column::right("Start (s)"),
        Column::right("End (s)"),
        Column::right("Duration"),
        Column::right("Layers"),
        Column::right("Avg layer"),
        Column::right("First layer"),
        Column::right("Kernels"),
        Column::left("Notes"),
    ];
    let rows = r
        .passes
        .iter()
        .map(|p| {
            let step = if p.step.is_empty() { p.stage.label().to_owned() } else { p.step.clone() };
            let notes: Vec<String> = p.notes.iter().map(note_text).collect();
            vec![
                Cell::count(p.index as u64),
                Cell::text(step),
                secs(r, p.start_ns),
                secs(r, p.end_ns),
                Cell::duration(p.dur_ns),
                Cell::count(p.layers as u64),
                Cell::duration(p.avg_layer_ns),
                Cell::duration(p.first_layer_ns),
                Cell::count(p.kernels),
                Cell::text(if notes.is_empty() { "-".to_owned() } else { notes.join("; ") }),
            ]
        })
        .collect();
    Table { columns, rows, empty: "No forward pass with layers.".to_owned(), footer: None }
}

/// The groups shown as columns, and whether a "rest" column collects the others (when
/// the detail pass has time in them).
fn shown_groups(r: &LayersReport) -> (Vec<String>, bool) {
    let all = r.groups();
    let shown: Vec<String> = r.columns.clone();
    let rest = r.pass.as_ref().is_some_and(|p| {
        p.layers
            .iter()
            .any(|l| all.iter().zip(r.by_group(&l.category_ns)).any(|(g, ns)| ns > 0 && !shown.contains(g)))
    });
    (shown, rest)
}

/// Per group of [`LayersReport::groups`] → the shown columns plus "other".
fn column_values(r: &LayersReport, category_ns: &[i64]) -> Vec<i64> {
    let all = r.groups();
    let per = r.by_group(category_ns);
    let (shown, rest) = shown_groups(r);
    let mut out: Vec<i64> = shown
        .iter()
        .map(|g| all.iter().position(|x| x == g).and_then(|i| per.get(i)).copied().unwrap_or(0))
        .collect();
    if rest {
        let other: i64 = all.iter().zip(&per).filter(|(g, _)| !shown.contains(g)).map(|(_, ns)| *ns).sum();
        out.push(other);
    }
    out
}

/// The selected pass's layers (`None` without a pass detail).
#[must_use]
pub fn layers_table(r: &LayersReport) -> Option<Table> {
    let p = r.pass.as_ref()?;
    let with_cr = p.layers.iter().any(|l| l.compress_ratio.is_some());
    let (shown, rest) = shown_groups(r);
    let mut columns = vec![Column::right("L")];
    if with_cr {
        columns.push(Column::right("c_r"));
    }
    columns.extend([Column::left("Type"), Column::right("Wall (µs)"), Column::right("Σ dur (µs)")]);
    columns.extend(shown.iter().map(|g| Column::new(label(g), Align::Right)));
    if rest {
        columns.push(Column::right("rest"));
    }
    columns.extend([Column::right("AR#"), Column::right("K#")]);
    let rows = p
        .layers
        .iter()
        .map(|l| {
            let mut row = vec![Cell::count(l.index as u64)];
            if with_cr {
                row.push(match l.compress_ratio {
                    Some(c) => Cell::num(c.to_string(), c as f64, c.to_string()),
                    None => Cell::text("-"),
                });
            }
            row.extend([Cell::text(l.kind.clone()), Cell::us(l.wall_ns), Cell::us(l.sum_ns)]);
            row.extend(column_values(r, &l.category_ns).into_iter().map(Cell::us));
            row.extend([Cell::count(l.all_reduces), Cell::count(l.kernels)]);
            row
        })
        .collect();
    Some(Table { columns, rows, empty: "No layers.".to_owned(), footer: None })
}

/// Layer-type clusters of the selected pass: shares of each cluster's Σ duration.
#[must_use]
pub fn clusters_table(r: &LayersReport) -> Option<Table> {
    let p = r.pass.as_ref()?;
    let (shown, rest) = shown_groups(r);
    let mut columns = vec![
        Column::left("Type"),
        Column::right("Layers"),
        Column::right("Avg wall (µs)"),
        Column::right("Avg Σ dur (µs)"),
    ];
    columns.extend(shown.iter().map(|g| Column::new(label(&format!("{g} %")), Align::Right)));
    if rest {
        columns.push(Column::right("rest %"));
    }
    let rows = p
        .clusters
        .iter()
        .map(|c| {
            let mut row = vec![
                Cell::text(c.kind.clone()),
                Cell::count(c.layers as u64),
                Cell::us(c.avg_wall_ns),
                Cell::us(c.avg_sum_ns),
            ];
            row.extend(
                column_values(r, &c.category_ns)
                    .into_iter()
                    .map(|ns| Cell::share(format::share(ns, c.sum_ns))),
            );
            row
        })
        .collect();
    Some(Table { columns, rows, empty: "No layers.".to_owned(), footer: None })
}

/// The label of a category key.
fn key_label(r: &LayersReport, key: &str) -> String {
    r.categories.iter().find(|c| c.key == key).map_or_else(|| key.to_owned(), |c| c.label.clone())
}

/// A layer's time per category, most first.
#[must_use]
pub fn layer_categories_table(r: &LayersReport, d: &LayerDetail) -> Table {
    let columns = vec![
        Column::left("Category"),
        Column::right("Duration (µs)"),
        Column::right("Share"),
        Column::right("Kernels"),
    ];
    let rows = d
        .categories
        .iter()
        .filter(|c| c.dur_ns >= 500)
        .map(|c| {
            vec![
                Cell::text(key_label(r, &c.key)),
                Cell::us(c.dur_ns),
                Cell::share(format::share(c.dur_ns, d.sum_ns)),
                Cell::count(c.count),
            ]
        })
        .collect();
    Table { columns, rows, empty: "No kernels.".to_owned(), footer: None }
}

/// A layer's kernels in hot order.
#[must_use]
pub fn layer_kernels_table(d: &LayerDetail) -> Table {
    let columns = vec![
        Column::right("#"),
        Column::left("Half"),
        Column::left("Kernel"),
        Column::right("Duration (µs)"),
        Column::right("Share"),
    ];
    let rows = d
        .kernels
        .iter()
        .enumerate()
        .map(|(i, k)| {
            vec![
                Cell::count(i as u64),
                Cell::text(k.block.clone()),
                Cell::text(k.short.clone()),
                Cell::us(k.dur_ns),
                Cell::share(k.share_pct),
            ]
        })
        .collect();
    Table { columns, rows, empty: "No kernels.".to_owned(), footer: None }
}

/// Compute flow: a layer's kernels in execution order with category, share, offset from
/// the layer's start and the input dims of the launching op.
#[must_use]
pub fn compute_flow_table(d: &LayerDetail) -> Table {
    let columns = vec![
        Column::right("#"),
        Column::right("Hot #"),
        Column::left("Half"),
        Column::left("Category"),
        Column::left("Kernel"),
        Column::right("Duration (µs)"),
        Column::right("Share"),
        Column::right("Offset (µs)"),
        Column::left("Input dims"),
    ];
    let mut order: Vec<(usize, &super::LayerKernel)> = d.kernels.iter().enumerate().collect();
    engine::order::sort_by_key(&mut order, |(_, k)| k.position);
    let rows = order
        .into_iter()
        .map(|(hot, k)| {
            let dims = k.input_dims.as_deref().map_or_else(|| "—".to_owned(), |s| cut(s, 40));
            vec![
                Cell::count(k.position as u64),
                Cell::count(hot as u64),
                Cell::text(k.block.clone()),
                Cell::text(k.key.clone()),
                Cell::text(cut(&k.short, 48)),
                Cell::us(k.dur_ns),
                Cell::share(k.share_pct),
                Cell::us(k.start_ns - d.start_ns),
                Cell::text(dims),
            ]
        })
        .collect();
    Table { columns, rows, empty: "No kernels.".to_owned(), footer: None }
}

/// At most `max` characters, `…` last when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Two layers' time per category.
#[must_use]
pub fn compare_table(r: &LayersReport) -> Option<Table> {
    let (a, c) = (r.layer.as_ref()?, r.compare.as_ref()?);
    let b = &c.other;
    let columns = vec![
        Column::left("Category"),
        Column::new(label(&format!("Layer {} (µs)", a.layer)), Align::Right),
        Column::new(label(&format!("Layer {} (µs)", b.layer)), Align::Right),
        Column::right("Δ (µs)"),
    ];
    let mut keys: Vec<&str> = a.categories.iter().map(|x| x.key.as_str()).collect();
    for x in &b.categories {
        if !keys.contains(&x.key.as_str()) {
            keys.push(&x.key);
        }
    }
    let of = |d: &LayerDetail, k: &str| d.categories.iter().find(|x| x.key == k).map_or(0, |x| x.dur_ns);
    let mut rows: Vec<Vec<Cell>> = keys
        .iter()
        .map(|k| {
            let (x, y) = (of(a, k), of(b, k));
            vec![Cell::text(key_label(r, k)), Cell::us(x), Cell::us(y), Cell::us(y - x)]
        })
        .collect();
    rows.push(vec![
        Cell::text("total"),
        Cell::us(a.sum_ns),
        Cell::us(b.sum_ns),
        Cell::us(b.sum_ns - a.sum_ns),
    ]);
    rows.push(vec![
        Cell::text("wall"),
        Cell::us(a.wall_ns),
        Cell::us(b.wall_ns),
        Cell::us(b.wall_ns - a.wall_ns),
    ]);
    Some(Table { columns, rows, empty: "No kernels.".to_owned(), footer: None })
}

/// Perfetto time ranges of every pass.
#[must_use]
pub fn perfetto_passes_table(r: &LayersReport) -> Table {
    let columns = vec![
        Column::right("Pass"),
        Column::left("Step"),
        Column::right("Start (s)"),
        Column::right("End (s)"),
        Column::right("Duration"),
        Column::right("visStart (ns)"),
        Column::right("visEnd (ns)"),
    ];
    let rows = r
        .passes
        .iter()
        .map(|p| {
            let step = if p.step.is_empty() { p.stage.label().to_owned() } else { p.step.clone() };
            vec![
                Cell::count(p.index as u64),
                Cell::text(step),
                secs(r, p.start_ns),
                secs(r, p.end_ns),
                Cell::duration(p.dur_ns),
                Cell::text(p.start_ns.to_string()),
                Cell::text(p.end_ns.to_string()),
            ]
        })
        .collect();
    Table { columns, rows, empty: "No forward pass with layers.".to_owned(), footer: None }
}

/// Perfetto time ranges of the selected pass's layers; `highlight` marks layers with `◀`.
#[must_use]
pub fn perfetto_layers_table(r: &LayersReport, highlight: &[usize]) -> Option<Table> {
    let p = r.pass.as_ref()?;
    let columns = vec![
        Column::right("L"),
        Column::left("Type"),
        Column::right("Start (s)"),
        Column::right("End (s)"),
        Column::right("Wall"),
        Column::right("Σ dur"),
        Column::right("visStart (ns)"),
        Column::right("visEnd (ns)"),
        Column::left("Note"),
    ];
    let rows = p
        .layers
        .iter()
        .map(|l| {
            let note = if highlight.contains(&l.index) { "◀" } else { "" };
            vec![
                Cell::count(l.index as u64),
                Cell::text(l.kind.clone()),
                secs(r, l.start_ns),
                secs(r, l.end_ns),
                Cell::duration(l.wall_ns),
                Cell::duration(l.sum_ns),
                Cell::text(l.start_ns.to_string()),
                Cell::text(l.end_ns.to_string()),
                Cell::text(note),
            ]
        })
        .collect();
    Some(Table { columns, rows, empty: "No layers.".to_owned(), footer: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(compress_ratio: Option<i64>) -> LayerDetail {
        LayerDetail {
            pass: 3,
            layer: 5,
            kind: "full".to_owned(),
            compress_ratio,
            start_ns: 0,
            end_ns: 1_200_000,
            wall_ns: 1_200_000,
            sum_ns: 1_100_000,
            kernels: Vec::new(),
            categories: Vec::new(),
        }
    }

    #[test]
    fn pass_and_layer_headings() {
        assert_eq!(pass_layers_title(3), "Layers of pass 3");
        assert_eq!(layer_title(&detail(None)), "Layer 5 of pass 3 (full): 1.20 ms wall, 1.10 ms of kernels");
        assert_eq!(
            layer_heading(&detail(None)),
            "Layer 5 [full] of pass 3 — 1.20 ms wall, 1.10 ms Σ, 0 kernels"
        );
        assert_eq!(
            layer_heading(&detail(Some(4))),
            "Layer 5 [full] (c_ratio=4) of pass 3 — 1.20 ms wall, 1.10 ms Σ, 0 kernels"
        );
        assert_eq!(
            compute_flow_heading(&detail(Some(4)), -1_000_000),
            "Compute flow: layer 5 [full] (compress_ratio=4) of pass 3 — 1.20 ms wall, 1.10 ms Σ, 0 kernels | starts 0.001000 s after the trace start"
        );
    }
}
