//! Analyses: everything computed from a loaded [`crate::Trace`]. Nothing here can fail;
//! odd data becomes a note or a diagnostic.

pub mod attribution;
pub mod categories;
pub mod framework;
pub mod fuse;
pub mod kernels;
pub mod layers;
pub mod mapping;
pub mod names;
pub mod overlap;
pub mod ranks;
pub mod source;
pub mod stages;
