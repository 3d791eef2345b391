//! What the fuse patterns' gates read about a run: the framework, the GPU platform, the
//! model (from `server_args.json`, else the model source files on the trace's Python
//! stacks), the tensor-parallel size (`tp_size` / `tensor_parallel_size`, else
//! `distributedInfo.world_size`) and the low-precision data types its kernel names show.

use rustc_hash::FxHashMap;

use crate::analysis::framework::ServerArgs;
use crate::catalog::fuse::{Dtype, Platform};
use crate::catalog::tokens::{Signal, Tokens, demangle_prefix};
use crate::names;
use crate::results::fuse::{DtypeEvidence, FuseContext};
use trace::model::{GpuKind, Sym, Trace};

/// Kernel-name tokens that show a data type (base names only: template arguments such as
/// `Fp8KVCacheDataType)0` are enum values, not the type in use).
const DTYPE_SIGNALS: &[(Dtype, &[&str])] = &[
    (Dtype::Fp8, &["fp8", "float8", "e4m3", "e5m2", "quant_8bit"]),
    (Dtype::Fp4, &["fp4", "nvfp4", "mxfp4", "e2m1", "float4"]),
    (Dtype::Int8, &["int8", "w8a8"]),
];

/// Model-name substrings that show a data type.
const DTYPE_MODEL: &[(Dtype, &[&str])] =
    &[(Dtype::Fp8, &["fp8"]), (Dtype::Fp4, &["fp4"]), (Dtype::Int8, &["int8", "w8a8"])];

/// The demangled base name of a kernel (Itanium-mangled names decoded to their qualified
/// name first).
#[must_use]
pub(crate) fn kernel_base(name: &str) -> String {
    let base = names::base_name(name).base;
    demangle_prefix(&base).unwrap_or(base)
}

/// The facts every pattern's gates are checked against, for one input.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Context {
    /// What the report shows.
    pub info: FuseContext,
    /// Lower-case model texts the model gates test (model name, or model file stems).
    pub model_texts: Vec<String>,
}

impl Context {
    /// The context of one trace's device `device`.
    #[must_use]
    pub(crate) fn new(
        trace: &Trace,
        device: Option<i64>,
        framework: &str,
        server_args: Option<&ServerArgs>,
    ) -> Context {
        let mut info = FuseContext { framework: framework.to_owned(), ..FuseContext::default() };
        let mut model_texts = Vec::new();
        if let Some(model) = server_args.and_then(|a| a.model.clone()) {
            model_texts.push(model.to_ascii_lowercase());
            info.model = Some(model);
            info.model_source = Some("server_args.json".to_owned());
        } else {
            let files = model_files(trace);
            if !files.is_empty() {
                info.model = Some(files.join(", "));
                info.model_source = Some("model files on the trace's Python stacks".to_owned());
                model_texts = files;
            }
        }
        if let Some(tp) = server_args.and_then(|a| a.tp_size) {
            info.tp_size = Some(tp);
            info.tp_source = Some("server_args.json".to_owned());
        } else if let Some(w) = trace.meta.distributed.as_ref().and_then(|d| d.world_size) {
            info.tp_size = Some(w);
            info.tp_source = Some("distributedInfo.world_size".to_owned());
        }
        info.platform = platform(trace, device);
        info.dtypes = dtypes(trace, device, &model_texts);
        Context { info, model_texts }
    }
}

/// Files under `models/` that every model uses (helpers, registries, generic backends):
/// they name no model.
const SHARED_MODEL_FILES: &[&str] = &[
    "utils",
    "__init__",
    "registry",
    "interfaces",
    "interfaces_base",
    "adapters",
    "transformers",
    "module_mapping",
];

/// Model source files on the Python stacks: the part after the last `/models/` of a frame
/// path, without `.py` (`qwen3_moe`, `dits/ltx_2`, `qwen2/modeling_qwen2`), sorted.
fn model_files(trace: &Trace) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in trace.strings.distinct(&trace.python.name) {
        let name = trace.str(s).replace('\\', "/");
        let Some(i) = name.rfind("/models/") else { continue };
        let rest = name.get(i + "/models/".len()..).unwrap_or("");
        let Some(end) = rest.find(".py") else { continue };
        let stem = rest.get(..end).unwrap_or("").to_ascii_lowercase();
        let file = stem.rsplit('/').next().unwrap_or("");
        if stem.is_empty() || stem.contains(' ') || SHARED_MODEL_FILES.contains(&file) {
            continue;
        }
        out.push(stem);
    }
    crate::order::sort_by(&mut out, Ord::cmp);
    out.dedup();
    out
}

fn platform(trace: &Trace, device: Option<i64>) -> Option<Platform> {
    let meta = &trace.meta;
    if meta.property("hip_runtime_version").is_some() || meta.property("roctracer_version").is_some() {
        return Some(Platform::Rocm);
    }
    let name = device
        .and_then(|d| trace.device(d).map(|p| p.name.clone()))
        .or_else(|| meta.devices.first().map(|p| p.name.clone()))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ["amd", "instinct", "radeon", "mi300", "mi250", "mi355"].iter().any(|k| name.contains(k)) {
        return Some(Platform::Rocm);
    }
    if meta.property("cuda_runtime_version").is_some() || name.contains("nvidia") || name.contains("tesla") {
        return Some(Platform::Cuda);
    }
    None
}

