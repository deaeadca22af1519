//! Test helpers: a host with in-memory files, secrets and KV entries and a fixed clock.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::render::{render, render_value, Host, RenderContext};

pub struct TestHost {
    pub files: HashMap<String, String>,
    pub secrets: HashMap<String, String>,
    pub kv: HashMap<String, Value>,
    pub now: SystemTime,
}

impl Default for TestHost {
    fn default() -> Self {
        let mut files = HashMap::new();
        files.insert(
            "kestra:///my/namespace/flow/executions/e1/tasks/t/r1/out.txt".to_string(),
            "Hello from a task output".to_string(),
        );
        files.insert(
            "file.txt".to_string(),
            "Hello from {{ flow.namespace }}".to_string(),
        );
        files.insert("kestra:///empty.txt".to_string(), String::new());
        let mut secrets = HashMap::new();
        secrets.insert("MY_SECRET".to_string(), "s3cr3t".to_string());
        secrets.insert(
            "JSON_SECRET".to_string(),
            r#"{"user":"u","password":"p"}"#.to_string(),
        );
        let mut kv = HashMap::new();
        kv.insert("my-key".to_string(), json!({"field": "value"}));
        kv.insert("count".to_string(), json!(42));
        TestHost {
            files,
            secrets,
            kv,
            // 2013-09-08T15:19:12Z
            now: UNIX_EPOCH + Duration::from_secs(1_378_653_552),
        }
    }
}

impl Host for TestHost {
    fn read(&self, path: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| format!("Unable to read the file '{path}': file not found"))
    }
    fn secret(&self, key: &str) -> Result<String, String> {
        self.secrets
            .get(key)
            .cloned()
            .ok_or_else(|| format!("Cannot find secret for key '{key}'."))
    }
    fn kv(
        &self,
        key: &str,
        namespace: Option<&str>,
        error_on_missing: bool,
    ) -> Result<Value, String> {
        match self.kv.get(key) {
            Some(v) => Ok(v.clone()),
            None if error_on_missing => Err(format!(
                "The key '{key}' does not exist in the namespace '{}'.",
                namespace.unwrap_or("io.kestra.tests")
            )),
            None => Ok(Value::Null),
        }
    }
    fn file_size(&self, path: &str) -> Result<u64, String> {
        self.read(path).map(|s| s.len() as u64)
    }
    fn file_exists(&self, path: &str) -> Result<bool, String> {
        Ok(self.files.contains_key(path))
    }
    fn now(&self) -> SystemTime {
        self.now
    }
}

pub fn vars(ctx: &Value) -> Map<String, Value> {
    match ctx {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        other => panic!("context must be an object: {other}"),
    }
}

/// Renders with the test host; errors as their message.
pub fn r(template: &str, ctx: Value) -> Result<String, String> {
    r_in(crate::render::DEFAULT_LINE, template, ctx)
}

/// Renders as Kestra `line` does, with the test host.
pub fn r_in(line: crate::render::Line, template: &str, ctx: Value) -> Result<String, String> {
    let host = TestHost::default();
    let vars = vars(&ctx);
    let cx = RenderContext {
        vars: &vars,
        host: &host,
        line,
    };
    render(template, &cx).map_err(|e| e.message)
}

pub fn ok(template: &str, ctx: Value) -> String {
    match r(template, ctx) {
        Ok(s) => s,
        Err(e) => panic!("{template}: unexpected error: {e}"),
    }
}

pub fn err(template: &str, ctx: Value) -> String {
    match r(template, ctx) {
        Ok(s) => panic!("{template}: expected an error, got {s:?}"),
        Err(e) => e,
    }
}

pub fn typed(template: &str, ctx: Value) -> Value {
    let host = TestHost::default();
    let vars = vars(&ctx);
    let cx = RenderContext {
        vars: &vars,
        host: &host,
        line: crate::render::DEFAULT_LINE,
    };
    render_value(template, &cx).unwrap_or_else(|e| panic!("{template}: {e}"))
}
