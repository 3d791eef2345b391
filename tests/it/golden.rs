//! Golden reports: every corpus trace and every committed fixture is triaged and its
//! markdown report compared with `tests/golden/<name>.md`. The files are reviewed like
//! code (see `tests/golden/REVIEW.md`); regenerate them with `UPDATE_GOLDEN=1 cargo test
//! --test it golden` and read the diff before committing.

use std::path::{Path, PathBuf};

use crate::common;

fn golden_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden"))
}

/// Compares `actual` with the golden file `name`, or rewrites it under `UPDATE_GOLDEN=1`.
/// Returns a description of the difference, if any.
pub fn check(name: &str, actual: &str) -> Option<String> {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected == actual {
        return None;
    }
    std::fs::create_dir_all(golden_dir()).unwrap();
    let new = path.with_extension("md.new");
    std::fs::write(&new, actual).unwrap();
    let first = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(expected.lines().count().min(actual.lines().count()));
    Some(format!(
        "{name}: differs from the golden file at line {} (expected {:?}, got {:?}); wrote {}",
        first + 1,
        expected.lines().nth(first).unwrap_or("<end>"),
        actual.lines().nth(first).unwrap_or("<end>"),
        new.display()
    ))
}

/// Every corpus trace's report, with the trace's file name (which it is shown under).
pub fn corpus_reports() -> Vec<(String, report::Report)> {
    common::corpus_files()
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let report = report_of(path, &name);
            (name, report)
        })
        .collect()
}

/// Triage of one file, shown under `display` (a stable relative path).
pub fn report_of(path: &Path, display: &str) -> report::Report {
    let trace = report::trace::load(&common::read(path)).unwrap_or_else(|e| panic!("{display}: {e}"));
    let inputs = [report::engine::triage::Input { path: display, trace: &trace }];
    report::triage::triage_with(
        &inputs,
        &report::engine::triage::Options::default(),
        report::engine::Catalog::builtin(),
    )
}

#[test]
fn corpus_reports_match_golden_files() {
    testkit::needs_corpus!();
    let mut failures = Vec::new();
    for path in common::corpus_files() {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let display = format!("../shared/traces/{file}");
        let report = report_of(&path, &display);
        let md = report::markdown::render(&report);
        let name = format!("{}.md", file.trim_end_matches(".json.gz"));
        failures.extend(check(&name, &md));
        // The JSON form reads back to the same report.
        let back = report::Report::from_json(&report.to_json()).unwrap();
        assert_eq!(back, report, "{file}: JSON round trip");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixture_reports_match_golden_files() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    for rel in [
        "tests/fixtures/mi300x-hipgraph-excerpt-TP-0-DECODE.trace.json.gz",
        "tests/fixtures/vllm-b200-excerpt.pt.trace.json.gz",
        "tests/fixtures/kineto-resnet50-legacy-excerpt.pt.trace.json.gz",
        "tests/fixtures/prefill/hta-a100-cudagraph-excerpt.trace.json.gz",
    ] {
        let report = report_of(&root.join(rel), rel);
        let md = report::markdown::render(&report);
        let name = format!("fixture-{}.md", rel.rsplit('/').next().unwrap().trim_end_matches(".json.gz"));
        failures.extend(check(&name, &md));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Two-trace mode: `…bs16-TP-0` (graphs on, with eager extend launches) as the mapping
/// and `…lora_bs128-TP-0-DECODE` (another run of the same model and GPU) as the formal
/// trace.
#[test]
fn mapping_formal_report_matches_golden_file() {
    testkit::needs_corpus!();
    let load = |file: &str| {
        let path = common::corpus_file(file);
        report::trace::load(&common::read(&path)).unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let (m_file, f_file) = (
        "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz",
        "sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz",
    );
    let (m, f) = (load(m_file), load(f_file));
    let (m_path, f_path) = (format!("../shared/traces/{m_file}"), format!("../shared/traces/{f_file}"));
    let mapping = [report::engine::triage::Input { path: &m_path, trace: &m }];
    let formal = [report::engine::triage::Input { path: &f_path, trace: &f }];
    let report = report::Report::from(report::engine::triage::triage_mapping_formal(
        &mapping,
        &formal,
        &report::engine::triage::Options::default(),
        report::engine::Catalog::builtin(),
    ));
    let md = report::markdown::render(&report);
    assert!(md.contains("Mode: mapping-formal"), "{md}");
    let failures: Vec<String> =
        check("mapping-formal-bs16-TP-0-to-lora_bs128-TP-0-DECODE.md", &md).into_iter().collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
