//! One trace event, scanned from the buffer into borrowed fields. Only the keys some
//! report uses are decoded; every other key is skipped without allocation.

use super::number;
#[cfg(test)]
use super::scan::Stop;
use super::scan::{Cur, RawStr, Scan};

/// A `pid`, `tid` or flow `id` as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RawKey<'a> {
    Int(i64),
    Str(RawStr<'a>),
}

impl PartialEq for RawStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw && self.escaped == other.escaped
    }
}
impl Eq for RawStr<'_> {}

/// An integer argument: present, `null`, or present but not a usable integer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum IntArg {
    #[default]
    Absent,
    Null,
    Value(i64),
    Bad,
}

impl IntArg {
    pub(crate) fn value(self) -> Option<i64> {
        match self {
            IntArg::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// The `args` keys the engine uses.
#[derive(Default)]
pub(crate) struct RawArgs<'a> {
    pub external_id: IntArg,
    pub correlation: IntArg,
    pub stream: IntArg,
    pub device: IntArg,
    pub bytes: IntArg,
    pub sort_index: IntArg,
    /// `args.name` of metadata events.
    pub name: Option<RawStr<'a>>,
    /// `args.labels` of `process_labels`.
    pub labels: Option<RawStr<'a>>,
    pub call_stack: Option<RawStr<'a>>,
    pub input_dims: Option<&'a [u8]>,
    /// `Input type` (dtype per argument), raw JSON.
    pub input_types: Option<&'a [u8]>,
    /// `Input Strides`, raw JSON.
    pub input_strides: Option<&'a [u8]>,
    /// `Concrete Inputs` (scalar argument values as text), raw JSON.
    pub concrete_inputs: Option<&'a [u8]>,
    /// `args.kernel` of launch calls.
    pub kernel: Option<RawStr<'a>>,
    /// `args.original_stream`: the hardware stream of a GPU activity PyTorch moved onto a
    /// logical lane (its `tid` and `args.stream` are then the lane).
    pub original_stream: IntArg,
    /// `args["graph node id"]`: the CUDA graph node a replayed activity came from (0 or
    /// absent for eager work).
    pub graph_node: IntArg,
    /// Baked graph annotation fields (PyTorch's `cuda_graph_annotations` export):
    /// `module_fqn` or `module_name`.
    pub module: Option<RawStr<'a>>,
    /// A bare-string baked annotation (`args.annotation`).
    pub annotation: Option<RawStr<'a>>,
}

/// An event's fields.
#[derive(Default)]
pub(crate) struct RawEvent<'a> {
    pub ph: Option<RawStr<'a>>,
    pub cat: Option<RawStr<'a>>,
    pub name: Option<RawStr<'a>>,
    pub pid: Option<RawKey<'a>>,
    pub tid: Option<RawKey<'a>>,
    /// `ts` in ns; `Some(None)` when present but unusable.
    pub ts: Option<Option<i64>>,
    pub dur: Option<Option<i64>>,
    pub id: Option<RawKey<'a>>,
    pub args: RawArgs<'a>,
}

/// Parses an event object; the cursor must be on `{`.
pub(crate) fn parse_event<'a>(c: &mut Cur<'a>) -> Scan<RawEvent<'a>> {
    let mut ev = RawEvent::default();
    c.object(|c, key| {
        if key.escaped {
            return c.skip_value();
        }
        // Dispatch on length first: one comparison instead of a chain of slice compares.
        match (key.raw.len(), key.raw) {
            (2, b"ph") => ev.ph = Some(c.string()?),
            (2, b"ts") => ev.ts = Some(time_value(c)?),
            (2, b"id") => ev.id = Some(key_value(c)?),
            (3, b"cat") => ev.cat = Some(c.string()?),
            (3, b"pid") => ev.pid = Some(key_value(c)?),
            (3, b"tid") => ev.tid = Some(key_value(c)?),
            (3, b"dur") => ev.dur = Some(time_value(c)?),
            (4, b"name") => ev.name = Some(c.string()?),
            (4, b"args") if c.peek()? == b'{' => parse_args(c, &mut ev.args)?,
            _ => c.skip_value()?,
        }
        Ok(())
    })?;
    Ok(ev)
}

fn parse_args<'a>(c: &mut Cur<'a>, args: &mut RawArgs<'a>) -> Scan<()> {
    c.object(|c, key| {
        if key.escaped {
            return c.skip_value();
        }
        match (key.raw.len(), key.raw) {
            (11, b"External id" | b"external id" | b"correlation") => {
                let v = int_value(c)?;
                if key.raw.first() == Some(&b'c') { args.correlation = v } else { args.external_id = v }
            }
            (6, b"stream") => args.stream = int_value(c)?,
            (6, b"device") => args.device = int_value(c)?,
            (5, b"bytes") => args.bytes = int_value(c)?,
            (10, b"sort_index") => args.sort_index = int_value(c)?,
            (4, b"name") => args.name = string_or_skip(c)?,
            (6, b"labels") => args.labels = string_or_skip(c)?,
            (10, b"Call stack") => args.call_stack = string_or_skip(c)?,
            (10, b"Input Dims") => args.input_dims = Some(c.value_span()?),
            (10, b"Input type") => args.input_types = Some(c.value_span()?),
            (13, b"Input Strides") => args.input_strides = Some(c.value_span()?),
            (15, b"Concrete Inputs") => args.concrete_inputs = Some(c.value_span()?),
            (6, b"kernel") => args.kernel = string_or_skip(c)?,
            (15, b"original_stream") => args.original_stream = int_value(c)?,
            (13, b"graph node id") => args.graph_node = int_value(c)?,
            (10, b"module_fqn") | (11, b"module_name") => args.module = string_or_skip(c)?,
            (10, b"annotation") => args.annotation = string_or_skip(c)?,
            _ => c.skip_value()?,
        }
        Ok(())
    })
}

