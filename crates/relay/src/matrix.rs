//! `tracetriage-relay matrix SPEC.toml --out DIR`: one model across several frameworks.
//! For each server of the spec: a formal capture (graphs on) and, with `mapping = true`, a
//! mapping capture (graphs off), each started, captured and stopped by [`crate::launch`];
//! then the framework's run is triaged from those traces (mapping-formal when both exist:
//! [`report::engine::triage::triage_mapping_formal`]; the formal traces alone otherwise).
//! A framework that fails is reported with why; the others still run.
//!
//! The folder (new or empty: nothing is overwritten), as `tracetriage bundle DIR/runs` and `tracetriage dashboard DIR/runs` read it:
//!
//! ```text
//! DIR/captures/     capture folders (each with its server.log), server-traces/
//! DIR/runs/<framework>.json   each framework's report
//! DIR/bundle.md     the markdown bundle (plus the failures)
//! DIR/site/         the dashboard site (when a built app is given or found)
//! DIR/matrix.json   what ran: per framework its captures, status and why
//! ```
//!
//! The spec: the model, `tp`, `mapping`, `title`, a `[capture]` table (the capture options
//! of `capture`, as JSON keys) and one `[[server]]` per framework (a launch spec without
//! `model` and `tp`, which it inherits).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cancel::Cancel;
use crate::launch::{self, LaunchRun, Spec};
use crate::options::CaptureOptions;
use crate::progress::Sink;

/// The default title of the bundle and the dashboard.
pub const DEFAULT_TITLE: &str = "tracetriage framework matrix";

/// A matrix spec.
#[derive(Clone, Debug)]
pub struct MatrixSpec {
    /// Title of the bundle and the site.
    pub title: String,
    /// Also capture a graphs-off mapping run per framework.
    pub mapping: bool,
    /// The capture options of every run.
    pub capture: CaptureOptions,
    /// The servers, in order.
    pub servers: Vec<Spec>,
}

impl MatrixSpec {
    /// Parses a matrix spec.
    ///
    /// # Errors
    /// TOML errors and bad values, named.
    pub fn parse(text: &str) -> Result<MatrixSpec, String> {
        let mut doc: toml::Table = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
        let model = doc.remove("model").ok_or("model is missing")?;
        let tp = doc.remove("tp");
        let title = match doc.remove("title") {
            Some(toml::Value::String(s)) => s,
            Some(_) => return Err("title must be a string".into()),
            None => DEFAULT_TITLE.to_owned(),
        };
        let mapping = match doc.remove("mapping") {
            Some(toml::Value::Boolean(b)) => b,
            Some(_) => return Err("mapping must be true or false".into()),
            None => false,
        };
        let capture: CaptureOptions = match doc.remove("capture") {
            Some(v) => v
                .try_into()
                .map_err(|e: toml::de::Error| format!("[capture]: {}", e.to_string().trim_end()))?,
            None => CaptureOptions::default(),
        };
        let servers = match doc.remove("server") {
            Some(toml::Value::Array(items)) => items,
            _ => return Err("no [[server]] tables: name at least one framework".into()),
        };
        if let Some(k) = doc.keys().next() {
            return Err(format!("unknown key {k:?} (model, tp, title, mapping, [capture], [[server]])"));
        }
        let mut specs = Vec::new();
        for (i, item) in servers.into_iter().enumerate() {
            let toml::Value::Table(mut t) = item else {
                return Err(format!("server {}: not a table", i + 1));
            };
            t.entry("model").or_insert_with(|| model.clone());
            if let Some(tp) = &tp {
                t.entry("tp").or_insert_with(|| tp.clone());
            }
            let spec: Spec = toml::Value::Table(t)
                .try_into()
                .map_err(|e: toml::de::Error| format!("server {}: {}", i + 1, e.to_string().trim_end()))?;
            spec.check().map_err(|e| format!("server {}: {e}", i + 1))?;
            specs.push(spec);
        }
        Ok(MatrixSpec { title, mapping, capture, servers: specs })
    }

