//! The tools' answers over a report: structured content (the report JSON's parts) and a
//! short text, bounded by `limit`.

use report::ids::{self, Row};
use report::{Report, StageReport};
use serde_json::{Value, json};

use super::cache::Cache;
use super::load::{self, Made};
use super::params::{DEFAULT_OVERVIEW_ROWS, DEFAULT_ROWS, ExplainQuery, KernelsQuery, StageQuery};
use super::rows::{self, bounded, bounded_brief};

/// A tool's answer: structured content and its text rendering.
pub struct Answer {
    /// The structured content.
    pub structured: Value,
    /// The text.
    pub text: String,
}

/// The stages `stage` picks (every stage without it), each with its id prefix.
///
/// # Errors
/// A stage the report does not have (the message lists those it has).
pub fn stages<'a>(report: &'a Report, stage: Option<&str>) -> Result<Vec<(String, &'a StageReport)>, String> {
    let keys = ids::stage_keys(report);
    let all: Vec<(String, &StageReport)> = keys.into_iter().zip(&report.stages).collect();
    let Some(want) = stage.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(all) };
    let want = if want.eq_ignore_ascii_case("extend") { "prefill" } else { want };
    let picked: Vec<(String, &StageReport)> = all
        .iter()
        .filter(|(key, s)| key == want || ids::stage_name(s.stage) == want || s.label == want)
        .cloned()
        .collect();
    if picked.is_empty() {
        let have: Vec<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
        return Err(format!(
            "no stage {want:?} in this report. Fix: give one of: {} (or leave `stage` out)",
            have.join(", ")
        ));
    }
    Ok(picked)
}

/// The head of every answer about a report: its traces, framework and health.
fn head(made: &Made) -> (Value, String) {
    let r = &made.report;
    let mut text = format!(
        "{} trace(s), framework {}{}\n",
        r.inputs.len(),
        r.framework.label,
        r.model.as_deref().map(|m| format!(", model {m}")).unwrap_or_default()
    );
    for h in &r.health {
        text.push_str(&format!("warning: {} Fix: {}\n", h.text, h.fix));
    }
    let mut warnings = made.warnings.clone();
    for d in r.diagnostics.iter().filter(|d| d.severity == "warning") {
        let fix = match d.kind.as_str() {
            "truncated" | "gzip_corrupt" | "gzip_checksum" => {
                " Fix: the file was cut or damaged (the profiler still writing, a copy or download \
                 stopped): copy it again once the server has finished writing it; the events before \
                 the damage were analysed"
            }
            "malformed_json" => " Fix: the JSON is damaged; export the trace again",
            _ => "",
        };
        warnings.push(format!("{} ({}: {}).{fix}", d.message, d.kind, d.detail));
    }
    warnings.extend(r.notes.iter().take(5).cloned());
    for w in &warnings {
        text.push_str(&format!("warning: {w}\n"));
    }
    if r.stages.is_empty() {
        text.push_str("no stage has GPU work: the trace holds no kernels, copies or fills to triage\n");
    }
    let value = json!({
        "inputs": r.inputs,
        "framework": r.framework,
        "model": r.model,
        "health": r.health,
        "warnings": warnings,
    });
    (value, text)
}

fn stage_head(key: &str, s: &StageReport) -> Value {
    json!({"stage": key, "label": s.label, "summary": s.summary, "verdict": s.verdict.text})
}

