//! `inspect` as text and JSON: what is in a trace before any triage (the
//! [`Summary`] the `trace` crate computes), as `tracetriage inspect` prints it.

use engine::analysis::census::Census;
use engine::trace::inspect::Summary;
use serde_json::{Value, json};

use crate::format;

/// Plain-text rendering for the terminal.
#[must_use]
pub fn text(s: &Summary, title: &str) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "{title}: {} events, {} of JSON ({} input)",
        format::count(s.events),
        format::bytes(s.json_bytes),
        format::bytes(s.input_bytes)
    ));
    let gpus: Vec<String> = s
        .devices_used
        .iter()
        .map(|(d, n)| if n.is_empty() { format!("device {d}") } else { format!("device {d} ({n})") })
        .collect();
    line(format!(
        "  GPU:        {}{}",
        if gpus.is_empty() { "no GPU activity".to_owned() } else { gpus.join(", ") },
        if s.devices_listed > 0 {
            format!("; {} listed in deviceProperties", s.devices_listed)
        } else {
            String::new()
        }
    ));
    let rank = match (s.rank, s.world_size) {
        (Some(r), Some(w)) => format!("rank {r} of {w}"),
        (Some(r), None) => format!("rank {r}"),
        (None, Some(w)) => format!("world size {w}"),
        (None, None) => "not distributed (no distributedInfo)".to_owned(),
    };
    let backend = s.backend.as_ref().map(|b| format!(" ({b})")).unwrap_or_default();
    line(format!("  rank:       {rank}{backend}"));
    if let Some((lo, hi)) = s.span_ns {
        line(format!(
            "  time span:  {} ({} .. {} µs)",
            format::duration_ns(hi - lo),
            format::micros(lo),
            format::micros(hi)
        ));
    }
    if let Some(base) = s.base_time_ns {
        line(format!("  base time:  {base} ns (baseTimeNanoseconds)"));
    }
    line("  events by phase:".to_owned());
    for (ph, n) in &s.by_phase {
        line(format!("    {ph:<24} {:>12}", format::count(*n)));
    }
    line("  events by category:".to_owned());
    for (cat, n) in &s.by_category {
        line(format!("    {cat:<24} {:>12}", format::count(*n)));
    }
    line(format!("  GPU streams ({}):", s.streams.len()));
    for s in &s.streams {
        line(format!(
            "    device {} stream {:<6} {:>9} kernels {:>7} memcpy {:>6} memset{}  busy Σ {}",
            s.device,
            s.stream,
            format::count(s.kernels),
            format::count(s.memcpy),
            format::count(s.memset),
            if s.sync > 0 { format!(" {:>6} sync", format::count(s.sync)) } else { String::new() },
            format::duration_ns(s.total_ns)
        ));
    }
    line(format!("  CPU threads ({}):", s.threads.len()));
    for t in &s.threads {
        let name = if t.name.is_empty() { String::new() } else { format!(" {}", t.name) };
        line(format!(
            "    pid {} tid {}{name}: {} cpu ops, {} runtime calls, {} python frames, {} annotations",
            t.pid,
            t.tid,
            format::count(t.cpu_ops),
            format::count(t.runtime),
            format::count(t.python),
            format::count(t.annotations)
        ));
    }
    if s.diagnostics.is_empty() {
        line("  diagnostics: none".to_owned());
    } else {
        line("  diagnostics:".to_owned());
        for (sev, id, detail, count, msg) in &s.diagnostics {
            let detail = if detail.is_empty() { String::new() } else { format!(" [{detail}]") };
            line(format!("    {sev:<7} {id}{detail} ×{}: {msg}", format::count(*count)));
        }
    }
    out
}

