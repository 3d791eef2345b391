//! `tracetriage bundle`: many runs in one markdown document, on real traces of
//! `../shared/traces` (the small ones) and on report JSON files.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MI300X: &str = "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz";
const VLLM: &str = "vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz";
const HF: &str = "hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz";

fn traces() -> PathBuf {
    testkit::traces_dir()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetriage"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A folder holding copies of corpus traces.
fn folder_of(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for n in names {
        std::fs::copy(traces().join(n), dir.path().join(n)).unwrap();
    }
    dir
}

/// The report JSON of a trace, as `triage --format json` writes it.
fn report_json(trace: &str, out: &Path) {
    let o = run(&["triage", "--format", "json", s(&traces().join(trace)), "-o", s(out)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn bundle(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle.md");
    let mut all: Vec<&str> = vec!["bundle", "--no-date", "-o", s(&out)];
    all.extend(args);
    let o = run(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(&out).unwrap()
}

/// Targets of the contents links and the anchors of the headings.
fn links_and_anchors(md: &str) -> (Vec<String>, Vec<String>) {
    let mut links = Vec::new();
    let mut anchors = Vec::new();
    for line in md.lines() {
        if line.trim_start().starts_with("- [")
            && let Some((_, rest)) = line.rsplit_once("](#")
        {
            links.push(rest.trim_end_matches(')').to_owned());
        }
        if line.starts_with('#')
            && let Some((_, rest)) = line.split_once("<a id=\"")
        {
            anchors.push(rest.split('"').next().unwrap().to_owned());
        }
    }
    (links, anchors)
}

#[test]
fn runs_are_grouped_with_contents_and_three_tables_each() {
    testkit::needs_corpus!();
    let dir = folder_of(&[MI300X, VLLM, HF]);
    let md = bundle(&[s(dir.path())]);
    assert!(md.starts_with("# Unified LLM Torch Profiler Triage Bundle\n\n"), "{}", &md[..200]);
    assert!(!md.contains("_Generated on"), "--no-date leaves the date out");
    assert!(md.contains("\n3 runs of "), "{}", &md[..400]);
    assert!(md.contains("\n## Contents\n"));
    for table in ["Kernel Table", "Overlap Opportunity Table", "Fuse Opportunity Table"] {
        assert_eq!(md.matches(&format!("\n#### {table}\n")).count(), 3, "{table}");
    }
    // One `###` section per run, headed by its framework and name.
    let runs: Vec<&str> = md.lines().filter(|l| l.starts_with("### ")).collect();
    assert_eq!(runs.len(), 3, "{runs:?}");
    assert!(
        runs.iter().any(|l| l.ends_with("SGLang · sglang_mi300x_qwen3-8b_decode_hipgraph_cropped")),
        "{runs:?}"
    );
    assert!(runs.iter().any(|l| l.contains("vLLM · vllm_b200_gpt-oss_tp8_eager_rank0")), "{runs:?}");
    // Every contents link has its heading and every heading is in the contents.
    let (mut links, mut anchors) = links_and_anchors(&md);
    assert_eq!(links.len(), anchors.len());
    assert!(links.len() > 3, "{links:?}");
    links.sort();
    anchors.sort();
    assert_eq!(links, anchors);
    let before = anchors.len();
    anchors.dedup();
    assert_eq!(before, anchors.len(), "anchors are unique");
    // Each run says where it came from, and the tables are the triage report's own.
    assert_eq!(md.matches("\nSource: `").count(), 3);
    assert!(md.contains("GPU: AMD Instinct MI300X (device 9), rank 0 of 1"));
    assert!(md.contains("GPU: NVIDIA B200 (device 0), rank 0 of 8"));
    assert!(md.ends_with('\n') && !md.ends_with("\n\n"), "one final newline");
    // --no-toc drops the contents only.
    let plain = bundle(&["--no-toc", "--title", "Nightly", s(dir.path())]);
    assert!(plain.starts_with("# Nightly\n") && !plain.contains("## Contents"));
    assert_eq!(plain.matches("\n#### Kernel Table\n").count(), 3);
}

#[test]
fn a_report_file_bundles_like_its_trace() {
    testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    // The same folder and file names, so the run has the same name and group either way
    // (the model is unknown: runs are grouped by folder).
    std::fs::create_dir(dir.path().join("traces")).unwrap();
    let json = dir.path().join("traces/sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.json");
    report_json(MI300X, &json);
    let strip = |md: &str| {
        md.lines()
            .filter(|l| !l.starts_with("Source: ") && !l.starts_with("Captured: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let from_trace = bundle(&[s(&traces().join(MI300X))]);
    let from_json = bundle(&[s(&json)]);
    assert!(from_json.contains(&format!("Source: `{}`", json.display())));
    assert_eq!(strip(&from_trace), strip(&from_json));
    assert!(from_trace.contains("\n1 run of 1 model group.\n"), "{}", &from_trace[..300]);
}

#[test]
fn newer_and_broken_reports_are_skipped_with_a_warning() {
    testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    report_json(MI300X, &good);
    let text = std::fs::read_to_string(&good).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["version"] = serde_json::json!(99);
    std::fs::write(dir.path().join("newer.json"), v.to_string()).unwrap();
    std::fs::write(dir.path().join("cut.json"), &text[..text.len() / 2]).unwrap();
    let out = dir.path().join("b.md");
    let o = run(&["bundle", "--no-date", s(dir.path()), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("newer.json: newer report version 99"), "{err}");
    assert!(err.contains("cut.json: broken report"), "{err}");
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("\n1 run of 1 model group.\n"), "{}", &md[..300]);
    assert!(md.contains("good.json`"));
}

#[test]
fn refused_reports_name_why_when_nothing_is_left() {
    testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    report_json(MI300X, &good);
    let text = std::fs::read_to_string(&good).unwrap();
    std::fs::remove_file(&good).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["version"] = serde_json::json!(99);
    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, v.to_string()).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["mode"] = serde_json::json!("sideways");
    let unknown = dir.path().join("unknown.json");
    std::fs::write(&unknown, v.to_string()).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("stages");
    let missing = dir.path().join("missing.json");
    std::fs::write(&missing, v.to_string()).unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("index.html"), "<!doctype html><head></head>").unwrap();
    let site = dir.path().join("site");
    for command in ["bundle", "dashboard"] {
        let mut args = vec![command, s(&newer), s(&unknown), s(&missing)];
        if command == "dashboard" {
            args.extend(["-o", s(&site), "--app", s(&app)]);
        }
        let o = run(&args);
        assert!(!o.status.success(), "{command}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{command}: one line: {err}");
        assert!(err.contains("newer.json: newer report version 99"), "{command}: {err}");
        assert!(err.contains("unknown variant `sideways`"), "{command}: {err}");
        assert!(err.contains("missing field `stages`"), "{command}: {err}");
        assert!(!err.contains("no report or trace found"), "{command}: {err}");
    }
}

#[test]
fn nothing_to_bundle_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let o = run(&["bundle", s(empty.path())]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no report or trace found"), "{}", stderr(&o));
    let o = run(&["bundle", "/nonexistent/x.json"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cannot read /nonexistent/x.json"), "{}", stderr(&o));
}

#[test]
fn generated_date_follows_source_date_epoch() {
    testkit::needs_corpus!();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("b.md");
    let o = Command::new(env!("CARGO_BIN_EXE_tracetriage"))
        .args(["bundle", s(&traces().join(MI300X)), "-o", s(&file)])
        .env("SOURCE_DATE_EPOCH", "1781012353")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(md.contains("\n_Generated on 2026-06-09 13:39:13 UTC_\n"), "{}", &md[..300]);
}