/// `triage`: per stage the summary, verdict, fix-first list and the top rows of each table
/// in brief (the whole rows come from `kernels`, the table tools and `explain`).
pub fn triage(cache: &mut Cache, q: &StageQuery) -> Result<Answer, String> {
    let made = load::report(cache, &q.source, 1.0)?;
    let limit = q.limit.unwrap_or(DEFAULT_OVERVIEW_ROWS);
    let (mut value, mut text) = head(&made);
    let mut out = Vec::new();
    for (key, s) in stages(&made.report, q.stage.as_deref())? {
        let kernels = bounded_brief(s.kernels.rows.iter().map(Row::Kernel), limit);
        let overlap = bounded_brief(s.overlap.rows.iter().map(Row::Overlap), limit);
        let fuse = bounded_brief(s.fuse.rows.iter().map(Row::Fuse), limit);
        let fix = bounded_brief(s.fix_first.iter().map(Row::Fix), limit);
        text.push_str(&format!("\n## {key}: {}\n", s.verdict.text));
        for (name, b) in [("fix first", &fix), ("kernels", &kernels), ("overlap", &overlap), ("fuse", &fuse)]
        {
            if !b.rows.is_empty() {
                text.push_str(&format!("{name}:\n{}", b.text("  ")));
            }
        }
        let mut v = stage_head(&key, s);
        v["fix_first"] = json!(fix.rows);
        v["kernels"] =
            json!({"rows": kernels.rows, "left_out": kernels.left_out, "hidden_rows": s.kernels.hidden_rows});
        v["overlap"] = json!({"rows": overlap.rows, "left_out": overlap.left_out});
        v["fuse"] = json!({"rows": fuse.rows, "left_out": fuse.left_out});
        out.push(v);
    }
    value["stages"] = json!(out);
    value["notes"] = json!(made.report.notes);
    Ok(Answer { structured: value, text })
}

/// `kernels`: one stage's kernel table (or every stage's), filtered and bounded.
pub fn kernels(cache: &mut Cache, q: &KernelsQuery) -> Result<Answer, String> {
    let made = load::report(cache, &q.query.source, 1.0)?;
    let limit = q.query.limit.unwrap_or(DEFAULT_ROWS);
    let (mut value, mut text) = head(&made);
    let name = q.name.as_deref().map(str::to_lowercase);
    let category = q.category.as_deref().map(str::to_lowercase);
    let mut out = Vec::new();
    for (key, s) in stages(&made.report, q.query.stage.as_deref())? {
        let keep = |r: &&report::engine::results::kernels::KernelRow| {
            q.id.as_deref().is_none_or(|id| r.row_id == id)
                && name.as_deref().is_none_or(|n| r.name.to_lowercase().contains(n))
                && category.as_deref().is_none_or(|c| rows::name_of(&r.category) == c)
        };
        let matched = s.kernels.rows.iter().filter(keep).count();
        if matched == 0 && q.id.is_some() {
            continue;
        }
        let b = bounded(s.kernels.rows.iter().filter(keep).map(Row::Kernel), limit);
        text.push_str(&format!("\n## {} ({key}): {matched} matching row(s)\n{}", s.label, b.text("  ")));
        let mut v = stage_head(&key, s);
        v["kernels"] = json!({
            "rows": b.rows, "matched": matched, "left_out": b.left_out,
            "hidden_rows": s.kernels.hidden_rows, "hidden_ns": s.kernels.hidden_ns, "total_ns": s.kernels.total_ns,
        });
        out.push(v);
    }
    if let Some(id) = &q.id
        && out.is_empty()
    {
        return Err(unknown_id(&made.report, id));
    }
    value["stages"] = json!(out);
    Ok(Answer { structured: value, text })
}

fn unknown_id(report: &Report, id: &str) -> String {
    format!(
        "no row {id:?} in this report (ids look like {}). Fix: take a `row_id` from an answer about \
         the same traces and options",
        rows::some_ids(report, 3).join(", ")
    )
}

/// `verdict`: per stage the verdict, its GPU time by category and the fix-first list.
pub fn verdict(cache: &mut Cache, q: &StageQuery) -> Result<Answer, String> {
    let made = load::report(cache, &q.source, 1.0)?;
    let (mut value, mut text) = head(&made);
    let mut out = Vec::new();
    for (key, s) in stages(&made.report, q.stage.as_deref())? {
        let fix = bounded(s.fix_first.iter().map(Row::Fix), q.limit.unwrap_or(DEFAULT_ROWS));
        text.push_str(&format!("\n## {key}: {}\n{}", s.verdict.text, fix.text("  ")));
        let mut v = stage_head(&key, s);
        v["reading"] = serde_json::to_value(&s.verdict.reading).map_or(Value::Null, |r| r["kind"].clone());
        v["categories"] = json!(s.verdict.categories);
        v["fix_first"] = json!(fix.rows);
        out.push(v);
    }
    value["stages"] = json!(out);
    Ok(Answer { structured: value, text })
}

