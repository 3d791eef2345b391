//! The team dashboard: a page written by `tracetriage dashboard` (its `index.html` carries
//! a `tracetriage-dashboard` meta tag naming the manifest) or opened at `#dashboard`. It
//! fetches the manifest (`reports/index.json`, [`dashboard_load`]), lists every run
//! (filter, model and framework selects, sort by any column), opens a run's full report,
//! compares two runs of one model, and charts a figure over runs. Files that are newer than
//! this build or broken are skipped and named in a warning; the rest stays usable.
//!
//! `#dashboard-synthetic=N` shows `N` generated runs instead (the load benchmark).

use std::sync::Arc;

use leptos::prelude::*;
use report::dashboard::ManifestEntry;
use report::dashboard::compare;
use report::dashboard::compare::Comparability;
use report::dashboard::filter;
use report::dashboard::filter::Column;
use report::dashboard::filter::Query;

use crate::components::dashboard_compare::CompareView;
use crate::components::dashboard_load::{self as dashboard_load, Runs, fetch_report};
use crate::components::dashboard_runs::RunsTable;
use crate::components::dashboard_trend::TrendView;
use crate::components::report_view::ReportView;
use crate::io;
use crate::state::Origin;

/// Whether the page should open as a dashboard: the meta tag, or a `#dashboard…` fragment.
#[must_use]
pub fn wanted() -> bool {
    dashboard_load::meta_manifest().is_some() || io::fragment().is_some_and(|f| f.starts_with("#dashboard"))
}

/// What the dashboard shows below its header.
#[derive(Clone)]
enum Panel {
    /// The run list.
    List,
    /// Fetching something.
    Busy(String),
    /// One run's report.
    Report(Arc<report::Report>, String),
    /// Two runs compared.
    Compare(Arc<report::diff::DiffReport>, String),
}

/// Records in `render_ms` how long the page takes, from now, to draw the runs and paint
/// (the next animation frame, then a task after it).
fn shown_at(render_ms: RwSignal<Option<f64>>) {
    let t0 = io::now_ms();
    request_animation_frame(move || {
        set_timeout(move || render_ms.set(Some(io::now_ms() - t0)), std::time::Duration::ZERO);
    });
}

/// The dashboard's state, shared by its handlers and sub-views.
#[derive(Clone, Copy)]
struct Dash {
    /// The runs, once read.
    runs: RwSignal<Option<Runs>>,
    /// Skipped files and runs that could not be opened.
    warnings: RwSignal<Vec<String>>,
    /// Why the runs could not be read.
    failure: RwSignal<Option<String>>,
    /// Time spent reading the manifest, ms.
    parse_ms: RwSignal<f64>,
    /// Time the list took to draw, ms.
    render_ms: RwSignal<Option<f64>>,
    /// What is shown below the header.
    panel: RwSignal<Panel>,
    /// The filter text.
    text: RwSignal<String>,
    /// The model picked (empty: all).
    model: RwSignal<String>,
    /// The framework picked (empty: all).
    framework: RwSignal<String>,
    /// The sort column and whether it is descending.
    sort: RwSignal<(Column, bool)>,
    /// Ids of the runs picked for a comparison.
    selected: RwSignal<Vec<String>>,
}

impl Dash {
    fn new() -> Dash {
        Dash {
            runs: RwSignal::new(None),
            warnings: RwSignal::new(Vec::new()),
            failure: RwSignal::new(None),
            parse_ms: RwSignal::new(0.0),
            render_ms: RwSignal::new(None),
            panel: RwSignal::new(Panel::List),
            text: RwSignal::new(String::new()),
            model: RwSignal::new(String::new()),
            framework: RwSignal::new(String::new()),
            sort: RwSignal::new((Column::Date, false)),
            selected: RwSignal::new(Vec::new()),
        }
    }

    /// Reads the runs.
    async fn load(self) {
        match dashboard_load::load().await {
            Ok(m) => {
                self.parse_ms.set(m.parse_ms);
                self.warnings.set(m.warnings);
                shown_at(self.render_ms);
                self.runs.set(Some(m.runs));
            }
            Err(e) => self.failure.set(Some(e)),
        }
    }

