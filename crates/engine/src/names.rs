//! Kernel names: the row key shown in tables (seed-compatible canonical form) and the
//! demangled base name that categories and catalog signals match on.
//!
//! Kernel names are C++ signatures (`void ns::kernel<T, 4>(float*, int)`), sometimes cut
//! at 1010 bytes with no marker, so brackets may be unbalanced. Nothing here assumes they
//! balance.

pub mod inductor;

/// The most text of a name that any rule, splitter or key looks at: real kernel names are
/// under 8 KB (CUDA cuts them at about 1 KB). A longer name is analysed by its first
/// `LOOKED_AT` bytes (cut on a char boundary), so every per-name step costs at most this
/// much however long the name in the trace; tables still show the whole name.
pub const LOOKED_AT: usize = 8 * 1024;

/// The part of `name` that rules look at: its first [`LOOKED_AT`] bytes, cut back to a char
/// boundary (the whole name when it is shorter).
#[must_use]
pub fn looked_at(name: &str) -> &str {
    if name.len() <= LOOKED_AT {
        return name;
    }
    let mut end = LOOKED_AT;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name.get(..end).unwrap_or("")
}

/// The table row key: whitespace collapsed, hex addresses replaced by `0xADDR`, and for
/// `void …(…)` signatures the trailing argument list removed (the seed tool's §6.5 form).
///
/// Unlike the seed, only standalone `0x…` tokens are addresses: `nvjet_…_160x64_…` keeps
/// its tile shape.
#[must_use]
pub fn canonical(name: &str) -> String {
    let collapsed = collapse_whitespace(name);
    let text = replace_addresses(&collapsed);
    if text.starts_with("void ")
        && text.ends_with(')')
        && let Some(open) = final_group_start(&text)
    {
        return text.get(..open).unwrap_or(&text).trim_end().to_owned();
    }
    text
}

fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.trim().chars() {
        if ch.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(ch);
        }
    }
    out
}

fn replace_addresses(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut last = 0;
    while i + 2 < bytes.len() + 1 {
        let standalone = i == 0 || !bytes.get(i - 1).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if standalone
            && bytes.get(i) == Some(&b'0')
            && matches!(bytes.get(i + 1), Some(b'x' | b'X'))
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            let mut j = i + 2;
            while bytes.get(j).is_some_and(u8::is_ascii_hexdigit) {
                j += 1;
            }
            out.push_str(s.get(last..i).unwrap_or(""));
            out.push_str("0xADDR");
            last = j;
            i = j;
            continue;
        }
        i += 1;
    }
    out.push_str(s.get(last..).unwrap_or(""));
    out
}

