//! Rows of a report as a tool answers with them: the report JSON's own row objects (so an
//! answer agrees with `triage --format json`), bounded (`limit` rows, each kernel row's
//! first Python sites), and one short text line per row.

use report::engine::results::fuse::{FuseRow, NearMiss};
use report::engine::results::kernels::KernelRow;
use report::engine::results::overlap::OverlapRow;
use report::engine::results::verdict::Fix;
use report::format::{ms, pct};
use report::ids::{self, Row};
use serde_json::{Value, json};

use super::params::SITES_PER_ROW;

/// A value's JSON name (`kebab-case` enums), or empty.
pub fn name_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A row as its report JSON object; a kernel row keeps its first [`SITES_PER_ROW`] sites
/// and says how many it left out in `sites_left_out`.
pub fn json(row: Row<'_>) -> Value {
    let mut value = match row {
        Row::Kernel(r) => serde_json::to_value(r),
        Row::Overlap(r) => serde_json::to_value(r),
        Row::Fuse(r) => serde_json::to_value(r),
        Row::NearMiss(r) => serde_json::to_value(r),
        Row::Fix(r) => serde_json::to_value(r),
    }
    .unwrap_or(Value::Null);
    if let Row::Kernel(r) = row
        && r.sites.len() > SITES_PER_ROW
        && let Some(obj) = value.as_object_mut()
    {
        if let Some(Value::Array(sites)) = obj.get_mut("sites") {
            sites.truncate(SITES_PER_ROW);
        }
        obj.insert("sites_left_out".to_owned(), json!(r.sites.len() - SITES_PER_ROW));
    }
    value
}

/// A row in brief, for overviews (`triage`): its id (which holds its name) and main figures; `kernels`,
/// the table tools and `explain` give the whole row.
pub fn brief(row: Row<'_>) -> Value {
    match row {
        Row::Kernel(r) => json!({
            "row_id": r.row_id, "category": r.category, "gpu_ns": r.gpu_ns, "share_pct": r.share_pct,
            "launches": r.launches, "location": r.sites.first().map(|s| s.location.as_str()),
        }),
        Row::Overlap(r) => json!({
            "row_id": r.row_id, "exposed_ns": r.exposed_ns, "recoverable_ns": r.recoverable_ns,
            "share_pct": r.share_pct, "recommendation": r.recommendation,
        }),
        Row::Fuse(r) => json!({
            "row_id": r.row_id, "pattern": r.pattern, "state": r.state, "gpu_ns": r.gpu_ns, "share_pct": r.share_pct,
        }),
        Row::NearMiss(r) => json!({"row_id": r.row_id, "pattern": r.pattern, "similarity": r.similarity}),
        Row::Fix(r) => json!({
            "row_id": r.row_id, "kind": r.kind, "saving_ns": r.saving_ns, "stage_pct": r.stage_pct, "text": r.text,
        }),
    }
}

/// One line of text about a row, led by its id.
pub fn line(row: Row<'_>) -> String {
    match row {
        Row::Kernel(r) => kernel_line(r),
        Row::Overlap(r) => overlap_line(r),
        Row::Fuse(r) => fuse_line(r),
        Row::NearMiss(r) => near_line(r),
        Row::Fix(r) => fix_line(r),
    }
}

fn kernel_line(r: &KernelRow) -> String {
    let site = r.sites.first().map_or("no Python location", |s| s.location.as_str());
    format!(
        "{} — {}, {} ({}), {} launches; from {site}",
        r.row_id,
        name_of(&r.category),
        ms(r.gpu_ns),
        pct(r.share_pct),
        report::format::count(r.launches)
    )
}

fn overlap_line(r: &OverlapRow) -> String {
    format!(
        "{} — exposed {} of {} ({} of busy time), recoverable {}; {}",
        r.row_id,
        ms(r.exposed_ns),
        ms(r.total_ns),
        pct(r.share_pct),
        ms(r.recoverable_ns),
        name_of(&r.recommendation)
    )
}

fn fuse_line(r: &FuseRow) -> String {
    format!("{} — {}: {}, {} ({})", r.row_id, r.pattern, name_of(&r.state), ms(r.gpu_ns), pct(r.share_pct))
}

fn near_line(r: &NearMiss) -> String {
    format!(
        "{} — {} came close ({}), missing: {}",
        r.row_id,
        r.pattern,
        name_of(&r.similarity),
        r.missing.join(", ")
    )
}

fn fix_line(r: &Fix) -> String {
    format!("{} — {}", r.row_id, r.text)
}

/// The first `limit` of `rows` as JSON and text lines, and how many were left out.
pub struct Bounded {
    /// The rows kept, as report JSON objects.
    pub rows: Vec<Value>,
    /// One text line per row kept.
    pub lines: Vec<String>,
    /// Rows not shown.
    pub left_out: usize,
}

/// Bounds `rows` to `limit`.
pub fn bounded<'a>(rows: impl Iterator<Item = Row<'a>>, limit: usize) -> Bounded {
    bounded_as(rows, limit, json)
}

/// Bounds `rows` to `limit`, each in brief ([`brief`]).
pub fn bounded_brief<'a>(rows: impl Iterator<Item = Row<'a>>, limit: usize) -> Bounded {
    bounded_as(rows, limit, brief)
}

fn bounded_as<'a>(rows: impl Iterator<Item = Row<'a>>, limit: usize, form: fn(Row<'_>) -> Value) -> Bounded {
    let mut out = Bounded { rows: Vec::new(), lines: Vec::new(), left_out: 0 };
    for row in rows {
        if out.rows.len() < limit {
            out.rows.push(form(row));
            out.lines.push(line(row));
        } else {
            out.left_out += 1;
        }
    }
    out
}

impl Bounded {
    /// The text lines, then `(N more rows left out: raise limit)` when some were.
    pub fn text(&self, indent: &str) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(indent);
            s.push_str(l);
            s.push('\n');
        }
        if self.left_out > 0 {
            let rows = if self.left_out == 1 { "row" } else { "rows" };
            s.push_str(&format!(
                "{indent}({} more {rows} left out: raise `limit` to see them)\n",
                self.left_out
            ));
        }
        s
    }
}

/// Every row id of a report, for an error that says which exist.
pub fn some_ids(report: &report::Report, n: usize) -> Vec<String> {
    report.stages.iter().flat_map(ids::rows).take(n).map(|r| r.id().to_owned()).collect()
}
