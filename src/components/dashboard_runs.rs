//! The dashboard's run list: one row per run (cells from `report::dashboard::view`, so the
//! numbers read as in every other view), sortable by any column, a checkbox to pick two
//! runs for a comparison, a click on a row to open its report, and an "open trace" link
//! when the manifest names the run's trace.

use std::sync::Arc;

use leptos::prelude::*;
use report::Cell;
use report::dashboard::ManifestEntry;
use report::dashboard::filter::Column;

fn cell_view(cell: Cell) -> AnyView {
    if let Some(bar) = super::table::share_bar(&cell) {
        return bar;
    }
    let mut lines = cell.lines.into_iter();
    let first = lines.next().unwrap_or_default();
    let rest: Vec<String> = lines.collect();
    if first.chars().count() <= 60 && rest.is_empty() {
        // Most cells: one text node, nothing else (a thousand rows stay cheap to build).
        return first.into_any();
    }
    let full = first.clone();
    let shown = if first.chars().count() > 60 {
        format!("{}…", first.chars().take(60).collect::<String>())
    } else {
        first
    };
    view! {
        <span title=full>{shown}</span>
        {rest.into_iter().map(|l| view! { <div class="tt-muted tt-small">{l}</div> }).collect_view()}
    }
    .into_any()
}

/// The "open trace" link of a run whose manifest entry has a `trace_url`: this page at
/// `#src=<trace_url>` (a relative URL resolves against the page).
fn trace_link(e: &ManifestEntry) -> Option<AnyView> {
    let url = e.trace_url.as_deref().map(str::trim).filter(|u| !u.is_empty())?;
    let fragment = report::fragment::Fragment { src: vec![url.to_owned()], ..Default::default() }.render();
    Some(
        view! { <a class="tt-open-trace" href=format!("#{fragment}") title=url.to_owned()>"open trace"</a> }
            .into_any(),
    )
}

/// The run list.
#[component]
pub fn RunsTable(
    /// Every run.
    entries: Arc<Vec<ManifestEntry>>,
    /// The runs shown, in order (indexes into `entries`).
    shown: Memo<Vec<usize>>,
    /// The sort column and whether it is descending.
    sort: RwSignal<(Column, bool)>,
    /// Ids of the runs picked for a comparison (at most two, oldest pick first).
    selected: RwSignal<Vec<String>>,
    /// Opens a run (by id).
    open: Callback<String>,
) -> impl IntoView {
    let headers = Column::PAGE
        .iter()
        .map(|&c| {
            let click = move |_| {
                sort.update(|s| {
                    *s = if s.0 == c { (c, !s.1) } else { (c, c.numeric()) };
                });
            };
            let mark = move || match sort.get() {
                (x, true) if x == c => " ▼",
                (x, false) if x == c => " ▲",
                _ => "",
            };
            view! {
                <th class:tt-num=c.numeric() on:click=click title="Sort by this column" data-col=c.id()>
                    {c.label()}
                    <span class="tt-sort">{mark}</span>
                </th>
            }
        })
        .collect_view();
    let rows = move || {
        let idx = shown.get();
        if idx.is_empty() {
            let columns = Column::PAGE.len() + 2;
            return view! { <tr><td class="tt-empty" colspan=columns>"No run matches the filter."</td></tr> }
                .into_any();
        }
        idx.into_iter()
            .filter_map(|i| entries.get(i))
            .map(|e| {
                let id = e.id.clone();
                let (pick_id, check_id, open_id) = (id.clone(), id.clone(), id.clone());
                let toggle = move |ev: leptos::ev::Event| {
                    ev.stop_propagation();
                    let id = pick_id.clone();
                    selected.update(|s| {
                        if let Some(k) = s.iter().position(|x| *x == id) {
                            s.remove(k);
                        } else {
                            s.push(id);
                            if s.len() > 2 {
                                s.remove(0);
                            }
                        }
                    });
                };
                let cells = Column::PAGE
                    .iter()
                    .map(|&c| {
                        let cell = report::dashboard::view::cell(e, c);
                        view! { <td class:tt-num=c.numeric()>{cell_view(cell)}</td> }
                    })
                    .collect_view();
                view! {
                    <tr data-id=id on:click=move |_| open.run(open_id.clone())>
                        <td class="tt-pick" on:click=|ev| ev.stop_propagation()>
                            <input
                                type="checkbox"
                                class="tt-pick-box"
                                title="Pick for a comparison"
                                prop:checked=move || selected.get().contains(&check_id)
                                on:change=toggle
                            />
                        </td>
                        {cells}
                        <td class="tt-trace-link" on:click=|ev| ev.stop_propagation()>{trace_link(e)}</td>
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="tt-table-wrap">
            <table class="tt-table tt-clickable" id="dash-runs">
                <thead><tr><th title="Pick two runs to compare">"Pick"</th>{headers}<th title="The run's trace, opened in this app">"Trace"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
