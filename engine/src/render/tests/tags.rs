//! Tags, whitespace control and the raw pre-pass.

use serde_json::json;

use super::support::*;

#[test]
fn if_elseif_else() {
    let t = "{% if n > 10 %}big{% elseif n > 5 %}medium{% else %}small{% endif %}";
    assert_eq!(ok(t, json!({"n": 11})), "big");
    assert_eq!(ok(t, json!({"n": 6})), "medium");
    assert_eq!(ok(t, json!({"n": 1})), "small");
    // Pebble's coercion: a non-empty string is true, even "false".
    assert_eq!(ok("{% if 'false' %}yes{% endif %}", json!({})), "yes");
    assert_eq!(ok("{% if 0 %}yes{% else %}no{% endif %}", json!({})), "no");
    assert!(err("{% if n %}x{% endif %}", json!({"n": null}))
        .contains("null value given to if statement"));
    assert!(err("{% if l %}x{% endif %}", json!({"l": []}))
        .contains("Expected Boolean, String, Number"));
    // Errors in conditions are wrapped: `??` outside cannot catch them, and the message
    // still names the missing variable.
    assert!(err("{% if missing %}x{% endif %}", json!({})).contains("`missing`"));
}

#[test]
fn for_loops() {
    let ctx = json!({"l": ["a", "b", "c"], "m": {"x": 1, "y": 2}, "e": [], "n": null, "s": "abc"});
    assert_eq!(
        ok("{% for i in l %}{{ loop.index }}{{ i }}{{ loop.first ? 'F' : '' }}{{ loop.last ? 'L' : '' }}/{{ loop.length }}/{{ loop.revindex }};{% endfor %}", ctx.clone()),
        "0aF/3/2;1b/3/1;2cL/3/0;"
    );
    assert_eq!(
        ok(
            "{% for e in m %}{{ e.key }}={{ e.value }},{% endfor %}",
            ctx.clone()
        ),
        "x=1,y=2,"
    );
    assert_eq!(
        ok("{% for e in m %}{{ e }},{% endfor %}", ctx.clone()),
        "x=1,y=2,"
    );
    assert_eq!(
        ok("{% for x in e %}x{% else %}empty{% endfor %}", ctx.clone()),
        "empty"
    );
    // A null iterable renders nothing, not even the else branch.
    assert_eq!(
        ok(
            "[{% for x in n %}x{% else %}empty{% endfor %}]",
            ctx.clone()
        ),
        "[]"
    );
    assert!(
        err("{% for c in s %}{{ c }}{% endfor %}", ctx.clone()).contains("Not an iterable object")
    );
    // Nested loops have their own `loop`.
    assert_eq!(
        ok("{% for a in [1, 2] %}{% for b in [1, 2] %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}", ctx.clone()),
        "010|011|"
    );
    // The loop variable does not leak.
    assert!(err("{% for i in l %}{% endfor %}{{ i }}", ctx).contains("`i`"));
}

#[test]
fn set_inside_loops_updates_outer_variables() {
    let ctx = json!({"l": [1, 2, 3]});
    assert_eq!(
        ok(
            "{% set total = 0 %}{% for i in l %}{% set total = total + i %}{% endfor %}{{ total }}",
            ctx.clone()
        ),
        "6"
    );
    // A variable first set inside the loop disappears after it…
    assert!(err(
        "{% for i in l %}{% set inner = i %}{% endfor %}{{ inner }}",
        ctx.clone()
    )
    .contains("`inner`"));
    // …but lives across iterations.
    assert_eq!(
        ok(
            "{% for i in l %}{{ prev ?? '-' }}{% set prev = i %}{% endfor %}",
            ctx.clone()
        ),
        "-12"
    );
    // Setting a context variable shadows it.
    assert_eq!(ok("{% set l = 'x' %}{{ l }}", ctx), "x");
}

