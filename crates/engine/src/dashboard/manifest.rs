//! The manifest (`reports/index.json` of a dashboard site): schema
//! `tracetriage.manifest`, version 1, one [`ManifestEntry`] per run, documented in
//! `docs/manifest-json.md`. Read back with [`read_manifest`], which keeps every entry it
//! can and says why it skipped the others.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::entry::ManifestEntry;
use super::ids;
use super::version::{self, Migration, Problem};
use crate::report::REPORT_VERSION;

/// The `schema` value of every manifest.
pub const MANIFEST_SCHEMA: &str = "tracetriage.manifest";
/// The current manifest version.
pub const MANIFEST_VERSION: u32 = 1;
/// Manifest upgrades, oldest first (none: version 1 is the first).
pub const MANIFEST_MIGRATIONS: &[Migration] = &[];

/// The index of a dashboard: every run, in the order the writer found them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_SCHEMA`].
    pub schema: String,
    /// [`MANIFEST_VERSION`] at the time of writing.
    pub version: u32,
    /// The tool and its version that wrote it.
    pub generator: String,
    /// A title for the page.
    #[serde(default)]
    pub title: String,
    /// The runs.
    #[serde(default)]
    pub entries: Vec<ManifestEntry>,
}

impl Manifest {
    /// A manifest of `entries`.
    #[must_use]
    pub fn new(title: &str, entries: Vec<ManifestEntry>) -> Manifest {
        Manifest {
            schema: MANIFEST_SCHEMA.to_owned(),
            version: MANIFEST_VERSION,
            generator: crate::triage::GENERATOR.to_owned(),
            title: title.to_owned(),
            entries,
        }
    }

    /// Serialises to JSON (one line per entry field would be large: compact form).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
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

/// Why a manifest could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Written by a newer build.
    #[error("newer manifest version {found} (this build reads ≤ {supported}): update tracetriage")]
    Newer {
        /// The file's version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// A manifest, but damaged.
    #[error("broken manifest: {0}")]
    Broken(String),
    /// Not a manifest.
    #[error("not a dashboard manifest: {0}")]
    NotAManifest(String),
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
pub fn read_manifest(bytes: &[u8]) -> Result<ManifestRead, ManifestError> {
    let mut value = version::open(bytes, MANIFEST_SCHEMA, MANIFEST_VERSION, MANIFEST_MIGRATIONS).map_err(
        |p| match p {
            Problem::Newer { found, supported } => ManifestError::Newer { found, supported },
            Problem::Broken(why) => ManifestError::Broken(why),
            Problem::WrongKind(why) => ManifestError::NotAManifest(why),
        },
    )?;
    let entries = match value.as_object_mut().and_then(|o| o.remove("entries")) {
        Some(Value::Array(list)) => list,
        Some(_) => return Err(ManifestError::Broken("`entries` is not a list".to_owned())),
        None => Vec::new(),
    };
    let str_field = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut manifest = Manifest {
        schema: MANIFEST_SCHEMA.to_owned(),
        version: MANIFEST_VERSION,
        generator: str_field("generator"),
        title: str_field("title"),
        entries: Vec::with_capacity(entries.len()),
    };
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
