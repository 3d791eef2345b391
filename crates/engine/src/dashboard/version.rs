//! Reading report and manifest files of any build: the file's `schema` and `version` are
//! checked first, older versions are upgraded step by step to the current one, and what
//! cannot be read says why — newer than this build, broken, or not that kind of file.
//!
//! Upgrades are JSON-to-JSON functions, one per version step ([`Migration`]). Report
//! version 1 is the first published version, so [`REPORT_MIGRATIONS`] is empty today;
//! when version 2 comes, the function that turns a version-1 document into a version-2
//! one goes there as `Migration { from: 1, upgrade: v1_to_v2 }` and nothing else changes.
//! Fields added within a version need no migration: the types default them.

use serde_json::Value;

use crate::report::{REPORT_SCHEMA, REPORT_VERSION, Report};

/// One upgrade step: a document of version `from` becomes version `from + 1`.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// The version it reads.
    pub from: u32,
    /// Rewrites the document in place (the caller sets `version`); an error says why the
    /// document cannot be upgraded.
    pub upgrade: fn(&mut Value) -> Result<(), String>,
}

/// Report upgrades, oldest first (none: version 1 is the first).
pub const REPORT_MIGRATIONS: &[Migration] = &[];

/// Why a file could not be read as the document asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Written by a newer build.
    Newer {
        /// The file's version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// It is that kind of document, but damaged or incomplete.
    Broken(String),
    /// Some other file.
    WrongKind(String),
}

/// Upgrades `value` from version `found` to `target` with `migrations`.
///
/// # Errors
/// When a step is missing (a version older than any this build knows) or fails.
pub fn upgrade(value: &mut Value, found: u32, target: u32, migrations: &[Migration]) -> Result<(), String> {
    let mut v = found;
    while v < target {
        let Some(m) = migrations.iter().find(|m| m.from == v) else {
            let mut oldest = target;
            while oldest > 0 && migrations.iter().any(|m| m.from == oldest - 1) {
                oldest -= 1;
            }
            return Err(format!("version {found} is older than any this build reads (oldest: {oldest})"));
        };
        (m.upgrade)(value).map_err(|e| format!("cannot upgrade version {v} to {}: {e}", v + 1))?;
        v += 1;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("version".to_owned(), Value::from(v));
        }
    }
    Ok(())
}

/// The short name of a schema for messages (`report`, `manifest`).
fn kind(schema: &str) -> &str {
    schema.rsplit('.').next().unwrap_or(schema)
}

/// Opens a document: JSON, an object, `schema` equal to `schema`, a `version` this build
/// reads (upgraded to `current`).
///
/// # Errors
/// What is wrong with it, as a [`Problem`].
pub fn open(bytes: &[u8], schema: &str, current: u32, migrations: &[Migration]) -> Result<Value, Problem> {
    let what = kind(schema);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(Problem::WrongKind("not UTF-8 text (a binary or compressed file?)".to_owned()));
    };
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(Problem::WrongKind("the file is empty".to_owned()));
    }
    let claims = text.get(..text.len().min(4096)).is_some_and(|head| head.contains(&format!("\"{schema}\"")));
    let mut value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) if claims => {
            return Err(Problem::Broken(format!("invalid JSON ({e}); the file may be truncated")));
        }
        Err(e) => return Err(Problem::WrongKind(format!("not JSON ({e})"))),
    };
    let Some(obj) = value.as_object() else {
        return Err(Problem::WrongKind(format!("JSON, but not an object: not a {what}")));
    };
    match obj.get("schema").and_then(Value::as_str) {
        Some(s) if s == schema => {}
        Some(s) if s.starts_with("tracetriage.") => {
            return Err(Problem::WrongKind(format!("a {} file, not a {what}", kind(s))));
        }
        _ if obj.contains_key("traceEvents") => {
            return Err(Problem::WrongKind(format!("a trace, not a {what} (triage it first)")));
        }
        _ => {
            return Err(Problem::WrongKind(format!("no \"schema\": \"{schema}\"; not a tracetriage {what}")));
        }
    }
    let found = match obj.get("version") {
        None => return Err(Problem::Broken(format!("the {what} has no `version`"))),
        Some(v) => match v.as_u64().and_then(|v| u32::try_from(v).ok()) {
            Some(v) => v,
            None => return Err(Problem::Broken(format!("`version` is not a version number: {v}"))),
        },
    };
    if found > current {
        return Err(Problem::Newer { found, supported: current });
    }
    upgrade(&mut value, found, current, migrations).map_err(Problem::Broken)?;
    Ok(value)
}

