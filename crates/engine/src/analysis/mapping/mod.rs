//! Mapping: Python attribution for kernels whose own launch says nothing about them.
//!
//! Under CUDA/HIP graphs every replayed kernel carries the `cudaGraphLaunch` that replayed
//! it, so its own attribution is the graph launch's Python frame. A *mapping* recovers the
//! kernel's real site from eager launches of the same kernel: from a second trace captured
//! with graphs off (two-trace mode, anchor-spec §8.6 and §13), or from eager launches
//! elsewhere in the same traces (self-mapping: extend/prefill, warm-up).
//!
//! Kernels are matched per stage (then across stages) by identity, strictest first
//! ([`Tier`]): the canonical row name, then [`names::normalized`], then [`names::family`].
//! A match whose eager launches come from more than one Python location is *ambiguous*:
//! every location is kept with its share of the eager GPU time, never one picked silently.
//!
//! [`Index`] holds the eager launches of a set of traces; [`Sources`] is the per-activity
//! attribution after mapping that the kernel and overlap tables and the coverage figures
//! read.
//!
//! [`names::normalized`]: crate::names::normalized
//! [`names::family`]: crate::names::family

mod index;
mod sources;

pub(crate) use index::{Index, Part};
pub(crate) use sources::{Origin, Policy, Sources, apportion, coverage};

pub(crate) use crate::vocab::{MatchKind, Via};
