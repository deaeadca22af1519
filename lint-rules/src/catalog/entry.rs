//! Reads one entry of the generated plugin catalog (compact JSON written by tools/catalog-gen)
//! into catalog types. A typed serde reader rather than the YAML tree of the curated files: the
//! entries are JSON only, and a lint run reads hundreds of them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::model::{Output, Prop, PropType, TypeDef, TypeKind};
use crate::version::Version;

#[derive(Deserialize)]
struct RawType {
    #[serde(rename = "type")]
    name: String,
    kind: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    doc: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    deprecated: Option<Deprecated>,
    replacement: Option<String>,
    since: Option<String>,
    removed_in: Option<String>,
    #[serde(default)]
    inherits: Vec<String>,
    #[serde(default)]
    open: bool,
    #[serde(default)]
    properties: BTreeMap<String, RawProp>,
    #[serde(default)]
    outputs: BTreeMap<String, RawOutput>,
    #[serde(default)]
    outputs_dynamic: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Deprecated {
    Flag(bool),
    Advice(String),
}

#[derive(Deserialize)]
struct RawProp {
    #[serde(rename = "type", default)]
    type_: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    dynamic: bool,
    #[serde(default)]
    doc: String,
    default: Option<String>,
    #[serde(default)]
    values: Vec<String>,
    deprecated: Option<Deprecated>,
    since: Option<String>,
    removed_in: Option<String>,
    items: Option<Box<RawProp>>,
    fields: Option<BTreeMap<String, RawProp>>,
}

#[derive(Deserialize)]
struct RawOutput {
    #[serde(rename = "type", default)]
    type_: String,
    #[serde(default)]
    doc: String,
}

fn deprecated(d: Option<Deprecated>) -> Option<String> {
    match d? {
        Deprecated::Flag(false) => None,
        Deprecated::Flag(true) => Some(String::new()),
        Deprecated::Advice(a) => Some(a),
    }
}

fn version(v: Option<String>) -> Option<Version> {
    v.as_deref().and_then(Version::parse)
}

fn prop(p: RawProp) -> Prop {
    Prop {
        types: vec![PropType::parse(if p.type_.is_empty() {
            "any"
        } else {
            &p.type_
        })],
        required: p.required,
        dynamic: p.dynamic,
        doc: p.doc,
        default: p.default,
        values: p.values,
        deprecated: deprecated(p.deprecated),
        since: version(p.since),
        removed_in: version(p.removed_in),
        items: p.items.map(|i| Box::new(prop(*i))),
        fields: p.fields.map(props),
    }
}

fn props(raw: BTreeMap<String, RawProp>) -> BTreeMap<String, Prop> {
    raw.into_iter().map(|(k, v)| (k, prop(v))).collect()
}

/// One generated entry: the type and the curated groups it inherits.
pub fn load_entry(json: &str) -> Result<(TypeDef, Vec<String>), String> {
    let raw: RawType = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let kind = TypeKind::parse(&raw.kind)
        .ok_or_else(|| format!("{}: unknown kind `{}`", raw.name, raw.kind))?;
    let def = TypeDef {
        kind,
        class: raw.class,
        doc: raw.doc,
        aliases: raw.aliases,
        deprecated: deprecated(raw.deprecated),
        replacement: raw.replacement,
        since: version(raw.since),
        removed_in: version(raw.removed_in),
        properties: props(raw.properties),
        outputs: raw
            .outputs
            .into_iter()
            .map(|(k, o)| {
                let type_ = if o.type_.is_empty() {
                    "any".into()
                } else {
                    o.type_
                };
                (k, Output { type_, doc: o.doc })
            })
            .collect(),
        outputs_dynamic: raw.outputs_dynamic,
        open: raw.open,
        docs_url: None,
        name: raw.name,
    };
    Ok((def, raw.inherits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_entry_with_nested_objects_and_flags() {
        let (def, inherits) = load_entry(
            r#"{"type":"a.b.C","kind":"trigger","deprecated":true,"inherits":["trigger_common"],
            "properties":{"mode":{"type":"enum","values":["A","B"],"dynamic":true,"default":"A"},
            "conf":{"type":"object","fields":{"x":{"type":"integer","required":true}}},
            "old":{"type":"string","removed_in":"2.0","deprecated":"Use mode."}},
            "outputs":{"uri":{"type":"string","doc":"Where."}}}"#,
        )
        .unwrap();
        assert_eq!(def.kind, TypeKind::Trigger);
        assert_eq!(def.deprecated.as_deref(), Some(""));
        assert_eq!(inherits, ["trigger_common"]);
        assert_eq!(def.properties["mode"].values, ["A", "B"]);
        assert!(def.properties["conf"].fields.as_ref().unwrap()["x"].required);
        assert_eq!(
            def.properties["old"].removed_in,
            Some(Version { major: 2, minor: 0 })
        );
        assert_eq!(def.outputs["uri"].doc, "Where.");
        assert!(load_entry(r#"{"type":"x","kind":"storage"}"#).is_err());
    }
}
