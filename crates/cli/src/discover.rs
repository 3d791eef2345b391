//! Finding trace files: explicit files, or profile directories walked the way capture
//! tools lay them out (per-rank files, `-EXTEND`/`-DECODE` stage files, `prefill/` and
//! `decode/` folders). Candidates are sniffed from their first bytes, never fully parsed.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Which ranks to keep when a directory holds several.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ranks {
    /// Rank 0 if present, else the lowest.
    Default,
    /// One rank.
    Only(i64),
    /// Every rank.
    All,
}

const IGNORED: &[&str] = &["server_args.json", "metadata.json", "config.json", "report.json", "counts.json"];

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
fn looks_like_trace(p: &Path) -> bool {
    let Some(name) = p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()) else { return false };
    if IGNORED.contains(&name.as_str()) || name.contains(".async_llm.") {
        return false;
    }
    if !(name.ends_with(".json") || name.ends_with(".json.gz")) {
        return false;
    }
    sniff(p)
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
    let t = String::from_utf8_lossy(&text);
    let trimmed = t.trim_start();
    (trimmed.starts_with('{')
        && (t.contains("\"traceEvents\"")
            || t.contains("\"schemaVersion\"")
            || t.contains("\"deviceProperties\"")))
        || (trimmed.starts_with('[') && t.contains("\"ph\""))
}

/// The rank in a file name: `TP-3`, `tp3`, `rank3`, `rank-3`, `rank_3`, `worker3`.
#[must_use]
pub fn rank_of(path: &Path) -> Option<i64> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    for key in ["tp-", "tp", "rank-", "rank_", "rank ", "rank", "worker"] {
        let mut from = 0;
        while let Some(i) = name.get(from..).and_then(|s| s.find(key)).map(|i| i + from) {
            let before_ok = i == 0 || name.as_bytes().get(i - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
            let digits: String =
                name.get(i + key.len()..).unwrap_or("").chars().take_while(char::is_ascii_digit).collect();
            let after = name.as_bytes().get(i + key.len() + digits.len());
            let after_ok = after.is_none_or(|b| !b.is_ascii_alphanumeric());
            if before_ok && after_ok && !digits.is_empty() {
                return digits.parse().ok();
            }
            from = i + 1;
        }
    }
    None
}

fn select(found: Vec<PathBuf>, ranks: Ranks) -> anyhow::Result<Vec<PathBuf>> {
    let per_rank: Vec<PathBuf> = found
        .iter()
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("merged-")))
        .cloned()
        .collect();
    let found = if per_rank.is_empty() { found } else { per_rank };
    let with_rank: Vec<(PathBuf, Option<i64>)> = found
        .into_iter()
        .map(|p| {
            let r = rank_of(&p);
            (p, r)
        })
        .collect();
    let known: Vec<i64> = {
        let mut v: Vec<i64> = with_rank.iter().filter_map(|(_, r)| *r).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let keep: Vec<(PathBuf, Option<i64>)> = match ranks {
        Ranks::All => with_rank,
        Ranks::Only(r) => {
            let kept: Vec<_> = with_rank.into_iter().filter(|(_, x)| *x == Some(r)).collect();
            if kept.is_empty() {
                bail!(
                    "no trace of rank {r} (ranks present: {})",
                    if known.is_empty() {
                        "none in the file names".to_owned()
                    } else {
                        known.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                    }
                );
            }
            kept
        }
        Ranks::Default => match known.first() {
            Some(&lowest) => with_rank.into_iter().filter(|(_, x)| *x == Some(lowest)).collect(),
            None => with_rank,
        },
    };
    let mut keep: Vec<(u8, i64, PathBuf)> = keep
        .into_iter()
        .map(|(p, r)| {
            let stage =
                engine::analysis::stages::stage_from_path(&p.to_string_lossy()).map_or(9, |s| s as u8);
            (stage, r.unwrap_or(-1), p)
        })
        .collect();
    keep.sort();
    Ok(keep.into_iter().map(|(_, _, p)| p).collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_from_names() {
        let r = |s: &str| rank_of(Path::new(s));
        assert_eq!(r("bs-128-il-2048-1779044554.08832-TP-0-DECODE.trace.json.gz"), Some(0));
        assert_eq!(r("prof-TP-3.trace.json.gz"), Some(3));
        assert_eq!(r("dp0_pp0_tp2_dcp0_ep0_rank2.1776.pt.trace.json.gz"), Some(2));
        assert_eq!(r("rank-5.1234.pt.trace.json.gz"), Some(5));
        assert_eq!(r("rank1_trace.json"), Some(1));
        assert_eq!(r("trace rank 6.json"), Some(6));
        assert_eq!(r("worker0.1623143089861.pt.trace.json.gz"), Some(0));
        assert_eq!(r("trace.json.gz"), None);
        assert_eq!(r("stop.json"), None);
    }
}
