//! Every module only uses what lies beneath it: no import circles between sibling modules.
//!
//! The check reads the sources of the library (`src/`), the command line (`src/bin/o365/`) and
//! the generator (`codegen/src/`), collects the paths each file names (`use crate::…`,
//! `use super::…` and inline `crate::…` / `super::…` paths; comments, strings and `quote!`
//! blocks are skipped), resolves them to the file that defines the item (following
//! re-exports), and then, for every module, looks for circles among its children: child `a`
//! depends on sibling `b` when any file inside `a` names an item defined inside `b`. A child
//! using its parent (or the parent its children) is not an edge: a parent's own items lie
//! beneath its children by construction.
//!
//! A failure lists each circle with the file and path behind every edge.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Circles that are known and owned elsewhere; each entry is the sorted set of the circle's
/// module paths. Keep this empty when possible.
const KNOWN: &[&[&str]] = &[];

type ModPath = Vec<String>;

/// Paths with the number of inline modules around each.
type Named = Vec<(Import, usize)>;

struct Crate {
    name: &'static str,
    /// module path -> file
    files: BTreeMap<ModPath, PathBuf>,
    /// file text with comments, strings and quote! blocks blanked out
    text: BTreeMap<ModPath, String>,
}

fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        i = if c == b'/' && b.get(i + 1) == Some(&b'/') {
            skip_line_comment(b, i)
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            out.push(b' ');
            skip_block_comment(b, i)
        } else if c == b'r'
            && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            blank_raw_string(b, i, &mut out)
        } else if c == b'"' {
            out.extend_from_slice(b"\"\"");
            skip_string(b, i)
        } else if c == b'\'' {
            blank_char_literal(src, i, &mut out)
        } else {
            out.push(c);
            i + 1
        };
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    blank_macro_bodies(&text, &["quote!", "quote_spanned!", "parse_quote!"])
}

/// Where the `//` comment starting at `i` ends: at its newline, which is kept.
fn skip_line_comment(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' {
        i += 1;
    }
    i
}

/// Where the (possibly nested) `/* … */` comment starting at `i` ends.
fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// Writes a raw string r"…" / r#"…"# starting at `i` as `""` and returns where it ends; an `r`
/// that starts no raw string (e.g. `r#ident`) is kept as it is.
fn blank_raw_string(b: &[u8], i: usize, out: &mut Vec<u8>) -> usize {
    let mut j = i + 1;
    let mut hashes = 0;
    while b.get(j) == Some(&b'#') {
        hashes += 1;
        j += 1;
    }
    if b.get(j) != Some(&b'"') {
        out.push(b[i]);
        return i + 1;
    }
    j += 1;
    loop {
        if j >= b.len() {
            break;
        }
        if b[j] == b'"'
            && b[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&h| h == b'#')
                .count()
                == hashes
        {
            j += 1 + hashes;
            break;
        }
        j += 1;
    }
    out.extend_from_slice(b"\"\"");
    j
}

