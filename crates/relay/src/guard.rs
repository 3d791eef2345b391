//! The capture guard: before arming the profiler, estimate how big the trace will be and
//! how long the server will take to write it, and shrink or refuse a plan over budget.
//!
//! The model (stated with every plan):
//!
//! - **JSON text ≈ R × profiled time + F.** A Kineto trace grows with the time the profiler
//!   runs, because Python frames (`with_stack`), CPU ops, runtime calls and kernels are
//!   all recorded as they happen. R is [`PRIOR_RATE`] (300 MB/s) until a capture of this
//!   server has been measured; the real serving traces in `shared/traces` run at
//!   93–268 MB of JSON per second of profiled time (SGLang GB300 decode, bs 128: 268;
//!   vLLM B200 eager prefill: 163; SGLang GB300 bs 16: 93), so the prior is an upper
//!   estimate. After the first stage, R is the rate that stage actually produced. F
//!   ([`FIXED_BYTES`], 2 MB) covers metadata and the time around the probes.
//! - **Profiled time = steps × step time**, the step time measured in the warm-up: the
//!   median latency of a prefill request, or a decode request's latency per output token.
//! - **gzip on disk ≈ JSON / 17** (the corpus ranges from 17 to 19).
//! - **Flush time ≈ JSON / 25 MB/s + 1 s**: torch writes the JSON, then (for `.gz`) Python's
//!   gzip compresses it at level 9. The flush timeout defaults to four times this, and at
//!   least 60 s.
//!
//! Over budget (`--max-trace-mb`, of JSON text), the steps are cut to what fits; when not
//! even one step fits, the capture is refused before the profiler is armed.

use serde::Serialize;

/// JSON bytes per second of profiled time assumed before any measurement.
pub const PRIOR_RATE: f64 = 300e6;
/// Fixed part of a trace (metadata, time between arming and the first step).
pub const FIXED_BYTES: f64 = 2e6;
/// JSON text / gzip size.
pub const GZIP_RATIO: f64 = 17.0;
/// JSON bytes per second the server writes and compresses when flushing.
pub const FLUSH_RATE: f64 = 25e6;

/// Where the rate in an estimate came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rate {
    /// Bytes of JSON per second of profiled time.
    pub bytes_per_s: f64,
    /// `prior (corpus upper bound)` or `measured on the prefill capture`.
    pub source: String,
}

impl Rate {
    /// The prior rate.
    #[must_use]
    pub fn prior() -> Rate {
        Rate { bytes_per_s: PRIOR_RATE, source: "prior: upper end of the real serving traces".to_owned() }
    }
}

/// A size estimate for one stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Steps to profile.
    pub steps: u32,
    /// Steps asked for.
    pub asked: u32,
    /// Seconds per step (measured in the warm-up, or assumed).
    pub step_s: f64,
    /// How the step time was found.
    pub step_source: String,
    /// The rate used.
    pub rate: Rate,
    /// Estimated JSON text, bytes.
    pub json_bytes: f64,
    /// Estimated gzip file, bytes.
    pub gz_bytes: f64,
    /// Estimated flush time, seconds.
    pub flush_s: f64,
    /// The budget, bytes of JSON.
    pub budget_bytes: f64,
}

impl Estimate {
    /// The model, its inputs and the decision, in one line.
    #[must_use]
    pub fn text(&self, step_word: &str) -> String {
        let shrunk = if self.steps < self.asked {
            format!(
                "; shrunk from {} to {} {step_word} to stay under the {:.0} MB budget",
                self.asked,
                self.steps,
                self.budget_bytes / 1e6
            )
        } else {
            String::new()
        };
        format!(
            "{} {step_word} × {} per step ({}) × {:.0} MB/s ({}) + {:.0} MB ≈ {:.1} MB of JSON \
             (≈ {:.1} MB gzip), flush ≈ {:.0} s; budget {:.0} MB{shrunk}",
            self.steps,
            fmt_s(self.step_s),
            self.step_source,
            self.rate.bytes_per_s / 1e6,
            self.rate.source,
            FIXED_BYTES / 1e6,
            self.json_bytes / 1e6,
            self.gz_bytes / 1e6,
            self.flush_s,
            self.budget_bytes / 1e6,
        )
    }
}