/// Byte index of the `(` that opens the final balanced parenthesised group.
fn final_group_start(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, b) in s.bytes().enumerate().rev() {
        match b {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// A kernel name taken apart: the function's qualified base name without template or
/// argument lists, and the text of its template arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseName {
    /// `at::native::vectorized_elementwise_kernel`, `flash::FlashAttnFwdSm90`, `nvjet_tst_…`.
    pub base: String,
    /// Everything inside the outermost template brackets (empty when there are none).
    pub inner: String,
}

/// Wrapper kernels whose first template argument names the real kernel (plus any
/// `…::enable_smNN…` architecture gate, as FlashAttention-3 uses). `cutlass__5x_cudnn::`
/// (cuDNN's private CUTLASS copy) counts as `cutlass::`. For composable_kernel's
/// `ck_tile::kentry<256, 1, ck_tile::FmhaFwdKernel<…>, …>` the real kernel is the first
/// argument that is not a number (the leading ones are launch bounds).
const WRAPPERS: &[&str] = &["device_kernel", "Kernel", "Kernel2"];

/// Whether a base name is a wrapper kernel (see [`WRAPPERS`]).
fn is_wrapper(base: &str) -> bool {
    let last = base.rsplit("::").next().unwrap_or("");
    if last.starts_with("enable_sm") || base == "ck_tile::kentry" {
        return true;
    }
    let Some((space, func)) = base.rsplit_once("::") else { return false };
    let space = space.rsplit("::").next().unwrap_or(space);
    WRAPPERS.contains(&func) && (space.starts_with("cutlass") || space == "cute")
}

/// Splits a kernel name into its base name and template text; wrapper kernels such as
/// `cutlass::device_kernel<flash::FlashAttnFwdSm90<…>>` are unwrapped to their first
/// template argument, so the base name is `flash::FlashAttnFwdSm90`.
#[must_use]
pub fn base_name(name: &str) -> BaseName {
    let mut split = split_base(looked_at(name));
    for _ in 0..3 {
        if !is_wrapper(&split.base) {
            break;
        }
        let first = first_template_arg(&split.inner);
        if first.is_empty() {
            break;
        }
        let inner = split_base(first);
        if inner.base.is_empty() {
            break;
        }
        split = inner;
    }
    split
}

fn split_base(name: &str) -> BaseName {
    let text = name.trim();
    let text = text.strip_prefix("void ").unwrap_or(text).trim_start();
    let text = text.replace("(anonymous namespace)", "anonymous_namespace");
    let mut base = String::new();
    let mut inner = String::new();
    // Angle depth counts only outside parentheses: `enable_if<((8)>(0))>` has a literal `>`.
    let mut angle = 0usize;
    let mut paren_in_angle = 0usize;
    let mut seen_template = false;
    // Whether `base` holds `::type` (kept as `base` grows, so each char costs O(1)).
    let mut has_type = false;
    for ch in text.chars() {
        if angle > 0 {
            match ch {
                '(' => paren_in_angle += 1,
                ')' => paren_in_angle = paren_in_angle.saturating_sub(1),
                '<' if paren_in_angle == 0 => angle += 1,
                '>' if paren_in_angle == 0 => {
                    angle -= 1;
                    if angle == 0 {
                        seen_template = true;
                        continue;
                    }
                }
                _ => {}
            }
            if !seen_template {
                inner.push(ch);
            }
            continue;
        }
        match ch {
            '<' => {
                angle = 1;
                paren_in_angle = 0;
            }
            '(' => break,
            ' ' if seen_template || has_type => {
                // A return type such as `std::enable_if<…>::type` ends here.
                base.clear();
                inner.clear();
                seen_template = false;
                has_type = false;
            }
            _ => {
                base.push(ch);
                has_type = has_type || base.ends_with("::type");
            }
        }
    }
    let mut base = base.trim().trim_start_matches('*').to_owned();
    if let Some((first, rest)) = base.split_once(' ')
        && matches!(first, "int" | "unsigned" | "float" | "double" | "bool" | "long" | "char" | "static")
    {
        base = rest.trim().to_owned();
    }
    BaseName { base, inner: inner.trim().to_owned() }
}

/// The first top-level comma-separated argument of a template argument list that is not
/// a number (launch bounds such as `ck_tile::kentry<256, 1, …>` come first).
fn first_template_arg(inner: &str) -> &str {
    let mut depth = 0i32;
    let mut start = 0usize;
    for (i, ch) in inner.char_indices().chain(core::iter::once((inner.len(), ','))) {
        match ch {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                let arg = inner.get(start..i).unwrap_or("").trim();
                let numeric = !arg.is_empty()
                    && arg.trim_end_matches(['u', 'l', 'U', 'L']).chars().all(|c| c.is_ascii_digit());
                if !numeric {
                    return arg;
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    // Unbalanced (a name cut at 1010 bytes): the rest of the list, as it is.
    inner.get(start..).unwrap_or("").trim()
}

/// The kernel identity used to match kernels across traces (two-trace mapping and
/// self-mapping) when their canonical names differ: the canonical name, lower-cased, with
/// what changes between runs of the same kernel removed — architecture markers (`sm90`,
/// `_sm100f`, `Sm103a` inside `fmhaSm103aKernel`, `gfx942`), tile and cluster shapes
/// (any `_`-separated token holding `NxM`, such as `128x64` or `t128x64x128u2`), tokens that
/// start with a digit (numeric template arguments `4u`, `128l`, `2cta`, launch suffixes
/// `_0`), single-letter counters (`s5`), lambda numbers (`#1`) and hex addresses. Template
/// structure and type or functor names are kept, so `elementwise_kernel<…masked_fill…>` and
/// `elementwise_kernel<…direct_copy…>` stay apart.
///
/// `nvjet_sm103_tst_256x8_64x6_2x1_v_bz_TNT` and `nvjet_sm103_tst_256x16_64x6_2x1_2cta_v_bz_TNT`
/// both give `nvjet_tst_v_bz_tnt`.
#[must_use]
pub fn normalized(name: &str) -> String {
    key_of(&canonical(looked_at(name)))
}

/// A short display name: the demangled base name without namespaces
/// (`all_reduce_two_shot_kernel`), plus, for PyTorch's generic launchers
/// (`at::native::elementwise_kernel<…>`), the operation named in its template arguments
/// (`elementwise_kernel<direct_copy_kernel_cuda>`, `elementwise_kernel<MulFunctor>`).
#[must_use]
pub fn short(name: &str) -> String {
    let b = base_name(name);
    let last = b.base.rsplit("::").next().unwrap_or(&b.base).to_owned();
    if !b.base.starts_with("at::native::") || b.inner.is_empty() {
        return last;
    }
    const WRAPPERS: &[&str] = &[
        "gpu_kernel_impl",
        "gpu_kernel_impl_nocast",
        "BinaryFunctor",
        "AUnaryFunctor",
        "BUnaryFunctor",
        "TrivialOffsetCalculator",
        "OffsetCalculator",
        "OpaqueType",
        "Array",
    ];
    let op = b
        .inner
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter_map(|w| w.rsplit("::").next())
        .find(|w| {
            (w.contains("_kernel") || w.ends_with("Functor") || w.ends_with("_functor"))
                && !WRAPPERS.contains(w)
        });
    match op {
        Some(op) => format!("{last}<{op}>"),
        None => last,
    }
}

/// A looser identity than [`normalized`]: the normalised demangled base name, template
/// arguments and argument lists removed (`flash::FlashAttnFwdSm90<…any config…>` gives
/// `flash::flashattnfwd`). `None` for PyTorch's and CUB's generic launchers
/// (`at::native::elementwise_kernel<…>`, `at_cuda_detail::cub::…`), whose operation is
/// only named in their template arguments, and for names without template arguments
/// (for them [`normalized`] already says everything).
#[must_use]
pub fn family(name: &str) -> Option<String> {
    let b = base_name(name);
    if b.inner.is_empty() || b.base.is_empty() {
        return None;
    }
    const GENERIC: &[&str] = &["at::", "at_cuda_detail::", "cub::", "thrust::", "c10::", "std::"];
    if GENERIC.iter().any(|g| b.base.starts_with(g)) {
        return None;
    }
    let key = key_of(&b.base);
    (!key.is_empty()).then_some(key)
}

/// The identity key of a name: words kept and lower-cased, structure kept, run-dependent
/// tokens removed (see [`normalized`]).
fn key_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        for (n, part) in word.split('_').enumerate() {
            if let Some(kept) = keep_token(part, n == 0) {
                if out.ends_with(|c: char| c.is_ascii_alphanumeric()) {
                    out.push('_');
                }
                out.push_str(&kept);
            }
        }
        word.clear();
    };
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            word.push(ch);
            continue;
        }
        flush(&mut word, &mut out);
        match ch {
            '<' | '>' | '(' | ')' => out.push(ch),
            ':' if !out.ends_with(':') && !out.ends_with("::") => out.push_str("::"),
            _ => {}
        }
    }
    flush(&mut word, &mut out);
    out
}

