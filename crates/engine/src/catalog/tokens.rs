//! Names as tokens, and catalog signals matched on whole tokens.
//!
//! A name is split into lower-case tokens at every non-alphanumeric character, at
//! camel-case humps (`FusedAddRMSNorm` → `fused add rms norm`) and between letters and
//! digits (`fp8` → `fp 8`). A literal signal matches a contiguous run of tokens whose
//! concatenation equals the signal with its separators removed: `fused_add_rmsnorm` matches
//! `flashinfer::norm::FusedAddRMSNormKernel` and `vllm::fused_add_rms_norm_kernel`, but
//! `index_k` does not match `index_kernel` and `cache` does not match `cached`. A signal
//! written `/…/` is a regular expression over the tokens joined with `_` that must start
//! and end on token boundaries. Nothing here looks inside a substring of a token.

use memchr::memmem::Finder;
use regex_lite::Regex;

use crate::names;

/// A name split into tokens: their concatenation and where each token starts and ends.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    /// Lower-case tokens, concatenated without separators.
    compact: String,
    /// `bounds[i]`: byte `i` of `compact` is a token start or end (length `compact.len() + 1`).
    bounds: Vec<bool>,
    /// Lower-case tokens joined with `_`.
    snake: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Lower,
    Upper,
    Digit,
    Other,
}

fn class(ch: char) -> Class {
    if ch.is_ascii_lowercase() {
        Class::Lower
    } else if ch.is_ascii_uppercase() {
        Class::Upper
    } else if ch.is_ascii_digit() {
        Class::Digit
    } else {
        Class::Other
    }
}

impl Tokens {
    /// Splits `text` into tokens (its first [`names::LOOKED_AT`] bytes).
    #[must_use]
    pub fn new(text: &str) -> Tokens {
        let text = names::looked_at(text);
        let mut tokens: Vec<String> = Vec::new();
        let mut current = String::new();
        let chars: Vec<char> = text.chars().collect();
        for (i, &ch) in chars.iter().enumerate() {
            let c = class(ch);
            if c == Class::Other {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
                continue;
            }
            let prev = i.checked_sub(1).and_then(|p| chars.get(p)).map_or(Class::Other, |&p| class(p));
            let next = chars.get(i + 1).map_or(Class::Other, |&n| class(n));
            let split = match (prev, c) {
                (Class::Lower, Class::Upper) => true,
                // `RMSNorm`: the last capital of a run starts the next word.
                (Class::Upper, Class::Upper) => next == Class::Lower,
                (Class::Digit, Class::Lower | Class::Upper) | (Class::Lower | Class::Upper, Class::Digit) => {
                    true
                }
                _ => false,
            };
            if split && !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            current.push(ch.to_ascii_lowercase());
        }
        if !current.is_empty() {
            tokens.push(current);
        }
        let mut compact = String::new();
        let mut bounds = vec![true];
        for t in &tokens {
            compact.push_str(t);
            bounds.extend(std::iter::repeat_n(false, t.len().saturating_sub(1)));
            bounds.push(true);
        }
        Tokens { compact, bounds, snake: tokens.join("_") }
    }

    /// Whether there are no tokens.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.compact.is_empty()
    }

    /// The tokens joined with `_` (what `/…/` signals see).
    #[must_use]
    pub fn snake(&self) -> &str {
        &self.snake
    }

    fn boundary(&self, i: usize) -> bool {
        self.bounds.get(i).copied().unwrap_or(false)
    }

    /// Whether the compact needle `finder` looks for equals a run of whole tokens; with
    /// `prefix`, the run may end inside a token.
    fn has_run(&self, finder: &Finder<'static>, prefix: bool) -> bool {
        let len = finder.needle().len();
        if len == 0 {
            return false;
        }
        // Overlapping search: `compact` is ASCII, so every byte index is a char boundary.
        let hay = self.compact.as_bytes();
        let mut from = 0;
        while let Some(i) = hay.get(from..).and_then(|rest| finder.find(rest)).map(|i| i + from) {
            if self.boundary(i) && (prefix || self.boundary(i + len)) {
                return true;
            }
            from = i + 1;
        }
        false
    }
}

