//! Plain-text rendering of a [`LayersReport`] (`tracetriage layers`, the golden files):
//! aligned columns, the header, the summary, the pass's layers and clusters, one layer's
//! kernels and a comparison; also the compute-flow and Perfetto forms.

use super::{LayersReport, view};
use crate::format;

fn finish(out: &[String]) -> String {
    let mut text: String = out.iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n");
    text.push('\n');
    text
}

fn push_header(out: &mut Vec<String>, r: &LayersReport) {
    for (label, value) in view::header(r) {
        out.push(format!("{label}: {value}"));
    }
}

fn push_notes(out: &mut Vec<String>, r: &LayersReport) {
    if !r.notes.is_empty() {
        out.push(String::new());
        out.push("Notes".to_owned());
        for n in &r.notes {
            out.push(format!("- {n}"));
        }
    }
}

fn push_model(out: &mut Vec<String>, r: &LayersReport) {
    if !r.model.is_empty() {
        out.push(String::new());
        out.push("Model (config.json)".to_owned());
        for f in &r.model {
            out.push(format!("  {}: {}", f.label, f.value));
        }
    }
}

fn pass_title(r: &LayersReport, index: usize) -> String {
    match r.passes.get(index) {
        Some(p) => {
            let step = if p.step.is_empty() { p.stage.label().to_owned() } else { p.step.clone() };
            format!(
                "Pass {index} ({step}): {} layers, {} ({} of layers), {} kernels",
                p.layers,
                format::duration_ns(p.dur_ns),
                format::duration_ns(p.layers_end_ns - p.layers_start_ns),
                format::count(p.kernels)
            )
        }
        None => format!("Pass {index}"),
    }
}

fn push_layer(out: &mut Vec<String>, r: &LayersReport, d: &super::LayerDetail) {
    out.push(view::layer_heading(d));
    out.push(String::new());
    view::layer_categories_table(r, d).push_text(out);
    out.push(String::new());
    view::layer_kernels_table(d).push_text(out);
}

/// The whole report as text.
#[must_use]
pub fn render(r: &LayersReport) -> String {
    let mut out: Vec<String> = vec!["Layers".to_owned()];
    push_header(&mut out, r);
    push_model(&mut out, r);
    out.push(String::new());
    out.push("All passes".to_owned());
    view::passes_table(r).push_text(&mut out);
    if let Some(p) = &r.pass {
        out.push(String::new());
        out.push(pass_title(r, p.index));
        if let Some(t) = view::layers_table(r) {
            t.push_text(&mut out);
        }
        out.push(String::new());
        out.push(format!("Layer types of pass {}", p.index));
        if let Some(t) = view::clusters_table(r) {
            t.push_text(&mut out);
        }
    }
    if let Some(d) = &r.layer {
        out.push(String::new());
        push_layer(&mut out, r, d);
    }
    if let (Some(a), Some(c)) = (&r.layer, &r.compare) {
        out.push(String::new());
        push_layer(&mut out, r, &c.other);
        out.push(String::new());
        out.push(format!("Layer {} vs layer {}", a.layer, c.other.layer));
        if let Some(t) = view::compare_table(r) {
            t.push_text(&mut out);
        }
        out.push(format!("Kernel names in common: {}", c.common));
        if !c.only_first.is_empty() {
            out.push(format!("Only in layer {}: {}", a.layer, c.only_first.len()));
            out.extend(c.only_first.iter().map(|n| format!("  + {n}")));
        }
        if !c.only_other.is_empty() {
            out.push(format!("Only in layer {}: {}", c.other.layer, c.only_other.len()));
            out.extend(c.only_other.iter().map(|n| format!("  + {n}")));
        }
    }
    push_notes(&mut out, r);
    finish(&out)
}

/// Compute flow of the selected layer (and of the compared one): the model summary, then
/// each kernel in execution order.
#[must_use]
pub fn render_compute_flow(r: &LayersReport) -> String {
    let mut out: Vec<String> = vec!["Compute flow".to_owned()];
    push_header(&mut out, r);
    push_model(&mut out, r);
    let layers: Vec<&super::LayerDetail> =
        r.layer.iter().chain(r.compare.as_ref().map(|c| &c.other)).collect();
    if layers.is_empty() {
        out.push(String::new());
        out.push("No layer selected (use --layer L).".to_owned());
    }
    for d in layers {
        out.push(String::new());
        out.push(view::compute_flow_heading(d, r.origin_ns));
        view::compute_flow_table(d).push_text(&mut out);
    }
    push_notes(&mut out, r);
    finish(&out)
}

/// Perfetto time ranges: every pass, and the selected pass's layers.
#[must_use]
pub fn render_perfetto(r: &LayersReport) -> String {
    let mut out: Vec<String> = vec!["Perfetto time ranges".to_owned()];
    push_header(&mut out, r);
    out.push(format!(
        "Times are seconds after the trace's first timestamp ({} µs in the file), which is where Perfetto's timeline starts.",
        format::micros(r.origin_ns)
    ));
    out.push(String::new());
    out.push("Passes".to_owned());
    view::perfetto_passes_table(r).push_text(&mut out);
    if let Some(p) = &r.pass {
        let highlight: Vec<usize> =
            r.layer.iter().map(|d| d.layer).chain(r.compare.as_ref().map(|c| c.other.layer)).collect();
        out.push(String::new());
        out.push(view::pass_layers_title(p.index));
        if let Some(t) = view::perfetto_layers_table(r, &highlight) {
            t.push_text(&mut out);
        }
    }
    out.push(String::new());
    out.push("How to use them in Perfetto (ui.perfetto.dev):".to_owned());
    out.push("- Start (s) and End (s) are what Perfetto's time ruler shows: drag across that range on the timeline to select it.".to_owned());
    out.push("- visStart and visEnd are trace timestamps in nanoseconds: add `?visStart=<visStart>&visEnd=<visEnd>` to a Perfetto URL that opens this trace to open it zoomed to the range.".to_owned());
    out.push("- In Perfetto's query page, `select ts, dur, name from slice where ts >= <visStart> and ts < <visEnd> order by ts` lists the range's kernels and CPU events.".to_owned());
    push_notes(&mut out, r);
    finish(&out)
}
