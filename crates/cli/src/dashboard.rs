//! `tracetriage dashboard PATH... -o SITE/`: a static team dashboard. SITE gets the built
//! browser app (copied from `--app DIR`, else the repository's `dist/`), the report JSON
//! of every run in `SITE/reports/<id>.json`, and the manifest `SITE/reports/index.json`
//! (docs/manifest-json.md) that lists them. Any static host serves it; no server code.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

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

/// Copies `from` into `to` recursively (files overwritten, 16 folders deep at most).
fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<u64> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    let mut n = 0;
    for p in native::walk::Walk::new(16).files(from)? {
        let Ok(rel) = p.strip_prefix(from) else { continue };
        let dest = to.join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::copy(&p, &dest)
            .with_context(|| format!("cannot copy {} to {}", p.display(), dest.display()))?;
        n += 1;
    }
    Ok(n)
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
    let files = copy_dir(&app, &args.output)?;
    mark_page(&args.output.join("index.html"), &top_level_names(&app)?)?;
    let reports = args.output.join("reports");
    if reports.is_dir() {
        std::fs::remove_dir_all(&reports).with_context(|| format!("cannot replace {}", reports.display()))?;
    }
    std::fs::create_dir_all(&reports).with_context(|| format!("cannot create {}", reports.display()))?;
    for (entry, run) in entries.iter().zip(&found.runs) {
        let p = reports.join(&entry.report);
        std::fs::write(&p, run.report.to_json()).with_context(|| format!("cannot write {}", p.display()))?;
    }
    let manifest = report::dashboard::new_manifest(&args.title, entries);
    let index = reports.join("index.json");
    std::fs::write(&index, manifest.to_json())
        .with_context(|| format!("cannot write {}", index.display()))?;
    eprintln!(
        "tracetriage: wrote a dashboard of {} run(s) to {} ({files} app file(s) from {}{})",
        manifest.entries.len(),
        args.output.display(),
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

/// The tag that tells the app its page is a dashboard (no request is made to find out).
pub const MARKER: &str = r#"<meta name="tracetriage-dashboard" content="reports/index.json">"#;

/// The names of the files and folders directly inside the app folder.
fn top_level_names(app: &Path) -> anyhow::Result<Vec<String>> {
    let entries = std::fs::read_dir(app).with_context(|| format!("cannot read {}", app.display()))?;
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect();
    names.sort();
    Ok(names)
}

/// The page with its assets addressed relative to it: `"/x.js"` and `'/x.wasm'` become
/// `"./x.js"` and `'./x.wasm'` for every file or folder `names` of the app (trunk writes
/// absolute paths unless told otherwise), so the site works at any path of any host.
#[must_use]
pub fn relative_assets(html: &str, names: &[String]) -> String {
    let mut out = html.to_owned();
    for name in names.iter().filter(|n| !n.is_empty()) {
        for quote in ['"', '\'', '('] {
            out = out.replace(&format!("{quote}/{name}"), &format!("{quote}./{name}"));
        }
    }
    out
}

/// Adds [`MARKER`] to the site's `index.html` (once, before `</head>`) and makes its asset
/// paths relative ([`relative_assets`]).
fn mark_page(index: &Path, names: &[String]) -> anyhow::Result<()> {
    let read = std::fs::read_to_string(index).with_context(|| format!("cannot read {}", index.display()))?;
    let html = relative_assets(&read, names);
    if html.contains(MARKER) {
        if html != read {
            std::fs::write(index, html).with_context(|| format!("cannot write {}", index.display()))?;
        }
        return Ok(());
    }
    let marked = match html.find("</head>") {
        Some(i) => {
            let (head, tail) = html.split_at(i);
            format!("{head}{MARKER}\n{tail}")
        }
        None => format!("{MARKER}\n{html}"),
    };
    std::fs::write(index, marked).with_context(|| format!("cannot write {}", index.display()))
}

/// Whether `a` is `b` or inside it.
fn same_or_inside(a: &Path, b: &Path) -> bool {
    let Ok(b) = b.canonicalize() else { return false };
    // `a` may not exist yet: compare its nearest existing ancestor.
    let mut cur = Some(a);
    while let Some(p) = cur {
        if let Ok(c) = p.canonicalize() {
            return c.starts_with(&b);
        }
        cur = p.parent().filter(|x| !x.as_os_str().is_empty());
    }
    false
}
