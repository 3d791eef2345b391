//! The engine's shared vocabulary: the small value types every layer above names
//! (categories, stages, how a location was found). No logic that reads a trace lives here.

mod category;
mod family;
mod matching;
mod stage;

pub use category::Category;
pub use family::Family;
pub use matching::{MatchKind, Via};
pub use stage::{Stage, StageSource, stage_from_path};
