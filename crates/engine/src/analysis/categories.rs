//! Kernel categories: ordered rules from `catalog/categories.toml` applied to the
//! demangled base name (see [`super::names::base_name`]), so text inside template or
//! argument lists cannot leak into the decision unless a rule asks for it explicitly.

use regex_lite::Regex;
use serde::{Deserialize, Serialize};

use super::names;
use crate::catalog::CatalogError;
use crate::model::GpuKind;

/// What kind of work a kernel does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Attention (FlashAttention, FlashInfer, fmha, paged/MLA attention).
    Attention,
    /// Dense matrix multiplies (cuBLAS, nvjet, CUTLASS, hipBLASLt, trtllm-gen bmm).
    Gemm,
    /// Mixture-of-experts routing, grouped GEMMs and combine.
    Moe,
    /// Collectives and point-to-point transfers (NCCL, custom all-reduce, DeepEP).
    Communication,
    /// RMSNorm / LayerNorm (fused or not).
    Norm,
    /// Rotary position embeddings.
    Rope,
    /// Activations (SiLU, GELU, SwiGLU act-and-mul).
    Activation,
    /// Quantize / dequantize / dtype conversion for low precision.
    Quantization,
    /// Token sampling, top-k/top-p, logits processing.
    Sampling,
    /// Copies and fills (memcpy, memset, copy kernels, concatenation, gathers).
    Memory,
    /// Other elementwise arithmetic.
    Elementwise,
    /// Reductions, softmax, scans and sorts.
    Reduction,
    /// Convolutions.
    Conv,
    /// Embedding lookups.
    Embedding,
    /// State-space / linear-attention layers (Mamba, gated delta net).
    Ssm,
    /// Serving-engine bookkeeping: positions, KV indices, request-to-token tables.
    Metadata,
    /// Anything else.
    Other,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 17] = [
        Category::Attention,
        Category::Gemm,
        Category::Moe,
        Category::Communication,
        Category::Norm,
        Category::Rope,
        Category::Activation,
        Category::Quantization,
        Category::Sampling,
        Category::Memory,
        Category::Elementwise,
        Category::Reduction,
        Category::Conv,
        Category::Embedding,
        Category::Ssm,
        Category::Metadata,
        Category::Other,
    ];

    /// The lower-case label used in tables and JSON.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Category::Attention => "attention",
            Category::Gemm => "gemm",
            Category::Moe => "moe",
            Category::Communication => "communication",
            Category::Norm => "norm",
            Category::Rope => "rope",
            Category::Activation => "activation",
            Category::Quantization => "quantization",
            Category::Sampling => "sampling",
            Category::Memory => "memory",
            Category::Elementwise => "elementwise",
            Category::Reduction => "reduction",
            Category::Conv => "conv",
            Category::Embedding => "embedding",
            Category::Ssm => "ssm",
            Category::Metadata => "metadata",
            Category::Other => "other",
        }
    }

    /// Whether the category is compute (it can hide communication or copies).
    #[must_use]
    pub fn is_compute(self) -> bool {
        matches!(self, Category::Attention | Category::Gemm | Category::Moe | Category::Conv | Category::Ssm)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default, rename = "rule")]
    rules: Vec<RuleSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    category: Category,
    #[serde(default)]
    base: Vec<String>,
    #[serde(default)]
    inner: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

struct Rule {
    category: Category,
    base: Vec<Regex>,
    inner: Vec<Regex>,
    unless: Vec<Regex>,
}

/// The ordered category rules.
pub struct CategoryRules {
    rules: Vec<Rule>,
}

impl core::fmt::Debug for CategoryRules {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CategoryRules").field("rules", &self.rules.len()).finish()
    }
}

fn compile(file: &str, index: usize, patterns: &[String]) -> Result<Vec<Regex>, CatalogError> {
    patterns
        .iter()
        .map(|p| {
            Regex::new(&format!("(?i){p}")).map_err(|e| CatalogError::BadPattern {
                file: file.to_owned(),
                entry: format!("rule {}", index + 1),
                pattern: p.clone(),
                reason: e.to_string(),
            })
        })
        .collect()
}

impl CategoryRules {
    /// Parses a rules file (`[[rule]]` tables).
    ///
    /// # Errors
    /// When the TOML is invalid, a category is unknown, a rule has no condition, or a
    /// pattern is not a valid regular expression.
    pub fn parse(file: &str, text: &str) -> Result<Self, CatalogError> {
        let spec: RuleFile = toml::from_str(text)
            .map_err(|e| CatalogError::Toml { file: file.to_owned(), reason: e.to_string() })?;
        let mut rules = Vec::with_capacity(spec.rules.len());
        for (i, r) in spec.rules.into_iter().enumerate() {
            if r.base.is_empty() && r.inner.is_empty() {
                return Err(CatalogError::Invalid {
                    file: file.to_owned(),
                    entry: format!("rule {}", i + 1),
                    reason: "a rule needs `base` or `inner` patterns".into(),
                });
            }
            let _ = r.note;
            rules.push(Rule {
                category: r.category,
                base: compile(file, i, &r.base)?,
                inner: compile(file, i, &r.inner)?,
                unless: compile(file, i, &r.unless)?,
            });
        }
        Ok(CategoryRules { rules })
    }

    /// Number of rules.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The category of a GPU activity. Copies and fills are [`Category::Memory`];
    /// kernels go through the rules, first match wins, [`Category::Other`] otherwise.
    #[must_use]
    pub fn classify(&self, kind: GpuKind, name: &str) -> Category {
        match kind {
            GpuKind::Memcpy | GpuKind::Memset => return Category::Memory,
            GpuKind::Sync => return Category::Other,
            GpuKind::Kernel => {}
        }
        let split = names::base_name(name);
        self.classify_base(&split.base, &split.inner)
    }

    /// Applies the rules to an already split name.
    #[must_use]
    pub fn classify_base(&self, base: &str, inner: &str) -> Category {
        for rule in &self.rules {
            let base_ok = rule.base.is_empty() || rule.base.iter().any(|r| r.is_match(base));
            let inner_ok = rule.inner.is_empty() || rule.inner.iter().any(|r| r.is_match(inner));
            if base_ok && inner_ok && !rule.unless.iter().any(|r| r.is_match(base)) {
                return rule.category;
            }
        }
        Category::Other
    }
}
