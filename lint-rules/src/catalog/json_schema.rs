//! Reads plugin descriptions written in Kestra's own JSON Schema form, for a project's custom
//! plugins. Three shapes, all produced by Kestra's `JsonSchemaGenerator`:
//! - the flow schema a server serves at `GET /api/v1/plugins/schemas/flow`: every installed
//!   plugin under `definitions`;
//! - one plugin as `kestra plugins doc --schema` writes it: `{properties, outputs, definitions}`;
//! - one plugin as `GET /api/v1/plugins/{type}` returns it: `{markdown, schema: {…}}`.
//!
//! What the generator emits and kflow relies on: a plugin class has a `type` property that is a
//! `const` (or an `enum` of its name and aliases); `$dynamic` marks properties Kestra renders;
//! a `Property<T>` is an `anyOf` of an expression string (`pattern: .*{{.*}}.*`) and T;
//! `$deprecated` marks deprecation; descriptions are in `markdownDescription`; nested types are
//! `$ref`s to `definitions` (`#/definitions/…` or `#/$defs/…`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::model::{Output, Prop, PropType, TypeDef, TypeKind};

/// How deep nested objects are described (as for the generated catalog).
const MAX_DEPTH: usize = 3;

/// The plugin types a JSON document describes. `stem` (the file name without `.json`) names the
/// type when a one-plugin document does not; `kind` comes from the folder the file is in
/// (`tasks/`, `triggers/`…), as `kestra plugins doc` lays them out.
pub fn read(stem: &str, kind: Option<TypeKind>, json: &Value) -> Result<Vec<TypeDef>, String> {
    let root = json.as_object().ok_or("not a JSON object")?;
    // `GET /api/v1/plugins/{type}`: the schema is wrapped.
    let root = match root.get("schema").and_then(Value::as_object) {
        Some(inner) if inner.contains_key("properties") => inner,
        _ => root,
    };
    let defs = definitions(root);
    // One plugin: `properties` holds the class's schema (itself with `properties`).
    if let Some(class) = root
        .get("properties")
        .and_then(Value::as_object)
        .filter(|p| p.get("properties").is_some_and(Value::is_object))
    {
        let names = type_names(class)
            .or_else(|| stem.contains('.').then(|| vec![stem.to_string()]))
            .ok_or("the schema does not name its plugin type (no `type` constant), nor does the file name")?;
        let outputs = root.get("outputs").and_then(Value::as_object);
        return Ok(vec![type_def(names, kind, class, outputs, defs)]);
    }
    // A flow schema: every definition that is a plugin class.
    if defs.is_empty() {
        return Err(
            "neither a plugin schema (`properties`) nor a flow schema (`definitions`)".into(),
        );
    }
    let mut types: Vec<TypeDef> = defs
        .values()
        .filter_map(Value::as_object)
        .filter_map(|class| {
            let names = type_names(class)?;
            let outputs = class.get("outputs").and_then(Value::as_object);
            Some(type_def(names, kind, class, outputs, defs))
        })
        .collect();
    types.sort_by(|a, b| a.name.cmp(&b.name));
    types.dedup_by(|a, b| a.name == b.name);
    Ok(types)
}

fn definitions(root: &Map<String, Value>) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    root.get("definitions")
        .or_else(|| root.get("$defs"))
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

/// The type constant of a plugin class: its name, then its aliases.
fn type_names(class: &Map<String, Value>) -> Option<Vec<String>> {
    let t = class.get("properties")?.get("type")?;
    if let Some(name) = t.get("const").and_then(Value::as_str) {
        return Some(vec![name.to_string()]);
    }
    let names: Vec<String> = t
        .get("enum")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    (!names.is_empty()).then_some(names)
}

fn type_def(
    mut names: Vec<String>,
    kind: Option<TypeKind>,
    class: &Map<String, Value>,
    outputs: Option<&Map<String, Value>>,
    defs: &Map<String, Value>,
) -> TypeDef {
    let name = names.remove(0);
    let properties = fields(class, defs, 0);
    let kind = kind.unwrap_or_else(|| guess_kind(&name, &properties));
    let (outputs, outputs_dynamic) = match outputs {
        Some(o) => (
            object_props(o)
                .map(|(k, v)| {
                    let p = prop(v, defs, MAX_DEPTH);
                    let type_ = match p.types.first() {
                        Some(PropType::Any) | None => "any".to_string(),
                        Some(t) => type_word(t).to_string(),
                    };
                    (k.clone(), Output { type_, doc: p.doc })
                })
                .collect(),
            false,
        ),
        // The flow schema has no outputs: any name is accepted.
        None => (BTreeMap::new(), true),
    };
    TypeDef {
        name,
        kind,
        class: String::new(),
        doc: doc(class),
        aliases: names,
        deprecated: deprecated(class),
        replacement: None,
        since: None,
        removed_in: None,
        properties,
        outputs,
        outputs_dynamic,
        open: false,
        docs_url: None,
    }
}

