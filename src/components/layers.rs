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

use crate::client;
use crate::components::table::TableView;
use crate::components::timeline::{TimelineView, css_palette};
use crate::io;
use crate::protocol::{Event, LayersDone, LayersRequest};
use crate::state::AppState;

/// Height of the heat map, px.
const HEAT_HEIGHT: u32 = 300;

/// The Layers tab's state, shared by its handlers and sub-views.
#[derive(Clone, Copy)]
struct Layers {
    /// Index of the input trace.
    input: usize,
    /// The last report.
    report: RwSignal<Option<Arc<LayersReport>>>,
    /// Its heat map.
    svg: RwSignal<String>,
    /// The last error.
    error: RwSignal<String>,
    /// A request is on its way.
    busy: RwSignal<bool>,
    /// The pass asked for (`None`: the engine's pick).
    pass: RwSignal<Option<usize>>,
    /// The layer listed kernel by kernel.
    layer: RwSignal<Option<usize>>,
    /// A profile name (empty: automatic).
    profile: RwSignal<String>,
    /// An anchor kernel substring.
    anchor: RwSignal<String>,
    /// The model's `config.json` (the page's, see [`AppState::model_config`]).
    config: RwSignal<Option<(String, String)>>,
    /// The width the heat map was drawn at, px.
    drawn_width: RwSignal<u32>,
    /// The clicked layer's window, for the timeline.
    zoom: RwSignal<Option<Window>>,
    /// The heat map's container.
    heat: NodeRef<leptos::html::Div>,
}

impl Layers {
    fn new(input: usize, config: RwSignal<Option<(String, String)>>) -> Layers {
        Layers {
            input,
            report: RwSignal::new(None),
            svg: RwSignal::new(String::new()),
            error: RwSignal::new(String::new()),
            busy: RwSignal::new(false),
            pass: RwSignal::new(None),
            layer: RwSignal::new(None),
            profile: RwSignal::new(String::new()),
            anchor: RwSignal::new(String::new()),
            config,
            drawn_width: RwSignal::new(960),
            zoom: RwSignal::new(None),
            heat: NodeRef::new(),
        }
    }

    /// Asks the worker for the layers report with the current choices.
    fn request(self) {
        let width = self.heat.get_untracked().map_or(960, |d| d.client_width().clamp(300, 3000) as u32);
        self.drawn_width.set(width);
        self.busy.set(true);
        let req = LayersRequest {
            input: self.input,
            config: self.config.get_untracked().map(|(_, t)| t),
            profile: Some(self.profile.get_untracked()).filter(|p| !p.is_empty()),
            anchor: Some(self.anchor.get_untracked()).filter(|a| !a.is_empty()),
            pass: self.pass.get_untracked(),
            layer: self.layer.get_untracked(),
            width,
            height: HEAT_HEIGHT,
            palette: css_palette(),
        };
        // The view may be gone (a new trace opened) before the answer arrives: it is
        // dropped then.
        let busy = self.busy;
        let result = client::ask(
            req,
            &[],
            move || !busy.is_disposed(),
            move |event| {
                busy.set(false);
                match event {
                    Event::Answer(done) => self.show(done),
                    Event::Failed(message) => self.error.set(message),
                    Event::Progress(_) => {}
                }
            },
        );
        if let Err(e) = result {
            self.busy.set(false);
            self.error.set(e);
        }
    }

    fn show(self, done: LayersDone) {
        match LayersReport::from_json(&done.json) {
            Ok(r) => {
                self.error.set(String::new());
                if let Some(d) = &r.layer {
                    self.zoom.set(Some(Window::new(d.start_ns, d.end_ns)));
                }
                self.report.set(Some(Arc::new(r)));
                self.svg.set(done.svg);
            }
            Err(e) => self.error.set(e.to_string()),
        }
    }

    /// Shows `layer` of `pass` (`None`: the engine's picks).
    fn choose(self, pass: Option<usize>, layer: Option<usize>) {
        self.pass.set(pass);
        self.layer.set(layer);
        self.request();
    }

    /// A click on the heat map: the layer under it.
    fn on_heat_click(self, ev: &web_sys::MouseEvent) {
        let Some(div) = self.heat.get_untracked() else { return };
        let Some(r) = self.report.get_untracked() else { return };
        let rect = div.unchecked_ref::<web_sys::Element>().get_bounding_client_rect();
        let x = f64::from(ev.client_x()) - rect.left();
        let lay = report::layers::svg::layout(&r, self.drawn_width.get_untracked(), HEAT_HEIGHT);
        if let Some(l) = lay.layer_at(x) {
            self.choose(r.pass.as_ref().map(|p| p.index), Some(l));
        }
    }
}

