//! Tests on real Kestra expressions: tree shape, precedence, spans, paths, invocations, errors.

use super::*;
use crate::span::Span;

/// Compact rendering of an expression tree, to assert precedence.
fn sexp(e: &Expr) -> String {
    fn args(a: &Args) -> String {
        let mut parts: Vec<String> = a.positional.iter().map(sexp).collect();
        parts.extend(
            a.named
                .iter()
                .map(|n| format!("{}={}", n.name.name, sexp(&n.value))),
        );
        parts.join(", ")
    }
    fn inv(i: &Invocation) -> String {
        match &i.args {
            Some(a) => format!("{}({})", i.name.name, args(a)),
            None => i.name.name.clone(),
        }
    }
    match &e.kind {
        ExprKind::Str(s) => format!("'{s}'"),
        ExprKind::Interpolated(parts) => {
            let parts: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    StrPart::Lit { value, .. } => format!("'{value}'"),
                    StrPart::Expr(e) => sexp(e),
                })
                .collect();
            format!("(str {})", parts.join(" "))
        }
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Null => "null".into(),
        ExprKind::Var(v) => v.clone(),
        ExprKind::Attr { object, name } => format!("{}.{}", sexp(object), name.name),
        ExprKind::Index { object, index } => format!("{}[{}]", sexp(object), sexp(index)),
        ExprKind::MethodCall {
            object,
            name,
            args: a,
        } => {
            format!("{}.{}({})", sexp(object), name.name, args(a))
        }
        ExprKind::Call { name, args: a } => format!("{}({})", name.name, args(a)),
        ExprKind::Filter { input, filter } => format!("(| {} {})", sexp(input), inv(filter)),
        ExprKind::Test {
            subject,
            negated,
            test,
        } => {
            let op = if *negated { "is-not" } else { "is" };
            format!("({op} {} {})", sexp(subject), inv(test))
        }
        ExprKind::Unary { op, operand, .. } => format!("({op:?} {})", sexp(operand)),
        ExprKind::Binary {
            op, left, right, ..
        } => {
            format!("({} {} {})", op.symbol(), sexp(left), sexp(right))
        }
        ExprKind::Ternary {
            cond,
            then,
            otherwise,
        } => {
            format!("(? {} {} {})", sexp(cond), sexp(then), sexp(otherwise))
        }
        ExprKind::List(items) => {
            format!(
                "[{}]",
                items.iter().map(sexp).collect::<Vec<_>>().join(", ")
            )
        }
        ExprKind::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|en| format!("{}: {}", sexp(&en.key), sexp(&en.value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        ExprKind::Error => "<error>".into(),
    }
}

fn parse_ok(src: &str) -> Template {
    let t = parse_template(src);
    assert!(
        t.errors.is_empty(),
        "unexpected errors for {src:?}: {:?}",
        t.errors
    );
    t
}

/// The expression of the only node, which must be `{{ … }}`.
fn print_expr(t: &Template) -> &Expr {
    match t.nodes.as_slice() {
        [Node::Print(p)] => &p.expr,
        other => panic!("expected a single print node, got {other:?}"),
    }
}

fn tree(src: &str) -> String {
    sexp(print_expr(&parse_ok(src)))
}

/// Span of the `n`-th occurrence (0-based) of `needle` in `src`.
fn span_of(src: &str, needle: &str, n: usize) -> Span {
    let start = src.match_indices(needle).nth(n).expect("needle present").0;
    Span::new(start, start + needle.len())
}

fn errors(src: &str) -> Vec<(String, String)> {
    parse_template(src)
        .errors
        .into_iter()
        .map(|e| (src[e.span.range()].to_string(), e.message))
        .collect()
}

fn path_text(p: &PathRef) -> String {
    let mut s = p.root.0.to_string();
    for seg in &p.segments {
        match seg {
            Segment::Name(n, _) => s += &format!(".{n}"),
            Segment::Key(k, _) => s += &format!("['{k}']"),
            Segment::Index(i, _) => s += &format!("[{i}]"),
            Segment::Dynamic(e) => s += &format!("[{}]", sexp(e)),
            Segment::Call(n, _) => s += &format!(".{n}()"),
        }
    }
    s
}

fn paths(src: &str) -> Vec<(String, bool, bool)> {
    let t = parse_ok(src);
    template_paths(&t)
        .iter()
        .map(|p| (path_text(p), p.guarded, p.local))
        .collect()
}

