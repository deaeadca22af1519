//! Input declarations read from the flow document.

use kflow_syntax::yaml::{NodeId, Tree};
use kflow_syntax::Document;

use super::yaml::node_to_json;
use super::InputError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputType {
    String,
    Enum,
    Select,
    Multiselect,
    Int,
    Float,
    Bool,
    Datetime,
    Date,
    Time,
    Duration,
    File,
    Json,
    Yaml,
    Uri,
    Secret,
    Array,
    Email,
}

impl InputType {
    pub fn parse(text: &str) -> Option<InputType> {
        Some(match text {
            "STRING" => InputType::String,
            "ENUM" => InputType::Enum,
            "SELECT" => InputType::Select,
            "MULTISELECT" => InputType::Multiselect,
            "INT" => InputType::Int,
            "FLOAT" => InputType::Float,
            "BOOLEAN" | "BOOL" => InputType::Bool,
            "DATETIME" => InputType::Datetime,
            "DATE" => InputType::Date,
            "TIME" => InputType::Time,
            "DURATION" => InputType::Duration,
            "FILE" => InputType::File,
            "JSON" => InputType::Json,
            "YAML" => InputType::Yaml,
            "URI" => InputType::Uri,
            "SECRET" => InputType::Secret,
            "ARRAY" => InputType::Array,
            "EMAIL" => InputType::Email,
            _ => return None,
        })
    }
}

/// One declared input, with the properties that type and validate it. Values are the raw
/// YAML values as JSON; `defaults` may be replaced by its rendered form before resolving.
#[derive(Clone, Debug, PartialEq)]
pub struct InputDecl {
    pub id: String,
    pub type_: InputType,
    pub required: bool,
    pub defaults: Option<serde_json::Value>,
    /// STRING / SECRET `validator` (a regex the whole value must match).
    pub validator: Option<String>,
    /// INT / FLOAT / DURATION bounds.
    pub min: Option<serde_json::Value>,
    pub max: Option<serde_json::Value>,
    /// DATETIME / DATE / TIME bounds.
    pub after: Option<String>,
    pub before: Option<String>,
    /// SELECT / ENUM / MULTISELECT choices (`values`, or the deprecated `options`).
    pub values: Vec<String>,
    pub allow_custom_value: bool,
    /// ARRAY / MULTISELECT item type.
    pub item_type: Option<InputType>,
    /// FILE `allowedFileExtensions` (e.g. `.csv`).
    pub allowed_file_extensions: Vec<String>,
}

impl InputDecl {
    pub fn new(id: &str, type_: InputType) -> InputDecl {
        InputDecl {
            id: id.into(),
            type_,
            required: true,
            defaults: None,
            validator: None,
            min: None,
            max: None,
            after: None,
            before: None,
            values: Vec::new(),
            allow_custom_value: false,
            item_type: None,
            allowed_file_extensions: Vec::new(),
        }
    }
}

/// The inputs of a parsed flow, in declaration order; shape problems are reported per input.
pub fn declarations(doc: &Document) -> Result<Vec<InputDecl>, Vec<InputError>> {
    let Some(flow) = &doc.flow else {
        return Ok(Vec::new());
    };
    let tree = &doc.tree;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for input in &flow.inputs {
        let Some(id) = input.id.as_ref().map(|n| n.name.clone()) else {
            errors.push(InputError {
                id: "?".into(),
                message: "an input has no id".into(),
            });
            continue;
        };
        let error = |message: String| InputError {
            id: id.clone(),
            message,
        };
        let type_name = input.type_.as_ref().map(|n| n.name.as_str()).unwrap_or("");
        let Some(type_) = InputType::parse(type_name) else {
            errors.push(error(format!("unknown input type '{type_name}'")));
            continue;
        };
        match read_decl(tree, input.node, &id, type_) {
            Ok(decl) => out.push(decl),
            Err(message) => errors.push(error(message)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn read_decl(tree: &Tree, node: NodeId, id: &str, type_: InputType) -> Result<InputDecl, String> {
    let get = |key: &str| tree.get_value(node, key).filter(|&v| !tree.is_null(v));
    let json = |key: &str| -> Result<Option<serde_json::Value>, String> {
        get(key).map(|v| node_to_json(tree, v)).transpose()
    };
    let text = |key: &str| -> Option<String> {
        json(key).ok().flatten().map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
    };
    let flag = |key: &str, default: bool| -> bool {
        match json(key).ok().flatten() {
            Some(serde_json::Value::Bool(b)) => b,
            _ => default,
        }
    };
    let list = |key: &str| -> Vec<String> {
        match json(key).ok().flatten() {
            Some(serde_json::Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut values = list("values");
    if values.is_empty() {
        values = list("options");
    }
    let item_type = match text("itemType") {
        Some(name) => {
            Some(InputType::parse(&name).ok_or_else(|| format!("unknown itemType '{name}'"))?)
        }
        None if type_ == InputType::Multiselect => Some(InputType::String),
        None => None,
    };
    let mut extensions = list("allowedFileExtensions");
    if let Some(ext) = text("extension") {
        extensions.push(ext);
    }
    Ok(InputDecl {
        id: id.to_string(),
        type_,
        required: flag("required", true),
        defaults: json("defaults")?,
        validator: text("validator"),
        min: json("min")?,
        max: json("max")?,
        after: text("after"),
        before: text("before"),
        values,
        allow_custom_value: flag("allowCustomValue", false),
        item_type,
        allowed_file_extensions: extensions,
    })
}
