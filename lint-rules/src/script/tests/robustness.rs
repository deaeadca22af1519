//! Garbled input never panics, spans stay inside the text, and big inputs stay fast.

use super::examples::PAGINATED;
use crate::script::{
    analyze, dedicated_plugins, python_third_party_imports, single_download, single_request,
    written_files, Lang, ScriptFacts,
};
use crate::span::Span;

const LANGS: [Lang; 3] = [Lang::Python, Lang::Shell, Lang::JavaScript];

/// Pieces that stress tokenizers: quotes, brackets, escapes, interpolation, heredocs, Pebble, UTF-8.
const PIECES: &[&str] = &[
    "'",
    "\"",
    "`",
    "'''",
    "\"\"\"",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "{{",
    "}}",
    "{%",
    "$(",
    "${",
    "$",
    "\\",
    "\\\n",
    "\n",
    "\n    ",
    "\t",
    " ",
    "#",
    "//",
    "/*",
    "*/",
    "/",
    "<<EOF\n",
    "EOF\n",
    "<<-'X'\n",
    ">",
    ">>",
    "|",
    "&&",
    ";",
    ":",
    "=",
    "==",
    "=>",
    ".",
    ",",
    "f\"",
    "rb'",
    "r'",
    "import ",
    "from ",
    " as ",
    "def ",
    "for ",
    "while ",
    "in ",
    "do ",
    "done",
    "if ",
    "then ",
    "fi",
    "case ",
    "esac",
    "with ",
    "async ",
    "await ",
    "return ",
    "requests.get(",
    "open(",
    "curl -o ",
    "wget ",
    "https://x.org/a.csv",
    "fetch(",
    "require(",
    "=",
    "x",
    "r",
    "f",
    "é",
    "日本",
    "🙂",
    "0x1F",
    "1e-5",
    "new ",
    "function ",
    "lambda ",
    "`${",
    "python - <<EOF\n",
    "pip install ",
    "-c ",
    "Path(",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn check_spans(src: &str, facts: &ScriptFacts) {
    let ok = |s: Span| {
        assert!(
            s.start <= s.end && (s.end as usize) <= src.len(),
            "span {s:?} outside {} bytes",
            src.len()
        );
        assert!(
            src.is_char_boundary(s.start as usize) && src.is_char_boundary(s.end as usize),
            "span {s:?} splits a char"
        );
    };
    facts.imports.iter().for_each(|i| ok(i.span));
    for h in &facts.http_calls {
        ok(h.span);
        h.url.iter().for_each(|u| ok(u.span));
    }
    for w in &facts.file_writes {
        ok(w.span);
        w.path.iter().for_each(|p| ok(p.span));
        w.data_spans.iter().for_each(|s| ok(*s));
        assert!(w.from_http.is_none_or(|h| h < facts.http_calls.len()));
    }
    facts.file_reads.iter().for_each(|r| ok(r.span));
    facts
        .loops
        .iter()
        .chain(&facts.prints)
        .chain(&facts.kestra_outputs)
        .for_each(|s| ok(*s));
    facts.statements.iter().for_each(|s| ok(s.span));
    facts.other_calls.iter().for_each(|c| ok(c.span));
    facts.package_installs.iter().for_each(|p| ok(p.span));
}

fn exercise(lang: Lang, src: &str) {
    let facts = analyze(lang, src);
    check_spans(src, &facts);
    let _ = (
        single_download(&facts),
        single_request(&facts),
        written_files(&facts),
        dedicated_plugins(&facts),
    );
    let _ = python_third_party_imports(
        &facts,
        &[
            "pandas==1".into(),
            "git+https://x".into(),
            "[".into(),
            "".into(),
        ],
    );
}

#[test]
fn random_inputs_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let mut src = String::new();
        for _ in 0..rng.below(60) {
            src.push_str(PIECES[rng.below(PIECES.len())]);
        }
        for lang in LANGS {
            exercise(lang, &src);
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let bytes: Vec<u8> = (0..rng.below(200))
            .map(|_| (rng.next() & 0x7f) as u8)
            .collect();
        let src = String::from_utf8_lossy(&bytes).into_owned();
        for lang in LANGS {
            exercise(lang, &src);
        }
    }
}

#[test]
fn every_truncation_of_real_scripts_is_fine() {
    let scripts = [
        (Lang::Python, PAGINATED),
        (Lang::Shell, "BASE=\"https://x\"\nfor i in 1 2; do curl -sO \"$BASE/$i\" | jq '.a' > \"o$i\"; done\ncat <<'EOF' > n\n$(x)\nEOF\n"),
        (Lang::JavaScript, "const r = await fetch(`https://x/${a}`, { method: 'POST' });\nfs.writeFileSync('a', await r.text()); // c\n/re[/]/.test(s)\n"),
    ];
    for (lang, src) in scripts {
        for end in 0..=src.len() {
            if src.is_char_boundary(end) {
                exercise(lang, &src[..end]);
                exercise(lang, &src[end..]);
            }
        }
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let n = 200_000;
    for src in [
        "(".repeat(n),
        format!("{}{}", "[".repeat(n), "]".repeat(n)),
        "f(".repeat(n),
        "$(".repeat(n),
        "`${".repeat(n),
        "{".repeat(n),
        "a.".repeat(n) + "b()",
        "if x:\n".repeat(2000),
        (0..2000)
            .map(|i| format!("{}def f{i}():\n", " ".repeat(i)))
            .collect(),
    ] {
        for lang in LANGS {
            exercise(lang, &src);
        }
    }
}

fn big_script(lang: Lang, size: usize) -> String {
    let unit = match lang {
        Lang::Python => PAGINATED.to_string() + "def f(u):\n    return requests.get(u).json()\nfor u in urls:\n    f(u)\nx = f\"{a}/{b}\" + 'c' # c\n",
        Lang::Shell => "URL=\"https://x.org/a\"\ncurl -fsSL -o out.csv \"$URL?page=1\" | jq . > x.json\nfor f in *.csv; do wc -l \"$f\"; done\necho $(date) # c\n".to_string(),
        Lang::JavaScript => "const r = await fetch(`https://x.org/${p}`, { method: 'GET' });\nif (!r.ok) throw new Error('x');\nfs.writeFileSync('a.csv', await r.text());\nitems.map(i => g(i)); /* c */\n".to_string(),
    };
    unit.repeat(size / unit.len() + 1)
}

#[test]
fn megabytes_of_script_are_analysed() {
    // Speed is measured in benches, not asserted here (shared machines are noisy); this keeps
    // large and pathological inputs working end to end.
    for lang in LANGS {
        let src = big_script(lang, 2 << 20);
        let facts = analyze(lang, &src);
        assert!(!facts.http_calls.is_empty());
    }
    // One huge line, one huge string, many Pebble openers without closers.
    for src in [
        "x".repeat(2 << 20),
        format!("'{}", "a".repeat(2 << 20)),
        "{{ ".repeat(1 << 19),
    ] {
        for lang in LANGS {
            analyze(lang, &src);
        }
    }
}
