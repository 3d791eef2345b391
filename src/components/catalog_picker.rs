//! Choosing an extra catalog file (the CLI's `--catalog`): validated here, then applied to
//! every triage (and to the report on screen, which is triaged again).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::protocol::UserCatalog;
use crate::state::AppState;

/// A file button for an extra catalog; `retriage` re-runs the shown report with it.
#[component]
pub fn CatalogPicker(
    /// Whether to triage the loaded traces again once a catalog is chosen.
    #[prop(optional)]
    retriage: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let message = state.catalog_message;
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let name = file.name();
            let Some(text) = JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string()) else {
                message.set(format!("{name}: the browser could not read the file"));
                return;
            };
            match report::engine::Catalog::builtin_with(&name, &text) {
                Ok(_) => {
                    message.set(format!("Extra catalog {name} in use."));
                    state.catalog.set(Some(UserCatalog { name, text }));
                    if retriage {
                        state.retriage();
                    }
                }
                Err(e) => message.set(e.to_string()),
            }
        });
    };
    view! {
        <label class="tt-button" title="A catalog file in the catalog/ TOML format, added to the built-in one">
            "Extra catalog…"
            <input id="catalog-file" type="file" accept=".toml,text/plain" on:change=on_change/>
        </label>
        <span class="tt-muted tt-small" id="catalog-message">{move || message.get()}</span>
    }
}
