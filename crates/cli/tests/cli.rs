//! The `tracetriage` binary as users run it: output, exit codes, error lines.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tracetriage"))
}

fn traces() -> PathBuf {
    testkit::traces_dir()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn inspect_prints_a_summary() {
    testkit::needs_corpus!();
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
    testkit::needs_corpus!();
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
    testkit::needs_corpus!();
    let a = traces().join("sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz");
    let b = traces().join("deepseek-v3_train_h800_ep64_rank0.trace.json.gz");
    let o = run(&["inspect", "--format", "json", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[1]["events"], 14240);
}

#[test]
fn inspect_kernels_lists_the_kernels_no_rule_knows() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.json");
    std::fs::write(
        &f,
        br#"{"traceEvents": [
          {"ph":"X","cat":"kernel","name":"attn_fwd","pid":0,"tid":7,"ts":0,"dur":30,"args":{"stream":7}},
          {"ph":"X","cat":"kernel","name":"mystery_kernel_v2","pid":0,"tid":7,"ts":40,"dur":10,"args":{"stream":7}},
          {"ph":"X","cat":"kernel","name":"triton_per_fused_add_native_layer_norm_4","pid":0,"tid":7,"ts":60,"dur":60,"args":{"stream":7}}
        ]}"#,
    )
    .unwrap();
    let o = run(&["inspect", "--kernels", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("kernels no rule knows (other): 1 names, 10.0% of GPU time"), "{out}");
    assert!(out.contains("mystery_kernel_v2"), "{out}");
    assert!(out.contains("norm             60.0%"), "{out}");
    assert!(out.contains("attention        30.0%"), "{out}");
    let o = run(&["inspect", "--kernels", "--format", "json", f.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kernels"]["other"][0]["name"], "mystery_kernel_v2");
    assert_eq!(v["kernels"]["other"].as_array().unwrap().len(), 1);
    // Without the flag there is no census.
    let o = run(&["inspect", f.to_str().unwrap()]);
    assert!(!String::from_utf8(o.stdout).unwrap().contains("no rule knows"));
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

#[test]
fn triage_prints_the_kernel_table() {
    testkit::needs_corpus!();
    let f = traces().join("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz");
    let o = run(&["triage", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    for needle in [
        "Triage View",
        "Mode: single-trace",
        "Framework: SGLang",
        "Kernel Table",
        "##### extend/prefill",
        "##### decode",
    ] {
        assert!(out.contains(needle), "missing {needle}");
    }
}

#[test]
fn triage_json_and_csv() {
    testkit::needs_corpus!();
    let f = traces().join("vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz");
    let o = run(&["triage", "--format", "json", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], "tracetriage.report");
    assert_eq!(v["framework"]["id"], "vllm");
    assert_eq!(v["stages"][0]["stage"], "prefill");
    let rows = v["stages"][0]["kernels"]["rows"].as_array().unwrap();
    assert_eq!(rows[0]["launches"], 36);
    let o = run(&["triage", "--format", "csv", "--min-share", "5", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "stage,kernel,category,gpu_ms,share_pct,launches,avg_us,python_location,cpu_op,\
             flops,bytes,intensity,achieved_tflops,achieved_tbps,roof_fraction,bound"
        )
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(first[0], "extend/prefill");
    assert_eq!(first[5], "36");
    // --min-share 5 keeps only the rows at or above 5%.
    assert_eq!(csv.lines().count(), 1 + 4, "{csv}");
    // The roofline columns hold the JSON's raw numbers (empty where a row has none).
    let gemm = rows.iter().position(|r| r["category"] == "gemm" && r["flops"].is_number());
    let o = run(&["triage", "--format", "csv", "--min-share", "0", f.to_str().unwrap()]);
    let csv = String::from_utf8(o.stdout).unwrap();
    let all = v["stages"][0]["kernels"]["rows"].as_array().unwrap();
    let json_all = run(&["triage", "--format", "json", "--min-share", "0", f.to_str().unwrap()]);
    let json_all: serde_json::Value = serde_json::from_slice(&json_all.stdout).unwrap();
    let rows_all = json_all["stages"][0]["kernels"]["rows"].as_array().unwrap();
    assert!(gemm.is_some() && all.len() <= rows_all.len());
    for (line, row) in csv.lines().skip(1).zip(rows_all) {
        let fields: Vec<&str> = line.rsplit(',').take(7).collect();
        let flops = fields[6];
        match row["flops"].as_f64() {
            Some(want) => assert_eq!(flops.parse::<f64>().unwrap(), want, "{line}"),
            None => assert_eq!(flops, "", "{line}"),
        }
        assert_eq!(fields[0], row["bound"].as_str().unwrap_or(""), "{line}");
    }
}

#[test]
fn triage_discovers_ranks_in_a_directory() {
    testkit::needs_corpus!();
    let dir = tempfile::tempdir().unwrap();
    for r in 0..2 {
        let name = format!("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-{r}.trace.json.gz");
        std::os::unix::fs::symlink(traces().join(&name), dir.path().join(&name)).unwrap();
    }
    std::fs::write(dir.path().join("notes.json"), br#"{"hello": "world"}"#).unwrap();
    std::fs::write(
        dir.path().join("server_args.json"),
        br#"{"model_path": "Qwen/Qwen3-30B-A3B-Instruct-2507", "tp_size": 4, "attention_backend": "trtllm_mha"}"#,
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let inputs = |args: &[&str]| -> Vec<String> {
        let o = run(args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["path"].as_str().unwrap().rsplit('/').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        inputs(&["triage", "--format", "json", d]),
        ["sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz"]
    );
    assert_eq!(
        inputs(&["triage", "--format", "json", "--rank", "1", d]),
        ["sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-1.trace.json.gz"]
    );
    // --all-ranks: one all-ranks report over both ranks (loaded in parallel).
    let o = run(&["triage", "--format", "json", "--all-ranks", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], "tracetriage.ranks");
    let ranks: Vec<i64> =
        v["inputs"].as_array().unwrap().iter().map(|i| i["rank"].as_i64().unwrap()).collect();
    assert_eq!(ranks, [0, 1]);
    let o = run(&["triage", "--all-ranks", d]);
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.starts_with("All-Ranks View\nRanks: 2 (0, 1) of world size 4"), "{md}");
    assert!(md.contains("Collective Skew Table"), "{md}");
    let o = run(&["triage", "--all-ranks", "--format", "csv", d]);
    assert!(
        !o.status.success() && stderr(&o).contains("--all-ranks prints markdown or JSON"),
        "{}",
        stderr(&o)
    );
    let o = run(&["triage", d]);
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.contains("Model: Qwen/Qwen3-30B-A3B-Instruct-2507"), "server_args.json beside the traces");
    let o = run(&["triage", "--rank", "7", d]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no trace of rank 7 (ranks present: 0, 1)"), "{}", stderr(&o));
}

#[test]
fn triage_errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let empty_dir = dir.path().join("empty");
    std::fs::create_dir(&empty_dir).unwrap();
    let not_trace = dir.path().join("x.trace.json");
    std::fs::write(&not_trace, br#"{"model": 1}"#).unwrap();
    let good = traces().join("sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz");
    for (args, needle) in [
        (vec!["triage", "/definitely/missing/path"], "cannot read /definitely/missing/path"),
        (vec!["triage", empty_dir.to_str().unwrap()], "no trace files in"),
        (vec!["triage", not_trace.to_str().unwrap()], "no \"traceEvents\""),
        (vec!["triage", "--framework", "pytorch", good.to_str().unwrap()], "unknown framework"),
        (vec!["triage", "--min-share", "101", good.to_str().unwrap()], "--min-share"),
    ] {
        let o = run(&args);
        assert!(!o.status.success(), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn triage_timeline_prints_ascii_lanes_for_a_step_or_a_window() {
    testkit::needs_corpus!();
    let f = traces().join("sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz");
    let f = f.to_str().unwrap();
    let o = run(&["triage", "--timeline", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let timeline = out.split("\nTimeline\n").nth(1).expect("a Timeline section after the report");
    assert!(timeline.starts_with("##### decode · "), "{timeline}");
    for needle in ["```text", "time(ms)", "legend: ", "overlap", "longest in window:"] {
        assert!(timeline.contains(needle), "missing {needle}: {timeline}");
    }
    assert!(timeline.lines().any(|l| l.starts_with("stream ")), "{timeline}");
    // An explicit window, in ms after the trace's first event.
    let o = run(&["triage", "--window", "0..2.5", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("window 0.000–2.500 ms after the trace's first event"), "{out}");
    for (args, needle) in [
        (vec!["triage", "--window", "5..1", f], "must come after the start"),
        (vec!["triage", "--window", "1-5", f], "START..END"),
        (vec!["triage", "--timeline", "--format", "json", f], "--format md"),
    ] {
        let o = run(&args);
        assert!(!o.status.success(), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn triage_with_an_extra_catalog_adds_its_patterns_and_bad_files_fail_clearly() {
    testkit::needs_corpus!();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mine = dir.join("team.toml");
    std::fs::write(
        &mine,
        r#"
[[pattern]]
id = "team-fused-lora-expand"
name = "Team: fused LoRA expand"
framework = "sglang"
origin = "inflight"
pr = "example/team#42"
rationale = "Our fused LoRA shrink+expand kernel."
paths = ["python/sglang/srt/lora/triton_ops/"]
fused.kernel = ["_chunked_lora_expand_kernel"]
"#,
    )
    .unwrap();
    let trace = traces().join("sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz");
    let o = run(&["triage", "--catalog", mine.to_str().unwrap(), trace.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let row =
        out.lines().find(|l| l.starts_with("| Team: fused LoRA expand |")).unwrap_or_else(|| panic!("{out}"));
    assert!(row.contains("| Confirmed |"), "{row}");
    assert!(row.contains("_chunked_lora_expand_kernel"), "{row}");
    assert!(row.contains("PR #42<br>python/sglang/srt/lora/triton_ops/"), "{row}");
    // Without the file the pattern is absent.
    let plain = run(&["triage", trace.to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("Team: fused LoRA expand"));

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "x = [").unwrap();
    let o = run(&["triage", "--catalog", bad.to_str().unwrap(), trace.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.toml: line 1, column 6"), "{err}");
    let o =
        run(&["triage", "--catalog", dir.join("missing.toml").to_str().unwrap(), trace.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cannot read catalog"), "{}", stderr(&o));
}

/// The fields of one CSV line (quoted fields may hold commas and doubled quotes).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

#[test]
fn triage_csv_writes_the_overlap_and_fuse_tables_too() {
    testkit::needs_corpus!();
    let f = traces().join("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz");
    let o = run(&["triage", "--format", "json", "--min-share", "0", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let stages = v["stages"].as_array().unwrap();
    for (table, key) in [("overlap", "overlap"), ("fuse", "fuse")] {
        let o =
            run(&["triage", "--format", "csv", "--table", table, "--min-share", "0", f.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let csv = String::from_utf8(o.stdout).unwrap();
        let header = csv.lines().next().unwrap();
        assert!(header.starts_with("stage,"), "{table}: {header}");
        // One CSV line per row of every stage's table in the JSON report.
        let rows: usize = stages.iter().map(|s| s[key]["rows"].as_array().unwrap().len()).sum();
        assert!(rows > 0, "{table}: the bs16 trace has {table} rows");
        assert_eq!(csv.lines().count(), 1 + rows, "{table}:\n{csv}");
    }
    // The overlap CSV carries the exposed time of each row as a number, equal to the JSON's.
    let o =
        run(&["triage", "--format", "csv", "--table", "overlap", "--min-share", "0", f.to_str().unwrap()]);
    let csv = String::from_utf8(o.stdout).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "exposed_ms").unwrap();
    let first_stage_rows = stages[0]["overlap"]["rows"].as_array().unwrap();
    let mut reader = csv.lines().skip(1);
    let first = reader.next().unwrap();
    // The last two fields are numeric and never quoted.
    let fields: Vec<&str> = first.rsplitn(3, ',').collect();
    assert_eq!(header.len() - 2, col);
    let exposed: f64 = fields[1].parse().unwrap();
    let json_exposed = first_stage_rows[0]["exposed_ns"].as_f64().unwrap() / 1e6;
    assert!((exposed - json_exposed).abs() < 1e-6, "{exposed} vs {json_exposed}");
    // The table's `recoverable` column is the JSON's recoverable time, in ms, on every row.
    let rec = header.iter().position(|h| *h == "recoverable").unwrap();
    let rows: Vec<&serde_json::Value> =
        stages.iter().flat_map(|s| s["overlap"]["rows"].as_array().unwrap()).collect();
    for (line, row) in csv.lines().skip(1).zip(&rows) {
        let fields = csv_fields(line);
        assert_eq!(fields.len(), header.len(), "{line}");
        let ms: f64 = fields[rec].parse().unwrap();
        let json_ms = row["recoverable_ns"].as_f64().unwrap() / 1e6;
        assert!((ms - json_ms).abs() < 1e-6, "{ms} vs {json_ms}: {line}");
    }
    let bad = run(&["triage", "--format", "csv", "--table", "nope", f.to_str().unwrap()]);
    assert!(!bad.status.success());
}

#[test]
fn diff_compares_traces_reports_and_prints_links() {
    testkit::needs_corpus!();
    let a = traces().join("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz");
    let b = traces().join("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-1.trace.json.gz");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let o = run(&["diff", a, b]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.starts_with(&format!("Diff View\nA: {a}\nB: {b}\n")), "{md}");
    assert!(md.contains("##### extend/prefill") && md.contains("##### decode"), "{md}");

    // A saved report JSON works as a side and gives the same diff as its trace.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("a.json");
    let o = run(&["triage", "--format", "json", "--min-share", "0", "-o", report.to_str().unwrap(), a]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = |args: &[&str]| -> serde_json::Value {
        let o = run(args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let from_trace = json(&["diff", "--format", "json", a, b]);
    let from_report = json(&["diff", "--format", "json", report.to_str().unwrap(), b]);
    assert_eq!(from_trace["schema"], "tracetriage.diff");
    assert_eq!(from_trace["stages"], from_report["stages"]);

    // --stage and the link format.
    let decode = json(&["diff", "--format", "json", "--stage", "decode", a, b]);
    assert_eq!(decode["stages"].as_array().unwrap().len(), 1);
    let o = run(&["diff", "--format", "link", a, b]);
    let link = String::from_utf8(o.stdout).unwrap();
    assert!(link.starts_with("#d1.") && link.trim_end().len() <= 8 * 1024 + 1, "{link}");

    // A diff is not a side.
    let diff_file = dir.path().join("d.json");
    std::fs::write(&diff_file, run(&["diff", "--format", "json", a, b]).stdout).unwrap();
    let o = run(&["diff", diff_file.to_str().unwrap(), b]);
    assert!(!o.status.success() && stderr(&o).contains("is a tracetriage diff"), "{}", stderr(&o));
}

#[test]
fn triage_perfetto_prints_deep_links_per_stage() {
    testkit::needs_corpus!();
    let f = traces().join("sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz");
    let f = f.to_str().unwrap();
    let o = run(&["triage", "--perfetto", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let section = out.split("\n## Open in Perfetto\n").nth(1).expect("an Open in Perfetto section");
    assert!(section.contains("### decode · `"), "{section}");
    assert!(section.contains("- busiest step"), "{section}");
    assert!(section.contains(" — https://ui.perfetto.dev/#!/?visStart="), "{section}");
    // A self-hosted UI, and markdown only.
    let o = run(&["triage", "--perfetto=http://127.0.0.1:9/perfetto/", f]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains(" — http://127.0.0.1:9/perfetto/#!/?visStart="), "{out}");
    assert!(!out.contains("ui.perfetto.dev"), "{out}");
    let o = run(&["triage", "--perfetto", "--format", "json", f]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--perfetto prints markdown links"), "{}", stderr(&o));
}

#[test]
fn progress_stays_off_a_stderr_that_is_not_a_terminal() {
    testkit::needs_corpus!();
    let trace = traces().join("hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz");
    for extra in [&[][..], &["--all-ranks"][..]] {
        let mut args = vec!["triage"];
        args.extend(extra);
        args.push(trace.to_str().unwrap());
        // The bar would show at once; stderr is a pipe here.
        let o = bin().args(&args).env("TRACETRIAGE_PROGRESS_AFTER_MS", "0").output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}");
    }
}

#[test]
fn a_cut_trace_says_so_first_and_exits_zero() {
    testkit::needs_corpus!();
    let gz = std::fs::read(traces().join("vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz")).unwrap();
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Cut in the middle, and cut before the first GPU event.
    let first = |needle: &[u8]| text.windows(needle.len()).position(|w| w == needle).unwrap_or(text.len());
    let first_kernel = [&br#""cat": "kernel""#[..], br#""cat": "gpu_memcpy""#, br#""cat": "gpu_memset""#]
        .into_iter()
        .map(first)
        .min()
        .unwrap();
    for (name, cut) in [("half.json", text.len() / 2), ("early.json", first_kernel.saturating_sub(200))] {
        let path = dir.path().join(name);
        std::fs::write(&path, &text[..cut]).unwrap();
        let o = run(&["triage", path.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("ends early at byte") && err.contains("the GPU events after it are missing"),
            "{err}"
        );
        let md = String::from_utf8(o.stdout).unwrap();
        let first = md.lines().next().unwrap();
        assert!(first.starts_with("**Warning: This trace ends early at byte "), "{first}");
        if name == "early.json" {
            assert!(!md.to_lowercase().contains("no gpu activity"), "{md}");
            assert!(md.contains("The file ends before any GPU event"), "{md}");
        }
        let o = run(&["triage", "--format", "json", path.to_str().unwrap()]);
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let cut_row =
            json["diagnostics"].as_array().unwrap().iter().find(|d| d["kind"] == "truncated").unwrap();
        assert!(cut_row["offset"].as_u64().is_some(), "{cut_row}");
    }
    // All ranks and `reduce` hold reductions, not traces: they say it on stderr too, for the
    // cut file only, and still succeed.
    let whole = traces().join("vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz");
    let half = dir.path().join("half.json");
    let o =
        run(&["triage", "--all-ranks", whole.to_str().unwrap(), half.to_str().unwrap(), "-o", "/dev/null"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("half.json ends early at byte"), "{err}");
    let out = dir.path().join("ttr");
    let o =
        run(&["reduce", whole.to_str().unwrap(), half.to_str().unwrap(), "--out-dir", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("half.json ends early at byte"), "{err}");
    // The reduction files keep it: all ranks from them say it on stderr and first in the
    // report, and the JSON marks that input only.
    let ttr: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path().display().to_string()).collect();
    assert_eq!(ttr.len(), 2, "{ttr:?}");
    let mut args = vec!["triage", "--all-ranks"];
    args.extend(ttr.iter().map(String::as_str));
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("half.json ends early at byte"), "{err}");
    let md = String::from_utf8(o.stdout).unwrap();
    let first = md.lines().next().unwrap();
    assert!(first.starts_with("**Warning: ") && first.contains("half.json ends early at byte"), "{first}");
    args.extend(["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&run(&args).stdout).unwrap();
    let cut = json["inputs"].as_array().unwrap().iter().filter(|i| i.get("ends_early").is_some()).count();
    assert_eq!(cut, 1, "{}", json["inputs"]);
}

#[test]
fn progress_shows_on_a_terminal_unless_quiet() {
    testkit::needs_corpus!();
    // A pseudo-terminal from util-linux's `script`; skipped where it is missing.
    if Command::new("script").arg("--version").output().is_err() {
        return;
    }
    let trace = traces().join("hta_v100_2rank_ddp_rank1_large.trace.json.gz");
    let bin = env!("CARGO_BIN_EXE_tracetriage");
    for (quiet, shown) in [("", true), (" --quiet", false)] {
        let command = format!("{bin} triage{quiet} {} > /dev/null", trace.display());
        let o = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("TRACETRIAGE_PROGRESS_AFTER_MS", "0")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let tty = String::from_utf8_lossy(&o.stdout);
        assert_eq!(tty.contains("events,"), shown, "{quiet}: {tty}");
        assert_eq!(tty.contains("reading"), shown, "{quiet}: {tty}");
    }
}
