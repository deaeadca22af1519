//! The public entry points: typed rendering, structures, truthiness.

use serde_json::{json, Value};

use super::support::*;
use crate::render::{is_truthy, render_json, render_json_text, NoHost, RenderContext};

#[test]
fn typed_rendering_keeps_native_values() {
    let ctx = json!({"l": [1, 2], "m": {"a": 1}, "n": null, "f": 1.5, "s": "x"});
    assert_eq!(typed("{{ l }}", ctx.clone()), json!([1, 2]));
    assert_eq!(typed("{{ m }}", ctx.clone()), json!({"a": 1}));
    assert_eq!(typed("{{ n }}", ctx.clone()), Value::Null);
    assert_eq!(typed("{{ 7 / 2 }}", ctx.clone()), json!(3));
    assert_eq!(typed("{{ f * 2 }}", ctx.clone()), json!(3.0));
    assert_eq!(typed("{{ 1 == 1 }}", ctx.clone()), json!(true));
    assert_eq!(typed("{# c #}{{ s }}", ctx.clone()), json!("x"));
    assert_eq!(typed("  {{- l -}}\n", ctx.clone()), json!([1, 2]));
    // Anything else is a string.
    assert_eq!(typed(" {{ l }}", ctx.clone()), json!(" [1,2]"));
    assert_eq!(typed("{{ l }}{{ l }}", ctx.clone()), json!("[1,2][1,2]"));
    assert_eq!(typed("plain", ctx.clone()), json!("plain"));
    assert_eq!(typed("{{ 1.0 / 0 }}", ctx), json!("Infinity"));
}

#[test]
fn render_json_renders_keys_and_values() {
    let vars = vars(&json!({"k": "key", "v": [1, 2], "name": "x"}));
    let cx = RenderContext {
        vars: &vars,
        host: &NoHost,
        line: crate::render::DEFAULT_LINE,
    };
    let input = json!({
        "{{ k }}": "{{ v }}",
        "text": "hello {{ name }}",
        "nested": [{"n": "{{ v | length }}"}, 3, true, null],
        "plain": "no braces"
    });
    let out = render_json(&input, &cx).unwrap();
    assert_eq!(
        out,
        json!({
            "key": [1, 2],
            "text": "hello x",
            "nested": [{"n": 2}, 3, true, null],
            "plain": "no braces"
        })
    );
    let err = render_json(&json!({"a": ["{{ nope }}"]}), &cx).unwrap_err();
    assert!(err.message.contains("Unable to find `nope`"));
    assert!(err.span.is_some());
}

#[test]
fn kestra_truthiness() {
    for falsy in ["", "false", "0", "-0", "  false\n", " 0 "] {
        assert!(!is_truthy(falsy), "{falsy:?}");
    }
    for truthy in [
        "False", "FALSE", "null", "no", "0.0", "[]", "true", "1", "x",
    ] {
        assert!(is_truthy(truthy), "{truthy:?}");
    }
    // The usual pipeline: render, then test the string.
    assert!(!is_truthy(&ok("{{ n }}", json!({"n": null}))));
    assert!(is_truthy(&ok("{{ [] }}", json!({}))));
    assert!(!is_truthy(&ok("{{ 1 > 2 }}", json!({}))));
}

#[test]
fn error_spans_point_into_the_template() {
    let vars = vars(&json!({}));
    let cx = RenderContext {
        vars: &vars,
        host: &NoHost,
        line: crate::render::DEFAULT_LINE,
    };
    let t = "abc {{ x.y }}";
    let e = crate::render::render(t, &cx).unwrap_err();
    let span = e.span.expect("a span");
    assert_eq!(&t[span.start as usize..span.end as usize], "x");
    let e = crate::render::render("{{ 'a' | nope }}", &cx).unwrap_err();
    assert_eq!(
        e.message,
        "Filter [nope] does not exist. ({{ 'a' | nope }}:1)"
    );
}

#[test]
fn render_json_text_renders_every_string_to_text() {
    let vars = vars(&json!({"k": "key", "v": [1, 2], "i": 3}));
    let cx = RenderContext {
        vars: &vars,
        host: &NoHost,
        line: crate::render::DEFAULT_LINE,
    };
    let input = json!({"{{ k }}": "{{ i + 1 }}", "l": ["{{ v }}", 5, true, null], "m": {"b": "{{ i > 2 }}"}});
    assert_eq!(
        render_json_text(&input, &cx).unwrap(),
        json!({"key": "4", "l": ["[1,2]", 5, true, null], "m": {"b": "true"}})
    );
}

/// A host that only knows the execution's ERROR logs.
struct LogsHost(Value);

impl crate::render::Host for LogsHost {
    fn read(&self, path: &str) -> Result<String, String> {
        NoHost.read(path)
    }
    fn secret(&self, key: &str) -> Result<String, String> {
        NoHost.secret(key)
    }
    fn kv(&self, key: &str, ns: Option<&str>, error_on_missing: bool) -> Result<Value, String> {
        NoHost.kv(key, ns, error_on_missing)
    }
    fn file_size(&self, path: &str) -> Result<u64, String> {
        NoHost.file_size(path)
    }
    fn file_exists(&self, path: &str) -> Result<bool, String> {
        NoHost.file_exists(path)
    }
    fn now(&self) -> std::time::SystemTime {
        NoHost.now()
    }
    fn error_logs(&self) -> Result<Value, String> {
        Ok(self.0.clone())
    }
}

#[test]
fn error_logs_lists_the_hosts_error_entries() {
    let host = LogsHost(json!([
        {"taskId": "failed", "message": "Task failure", "level": "ERROR"},
        {"taskId": "other", "message": "boom", "level": "ERROR"}
    ]));
    let vars = vars(&json!({}));
    let cx = RenderContext {
        vars: &vars,
        host: &host,
        line: crate::render::DEFAULT_LINE,
    };
    let template = "{%- for log in errorLogs() -%}\n- task: {{ log.taskId }}, message: {{ log.message }}\n{%- endfor -%}";
    assert_eq!(
        crate::render::render(template, &cx).unwrap(),
        "- task: failed, message: Task failure- task: other, message: boom"
    );
    assert_eq!(
        crate::render::render("{{ errorLogs()[0]['message'] }}", &cx).unwrap(),
        "Task failure"
    );
}
