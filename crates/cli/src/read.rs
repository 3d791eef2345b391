//! Reading trace files: streamed once through the engine's [`engine::Loader`] in 1 MiB
//! chunks, so even a multi-GB trace never sits in memory as text.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

/// Loads one trace file.
///
/// # Errors
/// When the file cannot be read or is not a trace; the message names the file.
pub fn load(path: &Path) -> anyhow::Result<engine::Trace> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.is_dir() {
        anyhow::bail!("{} is a directory, expected a trace file", path.display());
    }
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut loader = engine::Loader::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        loader.push(buf.get(..n).unwrap_or(&[])).with_context(|| path.display().to_string())?;
    }
    loader.finish().with_context(|| path.display().to_string())
}

/// Loads several trace files at once on `threads` worker threads (0: the machine's
/// available parallelism), each taking the next unread file, and returns them in the
/// order given.
///
/// # Errors
/// The first failing file's error, in the order given.
pub fn load_all(paths: &[&Path], threads: usize) -> anyhow::Result<Vec<engine::Trace>> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let width = if threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    } else {
        threads
    };
    let width = width.clamp(1, paths.len().max(1));
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<anyhow::Result<engine::Trace>>>> =
        Mutex::new((0..paths.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..width {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let result = load(path);
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
        .map(|(p, r)| r.unwrap_or_else(|| Err(anyhow::anyhow!("loading {} did not finish", p.display()))))
        .collect()
}
