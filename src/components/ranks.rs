//! The all-ranks view: several ranks of one capture side by side — per stage the per-rank
//! table (busy, waiting, exposed communication, last arrivals), the collective skew table
//! and the per-kernel spread over ranks, then notes. Every cell comes from
//! `report::ranks::view`, the same text the CLI's `triage --all-ranks` prints.

use std::sync::Arc;

use leptos::prelude::*;
use report::ranks::RanksReport;
use report::ranks::markdown;
use report::ranks::view;

use crate::components::table::TableView;
use crate::io;

/// Renders an all-ranks report.
#[component]
pub fn RanksView(
    /// The report.
    report: Arc<RanksReport>,
    /// Reading and parsing time, ms.
    load_ms: f64,
    /// Alignment and matching time, ms.
    analysis_ms: f64,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let f: Signal<String> = filter.into();
    let header = view::header(&report)
        .into_iter()
        .map(|(label, value)| view! { <div><dt>{label}</dt><dd>{value}</dd></div> })
        .collect_view();
    let stages = report
        .stages
        .iter()
        .enumerate()
        .map(|(i, stage)| {
            let ranks = Arc::new(view::rank_table(stage));
            let skew = Arc::new(view::collective_table(stage));
            let spread = Arc::new(view::spread_table(stage, report.min_share_pct));
            view! {
                <section class="tt-stage" id=format!("ranks-stage-{i}")>
                    <h2>{stage.label.clone()}</h2>
                    <h3>"Per rank"</h3>
                    <TableView table=ranks filter=Signal::derive(String::new) id=format!("ranks-{i}")/>
                    <h3>"Collective skew"</h3>
                    <TableView table=skew filter=Signal::derive(String::new) id=format!("skew-{i}")/>
                    <h3>"Kernel spread over ranks"</h3>
                    <TableView table=spread filter=f id=format!("spread-{i}") names=true/>
                </section>
            }
        })
        .collect_view();
    // Said first: ranks whose traces are cut short.
    let cuts = view::truncations(&report)
        .into_iter()
        .map(|line| view! { <p class="tt-warning tt-banner" role="alert">{line}</p> })
        .collect_view();
    let notes = report.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view();
    let has_notes = !report.notes.is_empty();
    let json_report = Arc::clone(&report);
    let download_json = move |_| io::download("all-ranks.json", &json_report.to_json(), "application/json");
    let md_report = Arc::clone(&report);
    let download_md = move |_| io::download("all-ranks.md", &markdown::render(&md_report), "text/markdown");
    let timing = format!(
        "{} traces read in {:.0} ms, aligned and matched in {:.0} ms",
        report.inputs.len(),
        load_ms,
        analysis_ms
    );
    view! {
        <section class="tt-report" id="ranks-view">
            <div id="ranks-truncated">{cuts}</div>
            <h1>"All ranks"</h1>
            <dl class="tt-header" id="ranks-header">{header}</dl>
            <p class="tt-muted tt-small" id="ranks-timing">{timing}</p>
            <p class="tt-muted tt-small">
                "Waiting: time inside a collective before the last rank arrived. Skew: last rank's start minus first rank's start of the same collective (the n-th of its family on every rank)."
            </p>
            <div class="tt-actions">
                <button class="tt-button" id="ranks-json" on:click=download_json>"Download JSON"</button>
                <button class="tt-button" id="ranks-md" on:click=download_md>"Download markdown"</button>
                <input class="tt-filter" type="search" placeholder="Filter kernels" prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev))/>
            </div>
            {stages}
            {has_notes.then(|| view! { <h3>"Notes"</h3><ul class="tt-notes" id="ranks-notes">{notes}</ul> })}
        </section>
    }
}
