//! Versioned documents: one envelope (`schema`, `version`, `generator`) around every JSON
//! file tracetriage writes — reports, all-ranks reports, layers reports, diffs and
//! dashboard manifests — and one way to write and read them back.
//!
//! A document is a [`Document<T>`]: the [`Envelope`] plus a body `T` whose fields sit
//! beside the envelope's in the JSON (`{"schema": …, "version": …, "generator": …,
//! "mode": …}`). A body type says what it is by implementing [`Body`]: its schema name,
//! its current version, how messages name it, and its upgrades.
//!
//! Reading ([`Document::from_json`], [`Document::from_bytes`]) checks the file's
//! `schema` and `version` first, then upgrades older versions step by step to the current
//! one ([`Migration`]: JSON-to-JSON functions, one per version step) and deserialises.
//! What cannot be read fails with one [`DocumentError`] that says why: newer than this
//! build, damaged, or not that kind of file. Fields added within a version need no
//! migration: the body types default them.
//!
//! API boundary: the JSON forms are documented in `docs/*-json.md`. Fields are only
//! added; a change of meaning bumps the body's [`Body::VERSION`] and adds a [`Migration`].

use core::ops::{Deref, DerefMut};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version string written into every document.
pub const GENERATOR: &str = concat!("tracetriage ", env!("CARGO_PKG_VERSION"));

/// The head of every document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// What the document is: `tracetriage.report`, `tracetriage.ranks`, ….
    pub schema: String,
    /// The body's version at the time of writing.
    pub version: u32,
    /// The tool and its version that wrote it.
    pub generator: String,
}

/// One upgrade step: a document of version `from` becomes version `from + 1`.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// The version it reads.
    pub from: u32,
    /// Rewrites the document in place (the reader sets `version`); an error says why the
    /// document cannot be upgraded.
    pub upgrade: fn(&mut Value) -> Result<(), String>,
}

/// What a document's body is.
pub trait Body: Serialize + DeserializeOwned {
    /// The `schema` value (`tracetriage.report`).
    const SCHEMA: &'static str;
    /// The current version.
    const VERSION: u32;
    /// How messages name it (`report`, `layers report`), after "a" / "newer".
    const KIND: &'static str;
    /// Upgrades, oldest first (empty while version 1 is the only one).
    const MIGRATIONS: &'static [Migration] = &[];
    /// Whether [`Document::to_json`] indents (reports, read by people) or writes one line
    /// (manifests: large, read by programs).
    const PRETTY: bool = true;
}

/// A versioned document: the envelope and its body, serialised side by side. Derefs to
/// the body, so `report.stages` reads the body's field.
///
/// It is read only through [`Document::from_json`] / [`Document::from_bytes`] (it has no
/// `Deserialize`), so the schema and version are always checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Document<T> {
    /// Schema, version and generator.
    #[serde(flatten)]
    pub envelope: Envelope,
    /// The content.
    #[serde(flatten)]
    pub body: T,
}

/// Why a file could not be read as the document asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Written by a newer build.
    #[error("newer {kind} version {found} (this build reads ≤ {supported}): update tracetriage to open it")]
    Newer {
        /// What was asked for (`report`).
        kind: &'static str,
        /// The file's version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// It is that kind of document, but damaged or incomplete.
    #[error("broken {kind}: {reason}")]
    Broken {
        /// What was asked for.
        kind: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Some other file.
    #[error("not a {kind}: {reason}")]
    WrongKind {
        /// What was asked for.
        kind: &'static str,
        /// What it is instead.
        reason: String,
    },
}

impl DocumentError {
    /// `newer`, `broken` or `wrong-kind`.
    #[must_use]
    pub fn id(&self) -> &'static str {
        match self {
            DocumentError::Newer { .. } => "newer",
            DocumentError::Broken { .. } => "broken",
            DocumentError::WrongKind { .. } => "wrong-kind",
        }
    }
}

impl<T: Body> Document<T> {
    /// A document of `body`, written by this build.
    #[must_use]
    pub fn new(body: T) -> Document<T> {
        Document {
            envelope: Envelope {
                schema: T::SCHEMA.to_owned(),
                version: T::VERSION,
                generator: GENERATOR.to_owned(),
            },
            body,
        }
    }

    /// The document as JSON: indented, or on one line for bodies that say so
    /// ([`Body::PRETTY`]).
    #[must_use]
    pub fn to_json(&self) -> String {
        let text = if T::PRETTY { serde_json::to_string_pretty(self) } else { serde_json::to_string(self) };
        text.unwrap_or_default()
    }

