//! Which server is this, which model does it serve, and what are its arguments:
//! `GET /v1/models` (`owned_by` names the framework, `data[0].id` the model) and, for
//! SGLang and TokenSpeed, `GET /server_info` (saved as `server_args.json`).

use std::time::Duration;

use serde_json::{Value, json};

use crate::framework::Kind;
use crate::http::{Client, Failure};
use crate::options::FrameworkChoice;

/// What discovery found.
#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    /// The framework.
    pub kind: Kind,
    /// How the framework was decided, in words.
    pub kind_source: String,
    /// The model id for OpenAI requests (empty for SGLang's `/generate`).
    pub model: String,
    /// The model to show (SGLang `model_path`, else the id).
    pub model_label: Option<String>,
    /// What to save as `server_args.json`.
    pub server_args: Value,
    /// Tensor × pipeline parallel ranks, when the arguments say (trace files to expect).
    pub ranks: Option<usize>,
}

const TIMEOUT: Duration = Duration::from_secs(60);

fn unreachable(client: &Client, detail: &str) -> String {
    format!(
        "cannot reach the server at {}: {detail}. Is it running, and is this its address and port?",
        client.base()
    )
}

/// `GET /server_info` (or the older `/get_server_info`), when it answers a JSON object.
fn fetch_info(client: &Client) -> Result<Option<Value>, String> {
    for path in ["/server_info", "/get_server_info"] {
        match client.get(path, TIMEOUT) {
            Ok(r) if r.ok() => {
                if let Some(v) = r.json().filter(Value::is_object) {
                    return Ok(Some(v));
                }
            }
            Ok(_) => {}
            Err(e) if e.failure == Failure::Unreachable => return Err(unreachable(client, &e.message)),
            Err(e) => return Err(format!("GET {path} failed: {e}")),
        }
    }
    Ok(None)
}

/// Identifies the server.
///
/// # Errors
/// When the server cannot be reached or its framework cannot be told.
pub fn discover(client: &Client, choice: FrameworkChoice) -> Result<Server, String> {
    let want_models = !matches!(choice, FrameworkChoice::Sglang);
    let mut models: Option<Value> = None;
    if want_models {
        match client.get("/v1/models", TIMEOUT) {
            Ok(r) if r.ok() => models = r.json(),
            Ok(_) => {}
            Err(e) if e.failure == Failure::Unreachable => return Err(unreachable(client, &e.message)),
            Err(e) => return Err(format!("GET /v1/models failed: {e}")),
        }
    }
    let first = models.as_ref().and_then(|m| m.get("data")).and_then(|d| d.get(0));
    let model_id = first.and_then(|f| f.get("id")).and_then(Value::as_str).unwrap_or("").to_owned();
    let owned_by = first.and_then(|f| f.get("owned_by")).and_then(Value::as_str).unwrap_or("").to_owned();

    let mut info: Option<Value> = None;
    let mut fetched_info = false;

    let (kind, kind_source) = match choice {
        FrameworkChoice::Sglang => (Kind::Sglang, "--framework".to_owned()),
        FrameworkChoice::Vllm => (Kind::Vllm, "--framework".to_owned()),
        FrameworkChoice::Trtllm => (Kind::Trtllm, "--framework".to_owned()),
        FrameworkChoice::Tokenspeed => (Kind::Tokenspeed, "--framework".to_owned()),
        FrameworkChoice::Auto => {
            if let Some(k) = Kind::from_owned_by(&owned_by) {
                (k, format!("/v1/models owned_by \"{owned_by}\""))
            } else {
                info = fetch_info(client)?;
                fetched_info = true;
                let from_args = info
                    .as_ref()
                    .and_then(|v| report::engine::analysis::framework::ServerArgs::parse(&v.to_string()))
                    .and_then(|a| a.framework());
                let k = match from_args {
                    Some(report::engine::analysis::framework::Framework::Tokenspeed) => {
                        Some(Kind::Tokenspeed)
                    }
                    Some(report::engine::analysis::framework::Framework::Sglang) => Some(Kind::Sglang),
                    // A /server_info that names no other framework is SGLang's.
                    _ if info.is_some() => Some(Kind::Sglang),
                    _ => None,
                };
                match k {
                    Some(k) => (k, "/server_info".to_owned()),
                    None => {
                        return Err(format!(
                            "cannot tell which framework serves {} (/v1/models owned_by {:?}, no /server_info); \
                             pass --framework sglang, vllm, trtllm or tokenspeed",
                            client.base(),
                            owned_by
                        ));
                    }
                }
            }
        }
    };

    if kind.takes_output_dir() && !fetched_info {
        info = fetch_info(client)?;
    }
    if !kind.native_generate() && model_id.is_empty() {
        return Err(format!(
            "{} did not name a model at GET /v1/models (needed for the OpenAI requests); is this the \
             server's OpenAI-compatible address?",
            client.base()
        ));
    }
    let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let int_of = |v: &Value, k: &str| {
        v.get(k).and_then(|x| x.as_u64().or_else(|| x.as_str().and_then(|s| s.parse().ok())))
    };
    let (server_args, model_label, ranks) = match info {
        Some(v) => {
            let label = str_of(&v, "model_path").or_else(|| str_of(&v, "served_model_name"));
            let ranks = int_of(&v, "tp_size").map(|tp| tp * int_of(&v, "pp_size").unwrap_or(1).max(1));
            (v, label.or_else(|| (!model_id.is_empty()).then(|| model_id.clone())), ranks)
        }
        None => (
            json!({
                "model": model_id,
                "served_by": owned_by,
                "framework": kind.id(),
                "source": "GET /v1/models (this server has no /server_info)",
                "v1_models": models.unwrap_or(Value::Null),
            }),
            (!model_id.is_empty()).then(|| model_id.clone()),
            None,
        ),
    };
    Ok(Server {
        kind,
        kind_source,
        model: model_id,
        model_label,
        server_args,
        ranks: ranks.and_then(|r| usize::try_from(r).ok()),
    })
}
