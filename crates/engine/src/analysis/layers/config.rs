//! A model's `config.json` (Hugging Face format): the layer count, per-layer facts for
//! layer types (anchor-spec §22.3: `compress_ratios`, `num_hash_layers`; also MoE and
//! attention layouts of other families) and the architecture summary of compute-flow.
//!
//! Only the keys used here are read, from the top level or a nested `text_config`
//! (multimodal models). Odd values are ignored, never an error; only text that is not a
//! JSON object is refused.

use serde_json::{Map, Value};

/// Why a `config.json` could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("config.json: {0}")]
pub struct ConfigError(pub String);

/// The facts of a `config.json` that layer analysis uses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelConfig {
    /// `model_type` (`qwen3_moe`, `deepseek_v3`, …).
    pub model_type: Option<String>,
    /// `architectures` (first entry).
    pub architecture: Option<String>,
    /// `num_hidden_layers`.
    pub num_hidden_layers: Option<usize>,
    /// `hidden_size`.
    pub hidden_size: Option<u64>,
    /// `num_attention_heads`.
    pub num_attention_heads: Option<u64>,
    /// `num_key_value_heads`.
    pub num_key_value_heads: Option<u64>,
    /// `head_dim`.
    pub head_dim: Option<u64>,
    /// `intermediate_size` (dense FFN).
    pub intermediate_size: Option<u64>,
    /// `moe_intermediate_size` (one routed expert's FFN).
    pub moe_intermediate_size: Option<u64>,
    /// Routed experts: `n_routed_experts`, `num_experts` or `num_local_experts`.
    pub num_experts: Option<u64>,
    /// `num_experts_per_tok`.
    pub num_experts_per_tok: Option<u64>,
    /// `n_shared_experts` (or 1 when `shared_expert_intermediate_size` is set).
    pub num_shared_experts: Option<u64>,
    /// `shared_expert_intermediate_size`.
    pub shared_expert_intermediate_size: Option<u64>,
    /// `kv_lora_rank` (MLA).
    pub kv_lora_rank: Option<u64>,
    /// `q_lora_rank` (MLA).
    pub q_lora_rank: Option<u64>,
    /// `qk_rope_head_dim`.
    pub qk_rope_head_dim: Option<u64>,
    /// `compress_ratios`, one per layer (DeepSeek-V4 style), as written.
    pub compress_ratios: Vec<i64>,
    /// `num_hash_layers`: the last layers are hash-attention layers.
    pub num_hash_layers: usize,
    /// `num_nextn_predict_layers` (MTP layers listed after the main ones).
    pub num_nextn_predict_layers: usize,
    /// `first_k_dense_replace`: the first k layers are dense.
    pub first_k_dense_replace: Option<usize>,
    /// `mlp_only_layers`: dense layers of a MoE model.
    pub mlp_only_layers: Vec<usize>,
    /// `decoder_sparse_step` / `interleave_moe_layer_step`: every k-th layer is MoE.
    pub moe_layer_step: Option<usize>,
    /// `layer_types` (`full_attention`, `sliding_attention`, `linear_attention`, …).
    pub layer_types: Vec<String>,
    /// `sliding_window`.
    pub sliding_window: Option<u64>,
    /// Indexer (sparse attention) facts: `index_n_heads`, `index_head_dim`, `index_topk`.
    pub index: [Option<u64>; 3],
    /// `mhc_bottleneck_dim` (manifold hyper-connections).
    pub mhc_bottleneck_dim: Option<u64>,
    /// `quantization_config.quant_method` (`mxfp4`, `fp8`…), when the weights are quantized.
    pub quant_method: Option<String>,
    /// Bytes per element of `torch_dtype` (`dtype` in newer configs): 2 for bf16/fp16.
    pub dtype_bytes: Option<f64>,
}

fn uint(m: &Map<String, Value>, key: &str) -> Option<u64> {
    match m.get(key)? {
        Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u64))
        }
        _ => None,
    }
}

