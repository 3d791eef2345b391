//! Live capture through `tracetriage-relay serve`: a form for the server, the relay's
//! progress as it warms up, arms, probes and flushes (each event's one line,
//! [`report::live::Event`]), then the captured traces are triaged here like dropped files.

use leptos::prelude::*;
use report::live::CaptureRequest;
use report::live::JobState;

use crate::relay::Relay;
use crate::state::AppState;

/// The form's fields, as typed.
#[derive(Clone, Copy)]
struct Form {
    server: RwSignal<String>,
    framework: RwSignal<String>,
    workload: RwSignal<String>,
    trace_path: RwSignal<String>,
    steps: RwSignal<String>,
    warmup: RwSignal<String>,
    decode_len: RwSignal<String>,
    budget: RwSignal<String>,
    mapping: RwSignal<String>,
    formal: RwSignal<String>,
    capture_traces: RwSignal<String>,
}

impl Form {
    /// The form with its defaults (the relay's own).
    fn new() -> Form {
        Form {
            server: RwSignal::new("http://127.0.0.1:30000".to_owned()),
            framework: RwSignal::new("auto".to_owned()),
            workload: RwSignal::new("both".to_owned()),
            trace_path: RwSignal::new(String::new()),
            steps: RwSignal::new("5".to_owned()),
            warmup: RwSignal::new("10".to_owned()),
            decode_len: RwSignal::new("2048".to_owned()),
            budget: RwSignal::new("500".to_owned()),
            mapping: RwSignal::new(String::new()),
            formal: RwSignal::new(String::new()),
            capture_traces: RwSignal::new(String::new()),
        }
    }

    /// The capture request: what the form says; a field that is not a number is left to
    /// the relay's default.
    fn request(self) -> CaptureRequest {
        let int = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().ok();
        let path = self.trace_path.get_untracked().trim().to_owned();
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|t| !t.is_empty());
        // Both pair URLs given: a two-server capture instead of the single server.
        let pair = text(self.mapping).zip(text(self.formal));
        CaptureRequest {
            url: if pair.is_some() { String::new() } else { self.server.get_untracked().trim().to_owned() },
            mapping_url: pair.as_ref().map(|p| p.0.clone()),
            formal_url: pair.map(|p| p.1),
            capture_traces: text(self.capture_traces),
            framework: Some(self.framework.get_untracked()),
            workload: Some(self.workload.get_untracked()),
            num_steps: int(self.steps),
            warmup_steps: int(self.warmup),
            decode_output_len: int(self.decode_len),
            max_trace_mb: self.budget.get_untracked().trim().parse::<f64>().ok(),
            server_trace_path: (!path.is_empty()).then_some(path),
        }
    }
}

/// Where a capture's progress is shown.
#[derive(Clone, Copy)]
struct Log {
    lines: RwSignal<Vec<String>>,
    running: RwSignal<Option<String>>,
    error: RwSignal<String>,
}

impl Log {
    fn fail(self, e: String) {
        self.error.set(e);
        self.lines.set(Vec::new());
    }
}

/// Runs one capture: checks the relay, starts it, shows its events as they come, and
/// opens its traces when it is done.
async fn capture(target: Relay, request: CaptureRequest, log: Log, state: AppState) {
    if let Err(e) = target.info().await {
        return log.fail(e);
    }
    let id = match target.start(&request).await {
        Ok(id) => id,
        Err(e) => return log.fail(e),
    };
    log.running.set(Some(id.clone()));
    let mut since = 0;
    loop {
        let answer = match target.poll(&id, since).await {
            Ok(a) => a,
            Err(e) => {
                log.error.set(e);
                break;
            }
        };
        log.lines.update(|l| l.extend(answer.events.iter().map(|e| e.event.to_string())));
        since = answer.next;
        match answer.state {
            JobState::Running => {}
            JobState::Done => {
                log.lines.update(|l| l.push("Downloading the traces…".into()));
                match target.traces(&id).await {
                    Ok(files) if files.iter().any(|f| f.path.starts_with("mapping/")) => {
                        state.open_roles(pair_roles(files));
                    }
                    Ok(files) => state.open(files),
                    Err(e) => log.error.set(e),
                }
                break;
            }
            JobState::Failed | JobState::Cancelled => break,
        }
    }
    log.running.set(None);
}

/// The roles of a two-server capture's files, from their folders (`mapping/`,
/// `formal/`; graph-capture traces are `capture`); `server_args.json` is left out.
fn pair_roles(files: Vec<crate::io::Chosen>) -> Vec<(crate::io::Chosen, String)> {
    files
        .into_iter()
        .filter(|f| !f.path.ends_with("server_args.json"))
        .map(|f| {
            let role = if report::engine::discover::is_capture_path(&f.path) {
                "capture"
            } else if f.path.starts_with("mapping/") {
                "mapping"
            } else {
                "formal"
            };
            (f, role.to_owned())
        })
        .collect()
}

/// The capture panel (open when the relay served this page).
#[component]
pub fn Capture() -> impl IntoView {
    let state = expect_context::<AppState>();
    let from_page = Relay::from_page();
    let open = from_page.is_some();
    let relay_url = RwSignal::new(String::new());
    let relay: RwSignal<Option<Relay>> = RwSignal::new(from_page);
    let form = Form::new();
    let Form { server, framework, workload, trace_path, steps, warmup, decode_len, budget, .. } = form;
    let log = Log {
        lines: RwSignal::new(Vec::new()),
        running: RwSignal::new(None),
        error: RwSignal::new(String::new()),
    };
    let Log { lines, running, error } = log;

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
        lines.set(vec!["Connecting to the relay…".into()]);
        leptos::task::spawn_local(capture(target, form.request(), log, state));
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
                <PairFields form=form/>
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

/// The capture-traces folder and the two-server URLs of the form.
#[component]
fn PairFields(form: Form) -> impl IntoView {
    let Form { mapping, formal, capture_traces, .. } = form;
    view! {
        <label>"Capture traces folder" <input id="capture-traces" placeholder="where the server wrote capture_traces/ (optional)"
            on:input=move |ev| capture_traces.set(event_target_value(&ev)) prop:value=move || capture_traces.get()/></label>
        <label>"Mapping server URL (graphs off)" <input id="mapping-url" placeholder="two servers: instead of the server URL"
            on:input=move |ev| mapping.set(event_target_value(&ev)) prop:value=move || mapping.get()/></label>
        <label>"Formal server URL (graphs on)" <input id="formal-url" placeholder="two servers: the real serving flags"
            on:input=move |ev| formal.set(event_target_value(&ev)) prop:value=move || formal.get()/></label>
    }
}
