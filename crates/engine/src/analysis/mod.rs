//! Analyses: everything computed from a loaded [`trace::Trace`]. Nothing here can fail;
//! odd data becomes a note or a diagnostic.
//!
//! The public ones are what a front end calls itself: [`framework`] (which serving
//! framework, `server_args.json`), [`diffusion`] (an SGLang diffusion run that ran
//! diffusers pipelines: the trace side of the diffusion backend gate) and [`layers`]
//! (forward passes and layers), [`census`] (every kernel name with its GPU time and
//! category: `inspect --kernels`, the corpus coverage test). The rest are
//! the triage's steps, reached through [`crate::triage`], [`crate::ranks`] and
//! [`crate::timeline::Timeline::of`]:
//!
//! - `attribution`: GPU activity → launching runtime call (correlation) → enclosing
//!   cpu_op → Python stack; graph replays inherit the graph launch's site (`source`:
//!   frame names → repository-relative locations and their ranking).
//! - `split`: the device a report follows and each activity's stage; `stages`: step
//!   annotations and CPU/GPU windows.
//! - `kernels`: kernel-table rows, sites and headline figures; `mapping`: Python locations
//!   for graph-replayed kernels from eager twins (two-trace mode, self-mapping).
//! - `overlap`: the overlap-opportunity table (sweep, rows, bubbles, strip); `fuse`: the
//!   fuse-pattern matcher; `timeline`: the timeline model built from a trace.

pub(crate) mod attribution;
pub mod capture;
pub mod census;
pub mod diffusion;
pub mod framework;
pub(crate) mod fuse;
pub(crate) mod intervals;
pub(crate) mod kernels;
pub mod layers;
pub(crate) mod mapping;
pub(crate) mod overlap;
pub(crate) mod roofline;
pub(crate) mod scope;
pub(crate) mod source;
pub(crate) mod split;
pub(crate) mod stages;
pub(crate) mod timeline;
pub(crate) mod verdict;
