//! Tool errors an agent can act on: each names the problem and the fix, in one message.

use std::path::Path;

/// A file or folder that cannot be read.
pub fn io(path: &Path, e: &std::io::Error) -> String {
    let cwd = std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default();
    match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "no such file or folder: {}. Fix: give the path of a trace file (.json or .json.gz) or a \
             profile folder, absolute or relative to the server's working directory ({cwd})",
            path.display()
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "cannot read {}: permission denied. Fix: make the file readable by the user running the server",
            path.display()
        ),
        _ => format!("cannot read {}: {e}", path.display()),
    }
}

/// A load or discovery error of the native edge, with the fix.
pub fn load(e: &native::Error) -> String {
    match e {
        native::Error::Io { path, cause, .. } => io(path, cause),
        native::Error::NotATrace { .. } => format!(
            "not a trace: {e}. Fix: give a PyTorch-profiler (Kineto) trace, a JSON object with \
             `traceEvents` (.json or .json.gz) as torch.profiler's export_chrome_trace or the server's \
             profiler writes it"
        ),
        native::Error::Directory(_) => {
            format!("{e}. Fix: give a trace file here, or use `triage` (it takes folders)")
        }
        native::Error::NoTraces(_) => format!(
            "{e}. Fix: point at the folder the profiler wrote (SGLang's profile dir, vLLM's \
             torch_profiler_dir) or at a trace file"
        ),
        native::Error::Select { .. } => format!("{e}. Fix: give `rank` as one of the ranks listed"),
        _ => e.to_string(),
    }
}