/// Where the string literal whose opening quote is at `i` ends (after its closing quote).
fn skip_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() && b[i] != b'"' {
        if b[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i + 1
}

/// Writes a char literal starting at `i` as `' '` and returns where it ends; a lifetime's `'`
/// is kept as it is.
fn blank_char_literal(src: &str, i: usize, out: &mut Vec<u8>) -> usize {
    let b = src.as_bytes();
    if b.get(i + 1) == Some(&b'\\') {
        let mut j = i + 2;
        while j < b.len() && b[j] != b'\'' {
            j += 1;
        }
        out.extend_from_slice(b"' '");
        j + 1
    } else if b.get(i + 2) == Some(&b'\'') {
        out.extend_from_slice(b"' '");
        i + 3
    } else {
        // a multi-byte char literal or a lifetime
        let rest = &src[i + 1..];
        match rest.char_indices().nth(1) {
            Some((k, '\'')) => {
                out.extend_from_slice(b"' '");
                i + 1 + k + 1
            }
            _ => {
                out.push(b'\'');
                i + 1
            }
        }
    }
}

/// Blanks the bodies of the given macros: their paths belong to the code they write.
fn blank_macro_bodies(text: &str, names: &[&str]) -> String {
    let mut b = text.as_bytes().to_vec();
    for name in names {
        let mut from = 0;
        while let Some(at) = find(&b, name.as_bytes(), from) {
            let mut j = at + name.len();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() || !matches!(b[j], b'{' | b'(' | b'[') {
                from = at + 1;
                continue;
            }
            let end = matching(&b, j);
            for x in &mut b[j + 1..end] {
                if *x != b'\n' {
                    *x = b' ';
                }
            }
            from = end;
        }
    }
    String::from_utf8(b).unwrap()
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    (from..hay.len().saturating_sub(needle.len() - 1)).find(|&i| hay[i..].starts_with(needle))
}

/// Index of the bracket closing the one at `open`.
fn matching(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    b.len() - 1
}

fn ident_at(b: &[u8], i: usize) -> bool {
    i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_')
}

/// `mod name;` declarations of a file (outside inline modules does not matter: we only need the
/// file modules).
fn declared_mods(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        let l = l
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ");
        let l = l.trim_start_matches("pub ");
        if let Some(rest) = l.strip_prefix("mod ") {
            let rest = rest.trim();
            if let Some(name) = rest.strip_suffix(';') {
                out.push(name.trim().to_string());
            }
        }
    }
    out
}

fn load(name: &'static str, entry: &Path) -> Crate {
    let mut files = BTreeMap::new();
    let mut text = BTreeMap::new();
    let mut todo = vec![(Vec::<String>::new(), entry.to_path_buf())];
    while let Some((path, file)) = todo.pop() {
        let src = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let stripped = strip(&src);
        let dir = {
            let stem = file.file_stem().unwrap().to_str().unwrap();
            let parent = file.parent().unwrap();
            if path.is_empty() || stem == "mod" {
                parent.to_path_buf()
            } else {
                parent.join(stem)
            }
        };
        for m in declared_mods(&stripped) {
            let a = dir.join(format!("{m}.rs"));
            let b = dir.join(&m).join("mod.rs");
            let child = if a.exists() { a } else { b };
            if child.exists() {
                let mut p = path.clone();
                p.push(m);
                todo.push((p, child));
            }
        }
        files.insert(path.clone(), file);
        text.insert(path, stripped);
    }
    Crate { name, files, text }
}

/// A `use` tree flattened into full paths (as written, before resolution); `alias` is the
/// name the path is known by in the importing module.
#[derive(Debug, Clone)]
struct Import {
    path: Vec<String>,
    alias: Option<String>,
    glob: bool,
}

fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if ident_at(b, i) {
            let st = i;
            while ident_at(b, i) {
                i += 1;
            }
            out.push(s[st..i].to_string());
        } else if c == b':' && b.get(i + 1) == Some(&b':') {
            out.push("::".into());
            i += 2;
        } else {
            out.push((c as char).to_string());
            i += 1;
        }
    }
    out
}

fn parse_tree(t: &[String], i: &mut usize, prefix: &[String], out: &mut Vec<Import>) {
    let mut path = prefix.to_vec();
    loop {
        match t.get(*i).map(String::as_str) {
            Some("{") => {
                *i += 1;
                loop {
                    match t.get(*i).map(String::as_str) {
                        Some("}") => {
                            *i += 1;
                            break;
                        }
                        Some(",") => *i += 1,
                        None => return,
                        _ => parse_tree(t, i, &path, out),
                    }
                }
                return;
            }
            Some("*") => {
                *i += 1;
                out.push(Import {
                    path,
                    alias: None,
                    glob: true,
                });
                return;
            }
            Some("::") => *i += 1,
            Some(tok) if tok.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                path.push(tok.to_string());
                *i += 1;
                if t.get(*i).map(String::as_str) == Some("as") {
                    let alias = t.get(*i + 1).cloned();
                    *i += 2;
                    out.push(Import {
                        path,
                        alias,
                        glob: false,
                    });
                    return;
                }
                if t.get(*i).map(String::as_str) != Some("::") {
                    out.push(Import {
                        path,
                        alias: None,
                        glob: false,
                    });
                    return;
                }
            }
            _ => {
                *i += 1;
                return;
            }
        }
    }
}

