//! Model profiles (`catalog/profiles.toml`): how a model family's layers show up in a
//! kernel sequence — an anchor kernel and blocks per layer (anchor-spec §22.1), or none
//! (layers are then found automatically), plus category rules that refine the engine's
//! kernel categories for the layer tables and the columns those tables show.
//!
//! The embedded file is validated by tests; [`Profiles::parse`] also validates a user's
//! file and returns errors naming the file, the profile and the reason.

use std::sync::OnceLock;

use regex_lite::Regex;
use serde::{Deserialize, Serialize};

use super::CatalogError;
use crate::vocab::Category;

/// The embedded profiles.
pub const PROFILES: &str = include_str!("../../../../catalog/profiles.toml");

/// Where an anchor kernel sits in its block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnchorAt {
    /// The anchor opens a block: blocks are `[anchor_i, anchor_{i+1})` (the seed's code).
    #[default]
    Start,
    /// The anchor closes a block: blocks are `(anchor_{i-1}, anchor_i]`.
    End,
}

impl AnchorAt {
    /// `start` / `end`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            AnchorAt::Start => "start",
            AnchorAt::End => "end",
        }
    }
}

/// When a profile applies without `--profile`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Select {
    /// `config.json` keys holding a non-empty list.
    pub config_nonempty: Vec<String>,
    /// `config.json` keys holding a number above 0.
    pub config_positive: Vec<String>,
    /// Substrings of kernel names; one naming at least 4 kernels of the analysed stream
    /// selects the profile when no `config.json` is given.
    pub kernels: Vec<String>,
}

impl Select {
    /// Whether nothing selects the profile (the fallback).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.config_nonempty.is_empty() && self.config_positive.is_empty() && self.kernels.is_empty()
    }
}

/// A category rule of a profile.
#[derive(Clone, Debug)]
pub struct ProfileCategory {
    /// Machine key (`mla`, `mhc_post`, `gemm_fp8`).
    pub key: String,
    /// Display label (`MLA attention`).
    pub label: String,
    /// The table column it adds to (`mhc` for every `mhc_*` key); the key by default.
    pub group: String,
    /// The engine category it refines (colours, and what it stands for).
    pub category: Category,
    kernel: Vec<Regex>,
    unless: Vec<Regex>,
}

impl ProfileCategory {
    /// Whether the rule claims a kernel, given its demangled base name.
    #[must_use]
    pub fn matches(&self, base: &str) -> bool {
        let base = crate::names::looked_at(base);
        self.kernel.iter().any(|r| r.is_match(base)) && !self.unless.iter().any(|r| r.is_match(base))
    }
}

/// One model profile.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Name (`dsv4_csa_hca`, `dsv3_mla`, `generic`).
    pub name: String,
    /// One sentence.
    pub description: String,
    /// Substring of the kernel name that marks a block (none: automatic detection).
    pub anchor: Option<String>,
    /// Whether the anchor opens or closes its block.
    pub anchor_at: AnchorAt,
    /// Blocks per layer (halves of a layer for 2).
    pub blocks_per_layer: usize,
    /// A label per block of a layer (`attn`, `ffn`).
    pub half_labels: Vec<String>,
    /// Layers per forward pass when nothing else says (the seed's default).
    pub default_layers: Option<usize>,
    /// When the profile applies.
    pub select: Select,
    /// Anchors tried, in order, when automatic detection finds nothing.
    pub auto_anchors: Vec<String>,
    /// Category rules, first match wins, before the engine's categories.
    pub categories: Vec<ProfileCategory>,
    /// Column groups of the per-layer table, in order (empty: chosen from the data).
    pub columns: Vec<String>,
}

impl Profile {
    /// The first rule claiming a kernel (by demangled base name).
    #[must_use]
    pub fn category_of(&self, base: &str) -> Option<&ProfileCategory> {
        self.categories.iter().find(|c| c.matches(base))
    }
}

