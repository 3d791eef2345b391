//! GPU peak figures (`catalog/gpus.toml`) for a roofline: each datacenter GPU's memory
//! bandwidth, its dense datasheet peak per data type, the share of both that is
//! achievable, and the `deviceProperties` names it goes by.
//!
//! The embedded file is validated by tests; [`GpuSpecs::parse`] also validates a user's
//! file (`--gpu-spec FILE`, laid over the built-in one by [`GpuSpecs::builtin_with`]) and
//! returns errors naming the file, the entry and the reason, never panicking.
//!
//! A device name resolves by its words ([`GpuSpecs::find`]): both the name and each
//! `match` phrase are split into lower-case words at every character that is not an ASCII
//! letter or digit, and a phrase matches when its words are a contiguous run of the
//! name's words (`B200` is not a word of `NVIDIA GB200`). A phrase written `=…` matches
//! only the whole name. The most specific match wins — a whole-name match, then more
//! words, then more letters — and a tie between two GPUs, like no match, gives `None`.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::CatalogError;
use super::fuse::is_kebab;

/// The embedded GPU specs.
pub const GPUS: &str = include_str!("../../../../catalog/gpus.toml");

/// The name the embedded file goes by in errors and [`GpuSpecs::files`].
const BUILTIN_FILE: &str = "catalog/gpus.toml";

/// A data type with a peak figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeakDtype {
    /// FP64 (tensor/matrix-core figure where the GPU has one).
    Fp64,
    /// FP32 on the vector (non-tensor) units.
    Fp32,
    /// TF32 tensor cores.
    Tf32,
    /// BF16 tensor/matrix cores.
    Bf16,
    /// FP16 tensor/matrix cores.
    Fp16,
    /// FP8 (E4M3/E5M2) tensor/matrix cores.
    Fp8,
    /// FP4 (NVFP4/MXFP4) tensor/matrix cores.
    Fp4,
    /// INT8 tensor/matrix cores (TOPS).
    Int8,
}

impl PeakDtype {
    /// Every data type, in the file's order.
    pub const ALL: [PeakDtype; 8] = [
        PeakDtype::Fp64,
        PeakDtype::Fp32,
        PeakDtype::Tf32,
        PeakDtype::Bf16,
        PeakDtype::Fp16,
        PeakDtype::Fp8,
        PeakDtype::Fp4,
        PeakDtype::Int8,
    ];

    /// The key in `[gpu.peaks]` (`fp64`, `bf16`, `int8`…).
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            PeakDtype::Fp64 => "fp64",
            PeakDtype::Fp32 => "fp32",
            PeakDtype::Tf32 => "tf32",
            PeakDtype::Bf16 => "bf16",
            PeakDtype::Fp16 => "fp16",
            PeakDtype::Fp8 => "fp8",
            PeakDtype::Fp4 => "fp4",
            PeakDtype::Int8 => "int8",
        }
    }
}

/// Dense datasheet peaks of one GPU in TFLOP/s (TOPS for `int8`); `None` where the GPU
/// lacks the data type or its datasheet gives no figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peaks {
    /// FP64: the tensor/matrix-core figure where one exists, else the vector figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp64: Option<f64>,
    /// FP32 on the vector (non-tensor) units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp32: Option<f64>,
    /// TF32 tensor cores, dense.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tf32: Option<f64>,
    /// BF16 tensor/matrix cores, dense.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bf16: Option<f64>,
    /// FP16 tensor/matrix cores, dense.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp16: Option<f64>,
    /// FP8 tensor/matrix cores, dense.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp8: Option<f64>,
    /// FP4 (NVFP4/MXFP4) tensor/matrix cores, dense.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp4: Option<f64>,
    /// INT8 tensor/matrix cores, dense, in TOPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub int8: Option<f64>,
}

impl Peaks {
    /// The figure given for `d`, without any fallback (see [`GpuSpec::peak_tflops`]).
    #[must_use]
    pub fn get(&self, d: PeakDtype) -> Option<f64> {
        match d {
            PeakDtype::Fp64 => self.fp64,
            PeakDtype::Fp32 => self.fp32,
            PeakDtype::Tf32 => self.tf32,
            PeakDtype::Bf16 => self.bf16,
            PeakDtype::Fp16 => self.fp16,
            PeakDtype::Fp8 => self.fp8,
            PeakDtype::Fp4 => self.fp4,
            PeakDtype::Int8 => self.int8,
        }
    }
}