/// A class's kind when no folder says it, from the properties Kestra's base classes give it:
/// every task and trigger has an `id`, only triggers have `stopAfter`; conditions and task
/// runners have no `id`.
fn guess_kind(name: &str, props: &BTreeMap<String, Prop>) -> TypeKind {
    if props.contains_key("id") {
        if props.contains_key("stopAfter") || props.contains_key("failOnTriggerError") {
            TypeKind::Trigger
        } else {
            TypeKind::Task
        }
    } else if name.contains(".condition") {
        TypeKind::Condition
    } else {
        TypeKind::TaskRunner
    }
}

fn object_props(o: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    o.get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// The properties of an object schema, with `required` applied.
fn fields(
    o: &Map<String, Value>,
    defs: &Map<String, Value>,
    depth: usize,
) -> BTreeMap<String, Prop> {
    let required: Vec<&str> = o
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    object_props(o)
        .map(|(k, v)| {
            let mut p = prop(v, defs, depth);
            p.required = required.contains(&k.as_str()) && p.default.is_none();
            (k.clone(), p)
        })
        .collect()
}

/// Follows `$ref`s and folds `allOf` members into one object (the generator wraps a `$ref`
/// in `allOf` to add annotations to it).
fn resolve(v: &Value, defs: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    fold(v, defs, &mut out, 0);
    out
}

fn fold(v: &Value, defs: &Map<String, Value>, out: &mut Map<String, Value>, hops: usize) {
    let Some(o) = v.as_object() else { return };
    for (k, x) in o {
        if k != "$ref" && k != "allOf" && !out.contains_key(k) {
            out.insert(k.clone(), x.clone());
        }
    }
    if hops > 16 {
        return;
    }
    if let Some(target) = o.get("$ref").and_then(Value::as_str).and_then(|r| {
        let name = r
            .strip_prefix("#/definitions/")
            .or_else(|| r.strip_prefix("#/$defs/"))?;
        defs.get(name)
    }) {
        fold(target, defs, out, hops + 1);
    }
    for member in o
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        fold(member, defs, out, hops + 1);
    }
}

