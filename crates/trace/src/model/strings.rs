//! The string table: every name in a trace is stored once and referred to by a [`Sym`].
//!
//! Kernel names run to 1–2 KB and repeat thousands of times, Python frame names repeat
//! on every sample, so interning is what keeps the model small. All strings live in one
//! arena; the hash table stores only indices into it.

use core::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// A reference to an interned string in a [`Strings`] table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u32);

impl Sym {
    /// The empty string; every table interns it first.
    pub const EMPTY: Sym = Sym(0);
    /// Marks "no string" in a column where a value is optional.
    pub const NONE: Sym = Sym(u32::MAX);

    /// Whether this is [`Sym::NONE`].
    #[must_use]
    pub fn is_none(self) -> bool {
        self == Sym::NONE
    }

    /// The symbol as an index into per-string side tables.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An append-only interner: one arena of text plus `(start, len)` spans.
#[derive(Clone, Default)]
pub struct Strings {
    arena: String,
    spans: Vec<(u32, u32)>,
    table: HashTable<u32>,
}

/// Two tables are equal when they hold the same texts under the same symbols.
impl PartialEq for Strings {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|((_, a), (_, b))| a == b)
    }
}

impl core::fmt::Debug for Strings {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Strings").field("len", &self.spans.len()).finish()
    }
}

fn hash(text: &[u8]) -> u64 {
    FxBuildHasher.hash_one(text)
}

/// Byte equality, 8 bytes at a time. Slice `==` becomes a `memcmp` call, which in wasm32
/// is a byte-at-a-time loop the optimiser cannot see into; interning compares every
/// repeated name in the trace, so this is on the parser's hot path.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |c: &[u8]| <[u8; 8]>::try_from(c).map_or(0, u64::from_ne_bytes);
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    ca.zip(cb).all(|(x, y)| word(x) == word(y)) && ta.iter().zip(tb).all(|(x, y)| x == y)
}

impl Strings {
    /// A table holding only the empty string (as [`Sym::EMPTY`]).
    #[must_use]
    pub fn new() -> Self {
        let mut s = Strings { arena: String::new(), spans: Vec::new(), table: HashTable::new() };
        s.intern("");
        s
    }

    /// Number of distinct strings.
    #[must_use]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the table is empty (never true after [`Strings::new`]).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The text of `sym`; the empty string for [`Sym::NONE`] or an unknown symbol.
    #[must_use]
    pub fn get(&self, sym: Sym) -> &str {
        match self.spans.get(sym.index()) {
            Some(&(start, len)) => {
                let (start, len) = (start as usize, len as usize);
                self.arena.get(start..start + len).unwrap_or("")
            }
            None => "",
        }
    }

    /// Looks `text` up without inserting it.
    #[must_use]
    pub fn lookup(&self, text: &str) -> Option<Sym> {
        let bytes = text.as_bytes();
        self.table.find(hash(bytes), |&i| self.bytes_of(i) == bytes).map(|&i| Sym(i))
    }

    fn bytes_of(&self, index: u32) -> &[u8] {
        match self.spans.get(index as usize) {
            Some(&(start, len)) => {
                let (start, len) = (start as usize, len as usize);
                self.arena.as_bytes().get(start..start + len).unwrap_or(&[])
            }
            None => &[],
        }
    }

    /// Interns `text`, returning the existing symbol when it is already present.
    pub fn intern(&mut self, text: &str) -> Sym {
        let bytes = text.as_bytes();
        let h = hash(bytes);
        if let Some(&i) = self.table.find(h, |&i| self.bytes_of(i) == bytes) {
            return Sym(i);
        }
        let start = self.arena.len();
        self.arena.push_str(text);
        // A trace with more than 4 GiB of distinct text does not fit the wasm address
        // space anyway; saturate rather than wrap so lookups stay consistent.
        let index = u32::try_from(self.spans.len()).unwrap_or(u32::MAX - 1);
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let len = u32::try_from(text.len()).unwrap_or(0);
        self.spans.push((start, len));
        let Strings { arena, spans, table } = self;
        table.insert_unique(h, index, |&i| {
            let (s, l) = spans.get(i as usize).copied().unwrap_or((0, 0));
            hash(arena.as_bytes().get(s as usize..(s + l) as usize).unwrap_or(&[]))
        });
        Sym(index)
    }

