//! The catalog's types: what kflow knows of each plugin type.

use std::collections::BTreeMap;

use crate::version::Version;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeKind {
    Task,
    Trigger,
    Condition,
    TaskRunner,
}

impl TypeKind {
    /// The catalog files' spelling: `task`, `trigger`, `condition`, `task_runner`.
    pub fn parse(s: &str) -> Option<TypeKind> {
        match s {
            "task" => Some(TypeKind::Task),
            "trigger" => Some(TypeKind::Trigger),
            "condition" => Some(TypeKind::Condition),
            "task_runner" => Some(TypeKind::TaskRunner),
            _ => None,
        }
    }
}

/// One member of a property's type union.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropType {
    String,
    Integer,
    Number,
    Boolean,
    Duration,
    Datetime,
    Date,
    Time,
    Uri,
    Cron,
    Enum,
    List,
    Map,
    Object,
    Task,
    Tasks,
    Expression,
    Any,
}

impl PropType {
    pub fn parse(s: &str) -> PropType {
        match s.trim() {
            "string" | "char" | "charset" | "timezone" => PropType::String,
            "integer" => PropType::Integer,
            "number" => PropType::Number,
            "boolean" => PropType::Boolean,
            "duration" => PropType::Duration,
            "datetime" => PropType::Datetime,
            "date" => PropType::Date,
            "time" => PropType::Time,
            "uri" => PropType::Uri,
            "cron" => PropType::Cron,
            "enum" => PropType::Enum,
            "list" => PropType::List,
            "map" => PropType::Map,
            "object" => PropType::Object,
            "task" => PropType::Task,
            "tasks" => PropType::Tasks,
            "expression" => PropType::Expression,
            _ => PropType::Any,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            PropType::String => "a string",
            PropType::Integer => "an integer",
            PropType::Number => "a number",
            PropType::Boolean => "a boolean",
            PropType::Duration => "an ISO-8601 duration",
            PropType::Datetime => "a date-time",
            PropType::Date => "a date",
            PropType::Time => "a time",
            PropType::Uri => "a URI",
            PropType::Cron => "a cron expression",
            PropType::Enum => "one of the allowed values",
            PropType::List => "a list",
            PropType::Map => "a mapping",
            PropType::Object => "an object",
            PropType::Task => "a task",
            PropType::Tasks => "a list of tasks",
            PropType::Expression => "an expression",
            PropType::Any => "any value",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Prop {
    pub types: Vec<PropType>,
    pub required: bool,
    pub dynamic: bool,
    pub doc: String,
    pub default: Option<String>,
    pub values: Vec<String>,
    pub deprecated: Option<String>,
    pub since: Option<Version>,
    pub removed_in: Option<Version>,
    pub items: Option<Box<Prop>>,
    /// Known fields of an object; `None` when its content is free-form.
    pub fields: Option<BTreeMap<String, Prop>>,
}

impl Prop {
    pub fn type_text(&self) -> String {
        let names: Vec<&str> = self.types.iter().map(|t| t.name()).collect();
        names.join(" or ")
    }
}

#[derive(Clone, Debug, Default)]
pub struct Output {
    pub type_: String,
    pub doc: String,
}

#[derive(Clone, Debug)]
pub struct TypeDef {
    pub name: String,
    pub kind: TypeKind,
    /// runnable, flowable, executable, execution_updatable (tasks).
    pub class: String,
    pub doc: String,
    pub aliases: Vec<String>,
    pub deprecated: Option<String>,
    pub replacement: Option<String>,
    pub since: Option<Version>,
    pub removed_in: Option<Version>,
    /// Own and inherited properties.
    pub properties: BTreeMap<String, Prop>,
    pub outputs: BTreeMap<String, Output>,
    pub outputs_dynamic: bool,
    /// Its properties are not all known (a base class the catalog could not read): properties it
    /// does not list are not reported.
    pub open: bool,
    /// The plugin's documentation page (generated plugin types).
    pub docs_url: Option<String>,
}

impl TypeDef {
    pub fn is_flowable(&self) -> bool {
        self.class == "flowable"
    }

    /// A short name for messages: the last segment of the type.
    pub fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }
}
