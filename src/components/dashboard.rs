//! The team dashboard: a page written by `tracetriage dashboard` (its `index.html` carries
//! a `tracetriage-dashboard` meta tag naming the manifest) or opened at `#dashboard`. It
//! fetches the manifest (`reports/index.json`), lists every run (filter, model and
//! framework selects, sort by any column), opens a run's full report, compares two runs
//! of one model, and charts a figure over runs. Files that are newer than this build or
//! broken are skipped and named in a warning; the rest stays usable.
//!
//! `#dashboard-synthetic=N` shows `N` generated runs instead (the load benchmark).

use std::sync::Arc;

use engine::dashboard::filter::{self, Column, Query};
use engine::dashboard::{ManifestEntry, ReadOutcome};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::components::dashboard_compare::CompareView;
use crate::components::dashboard_runs::RunsTable;
use crate::components::dashboard_trend::TrendView;
use crate::components::report_view::ReportView;
use crate::io;
use crate::state::Origin;

/// The manifest's URL when the page does not name one.
pub const DEFAULT_MANIFEST: &str = "reports/index.json";

/// The manifest named by the page's `tracetriage-dashboard` meta tag, if any.
fn meta_manifest() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let el = doc.query_selector("meta[name=tracetriage-dashboard]").ok()??;
    let url = el.get_attribute("content").filter(|c| !c.trim().is_empty());
    Some(url.unwrap_or_else(|| DEFAULT_MANIFEST.to_owned()))
}

/// Whether the page should open as a dashboard: the meta tag, or a `#dashboard…` fragment.
#[must_use]
pub fn wanted() -> bool {
    meta_manifest().is_some() || io::fragment().is_some_and(|f| f.starts_with("#dashboard"))
}

/// The number of generated runs asked for by `#dashboard-synthetic=N`.
fn synthetic_count() -> Option<usize> {
    let f = io::fragment()?;
    f.strip_prefix("#dashboard-synthetic=")?.parse::<usize>().ok().map(|n| n.min(100_000))
}

