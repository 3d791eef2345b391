//! Making a diff small enough for a shared link ([`crate::share::encode_diff`]): first
//! long names and name lists shortened, then fewer rows per table (the largest changes
//! kept, the rest counted as omitted, so totals stay right).

use super::{DiffReport, Rows};

/// Longest name kept in a link, in characters.
const NAME: usize = 120;

fn shorten(name: &mut String) {
    if name.chars().count() > NAME {
        *name = name.chars().take(NAME).chain(core::iter::once('…')).collect();
    }
}

/// Shortens names longer than 120 characters and keeps at most two names per side of a
/// normalised match.
pub(crate) fn shrink_details(d: &mut DiffReport) {
    for s in &mut d.stages {
        for g in &mut s.families.rows {
            shorten(&mut g.key);
        }
        for rows in [&mut s.kernels, &mut s.only_a, &mut s.only_b] {
            for k in &mut rows.rows {
                shorten(&mut k.name);
                for names in [&mut k.a_names, &mut k.b_names] {
                    names.truncate(2);
                    names.iter_mut().for_each(shorten);
                }
            }
        }
    }
}

/// The most rows of any table (families, kernels, only-in-A, only-in-B) of any stage.
#[must_use]
pub(crate) fn max_rows(d: &DiffReport) -> usize {
    d.stages
        .iter()
        .flat_map(|s| [s.families.rows.len(), s.kernels.rows.len(), s.only_a.rows.len(), s.only_b.rows.len()])
        .max()
        .unwrap_or(0)
}

fn cut<T>(rows: &mut Rows<T>, keep: usize, ns: impl Fn(&T) -> (i64, i64)) {
    if rows.rows.len() <= keep {
        return;
    }
    let dropped = rows.rows.split_off(keep);
    rows.omitted += dropped.len() as u64;
    for r in &dropped {
        let (a, b) = ns(r);
        rows.omitted_a_ns = rows.omitted_a_ns.saturating_add(a);
        rows.omitted_b_ns = rows.omitted_b_ns.saturating_add(b);
    }
}

/// Keeps the first `keep` rows of every table, counting the rest as omitted.
pub(crate) fn keep_rows(d: &mut DiffReport, keep: usize) {
    for s in &mut d.stages {
        cut(&mut s.families, keep, |g| (g.a.gpu_ns, g.b.gpu_ns));
        for rows in [&mut s.kernels, &mut s.only_a, &mut s.only_b] {
            cut(rows, keep, |k| (k.a.gpu_ns, k.b.gpu_ns));
        }
    }
    if keep > 0 {
        let keep = u32::try_from(keep).unwrap_or(u32::MAX);
        d.top = if d.top == 0 { keep } else { d.top.min(keep) };
    }
}
