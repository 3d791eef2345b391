//! The overlap timeline of a stage, drawn by the engine (plotters SVG) in the worker from
//! the loaded trace: lanes per stream, kernels coloured by category, overlap and idle time
//! shaded, steps marked. Zoom (buttons, wheel), pan (buttons, drag), one-click zoom to a
//! step, and hover facts from the engine's hit test against the model — never one DOM
//! element per kernel.

use leptos::prelude::*;
use report::engine::timeline::Hover;
use report::engine::timeline::Layout;
use report::engine::timeline::StageSpan;
use report::engine::timeline::Window;
use wasm_bindgen::JsCast;

use crate::io;
use crate::protocol::{FromWorker, ToWorker};

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
    let svg = RwSignal::new(String::new());
    let window: RwSignal<Option<Window>> = RwSignal::new(None);
    let origin = RwSignal::new(0i64);
    let lanes = RwSignal::new(1usize);
    let spans: RwSignal<Vec<StageSpan>> = RwSignal::new(Vec::new());
    let hover: RwSignal<Option<Hover>> = RwSignal::new(None);
    let tip = RwSignal::new((0.0f64, 0.0f64));
    let error = RwSignal::new(String::new());
    let hover_busy = RwSignal::new(false);
    let drag: RwSignal<Option<(f64, Window)>> = RwSignal::new(None);
    let wrap = NodeRef::<leptos::html::Div>::new();
    let redraw: RwSignal<Option<Window>> = RwSignal::new(None);
    let width = move || wrap.get_untracked().map_or(1200, |d| d.client_width().clamp(400, 3000) as u32);

    let stage_label = StoredValue::new(stage.clone());
    let request = move |w: Option<Window>| {
        let req = ToWorker::Timeline {
            input,
            window: w,
            stage: Some(stage_label.get_value()),
            width: width(),
            height: height(lanes.get_untracked()),
            palette: css_palette(),
        };
        // An answer can arrive after the view is gone (a new trace opened meanwhile): its
        // signals are disposed then, and setting them would panic.
        let result = io::timeline(req, move |msg| match msg {
            _ if svg.is_disposed() => {}
            FromWorker::Timeline { svg: s, window: w, origin_ns, stages, lanes: n } => {
                let first = window.get_untracked().is_none();
                let n = n.max(1);
                window.set(Some(w));
                origin.set(origin_ns);
                spans.set(stages);
                if first && n != lanes.get_untracked() {
                    // Now that the lane count is known, draw again at the right height.
                    lanes.set(n);
                    redraw.set(Some(w));
                } else {
                    svg.set(s);
                }
            }
            FromWorker::Error { message } => error.set(message),
            _ => {}
        });
        if let Err(e) = result {
            error.set(e);
        }
    };
    // Draw once the canvas is in the page (its width is known then), and again on demand.
    Effect::new(move |_| {
        if wrap.get().is_some() {
            request(redraw.get());
        }
    });

    if let Some(zoom) = zoom {
        Effect::new(move |_| {
            if let Some(w) = zoom.get()
                && wrap.get_untracked().is_some()
            {
                request(Some(w));
            }
        });
    }

    let layout = move || Layout::new(width(), height(lanes.get_untracked()), lanes.get_untracked());
    let local = move |ev: &web_sys::MouseEvent| -> Option<(f64, f64)> {
        let div = wrap.get_untracked()?;
        let rect = div.unchecked_ref::<web_sys::Element>().get_bounding_client_rect();
        Some((f64::from(ev.client_x()) - rect.left(), f64::from(ev.client_y()) - rect.top()))
    };
    let zoom = move |factor: f64, anchor: Option<i64>| {
        if let Some(w) = window.get_untracked() {
            let a = anchor.unwrap_or((w.start_ns + w.end_ns) / 2);
            request(Some(w.zoomed(factor, a)));
        }
    };
    let pan = move |frac: f64| {
        if let Some(w) = window.get_untracked() {
            request(Some(w.shifted((w.len_ns() as f64 * frac) as i64)));
        }
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let Some((x, _)) = local(&ev) else { return };
        let Some(w) = window.get_untracked() else { return };
        let anchor = layout().time_at(w, x);
        zoom(if ev.delta_y() < 0.0 { 1.25 } else { 0.8 }, anchor);
    };
    let on_down = move |ev: web_sys::MouseEvent| {
        if let (Some((x, _)), Some(w)) = (local(&ev), window.get_untracked()) {
            drag.set(Some((x, w)));
        }
    };
    let on_up = move |ev: web_sys::MouseEvent| {
        if let (Some((x0, w)), Some((x, _))) = (drag.get_untracked(), local(&ev)) {
            drag.set(None);
            let dx = x - x0;
            if dx.abs() > 3.0 {
                let ns = (dx * layout().ns_per_px(w)) as i64;
                request(Some(w.shifted(-ns)));
            }
        }
    };
    let on_move = move |ev: web_sys::MouseEvent| {
        let Some((x, y)) = local(&ev) else { return };
        let Some(w) = window.get_untracked() else { return };
        tip.set((x, y));
        if hover_busy.get_untracked() || drag.get_untracked().is_some() {
            return;
        }
        hover_busy.set(true);
        let req =
            ToWorker::Hover { input, window: w, width: width(), height: height(lanes.get_untracked()), x, y };
        let _ = io::hover(req, move |msg| {
            if hover_busy.is_disposed() {
                return;
            }
            hover_busy.set(false);
            if let FromWorker::Hover { hover: h } = msg {
                hover.set(h);
            }
        });
    };
    let steps = move || {
        spans
            .get()
            .into_iter()
            .find(|s| s.label == stage_label.get_value())
            .map(|s| s.steps)
            .unwrap_or_default()
    };
    let span_line = move || {
        window.get().map_or(String::new(), |w| {
            format!(
                "{:.3} – {:.3} ms after the trace start ({} shown)",
                (w.start_ns - origin.get()) as f64 / 1e6,
                (w.end_ns - origin.get()) as f64 / 1e6,
                report::format::duration_ns(w.len_ns())
            )
        })
    };
    view! {
        <section class="tt-timeline" id="timeline">
            <div class="tt-tl-controls">
                <button class="tt-button" id="tl-busiest" on:click=move |_| request(None)>"Busiest step"</button>
                <button class="tt-button" id="tl-stage" on:click=move |_| {
                    let s = spans.get_untracked().into_iter().find(|s| s.label == stage_label.get_value());
                    if let Some(s) = s {
                        request(Some(Window::new(s.start_ns, s.end_ns)));
                    }
                }>"Whole stage"</button>
                <select class="tt-step-select" id="tl-step" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some((a, b)) = v.split_once('-').and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?))) {
                        request(Some(Window::new(a, b)));
                    }
                }>
                    <option value="">"Zoom to a step…"</option>
                    {move || steps().into_iter().enumerate().map(|(i, s)| {
                        let label = format!("step {} · {} of GPU time", i + 1, report::format::duration_ns(s.gpu_ns));
                        view! { <option value=format!("{}-{}", s.start_ns, s.end_ns)>{label}</option> }
                    }).collect_view()}
                </select>
                <button class="tt-button" id="tl-zoom-in" title="Zoom in" on:click=move |_| zoom(2.0, None)>"+"</button>
                <button class="tt-button" id="tl-zoom-out" title="Zoom out" on:click=move |_| zoom(0.5, None)>"−"</button>
                <button class="tt-button" title="Earlier" on:click=move |_| pan(-0.5)>"◀"</button>
                <button class="tt-button" title="Later" on:click=move |_| pan(0.5)>"▶"</button>
                <span class="tt-muted tt-small" id="tl-window">{span_line}</span>
            </div>
            <div
                class="tt-tl-canvas"
                id="tl-canvas"
                node_ref=wrap
                on:wheel=on_wheel
                on:mousedown=on_down
                on:mouseup=on_up
                on:mousemove=on_move
                on:mouseleave=move |_| { hover.set(None); drag.set(None); }
                inner_html=move || svg.get()
            ></div>
            <Show when=move || hover.get().is_some()>
                <div class="tt-tip" id="tl-tip" style=move || { let (x, y) = tip.get(); format!("left: {:.0}px; top: {:.0}px", x + 14.0, y + 14.0) }>
                    {move || hover.get().map(|h| view! {
                        <div class="tt-tip-name">{h.name.clone()}</div>
                        <div>{format!("{} · {} · {}", h.category.label(), report::format::duration_ns(h.dur_ns), h.lane_label)}</div>
                        <div class="tt-muted">{h.site.clone().unwrap_or_else(|| "Python site unresolved".to_owned())}</div>
                    })}
                </div>
            </Show>
            <Show when=move || !error.get().is_empty()>
                <p class="tt-error">{move || error.get()}</p>
            </Show>
            <p class="tt-muted tt-small">"Scroll to zoom, drag to pan, hover a kernel for its facts. Shaded: several streams busy (overlap) or the GPU idle."</p>
        </section>
    }
}