    /// Reads a document of any version this build knows (see the module docs).
    ///
    /// # Errors
    /// What is wrong with the text, as a [`DocumentError`].
    pub fn from_json(text: &str) -> Result<Document<T>, DocumentError> {
        Document::from_bytes(text.as_bytes())
    }

    /// [`Document::from_json`] of a file's bytes (which need not be UTF-8).
    ///
    /// # Errors
    /// What is wrong with the bytes, as a [`DocumentError`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Document<T>, DocumentError> {
        Document::from_value(open::<T>(bytes)?)
    }

    /// A document from JSON already checked (or built) as this kind at its current
    /// version: the envelope's keys come out of the object and the body is read from the
    /// rest directly (no second buffering of the whole document).
    pub(crate) fn from_value(mut value: Value) -> Result<Document<T>, DocumentError> {
        let broken = |reason: String| DocumentError::Broken { kind: T::KIND, reason };
        let obj = value.as_object_mut().ok_or_else(|| broken("not an object".to_owned()))?;
        let generator = match obj.remove("generator") {
            Some(Value::String(g)) => g,
            Some(other) => return Err(broken(format!("`generator` is not text: {other}"))),
            None => String::new(),
        };
        obj.remove("schema");
        obj.remove("version");
        let body = serde_json::from_value(value).map_err(|e| broken(e.to_string()))?;
        let envelope = Envelope { schema: T::SCHEMA.to_owned(), version: T::VERSION, generator };
        Ok(Document { envelope, body })
    }
}