    /// The filtered, sorted run list (indexes into the entries).
    fn shown(self) -> Vec<usize> {
        let Some(r) = self.runs.get() else { return Vec::new() };
        let (m, fw) = (self.model.get(), self.framework.get());
        let query = Query::parse(&self.text.get());
        let mut idx: Vec<usize> = r
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                query.matches(e)
                    && (m.is_empty() || e.model.as_deref() == Some(m.as_str()))
                    && (fw.is_empty() || e.framework == fw)
            })
            .map(|(i, _)| i)
            .collect();
        let (column, desc) = self.sort.get();
        filter::sort(&r.entries, &mut idx, column, desc);
        idx
    }

    /// Opens run `id`'s report (a warning when it cannot be read).
    fn open(self, id: &str) {
        let Some(r) = self.runs.get_untracked() else { return };
        let Some(e) = r.entries.iter().find(|e| e.id == id).cloned() else { return };
        self.panel.set(Panel::Busy(format!("Opening {}…", e.label)));
        leptos::task::spawn_local(async move {
            match fetch_report(&r, &e).await {
                Ok(report) => self.panel.set(Panel::Report(Arc::new(report), e.id.clone())),
                Err(why) => {
                    self.warnings.update(|w| w.push(why));
                    self.panel.set(Panel::List);
                }
            }
        });
    }

    /// Compares the two selected runs (the older one as the baseline).
    fn compare(self) {
        let Some(r) = self.runs.get_untracked() else { return };
        let ids = self.selected.get_untracked();
        let pick = |k: usize| ids.get(k).and_then(|id| r.entries.iter().find(|e| &e.id == id).cloned());
        let (Some(a), Some(b)) = (pick(0), pick(1)) else { return };
        self.panel.set(Panel::Busy("Comparing…".to_owned()));
        leptos::task::spawn_local(async move {
            let (a, b) = compare::baseline_first(&a, &b);
            let (a, b) = (a.clone(), b.clone());
            let (ra, rb) = (fetch_report(&r, &a).await, fetch_report(&r, &b).await);
            match (ra, rb) {
                (Ok(ra), Ok(rb)) => {
                    let d = compare::compare(&a, &ra, &b, &rb, 20);
                    self.panel.set(Panel::Compare(Arc::new(d), format!("{} → {}", a.label, b.label)));
                }
                (ra, rb) => {
                    self.warnings.update(|w| w.extend(ra.err().into_iter().chain(rb.err())));
                    self.panel.set(Panel::List);
                }
            }
        });
    }

    /// Whether the two selected runs may be compared, and why not.
    fn compare_state(self) -> (bool, String) {
        let ids = self.selected.get();
        let Some(r) = self.runs.get() else { return (false, String::new()) };
        let find = |k: usize| ids.get(k).and_then(|id| r.entries.iter().find(|e| &e.id == id));
        match (find(0), find(1)) {
            (Some(a), Some(b)) => match compare::comparability(a, b) {
                Comparability::DifferentModels { .. } => (false, compare::comparability(a, b).message()),
                c => (true, c.message()),
            },
            _ => (false, format!("Select two runs of one model to compare them ({} selected).", ids.len())),
        }
    }

    /// The distinct `(value, label)` pairs `field` gives over the runs, sorted by label.
    fn options(self, field: fn(&ManifestEntry) -> Option<(String, String)>) -> Vec<(String, String)> {
        let Some(r) = self.runs.get() else { return Vec::new() };
        let mut seen: Vec<(String, String)> = r.entries.iter().filter_map(field).collect();
        report::engine::order::sort_by(&mut seen, |a, b| {
            a.1.to_lowercase().cmp(&b.1.to_lowercase()).then_with(|| a.0.cmp(&b.0))
        });
        seen.dedup();
        seen
    }
}

