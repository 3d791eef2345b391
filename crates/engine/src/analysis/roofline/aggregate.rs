//! Attention work of a whole step from the aggregates serving frameworks write into their
//! step annotations, for attention ops that record no sequence lengths (paged and graph-
//! replayed attention):
//!
//! - SGLang (`detailed_annotations`): `step[DECODE bs=64 g_sq=64 g_sqsq=64 g_sqsk=131072
//!   g_sk=131072]`, `c_` fields for the context (prefill) part, both for `MIXED`;
//! - vLLM (detailed trace annotations): `execute_N_context_R(sqAskBsqsqCsqskD)
//!   _generation_R'(sq…sk…sqsq…sqsk…)`.
//!
//! Per request with `q` new tokens and `k` keys (prefix + new), `sq = Σq`, `sk = Σk`,
//! `sqsq = Σq²`, `sqsk = Σq·k`. A causal mask within the new tokens scores
//! `q·k − q(q−1)/2` pairs per request, so a step scores `sqsk − (sqsq − sq)/2` pairs per
//! head and layer. With the model's head counts and head size (its `config.json`, heads
//! split over tensor-parallel ranks): FLOPs `2·H_q·pairs·(d_qk + d_v)`, bytes: queries
//! read and outputs written (`sq` tokens) and every request's keys and values read once
//! (`sk` tokens).

/// The four sums of one phase (context or generation) of a step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Phase {
    /// Σ new tokens (queries).
    pub sq: u64,
    /// Σ keys.
    pub sk: u64,
    /// Σ q².
    pub sqsq: u64,
    /// Σ q·k.
    pub sqsk: u64,
}

impl Phase {
    /// Query–key pairs scored with a causal mask within the new tokens.
    #[must_use]
    pub(crate) fn pairs(&self) -> f64 {
        self.sqsk as f64 - (self.sqsq as f64 - self.sq as f64) / 2.0
    }
}

/// The aggregates of one step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StepLoad {
    /// Context (prefill, extend) requests.
    pub context: Phase,
    /// Generation (decode) requests.
    pub generation: Phase,
}

impl StepLoad {
    /// The aggregates of a step annotation, when it has them.
    #[must_use]
    pub(crate) fn parse(name: &str) -> Option<StepLoad> {
        if let Some(rest) = name.strip_prefix("step[") {
            return sglang(rest.strip_suffix(']').unwrap_or(rest));
        }
        if name.starts_with("execute_") {
            return vllm(name);
        }
        None
    }

    /// Both phases' sums added (attention kernels serve both in one launch).
    fn phases(&self) -> [Phase; 2] {
        [self.context, self.generation]
    }
}

/// `key=value` fields with `c_`/`g_` prefixes.
fn sglang(body: &str) -> Option<StepLoad> {
    let mut load = StepLoad::default();
    let mut any = false;
    let mut decode = false;
    let mut bs = None;
    let mut g_sq = None;
    for field in body.split_whitespace() {
        if field == "DECODE" {
            decode = true;
        }
        let Some((key, value)) = field.split_once('=') else { continue };
        let Ok(v) = value.parse::<u64>() else { continue };
        let (phase, name) = match key.split_once('_') {
            Some(("c", n)) => (&mut load.context, n),
            Some(("g", n)) => (&mut load.generation, n),
            _ => {
                if key == "bs" {
                    bs = Some(v);
                }
                continue;
            }
        };
        let slot = match name {
            "sq" => {
                if key == "g_sq" {
                    g_sq = Some(v);
                }
                &mut phase.sq
            }
            "sk" => &mut phase.sk,
            "sqsq" => &mut phase.sqsq,
            "sqsk" => &mut phase.sqsk,
            _ => continue,
        };
        *slot = v;
        any = true;
    }
    // Older decode annotations leave out `g_sq`: one query per request, so it is `bs`.
    if decode && g_sq.is_none() {
        load.generation.sq = bs.unwrap_or(load.generation.sqsq);
    }
    any.then_some(load)
}

/// `execute_N_context_R(sq…sk…sqsq…sqsk…)_generation_R(…)`.
fn vllm(name: &str) -> Option<StepLoad> {
    let phase = |tag: &str| -> Option<Phase> {
        let at = name.find(tag)?;
        let rest = name.get(at + tag.len()..)?;
        let open = rest.find('(')?;
        let close = rest.find(')')?;
        let inner = rest.get(open + 1..close)?;
        let mut p = Phase::default();
        let mut any = false;
        // Fields in order sq, sk, sqsq, sqsk: split at the letters.
        let mut key = String::new();
        let mut digits = String::new();
        let flush = |key: &str, digits: &str, p: &mut Phase, any: &mut bool| {
            let Ok(v) = digits.parse::<u64>() else { return };
            let slot = match key {
                "sq" => &mut p.sq,
                "sk" => &mut p.sk,
                "sqsq" => &mut p.sqsq,
                "sqsk" => &mut p.sqsk,
                _ => return,
            };
            *slot = v;
            *any = true;
        };
        for c in inner.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else {
                if !digits.is_empty() {
                    flush(&key, &digits, &mut p, &mut any);
                    key.clear();
                    digits.clear();
                }
                key.push(c);
            }
        }
        flush(&key, &digits, &mut p, &mut any);
        any.then_some(p)
    };
    let context = phase("_context_");
    let generation = phase("_generation_");
    if context.is_none() && generation.is_none() {
        return None;
    }
    Some(StepLoad { context: context.unwrap_or_default(), generation: generation.unwrap_or_default() })
}