fn text(m: &Map<String, Value>, key: &str) -> Option<String> {
    m.get(key)?.as_str().map(str::to_owned)
}

impl ModelConfig {
    /// Reads `config.json` text.
    ///
    /// # Errors
    /// When the text is not a JSON object.
    pub fn parse(json: &str) -> Result<ModelConfig, ConfigError> {
        let value: Value = serde_json::from_str(json).map_err(|e| ConfigError(format!("not JSON: {e}")))?;
        let Value::Object(top) = value else {
            return Err(ConfigError("expected a JSON object (a model's config.json)".into()));
        };
        // Multimodal configs keep the language model's facts in `text_config`.
        let nested = top.get("text_config").and_then(Value::as_object);
        let m = match nested {
            Some(t) if !top.contains_key("num_hidden_layers") => t,
            _ => &top,
        };
        let list_u = |key: &str| -> Vec<usize> {
            m.get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_u64().and_then(|x| usize::try_from(x).ok())).collect())
                .unwrap_or_default()
        };
        let to_usize = |v: Option<u64>| v.and_then(|x| usize::try_from(x).ok());
        let num_experts = uint(m, "n_routed_experts")
            .or_else(|| uint(m, "num_experts"))
            .or_else(|| uint(m, "num_local_experts"));
        let shared_size = uint(m, "shared_expert_intermediate_size").filter(|&s| s > 0);
        Ok(ModelConfig {
            model_type: text(m, "model_type").or_else(|| text(&top, "model_type")),
            architecture: top
                .get("architectures")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .map(str::to_owned),
            num_hidden_layers: to_usize(uint(m, "num_hidden_layers")),
            hidden_size: uint(m, "hidden_size"),
            num_attention_heads: uint(m, "num_attention_heads"),
            num_key_value_heads: uint(m, "num_key_value_heads"),
            head_dim: uint(m, "head_dim"),
            intermediate_size: uint(m, "intermediate_size"),
            moe_intermediate_size: uint(m, "moe_intermediate_size"),
            num_experts,
            num_experts_per_tok: uint(m, "num_experts_per_tok"),
            num_shared_experts: uint(m, "n_shared_experts").or(shared_size.map(|_| 1)),
            shared_expert_intermediate_size: shared_size,
            kv_lora_rank: uint(m, "kv_lora_rank"),
            q_lora_rank: uint(m, "q_lora_rank"),
            qk_rope_head_dim: uint(m, "qk_rope_head_dim"),
            compress_ratios: m
                .get("compress_ratios")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default(),
            num_hash_layers: to_usize(uint(m, "num_hash_layers")).unwrap_or(0),
            num_nextn_predict_layers: to_usize(uint(m, "num_nextn_predict_layers")).unwrap_or(0),
            first_k_dense_replace: to_usize(uint(m, "first_k_dense_replace")),
            mlp_only_layers: list_u("mlp_only_layers"),
            moe_layer_step: to_usize(
                uint(m, "decoder_sparse_step").or_else(|| uint(m, "interleave_moe_layer_step")),
            )
            .filter(|&s| s > 0),
            layer_types: m
                .get("layer_types")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
            sliding_window: uint(m, "sliding_window"),
            index: [uint(m, "index_n_heads"), uint(m, "index_head_dim"), uint(m, "index_topk")],
            mhc_bottleneck_dim: uint(m, "mhc_bottleneck_dim"),
            quant_method: top
                .get("quantization_config")
                .or_else(|| m.get("quantization_config"))
                .and_then(|q| q.get("quant_method"))
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase),
            dtype_bytes: text(m, "torch_dtype")
                .or_else(|| text(m, "dtype"))
                .or_else(|| text(&top, "torch_dtype"))
                .and_then(|d| match d.as_str() {
                    "bfloat16" | "float16" | "half" => Some(2.0),
                    "float32" | "float" => Some(4.0),
                    _ => None,
                }),
        })
    }

    /// Whether a key holds a non-empty list (profile selection).
    #[must_use]
    pub fn nonempty(&self, key: &str) -> bool {
        match key {
            "compress_ratios" => !self.compress_ratios.is_empty(),
            "layer_types" => !self.layer_types.is_empty(),
            "mlp_only_layers" => !self.mlp_only_layers.is_empty(),
            _ => false,
        }
    }

    /// Whether a key holds a number above 0 (profile selection).
    #[must_use]
    pub fn positive(&self, key: &str) -> bool {
        let v = match key {
            "kv_lora_rank" => self.kv_lora_rank,
            "q_lora_rank" => self.q_lora_rank,
            "num_hash_layers" => Some(self.num_hash_layers as u64),
            "num_hidden_layers" => self.num_hidden_layers.map(|n| n as u64),
            "num_experts" | "n_routed_experts" | "num_local_experts" => self.num_experts,
            "mhc_bottleneck_dim" => self.mhc_bottleneck_dim,
            _ => None,
        };
        v.is_some_and(|x| x > 0)
    }

    /// Whether the model has routed experts.
    #[must_use]
    pub fn is_moe(&self) -> bool {
        self.num_experts.is_some_and(|e| e > 1)
    }

    /// `compress_ratios` for `n` layers (§22.3): as is when it has `n` entries, the first
    /// `n` when it also lists the MTP layers; `None` (with the reason) otherwise.
    pub fn compress_ratios_for(&self, n: usize) -> Result<Option<&[i64]>, String> {
        let cr = self.compress_ratios.as_slice();
        if cr.is_empty() {
            return Ok(None);
        }
        if cr.len() == n {
            return Ok(Some(cr));
        }
        if cr.len() == n + self.num_nextn_predict_layers {
            return Ok(cr.get(..n));
        }
        Err(format!(
            "config.json lists {} compress_ratios for {n} layers (+{} MTP layers); compress ratios are not shown",
            cr.len(),
            self.num_nextn_predict_layers
        ))
    }

    /// The compress ratio of layer `l` of `n`, when the config lists them.
    #[must_use]
    pub fn compress_ratio(&self, l: usize, n: usize) -> Option<i64> {
        self.compress_ratios_for(n).ok().flatten().and_then(|c| c.get(l).copied())
    }

    /// Whether layer `l` has routed experts.
    #[must_use]
    pub fn layer_is_moe(&self, l: usize) -> bool {
        if !self.is_moe() || self.mlp_only_layers.contains(&l) {
            return false;
        }
        if self.first_k_dense_replace.is_some_and(|k| l < k) {
            return false;
        }
        self.moe_layer_step.is_none_or(|s| (l + 1).is_multiple_of(s))
    }
}

