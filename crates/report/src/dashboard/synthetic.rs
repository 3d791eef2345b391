//! Generated reports for benchmarks and the browser's load test: `n` plausible runs (six
//! models, four frameworks, four GPUs, one or two stages, a dozen kernels each, one run
//! every six hours from 2026-01-01), deterministic for a seed. Not real data: the source
//! of every run says `synthetic`.

use serde_json::{Value, json};

use crate::Report;

const MODELS: [&str; 6] = [
    "Qwen/Qwen3-30B-A3B",
    "meta-llama/Llama-3.1-8B-Instruct",
    "deepseek-ai/DeepSeek-V3",
    "openai/gpt-oss-120b",
    "Qwen/Qwen3-8B",
    "mistralai/Mixtral-8x7B-Instruct",
];
const FRAMEWORKS: [(&str, &str); 4] =
    [("sglang", "SGLang"), ("vllm", "vLLM"), ("trtllm", "TensorRT-LLM"), ("tokenspeed", "TokenSpeed")];
const GPUS: [&str; 4] = ["NVIDIA H100 80GB HBM3", "NVIDIA B200", "NVIDIA GB300", "AMD Instinct MI300X"];
const KERNELS: [(&str, &str); 12] = [
    ("nvjet_tst_128x256_64x4_2x1_v_bz_TNT", "gemm"),
    ("void flashinfer::BatchPrefillWithPagedKVCacheKernel<128u, 4u>", "attention"),
    ("fmhaSm100aKernel_QkvE4m3OBfloat16HQk128HV128", "attention"),
    ("void (anonymous namespace)::all_reduce_one_shot_push_kernel<__nv_bfloat16, 4u, true>", "communication"),
    ("ncclDevKernel_AllGather_RING_LL", "communication"),
    ("void flashinfer::norm::FusedAddRMSNormKernel<8u, __nv_bfloat16>", "norm"),
    ("void fused_moe_kernel<__nv_bfloat16>", "moe"),
    ("void vllm::act_and_mul_kernel<c10::BFloat16, &vllm::silu_kernel<c10::BFloat16>, true>", "activation"),
    ("void at::native::elementwise_kernel<128, 2>", "elementwise"),
    ("void flashinfer::sampling::TopKTopPSamplingFromProbKernel<1024u>", "sampling"),
    ("Memcpy DtoD (Device -> Device)", "memory"),
    ("void rotary_embedding_kernel<c10::BFloat16, true>", "rope"),
];

/// 2026-01-01T00:00:00Z, Unix ns.
const START_NS: i64 = 1_767_225_600_000_000_000;
/// Six hours, ns.
const STEP_NS: i64 = 6 * 3_600 * 1_000_000_000;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In `[lo, hi)`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.range(0, items.len() as u64) as usize)
    }
}

fn stage(rng: &mut Rng, stage: &str, label: &str, start_ns: i64) -> Value {
    let mut rows: Vec<(String, String, i64, u64)> = KERNELS
        .iter()
        .map(|(name, cat)| {
            let ns = i64::try_from(rng.range(20_000, 4_000_000)).unwrap_or(0);
            ((*name).to_owned(), (*cat).to_owned(), ns, rng.range(1, 500))
        })
        .collect();
    engine::order::sort_by(&mut rows, |a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let hidden_ns = i64::try_from(rng.range(0, 200_000)).unwrap_or(0);
    let total: i64 = rows.iter().map(|r| r.2).sum::<i64>() + hidden_ns;
    let util = rng.range(40, 99) as f64 + rng.range(0, 100) as f64 / 100.0;
    let busy = total * 9 / 10;
    let span = (busy as f64 * 100.0 / util) as i64;
    let launches: u64 = rows.iter().map(|r| r.3).sum();
    let unattributed = total * i64::try_from(rng.range(0, 40)).unwrap_or(0) / 100;
    let exposed = i64::try_from(rng.range(0, 2_000_000)).unwrap_or(0);
    let rows: Vec<Value> = rows
        .iter()
        .map(|(name, cat, ns, launches)| {
            json!({"name": name, "category": cat, "gpu_ns": ns, "share_pct": 100.0 * *ns as f64 / total as f64,
                   "launches": launches, "graph_launches": 0, "sites": []})
        })
        .collect();
    json!({
        "stage": stage, "label": label, "source": "path", "inputs": [0],
        "summary": {"start_ns": start_ns, "end_ns": start_ns + span, "span_ns": span, "busy_ns": busy, "kernel_ns": total,
                    "launches": launches, "graph_replay_ns": 0, "steps": rng.range(1, 20), "utilization_pct": util},
        "kernels": {"rows": rows, "hidden_rows": 3, "hidden_ns": hidden_ns, "total_ns": total},
        "overlap": {"computed": true, "sweep": {"span_ns": span, "busy_ns": busy, "idle_ns": span - busy,
                    "kernel_ns": total, "streams": 1, "max_concurrent_streams": 1, "exposed_comm_ns": exposed}},
        "coverage": {"computed": true, "total_ns": total, "direct_ns": total - unattributed, "unattributed_ns": unattributed}
    })
}

/// Generated run `i` of a set made with `seed` (`None` only if the generated JSON stopped
/// matching the report type, which the tests catch).
#[must_use]
pub fn report(i: usize, seed: u64) -> Option<Report> {
    let mut rng = Rng(seed ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let model = rng.pick(&MODELS).copied().unwrap_or("model");
    let (fw, fw_label) = rng.pick(&FRAMEWORKS).copied().unwrap_or(("sglang", "SGLang"));
    let gpu = rng.pick(&GPUS).copied().unwrap_or("GPU");
    let when = START_NS + STEP_NS * i64::try_from(i).unwrap_or(0);
    let mut stages = Vec::new();
    if rng.range(0, 3) > 0 {
        stages.push(stage(&mut rng, "prefill", "extend/prefill", 0));
    }
    stages.push(stage(&mut rng, "decode", "decode", 1_000_000_000));
    let v = json!({
        "schema": crate::REPORT_SCHEMA, "version": crate::REPORT_VERSION,
        "generator": crate::document::GENERATOR, "mode": "single-trace",
        "framework": {"id": fw, "label": fw_label, "source": "synthetic"},
        "model": model,
        "inputs": [{"path": format!("synthetic/run-{i:05}.trace.json.gz"), "role": "trace", "rank": 0, "world_size": 1,
                    "gpu": gpu, "device": 0, "path_stage": null, "events": 100_000, "json_bytes": 30_000_000,
                    "captured_unix_ns": when}],
        "min_share_pct": 1.0, "stages": stages, "notes": [], "diagnostics": []
    });
    Report::from_value(v).ok()
}

/// The source label of generated run `i`.
#[must_use]
pub fn source(i: usize) -> String {
    format!("synthetic/run-{i:05}")
}
