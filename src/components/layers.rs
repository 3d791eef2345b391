//! The Layers tab (`tracetriage layers` in the browser): forward passes and layers of one
//! loaded trace, found by the engine in the worker — the all-passes summary, the layer
//! heat map of a pass (layers × categories, drawn by the engine with plotters), the
//! pass's layer table and layer types, and, for a clicked layer, its kernels in hot order
//! with the overlap timeline zoomed to it. A model `config.json` can be dropped beside the
//! trace or chosen here.

use std::sync::Arc;

use leptos::prelude::*;
use report::engine::timeline::Window;
use report::layers::LayersReport;
use report::layers::view as lview;
use wasm_bindgen::JsCast;

use crate::components::table::TableView;
use crate::components::timeline::{TimelineView, css_palette};
use crate::io;
use crate::protocol::{FromWorker, ToWorker};

/// Height of the heat map, px.
const HEAT_HEIGHT: u32 = 300;

/// The Layers tab for the loaded input `input`.
#[component]
pub fn LayersView(
    /// Index of the input trace.
    input: usize,
    /// The label of the stage whose timeline is shown beside (`decode`, …).
    stage: String,
) -> impl IntoView {
    let report: RwSignal<Option<Arc<LayersReport>>> = RwSignal::new(None);
    let svg = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let pass: RwSignal<Option<usize>> = RwSignal::new(None);
    let layer: RwSignal<Option<usize>> = RwSignal::new(None);
    let profile = RwSignal::new(String::new());
    let anchor = RwSignal::new(String::new());
    let config_name = RwSignal::new(io::model_config().map(|(n, _)| n).unwrap_or_default());
    let drawn_width = RwSignal::new(960u32);
    let zoom: RwSignal<Option<Window>> = RwSignal::new(None);
    let heat = NodeRef::<leptos::html::Div>::new();
    let no_filter: Signal<String> = Signal::derive(String::new);

    let request = move || {
        let width = heat.get_untracked().map_or(960, |d| d.client_width().clamp(300, 3000) as u32);
        drawn_width.set(width);
        busy.set(true);
        let req = ToWorker::Layers {
            input,
            config: io::model_config().map(|(_, t)| t),
            profile: Some(profile.get_untracked()).filter(|p| !p.is_empty()),
            anchor: Some(anchor.get_untracked()).filter(|a| !a.is_empty()),
            pass: pass.get_untracked(),
            layer: layer.get_untracked(),
            width,
            height: HEAT_HEIGHT,
            palette: css_palette(),
        };
        let result = io::layers(req, move |msg| {
            // The view may be gone (a new trace opened) before the answer arrives.
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match msg {
                FromWorker::Layers { json, svg: s } => match LayersReport::from_json(&json) {
                    Ok(r) => {
                        error.set(String::new());
                        if let Some(d) = &r.layer {
                            zoom.set(Some(Window::new(d.start_ns, d.end_ns)));
                        }
                        report.set(Some(Arc::new(r)));
                        svg.set(s);
                    }
                    Err(e) => error.set(e.to_string()),
                },
                FromWorker::Error { message } => error.set(message),
                _ => {}
            }
        });
        if let Err(e) = result {
            busy.set(false);
            error.set(e);
        }
    };
    Effect::new(move |_| {
        if heat.get().is_some() {
            request();
        }
    });

    let on_heat_click = move |ev: web_sys::MouseEvent| {
        let Some(div) = heat.get_untracked() else { return };
        let Some(r) = report.get_untracked() else { return };
        let rect = div.unchecked_ref::<web_sys::Element>().get_bounding_client_rect();
        let x = f64::from(ev.client_x()) - rect.left();
        let lay = report::layers::svg::layout(&r, drawn_width.get_untracked(), HEAT_HEIGHT);
        if let Some(l) = lay.layer_at(x) {
            pass.set(r.pass.as_ref().map(|p| p.index));
            layer.set(Some(l));
            request();
        }
    };
    let on_config = move |ev: leptos::ev::Event| {
        let Some(input_el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(file) = input_el.files().and_then(|f| f.get(0)) else { return };
        input_el.set_value("");
        leptos::task::spawn_local(async move {
            let name = file.name();
            match io::file_text(&file).await {
                Some(text) => {
                    io::set_model_config(Some((name.clone(), text)));
                    config_name.set(name);
                    request();
                }
                None => error.set(format!("{name}: the browser could not read the file")),
            }
        });
    };

    let header = move || {
        report.get().map(|r| {
            lview::header(&r)
                .into_iter()
                .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
                .collect_view()
        })
    };
    let model = move || {
        report.get().map(|r| {
            r.model
                .iter()
                .map(|f| view! { <dt>{f.label.clone()}</dt><dd>{f.value.clone()}</dd> })
                .collect_view()
        })
    };
    let notes =
        move || report.get().map(|r| r.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view());
    let passes = move || {
        report.get().map(|r| {
            let indices: Vec<usize> = r.passes.iter().map(|p| p.index).collect();
            let on_row = Callback::new(move |i: usize| {
                pass.set(indices.get(i).copied());
                layer.set(None);
                zoom.set(None);
                request();
            });
            view! { <TableView table=Arc::new(lview::passes_table(&r)) filter=no_filter id="layers-passes".to_owned() on_row=on_row/> }
        })
    };
    let pass_detail = move || {
        report.get().and_then(|r| {
            let table = lview::layers_table(&r)?;
            let clusters = lview::clusters_table(&r);
            let title = r.pass.as_ref().map(|p| format!("Layers of pass {}", p.index)).unwrap_or_default();
            let indices: Vec<usize> =
                r.pass.as_ref().map(|p| p.layers.iter().map(|l| l.index).collect()).unwrap_or_default();
            let this_pass = r.pass.as_ref().map(|p| p.index);
            let on_row = Callback::new(move |i: usize| {
                pass.set(this_pass);
                layer.set(indices.get(i).copied());
                request();
            });
            Some(view! {
                <h4>{title}</h4>
                <TableView table=Arc::new(table) filter=no_filter id="layers-table".to_owned() on_row=on_row/>
                {clusters.map(|c| view! {
                    <h4>"Layer types"</h4>
                    <TableView table=Arc::new(c) filter=no_filter id="layers-clusters".to_owned()/>
                })}
            })
        })
    };
    let layer_detail = move || {
        report.get().and_then(|r| {
            let d = r.layer.as_ref()?;
            let title = format!(
                "Layer {} of pass {} ({}): {} wall, {} of kernels",
                d.layer,
                d.pass,
                d.kind,
                report::format::duration_ns(d.wall_ns),
                report::format::duration_ns(d.sum_ns)
            );
            let categories = Arc::new(lview::layer_categories_table(&r, d));
            let kernels = Arc::new(lview::layer_kernels_table(d));
            Some(view! {
                <h4 id="layer-title">{title}</h4>
                <TableView table=categories filter=no_filter id="layer-categories".to_owned()/>
                <TableView table=kernels filter=no_filter id="layer-kernels".to_owned() names=true/>
            })
        })
    };

    view! {
        <section class="tt-layers" id="layers">
            <div class="tt-actions">
                <label class="tt-small">"Profile "
                    <select id="layers-profile" on:change=move |ev| {
                        profile.set(event_target_value(&ev));
                        pass.set(None);
                        layer.set(None);
                        request();
                    }>
                        <option value="">"automatic"</option>
                        {report::engine::catalog::Profiles::builtin().names().into_iter().map(|n| view! { <option value=n.to_owned()>{n.to_owned()}</option> }).collect_view()}
                    </select>
                </label>
                <input
                    id="layers-anchor"
                    class="tt-filter"
                    type="search"
                    placeholder="Anchor kernel (name contains…)"
                    on:change=move |ev| {
                        anchor.set(event_target_value(&ev));
                        pass.set(None);
                        layer.set(None);
                        request();
                    }
                />
                <label class="tt-button" title="The model's config.json: layer count, layer types, model summary">
                    "config.json…"
                    <input id="layers-config" type="file" accept=".json,application/json" on:change=on_config/>
                </label>
                <span class="tt-muted tt-small" id="layers-config-name">{move || {
                    let n = config_name.get();
                    if n.is_empty() { "no config.json".to_owned() } else { format!("config: {n}") }
                }}</span>
                <span class="tt-muted tt-small">{move || if busy.get() { "analysing…" } else { "" }}</span>
            </div>
            <Show when=move || !error.get().is_empty()>
                <p class="tt-error" id="layers-error">{move || error.get()}</p>
            </Show>
            <dl class="tt-header" id="layers-header">{header}</dl>
            <dl class="tt-header" id="layers-model">{model}</dl>
            <h4>"Forward passes"</h4>
            {passes}
            <h4>"Heat map: layers × categories (click a layer)"</h4>
            <div class="tt-heatmap" id="layers-heatmap" node_ref=heat on:click=on_heat_click inner_html=move || svg.get()></div>
            {pass_detail}
            {layer_detail}
            <h4>"Timeline"</h4>
            <TimelineView input=input stage=stage zoom=zoom/>
            <ul class="tt-notes" id="layers-notes">{notes}</ul>
        </section>
    }
}