#[test]
fn attribute_path_with_exact_spans() {
    let src = "{{ outputs.download_orders.uri }}";
    let t = parse_ok(src);
    let Node::Print(print) = &t.nodes[0] else {
        panic!()
    };
    assert_eq!(print.span, Span::new(0, src.len()));
    assert_eq!(print.trim, Trim::default());
    let expr = &print.expr;
    assert_eq!(expr.span, span_of(src, "outputs.download_orders.uri", 0));
    let ExprKind::Attr { object, name } = &expr.kind else {
        panic!("{expr:?}")
    };
    assert_eq!(name.name, "uri");
    assert_eq!(name.span, Span::new(27, 30));
    assert_eq!(object.span, span_of(src, "outputs.download_orders", 0));

    let paths = template_paths(&t);
    assert_eq!(paths.len(), 1);
    let p = &paths[0];
    assert_eq!(p.root, ("outputs", Span::new(3, 10)));
    assert_eq!(
        p.segments,
        vec![
            Segment::Name("download_orders", span_of(src, "download_orders", 0)),
            Segment::Name("uri", Span::new(27, 30)),
        ]
    );
    assert!(!p.guarded && !p.local);
    assert_eq!(p.span, expr.span);
}

#[test]
fn filter_chain_with_jq() {
    let src = "{{ outputs.api.body | jq('.products[0].title') | first }}";
    assert_eq!(
        tree(src),
        "(| (| outputs.api.body jq('.products[0].title')) first)"
    );
    let t = parse_ok(src);
    let calls = template_calls(&t);
    let jq = calls.iter().find(|c| c.name == "jq").unwrap();
    assert_eq!(jq.kind, CallKind::Filter);
    assert_eq!(jq.name_span, span_of(src, "jq", 0));
    let args = jq.args.unwrap();
    assert_eq!(args.span, span_of(src, "('.products[0].title')", 0));
    assert_eq!(
        args.positional[0].kind,
        ExprKind::Str(".products[0].title".into())
    );
    assert_eq!(
        args.positional[0].span,
        span_of(src, "'.products[0].title'", 0)
    );
    let first = calls.iter().find(|c| c.name == "first").unwrap();
    assert_eq!(first.args, None);
    assert_eq!(first.span, Span::new(3, src.len() - 3));
}

#[test]
fn function_call_with_key_segment() {
    let src = "{{ read(outputs.fetch_all_products.outputFiles['all_products.json']) }}";
    assert_eq!(
        tree(src),
        "read(outputs.fetch_all_products.outputFiles['all_products.json'])"
    );
    assert_eq!(
        paths(src),
        vec![(
            "outputs.fetch_all_products.outputFiles['all_products.json']".into(),
            false,
            false
        )]
    );
    let t = parse_ok(src);
    let p = &template_paths(&t)[0];
    assert_eq!(
        p.segments[2],
        Segment::Key("all_products.json", span_of(src, "'all_products.json'", 0))
    );
    let calls = template_calls(&t);
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].kind, calls[0].name), (CallKind::Function, "read"));
    assert!(!calls[0].is_macro);
}

#[test]
fn dynamic_index_segment() {
    let src = "{{ outputs.t[taskrun.value].value }}";
    assert_eq!(tree(src), "outputs.t[taskrun.value].value");
    assert_eq!(
        paths(src),
        vec![
            ("outputs.t[taskrun.value].value".into(), false, false),
            ("taskrun.value".into(), false, false),
        ]
    );
    let src = "{{ outputs['my-task'].uri ~ parents[1].taskrun.value }}";
    assert_eq!(
        paths(src),
        vec![
            ("outputs['my-task'].uri".into(), false, false),
            ("parents[1].taskrun.value".into(), false, false),
        ]
    );
}

#[test]
fn coalesce_binds_tighter_than_filter() {
    let src = "{{ trigger.date ?? execution.startDate | date('yyyy-MM-dd') }}";
    assert_eq!(
        tree(src),
        "(| (?? trigger.date execution.startDate) date('yyyy-MM-dd'))"
    );
    assert_eq!(
        paths(src),
        vec![
            ("trigger.date".into(), true, false),
            ("execution.startDate".into(), false, false)
        ]
    );
    let t = parse_ok(src);
    let ExprKind::Filter { input, .. } = &print_expr(&t).kind else {
        panic!()
    };
    let ExprKind::Binary { op_span, .. } = &input.kind else {
        panic!()
    };
    assert_eq!(*op_span, span_of(src, "??", 0));
    assert_eq!(
        input.span,
        span_of(src, "trigger.date ?? execution.startDate", 0)
    );
}