/// What attention costs per token pair and per token in one layer of one rank: from the
/// model's config.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct AttentionShape {
    /// Query heads on this rank.
    pub q_heads: f64,
    /// Key/value heads on this rank.
    pub kv_heads: f64,
    /// Query/key head size.
    pub d_qk: f64,
    /// Value head size.
    pub d_v: f64,
    /// Bytes per element of queries, outputs and the KV cache.
    pub elem_bytes: f64,
    /// Attention layers per forward pass.
    pub layers: f64,
}

impl AttentionShape {
    /// FLOPs and bytes of every attention layer of a step with `load`.
    #[must_use]
    pub(crate) fn step_work(&self, load: &StepLoad) -> (f64, f64) {
        let mut flops = 0.0;
        let mut bytes = 0.0;
        for p in load.phases() {
            flops += 2.0 * self.q_heads * p.pairs() * (self.d_qk + self.d_v);
            let q_and_out = p.sq as f64 * self.q_heads * (self.d_qk + self.d_v);
            let kv = p.sk as f64 * self.kv_heads * (self.d_qk + self.d_v);
            bytes += (q_and_out + kv) * self.elem_bytes;
        }
        (flops * self.layers, bytes * self.layers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sglang_and_vllm_step_aggregates() {
        let d = StepLoad::parse("step[DECODE bs=2 g_sq=2 g_sqsq=2 g_sqsk=30 g_sk=30]").unwrap_or_default();
        assert_eq!(d.generation, Phase { sq: 2, sk: 30, sqsq: 2, sqsk: 30 });
        // The older decode form without g_sq: q = 1 per request.
        let old = StepLoad::parse("step[DECODE bs=2 g_sqsq=2 g_sqsk=30 g_sk=30]").unwrap_or_default();
        assert_eq!(old.generation.sq, 2);
        let e = StepLoad::parse("step[EXTEND bs=2 toks=12 c_sq=12 c_sqsq=80 c_sqsk=120 c_sk=20]")
            .unwrap_or_default();
        assert_eq!(e.context, Phase { sq: 12, sk: 20, sqsq: 80, sqsk: 120 });
        let m = StepLoad::parse(
            "step[MIXED bs=2 c=1 g=1 c_sq=5 c_sk=8 c_sqsq=25 c_sqsk=40 g_sq=1 g_sk=12 g_sqsq=1 g_sqsk=12]",
        )
        .unwrap_or_default();
        assert_eq!((m.context.sqsk, m.generation.sk), (40, 12));
        let v = StepLoad::parse("execute_6147_context_2(sq6144sk7144sqsq20971520sqsk23019520)_generation_3(sq3sk6144sqsq3sqsk6144)")
            .unwrap_or_default();
        assert_eq!(v.context, Phase { sq: 6144, sk: 7144, sqsq: 20_971_520, sqsk: 23_019_520 });
        assert_eq!(v.generation, Phase { sq: 3, sk: 6144, sqsq: 3, sqsk: 6144 });
        // Annotations without aggregates say nothing.
        assert_eq!(StepLoad::parse("step[DECODE bs=64]"), None);
        assert_eq!(StepLoad::parse("execute_context_1(888)_generation_0(0)"), None);
        assert_eq!(StepLoad::parse("ProfilerStep#3"), None);
    }

    #[test]
    fn decode_attention_from_aggregates() {
        // Two decode requests with 10 and 20 cached tokens: 30 pairs per head and layer.
        let load = StepLoad::parse("step[DECODE bs=2 g_sq=2 g_sqsq=2 g_sqsk=30 g_sk=30]").unwrap_or_default();
        assert_eq!(load.generation.pairs(), 30.0);
        // 32 query heads, 8 KV heads, head size 128, bf16, 1 layer.
        let shape = AttentionShape {
            q_heads: 32.0,
            kv_heads: 8.0,
            d_qk: 128.0,
            d_v: 128.0,
            elem_bytes: 2.0,
            layers: 1.0,
        };
        let (flops, bytes) = shape.step_work(&load);
        assert_eq!(flops, 2.0 * 32.0 * 30.0 * 256.0);
        assert_eq!(bytes, (2.0 * 32.0 * 256.0 + 30.0 * 8.0 * 256.0) * 2.0);
        // Prefill of q = [8, 4] with prefixes [2, 6] (k = [10, 10]): causal pairs
        // 8·10 − 28 + 4·10 − 6 = 86.
        let e = StepLoad::parse("step[EXTEND bs=2 toks=12 c_sq=12 c_sqsq=80 c_sqsk=120 c_sk=20]")
            .unwrap_or_default();
        assert_eq!(e.context.pairs(), 86.0);
        let layers = AttentionShape { layers: 48.0, ..shape };
        assert_eq!(layers.step_work(&e).0, 48.0 * 2.0 * 32.0 * 86.0 * 256.0);
    }
}
