//! The overlap timeline of a stage, drawn by the engine (plotters SVG) in the worker from
//! the loaded trace: lanes per stream, kernels coloured by category, overlap and idle time
//! shaded, steps marked. Zoom (buttons, wheel), pan (buttons, drag), one-click zoom to a
//! step, and hover facts from the engine's hit test against the model — never one DOM
//! element per kernel.

use leptos::prelude::*;
use report::engine::timeline::Hover;
use report::engine::timeline::Layout;
use report::engine::timeline::StageSpan;
use report::engine::timeline::StepSpan;
use report::engine::timeline::Window;
use report::timeline::labels;
use wasm_bindgen::JsCast;

use crate::client;
use crate::components::perfetto::PerfettoButton;
use crate::protocol::{Drawn, Event, HoverRequest, TimelineRequest};

/// Height of the drawing for `lanes` lanes, px.
fn height(lanes: usize) -> u32 {
    u32::try_from(70 + 30 * lanes.clamp(1, 24)).unwrap_or(300)
}

/// Colours for the drawing, read from the page's CSS variables (so dark mode applies).
pub(crate) fn css_palette() -> Vec<(String, String)> {
    let Some(window) = web_sys::window() else { return Vec::new() };
    let Some(root) = window.document().and_then(|d| d.document_element()) else { return Vec::new() };
    let Ok(Some(style)) = window.get_computed_style(&root) else { return Vec::new() };
    let mut out = Vec::new();
    let mut var = |name: &str, css: &str| {
        if let Ok(v) = style.get_property_value(css)
            && !v.trim().is_empty()
        {
            out.push((name.to_owned(), v.trim().to_owned()));
        }
    };
    var("background", "--tt-bg");
    var("text", "--tt-fg");
    var("grid", "--tt-border");
    var("overlap", "--tt-tl-overlap");
    var("idle", "--tt-tl-idle");
    var("stage", "--tt-accent");
    for c in report::engine::vocab::Category::ALL {
        var(c.label(), &format!("--tt-cat-{}", c.label()));
    }
    out
}

/// One timeline view's state, shared by its handlers and sub-views.
#[derive(Clone, Copy)]
struct Canvas {
    /// Index of the input trace.
    input: usize,
    /// The stage's label.
    stage: StoredValue<String>,
    /// The drawing.
    svg: RwSignal<String>,
    /// The window drawn (none before the first drawing).
    window: RwSignal<Option<Window>>,
    /// The trace's first timestamp.
    origin: RwSignal<i64>,
    /// Number of lanes (sets the drawing's height).
    lanes: RwSignal<usize>,
    /// Stage spans and their steps.
    spans: RwSignal<Vec<StageSpan>>,
    /// What is under the cursor.
    hover: RwSignal<Option<Hover>>,
    /// The cursor, px inside the drawing.
    tip: RwSignal<(f64, f64)>,
    /// The last error.
    error: RwSignal<String>,
    /// A hover request is on its way (the next waits for its answer).
    hover_busy: RwSignal<bool>,
    /// A drag: where it started and the window then.
    drag: RwSignal<Option<(f64, Window)>>,
    /// The drawing's container.
    wrap: NodeRef<leptos::html::Div>,
    /// A window to draw again (the first drawing's, once the lane count is known).
    redraw: RwSignal<Option<Window>>,
    /// The step last picked (its number, from 1, and window), for Open in Perfetto.
    picked: RwSignal<Option<(usize, Window)>>,
}

impl Canvas {
    fn new(input: usize, stage: String) -> Canvas {
        Canvas {
            input,
            stage: StoredValue::new(stage),
            svg: RwSignal::new(String::new()),
            window: RwSignal::new(None),
            origin: RwSignal::new(0),
            lanes: RwSignal::new(1),
            spans: RwSignal::new(Vec::new()),
            hover: RwSignal::new(None),
            tip: RwSignal::new((0.0, 0.0)),
            error: RwSignal::new(String::new()),
            hover_busy: RwSignal::new(false),
            drag: RwSignal::new(None),
            wrap: NodeRef::new(),
            redraw: RwSignal::new(None),
            picked: RwSignal::new(None),
        }
    }

    fn width(self) -> u32 {
        self.wrap.get_untracked().map_or(1200, |d| d.client_width().clamp(400, 3000) as u32)
    }

    fn height(self) -> u32 {
        height(self.lanes.get_untracked())
    }

    fn layout(self) -> Layout {
        Layout::new(self.width(), self.height(), self.lanes.get_untracked())
    }

