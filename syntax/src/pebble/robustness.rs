//! Hostile input: random text never panics, nesting is capped without exhausting the stack,
//! and long inputs parse in linear time.

use super::*;

struct XorShift(u64);

impl XorShift {
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

const FRAGMENTS: &[&str] = &[
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "-",
    " ",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "#{",
    "\\",
    "a",
    "if",
    "endif",
    "for",
    "in",
    "endfor",
    "else",
    "elseif",
    "raw",
    "endraw",
    "verbatim",
    "endverbatim",
    "|",
    "is",
    "not",
    "is not",
    "??",
    "???",
    ".",
    ",",
    ":",
    "?",
    "=",
    "1",
    "2.5",
    "12L",
    "é",
    "\u{A0}",
    "\n",
    "set",
    "macro",
    "endmacro",
    "filter",
    "block",
    "x",
    "&",
    "~",
    "..",
    "default",
    "defined",
    "outputs",
    "isIn",
    "contains",
    "+",
    "*",
    "😀",
    "\r\n",
    "\u{2028}",
];

/// Every span of the tree and of the errors lies inside `src` on character boundaries.
fn check_spans(src: &str, t: &Template) {
    let ok = |span: crate::span::Span| {
        assert!(
            src.get(span.range()).is_some(),
            "bad span {span:?} in {src:?}"
        );
    };
    t.errors.iter().for_each(|e| ok(e.span));
    walk_nodes(&t.nodes, &mut |node| {
        ok(node.span());
        for expr in node_exprs(node) {
            walk_expr(expr, &mut |e| ok(e.span));
        }
    });
    for p in template_paths(t) {
        ok(p.span);
        ok(p.root.1);
    }
    for c in template_calls(t) {
        ok(c.name_span);
        ok(c.span);
    }
}

#[test]
fn random_fragments_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..4000 {
        let len = 1 + rng.below(60);
        let src: String = (0..len)
            .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())])
            .collect();
        let t = parse_template(&src);
        check_spans(&src, &t);
        let _ = format!("{t:?}");
    }
}

#[test]
fn random_characters_never_panic() {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let alphabet: Vec<char> = "{}%#-'\"\\()[]|?:.,=~<>!&+*/ \n\tab1_éLx😀\u{A0}\u{85}"
        .chars()
        .collect();
    for _ in 0..3000 {
        let len = rng.below(80);
        let src: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let t = parse_template(&src);
        check_spans(&src, &t);
    }
}

fn has_error(t: &Template, needle: &str) -> bool {
    t.errors.iter().any(|e| e.message.contains(needle))
}

#[test]
fn deep_brackets_are_capped() {
    // (`{{` would start a new print tag, so nested maps are written `{'k': {'k': …`.)
    for open in [
        "(", "[", "{'k': ", "not ", "-", "f(", "a.b(", "x[", "\"#{", "a ? ",
    ] {
        let src = format!("{{{{ {}a }}}} after {{{{ b }}}}", open.repeat(200_000));
        let t = parse_template(&src);
        assert!(
            has_error(&t, "expression nested too deeply"),
            "{open}: {:?}",
            &t.errors[..1]
        );
        check_spans(&src, &t);
    }
}

#[test]
fn deep_tags_are_capped() {
    let unclosed = "{% if a %}".repeat(200_000);
    let t = parse_template(&unclosed);
    assert!(has_error(&t, "tags nested too deeply"));

    let closed = format!(
        "{}x{}{{{{ y }}}}",
        "{% if a %}".repeat(200_000),
        "{% endif %}".repeat(200_000)
    );
    let t = parse_template(&closed);
    assert_eq!(
        t.errors.len(),
        1,
        "{:?}",
        &t.errors[..2.min(t.errors.len())]
    );
    assert!(matches!(t.nodes.last(), Some(Node::Print(_))));

    let mixed = "{% for x in y %}{% filter upper %}{% macro m() %}{% block b %}".repeat(50_000);
    let t = parse_template(&mixed);
    assert!(has_error(&t, "tags nested too deeply"));
    check_spans(&mixed, &t);
}

#[test]
fn long_operator_chains_are_capped() {
    for sep in [" + ", " ~ ", ".", " | f", " ?? ", " and "] {
        let src = format!("{{{{ a{} }}}}", format!("{sep}a").repeat(100_000));
        let t = parse_template(&src);
        assert!(has_error(&t, "nested too deeply"), "{sep}");
    }
    let src = format!("{{{{ a{} }}}}", "[0]".repeat(100_000));
    assert!(has_error(&parse_template(&src), "nested too deeply"));
}

#[test]
fn deepest_accepted_tree_fits_a_2mb_stack() {
    // 255 nested blocks around expressions just under the nesting and height limits: parsing,
    // walking, cloning, comparing, debug-printing and dropping must fit a 2 MB thread stack
    // (the default for spawned threads) even in debug builds.
    let calls = format!("{}a{}", "f(".repeat(250), ")".repeat(250));
    let methods = format!("{}a{}", "a.b(".repeat(250), ")".repeat(250));
    let chain = format!("a{}", " + a".repeat(500));
    let src = format!(
        "{}{{{{ {calls} }}}}{{{{ {methods} }}}}{{{{ {chain} }}}}{}",
        "{% if a %}".repeat(255),
        "{% endif %}".repeat(255)
    );
    let run = move || {
        let t = parse_template(&src);
        assert!(t.errors.is_empty(), "{:?}", t.errors);
        assert_eq!(template_paths(&t).len(), 255 + 1 + 251 + 501);
        assert_eq!(template_calls(&t).len(), 500);
        let copy = t.clone();
        assert_eq!(copy, t);
        assert!(format!("{t:?}").len() > src.len());
    };
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn long_inputs_are_linear() {
    let mut src = "lorem ipsum { dolor } sit amet\n".repeat(32_000);
    src.push_str("{{ outputs.a.uri }} {% if x %}{{ y | upper }}{% endif %}");
    src.push_str(&"plain text, no delimiters. ".repeat(1000));
    let t = parse_template(&src);
    assert!(t.errors.is_empty());
    assert_eq!(template_paths(&t).len(), 3);

    let hostile = [
        "{% raw %}".repeat(100_000),
        "{% raw %}x\n".repeat(100_000),
        "{{ '".repeat(100_000),
        "{{ \"#{".repeat(50_000),
        "{{ a }".repeat(100_000),
        "{#".repeat(100_000),
        "{% verbatim %}{% endraw %}".repeat(50_000),
        "{{ a ".repeat(100_000),
        "{% if %}{% endfor %}".repeat(50_000),
    ];
    for src in &hostile {
        let t = parse_template(src);
        check_spans(src, &t);
    }
    // Many scope entries and macros must not make lookups quadratic.
    let sets: String = (0..20_000)
        .map(|i| format!("{{% set v{i} = 1 %}}{{% macro m{i}() %}}{{% endmacro %}}"))
        .collect();
    let src = format!("{sets}{}", "{{ v1 ~ m1() }}".repeat(20_000));
    let t = parse_template(&src);
    assert!(template_paths(&t).iter().all(|p| p.local));
    assert!(template_calls(&t).iter().all(|c| c.is_macro));
}
