//! The page's state machine: landing → loading → report (or ranks, compare, dashboard), or
//! an error message; the shared state every component reads from context ([`AppState`]),
//! and the transitions that start work in the engine worker and show what it answers.

use std::sync::Arc;

use leptos::prelude::*;

use crate::client;
use crate::io::{self, Chosen};
use crate::protocol::{
    Ask, DiffDone, DiffRequest, Event, Progress, RanksDone, RanksRequest, RetriageRequest, RolesRequest,
    TriageRequest, Triaged, UserCatalog,
};

/// The share cutoff of every triage the page starts, percent (as the CLI's default).
const MIN_SHARE_PCT: f64 = 1.0;

/// Where a shown report came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Triaged here from traces.
    Traces {
        /// Reading + parsing time, ms.
        load_ms: f64,
        /// Triage time, ms.
        triage_ms: f64,
        /// From "file chosen" to "report ready", ms.
        total_ms: f64,
        /// JSON bytes parsed.
        json_bytes: u64,
        /// The worker's WebAssembly memory at the end, bytes.
        wasm_memory: u64,
        /// What the page should say beside the report (capture traces not used).
        warnings: Vec<String>,
    },
    /// Opened from a shared link.
    Link,
    /// Opened from the team dashboard (the run's id).
    Dashboard(String),
}

/// What the page shows.
#[derive(Clone, Debug)]
pub enum Status {
    /// Nothing loaded yet.
    Idle,
    /// A triage is running.
    Loading(Progress),
    /// Something went wrong; a sentence for the reader.
    Failed(String),
    /// A report.
    Ready(Arc<report::Report>, Origin),
    /// The all-ranks view of several ranks' traces (load and analysis time, ms).
    Ranks(Arc<report::ranks::RanksReport>, f64, f64),
    /// An A/B diff (opened from a `#d1.` link).
    Compare(Arc<report::diff::DiffReport>),
    /// The team dashboard (a page written by `tracetriage dashboard`, or `#dashboard`).
    Dashboard,
}

/// Shared state, provided by context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// What the page shows.
    pub status: RwSignal<Status>,
    /// When the current load started (ms since page load).
    pub started_at: RwSignal<f64>,
    /// An extra catalog file chosen by the user, applied to every triage.
    pub catalog: RwSignal<Option<UserCatalog>>,
    /// What happened to the last extra catalog file chosen (kept across re-triages).
    pub catalog_message: RwSignal<String>,
    /// A model `config.json` chosen beside the traces (or in the layers tab): `(name, text)`.
    pub model_config: RwSignal<Option<(String, String)>>,
    /// Traces opened by URL: the download in flight and the URLs shown ([`crate::fetch`]).
    pub remote: StoredValue<crate::fetch::Remote, LocalStorage>,
    /// The trace files of the report triaged here, in its inputs' order (Open in Perfetto
    /// reads them again; empty for any other view).
    pub traces: RwSignal<Vec<Chosen>, LocalStorage>,
    /// The time window (trace ns) the next triage keeps, when the reader took the one
    /// offered for a trace too large for the tab.
    pub window: RwSignal<Option<(i64, i64)>>,
    /// The shared link (fragment head) the page shows or last wrote itself: a different
    /// one pasted into the address bar replaces the report ([`crate::url_state::follow`]).
    pub link: StoredValue<String>,
}

impl AppState {
    /// The landing state.
    #[must_use]
    pub fn new() -> AppState {
        AppState {
            status: RwSignal::new(Status::Idle),
            started_at: RwSignal::new(0.0),
            catalog: RwSignal::new(None),
            catalog_message: RwSignal::new(String::new()),
            model_config: RwSignal::new(None),
            remote: StoredValue::new_local(crate::fetch::Remote::default()),
            traces: RwSignal::new_local(Vec::new()),
            window: RwSignal::new(None),
            link: StoredValue::new(String::new()),
        }
    }

    /// Opens a shared link in the URL fragment, if there is one: `#d1.…` straight into its
    /// diff, `#r1.…` into its report (or a sentence saying why it cannot be read).
    pub fn open_link(self) {
        // The link without the view's `tab=`/`q=` parameters.
        let fragment = crate::url_state::current().head;
        if fragment.is_empty() {
            return;
        }
        self.link.set_value(fragment.clone());
        if fragment.trim_start_matches('#').starts_with(report::share::DIFF_PREFIX) {
            match report::share::decode_diff(&fragment) {
                Ok(d) => self.status.set(Status::Compare(Arc::new(d))),
                Err(e) => self.status.set(Status::Failed(e.to_string())),
            }
        } else {
            match report::share::decode(&fragment) {
                Ok(report) => self.status.set(Status::Ready(Arc::new(report), Origin::Link)),
                Err(e) => self.status.set(Status::Failed(e.to_string())),
            }
        }
    }

