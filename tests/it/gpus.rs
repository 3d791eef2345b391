//! GPU peak figures (`catalog/gpus.toml`): the embedded file parses and has every GPU the
//! roofline needs; the device names torch.profiler records resolve to the right entry and
//! near misses to none; datasheet figures, fallbacks and ridge points are what the
//! datasheets say; a user's file replaces and adds entries; every validation error names
//! the file, the entry and the reason.

use report::engine::catalog::{CatalogError, GpuSpec, GpuSpecs, PeakDtype};

fn builtin() -> &'static GpuSpecs {
    GpuSpecs::builtin()
}

fn spec(id: &str) -> &'static GpuSpec {
    builtin().get(id).unwrap_or_else(|| panic!("no gpu `{id}`"))
}

/// The GPUs a roofline of an LLM inference server must know.
const REQUIRED: &[&str] = &[
    "v100-sxm2",
    "a100-sxm4-40gb",
    "a100-sxm4-80gb",
    "a100-pcie-80gb",
    "h100-sxm",
    "h100-pcie",
    "h100-nvl",
    "h200-sxm",
    "b200",
    "gb200",
    "gb300",
    "l40s",
    "mi300x",
    "mi325x",
    "mi355x",
];

#[test]
fn the_embedded_file_parses_with_every_required_gpu() {
    let s = GpuSpecs::parse("catalog/gpus.toml", report::engine::catalog::gpus::GPUS).expect("valid");
    assert_eq!(&s, builtin());
    assert_eq!(s.files, ["catalog/gpus.toml"]);
    for id in REQUIRED {
        assert!(s.get(id).is_some(), "catalog/gpus.toml has `{id}`");
    }
    for g in &s.gpus {
        assert!(report::engine::catalog::fuse::is_kebab(&g.id), "{}", g.id);
        assert!(!g.source.is_empty() && !g.fraction_source.is_empty(), "{}: sources", g.id);
        assert!(g.vendor == "nvidia" || g.vendor == "amd", "{}", g.id);
    }
}

#[test]
fn real_device_names_resolve_to_their_gpu() {
    // Names as torch.profiler records them in `deviceProperties` (the corpus has the H800,
    // A100-SXM4-80GB, both V100s, GB300, B200 and MI300X ones).
    let cases = [
        ("NVIDIA H100 80GB HBM3", "h100-sxm"),
        ("NVIDIA H100 PCIe", "h100-pcie"),
        ("NVIDIA H100 NVL", "h100-nvl"),
        ("NVIDIA H800", "h800-sxm"),
        ("NVIDIA H200", "h200-sxm"),
        ("NVIDIA H200 NVL", "h200-nvl"),
        ("NVIDIA B200", "b200"),
        ("NVIDIA GB200", "gb200"),
        ("NVIDIA GB300", "gb300"),
        ("NVIDIA A100-SXM4-80GB", "a100-sxm4-80gb"),
        ("NVIDIA A100-SXM-80GB", "a100-sxm4-80gb"),
        ("NVIDIA A100-SXM4-40GB", "a100-sxm4-40gb"),
        ("NVIDIA A100 80GB PCIe", "a100-pcie-80gb"),
        ("NVIDIA A100-PCIE-40GB", "a100-pcie-40gb"),
        ("NVIDIA L40S", "l40s"),
        ("Tesla V100-SXM2-16GB", "v100-sxm2"),
        ("Tesla V100-SXM2-32GB", "v100-sxm2"),
        ("Tesla V100-DGXS-32GB", "v100-sxm2"),
        ("Tesla V100-PCIE-16GB", "v100-pcie"),
        ("AMD Instinct MI300X", "mi300x"),
        ("AMD Instinct MI300X VF", "mi300x"),
        ("AMD Instinct MI325X", "mi325x"),
        ("AMD Instinct MI355X", "mi355x"),
        ("amd instinct mi355x", "mi355x"),
    ];
    for (name, id) in cases {
        assert_eq!(builtin().find(name).map(|g| g.id.as_str()), Some(id), "{name}");
    }
    // The traps: a form factor, a longer word, another part of the same family.
    assert_ne!(builtin().find("NVIDIA H100 PCIe").map(|g| g.id.as_str()), Some("h100-sxm"));
    assert_ne!(builtin().find("NVIDIA GB200").map(|g| g.id.as_str()), Some("b200"));
    assert_eq!(spec("a100-sxm4-40gb").hbm_tbps, 1.555);
    assert_eq!(spec("a100-sxm4-80gb").hbm_tbps, 2.039);
}

