//! A static dashboard site written to a folder (shared by `tracetriage dashboard` and
//! `tracetriage-relay matrix`): the built browser app copied in, its `index.html` marked as
//! a dashboard ([`MARKER`]), each run's report JSON in `reports/<id>.json` and the manifest
//! `reports/index.json` (docs/manifest-json.md) that lists them.

use std::path::{Path, PathBuf};

use report::dashboard::{EntryOptions, EntrySource, ManifestEntry};

use crate::Error;
use crate::walk::Walk;

/// The tag that tells the app its page is a dashboard (no request is made to find out).
pub const MARKER: &str = r#"<meta name="tracetriage-dashboard" content="reports/index.json">"#;

/// A bundle's "Generated on" text: `SOURCE_DATE_EPOCH` (seconds) when set (reproducible
/// output), else now, in UTC.
#[must_use]
pub fn generated_now() -> Option<String> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s.trim().parse::<i64>().ok()?,
        Err(_) => {
            let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
            i64::try_from(d.as_secs()).ok()?
        }
    };
    let iso = report::dashboard::date::iso(secs.saturating_mul(1_000_000_000));
    Some(format!("{} UTC", iso.trim_end_matches('Z').replace('T', " ")))
}

/// One run of a site or a bundle: where it came from and its report.
#[derive(Clone, Copy, Debug)]
pub struct RunRef<'a> {
    /// What was given or found: a report file, a trace, or a capture folder.
    pub source: &'a str,
    /// The name of the folder it came from.
    pub folder: &'a str,
    /// The modification time of its (first) file, Unix ns.
    pub mtime_unix_ns: Option<i64>,
    /// Its report.
    pub report: &'a report::Report,
}

/// The manifest entries of `runs`, with unique ids (from their sources) and report paths
/// `<id>.json`.
#[must_use]
pub fn entries(runs: &[RunRef<'_>]) -> Vec<ManifestEntry> {
    let labels: Vec<String> = runs.iter().map(|r| report::dashboard::entry::label_of(r.source)).collect();
    let ids = report::dashboard::ids::unique(&labels);
    runs.iter()
        .zip(ids)
        .map(|(run, id)| {
            let src = EntrySource {
                report: format!("{id}.json"),
                id,
                source: run.source.to_owned(),
                folder: run.folder.to_owned(),
                file_mtime_unix_ns: run.mtime_unix_ns,
            };
            ManifestEntry::from_report(run.report, &src, EntryOptions::default())
        })
        .collect()
}

/// What [`write`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    /// App files copied.
    pub app_files: u64,
    /// Runs listed in the manifest.
    pub runs: usize,
}

/// Writes the site into `site` (created; its `reports/` is replaced): the app from `app`,
/// the marker, `reports/<entry.report>` for each entry with the report beside it, and the
/// manifest titled `title`.
///
/// # Errors
/// A file that cannot be copied, read or written.
pub fn write(
    site: &Path,
    app: &Path,
    title: &str,
    entries: Vec<ManifestEntry>,
    reports: &[&report::Report],
) -> Result<Written, Error> {
    let app_files = copy_dir(app, site)?;
    mark_page(&site.join("index.html"), &top_level_names(app)?)?;
    let dir = site.join("reports");
    if dir.is_dir() {
        std::fs::remove_dir_all(&dir).map_err(Error::io("replace", &dir))?;
    }
    std::fs::create_dir_all(&dir).map_err(Error::io("create", &dir))?;
    for (entry, report) in entries.iter().zip(reports) {
        let p = dir.join(&entry.report);
        std::fs::write(&p, report.to_json()).map_err(Error::io("write", &p))?;
    }
    let manifest = report::dashboard::new_manifest(title, entries);
    let index = dir.join("index.json");
    std::fs::write(&index, manifest.to_json()).map_err(Error::io("write", &index))?;
    Ok(Written { app_files, runs: manifest.entries.len() })
}

/// Copies `from` into `to` recursively (files overwritten, 16 folders deep at most).
///
/// # Errors
/// A folder that cannot be listed or created, a file that cannot be copied.
pub fn copy_dir(from: &Path, to: &Path) -> Result<u64, Error> {
    std::fs::create_dir_all(to).map_err(Error::io("create", to))?;
    let mut n = 0;
    for p in Walk::new(16).files(from)? {
        let Ok(rel) = p.strip_prefix(from) else { continue };
        let dest = to.join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
        }
        std::fs::copy(&p, &dest).map_err(Error::io("copy", &p))?;
        n += 1;
    }
    Ok(n)
}

/// Adds [`MARKER`] to the site's `index.html` (once, before `</head>`) and makes its asset
/// paths relative ([`relative_assets`]: `names` are the app folder's top-level entries).
///
/// # Errors
/// When the page cannot be read or written.
pub fn mark_page(index: &Path, names: &[String]) -> Result<(), Error> {
    let read = std::fs::read_to_string(index).map_err(Error::io("read", index))?;
    let html = relative_assets(&read, names);
    if html.contains(MARKER) {
        if html != read {
            std::fs::write(index, html).map_err(Error::io("write", index))?;
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
    std::fs::write(index, marked).map_err(Error::io("write", index))
}

/// The names of the files and folders directly inside the app folder.
fn top_level_names(app: &Path) -> Result<Vec<String>, Error> {
    let entries = std::fs::read_dir(app).map_err(Error::io("read", app))?;
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

/// Whether `a` is `b` or inside it (`a` need not exist yet: its nearest existing ancestor
/// is compared).
#[must_use]
pub fn same_or_inside(a: &Path, b: &Path) -> bool {
    let Ok(b) = b.canonicalize() else { return false };
    let mut cur = Some(a);
    while let Some(p) = cur {
        if let Ok(c) = p.canonicalize() {
            return c.starts_with(&b);
        }
        cur = p.parent().filter(|x| !x.as_os_str().is_empty());
    }
    false
}

/// A folder's `index.html` when it holds a built app (`trunk build --release`'s `dist/`).
#[must_use]
pub fn is_app(dir: &Path) -> bool {
    dir.join("index.html").is_file()
}

/// The site's manifest path.
#[must_use]
pub fn manifest_path(site: &Path) -> PathBuf {
    site.join("reports").join("index.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_goes_in_once_before_head_ends() {
        let tmp = tempfile::tempdir().unwrap();
        let index = tmp.path().join("index.html");
        std::fs::write(&index, "<html><head><title>t</title></head><body></body></html>").unwrap();
        mark_page(&index, &[]).unwrap();
        mark_page(&index, &[]).unwrap();
        let html = std::fs::read_to_string(&index).unwrap();
        assert_eq!(html.matches(MARKER).count(), 1);
        assert!(html.find(MARKER).unwrap() < html.find("</head>").unwrap());
    }
}
