//! "Compare two runs": one file picker for run A and one for run B (each a trace, or the
//! files of one capture, rank 0 kept as in a normal triage), then the compare view.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::io::{self, Chosen};
use crate::state::AppState;

/// The two pickers and the Compare button.
#[component]
pub fn ComparePicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let a: RwSignal<Vec<Chosen>, LocalStorage> = RwSignal::new_local(Vec::new());
    let b: RwSignal<Vec<Chosen>, LocalStorage> = RwSignal::new_local(Vec::new());
    let pick = move |side: RwSignal<Vec<Chosen>, LocalStorage>| {
        move |ev: leptos::ev::Event| {
            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                side.set(io::from_input(&input));
            }
        }
    };
    let names = |side: RwSignal<Vec<Chosen>, LocalStorage>| {
        move || side.with(|files| files.iter().map(|f| f.path.clone()).collect::<Vec<_>>().join(", "))
    };
    let ready = move || a.with(|f| !f.is_empty()) && b.with(|f| !f.is_empty());
    let go = move |_| state.compare(a.get_untracked(), b.get_untracked());
    view! {
        <section class="tt-compare-picker" id="compare-picker">
            <h2>"Compare two runs"</h2>
            <p class="tt-muted tt-small">
                "Pick run A (the baseline) and run B: each stage's figures, kernel families and kernels side by side with B − A changes."
            </p>
            <label>"A: " <input id="compare-a" type="file" multiple accept=".json,.gz,application/json,application/gzip" on:change=pick(a)/></label>
            <span class="tt-muted tt-small">{names(a)}</span>
            <label>"B: " <input id="compare-b" type="file" multiple accept=".json,.gz,application/json,application/gzip" on:change=pick(b)/></label>
            <span class="tt-muted tt-small">{names(b)}</span>
            <button class="tt-button" id="compare-go" prop:disabled=move || !ready() on:click=go>"Compare"</button>
        </section>
    }
}
