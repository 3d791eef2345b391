//! Presentation tables: rows of display cells, built once by a view for every front end,
//! rendering themselves as markdown, aligned text and CSV fields. The browser draws the
//! same cells; no front end formats a number itself.
//!
//! Cells are made by the constructors here ([`Cell::ms`], [`Cell::pct`], [`Cell::count`],
//! …), so one kind of number looks the same in every table and its CSV value (raw
//! milliseconds, percent, count) is the same everywhere.

use crate::format;

/// How a column sorts and aligns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text, left-aligned.
    Left,
    /// Numbers, right-aligned.
    Right,
}

/// A column heading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Heading text.
    pub label: &'static str,
    /// Alignment (and whether the column sorts numerically).
    pub align: Align,
}

impl Column {
    /// A column.
    #[must_use]
    pub const fn new(label: &'static str, align: Align) -> Column {
        Column { label, align }
    }

    /// A text column.
    #[must_use]
    pub const fn left(label: &'static str) -> Column {
        Column { label, align: Align::Left }
    }

    /// A number column.
    #[must_use]
    pub const fn right(label: &'static str) -> Column {
        Column { label, align: Align::Right }
    }
}

/// One cell: display lines plus what it sorts by.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Display text, one entry per line (sites of a kernel, …).
    pub lines: Vec<String>,
    /// Numeric sort value for numeric columns.
    pub sort: Option<f64>,
    /// A share to draw as a bar, 0–100.
    pub bar: Option<f64>,
    /// Machine-friendly value for CSV (raw number), when different from the text.
    pub raw: Option<String>,
    /// A state the page draws as a coloured badge (its class suffix: `missing`, `in_use`, …);
    /// other renderers print the text.
    pub badge: Option<&'static str>,
}

impl Cell {
    /// A text cell.
    #[must_use]
    pub fn text(s: impl Into<String>) -> Cell {
        Cell { lines: vec![s.into()], sort: None, bar: None, raw: None, badge: None }
    }

    /// A text cell of several lines.
    #[must_use]
    pub fn lines(lines: Vec<String>) -> Cell {
        Cell { lines, sort: None, bar: None, raw: None, badge: None }
    }

    /// A numeric cell with its display text and raw value.
    #[must_use]
    pub fn num(text: String, value: f64, raw: String) -> Cell {
        Cell { lines: vec![text], sort: Some(value), bar: None, raw: Some(raw), badge: None }
    }

    /// No value: `-` on screen, empty in CSV, unsorted.
    #[must_use]
    pub fn missing() -> Cell {
        Cell::blank("-")
    }

    /// A placeholder text (`-`, `new`, `n/a`) that is empty in CSV.
    #[must_use]
    pub fn blank(text: &str) -> Cell {
        Cell { lines: vec![text.to_owned()], sort: None, bar: None, raw: Some(String::new()), badge: None }
    }

    /// Milliseconds (`12.345 ms`); CSV: ms with 6 decimals.
    #[must_use]
    pub fn ms(ns: i64) -> Cell {
        Cell::num(format::ms(ns), ns as f64, format!("{:.6}", ns as f64 / 1e6))
    }

    /// A duration in a readable unit (`850 ns`, `12.3 µs`, `4.56 ms`); CSV: µs with 3 decimals.
    #[must_use]
    pub fn duration(ns: i64) -> Cell {
        Cell::num(format::duration_ns(ns), ns as f64, format!("{:.3}", ns as f64 / 1e3))
    }

    /// Microseconds with one decimal; CSV: µs with 3 decimals.
    #[must_use]
    pub fn us(ns: i64) -> Cell {
        Cell::num(format::us1(ns), ns as f64, format!("{:.3}", ns as f64 / 1e3))
    }

    /// A percentage (`12.3%`); CSV: 3 decimals.
    #[must_use]
    pub fn pct(value: f64) -> Cell {
        Cell::num(format::pct(value), value, format!("{value:.3}"))
    }

