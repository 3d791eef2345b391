//! The edge's one error type.

use std::path::PathBuf;

/// What went wrong reading files for the engine. The message is one line and names the
/// file; it already includes its cause (there is no separate `source`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be opened, read or listed.
    #[error("cannot {action} {}: {cause}", path.display())]
    Io {
        /// `read`, `open` or `list`.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        cause: std::io::Error,
    },
    /// A folder was given where a trace file is expected.
    #[error("{} is a directory, expected a trace file", .0.display())]
    Directory(PathBuf),
    /// The file is not a trace (the engine's [`report::trace::LoadError`] says why).
    #[error("{}: {cause}", path.display())]
    NotATrace {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: report::trace::LoadError,
    },
    /// A folder holds no trace file.
    #[error(
        "no trace files in {} (looked for *.trace.json[.gz], *.pt.trace.json[.gz] and other *.json[.gz] holding traceEvents)",
        .0.display()
    )]
    NoTraces(PathBuf),
    /// The ranks asked for are not among a folder's traces.
    #[error("{}: {cause}", dir.display())]
    Select {
        /// The folder.
        dir: PathBuf,
        /// Which rank was missing and which are there.
        cause: report::engine::discover::SelectError,
    },
    /// A rank-reduction file (`.ttr`) this build cannot read: newer, damaged, or another
    /// kind of file.
    #[error("{}: {cause}", path.display())]
    Reduction {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: report::DocumentError,
    },
    /// A loader thread ended without a result.
    #[error("loading {} did not finish", .0.display())]
    Unfinished(PathBuf),
}

impl Error {
    /// An I/O error while doing `action` on `path`.
    pub(crate) fn io(action: &'static str, path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |cause| Error::Io { action, path, cause }
    }
}