/// One `_`-separated token of a name: `None` when it is run-dependent (see [`normalized`]),
/// else the token with architecture markers removed, lower-cased. `leading`: the token
/// starts its word (`k1` alone is a name, `_s5_` inside one a counter).
fn keep_token(token: &str, leading: bool) -> Option<String> {
    let bytes = token.as_bytes();
    let first = *bytes.first()?;
    if first.is_ascii_digit() {
        return None;
    }
    let lower = token.to_ascii_lowercase();
    // Tile and cluster shapes: a digit, `x`, a digit anywhere in the token.
    if lower
        .as_bytes()
        .windows(3)
        .any(|w| matches!(w, [a, b'x', c] if a.is_ascii_digit() && c.is_ascii_digit()))
    {
        return None;
    }
    // Single-letter counters: `s5`, `u2`.
    if !leading
        && bytes.len() > 1
        && first.is_ascii_alphabetic()
        && bytes.iter().skip(1).all(u8::is_ascii_digit)
    {
        return None;
    }
    // AMD architectures: `gfx942`.
    if lower.strip_prefix("gfx").is_some_and(|r| r.bytes().next().is_some_and(|b| b.is_ascii_digit())) {
        return None;
    }
    let stripped = strip_arch(token).to_ascii_lowercase();
    (!stripped.is_empty()).then_some(stripped)
}

