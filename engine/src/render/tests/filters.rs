//! Filters and functions beyond the parity table: edge cases and errors.

use serde_json::json;

use super::support::*;

#[test]
fn string_filters() {
    let ctx = json!({});
    assert_eq!(ok("{{ 'abcdef' | abbreviate(6) }} {{ 'abcdef' | abbreviate(7) }} {{ 'ab' | abbreviate(1) }}", ctx.clone()), "abc... abcdef ab");
    assert_eq!(
        ok(
            "{{ '  hello world' | capitalize }}|{{ 'hELLO wORLD' | title }}",
            ctx.clone()
        ),
        "  Hello world|HELLO WORLD"
    );
    assert_eq!(ok("{{ 'a.b.c' | split('.') }} {{ 'a.b.c' | split('\\.') }} {{ 'a1b22c' | split('\\d+') }} {{ 'a.b' | split('\\\\.') }}", ctx.clone()), "[] [\"a\",\"b\",\"c\"] [\"a\",\"b\",\"c\"] [\"a.b\"]");
    assert_eq!(
        ok("{{ 'a,b,,' | split(',', -1) }}", ctx.clone()),
        "[\"a\",\"b\",\"\",\"\"]"
    );
    assert_eq!(
        ok("{{ 'Héllo Wörld & Co_x' | slugify }}", ctx.clone()),
        "hello-world-co-x"
    );
    assert_eq!(
        ok("{{ 'a\nb\r\nc' | nl2br }}", ctx.clone()),
        "a<br />b<br />c"
    );
    assert_eq!(ok("{{ 'abc' | substringAfter('x') }}|{{ 'abc' | substringBefore('x') }}|{{ 'abc' | substringAfterLast('c') }}", ctx.clone()), "|abc|");
    assert_eq!(
        ok("{{ 42 | upper }} {{ 'É' | lower }}", ctx.clone()),
        "42 é"
    );
    assert_eq!(
        ok("{{ '日本' | length }} {{ '😀' | length }}", ctx.clone()),
        "2 2"
    );
    assert!(err("{{ 'x' | base64decode }}", ctx.clone()).contains("correctly Base64 encoded"));
    assert!(err("{{ 1 | base64decode }}", ctx.clone()).contains("This filter applies to String"));
    assert_eq!(
        ok("{{ 'héllo' | base64encode | base64decode }}", ctx.clone()),
        "héllo"
    );
    assert_eq!(
        ok("{{ 'a b&c=d/é' | urlencode }}", ctx.clone()),
        "a+b%26c%3Dd%2F%C3%A9"
    );
    assert!(err("{{ '%zz' | urldecode }}", ctx.clone()).contains("Illegal hex characters"));
    assert!(err("{{ 1 | sha256 }}", ctx.clone()).contains("Need a string to hash"));
    assert!(err("{{ 5 | trim }}", ctx.clone()).contains("cannot be cast to class java.lang.String"));
    assert!(err("{{ 'x' | split }}", ctx).contains("missing delimiter parameter"));
}

#[test]
fn replace_and_escape_recurse_into_structures() {
    let ctx = json!({"m": {"a": "it's", "b": ["x'y", 1]}});
    assert_eq!(
        ok("{{ m | escapeChar('single') }}", ctx.clone()),
        r#"{"a":"it\\'s","b":["x\\'y","1"]}"#
    );
    assert_eq!(
        ok("{{ m | replace({\"'\": '_'}) }}", ctx.clone()),
        r#"{"a":"it_s","b":["x_y","1"]}"#
    );
    assert_eq!(
        ok("{{ 'a-b-c' | replace({'-': '+', 'a': 'A'}) }}", ctx.clone()),
        "A+b+c"
    );
    assert_eq!(
        ok(
            "{{ 'x1y22' | replace({'(?<n>\\d+)': '<${n}>'}, regexp=true) }}",
            ctx.clone()
        ),
        "x<1>y<22>"
    );
    assert!(err(
        "{{ 'x' | replace({'a(?=b)': ''}, regexp=true) }}",
        ctx.clone()
    )
    .contains("look-around"));
    assert!(err("{{ 'x' | replace('a') }}", ctx).contains("cannot be cast to class java.util.Map"));
}

