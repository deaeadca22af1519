//! Runs `parity.txt`: Kestra's own tests and documentation examples as rows of template,
//! context and expected output or error.

use serde_json::Value;

use super::support::r;

/// `\n`, `\r`, `\t`, `\\` and `\uXXXX` escapes.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).expect("\\u escape");
                out.push(char::from_u32(code).expect("a char"));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[test]
fn parity_table() {
    let table = include_str!("parity.txt");
    let mut rows = 0;
    let mut failures = Vec::new();
    for (i, line) in table.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            fields.len(),
            3,
            "line {}: expected 3 tab-separated fields",
            i + 1
        );
        rows += 1;
        let template = unescape(fields[0]);
        let ctx: Value = if fields[1] == "-" {
            Value::Null
        } else {
            serde_json::from_str(fields[1])
                .unwrap_or_else(|e| panic!("line {}: bad context JSON: {e}", i + 1))
        };
        let (kind, expected) = fields[2].split_at(1);
        let expected = unescape(expected.strip_prefix(' ').unwrap_or(expected));
        let got = r(&template, ctx);
        let passed = match (kind, &got) {
            ("=", Ok(out)) => *out == expected,
            ("!", Err(msg)) => msg.contains(&expected),
            ("~", Ok(out)) => regex_bites::Regex::new(&expected)
                .expect("valid regex")
                .is_match(out),
            _ => false,
        };
        if !passed {
            failures.push(format!(
                "line {}: {template:?}\n    expected {kind} {expected:?}\n    got      {got:?}",
                i + 1
            ));
        }
    }
    eprintln!("parity rows: {rows}");
    assert!(
        rows >= 150,
        "the parity table must have at least 150 rows, has {rows}"
    );
    assert!(
        failures.is_empty(),
        "{} of {rows} parity rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
