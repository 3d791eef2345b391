//! What an engine worker holds between requests, in one place: the loaded traces (so the
//! page can ask for timelines, hover facts, layers or a triage with another catalog without
//! reading the files again), the two-trace roles, and the load's timings.

use std::cell::RefCell;
use std::sync::Arc;

use report::engine::analysis::capture::CaptureIndex;
use report::engine::analysis::layers::config::ModelConfig;

use report::engine::timeline::Timeline;

/// The traces of the last load.
pub(crate) struct Loaded {
    /// Display path and trace of each input, in the files' order.
    pub traces: Vec<(String, report::trace::Trace)>,
    /// `server_args.json` text found beside the traces.
    pub server_args: Option<String>,
    /// Each input's timeline model, built on its first drawing.
    pub timelines: Vec<Option<Timeline>>,
    /// The graph-capture traces read with them, as indexes (the traces themselves are
    /// dropped once indexed).
    pub captures: Vec<Arc<CaptureIndex>>,
    /// Bytes of JSON text the capture traces held.
    pub capture_bytes: u64,
    /// Capture traces that could not be read, one sentence each (the triage goes on
    /// without them).
    pub warnings: Vec<String>,
    /// The model's `config.json` chosen with the traces, for the roofline.
    pub model_config: Option<ModelConfig>,
}

impl Loaded {
    /// The engine's inputs: every loaded trace with its path.
    pub fn inputs(&self) -> Vec<report::engine::triage::Input<'_>> {
        self.traces.iter().map(|(path, trace)| report::engine::triage::Input { path, trace }).collect()
    }

    /// The parsed `server_args.json`, if one came with the traces.
    pub fn server_args(&self) -> Option<report::engine::analysis::framework::ServerArgs> {
        self.server_args.as_deref().and_then(report::engine::analysis::framework::ServerArgs::parse)
    }

    /// Bytes of JSON text read: every trace's and capture trace's.
    pub fn json_bytes(&self) -> u64 {
        self.traces.iter().map(|(_, t)| t.json_bytes).sum::<u64>() + self.capture_bytes
    }
}

/// Everything an engine worker keeps.
#[derive(Default)]
pub(crate) struct WorkerState {
    /// The loaded traces (none before the first load, and while a load runs).
    pub loaded: Option<Loaded>,
    /// Two-trace mode: how many of the loaded traces (the first ones) are mapping traces.
    pub mapping: Option<usize>,
    /// When the last load started (ms since the worker started).
    pub started_at: f64,
    /// When the last load finished.
    pub loaded_at: f64,
}

impl WorkerState {
    /// The loaded traces, or the sentence for a request that needs them.
    ///
    /// # Errors
    /// When no trace is loaded.
    pub fn loaded(&self) -> Result<&Loaded, String> {
        self.loaded.as_ref().ok_or_else(|| "no trace is loaded".to_owned())
    }

    /// The last load's duration, ms.
    pub fn load_ms(&self) -> f64 {
        self.loaded_at - self.started_at
    }
}

thread_local! {
    static STATE: RefCell<WorkerState> = RefCell::new(WorkerState::default());
}

/// Runs `f` with the worker's state. Never called again from inside `f`, and never held
/// across an `await`.
pub(crate) fn with<T>(f: impl FnOnce(&mut WorkerState) -> T) -> T {
    STATE.with(|s| f(&mut s.borrow_mut()))
}
