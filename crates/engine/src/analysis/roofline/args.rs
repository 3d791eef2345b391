//! A CPU op's recorded arguments (`Input Dims`, `Input type`, `Concrete Inputs`, which
//! torch.profiler writes with `record_shapes=True`) read into tensors with shapes and
//! dtypes and scalar values. The text is JSON as the trace wrote it; anything that does
//! not parse gives fewer facts, never an error.

use super::dtype::Dtype;

/// One tensor argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tensor {
    /// Its shape (empty for a 0-dimensional tensor).
    pub dims: Vec<u64>,
    /// Its element type, when the trace names one the roofline knows.
    pub dtype: Option<Dtype>,
    /// Its strides, when recorded (`Input Strides`): a 0 stride is a broadcast dimension
    /// whose elements are one element in memory.
    pub strides: Option<Vec<u64>>,
}

impl Tensor {
    /// Number of elements.
    #[must_use]
    pub(crate) fn numel(&self) -> f64 {
        self.dims.iter().map(|&d| d as f64).product()
    }

    /// Elements it holds in memory: without the broadcast (stride 0) dimensions when the
    /// strides are known, else every element.
    #[must_use]
    pub(crate) fn footprint(&self) -> f64 {
        match &self.strides {
            Some(s) if s.len() == self.dims.len() => {
                self.dims.iter().zip(s).filter(|(_, st)| **st != 0).map(|(&d, _)| d as f64).product()
            }
            _ => self.numel(),
        }
    }

    /// Bytes it occupies in memory, what reading it moves (`None` without a known dtype).
    #[must_use]
    pub(crate) fn bytes(&self) -> Option<f64> {
        Some(self.footprint() * self.dtype?.bytes())
    }

    /// Bytes of a dense tensor of its shape and type: what writing a new one moves.
    #[must_use]
    pub(crate) fn dense_bytes(&self) -> Option<f64> {
        Some(self.numel() * self.dtype?.bytes())
    }

    /// Dimension `i` from the end (`0`: the last), if it has it.
    #[must_use]
    pub(crate) fn last(&self, i: usize) -> Option<u64> {
        let n = self.dims.len();
        if i < n { self.dims.get(n - 1 - i).copied() } else { None }
    }

    /// Product of every dimension but the last `keep`.
    #[must_use]
    pub(crate) fn leading(&self, keep: usize) -> u64 {
        let n = self.dims.len().saturating_sub(keep);
        self.dims.iter().take(n).product()
    }
}

/// One argument of an op.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Arg {
    /// A tensor.
    Tensor(Tensor),
    /// A list of tensors (`TensorList`).
    List(Vec<Tensor>),
    /// Anything else: a scalar, a list of scalars, `None`.
    Other,
}

/// An op's arguments, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Args {
    /// Each argument.
    pub args: Vec<Arg>,
    /// Each argument's `Concrete Inputs` text (empty for tensors).
    pub concrete: Vec<String>,
    /// Whether `Input Strides` were recorded (broadcast inputs can be told apart).
    pub has_strides: bool,
}

impl Args {
    /// Reads the recorded texts (`dims` and `types` are required for any tensor).
    #[must_use]
    pub(crate) fn parse(dims: &str, types: &str, concrete: &str, strides: &str) -> Args {
        let list = |text: &str| match Node::parse(text) {
            Some(Node::List(items)) => items,
            _ => Vec::new(),
        };
        let shapes = list(dims);
        let stride_list = list(strides);
        let types = strings(types);
        let args = shapes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let ty = types.get(i).map_or("", String::as_str);
                let mut a = arg(node, ty);
                if let (Arg::Tensor(t), Some(Node::List(s))) = (&mut a, stride_list.get(i)) {
                    t.strides = self::dims(s);
                }
                a
            })
            .collect();
        Args { args, concrete: strings(concrete), has_strides: !stride_list.is_empty() }
    }

    /// Tensor argument `i`, if it is one.
    #[must_use]
    pub(crate) fn tensor(&self, i: usize) -> Option<&Tensor> {
        match self.args.get(i)? {
            Arg::Tensor(t) => Some(t),
            _ => None,
        }
    }

    /// Every tensor argument (lists flattened), in order.
    pub(crate) fn tensors(&self) -> impl Iterator<Item = &Tensor> {
        self.args.iter().flat_map(|a| match a {
            Arg::Tensor(t) => std::slice::from_ref(t),
            Arg::List(l) => l.as_slice(),
            Arg::Other => &[],
        })
    }

    /// The concrete value of argument `i` as a boolean (`True`/`False`, `1`/`0`).
    #[must_use]
    pub(crate) fn flag(&self, i: usize) -> Option<bool> {
        match self.concrete.get(i)?.trim() {
            "True" | "true" | "1" => Some(true),
            "False" | "false" | "0" => Some(false),
            _ => None,
        }
    }

    /// The concrete value of argument `i` as an integer.
    #[must_use]
    pub(crate) fn int(&self, i: usize) -> Option<i64> {
        self.concrete.get(i)?.trim().parse().ok()
    }
}

