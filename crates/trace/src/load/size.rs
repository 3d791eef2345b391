//! Sizing the model from the share of the text read so far.
//!
//! Told the whole JSON text's size ([`Loader::expect_text_bytes`](super::Loader::expect_text_bytes)),
//! the loader measures rows per byte of text in a first sample and reserves each column's
//! final capacity once, instead of letting it double (a doubled `Vec` keeps up to half its
//! capacity unused, and growing copies it with the old and the new buffer both alive: in
//! WebAssembly, whose memory never shrinks, that peak is what the tab pays for). The same
//! figures give an [`Estimate`] of the model's final size, so a caller can stop a load that
//! would not fit before it runs out of memory.

use crate::model::Trace;

/// Text parsed before the first estimate, bytes (smaller traces are read whole before any
/// estimate, so they are never reserved for).
const MIN_SAMPLE: u64 = 16 << 20;
/// Columns are reserved once `total / RESERVE_SHARE` (at least [`MIN_SAMPLE`]) is parsed:
/// a trace's mix of events drifts over its first megabytes, and columns that double up to
/// a sixteenth of their final size cost little.
const RESERVE_SHARE: u64 = 16;
/// Headroom over the estimated rows, per mille, for a trace whose mix drifts.
const HEADROOM_PER_MILLE: u64 = 20;

/// What the whole trace is expected to hold, from the share read so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// JSON text the estimate is from, bytes.
    pub sampled_bytes: u64,
    /// The whole JSON text, bytes (as told).
    pub text_bytes: u64,
    /// Rows of the event tables at the end.
    pub rows: u64,
    /// Bytes of the event tables at the end (row counts × row sizes).
    pub model_bytes: u64,
    /// Earliest start and latest end of the events read so far, ns (`(0, 0)` when none).
    pub span_ns: (i64, i64),
    /// The whole trace's time span, ns, extrapolated at the rate the span grew over the
    /// second half of the text read so far (a trace written in time order grows evenly; one
    /// whose first events already cover its timeline, barely).
    pub whole_span_ns: i64,
}

/// One column, seen through its element size and capacity.
trait Column {
    fn row_bytes(&self) -> usize;
    fn capacity_rows(&self) -> usize;
    fn reserve_rows(&mut self, rows: usize);
    fn shrink(&mut self);
}

impl<T> Column for Vec<T> {
    fn row_bytes(&self) -> usize {
        core::mem::size_of::<T>()
    }
    fn capacity_rows(&self) -> usize {
        self.capacity()
    }
    fn reserve_rows(&mut self, rows: usize) {
        if rows > self.capacity() {
            self.reserve_exact(rows - self.len());
        }
    }
    fn shrink(&mut self) {
        self.shrink_to_fit();
    }
}

/// Every event table: its rows and its columns.
fn tables(t: &mut Trace) -> [(usize, Vec<&mut dyn Column>); 6] {
    macro_rules! table {
        ($t:expr, $len:ident, [$($c:ident),*]) => {
            ($t.$len.len(), vec![$( &mut $t.$c as &mut dyn Column ),*])
        };
    }
    let (g, r, o, p, a, l) =
        (&mut t.gpu, &mut t.runtime, &mut t.cpu_ops, &mut t.python, &mut t.annotations, &mut t.flows);
    [
        table!(
            g,
            name,
            [
                kind,
                name,
                track,
                device,
                stream,
                start_ns,
                dur_ns,
                correlation,
                external_id,
                bytes,
                annotation
            ]
        ),
        table!(r, name, [name, kind, track, start_ns, dur_ns, correlation, external_id, kernel]),
        table!(
            o,
            name,
            [
                name,
                track,
                start_ns,
                dur_ns,
                external_id,
                input_dims,
                input_types,
                input_strides,
                concrete_inputs,
                call_stack
            ]
        ),
        table!(p, name, [name, track, start_ns, dur_ns]),
        table!(a, name, [name, track, start_ns, dur_ns, external_id, on_gpu]),
        table!(l, id, [id, phase, kind, track, ts_ns]),
    ]
}

