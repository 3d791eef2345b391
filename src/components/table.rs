//! A report table: the engine's presentation cells with sortable columns, a filter, share
//! bars and folded long names (full name on hover, copy button). Rows can carry their
//! table's row key (`data-key`) and one of them can be highlighted (`tt-row-hit`), which is
//! how a fix-first item of the verdict card points at its row.

use std::sync::Arc;

use leptos::prelude::*;
use report::Align;
use report::Cell;
use report::Table;

use crate::io;

/// Names longer than this are folded.
const FOLD: usize = 90;

/// The rows `filter` keeps (any cell line contains it, case-insensitive), in the order
/// `sort` asks for (column, descending): numbers by value, text case-insensitively.
fn row_order(
    t: Arc<Table>,
    filter: Signal<String>,
    sort: RwSignal<Option<(usize, bool)>>,
) -> Memo<Vec<usize>> {
    Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        let mut idx: Vec<usize> = (0..t.rows.len())
            .filter(|&i| {
                needle.is_empty()
                    || t.rows.get(i).is_some_and(|row| {
                        row.iter().any(|c| c.lines.iter().any(|l| l.to_lowercase().contains(&needle)))
                    })
            })
            .collect();
        if let Some((col, desc)) = sort.get() {
            let key = |i: usize| t.rows.get(i).and_then(|r| r.get(col));
            idx.sort_by(|&a, &b| {
                let ord = match (key(a), key(b)) {
                    (Some(x), Some(y)) => match (x.sort, y.sort) {
                        (Some(p), Some(q)) => p.total_cmp(&q),
                        _ => x.joined(" ").to_lowercase().cmp(&y.joined(" ").to_lowercase()),
                    },
                    _ => core::cmp::Ordering::Equal,
                };
                if desc { ord.reverse() } else { ord }
            });
        }
        idx
    })
}

/// The header cells of `table`: a click sorts by the column (numbers biggest first), a
/// second click reverses it.
fn header_cells(table: &Table, sort: RwSignal<Option<(usize, bool)>>) -> impl IntoView + use<> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let numeric = col.align == Align::Right;
            let label = col.label;
            let click = move |_| {
                sort.update(|s| {
                    *s = match *s {
                        Some((x, desc)) if x == c => Some((c, !desc)),
                        _ => Some((c, numeric)),
                    }
                });
            };
            let mark = move || match sort.get() {
                Some((x, true)) if x == c => " ▼",
                Some((x, false)) if x == c => " ▲",
                _ => "",
            };
            view! {
                <th class:tt-num=numeric on:click=click title="Sort by this column">
                    {label}
                    <span class="tt-sort">{mark}</span>
                </th>
            }
        })
        .collect_view()
}

/// Renders `table`; `filter` keeps rows whose text contains it (case-insensitive).
#[component]
pub fn TableView(
    /// The table to draw.
    table: Arc<Table>,
    /// Filter text.
    filter: Signal<String>,
    /// DOM id of the `<table>`.
    id: String,
    /// Whether the first column holds kernel names (folded, copyable).
    #[prop(optional)]
    names: bool,
    /// Called with a row's index in `table.rows` when it is clicked.
    #[prop(optional)]
    on_row: Option<Callback<usize>>,
    /// Each row's key (by index in `table.rows`), written as its `data-key` attribute.
    #[prop(optional)]
    keys: Option<Arc<Vec<String>>>,
    /// The key of the row to highlight.
    #[prop(optional)]
    highlight: Option<Signal<Option<String>>>,
    /// A control drawn at the start of each row's first cell (by index in `table.rows`).
    #[prop(default = None)]
    row_action: Option<Callback<usize, AnyView>>,
) -> impl IntoView {
    let sort = RwSignal::new(None::<(usize, bool)>);
    let order = row_order(Arc::clone(&table), filter, sort);
    let headers = header_cells(&table, sort);
    let columns = table.columns.len();
    let empty = table.empty.clone();
    let footer = table.footer.clone();
    let rows_table = Arc::clone(&table);
    let rows = move || {
        let shown = order.get();
        if shown.is_empty() {
            let text = if rows_table.rows.is_empty() {
                empty.clone()
            } else {
                "No row matches the filter.".to_owned()
            };
            return view! { <tr><td class="tt-empty" colspan=columns>{text}</td></tr> }.into_any();
        }
        shown
            .into_iter()
            .filter_map(|i| rows_table.rows.get(i).cloned().map(|row| (i, row)))
            .map(|(i, row)| {
                let cells = row
                    .into_iter()
                    .enumerate()
                    .map(|(c, cell)| {
                        let numeric = rows_table.columns.get(c).is_some_and(|col| col.align == Align::Right);
                        let action = if c == 0 { row_action.map(|a| a.run(i)) } else { None };
                        view! { <td class:tt-num=numeric>{action}{cell_view(cell, names && c == 0)}</td> }
                    })
                    .collect_view();
                let click = move |_| {
                    if let Some(cb) = on_row {
                        cb.run(i);
                    }
                };
                let key = keys.as_ref().and_then(|k| k.get(i).cloned());
                let mine = key.clone();
                let hit = move || {
                    highlight.is_some_and(|h| h.with(|h| h.is_some() && h.as_deref() == mine.as_deref()))
                };
                view! { <tr on:click=click data-key=key class:tt-row-hit=hit>{cells}</tr> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="tt-table-wrap">
            <table class="tt-table" class:tt-clickable=on_row.is_some() id=id>
                <thead><tr>{headers}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {footer.map(|f| view! { <p class="tt-footer tt-muted tt-small">{f}</p> })}
        </div>
    }
}

fn cell_view(cell: Cell, name: bool) -> AnyView {
    if name {
        let full = cell.joined(" ");
        let shown = if full.chars().count() > FOLD {
            format!("{}…", full.chars().take(FOLD).collect::<String>())
        } else {
            full.clone()
        };
        let copy_text = full.clone();
        let copy = move |_| {
            let text = copy_text.clone();
            leptos::task::spawn_local(async move {
                io::copy(&text).await;
            });
        };
        return view! {
            <span class="tt-name" title=full>{shown}</span>
            <button class="tt-copy" title="Copy the full name" aria-label="Copy the full name" on:click=copy>"copy"</button>
        }
        .into_any();
    }
    if let Some(bar) = share_bar(&cell) {
        return bar;
    }
    cell.lines.into_iter().map(|l| view! { <div>{l}</div> }).collect_view().into_any()
}

/// A share cell drawn as a bar behind its text (`None`: the cell has no bar).
pub fn share_bar(cell: &Cell) -> Option<AnyView> {
    let width = cell.bar?.clamp(0.0, 100.0);
    Some(
        view! {
            <span class="tt-share">
                <span class="tt-share-bar" style=format!("width: {width:.1}%")></span>
                <span class="tt-share-text">{cell.joined(" ")}</span>
            </span>
        }
        .into_any(),
    )
}
