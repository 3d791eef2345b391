//! The dashboard's trend chart: a chosen figure (GPU time, utilization, attribution, a
//! category's share, …) of the listed runs by capture date, one line per model, framework
//! or GPU; drawn by the engine with plotters as SVG. A click on a point opens that run.

use leptos::prelude::*;
use report::dashboard::trend;
use report::dashboard::trend::Figure;
use report::dashboard::trend::SeriesBy;
use report::dashboard::trend::TrendLayout;
use report::engine::vocab::Category;
use report::timeline::svg::Palette;

use crate::components::dashboard_load::Runs;

/// Chart size, px.
const WIDTH: u32 = 960;
const HEIGHT: u32 = 280;

fn series_by(id: &str) -> SeriesBy {
    match id {
        "none" => SeriesBy::None,
        "framework" => SeriesBy::Framework,
        "gpu" => SeriesBy::Gpu,
        _ => SeriesBy::Model,
    }
}

/// The chart.
#[component]
pub fn TrendView(
    /// The runs.
    runs: Runs,
    /// The runs listed (indexes into the entries), which the chart follows.
    shown: Memo<Vec<usize>>,
    /// Opens a run (by id).
    open: Callback<String>,
) -> impl IntoView {
    let figure = RwSignal::new(Figure::Utilization.id());
    let by = RwSignal::new("model".to_owned());
    let entries = runs.entries;
    let chart_entries = std::sync::Arc::clone(&entries);
    let chart = Memo::new(move |_| {
        let f = Figure::parse(&figure.get()).unwrap_or(Figure::Utilization);
        trend::trend(&chart_entries, &shown.get(), f, None, series_by(&by.get()))
    });
    let svg = move || trend::svg(&chart.get(), WIDTH, HEIGHT, &Palette::default());
    let figures = Figure::MAIN
        .into_iter()
        .chain(Category::ALL.into_iter().map(Figure::CategoryShare))
        .map(|f| view! { <option value=f.id()>{f.label()}</option> })
        .collect_view();
    let click = move |ev: leptos::ev::MouseEvent| {
        let t = chart.get_untracked();
        let lay = TrendLayout::of(&t, WIDTH, HEIGHT);
        if let Some(k) = lay.point_at(&t, f64::from(ev.offset_x()), f64::from(ev.offset_y()))
            && let Some(p) = t.points.get(k)
        {
            open.run(p.id.clone());
        }
    };
    view! {
        <section class="tt-trend" id="dash-trend">
            <h3>"Trend over runs"</h3>
            <div class="tt-dash-controls">
                <label>"Figure "
                    <select id="trend-figure" on:change=move |ev| figure.set(event_target_value(&ev)) prop:value=move || figure.get()>
                        {figures}
                    </select>
                </label>
                <label>" One line per "
                    <select id="trend-series" on:change=move |ev| by.set(event_target_value(&ev)) prop:value=move || by.get()>
                        <option value="model">"model"</option>
                        <option value="framework">"framework"</option>
                        <option value="gpu">"GPU"</option>
                        <option value="none">"nothing (one line)"</option>
                    </select>
                </label>
            </div>
            <div class="tt-trend-chart" id="trend-chart" on:click=click inner_html=svg></div>
        </section>
    }
}