fn fmt_s(s: f64) -> String {
    if s >= 1.0 { format!("{s:.2} s") } else { format!("{:.1} ms", s * 1e3) }
}

/// The guard's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Decision {
    /// Capture with these steps (possibly fewer than asked).
    Go(Estimate),
    /// Not even one step fits the budget.
    Refuse(Estimate),
}

fn estimate(steps: u32, step_s: f64, rate: &Rate) -> (f64, f64, f64) {
    let json = FIXED_BYTES + rate.bytes_per_s * step_s * f64::from(steps);
    (json, json / GZIP_RATIO, json / FLUSH_RATE + 1.0)
}

/// Decides how many of `asked` steps to profile under `budget_mb` of JSON.
#[must_use]
pub fn decide(asked: u32, step_s: f64, step_source: &str, rate: &Rate, budget_mb: f64) -> Decision {
    let budget = budget_mb * 1e6;
    let step_s = if step_s.is_finite() && step_s > 0.0 { step_s } else { 0.0 };
    let per_step = rate.bytes_per_s * step_s;
    let fits = if per_step <= 0.0 {
        asked
    } else {
        let n = ((budget - FIXED_BYTES) / per_step).floor();
        if n >= f64::from(asked) {
            asked
        } else if n < 1.0 {
            0
        } else {
            // n < asked here, so it fits in u32.
            u32::try_from(n as i64).unwrap_or(0)
        }
    };
    let steps = fits.max(1).min(asked);
    let (json, gz, flush) = estimate(steps, step_s, rate);
    let e = Estimate {
        steps,
        asked,
        step_s,
        step_source: step_source.to_owned(),
        rate: rate.clone(),
        json_bytes: json,
        gz_bytes: gz,
        flush_s: flush,
        budget_bytes: budget,
    };
    if fits == 0 { Decision::Refuse(e) } else { Decision::Go(e) }
}

/// The flush timeout: the user's, or four times the estimated flush time and at least
/// 60 s.
#[must_use]
pub fn flush_timeout_s(user: Option<f64>, estimated_flush_s: f64) -> f64 {
    user.unwrap_or_else(|| (4.0 * estimated_flush_s).max(60.0))
}

/// The rate a finished stage showed: JSON bytes over the seconds the profiler ran; `None`
/// when there is too little to measure.
#[must_use]
pub fn measured_rate(json_bytes: u64, armed_s: f64, stage: &str) -> Option<Rate> {
    (json_bytes > 0 && armed_s > 0.0).then(|| Rate {
        bytes_per_s: json_bytes as f64 / armed_s,
        source: format!("measured on the {stage} capture"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_plan_that_fits() {
        let Decision::Go(e) = decide(5, 0.02, "warm-up", &Rate::prior(), 500.0) else { panic!() };
        assert_eq!(e.steps, 5);
        // 2 MB + 300 MB/s × 5 × 20 ms = 32 MB.
        assert!((e.json_bytes - 32e6).abs() < 1.0, "{}", e.json_bytes);
        assert!(e.text("decode steps").contains("≈ 32.0 MB of JSON"), "{}", e.text("decode steps"));
    }

    #[test]
    fn shrinks_then_refuses() {
        // 300 MB/s × 0.1 s = 30 MB per step; (50 - 2) / 30 → 1 step.
        let Decision::Go(e) = decide(5, 0.1, "warm-up", &Rate::prior(), 50.0) else { panic!() };
        assert_eq!((e.steps, e.asked), (1, 5));
        assert!(e.text("requests").contains("shrunk from 5 to 1 requests"), "{}", e.text("requests"));
        let Decision::Refuse(e) = decide(5, 0.1, "warm-up", &Rate::prior(), 20.0) else { panic!() };
        assert_eq!(e.steps, 1);
    }

    #[test]
    fn timeout_and_measured_rate() {
        assert_eq!(flush_timeout_s(None, 2.0), 60.0);
        assert_eq!(flush_timeout_s(None, 100.0), 400.0);
        assert_eq!(flush_timeout_s(Some(3.0), 100.0), 3.0);
        let r = measured_rate(10_000_000, 0.5, "prefill").unwrap();
        assert_eq!(r.bytes_per_s, 20e6);
        assert!(measured_rate(0, 1.0, "prefill").is_none());
    }
}
