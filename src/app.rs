//! The root component: provides the page's [`AppState`] and shows the view of its
//! [`Status`].

use std::sync::Arc;

use leptos::prelude::*;

use crate::components::dashboard::Dashboard;
use crate::components::landing::Landing;
use crate::components::progress::ProgressView;
use crate::components::report_view::ReportView;
use crate::io;
use crate::state::{AppState, Origin, Status};

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState {
        status: RwSignal::new(Status::Idle),
        started_at: RwSignal::new(0.0),
        catalog: RwSignal::new(None),
        catalog_message: RwSignal::new(String::new()),
    };
    provide_context(state);
    // A dashboard page opens as one; a shared link opens straight into its report or diff.
    if crate::components::dashboard::wanted() {
        state.status.set(Status::Dashboard);
    } else if let Some(fragment) =
        io::fragment().filter(|f| f.trim_start_matches('#').starts_with(engine::share::DIFF_PREFIX))
    {
        match engine::share::decode_diff(&fragment) {
            Ok(d) => state.status.set(Status::Compare(Arc::new(d))),
            Err(e) => state.status.set(Status::Failed(e.to_string())),
        }
    } else if let Some(fragment) = io::fragment() {
        match engine::share::decode(&fragment) {
            Ok(report) => state.status.set(Status::Ready(Arc::new(report), Origin::Link)),
            Err(e) => state.status.set(Status::Failed(e.to_string())),
        }
    }
    let body = move || {
        match state.status.get() {
        Status::Idle => view! { <Landing/><crate::components::compare_picker::ComparePicker/> }.into_any(),
        Status::Loading(p) => view! { <ProgressView progress=p/> }.into_any(),
        Status::Failed(message) => view! {
            <div class="tt-error" role="alert" id="error">
                <strong>"Could not open this trace. "</strong>
                <span class="tt-error-message">{message}</span>
            </div>
            <Landing/>
        }
        .into_any(),
        Status::Ready(report, origin) => view! { <ReportView report=report origin=origin/> }.into_any(),
        Status::Ranks(report, load_ms, analysis_ms) => {
            view! { <crate::components::ranks::RanksView report=report load_ms=load_ms analysis_ms=analysis_ms/> }.into_any()
        }
        Status::Compare(diff) => view! { <crate::components::compare::CompareView diff=diff/> }.into_any(),
        Status::Dashboard => view! { <Dashboard/> }.into_any(),
    }
    };
    let home = move |_| {
        io::cancel();
        io::set_fragment("");
        state.status.set(Status::Idle);
    };
    view! {
        <header class="tt-top">
            <a class="tt-brand" href="#" on:click=home>"tracetriage"</a>
            <span class="tt-tagline">"PyTorch-profiler traces of LLM servers, triaged in your browser. Nothing is uploaded."</span>
        </header>
        <main class="tt-main">{body}</main>
    }
}