#[test]
fn collection_filters() {
    // Context maps are given in key order: `serde_json::Map` may sort keys.
    let ctx = json!({"l": [3, 1, 2], "m": {"a": 2, "b": 1}, "mixed": [1, 2.5]});
    assert_eq!(
        ok(
            "{{ l | sort }} {{ l | rsort }} {{ l | reverse }} {{ l }}",
            ctx.clone()
        ),
        "[1,2,3] [3,2,1] [2,1,3] [3,1,2]"
    );
    assert_eq!(
        ok("{{ ['b', 'B', 'a'] | sort }}", ctx.clone()),
        "[\"B\",\"a\",\"b\"]"
    );
    assert!(err("{{ mixed | sort }}", ctx.clone()).contains("cannot be cast"));
    assert_eq!(
        ok("{{ m | merge({'c': 3}) }}", ctx.clone()),
        r#"{"a":2,"b":1,"c":3}"#
    );
    assert_eq!(
        ok(
            "{{ l | merge(m) | length }} {{ null | merge([1]) }}",
            ctx.clone()
        ),
        "5 [1]"
    );
    assert!(err("{{ 'x' | merge([1]) }}", ctx.clone()).contains("not a Map/List/Array"));
    assert_eq!(
        ok(
            "{{ l | first }} {{ l | last }} {{ [] | first }}|{{ m | keys }} {{ m | values }}",
            ctx.clone()
        ),
        "3 2 |[\"a\",\"b\"] [2,1]"
    );
    assert!(err("{{ m | first }}", ctx.clone())
        .contains("cannot be cast to class java.util.Collection"));
    assert!(err("{{ 'x' | values }}", ctx.clone())
        .contains("'values' filter can only be applied to Map"));
    assert_eq!(
        ok("{{ l | slice(1) }} {{ 'abc' | slice(0, 2) }}", ctx.clone()),
        "[1,2] ab"
    );
    assert!(err("{{ l | slice(1, 9) }}", ctx.clone())
        .contains("toIndex must be smaller than input size"));
    assert!(err("{{ l | slice(2, 1) }}", ctx.clone())
        .contains("toIndex must be greater than fromIndex"));
    assert_eq!(
        ok("{{ [[1, [2]], 3] | flatten }}", ctx.clone()),
        "[1,[2],3]"
    );
    assert_eq!(
        ok(
            "{{ l | length }} {{ m | length }} {{ null | length }} {{ 5 | length }}",
            ctx.clone()
        ),
        "3 2 0 0"
    );
    assert_eq!(
        ok("{{ l | join }} {{ [1, null] | join('-') }}", ctx),
        "312 1-null"
    );
}

#[test]
fn number_and_conversion_filters() {
    let ctx = json!({});
    assert_eq!(ok("{{ '12.5' | number + 1 }} {{ '0x1F' | number }} {{ '10' | number('DOUBLE') }} {{ '7' | number('INT') }}", ctx.clone()), "13.5 31 10.0 7");
    assert!(err("{{ 'abc' | number }}", ctx.clone()).contains("For input string"));
    assert!(err("{{ 5 | number }}", ctx.clone()).contains("can only be applied to String"));
    assert_eq!(ok("{{ 1234567.891 | numberFormat('#,##0.00') }} {{ 0.5 | numberFormat('0%') }} {{ 42 | numberFormat }}", ctx.clone()), "1,234,567.89 50% 42");
    assert_eq!(ok("{{ 1 | className }} {{ 1.5 | className }} {{ 'a' | className }} {{ [1] | className }} {{ {'a': 1} | className }}", ctx.clone()), "java.lang.Integer java.lang.Double java.lang.String java.util.ArrayList java.util.LinkedHashMap");
    assert_eq!(
        ok(
            "{{ {'a': [1, {'b': 'c d'}], 'e': ''} | yaml }}",
            ctx.clone()
        ),
        "a:\n - 1\n - b: c d\ne: \"\"\n"
    );
    // Map literals are `HashMap`s: "n" hashes before "k".
    assert_eq!(
        ok("{{ {'k': 'v', 'n': [1, 2.5]} | toIon }}", ctx),
        "{n:[1,2.5e0],k:\"v\"}"
    );
}

#[test]
fn jq_filter() {
    let ctx = json!({"data": {"items": [{"n": "a", "v": 1}, {"n": "b", "v": 2}]}, "text": "{\"a\": [1, 2]}"});
    assert_eq!(
        ok(
            "{{ data | jq('.items[] | select(.v > 1) | .n') | first }}",
            ctx.clone()
        ),
        "b"
    );
    assert_eq!(
        ok("{{ data | jq('.items | map(.v) | add') }}", ctx.clone()),
        "[3]"
    );
    assert_eq!(
        ok("{{ text | jq('.a | length') | first }}", ctx.clone()),
        "2"
    );
    assert_eq!(ok("{{ data | jq('.missing') }}", ctx.clone()), "[null]");
    assert_eq!(ok("{{ data | jq('empty') }}", ctx.clone()), "[]");
    assert!(err("{{ data | jq('.items[') }}", ctx.clone()).contains("Invalid jq expression"));
    assert!(err("{{ data | jq('error(\"boom\")') }}", ctx.clone()).contains("boom"));
    assert!(err("{{ 'not json' | jq('.') }}", ctx.clone()).contains("Unable to parse jq value"));
    assert!(err("{{ data | jq('halt') }}", ctx).contains("Failed to resolve JQ expression"));
}

