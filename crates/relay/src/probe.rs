//! The synthetic workload: prompts that never share a cached prefix, and the requests
//! that carry them (SGLang's `/generate`, or the OpenAI API of the others).
//!
//! Every prompt starts with `<i>-<nonce>`: the request index and a random nonce drawn
//! once per capture, so neither two prompts of one capture nor prompts of an earlier
//! capture on the same server share more than a leading token or two, and the prefix
//! cache cannot serve the prefill. The rest is the word `profile` repeated. Prompt length
//! is measured in tokens from the server's own count (`prompt_tokens`) on the first
//! warm-up request and the word count adjusted, so "4090 tokens" means tokens, not words.
//! Requests ask for `ignore_eos` so a decode request really runs to its length.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http::{Client, HttpError, Reply, StreamEvent};

/// How requests are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// SGLang `POST /generate`.
    Generate,
    /// OpenAI `POST /v1/completions` (raw prompt, no chat template).
    Completions,
    /// OpenAI `POST /v1/chat/completions` (when completions are refused).
    Chat,
}

impl Dialect {
    /// The path.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            Dialect::Generate => "/generate",
            Dialect::Completions => "/v1/completions",
            Dialect::Chat => "/v1/chat/completions",
        }
    }
}

/// One request's body.
#[must_use]
pub fn body(dialect: Dialect, model: &str, prompt: &str, max_tokens: u32, stream: bool) -> Value {
    match dialect {
        Dialect::Generate => json!({
            "text": prompt,
            "sampling_params": {"temperature": 0.0, "max_new_tokens": max_tokens, "ignore_eos": true},
            "stream": stream,
        }),
        Dialect::Completions => json!({
            "model": model,
            "prompt": prompt,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "ignore_eos": true,
            "stream": stream,
        }),
        Dialect::Chat => json!({
            "model": model,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "ignore_eos": true,
            "stream": stream,
        }),
    }
}

/// Prompts for one capture.
#[derive(Clone, Debug)]
pub struct Prompts {
    nonce: String,
    next: u64,
}

impl Prompts {
    /// Prompts with a fresh random nonce.
    #[must_use]
    pub fn new() -> Prompts {
        let n = getrandom::u64().unwrap_or_else(|_| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
        Prompts::with_nonce(&format!("{:08x}", n & 0xffff_ffff))
    }

    /// Prompts with a given nonce (tests).
    #[must_use]
    pub fn with_nonce(nonce: &str) -> Prompts {
        Prompts { nonce: nonce.to_owned(), next: 0 }
    }

    /// The next prompt of `words` words (at least two).
    pub fn next(&mut self, words: u32) -> String {
        let i = self.next;
        self.next += 1;
        let mut s = format!("{i}-{}", self.nonce);
        for _ in 1..words.max(2) {
            s.push_str(" profile");
        }
        s
    }
}

impl Default for Prompts {
    fn default() -> Self {
        Prompts::new()
    }
}

/// What one finished request showed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    /// Wall time of the request.
    pub seconds: f64,
    /// Prompt tokens as the server counted them.
    pub prompt_tokens: Option<u64>,
    /// Generated tokens as the server counted them.
    pub completion_tokens: Option<u64>,
}

/// A request that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeError {
    /// No answer.
    Http(HttpError),
    /// A non-2xx answer.
    Status(String, Reply),
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::Http(e) => write!(f, "{e}"),
            ProbeError::Status(path, r) => write!(f, "POST {path} answered {}: {}", r.status, r.snippet()),
        }
    }
}

fn tokens(v: &Value) -> (Option<u64>, Option<u64>) {
    let usage = v.get("usage").or_else(|| v.get("meta_info"));
    let get = |k: &str| usage.and_then(|u| u.get(k)).and_then(Value::as_u64);
    (get("prompt_tokens"), get("completion_tokens"))
}

/// Sends one non-streamed request and measures it.
///
/// # Errors
/// No answer, or a non-2xx answer.
pub fn send(
    client: &Client,
    dialect: Dialect,
    model: &str,
    prompt: &str,
    max_tokens: u32,
    timeout: Duration,
) -> Result<Measured, ProbeError> {
    let started = Instant::now();
    let reply = client
        .post(dialect.path(), Some(&body(dialect, model, prompt, max_tokens, false)), timeout)
        .map_err(ProbeError::Http)?;
    if !reply.ok() {
        return Err(ProbeError::Status(dialect.path().to_owned(), reply));
    }
    let (prompt_tokens, completion_tokens) = reply.json().map_or((None, None), |v| {
        // SGLang may answer a list for batched input; take the first element.
        let v = if let Value::Array(a) = &v { a.first().cloned().unwrap_or(Value::Null) } else { v };
        tokens(&v)
    });
    Ok(Measured { seconds: started.elapsed().as_secs_f64(), prompt_tokens, completion_tokens })
}

