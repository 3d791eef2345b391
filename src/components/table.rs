//! A report table: the engine's presentation cells with sortable columns, a filter, share
//! bars and folded long names (full name on hover, copy button). Rows can carry their
//! table's row key (`data-key`) and one of them can be highlighted (`tt-row-hit`), which is
//! how a fix-first item of the verdict card points at its row.

use std::sync::Arc;

use leptos::prelude::*;
use report::Align;
use report::Cell;
use report::Column;
use report::Table;

use crate::io;

/// Names longer than this are folded.
const FOLD: usize = 90;

/// Tables with more columns than this are set in a smaller font with less padding.
const MANY: usize = 10;

/// Rows drawn at first, and added by each "Show more rows" (a long table is drawn in steps).
const STEP: usize = 200;

/// The rows `filter` keeps (any cell line contains it, case-insensitive) among those
/// `only` allows (all when it is unset or `None`), in the order
/// `sort` asks for (column, descending): numbers by value, text case-insensitively.
fn row_order(
    t: Arc<Table>,
    filter: Signal<String>,
    only: Option<Signal<Option<Vec<usize>>>>,
    sort: RwSignal<Option<(usize, bool)>>,
) -> Memo<Vec<usize>> {
    Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        let allowed = only.and_then(|o| o.get());
        let mut idx: Vec<usize> = (0..t.rows.len())
            .filter(|i| allowed.as_ref().is_none_or(|a| a.contains(i)))
            .filter(|&i| {
                needle.is_empty()
                    || t.rows.get(i).is_some_and(|row| {
                        row.iter().any(|c| c.lines.iter().any(|l| l.to_lowercase().contains(&needle)))
                    })
            })
            .collect();
        if let Some((col, desc)) = sort.get() {
            let key = |i: usize| t.rows.get(i).and_then(|r| r.get(col));
            report::engine::order::sort_by(&mut idx, |&a, &b| {
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
    /// When set to `Some`, only these rows (by index in `table.rows`) are shown.
    #[prop(optional)]
    only: Option<Signal<Option<Vec<usize>>>>,
) -> impl IntoView {
    let sort = RwSignal::new(None::<(usize, bool)>);
    let order = row_order(Arc::clone(&table), filter, only, sort);
    let headers = header_cells(&table, sort);
    let columns = table.columns.len();
    // A table of many columns (the kernel table with roofline figures) is set tighter.
    let many = columns > MANY;
    let empty = table.empty.clone();
    let footer = table.footer.clone();
    let rows_table = Arc::clone(&table);
    let min_ch = text_min_widths(&table);
    let limit = RwSignal::new(STEP);
    let more_rows = move || order.with(Vec::len) > limit.get();
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
            .take(limit.get())
            .filter_map(|i| rows_table.rows.get(i).cloned().map(|row| (i, row)))
            .map(|(i, row)| {
                let cells = row
                    .into_iter()
                    .enumerate()
                    .map(|(c, cell)| {
                        let min = min_ch.get(c).copied().unwrap_or(0);
                        let action = if c == 0 { row_action.map(|a| a.run(i)) } else { None };
                        body_cell(cell, rows_table.columns.get(c), min, names && c == 0, action)
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
            <table class="tt-table" class:tt-clickable=on_row.is_some() class:tt-many=many id=id>
                <thead><tr>{headers}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <Show when=more_rows>
                <button class="tt-button tt-more-rows" type="button" on:click=move |_| limit.update(|l| *l += STEP)>
                    {move || format!("Show more rows ({} of {} shown)", limit.get(), order.with(Vec::len))}
                </button>
            </Show>
            {footer.map(|f| view! { <p class="tt-footer tt-muted tt-small">{f}</p> })}
        </div>
    }
}

/// One body cell: a folded kernel name (column 0 of a `names` table), a state badge, a share bar, a
/// number, or text lines, folded to their first line when long (see [`folded`]). Every
/// cell carries its column heading as `data-label` (the narrow layout's card labels).
fn body_cell(
    cell: Cell,
    column: Option<&Column>,
    min_ch: usize,
    name: bool,
    action: Option<AnyView>,
) -> AnyView {
    let label = column.map_or("", |c| c.label);
    let numeric = column.is_some_and(|c| c.align == Align::Right);
    if name {
        return view! { <td class="tt-col-name" data-label=label>{action}{name_view(cell)}</td> }.into_any();
    }
    if let Some(tone) = cell.badge {
        let class = format!("tt-badge tt-badge-{tone}");
        return view! { <td class="tt-text" data-label=label>{action}<span class=class>{cell.joined(" ")}</span></td> }
            .into_any();
    }
    if let Some(bar) = share_bar(&cell) {
        return view! { <td class:tt-num=numeric data-label=label>{action}{bar}</td> }.into_any();
    }
    let more = if numeric { None } else { folded(&cell) };
    let lines = cell.lines.into_iter().map(|l| view! { <div>{breakable(&l)}</div> }).collect_view();
    // Long tokens may break anywhere, but never narrower than the column's usual words.
    let style = (!numeric).then(|| format!("min-width: calc({min_ch}ch + 1rem)"));
    let Some(more) = more else {
        return view! { <td class:tt-num=numeric class:tt-text=!numeric data-label=label style=style>{action}{lines}</td> }
            .into_any();
    };
    let open = RwSignal::new(false);
    let toggle = move |ev: leptos::ev::MouseEvent| {
        // The row's own click (a catalog entry, a jump) is not this button's.
        ev.stop_propagation();
        open.update(|o| *o = !*o);
    };
    let shown = move || if open.get() { "less".to_owned() } else { more.clone() };
    let aria = move || if open.get() { "Fold this cell" } else { "Show the whole cell" };
    // The button has no text of its own (its label is drawn from `data-more`), so the
    // cell's text stays exactly its lines.
    view! {
        <td class="tt-text tt-fold" class:tt-open=move || open.get() data-label=label style=style>
            {action}
            {lines}
            <button class="tt-more" type="button" data-more=shown aria-label=aria
                aria-expanded=move || open.get().to_string() on:click=toggle></button>
        </td>
    }
    .into_any()
}

/// Words up to this many characters never break inside: a text column is at least as
/// wide as its longest word when that is no longer.
const WORD: usize = 14;

/// The narrowest, in characters, a text column holding a longer token (a kernel name, a
/// Python path) may get: such tokens break anywhere.
const TOKEN: usize = 10;

/// Per column, the width in characters below which its text would break inside a word:
/// the longest word of its cells (whitespace-separated, at least 3), or [`TOKEN`] when
/// that is longer than [`WORD`].
fn text_min_widths(table: &Table) -> Vec<usize> {
    (0..table.columns.len())
        .map(|c| {
            let longest = table
                .rows
                .iter()
                .filter_map(|row| row.get(c))
                .flat_map(|cell| cell.lines.iter())
                .flat_map(|line| line.split_whitespace())
                .map(|word| word.chars().count())
                .max()
                .unwrap_or(0);
            if longest > WORD { TOKEN } else { longest.max(3) }
        })
        .collect()
}

/// Text cells longer than this (one line) are clamped to two lines until expanded.
const CLAMP: usize = 80;

/// The fold control's label for a long text cell (`+3 more` for a cell of four lines,
/// `more` for one long line), or `None`: the cell is shown whole.
fn folded(cell: &Cell) -> Option<String> {
    let extra = cell.lines.len().saturating_sub(1);
    if extra > 0 {
        Some(format!("+{extra} more"))
    } else if cell.lines.first().is_some_and(|l| l.chars().count() > CLAMP) {
        Some("more".to_owned())
    } else {
        None
    }
}

/// Lines shorter than this are drawn as one text node.
const BREAKABLE: usize = 24;

/// A line of text with a preferred break (`<wbr>`) after each `/`, `:`, `_`, `,` and `<`,
/// so paths and kernel names wrap at their parts before breaking anywhere. The text
/// is unchanged: `<wbr>` adds no character.
fn breakable(line: &str) -> AnyView {
    if line.chars().count() < BREAKABLE {
        return line.to_owned().into_any();
    }
    line.split_inclusive(['/', ':', '_', ',', '<'])
        .map(|part| view! { {part.to_owned()}<wbr/> })
        .collect_view()
        .into_any()
}

/// A kernel name folded to [`FOLD`] characters, its full name on hover, and a copy button;
/// further lines of the cell (an Inductor kernel's `fused: …` operators) below it.
fn name_view(cell: Cell) -> AnyView {
    let full = cell.lines.first().cloned().unwrap_or_default();
    let notes: Vec<String> = cell.lines.iter().skip(1).cloned().collect();
    let shown = if full.chars().count() > FOLD {
        format!("{}…", full.chars().take(FOLD).collect::<String>())
    } else {
        full.clone()
    };
    let copy_text = full.clone();
    let copy = move |ev: leptos::ev::MouseEvent| {
        ev.stop_propagation();
        let text = copy_text.clone();
        leptos::task::spawn_local(async move {
            io::copy(&text).await;
        });
    };
    view! {
        <div class="tt-name-wrap">
            <span class="tt-name" title=full>{breakable(&shown)}</span>
            <button class="tt-copy" title="Copy the full name" aria-label="Copy the full name" on:click=copy>"copy"</button>
            {notes.into_iter().map(|n| view! { <span class="tt-name-note">{n}</span> }).collect_view()}
        </div>
    }
    .into_any()
}

/// A share cell with more text than this draws its bar under the text, not behind it.
const SHORT_SHARE: usize = 12;

/// A share cell drawn as a bar behind its text (`None`: the cell has no bar).
pub fn share_bar(cell: &Cell) -> Option<AnyView> {
    let width = cell.bar?.clamp(0.0, 100.0);
    // A sentence with a share in it (the overlap table's signal) is underlined by its bar.
    let long = cell.lines.len() > 1 || cell.lines.first().is_some_and(|l| l.chars().count() > SHORT_SHARE);
    Some(
        view! {
            <span class="tt-share" class:tt-share-long=long>
                <span class="tt-share-bar" style=format!("width: {width:.1}%")></span>
                <span class="tt-share-text">{cell.joined(" ")}</span>
            </span>
        }
        .into_any(),
    )
}
