//! Wrapper frames (`catalog/wrappers.toml`): Python frames that never count as the
//! location that launched a kernel (profiling wrappers, `torch/_ops.py`, module
//! `__call__` plumbing, torch.compile and custom-op shims, contextlib, threading).

use serde::Deserialize;

use super::CatalogError;

/// One `[[wrapper]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WrapperSpec {
    frame: String,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// The `[[wrapper]]` tables of a file on their own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WrapperFile {
    #[serde(default)]
    wrapper: Vec<WrapperSpec>,
}

/// The wrapper frames, lower-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wrappers {
    frames: Vec<String>,
}

impl Wrappers {
    /// Parses a file of `[[wrapper]]` tables.
    ///
    /// # Errors
    /// When the TOML is invalid or a `frame` is empty.
    pub fn parse(file: &str, text: &str) -> Result<Wrappers, CatalogError> {
        let spec: WrapperFile = toml::from_str(text)
            .map_err(|e| CatalogError::Toml { file: file.to_owned(), reason: e.to_string() })?;
        let mut out = Wrappers::default();
        out.add(file, spec.wrapper)?;
        Ok(out)
    }

    /// Adds specs read from a catalog file.
    pub(crate) fn add(&mut self, file: &str, specs: Vec<WrapperSpec>) -> Result<(), CatalogError> {
        let frames: Vec<String> = specs.into_iter().map(|s| s.frame.trim().to_ascii_lowercase()).collect();
        if let Some(i) = frames.iter().position(String::is_empty) {
            return Err(CatalogError::Invalid {
                file: file.to_owned(),
                entry: format!("wrapper {}", i + 1),
                reason: "`frame` is empty".to_owned(),
            });
        }
        for frame in frames {
            if !self.frames.contains(&frame) {
                self.frames.push(frame);
            }
        }
        Ok(())
    }

    /// Whether a normalised location is a wrapper frame.
    #[must_use]
    pub fn matches(&self, location: &str) -> bool {
        let lower = location.to_ascii_lowercase();
        self.frames.iter().any(|f| lower.contains(f.as_str()))
    }

    /// Number of wrapper frames.
    #[must_use]
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}
