"""One plugin class -> one catalog entry (the `lint-rules/catalog` type format, as JSON)."""

from __future__ import annotations

import re

from java_model import JavaClass, Member, text
from plugins import (
    BASES, BOOLEAN, GROUPS, INTEGER, LISTS, MAPS, NUMBER, OBJECT, PROPERTY, REQUIRED_ANNOTATIONS, STRING,
    TASK_TYPES, TIMES, Index, TypeRef, annotation_arg, annotation_flag, doc_of, elements, string_value,
)

RUNNABLE = "io.kestra.core.models.tasks.RunnableTask"
FLOWABLE = "io.kestra.core.models.tasks.FlowableTask"
EXECUTABLE = "io.kestra.core.models.tasks.ExecutableTask"
TRIGGER_OUTPUT = "io.kestra.core.models.triggers.TriggerOutput"
VOID_OUTPUT = "io.kestra.core.models.tasks.VoidOutput"
# Super types that add no property (markers and behaviour-only interfaces of core and the JDK).
HARMLESS = re.compile(
    r"^(java\.|javax\.|lombok\.|io\.kestra\.core\.models\.tasks\.(RunnableTask|FlowableTask|ExecutableTask|"
    r"Output|VoidOutput)$|io\.kestra\.core\.models\.triggers\.(TriggerOutput|RealtimeTriggerInterface)$)"
)
OBJECT_DEPTH = 3


