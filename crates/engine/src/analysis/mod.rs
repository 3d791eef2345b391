//! Analyses: everything computed from a loaded [`trace::Trace`]. Nothing here can fail;
//! odd data becomes a note or a diagnostic.

pub mod attribution;
pub mod framework;
pub mod fuse;
pub mod kernels;
pub mod layers;
pub mod mapping;
pub mod overlap;
pub mod source;
pub mod split;
pub mod stages;
pub mod timeline;
