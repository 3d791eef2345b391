//! The fuse-pattern matcher: which catalog families (`catalog/fuse.toml`) a stage's
//! kernels belong to, per stage, over all of its kernel rows (not only the visible ones).
//!
//! Signals match whole tokens of a kernel's demangled base name (never text inside its
//! template or argument lists), the CPU op around its launch, or the Python frames that
//! launched it: three separate kinds, never one concatenated haystack ([`crate::catalog::tokens`]). Gates
//! come from the run ([`context`]): framework, platform, model include/exclude,
//! tensor-parallel size and data type; a gate that cannot be decided (model or TP size
//! unknown) stops split-only matches, not a fused kernel that is in the trace.
//!
//! Conflicts resolve as in the seed tool: matches sorted by priority, span, rows covered,
//! GPU time and catalog order; an accepted pattern blocks what it `subsumes` and takes its
//! rows. Two differences: a pattern whose rows were partly taken is re-checked on the rest
//! instead of being dropped whole, and a row taken as the split half of one family can
//! still prove another family's fused path (the FlashInfer `FusedAddRMSNormKernel` after an
//! all-reduce is both the norm half of the all-reduce-fusion ladder and the fused residual
//! add + RMSNorm), while a fused-path row belongs to its family alone.

pub(crate) mod context;
mod matcher;

pub(crate) use context::Context;
pub(crate) use matcher::{cutoff, match_stage};