    /// Asks the worker for window `w` (`None`: the stage's busiest step).
    fn request(self, w: Option<Window>) {
        let req = TimelineRequest {
            input: self.input,
            window: w,
            stage: Some(self.stage.get_value()),
            width: self.width(),
            height: self.height(),
            palette: css_palette(),
        };
        // An answer can arrive after the view is gone (a new trace opened meanwhile): it is
        // dropped then.
        let svg = self.svg;
        let result = client::ask(
            req,
            &[],
            move || !svg.is_disposed(),
            move |event| match event {
                Event::Answer(drawn) => self.show(drawn),
                Event::Failed(message) => self.error.set(message),
                Event::Progress(_) => {}
            },
        );
        if let Err(e) = result {
            self.error.set(e);
        }
    }

    /// Shows a drawing (or, the first time, draws again at the height its lanes need).
    fn show(self, d: Drawn) {
        let first = self.window.get_untracked().is_none();
        let n = d.lanes.max(1);
        self.window.set(Some(d.window));
        self.origin.set(d.origin_ns);
        self.spans.set(d.stages);
        if first && n != self.lanes.get_untracked() {
            self.lanes.set(n);
            self.redraw.set(Some(d.window));
        } else {
            self.svg.set(d.svg);
        }
    }

    fn zoom(self, factor: f64, anchor: Option<i64>) {
        if let Some(w) = self.window.get_untracked() {
            let a = anchor.unwrap_or((w.start_ns + w.end_ns) / 2);
            self.request(Some(w.zoomed(factor, a)));
        }
    }

    fn pan(self, frac: f64) {
        if let Some(w) = self.window.get_untracked() {
            self.request(Some(w.shifted((w.len_ns() as f64 * frac) as i64)));
        }
    }

    /// The stage's span, if the drawing named it.
    fn span(self) -> Option<StageSpan> {
        self.spans.get_untracked().into_iter().find(|s| s.label == self.stage.get_value())
    }

    /// The stage's steps (tracked).
    fn steps(self) -> Vec<StepSpan> {
        self.spans
            .get()
            .into_iter()
            .find(|s| s.label == self.stage.get_value())
            .map(|s| s.steps)
            .unwrap_or_default()
    }

    /// The cursor of `ev` inside the drawing, px.
    fn local(self, ev: &web_sys::MouseEvent) -> Option<(f64, f64)> {
        let div = self.wrap.get_untracked()?;
        let rect = div.unchecked_ref::<web_sys::Element>().get_bounding_client_rect();
        Some((f64::from(ev.client_x()) - rect.left(), f64::from(ev.client_y()) - rect.top()))
    }

    fn on_wheel(self, ev: &web_sys::WheelEvent) {
        ev.prevent_default();
        let Some((x, _)) = self.local(ev) else { return };
        let Some(w) = self.window.get_untracked() else { return };
        let anchor = self.layout().time_at(w, x);
        self.zoom(if ev.delta_y() < 0.0 { 1.25 } else { 0.8 }, anchor);
    }

    fn on_down(self, ev: &web_sys::MouseEvent) {
        if let (Some((x, _)), Some(w)) = (self.local(ev), self.window.get_untracked()) {
            self.drag.set(Some((x, w)));
        }
    }

    fn on_up(self, ev: &web_sys::MouseEvent) {
        if let (Some((x0, w)), Some((x, _))) = (self.drag.get_untracked(), self.local(ev)) {
            self.drag.set(None);
            let dx = x - x0;
            if dx.abs() > 3.0 {
                let ns = (dx * self.layout().ns_per_px(w)) as i64;
                self.request(Some(w.shifted(-ns)));
            }
        }
    }

    /// Asks what is under the cursor (one question at a time, none while dragging).
    fn on_move(self, ev: &web_sys::MouseEvent) {
        let Some((x, y)) = self.local(ev) else { return };
        let Some(w) = self.window.get_untracked() else { return };
        self.tip.set((x, y));
        if self.hover_busy.get_untracked() || self.drag.get_untracked().is_some() {
            return;
        }
        self.hover_busy.set(true);
        let req =
            HoverRequest { input: self.input, window: w, width: self.width(), height: self.height(), x, y };
        let (busy, hover) = (self.hover_busy, self.hover);
        let result = client::ask(
            req,
            &[],
            move || !busy.is_disposed(),
            move |event| {
                busy.set(false);
                if let Event::Answer(facts) = event {
                    hover.set(facts.hover);
                }
            },
        );
        if result.is_err() {
            busy.set(false);
        }
    }

    /// The window shown, in words.
    fn span_line(self) -> String {
        self.window.get().map_or(String::new(), |w| labels::window_line(w, self.origin.get()))
    }
}

