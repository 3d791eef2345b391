//! The report: header, trace health, one tab per stage with its verdict card and tables,
//! notes, diagnostics, and the export and share actions.

use std::sync::Arc;

use leptos::prelude::*;
use report::view;

use crate::client;
use crate::components::catalog_panel::{CatalogPanel, with_catalog};
use crate::components::catalog_picker::CatalogPicker;
use crate::components::layers::LayersView;
use crate::components::perfetto::{PerfettoButton, PerfettoNote};
use crate::components::roofline::RooflineView;
use crate::components::table::TableView;
use crate::components::timeline::TimelineView;
use crate::components::verdict::{self, TraceHealth, VerdictCard};
use crate::io;
use crate::protocol::{Event, SpotsRequest, Spotted};
use crate::state::{AppState, Origin, Status};

/// The tab index of the Layers tab (after the stage tabs).
const LAYERS_TAB: usize = usize::MAX;

/// The whole report.
#[component]
pub fn ReportView(
    /// The report to show.
    report: Arc<report::Report>,
    /// Where it came from.
    origin: Origin,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let selected = RwSignal::new(0usize);
    let filter = RwSignal::new(String::new());
    let entry: RwSignal<Option<String>> = RwSignal::new(None);
    // The trace is needed for the timeline and the Layers tab: only for a report triaged here.
    let live = matches!(origin, Origin::Traces { .. }) && client::has_worker();
    // The tab and the filter live in the URL (reload and Back), the title names them; not
    // the URL for a run opened inside the dashboard, whose fragment is the dashboard's (a
    // run's filter must not follow the reader to the next run).
    let in_url = !matches!(origin, Origin::Dashboard(_));
    crate::url_state::bind_report(&report, selected, filter, LAYERS_TAB, live, in_url);
    let perfetto_note = RwSignal::new(String::new());
    provide_context(PerfettoNote(perfetto_note));

    let header = view::header(&report)
        .into_iter()
        .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
        .collect_view();
    let r = Arc::clone(&report);
    let stage_body = move || {
        let i = selected.get();
        if i == LAYERS_TAB {
            // The decode stage's (formal) trace, else the first stage's.
            let s = r.stages.iter().find(|s| s.label == "decode").or(r.stages.first());
            let input = s.and_then(|s| s.inputs.first().copied()).unwrap_or(0);
            let stage = s.map(|s| s.label.clone()).unwrap_or_default();
            return view! { <LayersView input=input stage=stage/> }.into_any();
        }
        stage_view(state, &r, i, filter, entry, live)
    };
    // Said first: a trace cut short (the diagnostics at the bottom say it again).
    let cut = view::truncation(&report)
        .map(|line| view! { <p class="tt-warning tt-banner" role="alert" id="truncated">{line}</p> });
    let notes = report.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view();
    let has_notes = !report.notes.is_empty();
    let warnings = match &origin {
        Origin::Traces { warnings, .. } if !warnings.is_empty() => {
            let items = warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view();
            Some(view! {
                <div class="tt-warning" role="status" id="load-warnings">
                    <strong>"Some files were not used; the report is complete without them."</strong>
                    <ul>{items}</ul>
                </div>
            })
        }
        _ => None,
    };

    view! {
        <section class="tt-report" id="report">
            {cut}
            <ReportActions report=Arc::clone(&report) live=live/>
            <h2>"Triage View"</h2>
            <dl class="tt-header" id="header">{header}</dl>
            {warnings}
            <p class="tt-muted tt-small" id="origin">{origin_line(origin)}</p>
            <TraceHealth report=Arc::clone(&report)/>
            <StageTabs report=Arc::clone(&report) selected=selected live=live/>
            <input
                class="tt-filter"
                id="filter"
                type="search"
                placeholder="Filter rows (kernel, category, Python location, CPU op)…"
                on:input=move |ev| filter.set(event_target_value(&ev))
                prop:value=move || filter.get()
            />
            <Show when=move || !perfetto_note.get().is_empty()>
                <p class="tt-muted tt-small" id="perfetto-message" aria-live="polite">{move || perfetto_note.get()}</p>
            </Show>
            <div class="tt-stage">{stage_body}</div>
            <Show when=move || has_notes>
                <h3>"Notes"</h3>
            </Show>
            <ul class="tt-notes" id="notes">{notes}</ul>
            <CatalogPanel selected=entry/>
            <Diagnostics report=report/>
        </section>
    }
}

