//! A progress bar on stderr for loads that take more than a second (`indicatif`): bytes
//! read of the files' total, events parsed, rate. Nothing is drawn when stderr is not a
//! terminal (indicatif's stderr target stays hidden then) or with `--quiet`.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a load runs before the bar appears.
const DELAY: Duration = Duration::from_secs(1);

/// Overrides [`DELAY`] in milliseconds (tests show the bar at once).
const DELAY_ENV: &str = "TRACETRIAGE_PROGRESS_AFTER_MS";

/// The progress of loading several files at once (called from the loading threads).
pub struct Loads {
    bar: Option<ProgressBar>,
    started: Instant,
    delay: Duration,
    shown: std::sync::atomic::AtomicBool,
    /// Per file: bytes read and events parsed so far.
    bytes: Vec<AtomicU64>,
    events: Vec<AtomicU64>,
}

impl Loads {
    /// A bar for loading `paths` (their sizes are the total); none when `quiet`.
    #[must_use]
    pub fn new(paths: &[&Path], quiet: bool) -> Loads {
        let total: u64 = paths.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
        let bar = (!quiet).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            let style = ProgressStyle::with_template(
                "{spinner} reading {bytes}/{total_bytes} [{wide_bar}] {msg} events, {bytes_per_sec}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        let zeros = || paths.iter().map(|_| AtomicU64::new(0)).collect();
        Loads {
            bar,
            started: Instant::now(),
            delay: std::env::var(DELAY_ENV)
                .ok()
                .and_then(|v| v.parse().ok())
                .map_or(DELAY, Duration::from_millis),
            shown: std::sync::atomic::AtomicBool::new(false),
            bytes: zeros(),
            events: zeros(),
        }
    }

    /// File `i` has read `p.bytes_in` bytes and parsed `p.events` events.
    pub fn update(&self, i: usize, p: &report::trace::Progress) {
        let Some(bar) = &self.bar else { return };
        if let (Some(b), Some(e)) = (self.bytes.get(i), self.events.get(i)) {
            b.store(p.bytes_in, Ordering::Relaxed);
            e.store(p.events, Ordering::Relaxed);
        }
        if self.started.elapsed() < self.delay {
            return;
        }
        if !self.shown.swap(true, Ordering::Relaxed) {
            // Hidden by indicatif itself when stderr is not a terminal.
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        let sum = |v: &[AtomicU64]| v.iter().map(|a| a.load(Ordering::Relaxed)).sum::<u64>();
        bar.set_position(sum(&self.bytes));
        bar.set_message(report::format::count(sum(&self.events)));
    }

    /// Clears the bar (the loads are done).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