/// What reading a report file gave.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadOutcome {
    /// A report (upgraded to the current version when it was older).
    Report(Box<Report>),
    /// Written by a newer build.
    Newer {
        /// The file's report version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// A report, but damaged or incomplete.
    Broken(String),
    /// Not a report.
    NotAReport(String),
}

impl ReadOutcome {
    /// `report`, `newer`, `broken` or `not-a-report`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            ReadOutcome::Report(_) => "report",
            ReadOutcome::Newer { .. } => "newer",
            ReadOutcome::Broken(_) => "broken",
            ReadOutcome::NotAReport(_) => "not-a-report",
        }
    }

    /// One line saying what happened (empty for a report).
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            ReadOutcome::Report(_) => String::new(),
            ReadOutcome::Newer { found, supported } => {
                format!(
                    "newer report version {found} (this build reads ≤ {supported}): update tracetriage to open it"
                )
            }
            ReadOutcome::Broken(why) => format!("broken report: {why}"),
            ReadOutcome::NotAReport(why) => format!("not a report: {why}"),
        }
    }

    /// The report, if it was one.
    #[must_use]
    pub fn report(self) -> Option<Report> {
        match self {
            ReadOutcome::Report(r) => Some(*r),
            _ => None,
        }
    }
}

/// Reads a report file of any version.
#[must_use]
pub fn read_report(bytes: &[u8]) -> ReadOutcome {
    let value = match open(bytes, REPORT_SCHEMA, REPORT_VERSION, REPORT_MIGRATIONS) {
        Ok(v) => v,
        Err(Problem::Newer { found, supported }) => return ReadOutcome::Newer { found, supported },
        Err(Problem::Broken(why)) => return ReadOutcome::Broken(why),
        Err(Problem::WrongKind(why)) => return ReadOutcome::NotAReport(why),
    };
    match serde_json::from_value::<Report>(value) {
        Ok(r) => ReadOutcome::Report(Box::new(r)),
        Err(e) => ReadOutcome::Broken(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A made-up version 0 whose `model_name` became `model` in version 1.
    fn v0_to_v1(v: &mut Value) -> Result<(), String> {
        let obj = v.as_object_mut().ok_or("not an object")?;
        let name = obj.remove("model_name").unwrap_or(Value::Null);
        obj.insert("model".to_owned(), name);
        Ok(())
    }

    #[test]
    fn upgrades_run_step_by_step() {
        let steps = [Migration { from: 0, upgrade: v0_to_v1 }];
        let mut v = serde_json::json!({"schema": "x", "version": 0, "model_name": "m"});
        upgrade(&mut v, 0, 1, &steps).unwrap();
        assert_eq!(v, serde_json::json!({"schema": "x", "version": 1, "model": "m"}));
        let mut w = serde_json::json!({"version": 0});
        let err = upgrade(&mut w, 0, 2, &steps).unwrap_err();
        assert!(err.contains("version 0 is older than any this build reads (oldest: 2)"), "{err}");
        let err = upgrade(&mut w, 0, 1, &[]).unwrap_err();
        assert!(err.contains("oldest: 1"), "{err}");
    }

    #[test]
    fn classifies_what_is_not_a_report() {
        let kind = |b: &[u8]| read_report(b).kind();
        assert_eq!(kind(b""), "not-a-report");
        assert_eq!(kind(b"\x1f\x8b\x08\x00\xff"), "not-a-report");
        assert_eq!(kind(b"[1, 2]"), "not-a-report");
        assert_eq!(kind(br#"{"traceEvents": []}"#), "not-a-report");
        assert_eq!(kind(br#"{"schema": "tracetriage.report", "version": 1"#), "broken");
        assert_eq!(kind(br#"{"schema": "tracetriage.report"}"#), "broken");
        assert_eq!(kind(br#"{"schema": "tracetriage.report", "version": "one"}"#), "broken");
        assert_eq!(kind(br#"{"schema": "tracetriage.report", "version": 0}"#), "broken");
        assert_eq!(kind(br#"{"schema": "tracetriage.report", "version": 1}"#), "broken");
        assert_eq!(
            read_report(br#"{"schema": "tracetriage.report", "version": 9}"#),
            ReadOutcome::Newer { found: 9, supported: REPORT_VERSION }
        );
        assert!(
            read_report(br#"{"schema": "tracetriage.manifest", "version": 1}"#)
                .message()
                .contains("manifest")
        );
    }
}
