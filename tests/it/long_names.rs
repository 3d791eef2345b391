//! A kernel name of megabytes (issue 27): rules look at its first `names::LOOKED_AT` bytes,
//! so the report is the one a short name gives, but for the name itself.

use std::path::PathBuf;

use report::engine::triage::Input;
use report::engine::triage::Options;
use report::triage::triage_with as triage;

const FIXTURE: &str = "tests/fixtures/vllm-b200-excerpt.pt.trace.json.gz";
const SHORT: &str = "zz_renamed_kernel";

/// The fixture with its longest-running kernel renamed to `name` (every launch).
fn renamed(name: &str) -> Vec<u8> {
    let gz = crate::common::read(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FIXTURE));
    let mut doc: serde_json::Value = serde_json::from_slice(&crate::common::gunzip(&gz)).unwrap();
    let events = doc["traceEvents"].as_array_mut().unwrap();
    let kernels = || events.iter().filter(|e| e["cat"] == "kernel");
    let target = kernels()
        .max_by(|a, b| a["dur"].as_f64().unwrap().total_cmp(&b["dur"].as_f64().unwrap()))
        .map(|e| e["name"].clone())
        .unwrap();
    for e in events.iter_mut().filter(|e| e["name"] == target) {
        e["name"] = name.into();
    }
    serde_json::to_vec(&doc).unwrap()
}

fn markdown(bytes: &[u8]) -> String {
    let trace = report::trace::load(bytes).unwrap();
    let r = triage(
        &[Input { path: "t.json", trace: &trace }],
        &Options::default(),
        report::engine::Catalog::builtin(),
    );
    report::markdown::render(&r)
}

#[test]
fn a_two_megabyte_name_changes_only_its_own_row() {
    let long = format!("{SHORT}{}", " a".repeat(1 << 20));
    let with_long = markdown(&renamed(&long));
    let with_short = markdown(&renamed(SHORT));
    assert!(with_long.contains(&long), "the table shows the whole name");
    assert!(with_short.contains(SHORT));
    assert_eq!(with_long.replace(&long, SHORT), with_short);
}
