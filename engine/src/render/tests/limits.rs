//! Robustness: bounded resources, and random templates never panic.

use std::time::{Duration, Instant};

use serde_json::json;

use super::support::*;

#[test]
fn output_and_loops_are_bounded() {
    let e = err(
        "{% for i in range(0, 999999) %}{% for j in range(0, 999999) %}{% endfor %}{% endfor %}",
        json!({}),
    );
    assert!(e.contains("too many loop iterations"), "{e}");
    let e = err(
        "{% set s = 'xxxxxxxxxxxxxxxx' %}{% for i in range(0, 40) %}{% set s = s ~ s %}{% endfor %}{{ s }}",
        json!({}),
    );
    assert!(e.contains("too large"), "{e}");
    let e = err(
        "{% for i in range(0, 999999) %}{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }}{% endfor %}",
        json!({}),
    );
    assert!(e.contains("too large"), "{e}");
    // Quadratic string building in a loop is stopped.
    let e = err(
        "{% set s = '' %}{% for i in range(0, 999999) %}{% set s = s ~ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' %}{% endfor %}",
        json!({}),
    );
    assert!(e.contains("too much string concatenation"), "{e}");
    let e = err("{{ 'x' | indent(999999999, 'abc') }}", json!({}));
    assert!(e.contains("expects") || e.contains("too large"), "{e}");
}

#[test]
fn nesting_is_bounded() {
    // Values built deeper and deeper in a loop.
    let e = err(
        "{% set a = [] %}{% for i in range(0, 10000) %}{% set a = [a] %}{% endfor %}{{ a }}",
        json!({}),
    );
    assert!(e.contains("nested too deeply"), "{e}");
    // render() calling itself through a variable.
    let e = err("{{ render(x) }}", json!({"x": "{{ render(x) }}"}));
    assert!(e.contains("Too many rendering attempts"), "{e}");
    // Deep expressions parse (the parser caps them) and evaluate or fail cleanly.
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(200), ")".repeat(200));
    assert_eq!(ok(&deep, json!({})), "1");
    let chain = format!("{{{{ 1{} }}}}", " + 1".repeat(400));
    assert_eq!(ok(&chain, json!({})), "401");
    let nots = format!("{{{{ {}true }}}}", "not ".repeat(250));
    assert_eq!(ok(&nots, json!({})), "true");
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// String literals of the parser's own tests that look like templates.
fn corpus() -> Vec<String> {
    let src = concat!(
        include_str!("../../../../syntax/src/pebble/tests.rs"),
        include_str!("../../../../syntax/src/pebble/robustness.rs")
    );
    let mut out = Vec::new();
    let mut rest = src;
    // r#"…"# raw strings, then ordinary "…" strings (with their common escapes).
    while let Some(at) = rest.find(['"', 'r']) {
        let tail = &rest[at..];
        if let Some(body) = tail.strip_prefix("r#\"") {
            if let Some(end) = body.find("\"#") {
                out.push(body[..end].to_string());
                rest = &body[end + 2..];
                continue;
            }
        }
        let Some(body) = tail.strip_prefix('"') else {
            rest = &tail[1..];
            continue;
        };
        let mut s = String::new();
        let mut chars = body.char_indices();
        let mut end = body.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    end = i + 1;
                    break;
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => s.push('\n'),
                    Some((_, 't')) => s.push('\t'),
                    Some((_, other)) => s.push(other),
                    None => {}
                },
                c => s.push(c),
            }
        }
        out.push(s);
        rest = &body[end.min(body.len())..];
    }
    out.retain(|s| s.contains('{'));
    out.extend(
        [
            "{{ a.b ?? c | upper }}",
            "{% for x in l %}{{ loop.index }}{% set t = t ~ x %}{% endfor %}{{ t }}",
            "{% macro m(a) %}{{ a | length }}{% endmacro %}{{ m(l) }}",
            "{{ m | jq('.[]') | sort | join(',') }}",
            "{{ d | date('yyyy-MM-dd') | dateAdd(1, 'DAYS') }}",
            "{% filter upper %}{{ s | slugify }}{% endfilter %}",
            "{{ render(s) ~ renderOnce(t) }}",
            "{{ s | replace({'a': 'b'}, regexp=true) | split(',') }}",
        ]
        .map(String::from),
    );
    out
}

#[test]
fn random_templates_never_panic() {
    let corpus = corpus();
    assert!(corpus.len() > 50, "corpus too small: {}", corpus.len());
    let ctx = json!({
        "a": {"b": null}, "l": [1, "x", 2.5, null, [1]], "m": {"k": "v", "n": {"x": 1}},
        "s": "a,b,{{ a }}", "t": "", "d": "2024-01-02T03:04:05Z", "n": null, "i": 3,
        "x": "{% raw %}y{% endraw %}"
    });
    let seed = std::env::var("KFLOW_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15u64);
    let mut rng = XorShift(seed | 1);
    let start = Instant::now();
    let mut rendered = 0;
    let mut ok_count = 0;
    // More rounds on demand: `KFLOW_FUZZ_ROUNDS=100000 cargo test random_templates`.
    let rounds: usize = std::env::var("KFLOW_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    for round in 0..rounds {
        let mut t = String::new();
        for _ in 0..1 + rng.below(4) {
            let piece = &corpus[rng.below(corpus.len())];
            // Random slices, on character boundaries.
            let chars: Vec<char> = piece.chars().collect();
            let a = rng.below(chars.len() + 1);
            let b = a + rng.below(chars.len() - a + 1);
            if round % 3 == 0 {
                t.extend(&chars[a..b]);
            } else {
                t.push_str(piece);
            }
        }
        // Must return (Ok or Err) without panicking.
        if r(&t, ctx.clone()).is_ok() {
            ok_count += 1;
        }
        rendered += 1;
        assert!(
            start.elapsed() < Duration::from_secs(60 + rounds as u64 / 50),
            "rendering is too slow (stuck at {t:?})"
        );
    }
    assert_eq!(rendered, rounds);
    // Both outcomes must be exercised.
    assert!(
        ok_count > rounds / 20 && ok_count < rounds,
        "{ok_count} of {rounds} rendered"
    );
    eprintln!(
        "fuzz: {ok_count} of {rounds} templates rendered, {} corpus entries",
        corpus.len()
    );
}
