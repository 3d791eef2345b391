//! Folders walked one way for every caller: entries sorted by path, folders entered up to
//! a depth, with optional rules for hidden entries, symbolic links, an excluded folder and
//! unreadable folders.

use std::path::{Path, PathBuf};

use crate::Error;

/// How to walk a folder; [`Walk::files`] does it.
#[derive(Clone, Debug)]
pub struct Walk<'a> {
    depth: usize,
    hidden: bool,
    links: bool,
    lenient: bool,
    exclude: Option<&'a Path>,
}

impl<'a> Walk<'a> {
    /// Files of a folder and of its sub-folders down to `depth` levels below it (0: the
    /// folder's own files only). By default hidden entries are kept, symbolic links are
    /// followed, and an unreadable folder is an error.
    #[must_use]
    pub fn new(depth: usize) -> Self {
        Walk { depth, hidden: true, links: true, lenient: false, exclude: None }
    }

    /// Leaves out entries whose name starts with `.`.
    #[must_use]
    pub fn skip_hidden(mut self) -> Self {
        self.hidden = false;
        self
    }

    /// Neither follows nor lists symbolic links: only real files and folders.
    #[must_use]
    pub fn no_links(mut self) -> Self {
        self.links = false;
        self
    }

    /// Passes over folders that cannot be listed instead of failing.
    #[must_use]
    pub fn lenient(mut self) -> Self {
        self.lenient = true;
        self
    }

    /// Never enters or lists `dir` (compared by canonical path).
    #[must_use]
    pub fn exclude(mut self, dir: &'a Path) -> Self {
        self.exclude = Some(dir);
        self
    }

    /// The files under `dir`, depth first, each folder's entries sorted by path.
    ///
    /// # Errors
    /// A folder that cannot be listed (unless [`lenient`](Walk::lenient)).
    pub fn files(&self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        let mut out = Vec::new();
        self.walk(dir, 0, &mut out)?;
        Ok(out)
    }

    fn walk(&self, dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), Error> {
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(_) if self.lenient => return Ok(()),
            Err(e) => return Err(Error::io("list", dir)(e)),
        };
        let mut entries: Vec<(PathBuf, Option<std::fs::FileType>)> =
            entries.filter_map(Result::ok).map(|e| (e.path(), e.file_type().ok())).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, kind) in entries {
            let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if (hidden && !self.hidden) || self.exclude.is_some_and(|x| same_path(&path, x)) {
                continue;
            }
            let (is_dir, is_file) = if self.links {
                (path.is_dir(), true)
            } else {
                (kind.is_some_and(|k| k.is_dir()), kind.is_some_and(|k| k.is_file()))
            };
            if is_dir {
                if depth < self.depth {
                    self.walk(&path, depth + 1, out)?;
                }
            } else if is_file {
                out.push(path);
            }
        }
        Ok(())
    }
}

/// Whether two paths name the same file or folder.
fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_order_hidden_links_and_exclusion() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for f in ["b.json", "a.json", ".hidden.json", "one/x.json", "one/two/y.json", "out/z.json"] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, b"{}").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("a.json"), root.join("link.json")).unwrap();
        let names = |w: &Walk<'_>| -> Vec<String> {
            w.files(root)
                .unwrap()
                .iter()
                .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
                .collect()
        };
        let all = names(&Walk::new(4));
        assert_eq!(all.first().map(String::as_str), Some(".hidden.json"));
        assert!(all.contains(&"one/two/y.json".to_owned()));
        assert!(!names(&Walk::new(1)).contains(&"one/two/y.json".to_owned()), "depth 1");
        assert!(names(&Walk::new(0)).iter().all(|n| !n.contains('/')), "depth 0");
        let excluded = root.join("out");
        let some = names(&Walk::new(4).skip_hidden().exclude(&excluded));
        assert!(!some.iter().any(|n| n.starts_with('.') || n.starts_with("out/")), "{some:?}");
        #[cfg(unix)]
        {
            assert!(all.contains(&"link.json".to_owned()));
            assert!(!names(&Walk::new(4).no_links()).contains(&"link.json".to_owned()));
        }
        let missing = root.join("missing");
        assert!(Walk::new(1).files(&missing).unwrap_err().to_string().starts_with("cannot list "));
        assert!(Walk::new(1).lenient().files(&missing).unwrap().is_empty());
    }
}