class Extractor:
    def __init__(self, index: Index):
        self.index = index

    # --- classification --------------------------------------------------------------------------

    def kind(self, cls: JavaClass) -> tuple[str, str] | None:
        if cls.kind != "class" or cls.is_abstract or "public" not in cls.modifiers:
            return None
        if cls.outer is not None and "static" not in cls.modifiers:
            return None
        for r, _, _ in self.index.ancestors(cls, through_groups=True):
            if r.name in BASES:
                return BASES[r.name]
        return None

    def unclassified(self, cls: JavaClass) -> bool:
        """A public concrete `@Plugin` class whose ancestry could not be read to the end."""
        if cls.kind != "class" or cls.is_abstract or not cls.annotation("Plugin"):
            return False
        return any(p is None and not HARMLESS.match(r.name)
                   for r, p, _ in self.index.ancestors(cls, through_groups=True))

    def task_class(self, cls: JavaClass) -> str:
        names = {r.name for r, _, _ in self.index.ancestors(cls, through_groups=True)}
        if FLOWABLE in names:
            return "flowable"
        if EXECUTABLE in names:
            return "executable"
        return "runnable"

    # --- properties ------------------------------------------------------------------------------

    def properties(self, cls: JavaClass, depth: int = 0):
        """(properties, inherited groups, complete?) of a class and its ancestors."""
        props: dict[str, dict] = {}
        groups: list[str] = []
        complete = True
        chain = [(cls, {})]
        for r, parent, pb in self.index.ancestors(cls):
            if r.name in BASES:
                groups.append(BASES[r.name][1])
                continue
            if r.name in GROUPS:
                groups.append(GROUPS[r.name])
                continue
            if parent is None:
                if not HARMLESS.match(r.name):
                    complete = False
                continue
            chain.append((parent, pb))
        getters: list[tuple[Member, JavaClass, dict]] = []
        for c, bindings in chain:
            for m in c.members:
                if m.from_getter:
                    getters.append((m, c, bindings))
                    continue
                if m.is_static or m.is_transient:
                    continue
                name, p = self.prop(m, c, bindings, depth)
                if name is None:
                    continue
                if name in props:
                    _merge(props[name], p)
                else:
                    props[name] = p
        for m, c, bindings in getters:
            name, p = self.prop(m, c, bindings, depth)
            if name is None:
                continue
            if name in props:
                _merge(props[name], p)
            elif _annotated(m):
                # A documented getter is a property (a field or a computed default implements it);
                # an undocumented one is plain behaviour (`getScheme()` of a JDBC driver).
                props[name] = p
        return props, groups, complete

    def prop(self, m: Member, cls: JavaClass, bindings, depth: int):
        anns = {a.simple: a for a in m.annotations}
        ignore = anns.get("JsonIgnore")
        if ignore is not None and text(annotation_arg(ignore)) in ("", "true"):
            return None, None
        name = m.name
        jp = anns.get("JsonProperty")
        if jp is not None:
            renamed = string_value(annotation_arg(jp), cls)
            if renamed:
                name = renamed
        ref = self.index.ref(m.type_node, cls, bindings)
        dynamic = False
        if ref.name == PROPERTY:
            dynamic = True
            ref = ref.args[0] if ref.args else OBJECT
        p = self.schema(ref, cls, depth)
        if annotation_flag(anns.get("PluginProperty"), "dynamic"):
            dynamic = True
        if dynamic:
            p["dynamic"] = True
        schema = anns.get("Schema")
        required = any(a in anns for a in REQUIRED_ANNOTATIONS)
        mode = annotation_arg(schema, "requiredMode")
        if mode is not None and text(mode).endswith("REQUIRED") and not text(mode).endswith("NOT_REQUIRED"):
            required = True
        if annotation_flag(schema, "required"):
            required = True
        # A field initializer is a default, with or without `@Builder.Default` (Jackson sets final
        # fields too), so such a field is never required of the user.
        has_default = m.initializer is not None
        if has_default:
            d = default_text(m.initializer, cls)
            if d is not None:
                p["default"] = d
        elif (sd := string_value(annotation_arg(schema, "defaultValue"), cls)) is not None:
            p["default"] = sd
            has_default = True
        if has_default:
            p["_has_default"] = True
        elif required and not m.from_getter:
            # Only constraints on the field itself: a `@NotNull` on an interface getter is not
            # enforced on the flows Kestra's own plugin tests run (an Event Hubs trigger without
            # `namespace`), so kflow does not report it.
            p["required"] = True
        if "Deprecated" in anns or annotation_flag(schema, "deprecated"):
            p["deprecated"] = True
        doc = doc_of(m.annotations, cls)
        if doc:
            p["doc"] = doc
        return name, p

    def schema(self, ref: TypeRef, ctx: JavaClass, depth: int) -> dict:
        if ref.array:
            inner = TypeRef(ref.name, ref.args, ref.array - 1, ref.resolved)
            if ref.name in ("byte", "char") and ref.array == 1:
                return {"type": "string"}
            return {"type": "list", "items": self.schema(inner, ctx, depth)}
        n = ref.name
        if n == PROPERTY:
            inner = self.schema(ref.args[0] if ref.args else OBJECT, ctx, depth)
            inner["dynamic"] = True
            return inner
        if n in STRING:
            return {"type": "string"}
        if n in INTEGER:
            return {"type": "integer"}
        if n in NUMBER:
            return {"type": "number"}
        if n in BOOLEAN:
            return {"type": "boolean"}
        if n in TIMES:
            return {"type": TIMES[n]}
        if n in TASK_TYPES:
            return {"type": "task"}
        if n in LISTS:
            item = ref.args[0] if ref.args else OBJECT
            if item.name in TASK_TYPES:
                return {"type": "tasks"}
            return {"type": "list", "items": self.schema(item, ctx, depth)}
        if n in MAPS:
            return {"type": "map"}
        if n == "java.lang.Object" or not ref.resolved:
            return {"type": "any"}
        cls = self.index.get(n, ctx.origin)
        if cls is None:
            return {"type": "any"}
        if cls.kind == "enum":
            if cls.enum_has_json_value or not cls.enum_constants:
                return {"type": "string"}
            return {"type": "enum", "values": list(cls.enum_constants)}
        if n in BASES or cls.is_abstract or cls.annotation("JsonTypeInfo", "JsonSubTypes", "JsonDeserialize"):
            return {"type": "object"}
        if depth >= OBJECT_DEPTH or cls.annotation("JsonAnySetter"):
            return {"type": "object"}
        fields, groups, complete = self.properties(cls, depth + 1)
        if groups or not complete or any(m.annotations and any(a.simple == "JsonAnySetter" for a in m.annotations)
                                         for m in cls.members):
            return {"type": "object"}
        return {"type": "object", "fields": fields}

    # --- outputs ---------------------------------------------------------------------------------

    def outputs(self, cls: JavaClass):
        """(outputs, dynamic?): dynamic when the output class cannot be read."""
        target = None
        for r, _, _ in self.index.ancestors(cls, through_groups=True):
            if r.name in (RUNNABLE, TRIGGER_OUTPUT):
                target = r.args[0] if r.args else None
                break
        # The most derived `run(RunContext)` narrows the output class (Kestra reflects on it).
        for owner, bindings in [(cls, {}), *((p, b) for _, p, b in self.index.ancestors(cls, through_groups=True) if p is not None)]:
            if owner.run_return is not None:
                narrowed = self.index.ref(owner.run_return, owner, bindings)
                if narrowed.resolved and narrowed.name not in ("?", "java.lang.Object"):
                    target = narrowed
                break
        if target is None:
            return {}, True
        if target.name == VOID_OUTPUT:
            return {}, False
        out_cls = self.index.get(target.name, cls.origin)
        if out_cls is None or out_cls.is_abstract and out_cls.kind == "interface":
            return {}, True
        fields, _, complete = self.properties(out_cls, OBJECT_DEPTH)
        outs = {}
        for name, p in fields.items():
            o = {"type": p["type"]}
            if p.get("doc"):
                o["doc"] = p["doc"]
            outs[name] = o
        return outs, not complete

    # --- the entry -------------------------------------------------------------------------------

    def describe(self, cls: JavaClass) -> dict | None:
        k = self.kind(cls)
        if k is None:
            return None
        kind, _ = k
        props, groups, complete = self.properties(cls)
        entry: dict = {"type": cls.fqn, "kind": kind}
        if kind == "task":
            entry["class"] = self.task_class(cls)
        doc = doc_of(cls.annotations, cls)
        if doc:
            entry["doc"] = doc
        plugin = cls.annotation("Plugin")
        aliases = [string_value(e, cls) for e in elements(annotation_arg(plugin, "aliases"))]
        aliases = [a for a in aliases if a]
        if aliases:
            entry["aliases"] = aliases
        if cls.annotation("Deprecated"):
            entry["deprecated"] = True
        if groups:
            entry["inherits"] = groups
        if not complete:
            entry["open"] = True
        entry["properties"] = props
        if kind in ("task", "trigger"):
            outs, dyn = self.outputs(cls)
            entry["outputs"] = outs
            if dyn:
                entry["outputs_dynamic"] = True
        return entry

    def examples(self, cls: JavaClass) -> list[dict]:
        plugin = cls.annotation("Plugin")
        out = []
        for ex in elements(annotation_arg(plugin, "examples")):
            if ex.type != "annotation":
                continue
            args = ex.child_by_field_name("arguments")
            vals = {}
            for c in args.named_children if args is not None else []:
                if c.type == "element_value_pair":
                    vals[text(c.child_by_field_name("key"))] = c.child_by_field_name("value")
            code_node = vals.get("code")
            if code_node is None:
                continue
            parts = [string_value(e, cls) for e in elements(code_node)]
            if any(p is None for p in parts):
                continue
            code = "\n".join(parts)
            full = vals.get("full") is not None and text(vals["full"]) == "true"
            out.append({
                "title": string_value(vals.get("title"), cls) or "",
                "full": full,
                "code": code,
                "line": ex.start_point[0] + 1,
            })
        return out