/// Which table `table` answers with.
#[derive(Clone, Copy)]
pub enum Table {
    /// Overlap opportunities.
    Overlap,
    /// Fuse patterns (and the near miss).
    Fuse,
    /// Kernels by roofline headroom.
    Roofline,
}

/// `overlap`, `fuse`, `roofline`: one table per stage, bounded.
pub fn table(cache: &mut Cache, q: &StageQuery, which: Table) -> Result<Answer, String> {
    let made = load::report(cache, &q.source, 1.0)?;
    let limit = q.limit.unwrap_or(DEFAULT_ROWS);
    let (mut value, mut text) = head(&made);
    let mut out = Vec::new();
    for (key, s) in stages(&made.report, q.stage.as_deref())? {
        let mut v = stage_head(&key, s);
        let b = match which {
            Table::Overlap => {
                v["bubbles"] = json!(s.overlap.bubbles);
                bounded(s.overlap.rows.iter().map(Row::Overlap), limit)
            }
            Table::Fuse => {
                v["patterns_checked"] = json!(s.fuse.patterns_checked);
                v["hidden_rows"] = json!(s.fuse.hidden_rows);
                let near = s.fuse.near_miss.iter().map(Row::NearMiss);
                bounded(s.fuse.rows.iter().map(Row::Fuse).chain(near), limit)
            }
            Table::Roofline => {
                v["coverage"] = json!(s.roofline);
                let mut by_headroom: Vec<&report::engine::results::kernels::KernelRow> =
                    s.kernels.rows.iter().filter(|r| r.roofline.headroom_ns.is_some()).collect();
                by_headroom.sort_by(|a, b| {
                    b.roofline.headroom_ns.cmp(&a.roofline.headroom_ns).then_with(|| a.row_id.cmp(&b.row_id))
                });
                bounded(by_headroom.into_iter().map(Row::Kernel), limit)
            }
        };
        text.push_str(&format!("\n## {} ({key})\n{}", s.label, b.text("  ")));
        v["rows"] = json!(b.rows);
        v["left_out"] = json!(b.left_out);
        out.push(v);
    }
    value["stages"] = json!(out);
    Ok(Answer { structured: value, text })
}

/// `explain`: the row an id names, its stage, and the rows of other tables about the same
/// kernel, pattern or finding.
pub fn explain(cache: &mut Cache, q: &ExplainQuery) -> Result<Answer, String> {
    let made = load::report(cache, &q.source, 1.0)?;
    let Some(cited) = ids::find(&made.report, &q.id) else { return Err(unknown_id(&made.report, &q.id)) };
    let subject = match cited.row {
        Row::Kernel(r) => r.name.clone(),
        Row::Overlap(r) => r.kernel.clone(),
        Row::Fuse(r) => r.id.clone(),
        Row::NearMiss(r) => r.id.clone(),
        Row::Fix(r) => r.row.key.clone(),
    };
    let related: Vec<Row<'_>> = ids::rows(cited.stage)
        .filter(|r| r.id() != cited.row.id())
        .filter(|r| match r {
            Row::Kernel(k) => k.name == subject,
            Row::Overlap(o) => o.kernel == subject,
            Row::Fuse(f) => f.id == subject || f.kernels.iter().any(|k| k.name == subject),
            Row::NearMiss(n) => n.id == subject,
            Row::Fix(f) => f.row.key == subject,
        })
        .collect();
    let (mut value, mut text) = head(&made);
    let key = q.id.split('/').next().unwrap_or_default();
    text.push_str(&format!(
        "\n## {} ({key}): {}\n  {}\n",
        cited.stage.label,
        cited.stage.verdict.text,
        rows::line(cited.row)
    ));
    if !related.is_empty() {
        text.push_str("related rows:\n");
        for r in &related {
            text.push_str(&format!("  {}\n", rows::line(*r)));
        }
    }
    value["stage"] = stage_head(key, cited.stage);
    value["kind"] = json!(cited.row.kind());
    value["row"] = rows::json(cited.row);
    value["related"] = json!(related.iter().map(|r| rows::json(*r)).collect::<Vec<_>>());
    Ok(Answer { structured: value, text })
}
