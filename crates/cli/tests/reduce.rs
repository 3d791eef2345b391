//! `tracetriage reduce` and `triage --all-ranks` over rank-reduction files: the report
//! from reductions is the reviewed all-ranks golden file, byte for byte, and the same JSON
//! as from the traces, whether the reductions come alone, from a folder or mixed with
//! traces; a damaged or newer file is one error line.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NAME: &str = "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-";

/// Runs the binary in `cwd`.
fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetriage")).current_dir(cwd).args(args).output().unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// A work folder whose `../shared/traces` holds the four TP-4 ranks (as the golden file
/// names them); returns the temp dir, the work folder and the traces as given.
fn layout() -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared/traces");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let traces = (0..4)
        .map(|r| {
            let name = format!("{NAME}{r}.trace.json.gz");
            std::os::unix::fs::symlink(testkit::traces_dir().join(&name), shared.join(&name)).unwrap();
            format!("../shared/traces/{name}")
        })
        .collect();
    (dir, work, traces)
}

fn golden() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/ranks-gb300-tp4.md"),
    )
    .unwrap()
}

#[test]
fn all_ranks_from_reductions_is_the_report_from_the_traces() {
    testkit::needs_corpus!();
    let (_dir, work, traces) = layout();
    let t: Vec<&str> = traces.iter().map(String::as_str).collect();
    let all_ranks = |paths: &[&str], format: &str| {
        let mut args = vec!["triage", "--all-ranks", "--format", format];
        args.extend_from_slice(paths);
        ok(run(&work, &args))
    };
    let md = all_ranks(&t, "md");
    assert_eq!(md, golden(), "the all-ranks report from the traces is the golden file");
    let json = all_ranks(&t, "json");

    // One reduction per trace, named after it, in the folder asked for.
    let mut args = vec!["reduce", "--out-dir", "red"];
    args.extend_from_slice(&t);
    let written = ok(run(&work, &args));
    let files: Vec<String> = (0..4).map(|r| format!("red/{NAME}{r}.trace.ttr")).collect();
    assert_eq!(written.lines().collect::<Vec<_>>(), files);
    let f: Vec<&str> = files.iter().map(String::as_str).collect();
    assert_eq!(all_ranks(&f, "md"), md);
    assert_eq!(all_ranks(&f, "json"), json);
    // A folder of reductions, and reductions mixed with traces.
    assert_eq!(all_ranks(&["red"], "json"), json);
    assert_eq!(all_ranks(&[f[3], t[1], f[0], t[2]], "json"), json);
    // Reductions are small: well under a tenth of the gzip trace.
    for (file, trace) in files.iter().zip(&traces) {
        let (r, t) = (work.join(file).metadata().unwrap().len(), work.join(trace).metadata().unwrap().len());
        assert!(r * 10 < t, "{file}: {r} bytes for a {t}-byte trace");
    }

    // -o: one trace only.
    ok(run(&work, &["reduce", "-o", "one.ttr", t[0]]));
    assert_eq!(std::fs::read(work.join("one.ttr")).unwrap(), std::fs::read(work.join(f[0])).unwrap());
    let o = run(&work, &["reduce", "-o", "one.ttr", t[0], t[1]]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("--out-dir"));

    // A damaged file, a newer one and a trace named .ttr are one error line each.
    let bytes = std::fs::read(work.join(f[1])).unwrap();
    std::fs::write(work.join("cut.ttr"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(work.join("newer.ttr"), br#"{"schema":"tracetriage.rank-reduction","version":99}"#)
        .unwrap();
    std::fs::write(work.join("trace.ttr"), br#"{"traceEvents":[]}"#).unwrap();
    for (file, says) in [
        ("cut.ttr", "broken rank reduction: the gzip stream is damaged or cut short"),
        ("newer.ttr", "newer rank reduction version 99"),
        ("trace.ttr", "not a rank reduction: a trace"),
    ] {
        let o = run(&work, &["triage", "--all-ranks", f[0], file]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{file}: {err}");
        assert!(err.starts_with(&format!("tracetriage: {file}: {says}")), "{file}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