/// Removes NVIDIA architecture markers from one token: `sm90`, `sm100f` at the start (any
/// case) and `Sm103a` at a camel-case boundary (`fmhaSm103aKernel` → `fmhaKernel`,
/// `FlashAttnFwdSm90` → `FlashAttnFwd`).
fn strip_arch(token: &str) -> String {
    let b = token.as_bytes();
    let mut out = String::with_capacity(token.len());
    let mut i = 0;
    while i < b.len() {
        let at_start = i == 0;
        let s = b.get(i).copied();
        let m = b.get(i + 1).copied();
        let starts = matches!((s, m), (Some(b'S'), Some(b'm')))
            || (at_start && matches!((s, m), (Some(b's'), Some(b'm'))));
        if starts {
            let mut j = i + 2;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            let digits = j - (i + 2);
            if (2..=3).contains(&digits) {
                // An optional variant letter (`a`, `f`) when a boundary follows it.
                let boundary = |k: usize| b.get(k).is_none_or(|c| !c.is_ascii_lowercase());
                let end = if b.get(j).is_some_and(u8::is_ascii_lowercase) && boundary(j + 1) {
                    Some(j + 1)
                } else if boundary(j) {
                    Some(j)
                } else {
                    None
                };
                if let Some(end) = end {
                    i = end;
                    continue;
                }
            }
        }
        if let Some(&c) = b.get(i) {
            out.push(char::from(c));
        }
        i += 1;
    }
    out
}

/// Identity tiers, strictest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// The canonical row name.
    Exact,
    /// [`normalized`]: architecture, tile shapes, numbers and addresses removed.
    Normalised,
    /// [`family`]: the normalised base name, template arguments removed.
    Family,
}

impl Tier {
    /// Every tier, strictest first.
    pub const ALL: [Tier; 3] = [Tier::Exact, Tier::Normalised, Tier::Family];
}

/// The identity keys of one kernel name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    /// [`canonical`].
    pub exact: String,
    /// [`normalized`].
    pub normalised: String,
    /// [`family`].
    pub family: Option<String>,
}

impl Keys {
    /// The keys of a raw kernel name.
    #[must_use]
    pub fn of(name: &str) -> Keys {
        Keys { exact: canonical(name), normalised: normalized(name), family: family(name) }
    }

