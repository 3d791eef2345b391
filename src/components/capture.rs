//! Live capture through `tracetriage-relay serve`: a form for the server, the relay's
//! progress as it warms up, arms, probes and flushes, then the captured traces are
//! triaged here like dropped files.

use leptos::prelude::*;
use serde_json::{Value, json};

use crate::relay::{self, Relay};
use crate::state::AppState;

/// The capture panel (open when the relay served this page).
#[component]
pub fn Capture() -> impl IntoView {
    let state = expect_context::<AppState>();
    let from_page = Relay::from_page();
    let open = from_page.is_some();
    let relay_url = RwSignal::new(String::new());
    let relay: RwSignal<Option<Relay>> = RwSignal::new(from_page);
    let server = RwSignal::new("http://127.0.0.1:30000".to_owned());
    let framework = RwSignal::new("auto".to_owned());
    let workload = RwSignal::new("both".to_owned());
    let trace_path = RwSignal::new(String::new());
    let steps = RwSignal::new("5".to_owned());
    let warmup = RwSignal::new("10".to_owned());
    let decode_len = RwSignal::new("2048".to_owned());
    let budget = RwSignal::new("500".to_owned());
    let lines: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let running: RwSignal<Option<String>> = RwSignal::new(None);
    let error = RwSignal::new(String::new());

    let start = move |_| {
        error.set(String::new());
        let target = match relay.get_untracked() {
            Some(r) => r,
            None => match Relay::from_url(&relay_url.get_untracked()) {
                Ok(r) => {
                    relay.set(Some(r.clone()));
                    r
                }
                Err(e) => {
                    error.set(e);
                    return;
                }
            },
        };
        let num = |s: RwSignal<String>| s.get_untracked().trim().parse::<f64>().ok();
        let mut options = json!({
            "url": server.get_untracked().trim(),
            "framework": framework.get_untracked(),
            "workload": workload.get_untracked(),
        });
        if let Some(n) = num(steps) {
            options["num_steps"] = json!(n as u64);
        }
        if let Some(n) = num(warmup) {
            options["warmup_steps"] = json!(n as u64);
        }
        if let Some(n) = num(decode_len) {
            options["decode_output_len"] = json!(n as u64);
        }
        if let Some(b) = num(budget) {
            options["max_trace_mb"] = json!(b);
        }
        let path = trace_path.get_untracked();
        if !path.trim().is_empty() {
            options["server_trace_path"] = json!(path.trim());
        }
        lines.set(vec!["Connecting to the relay…".into()]);
        leptos::task::spawn_local(async move {
            if let Err(e) = target.info().await {
                error.set(e);
                lines.set(Vec::new());
                return;
            }
            let id = match target.start(&options).await {
                Ok(id) => id,
                Err(e) => {
                    error.set(e);
                    lines.set(Vec::new());
                    return;
                }
            };
            running.set(Some(id.clone()));
            let mut since = 0;
            loop {
                let answer = match target.poll(&id, since).await {
                    Ok(a) => a,
                    Err(e) => {
                        error.set(e);
                        break;
                    }
                };
                for ev in answer.get("events").and_then(Value::as_array).into_iter().flatten() {
                    lines.update(|l| l.push(relay::describe(ev)));
                }
                since = answer.get("next").and_then(Value::as_u64).unwrap_or(since);
                match answer.get("state").and_then(Value::as_str) {
                    Some("running") => continue,
                    Some("done") => {
                        lines.update(|l| l.push("Downloading the traces…".into()));
                        match target.traces(&id).await {
                            Ok(files) => state.open(files),
                            Err(e) => error.set(e),
                        }
                        break;
                    }
                    _ => break,
                }
            }
            running.set(None);
        });
    };
    let cancel = move |_| {
        if let (Some(r), Some(id)) = (relay.get_untracked(), running.get_untracked()) {
            leptos::task::spawn_local(async move { r.cancel(&id).await });
        }
    };
    let needs_path = move || matches!(framework.get().as_str(), "vllm" | "trtllm");
    view! {
        <details class="tt-capture" id="capture" open=open>
            <summary>"Capture from a running server (SGLang, vLLM, TensorRT-LLM, TokenSpeed)"</summary>
            <p class="tt-muted tt-small">
                "Start " <code>"tracetriage-relay serve --out DIR --app dist/"</code>
                " next to the server and open the URL it prints; or paste that URL here. "
                "The relay drives the server's profiler; the trace is triaged in this tab."
            </p>
            <div class="tt-form">
                <Show when=move || relay.get().is_none()>
                    <label>"Relay URL" <input id="relay-url" placeholder="http://127.0.0.1:8671/?token=…"
                        on:input=move |ev| relay_url.set(event_target_value(&ev)) prop:value=move || relay_url.get()/></label>
                </Show>
                <label>"Server URL" <input id="server-url" on:input=move |ev| server.set(event_target_value(&ev)) prop:value=move || server.get()/></label>
                <label>"Framework"
                    <select id="framework" on:change=move |ev| framework.set(event_target_value(&ev)) prop:value=move || framework.get()>
                        <option value="auto">"Detect"</option>
                        <option value="sglang">"SGLang"</option>
                        <option value="vllm">"vLLM"</option>
                        <option value="trtllm">"TensorRT-LLM"</option>
                        <option value="tokenspeed">"TokenSpeed"</option>
                    </select>
                </label>
                <label>"Workload"
                    <select id="workload" on:change=move |ev| workload.set(event_target_value(&ev)) prop:value=move || workload.get()>
                        <option value="both">"prefill and decode"</option>
                        <option value="prefill">"prefill"</option>
                        <option value="decode">"decode"</option>
                    </select>
                </label>
                <Show when=needs_path>
                    <label>"Server's trace path" <input id="trace-path" placeholder="vLLM: torch_profiler_dir; TRT-LLM: TLLM_TORCH_PROFILE_TRACE"
                        on:input=move |ev| trace_path.set(event_target_value(&ev)) prop:value=move || trace_path.get()/></label>
                </Show>
                <label>"Steps" <input id="steps" type="number" min="1" on:input=move |ev| steps.set(event_target_value(&ev)) prop:value=move || steps.get()/></label>
                <label>"Warm-up steps" <input id="warmup" type="number" min="0" on:input=move |ev| warmup.set(event_target_value(&ev)) prop:value=move || warmup.get()/></label>
                <label>"Decode tokens" <input id="decode-len" type="number" min="8" on:input=move |ev| decode_len.set(event_target_value(&ev)) prop:value=move || decode_len.get()/></label>
                <label>"Trace budget (MB)" <input id="budget" type="number" min="1" on:input=move |ev| budget.set(event_target_value(&ev)) prop:value=move || budget.get()/></label>
            </div>
            <div class="tt-pickers">
                <button id="capture-start" class="tt-button tt-primary" on:click=start disabled=move || running.get().is_some()>"Capture"</button>
                <Show when=move || running.get().is_some()>
                    <button id="capture-cancel" class="tt-button" on:click=cancel>"Cancel capture"</button>
                </Show>
            </div>
            <Show when=move || !error.get().is_empty()>
                <p class="tt-error" id="capture-error">{move || error.get()}</p>
            </Show>
            <ol class="tt-capture-log" id="capture-log">
                {move || lines.get().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ol>
        </details>
    }
}