/// JSON rendering (`tracetriage inspect --format json`).
#[must_use]
pub fn json(s: &Summary, file: &str) -> Value {
    let map = |v: &[(String, u64)]| -> Value {
        Value::Object(v.iter().map(|(k, n)| (k.clone(), json!(n))).collect())
    };
    json!({
        "file": file,
        "events": s.events,
        "by_category": map(&s.by_category),
        "by_phase": map(&s.by_phase),
        "json_bytes": s.json_bytes,
        "input_bytes": s.input_bytes,
        "schema_version": s.schema_version,
        "gpu": {
            "devices_used": s.devices_used.iter().map(|(d, n)| json!({"device": d, "name": n})).collect::<Vec<_>>(),
            "devices_listed": s.devices_listed,
        },
        "distributed": {"rank": s.rank, "world_size": s.world_size, "backend": s.backend},
        "time_span_ns": s.span_ns.map(|(lo, hi)| json!({"start": lo, "end": hi, "duration": hi - lo})),
        "base_time_ns": s.base_time_ns,
        "streams": s.streams.iter().map(|s| json!({
            "device": s.device, "stream": s.stream, "kernels": s.kernels, "memcpy": s.memcpy,
            "memset": s.memset, "sync": s.sync, "total_ns": s.total_ns,
        })).collect::<Vec<_>>(),
        "threads": s.threads.iter().map(|t| json!({
            "pid": t.pid, "tid": t.tid, "name": t.name, "cpu_ops": t.cpu_ops, "runtime": t.runtime,
            "python": t.python, "annotations": t.annotations,
        })).collect::<Vec<_>>(),
        "diagnostics": s.diagnostics.iter().map(|(sev, id, detail, count, msg)| json!({
            "kind": id, "severity": sev, "detail": detail, "count": count, "message": msg,
        })).collect::<Vec<_>>(),
    })
}

/// How many kernels no rule knows `inspect --kernels` lists at most (most GPU time first).
const UNKNOWN_ROWS: usize = 40;

/// `inspect --kernels` as text: GPU time per category, then the kernels whose category
/// came from no rule (`other`) with their share, so a user sees what is unknown.
#[must_use]
pub fn kernels_text(c: &Census) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "  kernel categories ({} distinct names, {} of GPU time):",
        c.rows.len(),
        format::duration_ns(c.total_ns)
    ));
    for (category, ns) in c.by_category() {
        line(format!(
            "    {:<14} {:>7}  {}",
            category.label(),
            format::pct(share(ns, c.total_ns)),
            format::duration_ns(ns)
        ));
    }
    let unknown: Vec<_> = c.unknown().collect();
    if unknown.is_empty() {
        line("  kernels no rule knows (other): none".to_owned());
        return out;
    }
    let ns: i64 = unknown.iter().map(|r| r.gpu_ns).sum();
    line(format!(
        "  kernels no rule knows (other): {} names, {} of GPU time",
        unknown.len(),
        format::pct(share(ns, c.total_ns))
    ));
    for row in unknown.iter().take(UNKNOWN_ROWS) {
        line(format!(
            "    {:>7} {:>8}×  {}",
            format::pct(c.share_pct(row)),
            format::count(row.count),
            row.name
        ));
    }
    if unknown.len() > UNKNOWN_ROWS {
        line(format!("    … {} more", unknown.len() - UNKNOWN_ROWS));
    }
    out
}

/// `inspect --kernels --format json`: the category totals and every unknown kernel.
#[must_use]
pub fn kernels_json(c: &Census) -> Value {
    json!({
        "total_ns": c.total_ns,
        "distinct": c.rows.len(),
        "by_category": c.by_category().iter().map(|(cat, ns)| json!({
            "category": cat.label(), "gpu_ns": ns, "share_pct": share(*ns, c.total_ns),
        })).collect::<Vec<_>>(),
        "other": c.unknown().map(|r| json!({
            "name": r.name, "gpu_ns": r.gpu_ns, "count": r.count, "share_pct": c.share_pct(r),
        })).collect::<Vec<_>>(),
    })
}

#[allow(clippy::cast_precision_loss)]
fn share(ns: i64, total: i64) -> f64 {
    if total > 0 { ns as f64 * 100.0 / total as f64 } else { 0.0 }
}
