"""Kestra plugin semantics over the Java class index: which classes are plugin types, their
properties (own and inherited), outputs, documentation and examples.

The rules follow how Kestra builds a plugin's JSON schema and deserializes a flow:
- a plugin type is a public, non-abstract class deriving from Task, AbstractTrigger, Condition or
  TaskRunner (`io.kestra.core.models...`);
- its properties are the non-static, non-transient fields of the class and its superclasses (Lombok
  `@Getter` + `@SuperBuilder`), renamed by `@JsonProperty`, minus `@JsonIgnore`; interface getters add
  their annotations (and are properties themselves when annotated);
- required = `@NotNull` / `@NotBlank` / `@NotEmpty` (or `@Schema(requiredMode = REQUIRED)`) without a
  `@Builder.Default`; dynamic = `Property<T>` or `@PluginProperty(dynamic = true)`;
- outputs are the fields of the type argument of `RunnableTask<O>` / `TriggerOutput<O>` (VoidOutput: none).
Core base classes are not described field by field: they map to the hand-curated groups of
`lint-rules/catalog/*.yaml` (task_common, trigger_common...), which are checked against the Kestra line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from java_model import Annotation, JavaClass, Node, text

# Core classes whose properties the curated catalog describes (name -> (kind, group)).
BASES = {
    "io.kestra.core.models.tasks.Task": ("task", "task_common"),
    "io.kestra.core.models.triggers.AbstractTrigger": ("trigger", "trigger_common"),
    "io.kestra.core.models.conditions.Condition": ("condition", "condition_common"),
    "io.kestra.core.models.tasks.runners.TaskRunner": ("task_runner", "task_runner_common"),
}
# Core classes in between, also curated (their fields are a group).
GROUPS = {
    "io.kestra.plugin.scripts.exec.AbstractExecScript": "script_exec",
}

JAVA_LANG = {
    "String", "Integer", "Long", "Short", "Byte", "Double", "Float", "Boolean", "Character", "Object",
    "Number", "Enum", "Class", "Void", "CharSequence", "Iterable",
}

STRING = {"java.lang.String", "java.lang.CharSequence", "char", "java.lang.Character", "java.nio.charset.Charset",
          "java.time.ZoneId", "java.util.Locale", "java.util.regex.Pattern", "java.util.UUID"}
INTEGER = {"int", "long", "short", "byte", "java.lang.Integer", "java.lang.Long", "java.lang.Short",
           "java.lang.Byte", "java.math.BigInteger", "java.util.concurrent.atomic.AtomicInteger"}
NUMBER = {"double", "float", "java.lang.Double", "java.lang.Float", "java.lang.Number", "java.math.BigDecimal"}
BOOLEAN = {"boolean", "java.lang.Boolean"}
LISTS = {"java.util.List", "java.util.Set", "java.util.Collection", "java.util.SortedSet", "java.util.LinkedHashSet",
         "java.util.ArrayList", "java.lang.Iterable", "java.util.HashSet"}
MAPS = {"java.util.Map", "java.util.HashMap", "java.util.LinkedHashMap", "java.util.SortedMap",
        "java.util.TreeMap", "java.util.Properties"}
TIMES = {
    "java.time.Duration": "duration",
    "java.time.ZonedDateTime": "datetime",
    "java.time.OffsetDateTime": "datetime",
    "java.time.LocalDateTime": "datetime",
    "java.time.Instant": "datetime",
    "java.util.Date": "datetime",
    "java.time.LocalDate": "date",
    "java.time.LocalTime": "time",
    "java.time.OffsetTime": "time",
    "java.net.URI": "string",
    "java.net.URL": "string",
}
PROPERTY = "io.kestra.core.models.property.Property"
TASK_TYPES = {"io.kestra.core.models.tasks.Task"}
REQUIRED_ANNOTATIONS = {"NotNull", "NotBlank", "NotEmpty"}


@dataclass
class TypeRef:
    name: str  # fully qualified, a primitive, or "?" when unknown
    args: list["TypeRef"] = field(default_factory=list)
    array: int = 0
    resolved: bool = True


OBJECT = TypeRef("java.lang.Object")


class Index:
    def __init__(self, classes: list[JavaClass]):
        self.by_fqn: dict[str, list[JavaClass]] = {}
        self.by_package: dict[str, set[str]] = {}
        for c in classes:
            self.by_fqn.setdefault(c.fqn, []).append(c)
            if c.outer is None:
                self.by_package.setdefault(c.package, set()).add(c.simple)

    def get(self, fqn: str, origin: str | None = None) -> JavaClass | None:
        found = self.by_fqn.get(fqn)
        if not found:
            return None
        if origin:
            for c in found:
                if c.origin == origin:
                    return c
        return found[0]

    # --- name resolution -------------------------------------------------------------------------

    def resolve_name(self, name: str, ctx: JavaClass) -> TypeRef:
        first, _, rest = name.partition(".")
        if first and first[0].islower() and "." in name:
            return TypeRef(name, resolved=name in self.by_fqn or name.startswith("java."))
        base = self._resolve_simple(first, ctx)
        if base is None:
            return TypeRef(name, resolved=False)
        full = base
        for seg in rest.split(".") if rest else []:
            # `Parent.Output` may name a member type that Parent inherits.
            owner = self.get(full, ctx.origin)
            hit = self._nested_in_hierarchy(seg, owner, set()) if owner is not None else None
            full = hit or f"{full}.{seg}"
        return TypeRef(full, resolved=full in self.by_fqn or full.startswith("java.") or not rest)

    def _resolve_simple(self, simple: str, ctx: JavaClass) -> str | None:
        # Nested types of the class, its outer classes and their super types.
        seen: set[str] = set()
        cur: JavaClass | None = ctx
        while cur is not None:
            hit = self._nested_in_hierarchy(simple, cur, seen)
            if hit:
                return hit
            cur = self.get(cur.outer, ctx.origin) if cur.outer else None
        f = ctx.file
        hit = self._in_file(simple, f)
        if hit:
            return hit
        if simple in JAVA_LANG:
            return f"java.lang.{simple}"
        for w in f.wildcard_imports:
            if w.startswith("java."):
                return f"{w}.{simple}"
        return None

    def _in_file(self, simple: str, f) -> str | None:
        """A top-level type visible in a file: imported, in its package, or wildcard-imported."""
        if simple in f.imports:
            return f.imports[simple]
        if simple in self.by_package.get(f.package, ()):
            return f"{f.package}.{simple}"
        for w in f.wildcard_imports:
            if simple in self.by_package.get(w, ()) or f"{w}.{simple}" in self.by_fqn:
                return f"{w}.{simple}"
        return None

    def _nested_in_hierarchy(self, simple: str, cls: JavaClass, seen: set[str]) -> str | None:
        if cls.fqn in seen:
            return None
        seen.add(cls.fqn)
        if cls.simple == simple and cls.outer is None:
            return cls.fqn
        if simple in cls.nested:
            return cls.nested[simple]
        for sup in [cls.superclass, *cls.interfaces]:
            if sup is None:
                continue
            ref = self._raw_name(sup)
            if ref is None or ref == simple:
                continue
            sref = self._resolve_outside(ref, cls)
            if sref:
                parent = self.get(sref, cls.origin)
                if parent is not None:
                    hit = self._nested_in_hierarchy(simple, parent, seen)
                    if hit:
                        return hit
        return None

    def _resolve_outside(self, name: str, cls: JavaClass) -> str | None:
        """Resolve a super type's name without looking into the class's own hierarchy (no loops)."""
        first, _, rest = name.partition(".")
        base = cls.nested.get(first) or self._in_file(first, cls.file)
        if base is None and first[:1].islower():
            return name
        if base is None and cls.outer:
            outer = self.get(cls.outer, cls.origin)
            if outer is not None:
                return self._resolve_outside(name, outer)
        if base is None:
            return None
        return base + ("." + rest if rest else "")

    @staticmethod
    def _raw_name(node: Node) -> str | None:
        if node.type == "generic_type":
            node = node.named_children[0]
        if node.type in ("type_identifier", "scoped_type_identifier"):
            return text(node)
        return None

    def ref(self, node: Node | None, ctx: JavaClass, bindings: dict[str, TypeRef]) -> TypeRef:
        if node is None:
            return OBJECT
        t = node.type
        if t in ("integral_type", "floating_point_type", "boolean_type", "void_type"):
            return TypeRef(text(node))
        if t == "type_identifier":
            name = text(node)
            if name in bindings:
                return bindings[name]
            if name in ctx.type_params:
                return OBJECT
            return self.resolve_name(name, ctx)
        if t == "scoped_type_identifier":
            return self.resolve_name(re.sub(r"\s+", "", text(node)), ctx)
        if t == "generic_type":
            base = self.ref(node.named_children[0], ctx, bindings)
            args_node = next((c for c in node.named_children if c.type == "type_arguments"), None)
            args = []
            if args_node is not None:
                for a in args_node.named_children:
                    if a.type == "wildcard":
                        bound = [c for c in a.named_children if c.type != "annotation"]
                        args.append(self.ref(bound[-1], ctx, bindings) if bound else OBJECT)
                    else:
                        args.append(self.ref(a, ctx, bindings))
            return TypeRef(base.name, args, resolved=base.resolved)
        if t == "array_type":
            el = self.ref(node.child_by_field_name("element"), ctx, bindings)
            return TypeRef(el.name, el.args, el.array + 1, el.resolved)
        if t == "annotated_type":
            return self.ref(node.named_children[-1], ctx, bindings)
        return TypeRef("?", resolved=False)

    # --- hierarchy -------------------------------------------------------------------------------

    def supers(self, cls: JavaClass, bindings: dict[str, TypeRef]):
        """(TypeRef, JavaClass | None, bindings for that class) of the direct super types."""
        out = []
        for node in [cls.superclass, *cls.interfaces]:
            if node is None:
                continue
            r = self.ref(node, cls, bindings)
            parent = self.get(r.name, cls.origin)
            pb: dict[str, TypeRef] = {}
            if parent is not None:
                for i, tp in enumerate(parent.type_params):
                    pb[tp] = r.args[i] if i < len(r.args) else OBJECT
            out.append((r, parent, pb))
        return out

    def ancestors(self, cls: JavaClass, through_groups: bool = False):
        """Every (TypeRef, class or None, bindings) above `cls`, breadth first, without repeats.
        The walk stops at the curated core classes (`BASES`, and `GROUPS` unless `through_groups`)."""
        seen = {cls.fqn}
        queue = [(cls, {})]
        while queue:
            c, b = queue.pop(0)
            for r, parent, pb in self.supers(c, b):
                if r.name in seen:
                    continue
                seen.add(r.name)
                yield r, parent, pb
                if parent is not None and r.name not in BASES and (through_groups or r.name not in GROUPS):
                    queue.append((parent, pb))


# --- annotation values ---------------------------------------------------------------------------


def annotation_arg(ann: Annotation | None, key: str = "value") -> Node | None:
    if ann is None or ann.node is None:
        return None
    for c in ann.node.named_children:
        if c.type == "element_value_pair":
            if text(c.child_by_field_name("key")) == key:
                return c.child_by_field_name("value")
        elif key == "value":
            return c
    return None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "s": " ", '"': '"', "'": "'", "\\": "\\"}


def _unescape(s: str) -> str:
    out = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "\n":  # line continuation in text blocks
                i += 2
                continue
            if nxt == "u":
                j = i + 1
                while j < len(s) and s[j] == "u":
                    j += 1
                try:
                    out.append(chr(int(s[j : j + 4], 16)))
                    i = j + 4
                    continue
                except ValueError:
                    pass
            if nxt in "01234567":
                j = i + 1
                while j < len(s) and j < i + 4 and s[j] in "01234567":
                    j += 1
                out.append(chr(int(s[i + 1 : j], 8)))
                i = j
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _text_block(raw: str) -> str:
    body = raw[3:-3]
    # The content starts after the line terminator that follows the opening delimiter.
    body = body.split("\n", 1)[1] if "\n" in body else ""
    lines = body.split("\n")
    significant = [l for l in lines[:-1] if l.strip()] + [lines[-1]]
    indent = min((len(l) - len(l.lstrip(" \t")) for l in significant), default=0)
    stripped = [l[indent:].rstrip(" \t") for l in lines]
    joined = "\n".join(stripped)
    return _unescape(joined)


def string_value(node: Node | None, cls: JavaClass | None = None, index: Index | None = None) -> str | None:
    """The value of a compile-time string expression: literals, text blocks, `+`, parentheses,
    and constants of the same class."""
    if node is None:
        return None
    t = node.type
    if t == "string_literal":
        raw = text(node)
        if raw.startswith('"""'):
            return _text_block(raw)
        return _unescape(raw[1:-1])
    if t == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        left = string_value(node.child_by_field_name("left"), cls, index)
        right = string_value(node.child_by_field_name("right"), cls, index)
        if left is None or right is None:
            return None
        return left + right
    if t == "parenthesized_expression":
        return string_value(node.named_children[0], cls, index)
    if t in ("identifier", "field_access") and cls is not None:
        name = text(node).rsplit(".", 1)[-1]
        for m in cls.members:
            if m.name == name and m.is_static and m.initializer is not None:
                return string_value(m.initializer, None, None)
    if t in ("decimal_integer_literal", "decimal_floating_point_literal", "true", "false"):
        return text(node)
    return None


def doc_of(anns: list[Annotation], cls: JavaClass) -> str:
    schema = next((a for a in anns if a.simple == "Schema"), None)
    title = string_value(annotation_arg(schema, "title"), cls) or ""
    desc = string_value(annotation_arg(schema, "description"), cls) or ""
    title, desc = title.strip(), desc.strip()
    if title and desc:
        return f"{title}\n\n{desc}"
    return title or desc


def annotation_flag(ann: Annotation | None, key: str) -> bool | None:
    node = annotation_arg(ann, key)
    if node is None:
        return None
    return text(node) == "true"


def elements(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type == "element_value_array_initializer":
        return list(node.named_children)
    return [node]
