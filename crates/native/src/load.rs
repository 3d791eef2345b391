//! Trace files streamed once through the engine's [`report::trace::Loader`] in 1 MiB chunks, so
//! even a multi-GB trace never sits in memory as text; and several files on threads.
//!
//! A gzip file read with a core to spare is inflated on a second thread while this one
//! parses ([`pipelined`]), as the browser does with its inflater worker: the text goes to
//! [`report::trace::Loader::for_inflated_gzip`] and the trace is the same as from the
//! sequential load; a stream that is not clean (damaged, truncated) is read again
//! sequentially, so its diagnostics are the loader's own.

use std::io::Read;
use std::path::Path;

use crate::Error;

/// Bytes read from a file per [`report::trace::Loader::push`].
pub const CHUNK: usize = 1 << 20;

/// Loads one trace file.
///
/// # Errors
/// When the file cannot be read or is not a trace; the message names the file.
pub fn load(path: &Path) -> Result<report::trace::Trace, Error> {
    load_with(path, &mut |_| {})
}

/// Loads one trace file on `threads` threads (0: one per core). With two, a gzip file
/// inflates on a second thread while this one parses (see [`pipelined`]); with more (and
/// for plain JSON from two), `threads - 1` worker threads parse the events in pieces while
/// this one reads or takes the inflated text, cuts it and appends the pieces in order (see
/// [`parallel`]). The trace is the same as [`load`]'s, to the byte.
///
/// # Errors
/// When the file cannot be read or is not a trace; the message names the file.
pub fn load_on(path: &Path, threads: usize) -> Result<report::trace::Trace, Error> {
    load_on_with(path, threads, &mut |_| {})
}

/// [`load_on`], calling `progress` as the load goes (see [`load_with`]).
///
/// # Errors
/// When the file cannot be read or is not a trace; the message names the file.
pub fn load_on_with(
    path: &Path,
    threads: usize,
    progress: &mut dyn FnMut(&report::trace::Progress),
) -> Result<report::trace::Trace, Error> {
    let split = |workers| Some(parallel::Split { workers, piece: parallel::PIECE });
    let gzip = || head(path, 2).is_ok_and(|h| h == [0x1f, 0x8b]);
    match width(threads) {
        0 | 1 => load_with(path, progress),
        2 if gzip() => pipelined::load(path, progress),
        n => pipelined::load_split(path, split(n - 1), progress),
    }
}

/// The next bytes of `file` into `buf` (0 at its end), read again when interrupted.
fn read_some(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// `threads`, or the machine's available parallelism for 0.
fn width(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    } else {
        threads
    }
}

/// Loads one trace file, calling `progress` after every chunk with what the loader has
/// done so far (bytes read, text inflated, events parsed).
///
/// # Errors
/// When the file cannot be read or is not a trace; the message names the file.
pub fn load_with(
    path: &Path,
    progress: &mut dyn FnMut(&report::trace::Progress),
) -> Result<report::trace::Trace, Error> {
    let meta = std::fs::metadata(path).map_err(Error::io("read", path))?;
    if meta.is_dir() {
        return Err(Error::Directory(path.to_path_buf()));
    }
    let mut file = std::fs::File::open(path).map_err(Error::io("open", path))?;
    let not_a_trace = |cause| Error::NotATrace { path: path.to_path_buf(), cause };
    let mut loader = report::trace::Loader::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = read_some(&mut file, &mut buf).map_err(Error::io("read", path))?;
        if n == 0 {
            break;
        }
        loader.push(buf.get(..n).unwrap_or(&[])).map_err(not_a_trace)?;
        progress(&loader.progress());
    }
    loader.finish().map_err(not_a_trace)
}

/// Loads several trace files at once on `threads` worker threads (0: the machine's
/// available parallelism), each taking the next unread file, and returns them in the
/// order given.
///
/// # Errors
/// The first failing file's error, in the order given.
pub fn load_all(paths: &[&Path], threads: usize) -> Result<Vec<report::trace::Trace>, Error> {
    load_each(paths, threads, |_, trace| trace).into_iter().collect()
}

