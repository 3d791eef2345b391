//! The catalog side panel: what a fuse row's pattern (or an overlap row's reference entry)
//! is — its signals, gates, source paths, PRs and rationale — from the same catalog the
//! triage used (built in, plus the user's extra file).

use leptos::prelude::*;

use crate::state::AppState;

/// The catalog the page's triage uses: built in, or built in plus the user's file.
pub fn with_catalog<T>(state: AppState, f: impl FnOnce(&report::engine::Catalog) -> T) -> T {
    match state
        .catalog
        .get_untracked()
        .and_then(|c| report::engine::Catalog::builtin_with(&c.name, &c.text).ok())
    {
        Some(owned) => f(&owned),
        None => f(report::engine::Catalog::builtin()),
    }
}

/// Shows the entry `selected` names; ids listed as related can be followed.
#[component]
pub fn CatalogPanel(
    /// The entry id to show (`None`: the panel is closed).
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let body = move || {
        let id = selected.get()?;
        let entry = with_catalog(state, |c| c.entry(&id));
        let Some(e) = entry else {
            return Some(view! { <p class="tt-muted">{report::catalog::missing_entry(&id)}</p> }.into_any());
        };
        let signals = e
            .signals
            .iter()
            .map(|s| view! { <li><strong>{s.label.clone()}</strong>" "{report::catalog::signals_line(s)}</li> })
            .collect_view();
        let paths = e.paths.iter().map(|p| view! { <li><code>{p.clone()}</code></li> }).collect_view();
        let prs = e
            .prs
            .iter()
            .map(|p| view! { <li><a href=p.url.clone() target="_blank" rel="noopener noreferrer">{p.id.clone()}</a></li> })
            .collect_view();
        let gates = e.gates.iter().map(|g| view! { <li>{g.clone()}</li> }).collect_view();
        let hints = e.hints.iter().map(|h| view! { <li>{h.clone()}</li> }).collect_view();
        let related = e
            .related
            .iter()
            .map(|r| {
                let r2 = r.clone();
                view! { <li><button class="tt-linkish" on:click=move |_| selected.set(Some(r2.clone()))>{r.clone()}</button></li> }
            })
            .collect_view();
        let meta = report::catalog::entry_meta(&e);
        Some(
            view! {
                <h3 class="tt-panel-title">{e.name.clone()}</h3>
                <p class="tt-muted tt-small"><code>{e.id.clone()}</code>" · "{meta}</p>
                {e.rationale.clone().map(|r| view! { <p>{r}</p> })}
                <h4>"Signals"</h4><ul>{signals}</ul>
                {(!e.gates.is_empty()).then(|| view! { <h4>"Gates"</h4><ul>{gates}</ul> })}
                {(!e.hints.is_empty()).then(|| view! { <h4>"Trace shape"</h4><ul>{hints}</ul> })}
                {(!e.paths.is_empty()).then(|| view! { <h4>"Source paths"</h4><ul>{paths}</ul> })}
                {(!e.prs.is_empty()).then(|| view! { <h4>"Pull requests"</h4><ul>{prs}</ul> })}
                {(!e.related.is_empty()).then(|| view! { <h4>"Related"</h4><ul>{related}</ul> })}
            }
            .into_any(),
        )
    };
    view! {
        <Show when=move || selected.get().is_some()>
            <aside class="tt-panel" id="catalog-panel" role="dialog" aria-label="Catalog entry">
                <button class="tt-button tt-panel-close" id="catalog-close" on:click=move |_| selected.set(None)>"Close"</button>
                {body}
            </aside>
        </Show>
    }
}
