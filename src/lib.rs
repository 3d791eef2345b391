//! The tracetriage browser app (Leptos, client-side rendering). The engine runs here as
//! WebAssembly: traces are read from the user's disk and never uploaded.
#![allow(missing_docs)] // Leptos' #[component] generates undocumented items.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let (summary, set_summary) = signal(String::new());
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let name = file.name();
        leptos::task::spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buf) => {
                    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                    match engine::load(&bytes) {
                        Ok(trace) => engine::inspect::summarize(&trace).to_text(&name),
                        Err(e) => format!("{name}: {e}"),
                    }
                }
                Err(_) => format!("{name}: the browser could not read the file"),
            };
            set_summary.set(text);
        });
    };
    view! {
        <main class="tt-main">
            <h1>"tracetriage"</h1>
            <p>"Open a PyTorch-profiler (Kineto) trace (.json or .json.gz). It is read in this tab and never uploaded."</p>
            <input type="file" id="file" on:change=on_change />
            <pre id="summary">{summary}</pre>
        </main>
    }
}
