//! The progress view of a running triage, with Cancel.

use leptos::prelude::*;

use crate::protocol::Progress;
use crate::state::AppState;

/// Bytes read, bytes inflated, events parsed and the phase.
#[component]
pub fn ProgressView(
    /// The latest progress message from the worker.
    progress: Progress,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let pct = if progress.all_total > 0 {
        100.0 * progress.all_read as f64 / progress.all_total as f64
    } else {
        0.0
    };
    let downloading = progress.phase == crate::fetch::DOWNLOADING;
    let phase = if downloading && progress.files > 1 {
        format!("Downloading file {} of {}: {}", progress.file + 1, progress.files, progress.name)
    } else if downloading {
        format!("Downloading {}", progress.name)
    } else if progress.phase == "analysing" {
        "Analysing…".to_owned()
    } else if progress.parallel > 1 {
        format!("Reading {} files, {} at a time: {} done", progress.files, progress.parallel, progress.file)
    } else if progress.files > 1 {
        format!("Reading file {} of {}: {}", progress.file + 1, progress.files, progress.name)
    } else {
        format!("Reading {}", progress.name)
    };
    let detail = if downloading && progress.all_total == 0 {
        format!("{} downloaded", report::format::bytes(progress.all_read))
    } else if downloading {
        format!(
            "{} of {} downloaded",
            report::format::bytes(progress.all_read),
            report::format::bytes(progress.all_total)
        )
    } else {
        format!(
            "{} of {} read · {} of JSON · {} events",
            report::format::bytes(progress.all_read),
            report::format::bytes(progress.all_total),
            report::format::bytes(progress.bytes_text),
            report::format::count(progress.events)
        )
    };
    view! {
        <section class="tt-progress" id="progress" aria-live="polite">
            <p class="tt-progress-phase">{phase}</p>
            <div class="tt-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=format!("{pct:.0}")>
                <div class="tt-bar-fill" style=format!("width: {pct:.1}%")></div>
            </div>
            <p class="tt-muted tt-small" id="progress-detail">{detail}</p>
            <button id="cancel" class="tt-button" on:click=move |_| state.cancel()>"Cancel"</button>
        </section>
    }
}
