//! Waiting until the server has flushed its traces: new trace files are found in the
//! folder (or at the fixed path) the server writes to, read as they grow, and counted as
//! flushed only when their content is complete (a verified gzip end, or closed JSON:
//! [`complete`]) and they have not changed for a settle period. A timeout gives up with the
//! state of every file; nothing is ever deleted.

pub mod complete;

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use crate::cancel::{Cancel, Stop};
use complete::Completeness;

/// Where the server writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Any new trace file in this folder (searched three levels deep).
    Dir(PathBuf),
    /// This one file (TensorRT-LLM's `TLLM_TORCH_PROFILE_TRACE`), new or rewritten.
    File(PathBuf),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

struct Watched {
    read: u64,
    check: Completeness,
    changed: Instant,
}

/// The state of one trace file being flushed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileStatus {
    /// The file.
    pub path: PathBuf,
    /// Bytes on disk.
    pub bytes: u64,
    /// Bytes of JSON text (inflated, for gzip) read so far.
    pub text_bytes: u64,
    /// Its content is complete.
    pub complete: bool,
    /// Its content is damaged (it will never complete).
    pub damaged: bool,
    /// It has not changed for the settle period.
    pub settled: bool,
    /// Where it stands, in words.
    pub state: String,
}

impl FileStatus {
    fn done(&self) -> bool {
        (self.complete || self.damaged) && self.settled
    }
}

/// How to wait.
#[derive(Clone, Copy, Debug)]
pub struct WaitOptions {
    /// Give up after this long.
    pub timeout: Duration,
    /// A complete file must stay unchanged this long.
    pub settle: Duration,
    /// Look this often.
    pub poll: Duration,
    /// Files expected (e.g. one per tensor-parallel rank); fewer are accepted at the
    /// timeout when all that came are complete.
    pub expected: usize,
}

/// Why the wait ended without flushed traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlushError {
    /// The timeout passed; the files as they were then.
    Timeout {
        /// How long the wait lasted.
        waited: Duration,
        /// Every file seen.
        files: Vec<FileStatus>,
    },
    /// Ctrl-C or a cancellation.
    Stopped(Stop, Vec<FileStatus>),
}

/// Flushed traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flushed {
    /// The trace files, sorted by path.
    pub files: Vec<FileStatus>,
    /// Things worth saying (fewer files than expected, a damaged file).
    pub warnings: Vec<String>,
}

/// Watches one target for new trace files.
pub struct Watcher {
    target: Target,
    before: BTreeMap<PathBuf, Stamp>,
    files: BTreeMap<PathBuf, Watched>,
}

fn stamp(p: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(p).ok()?;
    m.is_file().then(|| Stamp { len: m.len(), modified: m.modified().ok() })
}

fn list(target: &Target) -> BTreeMap<PathBuf, Stamp> {
    let files = match target {
        Target::File(f) => vec![f.clone()],
        Target::Dir(d) => native::walk::Walk::new(3).no_links().lenient().files(d).unwrap_or_default(),
    };
    files
        .into_iter()
        .filter(|p| matches!(target, Target::File(_)) || native::discover::is_trace_file(p))
        .filter_map(|p| stamp(&p).map(|s| (p, s)))
        .collect()
}

impl Watcher {
    /// Starts watching: what exists now is the "before" picture; only files that appear or
    /// change afterwards count.
    #[must_use]
    pub fn new(target: Target) -> Watcher {
        let before = list(&target);
        Watcher { target, before, files: BTreeMap::new() }
    }

    /// What is watched.
    #[must_use]
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Reads what was added since the last look; returns whether a new file appeared.
    fn poll(&mut self, now: Instant) -> bool {
        let mut appeared = false;
        for (path, st) in list(&self.target) {
            if !self.files.contains_key(&path) {
                if self.before.get(&path) == Some(&st) {
                    continue;
                }
                appeared = true;
                self.files
                    .insert(path.clone(), Watched { read: 0, check: Completeness::Empty, changed: now });
            }
            let Some(w) = self.files.get_mut(&path) else { continue };
            if st.len < w.read {
                // Rewritten from the start.
                *w = Watched { read: 0, check: Completeness::Empty, changed: now };
            }
            if st.len > w.read {
                w.changed = now;
                let _ = read_more(&path, w, st.len);
            }
        }
        appeared
    }

    /// The state of every file seen so far.
    #[must_use]
    fn status(&self, now: Instant, settle: Duration) -> Vec<FileStatus> {
        self.files
            .iter()
            .map(|(path, w)| FileStatus {
                path: path.clone(),
                bytes: w.read,
                text_bytes: w.check.text_bytes(),
                complete: w.check.is_complete(),
                damaged: w.check.is_damaged(),
                settled: now.duration_since(w.changed) >= settle,
                state: w.check.state(),
            })
            .collect()
    }