    /// Interns raw bytes from the input; invalid UTF-8 is replaced, never rejected.
    ///
    /// The lookup compares bytes, so text already in the table (the common case: names
    /// repeat) is found without re-validating its UTF-8.
    pub fn intern_bytes(&mut self, bytes: &[u8]) -> Sym {
        if let Some(&i) = self.table.find(hash(bytes), |&i| same_bytes(self.bytes_of(i), bytes)) {
            return Sym(i);
        }
        match core::str::from_utf8(bytes) {
            Ok(text) => self.intern(text),
            Err(_) => self.intern(&String::from_utf8_lossy(bytes)),
        }
    }

    /// Every symbol in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (Sym, &str)> {
        (0..self.spans.len()).map(move |i| {
            let sym = Sym(u32::try_from(i).unwrap_or(u32::MAX));
            (sym, self.get(sym))
        })
    }

    /// The distinct symbols of a column, in ascending order (what sorting a copy of the
    /// column and removing duplicates gives, without the copy: a column of Python frame
    /// names has millions of rows but a few thousand distinct names). Symbols this table
    /// did not hand out ([`Sym::NONE`] and strays) come last, in order.
    #[must_use]
    pub fn distinct(&self, column: &[Sym]) -> Vec<Sym> {
        let mut seen = vec![false; self.spans.len()];
        let mut strays: Vec<Sym> = Vec::new();
        for &s in column {
            match seen.get_mut(s.index()) {
                Some(slot) => *slot = true,
                None => strays.push(s),
            }
        }
        strays.sort_unstable();
        strays.dedup();
        let known = seen
            .iter()
            .enumerate()
            .filter(|&(_, &on)| on)
            .map(|(i, _)| Sym(u32::try_from(i).unwrap_or(u32::MAX)));
        known.chain(strays).collect()
    }

    /// Approximate heap bytes held by the table.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.spans.capacity() * 8 + self.table.capacity() * 5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_is_sort_and_dedup_of_the_column() {
        let mut t = Strings::new();
        let (b, a) = (t.intern("b"), t.intern("a"));
        let column = [a, Sym::NONE, b, a, Sym::EMPTY, Sym(999), b, Sym::NONE];
        let mut expected = column.to_vec();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(t.distinct(&column), expected);
        assert!(t.distinct(&[]).is_empty());
    }

    #[test]
    fn same_bytes_is_byte_equality() {
        let texts: [&[u8]; 7] =
            [b"", b"a", b"abcdefgh", b"abcdefgi", b"abcdefghX", b"abcdefghY", b"abcdefgh12345678"];
        for a in texts {
            for b in texts {
                assert_eq!(same_bytes(a, b), a == b, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn interns_once_and_round_trips() {
        let mut s = Strings::new();
        let a = s.intern("void kernel<int>(float*)");
        let b = s.intern("aten::mm");
        assert_eq!(s.intern("void kernel<int>(float*)"), a);
        assert_ne!(a, b);
        assert_eq!(s.get(a), "void kernel<int>(float*)");
        assert_eq!(s.get(b), "aten::mm");
        assert_eq!(s.get(Sym::EMPTY), "");
        assert_eq!(s.get(Sym::NONE), "");
        assert_eq!(s.lookup("aten::mm"), Some(b));
        assert_eq!(s.lookup("missing"), None);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn many_strings_survive_rehash() {
        let mut s = Strings::new();
        let syms: Vec<Sym> = (0..10_000).map(|i| s.intern(&format!("name{i}"))).collect();
        for (i, sym) in syms.iter().enumerate() {
            assert_eq!(s.get(*sym), format!("name{i}"));
            assert_eq!(s.lookup(&format!("name{i}")), Some(*sym));
        }
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let mut s = Strings::new();
        let sym = s.intern_bytes(b"ab\xffcd");
        assert_eq!(s.get(sym), "ab\u{fffd}cd");
    }
}
