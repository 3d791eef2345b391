//! `tracetriage triage … --server-log FILE`: the diffusion backend gate. A log line saying
//! the run used the diffusers backend (given, or `server.log` / `*.log` found beside the
//! trace), or Python stacks in `diffusers/pipelines/` under SGLang's diffusion runtime,
//! refuse the triage with one line on stderr and exit status 4.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const LINES: [&str; 3] =
    ["Falling back to diffusers backend", "Using diffusers backend", "Loaded diffusers pipeline"];

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetriage")).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of the small committed fixture trace in a fresh folder (so no log of the
/// repository is found beside it).
fn fixture_in(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/timeline-small.trace.json");
    let trace = dir.join("run").join("timeline-small.trace.json");
    std::fs::create_dir_all(trace.parent().unwrap()).unwrap();
    std::fs::copy(source, &trace).unwrap();
    trace
}

/// A log of a few lines whose third says `line`.
fn log(line: &str) -> String {
    format!(
        "[2026-01-05 10:00:00] server_args=ServerArgs(model_path='black-forest-labs/FLUX.1-dev')\n\
         [2026-01-05 10:00:01] Could not resolve native configuration for model.\n\
         [2026-01-05 10:00:02] INFO {line}.\n\
         [2026-01-05 10:00:09] The server is fired up and ready to roll!\n"
    )
}

/// The one refusal line, checked: file, line number and text named, exit status 4,
/// nothing on stdout.
fn assert_refused(o: &Output, file: &str, line: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("tracetriage: refused: "), "{err}");
    assert!(err.contains(&format!("{file} line 3 logged \"{line}\"")), "{err}");
    assert!(err.contains("not native SGLang diffusion evidence"), "{err}");
    assert!(o.stdout.is_empty(), "no report");
}

#[test]
fn each_diffusers_log_line_refuses_the_triage_with_status_4() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = fixture_in(tmp.path());
    for (i, line) in LINES.iter().enumerate() {
        let file = tmp.path().join(format!("given-{i}.txt"));
        std::fs::write(&file, log(line)).unwrap();
        let o = run(&["triage", s(&trace), "--server-log", s(&file)]);
        assert_refused(&o, s(&file), line);
        // Every form of triage is gated: JSON, roofline, all ranks.
        for extra in [&["--format", "json"][..], &["--all-ranks"][..]] {
            let mut args = vec!["triage", s(&trace), "--server-log", s(&file)];
            args.extend_from_slice(extra);
            assert_eq!(run(&args).status.code(), Some(4), "{extra:?}");
        }
        assert_eq!(run(&["roofline", s(&trace), "--server-log", s(&file)]).status.code(), Some(4));
    }
}

#[test]
fn a_clean_log_gives_the_normal_report() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = fixture_in(tmp.path());
    let clean = tmp.path().join("clean.log");
    std::fs::write(&clean, log("Using native SGLang backend for FluxPipeline")).unwrap();
    let o = run(&["triage", s(&trace), "--server-log", s(&clean)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.starts_with("Triage View\n") && md.contains("Kernel Table"), "{md}");
    // Several logs: the one that says it is named, whichever comes first.
    let bad = tmp.path().join("bad.log");
    std::fs::write(&bad, log(LINES[1])).unwrap();
    let o = run(&["triage", s(&trace), "--server-log", s(&clean), "--server-log", s(&bad)]);
    assert_refused(&o, s(&bad), LINES[1]);
    // A given log that cannot be read is an error (status 1), not a pass.
    let o = run(&["triage", s(&trace), "--server-log", s(&tmp.path().join("missing.log"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
}

#[test]
fn a_log_beside_the_trace_is_found_by_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = fixture_in(tmp.path());
    let dir = trace.parent().unwrap();
    // Any *.log beside the trace is read when there is no server.log.
    std::fs::write(dir.join("launch.log"), log(LINES[2])).unwrap();
    assert_refused(&run(&["triage", s(&trace)]), s(&dir.join("launch.log")), LINES[2]);
    // server.log is preferred over the other logs of the folder.
    std::fs::write(dir.join("server.log"), log(LINES[0])).unwrap();
    assert_refused(&run(&["triage", s(&trace)]), s(&dir.join("server.log")), LINES[0]);
    // As the folder of traces, and one folder up.
    assert_eq!(run(&["triage", s(dir)]).status.code(), Some(4));
    std::fs::remove_file(dir.join("server.log")).unwrap();
    std::fs::remove_file(dir.join("launch.log")).unwrap();
    assert!(run(&["triage", s(&trace)]).status.success());
    std::fs::write(tmp.path().join("server.log"), log(LINES[0])).unwrap();
    assert_refused(&run(&["triage", s(&trace)]), s(&tmp.path().join("server.log")), LINES[0]);
    // A given clean log replaces the logs found beside the trace.
    let clean = tmp.path().join("clean.txt");
    std::fs::write(&clean, "ok\n").unwrap();
    assert!(run(&["triage", s(&trace), "--server-log", s(&clean)]).status.success());
}

/// A decode step of SGLang's diffusion runtime whose denoising runs a diffusers pipeline.
const DIFFUSERS_STACKS: &str = r#"{"traceEvents":[
{"ph":"X","cat":"python_function","name":"/opt/sglang/python/sglang/multimodal_gen/runtime/managers/gpu_worker.py(120): execute_forward","pid":1,"tid":1,"ts":0,"dur":50,"args":{"Python id":1,"Python parent id":null}},
{"ph":"X","cat":"python_function","name":"/usr/lib/python3/site-packages/diffusers/pipelines/flux/pipeline_flux.py(650): __call__","pid":1,"tid":1,"ts":1,"dur":40,"args":{"Python id":2,"Python parent id":1}},
{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":2,"dur":1,"args":{"correlation":1}},
{"ph":"X","cat":"kernel","name":"nvjet_tst_128x64","pid":0,"tid":7,"ts":5,"dur":10,"args":{"device":0,"stream":7,"correlation":1}}
]}"#;

#[test]
fn diffusers_pipelines_in_the_python_stacks_of_an_sglang_diffusion_run_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = tmp.path().join("flux.trace.json");
    std::fs::write(&trace, DIFFUSERS_STACKS).unwrap();
    let o = run(&["triage", s(&trace)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with(&format!(
            "tracetriage: refused: {}: its Python stacks run diffusers pipelines",
            s(&trace)
        )),
        "{err}"
    );
    assert!(err.contains("diffusers/pipelines/flux/pipeline_flux.py(650): __call__"), "{err}");
    assert!(err.contains("sglang/multimodal_gen/runtime/managers/gpu_worker.py(120)"), "{err}");
    // The same stacks without SGLang's diffusion runtime are a plain diffusers run: triaged.
    let plain = tmp.path().join("plain").join("flux.trace.json");
    std::fs::create_dir_all(plain.parent().unwrap()).unwrap();
    std::fs::write(&plain, DIFFUSERS_STACKS.replace("sglang/multimodal_gen/", "myapp/")).unwrap();
    let o = run(&["triage", s(&plain)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn the_flag_is_in_the_help() {
    let help = String::from_utf8(run(&["triage", "--help"]).stdout).unwrap();
    assert!(help.contains("--server-log <FILE>"), "{help}");
    assert!(help.contains("exit status 4"), "{help}");
}