/// One GPU's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GpuSpec {
    /// Stable kebab-case id (`h100-sxm`).
    pub id: String,
    /// Display name (`NVIDIA H100 SXM`).
    pub label: String,
    /// `nvidia` or `amd`.
    pub vendor: String,
    /// Phrases of the `deviceProperties` names this GPU goes by (the file's `match`).
    pub matches: Vec<String>,
    /// Device-memory bandwidth, TB/s (10^12 bytes/s), datasheet.
    pub hbm_tbps: f64,
    /// Dense datasheet peaks.
    pub peaks: Peaks,
    /// Achievable share of the compute peaks, in (0, 1].
    pub compute_fraction: f64,
    /// Achievable share of `hbm_tbps`, in (0, 1].
    pub memory_fraction: f64,
    /// Where the peaks come from (datasheet names, URLs).
    pub source: Vec<String>,
    /// Where the two fractions come from.
    pub fraction_source: String,
}

impl GpuSpec {
    /// Peak TFLOP/s (TOPS for `int8`) for `d`. Where the GPU has no figure for `d`: FP16
    /// takes the BF16 figure and BF16 the FP16 one (the two run at the same rate on every
    /// GPU that has both), and TF32 takes the FP32 figure (a GPU without TF32 runs FP32
    /// matmuls on its FP32 units). Everything else is `None` when absent — an FP8 or FP4
    /// kernel on a GPU without those units gets no figure, never a made-up one.
    #[must_use]
    pub fn peak_tflops(&self, d: PeakDtype) -> Option<f64> {
        let p = &self.peaks;
        match d {
            PeakDtype::Fp16 => p.fp16.or(p.bf16),
            PeakDtype::Bf16 => p.bf16.or(p.fp16),
            PeakDtype::Tf32 => p.tf32.or(p.fp32),
            _ => p.get(d),
        }
    }

    /// The achievable TFLOP/s for `d`: [`GpuSpec::peak_tflops`] × `compute_fraction`.
    #[must_use]
    pub fn achievable_tflops(&self, d: PeakDtype) -> Option<f64> {
        self.peak_tflops(d).map(|p| p * self.compute_fraction)
    }

    /// The achievable memory bandwidth, TB/s: `hbm_tbps` × `memory_fraction`.
    #[must_use]
    pub fn achievable_tbps(&self) -> f64 {
        self.hbm_tbps * self.memory_fraction
    }

    /// The datasheet ridge point for `d`, in FLOP per byte: the arithmetic intensity at
    /// which the compute peak and the memory bandwidth meet.
    #[must_use]
    pub fn ridge_flop_per_byte(&self, d: PeakDtype) -> Option<f64> {
        self.peak_tflops(d).map(|p| p / self.hbm_tbps)
    }
}

/// Every GPU's figures, and the files they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct GpuSpecs {
    /// The GPUs, in file order (a user's new entries after the built-in ones).
    pub gpus: Vec<GpuSpec>,
    /// Files that contributed entries, in load order.
    pub files: Vec<String>,
}

/// The top level of a GPU spec file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    gpu: Vec<GpuEntrySpec>,
}

/// One `[[gpu]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GpuEntrySpec {
    id: String,
    label: String,
    vendor: String,
    #[serde(rename = "match")]
    matches: Vec<String>,
    hbm_tbps: f64,
    #[serde(default)]
    peaks: Peaks,
    #[serde(default)]
    compute_fraction: Option<f64>,
    #[serde(default)]
    memory_fraction: Option<f64>,
    #[serde(default)]
    fraction_source: Option<String>,
    source: OneOrMany,
}

/// `source = "…"` or `source = ["…", "…"]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// The fractions an entry gets when it gives none: the vendor defaults documented at the
/// top of `catalog/gpus.toml`.
fn default_fractions(vendor: &str) -> (f64, f64, &'static str) {
    if vendor == "amd" {
        (0.6, 0.8, "AMD MI300-series default (catalog/gpus.toml header)")
    } else {
        (0.8, 0.9, "NVIDIA default (catalog/gpus.toml header)")
    }
}