#[test]
fn precedence_table() {
    assert_eq!(tree("{{ a ? b : c }}"), "(? a b c)");
    assert_eq!(tree("{{ 'x' ~ a ?? 'd' }}"), "(~ 'x' (?? a 'd'))");
    assert_eq!(tree("{{ x | length > 3 }}"), "(> (| x length) 3)");
    assert_eq!(
        tree("{{ inputs.a is defined ? inputs.a : 'none' }}"),
        "(? (is inputs.a defined) inputs.a 'none')"
    );
    assert_eq!(tree("{{ 1..5 }}"), "(.. 1 5)");
    assert_eq!(tree("{{ x isIn ['a','b'] }}"), "(isIn x ['a', 'b'])");
    assert_eq!(tree("{{ a contains 'b' }}"), "(contains a 'b')");
    assert_eq!(tree("{{ a or b and c }}"), "(or a (and b c))");
    assert_eq!(tree("{{ a + b * c - d }}"), "(- (+ a (* b c)) d)");
    assert_eq!(tree("{{ a == b equals c }}"), "(equals (== a b) c)");
    assert_eq!(tree("{{ a ~ b | upper }}"), "(| (~ a b) upper)");
    assert_eq!(tree("{{ a + b | upper }}"), "(+ a (| b upper))");
    assert_eq!(tree("{{ a ?? b ?? 'x' }}"), "(?? (?? a b) 'x')");
    assert_eq!(tree("{{ a ??? b }}"), "(??? a b)");
    assert_eq!(tree("{{ a ? b : c ? d : e }}"), "(? a b (? c d e))");
    assert_eq!(tree("{{ a is not null and b }}"), "(and (is-not a null) b)");
    assert_eq!(tree("{{ x is divisibleBy(3) }}"), "(is x divisibleBy(3))");
    // Pebble's unary operators bind tighter than any binary operator.
    assert_eq!(tree("{{ not a == b }}"), "(== (Not a) b)");
    assert_eq!(tree("{{ -a.b | abs }}"), "(| (Neg a.b) abs)");
    assert_eq!(tree("{{ - -1 }}"), "(Neg (Neg 1))");
    assert_eq!(tree("{{ (a + b) * c }}"), "(* (+ a b) c)");
    assert_eq!(tree("{{ (a).b }}"), "a.b");
    assert_eq!(tree("{{ 1 + 2 .. 3 }}"), "(+ 1 (.. 2 3))");
}

#[test]
fn parenthesised_extents() {
    let src = "{{ (a + b) * c }}";
    let t = parse_ok(src);
    let e = print_expr(&t);
    assert_eq!(e.span, span_of(src, "(a + b) * c", 0));
    let ExprKind::Binary { left, .. } = &e.kind else {
        panic!()
    };
    assert_eq!(left.span, span_of(src, "a + b", 0));
}

