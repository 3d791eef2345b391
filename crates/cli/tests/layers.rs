//! `tracetriage layers` and `tracetriage triage --mapping … --formal …` as users run them:
//! output forms, config.json, the heat-map file, and one-line errors.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn traces() -> PathBuf {
    testkit::traces_dir()
}

const LORA: &str = "sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz";
const BS16: &str = "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetriage")).args(args).output().unwrap()
}

fn trace(name: &str) -> String {
    traces().join(name).to_str().unwrap().to_owned()
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// An error: non-zero exit, one line on stderr, nothing on stdout.
fn error(o: &Output) -> String {
    assert!(!o.status.success());
    assert!(o.stdout.is_empty());
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    e
}

#[test]
fn layers_json_has_48_layers_per_pass_and_reads_back() {
    testkit::needs_corpus!();
    let out = stdout(&run(&["layers", &trace(LORA), "--format", "json"]));
    let r = report::layers::LayersReport::from_json(&out).unwrap();
    assert_eq!(r.passes.len(), 5);
    assert!(r.passes.iter().all(|p| p.layers == 48));
    let pass = r.pass.as_ref().unwrap();
    assert_eq!(Some(pass.index), r.steady_pass, "the steady-state pass is shown by default");
    assert_eq!(pass.layers.len(), 48);
    assert!(r.layer.is_none());
    // The text form shows the same passes.
    let text = stdout(&run(&["layers", &trace(LORA)]));
    assert!(text.contains("Forward passes"), "{text}");
}

#[test]
fn layers_with_a_config_a_layer_and_a_heat_map() {
    testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        r#"{"architectures":["Qwen3MoeForCausalLM"],"num_hidden_layers":48,"hidden_size":2048,"num_experts":128,"num_experts_per_tok":8}"#,
    )
    .unwrap();
    let svg = dir.path().join("heat.svg");
    let out = stdout(&run(&[
        "layers",
        &trace(LORA),
        "--config",
        config.to_str().unwrap(),
        "--pass",
        "2",
        "--layer",
        "7",
        "--compare-layer",
        "8",
        "--format",
        "json",
        "--heatmap",
        svg.to_str().unwrap(),
    ]));
    let r = report::layers::LayersReport::from_json(&out).unwrap();
    assert_eq!(r.config_layers, Some(48));
    assert!(!r.model.is_empty(), "a model summary from config.json");
    assert!(
        !r.notes.iter().any(|n| n.contains("config.json says")),
        "the trace agrees with the config: {:?}",
        r.notes
    );
    assert!(
        r.pass.as_ref().unwrap().layers.iter().all(|l| l.kind != "LAYER"),
        "typed layers from the config"
    );
    let d = r.layer.as_ref().unwrap();
    assert_eq!((d.pass, d.layer), (2, 7));
    let row = r.pass.as_ref().unwrap().layers.get(7).unwrap();
    assert_eq!(d.kernels.len() as u64, row.kernels);
    assert_eq!(d.kernels.iter().map(|k| k.dur_ns).sum::<i64>(), row.sum_ns);
    assert_eq!(r.compare.as_ref().unwrap().other.layer, 8);
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg") || svg.contains("<svg"), "{}", &svg[..svg.len().min(200)]);
    // Compute-flow and Perfetto forms.
    let flow = stdout(&run(&["layers", &trace(LORA), "--layer", "0", "--format", "compute-flow"]));
    assert!(!flow.is_empty());
    let perfetto = stdout(&run(&["layers", &trace(LORA), "--format", "perfetto"]));
    assert!(perfetto.contains("ms"), "{perfetto}");
}

#[test]
fn layers_errors_are_one_line() {
    testkit::needs_corpus!();
    let e = error(&run(&["layers", &trace(LORA), "--format", "compute-flow"]));
    assert!(e.contains("--layer"), "{e}");
    let e = error(&run(&["layers", &trace(LORA), "--profile", "nope"]));
    assert!(e.contains("dsv4_csa_hca") && e.contains("generic"), "{e}");
    let e = error(&run(&["layers", &trace(LORA), "--pass", "99"]));
    assert!(e.contains("pass 99 does not exist"), "{e}");
    let e = error(&run(&["layers", &trace(LORA), "--layer", "48"]));
    assert!(e.contains("layer 48 does not exist"), "{e}");
}

#[test]
fn triage_mapping_formal_prints_both_sets_and_coverage() {
    testkit::needs_corpus!();
    let out = stdout(&run(&["triage", "--mapping", &trace(BS16), "--formal", &trace(LORA)]));
    assert!(out.contains("Mode: mapping-formal"), "{out}");
    assert!(out.contains(&format!("Mapping traces: {}", trace(BS16))), "{out}");
    assert!(out.contains(&format!("Formal traces: {}", trace(LORA))), "{out}");
    let coverage = out.lines().find(|l| l.starts_with("Python attribution of GPU time:")).unwrap();
    assert!(coverage.contains("through mapping"), "{coverage}");
    let json =
        stdout(&run(&["triage", "--mapping", &trace(BS16), "--formal", &trace(LORA), "--format", "json"]));
    let r = report::Report::from_json(&json).unwrap();
    assert_eq!(r.mode, report::triage::Mode::MappingFormal);
    let roles: Vec<&str> = r.inputs.iter().map(|i| i.role.as_str()).collect();
    assert_eq!(roles, ["mapping", "formal"]);
    assert!(r.stages.iter().all(|s| s.coverage.mapping_ns > 0));
}

#[test]
fn triage_mapping_errors_are_one_line() {
    let e = error(&run(&["triage", "--mapping", &trace(BS16)]));
    assert!(e.contains("--mapping needs --formal"), "{e}");
    let e = error(&run(&["triage", "--formal", &trace(LORA)]));
    assert!(e.contains("--formal needs --mapping"), "{e}");
    let e = error(&run(&["triage", &trace(LORA), "--mapping", &trace(BS16), "--formal", &trace(LORA)]));
    assert!(e.contains("cannot be combined"), "{e}");
}