/// An argument from its dims node and its type text.
fn arg(node: &Node, ty: &str) -> Arg {
    let Node::List(items) = node else { return Arg::Other };
    if ty == "TensorList" || (items.iter().any(|n| matches!(n, Node::List(_))) && !items.is_empty()) {
        let list = items
            .iter()
            .filter_map(|n| match n {
                Node::List(d) => dims(d).map(|dims| Tensor { dims, dtype: None, strides: None }),
                Node::Int(_) => None,
            })
            .collect();
        return Arg::List(list);
    }
    // A scalar, a scalar list or an absent optional has empty dims and a kind for a type.
    let dtype = Dtype::parse(ty);
    if dtype.is_none() && (ty.is_empty() || ty.starts_with("Scalar") || ty == "GenericList") {
        return Arg::Other;
    }
    match dims(items) {
        Some(dims) => Arg::Tensor(Tensor { dims, dtype, strides: None }),
        None => Arg::Other,
    }
}

/// Non-negative integer dims.
fn dims(items: &[Node]) -> Option<Vec<u64>> {
    items
        .iter()
        .map(|n| match n {
            Node::Int(v) => u64::try_from(*v).ok(),
            Node::List(_) => None,
        })
        .collect()
}

/// A JSON array of integers and arrays.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Int(i64),
    List(Vec<Node>),
}

impl Node {
    fn parse(text: &str) -> Option<Node> {
        let mut p = Parser { bytes: text.as_bytes(), at: 0, depth: 0 };
        p.node()
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn node(&mut self) -> Option<Node> {
        self.skip_space();
        match *self.bytes.get(self.at)? {
            b'[' => {
                self.depth += 1;
                if self.depth > 8 {
                    return None;
                }
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match *self.bytes.get(self.at)? {
                        b']' => {
                            self.at += 1;
                            self.depth -= 1;
                            return Some(Node::List(items));
                        }
                        b',' => self.at += 1,
                        _ => items.push(self.node()?),
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                self.at += 1;
                while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
                    self.at += 1;
                }
                std::str::from_utf8(self.bytes.get(start..self.at)?).ok()?.parse().ok().map(Node::Int)
            }
            _ => None,
        }
    }
}

/// A JSON array of strings (`["c10::BFloat16", "Scalar", ""]`); anything else gives the
/// strings read up to it.
#[must_use]
pub(crate) fn strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.trim().strip_prefix('[').unwrap_or("").chars();
    loop {
        // To the next string.
        let mut found = false;
        for c in chars.by_ref() {
            match c {
                '"' => {
                    found = true;
                    break;
                }
                ']' => return out,
                _ => {}
            }
        }
        if !found {
            return out;
        }
        let mut s = String::new();
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    closed = true;
                    break;
                }
                '\\' => match chars.next() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(other) => s.push(other),
                    None => break,
                },
                _ => s.push(c),
            }
        }
        if !closed {
            return out;
        }
        out.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_arguments_become_tensors_lists_and_scalars() {
        let a = Args::parse(
            "[[1024], [8944, 1024], [1024, 1024], [], []]",
            r#"["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "Scalar", "Scalar"]"#,
            r#"["", "", "", "1", "1"]"#,
            "[[1], [1024, 1], [1, 1024], [], []]",
        );
        assert_eq!(a.tensor(1).map(|t| t.dims.clone()), Some(vec![8944, 1024]));
        assert_eq!(a.tensor(1).and_then(Tensor::bytes), Some(8944.0 * 1024.0 * 2.0));
        assert_eq!(a.args.get(3), Some(&Arg::Other));
        assert_eq!(a.int(4), Some(1));
        let l = Args::parse(
            "[[[1, 559, 32], [1, 559, 32]], []]",
            r#"["TensorList", "Scalar"]"#,
            r#"["", "-1"]"#,
            "",
        );
        assert!(matches!(l.args.first(), Some(Arg::List(v)) if v.len() == 2));
        assert_eq!(l.int(1), Some(-1));
        // A 0-dimensional tensor keeps its dtype; an absent optional is not a tensor.
        let z = Args::parse("[[], []]", r#"["float", ""]"#, r#"["", ""]"#, "");
        assert_eq!(z.tensor(0).map(Tensor::numel), Some(1.0));
        assert!(z.tensor(1).is_none());
        // A broadcast input (stride 0) is one element per broadcast row in memory.
        let b = Args::parse("[[32, 2048, 7, 7]]", r#"["float"]"#, "", "[[2048, 1, 0, 0]]");
        assert_eq!(b.tensor(0).and_then(Tensor::bytes), Some(32.0 * 2048.0 * 4.0));
        assert_eq!(b.tensor(0).and_then(Tensor::dense_bytes), Some(32.0 * 2048.0 * 49.0 * 4.0));
        assert!(b.has_strides);
    }

    #[test]
    fn damaged_text_gives_fewer_facts_not_errors() {
        assert!(Args::parse("[[1, 2", "[\"float\"]", "", "").args.is_empty());
        assert!(Args::parse("", "", "", "").args.is_empty());
        assert_eq!(strings(r#"["a", "b\"c", "#), vec!["a".to_owned(), "b\"c".to_owned()]);
        assert!(Args::parse(&"[".repeat(100), "", "", "").args.is_empty());
        let neg = Args::parse("[[-1, 4]]", "[\"float\"]", "", "");
        assert!(neg.tensor(0).is_none(), "a negative dim is no shape");
    }
}
