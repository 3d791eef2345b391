//! Two runs of the dashboard side by side: the A/B diff of their reports
//! (`report::dashboard::compare`), per stage both verdicts, the summary figures, kernel
//! categories and kernel families with `B − A` deltas, drawn with the report's table component.

use std::sync::Arc;

use leptos::prelude::*;
use report::diff::DiffReport;
use report::diff::view;

use crate::components::table::TableView;
use crate::components::verdict::verdict_pair;

/// The comparison.
#[component]
pub fn CompareView(
    /// The diff (A is the baseline).
    diff: Arc<DiffReport>,
    /// A heading (`A → B`).
    title: String,
) -> impl IntoView {
    let header = view::header(&diff)
        .into_iter()
        .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
        .collect_view();
    let notes = diff.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view();
    let no_filter: Signal<String> = Signal::derive(String::new);
    let stages = diff
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let summary = Arc::new(view::summary_table(s));
            let categories = Arc::new(view::categories_table(s));
            let families = Arc::new(view::families_table(s));
            let fuse = Arc::new(view::fuse_table(s));
            view! {
                <section class="tt-compare-stage" data-stage=s.stage.label()>
                    <h3>{s.label.clone()}</h3>
                    {verdict_pair(s, i)}
                    <h4>"Stage summary"</h4>
                    <TableView table=summary filter=no_filter id=format!("cmp-summary-{i}")/>
                    <h4>"Kernel categories"</h4>
                    <TableView table=categories filter=no_filter id=format!("cmp-categories-{i}")/>
                    <h4>"Kernel families"</h4>
                    <TableView table=families filter=no_filter id=format!("cmp-families-{i}") names=true/>
                    <h4>"Fuse patterns"</h4>
                    <TableView table=fuse filter=no_filter id=format!("cmp-fuse-{i}")/>
                </section>
            }
        })
        .collect_view();
    let empty = diff.stages.is_empty();
    view! {
        <section class="tt-compare" id="dash-compare-view">
            <h2>"Compare: "{title}</h2>
            <dl class="tt-header" id="cmp-header">{header}</dl>
            <ul class="tt-notes" id="cmp-notes">{notes}</ul>
            <Show when=move || empty>
                <p class="tt-muted">"The two runs have no stage in common."</p>
            </Show>
            {stages}
        </section>
    }
}