/// Loads several trace files at once like [`load_all`] and turns each into what `keep`
/// makes of it as soon as it is loaded, so only the kept values are held at once (a
/// capture trace's index, not the trace). One result per path, in the order given.
pub fn load_each<T: Send>(
    paths: &[&Path],
    threads: usize,
    keep: impl Fn(&Path, report::trace::Trace) -> T + Sync,
) -> Vec<Result<T, Error>> {
    load_each_with(paths, threads, keep, &|_, _| {})
}

/// [`load_each`], calling `progress` with a file's index among `paths` and its loader's
/// progress as each load goes (from the loading threads).
pub fn load_each_with<T: Send>(
    paths: &[&Path],
    threads: usize,
    keep: impl Fn(&Path, report::trace::Trace) -> T + Sync,
    progress: &(dyn Fn(usize, &report::trace::Progress) + Sync),
) -> Vec<Result<T, Error>> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let total = width(threads);
    let width = total.clamp(1, paths.len().max(1));
    // Each loader gets a second thread to inflate on when there are cores to spare.
    let per_file = total / width;
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Result<T, Error>>>> = Mutex::new((0..paths.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..width {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let result =
                        load_on_with(path, per_file, &mut |p| progress(i, p)).map(|trace| keep(path, trace));
                    if let Ok(mut s) = slots.lock()
                        && let Some(slot) = s.get_mut(i)
                    {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    let slots = slots.into_inner().unwrap_or_default();
    paths
        .iter()
        .zip(slots)
        .map(|(p, r)| r.unwrap_or_else(|| Err(Error::Unfinished(p.to_path_buf()))))
        .collect()
}

/// The first `limit` bytes of a file (fewer when it is shorter), for sniffing what it is.
///
/// # Errors
/// When the file cannot be opened or read.
pub fn head(path: &Path, limit: usize) -> Result<Vec<u8>, Error> {
    let file = std::fs::File::open(path).map_err(Error::io("open", path))?;
    let mut head = Vec::with_capacity(limit.min(CHUNK));
    file.take(limit as u64).read_to_end(&mut head).map_err(Error::io("read", path))?;
    Ok(head)
}

pub mod parallel;
pub mod pipelined;

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &[u8] = br#"{"traceEvents": [
      {"ph": "X", "cat": "kernel", "name": "gemm", "pid": 0, "tid": 7, "ts": 10.5, "dur": 2.0,
       "args": {"stream": 7, "correlation": 1}}
    ]}"#;

    fn gz(text: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn loads_plain_and_gzip_with_progress() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.trace.json");
        let zipped = dir.path().join("b.trace.json.gz");
        std::fs::write(&plain, TRACE).unwrap();
        std::fs::write(&zipped, gz(TRACE)).unwrap();
        let mut seen = Vec::new();
        let t = load_with(&zipped, &mut |p| seen.push(p.bytes_text)).unwrap();
        assert_eq!(t.gpu.len(), 1);
        assert_eq!(seen, [TRACE.len() as u64], "one chunk, one progress call");
        let all = load_all(&[plain.as_path(), zipped.as_path()], 2).unwrap();
        assert_eq!(all.iter().map(|t| t.gpu.len()).collect::<Vec<_>>(), [1, 1]);
        assert_eq!(head(&plain, 4).unwrap(), b"{\"tr");
    }

    #[test]
    fn errors_name_the_file_in_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("page.json");
        std::fs::write(&html, b"<!DOCTYPE html><html></html>").unwrap();
        let missing = dir.path().join("missing.json");
        let message = |p: &Path| load(p).unwrap_err().to_string();
        let gone = message(&missing);
        assert!(gone.starts_with(&format!("cannot read {}: ", missing.display())), "{gone}");
        let page = message(&html);
        assert!(page.starts_with(&format!("{}: ", html.display())) && page.contains("HTML page"), "{page}");
        let folder = message(dir.path());
        assert_eq!(folder, format!("{} is a directory, expected a trace file", dir.path().display()));
        assert!(![gone, page, folder].iter().any(|e| e.contains('\n')));
        let e = load_all(&[html.as_path(), missing.as_path()], 0).unwrap_err().to_string();
        assert!(e.contains("HTML page"), "the first failing file in the order given: {e}");
    }
}
