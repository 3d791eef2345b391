//! `tracetriage dashboard`: the static site (app copy, report files, manifest) built from
//! real traces of `../shared/traces` (the small ones) and from report files.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use report::dashboard::ManifestEntry;
use report::dashboard::read_manifest;
use report::dashboard::read_report;

const MI300X: &str = "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz";
const VLLM: &str = "vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz";
const DEEPSEEK: &str = "deepseek-v3_train_h800_ep64_rank0.trace.json.gz";

fn traces() -> PathBuf {
    testkit::traces_dir()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetriage")).args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A stand-in for the built app: `index.html` and a nested file.
fn fake_app(root: &Path) -> PathBuf {
    let app = root.join("app");
    std::fs::create_dir_all(app.join("pkg")).unwrap();
    std::fs::write(app.join("index.html"), "<!doctype html><head><title>app</title></head>").unwrap();
    std::fs::write(app.join("pkg/app.js"), "// app").unwrap();
    app
}

fn inputs(root: &Path, names: &[&str]) -> PathBuf {
    let dir = root.join("in");
    std::fs::create_dir_all(&dir).unwrap();
    for n in names {
        std::fs::copy(traces().join(n), dir.join(n)).unwrap();
    }
    dir
}

fn manifest(site: &Path) -> Vec<ManifestEntry> {
    let read = read_manifest(&std::fs::read(site.join("reports/index.json")).unwrap()).unwrap();
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    read.manifest.body.entries
}

fn entry<'a>(entries: &'a [ManifestEntry], label_start: &str) -> &'a ManifestEntry {
    entries
        .iter()
        .find(|e| e.label.starts_with(label_start))
        .unwrap_or_else(|| panic!("no run {label_start}"))
}

