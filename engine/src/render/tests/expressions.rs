//! Expression semantics: strict variables, coalescing, printing, operators, methods.

use serde_json::json;

use super::support::*;

#[test]
fn strict_undefined_variables_and_attributes() {
    let e = err("{{ missing }}", json!({}));
    assert_eq!(
        e,
        "Unable to find `missing` used in the expression `{{ missing }}` at line 1"
    );
    let e = err("a\n{{ a.b.c }}", json!({"a": {"b": {}}}));
    assert_eq!(
        e,
        "Unable to find `c` used in the expression `a\n{{ a.b.c }}` at line 2"
    );
    // Attribute of a null variable names the variable, as Pebble does.
    assert!(err("{{ n.x }}", json!({"n": null})).contains("`n`"));
    assert!(err("{{ l[5] }}", json!({"l": [1]})).contains("`5`"));
    assert!(err("{{ outputs['my-task'].uri }}", json!({"outputs": {}})).contains("`my-task`"));
    // `outputs.my-task` is a subtraction.
    assert!(err("{{ outputs.my-task.uri }}", json!({"outputs": {"my": 1}})).contains("`task`"));
}

#[test]
fn coalescing_and_defined_catch_missing_parents() {
    let ctx = json!({"a": {"b": null}, "z": 0});
    assert_eq!(ok("{{ x.y.z ?? 'd' }}", ctx.clone()), "d");
    assert_eq!(ok("{{ a.b ?? 'd' }}", ctx.clone()), "d");
    assert_eq!(ok("{{ a.b.c ?? 'd' }}", ctx.clone()), "d");
    assert_eq!(ok("{{ a.b ??? 'd' }}", ctx.clone()), "");
    assert_eq!(ok("{{ x.y ??? 'd' }}", ctx.clone()), "d");
    assert_eq!(ok("{{ z ?? 'd' }}", ctx.clone()), "0");
    assert_eq!(ok("{{ x.y | default('d') }}", ctx.clone()), "d");
    assert_eq!(ok("{{ '  ' | default('d') }}", ctx.clone()), "d");
    assert_eq!(ok("{{ [] | default('d') }}", ctx.clone()), "d");
    assert_eq!(ok("{{ x.y is defined }}", ctx.clone()), "false");
    assert_eq!(ok("{{ a.b is defined }}", ctx.clone()), "false");
    assert_eq!(ok("{{ a.b is not defined }}", ctx.clone()), "true");
    assert_eq!(ok("{{ a is defined }}", ctx.clone()), "true");
    // Only "undefined" errors are caught: other failures still surface.
    assert!(err("{{ (1 / 0) ?? 'd' }}", ctx.clone()).contains("/ by zero"));
    assert!(
        err("{{ 'a' | nosuch ?? 'd' }}", ctx.clone()).contains("Filter [nosuch] does not exist.")
    );
    // Precedence: `??` binds tighter than `|` and `~`.
    assert_eq!(ok("{{ x ?? 'a' | upper }}", ctx.clone()), "A");
    assert_eq!(ok("{{ 'x' ~ y ?? 'd' }}", ctx.clone()), "xd");
    // The idiom to force an error.
    assert!(err("{{ x ?? y ?? raise }}", ctx).contains("`raise`"));
}

