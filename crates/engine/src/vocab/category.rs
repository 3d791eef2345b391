//! Kernel categories: what kind of work a kernel does. The rules that decide a kernel's
//! category are catalog data (`crate::catalog::categories`).

use serde::{Deserialize, Serialize};

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

    /// The ASCII glyph of a category (also used by the report's strips).
    #[must_use]
    pub fn glyph(self) -> char {
        match self {
            Category::Attention => 'A',
            Category::Gemm => 'G',
            Category::Moe => 'M',
            Category::Communication => '=',
            Category::Norm => 'N',
            Category::Rope => 'R',
            Category::Activation => 'a',
            Category::Quantization => 'Q',
            Category::Sampling => 'S',
            Category::Memory => '+',
            Category::Elementwise => '~',
            Category::Reduction => 'r',
            Category::Conv => 'C',
            Category::Embedding => 'E',
            Category::Ssm => 'L',
            Category::Metadata => 'i',
            Category::Other => '*',
        }
    }

    /// The category of a glyph (`None` for `.` and anything else).
    #[must_use]
    pub fn of_glyph(ch: char) -> Option<Category> {
        Category::ALL.into_iter().find(|&c| c.glyph() == ch)
    }
}
