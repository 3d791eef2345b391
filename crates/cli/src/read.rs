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
