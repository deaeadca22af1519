//! Which properties a mapping may have, from where it sits: a plugin's type, the flow itself,
//! an input of some type, a retry or SLA variant, a flow-level list item, or a field of an
//! object property of any of these.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::catalog::{Catalog, Prop, TypeKind};

use super::yaml_cursor::{Block, Lines};

type Props = BTreeMap<String, Prop>;

/// How deep object properties are followed (`options.auth.…`).
const MAX_NESTING: usize = 8;

/// What a `type:` value names at a place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeSlot {
    /// A plugin type of this kind (`None`: any kind, as in `pluginDefaults`).
    Plugin(Option<TypeKind>),
    /// A key of a catalog variant section (`input_types`, `retry_types`, `sla_types`).
    Variant(&'static str),
}

pub fn type_slot(block: &Block) -> TypeSlot {
    match block.parent_key() {
        Some("inputs") if block.is_item => TypeSlot::Variant("input_types"),
        Some("retry") => TypeSlot::Variant("retry_types"),
        Some("sla") if block.is_item => TypeSlot::Variant("sla_types"),
        Some("triggers") => TypeSlot::Plugin(Some(TypeKind::Trigger)),
        Some("conditions") => TypeSlot::Plugin(Some(TypeKind::Condition)),
        Some("taskRunner") => TypeSlot::Plugin(Some(TypeKind::TaskRunner)),
        Some("pluginDefaults" | "taskDefaults") => TypeSlot::Plugin(None),
        _ => TypeSlot::Plugin(Some(TypeKind::Task)),
    }
}

/// The properties the mapping `block` may have, when kflow knows them.
pub fn block_props<'c>(
    catalog: &'c Catalog,
    lines: &Lines,
    block: &Block,
    depth: usize,
) -> Option<Cow<'c, Props>> {
    let at_root = block.parent.is_none() && block.col == 0 && !block.is_item;
    if at_root {
        return catalog.group("flow").map(Cow::Borrowed);
    }
    let parent_is_root = block
        .parent
        .as_ref()
        .is_some_and(|p| p.col == 0 && lines.parent_block(p).parent.is_none());
    if let Some(t) = block.value("type") {
        match type_slot(block) {
            TypeSlot::Variant(section) => {
                return catalog.variant(section, t).map(Cow::Owned);
            }
            TypeSlot::Plugin(_) => {
                if let Some(def) = catalog.get(t) {
                    return Some(Cow::Borrowed(&def.properties));
                }
            }
        }
    }
    if parent_is_root {
        let group = match (block.parent_key()?, block.is_item) {
            ("inputs", true) => "input_common",
            ("outputs", true) => "flow_output",
            ("listeners", true) => "listener",
            ("pluginDefaults" | "taskDefaults", true) => "plugin_default",
            ("checks", true) => "check",
            ("labels", true) => "label_item",
            ("sla", true) => "sla_common",
            ("concurrency", false) => "concurrency",
            ("retry", false) => "retry_common",
            _ => "",
        };
        if let Some(props) = catalog.group(group) {
            return Some(Cow::Borrowed(props));
        }
    }
    // A field of an object property of the enclosing mapping.
    if depth >= MAX_NESTING {
        return None;
    }
    let parent = block.parent.as_ref()?;
    let holder = lines.parent_block(parent);
    let holder_props = block_props(catalog, lines, &holder, depth + 1)?;
    let prop = holder_props.get(&parent.key)?;
    let fields = if block.is_item {
        prop.items.as_ref()?.fields.as_ref()?
    } else {
        prop.fields.as_ref()?
    };
    Some(Cow::Owned(fields.clone()))
}