    /// Reads and parses a matrix spec file.
    ///
    /// # Errors
    /// As [`MatrixSpec::parse`], with the file named.
    pub fn read(path: &Path) -> Result<MatrixSpec, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        MatrixSpec::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// What happened to one framework.
#[derive(Clone, Debug, Serialize)]
pub struct FrameworkResult {
    /// `sglang`, `vllm`, `trtllm`.
    pub framework: String,
    /// `mapping-formal`, `formal`, or `failed`.
    pub status: String,
    /// Why it failed, or what was left out (a failed mapping capture).
    pub notes: Vec<String>,
    /// Capture folders (formal first).
    pub captures: Vec<PathBuf>,
    /// Server logs.
    pub logs: Vec<PathBuf>,
    /// The report, `runs/<framework>.json`.
    pub report: Option<PathBuf>,
}

/// A finished matrix.
#[derive(Debug)]
pub struct MatrixOutcome {
    /// Per framework, in spec order.
    pub frameworks: Vec<FrameworkResult>,
    /// `bundle.md`.
    pub bundle: PathBuf,
    /// The site, when one was written.
    pub site: Option<PathBuf>,
}

/// Where to write and how to report progress.
pub struct Context<'a> {
    /// The matrix folder.
    pub out: &'a Path,
    /// The built browser app for the site (`None`: no site).
    pub app: Option<&'a Path>,
    /// The "Generated on" line of the bundle.
    pub generated: Option<String>,
    /// Ctrl-C / cancellation.
    pub cancel: &'a Cancel,
    /// Capture progress.
    pub sink: Sink<'a>,
    /// Launch and matrix progress lines.
    pub say: &'a (dyn Fn(&str) + Sync),
}

/// Runs the matrix.
///
/// # Errors
/// When the folder, the bundle or the site cannot be written (a framework's failure is
/// not an error: it is in the result and the bundle).
pub fn run(spec: &MatrixSpec, cx: &Context<'_>) -> Result<MatrixOutcome, String> {
    let out = std::path::absolute(cx.out).map_err(|e| format!("{}: {e}", cx.out.display()))?;
    // The relay deletes and overwrites nothing: a matrix gets a folder of its own.
    if std::fs::read_dir(&out).is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!(
            "{} is not empty: give a new folder (the relay never overwrites a matrix)",
            out.display()
        ));
    }
    let captures = out.join("captures");
    let runs_dir = out.join("runs");
    for d in [&captures, &runs_dir] {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    let mut results = Vec::new();
    let mut reports: Vec<(String, report::Report)> = Vec::new();
    for server in &spec.servers {
        if cx.cancel.check().is_some() {
            break;
        }
        let id = server.framework.id();
        (cx.say)(&format!("matrix: {id}: formal capture (graphs on)"));
        let launch = |mapping: bool| {
            launch::run(&launch::Request {
                spec: server,
                mapping,
                opts: &spec.capture,
                out: &captures,
                cancel: cx.cancel,
                sink: cx.sink,
                say: cx.say,
            })
        };
        let formal = launch(false);
        let mapping = if spec.mapping && cx.cancel.check().is_none() {
            (cx.say)(&format!("matrix: {id}: mapping capture (graphs off)"));
            launch(true)
        } else {
            Vec::new()
        };
        let (result, report) = settle(server, &formal, &mapping, &spec.capture, &runs_dir);
        (cx.say)(&format!(
            "matrix: {id}: {}{}",
            result.status,
            if result.notes.is_empty() { String::new() } else { format!(" ({})", result.notes.join("; ")) }
        ));
        if let Some(r) = report {
            reports.push((id.to_owned(), r));
        }
        results.push(result);
    }
    finish(spec, cx, &out, results, &reports)
}

