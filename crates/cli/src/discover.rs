//! Finding trace files: explicit files, or profile directories walked the way capture
//! tools lay them out (per-rank files, `-EXTEND`/`-DECODE` stage files, `prefill/` and
//! `decode/` folders). Candidates are sniffed from their first bytes, never fully parsed.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

pub use engine::discover::Ranks;

/// The traces named by `paths`, in report order (stage, rank, name).
///
/// # Errors
/// A path that does not exist, a directory with no trace, or a rank that is absent.
pub fn discover(paths: &[PathBuf], ranks: Ranks) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, 0, &mut found)?;
            if found.is_empty() {
                bail!(
                    "no trace files in {} (looked for *.trace.json[.gz], *.pt.trace.json[.gz] and other *.json[.gz] holding traceEvents)",
                    path.display()
                );
            }
            files.extend(select(found, ranks)?);
        } else {
            files.push(path.clone());
        }
    }
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if depth < 4 {
                walk(&p, depth + 1, out)?;
            }
        } else if looks_like_trace(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// File-name rules, then a sniff of the first bytes for names that could be anything.
pub fn looks_like_trace(p: &Path) -> bool {
    engine::discover::candidate_name(&p.to_string_lossy()) && sniff(p)
}

/// Reads at most 64 KiB (inflating gzip) and looks for the start of a Chrome trace.
fn sniff(p: &Path) -> bool {
    let Ok(mut f) = std::fs::File::open(p) else { return false };
    let mut head = vec![0u8; 64 * 1024];
    let Ok(n) = f.read(&mut head) else { return false };
    head.truncate(n);
    // A partial gzip stream is fine for a sniff.
    let text =
        if head.starts_with(&[0x1f, 0x8b]) { engine::load::inflate_prefix(&head, 64 * 1024) } else { head };
    engine::discover::sniff_text(&text)
}

fn select(found: Vec<PathBuf>, ranks: Ranks) -> anyhow::Result<Vec<PathBuf>> {
    let names: Vec<String> = found.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let picked = engine::discover::select(&refs, ranks)?;
    Ok(picked.into_iter().filter_map(|i| found.get(i).cloned()).collect())
}

/// `server_args.json` beside the first trace, or in its parent directory.
#[must_use]
pub fn server_args(first: &Path) -> Option<engine::analysis::framework::ServerArgs> {
    let dir = first.parent()?;
    for d in [Some(dir), dir.parent()].into_iter().flatten() {
        let p = d.join("server_args.json");
        if let Ok(text) = std::fs::read_to_string(&p)
            && let Some(args) = engine::analysis::framework::ServerArgs::parse(&text)
        {
            return Some(args);
        }
    }
    None
}
