//! Binning a window of lanes into columns (pixels, characters or strip bins): per lane and
//! column the busy time and the category with the most time; per column the time two or
//! more lanes were busy and the time any lane was. This is what keeps drawings small: a
//! column is one rectangle or one character, however many kernels fall into it.

use crate::vocab::Category;

use super::Window;

/// A column is marked overlapped (or idle) when at least this fraction of it is.
pub const MARK_FRACTION: f64 = 0.25;

/// One lane's column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// Busy time in the column, ns (capped at the column's width).
    pub busy: i64,
    /// The category with the most time in the column (first in [`Category::ALL`] on ties).
    pub top: Option<Category>,
}

/// The binned window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bins {
    /// The window.
    pub window: Window,
    /// Number of columns.
    pub n: usize,
    /// Per lane, per column.
    pub cells: Vec<Vec<Cell>>,
    /// Per column, time with two or more lanes busy, ns.
    pub overlap: Vec<i64>,
    /// Per column, time with any lane busy, ns.
    pub busy: Vec<i64>,
}

impl Bins {
    /// Start of column `b` (column `n` is the window's end), ns.
    #[must_use]
    pub fn boundary(&self, b: usize) -> i64 {
        boundary(self.window, self.n, b)
    }

    /// Width of column `b`, ns.
    #[must_use]
    pub fn width(&self, b: usize) -> i64 {
        (self.boundary(b + 1) - self.boundary(b)).max(1)
    }

    /// Whether column `b` is mostly (≥ [`MARK_FRACTION`]) overlapped.
    #[must_use]
    pub fn overlapped(&self, b: usize) -> bool {
        self.overlap.get(b).is_some_and(|&o| o as f64 >= MARK_FRACTION * self.width(b) as f64)
    }

    /// Whether column `b` is mostly (≥ [`MARK_FRACTION`]) idle on every lane.
    #[must_use]
    pub fn idle(&self, b: usize) -> bool {
        self.busy.get(b).is_some_and(|&x| (self.width(b) - x) as f64 >= MARK_FRACTION * self.width(b) as f64)
    }
}

fn boundary(w: Window, n: usize, b: usize) -> i64 {
    let n = n.max(1) as i128;
    let off = i128::from(w.len_ns()) * (b as i128).min(n) / n;
    w.start_ns.saturating_add(i64::try_from(off).unwrap_or(i64::MAX))
}

fn column(w: Window, n: usize, t: i64) -> usize {
    let off = i128::from((t - w.start_ns).max(0)) * n as i128 / i128::from(w.len_ns());
    usize::try_from(off).unwrap_or(usize::MAX).min(n.saturating_sub(1))
}

/// Adds `[s, e)` (inside `w`) to per-column totals via `add(column, ns)`.
fn spread(w: Window, n: usize, s: i64, e: i64, mut add: impl FnMut(usize, i64)) {
    if e <= s || n == 0 {
        return;
    }
    let (first, last) = (column(w, n, s), column(w, n, e - 1));
    for b in first..=last {
        let ns = e.min(boundary(w, n, b + 1)) - s.max(boundary(w, n, b));
        if ns > 0 {
            add(b, ns);
        }
    }
}

/// Bins lanes of `(start, end, category)` activities, already clipped to `w` and sorted by
/// start, into `n` columns.
#[must_use]
pub fn bin(lanes: &[Vec<(i64, i64, Category)>], w: Window, n: usize) -> Bins {
    let n = n.max(1);
    let mut out =
        Bins { window: w, n, cells: Vec::with_capacity(lanes.len()), overlap: vec![0; n], busy: vec![0; n] };
    let mut per_cat = vec![[0i64; Category::ALL.len()]; n];
    // Each lane's merged busy intervals, for the cross-lane counts.
    let mut points: Vec<(i64, i32)> = Vec::new();
    for lane in lanes {
        for row in per_cat.iter_mut() {
            *row = [0; Category::ALL.len()];
        }
        let mut current: Option<(i64, i64)> = None;
        for &(s, e, c) in lane {
            let ci = c as usize;
            spread(w, n, s, e, |b, ns| {
                if let Some(slot) = per_cat.get_mut(b).and_then(|r| r.get_mut(ci)) {
                    *slot += ns;
                }
            });
            match current {
                Some((cs, ce)) if s <= ce => current = Some((cs, ce.max(e))),
                Some((cs, ce)) => {
                    points.push((cs, 1));
                    points.push((ce, -1));
                    current = Some((s, e));
                }
                None => current = Some((s, e)),
            }
        }
        if let Some((cs, ce)) = current {
            points.push((cs, 1));
            points.push((ce, -1));
        }
        let cells = per_cat
            .iter()
            .enumerate()
            .map(|(b, row)| {
                let total: i64 = row.iter().sum();
                let mut top: Option<(i64, Category)> = None;
                for (&ns, &c) in row.iter().zip(Category::ALL.iter()) {
                    if ns > 0 && top.is_none_or(|(t, _)| ns > t) {
                        top = Some((ns, c));
                    }
                }
                Cell { busy: total.min(out.boundary(b + 1) - out.boundary(b)), top: top.map(|(_, c)| c) }
            })
            .collect();
        out.cells.push(cells);
    }
    points.sort_unstable();
    let mut active = 0i32;
    let mut prev = w.start_ns;
    for (t, d) in points {
        if t > prev {
            if active >= 1 {
                spread(w, n, prev, t, |b, ns| {
                    if let Some(x) = out.busy.get_mut(b) {
                        *x += ns;
                    }
                });
            }
            if active >= 2 {
                spread(w, n, prev, t, |b, ns| {
                    if let Some(x) = out.overlap.get_mut(b) {
                        *x += ns;
                    }
                });
            }
        }
        prev = t;
        active += d;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_discriminants_follow_all() {
        for (i, c) in Category::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i, "{c:?}");
        }
    }

    #[test]
    fn columns_take_the_dominant_category_and_count_overlap() {
        let w = Window::new(0, 100);
        let lanes = vec![
            vec![(0, 30, Category::Gemm), (30, 35, Category::Norm), (50, 100, Category::Communication)],
            vec![(20, 60, Category::Memory)],
        ];
        let b = bin(&lanes, w, 4);
        let tops: Vec<Option<Category>> = b.cells[0].iter().map(|c| c.top).collect();
        assert_eq!(
            tops,
            [
                Some(Category::Gemm),
                Some(Category::Gemm),
                Some(Category::Communication),
                Some(Category::Communication)
            ]
        );
        assert_eq!(b.cells[0][1].busy, 10);
        assert_eq!(b.cells[1].iter().map(|c| c.busy).collect::<Vec<_>>(), [5, 25, 10, 0]);
        // Overlap: 20..35 and 50..60.
        assert_eq!(b.overlap, [5, 10, 10, 0]);
        assert_eq!(b.busy, [25, 25, 25, 25]);
        assert!(b.overlapped(1) && !b.overlapped(3));
        let empty = bin(&[], w, 10);
        assert!((0..10).all(|c| empty.idle(c)));
    }
}