/// Where the report came from, in a sentence.
fn origin_line(origin: Origin) -> String {
    match origin {
        Origin::Traces { load_ms, triage_ms, total_ms, json_bytes, wasm_memory, .. } => format!(
            "Triaged in this tab in {:.0} ms ({} of JSON: read {:.0} ms, analysis {:.0} ms; engine memory {}).",
            total_ms,
            report::format::bytes(json_bytes),
            load_ms,
            triage_ms,
            report::format::bytes(wasm_memory)
        ),
        Origin::Link => "Opened from a shared link: this is the report only, no trace was needed.".to_owned(),
        Origin::Dashboard(id) => {
            format!("Opened from the team dashboard (run {id}): the report file, no trace was needed.")
        }
    }
}

/// Copy as markdown, download JSON, share a link, open another trace, an extra catalog.
#[component]
fn ReportActions(
    /// The report.
    report: Arc<report::Report>,
    /// Whether its traces are loaded (an extra catalog re-triages them).
    live: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let message = RwSignal::new(String::new());
    let share_link = RwSignal::new(String::new());
    let md_report = Arc::clone(&report);
    let copy_md = move |_| {
        let text = report::markdown::render(&md_report);
        leptos::task::spawn_local(async move {
            let ok = io::copy(&text).await;
            message.set(if ok {
                "Markdown copied.".into()
            } else {
                "The browser refused the clipboard.".into()
            });
        });
    };
    let json_report = Arc::clone(&report);
    let download = move |_| {
        let mut json = json_report.to_json();
        json.push('\n');
        io::download("tracetriage-report.json", &json, "application/json");
    };
    let share = move |_| {
        let head = report::share::encode(&report);
        state.link.set_value(head.clone());
        let fragment = crate::url_state::with_head(&head);
        io::set_fragment(&fragment);
        let link = io::link_with_fragment(&fragment);
        share_link.set(link.clone());
        leptos::task::spawn_local(async move {
            let ok = io::copy(&link).await;
            message.set(if ok {
                format!(
                    "Link copied ({}). It holds the report, not the trace.",
                    report::format::bytes(link.len() as u64)
                )
            } else {
                "Copy the link below.".into()
            });
        });
    };
    let new_trace = move |_| {
        io::set_fragment("");
        state.status.set(Status::Idle);
    };
    view! {
        <div class="tt-actions">
            <button id="copy-md" class="tt-button" on:click=copy_md>"Copy as markdown"</button>
            <button id="download-json" class="tt-button" on:click=download>"Download JSON"</button>
            <button id="share" class="tt-button tt-primary" on:click=share>"Share link"</button>
            <button id="new-trace" class="tt-button" on:click=new_trace>"Open another trace"</button>
            <Show when=move || live>
                <CatalogPicker retriage=true/>
            </Show>
            <span class="tt-message tt-muted" id="message" aria-live="polite">{move || message.get()}</span>
        </div>
        <Show when=move || !share_link.get().is_empty()>
            <input class="tt-link" id="share-link" readonly prop:value=move || share_link.get()/>
        </Show>
    }
}