/// The dashboard page.
#[component]
pub fn Dashboard() -> impl IntoView {
    let d = Dash::new();
    leptos::task::spawn_local(d.load());
    let shown = Memo::new(move |_| d.shown());
    let open = Callback::new(move |id: String| d.open(&id));
    let body = move || {
        match d.panel.get() {
        Panel::List => view! { <RunList d=d shown=shown open=open/> }.into_any(),
        Panel::Busy(what) => view! { <p class="tt-muted" id="dash-busy">{what}</p> }.into_any(),
        Panel::Report(report, id) => view! {
            <button class="tt-button" id="dash-back" on:click=move |_| d.panel.set(Panel::List)>"← All runs"</button>
            <ReportView report=report origin=Origin::Dashboard(id)/>
        }
        .into_any(),
        Panel::Compare(diff, what) => view! {
            <button class="tt-button" id="dash-back" on:click=move |_| d.panel.set(Panel::List)>"← All runs"</button>
            <CompareView diff=diff title=what/>
        }
        .into_any(),
    }
    };
    let title = move || d.runs.get().map_or_else(|| "Team dashboard".to_owned(), |r| r.title);
    let timing = move || {
        d.runs.get().map(|r| {
            let drawn =
                d.render_ms.get().map_or_else(String::new, |ms| format!(", list drawn in {ms:.0} ms"));
            format!("{} runs · manifest read in {:.1} ms{drawn}", r.entries.len(), d.parse_ms.get())
        })
    };
    let render_attr = move || d.render_ms.get().map(|ms| format!("{ms:.1}"));
    let parse_attr = move || format!("{:.1}", d.parse_ms.get());
    view! {
        <section class="tt-dashboard" id="dashboard">
            <h2 id="dash-title">{title}</h2>
            <p class="tt-muted tt-small" id="dash-timing" data-render-ms=render_attr data-parse-ms=parse_attr>{timing}</p>
            <Show when=move || !d.warnings.get().is_empty()>
                <div class="tt-warning" role="status" id="dash-warnings">
                    <strong>"Some files were skipped; the rest of the dashboard is complete."</strong>
                    <ul>{move || d.warnings.get().into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                </div>
            </Show>
            {body}
        </section>
    }
}

/// The run list with its filters, the comparison buttons, and the trend chart (or why the
/// runs could not be read).
#[component]
fn RunList(
    /// The dashboard.
    d: Dash,
    /// The runs listed.
    shown: Memo<Vec<usize>>,
    /// Opens a run (by id).
    open: Callback<String>,
) -> impl IntoView {
    move || {
        let Some(r) = d.runs.get() else {
            return match d.failure.get() {
                Some(why) => {
                    view! { <div class="tt-error" role="alert" id="dash-error">{why}</div> }.into_any()
                }
                None => view! { <p class="tt-muted" id="dash-loading">"Loading the runs…"</p> }.into_any(),
            };
        };
        let entries = Arc::clone(&r.entries);
        view! {
            <Filters d=d shown=shown total=entries.len()/>
            <div class="tt-dash-compare">
                <button
                    class="tt-button tt-primary"
                    id="dash-compare"
                    prop:disabled=move || !d.compare_state().0
                    on:click=move |_| d.compare()
                >
                    "Compare selected"
                </button>
                <button class="tt-button" id="dash-clear" on:click=move |_| d.selected.set(Vec::new())>"Clear selection"</button>
                <span class="tt-muted tt-small" id="dash-compare-note">{move || d.compare_state().1}</span>
            </div>
            <RunsTable entries=entries shown=shown sort=d.sort selected=d.selected open=open/>
            <TrendView runs=r shown=shown open=open/>
        }
        .into_any()
    }
}

/// The filter text, the model and framework selects, and the count of runs listed.
#[component]
fn Filters(
    /// The dashboard.
    d: Dash,
    /// The runs listed.
    shown: Memo<Vec<usize>>,
    /// The number of runs.
    total: usize,
) -> impl IntoView {
    let model_options = move || {
        d.options(|e| e.model.clone().map(|m| (m.clone(), m)))
            .into_iter()
            .map(|(v, l)| view! { <option value=v>{l}</option> })
            .collect_view()
    };
    let framework_options = move || {
        d.options(|e| Some((e.framework.clone(), e.framework_label.clone())))
            .into_iter()
            .map(|(v, l)| view! { <option value=v>{l}</option> })
            .collect_view()
    };
    view! {
        <div class="tt-dash-controls">
            <input
                class="tt-filter"
                id="dash-filter"
                type="search"
                placeholder="Filter runs (model, framework, GPU, stage, kernel family; model:, gpu:, family:, -word)…"
                on:input=move |ev| d.text.set(event_target_value(&ev))
                prop:value=move || d.text.get()
            />
            <select id="dash-model" on:change=move |ev| d.model.set(event_target_value(&ev)) prop:value=move || d.model.get()>
                <option value="">"All models"</option>
                {model_options}
            </select>
            <select id="dash-framework" on:change=move |ev| d.framework.set(event_target_value(&ev)) prop:value=move || d.framework.get()>
                <option value="">"All frameworks"</option>
                {framework_options}
            </select>
            <span class="tt-muted" id="dash-count">{move || format!("{} of {total} runs", shown.get().len())}</span>
        </div>
    }
}
