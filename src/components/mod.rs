//! Page components, one per file.

pub mod capture;
pub mod catalog_panel;
pub mod catalog_picker;
pub mod compare;
pub mod compare_picker;
pub mod dashboard;
pub mod dashboard_compare;
pub mod dashboard_load;
pub mod dashboard_runs;
pub mod dashboard_trend;
pub mod keys;
pub mod landing;
pub mod layers;
pub mod perfetto;
pub mod progress;
pub mod ranks;
pub mod report_view;
pub mod roles;
pub mod roofline;
pub mod table;
pub mod timeline;
pub mod verdict;
