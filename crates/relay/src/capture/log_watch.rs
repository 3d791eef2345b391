//! The diffusion backend gate while capturing: the server's log (`--server-log`) is read
//! as it grows, and the first line saying the diffusers backend ran
//! ([`report::gate::diffusion`], the triage's own rule) ends the capture with the gate's
//! refusal, instead of after the flush. Only complete lines are judged; a log that shrank
//! (rotated or rewritten) is read again from its start; a log that cannot be read is left
//! to the triage, which warns.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// At most one look at the log per this interval.
const EVERY: Duration = Duration::from_millis(100);

/// A server log followed as it grows.
#[derive(Debug)]
pub struct LogWatch {
    path: PathBuf,
    /// Bytes read so far.
    offset: u64,
    /// Complete lines judged so far.
    lines: usize,
    /// The last, incomplete line.
    partial: Vec<u8>,
    last: Option<Instant>,
}

impl LogWatch {
    /// Follows `path` from its start.
    #[must_use]
    pub fn new(path: &Path) -> LogWatch {
        LogWatch { path: path.to_path_buf(), offset: 0, lines: 0, partial: Vec::new(), last: None }
    }

    /// Reads what was added since the last look (at most every 100 ms) and returns the
    /// refusal if a new complete line says the diffusers backend ran.
    pub fn check(&mut self) -> Option<report::gate::Refusal> {
        if self.last.is_some_and(|t| t.elapsed() < EVERY) {
            return None;
        }
        self.last = Some(Instant::now());
        self.poll()
    }

    /// Reads what was added since the last look, now.
    pub fn poll(&mut self) -> Option<report::gate::Refusal> {
        let mut f = std::fs::File::open(&self.path).ok()?;
        let len = f.metadata().ok()?.len();
        if len < self.offset {
            *self = LogWatch::new(&self.path);
        }
        if len == self.offset {
            return None;
        }
        f.seek(SeekFrom::Start(self.offset)).ok()?;
        let mut added = Vec::new();
        f.take(len - self.offset).read_to_end(&mut added).ok()?;
        self.offset += added.len() as u64;
        self.partial.extend_from_slice(&added);
        let end = self.partial.iter().rposition(|&b| b == b'\n')? + 1;
        let complete: Vec<u8> = self.partial.drain(..end).collect();
        let text = String::from_utf8_lossy(&complete);
        let base = self.lines;
        self.lines += text.lines().count();
        report::gate::diffusion(&text).map(|hit| report::gate::Refusal::Log {
            file: self.path.display().to_string(),
            hit: report::gate::LogHit { line: base + hit.line, text: hit.text },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_fallback_line_appended_later_is_seen_with_its_line_number() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("server.log");
        std::fs::write(&path, "start\nloading model\n").unwrap();
        let mut w = LogWatch::new(&path);
        assert!(w.poll().is_none());
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        // Half a line is not judged yet.
        f.write_all(b"[x] Falling back to diff").unwrap();
        assert!(w.poll().is_none());
        f.write_all(b"users backend.\n").unwrap();
        let r = w.poll().expect("refusal");
        let text = r.to_string();
        assert!(text.starts_with(&format!("refused: {} line 3 logged", path.display())), "{text}");
        // A log rewritten shorter is read again from the start.
        std::fs::write(&path, "fresh\n").unwrap();
        assert!(w.poll().is_none());
    }

    #[test]
    fn a_missing_log_is_no_refusal() {
        let mut w = LogWatch::new(Path::new("/nonexistent/server.log"));
        assert!(w.check().is_none());
    }
}