/// The timeline of one stage of one input.
#[component]
pub fn TimelineView(
    /// Index of the input trace.
    input: usize,
    /// The stage's label (`extend/prefill`, `decode`, …).
    stage: String,
    /// A window to zoom to whenever it changes (a clicked layer, …).
    #[prop(optional, into)]
    zoom: Option<Signal<Option<Window>>>,
) -> impl IntoView {
    let c = Canvas::new(input, stage);
    // Draw once the canvas is in the page (its width is known then), and again on demand.
    Effect::new(move |_| {
        if c.wrap.get().is_some() {
            c.request(c.redraw.get());
        }
    });
    if let Some(zoom) = zoom {
        Effect::new(move |_| {
            if let Some(w) = zoom.get()
                && c.wrap.get_untracked().is_some()
            {
                c.request(Some(w));
            }
        });
    }
    view! {
        <section class="tt-timeline" id="timeline">
            <Controls c=c/>
            <div
                class="tt-tl-canvas"
                id="tl-canvas"
                node_ref=c.wrap
                on:wheel=move |ev| c.on_wheel(&ev)
                on:mousedown=move |ev| c.on_down(&ev)
                on:mouseup=move |ev| c.on_up(&ev)
                on:mousemove=move |ev| c.on_move(&ev)
                on:mouseleave=move |_| { c.hover.set(None); c.drag.set(None); }
                inner_html=move || c.svg.get()
            ></div>
            <Tip c=c/>
            <Show when=move || !c.error.get().is_empty()>
                <p class="tt-error">{move || c.error.get()}</p>
            </Show>
            <p class="tt-muted tt-small">"Scroll to zoom, drag to pan, hover a kernel for its facts. Shaded: several streams busy (overlap) or the GPU idle."</p>
        </section>
    }
}

/// Busiest step, whole stage, a step picker, zoom and pan buttons, and the window shown.
#[component]
fn Controls(
    /// The timeline.
    c: Canvas,
) -> impl IntoView {
    let whole_stage = move |_| {
        if let Some(s) = c.span() {
            c.request(Some(Window::new(s.start_ns, s.end_ns)));
        }
    };
    let pick_step = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let parsed =
            v.split_once('-').and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)));
        let number =
            |w: Window| c.span().and_then(|s| s.steps.iter().position(|t| t.window() == w)).map(|i| i + 1);
        c.picked.set(parsed.and_then(|(a, b)| Some((number(Window::new(a, b))?, Window::new(a, b)))));
        if let Some((a, b)) = parsed {
            c.request(Some(Window::new(a, b)));
        }
    };
    let steps = move || {
        c.steps()
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let label = labels::step_label(i + 1, &s);
                view! { <option value=format!("{}-{}", s.start_ns, s.end_ns)>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="tt-tl-controls">
            <button class="tt-button" id="tl-busiest" on:click=move |_| c.request(None)>"Busiest step"</button>
            <button class="tt-button" id="tl-stage" on:click=whole_stage>"Whole stage"</button>
            <select class="tt-step-select" id="tl-step" on:change=pick_step>
                <option value="">"Zoom to a step…"</option>
                {steps}
            </select>
            <button class="tt-button" id="tl-zoom-in" title="Zoom in" on:click=move |_| c.zoom(2.0, None)>"+"</button>
            <button class="tt-button" id="tl-zoom-out" title="Zoom out" on:click=move |_| c.zoom(0.5, None)>"−"</button>
            <button class="tt-button" title="Earlier" on:click=move |_| c.pan(-0.5)>"◀"</button>
            <button class="tt-button" title="Later" on:click=move |_| c.pan(0.5)>"▶"</button>
            <span class="tt-muted tt-small" id="tl-window">{move || c.span_line()}</span>
            <PerfettoButton input=c.input id="tl-perfetto-view" text="This view in Perfetto"
                what=Signal::derive(move || format!("{} timeline view", c.stage.get_value())) window=c.window/>
            <PerfettoButton input=c.input id="tl-perfetto-step" text="This step in Perfetto"
                what=Signal::derive(move || c.picked.get().map_or(String::new(), |(n, _)| format!("{} step {n}", c.stage.get_value())))
                window=Signal::derive(move || c.picked.get().map(|(_, w)| w))/>
        </div>
    }
}

/// The facts of the activity under the cursor.
#[component]
fn Tip(
    /// The timeline.
    c: Canvas,
) -> impl IntoView {
    let place = move || {
        let (x, y) = c.tip.get();
        format!("left: {:.0}px; top: {:.0}px", x + 14.0, y + 14.0)
    };
    view! {
        <Show when=move || c.hover.get().is_some()>
            <div class="tt-tip" id="tl-tip" style=place>
                {move || c.hover.get().map(|h| view! {
                    <div class="tt-tip-name">{h.name.clone()}</div>
                    <div>{labels::hover_facts(&h)}</div>
                    <div class="tt-muted">{labels::hover_site(&h)}</div>
                })}
            </div>
        </Show>
    }
}