/// Ranges of inline `mod name { … }` blocks, to count the `super::` they add.
fn inline_mods(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = find(b, b"mod ", from) {
        from = at + 4;
        if at > 0 && ident_at(b, at - 1) {
            continue;
        }
        let mut j = at + 4;
        while ident_at(b, j) || b.get(j) == Some(&b' ') {
            j += 1;
        }
        if b.get(j) == Some(&b'{') {
            out.push((j, matching(b, j)));
        }
    }
    out
}

/// Every path a file names: its `use` items and inline `crate::` / `super::` / `self::` paths,
/// with the number of inline modules around each.
fn named_paths(text: &str) -> (Named, Named) {
    let b = text.as_bytes();
    let mods = inline_mods(text);
    let depth = |pos: usize| mods.iter().filter(|(s, e)| *s < pos && pos < *e).count();
    let mut uses = Vec::new();
    let mut covered = vec![false; b.len()];
    let mut from = 0;
    while let Some(at) = find(b, b"use ", from) {
        from = at + 4;
        if at > 0 && (ident_at(b, at - 1) || b[at - 1] == b'$') {
            continue;
        }
        let Some(end) = (at..b.len()).find(|&k| b[k] == b';') else {
            break;
        };
        for c in &mut covered[at..end] {
            *c = true;
        }
        let t = tokens(&text[at + 4..end]);
        let mut i = 0;
        let mut found = Vec::new();
        parse_tree(&t, &mut i, &[], &mut found);
        let d = depth(at);
        uses.extend(found.into_iter().map(|f| (f, d)));
    }
    let mut inline = Vec::new();
    for root in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(at) = find(b, root.as_bytes(), from) {
            from = at + 1;
            if covered[at]
                || (at > 0 && (ident_at(b, at - 1) || b[at - 1] == b'$' || b[at - 1] == b':'))
            {
                continue;
            }
            inline.push((
                Import {
                    path: path_at(text, at),
                    alias: None,
                    glob: false,
                },
                depth(at),
            ));
        }
    }
    (uses, inline)
}

/// The segments of the `a::b::c` path starting at `at` (up to the first that is not followed by
/// `::` and an identifier).
fn path_at(text: &str, at: usize) -> Vec<String> {
    let b = text.as_bytes();
    let mut j = at;
    let mut path = Vec::new();
    loop {
        let st = j;
        while ident_at(b, j) {
            j += 1;
        }
        if st == j {
            break;
        }
        path.push(text[st..j].to_string());
        if b.get(j) == Some(&b':') && b.get(j + 1) == Some(&b':') && ident_at(b, j + 2) {
            j += 2;
        } else {
            break;
        }
    }
    path
}

impl Crate {
    fn is_module(&self, p: &[String]) -> bool {
        self.files.contains_key(p)
    }

