//! The `tracetriage` binary as users run it: output, exit codes, error lines.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tracetriage"))
}

fn traces() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/traces"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn inspect_prints_a_summary() {
    let f = traces().join("sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz");
    let o = run(&["inspect", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("2,058 events"), "{out}");
    assert!(out.contains("AMD Instinct MI300X"), "{out}");
    assert!(out.contains("python_function"), "{out}");
}

#[test]
fn inspect_json_has_counts_keyed_by_category() {
    let f = traces().join("kineto_resnet50_v100_legacy_schema.pt.trace.json.gz");
    let o = run(&["inspect", "--format", "json", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["events"], 75718);
    assert_eq!(v["by_category"]["Operator"], 23646);
    assert_eq!(v["by_category"]["<none>"], 12860);
    assert_eq!(v["by_category"]["async"], 18192);
    let diags = v["diagnostics"].as_array().unwrap();
    // 12,860 events without `cat`: 20 metadata events and 12,840 instants (12,838 memory
    // samples and 2 profiler markers).
    let instants: u64 =
        diags.iter().filter(|d| d["kind"] == "instant_event").map(|d| d["count"].as_u64().unwrap()).sum();
    assert_eq!(instants, 12840);
}

#[test]
fn inspect_json_of_several_files_is_an_array() {
    let a = traces().join("sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz");
    let b = traces().join("deepseek-v3_train_h800_ep64_rank0.trace.json.gz");
    let o = run(&["inspect", "--format", "json", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[1]["events"], 14240);
}

#[test]
fn errors_are_one_line_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, b"").unwrap();
    let html = dir.path().join("page.trace.json.gz");
    std::fs::write(&html, b"<!DOCTYPE html><html></html>").unwrap();
    let missing = dir.path().join("missing.json");
    for (path, needle) in [
        (missing.clone(), "cannot read"),
        (empty.clone(), "empty"),
        (html.clone(), "HTML page"),
        (dir.path().to_path_buf(), "is a directory"),
    ] {
        let o = run(&["inspect", path.to_str().unwrap()]);
        assert!(!o.status.success(), "{}", path.display());
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.starts_with("tracetriage: "), "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(o.stdout.is_empty());
    }
}