fn write_outputs(
    spec: &MatrixSpec,
    cx: &Context<'_>,
    out: &Path,
    results: &[FrameworkResult],
    reports: &[(String, report::Report)],
) -> Result<(PathBuf, Option<PathBuf>), String> {
    let sources: Vec<String> = reports
        .iter()
        .map(|(id, _)| out.join("runs").join(format!("{id}.json")).display().to_string())
        .collect();
    let refs: Vec<native::site::RunRef<'_>> = reports
        .iter()
        .zip(&sources)
        .map(|((_, r), source)| native::site::RunRef {
            source,
            folder: "runs",
            mtime_unix_ns: None,
            report: r,
        })
        .collect();
    let entries = native::site::entries(&refs);
    let runs: Vec<report::dashboard::bundle::BundleRun<'_>> = entries
        .iter()
        .zip(reports)
        .map(|(entry, (_, report))| report::dashboard::bundle::BundleRun { entry, report })
        .collect();
    let options = report::dashboard::bundle::BundleOptions {
        title: spec.title.clone(),
        toc: true,
        generated: cx.generated.clone(),
    };
    let mut text = report::dashboard::bundle::render(&runs, &options);
    text.push_str(&failures(results));
    let bundle = out.join("bundle.md");
    std::fs::write(&bundle, &text).map_err(|e| format!("cannot write {}: {e}", bundle.display()))?;
    let site = match cx.app {
        Some(app) => {
            let site = out.join("site");
            let list: Vec<&report::Report> = reports.iter().map(|(_, r)| r).collect();
            native::site::write(&site, app, &spec.title, entries, &list).map_err(|e| e.to_string())?;
            Some(site)
        }
        None => None,
    };
    Ok((bundle, site))
}

