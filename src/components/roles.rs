//! Two-trace mode on the landing page (`tracetriage triage --mapping … --formal …`): the
//! user drops or chooses several traces, gives each a role — *mapping* (captured with CUDA
//! graphs off: its eager launches give graph-replayed kernels their Python location) or
//! *formal* (graphs on: timing, shares, overlap) — and starts the triage. Graph-capture
//! traces (in a `capture_traces/` or `graph_capture_profile/` folder, or named
//! `cuda_graph_capture-…`) get the *capture* role: they give the formal traces'
//! graph-replayed kernels the site that launched them at capture. A `config.json` among
//! them is kept for the layers tab, as in the single-trace flow.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::io::{self, Chosen};
use crate::state::AppState;

/// The role a file gets from its path: `capture` for a graph-capture trace, `mapping` when
/// the name says graphs were off, else `formal`.
fn guess_role(path: &str) -> &'static str {
    if io::kind_of(path) == io::Kind::Capture {
        return "capture";
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let eager = ["mapping", "eager", "nograph", "no-graph", "no_graph", "graph-off", "graph_off", "disable"];
    if eager.iter().any(|w| name.contains(w)) { "mapping" } else { "formal" }
}

/// Adds chosen files to the list (config.json is kept aside for the layers tab); when no
/// file is a mapping yet, the first one that is not a capture trace becomes one.
fn add(state: AppState, files: RwSignal<Vec<(Chosen, String)>>, chosen: Vec<Chosen>) {
    leptos::task::spawn_local(async move {
        let mut traces = Vec::new();
        for c in chosen {
            let name = c.path.rsplit('/').next().unwrap_or(&c.path).to_ascii_lowercase();
            if name == "config.json" {
                let text = io::file_text(&c.file).await;
                state.model_config.set(text.map(|t| (c.path.clone(), t)));
            } else if name != "server_args.json" {
                traces.push(c);
            }
        }
        files.update(|f| {
            for c in traces {
                let role = guess_role(&c.path).to_owned();
                f.push((c, role));
            }
            report::engine::order::sort_by(f, |a, b| a.0.path.cmp(&b.0.path));
            if !f.iter().any(|(_, r)| r == "mapping")
                && f.iter().filter(|(_, r)| r != "capture").count() > 1
                && let Some(first) = f.iter_mut().find(|(_, r)| r != "capture")
            {
                first.1 = "mapping".to_owned();
            }
        });
    });
}

/// The two-trace panel: files, a role picker per file, and the start button.
#[component]
pub fn Roles() -> impl IntoView {
    let state = expect_context::<AppState>();
    let files: RwSignal<Vec<(Chosen, String)>> = RwSignal::new(Vec::new());
    let (over, set_over) = signal(false);
    let on_files = move |ev: leptos::ev::Event| {
        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            let chosen = io::from_input(&input);
            input.set_value("");
            add(state, files, chosen);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        set_over.set(false);
        let Some(transfer) = ev.data_transfer() else { return };
        leptos::task::spawn_local(async move {
            let chosen = io::from_drop(&transfer).await;
            add(state, files, chosen);
        });
    };
    let count = move |role: &str| files.with(|f| f.iter().filter(|(_, r)| r == role).count());
    let ready = move || count("mapping") > 0 && count("formal") > 0;
    let rows = move || {
        files
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, (c, role))| {
                let on_role = move |ev: leptos::ev::Event| {
                    let v = event_target_value(&ev);
                    files.update(|f| {
                        if let Some(row) = f.get_mut(i) {
                            row.1 = v;
                        }
                    });
                };
                let on_remove = move |_| {
                    files.update(|f| {
                        if i < f.len() {
                            f.remove(i);
                        }
                    });
                };
                let is = move |r: &str| role == r;
                view! {
                    <li class="tt-role-row">
                        <select class="tt-role" on:change=on_role>
                            <option value="mapping" selected=is("mapping")>"mapping (graphs off)"</option>
                            <option value="formal" selected=is("formal")>"formal (graphs on)"</option>
                            <option value="capture" selected=is("capture")>"capture (graph capture trace)"</option>
                        </select>
                        <span class="tt-role-name">{c.path.clone()}</span>
                        <button class="tt-button tt-small" title="Remove" on:click=on_remove>"×"</button>
                    </li>
                }
            })
            .collect_view()
    };
    let summary = move || {
        let (m, f, c) = (count("mapping"), count("formal"), count("capture"));
        let captures = if c > 0 { format!(", {c} capture") } else { String::new() };
        let config =
            state.model_config.with(|c| c.as_ref().map(|(name, _)| format!("; model config {name}")));
        let config = config.unwrap_or_default();
        format!("{m} mapping, {f} formal{captures}{config}")
    };
    view! {
        <details class="tt-roles" id="two-trace">
            <summary>"Two traces: a mapping capture (CUDA graphs off) and a formal one (graphs on)…"</summary>
            <p class="tt-muted tt-small">
                "Timing comes from the formal traces; graph-replayed kernels get their Python location, CPU op "
                "and scope from eager launches of the same kernel in the mapping traces."
            </p>
            <div
                class="tt-drop tt-roles-drop"
                id="roles-drop"
                class:tt-drop-over=over
                on:dragover=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    set_over.set(true);
                }
                on:dragleave=move |_| set_over.set(false)
                on:drop=on_drop
            >
                <label class="tt-button">
                    "Add traces…"
                    <input id="roles-file" type="file" multiple accept=".json,.gz,application/json,application/gzip" on:change=on_files/>
                </label>
                <span class="tt-muted tt-small">" or drop them here"</span>
            </div>
            <ul class="tt-role-list" id="roles-list">{rows}</ul>
            <p class="tt-muted tt-small" id="roles-summary">{summary}</p>
            <button
                id="roles-triage"
                class="tt-button tt-primary"
                prop:disabled=move || !ready()
                on:click=move |_| state.open_roles(files.get_untracked())
            >
                "Triage mapping + formal"
            </button>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::guess_role;

    #[test]
    fn names_that_say_graphs_were_off_are_mapping_traces() {
        assert_eq!(guess_role("run/eager/TP-0.trace.json.gz"), "formal", "only the file name counts");
        assert_eq!(guess_role("run/TP-0-eager.trace.json.gz"), "mapping");
        assert_eq!(guess_role("a/no-graph-TP-0.json.gz"), "mapping");
        assert_eq!(guess_role("sglang_bs16-TP-0.trace.json.gz"), "formal");
    }

    #[test]
    fn graph_capture_traces_get_the_capture_role() {
        assert_eq!(guess_role("prof/capture_traces/graph_capture_rank_0.1.pt.trace.json.gz"), "capture");
        assert_eq!(guess_role("cuda_graph_capture-ModelRunner-TP-0.json.gz"), "capture");
        assert_eq!(guess_role("prof/graph_execution.json.gz"), "formal");
    }
}