#[test]
fn literals() {
    assert_eq!(tree("{{ 123L }}"), "123");
    assert_eq!(tree("{{ 1.5 }}"), "1.5");
    assert_eq!(
        tree("{{ [TRUE, false, NONE, null, none, NULL] }}"),
        "[true, false, null, null, null, null]"
    );
    assert_eq!(tree(r"{{ 'it\'s' }}"), "'it's'");
    // Pebble keeps other backslashes as written.
    assert_eq!(tree(r"{{ 'a\nb' }}"), r"'a\nb'");
    assert_eq!(tree(r#"{{ "say \"hi\"" }}"#), r#"'say "hi"'"#);
    assert_eq!(
        tree("{{ {'a': 1, \"b\": [1, 2]} }}"),
        "{'a': 1, 'b': [1, 2]}"
    );
    assert_eq!(tree("{{ {} }}"), "{}");
    assert_eq!(tree("{{ [] | length }}"), "(| [] length)");
    assert_eq!(tree("{{ True }}"), "True");
}

#[test]
fn interpolated_strings() {
    let src = "{{ \"Hello #{ name }\" }}";
    let t = parse_ok(src);
    let e = print_expr(&t);
    assert_eq!(sexp(e), "(str 'Hello ' name)");
    assert_eq!(e.span, span_of(src, "\"Hello #{ name }\"", 0));
    let ExprKind::Interpolated(parts) = &e.kind else {
        panic!()
    };
    assert_eq!(
        parts[0],
        StrPart::Lit {
            value: "Hello ".into(),
            span: span_of(src, "Hello ", 0)
        }
    );
    assert_eq!(paths(src), vec![("name".into(), false, false)]);
    assert_eq!(
        tree("{{ \"#{a} and #{ b | upper }!\" }}"),
        "(str a ' and ' (| b upper) '!')"
    );
    assert_eq!(
        tree("{{ \"x#{ \"in #{y}\" }\" }}"),
        "(str 'x' (str 'in ' y))"
    );
    assert_eq!(tree("{{ \"#{ {'a': 1} }\" }}"), "(str {'a': 1})");
}

#[test]
fn calls_methods_and_named_args() {
    let src = "{{ now(format=\"yyyy-MM-dd\", timeZone=\"UTC\") }}";
    assert_eq!(tree(src), "now(format='yyyy-MM-dd', timeZone='UTC')");
    let t = parse_ok(src);
    let ExprKind::Call { name, args } = &print_expr(&t).kind else {
        panic!()
    };
    assert_eq!(name.span, span_of(src, "now", 0));
    assert_eq!(args.named[1].name.span, span_of(src, "timeZone", 0));
    assert_eq!(args.named[1].value.span, span_of(src, "\"UTC\"", 0));
    assert_eq!(
        tree("{{ date | date(\"yyyy-MM-dd\", timeZone=\"Europe/Paris\") }}"),
        "(| date date('yyyy-MM-dd', timeZone='Europe/Paris'))"
    );
    assert_eq!(
        tree("{{ json(outputs.req.body).field }}"),
        "json(outputs.req.body).field"
    );
    assert_eq!(tree("{{ 'abc'.length() }}"), "'abc'.length()");
    let src = "{{ inputs.name.substring(0, 3).toUpperCase() }}";
    assert_eq!(
        paths(src),
        vec![("inputs.name.substring().toUpperCase()".into(), false, false)]
    );
    let t = parse_ok(src);
    let calls = template_calls(&t);
    assert!(calls.iter().all(|c| c.kind == CallKind::Method));
}

#[test]
fn guarded_paths() {
    let src = "{{ a.b | default(c) }}{{ d is not defined }}{{ e is null }}{{ currentEachOutput(outputs.t).x }}{{ (f ~ g) ??? h }}";
    assert_eq!(
        paths(src),
        vec![
            ("a.b".into(), true, false),
            ("c".into(), false, false),
            ("d".into(), true, false),
            // Pebble only swallows undefined errors for the `defined` test.
            ("e".into(), false, false),
            ("outputs.t".into(), true, false),
            ("f".into(), true, false),
            ("g".into(), true, false),
            ("h".into(), false, false),
        ]
    );
    assert_eq!(
        paths("{{ block[missing].child ?? block[inner].child }}"),
        vec![
            ("block[missing].child".into(), true, false),
            ("missing".into(), true, false),
            ("block[inner].child".into(), false, false),
            ("inner".into(), false, false),
        ]
    );
}

#[test]
fn reads_a_defined_test_has_proven() {
    // Strict Pebble evaluates only the side of the ternary the test chose.
    assert_eq!(
        paths("{{ outputs.a is defined ? outputs.a.value : outputs.b.value }}"),
        vec![
            ("outputs.a".into(), true, false),
            ("outputs.a.value".into(), true, false),
            ("outputs.b.value".into(), false, false),
        ]
    );
    assert_eq!(
        paths("{{ outputs.a is not defined ? 'none' : outputs.a.value }}")[1],
        ("outputs.a.value".into(), true, false)
    );
    // A test of a deeper path proves nothing about a shorter one, nor about another task.
    assert_eq!(
        paths("{{ outputs.a.value is defined ? outputs.a : outputs.b }}")[1..],
        [
            ("outputs.a".into(), false, false),
            ("outputs.b".into(), false, false)
        ]
    );
    assert_eq!(
        paths("{% if outputs.a is defined and inputs.x %}{{ outputs.a.uri }}{% else %}{{ outputs.a.uri }}{% endif %}")[2..],
        [
            ("outputs.a.uri".into(), true, false),
            ("outputs.a.uri".into(), false, false)
        ]
    );
    // `or` proves nothing when true.
    assert_eq!(
        paths("{{ (outputs.a is defined or inputs.x) ? outputs.a.uri : '' }}")[2],
        ("outputs.a.uri".into(), false, false)
    );
}

#[test]
fn for_loop() {
    let src = "{% for v in [1,2,3] %}{{ v }}{% endfor %}";
    let t = parse_ok(src);
    let [Node::For(f)] = t.nodes.as_slice() else {
        panic!("{:?}", t.nodes)
    };
    assert_eq!(f.span, Span::new(0, src.len()));
    assert_eq!(f.tag.span, span_of(src, "{% for v in [1,2,3] %}", 0));
    assert_eq!(f.tag.keyword, span_of(src, "for", 0));
    assert_eq!(
        f.variable,
        Ident {
            name: "v".into(),
            span: Span::new(7, 8)
        }
    );
    assert_eq!(sexp(&f.iterable), "[1, 2, 3]");
    assert_eq!(f.body.len(), 1);
    let end = f.end.unwrap();
    assert_eq!(end.span, span_of(src, "{% endfor %}", 0));
    assert_eq!(end.keyword, span_of(src, "endfor", 0));
    assert_eq!(paths(src), vec![("v".into(), false, true)]);

    let src = "{% for item in outputs.list.items %}{{ loop.index }}{{ item.name }}{% else %}{{ item }}{% endfor %}{{ item }}";
    assert_eq!(
        paths(src),
        vec![
            ("outputs.list.items".into(), false, false),
            ("loop.index".into(), false, true),
            ("item.name".into(), false, true),
            ("item".into(), false, false),
            ("item".into(), false, false),
        ]
    );
}

#[test]
fn if_elseif_else() {
    let src = "{% if a %}x{% elseif b %}y{% else %}z{% endif %}";
    let t = parse_ok(src);
    let [Node::If(n)] = t.nodes.as_slice() else {
        panic!()
    };
    assert_eq!(n.span, Span::new(0, src.len()));
    assert_eq!(n.branches.len(), 2);
    assert_eq!(n.branches[0].tag.keyword, span_of(src, "if", 0));
    assert_eq!(n.branches[0].tag.span, span_of(src, "{% if a %}", 0));
    assert_eq!(sexp(&n.branches[1].condition), "b");
    assert_eq!(n.branches[1].tag.keyword, span_of(src, "elseif", 0));
    assert_eq!(n.branches[1].body, vec![Node::Text(span_of(src, "y", 0))]);
    let else_branch = n.else_branch.as_ref().unwrap();
    assert_eq!(else_branch.tag.keyword, span_of(src, "else", 1));
    assert_eq!(else_branch.body, vec![Node::Text(span_of(src, "z", 0))]);
    assert_eq!(n.end.unwrap().keyword, span_of(src, "endif", 0));
}

#[test]
fn set_filter_macro_block() {
    let src = "{% set base = vars.base %}{{ base ~ '/x' }}{% filter upper | replace({'a': 'b'}) %}t{% endfilter %}";
    let t = parse_ok(src);
    let Node::Set(set) = &t.nodes[0] else {
        panic!()
    };
    assert_eq!(set.variable.span, span_of(src, "base", 0));
    assert_eq!(sexp(&set.value), "vars.base");
    assert_eq!(set.span, span_of(src, "{% set base = vars.base %}", 0));
    let Node::Filter(f) = &t.nodes[2] else {
        panic!()
    };
    assert_eq!(f.filters.len(), 2);
    assert_eq!(f.filters[1].name.span, span_of(src, "replace", 0));
    assert_eq!(
        paths(src),
        vec![
            ("vars.base".into(), false, false),
            ("base".into(), false, true)
        ]
    );
    let names: Vec<_> = template_calls(&t)
        .iter()
        .map(|c| (c.kind, c.name))
        .collect();
    assert_eq!(
        names,
        vec![(CallKind::Filter, "upper"), (CallKind::Filter, "replace")]
    );

    let src = "{% macro greet(name, greeting='Hello') %}{{ greeting }} {{ name }} {{ outputs.x }}{% endmacro %}{{ greet(inputs.user) }}";
    let t = parse_ok(src);
    let Node::Macro(m) = &t.nodes[0] else {
        panic!()
    };
    assert_eq!(m.name.name, "greet");
    assert_eq!(m.params[1].name.span, span_of(src, "greeting", 0));
    assert_eq!(sexp(m.params[1].default.as_ref().unwrap()), "'Hello'");
    assert_eq!(
        paths(src),
        vec![
            ("greeting".into(), false, true),
            ("name".into(), false, true),
            ("outputs.x".into(), false, false),
            ("inputs.user".into(), false, false),
        ]
    );
    let calls = template_calls(&t);
    assert!(calls[0].is_macro && calls[0].name == "greet");

    let src = "{% block header %}x{% endblock header %}{% block 'f' %}{% endblock %}";
    let t = parse_ok(src);
    let Node::Block(b) = &t.nodes[0] else {
        panic!()
    };
    assert_eq!(b.name.name, "header");
    assert_eq!(
        b.end.unwrap().span,
        span_of(src, "{% endblock header %}", 0)
    );
    let Node::Block(b) = &t.nodes[1] else {
        panic!()
    };
    assert_eq!(b.name.name, "f");
}

#[test]
fn whitespace_control() {
    let src = "a {{- x -}} b {%- if y -%} c {%- endif %}{#- note -#}";
    let t = parse_ok(src);
    let Node::Print(p) = &t.nodes[1] else {
        panic!()
    };
    assert_eq!(
        p.trim,
        Trim {
            left: true,
            right: true
        }
    );
    assert_eq!(p.span, span_of(src, "{{- x -}}", 0));
    assert_eq!(sexp(&p.expr), "x");
    let Node::If(n) = &t.nodes[3] else { panic!() };
    assert_eq!(
        n.branches[0].tag.trim,
        Trim {
            left: true,
            right: true
        }
    );
    assert_eq!(
        n.end.unwrap().trim,
        Trim {
            left: true,
            right: false
        }
    );
    let Node::Comment(c) = &t.nodes[4] else {
        panic!()
    };
    assert_eq!(
        c.trim,
        Trim {
            left: true,
            right: true
        }
    );
    // `{{-x}}` has no trim marker: Pebble needs whitespace after `-`.
    assert_eq!(tree("{{-x}}"), "(Neg x)");
}

#[test]
fn raw_verbatim_comment() {
    let src = "{% raw %}{{ not parsed }}{% endraw %} {% verbatim %}{% if %}{% endverbatim %}{# {{ c }} #}";
    let t = parse_ok(src);
    let Node::Raw(raw) = &t.nodes[0] else {
        panic!()
    };
    assert_eq!(raw.content, span_of(src, "{{ not parsed }}", 0));
    assert_eq!(raw.open.keyword, span_of(src, "raw", 0));
    assert!(!raw.multiline);
    let Node::Verbatim(v) = &t.nodes[2] else {
        panic!()
    };
    assert_eq!(v.content, span_of(src, "{% if %}", 0));
    assert_eq!(v.close.unwrap().keyword, span_of(src, "endverbatim", 0));
    let Node::Comment(c) = &t.nodes[3] else {
        panic!()
    };
    assert_eq!(c.content, span_of(src, " {{ c }} ", 0));
    assert!(template_paths(&t).is_empty());
    // Raw blocks are recognised anywhere in the text, also inside other blocks.
    let t = parse_ok("{% if a %}{%- raw -%}{% endif %}{%- endraw -%}{% endif %}");
    let [Node::If(n)] = t.nodes.as_slice() else {
        panic!()
    };
    assert!(matches!(n.branches[0].body.as_slice(), [Node::Raw(_)]));
}

#[test]
fn multiline_raw_is_reported() {
    let src = "{% raw %}\n{{ x }}\n{% endraw %}{{ y }}";
    let t = parse_template(src);
    assert!(matches!(&t.nodes[0], Node::Raw(r) if r.multiline));
    assert_eq!(t.errors.len(), 1);
    assert_eq!(t.errors[0].span, span_of(src, "{% raw %}", 0));
    assert!(
        t.errors[0].message.contains("verbatim"),
        "{}",
        t.errors[0].message
    );
}

#[test]
fn error_unexpected_character() {
    let src = "{{ response.statusCode == 200 &!? }}";
    assert_eq!(
        errors(src),
        vec![("&".into(), "unexpected `&` in expression".into())]
    );
    let src = "{{ a\u{A0}}}";
    assert_eq!(
        errors(src)[0].1,
        "unexpected character U+00A0 in expression"
    );
}

#[test]
fn error_missing_operand() {
    assert_eq!(
        errors("{{ a + }}"),
        vec![(
            "+".into(),
            "expected an expression after `+`, found `}}`".into()
        )]
    );
    assert_eq!(
        errors("{{ }}"),
        vec![(
            "{{ }}".into(),
            "empty `{{ }}`: expected an expression".into()
        )]
    );
    assert_eq!(
        errors("{{ a ? b }}"),
        vec![(
            "b".into(),
            "expected `:` in ternary after `b`, found `}}`".into()
        )]
    );
    assert_eq!(
        errors("{{ a. }}"),
        vec![(
            ".".into(),
            "expected an attribute name after `.`, found `}}`".into()
        )]
    );
    assert_eq!(
        errors("{{ a | }}"),
        vec![(
            "|".into(),
            "expected a filter name after `|`, found `}}`".into()
        )]
    );
    assert_eq!(
        errors("{{ a b }}"),
        vec![("b".into(), "expected an operator or `}}`, found `b`".into())]
    );
}

#[test]
fn error_unclosed_delimiters() {
    assert_eq!(
        errors("{{ outputs.x"),
        vec![("{{".into(), "unclosed `{{`: expected `}}`".into())]
    );
    assert_eq!(
        errors("x {% if a"),
        vec![
            ("{%".into(), "unclosed `{%`: expected `%}`".into()),
            (
                "if".into(),
                "unclosed `{% if %}`: expected `{% endif %}`".into()
            ),
        ]
    );
    assert_eq!(
        errors("{{ f(a }}"),
        vec![("(".into(), "unclosed `(`: expected `)`".into())]
    );
    assert_eq!(
        errors("{{ [1, 2 }}"),
        vec![("[".into(), "unclosed `[`: expected `]`".into())]
    );
    assert_eq!(
        errors("{{ 'abc }}"),
        vec![(
            "'".into(),
            "unclosed string literal: expected closing `'`".into()
        )]
    );
    assert_eq!(
        errors("{# note"),
        vec![("{#".into(), "unclosed comment `{#`: expected `#}`".into())]
    );
    assert_eq!(
        errors("{% verbatim %}x"),
        vec![(
            "{% verbatim %}".into(),
            "unclosed `{% verbatim %}`: expected `{% endverbatim %}`".into()
        )]
    );
    // The next opening delimiter ends an unclosed expression; parsing goes on from there.
    let src = "{{ outputs.x {{ a & }}";
    assert_eq!(
        errors(src),
        vec![
            ("{{".into(), "unclosed `{{`: expected `}}`".into()),
            ("&".into(), "unexpected `&` in expression".into()),
        ]
    );
}

#[test]
fn error_block_structure() {
    assert_eq!(
        errors("{% if a %}no end"),
        vec![(
            "if".into(),
            "unclosed `{% if %}`: expected `{% endif %}`".into()
        )]
    );
    assert_eq!(
        errors("{% endfor %}"),
        vec![("endfor".into(), "`{% endfor %}` without `{% for %}`".into())]
    );
    assert_eq!(
        errors("{% for x in y %}{% if x %}{% endfor %}"),
        vec![(
            "if".into(),
            "unclosed `{% if %}`: expected `{% endif %}`".into()
        )]
    );
    assert_eq!(
        errors("{% if a %}{% elif b %}{% endif %}"),
        vec![(
            "elif".into(),
            "unknown tag `elif`: Pebble uses `{% elseif %}`".into()
        )]
    );
    assert_eq!(
        errors("{% if a %}{% else if b %}{% endif %}"),
        vec![(
            "if".into(),
            "unexpected `if` after `else`: Pebble uses `{% elseif … %}`".into()
        )]
    );
    assert_eq!(
        errors("{% if a %}{% else %}{% else %}{% endif %}"),
        vec![("else".into(), "duplicate `{% else %}` in `{% if %}`".into())]
    );
    assert_eq!(
        errors("{% include 'x' %}{% foo %}{% else %}"),
        vec![
            (
                "include".into(),
                "`{% include %}` is not available in Kestra (tag removed)".into()
            ),
            ("foo".into(), "unknown tag `foo`".into()),
            (
                "else".into(),
                "unexpected `{% else %}`: not directly inside `{% if %}` or `{% for %}`".into()
            ),
        ]
    );
    assert_eq!(
        errors("{% endraw %}"),
        vec![("endraw".into(), "`{% endraw %}` without `{% raw %}`".into())]
    );
    assert_eq!(
        errors("{%-if a %}{% endif %}")[0].1,
        "expected a tag name after `{%`, found `-` (`{%-` trims whitespace only when followed by a space)"
    );
}

#[test]
fn error_pebble_specific_rules() {
    assert_eq!(errors("{{ [1][0] }}")[0].0, "[");
    assert_eq!(
        errors("{{ a is  not null }}")[0].1,
        "expected a test name after `is`, found `not` (Pebble only recognises `is not` written with a single space)"
    );
    assert_eq!(
        errors("{{ s.substring(from=1) }}"),
        vec![(
            "from".into(),
            "named arguments are not allowed in method calls".into()
        )]
    );
    assert_eq!(
        errors("{{ f(a=1, 2) }}"),
        vec![(
            "2".into(),
            "positional arguments must come before named arguments".into()
        )]
    );
    assert_eq!(
        errors("{{ f(1)(2) }}"),
        vec![(
            "(".into(),
            "unexpected `(`: only a function name can be called".into()
        )]
    );
    assert_eq!(
        errors("{% set null = 1 %}"),
        vec![(
            "null".into(),
            "`null` is reserved and cannot be used as a name".into()
        )]
    );
    assert_eq!(
        errors("{{ 99999999999999999999 }}"),
        vec![(
            "99999999999999999999".into(),
            "integer literal out of range (64-bit)".into()
        )]
    );
    assert_eq!(
        errors("{{ f(a,) }}")[0].1,
        "expected an expression, found `)`"
    );
    assert_eq!(
        errors("{{ a.or }}")[0].1,
        "expected an attribute name, found `or`"
    );
}

#[test]
fn recovery_reports_each_tag_and_keeps_structure() {
    let src = "{{ a + }} {% if b & %}{{ c }}{% endif %} {{ d | }} {{ ok }}";
    let t = parse_template(src);
    let spans: Vec<&str> = t.errors.iter().map(|e| &src[e.span.range()]).collect();
    assert_eq!(spans, vec!["+", "&", "|"]);
    let Node::Print(first) = &t.nodes[0] else {
        panic!()
    };
    assert_eq!(first.expr.kind, ExprKind::Error);
    assert_eq!(first.expr.span, span_of(src, "a + ", 0));
    assert_eq!(first.span, span_of(src, "{{ a + }}", 0));
    // The `if` block survives the error after its condition.
    let Node::If(n) = &t.nodes[2] else {
        panic!("{:?}", t.nodes)
    };
    assert_eq!(n.branches[0].condition.kind, ExprKind::Var("b".into()));
    assert!(n.end.is_some());
    let Node::Print(last) = t.nodes.last().unwrap() else {
        panic!()
    };
    assert_eq!(sexp(&last.expr), "ok");
}

#[test]
fn spans_of_errors_inside_tags() {
    let src = "{% for in items %}{% endfor %}";
    let t = parse_template(src);
    assert_eq!(t.errors.len(), 1, "{:?}", t.errors);
    // Like Pebble, `in` is read as the loop variable, then `in` is missing.
    assert_eq!(&src[t.errors[0].span.range()], "items");
    assert_eq!(
        t.errors[0].message,
        "expected `in` after the loop variable, found `items`"
    );
    let [Node::For(f)] = t.nodes.as_slice() else {
        panic!()
    };
    assert!(f.variable.name.is_empty());
}

#[test]
fn walkers_reach_every_expression() {
    let src = "{% for x in xs %}{% if x is even %}{{ x | upper }}{% endif %}{% endfor %}";
    let t = parse_ok(src);
    let mut seen = Vec::new();
    walk_template_exprs(&t, &mut |e| seen.push(sexp(e)));
    assert_eq!(seen, vec!["xs", "(is x even)", "x", "(| x upper)", "x"]);
    let mut kinds = Vec::new();
    walk_nodes(&t.nodes, &mut |n| kinds.push(std::mem::discriminant(n)));
    assert_eq!(kinds.len(), 3);
    let calls: Vec<_> = template_calls(&t)
        .iter()
        .map(|c| (c.kind, c.name))
        .collect();
    assert_eq!(
        calls,
        vec![(CallKind::Test, "even"), (CallKind::Filter, "upper")]
    );
}

#[test]
fn more_block_shapes() {
    let src =
        "{% for x in xs %}a{% else %}{% if x %}b{% elseif y %}{% else %}c{% endif %}{% endfor %}";
    let t = parse_ok(src);
    let [Node::For(f)] = t.nodes.as_slice() else {
        panic!()
    };
    let else_branch = f.else_branch.as_ref().unwrap();
    assert_eq!(else_branch.tag.keyword, span_of(src, "else", 0));
    let [Node::If(n)] = else_branch.body.as_slice() else {
        panic!()
    };
    assert_eq!(n.branches.len(), 2);
    assert!(n.branches[1].body.is_empty());
    assert_eq!(n.else_branch.as_ref().unwrap().body.len(), 1);
    assert_eq!(
        n.span,
        span_of(src, "{% if x %}b{% elseif y %}{% else %}c{% endif %}", 0)
    );

    // Strings may contain closing delimiters.
    assert_eq!(tree("{{ '}}' ~ \"%}\" }}"), "(~ '}}' '%}')");
    // Text around tags keeps its exact spans; trim markers do not change them.
    let src = "a {{- x }} b";
    let t = parse_ok(src);
    assert_eq!(t.nodes[0], Node::Text(Span::new(0, 2)));
    assert_eq!(t.nodes[2], Node::Text(Span::new(10, 12)));
}

#[test]
fn more_block_errors() {
    assert_eq!(
        errors("{% if %}x{% endif %}"),
        vec![(
            "if".into(),
            "expected an expression after `if`, found `%}`".into()
        )]
    );
    assert_eq!(
        errors("{% if a %}{% for x in y %}{% endif %}"),
        vec![(
            "for".into(),
            "unclosed `{% for %}`: expected `{% endfor %}`".into()
        )]
    );
    assert_eq!(
        errors("{% if a %}{% else %}{% elseif b %}{% endif %}"),
        vec![("elseif".into(), "`{% elseif %}` after `{% else %}`".into())]
    );
    assert_eq!(
        errors("{% %}"),
        vec![(
            "{%".into(),
            "expected a tag name after `{%`, found `%}`".into()
        )]
    );
    assert_eq!(
        errors("{% endif x %}"),
        vec![("endif".into(), "`{% endif %}` without `{% if %}`".into())]
    );
    assert_eq!(
        errors("{% if a %}{% endif x %}"),
        vec![("x".into(), "expected `%}`, found `x`".into())]
    );
    assert_eq!(
        errors("{% set x %}"),
        vec![(
            "x".into(),
            "expected `=` after the variable name, found `%}`".into()
        )]
    );
    assert_eq!(
        errors("{% macro m %}{% endmacro %}"),
        vec![(
            "m".into(),
            "expected `(` and the macro parameters after `m`, found `%}`".into()
        )]
    );
    assert_eq!(
        errors("{{ \"a #{ b }}")[0],
        (
            "\"".into(),
            "unclosed string literal: expected closing `\"`".into()
        )
    );
    assert_eq!(
        errors("{{ \"a #{ b \" }}")[0],
        (
            "\" ".into(),
            "expected `}` to close `#{`, found a string".into()
        )
    );
}
