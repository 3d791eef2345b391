//! Dashboard benchmark, engine side: what the page does with a manifest of many runs —
//! read it (`read_manifest`), filter, sort, build the run table's cells and draw the trend
//! chart — on generated runs (`report::dashboard::synthetic`), native, one thread. It sits
//! with the other benchmarks here (the engine crate has none: it does no I/O).
//!
//! ```text
//! cargo bench -p native --bench dashboard -- [RUNS] [--reps N]
//! ```
//! `RUNS` defaults to 1,000 (target: the whole page's work well under a second; the
//! browser side is `e2e/dashboard-bench.test.mjs`).
#![allow(clippy::print_stdout, clippy::disallowed_methods, clippy::disallowed_types, clippy::unwrap_used)]

mod common;

use std::time::Instant;

use report::dashboard::EntryOptions;
use report::dashboard::EntrySource;
use report::dashboard::ManifestEntry;
use report::dashboard::filter;
use report::dashboard::filter::Column;
use report::dashboard::filter::Query;
use report::dashboard::trend;
use report::dashboard::trend::Figure;
use report::dashboard::trend::SeriesBy;

fn main() {
    let (runs, reps) = common::args(20);
    let n: usize = runs.and_then(|a| a.parse().ok()).unwrap_or(1000);
    let start = Instant::now();
    let entries: Vec<ManifestEntry> = (0..n)
        .map(|i| {
            let report = report::dashboard::synthetic::report(i, 1).unwrap();
            let id = format!("run-{i:05}");
            let src = EntrySource {
                report: format!("{id}.json"),
                id,
                source: report::dashboard::synthetic::source(i),
                folder: "synthetic".to_owned(),
                file_mtime_unix_ns: None,
            };
            ManifestEntry::from_report(&report, &src, EntryOptions::default())
        })
        .collect();
    let made = start.elapsed().as_secs_f64() * 1e3;
    let json = report::dashboard::new_manifest("bench", entries).to_json();
    // The browser run list's columns.
    let columns = Column::PAGE;
    let mut rows: Vec<[f64; 4]> = Vec::new();
    for _ in 0..reps {
        let t0 = Instant::now();
        let read = report::dashboard::read_manifest(json.as_bytes()).unwrap();
        let t1 = Instant::now();
        let entries = &read.manifest.entries;
        let mut idx = filter::filter(entries, &Query::parse("-model:mixtral"));
        filter::sort(entries, &mut idx, Column::Utilization, true);
        let table = report::dashboard::view::runs_table(entries, &idx, &columns);
        let t2 = Instant::now();
        let t = trend::trend(entries, &idx, Figure::Utilization, None, SeriesBy::Model);
        let svg = trend::svg(&t, 960, 280, &report::timeline::svg::Palette::default());
        let t3 = Instant::now();
        assert_eq!(read.manifest.entries.len(), n);
        assert!(!table.rows.is_empty() && svg.len() > 1000);
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        rows.push([ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t0, t3)]);
    }
    rows.sort_by(|a, b| a[3].total_cmp(&b[3]));
    let best = rows[0];
    let med = rows[rows.len() / 2];
    println!("dashboard of {n} generated runs (manifest {} KB; made in {made:.0} ms)", json.len() / 1024);
    println!(
        "best  {:.1} ms (read {:.1} + filter/sort/cells {:.1} + trend SVG {:.1}); median {:.1} ms; {reps} reps",
        best[3], best[0], best[1], best[2], med[3]
    );
}
