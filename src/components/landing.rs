//! The landing view: drop zone, file and folder pickers, and the sample button.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::capture::Capture;
use crate::components::catalog_picker::CatalogPicker;
use crate::components::roles::Roles;
use crate::io;
use crate::state::{AppState, Status};

/// Drop zone plus pickers.
#[component]
pub fn Landing() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The page now waits for the user: a good time to warm the engine up.
    crate::client::warm_up();
    let (over, set_over) = signal(false);
    let on_files = move |ev: leptos::ev::Event| {
        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            let chosen = io::from_input(&input);
            input.set_value("");
            state.open(chosen);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        set_over.set(false);
        let Some(transfer) = ev.data_transfer() else { return };
        leptos::task::spawn_local(async move {
            let chosen = io::from_drop(&transfer).await;
            state.open(chosen);
        });
    };
    let on_sample = move |_| {
        leptos::task::spawn_local(async move {
            match io::sample().await {
                Ok(file) => state.open(vec![file]),
                Err(e) => state.status.set(Status::Failed(e)),
            }
        });
    };
    let url = RwSignal::new(String::new());
    let on_url = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let urls: Vec<String> = url.get_untracked().split_whitespace().map(str::to_owned).collect();
        state.open_urls(urls);
    };
    view! {
        <section
            id="drop"
            class="tt-drop"
            class:tt-drop-over=over
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                set_over.set(true);
            }
            on:dragleave=move |_| set_over.set(false)
            on:drop=on_drop
        >
            <h1>"Drop a trace here"</h1>
            <p class="tt-muted">
                "A torch.profiler (Kineto) trace, .json or .json.gz, of any size — or several: the EXTEND and DECODE "
                "files of one capture, the ranks of a run, or a whole profile folder. A server.log (or *.log) "
                "beside them is read too: a run that used the diffusers backend is refused. Rank-reduction files "
                "(.ttr, from tracetriage reduce), alone or with traces, open the all-ranks view."
            </p>
            <div class="tt-pickers">
                <label class="tt-button tt-primary">
                    "Choose files…"
                    <input id="file" type="file" multiple accept=".json,.gz,.log,.ttr,application/json,application/gzip" on:change=on_files/>
                </label>
                <label class="tt-button">
                    "Choose a folder…"
                    <input id="folder" type="file" prop:webkitdirectory=true on:change=on_files/>
                </label>
                <button id="sample" class="tt-button" on:click=on_sample>"Try a sample"</button>
                <CatalogPicker/>
            </div>
            <form class="tt-url" id="url-form" on:submit=on_url>
                <input
                    id="url"
                    class="tt-url-input"
                    type="text"
                    inputmode="url"
                    placeholder="https://…/run-TP-0.trace.json.gz"
                    aria-label="Trace URL (several: separated by spaces)"
                    prop:value=move || url.get()
                    on:input=move |ev| url.set(event_target_value(&ev))
                />
                <button id="open-url" class="tt-button" type="submit">"Open a URL"</button>
            </form>
            <p class="tt-muted tt-small">
                "A URL is downloaded by this page (its server must allow it: CORS) and read here like a dropped file. "
                "The sample is an excerpt of a vLLM prefill step of gpt-oss on a B200 (MIT-licensed, from AMD-AGI/TraceLens)."
            </p>
        </section>
        <Roles/>
        <Capture/>
    }
}