#[test]
fn names_no_entry_is_sure_of_resolve_to_none() {
    for name in [
        "AMD Instinct MI300A",
        "AMD Instinct MI350X",
        "NVIDIA GeForce RTX 4090",
        "NVIDIA H100",
        "NVIDIA H800 PCIe",
        "NVIDIA GH200 480GB",
        "NVIDIA L40",
        "Tesla V100S-PCIE-32GB",
        "NVIDIA B300 SXM6 AC",
        "",
        "   ",
    ] {
        assert_eq!(builtin().find(name).map(|g| g.id.as_str()), None, "{name:?}");
    }
}

#[test]
fn every_match_phrase_resolves_to_its_own_gpu() {
    for g in &builtin().gpus {
        for m in &g.matches {
            let name = m.trim_start_matches('=');
            let vendor = if g.vendor == "amd" { "AMD Instinct" } else { "NVIDIA" };
            let named = if m.starts_with('=') { name.to_owned() } else { format!("{vendor} {name}") };
            assert_eq!(builtin().find(&named).map(|x| x.id.as_str()), Some(g.id.as_str()), "{named}");
        }
    }
}

/// (id, HBM TB/s, bf16, fp8, fp4).
type Figures = (&'static str, f64, Option<f64>, Option<f64>, Option<f64>);

#[test]
fn datasheet_figures_are_dense_and_as_documented() {
    // From the datasheets named in the file, sparse ÷ 2.
    let table: &[Figures] = &[
        ("v100-sxm2", 0.9, None, None, None),
        ("a100-sxm4-80gb", 2.039, Some(312.0), None, None),
        ("a100-pcie-80gb", 1.935, Some(312.0), None, None),
        ("h100-sxm", 3.35, Some(989.4), Some(1978.9), None),
        ("h100-pcie", 2.0, Some(756.5), Some(1513.0), None),
        ("h100-nvl", 3.9, Some(835.5), Some(1670.5), None),
        ("h800-sxm", 3.35, Some(989.4), Some(1978.9), None),
        ("h200-sxm", 4.8, Some(989.4), Some(1978.9), None),
        ("b200", 7.7, Some(2250.0), Some(4500.0), Some(9000.0)),
        ("gb200", 8.0, Some(2500.0), Some(5000.0), Some(10000.0)),
        ("gb300", 8.0, Some(2500.0), Some(5000.0), Some(15000.0)),
        ("l40s", 0.864, Some(362.05), Some(733.0), None),
        ("mi300x", 5.3, Some(1307.4), Some(2614.9), None),
        ("mi325x", 6.0, Some(1307.4), Some(2614.9), None),
        ("mi355x", 8.0, Some(2516.6), Some(5033.2), Some(10066.4)),
    ];
    for &(id, hbm, bf16, fp8, fp4) in table {
        let g = spec(id);
        assert_eq!(g.hbm_tbps, hbm, "{id} HBM");
        assert_eq!(g.peaks.bf16, bf16, "{id} bf16");
        assert_eq!(g.peaks.fp8, fp8, "{id} fp8");
        assert_eq!(g.peaks.fp4, fp4, "{id} fp4");
    }
    let h100 = spec("h100-sxm");
    assert_eq!(
        (h100.peaks.tf32, h100.peaks.fp32, h100.peaks.fp64),
        (Some(494.7), Some(66.9), Some(66.9)),
        "H100 SXM: TF32 dense, FP32 vector, FP64 tensor"
    );
    assert_eq!(spec("mi300x").peaks.fp64, Some(163.4), "MI300X FP64 matrix");
    assert_eq!(spec("v100-sxm2").peaks.fp16, Some(125.0), "V100 tensor");
    // Same silicon, same compute: H200 = H100 SXM, MI325X = MI300X.
    assert_eq!(spec("h200-sxm").peaks, h100.peaks);
    assert_eq!(spec("mi325x").peaks, spec("mi300x").peaks);
}

#[test]
fn missing_data_types_fall_back_sensibly_or_give_none() {
    let v100 = spec("v100-sxm2");
    assert_eq!(v100.peak_tflops(PeakDtype::Fp16), Some(125.0));
    assert_eq!(v100.peak_tflops(PeakDtype::Bf16), Some(125.0), "bf16 ← fp16");
    assert_eq!(v100.peak_tflops(PeakDtype::Tf32), Some(15.7), "tf32 ← fp32");
    assert_eq!(v100.peak_tflops(PeakDtype::Fp8), None);
    assert_eq!(spec("a100-sxm4-80gb").peak_tflops(PeakDtype::Fp8), None, "Ampere has no FP8");
    assert_eq!(spec("h100-sxm").peak_tflops(PeakDtype::Fp4), None, "Hopper has no FP4");
    assert_eq!(spec("mi355x").peak_tflops(PeakDtype::Tf32), Some(157.3), "CDNA 4 has no TF32");
    assert_eq!(spec("gb300").peak_tflops(PeakDtype::Int8), None, "left out, not guessed");
    assert_eq!(spec("l40s").peak_tflops(PeakDtype::Fp64), None);
}

#[test]
fn ridge_points_are_plausible_for_every_datacenter_gpu() {
    for g in &builtin().gpus {
        let ridge = g.ridge_flop_per_byte(PeakDtype::Bf16).unwrap_or_else(|| panic!("{}: bf16", g.id));
        assert!((50.0..1000.0).contains(&ridge), "{}: bf16 ridge {ridge:.0} FLOP/byte", g.id);
        for d in PeakDtype::ALL {
            if let Some(p) = g.peaks.get(d) {
                assert!(p > 0.0 && p < 20_000.0, "{} {}: {p}", g.id, d.label());
            }
        }
        // Lower precision never has a lower peak.
        let order = [PeakDtype::Fp32, PeakDtype::Bf16, PeakDtype::Fp8, PeakDtype::Fp4];
        let peaks: Vec<f64> = order.iter().filter_map(|d| g.peaks.get(*d)).collect();
        assert!(peaks.windows(2).all(|w| w[0] < w[1]), "{}: {peaks:?}", g.id);
    }
}

#[test]
fn fractions_are_the_documented_vendor_defaults() {
    for g in &builtin().gpus {
        let expected = if g.vendor == "amd" { (0.6, 0.8) } else { (0.8, 0.9) };
        assert_eq!((g.compute_fraction, g.memory_fraction), expected, "{}", g.id);
        assert!(g.fraction_source.contains("default"), "{}: {}", g.id, g.fraction_source);
    }
    let h100 = spec("h100-sxm");
    assert_eq!(h100.achievable_tbps(), 3.35 * 0.9);
    assert_eq!(h100.achievable_tflops(PeakDtype::Bf16), Some(989.4 * 0.8));
}

const MINE: &str = r#"
# A measured H100 SXM replaces the datasheet one; a new GPU is added.
[[gpu]]
id = "h100-sxm"
label = "NVIDIA H100 SXM (measured)"
vendor = "nvidia"
match = ["H100 80GB HBM3"]
hbm_tbps = 3.35
compute_fraction = 0.72
memory_fraction = 0.91
fraction_source = "our cuBLAS and nvbandwidth runs"
source = "NVIDIA H100 datasheet"
[gpu.peaks]
bf16 = 989.4

[[gpu]]
id = "gh200-96gb"
label = "NVIDIA GH200 96GB"
vendor = "nvidia"
match = ["GH200 96GB"]
hbm_tbps = 4.0
source = ["NVIDIA GH200 datasheet"]
[gpu.peaks]
bf16 = 989.4
fp8 = 1978.9
"#;

#[test]
fn a_user_file_replaces_an_entry_and_adds_one() {
    let s = GpuSpecs::builtin_with("mine.toml", MINE).expect("valid");
    assert_eq!(s.files, ["catalog/gpus.toml", "mine.toml"]);
    assert_eq!(s.gpus.len(), builtin().gpus.len() + 1);
    let h100 = s.find("NVIDIA H100 80GB HBM3").expect("h100");
    assert_eq!(h100.label, "NVIDIA H100 SXM (measured)");
    assert_eq!((h100.compute_fraction, h100.memory_fraction), (0.72, 0.91));
    assert_eq!(h100.peaks.fp8, None, "replaced whole, not merged");
    let pos = |s: &GpuSpecs, id: &str| s.gpus.iter().position(|g| g.id == id);
    assert_eq!(pos(&s, "h100-sxm"), pos(builtin(), "h100-sxm"), "replaced in place");
    let gh = s.find("NVIDIA GH200 96GB").expect("new entry");
    assert_eq!(gh.id, "gh200-96gb");
    assert_eq!((gh.compute_fraction, gh.memory_fraction), (0.8, 0.9), "vendor defaults");
    assert!(gh.fraction_source.contains("NVIDIA default"), "{}", gh.fraction_source);
    // Everything else is the built-in file's.
    assert_eq!(s.get("mi300x"), builtin().get("mi300x"));
    // The built-in specs are untouched.
    assert_eq!(builtin().get("h100-sxm").map(|g| g.compute_fraction), Some(0.8));
}

#[test]
fn a_user_entry_may_not_take_a_phrase_of_a_builtin_entry_it_does_not_replace() {
    let text = MINE.replace("match = [\"GH200 96GB\"]", "match = [\"b200\"]");
    let e = GpuSpecs::builtin_with("mine.toml", &text).expect_err("shared phrase").to_string();
    assert!(
        e.starts_with("mine.toml: gpu `gh200-96gb`: match `b200` is the same as `B200` of gpu `b200`"),
        "{e}"
    );
}

/// A valid entry with one line replaced (or, with an empty `to`, removed).
fn entry_with(from: &str, to: &str) -> String {
    let base = "[[gpu]]\nid = \"x-1\"\nlabel = \"X\"\nvendor = \"nvidia\"\nmatch = [\"X1\"]\nhbm_tbps = 2.0\nsource = \"sheet\"\n[gpu.peaks]\nbf16 = 100.0\n";
    assert!(base.contains(from), "{from}");
    base.replace(from, to)
}

fn error(text: &str) -> (CatalogError, String) {
    let e = GpuSpecs::parse("mine.toml", text).expect_err("invalid");
    let message = e.to_string();
    (e, message)
}

#[test]
fn every_validation_error_names_the_file_the_entry_and_the_reason() {
    assert!(GpuSpecs::parse("mine.toml", &entry_with("", "")).is_ok());
    let cases: &[(String, &str)] = &[
        (entry_with("id = \"x-1\"", "id = \"X_1\""), "gpu `X_1`: id `X_1` must be kebab-case"),
        (entry_with("id = \"x-1\"", "id = \"\""), "gpu 1: id `` must be kebab-case"),
        (entry_with("label = \"X\"", "label = \" \""), "gpu `x-1`: `label` is empty"),
        (entry_with("\"nvidia\"", "\"intel\""), "gpu `x-1`: `vendor` must be `nvidia` or `amd`, not `intel`"),
        (entry_with("hbm_tbps = 2.0", "hbm_tbps = 0.0"), "gpu `x-1`: `hbm_tbps` must be a positive number"),
        (entry_with("hbm_tbps = 2.0", "hbm_tbps = -1"), "gpu `x-1`: `hbm_tbps` must be a positive number"),
        (entry_with("hbm_tbps = 2.0", "hbm_tbps = nan"), "gpu `x-1`: `hbm_tbps` must be a positive number"),
        (entry_with("bf16 = 100.0", "bf16 = 0"), "gpu `x-1`: peak `bf16` must be a positive number"),
        (
            entry_with("bf16 = 100.0", "bf16 = 100.0\nfp8 = -5"),
            "gpu `x-1`: peak `fp8` must be a positive number",
        ),
        (entry_with("bf16 = 100.0\n", ""), "gpu `x-1`: `[gpu.peaks]` gives no peak"),
        (entry_with("[gpu.peaks]\nbf16 = 100.0\n", ""), "gpu `x-1`: `[gpu.peaks]` gives no peak"),
        (
            entry_with("source = \"sheet\"", "source = \"sheet\"\ncompute_fraction = 0"),
            "gpu `x-1`: `compute_fraction` must be in (0, 1], not 0",
        ),
        (
            entry_with("source = \"sheet\"", "source = \"sheet\"\nmemory_fraction = 1.5"),
            "gpu `x-1`: `memory_fraction` must be in (0, 1], not 1.5",
        ),
        (
            entry_with("source = \"sheet\"", "source = \"sheet\"\nfraction_source = \"\""),
            "gpu `x-1`: `fraction_source` is empty",
        ),
        (entry_with("match = [\"X1\"]", "match = []"), "gpu `x-1`: `match` is empty"),
        (
            entry_with("match = [\"X1\"]", "match = [\"--\"]"),
            "gpu `x-1`: match `--` has no letters or digits",
        ),
        (
            entry_with("match = [\"X1\"]", "match = [\"X1\", \"x1\"]"),
            "gpu `x-1`: match `x1` is the same as `X1`",
        ),
        (
            entry_with("source = \"sheet\"", "source = []"),
            "gpu `x-1`: `source` must name where the peaks come from",
        ),
        (
            entry_with("source = \"sheet\"", "source = [\"\"]"),
            "gpu `x-1`: `source` must name where the peaks come from",
        ),
        (String::new(), "gpus: the file has no `[[gpu]]` table"),
    ];
    for (text, expected) in cases {
        let (e, message) = error(text);
        assert!(matches!(e, CatalogError::Invalid { .. }), "{message}");
        assert!(message.starts_with(&format!("mine.toml: {expected}")), "{message}\nexpected: {expected}");
    }
    // Two entries: the same id, or the same match phrase.
    let one = entry_with("", "");
    let (_, message) = error(&format!("{one}{one}"));
    assert_eq!(message, "mine.toml: gpu `x-1`: id `x-1` is used twice in this file");
    let other = entry_with("id = \"x-1\"", "id = \"x-2\"").replace("[\"X1\"]", "[\"y\", \"x1\"]");
    let (_, message) = error(&format!("{one}{other}"));
    assert!(
        message.starts_with("mine.toml: gpu `x-2`: match `x1` is the same as `X1` of gpu `x-1`"),
        "{message}"
    );
}

#[test]
fn toml_errors_name_the_file_the_line_and_the_entry() {
    let cases: &[(String, &str)] = &[
        (
            entry_with("label = \"X\"", "label = \"X\"\ncolour = \"red\""),
            "line 4, column 1 (gpu 1, id `x-1`): unknown field `colour`",
        ),
        (
            entry_with("bf16 = 100.0", "bf16 = 100.0\nfp6 = 3.0"),
            "line 10, column 1 (gpu 1, id `x-1`): unknown field `fp6`",
        ),
        (entry_with("\"nvidia\"", "3"), "line 4, column 10 (gpu 1, id `x-1`): invalid type"),
        (entry_with("hbm_tbps = 2.0\n", ""), "(gpu 1, id `x-1`): missing field `hbm_tbps`"),
        ("[[gpus]]\nid = \"x\"\n".to_owned(), "line 1, column 3: unknown field `gpus`"),
        ("not toml [".to_owned(), "line 1"),
    ];
    for (text, expected) in cases {
        let (e, message) = error(text);
        assert!(matches!(e, CatalogError::Toml { .. }), "{message}");
        assert!(message.starts_with("mine.toml: "), "{message}");
        assert!(message.contains(expected), "{message}\nexpected: {expected}");
    }
}
