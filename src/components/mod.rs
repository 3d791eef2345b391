//! Page components, one per file.

pub mod capture;
pub mod landing;
pub mod progress;
pub mod report_view;
pub mod table;