/// The list of profiles, in selection order.
#[derive(Clone, Debug)]
pub struct Profiles {
    /// Profiles in file order.
    pub list: Vec<Profile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    profile: Vec<ProfileSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileSpec {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    anchor: Option<String>,
    #[serde(default)]
    anchor_at: Option<AnchorAt>,
    #[serde(default = "one")]
    blocks_per_layer: usize,
    #[serde(default)]
    half_labels: Vec<String>,
    #[serde(default)]
    default_layers: Option<usize>,
    #[serde(default)]
    select: Option<SelectSpec>,
    #[serde(default)]
    auto_anchors: Vec<String>,
    #[serde(default)]
    category: Vec<CategorySpec>,
    #[serde(default)]
    columns: Vec<String>,
}

fn one() -> usize {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectSpec {
    #[serde(default)]
    config_nonempty: Vec<String>,
    #[serde(default)]
    config_positive: Vec<String>,
    #[serde(default)]
    kernels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategorySpec {
    key: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    category: Option<Category>,
    kernel: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
}

fn is_key(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Profiles {
    /// The profiles compiled into the binary.
    ///
    /// # Panics
    /// Never in a tested build: the embedded file is validated by the catalog tests.
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn builtin() -> &'static Profiles {
        static PARSED: OnceLock<Profiles> = OnceLock::new();
        PARSED.get_or_init(|| {
            Profiles::parse("catalog/profiles.toml", PROFILES)
                .expect("the embedded profiles are validated by tests")
        })
    }

    /// Parses and validates a profiles file.
    ///
    /// # Errors
    /// When the TOML is invalid or has unknown keys, a name is used twice, a profile has
    /// no name, 0 blocks per layer, half labels that do not match its blocks, blocks but no
    /// anchor, an empty anchor, a category key that is not `snake_case` or is used twice, a
    /// pattern that does not compile, a column naming no group, or when the file does not
    /// have exactly one profile without `select` (the fallback).
    pub fn parse(file: &str, text: &str) -> Result<Profiles, CatalogError> {
        let spec: FileSpec = toml::from_str(text).map_err(|e| CatalogError::Toml {
            file: file.to_owned(),
            reason: e.message().trim().to_owned(),
        })?;
        let mut list: Vec<Profile> = Vec::with_capacity(spec.profile.len());
        for (i, p) in spec.profile.into_iter().enumerate() {
            let entry = if p.name.is_empty() {
                format!("profile {}", i + 1)
            } else {
                format!("profile `{}`", p.name)
            };
            let bad = |reason: String| CatalogError::Invalid {
                file: file.to_owned(),
                entry: entry.clone(),
                reason,
            };
            if !is_key(&p.name) {
                return Err(bad("`name` must be snake_case (lower-case letters, digits, `_`)".into()));
            }
            if list.iter().any(|q| q.name == p.name) {
                return Err(bad(format!("the name `{}` is used twice", p.name)));
            }
            if p.blocks_per_layer == 0 {
                return Err(bad("`blocks_per_layer` must be at least 1".into()));
            }
            if p.anchor.as_deref().is_some_and(str::is_empty) {
                return Err(bad("`anchor` is empty".into()));
            }
            if p.anchor.is_none() && p.blocks_per_layer > 1 {
                return Err(bad(
                    "a profile without `anchor` finds whole layers: `blocks_per_layer` must be 1".into(),
                ));
            }
            if p.anchor.is_none() && p.anchor_at.is_some() {
                return Err(bad("`anchor_at` needs an `anchor`".into()));
            }
            let half_labels = if p.half_labels.is_empty() {
                (1..=p.blocks_per_layer).map(|b| format!("block {b}")).collect()
            } else if p.half_labels.len() == p.blocks_per_layer {
                p.half_labels
            } else {
                return Err(bad(format!(
                    "`half_labels` has {} labels for {} blocks per layer",
                    p.half_labels.len(),
                    p.blocks_per_layer
                )));
            };
            if p.auto_anchors.iter().any(String::is_empty) {
                return Err(bad("`auto_anchors` has an empty entry".into()));
            }
            let categories = parse_categories(file, &entry, p.category)?;
            for col in &p.columns {
                let known = categories.iter().any(|c| &c.group == col)
                    || Category::ALL.iter().any(|c| c.label() == col);
                if !known {
                    return Err(bad(format!(
                        "column `{col}` names neither a group of this profile's categories nor an engine category"
                    )));
                }
            }
            let select = p.select.map_or_else(Select::default, |s| Select {
                config_nonempty: s.config_nonempty,
                config_positive: s.config_positive,
                kernels: s.kernels,
            });
            list.push(Profile {
                name: p.name,
                description: p.description,
                anchor_at: p.anchor_at.unwrap_or_default(),
                anchor: p.anchor,
                blocks_per_layer: p.blocks_per_layer,
                half_labels,
                default_layers: p.default_layers,
                select,
                auto_anchors: p.auto_anchors,
                categories,
                columns: p.columns,
            });
        }
        let fallbacks = list.iter().filter(|p| p.select.is_empty()).count();
        if fallbacks != 1 {
            return Err(CatalogError::Invalid {
                file: file.to_owned(),
                entry: "profiles".into(),
                reason: format!(
                    "exactly one profile must have no `select` (the fallback); found {fallbacks}"
                ),
            });
        }
        Ok(Profiles { list })
    }

    /// A profile by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.list.iter().find(|p| p.name == name)
    }

    /// Every name, in file order (for error messages).
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(|p| p.name.as_str()).collect()
    }

    /// The fallback profile (the one without `select`).
    #[must_use]
    pub fn fallback(&self) -> Option<&Profile> {
        self.list.iter().find(|p| p.select.is_empty())
    }
}

/// A profile's categories, validated: keys and groups in `snake_case`, each key once, at
/// least one `kernel` pattern, every pattern a valid regular expression.
fn parse_categories(
    file: &str,
    entry: &str,
    specs: Vec<CategorySpec>,
) -> Result<Vec<ProfileCategory>, CatalogError> {
    let bad =
        |reason: String| CatalogError::Invalid { file: file.to_owned(), entry: entry.to_owned(), reason };
    let mut categories: Vec<ProfileCategory> = Vec::with_capacity(specs.len());
    for c in specs {
        if !is_key(&c.key) {
            return Err(bad(format!("category key `{}` must be snake_case", c.key)));
        }
        if categories.iter().any(|d| d.key == c.key) {
            return Err(bad(format!("category key `{}` is used twice", c.key)));
        }
        if c.kernel.is_empty() {
            return Err(bad(format!("category `{}` has no `kernel` pattern", c.key)));
        }
        let compile = |patterns: &[String]| -> Result<Vec<Regex>, CatalogError> {
            patterns
                .iter()
                .map(|pat| {
                    Regex::new(&format!("(?i){pat}")).map_err(|e| CatalogError::BadPattern {
                        file: file.to_owned(),
                        entry: format!("{entry}, category `{}`", c.key),
                        pattern: pat.clone(),
                        reason: e.to_string(),
                    })
                })
                .collect()
        };
        let group = c.group.unwrap_or_else(|| c.key.clone());
        if !is_key(&group) {
            return Err(bad(format!("group `{group}` of category `{}` must be snake_case", c.key)));
        }
        categories.push(ProfileCategory {
            label: c.label.unwrap_or_else(|| c.key.clone()),
            group,
            category: c.category.unwrap_or(Category::Other),
            kernel: compile(&c.kernel)?,
            unless: compile(&c.unless)?,
            key: c.key,
        });
    }
    Ok(categories)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_are_the_seeds_three() {
        let p = Profiles::parse("catalog/profiles.toml", PROFILES).expect("valid");
        assert_eq!(p.names(), ["dsv4_csa_hca", "dsv3_mla", "generic"]);
        let v4 = p.get("dsv4_csa_hca").expect("dsv4");
        assert_eq!(v4.anchor.as_deref(), Some("mhc_post_tilelang"));
        assert_eq!((v4.blocks_per_layer, v4.default_layers), (2, Some(43)));
        assert_eq!(v4.half_labels, ["attn", "ffn"]);
        assert_eq!(v4.anchor_at, AnchorAt::End);
        let v3 = p.get("dsv3_mla").expect("dsv3");
        assert_eq!(
            (v3.anchor.as_deref(), v3.blocks_per_layer, v3.default_layers),
            (Some("flash_fwd_mla_combine"), 1, Some(61))
        );
        let generic = p.fallback().expect("fallback");
        assert_eq!(generic.name, "generic");
        assert!(generic.anchor.is_none());
        // Category keys of the seed, and first match wins.
        assert_eq!(
            v4.category_of("sm90::decode::sparse_fp8::flash_fwd_splitkv_mla_fp8_sparse_kernel")
                .map(|c| c.key.as_str()),
            Some("mla")
        );
        assert_eq!(v4.category_of("mhc_post_tilelang_kernel").map(|c| c.group.as_str()), Some("mhc"));
        assert_eq!(
            v4.category_of("deep_gemm::sm90_fp8_paged_mqa_logits").map(|c| c.key.as_str()),
            Some("paged_mqa")
        );
        assert_eq!(
            v4.category_of("fused_store_indexer_cache_kernel").map(|c| c.key.as_str()),
            Some("indexer_store")
        );
        assert_eq!(
            v4.category_of("nvjet_tst_64x8_64x16_4x2_h_bz_TNT").map(|c| c.group.as_str()),
            Some("gemm")
        );
        assert!(v4.category_of("flashinfer::norm::RMSNormKernel").is_none());
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let err = |text: &str| Profiles::parse("mine.toml", text).expect_err("invalid").to_string();
        let fallback = "[[profile]]\nname = \"generic\"\n";
        assert!(err("[[profile]]\nname = \"x\"\nbogus = 1\n").starts_with("mine.toml: "));
        assert!(
            err(&format!("{fallback}[[profile]]\nname = \"generic\"\n[profile.select]\nkernels = ['a']\n"))
                .contains("used twice")
        );
        assert!(
            err("[[profile]]\nname = \"a\"\nblocks_per_layer = 2\n").contains("`blocks_per_layer` must be 1")
        );
        assert!(
            err("[[profile]]\nname = \"a\"\nanchor = \"k\"\nblocks_per_layer = 2\nhalf_labels = [\"x\"]\n")
                .contains("1 labels for 2 blocks")
        );
        assert!(err("[[profile]]\nname = \"a\"\nanchor = \"\"\n").contains("`anchor` is empty"));
        assert!(
            err("[[profile]]\nname = \"a\"\n[[profile.category]]\nkey = \"k\"\nkernel = ['(']\n")
                .contains("not a valid regular expression")
        );
        assert!(err("[[profile]]\nname = \"a\"\ncolumns = [\"nope\"]\n").contains("column `nope`"));
        assert!(
            err("[[profile]]\nname = \"a\"\n[profile.select]\nkernels = ['k']\n")
                .contains("exactly one profile")
        );
        assert!(err("[[profile]]\nname = \"A b\"\n").contains("snake_case"));
        // A valid user file.
        let ok = Profiles::parse(
            "mine.toml",
            "[[profile]]\nname = \"mine\"\nanchor = \"my_anchor\"\n[profile.select]\nkernels = ['my_anchor']\n[[profile]]\nname = \"generic\"\ncolumns = [\"gemm\"]\n",
        )
        .expect("valid");
        assert_eq!(ok.names(), ["mine", "generic"]);
        assert_eq!(ok.get("mine").map(|p| p.half_labels.clone()), Some(vec!["block 1".to_owned()]));
    }
}