/// Rows scaled from `parsed` bytes of text to `total`, with headroom.
fn scaled(rows: usize, parsed: u64, total: u64) -> u64 {
    let parsed = parsed.max(1);
    let whole =
        u64::try_from(rows as u128 * u128::from(total.max(parsed)) / u128::from(parsed)).unwrap_or(u64::MAX);
    whole.saturating_add(whole * HEADROOM_PER_MILLE / 1000)
}

/// Earliest start and latest end of the timed tables' rows from `from` (one start row per
/// table) on, folded into `span`; `from` moves to the ends.
fn widen(t: &Trace, from: &mut [usize; 5], span: &mut (i64, i64)) {
    let tables: [(&[i64], &[i64]); 5] = [
        (&t.gpu.start_ns, &t.gpu.dur_ns),
        (&t.runtime.start_ns, &t.runtime.dur_ns),
        (&t.cpu_ops.start_ns, &t.cpu_ops.dur_ns),
        (&t.python.start_ns, &t.python.dur_ns),
        (&t.annotations.start_ns, &t.annotations.dur_ns),
    ];
    for ((starts, durs), from) in tables.into_iter().zip(from.iter_mut()) {
        let (starts, durs) = (starts.get(*from..).unwrap_or(&[]), durs.get(*from..).unwrap_or(&[]));
        for (s, d) in starts.iter().zip(durs) {
            span.0 = span.0.min(*s);
            span.1 = span.1.max(s.saturating_add(*d));
        }
        *from += starts.len();
    }
}

/// The JSON text of a gzip file of `compressed` bytes whose trailer says `isize` (the text's
/// size modulo 2^32), given that `text_so_far` bytes came from the first `compressed_so_far`:
/// the size with that remainder nearest the ratio's extrapolation.
#[must_use]
pub fn gzip_text_bytes(compressed: u64, isize: u32, compressed_so_far: u64, text_so_far: u64) -> u64 {
    let approx = u128::from(compressed) * u128::from(text_so_far) / u128::from(compressed_so_far.max(1));
    let approx = u64::try_from(approx).unwrap_or(u64::MAX);
    let low = u64::from(isize);
    let k = (approx.saturating_sub(low) + (1 << 31)) >> 32;
    low + (k << 32)
}

/// What the caller said about the whole text's size.
#[derive(Clone, Copy)]
enum Total {
    /// Its size.
    Known(u64),
    /// A gzip file's size and trailer, resolved by [`gzip_text_bytes`] once text comes.
    Gzip { compressed: u64, isize: u32 },
}

/// The loader's sizing state.
#[derive(Default)]
pub(super) struct Sizing {
    /// The whole text's size, when told.
    total: Option<Total>,
    /// The estimate, once the sample is read.
    estimate: Option<Estimate>,
    /// No reserving for a model estimated above this many bytes.
    limit: Option<u64>,
    /// Whether the columns were reserved.
    reserved: bool,
    /// Time span of the rows read so far, and the rows of each timed table it covers.
    span: (i64, i64),
    spanned: [usize; 5],
    /// Text parsed and span length at the midpoint of the text so far (`parsed / 2`),
    /// remembered as the text grows: `checkpoints[k]` at `MIN_SAMPLE / 2 << k` bytes.
    checkpoints: Vec<(u64, i64)>,
}

impl Sizing {
    /// Records the whole text's size.
    pub(super) fn expect(&mut self, total: u64) {
        self.total = Some(Total::Known(total));
    }

    /// Records a gzip file's size and its trailer's text size (mod 2^32).
    pub(super) fn expect_gzip(&mut self, compressed: u64, isize: u32) {
        self.total = Some(Total::Gzip { compressed, isize });
    }

    /// Reserves nothing for a model estimated above `limit` bytes.
    pub(super) fn limit(&mut self, limit: u64) {
        self.limit = Some(limit);
    }

    /// The estimate, once made.
    pub(super) fn estimate(&self) -> Option<Estimate> {
        self.estimate
    }

    /// At the end of the load: a reserved column gives back what the estimate overshot (an
    /// allocator shrinks in place, so the analysis can use the space).
    pub(super) fn finish(&self, trace: &mut Trace) {
        if self.reserved {
            for (_, columns) in tables(trace) {
                columns.into_iter().for_each(Column::shrink);
            }
        }
    }