/// Sends the first request, trying the OpenAI dialects in order (completions, then chat)
/// until one is accepted. SGLang always uses `/generate`.
///
/// # Errors
/// When every dialect is refused (the last refusal) or the server does not answer.
pub fn negotiate(
    client: &Client,
    native: bool,
    model: &str,
    prompt: &str,
    max_tokens: u32,
    timeout: Duration,
) -> Result<(Dialect, Measured), ProbeError> {
    if native {
        return send(client, Dialect::Generate, model, prompt, max_tokens, timeout)
            .map(|m| (Dialect::Generate, m));
    }
    match send(client, Dialect::Completions, model, prompt, max_tokens, timeout) {
        Ok(m) => Ok((Dialect::Completions, m)),
        Err(ProbeError::Status(_, r)) if matches!(r.status, 400 | 404 | 405 | 422 | 501) => {
            send(client, Dialect::Chat, model, prompt, max_tokens, timeout).map(|m| (Dialect::Chat, m))
        }
        Err(e) => Err(e),
    }
}

/// Starts a streamed request on a helper thread; every generated chunk is sent on the
/// returned channel as [`StreamEvent::Chunk`], the end as [`StreamEvent::End`]. Dropping
/// the receiver closes the connection (the server then aborts the request).
#[must_use]
pub fn stream(
    client: &Client,
    dialect: Dialect,
    model: &str,
    prompt: &str,
    max_tokens: u32,
    timeout: Duration,
) -> std::sync::mpsc::Receiver<Result<StreamEvent, ProbeError>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let client = client.clone();
    let b = body(dialect, model, prompt, max_tokens, true);
    std::thread::spawn(move || {
        let r = client.post_stream(dialect.path(), &b, timeout, |ev| tx.send(Ok(ev)).is_ok());
        match r {
            Ok(()) => {}
            Err(Ok(reply)) => {
                let _ = tx.send(Err(ProbeError::Status(dialect.path().to_owned(), reply)));
            }
            Err(Err(e)) => {
                let _ = tx.send(Err(ProbeError::Http(e)));
            }
        }
    });
    rx
}

/// The word count that should give `target` prompt tokens, from one measurement
/// (`words` words gave `tokens` tokens). Never less than two words.
#[must_use]
pub fn calibrate(target: u32, words: u32, tokens: u64) -> u32 {
    if tokens == 0 {
        return words;
    }
    let per_word = tokens as f64 / f64::from(words.max(1));
    let w = (f64::from(target) / per_word).round();
    if w.is_finite() && w >= 2.0 { (w as u64).min(u64::from(u32::MAX)) as u32 } else { 2 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_unique_from_the_first_word() {
        let mut p = Prompts::with_nonce("abcd0123");
        let a = p.next(4);
        let b = p.next(4);
        assert_eq!(a, "0-abcd0123 profile profile profile");
        assert_eq!(b, "1-abcd0123 profile profile profile");
        assert_eq!(p.next(1), "2-abcd0123 profile");
        let (x, y) = (Prompts::new().next(3), Prompts::new().next(3));
        assert_ne!(x, y, "two captures draw different nonces");
    }

    #[test]
    fn bodies_match_the_server_apis() {
        let g = body(Dialect::Generate, "", "p", 7, false);
        assert_eq!(g["sampling_params"]["max_new_tokens"], 7);
        assert_eq!(g["sampling_params"]["ignore_eos"], true);
        assert_eq!(g["stream"], false);
        let c = body(Dialect::Completions, "m", "p", 7, true);
        assert_eq!(
            (c["model"].as_str(), c["max_tokens"].as_u64(), c["stream"].as_bool()),
            (Some("m"), Some(7), Some(true))
        );
        let h = body(Dialect::Chat, "m", "p", 7, false);
        assert_eq!(h["messages"][0]["content"], "p");
    }

    #[test]
    fn calibration_scales_words_to_tokens() {
        assert_eq!(calibrate(4090, 4090, 4093), 4087);
        assert_eq!(calibrate(4090, 4090, 8180), 2045);
        assert_eq!(calibrate(1, 2, 3), 2);
        assert_eq!(calibrate(100, 100, 0), 100);
    }
}