    /// Waits until the traces are flushed; `on_status` sees the files after every look.
    ///
    /// # Errors
    /// A timeout or a cancellation, with the files as they were.
    pub fn wait(
        &mut self,
        opts: &WaitOptions,
        cancel: &Cancel,
        on_status: &mut dyn FnMut(&[FileStatus]),
    ) -> Result<Flushed, FlushError> {
        let start = Instant::now();
        let mut last_new = start;
        loop {
            let now = Instant::now();
            if self.poll(now) {
                last_new = now;
            }
            let files = self.status(now, opts.settle);
            on_status(&files);
            let all_done = !files.is_empty() && files.iter().all(FileStatus::done);
            let quiet = now.duration_since(last_new) >= opts.settle;
            let timed_out = now.duration_since(start) >= opts.timeout;
            if all_done && ((quiet && files.len() >= opts.expected) || timed_out) {
                let mut warnings = Vec::new();
                if files.len() < opts.expected {
                    warnings.push(format!(
                        "expected {} trace files (one per rank), {} arrived within {:.0} s",
                        opts.expected,
                        files.len(),
                        opts.timeout.as_secs_f64()
                    ));
                }
                for f in files.iter().filter(|f| f.damaged) {
                    warnings.push(format!("{}: {}; it is kept as written", f.path.display(), f.state));
                }
                return Ok(Flushed { files, warnings });
            }
            if timed_out {
                return Err(FlushError::Timeout { waited: now.duration_since(start), files });
            }
            if let Err(stop) = cancel.sleep(opts.poll) {
                return Err(FlushError::Stopped(stop, files));
            }
        }
    }
}

fn read_more(path: &Path, w: &mut Watched, len: u64) -> std::io::Result<()> {
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(w.read))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len - w.read;
    while left > 0 {
        let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        let n = f.read(buf.get_mut(..want).unwrap_or(&mut []))?;
        if n == 0 {
            break;
        }
        w.check.push(buf.get(..n).unwrap_or(&[]));
        w.read += n as u64;
        left -= n as u64;
    }
    Ok(())
}

/// One line per file for error messages: `name: 1.2 MB, gzip stream not finished`.
#[must_use]
pub fn describe(files: &[FileStatus]) -> String {
    if files.is_empty() {
        return "no trace file appeared".to_owned();
    }
    files
        .iter()
        .map(|f| format!("{}: {}, {}", f.path.display(), report::format::bytes(f.bytes), f.state))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn opts(timeout_ms: u64) -> WaitOptions {
        WaitOptions {
            timeout: Duration::from_millis(timeout_ms),
            settle: Duration::from_millis(40),
            poll: Duration::from_millis(10),
            expected: 1,
        }
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("relay-flush-{name}-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    }

    #[test]
    fn waits_for_a_file_written_in_pieces() {
        let dir = tmp("pieces");
        std::fs::write(dir.join("old.trace.json"), b"{}").unwrap();
        let mut w = Watcher::new(Target::Dir(dir.clone()));
        let data = gz(&vec![b'x'; 300_000]);
        let path = dir.join("new-TP-0.trace.json.gz");
        let writer = {
            let (data, path) = (data.clone(), path.clone());
            std::thread::spawn(move || {
                let mut f = std::fs::File::create(&path).unwrap();
                for piece in data.chunks(data.len() / 5 + 1) {
                    f.write_all(piece).unwrap();
                    f.flush().unwrap();
                    std::thread::sleep(Duration::from_millis(30));
                }
            })
        };
        let got = w.wait(&opts(5000), &Cancel::new(), &mut |_| {}).unwrap();
        writer.join().unwrap();
        assert_eq!(got.files.len(), 1, "{got:?}");
        assert_eq!(got.files[0].path, path);
        assert_eq!(got.files[0].bytes, data.len() as u64);
        assert_eq!(got.files[0].text_bytes, 300_000);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_truncated_file_times_out_and_stays() {
        let dir = tmp("cut");
        let mut w = Watcher::new(Target::Dir(dir.clone()));
        let data = gz(&vec![b'y'; 100_000]);
        let path = dir.join("cut.trace.json.gz");
        std::fs::write(&path, &data[..data.len() / 2]).unwrap();
        let err = w.wait(&opts(200), &Cancel::new(), &mut |_| {}).unwrap_err();
        let FlushError::Timeout { files, .. } = err else { panic!("{err:?}") };
        assert!(!files[0].complete);
        assert!(describe(&files).contains("not finished"), "{}", describe(&files));
        assert!(path.exists());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_fixed_path_counts_only_when_rewritten() {
        let dir = tmp("fixed");
        let path = dir.join("trace.json");
        std::fs::write(&path, b"{\"traceEvents\": []}").unwrap();
        let mut w = Watcher::new(Target::File(path.clone()));
        assert!(w.wait(&opts(100), &Cancel::new(), &mut |_| {}).is_err());
        std::fs::write(&path, b"{\"traceEvents\": [{}]}\n").unwrap();
        let got = w.wait(&opts(2000), &Cancel::new(), &mut |_| {}).unwrap();
        assert!(got.files[0].complete);
        let _ = std::fs::remove_dir_all(dir);
    }
}
