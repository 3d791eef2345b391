//! The capture folder: its name, moving a server's files in (never deleting any), and
//! resolving a requested path safely inside it. Which of its files are traces, and their
//! ranks, are the engine's rules ([`native::discover`]).
//!
//! ```text
//! OUT/sglang-20260102-030405/     one capture (never reused)
//!   server_args.json               /server_info, or what /v1/models said
//!   prefill/<traces>               stage folders (SGLang and TokenSpeed write here;
//!   decode/<traces>                  vLLM and TensorRT-LLM files are moved here)
//!   capture_traces/<traces>        graph-capture traces from --capture-traces, or found
//!                                    beside the server's trace path (copied: the
//!                                    server's stay)
//!
//! OUT/sglang-pair-20260102-030405/ a two-server capture (--mapping-url, --formal-url)
//!   mapping/                       the graphs-off server: server_args.json, stage
//!                                    folders
//!   formal/                        the graphs-on server: the same, and its
//!                                    capture_traces/
//!   capture.json, report.json      one record and the mapping + formal report
//!   capture.json                   plan, estimates, requests sent, outcome
//!   report.json                    the engine's report of the traces
//! ```

use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// `path` relative to `dir`, `/`-separated (as the API and the report name files).
#[must_use]
pub fn relative(dir: &Path, path: &Path) -> String {
    match path.strip_prefix(dir) {
        Ok(rel) => rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
        Err(_) => path.display().to_string(),
    }
}

/// `YYYYMMDD-HHMMSS` in UTC.
#[must_use]
pub fn utc_stamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (year, month, day) = report::dashboard::date::civil_from_days(days);
    format!("{year:04}{month:02}{day:02}-{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Creates a new, empty capture folder `root/<framework>-<stamp>[-N]` (never an existing
/// one, so no capture overwrites another).
///
/// # Errors
/// When the folder cannot be created.
pub fn new_capture_dir(root: &Path, framework: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(root)?;
    let base = format!("{framework}-{}", utc_stamp(SystemTime::now()));
    for n in 1..1000 {
        let name = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        let p = root.join(name);
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!("too many captures named {base} in {}", root.display())))
}

/// Copies the graph-capture traces a server wrote beside `server_path` (its trace folder,
/// or the folder of its trace file, or the one above: `capture_traces/`,
/// `graph_capture_profile/`) into the same folders of the capture `dir`, so the capture
/// holds everything its report was made from. The server's files stay; a file already
/// in the capture is kept. Returns the copies made.
///
/// # Errors
/// When a capture folder cannot be created or a file cannot be copied.
pub fn copy_capture_traces(server_path: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let base = if server_path.is_dir() { Some(server_path) } else { server_path.parent() };
    let mut copied = Vec::new();
    for from in base.into_iter().flat_map(|b| [Some(b), b.parent()]).flatten() {
        for folder in report::engine::discover::CAPTURE_FOLDERS {
            let src = from.join(folder);
            let Ok(entries) = std::fs::read_dir(&src) else { continue };
            let mut files: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && report::engine::discover::trace_file_name(&p.to_string_lossy()))
                .collect();
            files.sort();
            if files.is_empty() {
                continue;
            }
            let to = dir.join(folder);
            std::fs::create_dir_all(&to)?;
            for f in files {
                let Some(name) = f.file_name() else { continue };
                let dst = to.join(name);
                if !dst.exists() {
                    std::fs::copy(&f, &dst)?;
                    copied.push(dst);
                }
            }
        }
    }
    Ok(copied)
}