/// One tab per stage (with its GPU utilization), and the Layers tab when the traces are
/// loaded.
#[component]
fn StageTabs(
    /// The report.
    report: Arc<report::Report>,
    /// The tab shown (a stage index, or the Layers tab).
    selected: RwSignal<usize>,
    /// Whether the traces are loaded.
    live: bool,
) -> impl IntoView {
    let tabs = report
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let label = s.label.clone();
            let util = view::stage_tab_utilization(&s.summary);
            view! {
                <button
                    class="tt-tab"
                    class:tt-tab-on=move || selected.get() == i
                    role="tab"
                    on:click=move |_| selected.set(i)
                >
                    <span class="tt-tab-label">{label}</span>
                    <span class="tt-tab-util tt-muted">{util}</span>
                </button>
            }
        })
        .collect_view();
    let layers_tab = live.then(|| {
        view! {
            <button class="tt-layers-tab" id="tab-layers" class:tt-tab-on=move || selected.get() == LAYERS_TAB role="tab" on:click=move |_| selected.set(LAYERS_TAB)>
                <span class="tt-tab-label">"Layers"</span>
            </button>
        }
    });
    view! { <div class="tt-tabs" role="tablist">{tabs}{layers_tab}</div> }
}

/// Stage `i` of the report: verdict card, summary, coverage, timeline, roofline and the
/// kernel, overlap and fuse tables (a click on an overlap or fuse row opens its catalog
/// entry in `entry`; a click on a roofline point sets `filter` to its kernel; a click on a
/// fix-first row highlights the row it comes from).
fn stage_view(
    state: AppState,
    r: &report::Report,
    i: usize,
    filter: RwSignal<String>,
    entry: RwSignal<Option<String>>,
    live: bool,
) -> AnyView {
    let Some(stage) = r.stages.get(i) else {
        return view! { <p class="tt-muted" id="no-gpu">{view::no_gpu_activity(r)}</p> }.into_any();
    };
    // The roofline columns when the report has roofline figures.
    let roofline = stage.roofline.computed;
    let kernels = Arc::new(view::kernel_table_with(stage, r.min_share_pct, roofline));
    let overlap = Arc::new(report::overlap::table(&stage.overlap, r.min_share_pct));
    let fuse = Arc::new(report::fuse::table(&stage.fuse, r.min_share_pct));
    let summary = view::stage_summary(&stage.summary);
    let coverage = view::coverage_line(&stage.coverage, r.mode);
    // Row keys as the fix-first list names them: fuse rows (in display order) by
    // catalog id, overlap rows (in `stage.overlap.rows` order) and kernel rows by kernel.
    // The fuse table's rows are in display order (missing first): keys follow it.
    let fuse_order = report::fuse::order(&stage.fuse);
    let fuse_rows: Vec<&report::fuse::FuseRow> =
        fuse_order.iter().filter_map(|&k| stage.fuse.rows.get(k)).collect();
    let fuse_ids: Arc<Vec<String>> = Arc::new(fuse_rows.iter().map(|row| row.id.clone()).collect());
    let missing_rows: Vec<usize> = (0..fuse_rows.len())
        .filter(|&k| fuse_rows.get(k).is_some_and(|r| r.state == report::fuse::FuseState::Missing))
        .collect();
    let missing_only = RwSignal::new(false);
    let fuse_only = Signal::derive(move || missing_only.get().then(|| missing_rows.clone()));
    let overlap_kernels: Arc<Vec<String>> =
        Arc::new(stage.overlap.rows.iter().map(|row| row.kernel.clone()).collect());
    let kernel_names: Arc<Vec<String>> =
        Arc::new(stage.kernels.rows.iter().map(|row| row.name.clone()).collect());
    let ids = Arc::clone(&fuse_ids);
    let on_fuse = Callback::new(move |i: usize| entry.set(ids.get(i).cloned()));
    let names = Arc::clone(&overlap_kernels);
    let on_overlap = Callback::new(move |i: usize| {
        let Some(kernel) = names.get(i) else { return };
        let found = with_catalog(state, |c| c.reference_matches(kernel, "", &["overlap", "fused/overlap"]));
        entry.set(found.first().map(|m| m.id.clone()));
    });
    let hit = RwSignal::new(None);
    let missing = RwSignal::new(None);
    let on_fix = verdict::fix_jumper(stage, i, filter, hit, missing);
    let near_miss = stage.fuse.near_miss.as_ref().map(report::fuse::near_miss_note);
    let input = stage.inputs.first().copied().unwrap_or(0);
    let perfetto = live.then(|| PerfettoRows::ask(stage, input));
    let timeline = if live {
        view! { <TimelineView input=input stage=stage.label.clone()/> }.into_any()
    } else {
        let strip = stage.overlap.timeline.as_ref().map(report::overlap::strip_text);
        view! {
            <p class="tt-muted tt-small">"The interactive timeline needs the trace; a shared link carries this summary of the busiest step."</p>
            {strip.map(|s| view! { <pre class="tt-strip" id="timeline-strip">{s}</pre> })}
        }
        .into_any()
    };
    let stage = Arc::new(stage.clone());
    view! {
        <VerdictCard stage=Arc::clone(&stage) index=i on_fix=on_fix missing=missing/>
        <p class="tt-summary" id="stage-summary">{summary}</p>
        {perfetto.map(|p| p.stage_buttons(input, &stage.label))}
        {coverage.map(|c| view! { <p class="tt-summary" id="stage-coverage">{c}</p> })}
        <h3>"Timeline"</h3>
        {timeline}
        {roofline.then(|| view! {
            <h3>"Roofline"</h3>
            <RooflineView stage=stage index=i filter=filter/>
        })}
        <h3>"Kernel table"</h3>
        <TableView table=kernels filter=filter.into() id=format!("kernels-{i}") names=true
            keys=kernel_names highlight=verdict::highlight_in(hit, "kernels")
            row_action=perfetto.map(|p| p.action(input, 0))/>
        <h3>"Overlap opportunities"</h3>
        <TableView table=overlap filter=filter.into() id=format!("overlap-{i}") on_row=on_overlap
            keys=overlap_kernels highlight=verdict::highlight_in(hit, "overlap")
            row_action=perfetto.map(|p| p.action(input, 1))/>
        <h3>"Fuse patterns"</h3>
        <FuseLegend index=i missing_only=missing_only/>
        <TableView table=fuse filter=filter.into() id=format!("fuse-{i}") on_row=on_fuse
            keys=fuse_ids highlight=verdict::highlight_in(hit, "fuse")
            row_action=perfetto.map(|p| p.action(input, 2)) only=fuse_only/>
        {near_miss.map(|n| view! { <p class="tt-muted tt-small" id="near-miss">{n}</p> })}
    }
    .into_any()
}