/// Fetches a URL's body.
///
/// # Errors
/// A sentence naming the URL.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(|_| format!("could not fetch {url}"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| format!("could not fetch {url}"))?;
    if !response.ok() {
        return Err(format!("could not fetch {url} (HTTP {})", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| format!("could not read {url}"))?)
        .await
        .map_err(|_| format!("could not read {url}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The runs of the page.
#[derive(Clone, Debug)]
pub struct Runs {
    /// The page's title.
    pub title: String,
    /// Every run.
    pub entries: Arc<Vec<ManifestEntry>>,
    /// Where report paths are relative to (the manifest's folder, with `/`).
    pub base: String,
    /// Whether the runs are generated (no report files).
    pub synthetic: bool,
}

/// What the dashboard shows below its header.
#[derive(Clone)]
enum Panel {
    /// The run list.
    List,
    /// Fetching something.
    Busy(String),
    /// One run's report.
    Report(Arc<engine::Report>, String),
    /// Two runs compared.
    Compare(Arc<engine::report::diff::DiffReport>, String),
}

/// Records in `render_ms` how long the page takes, from now, to draw the runs and paint
/// (the next animation frame, then a task after it).
fn shown_at(render_ms: RwSignal<Option<f64>>) {
    let t0 = io::now_ms();
    request_animation_frame(move || {
        set_timeout(move || render_ms.set(Some(io::now_ms() - t0)), std::time::Duration::ZERO);
    });
}

/// Loads the manifest (or generates runs) into `runs`, with warnings and timings.
async fn load(
    runs: RwSignal<Option<Runs>>,
    warnings: RwSignal<Vec<String>>,
    failure: RwSignal<Option<String>>,
    parse_ms: RwSignal<f64>,
    render_ms: RwSignal<Option<f64>>,
) {
    if let Some(n) = synthetic_count() {
        let entries: Vec<ManifestEntry> = (0..n)
            .filter_map(|i| {
                let report = engine::dashboard::synthetic::report(i, 1)?;
                let id = format!("run-{i:05}");
                let src = engine::dashboard::EntrySource {
                    report: format!("{id}.json"),
                    id,
                    source: engine::dashboard::synthetic::source(i),
                    folder: "synthetic".to_owned(),
                    file_mtime_unix_ns: None,
                };
                Some(ManifestEntry::from_report(&report, &src, engine::dashboard::EntryOptions::default()))
            })
            .collect();
        // The benchmark times what a real page does with a manifest: parse, then render.
        let json = engine::dashboard::Manifest::new("Generated runs", entries).to_json();
        let t0 = io::now_ms();
        match engine::dashboard::read_manifest(json.as_bytes()) {
            Ok(read) => {
                parse_ms.set(io::now_ms() - t0);
                shown_at(render_ms);
                runs.set(Some(Runs {
                    title: read.manifest.title,
                    entries: Arc::new(read.manifest.entries),
                    base: String::new(),
                    synthetic: true,
                }));
            }
            Err(e) => failure.set(Some(e.to_string())),
        }
        return;
    }
    let url = meta_manifest().unwrap_or_else(|| DEFAULT_MANIFEST.to_owned());
    let bytes = match fetch_bytes(&url).await {
        Ok(b) => b,
        Err(e) => {
            failure
                .set(Some(format!("{e}: this page shows a dashboard written by `tracetriage dashboard`.")));
            return;
        }
    };
    let t0 = io::now_ms();
    match engine::dashboard::read_manifest(&bytes) {
        Ok(read) => {
            parse_ms.set(io::now_ms() - t0);
            warnings.set(
                read.skipped
                    .iter()
                    .map(|s| {
                        let who = s.id.clone().unwrap_or_else(|| format!("entry {}", s.index + 1));
                        format!("Skipped {who} of {url}: {}", s.reason)
                    })
                    .collect(),
            );
            let base = url.rsplit_once('/').map_or(String::new(), |(dir, _)| format!("{dir}/"));
            shown_at(render_ms);
            runs.set(Some(Runs {
                title: read.manifest.title,
                entries: Arc::new(read.manifest.entries),
                base,
                synthetic: false,
            }));
        }
        Err(e) => failure.set(Some(format!("{url}: {e}"))),
    }
}

/// Fetches and reads one run's report; a warning names the run when it cannot be read.
async fn fetch_report(runs: &Runs, e: &ManifestEntry) -> Result<engine::Report, String> {
    if runs.synthetic {
        let i =
            e.id.trim_start_matches("run-")
                .parse::<usize>()
                .map_err(|_| format!("{}: not a generated run", e.id))?;
        return engine::dashboard::synthetic::report(i, 1)
            .ok_or_else(|| format!("{}: not a generated run", e.id));
    }
    let url = format!("{}{}", runs.base, e.report);
    let bytes = fetch_bytes(&url).await?;
    match engine::dashboard::read_report(&bytes) {
        ReadOutcome::Report(r) => Ok(*r),
        other => Err(format!("Skipped {} ({url}): {}", e.id, other.message())),
    }
}

/// The dashboard page.
#[component]
pub fn Dashboard() -> impl IntoView {
    let runs: RwSignal<Option<Runs>> = RwSignal::new(None);
    let warnings: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let failure: RwSignal<Option<String>> = RwSignal::new(None);
    let parse_ms = RwSignal::new(0.0f64);
    let render_ms: RwSignal<Option<f64>> = RwSignal::new(None);
    let panel = RwSignal::new(Panel::List);
    let text = RwSignal::new(String::new());
    let model = RwSignal::new(String::new());
    let framework = RwSignal::new(String::new());
    let sort = RwSignal::new((Column::Date, false));
    let selected: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    leptos::task::spawn_local(load(runs, warnings, failure, parse_ms, render_ms));

    // The filtered, sorted run list (indexes into the entries).
    let shown = Memo::new(move |_| {
        let Some(r) = runs.get() else { return Vec::new() };
        let m = model.get();
        let fw = framework.get();
        let query = Query::parse(&text.get());
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
        let (column, desc) = sort.get();
        filter::sort(&r.entries, &mut idx, column, desc);
        idx
    });

    let open = Callback::new(move |id: String| {
        let Some(r) = runs.get_untracked() else { return };
        let Some(e) = r.entries.iter().find(|e| e.id == id).cloned() else { return };
        panel.set(Panel::Busy(format!("Opening {}…", e.label)));
        leptos::task::spawn_local(async move {
            match fetch_report(&r, &e).await {
                Ok(report) => panel.set(Panel::Report(Arc::new(report), e.id.clone())),
                Err(why) => {
                    warnings.update(|w| w.push(why));
                    panel.set(Panel::List);
                }
            }
        });
    });

    let compare = move |_| {
        let Some(r) = runs.get_untracked() else { return };
        let ids = selected.get_untracked();
        let pick = |k: usize| ids.get(k).and_then(|id| r.entries.iter().find(|e| &e.id == id).cloned());
        let (Some(a), Some(b)) = (pick(0), pick(1)) else { return };
        panel.set(Panel::Busy("Comparing…".to_owned()));
        leptos::task::spawn_local(async move {
            let (a, b) = engine::dashboard::compare::baseline_first(&a, &b);
            let (a, b) = (a.clone(), b.clone());
            let (ra, rb) = (fetch_report(&r, &a).await, fetch_report(&r, &b).await);
            match (ra, rb) {
                (Ok(ra), Ok(rb)) => {
                    let d = engine::dashboard::compare::compare(&a, &ra, &b, &rb, 20);
                    panel.set(Panel::Compare(Arc::new(d), format!("{} → {}", a.label, b.label)));
                }
                (ra, rb) => {
                    warnings.update(|w| w.extend(ra.err().into_iter().chain(rb.err())));
                    panel.set(Panel::List);
                }
            }
        });
    };

    // Whether the two selected runs may be compared, and why not.
    let compare_state = move || {
        let ids = selected.get();
        let Some(r) = runs.get() else { return (false, String::new()) };
        let find = |k: usize| ids.get(k).and_then(|id| r.entries.iter().find(|e| &e.id == id));
        match (find(0), find(1)) {
            (Some(a), Some(b)) => match engine::dashboard::compare::comparability(a, b) {
                engine::dashboard::compare::Comparability::DifferentModels { .. } => {
                    (false, engine::dashboard::compare::comparability(a, b).message())
                }
                c => (true, c.message()),
            },
            _ => (false, format!("Select two runs of one model to compare them ({} selected).", ids.len())),
        }
    };

    let options = move |field: fn(&ManifestEntry) -> Option<(String, String)>| {
        let Some(r) = runs.get() else { return Vec::new() };
        let mut seen: Vec<(String, String)> = r.entries.iter().filter_map(field).collect();
        seen.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()).then_with(|| a.0.cmp(&b.0)));
        seen.dedup();
        seen
    };
    let model_options = move || {
        options(|e| e.model.clone().map(|m| (m.clone(), m)))
            .into_iter()
            .map(|(v, l)| view! { <option value=v>{l}</option> })
            .collect_view()
    };
    let framework_options = move || {
        options(|e| Some((e.framework.clone(), e.framework_label.clone())))
            .into_iter()
            .map(|(v, l)| view! { <option value=v>{l}</option> })
            .collect_view()
    };

    let list = move || {
        let Some(r) = runs.get() else {
            return match failure.get() {
                Some(why) => {
                    view! { <div class="tt-error" role="alert" id="dash-error">{why}</div> }.into_any()
                }
                None => view! { <p class="tt-muted" id="dash-loading">"Loading the runs…"</p> }.into_any(),
            };
        };
        let entries = Arc::clone(&r.entries);
        let total = entries.len();
        view! {
            <div class="tt-dash-controls">
                <input
                    class="tt-filter"
                    id="dash-filter"
                    type="search"
                    placeholder="Filter runs (model, framework, GPU, stage, kernel family; model:, gpu:, family:, -word)…"
                    on:input=move |ev| text.set(event_target_value(&ev))
                    prop:value=move || text.get()
                />
                <select id="dash-model" on:change=move |ev| model.set(event_target_value(&ev)) prop:value=move || model.get()>
                    <option value="">"All models"</option>
                    {model_options}
                </select>
                <select id="dash-framework" on:change=move |ev| framework.set(event_target_value(&ev)) prop:value=move || framework.get()>
                    <option value="">"All frameworks"</option>
                    {framework_options}
                </select>
                <span class="tt-muted" id="dash-count">{move || format!("{} of {total} runs", shown.get().len())}</span>
            </div>
            <div class="tt-dash-compare">
                <button
                    class="tt-button tt-primary"
                    id="dash-compare"
                    prop:disabled=move || !compare_state().0
                    on:click=compare
                >
                    "Compare selected"
                </button>
                <button class="tt-button" id="dash-clear" on:click=move |_| selected.set(Vec::new())>"Clear selection"</button>
                <span class="tt-muted tt-small" id="dash-compare-note">{move || compare_state().1}</span>
            </div>
            <RunsTable entries=entries shown=shown sort=sort selected=selected open=open/>
            <TrendView runs=r shown=shown open=open/>
        }
        .into_any()
    };

    let body = move || {
        match panel.get() {
        Panel::List => list().into_any(),
        Panel::Busy(what) => view! { <p class="tt-muted" id="dash-busy">{what}</p> }.into_any(),
        Panel::Report(report, id) => view! {
            <button class="tt-button" id="dash-back" on:click=move |_| panel.set(Panel::List)>"← All runs"</button>
            <ReportView report=report origin=Origin::Dashboard(id)/>
        }
        .into_any(),
        Panel::Compare(d, what) => view! {
            <button class="tt-button" id="dash-back" on:click=move |_| panel.set(Panel::List)>"← All runs"</button>
            <CompareView diff=d title=what/>
        }
        .into_any(),
    }
    };

    let title = move || runs.get().map_or_else(|| "Team dashboard".to_owned(), |r| r.title);
    let timing = move || {
        runs.get().map(|r| {
            let drawn = render_ms.get().map_or_else(String::new, |ms| format!(", list drawn in {ms:.0} ms"));
            format!("{} runs · manifest read in {:.1} ms{drawn}", r.entries.len(), parse_ms.get())
        })
    };
    let render_attr = move || render_ms.get().map(|ms| format!("{ms:.1}"));
    let parse_attr = move || format!("{:.1}", parse_ms.get());
    view! {
        <section class="tt-dashboard" id="dashboard">
            <h2 id="dash-title">{title}</h2>
            <p class="tt-muted tt-small" id="dash-timing" data-render-ms=render_attr data-parse-ms=parse_attr>{timing}</p>
            <Show when=move || !warnings.get().is_empty()>
                <div class="tt-warning" role="status" id="dash-warnings">
                    <strong>"Some files were skipped; the rest of the dashboard is complete."</strong>
                    <ul>{move || warnings.get().into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                </div>
            </Show>
            {body}
        </section>
    }
}
