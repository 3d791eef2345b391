//! Page components, one per file.

pub mod capture;
pub mod catalog_panel;
pub mod catalog_picker;
pub mod dashboard;
pub mod dashboard_compare;
pub mod dashboard_runs;
pub mod dashboard_trend;
pub mod landing;
pub mod progress;
pub mod report_view;
pub mod table;
pub mod timeline;
