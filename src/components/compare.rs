//! The compare view: an A/B diff (from a `#d1.` link) — per stage both verdicts side by
//! side, the summary with deltas, idle causes, categories, families, kernels on both sides
//! and kernels only in A or only in B. Every cell comes from `report::diff::view`, the same text as
//! `tracetriage diff`.

use std::sync::Arc;

use leptos::prelude::*;
use report::diff::DiffReport;
use report::diff::Presence;
use report::diff::markdown;
use report::diff::view;

use crate::components::table::TableView;
use crate::components::verdict::verdict_pair;
use crate::io;

/// Renders a diff.
#[component]
pub fn CompareView(
    /// The diff.
    diff: Arc<DiffReport>,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let f: Signal<String> = filter.into();
    let none = || Signal::derive(String::new);
    let header = view::header(&diff)
        .into_iter()
        .map(|(label, value)| view! { <div><dt>{label}</dt><dd>{value}</dd></div> })
        .collect_view();
    let stages = diff
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let sides = view::sides_line(s);
            let bubbles = (!s.bubbles.is_empty()).then(|| {
                let t = Arc::new(view::bubbles_table(s));
                view! { <h3>"Idle time by cause"</h3><TableView table=t filter=none() id=format!("diff-bubbles-{i}")/> }
            });
            let notes = s.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view();
            view! {
                <section class="tt-stage" id=format!("diff-stage-{i}")>
                    <h2>{s.label.clone()}</h2>
                    {sides.map(|t| view! { <p class="tt-muted">{t}</p> })}
                    {verdict_pair(s, i)}
                    <h3>"Stage summary"</h3>
                    <TableView table=Arc::new(view::summary_table(s)) filter=none() id=format!("diff-summary-{i}")/>
                    {bubbles}
                    <h3>"Categories"</h3>
                    <TableView table=Arc::new(view::categories_table(s)) filter=none() id=format!("diff-categories-{i}")/>
                    <h3>"Families"</h3>
                    <TableView table=Arc::new(view::families_table(s)) filter=f id=format!("diff-families-{i}") names=true/>
                    <h3>"Kernels"</h3>
                    <TableView table=Arc::new(view::kernels_table(s)) filter=f id=format!("diff-kernels-{i}") names=true/>
                    <h3>"Only in A"</h3>
                    <TableView table=Arc::new(view::only_table(s, Presence::OnlyA)) filter=f id=format!("diff-only-a-{i}") names=true/>
                    <h3>"Only in B"</h3>
                    <TableView table=Arc::new(view::only_table(s, Presence::OnlyB)) filter=f id=format!("diff-only-b-{i}") names=true/>
                    <h3>"Fuse patterns"</h3>
                    <TableView table=Arc::new(view::fuse_table(s)) filter=f id=format!("diff-fuse-{i}")/>
                    <ul class="tt-notes">{notes}</ul>
                </section>
            }
        })
        .collect_view();
    let notes = diff.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view();
    let json = Arc::clone(&diff);
    let download_json = move |_| io::download("diff.json", &json.to_json(), "application/json");
    let md = Arc::clone(&diff);
    let download_md = move |_| io::download("diff.md", &markdown::render(&md), "text/markdown");
    let copied = RwSignal::new(false);
    let link_diff = Arc::clone(&diff);
    let link = expect_context::<crate::state::AppState>().link;
    let copy_link = move |_| {
        let fragment = report::share::encode_diff(&link_diff);
        link.set_value(fragment.clone());
        io::set_fragment(&fragment);
        let link = io::link_with_fragment(&fragment);
        leptos::task::spawn_local(async move { copied.set(io::copy(&link).await) });
    };
    view! {
        <section class="tt-report" id="compare-view">
            <h1>"A/B comparison"</h1>
            <dl class="tt-header" id="diff-header">{header}</dl>
            <div class="tt-actions">
                <button class="tt-button" id="diff-json" on:click=download_json>"Download JSON"</button>
                <button class="tt-button" id="diff-md" on:click=download_md>"Download markdown"</button>
                <button class="tt-button" id="diff-link" on:click=copy_link>
                    {move || if copied.get() { "Link copied" } else { "Copy link" }}
                </button>
                <input class="tt-filter" type="search" placeholder="Filter kernels" prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev))/>
            </div>
            {stages}
            <ul class="tt-notes" id="diff-notes">{notes}</ul>
        </section>
    }
}
