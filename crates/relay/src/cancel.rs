//! Cancellation: Ctrl-C (SIGINT/SIGTERM) for the whole process, plus a per-capture flag
//! the browser API can set. Long blocking calls run on a helper thread so that a
//! cancellation is noticed within [`POLL`] even while a request is in flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How often a waiting capture looks at its cancellation flags.
pub const POLL: Duration = Duration::from_millis(50);

static INTERRUPTED: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();

/// Installs the SIGINT/SIGTERM handlers: the first signal sets the process-wide flag (the
/// capture then sends `/stop_profile` and stops), a second one exits at once (status 130).
///
/// # Errors
/// When the handlers cannot be registered.
pub fn install_signal_handlers() -> std::io::Result<()> {
    let flag = INTERRUPTED.get_or_init(|| Arc::new(AtomicBool::new(false)));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // Order matters: the conditional exit must see the flag before this signal sets it.
        signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(flag))?;
        signal_hook::flag::register(sig, Arc::clone(flag))?;
    }
    Ok(())
}

/// Whether Ctrl-C (or SIGTERM) was received.
#[must_use]
pub fn interrupted() -> bool {
    INTERRUPTED.get().is_some_and(|f| f.load(Ordering::SeqCst))
}

/// The cancellation flags one capture watches.
#[derive(Clone, Debug, Default)]
pub struct Cancel {
    local: Arc<AtomicBool>,
}

/// What stopped a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C / SIGTERM.
    Interrupted,
    /// The capture was cancelled through the API.
    Cancelled,
    /// A helper thread ended without an answer (it panicked).
    Lost,
}

impl Cancel {
    /// A fresh flag (not cancelled).
    #[must_use]
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Cancels this capture.
    pub fn cancel(&self) {
        self.local.store(true, Ordering::SeqCst);
    }

    /// Why the capture should stop, if it should.
    #[must_use]
    pub fn check(&self) -> Option<Stop> {
        if interrupted() {
            Some(Stop::Interrupted)
        } else if self.local.load(Ordering::SeqCst) {
            Some(Stop::Cancelled)
        } else {
            None
        }
    }

    /// Sleeps for `d` in small steps; returns early with the reason when cancelled.
    ///
    /// # Errors
    /// The cancellation reason.
    pub fn sleep(&self, d: Duration) -> Result<(), Stop> {
        let mut left = d;
        loop {
            if let Some(s) = self.check() {
                return Err(s);
            }
            if left.is_zero() {
                return Ok(());
            }
            let step = left.min(POLL);
            std::thread::sleep(step);
            left = left.saturating_sub(step);
        }
    }

    /// Runs `f` on a helper thread and waits for it, returning early when cancelled (the
    /// helper then finishes on its own; its result is dropped).
    ///
    /// # Errors
    /// The cancellation reason.
    pub fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, Stop> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // The receiver may be gone after a cancellation; nothing to do then.
            let _ = tx.send(f());
        });
        loop {
            if let Some(s) = self.check() {
                return Err(s);
            }
            match rx.recv_timeout(POLL) {
                Ok(v) => return Ok(v),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(Stop::Lost),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_returns_the_value_and_cancel_stops_waiting() {
        let c = Cancel::new();
        assert_eq!(c.run(|| 7), Ok(7));
        c.cancel();
        assert_eq!(c.check(), Some(Stop::Cancelled));
        assert_eq!(c.run(|| std::thread::sleep(Duration::from_secs(5))), Err(Stop::Cancelled));
        assert_eq!(c.sleep(Duration::from_secs(5)), Err(Stop::Cancelled));
    }
}