/// Lower-case alphanumerics of `text` (a literal signal's compact form).
#[must_use]
pub(crate) fn compact(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// One compiled signal.
#[derive(Clone, Debug)]
pub enum Signal {
    /// A run of whole tokens (`prefix`: the last token may continue, from a trailing `*`).
    Run {
        /// The signal as written.
        text: String,
        /// A searcher for its compact form (boxed: it is much larger than a regex handle).
        finder: Box<Finder<'static>>,
        /// Whether it ends with `*`.
        prefix: bool,
    },
    /// An anchored regular expression over the `_`-joined tokens.
    Pattern {
        /// The signal as written (with its slashes).
        text: String,
        /// The compiled expression (case-insensitive).
        regex: Regex,
    },
}

impl Signal {
    /// Compiles a signal: `/regex/` or a literal (a trailing `*` allows a longer last token).
    ///
    /// # Errors
    /// The reason, when the regex does not compile or the literal has no letters or digits.
    pub fn compile(text: &str) -> Result<Signal, String> {
        let t = text.trim();
        if let Some(body) = t.strip_prefix('/').and_then(|b| b.strip_suffix('/'))
            && !body.is_empty()
        {
            let regex = Regex::new(&format!("(?i){body}")).map_err(|e| e.to_string())?;
            return Ok(Signal::Pattern { text: t.to_owned(), regex });
        }
        let prefix = t.ends_with('*');
        let c = compact(t.trim_end_matches('*'));
        if c.is_empty() {
            return Err("a signal needs at least one letter or digit".to_owned());
        }
        Ok(Signal::Run {
            text: t.to_owned(),
            finder: Box::new(Finder::new(c.as_bytes()).into_owned()),
            prefix,
        })
    }

    /// The signal as written.
    #[must_use]
    pub fn text(&self) -> &str {
        match self {
            Signal::Run { text, .. } | Signal::Pattern { text, .. } => text,
        }
    }

    /// Whether the signal matches `tokens`.
    #[must_use]
    pub fn matches(&self, tokens: &Tokens) -> bool {
        match self {
            Signal::Run { finder, prefix, .. } => tokens.has_run(finder, *prefix),
            Signal::Pattern { regex, .. } => {
                let s = tokens.snake();
                let at_bound = |i: usize| i == 0 || i == s.len() || s.as_bytes().get(i) == Some(&b'_');
                let before = |i: usize| i == 0 || s.as_bytes().get(i - 1) == Some(&b'_');
                let mut from = 0;
                while let Some(m) = regex.find_at(s, from) {
                    if before(m.start()) && at_bound(m.end()) && m.end() > m.start() {
                        return true;
                    }
                    // Try the next start position (a later token boundary may work).
                    let Some(next) = s.get(m.start()..).and_then(|r| r.chars().next()) else { break };
                    from = m.start() + next.len_utf8();
                    if from > s.len() {
                        break;
                    }
                }
                false
            }
        }
    }
}

/// The qualified name inside an Itanium-mangled symbol (`_ZN5aiter24add_rmsnorm_quant_kernelI…`
/// → `aiter::add_rmsnorm_quant_kernel`), or `None` when `name` is not one.
#[must_use]
pub(crate) fn demangle_prefix(name: &str) -> Option<String> {
    let rest = name.strip_prefix("_Z")?;
    let (nested, mut rest) = match rest.strip_prefix('N') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    // CV-qualifiers and ref-qualifiers of a nested name.
    if nested {
        rest = rest.trim_start_matches(['K', 'V', 'r', 'R', 'O']);
    }
    let mut parts: Vec<&str> = Vec::new();
    loop {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            break;
        }
        let len: usize = rest.get(..digits)?.parse().ok()?;
        let ident = rest.get(digits..digits + len)?;
        parts.push(ident);
        rest = rest.get(digits + len..)?;
        if !nested {
            break;
        }
    }
    (!parts.is_empty()).then(|| parts.join("::"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(signal: &str, name: &str) -> bool {
        Signal::compile(signal).expect("compiles").matches(&Tokens::new(name))
    }

    #[test]
    fn tokens_split_on_humps_digits_and_separators() {
        assert_eq!(
            Tokens::new("flashinfer::norm::FusedAddRMSNormKernel").snake(),
            "flashinfer_norm_fused_add_rms_norm_kernel"
        );
        assert_eq!(
            Tokens::new("fmhaSm100aKernel_QkvE4m3OBfloat16H64").snake(),
            "fmha_sm_100_a_kernel_qkv_e_4_m_3_o_bfloat_16_h_64"
        );
        assert_eq!(Tokens::new("nvjet_sm103_tst_64x8_64x16").snake(), "nvjet_sm_103_tst_64_x_8_64_x_16");
        assert!(Tokens::new("::<>").is_empty());
    }

    #[test]
    fn literals_match_whole_token_runs() {
        assert!(m("fused_add_rmsnorm", "flashinfer::norm::FusedAddRMSNormKernel"));
        assert!(m("fused_add_rmsnorm", "vllm::fused_add_rms_norm_kernel"));
        assert!(m(
            "fused_add_rmsnorm",
            "kernel_cutlass_kernel_flashinfernormkernelsfused_add_rmsnormFusedAddRMSNormKernel_object"
        ));
        assert!(m("allreduce", "anonymous_namespace::all_reduce_two_shot_kernel"));
        assert!(m("memcpy128", "memcpy128"));
        assert!(m("fp8", "vllm::scaled_fp8_quant_kernel_strided"));
        assert!(m("e4m3", "fmhaSm100aKernel_QkvE4m3OBfloat16H64"));
        // The seed tool's false positives.
        assert!(!m("index_k", "at::native::index_kernel"), "compact matching across a token");
        assert!(!m("kv_cache", "flashinfer::BatchQKApplyRotaryPosIdsCosSinCacheKernel"));
        assert!(!m("rmsnorm", "anonymous_namespace::fused_qknorm_warp"));
        assert!(!m("norm", "normalize_kernel"));
        assert!(!m("gate", "topkGatingSoftmax"));
    }

    #[test]
    fn prefixes_and_patterns() {
        assert!(m("fused_add_rmsnorm*", "fused_add_rmsnormquant"));
        assert!(!m("fused_add_rmsnorm", "fused_add_rmsnormquant"));
        assert!(m("/nvjet_.*_tnn/", "nvjet_sm103_tst_16x64_64x16_4x1_v_bz_TNN"));
        assert!(!m("/jet/", "nvjet_sm103"), "patterns are anchored on token boundaries");
        assert!(m("/sm_10\\d/", "nvjet_sm103_tst"));
        assert!(Signal::compile("/(/").is_err());
        assert!(Signal::compile("--").is_err());
    }

    #[test]
    fn mangled_names() {
        assert_eq!(
            demangle_prefix("_ZN5aiter24add_rmsnorm_quant_kernelIDF16bDF16bLi256EEEvPT0_").as_deref(),
            Some("aiter::add_rmsnorm_quant_kernel")
        );
        assert_eq!(
            demangle_prefix("_ZN7sgl_hip10activation18act_and_mul_kernelI14__hip_bfloat16E").as_deref(),
            Some("sgl_hip::activation::act_and_mul_kernel")
        );
        assert_eq!(demangle_prefix("_Z6kernelPfi").as_deref(), Some("kernel"));
        assert_eq!(demangle_prefix("_ZN99short"), None);
        assert_eq!(demangle_prefix("plain_name"), None);
    }
}