#[test]
fn site_has_the_app_the_reports_and_a_manifest_of_every_run() {
    testkit::needs_corpus!();
    let root = tempfile::tempdir().unwrap();
    let app = fake_app(root.path());
    let dir = inputs(root.path(), &[MI300X, VLLM, DEEPSEEK]);
    let site = root.path().join("site");
    let o = run(&["dashboard", s(&dir), "-o", s(&site), "--app", s(&app), "--title", "Team runs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("dashboard of 3 run(s)"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(site.join("pkg/app.js")).unwrap(), "// app");
    let html = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(html.contains(r#"<meta name="tracetriage-dashboard" content="reports/index.json">"#), "{html}");
    assert!(html.contains("<title>app</title>"), "{html}");
    let index = read_manifest(&std::fs::read(site.join("reports/index.json")).unwrap()).unwrap();
    assert_eq!(index.manifest.title, "Team runs");
    let entries = manifest(&site);
    assert_eq!(entries.len(), 3);
    // Each entry names its report file, which reads back as a report of that run.
    for e in &entries {
        assert_eq!(e.report, format!("{}.json", e.id));
        let report = read_report(&std::fs::read(site.join("reports").join(&e.report)).unwrap()).unwrap();
        assert_eq!(report.framework.id, e.framework);
        assert_eq!(report.stages.len(), e.stages.len());
        assert!(e.source.ends_with(".trace.json.gz"), "{}", e.source);
        assert!(e.captured_unix_ns.is_some(), "a date from the trace or the file");
        assert!((0.0..=100.0).contains(&e.utilization_pct), "{}", e.utilization_pct);
        assert!(e.top_family.is_some());
    }
    // Facts of the traces (traces/README.md and the golden reports).
    let mi = entry(&entries, "sglang_mi300x");
    assert_eq!((mi.framework.as_str(), mi.gpu.as_deref()), ("sglang", Some("AMD Instinct MI300X")));
    assert_eq!(mi.stage_labels(), "decode");
    assert_eq!(format!("{:.1}", mi.utilization_pct), "2.1", "GPU busy 9.77 ms of 473.75 ms wall");
    assert_eq!(mi.top_family.as_ref().unwrap().category.label(), "gemm");
    assert!(mi.coverage_pct.is_some_and(|c| c > 90.0), "{:?}", mi.coverage_pct);
    let vllm = entry(&entries, "vllm_b200");
    assert_eq!((vllm.framework.as_str(), vllm.gpu.as_deref()), ("vllm", Some("NVIDIA B200")));
    assert_eq!(vllm.stage_labels(), "extend/prefill");
    assert_eq!(format!("{:.1}", vllm.utilization_pct), "13.7");
    assert_eq!(vllm.world_size, Some(8));
    let ds = entry(&entries, "deepseek");
    assert_eq!(ds.gpu.as_deref(), Some("NVIDIA H800"));
    assert_eq!(ds.framework, "unknown");
}

#[test]
fn report_files_make_the_same_dashboard_and_a_rerun_replaces_the_reports() {
    testkit::needs_corpus!();
    let root = tempfile::tempdir().unwrap();
    let app = fake_app(root.path());
    let dir = inputs(root.path(), &[MI300X, DEEPSEEK]);
    let first = root.path().join("first");
    let o = run(&["dashboard", s(&dir), "-o", s(&first), "--app", s(&app)]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The first site's reports (the manifest beside them is not a report: left out).
    let second = root.path().join("second");
    std::fs::create_dir_all(second.join("reports")).unwrap();
    std::fs::write(second.join("reports/stale.json"), "{}").unwrap();
    let o = run(&["dashboard", s(&first.join("reports")), "-o", s(&second), "--app", s(&app)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!second.join("reports/stale.json").exists(), "reports/ is replaced");
    let (a, b) = (manifest(&first), manifest(&second));
    assert_eq!(a.len(), 2);
    assert_eq!(b.len(), 2);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.id, y.id);
        assert_eq!(x.stages, y.stages);
        assert_eq!(x.top_family, y.top_family);
        assert_eq!(
            (x.model.clone(), x.gpu.clone(), x.framework.clone()),
            (y.model.clone(), y.gpu.clone(), y.framework.clone())
        );
        assert_eq!(y.source, first.join("reports").join(&x.report).display().to_string());
    }
}

#[test]
fn newer_reports_are_left_out_and_named() {
    testkit::needs_corpus!();
    let root = tempfile::tempdir().unwrap();
    let app = fake_app(root.path());
    let dir = root.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("a.json");
    let o = run(&["triage", "--format", "json", s(&traces().join(MI300X)), "-o", s(&good)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&good).unwrap()).unwrap();
    v["version"] = serde_json::json!(report::REPORT_VERSION + 1);
    std::fs::write(dir.join("b.json"), v.to_string()).unwrap();
    let site = root.path().join("site");
    let o = run(&["dashboard", s(&dir), "-o", s(&site), "--app", s(&app)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("b.json: newer report version"), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 file(s) skipped"), "{}", stderr(&o));
    let entries = manifest(&site);
    assert_eq!(entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["a"]);
}

#[test]
fn the_site_addresses_its_assets_relative_to_the_page() {
    testkit::needs_corpus!();
    let root = tempfile::tempdir().unwrap();
    let app = root.path().join("app");
    std::fs::create_dir_all(app.join("sample")).unwrap();
    // What trunk writes with its default public URL `/`.
    let page = r#"<!doctype html><head><script type="module">
import init from '/app-1.js';
await init({ module_or_path: '/app-1_bg.wasm' });
</script><link rel="stylesheet" href="/base-2.css"/><link rel="preload" href="/app-1_bg.wasm"></head>
<body><a href="/elsewhere/">kept</a></body>"#;
    std::fs::write(app.join("index.html"), page).unwrap();
    for f in ["app-1.js", "app-1_bg.wasm", "base-2.css", "engine-worker.js", "sample/x.json"] {
        std::fs::write(app.join(f), "x").unwrap();
    }
    let site = root.path().join("site");
    let o = run(&["dashboard", s(&traces().join(MI300X)), "-o", s(&site), "--app", s(&app)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(site.join("index.html")).unwrap();
    for asset in ["app-1.js", "app-1_bg.wasm", "base-2.css"] {
        assert!(html.contains(&format!("./{asset}")), "{asset}: {html}");
        assert!(!html.contains(&format!("\"/{asset}")) && !html.contains(&format!("'/{asset}")), "{html}");
    }
    assert!(html.contains(r#"href="/elsewhere/""#), "only the app's own files are rewritten");
    assert!(html.contains(r#"<meta name="tracetriage-dashboard""#));
}

#[test]
fn a_missing_app_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("site");
    let o =
        run(&["dashboard", s(&traces().join(MI300X)), "-o", s(&site), "--app", s(&root.path().join("nope"))]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no index.html there"), "{}", stderr(&o));
    assert!(stderr(&o).contains("trunk build --release"), "{}", stderr(&o));
    assert!(!site.exists(), "nothing written");
}

#[test]
fn trace_url_base_links_each_run_of_one_trace_file() {
    testkit::needs_corpus!();
    let root = tempfile::tempdir().unwrap();
    let app = fake_app(root.path());
    let dir = inputs(root.path(), &[MI300X]);
    let report_file = root.path().join("r.json");
    let o = run(&["triage", s(&traces().join(VLLM)), "--format", "json", "-o", s(&report_file)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let site = root.path().join("site");
    let base = "https://traces.example/run 1/";
    let o = run(&[
        "dashboard",
        s(&dir),
        s(&report_file),
        "-o",
        s(&site),
        "--app",
        s(&app),
        "--trace-url-base",
        base,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let entries = manifest(&site);
    let traced = entry(&entries, "sglang_mi300x");
    assert_eq!(
        traced.trace_url.as_deref(),
        Some(format!("https://traces.example/run 1/{MI300X}").as_str()),
        "the base joined with the trace's path below the folder given"
    );
    let from_report = entries.iter().find(|e| e.source.ends_with("r.json")).unwrap();
    assert_eq!(from_report.trace_url, None, "a run read from a report file names no trace");
    // Without the option the manifest has no trace_url at all.
    let plain = root.path().join("plain");
    let o = run(&["dashboard", s(&dir), "-o", s(&plain), "--app", s(&app)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(plain.join("reports/index.json")).unwrap();
    assert!(!text.contains("trace_url"), "{text}");
}