def _annotated(m: Member) -> bool:
    return any(a.simple in ("Schema", "PluginProperty", *REQUIRED_ANNOTATIONS) for a in m.annotations)


def _merge(into: dict, other: dict) -> None:
    """A property seen again higher up (a getter of an interface, a parent's field)."""
    if other.get("required") and not into.get("_has_default"):
        into["required"] = True
    if other.get("dynamic"):
        into["dynamic"] = True
    if not into.get("doc") and other.get("doc"):
        into["doc"] = other["doc"]
    if into.get("type") == "any" and other.get("type") not in (None, "any"):
        for k in ("type", "values", "items", "fields"):
            if k in other:
                into[k] = other[k]


_DURATION_UNITS = {"ofSeconds": "S", "ofMinutes": "M", "ofHours": "H", "ofDays": "D", "ofMillis": "MS"}


def default_text(node, cls: JavaClass) -> str | None:
    """A readable default from a `@Builder.Default` initializer, or None."""
    t = node.type
    if t == "method_invocation":
        obj = text(node.child_by_field_name("object"))
        name = text(node.child_by_field_name("name"))
        args = node.child_by_field_name("arguments")
        arg_nodes = list(args.named_children) if args is not None else []
        if obj == "Property" and name in ("of", "ofValue", "ofExpression") and len(arg_nodes) == 1:
            return default_text(arg_nodes[0], cls)
        if obj == "Duration" and name in _DURATION_UNITS and len(arg_nodes) == 1:
            n = text(arg_nodes[0])
            if n.isdigit():
                unit = _DURATION_UNITS[name]
                if unit == "D":
                    return f"P{n}D"
                if unit == "MS":
                    return f"PT{int(n) / 1000:g}S"
                return f"PT{n}{unit}"
        if obj == "Duration" and name == "parse" and len(arg_nodes) == 1:
            return string_value(arg_nodes[0], cls)
        if obj in ("List", "Collections") and name in ("of", "emptyList") and not arg_nodes:
            return "[]"
        if obj in ("Map", "Collections") and name in ("of", "emptyMap") and not arg_nodes:
            return "{}"
        return None
    if t in ("true", "false", "decimal_integer_literal", "decimal_floating_point_literal"):
        return text(node).rstrip("LlDdFf") if t != "true" and t != "false" else text(node)
    if t == "string_literal" or t == "binary_expression":
        return string_value(node, cls)
    if t == "field_access":
        return text(node.child_by_field_name("field"))
    if t == "identifier":
        return string_value(node, cls)
    if t == "unary_expression":
        inner = default_text(node.named_children[0], cls) if node.named_children else None
        return "-" + inner if inner is not None and text(node).startswith("-") else None
    return None