    /// After each parse of `parsed` bytes of text so far: once the sample is read,
    /// estimates and reserves every column's final rows; later tops up a table that is
    /// nearly full, re-estimated from the rows read by then (a trace whose mix changes).
    /// `bytes_in`, `bytes_text`: input and text so far (for a gzip file's size).
    pub(super) fn after_parse(&mut self, trace: &mut Trace, parsed: u64, bytes_in: u64, bytes_text: u64) {
        let total = match self.total {
            None => return,
            Some(Total::Known(t)) => t,
            Some(Total::Gzip { .. }) if bytes_text < MIN_SAMPLE => return,
            Some(Total::Gzip { compressed, isize }) => {
                let t = gzip_text_bytes(compressed, isize, bytes_in, bytes_text);
                self.total = Some(Total::Known(t));
                t
            }
        };
        if parsed >= total {
            return;
        }
        if self.spanned == [0; 5] && self.span == (0, 0) {
            self.span = (i64::MAX, i64::MIN);
        }
        widen(trace, &mut self.spanned, &mut self.span);
        let span_len = self.span.1.saturating_sub(self.span.0).max(0);
        while parsed >= (MIN_SAMPLE / 2) << self.checkpoints.len() {
            self.checkpoints.push((parsed, span_len));
        }
        if parsed < MIN_SAMPLE {
            return;
        }
        let span_ns = if self.span.0 > self.span.1 { (0, 0) } else { self.span };
        // The checkpoint at or below half of what is parsed (there is one: MIN_SAMPLE / 2).
        let half = self.checkpoints.iter().rev().find(|c| c.0 <= parsed / 2 + 1).or(self.checkpoints.first());
        let whole_span_ns = half.map_or(span_len, |&(at, len)| {
            let slope = (span_len - len) as f64 / parsed.saturating_sub(at).max(1) as f64;
            span_len.saturating_add((slope * total.saturating_sub(parsed) as f64) as i64)
        });
        let (mut rows, mut model_bytes) = (0u64, 0u64);
        for (len, columns) in tables(trace) {
            let want = scaled(len, parsed, total);
            rows = rows.saturating_add(want);
            model_bytes = columns
                .iter()
                .fold(model_bytes, |sum, c| sum.saturating_add(want.saturating_mul(c.row_bytes() as u64)));
        }
        self.estimate = Some(Estimate {
            sampled_bytes: parsed,
            text_bytes: total,
            rows,
            model_bytes,
            span_ns,
            whole_span_ns,
        });
        if self.limit.is_some_and(|limit| model_bytes > limit)
            || parsed < (total / RESERVE_SHARE).max(MIN_SAMPLE)
        {
            return;
        }
        let first = !self.reserved;
        self.reserved = true;
        for (len, columns) in tables(trace) {
            let want = usize::try_from(scaled(len, parsed, total)).unwrap_or(usize::MAX);
            // Later batches: only a table within 1/16 of its capacity, by its re-estimated
            // rows still to come, from 1/8 to 1/2 of its rows so far.
            let nearly_full = columns.first().is_some_and(|c| len + len / 16 >= c.capacity_rows());
            let top_up = len + want.saturating_sub(len).clamp(len / 8, len / 2);
            for c in columns {
                if first {
                    c.reserve_rows(want);
                } else if nearly_full && len > 0 {
                    c.reserve_rows(top_up);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Loader;

    /// About `mb` MB of JSON: kernels, CPU ops and Python frames, one millisecond apart.
    fn big(mb: usize) -> Vec<u8> {
        let mut text = b"{\"traceEvents\": [\n".to_vec();
        let mut i = 0u64;
        while text.len() < mb << 20 {
            let ts = i * 1000;
            let line = format!(
                "{{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"gemm\", \"pid\": 0, \"tid\": 7, \"ts\": {ts}, \"dur\": 5, \"args\": {{\"stream\": 7, \"correlation\": {i}}}}},\n\
                 {{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::mm\", \"pid\": 1, \"tid\": 1, \"ts\": {ts}, \"dur\": 9}},\n\
                 {{\"ph\": \"X\", \"cat\": \"python_function\", \"name\": \"f\", \"pid\": 1, \"tid\": 1, \"ts\": {ts}, \"dur\": 9}},\n"
            );
            text.extend_from_slice(line.as_bytes());
            i += 1;
        }
        text.extend_from_slice(
            b"{\"ph\": \"M\", \"name\": \"process_name\", \"pid\": 0, \"args\": {\"name\": \"gpu\"}}]}",
        );
        text
    }

    fn load_with(text: &[u8], set: impl FnOnce(&mut Loader)) -> (Trace, Option<Estimate>) {
        let mut loader = Loader::new();
        set(&mut loader);
        let mut estimate = None;
        for chunk in text.chunks(1 << 20) {
            loader.push(chunk).expect("loads");
            estimate = estimate.or(loader.estimate());
        }
        (loader.finish().expect("finishes"), estimate)
    }

    #[test]
    fn reserving_from_an_estimate_changes_capacity_not_the_trace() {
        let text = big(40);
        let (plain, none) = load_with(&text, |_| {});
        assert!(none.is_none(), "no estimate without a size");
        let (sized, estimate) = load_with(&text, |l| l.expect_text_bytes(text.len() as u64));
        assert_eq!(plain, sized);
        let e = estimate.expect("an estimate after 16 MiB");
        assert!(e.sampled_bytes >= MIN_SAMPLE && e.sampled_bytes < text.len() as u64);
        let rows = (plain.gpu.len() + plain.cpu_ops.len() + plain.python.len()) as u64;
        assert!(e.rows.abs_diff(rows) * 20 < rows, "{} rows estimated, {rows} read", e.rows);
        // The first sample starts at time 0; the steps are written in time order, 1 ms apart.
        assert_eq!(e.span_ns.0, 0);
        let steps_ns = plain.gpu.len() as i64 * 1_000_000;
        assert!(
            e.whole_span_ns.abs_diff(steps_ns) * 20 < steps_ns as u64,
            "{} ns of {steps_ns}",
            e.whole_span_ns
        );
        let len = sized.python.len();
        assert_eq!(sized.python.start_ns.capacity(), len, "reserved, then what was left over given back");
    }

    #[test]
    fn a_model_over_its_limit_is_estimated_but_not_reserved() {
        let text = big(20);
        let (trace, estimate) = load_with(&text, |l| {
            l.expect_text_bytes(text.len() as u64 * 64);
            l.limit_model_bytes(1 << 20);
        });
        let e = estimate.expect("an estimate");
        assert!(e.model_bytes > 1 << 20);
        assert!(trace.python.start_ns.capacity() < 2 * trace.python.len() + 16, "nothing reserved for 64×");
    }

    #[test]
    fn a_window_keeps_only_the_events_it_overlaps() {
        let text = big(1);
        let (all, _) = load_with(&text, |_| {});
        let (window, _) = load_with(&text, |l| l.keep_window(10_000_000, 19_999_999));
        // Steps 10 000..19 999 µs: ten kernels (one per ms), ten CPU ops and ten frames.
        assert_eq!(window.gpu.len(), 10);
        assert_eq!(window.python.len(), 10);
        assert!(window.gpu.start_ns.iter().all(|&t| (10_000_000..20_000_000).contains(&t)));
        assert_eq!(window.cpu_ops.len(), 10);
        assert!(all.gpu.len() > 1000);
        assert_eq!(window.tracks.process_names.len(), 1, "metadata kept");
        assert_eq!(window.counts.total, all.counts.total);
    }

    #[test]
    fn a_gzip_trailer_gives_the_text_size_beyond_4_gib() {
        let text: u64 = 8_700_000_000;
        let isize = (text % (1 << 32)) as u32;
        // 650 MB of gzip; the first 64 MB of it gave 850 MB of text (a ratio 2% off).
        assert_eq!(gzip_text_bytes(650_000_000, isize, 64_000_000, 850_000_000), text);
        assert_eq!(gzip_text_bytes(1_000, 5_000, 0, 0), 5_000);
    }
}