/// The fuse table's state legend (each word as its badge, and what it means) and its
/// "missing only" filter.
#[component]
fn FuseLegend(
    /// The stage's index (element ids).
    index: usize,
    /// Whether only the missing rows are shown.
    missing_only: RwSignal<bool>,
) -> impl IntoView {
    let items = report::fuse::STATE_LEGEND
        .iter()
        .map(|(word, tone, meaning)| {
            let class = format!("tt-badge tt-badge-{tone}");
            view! { <li><span class=class>{*word}</span>" "{*meaning}</li> }
        })
        .collect_view();
    let toggle = move |ev: leptos::ev::Event| missing_only.set(event_target_checked(&ev));
    view! {
        <div class="tt-fuse-legend" id=format!("fuse-legend-{index}")>
            <ul class="tt-small">{items}</ul>
            <label class="tt-small">
                <input type="checkbox" id=format!("fuse-missing-only-{index}")
                    prop:checked=move || missing_only.get() on:change=toggle/>
                " missing only"
            </label>
        </div>
    }
}

/// A table's rows: each one's label and the index of its spot in the request.
type RowSpots = Vec<(String, Option<usize>)>;

/// Where a stage's table rows live in time (asked of the worker), for their Open in
/// Perfetto buttons.
#[derive(Clone, Copy)]
struct PerfettoRows {
    /// The worker's answer.
    spotted: RwSignal<Option<Spotted>>,
    /// Per table (kernels, overlap, fuse), per row: its label and the index of its spot
    /// in the request (`None`: the row has no place in time).
    rows: StoredValue<[RowSpots; 3]>,
}