/// The Layers tab for the loaded input `input`.
#[component]
pub fn LayersView(
    /// Index of the input trace.
    input: usize,
    /// The label of the stage whose timeline is shown beside (`decode`, …).
    stage: String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let l = Layers::new(input, state.model_config);
    Effect::new(move |_| {
        if l.heat.get().is_some() {
            l.request();
        }
    });
    let header = move || {
        l.report.get().map(|r| {
            lview::header(&r)
                .into_iter()
                .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
                .collect_view()
        })
    };
    let model = move || {
        l.report.get().map(|r| {
            r.model
                .iter()
                .map(|f| view! { <dt>{f.label.clone()}</dt><dd>{f.value.clone()}</dd> })
                .collect_view()
        })
    };
    let notes =
        move || l.report.get().map(|r| r.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view());
    view! {
        <section class="tt-layers" id="layers">
            <Controls l=l/>
            <Show when=move || !l.error.get().is_empty()>
                <p class="tt-error" id="layers-error">{move || l.error.get()}</p>
            </Show>
            <dl class="tt-header" id="layers-header">{header}</dl>
            <dl class="tt-header" id="layers-model">{model}</dl>
            <h4>"Forward passes"</h4>
            {move || l.report.get().map(|r| passes_view(l, &r))}
            <h4>"Heat map: layers × categories (click a layer)"</h4>
            <div class="tt-heatmap" id="layers-heatmap" node_ref=l.heat on:click=move |ev| l.on_heat_click(&ev) inner_html=move || l.svg.get()></div>
            {move || l.report.get().and_then(|r| pass_view(l, &r))}
            {move || l.report.get().and_then(|r| layer_view(&r))}
            <h4>"Timeline"</h4>
            <TimelineView input=input stage=stage zoom=l.zoom/>
            <ul class="tt-notes" id="layers-notes">{notes}</ul>
        </section>
    }
}

/// The profile picker, the anchor kernel, the model's config.json, and whether the worker
/// is busy.
#[component]
fn Controls(
    /// The tab.
    l: Layers,
) -> impl IntoView {
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
                    l.config.set(Some((name, text)));
                    l.request();
                }
                None => l.error.set(format!("{name}: the browser could not read the file")),
            }
        });
    };
    let profiles = report::engine::catalog::Profiles::builtin()
        .names()
        .into_iter()
        .map(|n| view! { <option value=n.to_owned()>{n.to_owned()}</option> })
        .collect_view();
    let config_name = move || {
        l.config
            .with(|c| c.as_ref().map_or_else(|| "no config.json".to_owned(), |(n, _)| format!("config: {n}")))
    };
    view! {
        <div class="tt-actions">
            <label class="tt-small">"Profile "
                <select id="layers-profile" on:change=move |ev| {
                    l.profile.set(event_target_value(&ev));
                    l.choose(None, None);
                }>
                    <option value="">"automatic"</option>
                    {profiles}
                </select>
            </label>
            <input
                id="layers-anchor"
                class="tt-filter"
                type="search"
                placeholder="Anchor kernel (name contains…)"
                on:change=move |ev| {
                    l.anchor.set(event_target_value(&ev));
                    l.choose(None, None);
                }
            />
            <label class="tt-button" title="The model's config.json: layer count, layer types, model summary">
                "config.json…"
                <input id="layers-config" type="file" accept=".json,application/json" on:change=on_config/>
            </label>
            <span class="tt-muted tt-small" id="layers-config-name">{config_name}</span>
            <span class="tt-muted tt-small">{move || if l.busy.get() { "analysing…" } else { "" }}</span>
        </div>
    }
}

/// The all-passes summary; a click on a pass shows it.
fn passes_view(l: Layers, r: &LayersReport) -> impl IntoView + use<> {
    let indices: Vec<usize> = r.passes.iter().map(|p| p.index).collect();
    let on_row = Callback::new(move |i: usize| {
        l.zoom.set(None);
        l.choose(indices.get(i).copied(), None);
    });
    let no_filter: Signal<String> = Signal::derive(String::new);
    view! { <TableView table=Arc::new(lview::passes_table(r)) filter=no_filter id="layers-passes".to_owned() on_row=on_row/> }
}

/// The shown pass's layer table and layer types; a click on a layer lists its kernels.
fn pass_view(l: Layers, r: &LayersReport) -> Option<impl IntoView + use<>> {
    let table = lview::layers_table(r)?;
    let clusters = lview::clusters_table(r);
    let title = r.pass.as_ref().map(|p| lview::pass_layers_title(p.index)).unwrap_or_default();
    let indices: Vec<usize> =
        r.pass.as_ref().map(|p| p.layers.iter().map(|l| l.index).collect()).unwrap_or_default();
    let this_pass = r.pass.as_ref().map(|p| p.index);
    let on_row = Callback::new(move |i: usize| l.choose(this_pass, indices.get(i).copied()));
    let no_filter: Signal<String> = Signal::derive(String::new);
    Some(view! {
        <h4>{title}</h4>
        <TableView table=Arc::new(table) filter=no_filter id="layers-table".to_owned() on_row=on_row/>
        {clusters.map(|c| view! {
            <h4>"Layer types"</h4>
            <TableView table=Arc::new(c) filter=no_filter id="layers-clusters".to_owned()/>
        })}
    })
}

/// The clicked layer: its categories and kernels.
fn layer_view(r: &LayersReport) -> Option<impl IntoView + use<>> {
    let d = r.layer.as_ref()?;
    let title = lview::layer_title(d);
    let categories = Arc::new(lview::layer_categories_table(r, d));
    let kernels = Arc::new(lview::layer_kernels_table(d));
    let no_filter: Signal<String> = Signal::derive(String::new);
    Some(view! {
        <h4 id="layer-title">{title}</h4>
        <TableView table=categories filter=no_filter id="layer-categories".to_owned()/>
        <TableView table=kernels filter=no_filter id="layer-kernels".to_owned() names=true/>
    })
}