impl GpuEntrySpec {
    /// Validates the entry (the `n`-th of `file`, from 1).
    fn build(self, file: &str, n: usize) -> Result<GpuSpec, CatalogError> {
        let entry = if self.id.is_empty() { format!("gpu {n}") } else { format!("gpu `{}`", self.id) };
        let bad =
            |reason: String| CatalogError::Invalid { file: file.to_owned(), entry: entry.clone(), reason };
        if !is_kebab(&self.id) {
            return Err(bad(format!(
                "id `{}` must be kebab-case (lower-case letters, digits, single `-`)",
                self.id
            )));
        }
        if self.label.trim().is_empty() {
            return Err(bad("`label` is empty".into()));
        }
        if self.vendor != "nvidia" && self.vendor != "amd" {
            return Err(bad(format!("`vendor` must be `nvidia` or `amd`, not `{}`", self.vendor)));
        }
        check_matches(&self.matches).map_err(&bad)?;
        if !(self.hbm_tbps.is_finite() && self.hbm_tbps > 0.0) {
            return Err(bad(format!("`hbm_tbps` must be a positive number of TB/s, not {}", self.hbm_tbps)));
        }
        let mut any_peak = false;
        for d in PeakDtype::ALL {
            if let Some(v) = self.peaks.get(d) {
                if !(v.is_finite() && v > 0.0) {
                    return Err(bad(format!(
                        "peak `{}` must be a positive number of TFLOP/s, not {v}",
                        d.label()
                    )));
                }
                any_peak = true;
            }
        }
        if !any_peak {
            return Err(bad("`[gpu.peaks]` gives no peak: at least one data type is needed".into()));
        }
        let (compute_default, memory_default, default_source) = default_fractions(&self.vendor);
        let compute_fraction = self.compute_fraction.unwrap_or(compute_default);
        let memory_fraction = self.memory_fraction.unwrap_or(memory_default);
        for (key, f) in [("compute_fraction", compute_fraction), ("memory_fraction", memory_fraction)] {
            if !(f > 0.0 && f <= 1.0) {
                return Err(bad(format!("`{key}` must be in (0, 1], not {f}")));
            }
        }
        let fraction_source = match self.fraction_source {
            Some(s) if s.trim().is_empty() => return Err(bad("`fraction_source` is empty".into())),
            Some(s) => s,
            None if self.compute_fraction.is_none() && self.memory_fraction.is_none() => {
                default_source.to_owned()
            }
            None => format!("given in {file}"),
        };
        let source = match self.source {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        };
        if source.is_empty() || source.iter().any(|s| s.trim().is_empty()) {
            return Err(bad("`source` must name where the peaks come from (no empty entries)".into()));
        }
        Ok(GpuSpec {
            id: self.id,
            label: self.label,
            vendor: self.vendor,
            matches: self.matches,
            hbm_tbps: self.hbm_tbps,
            peaks: self.peaks,
            compute_fraction,
            memory_fraction,
            source,
            fraction_source,
        })
    }
}

/// An entry's `match` list: not empty, every phrase has a word, no phrase twice.
fn check_matches(matches: &[String]) -> Result<(), String> {
    if matches.is_empty() {
        return Err("`match` is empty: list the device names (or words of them) this GPU goes by".into());
    }
    for (i, m) in matches.iter().enumerate() {
        let p = Phrase::of(m);
        if p.words.is_empty() {
            return Err(format!("match `{m}` has no letters or digits"));
        }
        if let Some(prev) = matches.iter().take(i).find(|q| Phrase::of(q) == p) {
            return Err(format!("match `{m}` is the same as `{prev}`"));
        }
    }
    Ok(())
}

/// The lower-case words of a name: runs of ASCII letters and digits.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// A `match` phrase, compiled.
#[derive(Debug, PartialEq, Eq)]
struct Phrase {
    /// Written `=…`: the whole name must be these words.
    whole: bool,
    words: Vec<String>,
}

/// How well a phrase matches a name; greater is more specific.
type Rank = (bool, usize, usize);

impl Phrase {
    fn of(s: &str) -> Phrase {
        let t = s.trim_start();
        match t.strip_prefix('=') {
            Some(rest) => Phrase { whole: true, words: words(rest) },
            None => Phrase { whole: false, words: words(t) },
        }
    }

    /// The rank of the match against a name's words, or `None`.
    fn rank(&self, name: &[String]) -> Option<Rank> {
        let n = self.words.len();
        let hit = if self.whole {
            self.words == name
        } else {
            n > 0 && n <= name.len() && name.windows(n).any(|w| w == self.words.as_slice())
        };
        hit.then(|| (self.whole, n, self.words.iter().map(String::len).sum()))
    }
}