impl PerfettoRows {
    /// Asks the worker where the rows of `stage` (on input `input`'s timeline) live.
    fn ask(stage: &report::StageReport, input: usize) -> PerfettoRows {
        use report::perfetto::row_spot;
        let mut spots = Vec::new();
        let mut slot = |spot: Option<report::engine::timeline::spots::Spot>| {
            spot.map(|s| {
                spots.push(s);
                spots.len() - 1
            })
        };
        let kernels = stage
            .kernels
            .rows
            .iter()
            .map(|r| (format!("kernel {}", r.name), slot(row_spot(stage, "kernels", &r.name))))
            .collect();
        let overlap = stage
            .overlap
            .rows
            .iter()
            .map(|r| (r.kernel.clone(), slot(row_spot(stage, "overlap", &r.kernel))))
            .collect();
        let fuse = report::fuse::order(&stage.fuse)
            .into_iter()
            .filter_map(|k| stage.fuse.rows.get(k))
            .map(|r| (format!("fuse pattern {}", r.pattern), slot(row_spot(stage, "fuse", &r.id))))
            .collect();
        let spotted = RwSignal::new(None);
        let request = SpotsRequest { input, stage: stage.label.clone(), spots };
        let _ = client::ask(
            request,
            &[],
            move || !spotted.is_disposed(),
            move |event| {
                if let Event::Answer(answer) = event {
                    spotted.set(Some(answer));
                }
            },
        );
        PerfettoRows { spotted, rows: StoredValue::new([kernels, overlap, fuse]) }
    }

    /// The stage's and its busiest step's buttons.
    fn stage_buttons(self, input: usize, label: &str) -> impl IntoView + use<> {
        let spotted = self.spotted;
        let stage = Signal::derive(move || {
            spotted.with(|s| s.as_ref().and_then(|s| s.stage.as_ref()).map(|s| s.window()))
        });
        let busiest = Signal::derive(move || {
            spotted.with(|s| s.as_ref().and_then(|s| s.stage.as_ref()).map(|s| s.busiest))
        });
        view! {
            <p class="tt-perfetto-bar">
                <PerfettoButton input=input id="perfetto-stage" what=format!("stage {label}") window=stage text="Stage in Perfetto"/>
                <PerfettoButton input=input id="perfetto-busiest" what=format!("{label} busiest step") window=busiest text="Busiest step in Perfetto"/>
            </p>
        }
    }

    /// The row action of table `table` (0 kernels, 1 overlap, 2 fuse): a compact button.
    fn action(self, input: usize, table: usize) -> Callback<usize, AnyView> {
        Callback::new(move |i: usize| {
            let Some((what, slot)) = self.rows.with_value(|r| r.get(table).and_then(|t| t.get(i)).cloned())
            else {
                return ().into_any();
            };
            let spotted = self.spotted;
            let window = Signal::derive(move || {
                spotted.with(|s| s.as_ref().zip(slot).and_then(|(s, k)| s.windows.get(k).copied().flatten()))
            });
            view! { <PerfettoButton input=input what=what window=window text="" compact=true/> }.into_any()
        })
    }
}

/// What loading skipped or adjusted, folded.
#[component]
fn Diagnostics(
    /// The report.
    report: Arc<report::Report>,
) -> impl IntoView {
    let diagnostics = Arc::new(view::diagnostics_table(&report));
    let warnings = view::warnings_label(view::warning_count(&report));
    let no_filter: Signal<String> = Signal::derive(String::new);
    view! {
        <details class="tt-diagnostics" id="diagnostics">
            <summary>
                "Diagnostics: what loading skipped or adjusted "
                {warnings}
            </summary>
            <TableView table=diagnostics filter=no_filter id="diagnostics-table".to_owned()/>
        </details>
    }
}