fn string_or_skip<'a>(c: &mut Cur<'a>) -> Scan<Option<RawStr<'a>>> {
    if c.peek()? == b'"' {
        Ok(Some(c.string()?))
    } else {
        c.skip_value()?;
        Ok(None)
    }
}

/// An int, a string (numeric strings become ints), or anything else (skipped → Str "").
fn key_value<'a>(c: &mut Cur<'a>) -> Scan<RawKey<'a>> {
    match c.peek()? {
        b'"' => {
            let s = c.string()?;
            if !s.escaped
                && let Some(v) = number::integer(s.raw)
            {
                return Ok(RawKey::Int(v));
            }
            Ok(RawKey::Str(s))
        }
        b'-' | b'0'..=b'9' => {
            let span = c.number_span()?;
            match number::integer(span) {
                Some(v) => Ok(RawKey::Int(v)),
                // Out-of-range or fractional ids keep their text.
                None => Ok(RawKey::Str(RawStr { raw: span, escaped: false })),
            }
        }
        _ => {
            c.skip_value()?;
            Ok(RawKey::Str(RawStr { raw: b"", escaped: false }))
        }
    }
}

/// A µs number (or numeric string) as ns; `None` inside when unusable.
fn time_value(c: &mut Cur<'_>) -> Scan<Option<i64>> {
    match c.peek()? {
        b'-' | b'0'..=b'9' => Ok(number::micros_to_ns(c.number_span()?)),
        b'"' => {
            let s = c.string()?;
            Ok(number::micros_to_ns(s.raw))
        }
        _ => {
            c.skip_value()?;
            Ok(None)
        }
    }
}

fn int_value(c: &mut Cur<'_>) -> Scan<IntArg> {
    match c.peek()? {
        b'-' | b'0'..=b'9' => Ok(number::integer(c.number_span()?).map_or(IntArg::Bad, IntArg::Value)),
        b'n' => {
            c.skip_value()?;
            Ok(IntArg::Null)
        }
        b'"' => {
            let s = c.string()?;
            Ok(number::integer(s.raw).map_or(IntArg::Bad, IntArg::Value))
        }
        _ => {
            c.skip_value()?;
            Ok(IntArg::Bad)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_kineto_kernel() {
        let text = br#"{"ph": "X", "cat": "kernel", "name": "void k<int>(float*)", "pid": 0, "tid": 128,
            "ts": 5901696820282.15, "dur": 1.472, "args": {"queued": 0, "device": 0, "stream": 128,
            "correlation": 118, "grid": [1, 2, 3], "block": [128, 1, 1], "External id": 7,
            "Comms Id": 10159970886766084423, "nested": {"a": [1, {"b": "}"}]}}}"#;
        let mut c = Cur::new(text, 0);
        let ev = parse_event(&mut c).expect("event");
        assert_eq!(c.i, text.len());
        assert!(ev.ph.is_some_and(|p| p.is(b"X")));
        assert!(ev.cat.is_some_and(|p| p.is(b"kernel")));
        assert_eq!(ev.pid, Some(RawKey::Int(0)));
        assert_eq!(ev.tid, Some(RawKey::Int(128)));
        assert_eq!(ev.ts, Some(Some(5_901_696_820_282_150)));
        assert_eq!(ev.dur, Some(Some(1472)));
        assert_eq!(ev.args.correlation, IntArg::Value(118));
        assert_eq!(ev.args.external_id, IntArg::Value(7));
    }

    #[test]
    fn legacy_string_ids_and_nulls() {
        let text = br#"{"ph":"X","cat":"Operator","name":"aten::empty","pid":25738,"tid":"25738","ts":1623142623460111,"dur":25,
            "args":{"external id":2,"Python parent id":null,"Call stack":"a.py(1): f;b.py(2): g"}}"#;
        let mut c = Cur::new(text, 0);
        let ev = parse_event(&mut c).expect("event");
        assert_eq!(ev.tid, Some(RawKey::Int(25738)));
        assert_eq!(ev.ts, Some(Some(1_623_142_623_460_111_000)));
        assert_eq!(ev.args.external_id, IntArg::Value(2));
        assert_eq!(ev.args.correlation, IntArg::Absent);
        assert!(ev.args.call_stack.is_some());
        let text = br#"{"ph":"X","pid":0,"tid":"stream 7","ts":"12.5"}"#;
        let ev = parse_event(&mut Cur::new(text, 0)).expect("event");
        assert!(matches!(ev.tid, Some(RawKey::Str(s)) if s.raw == b"stream 7"));
        assert_eq!(ev.ts, Some(Some(12_500)));
    }

    #[test]
    fn incomplete_and_invalid() {
        let text = br#"{"ph": "X", "name": "a", "args": {"x": [1,2]}}"#;
        for cut in 0..text.len() {
            let r = parse_event(&mut Cur::new(&text[..cut], 0));
            assert!(matches!(r, Err(Stop::Incomplete)), "cut {cut}");
        }
        let bad = br#"{"ph": "X" "name": "a"}"#;
        assert!(matches!(parse_event(&mut Cur::new(bad, 0)), Err(Stop::Invalid { .. })));
    }
}