    /// Starts a triage of the chosen files (or says why it cannot): the all-ranks view when
    /// they hold two or more ranks, or rank-reduction files (`.ttr`, as many as given).
    pub fn open(self, chosen: Vec<Chosen>) {
        if chosen.is_empty() {
            return;
        }
        self.loading("reading");
        self.model_config.set(None);
        self.traces.set(Vec::new());
        leptos::task::spawn_local(async move {
            let picked = match io::select_traces_of(chosen, report::engine::discover::Ranks::All).await {
                Ok(v) => v,
                Err(e) => return self.fail(e),
            };
            let config_text = picked.model_config.as_ref().map(|(_, text)| text.clone());
            self.model_config.set(picked.model_config);
            let paths = picked.traces.iter().map(|f| f.path.clone()).collect();
            let server_args = picked.server_args;
            let server_logs = picked.server_logs;
            if !picked.reductions.is_empty() || io::distinct_ranks(&picked.traces) >= 2 {
                // The rank-reduction files go after the traces.
                let reductions = picked.reductions.iter().map(|f| f.path.clone()).collect();
                let request = RanksRequest {
                    paths,
                    min_share_pct: MIN_SHARE_PCT,
                    server_args,
                    server_logs,
                    reductions,
                };
                let files: Vec<Chosen> = picked.traces.into_iter().chain(picked.reductions).collect();
                self.ask(request, &files, AppState::on_ranks);
            } else {
                let catalog = self.catalog.get_untracked();
                // The capture traces go after the traces.
                let captures = picked.captures.iter().map(|f| f.path.clone()).collect();
                let request = TriageRequest {
                    paths,
                    min_share_pct: MIN_SHARE_PCT,
                    server_args,
                    catalog,
                    captures,
                    model_config: config_text,
                    server_logs,
                    window_ns: self.window.get_untracked(),
                    memory_mib: memory_budget_query(),
                };
                self.window.set(None);
                self.traces.set(picked.traces.clone());
                let files: Vec<Chosen> = picked.traces.into_iter().chain(picked.captures).collect();
                self.ask(request, &files, AppState::on_report);
            }
        });
    }

    /// Loads the trace files of the last triage again, keeping only the events in `window`
    /// (trace ns): the offer made when the whole trace would not fit in the tab.
    pub fn open_window(self, window: (i64, i64)) {
        let chosen = self.traces.get_untracked();
        self.window.set(Some(window));
        self.open(chosen);
    }

    /// Starts a two-trace triage: `files` with their roles (`mapping`, `formal`, or
    /// `capture` for a graph-capture trace).
    pub fn open_roles(self, files: Vec<(Chosen, String)>) {
        let (captures, traces): (Vec<_>, Vec<_>) = files.into_iter().partition(|(_, r)| r == "capture");
        let (mapping, formal): (Vec<_>, Vec<_>) = traces.into_iter().partition(|(_, r)| r == "mapping");
        let (chosen, roles): (Vec<Chosen>, Vec<String>) = mapping.into_iter().chain(formal).unzip();
        let captures: Vec<Chosen> = captures.into_iter().map(|(c, _)| c).collect();
        self.loading("reading");
        self.traces.set(chosen.clone());
        let request = RolesRequest {
            paths: chosen.iter().map(|f| f.path.clone()).collect(),
            roles,
            min_share_pct: MIN_SHARE_PCT,
            catalog: self.catalog.get_untracked(),
            captures: captures.iter().map(|f| f.path.clone()).collect(),
        };
        // The capture traces go after the traces.
        let files: Vec<Chosen> = chosen.into_iter().chain(captures).collect();
        self.ask(request, &files, AppState::on_report);
    }