#[test]
fn date_filters_more() {
    let ctx = json!({"d": "2024-03-31T01:30:00Z"});
    assert_eq!(
        ok(
            "{{ d | date('yyyy-MM-dd HH:mm z', timeZone='Europe/Paris') }}",
            ctx.clone()
        ),
        "2024-03-31 03:30 CEST"
    );
    assert_eq!(
        ok(
            "{{ d | date('EEE, d MMM yy', timeZone='UTC') }}",
            ctx.clone()
        ),
        "Sun, 31 Mar 24"
    );
    assert_eq!(ok("{{ d | date('iso_instant') }} {{ d | date('iso_local_date_time') }} {{ d | date('iso_week_date') }}", ctx.clone()), "2024-03-31T01:30:00Z 2024-03-31T01:30:00 2024-W13-7Z");
    assert_eq!(
        ok(
            "{{ d | date('rfc_1123_date_time', timeZone='America/New_York') }}",
            ctx.clone()
        ),
        "Sat, 30 Mar 2024 21:30:00 -0400"
    );
    assert_eq!(
        ok(
            "{{ d | date('hh:mm a', timeZone='Asia/Tokyo') }} {{ d | date(\"'week' w\") }}",
            ctx.clone()
        ),
        "10:30 AM week 14"
    );
    assert_eq!(ok("{{ d | dateAdd(1, 'MONTHS', format='yyyy-MM-dd') }} {{ d | dateAdd(2, 'HOURS', format='HH:mm') }}", ctx.clone()), "2024-04-30 03:30");
    assert_eq!(
        ok(
            "{{ '2024-01-31' | dateAdd(1, 'MONTHS', 'yyyy-MM-dd') }}",
            ctx.clone()
        ),
        "2024-02-29"
    );
    assert!(err("{{ d | dateAdd(1, 'FORTNIGHTS') }}", ctx.clone()).contains("No enum constant"));
    assert!(err("{{ d | date(timeZone='Mars/Base') }}", ctx.clone())
        .contains("Unknown time-zone ID: Mars/Base"));
    assert!(err("{{ 'yesterday' | date }}", ctx.clone()).contains("could not be parsed"));
    assert!(err("{{ d | date('yyyy-qq-#') }}", ctx.clone()).contains("reserved character"));
    assert_eq!(
        ok(
            "{{ '31/12/2023 23:59' | date('yyyy-MM-dd', existingFormat='dd/MM/yyyy HH:mm') }}",
            ctx.clone()
        ),
        "2023-12-31"
    );
    assert!(err("{{ 1.5 | date ?? 'x' }}", ctx.clone()).contains("java.lang.Double cannot be cast"));
    assert_eq!(
        ok("{{ now() }}", ctx.clone()),
        "2013-09-08T15:19:12.000000Z"
    );
    assert_eq!(
        ok("{{ now(format='iso_zoned_date_time') }}", ctx),
        "2013-09-08T15:19:12Z[Etc/UTC]"
    );
}

#[test]
fn host_functions() {
    let ctx = json!({"flow": {"namespace": "company.team"}});
    assert_eq!(ok("{{ secret('MY_SECRET') }}", ctx.clone()), "s3cr3t");
    assert!(err("{{ secret('NOPE') }}", ctx.clone()).contains("Cannot find secret for key 'NOPE'"));
    assert_eq!(
        ok("{{ kv('count') + 1 }} {{ kv('my-key') }}", ctx.clone()),
        "43 {\"field\":\"value\"}"
    );
    assert_eq!(ok("{{ fileExists('nope') }}", ctx.clone()), "false");
    assert_eq!(
        ok(
            "{{ fileURI('a/b.txt') }} {{ fileURI('x', namespace='other.ns') }}",
            ctx.clone()
        ),
        "kestra:///company/team/_files/a/b.txt kestra:///other/ns/_files/x"
    );
    assert!(err("{{ http('https://example.com') }}", ctx.clone())
        .contains("not supported when rendering locally"));
    // A host without the execution's logs (an editor preview) cannot answer errorLogs().
    assert!(err("{{ errorLogs() }}", ctx.clone()).contains("needs the execution's logs"));
    assert!(err("{{ encrypt('k', 'v') }}", ctx.clone())
        .contains("not supported when rendering locally"));
    assert!(ok("{{ randomPort() }}", ctx).parse::<u16>().is_ok());
}