/// Declares the document of an engine value whose notes are typed: the type alias, its
/// schema and version constants, its [`Body`] (the notes as sentences) and `From` the
/// engine's value (every note written by [`crate::notes::sentence`], then the body passed
/// to `finish`, when given, to write its other sentences).
macro_rules! noted_document {
    (
        $(#[$doc:meta])* $alias:ident = $body:ident,
        $schema_const:ident = $schema:literal, $version_const:ident = $version:literal, kind $kind:literal
        $(, migrations $migrations:expr)? $(, finish $finish:path)? $(,)?
    ) => {
        $(#[$doc])*
        pub type $alias = $crate::document::Document<$body<String>>;

        #[doc = concat!("The `schema` value of every ", $kind, ".")]
        pub const $schema_const: &str = $schema;
        #[doc = concat!("The current ", $kind, " version.")]
        pub const $version_const: u32 = $version;

        impl $crate::document::Body for $body<String> {
            const SCHEMA: &'static str = $schema_const;
            const VERSION: u32 = $version_const;
            const KIND: &'static str = $kind;
            $(const MIGRATIONS: &'static [$crate::document::Migration] = $migrations;)?
        }

        impl From<$body<engine::results::notes::Note>> for $alias {
            fn from(value: $body<engine::results::notes::Note>) -> $alias {
                #[allow(unused_mut)]
                let mut body = value.map_notes($crate::notes::sentence);
                $($finish(&mut body);)?
                $crate::document::Document::new(body)
            }
        }
    };
}
pub(crate) use noted_document;

impl<T> Deref for Document<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T> DerefMut for Document<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.body
    }
}

/// Upgrades `value` from version `found` to `target` with `migrations`.
///
/// # Errors
/// When a step is missing (a version older than any this build knows) or fails.
pub(crate) fn upgrade(
    value: &mut Value,
    found: u32,
    target: u32,
    migrations: &[Migration],
) -> Result<(), String> {
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
fn schema_kind(schema: &str) -> &str {
    schema.rsplit('.').next().unwrap_or(schema)
}

/// Opens a document as JSON: an object whose `schema` is `T`'s, with a `version` this
/// build reads, upgraded to the current one.
///
/// # Errors
/// What is wrong with it, as a [`DocumentError`].
pub(crate) fn open<T: Body>(bytes: &[u8]) -> Result<Value, DocumentError> {
    let kind = T::KIND;
    let wrong = |reason: String| DocumentError::WrongKind { kind, reason };
    let broken = |reason: String| DocumentError::Broken { kind, reason };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(wrong("not UTF-8 text (a binary or compressed file?)".to_owned()));
    };
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(wrong("the file is empty".to_owned()));
    }
    let claims =
        text.get(..text.len().min(4096)).is_some_and(|head| head.contains(&format!("\"{}\"", T::SCHEMA)));
    let mut value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) if claims => return Err(broken(format!("invalid JSON ({e}); the file may be truncated"))),
        Err(e) => return Err(wrong(format!("not JSON ({e})"))),
    };
    let Some(obj) = value.as_object() else {
        return Err(wrong(format!("JSON, but not an object: not a {kind}")));
    };
    match obj.get("schema").and_then(Value::as_str) {
        Some(s) if s == T::SCHEMA => {}
        Some(s) if s.starts_with("tracetriage.") => {
            return Err(wrong(format!("a {} file, not a {kind}", schema_kind(s))));
        }
        _ if obj.contains_key("traceEvents") => {
            return Err(wrong(format!("a trace, not a {kind} (triage it first)")));
        }
        _ => return Err(wrong(format!("no \"schema\": \"{}\"; not a tracetriage {kind}", T::SCHEMA))),
    }
    let found = match obj.get("version") {
        None => return Err(broken(format!("the {kind} has no `version`"))),
        Some(v) => match v.as_u64().and_then(|v| u32::try_from(v).ok()) {
            Some(v) => v,
            None => return Err(broken(format!("`version` is not a version number: {v}"))),
        },
    };
    if found > T::VERSION {
        return Err(DocumentError::Newer { kind, found, supported: T::VERSION });
    }
    upgrade(&mut value, found, T::VERSION, T::MIGRATIONS).map_err(broken)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body whose made-up version 0 called `model` `model_name`.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Thing {
        model: Option<String>,
        #[serde(default)]
        count: u32,
    }

    fn v0_to_v1(v: &mut Value) -> Result<(), String> {
        let obj = v.as_object_mut().ok_or("not an object")?;
        let name = obj.remove("model_name").unwrap_or(Value::Null);
        obj.insert("model".to_owned(), name);
        Ok(())
    }

    impl Body for Thing {
        const SCHEMA: &'static str = "tracetriage.thing";
        const VERSION: u32 = 1;
        const KIND: &'static str = "thing";
        const MIGRATIONS: &'static [Migration] = &[Migration { from: 0, upgrade: v0_to_v1 }];
    }

    #[test]
    fn the_envelope_sits_beside_the_body_and_round_trips() {
        let d = Document::new(Thing { model: Some("m".into()), count: 3 });
        let json = serde_json::to_string(&d).unwrap();
        assert!(
            json.starts_with(r#"{"schema":"tracetriage.thing","version":1,"generator":"tracetriage "#),
            "{json}"
        );
        assert!(json.ends_with(r#","model":"m","count":3}"#), "{json}");
        assert_eq!(Document::<Thing>::from_json(&d.to_json()), Ok(d.clone()));
        assert_eq!(d.model.as_deref(), Some("m"), "derefs to the body");
    }

    #[test]
    fn older_versions_are_upgraded_step_by_step() {
        let d = Document::<Thing>::from_json(
            r#"{"schema":"tracetriage.thing","version":0,"generator":"g","model_name":"old"}"#,
        )
        .unwrap();
        assert_eq!((d.envelope.version, d.model.as_deref(), d.count), (1, Some("old"), 0));
        let mut w = serde_json::json!({"version": 0});
        let steps = [Migration { from: 0, upgrade: v0_to_v1 }];
        let err = upgrade(&mut w, 0, 2, &steps).unwrap_err();
        assert!(err.contains("version 0 is older than any this build reads (oldest: 2)"), "{err}");
        assert!(upgrade(&mut w, 0, 1, &[]).unwrap_err().contains("oldest: 1"));
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        let read = |b: &[u8]| Document::<Thing>::from_bytes(b).unwrap_err();
        assert_eq!(read(b"").id(), "wrong-kind");
        assert_eq!(read(b"\x1f\x8b\x08\x00\xff").id(), "wrong-kind");
        assert_eq!(read(b"[1, 2]").id(), "wrong-kind");
        assert!(read(br#"{"traceEvents": []}"#).to_string().contains("a trace, not a thing"));
        assert!(
            read(br#"{"schema": "tracetriage.report", "version": 1}"#).to_string().contains("a report file")
        );
        assert_eq!(read(br#"{"schema": "tracetriage.thing", "version": 1"#).id(), "broken");
        assert_eq!(read(br#"{"schema": "tracetriage.thing"}"#).id(), "broken");
        assert_eq!(read(br#"{"schema": "tracetriage.thing", "version": "one"}"#).id(), "broken");
        assert_eq!(read(br#"{"schema": "tracetriage.thing", "version": 1, "model": 5}"#).id(), "broken");
        let newer = read(br#"{"schema": "tracetriage.thing", "version": 9}"#);
        assert_eq!(newer, DocumentError::Newer { kind: "thing", found: 9, supported: 1 });
        assert!(newer.to_string().starts_with("newer thing version 9 (this build reads ≤ 1)"), "{newer}");
    }
}
