//! Captures started through the API: each runs on its own thread and appends its
//! progress events to a list that pollers and event streams read.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

pub use report::live::JobState;
pub use report::live::Stamped;

use crate::cancel::{Cancel, Stop};
use crate::options::CaptureOptions;
use crate::progress::Event;

/// The mutable part of a job.
#[derive(Debug)]
pub struct Inner {
    /// Events so far.
    pub events: Vec<Stamped>,
    /// State.
    pub state: JobState,
    /// The capture folder, once made.
    pub dir: Option<PathBuf>,
}

/// One capture.
#[derive(Debug)]
pub struct Job {
    /// Its id (random).
    pub id: String,
    /// What was asked.
    pub options: CaptureOptions,
    /// Its cancellation flag.
    pub cancel: Cancel,
    started: Instant,
    inner: Mutex<Inner>,
    changed: Condvar,
}

impl Job {
    /// A new running job.
    #[must_use]
    pub fn new(id: String, options: CaptureOptions) -> Job {
        Job {
            id,
            options,
            cancel: Cancel::new(),
            started: Instant::now(),
            inner: Mutex::new(Inner { events: Vec::new(), state: JobState::Running, dir: None }),
            changed: Condvar::new(),
        }
    }

    /// Appends an event (and notes the folder from `Discovered`).
    pub fn push(&self, event: Event) {
        let Ok(mut g) = self.inner.lock() else { return };
        if let Event::Discovered { dir, .. } = &event {
            g.dir = Some(PathBuf::from(dir));
        }
        let seq = g.events.len();
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        g.events.push(Stamped { seq, ms, event });
        self.changed.notify_all();
    }

    /// Ends the job.
    pub fn finish(&self, result: Result<PathBuf, (String, Option<PathBuf>, Option<Stop>)>) {
        let (state, event) = match result {
            Ok(dir) => {
                if let Ok(mut g) = self.inner.lock() {
                    g.dir = Some(dir);
                }
                (JobState::Done, None)
            }
            Err((message, dir, stop)) => {
                let state = if stop.is_some() { JobState::Cancelled } else { JobState::Failed };
                let ev = Event::Failed { message, dir: dir.map(|d| d.display().to_string()) };
                (state, Some(ev))
            }
        };
        if let Some(ev) = event {
            self.push(ev);
        }
        if let Ok(mut g) = self.inner.lock() {
            g.state = state;
        }
        self.changed.notify_all();
    }

    /// A copy of the state, folder and events from `since`.
    #[must_use]
    pub fn snapshot(&self, since: usize) -> (JobState, Option<PathBuf>, Vec<Stamped>, usize) {
        match self.inner.lock() {
            Ok(g) => (
                g.state,
                g.dir.clone(),
                g.events.get(since..).map(<[_]>::to_vec).unwrap_or_default(),
                g.events.len(),
            ),
            Err(_) => (JobState::Failed, None, Vec::new(), since),
        }
    }

    /// Waits until there are events beyond `since` or the job ended, at most `wait`.
    pub fn wait(&self, since: usize, wait: Duration) {
        let Ok(g) = self.inner.lock() else { return };
        let _ = self
            .changed
            .wait_timeout_while(g, wait, |g| g.events.len() <= since && g.state == JobState::Running);
    }

    /// The state.
    #[must_use]
    pub fn state(&self) -> JobState {
        self.inner.lock().map_or(JobState::Failed, |g| g.state)
    }

    /// The job as `GET /api/v1/captures` lists it.
    #[must_use]
    pub fn summary(&self) -> report::live::JobSummary {
        let (state, dir, _, events) = self.snapshot(usize::MAX);
        report::live::JobSummary {
            id: self.id.clone(),
            state,
            url: self.options.url.clone(),
            dir: dir.map(|d| d.display().to_string()),
            events,
        }
    }
}

/// A random id or token of `bytes` random bytes, as hex.
#[must_use]
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness: fall back to time and address entropy (still unguessable
        // enough for a loopback id, and the token path refuses to start without it).
        let t =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        for (i, x) in b.iter_mut().enumerate() {
            *x = (t >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A token from the OS random source.
///
/// # Errors
/// When the OS has no random source.
pub fn token() -> Result<String, String> {
    let mut b = [0u8; 24];
    getrandom::fill(&mut b).map_err(|e| format!("no random source for the access token: {e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}