    /// Makes a path absolute from the crate root, for a file at `here` inside `inline` inline
    /// modules. `None` for paths into other crates.
    fn absolute(&self, here: &[String], inline: usize, p: &[String]) -> Option<ModPath> {
        let mut at: ModPath = here.to_vec();
        let mut rest = p;
        let mut supers_left = 0usize;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                at.clear();
                rest = &rest[1..];
            }
            Some("super") | Some("self") => {
                while let Some(s) = rest.first() {
                    match s.as_str() {
                        "super" => supers_left += 1,
                        "self" => {}
                        _ => break,
                    }
                    rest = &rest[1..];
                }
                let supers = supers_left.saturating_sub(inline);
                for _ in 0..supers {
                    at.pop()?;
                }
            }
            Some(first) => {
                // relative to the current module (a child), else an external crate
                let mut child = here.to_vec();
                child.push(first.to_string());
                if !self.is_module(&child) {
                    return None;
                }
            }
            None => return None,
        }
        at.extend(rest.iter().cloned());
        Some(at)
    }

    /// The module that defines the item an absolute path names, following re-exports.
    fn resolve(&self, p: &[String], guard: usize) -> ModPath {
        let mut m: ModPath = Vec::new();
        let mut i = 0;
        while i < p.len() {
            let mut next = m.clone();
            next.push(p[i].clone());
            if self.is_module(&next) {
                m = next;
                i += 1;
            } else {
                break;
            }
        }
        if i >= p.len() || guard > 16 {
            return m;
        }
        let name = &p[i];
        if self.defines(&m, name) {
            return m;
        }
        let (uses, _) = named_paths(&self.text[&m]);
        for (u, inline) in &uses {
            if inline > &0 {
                continue;
            }
            let known_as = u.alias.as_ref().or(u.path.last());
            if !u.glob
                && known_as == Some(name)
                && let Some(abs) = self.absolute(&m, 0, &u.path)
            {
                let mut full = abs;
                full.extend(p[i + 1..].iter().cloned());
                return self.resolve(&full, guard + 1);
            }
        }
        for (u, inline) in &uses {
            if *inline == 0
                && u.glob
                && let Some(mut abs) = self.absolute(&m, 0, &u.path)
                && self.is_module(&abs)
                && (self.defines(&abs, name) || self.reexports(&abs, name))
            {
                abs.extend(p[i..].iter().cloned());
                return self.resolve(&abs, guard + 1);
            }
        }
        m
    }

    fn defines(&self, m: &[String], name: &str) -> bool {
        let t = &self.text[m];
        [
            "fn",
            "struct",
            "enum",
            "trait",
            "type",
            "const",
            "static",
            "union",
            "macro_rules!",
        ]
        .iter()
        .any(|kw| {
            let pat = format!("{kw} {name}");
            let b = t.as_bytes();
            let mut from = 0;
            while let Some(at) = find(b, pat.as_bytes(), from) {
                from = at + 1;
                if (at == 0 || !ident_at(b, at - 1)) && !ident_at(b, at + pat.len()) {
                    return true;
                }
            }
            false
        })
    }

    fn reexports(&self, m: &[String], name: &str) -> bool {
        let (uses, _) = named_paths(&self.text[m]);
        uses.iter().any(|(u, d)| {
            *d == 0
                && !u.glob
                && u.alias.as_ref().or(u.path.last()).map(String::as_str) == Some(name)
        })
    }

    /// Edges between siblings: (parent, from child, to child) -> evidence.
    fn edges(&self) -> BTreeMap<(ModPath, String, String), Vec<String>> {
        let mut out: BTreeMap<(ModPath, String, String), Vec<String>> = BTreeMap::new();
        for (here, text) in &self.text {
            let (uses, inline) = named_paths(text);
            for (u, depth) in uses.iter().chain(inline.iter()) {
                let Some(abs) = self.absolute(here, *depth, &u.path) else {
                    continue;
                };
                let target = self.resolve(&abs, 0);
                let common = here.iter().zip(&target).take_while(|(a, b)| a == b).count();
                if common == here.len() || common == target.len() {
                    continue; // an ancestor or a descendant
                }
                let key = (
                    here[..common].to_vec(),
                    here[common].clone(),
                    target[common].clone(),
                );
                let ev = format!("{} names {}", self.files[here].display(), u.path.join("::"));
                let list = out.entry(key).or_default();
                if list.len() < 3 && !list.contains(&ev) {
                    list.push(ev);
                }
            }
        }
        out
    }
}

/// Strongly connected components with more than one member (Tarjan).
fn circles(nodes: &BTreeSet<String>, adj: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut t = Tarjan {
        adj,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        on: BTreeSet::new(),
        next: 0,
        out: vec![],
    };
    for n in nodes {
        if !t.index.contains_key(n) {
            visit(&mut t, n);
        }
    }
    t.out
}

/// Tarjan's strongly connected components: the state of one walk.
struct Tarjan<'a> {
    adj: &'a BTreeMap<String, BTreeSet<String>>,
    index: BTreeMap<String, usize>,
    low: BTreeMap<String, usize>,
    stack: Vec<String>,
    on: BTreeSet<String>,
    next: usize,
    out: Vec<Vec<String>>,
}