#[test]
fn filter_blocks_macros_blocks() {
    assert_eq!(
        ok(
            "{% filter upper | trim %}  hi {{ 'there' }}  {% endfilter %}!",
            json!({})
        ),
        "HI THERE!"
    );
    assert_eq!(
        ok("{{ greet('Ann') }} {{ greet() }} {% macro greet(name='you') %}Hi {{ name }}{% endmacro %}", json!({})),
        "Hi Ann Hi you "
    );
    // Macros do not see the template's variables.
    assert!(err(
        "{% macro m() %}{{ v }}{% endmacro %}{{ m() }}",
        json!({"v": 1})
    )
    .contains("`v`"));
    assert_eq!(
        ok(
            "{% macro m(v) %}{{ v }}{% endmacro %}{{ m(v) }}",
            json!({"v": 1})
        ),
        "1"
    );
    assert!(
        err("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", json!({}))
            .contains("The argument at position 2 is not allowed")
    );
    assert!(err("{{ nosuch() }}", json!({})).contains("Function or Macro [nosuch] does not exist."));
    // Recursion is bounded.
    assert!(err(
        "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}",
        json!({})
    )
    .contains("nested too deeply"));
    assert_eq!(
        ok(
            "{% block b %}[{{ 1 }}]{% endblock %}{{ block('b') }}",
            json!({})
        ),
        "[1][1]"
    );
}

#[test]
fn verbatim_and_raw() {
    assert_eq!(
        ok("{% verbatim %}{{ x }}{% endverbatim %}", json!({})),
        "{{ x }}"
    );
    // Pebble 4.1.1 always left-trims verbatim content.
    assert_eq!(
        ok("a{% verbatim %}  {% if %}\n{% endverbatim %}b", json!({})),
        "a{% if %}\nb"
    );
    assert_eq!(
        ok(
            "{% raw %}{{ a }}{% endraw %}-{% raw %}{% for %}{% endraw %}",
            json!({})
        ),
        "{{ a }}-{% for %}"
    );
    // Raw blocks inside a loop are repeated.
    assert_eq!(
        ok(
            "{% for i in [1, 2] %}{% raw %}{{i}}{% endraw %}{% endfor %}",
            json!({})
        ),
        "{{i}}{{i}}"
    );
    // A raw block coming from a variable's value is unwrapped on output.
    assert_eq!(
        ok("{{ v }}", json!({"v": "{% raw %}{{ x }}{% endraw %}"})),
        "{{ x }}"
    );
    // Multi-line raw blocks are not protected by Kestra: the template fails.
    assert!(r("{% raw %}\n{{ x }}\n{% endraw %}", json!({})).is_err());
}

#[test]
fn whitespace_control() {
    let ctx = json!({"l": [1, 2]});
    assert_eq!(ok("a  {{- 'b' -}}  c", ctx.clone()), "abc");
    assert_eq!(
        ok("x\n{%- if true -%}\n  y\n{%- endif -%}\nz", ctx.clone()),
        "xyz"
    );
    assert_eq!(ok("a {#- comment -#} b", ctx.clone()), "ab");
    // Kestra turns Pebble's newline trimming off: the newline after a tag stays.
    assert_eq!(
        ok("{% if true %}\nyes\n{% endif %}\n", ctx.clone()),
        "\nyes\n\n"
    );
    assert_eq!(
        ok("{% for i in l %}\n- {{ i }}{% endfor %}", ctx.clone()),
        "\n- 1\n- 2"
    );
    assert_eq!(
        ok("{% for i in l -%}\n- {{ i }}\n{%- endfor %}", ctx),
        "- 1- 2"
    );
    // `{{-x}}` is not a trim marker (unary minus).
    assert_eq!(ok("a {{-1}}", json!({})), "a -1");
}

#[test]
fn syntax_errors_are_reported() {
    let e = err("{{ a + }}", json!({"a": 1}));
    assert!(e.contains("({{ a + }}:1)"), "{e}");
    assert!(err("{% if x %}", json!({"x": true})).contains("unclosed"));
    assert!(err("{% include 'x' %}", json!({})).contains("not available in Kestra"));
    // A string without `{` is never parsed.
    assert_eq!(
        ok("no template here %} }}", json!({})),
        "no template here %} }}"
    );
}
