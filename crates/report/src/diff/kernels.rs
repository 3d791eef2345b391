//! The kernel side of a stage diff: kernels matched across the two reports (canonical
//! name, then normalised name, as the two-trace mapping matches them), the kernels only
//! one side lists, and the category and family totals — each sorted by absolute time
//! change, then by name.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::{Amount, GroupDiff, KernelDiff, Presence, Rows};
use crate::format;
use crate::triage::{KernelRow, StageReport};
use engine::names::{Keys, Tier};
use engine::vocab::Category;
use engine::vocab::MatchKind;

/// The kernel rows of one stage, aggregated by exact identity.
pub(super) struct Side {
    items: Vec<Item>,
    /// The share denominator, ns.
    pub total_ns: i64,
}

/// One kernel (all rows of one exact identity).
struct Item {
    /// The report's row name (of the largest row when several share the identity).
    name: String,
    category: Category,
    gpu_ns: i64,
    launches: u64,
    keys: Keys,
    /// GPU time of the largest row, to pick `name` and `category`.
    top_ns: i64,
}

impl Side {
    /// The rows of a stage report.
    pub(super) fn of(stage: &StageReport) -> Side {
        let mut by_key: BTreeMap<String, Item> = BTreeMap::new();
        for row in &stage.kernels.rows {
            add(&mut by_key, row);
        }
        let listed: i64 = by_key.values().map(|i| i.gpu_ns).sum();
        let total_ns = [stage.kernels.total_ns, stage.summary.kernel_ns, listed]
            .into_iter()
            .find(|&t| t > 0)
            .unwrap_or(0);
        Side { items: by_key.into_values().collect(), total_ns }
    }

    fn amount(&self, gpu_ns: i64, launches: u64) -> Amount {
        Amount { gpu_ns, share_pct: format::share(gpu_ns, self.total_ns), launches }
    }
}

fn add(by_key: &mut BTreeMap<String, Item>, row: &KernelRow) {
    let keys = Keys::of(&row.name);
    let gpu_ns = row.gpu_ns.max(0);
    let item = by_key.entry(keys.exact.clone()).or_insert_with(|| Item {
        name: row.name.clone(),
        category: row.category,
        gpu_ns: 0,
        launches: 0,
        keys: keys.clone(),
        top_ns: -1,
    });
    item.gpu_ns = item.gpu_ns.saturating_add(gpu_ns);
    item.launches = item.launches.saturating_add(row.launches);
    if gpu_ns > item.top_ns || (gpu_ns == item.top_ns && row.name < item.name) {
        item.top_ns = gpu_ns;
        item.name = row.name.clone();
        item.category = row.category;
    }
}

/// The kernel tables of a stage pair: (matched, only in A, only in B), each sorted.
pub(super) fn match_kernels(a: &Side, b: &Side) -> (Vec<KernelDiff>, Vec<KernelDiff>, Vec<KernelDiff>) {
    let b_exact: BTreeMap<&str, &Item> = b.items.iter().map(|i| (i.keys.exact.as_str(), i)).collect();
    let a_exact: BTreeMap<&str, &Item> = a.items.iter().map(|i| (i.keys.exact.as_str(), i)).collect();
    let mut both = Vec::new();
    let mut a_left: Vec<&Item> = Vec::new();
    for item in &a.items {
        match b_exact.get(item.keys.exact.as_str()) {
            Some(other) => both.push(row(
                item.name.clone(),
                item.category,
                Presence::Both,
                MatchKind::Exact,
                a.amount(item.gpu_ns, item.launches),
                b.amount(other.gpu_ns, other.launches),
            )),
            None => a_left.push(item),
        }
    }
    let b_left: Vec<&Item> =
        b.items.iter().filter(|i| !a_exact.contains_key(i.keys.exact.as_str())).collect();
    let a_groups = by_normalised(&a_left);
    let b_groups = by_normalised(&b_left);
    let mut only_a = Vec::new();
    let mut only_b = Vec::new();
    for (key, group) in &a_groups {
        match b_groups.get(key) {
            Some(other) if !key.is_empty() => both.push(normalised(group, other, a, b)),
            _ => only_a.extend(group.iter().map(|i| one_sided(i, Presence::OnlyA, a, b))),
        }
    }
    for (key, group) in &b_groups {
        if key.is_empty() || !a_groups.contains_key(key) {
            only_b.extend(group.iter().map(|i| one_sided(i, Presence::OnlyB, a, b)));
        }
    }
    for rows in [&mut both, &mut only_a, &mut only_b] {
        engine::order::sort_by(rows, |x, y| order(x).cmp(&order(y)));
    }
    (both, only_a, only_b)
}

fn order(k: &KernelDiff) -> (Reverse<u64>, &str, Presence) {
    (Reverse(k.delta_ns.unsigned_abs()), k.name.as_str(), k.presence)
}

/// Leftover kernels by normalised name (empty key: not matchable), most time first.
fn by_normalised<'a>(items: &[&'a Item]) -> BTreeMap<String, Vec<&'a Item>> {
    let mut groups: BTreeMap<String, Vec<&Item>> = BTreeMap::new();
    for &item in items {
        let key = item.keys.get(Tier::Normalised).unwrap_or("").to_owned();
        groups.entry(key).or_default().push(item);
    }
    for g in groups.values_mut() {
        engine::order::sort_by(g, |x, y| y.gpu_ns.cmp(&x.gpu_ns).then_with(|| x.name.cmp(&y.name)));
    }
    groups
}