    /// Compares two runs (each: the chosen files of one run, rank 0 by default).
    pub fn compare(self, a: Vec<Chosen>, b: Vec<Chosen>) {
        if a.is_empty() || b.is_empty() {
            return;
        }
        self.loading("reading");
        self.traces.set(Vec::new());
        leptos::task::spawn_local(async move {
            let picked =
                async { Ok::<_, String>((io::select_traces(a).await?, io::select_traces(b).await?)) };
            let (a, b) = match picked.await {
                Ok(v) => v,
                Err(e) => return self.fail(e),
            };
            self.model_config.set(b.model_config);
            let request = DiffRequest {
                a_paths: a.traces.iter().map(|f| f.path.clone()).collect(),
                b_paths: b.traces.iter().map(|f| f.path.clone()).collect(),
            };
            let files: Vec<Chosen> = a.traces.into_iter().chain(b.traces).collect();
            self.ask(request, &files, AppState::on_diff);
        });
    }

    /// Triages the loaded traces again with the current extra catalog.
    pub fn retriage(self) {
        self.loading("analysing");
        let request = RetriageRequest { min_share_pct: MIN_SHARE_PCT, catalog: self.catalog.get_untracked() };
        self.ask(request, &[], AppState::on_report);
    }

    /// Stops a running triage and returns to the landing view, forgetting the traces shown
    /// (their files and the URLs they came from: the same `#src=` opens them again).
    pub fn cancel(self) {
        self.abort_download();
        client::cancel();
        self.remote.update_value(|r| r.sources.clear());
        self.traces.set(Vec::new());
        self.status.set(Status::Idle);
    }

    /// Shows the progress view from now on.
    fn loading(self, phase: &str) {
        if phase == "reading" {
            // New traces: not those of a URL ([`AppState::open_urls`] names its own after).
            self.remote.update_value(|r| r.sources.clear());
        }
        self.started_at.set(io::now_ms());
        self.status.set(Status::Loading(Progress { phase: phase.into(), ..Progress::default() }));
    }

    fn fail(self, message: String) {
        self.status.set(Status::Failed(message));
    }

    /// Sends an analysis request; `on` shows its answer. The page's state lives as long as
    /// the page, so every event is wanted.
    fn ask<A: Ask + 'static>(self, request: A, files: &[Chosen], on: fn(AppState, A::Answer) -> Status) {
        let files: Vec<web_sys::File> = files.iter().map(|c| c.file.clone()).collect();
        let result = client::ask(
            request,
            &files,
            || true,
            move |event| match event {
                Event::Progress(p) => self.status.set(Status::Loading(p)),
                Event::Failed(message) => self.fail(message),
                Event::Answer(answer) => self.status.set(on(self, answer)),
            },
        );
        if let Err(e) = result {
            self.fail(e);
        }
    }

    /// The report of a finished triage.
    fn on_report(self, t: Triaged) -> Status {
        match report::Report::from_json(&t.json) {
            Ok(report) => {
                io::set_fragment(&self.loaded_fragment());
                let total_ms = io::now_ms() - self.started_at.get_untracked();
                let Triaged { load_ms, triage_ms, json_bytes, wasm_memory, warnings, .. } = t;
                let origin =
                    Origin::Traces { load_ms, triage_ms, total_ms, json_bytes, wasm_memory, warnings };
                Status::Ready(Arc::new(report), origin)
            }
            Err(e) => Status::Failed(e.to_string()),
        }
    }

    /// The view of a finished all-ranks analysis.
    fn on_ranks(self, r: RanksDone) -> Status {
        match report::ranks::RanksReport::from_json(&r.json) {
            Ok(report) => {
                io::set_fragment(&self.loaded_fragment());
                Status::Ranks(Arc::new(report), r.load_ms, r.analysis_ms)
            }
            Err(e) => Status::Failed(e.to_string()),
        }
    }

    /// The fragment of loaded traces: their URLs if they came from some, and the view.
    fn loaded_fragment(self) -> String {
        crate::url_state::after_load(&self.remote.with_value(|r| r.sources.clone()))
    }

    /// The view of a finished diff.
    fn on_diff(self, d: DiffDone) -> Status {
        match report::diff::DiffReport::from_json(&d.json) {
            Ok(diff) => Status::Compare(Arc::new(diff)),
            Err(e) => Status::Failed(e.to_string()),
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

/// The page's `?memory=` (MiB): the engine worker's memory budget, for trying the
/// too-large path with a small trace.
fn memory_budget_query() -> Option<u64> {
    io::page_param("memory").and_then(|v| v.parse().ok())
}
