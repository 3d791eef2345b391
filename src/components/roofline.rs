//! The roofline of a stage: the coverage line, the chart (`report::roofline::svg`) with
//! hover facts and click-to-filter, and the headroom table.
//!
//! The chart is drawn here on the page thread, not in the worker: it comes from the
//! report alone (one point per kernel row, a few dozen SVG elements), so it needs no
//! trace, works for shared links and dashboard reports too, and costs no round trip. The
//! hit test is the report's ([`Chart::hit`]) against the points it drew.

use std::sync::Arc;

use leptos::prelude::*;
use report::StageReport;
use report::roofline::svg::{self, Chart};
use wasm_bindgen::JsCast;

use crate::components::table::TableView;
use crate::components::timeline::css_palette;
use crate::worker::palette::palette;

/// Height of the chart for a width, px.
fn height(width: u32) -> u32 {
    (width * 2 / 5).clamp(300, 480)
}

/// The roofline section of stage `index`; a click on a point sets `filter` to its kernel.
#[component]
pub fn RooflineView(
    /// The stage.
    stage: Arc<StageReport>,
    /// Its index (for element ids).
    index: usize,
    /// The report's filter text (the kernel table follows it).
    filter: RwSignal<String>,
) -> impl IntoView {
    let coverage = report::roofline::coverage_line(&stage.roofline);
    let headroom = Arc::new(report::roofline::headroom_table(&stage));
    let wrap = NodeRef::<leptos::html::Div>::new();
    let chart: RwSignal<Option<Arc<Chart>>> = RwSignal::new(None);
    let hover: RwSignal<Option<usize>> = RwSignal::new(None);
    // The cursor, px inside the drawing, and whether the tip goes left of it (right half).
    let tip = RwSignal::new((0.0, 0.0, false));
    let s = Arc::clone(&stage);
    // Draw once the container is in the page (its width is known then).
    Effect::new(move |_| {
        if let Some(div) = wrap.get() {
            let width = u32::try_from(div.client_width()).unwrap_or(900).clamp(320, 2400);
            let drawn = svg::chart(&s, svg::spec_of(&s), &palette(&css_palette()), width, height(width));
            chart.set(Some(Arc::new(drawn)));
        }
    });
    // The cursor inside the drawing, px (inside the container's border).
    let local = move |ev: &web_sys::MouseEvent| -> Option<(f64, f64, bool)> {
        let div = wrap.get_untracked()?;
        let el = div.unchecked_ref::<web_sys::Element>();
        let rect = el.get_bounding_client_rect();
        let x = f64::from(ev.client_x()) - rect.left() - f64::from(el.client_left());
        let y = f64::from(ev.client_y()) - rect.top() - f64::from(el.client_top());
        Some((x, y, 2.0 * x > f64::from(el.client_width())))
    };
    let hit = move |ev: &web_sys::MouseEvent| {
        let (x, y, flip) = local(ev)?;
        tip.set((x, y, flip));
        chart.with_untracked(|c| c.as_ref().and_then(|c| c.hit(x, y)))
    };
    let names: Vec<String> = stage.kernels.rows.iter().map(|r| r.name.clone()).collect();
    let click = move |ev: web_sys::MouseEvent| {
        if let Some(name) = hit(&ev).and_then(|row| names.get(row)) {
            filter.set(name.clone());
        }
    };
    let svg_text = move || chart.with(|c| c.as_ref().map(|c| c.svg.clone()).unwrap_or_default());
    view! {
        <section class="tt-roofline" id="roofline">
            {coverage.map(|c| view! { <p class="tt-summary" id="roofline-coverage">{c}</p> })}
            <div class="tt-rl-wrap">
                <div
                    class="tt-rl-canvas"
                    class:tt-rl-on-point=move || hover.get().is_some()
                    id="roofline-chart"
                    node_ref=wrap
                    on:mousemove=move |ev| hover.set(hit(&ev))
                    on:mouseleave=move |_| hover.set(None)
                    on:click=click
                    inner_html=svg_text
                ></div>
                <Tip stage=stage hover=hover tip=tip/>
            </div>
            <p class="tt-muted tt-small">"One point per kernel row with figures (area: GPU time). Hover a point for its figures; click it to filter the tables to that kernel."</p>
            <h4>"Headroom at the roof"</h4>
            <TableView table=headroom filter=filter.into() id=format!("headroom-{index}") names=true/>
        </section>
    }
}

/// The facts of the kernel row under the cursor.
#[component]
fn Tip(
    /// The stage.
    stage: Arc<StageReport>,
    /// The row under the cursor.
    hover: RwSignal<Option<usize>>,
    /// The cursor, px inside the drawing, and whether the tip goes left of it.
    tip: RwSignal<(f64, f64, bool)>,
) -> impl IntoView {
    let place = move || {
        let (x, y, flip) = tip.get();
        if flip {
            format!("left: {:.0}px; top: {:.0}px; transform: translateX(-100%)", x - 14.0, y + 14.0)
        } else {
            format!("left: {:.0}px; top: {:.0}px", x + 14.0, y + 14.0)
        }
    };
    let body = move || {
        let row = stage.kernels.rows.get(hover.get()?)?;
        let facts = svg::facts(row)
            .into_iter()
            .map(|(label, text)| view! { <dt>{label}</dt><dd>{text}</dd> })
            .collect_view();
        Some(view! {
            <div class="tt-tip-name" id="roofline-tip-name">{row.name.clone()}</div>
            <dl class="tt-rl-facts" id="roofline-facts">{facts}</dl>
        })
    };
    view! {
        <Show when=move || hover.get().is_some()>
            <div class="tt-tip" id="roofline-tip" style=place>{body.clone()}</div>
        </Show>
    }
}