fn prop(v: &Value, defs: &Map<String, Value>, depth: usize) -> Prop {
    let node = resolve(v, defs);
    let mut p = Prop {
        dynamic: node
            .get("$dynamic")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        doc: doc(&node),
        default: node.get("default").map(scalar_text),
        deprecated: deprecated(&node),
        ..Prop::default()
    };
    let union: Vec<&Value> = ["anyOf", "oneOf"]
        .iter()
        .filter_map(|k| node.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    if union.is_empty() {
        member(&node, defs, depth, &mut p);
    } else {
        for m in union {
            let m = resolve(m, defs);
            if is_expression(&m) {
                p.dynamic = true;
            } else {
                member(&m, defs, depth, &mut p);
            }
        }
    }
    if p.types.is_empty() {
        p.types.push(PropType::Any);
    }
    p
}

/// The expression alternative the generator adds to every `Property<T>` that is not a string.
fn is_expression(m: &Map<String, Value>) -> bool {
    m.get("pattern")
        .and_then(Value::as_str)
        .is_some_and(|pat| pat.contains("{{"))
}

/// Adds one alternative of a property's type to `p`.
fn member(m: &Map<String, Value>, defs: &Map<String, Value>, depth: usize, p: &mut Prop) {
    let add = |p: &mut Prop, t: PropType| {
        if !p.types.contains(&t) {
            p.types.push(t);
        }
    };
    if let Some(values) = m.get("enum").and_then(Value::as_array) {
        add(p, PropType::Enum);
        p.values
            .extend(values.iter().filter_map(Value::as_str).map(str::to_string));
        return;
    }
    if let Some(c) = m.get("const").and_then(Value::as_str) {
        add(p, PropType::Enum);
        p.values.push(c.to_string());
        return;
    }
    // A nested plugin (a task, a condition, a task runner): accepted as it is.
    if type_names(m).is_some() {
        add(p, PropType::Any);
        return;
    }
    let kinds: Vec<&str> = match m.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if kinds.is_empty() && !m.contains_key("properties") {
        add(p, PropType::Any);
        return;
    }
    for kind in kinds
        .iter()
        .copied()
        .chain((kinds.is_empty() && m.contains_key("properties")).then_some("object"))
    {
        match kind {
            "string" => {
                let t = match m.get("format").and_then(Value::as_str) {
                    Some("duration") => PropType::Duration,
                    Some("date-time") => PropType::Datetime,
                    Some("date") => PropType::Date,
                    Some("time" | "partial-time") => PropType::Time,
                    Some("uri") => PropType::Uri,
                    _ => PropType::String,
                };
                add(p, t);
            }
            "integer" => add(p, PropType::Integer),
            "number" => add(p, PropType::Number),
            "boolean" => add(p, PropType::Boolean),
            "array" => {
                add(p, PropType::List);
                if p.items.is_none() {
                    if let Some(items) = m.get("items") {
                        p.items = Some(Box::new(prop(items, defs, depth)));
                    }
                }
            }
            "object" => {
                let described = m
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|o| !o.is_empty());
                if described && depth < MAX_DEPTH {
                    add(p, PropType::Object);
                    p.fields = Some(fields(m, defs, depth + 1));
                } else if described {
                    add(p, PropType::Object);
                } else {
                    add(p, PropType::Map);
                }
            }
            "null" => {}
            _ => add(p, PropType::Any),
        }
    }
}

/// The catalog's word for an output type (`string`, `integer`…).
fn type_word(t: &PropType) -> &'static str {
    match t {
        PropType::String | PropType::Enum => "string",
        PropType::Integer => "integer",
        PropType::Number => "number",
        PropType::Boolean => "boolean",
        PropType::Duration => "duration",
        PropType::Datetime => "datetime",
        PropType::Date => "date",
        PropType::Time => "time",
        PropType::Uri => "uri",
        PropType::List | PropType::Tasks => "list",
        PropType::Map | PropType::Object | PropType::Task => "object",
        _ => "any",
    }
}