#[test]
fn render_functions() {
    let ctx = json!({"tpl": "{{ a }}", "a": "{{ b }}", "b": "B", "m": {"{{ b }}": "{{ a }}"}});
    assert_eq!(
        ok(
            "{{ render(tpl) }} {{ renderOnce(tpl) }} {{ render(tpl, false) }}",
            ctx.clone()
        ),
        "B {{ b }} {{ b }}"
    );
    assert_eq!(ok("{{ render(m) }}", ctx.clone()), r#"{"B":"B"}"#);
    // Variables set in the template are visible to render().
    assert_eq!(
        ok("{% set b = 'local' %}{{ render(a) }}", ctx.clone()),
        "local"
    );
    assert!(err("{{ render(x) }}", json!({"x": "{{ nope }}"})).contains("Unable to find `nope`"));
    // An error inside render() is not an "undefined" error any more: `??` does not catch it.
    assert!(r("{{ render(x) ?? 'd' }}", json!({"x": "{{ nope }}"})).is_err());
    assert!(err("{{ render(tpl, recursive='yes') }}", ctx).contains("type boolean"));
}

/// The engine implements every filter, function and test of each Kestra line it renders in the
/// shared table (or says it cannot run it locally), and knows none of the others.
#[test]
fn the_builtin_table_and_the_engine_agree() {
    use kflow_syntax::pebble::builtins::{self, Builtin};
    use kflow_syntax::pebble::CallKind;

    let call = |b: &Builtin| match b.kind {
        CallKind::Filter => format!("{{{{ 'x' | {} }}}}", b.name),
        CallKind::Test => format!("{{{{ 'x' is {} }}}}", b.name),
        _ => format!("{{{{ {}() }}}}", b.name),
    };
    for (line, kind) in [(1, 3), (2, 0)].into_iter().flat_map(|l| {
        [
            (l, CallKind::Filter),
            (l, CallKind::Function),
            (l, CallKind::Test),
        ]
    }) {
        for b in builtins::all(kind) {
            if matches!(b.name, "block" | "parent") {
                continue;
            }
            let outcome = r_in(line, &call(b), json!({})).err().unwrap_or_default();
            let unknown = outcome.contains("does not exist");
            if b.in_line(line) && !b.enterprise {
                assert!(!unknown, "{} `{}`: {outcome}", kind_name(kind), b.name);
            } else {
                assert!(
                    unknown,
                    "{} `{}` should not exist: {outcome}",
                    kind_name(kind),
                    b.name
                );
            }
        }
    }
}

fn kind_name(kind: kflow_syntax::pebble::CallKind) -> &'static str {
    match kind {
        kflow_syntax::pebble::CallKind::Filter => "filter",
        kflow_syntax::pebble::CallKind::Test => "test",
        _ => "function",
    }
}

/// `number('FLOAT')` and `number` on a short decimal give a `java.lang.Float`: it prints as
/// `Float.toString` and widens to a double in arithmetic. Outputs as Java prints them (checked
/// with a JDK; `1.2345679E8` is Java 19+'s shortest form, Kestra's Java 21 prints it so where
/// Java 17 printed `1.23456792E8`).
#[test]
fn floats_print_and_widen_like_java() {
    let ctx = json!({});
    let cases = [
        ("{{ '12.3' | number | className }}", "java.lang.Float"),
        (
            "{{ '12.3' | number('DOUBLE') | className }}",
            "java.lang.Double",
        ),
        ("{{ '3.14' | number('FLOAT') }}", "3.14"),
        ("{{ '1.1' | number('FLOAT') + 1 }}", "2.100000023841858"),
        ("{{ '0.1' | number('FLOAT') * 3 }}", "0.30000000447034836"),
        ("{{ '123456789.123' | number }}", "1.2345679E8"),
        ("{{ '0.0001' | number('FLOAT') }}", "1.0E-4"),
        ("{{ '1e5' | number }}", "100000.0"),
        ("{{ '1e7' | number }}", "1.0E7"),
        ("{{ '12345.678' | number }}", "12345.678"),
        ("{{ '-0.001' | number }}", "-0.001"),
        (
            "{{ '0.12345678' | number | className }}",
            "java.lang.Double",
        ),
        ("{{ '2.5' | number('FLOAT') > 2 }}", "true"),
        ("{{ ['2.5' | number('FLOAT')] }}", "[2.5]"),
    ];
    for (template, want) in cases {
        assert_eq!(ok(template, ctx.clone()), want, "{template}");
    }
}
