//! `tracetriage dashboard PATH... -o SITE/`: a static team dashboard. SITE gets the built
//! browser app (copied from `--app DIR`, else the repository's `dist/`), the report JSON
//! of every run in `SITE/reports/<id>.json`, and the manifest `SITE/reports/index.json`
//! (docs/manifest-json.md) that lists them. Any static host serves it; no server code.

use std::path::{Path, PathBuf};

use anyhow::bail;

/// The default title of the page.
pub const DEFAULT_TITLE: &str = "tracetriage team dashboard";

/// Arguments of `dashboard`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The runs and how to triage traces among them.
    #[command(flatten)]
    pub runs: crate::collect::RunArgs,
    /// The site folder to write (created; its `reports/` is replaced).
    #[arg(short, long, required = true)]
    pub output: PathBuf,
    /// The built browser app to copy (a folder with `index.html`, as `trunk build --release`
    /// writes to `dist/`). Default: `dist/` in the current folder, else in the repository
    /// this binary was built from.
    #[arg(long, value_name = "DIR")]
    pub app: Option<PathBuf>,
    /// The page's title.
    #[arg(long, default_value = DEFAULT_TITLE)]
    pub title: String,
    /// Where the traces are served: each run triaged from one trace file gets a
    /// `trace_url` of this URL joined with the trace's path below the PATH given (its file
    /// name for a trace given by name), and the page links it as "open trace". An
    /// `http(s)` URL, or a URL relative to the dashboard page (`traces/`); the server must
    /// send `Access-Control-Allow-Origin` when it is another origin.
    #[arg(long, value_name = "URL")]
    pub trace_url_base: Option<String>,
}

/// The app folder: `--app`, else `./dist`, else the repository's `dist/`.
fn app_dir(arg: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = arg {
        if !dir.join("index.html").is_file() {
            bail!(
                "--app {}: no index.html there; give the folder `trunk build --release` writes (dist/)",
                dir.display()
            );
        }
        return Ok(dir.to_path_buf());
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    for dir in [PathBuf::from("dist"), repo] {
        if dir.join("index.html").is_file() {
            return Ok(dir);
        }
    }
    bail!(
        "no built browser app: dist/index.html is missing. Build it with `trunk build --release` in the repository, or pass --app DIR"
    )
}

/// Runs `dashboard`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let app = app_dir(args.app.as_deref())?;
    if args.output.exists() && !args.output.is_dir() {
        bail!("{} exists and is not a folder", args.output.display());
    }
    if same_or_inside(&args.output, &app) {
        bail!(
            "the site folder {} cannot be the app folder {} or inside it",
            args.output.display(),
            app.display()
        );
    }
    let found = args.runs.collect(Some(args.output.clone()))?;
    let mut entries = crate::collect::entries(&found.runs);
    if let Some(base) = &args.trace_url_base {
        for (entry, run) in entries.iter_mut().zip(&found.runs) {
            entry.trace_url = run.trace.as_deref().map(|t| trace_url(base, t));
        }
    }
    let reports: Vec<&report::Report> = found.runs.iter().map(|r| &r.report).collect();
    let written = native::site::write(&args.output, &app, &args.title, entries, &reports)?;
    eprintln!(
        "tracetriage: wrote a dashboard of {} run(s) to {} ({} app file(s) from {}{})",
        written.runs,
        args.output.display(),
        written.app_files,
        app.display(),
        if found.skipped.is_empty() {
            String::new()
        } else {
            format!("; {} file(s) skipped", found.skipped.len())
        }
    );
    Ok(())
}

/// `base` joined with the relative path `trace`, each component percent-encoded.
#[must_use]
pub fn trace_url(base: &str, trace: &Path) -> String {
    let parts: Vec<String> = trace
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(encode_component(&p.to_string_lossy())),
            _ => None,
        })
        .collect();
    let base = base.trim_end_matches('/');
    if base.is_empty() { parts.join("/") } else { format!("{base}/{}", parts.join("/")) }
}

/// Percent-encodes one path component: RFC 3986 unreserved characters are kept.
fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether `a` is `b` or inside it.
fn same_or_inside(a: &Path, b: &Path) -> bool {
    native::site::same_or_inside(a, b)
}