    /// A share of a whole: a percentage drawn with a bar.
    #[must_use]
    pub fn share(value: f64) -> Cell {
        let mut c = Cell::pct(value);
        c.bar = Some(value);
        c
    }

    /// A state drawn as a coloured badge on the page (`tone`: its class suffix).
    #[must_use]
    pub fn badge(text: impl Into<String>, tone: &'static str) -> Cell {
        Cell { badge: Some(tone), ..Cell::text(text) }
    }

    /// A count with thousands separators; CSV: the plain number.
    #[must_use]
    pub fn count(n: u64) -> Cell {
        Cell::num(format::count(n), n as f64, n.to_string())
    }

    /// The display text on one line, joined with `sep`.
    #[must_use]
    pub fn joined(&self, sep: &str) -> String {
        self.lines.join(sep)
    }

    /// The CSV value: the raw number, else the text with lines joined by `; `.
    #[must_use]
    pub fn csv_value(&self) -> String {
        self.raw.clone().unwrap_or_else(|| self.joined("; "))
    }
}

/// A rendered table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column headings.
    pub columns: Vec<Column>,
    /// Rows of cells (one per column).
    pub rows: Vec<Vec<Cell>>,
    /// The single row shown when there are no rows.
    pub empty: String,
    /// A line under the table (rows hidden by the cutoff, …), if any.
    pub footer: Option<String>,
}

/// Makes text from a trace inert in markdown that a viewer renders with HTML allowed:
/// `&`, `<` and `>` as character references (a kernel named `<img onerror=…>` stays text).
#[must_use]
pub fn html_inert(s: &str) -> String {
    if !s.contains(['&', '<', '>']) {
        return s.to_owned();
    }
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Escapes a markdown cell: raw HTML made inert ([`html_inert`]), `|` → `\|`, newlines → `<br>`.
fn escape(s: &str) -> String {
    html_inert(s).replace('|', "\\|").replace('\n', "<br>")
}

impl Table {
    /// Appends the table as markdown lines (multi-line cells joined with `<br>`, the
    /// footer in italics after a blank line).
    pub fn push_markdown(&self, out: &mut Vec<String>) {
        let head: Vec<&str> = self.columns.iter().map(|c| c.label).collect();
        out.push(format!("| {} |", head.join(" | ")));
        let align: Vec<&str> =
            self.columns.iter().map(|c| if c.align == Align::Right { "---:" } else { "---" }).collect();
        out.push(format!("| {} |", align.join(" | ")));
        if self.rows.is_empty() {
            let mut cells = vec![escape(&self.empty)];
            cells.extend(std::iter::repeat_n("-".to_owned(), self.columns.len().saturating_sub(1)));
            out.push(format!("| {} |", cells.join(" | ")));
        }
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| c.lines.iter().map(|l| escape(l)).collect::<Vec<_>>().join("<br>"))
                .collect();
            out.push(format!("| {} |", cells.join(" | ")));
        }
        if let Some(f) = &self.footer {
            out.push(String::new());
            out.push(format!("_{f}_"));
        }
    }

    /// Appends the table as aligned text: header, a rule, rows (multi-line cells joined
    /// with `; `), the footer.
    pub fn push_text(&self, out: &mut Vec<String>) {
        let cells: Vec<Vec<String>> =
            self.rows.iter().map(|r| r.iter().map(|c| c.joined("; ")).collect()).collect();
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.label.chars().count()).collect();
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |texts: &[String]| -> String {
            let parts: Vec<String> = self
                .columns
                .iter()
                .zip(texts)
                .zip(&widths)
                .map(|((c, s), &w)| {
                    let pad = " ".repeat(w.saturating_sub(s.chars().count()));
                    if c.align == Align::Right { format!("{pad}{s}") } else { format!("{s}{pad}") }
                })
                .collect();
            parts.join("  ").trim_end().to_owned()
        };
        let head: Vec<String> = self.columns.iter().map(|c| c.label.to_owned()).collect();
        out.push(line(&head));
        out.push(widths.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>().join("  "));
        if cells.is_empty() {
            out.push(self.empty.clone());
        }
        for row in &cells {
            out.push(line(row));
        }
        if let Some(f) = &self.footer {
            out.push(f.clone());
        }
    }

    /// CSV header fields: each column label in snake case (`GPU time` → `gpu_time`).
    #[must_use]
    pub fn csv_header(&self) -> Vec<String> {
        self.columns.iter().map(|c| csv_field_name(c.label)).collect()
    }

    /// One row's CSV fields, quoted where needed.
    #[must_use]
    pub fn csv_row(row: &[Cell]) -> Vec<String> {
        row.iter().map(|c| csv_quote(&c.csv_value())).collect()
    }
}