/// Visits `v` and what it reaches, recording each component of more than one node.
fn visit(t: &mut Tarjan, v: &str) {
    t.index.insert(v.into(), t.next);
    t.low.insert(v.into(), t.next);
    t.next += 1;
    t.stack.push(v.into());
    t.on.insert(v.into());
    let succ: Vec<String> = t
        .adj
        .get(v)
        .map(|s| s.iter().cloned().collect())
        .unwrap_or_default();
    for w in succ {
        if !t.index.contains_key(&w) {
            visit(t, &w);
            let lw = t.low[&w];
            let lv = t.low.get_mut(v).unwrap();
            *lv = (*lv).min(lw);
        } else if t.on.contains(&w) {
            let iw = t.index[&w];
            let lv = t.low.get_mut(v).unwrap();
            *lv = (*lv).min(iw);
        }
    }
    if t.low[v] == t.index[v] {
        let mut comp = Vec::new();
        loop {
            let w = t.stack.pop().unwrap();
            t.on.remove(&w);
            let done = w == v;
            comp.push(w);
            if done {
                break;
            }
        }
        if comp.len() > 1 {
            comp.sort();
            t.out.push(comp);
        }
    }
}

fn report(krate: &Crate) -> Vec<String> {
    let edges = krate.edges();
    let mut by_parent: BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (parent, from, to) in edges.keys() {
        by_parent
            .entry(parent.clone())
            .or_default()
            .entry(from.clone())
            .or_default()
            .insert(to.clone());
    }
    let mut problems = Vec::new();
    for (parent, adj) in &by_parent {
        let nodes: BTreeSet<String> = adj
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.clone()).chain(v.iter().cloned()))
            .collect();
        for comp in circles(&nodes, adj) {
            let full: Vec<String> = comp
                .iter()
                .map(|c| {
                    parent
                        .iter()
                        .chain(std::iter::once(c))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("::")
                })
                .collect();
            if KNOWN
                .iter()
                .any(|k| k.iter().map(|s| s.to_string()).collect::<Vec<_>>() == full)
            {
                continue;
            }
            let mut msg = format!("{}: circle among {{{}}}", krate.name, full.join(", "));
            for from in &comp {
                for to in &comp {
                    if let Some(ev) = edges.get(&(parent.clone(), from.clone(), to.clone())) {
                        msg.push_str(&format!("\n    {from} -> {to}: {}", ev.join("; ")));
                    }
                }
            }
            problems.push(msg);
        }
    }
    problems
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_import_circles() {
    let r = root();
    let crates = [
        load("o365", &r.join("src/lib.rs")),
        load("o365 (cli)", &r.join("src/bin/o365/main.rs")),
        load("o365-codegen", &r.join("codegen/src/lib.rs")),
    ];
    let problems: Vec<String> = crates.iter().flat_map(report).collect();
    assert!(
        problems.is_empty(),
        "import circles:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_sees_a_circle() {
    // Two sibling files naming each other's items, and a parent re-exporting one of them.
    let dir = std::env::temp_dir().join(format!("module_layers_{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("a")).unwrap();
    fs::write(dir.join("lib.rs"), "mod a;\nmod b;\npub use b::Thing;\n").unwrap();
    fs::write(
        dir.join("a/mod.rs"),
        "mod x;\nmod y;\n// use crate::b::Nothing;\n",
    )
    .unwrap();
    fs::write(dir.join("a/x.rs"), "use super::y::Why;\npub struct Ex;\n").unwrap();
    fs::write(
        dir.join("a/y.rs"),
        "pub struct Why;\nfn f() -> crate::Thing { todo!() }\n",
    )
    .unwrap();
    fs::write(
        dir.join("b.rs"),
        "pub struct Thing;\nuse crate::a::{self, x::Ex};\n",
    )
    .unwrap();
    let k = load("probe", &dir.join("lib.rs"));
    let problems = report(&k);
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains("circle among {a, b}"),
        "{}",
        problems[0]
    );
    assert!(
        problems[0].contains("a -> b") && problems[0].contains("b -> a"),
        "{}",
        problems[0]
    );
}