/// Copies the graph-capture traces of a folder the user named (`--capture-traces DIR`)
/// into the capture `dir`: `DIR` itself when it holds trace files (kept under its own name
/// when that is `capture_traces` or `graph_capture_profile`, else under `capture_traces/`),
/// else the capture folders in or beside it ([`copy_capture_traces`]). Copies, never
/// moves; a file already in the capture is kept. Returns the copies made.
///
/// # Errors
/// When `given` cannot be read, a folder cannot be created or a file cannot be copied.
pub fn copy_capture_traces_from(given: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(given)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && report::engine::discover::trace_file_name(&p.to_string_lossy()))
        .collect();
    if files.is_empty() {
        return copy_capture_traces(given, dir);
    }
    files.sort();
    let name = given.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let folder = report::engine::discover::CAPTURE_FOLDERS
        .iter()
        .find(|f| f.eq_ignore_ascii_case(&name))
        .copied()
        .unwrap_or("capture_traces");
    let to = dir.join(folder);
    std::fs::create_dir_all(&to)?;
    let mut copied = Vec::new();
    for f in files {
        let Some(file) = f.file_name() else { continue };
        let dst = to.join(file);
        if !dst.exists() {
            std::fs::copy(&f, &dst)?;
            copied.push(dst);
        }
    }
    Ok(copied)
}

/// Whether the capture `dir` holds graph-capture traces.
#[must_use]
pub fn has_capture_traces(dir: &Path) -> bool {
    report::engine::discover::CAPTURE_FOLDERS.iter().any(|f| {
        std::fs::read_dir(dir.join(f)).is_ok_and(|mut entries| {
            entries.any(|e| {
                e.is_ok_and(|e| report::engine::discover::trace_file_name(&e.path().to_string_lossy()))
            })
        })
    })
}

/// Moves `src` into `dir` (renaming; copying when the rename crosses file systems, in
/// which case the source is left in place). A name already taken gets a numbered prefix.
///
/// # Errors
/// When neither works.
pub fn move_into(src: &Path, dir: &Path) -> std::io::Result<PathBuf> {
    let name =
        src.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "trace.json".into());
    let mut dst = dir.join(&name);
    let mut n = 2;
    while dst.exists() {
        dst = dir.join(format!("{n}-{name}"));
        n += 1;
    }
    match std::fs::rename(src, &dst) {
        Ok(()) => Ok(dst),
        Err(_) => {
            std::fs::copy(src, &dst)?;
            Ok(dst)
        }
    }
}

/// Resolves a `/`-separated relative path inside `root`, refusing anything that could
/// leave it: absolute paths, `..`, empty or `.` components, backslashes, drive prefixes,
/// and symbolic links that point outside. Returns the canonical path of an existing file.
#[must_use]
pub fn safe_join(root: &Path, rel: &str) -> Option<PathBuf> {
    if rel.is_empty() || rel.contains('\\') || rel.contains('\0') || rel.contains(':') {
        return None;
    }
    let mut p = root.to_path_buf();
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return None;
        }
        let mut comps = Path::new(part).components();
        match (comps.next(), comps.next()) {
            (Some(Component::Normal(c)), None) => p.push(c),
            _ => return None,
        }
    }
    let root = root.canonicalize().ok()?;
    let real = p.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stamps_are_utc_dates() {
        assert_eq!(utc_stamp(UNIX_EPOCH), "19700101-000000");
        assert_eq!(utc_stamp(UNIX_EPOCH + Duration::from_secs(951_782_400 + 3661)), "20000229-010101");
        assert_eq!(utc_stamp(UNIX_EPOCH + Duration::from_secs(1_767_225_599)), "20251231-235959");
    }

    #[test]
    fn relative_paths_use_slashes() {
        let dir = Path::new("/out/cap");
        assert_eq!(relative(dir, Path::new("/out/cap/decode/x.json.gz")), "decode/x.json.gz");
        assert_eq!(relative(dir, Path::new("/elsewhere/y.json")), "/elsewhere/y.json");
    }

    #[test]
    fn safe_join_refuses_escapes() {
        let root = std::env::temp_dir().join(format!("relay-safe-{}", std::process::id()));
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.json"), b"{}").unwrap();
        assert!(safe_join(&root, "sub/a.json").is_some());
        for bad in [
            "../x",
            "sub/../../etc/passwd",
            "/etc/passwd",
            "sub//a.json",
            "./sub/a.json",
            "sub\\a.json",
            "c:x",
            "",
        ] {
            assert!(safe_join(&root, bad).is_none(), "{bad}");
        }
        assert!(safe_join(&root, "sub").is_none(), "a folder is not served");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", root.join("link.json")).unwrap();
            assert!(safe_join(&root, "link.json").is_none(), "a link out of the root");
        }
        let _ = std::fs::remove_dir_all(root);
    }
}
