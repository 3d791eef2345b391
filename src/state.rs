//! The page's state machine: landing → loading → report (or ranks, compare, dashboard), or
//! an error message; the shared state every component reads from context ([`AppState`]),
//! and the transitions that start work in the engine worker and show what it answers.

use std::sync::Arc;

use leptos::prelude::*;

use crate::io::{self, Chosen};
use crate::protocol::{FromWorker, Progress, UserCatalog};

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
    Ready(Arc<engine::Report>, Origin),
    /// The all-ranks view of several ranks' traces (load and analysis time, ms).
    Ranks(Arc<engine::report::ranks::RanksReport>, f64, f64),
    /// An A/B diff (opened from a `#d1.` link).
    Compare(Arc<engine::report::diff::DiffReport>),
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
}

impl AppState {
    /// Starts a triage of the chosen files (or says why it cannot).
    pub fn open(self, chosen: Vec<Chosen>) {
        if chosen.is_empty() {
            return;
        }
        self.started_at.set(io::now_ms());
        self.status.set(Status::Loading(Progress { phase: "reading".into(), ..Progress::default() }));
        leptos::task::spawn_local(async move {
            let (files, server_args) = match io::select_traces_of(chosen, engine::discover::Ranks::All).await
            {
                Ok(v) => v,
                Err(e) => {
                    self.status.set(Status::Failed(e));
                    return;
                }
            };
            // Traces of two or more ranks open the all-ranks view.
            if io::distinct_ranks(&files) >= 2 {
                if let Err(e) = io::start_ranks(&files, server_args, 1.0, move |msg| self.on_triage(msg)) {
                    self.status.set(Status::Failed(e));
                }
                return;
            }
            let catalog = self.catalog.get_untracked();
            if let Err(e) =
                io::start_triage(&files, server_args, catalog, 1.0, move |msg| self.on_triage(msg))
            {
                self.status.set(Status::Failed(e));
            }
        });
    }

    /// Compares two runs (each: the chosen files of one run, rank 0 by default).
    pub fn compare(self, a: Vec<Chosen>, b: Vec<Chosen>) {
        if a.is_empty() || b.is_empty() {
            return;
        }
        self.started_at.set(io::now_ms());
        self.status.set(Status::Loading(Progress { phase: "reading".into(), ..Progress::default() }));
        leptos::task::spawn_local(async move {
            let picked =
                async { Ok::<_, String>((io::select_traces(a).await?.0, io::select_traces(b).await?.0)) };
            let result =
                picked.await.and_then(|(a, b)| io::start_diff(&a, &b, move |msg| self.on_triage(msg)));
            if let Err(e) = result {
                self.status.set(Status::Failed(e));
            }
        });
    }

    /// Triages the loaded traces again with the current extra catalog.
    pub fn retriage(self) {
        self.started_at.set(io::now_ms());
        let catalog = self.catalog.get_untracked();
        self.status.set(Status::Loading(Progress { phase: "analysing".into(), ..Progress::default() }));
        if let Err(e) = io::retriage(catalog, 1.0, move |msg| self.on_triage(msg)) {
            self.status.set(Status::Failed(e));
        }
    }

    /// Shows what the worker says about a triage (progress, the report, an error).
    pub(crate) fn on_triage(self, msg: FromWorker) {
        match msg {
            FromWorker::Progress(p) => self.status.set(Status::Loading(p)),
            FromWorker::Error { message } => self.status.set(Status::Failed(message)),
            FromWorker::Report { json, load_ms, triage_ms, json_bytes, wasm_memory } => {
                match engine::Report::from_json(&json) {
                    Ok(report) => {
                        io::set_fragment("");
                        let total_ms = io::now_ms() - self.started_at.get_untracked();
                        self.status.set(Status::Ready(
                            Arc::new(report),
                            Origin::Traces { load_ms, triage_ms, total_ms, json_bytes, wasm_memory },
                        ));
                    }
                    Err(e) => self.status.set(Status::Failed(e.to_string())),
                }
            }
            FromWorker::Ranks { json, load_ms, analysis_ms } => {
                match engine::report::ranks::RanksReport::from_json(&json) {
                    Ok(r) => self.status.set(Status::Ranks(Arc::new(r), load_ms, analysis_ms)),
                    Err(e) => self.status.set(Status::Failed(e.to_string())),
                }
            }
            FromWorker::Diff { json } => match engine::report::diff::DiffReport::from_json(&json) {
                Ok(d) => self.status.set(Status::Compare(Arc::new(d))),
                Err(e) => self.status.set(Status::Failed(e.to_string())),
            },
            FromWorker::Ready
            | FromWorker::Timeline { .. }
            | FromWorker::Hover { .. }
            | FromWorker::Layers { .. } => {}
        }
    }

    /// Stops a running triage and returns to the landing view.
    pub fn cancel(self) {
        io::cancel();
        self.status.set(Status::Idle);
    }
}