/// The type label of layer `l` of `n` (§22.3, timeline precedence): `FIRST`, `HASH`,
/// `FINAL`, then from `compress_ratios` (`FULL_ATTN`, `C4_LIGHT`, `C128_HEAVY`, `CR<r>`),
/// `layer_types` (`FULL_ATTN`, `SLIDING_ATTN`, `LINEAR_ATTN`, …) or the MoE layout
/// (`MOE`, `DENSE`); `LAYER` when nothing says more.
#[must_use]
pub fn layer_type(cfg: Option<&ModelConfig>, l: usize, n: usize) -> String {
    if l == 0 {
        return "FIRST".into();
    }
    if let Some(c) = cfg
        && c.num_hash_layers > 0
        && l + c.num_hash_layers >= n
    {
        return "HASH".into();
    }
    if l + 1 == n {
        return "FINAL".into();
    }
    let Some(c) = cfg else { return "LAYER".into() };
    if let Some(cr) = c.compress_ratio(l, n) {
        return match cr {
            0 => "FULL_ATTN".into(),
            4 => "C4_LIGHT".into(),
            128 => "C128_HEAVY".into(),
            r => format!("CR{r}"),
        };
    }
    if c.layer_types.len() >= n
        && let Some(t) = c.layer_types.get(l)
    {
        let t = t.to_ascii_uppercase().replace("ATTENTION", "ATTN");
        if !t.is_empty() {
            return t;
        }
    }
    if c.is_moe() {
        return if c.layer_is_moe(l) { "MOE".into() } else { "DENSE".into() };
    }
    "LAYER".into()
}