fn normalised(a_items: &[&Item], b_items: &[&Item], a: &Side, b: &Side) -> KernelDiff {
    let sum = |items: &[&Item]| {
        items
            .iter()
            .fold((0i64, 0u64), |(ns, n), i| (ns.saturating_add(i.gpu_ns), n.saturating_add(i.launches)))
    };
    let (a_ns, a_n) = sum(a_items);
    let (b_ns, b_n) = sum(b_items);
    let lead = a_items.first().or(b_items.first());
    let mut k = row(
        lead.map(|i| i.name.clone()).unwrap_or_default(),
        lead.map_or(Category::Other, |i| i.category),
        Presence::Both,
        MatchKind::Normalised,
        a.amount(a_ns, a_n),
        b.amount(b_ns, b_n),
    );
    k.a_names = a_items.iter().map(|i| i.name.clone()).collect();
    k.b_names = b_items.iter().map(|i| i.name.clone()).collect();
    k
}

fn one_sided(item: &Item, presence: Presence, a: &Side, b: &Side) -> KernelDiff {
    let (amount_a, amount_b) = match presence {
        Presence::OnlyB => (Amount::default(), b.amount(item.gpu_ns, item.launches)),
        _ => (a.amount(item.gpu_ns, item.launches), Amount::default()),
    };
    row(item.name.clone(), item.category, presence, MatchKind::None, amount_a, amount_b)
}

fn row(
    name: String,
    category: Category,
    presence: Presence,
    matched: MatchKind,
    a: Amount,
    b: Amount,
) -> KernelDiff {
    KernelDiff {
        name,
        category,
        presence,
        matched,
        a_names: Vec::new(),
        b_names: Vec::new(),
        delta_ns: b.gpu_ns.saturating_sub(a.gpu_ns),
        delta_share_pct: b.share_pct - a.share_pct,
        a,
        b,
        maybe_unlisted: false,
    }
}

/// Per-group totals of both sides (index 0 is A, 1 is B).
#[derive(Default)]
struct GroupAcc {
    ns: [i64; 2],
    launches: [u64; 2],
    kernels: [u64; 2],
    /// Per side, the member with the most time (then the first name): the group's category
    /// is A's lead's, else B's.
    lead: [Option<(i64, String, Category)>; 2],
}

impl GroupAcc {
    fn add(&mut self, side: usize, item: &Item) {
        let (Some(ns), Some(n), Some(k), Some(lead)) = (
            self.ns.get_mut(side),
            self.launches.get_mut(side),
            self.kernels.get_mut(side),
            self.lead.get_mut(side),
        ) else {
            return;
        };
        *ns = ns.saturating_add(item.gpu_ns);
        *n = n.saturating_add(item.launches);
        *k += 1;
        let better = lead.as_ref().is_none_or(|(top, name, _)| {
            item.gpu_ns > *top || (item.gpu_ns == *top && item.name.as_str() < name.as_str())
        });
        if better {
            *lead = Some((item.gpu_ns, item.name.clone(), item.category));
        }
    }
}

/// Category totals (`families == false`) or family totals of both sides, sorted.
pub(super) fn groups(a: &Side, b: &Side, families: bool) -> Vec<GroupDiff> {
    let mut acc: BTreeMap<String, GroupAcc> = BTreeMap::new();
    for (side, s) in [a, b].into_iter().enumerate() {
        for item in &s.items {
            let key = if families { family_key(&item.keys) } else { item.category.label().to_owned() };
            acc.entry(key).or_default().add(side, item);
        }
    }
    let mut rows: Vec<GroupDiff> = acc
        .into_iter()
        .map(|(key, g)| {
            let get = |v: &[i64; 2], i: usize| v.get(i).copied().unwrap_or(0);
            let getn = |v: &[u64; 2], i: usize| v.get(i).copied().unwrap_or(0);
            let amount_a = a.amount(get(&g.ns, 0), getn(&g.launches, 0));
            let amount_b = b.amount(get(&g.ns, 1), getn(&g.launches, 1));
            GroupDiff {
                key,
                category: g.lead.iter().flatten().next().map_or(Category::Other, |l| l.2),
                a_kernels: getn(&g.kernels, 0),
                b_kernels: getn(&g.kernels, 1),
                delta_ns: amount_b.gpu_ns.saturating_sub(amount_a.gpu_ns),
                delta_share_pct: amount_b.share_pct - amount_a.share_pct,
                a: amount_a,
                b: amount_b,
            }
        })
        .collect();
    engine::order::sort_by(&mut rows, |x, y| {
        (Reverse(x.delta_ns.unsigned_abs()), x.key.as_str())
            .cmp(&(Reverse(y.delta_ns.unsigned_abs()), y.key.as_str()))
    });
    rows
}

/// A kernel's family: [`engine::names::family`], else its normalised name, else
/// its canonical name.
fn family_key(keys: &Keys) -> String {
    keys.get(Tier::Family).or_else(|| keys.get(Tier::Normalised)).unwrap_or(keys.exact.as_str()).to_owned()
}

/// The first `top` rows (all when `top` is 0) and what was left out.
pub(super) fn keep<T>(mut rows: Vec<T>, top: usize, ns: impl Fn(&T) -> (i64, i64)) -> Rows<T> {
    let cut = if top == 0 { rows.len() } else { top.min(rows.len()) };
    let rest = rows.split_off(cut);
    let (omitted_a_ns, omitted_b_ns) =
        rest.iter().map(&ns).fold((0i64, 0i64), |(x, y), (a, b)| (x.saturating_add(a), y.saturating_add(b)));
    Rows { rows, omitted: rest.len() as u64, omitted_a_ns, omitted_b_ns }
}
