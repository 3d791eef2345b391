//! The fuse catalog and its matcher: every catalog file parses with unique kebab-case ids
//! and compiled signals; the 47 patterns carry the seed registry's facts; each pattern has
//! a hand-built fixture (`tests/catalog/positive/`, written by
//! `tests/catalog/make_fixtures.py`) that produces it and nothing else; the seed tool's
//! false positives (`tests/catalog/negative/`) stay out; near-miss notes, user catalog
//! files and the lookup API behave.

use std::path::{Path, PathBuf};

use report::Report;
use report::engine::Catalog;
use report::engine::catalog::fuse::Origin;
use report::engine::triage::Input;
use report::engine::triage::Options;
use report::fuse::FuseRow;
use report::fuse::Similarity;
use report::triage::triage_with as triage;

use crate::common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn triage_file(path: &Path, catalog: &Catalog) -> Report {
    let trace =
        report::trace::load(&common::read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let options = Options { min_share_pct: 0.0, ..Options::default() };
    triage(&[Input { path: &name, trace: &trace }], &options, catalog)
}

fn triage_json(json: &str, catalog: &Catalog) -> Report {
    let trace = report::trace::load(json.as_bytes()).unwrap();
    let options = Options { min_share_pct: 0.0, ..Options::default() };
    triage(&[Input { path: "t.json", trace: &trace }], &options, catalog)
}

fn rows(r: &Report) -> Vec<&FuseRow> {
    r.stages.iter().flat_map(|s| s.fuse.rows.iter()).collect()
}

fn ids(r: &Report) -> Vec<&str> {
    rows(r).iter().map(|row| row.id.as_str()).collect()
}

#[test]
fn every_catalog_file_parses_with_unique_ids_and_compiled_signals() {
    let c = Catalog::from_builtin_files().expect("the embedded catalog is valid");
    // Every fuse*/overlap* file of catalog/ is embedded.
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("catalog"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && (n.starts_with("fuse") || n.starts_with("overlap")))
        .map(|n| format!("catalog/{n}"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> =
        report::engine::catalog::PATTERN_FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "every catalog file is embedded (catalog/mod.rs PATTERN_FILES)");
    assert_eq!(c.files.len(), embedded.len());

    assert_eq!(c.patterns.len(), 47, "Part A has 47 runtime patterns");
    let mut all: Vec<&str> =
        c.patterns.iter().map(|p| p.id.as_str()).chain(c.entries.iter().map(|e| e.id.as_str())).collect();
    for id in &all {
        assert!(report::engine::catalog::fuse::is_kebab(id), "{id} is kebab-case");
    }
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "ids are unique");
    // Reference entries: Parts B (165 families + 44 toggles), C (33 + 18) and D (15 + 15).
    let kinds = |k: &str| c.entries.iter().filter(|e| e.kind == k).count();
    assert_eq!(c.entries.len(), 209 + 51 + 30);
    assert_eq!(kinds("toggle"), 44 + 18);
    assert_eq!(kinds("compile-pass") + kinds("compile-fusion"), 30);
    for e in &c.entries {
        assert_eq!(e.compiled.len(), e.signals.len(), "{}: every signal compiles", e.id);
        assert!(!e.paths.is_empty() || e.kind == "toggle", "{}: has source paths", e.id);
    }
    for p in &c.patterns {
        let signals = p.fused.kernel.len() + p.fused.cpu_op.len() + p.fused.python.len();
        assert!(signals > 0 || !p.split.is_empty(), "{}", p.id);
        assert!(!p.paths.is_empty(), "{}: candidate paths", p.id);
        for r in &p.refs {
            assert!(c.reference(r).is_some(), "{}: ref {r}", p.id);
        }
    }
}

/// One Part A row: (name, origin, min_share, likely_share, priority, subsumed names,
/// candidate-path lines).
type PartARow = (String, String, f64, f64, i32, Vec<String>, Vec<String>);

/// Part A of `../shared/reference/catalog-facts.md`.
fn part_a() -> Vec<PartARow> {
    let path = crate::common::reference_file("catalog-facts.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list = |cell: &str| -> Vec<String> {
        cell.split("<br>").map(str::trim).filter(|s| !s.is_empty() && *s != "-").map(str::to_owned).collect()
    };
    text.lines()
        .skip_while(|l| !l.starts_with("## Part A"))
        .take_while(|l| !l.starts_with("Notes on Part A"))
        .filter(|l| {
            l.starts_with("| ") && l.split('|').nth(1).is_some_and(|c| c.trim().parse::<u32>().is_ok())
        })
        .map(|l| {
            let c: Vec<&str> = l.split('|').map(str::trim).collect();
            let origin = c[3].split(' ').next().unwrap().to_owned();
            (
                c[2].to_owned(),
                origin,
                c[9].parse().unwrap(),
                c[10].parse().unwrap(),
                c[11].parse().unwrap(),
                list(c[12]),
                list(c[13]),
            )
        })
        .collect()
}

#[test]
fn patterns_carry_the_seed_registrys_facts() {
    testkit::needs_corpus!();
    let c = Catalog::builtin();
    let seed = part_a();
    assert_eq!(seed.len(), 47);
    for (i, (p, (name, origin, min, likely, priority, subsumes, paths))) in
        c.patterns.iter().zip(&seed).enumerate()
    {
        assert_eq!(p.source_id.as_deref(), Some(format!("A{}", i + 1).as_str()), "registry order");
        assert_eq!(&p.name, name);
        let o = match p.origin {
            Origin::Mainline => "mainline",
            Origin::Upstream => "upstream",
            Origin::Inflight => "pending",
        };
        assert_eq!(o, origin, "{}", p.id);
        assert_eq!((p.min_share, p.likely_share, p.priority), (*min, *likely, *priority), "{}", p.id);
        let names: Vec<String> = p.subsumes.iter().map(|s| c.pattern(s).unwrap().name.clone()).collect();
        assert_eq!(&names, subsumes, "{}", p.id);
        // Candidate paths: the seed's lines, with `PR #N` coming from `pr`.
        let mut ours: Vec<String> =
            p.pr.iter().map(|pr| format!("PR #{}", pr.split('#').nth(1).unwrap())).collect();
        ours.extend(p.paths.iter().cloned());
        assert_eq!(&ours, paths, "{}", p.id);
    }
}

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("tests/catalog").join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_pattern_has_a_fixture_that_triggers_it_and_nothing_else() {
    let c = Catalog::builtin();
    let files = fixtures("positive");
    for p in &c.patterns {
        assert!(
            files.iter().any(|f| f.file_stem().unwrap() == p.id.as_str()),
            "{}: no fixture tests/catalog/positive/{}.json",
            p.id,
            p.id
        );
    }
    for f in &files {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        let (id, split) = match stem.split_once("--") {
            Some((id, "split")) => (id.to_owned(), true),
            _ => (stem.clone(), false),
        };
        assert!(c.pattern(&id).is_some(), "{stem}: names no pattern");
        let r = triage_file(f, c);
        assert_eq!(ids(&r), [id.as_str()], "{stem}: exactly its own pattern");
        let row = rows(&r)[0];
        assert_eq!(row.fused_present, !split, "{stem}: fused path or split kernels");
        assert!(
            !row.kernels.is_empty() && row.share_pct >= 50.0,
            "{stem}: the family's kernels are the fixture's"
        );
        let md = report::markdown::render(&r);
        assert!(md.contains(&format!("| {} |", row.pattern)), "{stem}: the row renders");
    }
}

#[test]
fn bf16_nvjet_with_memcpy128_is_not_the_fp8_nvjet_pattern() {
    const PR: &str = "sglang-pr22392-cutlass-fp8-scaled-mm";
    let path = root().join("tests/catalog/negative/bf16-nvjet-memcpy128.json");
    let r = triage_file(&path, Catalog::builtin());
    assert!(!ids(&r).contains(&PR), "{:?}", ids(&r));
    assert!(r.stages.iter().all(|s| s.fuse.near_miss.as_ref().is_none_or(|n| n.id != PR)));
    assert!(r.stages[0].fuse.context.dtypes.is_empty(), "a BF16 run shows no low-precision type");
    // The same kernels in an FP8 run (an FP8 quantize kernel beside them) are the PR's split ladder.
    let mut doc: serde_json::Value = serde_json::from_slice(&common::read(&path)).unwrap();
    doc["traceEvents"].as_array_mut().unwrap().push(serde_json::json!({
        "ph": "X", "cat": "kernel", "name": "void per_token_group_quant_8bit_kernel<c10::Float8_e4m3fn>(int)",
        "pid": 0, "tid": 7, "ts": 5000, "dur": 1, "args": {"device": 0, "stream": 7}
    }));
    let r = triage_json(&doc.to_string(), Catalog::builtin());
    let row = rows(&r).into_iter().find(|row| row.id == PR).expect("FP8 run: the PR pattern matches");
    assert!(!row.fused_present);
    let roles: Vec<&str> = row.kernels.iter().map(|k| k.role.as_str()).collect();
    assert!(roles.contains(&"nvjet / scaled MM") && roles.contains(&"memset / copy"), "{roles:?}");
}

#[test]
fn a_cos_sin_cache_rope_kernel_is_not_a_kv_cache_write() {
    let path = root().join("tests/catalog/negative/rope-cossincache.json");
    let r = triage_file(&path, Catalog::builtin());
    for id in [
        "sglang-fused-qk-rope-reshape-kv-write",
        "sglang-fused-rope-kv-store",
        "sglang-fused-qk-rope-cat-mla-cache",
        "sglang-qwen3-fused-qknorm-mrope-kv-write",
        "sglang-pr20667-qwen35-qknorm-rope-kv-write",
    ] {
        assert!(!ids(&r).contains(&id), "{id}: {:?}", ids(&r));
    }
    for row in rows(&r) {
        for k in &row.kernels {
            assert!(
                !(k.name.contains("CosSinCache") && k.role.contains("cache")),
                "{}: {} as {}",
                row.id,
                k.name,
                k.role
            );
        }
    }
    // What the trace does show: a split QK norm + RoPE.
    assert_eq!(ids(&r), ["sglang-fused-qknorm-rope"]);
}

#[test]
fn a_qk_norm_kernel_under_an_rmsnorm_op_is_not_an_rmsnorm_row() {
    let path = root().join("tests/catalog/negative/qknorm-under-rmsnorm-op.json");
    let r = triage_file(&path, Catalog::builtin());
    for row in rows(&r) {
        for k in row.kernels.iter().filter(|k| k.name.contains("qknorm")) {
            assert!(!k.role.contains("RMSNorm"), "{}: the QK-norm kernel as {}", row.id, k.role);
        }
    }
    assert!(!ids(&r).contains(&"sglang-flashinfer-allreduce-fusion"));
    // It is the in-place QK RMSNorm, present.
    assert_eq!(ids(&r), ["sglang-inplace-qk-rmsnorm"]);
    assert!(rows(&r)[0].fused_present);
}

/// A tiny SGLang trace: kernels (name, python function) on one thread, model file `model`.
fn sglang_trace(model: Option<&str>, world: Option<i64>, kernels: &[(&str, &str)]) -> String {
    let mut ev = vec![
        r#"{"ph":"M","name":"process_name","pid":100,"tid":0,"args":{"name":"sglang::scheduler_TP0"}}"#
            .to_owned(),
    ];
    let model_path = model.map_or("python/sglang/srt/model_executor/model_runner.py".to_owned(), |m| {
        format!("python/sglang/srt/models/{m}.py")
    });
    ev.push(format!(
        r#"{{"ph":"X","cat":"python_function","name":"{model_path}(1): forward","pid":100,"tid":1,"ts":0,"dur":100000}}"#
    ));
    for (i, (name, func)) in kernels.iter().enumerate() {
        let t = 100 * (i + 1);
        let c = i + 1;
        ev.push(format!(r#"{{"ph":"X","cat":"python_function","name":"python/sglang/srt/models/utils.py(9): {func}","pid":100,"tid":1,"ts":{t},"dur":10}}"#));
        ev.push(format!(r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":100,"tid":1,"ts":{},"dur":2,"args":{{"correlation":{c}}}}}"#, t + 1));
        ev.push(format!(r#"{{"ph":"X","cat":"kernel","name":"{name}","pid":0,"tid":7,"ts":{},"dur":50,"args":{{"device":0,"stream":7,"correlation":{c}}}}}"#, t + 5));
    }
    let dist =
        world.map_or(String::new(), |w| format!(r#""distributedInfo":{{"rank":0,"world_size":{w}}},"#));
    format!(
        r#"{{{dist}"deviceProperties":[{{"id":0,"name":"AMD Instinct MI300X"}}],"hip_runtime_version":6,"traceEvents":[{}]}}"#,
        ev.join(",")
    )
}

#[test]
fn near_miss_notes_say_how_close_and_why() {
    let c = Catalog::builtin();
    const QWEN3: &str = "sglang-qwen3-fused-qknorm-mrope-kv-write";
    let rope = ("void rotary_embedding_kernel<c10::BFloat16, true>", "forward");
    let store = ("void store_kvcache<2048l, 4, false, long>", "forward");
    let qknorm = ("void aiter::rmsnorm_kernel<__hip_bfloat16>", "apply_qk_norm");
    // Two of three groups, model known to be Qwen3: medium.
    let r = triage_json(&sglang_trace(Some("qwen3"), None, &[rope, store]), c);
    let n = r.stages[0].fuse.near_miss.as_ref().expect("a near miss");
    assert_eq!((n.id.as_str(), n.similarity), (QWEN3, Similarity::Medium));
    assert_eq!(n.missing, ["Q/K norm"]);
    assert!(n.undecided.is_empty());
    let md = report::markdown::render(&r);
    assert!(
        md.contains(
            "Near miss (similarity medium): `Qwen3 decode fused QK norm + 3D mRoPE + KV cache write`"
        ),
        "{md}"
    );
    assert!(
        md.contains("2 of 3 split groups matched (mRoPE and KV-cache write); no kernel for Q/K norm."),
        "{md}"
    );
    // The same without a model name: low, and the note says the model is unknown.
    let r = triage_json(&sglang_trace(None, None, &[rope, store]), c);
    let n = r.stages[0].fuse.near_miss.as_ref().expect("a near miss");
    assert_eq!((n.id.as_str(), n.similarity), (QWEN3, Similarity::Low));
    assert!(n.undecided[0].contains("the model is unknown"), "{:?}", n.undecided);
    // Every group, model unknown: high (three groups); the pattern is not a row.
    let r = triage_json(&sglang_trace(None, None, &[qknorm, rope, store]), c);
    let n = r.stages[0].fuse.near_miss.as_ref().expect("a near miss");
    assert_eq!((n.id.as_str(), n.similarity), (QWEN3, Similarity::High));
    assert!(n.missing.is_empty());
    assert!(!ids(&r).contains(&QWEN3));
    // With the model named, it is a row and no longer a near miss.
    let r = triage_json(&sglang_trace(Some("qwen3"), None, &[qknorm, rope, store]), c);
    assert_eq!(ids(&r), [QWEN3]);
    assert!(r.stages[0].fuse.near_miss.as_ref().is_none_or(|n| n.id != QWEN3));
    // A model that is known to be something else: no note for it.
    let r = triage_json(&sglang_trace(Some("llama"), None, &[rope, store]), c);
    assert!(r.stages[0].fuse.near_miss.as_ref().is_none_or(|n| n.id != QWEN3));
    // Deterministic.
    let a = triage_json(&sglang_trace(None, None, &[rope, store]), c);
    let b = triage_json(&sglang_trace(None, None, &[rope, store]), c);
    assert_eq!(a.stages[0].fuse, b.stages[0].fuse);
}

#[test]
fn gates_read_model_tp_and_platform() {
    let c = Catalog::builtin();
    // The AITER all-reduce fusion (ROCm, TP ≥ 2) from its split kernels.
    let ar = ("void (anonymous namespace)::cross_device_reduce_2stage<__hip_bfloat16, 8>", "forward");
    let norm = ("void aiter::rmsnorm_kernel<__hip_bfloat16>", "forward");
    let id = "sglang-aiter-allreduce-fusion";
    assert!(ids(&triage_json(&sglang_trace(None, Some(2), &[ar, norm]), c)).contains(&id));
    assert!(!ids(&triage_json(&sglang_trace(None, Some(1), &[ar, norm]), c)).contains(&id), "TP 1");
    let unknown = triage_json(&sglang_trace(None, None, &[ar, norm]), c);
    assert!(!ids(&unknown).contains(&id), "TP unknown: split kernels are not enough");
    // server_args.json gives the TP size (and wins over distributedInfo).
    let trace = report::trace::load(sglang_trace(None, Some(1), &[ar, norm]).as_bytes()).unwrap();
    let args = report::engine::analysis::framework::ServerArgs::parse(
        r#"{"model_path":"Qwen/Qwen3-8B","tp_size":2}"#,
    );
    let o = Options { min_share_pct: 0.0, server_args: args, ..Options::default() };
    let r = triage(&[Input { path: "t.json", trace: &trace }], &o, c);
    assert!(ids(&r).contains(&id));
    let ctx = &r.stages[0].fuse.context;
    assert_eq!((ctx.tp_size, ctx.tp_source.as_deref()), (Some(2), Some("server_args.json")));
    assert_eq!(ctx.model.as_deref(), Some("Qwen/Qwen3-8B"));
    // A fused kernel needs no TP size: it is its own evidence.
    let fused = ("void aiter::custom_fused_ar_rms_kernel<__hip_bfloat16>", "forward");
    assert!(ids(&triage_json(&sglang_trace(None, None, &[fused]), c)).contains(&id));
    // Unknown framework: nothing framework-specific is checked, and the table says so.
    let bare = r#"{"traceEvents":[{"ph":"X","cat":"kernel","name":"void flashinfer::norm::FusedAddRMSNormKernel<8u, bf16>","pid":0,"tid":7,"ts":1,"dur":5,"args":{"device":0,"stream":7}}]}"#;
    let r = triage_json(bare, c);
    assert!(ids(&r).is_empty());
    assert_eq!(r.stages[0].fuse.patterns_checked, 0);
    assert!(report::markdown::render(&r).contains("the serving framework is unknown"));
}

#[test]
fn a_user_catalog_file_adds_patterns_and_bad_files_say_where() {
    let mine = r#"
[[pattern]]
id = "my-fused-thing"
name = "My fused thing"
framework = "sglang"
origin = "inflight"
pr = "me/repo#7"
rationale = "Mine."
paths = ["my/path.py"]
fused.kernel = ["my_fused_thing"]

[[entry]]
id = "my-overlap-family"
name = "My overlap family"
kind = "overlap"
framework = "sglang"
signals = ["my_dispatch"]
paths = ["my/other.py"]
"#;
    let c = Catalog::builtin_with("mine.toml", mine).expect("valid");
    assert_eq!(c.patterns.len(), 48);
    let r = triage_json(&sglang_trace(None, None, &[("void my_fused_thing_kernel<int>", "forward")]), &c);
    assert_eq!(ids(&r), ["my-fused-thing"]);
    let md = report::markdown::render(&r);
    assert!(md.contains("PR #7<br>my/path.py"), "{md}");
    assert!(md.contains("Matches an open upstream path (100.0% related GPU time). Mine."), "{md}");
    let view = c.entry("my-fused-thing").unwrap();
    assert_eq!(view.prs[0].url, "https://github.com/me/repo/pull/7");

    let err = |text: &str| Catalog::builtin_with("mine.toml", text).unwrap_err().to_string();
    let pattern = |extra: &str| {
        format!(
            "[[pattern]]\nid = \"x-y\"\nname = \"X\"\nframework = \"sglang\"\norigin = \"mainline\"\nrationale = \"r\"\n{extra}\n"
        )
    };
    assert_eq!(
        err(&pattern("fused.kernel = ['/(/']")),
        "mine.toml: pattern `x-y`: pattern \"/(/\" is not a valid regular expression: found open group without closing ')'"
    );
    assert_eq!(
        err(&pattern("fused.kernel = ['k']\nsubsumes = ['nope']")),
        "mine.toml: pattern `x-y`: `subsumes` names `nope`, which is not another pattern"
    );
    assert_eq!(err(&pattern("")), "mine.toml: pattern `x-y`: a pattern needs fused signals or split groups");
    assert!(
        err(&pattern("fused.kernel = ['k']\ncolour = 'red'"))
            .starts_with("mine.toml: line 8, column 1 (pattern 1, id `x-y`): unknown field `colour`")
    );
    assert!(err(&pattern("fused.kernel = ['k']").replace("x-y", "X_Y")).contains("is not kebab-case"));
    assert!(
        err(&pattern("fused.kernel = ['k']").replace("x-y", "vllm-fused-add-rmsnorm"))
            .contains("is already used by the catalog")
    );
    assert!(
        err(&pattern("fused.kernel = ['k']").replace("mainline", "inflight"))
            .ends_with("an in-flight pattern needs its `pr`")
    );
    assert!(err("[[rule]]\ncategory = 'gemm'\nbase = ['x']").contains("unknown field `rule`"));
    assert!(err("not toml [").starts_with("mine.toml: line 1"));
}

#[test]
fn lookups_give_display_fields_and_overlap_links() {
    testkit::needs_corpus!();
    let c = Catalog::builtin();
    let v = c.entry("sglang-pr22392-cutlass-fp8-scaled-mm").unwrap();
    assert_eq!(
        (v.kind.as_str(), v.status.as_str(), v.framework.as_str()),
        ("fuse-pattern", "in-flight", "sglang")
    );
    assert_eq!(v.prs[0].url, "https://github.com/sgl-project/sglang/pull/22392");
    assert!(v.gates.iter().any(|g| g == "data type FP8 in the trace"), "{:?}", v.gates);
    assert_eq!(
        v.signals.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        ["fused path", "nvjet / scaled MM", "memset / copy"]
    );
    assert!(v.rationale.is_some() && !v.paths.is_empty());
    // Reference entries: the side panel of a row's `refs`.
    let e = c.entry("o5-01-flashinfer-pdl-launch-overlap-family").unwrap();
    assert_eq!(
        (e.kind.as_str(), e.framework.as_str(), e.source_id.as_deref()),
        ("overlap", "flashinfer", Some("O5.01"))
    );
    assert!(e.signals[0].kernel.contains(&"allreduce_fusion".to_owned()));
    let f = c.entry("f1-01-fused-residual-add-rmsnorm").unwrap();
    assert!(f.related.contains(&"sglang-fused-add-rmsnorm".to_owned()));
    assert!(c.entry("no-such-id").is_none());
    // Every fuse row of the corpus links to an entry.
    let r = crate::golden::report_of(
        &common::corpus_file("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz"),
        "bs16-TP-0",
    );
    assert!(!rows(&r).is_empty());
    for row in rows(&r) {
        assert!(c.entry(&row.id).is_some(), "{}", row.id);
        for id in &row.refs {
            assert!(c.entry(id).is_some(), "{id}");
        }
    }
    // Overlap rows find their family by kernel name (whole tokens of the base name).
    let m = c.reference_matches(
        "void flashinfer::trtllm_allreduce_fusion::allreduce_fusion_kernel_oneshot_lamport<(Pattern)1, bf16>(Params)",
        "",
        &["overlap"],
    );
    let found: Vec<&str> = m.iter().map(|m| m.id.as_str()).collect();
    assert!(found.contains(&"o5-01-flashinfer-pdl-launch-overlap-family"), "{found:?}");
    assert_eq!(c.reference(found[0]).unwrap().name, "FlashInfer PDL launch-overlap family");
    assert!(
        c.reference_matches("void at::native::index_kernel<int>", "aten::index", &["overlap"]).is_empty()
    );
}

#[test]
fn corpus_rows_where_the_seed_tool_was_wrong() {
    testkit::needs_corpus!();
    // bs16 TP-0 (BF16 Qwen3-30B-A3B, TP 4). The seed reported the FP8 nvjet PR (any nvjet
    // plus memcpy128) and "Fused QK RoPE reshape + KV cache write" with two attention
    // kernels (`…PagedKv…`) as the KV write; the trace runs SGLang's fused RoPE + KV store
    // (`fused_rope_store_kernel`) and the FlashInfer all-reduce fusion in decode, which the
    // seed could not see without `tp_size` in server args.
    let r = crate::golden::report_of(
        &common::corpus_file("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz"),
        "bs16-TP-0",
    );
    let decode = r.stages.iter().find(|s| s.stage == report::engine::vocab::Stage::Decode).unwrap();
    let decode_ids: Vec<&str> = decode.fuse.rows.iter().map(|row| row.id.as_str()).collect();
    assert!(!decode_ids.contains(&"sglang-pr22392-cutlass-fp8-scaled-mm"), "{decode_ids:?}");
    assert!(!decode_ids.contains(&"sglang-fused-qk-rope-reshape-kv-write"), "{decode_ids:?}");
    let store =
        decode.fuse.rows.iter().find(|row| row.id == "sglang-fused-rope-kv-store").expect("RoPE + KV store");
    assert!(store.fused_present && store.kernels.iter().all(|k| k.name.contains("fused_rope_store_kernel")));
    let ar = decode
        .fuse
        .rows
        .iter()
        .find(|row| row.id == "sglang-flashinfer-allreduce-fusion")
        .expect("AR fusion");
    assert!(ar.fused_present);
    for row in &decode.fuse.rows {
        for k in &row.kernels {
            assert!(!k.name.starts_with("fmha"), "{}: attention kernel {} as {}", row.id, k.name, k.role);
        }
    }
    // MI300X (BF16): the same false FP8 row never appears; the RoPE + store_kvcache split is right.
    let r = crate::golden::report_of(
        &common::corpus_file("sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz"),
        "mi300x",
    );
    let row = rows(&r).into_iter().find(|row| row.id == "sglang-fused-qk-rope-reshape-kv-write").unwrap();
    let names: Vec<&str> = row.kernels.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names.len(), 2, "RoPE and the KV store, not the paged-attention kernel: {names:?}");
    assert!(names.iter().all(|n| !n.contains("paged_attention")));
    // vLLM gpt-oss: its FP8 attention quantizes the query itself (QuantFP8 under
    // `attention/layer.py`) and its o_proj is BF16, so there is no attention-output quant to
    // fuse; the seed's "Attention + Quantization" row (with a KV-cache write and metadata
    // copies as evidence) is not there. The fused residual add + RMSNorm is.
    let r = crate::golden::report_of(
        &common::corpus_file("vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz"),
        "vllm",
    );
    assert_eq!(ids(&r), ["vllm-fused-add-rmsnorm"]);
}

/// The all-reduce-fusion fixtures: the fused kernel alone, the split kernels alone, and
/// both in one trace (the fused fixture's events moved after the split ones).
fn allreduce_traces() -> [(&'static str, String); 3] {
    const ID: &str = "sglang-flashinfer-allreduce-fusion";
    let dir = root().join("tests/catalog/positive");
    let load =
        |name: &str| -> serde_json::Value { serde_json::from_slice(&common::read(&dir.join(name))).unwrap() };
    let fused = load(&format!("{ID}.json"));
    let split = load(&format!("{ID}--split.json"));
    let mut both = split.clone();
    let events = both["traceEvents"].as_array_mut().unwrap();
    for e in fused["traceEvents"].as_array().unwrap().iter().filter(|e| e["ph"] == "X") {
        let mut e = e.clone();
        e["ts"] = serde_json::json!(e["ts"].as_i64().unwrap() + 1000);
        for key in ["correlation", "External id", "Python id"] {
            if let Some(v) = e["args"][key].as_i64() {
                e["args"][key] = serde_json::json!(v + 10);
            }
        }
        events.push(e);
    }
    [("fused", fused.to_string()), ("split", split.to_string()), ("both", both.to_string())]
}

#[test]
fn the_fuse_state_says_in_use_missing_or_partly_in_every_renderer() {
    use report::fuse::FuseState;
    let c = Catalog::builtin();
    let [fused, split, both] = allreduce_traces();
    let expect = [
        (&fused, FuseState::InUse, "in use", "in_use"),
        (&split, FuseState::Missing, "missing", "missing"),
        (&both, FuseState::Partial, "partly (33.3% fused)", "partial"),
    ];
    for ((what, json), state, words, id) in expect {
        let r = triage_json(json, c);
        let row = rows(&r).into_iter().find(|row| row.id == "sglang-flashinfer-allreduce-fusion");
        let row = row.unwrap_or_else(|| panic!("{what}: the pattern matches: {:?}", ids(&r)));
        assert_eq!(row.state, state, "{what}");
        assert_eq!(report::fuse::state_text(row), words, "{what}");
        // Markdown: the State column right after Pattern, before the seed's Confidence.
        let md = report::markdown::render(&r);
        assert!(md.contains("| Pattern | State | Confidence |"), "{what}: the State column");
        assert!(md.contains(&format!("| {} | {words} | Confirmed |", row.pattern)), "{what}: {md}");
        // CSV: its own `state` field, in words.
        let csv = report::csv::render_table(&r, report::csv::CsvTable::Fuse);
        assert!(csv.lines().next().unwrap().starts_with("stage,pattern,state,confidence,"), "{what}: {csv}");
        assert!(csv.contains(&format!("{},{words},Confirmed,", row.pattern)), "{what}: {csv}");
        // JSON: `state` as its id, read back the same; a shared link keeps it.
        let text = r.to_json();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["stages"][0]["fuse"]["rows"][0]["state"], id, "{what}");
        let back = Report::from_json(&text).unwrap();
        assert_eq!(back.stages[0].fuse, r.stages[0].fuse, "{what}: JSON round trip");
        let shared = report::share::decode(&report::share::encode(&r)).unwrap();
        assert_eq!(shared.stages[0].fuse.rows, r.stages[0].fuse.rows, "{what}: shared link");
    }
    // A report written before `state` existed reads back with the state `fused_present`
    // and `origin` give.
    let r = triage_json(&split.1, c);
    let mut doc: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    doc["stages"][0]["fuse"]["rows"][0].as_object_mut().unwrap().remove("state");
    let old = Report::from_json(&doc.to_string()).unwrap();
    assert_eq!(old.stages[0].fuse.rows[0].state, FuseState::Missing);
}

#[test]
fn a_diff_says_when_a_fuse_pattern_changed_state() {
    let c = Catalog::builtin();
    let [fused, split, both] = allreduce_traces();
    let (a, b) = (triage_json(&split.1, c), triage_json(&fused.1, c));
    let d = report::diff::diff(&a, &b, &report::diff::DiffOptions::default());
    let row = d.stages[0].fuse.iter().find(|f| f.id == "sglang-flashinfer-allreduce-fusion").unwrap();
    assert!(row.changed());
    assert_eq!(report::diff::view::fuse_change(row), "missing → in use");
    let md = report::diff::markdown::render(&d);
    assert!(
        md.contains("| FlashInfer unified allreduce_fusion | missing | in use | missing → in use |"),
        "{md}"
    );
    assert!(md.contains("1 fuse pattern changed state between A and B."), "{md}");
    // The diff's JSON and link carry both states.
    let back = report::DiffReport::from_json(&d.to_json()).unwrap();
    assert_eq!(back.stages[0].fuse, d.stages[0].fuse);
    // Partly → in use, and unchanged.
    let p = triage_json(&both.1, c);
    let d = report::diff::diff(&p, &b, &report::diff::DiffOptions::default());
    let row = d.stages[0].fuse.iter().find(|f| f.id == "sglang-flashinfer-allreduce-fusion").unwrap();
    assert_eq!(report::diff::view::fuse_change(row), "partly (33.3% fused) → in use");
    let d = report::diff::diff(&b, &b, &report::diff::DiffOptions::default());
    assert!(d.stages[0].fuse.iter().all(|f| !f.changed()));
    assert!(report::diff::markdown::render(&d).contains("No fuse pattern changed state between A and B."));
}

#[test]
fn missing_rows_come_first_by_gpu_time() {
    use report::fuse::FuseState;
    let c = Catalog::builtin();
    // The corpus-free check: every fixture's rows, shuffled into one table, sort by state then time.
    let mut table = report::fuse::FuseTable { computed: true, ..Default::default() };
    for f in fixtures("positive") {
        table.rows.extend(triage_file(&f, c).stages.iter().flat_map(|s| s.fuse.rows.clone()));
    }
    let states: Vec<FuseState> = table.rows.iter().map(|r| r.state).collect();
    assert!(states.contains(&FuseState::Missing) && states.contains(&FuseState::InUse));
    assert!(states.contains(&FuseState::Upstream), "{states:?}");
    let order = report::fuse::order(&table);
    let shown: Vec<(FuseState, i64)> =
        order.iter().map(|&i| (table.rows[i].state, -table.rows[i].gpu_ns)).collect();
    let mut sorted = shown.clone();
    sorted.sort();
    assert_eq!(shown, sorted);
    let t = report::fuse::table(&table, 0.0);
    assert_eq!(t.rows[0][1].lines, ["missing"]);
    assert_eq!(t.rows[0][1].badge, Some("missing"));
    assert_eq!(t.rows.last().unwrap()[1].lines, ["in use"]);
}
