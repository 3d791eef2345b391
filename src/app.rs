//! The root component: provides the page's [`AppState`] and shows the view of its
//! [`Status`].

use leptos::prelude::*;

use crate::components::compare::CompareView;
use crate::components::compare_picker::ComparePicker;
use crate::components::dashboard::{self, Dashboard};
use crate::components::keys::KeyHelp;
use crate::components::landing::Landing;
use crate::components::progress::ProgressView;
use crate::components::ranks::RanksView;
use crate::components::report_view::ReportView;
use crate::io;
use crate::state::{AppState, Status};
use crate::url_state;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    // Read `?perfetto=` before the page rewrites its URL.
    let _ = crate::components::perfetto::ui_base();
    // Traces named by `#src=` are downloaded and opened (on a dashboard page too: its
    // "open trace" links); a dashboard page opens as one; a shared link opens straight
    // into its report or diff.
    let start = url_state::current();
    if !start.src.is_empty() {
        state.open_urls(start.src);
    } else if dashboard::wanted() {
        state.status.set(Status::Dashboard);
    } else {
        state.open_link();
    }
    url_state::follow(state);
    let body = move || match state.status.get() {
        Status::Idle => view! { <Landing/><ComparePicker/> }.into_any(),
        Status::Loading(p) => view! { <ProgressView progress=p/> }.into_any(),
        Status::Failed(message) => {
            let (text, offer) = crate::protocol::split_window_offer(&message);
            let text = text.to_owned();
            let take = move |_| {
                if let Some(w) = offer {
                    state.open_window(w);
                }
            };
            // A shared link that cannot be opened is a report link, not a trace.
            let head = url_state::current().head;
            let what = if url_state::is_link(&head) {
                "Could not open this report link. "
            } else {
                "Could not open this trace. "
            };
            view! {
                <div class="tt-error" role="alert" id="error">
                    <strong>{what}</strong>
                    <span class="tt-error-message">{text}</span>
                    {offer.map(|_| view! {
                        " "
                        <button type="button" id="load-window" on:click=take>"Load that window"</button>
                    })}
                </div>
                <Landing/>
            }
            .into_any()
        }
        Status::Ready(report, origin) => view! { <ReportView report=report origin=origin/> }.into_any(),
        Status::Ranks(report, load_ms, analysis_ms) => {
            view! { <RanksView report=report load_ms=load_ms analysis_ms=analysis_ms/> }.into_any()
        }
        Status::Compare(diff) => view! { <CompareView diff=diff/> }.into_any(),
        Status::Dashboard => view! { <Dashboard/> }.into_any(),
    };
    let home = move |_| {
        state.cancel();
        io::set_fragment("");
    };
    view! {
        <header class="tt-top">
            <a class="tt-brand" href="#" on:click=home>"tracetriage"</a>
            <span class="tt-tagline">"PyTorch-profiler traces of LLM servers, triaged in your browser. Nothing is uploaded."</span>
        </header>
        <main class="tt-main">{body}</main>
        <KeyHelp/>
    }
}
