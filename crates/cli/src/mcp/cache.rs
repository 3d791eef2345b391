//! What the server has loaded: traces by (canonical path, modification time, size), and the
//! reports made of them by their traces and options. A second question about the same
//! trace reuses both; a trace file that changed on disk is loaded again. Both lists are
//! bounded (the least recently used entry goes first).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// Traces kept at once.
const TRACES: usize = 8;
/// Reports kept at once.
const REPORTS: usize = 32;

/// A trace file's identity: a file changed on disk has another key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// The canonical path.
    pub path: PathBuf,
    /// Modification time.
    pub modified: Option<SystemTime>,
    /// Size in bytes.
    pub size: u64,
}

impl Key {
    /// The key of `path` as it is on disk now.
    ///
    /// # Errors
    /// When the file cannot be read (the message names it and says what to do).
    pub fn of(path: &Path) -> Result<Key, String> {
        let meta = std::fs::metadata(path).map_err(|e| super::errors::io(path, &e))?;
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(Key { path: canonical, modified: meta.modified().ok(), size: meta.len() })
    }
}

/// A loaded trace and what it cost.
pub struct Source {
    /// Its key.
    pub key: Key,
    /// The trace.
    pub trace: Arc<report::trace::Trace>,
    /// Load time, ms.
    pub load_ms: f64,
    /// Questions answered from it without a reload.
    pub hits: u64,
}

/// The server's cache.
#[derive(Default)]
pub struct Cache {
    traces: Vec<Source>,
    reports: Vec<(String, Arc<report::Report>)>,
}

impl Cache {
    /// The trace at `path`: cached, or loaded now.
    ///
    /// # Errors
    /// When it cannot be read or is not a trace.
    pub fn trace(&mut self, path: &Path) -> Result<Arc<report::trace::Trace>, String> {
        let key = Key::of(path)?;
        if let Some(i) = self.traces.iter().position(|s| s.key == key) {
            let mut s = self.traces.remove(i);
            s.hits += 1;
            let trace = Arc::clone(&s.trace);
            self.traces.push(s);
            return Ok(trace);
        }
        let started = Instant::now();
        let trace = Arc::new(native::load_on(path, 0).map_err(|e| super::errors::load(&e))?);
        let load_ms = started.elapsed().as_secs_f64() * 1e3;
        self.traces.retain(|s| s.key.path != key.path);
        if self.traces.len() >= TRACES {
            self.traces.remove(0);
        }
        self.traces.push(Source { key, trace: Arc::clone(&trace), load_ms, hits: 0 });
        Ok(trace)
    }

    /// A report made earlier under `key`.
    pub fn report(&mut self, key: &str) -> Option<Arc<report::Report>> {
        let i = self.reports.iter().position(|(k, _)| k == key)?;
        let entry = self.reports.remove(i);
        let report = Arc::clone(&entry.1);
        self.reports.push(entry);
        Some(report)
    }

    /// Keeps a report under `key`.
    pub fn keep_report(&mut self, key: String, report: Arc<report::Report>) {
        if self.reports.len() >= REPORTS {
            self.reports.remove(0);
        }
        self.reports.push((key, report));
    }

    /// The loaded traces as the `sources` resource shows them, sorted by path.
    pub fn sources_json(&self) -> serde_json::Value {
        let mut list: Vec<&Source> = self.traces.iter().collect();
        list.sort_by(|a, b| a.key.path.cmp(&b.key.path));
        let rows: Vec<serde_json::Value> = list
            .iter()
            .map(|s| {
                serde_json::json!({
                    "path": s.key.path.display().to_string(),
                    "file_bytes": s.key.size,
                    "json_bytes": s.trace.json_bytes,
                    "load_ms": (s.load_ms * 10.0).round() / 10.0,
                    "hits": s.hits,
                })
            })
            .collect();
        serde_json::json!({ "traces": rows, "reports": self.reports.len() })
    }
}