/// Data types shown by the kernel names of `device` (most GPU time first) or the model name.
fn dtypes(trace: &Trace, device: Option<i64>, model_texts: &[String]) -> Vec<DtypeEvidence> {
    let g = &trace.gpu;
    let mut time: FxHashMap<Sym, i64> = FxHashMap::default();
    for i in 0..g.len() {
        let (Some(&kind), Some(&d), Some(&name), Some(&dur)) =
            (g.kind.get(i), g.device.get(i), g.name.get(i), g.dur_ns.get(i))
        else {
            continue;
        };
        if kind != GpuKind::Kernel || device.is_some_and(|p| p != d) {
            continue;
        }
        *time.entry(name).or_insert(0) += dur;
    }
    let mut names: Vec<(i64, String)> = time.into_iter().map(|(s, t)| (t, trace.str(s).to_owned())).collect();
    crate::order::sort_by(&mut names, |a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let compiled: Vec<(Dtype, Vec<Signal>)> = DTYPE_SIGNALS
        .iter()
        .map(|(d, list)| (*d, list.iter().filter_map(|s| Signal::compile(s).ok()).collect()))
        .collect();
    let mut out: Vec<DtypeEvidence> = Vec::new();
    for (_, name) in &names {
        let tokens = Tokens::new(&kernel_base(name));
        for (d, signals) in &compiled {
            if out.iter().any(|e| e.dtype == *d) {
                continue;
            }
            if signals.iter().any(|s| s.matches(&tokens)) {
                out.push(DtypeEvidence { dtype: *d, evidence: format!("kernel {}", names::canonical(name)) });
            }
        }
    }
    for (d, subs) in DTYPE_MODEL {
        if out.iter().any(|e| e.dtype == *d) {
            continue;
        }
        if let Some(m) = model_texts.iter().find(|m| subs.iter().any(|s| m.contains(s))) {
            out.push(DtypeEvidence { dtype: *d, evidence: format!("model {m}") });
        }
    }
    crate::order::sort_by_key(&mut out, |e| e.dtype);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mangled_bases() {
        assert_eq!(
            kernel_base("_ZN5aiter24add_rmsnorm_quant_kernelIDF16bEEvPT0_"),
            "aiter::add_rmsnorm_quant_kernel"
        );
        assert_eq!(
            kernel_base("void flashinfer::norm::RMSNormKernel<8u, __nv_bfloat16>(int)"),
            "flashinfer::norm::RMSNormKernel"
        );
    }

    #[test]
    fn context_from_a_trace() {
        let json = br#"{"deviceProperties":[{"id":0,"name":"NVIDIA B200"}],
          "distributedInfo":{"rank":0,"world_size":8},
          "traceEvents":[
          {"ph":"X","cat":"python_function","name":"/x/vllm/model_executor/models/gpt_oss.py(179): forward","pid":1,"tid":1,"ts":0,"dur":5},
          {"ph":"X","cat":"python_function","name":"/x/vllm/model_executor/models/utils.py(9): maybe_prefix","pid":1,"tid":1,"ts":0,"dur":5},
          {"ph":"X","cat":"kernel","name":"void vllm::scaled_fp8_quant_kernel_strided<c10::BFloat16, c10::Float8_e4m3fn>(int)","pid":0,"tid":7,"ts":1,"dur":2,"args":{"device":0,"stream":7}},
          {"ph":"X","cat":"kernel","name":"void paged<(vllm::Fp4Thing)0>(int)","pid":0,"tid":7,"ts":4,"dur":2,"args":{"device":0,"stream":7}}
        ]}"#;
        let trace = trace::load(json).expect("trace");
        let c = Context::new(&trace, Some(0), "vllm", None);
        assert_eq!(c.model_texts, ["gpt_oss"]);
        assert_eq!(c.info.tp_size, Some(8));
        assert_eq!(c.info.platform, Some(Platform::Cuda));
        let d: Vec<Dtype> = c.info.dtypes.iter().map(|e| e.dtype).collect();
        assert_eq!(d, [Dtype::Fp8], "template arguments are not evidence");
        let args = ServerArgs::parse(r#"{"model_path": "Org/Model-FP4", "tp_size": 2}"#);
        let c = Context::new(&trace, Some(0), "vllm", args.as_ref());
        assert_eq!(c.model_texts, ["org/model-fp4"]);
        assert_eq!((c.info.tp_size, c.info.tp_source.as_deref()), (Some(2), Some("server_args.json")));
        let d: Vec<Dtype> = c.info.dtypes.iter().map(|e| e.dtype).collect();
        assert_eq!(d, [Dtype::Fp8, Dtype::Fp4]);
    }
}