#[test]
fn printing() {
    let ctx =
        json!({"n": null, "m": {"a": 1, "b": [true, null, "s"]}, "f": 1.5, "big": 1e10, "e": []});
    assert_eq!(ok("[{{ n }}]", ctx.clone()), "[]");
    assert_eq!(ok("{{ m }}", ctx.clone()), r#"{"a":1,"b":[true,null,"s"]}"#);
    assert_eq!(ok("{{ e }}", ctx.clone()), "[]");
    assert_eq!(
        ok(
            "{{ f }} {{ big }} {{ 1.0 }} {{ 3 }} {{ 2.0 * 3 }}",
            ctx.clone()
        ),
        "1.5 1.0E10 1.0 3 6.0"
    );
    assert_eq!(ok("{{ 0.1 + 0.2 }}", ctx.clone()), "0.30000000000000004");
    assert_eq!(
        ok("{{ 1.0 / 0 }} {{ -1.0 / 0 }}", ctx.clone()),
        "Infinity -Infinity"
    );
    assert_eq!(ok("{{ 'a\"b' | toJson }}", ctx.clone()), r#""a\"b""#);
    assert_eq!(
        ok("{{ {'k': 'line\nbreak'} }}", ctx.clone()),
        r#"{"k":"line\nbreak"}"#
    );
    assert_eq!(ok("{{ true }} {{ false }}", ctx), "true false");
}

#[test]
fn arithmetic() {
    let ctx = json!({});
    assert_eq!(
        ok(
            "{{ 7 / 2 }} {{ 7 / 2.0 }} {{ -7 / 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7.5 % 2 }}",
            ctx.clone()
        ),
        "3 3.5 -3 1 -1 1.5"
    );
    assert_eq!(
        ok("{{ 'a' + 1 }} {{ 1 + 'a' }} {{ 'n' + null }}", ctx.clone()),
        "a1 1a nnull"
    );
    assert_eq!(
        ok(
            "{{ [1] + 2 }} {{ [1, 2, 1] - 1 }} {{ [1, 2] + [3] }}",
            ctx.clone()
        ),
        "[1,2] [2,1] [1,2,3]"
    );
    assert_eq!(
        ok("{{ -(3) }} {{ +2 }} {{ - 2.5 }}", ctx.clone()),
        "-3 2 -2.5"
    );
    assert!(err("{{ 1 / 0 }}", ctx.clone()).contains("/ by zero"));
    assert!(err("{{ 'a' * 2 }}", ctx.clone())
        .contains("invalid operands for mathematical operation [MULTIPLICATION]"));
    assert!(err("{{ null + 1 }}", ctx.clone()).contains("invalid operands"));
    assert_eq!(
        ok("{{ 9223372036854775807 + 1 }}", ctx),
        "-9223372036854775808"
    );
}

#[test]
fn concatenation_uses_java_to_string() {
    let ctx = json!({"l": [1, "a"], "m": {"k": "v"}, "n": null});
    assert_eq!(ok("{{ 'x' ~ l }}", ctx.clone()), "x[1, a]");
    assert_eq!(ok("{{ 'x' ~ m }}", ctx.clone()), "x{k=v}");
    assert_eq!(ok("{{ 'x' ~ n ~ 'y' }}", ctx.clone()), "xy");
    assert_eq!(ok("{{ 1 ~ 2.0 }}", ctx.clone()), "12.0");
    assert_eq!(ok("{{ \"a #{ l[1] } #{ n }b\" }}", ctx.clone()), "a a b");
    assert_eq!(ok("{{ l | join(', ') }}", ctx), "1, a");
}

#[test]
fn comparisons_and_equality() {
    let ctx = json!({"n": null, "s": "SUCCESS", "i": 1, "f": 1.0});
    assert_eq!(
        ok(
            "{{ 2 > 1 }} {{ 1 >= 1.0 }} {{ 1 < 0.5 }} {{ 2 <= 1 }}",
            ctx.clone()
        ),
        "true true false false"
    );
    assert_eq!(
        ok("{{ n > 1 }} {{ 1 < n }} {{ n >= n }}", ctx.clone()),
        "false false false"
    );
    assert!(err("{{ 'b' > 'a' }}", ctx.clone())
        .contains("invalid operands for mathematical comparison [GREATER_THAN]"));
    assert_eq!(
        ok(
            "{{ i == f }} {{ i equals 1 }} {{ '1' == 1 }} {{ s == 'SUCCESS' }} {{ n == null }}",
            ctx.clone()
        ),
        "true true false true true"
    );
    assert_eq!(
        ok(
            "{{ i != 2 }} {{ [1, 2] == [1, 2] }} {{ {'a': 1} == {'a': 1} }}",
            ctx.clone()
        ),
        "true true true"
    );
    // Inside collections Java equals applies: a Long is not a Double.
    assert_eq!(ok("{{ [1] == [1.0] }}", ctx), "false");
}

#[test]
fn contains_isin_and_ranges() {
    let ctx = json!({"m": {"k": "v"}, "n": null});
    assert_eq!(
        ok(
            "{{ [1, 2] contains 2 }} {{ [1, 2, 3] contains [1, 3] }} {{ [1] contains [1, 4] }}",
            ctx.clone()
        ),
        "true true false"
    );
    assert_eq!(ok("{{ m contains 'k' }} {{ m contains 'v' }} {{ 'hello' contains 'ell' }} {{ n contains 1 }}", ctx.clone()), "true false true false");
    assert!(err("{{ 5 contains 1 }}", ctx.clone())
        .contains("Contains operator can only be used on Collections"));
    assert_eq!(
        ok(
            "{{ 1 isIn ['1', 2] }} {{ 'v' isIn m }} {{ n isIn [null] }} {{ 'x' isIn n }}",
            ctx.clone()
        ),
        "true true false false"
    );
    assert_eq!(
        ok(
            "{{ 1..4 }} {{ 3..1 }} {{ range(5, 1, -2) }} {{ range('a', 'c') }}",
            ctx.clone()
        ),
        "[1,2,3,4] [] [5,3,1] [\"a\",\"b\",\"c\"]"
    );
    assert!(err("{{ range(1, 2, 0) }}", ctx.clone()).contains("must be different than 0"));
    assert!(err("{{ range(0, 2000000000) }}", ctx)
        .contains("cannot produce more than 1000000 elements"));
}

#[test]
fn logic_and_ternary_coercion() {
    let ctx = json!({"n": null, "l": [1]});
    assert_eq!(
        ok(
            "{{ true and 1 }} {{ 0 or '' }} {{ 'false' and true }} {{ not 0 }} {{ not 'x' }}",
            ctx.clone()
        ),
        "true false true true false"
    );
    // Short-circuit: the right side is not evaluated.
    assert_eq!(
        ok("{{ false and missing }} {{ true or missing }}", ctx.clone()),
        "false true"
    );
    assert!(err("{{ n and true }}", ctx.clone()).contains("null value used in and operator"));
    assert!(err("{{ not n }}", ctx.clone()).contains("null value given to not()"));
    assert!(
        err("{{ l or true }}", ctx.clone()).contains("cannot be cast to class java.lang.Boolean")
    );
    assert!(err("{{ not l }}", ctx.clone()).contains("Unsupported value type ArrayList"));
    assert_eq!(
        ok(
            "{{ n ? 'y' : 'n' }} {{ '' ? 'y' : 'n' }} {{ 0.0 ? 'y' : 'n' }} {{ 'a' ? 'y' : 'n' }}",
            ctx.clone()
        ),
        "n n n y"
    );
    // `not` binds tighter than `==`.
    assert_eq!(ok("{{ not 1 == 2 }}", ctx), "false");
}

#[test]
fn tests_with_is() {
    let ctx = json!({"n": null, "s": " ", "m": {}, "l": [1]});
    assert_eq!(ok("{{ n is null }} {{ s is empty }} {{ m is empty }} {{ l is empty }} {{ l is iterable }} {{ m is map }}", ctx.clone()), "true true true false true true");
    assert_eq!(ok("{{ 2 is even }} {{ 3 is odd }} {{ 3 is not odd }} {{ '[1]' is json }} {{ 'x' is json }}", ctx.clone()), "true true false true false");
    assert!(err("{{ n is even }}", ctx.clone()).contains("Can not pass null value"));
    assert!(err("{{ 1 is nosuch }}", ctx.clone()).contains("Test [nosuch] does not exist."));
    assert!(err("{{ missing is null }}", ctx).contains("Unable to find `missing`"));
}

#[test]
fn method_calls_whitelist() {
    let ctx = json!({"s": " Hello World ", "l": [1, 2, 3], "m": {"a": 1, "b": 2}});
    assert_eq!(
        ok(
            "{{ s.length() }} {{ s.trim() }} {{ s.toUpperCase() }} {{ s.toLowerCase() }}",
            ctx.clone()
        ),
        "13 Hello World  HELLO WORLD   hello world "
    );
    assert_eq!(ok("{{ s.indexOf('World') }} {{ s.trim().startsWith('He') }} {{ s.endsWith(' ') }} {{ s.isEmpty() }}", ctx.clone()), "7 true true false");
    // `contains` is an operator keyword: Pebble's lexer never reads it as a method name.
    assert!(err("{{ s.contains('World') }}", ctx.clone()).contains("expected an attribute name"));
    assert_eq!(
        ok(
            "{{ s.trim().split(' ') }} {{ s.substring(1, 6) }} {{ s.replace('o', '0') }}",
            ctx.clone()
        ),
        "[\"Hello\",\"World\"] Hello  Hell0 W0rld "
    );
    assert_eq!(
        ok(
            "{{ l.size() }} {{ l.get(1) }} {{ l.indexOf(3) }} {{ l.isEmpty() }} {{ l.size }}",
            ctx.clone()
        ),
        "3 2 2 false 3"
    );
    assert_eq!(
        ok(
            "{{ m.keySet() }} {{ m.get('b') }} {{ m.get('zz') }} {{ m.size() }} {{ m.values() }}",
            ctx.clone()
        ),
        "[\"a\",\"b\"] 2  2 [1,2]"
    );
    assert_eq!(ok("{{ s.length }}", ctx.clone()), "13");
    let e = err("{{ s.codePointAt(0) }}", ctx.clone());
    assert!(
        e.contains("method `codePointAt()` with 1 argument(s) is not supported on a string"),
        "{e}"
    );
    assert!(err("{{ s.substring(5, 100) }}", ctx.clone()).contains("begin 5, end 100, length 13"));
    assert!(err("{{ nothing.size() }}", ctx).contains("Unable to find `nothing`"));
}

#[test]
fn map_literals_follow_java_hash_order() {
    // Pebble builds map literals as `HashMap`s: Kestra prints them in hash order.
    assert_eq!(
        ok("{{ {'foo': 1, 'baz': 2} }}", json!({})),
        r#"{"baz":2,"foo":1}"#
    );
    assert_eq!(
        ok("{{ {'b': 1, 'a': 2} | keys }}", json!({})),
        r#"["a","b"]"#
    );
    // Context maps keep their order.
    assert_eq!(
        ok("{{ m | keys }}", json!({"m": {"a": 1, "b": 2}})),
        r#"["a","b"]"#
    );
}