/// The line, column and `[[gpu]]` table of a TOML error:
/// `line L, column C (gpu 2, id `x`): message`.
fn toml_reason(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', " ");
    let Some(span) = e.span() else { return message };
    let before = text.get(..span.start).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let end = text.get(span.start..).and_then(|r| r.find('\n')).map_or(text.len(), |i| span.start + i);
    let upto = text.get(..end).unwrap_or("");
    let mut table: Option<(usize, usize)> = None;
    for (i, l) in upto.lines().enumerate() {
        if l.trim() == "[[gpu]]" {
            table = Some((table.map_or(1, |(n, _)| n + 1), i));
        }
    }
    let Some((n, header)) = table else { return format!("line {line}, column {column}: {message}") };
    let id = text
        .lines()
        .skip(header + 1)
        .take_while(|l| !l.trim_start().starts_with("[["))
        .find_map(|l| l.trim().strip_prefix("id").map(str::trim).and_then(|r| r.strip_prefix('=')))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_owned());
    match id {
        Some(id) => format!("line {line}, column {column} (gpu {n}, id `{id}`): {message}"),
        None => format!("line {line}, column {column} (gpu {n}): {message}"),
    }
}

/// The first phrase of `g` that is also a phrase of `other`, as (mine, theirs).
fn shared_phrase<'a>(g: &'a GpuSpec, other: &'a GpuSpec) -> Option<(&'a str, &'a str)> {
    g.matches.iter().find_map(|m| {
        let p = Phrase::of(m);
        other.matches.iter().find(|q| Phrase::of(q) == p).map(|q| (m.as_str(), q.as_str()))
    })
}