/// Quotes a CSV field when it holds a separator, a quote or a line break.
#[must_use]
pub fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// A column label as a CSV header field: lower case, runs of other characters as `_`.
#[must_use]
pub fn csv_field_name(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table {
            columns: vec![Column::left("Kernel"), Column::right("GPU time")],
            rows: vec![
                vec![Cell::text("a|b"), Cell::ms(1_500_000)],
                vec![Cell::lines(vec!["x".into(), "y".into()]), Cell::missing()],
            ],
            empty: "none".into(),
            footer: Some("1 more".into()),
        }
    }

    #[test]
    fn markdown_escapes_and_aligns() {
        let mut out = Vec::new();
        sample().push_markdown(&mut out);
        assert_eq!(
            out,
            [
                "| Kernel | GPU time |",
                "| --- | ---: |",
                "| a\\|b | 1.50 ms |",
                "| x<br>y | - |",
                "",
                "_1 more_"
            ]
        );
    }

    #[test]
    fn markdown_cells_keep_raw_html_inert() {
        let mut t = sample();
        t.rows = vec![vec![Cell::text("<img src=x onerror=alert(1)> a&b\n<b>"), Cell::text("-")]];
        let mut out = Vec::new();
        t.push_markdown(&mut out);
        assert_eq!(
            out.get(2).map(String::as_str),
            Some("| &lt;img src=x onerror=alert(1)&gt; a&amp;b<br>&lt;b&gt; | - |")
        );
    }

    #[test]
    fn text_pads_columns_and_says_when_empty() {
        let mut out = Vec::new();
        sample().push_text(&mut out);
        assert_eq!(
            out,
            ["Kernel  GPU time", "------  --------", "a|b      1.50 ms", "x; y           -", "1 more"]
        );
        let mut empty = sample();
        empty.rows.clear();
        let mut out = Vec::new();
        empty.push_text(&mut out);
        assert_eq!(out.get(2).map(String::as_str), Some("none"));
    }

    #[test]
    fn csv_uses_raw_values_and_quotes() {
        let t = sample();
        assert_eq!(t.csv_header(), ["kernel", "gpu_time"]);
        assert_eq!(Table::csv_row(&t.rows[0]), ["a|b", "1.500000"]);
        assert_eq!(Table::csv_row(&t.rows[1]), ["x; y", ""]);
        assert_eq!(csv_quote("a,b"), "\"a,b\"");
        assert_eq!(csv_quote("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field_name("Exposed (ms)"), "exposed_ms");
        assert_eq!(csv_field_name("Share %"), "share");
    }

    #[test]
    fn number_cells_carry_sort_values_and_bars() {
        assert_eq!(Cell::count(12_345).lines, ["12,345"]);
        assert_eq!(Cell::count(12_345).sort, Some(12_345.0));
        assert_eq!(Cell::share(42.0).bar, Some(42.0));
        assert_eq!(Cell::pct(42.0).bar, None);
        assert_eq!(Cell::duration(1_500).raw.as_deref(), Some("1.500"));
    }
}
