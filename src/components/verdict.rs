//! The verdict of a report: the trace-health lines (once, above the stage tabs), each
//! stage's verdict card (the verdict line, GPU time by category, the fix-first table whose
//! rows jump to the overlap, fuse or kernel row they come from), and both sides' verdicts
//! in the compare views. Every word is the report crate's (`report::verdict`,
//! `report::diff::view::verdicts`), the same as the CLI's markdown.

use std::sync::Arc;

use leptos::prelude::*;
use report::StageReport;
use report::diff::StageDiff;
use report::verdict::svg;

use crate::components::table::TableView;
use crate::components::timeline::css_palette;
use crate::worker::palette::palette;

/// What limits the trace's evidence, with the fix (nothing when the trace is healthy).
#[component]
pub fn TraceHealth(
    /// The report.
    report: Arc<report::Report>,
) -> impl IntoView {
    let lines = report::verdict::health_lines(&report);
    (!lines.is_empty()).then(|| {
        let items = lines
            .into_iter()
            .map(|l| {
                let text = l.strip_prefix("- ").map(str::to_owned).unwrap_or(l);
                view! { <li>{text}</li> }
            })
            .collect_view();
        view! {
            <section class="tt-health" id="trace-health" aria-label="Trace health">
                <h3>"Trace health"</h3>
                <ul>{items}</ul>
            </section>
        }
    })
}

/// The verdict card of stage `index`: its verdict line, its GPU time by category, and its
/// fix-first table; a click on a fix-first row calls `on_fix` with its index in
/// `stage.fix_first`.
#[component]
pub fn VerdictCard(
    /// The stage.
    stage: Arc<StageReport>,
    /// Its index (for element ids).
    index: usize,
    /// Called with the index of the fix-first row clicked.
    on_fix: Callback<usize>,
    /// Said under the table when the row a fix-first item points at is not listed.
    missing: RwSignal<Option<String>>,
) -> impl IntoView {
    if !stage.verdict.computed {
        return view! {
            <section class="tt-verdict" id=format!("verdict-{index}")>
                <p class="tt-muted" id=format!("verdict-text-{index}")>
                    "No verdict: this report was made before verdicts were computed."
                </p>
            </section>
        }
        .into_any();
    }
    let line = report::verdict::line(&stage.label, &stage.verdict);
    let fixes = Arc::new(report::verdict::fix_table(&stage));
    let no_filter: Signal<String> = Signal::derive(String::new);
    let has_fixes = !stage.fix_first.is_empty();
    view! {
        <section class="tt-verdict" id=format!("verdict-{index}") aria-label="Verdict">
            <p class="tt-verdict-line" id=format!("verdict-text-{index}")>{line}</p>
            <CategoryBar stage=Arc::clone(&stage) index=index/>
            <h4>"Fix first (upper bounds of what each could save)"</h4>
            <TableView table=fixes filter=no_filter id=format!("fix-{index}") on_row=on_fix/>
            <Show when=move || has_fixes>
                <p class="tt-muted tt-small">"Click a finding to jump to its row in the overlap, fuse or kernel table below."</p>
            </Show>
            {move || missing.get().map(|m| view! { <p class="tt-muted tt-small" id=format!("fix-missing-{index}")>{m}</p> })}
        </section>
    }
    .into_any()
}

/// The stage's GPU time by category (`report::verdict::svg`), drawn once the container is
/// in the page (its width is known then). The SVG is the report crate's own drawing:
/// category labels and numbers, escaped by plotters; nothing from the trace.
#[component]
fn CategoryBar(
    /// The stage.
    stage: Arc<StageReport>,
    /// Its index (for element ids).
    index: usize,
) -> impl IntoView {
    let wrap = NodeRef::<leptos::html::Div>::new();
    let drawn = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(div) = wrap.get() {
            let width = u32::try_from(div.client_width()).unwrap_or(900).clamp(240, 2400);
            let chart = svg::chart(&stage.verdict.categories, &palette(&css_palette()), width);
            drawn.set(chart.svg);
        }
    });
    view! {
        <div
            class="tt-categories"
            id=format!("categories-{index}")
            role="img"
            aria-label="GPU time by category"
            node_ref=wrap
            inner_html=move || drawn.get()
        ></div>
    }
}

/// A's and B's verdicts of compared stage `index` side by side, each with its fix-first
/// lines.
pub fn verdict_pair(stage: &StageDiff, index: usize) -> impl IntoView + use<> {
    let computed = [!stage.a_verdict.text.is_empty(), !stage.b_verdict.text.is_empty()];
    let sides = report::diff::view::verdicts(stage)
        .into_iter()
        .zip(computed)
        .map(|((side, text, fixes), computed)| {
            let id = side.to_lowercase();
            let items = fixes.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view();
            let none = (computed && fixes.is_empty())
                .then(|| view! { <p class="tt-muted tt-small">"Nothing to fix first."</p> });
            view! {
                <div class="tt-verdict-side" id=format!("verdict-{id}-{index}")>
                    <h4>{format!("Verdict of {side}")}</h4>
                    <p class="tt-verdict-line">{text}</p>
                    <ol class="tt-fix-list">{items}</ol>
                    {none}
                </div>
            }
        })
        .collect_view();
    view! { <div class="tt-verdict-pair" id=format!("verdicts-{index}")>{sides}</div> }
}

/// The table row a fix-first item points at.
pub type RowRef = report::engine::results::verdict::RowRef;

/// Jumps from a fix-first row of `stage` (tab `index`) to the row it comes from: a kernel
/// row through the report's `filter` (as a click on a roofline point does), an overlap or
/// fuse row with the filter cleared so the row is listed; then the row is highlighted
/// (`hit`, the tables' `tt-row-hit`) and scrolled into view, or `missing` says why not.
pub fn fix_jumper(
    stage: &StageReport,
    index: usize,
    filter: RwSignal<String>,
    hit: RwSignal<Option<RowRef>>,
    missing: RwSignal<Option<String>>,
) -> Callback<usize> {
    let rows: Vec<RowRef> = stage.fix_first.iter().map(|f| f.row.clone()).collect();
    Callback::new(move |n: usize| {
        let Some(row) = rows.get(n) else { return };
        filter.set(if row.table == "kernels" { row.key.clone() } else { String::new() });
        hit.set(Some(row.clone()));
        missing.set(None);
        scroll_to_hit(format!("{}-{index}", row.table), row.table.clone(), 2, missing);
    })
}

/// After the tables have re-rendered (the next animation frame; `tries` frames at most),
/// scrolls the highlighted row of table `id` into view.
fn scroll_to_hit(id: String, table: String, tries: u32, missing: RwSignal<Option<String>>) {
    request_animation_frame(move || {
        let found = document().query_selector(&format!("#{id} tbody tr.tt-row-hit")).ok().flatten();
        match found {
            Some(tr) => {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Center);
                tr.scroll_into_view_with_scroll_into_view_options(&options);
            }
            None if tries > 1 => scroll_to_hit(id, table, tries - 1, missing),
            None => missing.set(Some(format!(
                "The {table} row of that finding is not listed in this report's {table} table (below its share cutoff)."
            ))),
        }
    });
}

/// The key of the highlighted row when it is in `table` (`overlap`, `fuse`, `kernels`).
pub fn highlight_in(hit: RwSignal<Option<RowRef>>, table: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || hit.with(|h| h.as_ref().filter(|r| r.table == table).map(|r| r.key.clone())))
}