/// The architecture summary of compute-flow: `(label, value)` lines.
#[must_use]
pub fn summary(c: &ModelConfig, n: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let name = match (&c.architecture, &c.model_type) {
        (Some(a), Some(t)) => format!("{a} ({t})"),
        (Some(a), None) => a.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => String::new(),
    };
    if !name.is_empty() {
        out.push(("Model".into(), name));
    }
    let mut layers = n.to_string();
    if c.num_nextn_predict_layers > 0 {
        layers.push_str(&format!(" (+{} MTP)", c.num_nextn_predict_layers));
    }
    out.push(("Layers".into(), layers));
    let opt = |v: Option<u64>| v.map_or_else(|| "?".to_owned(), |x| x.to_string());
    if c.hidden_size.is_some() || c.num_attention_heads.is_some() {
        let mut s = format!("hidden {}, {} heads", opt(c.hidden_size), opt(c.num_attention_heads));
        if let Some(kv) = c.num_key_value_heads {
            s.push_str(&format!(" ({kv} KV)"));
        }
        if let Some(d) = c.head_dim {
            s.push_str(&format!(", head dim {d}"));
        }
        out.push(("Shape".into(), s));
    }
    let attention = if c.kv_lora_rank.is_some_and(|r| r > 0) {
        let mut s = format!("MLA (kv_lora_rank {}", opt(c.kv_lora_rank));
        if let Some(q) = c.q_lora_rank {
            s.push_str(&format!(", q_lora_rank {q}"));
        }
        if let Some(r) = c.qk_rope_head_dim {
            s.push_str(&format!(", rope dim {r}"));
        }
        s.push(')');
        s
    } else if c.num_key_value_heads.is_some() && c.num_key_value_heads != c.num_attention_heads {
        "GQA".to_owned()
    } else {
        "MHA".to_owned()
    };
    let mut attention = attention;
    if let Some(w) = c.sliding_window {
        attention.push_str(&format!(", sliding window {w}"));
    }
    if let [Some(h), Some(d), topk] = c.index {
        attention.push_str(&format!(", indexer {h} heads × {d}"));
        if let Some(k) = topk {
            attention.push_str(&format!(", top-{k}"));
        }
    }
    out.push(("Attention".into(), attention));
    if c.is_moe() {
        let mut s = format!("{} experts, {} per token", opt(c.num_experts), opt(c.num_experts_per_tok));
        if let Some(sh) = c.num_shared_experts {
            s.push_str(&format!(", {sh} shared"));
        }
        if let Some(m) = c.moe_intermediate_size {
            s.push_str(&format!(", expert FFN {m}"));
        }
        if let Some(m) = c.shared_expert_intermediate_size {
            s.push_str(&format!(", shared FFN {m}"));
        }
        if let Some(k) = c.first_k_dense_replace.filter(|&k| k > 0) {
            s.push_str(&format!(", first {k} dense"));
        }
        out.push(("MoE".into(), s));
    } else if let Some(i) = c.intermediate_size {
        out.push(("FFN".into(), format!("intermediate {i}")));
    }
    if let Some(m) = c.mhc_bottleneck_dim {
        out.push(("mHC".into(), format!("bottleneck {m}")));
    }
    if let Err(reason) = c.compress_ratios_for(n) {
        out.push(("Note".into(), reason));
    }
    // Layer-type distribution, in first-seen order.
    let mut types: Vec<(String, usize)> = Vec::new();
    for l in 0..n {
        let t = layer_type(Some(c), l, n);
        match types.iter_mut().find(|(x, _)| *x == t) {
            Some((_, k)) => *k += 1,
            None => types.push((t, 1)),
        }
    }
    if !types.is_empty() {
        let parts: Vec<String> = types.iter().map(|(t, k)| format!("{t} {k}")).collect();
        out.push(("Layer types".into(), parts.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qwen3_moe_config() {
        let c = ModelConfig::parse(
            r#"{"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "num_hidden_layers": 48,
                "hidden_size": 2048, "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
                "num_experts": 128, "num_experts_per_tok": 8, "moe_intermediate_size": 768,
                "decoder_sparse_step": 1, "mlp_only_layers": []}"#,
        )
        .expect("valid");
        assert_eq!(c.num_hidden_layers, Some(48));
        assert!(c.is_moe());
        assert_eq!(layer_type(Some(&c), 0, 48), "FIRST");
        assert_eq!(layer_type(Some(&c), 5, 48), "MOE");
        assert_eq!(layer_type(Some(&c), 47, 48), "FINAL");
        let s = summary(&c, 48);
        assert!(s.iter().any(|(k, v)| k == "MoE" && v.starts_with("128 experts, 8 per token")), "{s:?}");
        assert!(s.iter().any(|(k, v)| k == "Layer types" && v == "FIRST 1, MOE 46, FINAL 1"), "{s:?}");
    }

    #[test]
    fn dsv4_types_follow_the_seed_precedence() {
        let c = ModelConfig::parse(
            r#"{"num_hidden_layers": 6, "compress_ratios": [0, 4, 128, 7, 0, 4, 0], "num_nextn_predict_layers": 1,
                "num_hash_layers": 1, "kv_lora_rank": 512}"#,
        )
        .expect("valid");
        let types: Vec<String> = (0..6).map(|l| layer_type(Some(&c), l, 6)).collect();
        assert_eq!(types, ["FIRST", "C4_LIGHT", "C128_HEAVY", "CR7", "FULL_ATTN", "HASH"]);
        assert_eq!(c.compress_ratio(2, 6), Some(128));
        // A length that fits neither N nor N + MTP is reported, not fatal.
        assert!(c.compress_ratios_for(4).is_err());
        assert_eq!(layer_type(Some(&c), 2, 4), "LAYER");
    }

    #[test]
    fn dense_first_layers_and_layer_types() {
        let c = ModelConfig::parse(
            r#"{"num_hidden_layers": 5, "n_routed_experts": 256, "first_k_dense_replace": 2}"#,
        )
        .expect("valid");
        let types: Vec<String> = (0..5).map(|l| layer_type(Some(&c), l, 5)).collect();
        assert_eq!(types, ["FIRST", "DENSE", "MOE", "MOE", "FINAL"]);
        let c = ModelConfig::parse(
            r#"{"text_config": {"num_hidden_layers": 4, "layer_types": ["sliding_attention", "full_attention", "linear_attention", "full_attention"]}}"#,
        )
        .expect("valid");
        assert_eq!(c.num_hidden_layers, Some(4));
        assert_eq!(layer_type(Some(&c), 1, 4), "FULL_ATTN");
        assert_eq!(layer_type(Some(&c), 2, 4), "LINEAR_ATTN");
        assert_eq!(layer_type(None, 2, 4), "LAYER");
    }

    #[test]
    fn bad_text_is_refused() {
        assert!(ModelConfig::parse("[1, 2]").is_err());
        assert!(
            ModelConfig::parse("{").expect_err("not json").to_string().starts_with("config.json: not JSON")
        );
        // Odd values are ignored.
        let c =
            ModelConfig::parse(r#"{"num_hidden_layers": "many", "compress_ratios": "x"}"#).expect("object");
        assert_eq!(c.num_hidden_layers, None);
        assert!(c.compress_ratios.is_empty());
    }
}