    /// The key of `tier`, when the name has a non-empty one.
    #[must_use]
    pub fn get(&self, tier: Tier) -> Option<&str> {
        let k = match tier {
            Tier::Exact => self.exact.as_str(),
            Tier::Normalised => self.normalised.as_str(),
            Tier::Family => self.family.as_deref()?,
        };
        (!k.is_empty()).then_some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_matches_the_seed_form() {
        assert_eq!(canonical("void foo<int>(float*, int)"), "void foo<int>");
        assert_eq!(canonical("void  foo<int>( float* )"), "void foo<int>");
        assert_eq!(
            canonical("ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)"),
            "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)"
        );
        assert_eq!(canonical("k(void* 0x7f00ab)"), "k(void* 0xADDR)");
        // A tile shape is not an address.
        assert_eq!(
            canonical("nvjet_sm103_tst_160x64_64x6_1x2_2cta_h_bz_TNN"),
            "nvjet_sm103_tst_160x64_64x6_1x2_2cta_h_bz_TNN"
        );
        // Cut names (unbalanced) stay as they are.
        assert_eq!(canonical("void f<a<b, (c"), "void f<a<b, (c");
        assert_eq!(canonical("Memcpy HtoD (Pinned -> Device)"), "Memcpy HtoD (Pinned -> Device)");
    }

    #[test]
    fn base_names_strip_templates_and_arguments() {
        let b = base_name(
            "void at::native::vectorized_elementwise_kernel<4, at::native::AddFunctor<float>, at::detail::Array<char*, 3> >(int, at::native::AddFunctor<float>, at::detail::Array<char*, 3>)",
        );
        assert_eq!(b.base, "at::native::vectorized_elementwise_kernel");
        assert!(b.inner.starts_with("4, at::native::AddFunctor<float>"));
        let b = base_name("void (anonymous namespace)::all_reduce_two_shot_kernel<__nv_bfloat16, 4u, true>");
        assert_eq!(b.base, "anonymous_namespace::all_reduce_two_shot_kernel");
        assert_eq!(base_name("Memset (Device)").base, "Memset");
        assert_eq!(base_name("nvjet_tst_64x8_64x16_4x2_h_bz_TNT").base, "nvjet_tst_64x8_64x16_4x2_h_bz_TNT");
        assert_eq!(
            base_name("cask_cudnn::computeOffsetsKernel(cask_cudnn::ComputeOffsetsParams)").base,
            "cask_cudnn::computeOffsetsKernel"
        );
    }

    #[test]
    fn wrappers_unwrap_to_the_real_kernel() {
        let fa3 = "void cutlass::device_kernel<flash::enable_sm90_or_later<flash::FlashAttnFwdSm90<flash::CollectiveMainloopFwdSm90<2, cute::tuple<cute::C<1>>, cutlass::bfloat16_t>>>>(flash::FlashAttnFwdSm90<int>::Params)";
        assert_eq!(base_name(fa3).base, "flash::FlashAttnFwdSm90");
        let b = base_name(
            "void cutlass::Kernel<cutlass_80_tensorop_s1688gemm_64x64_16x6_nn_align4>(cutlass_80_tensorop_s1688gemm_64x64_16x6_nn_align4::Params)",
        );
        assert_eq!(b.base, "cutlass_80_tensorop_s1688gemm_64x64_16x6_nn_align4");
        let b = base_name(
            "void cutlass::device_kernel<dpsk::grouped_gemm::cuda::fp8_ptp128c::GemmKernel>(dpsk::grouped_gemm::cuda::fp8_ptp128c::GemmKernel::Params)",
        );
        assert_eq!(b.base, "dpsk::grouped_gemm::cuda::fp8_ptp128c::GemmKernel");
    }

    #[test]
    fn rules_look_at_a_capped_prefix_cut_on_a_char_boundary() {
        let catalog = crate::Catalog::builtin();
        let kind = trace::model::GpuKind::Kernel;
        let real = "void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>>(int)";
        // A prefix just under the cap, then a 3-byte char across it, then junk that would
        // change every answer if it were read (a GEMM name, a template, a return type).
        let head = format!("{real} {}", "x".repeat(LOOKED_AT - real.len() - 2));
        let name = format!("{head}€ nccl::AllReduce_gemm<cutlass::Kernel<flash::Fwd>>::type ncclKernel");
        assert_eq!(looked_at(&name), head, "cut back to the char boundary before `€`");
        assert_eq!(looked_at(real), real);
        assert_eq!(catalog.categories.classify(kind, &name), catalog.categories.classify(kind, &head));
        assert_eq!(base_name(&name), base_name(&head));
        assert_eq!(normalized(&name), normalized(&head));
        assert_eq!(family(&name), family(&head));
        assert_eq!(short(&name), short(&head));
        // Only the display form keeps the whole name.
        assert!(canonical(&name).ends_with("ncclKernel"));
    }

    #[test]
    fn truncated_names_do_not_break() {
        let b = base_name(
            "void cutlass::device_kernel<flash::FlashAttnBwd<flash::CollectiveMainloopBwd<2, cute::tuple<cute::C<1>, cute::C",
        );
        assert_eq!(b.base, "flash::FlashAttnBwd");
        assert_eq!(base_name("").base, "");
        assert_eq!(base_name("<<<").base, "");
        assert_eq!(base_name(">>>)(").base, ">>>)");
        assert_eq!(base_name("Memcpy HtoD (Pinned -> Device)").base, "Memcpy HtoD");
    }

    #[test]
    fn return_types_are_dropped() {
        let b = base_name(
            "std::enable_if<(((8)>(0)))&&vllm::_typeConvert<c10::BFloat16>::exists, void>::type vllm::fused_add_rms_norm_kernel<c10::BFloat16, 8>(c10::BFloat16*, long)",
        );
        assert_eq!(b.base, "vllm::fused_add_rms_norm_kernel");
        assert_eq!(b.inner, "c10::BFloat16, 8");
        assert_eq!(base_name("int foo<3>(int)").base, "foo");
    }

    #[test]
    fn normalized_drops_what_changes_between_runs() {
        // Tile and cluster shapes, architecture.
        let a = normalized("nvjet_sm103_tst_256x8_64x6_2x1_v_bz_TNT");
        assert_eq!(a, "nvjet_tst_v_bz_tnt");
        assert_eq!(normalized("nvjet_sm90_tst_256x16_64x6_2x1_2cta_v_bz_TNT"), a);
        // But not the layout: TNN is another kernel.
        assert_ne!(normalized("nvjet_sm103_tst_256x8_64x6_2x1_v_bz_TNN"), a);
        // Camel-case architecture markers.
        assert_eq!(normalized("fmhaSm103aKernel_QkvBfloat16"), normalized("fmhaSm100fKernel_QkvBfloat16"));
        assert_eq!(normalized("fmhaSm103aKernel_QkvBfloat16"), "fmhakernel_qkvbfloat16");
        assert_eq!(
            normalized("bmm_Bfloat16_t128x64x128u2_s5_et128x64_rM_dynB_sm100f"),
            normalized("bmm_Bfloat16_t128x8x128u2_s6_et128x8_rM_dynB_sm90a")
        );
        // Numeric template arguments, addresses, lambda numbers.
        assert_eq!(
            normalized(
                "void (anonymous namespace)::all_reduce_two_shot_kernel<__nv_bfloat16, 4u, true>(int)"
            ),
            normalized(
                "void (anonymous namespace)::all_reduce_two_shot_kernel<__nv_bfloat16, 8u, true>(int)"
            )
        );
        assert_eq!(normalized("k(void* 0x7f00ab)"), normalized("k(void* 0x1234)"));
        assert_eq!(normalized("f<{lambda()#1}>"), normalized("f<{lambda()#3}>"));
        // Types and functors are identity.
        assert_ne!(
            normalized("void at::native::elementwise_kernel<128, 4, at::native::masked_fill_kernel>(int)"),
            normalized(
                "void at::native::elementwise_kernel<128, 4, at::native::direct_copy_kernel_cuda>(int)"
            )
        );
        assert_ne!(normalized("foo<float>"), normalized("foo<__nv_bfloat16>"));
        assert_ne!(normalized("gemm_fp8"), normalized("gemm_fp4"));
        // A short name is kept whole; different names stay different.
        assert_eq!(normalized("k1"), "k1");
        assert_ne!(normalized("k1"), normalized("k2"));
        assert_eq!(normalized("sm90_gemm"), "gemm");
        assert_eq!(normalized("Memcpy DtoD (Device -> Device)"), "memcpy_dtod(device>device)");
    }

    #[test]
    fn family_is_the_base_name_without_configuration() {
        let fa3 = |cfg: &str| {
            format!(
                "void cutlass::device_kernel<flash::enable_sm90_or_later<flash::FlashAttnFwdSm90<{cfg}>>>(flash::FlashAttnFwdSm90<int>::Params)"
            )
        };
        let a = family(&fa3("flash::CollectiveMainloopFwdSm90<2, true, cutlass::bfloat16_t>"));
        assert_eq!(a.as_deref(), Some("flash::flashattnfwd"));
        assert_eq!(family(&fa3("flash::CollectiveMainloopFwdSm90<1, false, cutlass::half_t>")), a);
        // PyTorch's generic launchers carry their operation in the template arguments.
        assert_eq!(
            family("void at::native::elementwise_kernel<128, 4, at::native::masked_fill_kernel>(int)"),
            None
        );
        assert_eq!(family("void at_cuda_detail::cub::DeviceScanKernel<int>(int)"), None);
        // Without template arguments there is nothing beyond `normalized`.
        assert_eq!(family("nvjet_tst_64x8_64x16_4x2_h_bz_TNT"), None);
        assert_eq!(
            family(
                "void moe::dev::finalize::finalizeKernel<moe::dev::finalize::KernelParams<float, 4> >(int)"
            )
            .as_deref(),
            Some("moe::dev::finalize::finalizekernel")
        );
    }
}
