//! The manifest (`reports/index.json` of a dashboard site): schema
//! `tracetriage.manifest`, version 1, one [`ManifestEntry`] per run, documented in
//! `docs/manifest-json.md`. Read back with [`read_manifest`], which keeps every entry it
//! can and says why it skipped the others.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::entry::ManifestEntry;
use super::ids;
use crate::document::{self, Body, Document, DocumentError, Migration};
use crate::triage::REPORT_VERSION;

/// The `schema` value of every manifest.
pub const MANIFEST_SCHEMA: &str = "tracetriage.manifest";
/// The current manifest version.
pub const MANIFEST_VERSION: u32 = 1;
/// Manifest upgrades, oldest first (none: version 1 is the first).
pub const MANIFEST_MIGRATIONS: &[Migration] = &[];

/// The index of a dashboard: every run, in the order the writer found them (the body of a
/// [`Manifest`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Runs {
    /// A title for the page.
    #[serde(default)]
    pub title: String,
    /// The runs.
    #[serde(default)]
    pub entries: Vec<ManifestEntry>,
}

/// The manifest document. Read it with [`read_manifest`], which keeps every good entry
/// and says why it skipped the others (`Document::from_json` is strict: one bad entry
/// fails it).
pub type Manifest = Document<Runs>;

impl Body for Runs {
    const SCHEMA: &'static str = MANIFEST_SCHEMA;
    const VERSION: u32 = MANIFEST_VERSION;
    const KIND: &'static str = "manifest";
    const MIGRATIONS: &'static [Migration] = MANIFEST_MIGRATIONS;
    const PRETTY: bool = false;
}

/// A manifest of `entries` with a title, written by this build.
#[must_use]
pub fn new_manifest(title: &str, entries: Vec<ManifestEntry>) -> Manifest {
    Document::new(Runs { title: title.to_owned(), entries })
}

/// An entry [`read_manifest`] left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Its position in the file's `entries`.
    pub index: usize,
    /// Its id, when it had one.
    pub id: Option<String>,
    /// Why.
    pub reason: String,
}

/// A manifest as read: the entries kept and those skipped.
#[derive(Clone, Debug, PartialEq)]
pub struct ManifestRead {
    /// The manifest with every readable entry.
    pub manifest: Manifest,
    /// The entries left out.
    pub skipped: Vec<Skipped>,
}

/// Checks one entry: it deserialises, has a safe id and report path, a report version
/// this build opens, and an id not seen before.
fn entry(
    value: Value,
    seen: &mut std::collections::BTreeSet<String>,
) -> Result<ManifestEntry, (Option<String>, String)> {
    let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
    if !value.is_object() {
        return Err((None, "not an object".to_owned()));
    }
    let e: ManifestEntry = serde_json::from_value(value).map_err(|err| (id.clone(), err.to_string()))?;
    if !ids::valid_id(&e.id) {
        return Err((id, format!("bad id {:?} (letters, digits, '.', '_' and '-' only)", e.id)));
    }
    if !ids::valid_report_path(&e.report) {
        return Err((
            id,
            format!("bad report path {:?} (a relative .json path beside the manifest)", e.report),
        ));
    }
    if e.report_version > REPORT_VERSION {
        return Err((
            id,
            format!("newer report version {} (this build reads ≤ {REPORT_VERSION})", e.report_version),
        ));
    }
    if !seen.insert(e.id.clone()) {
        return Err((id, "duplicate id".to_owned()));
    }
    Ok(e)
}

/// Reads a manifest of any version this build knows, keeping every readable entry.
///
/// # Errors
/// When the file is not a manifest, is newer than this build, or is damaged as a whole.
pub fn read_manifest(bytes: &[u8]) -> Result<ManifestRead, DocumentError> {
    let mut value = document::open::<Runs>(bytes)?;
    let entries = match value.as_object_mut().and_then(|o| o.remove("entries")) {
        Some(Value::Array(list)) => list,
        Some(_) => {
            return Err(DocumentError::Broken {
                kind: Runs::KIND,
                reason: "`entries` is not a list".to_owned(),
            });
        }
        None => Vec::new(),
    };
    let str_field = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut manifest = new_manifest(&str_field("title"), Vec::with_capacity(entries.len()));
    manifest.envelope.generator = str_field("generator");
    let mut skipped = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (index, v) in entries.into_iter().enumerate() {
        match entry(v, &mut seen) {
            Ok(e) => manifest.entries.push(e),
            Err((id, reason)) => skipped.push(Skipped { index, id, reason }),
        }
    }
    Ok(ManifestRead { manifest, skipped })
}