fn finish(
    spec: &MatrixSpec,
    cx: &Context<'_>,
    out: &Path,
    results: Vec<FrameworkResult>,
    reports: &[(String, report::Report)],
) -> Result<MatrixOutcome, String> {
    let (bundle, site) = write_outputs(spec, cx, out, &results, reports)?;
    let record = serde_json::json!({"title": spec.title, "mapping": spec.mapping, "frameworks": results});
    let path = out.join("matrix.json");
    let text = serde_json::to_string_pretty(&record).unwrap_or_default();
    std::fs::write(&path, format!("{text}\n"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(MatrixOutcome { frameworks: results, bundle, site })
}

/// The bundle's closing section: frameworks that failed or lost their mapping run.
#[must_use]
pub fn failures(results: &[FrameworkResult]) -> String {
    let bad: Vec<&FrameworkResult> = results.iter().filter(|r| !r.notes.is_empty()).collect();
    if bad.is_empty() {
        return String::new();
    }
    let mut text = String::from("\n## Runs that failed\n\n");
    for r in bad {
        for n in &r.notes {
            let one_line = n.lines().next().unwrap_or_default();
            text.push_str(&format!("- **{}** ({}): {one_line}\n", r.framework, r.status));
        }
    }
    text
}

/// The traces of successful runs, absolute; the first error otherwise.
fn traces_of(runs: &[LaunchRun]) -> Result<Vec<PathBuf>, String> {
    if runs.is_empty() {
        return Err("not run".to_owned());
    }
    let mut files = Vec::new();
    for r in runs {
        match &r.result {
            Ok(o) => files.extend(o.traces.iter().map(|t| o.dir.join(t))),
            Err(e) => return Err(format!("{}: {}", r.label, e.message)),
        }
    }
    Ok(files)
}

/// The framework's result and report from its runs.
fn settle(
    server: &Spec,
    formal: &[LaunchRun],
    mapping: &[LaunchRun],
    opts: &CaptureOptions,
    runs_dir: &Path,
) -> (FrameworkResult, Option<report::Report>) {
    let id = server.framework.id();
    let all = formal.iter().chain(mapping);
    let mut result = FrameworkResult {
        framework: id.to_owned(),
        status: "failed".to_owned(),
        notes: Vec::new(),
        captures: all
            .clone()
            .filter_map(|r| {
                r.result
                    .as_ref()
                    .map(|o| o.dir.clone())
                    .ok()
                    .or_else(|| r.result.as_ref().err().and_then(|e| e.dir.clone()))
            })
            .collect(),
        logs: all.map(|r| r.log.clone()).collect(),
        report: None,
    };
    let formal_traces = match traces_of(formal) {
        Ok(t) => t,
        Err(why) => {
            result.notes.push(format!("formal capture failed: {why}"));
            return (result, None);
        }
    };
    let mapping_traces = if mapping.is_empty() {
        Vec::new()
    } else {
        traces_of(mapping).unwrap_or_else(|why| {
            result.notes.push(format!("mapping capture failed (formal traces triaged alone): {why}"));
            Vec::new()
        })
    };
    let server_args = formal
        .iter()
        .find_map(|r| r.result.as_ref().ok())
        .and_then(|o| crate::capture::saved_server_args(&o.dir))
        .and_then(|v| report::engine::analysis::framework::ServerArgs::parse(&v.to_string()));
    match triage(server, &formal_traces, &mapping_traces, opts, server_args) {
        Ok(report) => {
            result.status = if mapping_traces.is_empty() { "formal" } else { "mapping-formal" }.to_owned();
            let path = runs_dir.join(format!("{id}.json"));
            let mut json = report.to_json();
            json.push('\n');
            match std::fs::write(&path, json) {
                Ok(()) => result.report = Some(path),
                Err(e) => result.notes.push(format!("cannot write {}: {e}", path.display())),
            }
            (result, Some(report))
        }
        Err(why) => {
            result.notes.push(format!("triage failed: {why}"));
            (result, None)
        }
    }
}

/// Triages the formal traces, with the mapping traces when there are any.
fn triage(
    server: &Spec,
    formal: &[PathBuf],
    mapping: &[PathBuf],
    opts: &CaptureOptions,
    server_args: Option<report::engine::analysis::framework::ServerArgs>,
) -> Result<report::Report, String> {
    let files: Vec<&Path> = mapping.iter().chain(formal).map(PathBuf::as_path).collect();
    let traces = native::load_all(&files, 2).map_err(|e| e.to_string())?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let inputs = report::engine::triage::Input::zip(&names, &traces);
    let found = native::capture::find(formal);
    let paths: Vec<&Path> = found.iter().map(PathBuf::as_path).collect();
    let captures = native::capture::load(&paths, 1, |p| p.display().to_string())
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    let options = report::engine::triage::Options {
        framework: Some(server.framework.engine()),
        min_share_pct: opts.min_share,
        server_args,
        captures,
        model_config: formal.first().and_then(|f| native::discover::model_config(f)).map(|(_, c)| c),
        gpu_specs: None,
    };
    let catalog = report::engine::Catalog::builtin();
    if mapping.is_empty() {
        return Ok(report::triage::triage_with(&inputs, &options, catalog));
    }
    let (m, f) = inputs.split_at(mapping.len());
    Ok(report::Report::from(report::engine::triage::triage_mapping_formal(m, f, &options, catalog)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_inherit_the_model_and_capture_options_apply() {
        let m = MatrixSpec::parse(
            "model = \"Qwen/Qwen3-8B\"\ntp = 2\nmapping = true\n[capture]\nworkload = \"decode\"\nnum_steps = 3\n\
             [[server]]\nframework = \"sglang\"\nport = 30000\n[[server]]\nframework = \"vllm\"\nport = 8000\ntp = 1\n",
        )
        .unwrap();
        assert_eq!(m.servers.len(), 2);
        assert_eq!((m.servers[0].model.as_str(), m.servers[0].tp, m.servers[1].tp), ("Qwen/Qwen3-8B", 2, 1));
        assert_eq!(m.capture.num_steps, 3);
        assert!(m.mapping);
        assert!(MatrixSpec::parse("model = \"m\"\n").unwrap_err().contains("[[server]]"));
        let e = MatrixSpec::parse("model = \"m\"\n[[server]]\nframework = \"vllm\"\n").unwrap_err();
        assert!(e.contains("server 1") && e.contains("port"), "{e}");
        assert!(
            MatrixSpec::parse("model = \"m\"\nmodle = 1\n[[server]]\nframework = \"vllm\"\nport = 1\n")
                .unwrap_err()
                .contains("modle")
        );
    }

    #[test]
    fn failures_are_listed_one_line_each() {
        let r = FrameworkResult {
            framework: "vllm".into(),
            status: "failed".into(),
            notes: vec!["formal capture failed: no answer\nlog tail".into()],
            captures: vec![],
            logs: vec![],
            report: None,
        };
        assert_eq!(
            failures(&[r]),
            "\n## Runs that failed\n\n- **vllm** (failed): formal capture failed: no answer\n"
        );
        assert_eq!(failures(&[]), "");
    }
}
