//! The dashboard's data: the manifest a `tracetriage dashboard` page names (or generated
//! runs, for the load benchmark) and each run's report, fetched and read with
//! `report::dashboard` (files newer than this build or broken are skipped with a warning).

use std::sync::Arc;

use report::dashboard::ManifestEntry;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::io;

/// The manifest's URL when the page does not name one.
pub const DEFAULT_MANIFEST: &str = "reports/index.json";

/// The manifest named by the page's `tracetriage-dashboard` meta tag, if any.
pub(crate) fn meta_manifest() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let el = doc.query_selector("meta[name=tracetriage-dashboard]").ok()??;
    let url = el.get_attribute("content").filter(|c| !c.trim().is_empty());
    Some(url.unwrap_or_else(|| DEFAULT_MANIFEST.to_owned()))
}

/// The number of generated runs asked for by `#dashboard-synthetic=N`.
fn synthetic_count() -> Option<usize> {
    let f = io::fragment()?;
    f.strip_prefix("#dashboard-synthetic=")?.parse::<usize>().ok().map(|n| n.min(100_000))
}

/// Fetches a URL's body.
///
/// # Errors
/// A sentence naming the URL.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(|_| format!("could not fetch {url}"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| format!("could not fetch {url}"))?;
    if !response.ok() {
        return Err(format!("could not fetch {url} (HTTP {})", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| format!("could not read {url}"))?)
        .await
        .map_err(|_| format!("could not read {url}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The runs of the page.
#[derive(Clone, Debug)]
pub struct Runs {
    /// The page's title.
    pub title: String,
    /// Every run.
    pub entries: Arc<Vec<ManifestEntry>>,
    /// Where report paths are relative to (the manifest's folder, with `/`).
    pub base: String,
    /// Whether the runs are generated (no report files).
    pub synthetic: bool,
}

/// The manifest read, with what was skipped and how long reading took.
pub struct Manifest {
    /// The runs.
    pub runs: Runs,
    /// A sentence per skipped entry.
    pub warnings: Vec<String>,
    /// Time spent reading the manifest, ms.
    pub parse_ms: f64,
}

/// Fetches and reads the manifest (or generates `#dashboard-synthetic=N` runs).
///
/// # Errors
/// A sentence for the page when the manifest cannot be fetched or read.
pub async fn load() -> Result<Manifest, String> {
    if let Some(n) = synthetic_count() {
        return synthetic(n);
    }
    let url = meta_manifest().unwrap_or_else(|| DEFAULT_MANIFEST.to_owned());
    let bytes = fetch_bytes(&url)
        .await
        .map_err(|e| format!("{e}: this page shows a dashboard written by `tracetriage dashboard`."))?;
    let t0 = io::now_ms();
    let read = report::dashboard::read_manifest(&bytes).map_err(|e| format!("{url}: {e}"))?;
    let parse_ms = io::now_ms() - t0;
    let warnings = read
        .skipped
        .iter()
        .map(|s| {
            let who = s.id.clone().unwrap_or_else(|| format!("entry {}", s.index + 1));
            format!("Skipped {who} of {url}: {}", s.reason)
        })
        .collect();
    let base = url.rsplit_once('/').map_or(String::new(), |(dir, _)| format!("{dir}/"));
    let runs = Runs {
        title: read.manifest.body.title,
        entries: Arc::new(read.manifest.body.entries),
        base,
        synthetic: false,
    };
    Ok(Manifest { runs, warnings, parse_ms })
}

/// `n` generated runs, read back through a manifest as a real page's are.
fn synthetic(n: usize) -> Result<Manifest, String> {
    let entries: Vec<ManifestEntry> = (0..n)
        .filter_map(|i| {
            let report = report::dashboard::synthetic::report(i, 1)?;
            let id = format!("run-{i:05}");
            let src = report::dashboard::EntrySource {
                report: format!("{id}.json"),
                id,
                source: report::dashboard::synthetic::source(i),
                folder: "synthetic".to_owned(),
                file_mtime_unix_ns: None,
            };
            Some(ManifestEntry::from_report(&report, &src, report::dashboard::EntryOptions::default()))
        })
        .collect();
    // The benchmark times what a real page does with a manifest: parse, then render.
    let json = report::dashboard::new_manifest("Generated runs", entries).to_json();
    let t0 = io::now_ms();
    let read = report::dashboard::read_manifest(json.as_bytes()).map_err(|e| e.to_string())?;
    let parse_ms = io::now_ms() - t0;
    let runs = Runs {
        title: read.manifest.body.title,
        entries: Arc::new(read.manifest.body.entries),
        base: String::new(),
        synthetic: true,
    };
    Ok(Manifest { runs, warnings: Vec::new(), parse_ms })
}

/// Fetches and reads one run's report; a warning names the run when it cannot be read.
pub(crate) async fn fetch_report(runs: &Runs, e: &ManifestEntry) -> Result<report::Report, String> {
    if runs.synthetic {
        let i =
            e.id.trim_start_matches("run-")
                .parse::<usize>()
                .map_err(|_| format!("{}: not a generated run", e.id))?;
        return report::dashboard::synthetic::report(i, 1)
            .ok_or_else(|| format!("{}: not a generated run", e.id));
    }
    let url = format!("{}{}", runs.base, e.report);
    let bytes = fetch_bytes(&url).await?;
    report::dashboard::read_report(&bytes).map_err(|why| format!("Skipped {} ({url}): {why}", e.id))
}