impl GpuSpecs {
    /// The specs compiled into the binary.
    ///
    /// # Panics
    /// Never in a tested build: the embedded file is validated by the tests.
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn builtin() -> &'static GpuSpecs {
        static PARSED: OnceLock<GpuSpecs> = OnceLock::new();
        PARSED.get_or_init(|| {
            GpuSpecs::parse(BUILTIN_FILE, GPUS).expect("the embedded GPU specs are validated by tests")
        })
    }

    /// Parses and validates a GPU spec file.
    ///
    /// # Errors
    /// When the TOML is invalid or has unknown keys, the file has no `[[gpu]]`, an id is
    /// not kebab-case or is used twice, a label is empty, the vendor is neither `nvidia`
    /// nor `amd`, `hbm_tbps` or a peak is not a positive number, no peak is given, a
    /// fraction is outside (0, 1], `match` or `source` is empty, or two entries share a
    /// `match` phrase. The error names the file, the entry and the reason.
    pub fn parse(file: &str, text: &str) -> Result<GpuSpecs, CatalogError> {
        let spec: FileSpec = toml::from_str(text)
            .map_err(|e| CatalogError::Toml { file: file.to_owned(), reason: toml_reason(text, &e) })?;
        if spec.gpu.is_empty() {
            return Err(CatalogError::Invalid {
                file: file.to_owned(),
                entry: "gpus".into(),
                reason: "the file has no `[[gpu]]` table".into(),
            });
        }
        let mut gpus: Vec<GpuSpec> = Vec::with_capacity(spec.gpu.len());
        for (i, g) in spec.gpu.into_iter().enumerate() {
            let g = g.build(file, i + 1)?;
            let bad = |reason: String| CatalogError::Invalid {
                file: file.to_owned(),
                entry: format!("gpu `{}`", g.id),
                reason,
            };
            if gpus.iter().any(|q| q.id == g.id) {
                return Err(bad(format!("id `{}` is used twice in this file", g.id)));
            }
            if let Some((q, (mine, theirs))) = gpus.iter().find_map(|q| shared_phrase(&g, q).map(|s| (q, s)))
            {
                return Err(bad(format!(
                    "match `{mine}` is the same as `{theirs}` of gpu `{}`: a device name would match both",
                    q.id
                )));
            }
            gpus.push(g);
        }
        Ok(GpuSpecs { gpus, files: vec![file.to_owned()] })
    }

    /// The built-in specs with a user's file (`--gpu-spec FILE`) laid over them: an entry
    /// with an existing id replaces it, a new id is added.
    ///
    /// # Errors
    /// When the user's file is invalid ([`GpuSpecs::parse`]), or one of its entries shares
    /// a `match` phrase with a built-in entry it does not replace. The error names the
    /// user's file and entry.
    pub fn builtin_with(file: &str, text: &str) -> Result<GpuSpecs, CatalogError> {
        let user = GpuSpecs::parse(file, text)?;
        let mut merged = GpuSpecs::parse(BUILTIN_FILE, GPUS)?;
        for g in &user.gpus {
            let kept = merged.gpus.iter().filter(|b| !user.gpus.iter().any(|u| u.id == b.id));
            if let Some((b, (mine, theirs))) = kept.filter_map(|b| shared_phrase(g, b).map(|s| (b, s))).next()
            {
                return Err(CatalogError::Invalid {
                    file: file.to_owned(),
                    entry: format!("gpu `{}`", g.id),
                    reason: format!(
                        "match `{mine}` is the same as `{theirs}` of gpu `{}` in {BUILTIN_FILE}: replace that entry (same id) or use another phrase",
                        b.id
                    ),
                });
            }
        }
        for g in user.gpus {
            match merged.gpus.iter_mut().find(|b| b.id == g.id) {
                Some(slot) => *slot = g,
                None => merged.gpus.push(g),
            }
        }
        merged.files.push(file.to_owned());
        Ok(merged)
    }

    /// The spec for a `deviceProperties` name, or `None` when no entry matches or two
    /// match equally well (the rule is in the module documentation).
    #[must_use]
    pub fn find(&self, device_name: &str) -> Option<&GpuSpec> {
        let name = words(device_name);
        if name.is_empty() {
            return None;
        }
        let mut best: Option<(Rank, &GpuSpec)> = None;
        let mut tied = false;
        for g in &self.gpus {
            let Some(rank) = g.matches.iter().filter_map(|m| Phrase::of(m).rank(&name)).max() else {
                continue;
            };
            let best_rank = best.map(|(r, _)| r);
            if best_rank.is_none_or(|b| rank > b) {
                best = Some((rank, g));
                tied = false;
            } else if best_rank == Some(rank) {
                tied = true;
            }
        }
        if tied { None } else { best.map(|(_, g)| g) }
    }

    /// A GPU by id.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&GpuSpec> {
        self.gpus.iter().find(|g| g.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of GPUs given as (id, match phrases), with placeholder figures.
    fn specs(entries: &[(&str, &[&str])]) -> GpuSpecs {
        let mut text = String::new();
        for (id, matches) in entries {
            let list: Vec<String> = matches.iter().map(|m| format!("{m:?}")).collect();
            text.push_str(&format!(
                "[[gpu]]\nid = \"{id}\"\nlabel = \"{id}\"\nvendor = \"nvidia\"\nmatch = [{}]\nhbm_tbps = 1\nsource = \"test\"\n[gpu.peaks]\nbf16 = 100\n",
                list.join(", ")
            ));
        }
        GpuSpecs::parse("t.toml", &text).expect("valid")
    }

    fn found<'a>(s: &'a GpuSpecs, name: &str) -> Option<&'a str> {
        s.find(name).map(|g| g.id.as_str())
    }

    #[test]
    fn names_split_into_lower_case_words_at_every_other_character() {
        assert_eq!(words("NVIDIA A100-SXM4-80GB"), ["nvidia", "a100", "sxm4", "80gb"]);
        assert_eq!(words("  AMD Instinct MI300X VF "), ["amd", "instinct", "mi300x", "vf"]);
        assert_eq!(words("Tesla V100-SXM2-16GB"), ["tesla", "v100", "sxm2", "16gb"]);
        assert!(words(" -_/ ").is_empty());
        assert_eq!(Phrase::of("=NVIDIA H800"), Phrase { whole: true, words: words("nvidia h800") });
    }

    #[test]
    fn a_phrase_matches_a_contiguous_run_of_whole_words() {
        let s = specs(&[("b200", &["B200"]), ("a100", &["A100-SXM4-80GB"])]);
        assert_eq!(found(&s, "NVIDIA B200"), Some("b200"));
        assert_eq!(found(&s, "nvidia b200"), Some("b200"), "case-insensitive");
        assert_eq!(found(&s, "NVIDIA GB200"), None, "gb200 is another word");
        assert_eq!(found(&s, "NVIDIA B2000"), None);
        assert_eq!(found(&s, "NVIDIA A100-SXM4-80GB"), Some("a100"));
        assert_eq!(found(&s, "NVIDIA A100 SXM4 80GB"), Some("a100"), "separators do not matter");
        assert_eq!(found(&s, "NVIDIA A100-80GB-SXM4"), None, "the words must be in order");
        assert_eq!(found(&s, ""), None);
    }

    #[test]
    fn the_most_specific_phrase_wins() {
        let s = specs(&[("h200", &["H200"]), ("h200-nvl", &["H200 NVL"]), ("h100-pcie", &["H100 PCIe"])]);
        assert_eq!(found(&s, "NVIDIA H200"), Some("h200"));
        assert_eq!(found(&s, "NVIDIA H200 NVL"), Some("h200-nvl"), "two words beat one");
        assert_eq!(found(&s, "NVIDIA H100 NVL"), None);
        // With equal word counts, more letters win.
        let s = specs(&[("short", &["ab x"]), ("long", &["abc x"])]);
        assert_eq!(found(&s, "abc x ab x"), Some("long"));
    }

    #[test]
    fn a_whole_name_phrase_matches_only_the_whole_name_and_beats_words() {
        let s = specs(&[("h800", &["=NVIDIA H800"]), ("any-h800", &["NVIDIA H800 PCIe"])]);
        assert_eq!(found(&s, "NVIDIA H800"), Some("h800"));
        assert_eq!(found(&s, "nvidia-h800"), Some("h800"));
        assert_eq!(found(&s, "NVIDIA H800 PCIe"), Some("any-h800"));
        assert_eq!(found(&s, "NVIDIA H800 NVL"), None);
        let s = specs(&[("whole", &["=x y"]), ("words", &["x y"])]);
        assert_eq!(found(&s, "X Y"), Some("whole"));
        assert_eq!(found(&s, "X Y Z"), Some("words"));
    }

    #[test]
    fn two_gpus_matching_equally_well_give_none() {
        let s = specs(&[("left", &["h100"]), ("right", &["80gb"])]);
        assert_eq!(found(&s, "NVIDIA H100 80GB"), None, "a tie is not a guess");
        assert_eq!(found(&s, "NVIDIA H100 PCIe"), Some("left"));
    }

    #[test]
    fn a_spec_built_by_hand_with_an_empty_phrase_matches_nothing() {
        let mut s = specs(&[("x", &["x"])]);
        if let Some(g) = s.gpus.first_mut() {
            g.matches = vec![String::new(), "=".into()];
        }
        assert_eq!(found(&s, "x"), None);
    }

    #[test]
    fn peaks_fall_back_only_between_sixteen_bit_floats_and_from_tf32_to_fp32() {
        let s = specs(&[("x", &["x"])]);
        let mut g = s.gpus.first().cloned().expect("one");
        g.peaks = Peaks { fp16: Some(10.0), fp32: Some(2.0), ..Peaks::default() };
        assert_eq!(g.peak_tflops(PeakDtype::Bf16), Some(10.0));
        assert_eq!(g.peak_tflops(PeakDtype::Tf32), Some(2.0));
        assert_eq!(g.peak_tflops(PeakDtype::Fp8), None);
        assert_eq!(g.peak_tflops(PeakDtype::Fp4), None);
        assert_eq!(g.peaks.get(PeakDtype::Bf16), None, "`get` has no fallback");
        g.peaks = Peaks { bf16: Some(7.0), ..Peaks::default() };
        assert_eq!(g.peak_tflops(PeakDtype::Fp16), Some(7.0));
        assert_eq!(g.peak_tflops(PeakDtype::Tf32), None);
        assert_eq!(g.ridge_flop_per_byte(PeakDtype::Bf16), Some(7.0));
        assert_eq!(g.achievable_tflops(PeakDtype::Bf16), Some(7.0 * 0.8));
        assert_eq!(PeakDtype::ALL.map(PeakDtype::label).join(" "), "fp64 fp32 tf32 bf16 fp16 fp8 fp4 int8");
    }

    #[test]
    fn the_embedded_file_parses() {
        let s = GpuSpecs::parse(BUILTIN_FILE, GPUS).expect("valid");
        assert!(s.gpus.len() >= 14);
        assert_eq!(GpuSpecs::builtin().gpus.len(), s.gpus.len());
    }
}