fn doc(o: &Map<String, Value>) -> String {
    let title = o.get("title").and_then(Value::as_str).unwrap_or_default();
    let body = o
        .get("markdownDescription")
        .or_else(|| o.get("description"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    match (title.is_empty(), body.is_empty()) {
        (false, false) => format!("{title}\n\n{body}"),
        (false, true) => title.to_string(),
        _ => body.to_string(),
    }
}

fn deprecated(o: &Map<String, Value>) -> Option<String> {
    match o.get("$deprecated")? {
        Value::Bool(true) => Some(String::new()),
        Value::String(s) if s == "true" => Some(String::new()),
        _ => None,
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped as `kestra plugins doc --schema` writes one task (JsonSchemaGenerator output).
    const ONE_TASK: &str = r##"{
      "properties": {
        "title": "Send a message to the in-house chat.",
        "markdownDescription": "Posts to a channel.",
        "type": "object",
        "properties": {
          "id": {"type": "string", "pattern": "^[a-zA-Z0-9][a-zA-Z0-9_-]*"},
          "type": {"const": "com.acme.chat.Send"},
          "channel": {"type": "string", "$dynamic": true, "title": "The channel."},
          "retries": {"anyOf": [{"type": "string", "pattern": ".*{{.*}}.*"}, {"type": "integer"}],
                      "$dynamic": true, "default": 3},
          "timeout": {"type": "string", "format": "duration", "$dynamic": false},
          "mode": {"anyOf": [{"type": "string", "pattern": ".*{{.*}}.*"},
                             {"type": "string", "enum": ["SYNC", "ASYNC"]}]},
          "auth": {"allOf": [{"$ref": "#/definitions/com.acme.chat.Auth"}], "$deprecated": true},
          "tags": {"type": "array", "items": {"type": "string"}},
          "headers": {"type": "object", "additionalProperties": {"type": "string"}}
        },
        "required": ["id", "type", "channel", "retries"]
      },
      "outputs": {"properties": {"messageId": {"type": "string", "title": "The message id."}}},
      "definitions": {
        "com.acme.chat.Auth": {"type": "object",
          "properties": {"token": {"type": "string"}, "user": {"type": "string"}},
          "required": ["token"]}
      }
    }"##;

    #[test]
    fn reads_one_plugin_as_kestra_plugins_doc_writes_it() {
        let json: Value = serde_json::from_str(ONE_TASK).unwrap();
        let types = read("com.acme.chat.Send", Some(TypeKind::Task), &json).unwrap();
        let [def] = types.as_slice() else {
            panic!("{types:?}")
        };
        assert_eq!(def.name, "com.acme.chat.Send");
        assert!(def.doc.starts_with("Send a message"));
        let p = &def.properties;
        assert!(p["channel"].required && p["channel"].dynamic);
        // A default makes a property optional, as Kestra's generator does.
        assert!(!p["retries"].required && p["retries"].dynamic);
        assert_eq!(p["retries"].types, [PropType::Integer]);
        assert_eq!(p["timeout"].types, [PropType::Duration]);
        assert_eq!(p["mode"].values, ["SYNC", "ASYNC"]);
        assert!(p["auth"].deprecated.is_some());
        let auth = p["auth"].fields.as_ref().unwrap();
        assert!(auth["token"].required && !auth["user"].required);
        assert_eq!(p["tags"].items.as_ref().unwrap().types, [PropType::String]);
        assert_eq!(p["headers"].types, [PropType::Map]);
        assert_eq!(def.outputs["messageId"].type_, "string");
        assert!(!def.outputs_dynamic);
    }

    #[test]
    fn reads_the_api_wrapper_and_guesses_the_kind() {
        let inner: Value = serde_json::from_str(ONE_TASK).unwrap();
        let wrapped = serde_json::json!({"markdown": "# Send", "schema": inner});
        let types = read("whatever", None, &wrapped).unwrap();
        assert_eq!(types[0].name, "com.acme.chat.Send");
        assert_eq!(types[0].kind, TypeKind::Task);
    }

    #[test]
    fn reads_every_plugin_class_of_a_flow_schema() {
        let json = serde_json::json!({
            "$ref": "#/definitions/io.kestra.core.models.flows.Flow",
            "definitions": {
                "io.kestra.core.models.flows.Flow": {"properties": {"id": {"type": "string"}}},
                "com.acme.Poll": {"properties": {
                    "id": {"type": "string"}, "stopAfter": {"type": "array"},
                    "type": {"enum": ["com.acme.Poll", "com.acme.legacy.Poll"]}}},
                "com.acme.Run": {"properties": {"id": {"type": "string"},
                    "type": {"const": "com.acme.Run"}}},
                "com.acme.condition.Weekday": {"properties": {"type": {"const": "com.acme.condition.Weekday"}}}
            }
        });
        let types = read("schema", None, &json).unwrap();
        let names: Vec<_> = types.iter().map(|t| (t.name.as_str(), t.kind)).collect();
        assert_eq!(
            names,
            [
                ("com.acme.Poll", TypeKind::Trigger),
                ("com.acme.Run", TypeKind::Task),
                ("com.acme.condition.Weekday", TypeKind::Condition)
            ]
        );
        assert_eq!(types[0].aliases, ["com.acme.legacy.Poll"]);
        // The flow schema lists no outputs: none is reported unknown.
        assert!(types[1].outputs_dynamic);
    }

    #[test]
    fn says_what_it_cannot_read() {
        assert!(read("x", None, &serde_json::json!([1])).is_err());
        assert!(read("x", None, &serde_json::json!({"a": 1})).is_err());
        let unnamed = serde_json::json!({"properties": {"properties": {"a": {"type": "string"}}}});
        assert!(read("nodots", None, &unnamed).is_err());
        assert_eq!(
            read("com.acme.X", None, &unnamed).unwrap()[0].name,
            "com.acme.X"
        );
        // Cyclic references end.
        let cyclic = serde_json::json!({"properties": {"properties": {
            "type": {"const": "com.acme.Tree"},
            "node": {"$ref": "#/definitions/N"}}},
            "definitions": {"N": {"type": "object", "properties": {"child": {"$ref": "#/definitions/N"}}}}});
        assert_eq!(read("x", None, &cyclic).unwrap()[0].name, "com.acme.Tree");
    }
}
