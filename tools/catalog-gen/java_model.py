"""Java sources -> a class index: what the catalog generator needs of each class.

Parses Java with tree-sitter-java (modern syntax: text blocks, records, switch expressions) and keeps,
per class: its fully qualified name, kind, modifiers, annotations, super types (as written, with the
file's imports to resolve them), fields, interface getters, enum constants and nested classes.
Nothing here knows about Kestra; `plugins.py` reads this model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter_java
from tree_sitter import Language, Node, Parser

_PARSER = Parser(Language(tree_sitter_java.language()))


@dataclass
class Annotation:
    name: str  # as written: "Schema", "Builder.Default", "jakarta.validation.constraints.NotNull"
    node: Node | None  # the annotation_argument_list, or None for a marker annotation

    @property
    def simple(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass
class Member:
    """A field, or a getter of an interface (name already turned into the property name)."""

    name: str
    type_node: Node
    annotations: list[Annotation]
    initializer: Node | None
    is_static: bool
    is_transient: bool
    from_getter: bool = False
    is_default_method: bool = False


@dataclass
class JavaClass:
    fqn: str
    simple: str
    kind: str  # class | interface | enum | record | annotation
    package: str
    outer: str | None
    file: "JavaFile"
    modifiers: set[str]
    annotations: list[Annotation]
    type_params: list[str]
    superclass: Node | None
    interfaces: list[Node]
    members: list[Member] = field(default_factory=list)
    enum_constants: list[str] = field(default_factory=list)
    enum_has_json_value: bool = False
    nested: dict[str, str] = field(default_factory=dict)  # simple name -> fqn
    origin: str = ""  # repository the class comes from
    # Return type of a `run(RunContext)` the class declares: a task may narrow its output class
    # there (`public Output run(...)` with `Output extends Parent.Output`), which is what Kestra's
    # documentation generator reads through reflection.
    run_return: Node | None = None

    @property
    def is_abstract(self) -> bool:
        return "abstract" in self.modifiers or self.kind == "interface"

    def annotation(self, *names: str) -> Annotation | None:
        for a in self.annotations:
            if a.simple in names or a.name in names:
                return a
        return None


@dataclass
class JavaFile:
    path: str
    package: str
    imports: dict[str, str]  # simple name -> fqn
    wildcard_imports: list[str]
    static_imports: dict[str, str]
    source: bytes


def text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _annotations(modifiers: Node | None) -> list[Annotation]:
    out = []
    if modifiers is None:
        return out
    for child in modifiers.named_children:
        if child.type == "marker_annotation":
            out.append(Annotation(text(child.child_by_field_name("name")), None))
        elif child.type == "annotation":
            out.append(
                Annotation(
                    text(child.child_by_field_name("name")),
                    child.child_by_field_name("arguments"),
                )
            )
    return out


def _modifier_words(modifiers: Node | None) -> set[str]:
    if modifiers is None:
        return set()
    return {c.type for c in modifiers.children if not c.is_named} | {
        text(c) for c in modifiers.children if c.type in ("static", "abstract", "final", "transient", "default")
    }


def _child_of_type(node: Node, *types: str) -> Node | None:
    for c in node.children:
        if c.type in types:
            return c
    return None


_GETTER = re.compile(r"^(get|is)([A-Z].*)$")


def _getter_property(name: str) -> str | None:
    m = _GETTER.match(name)
    if not m:
        return None
    rest = m.group(2)
    # Jackson's default naming: getURL -> url, getFooBar -> fooBar.
    if len(rest) > 1 and rest[1].isupper():
        i = 0
        while i < len(rest) and rest[i].isupper():
            i += 1
        if i == len(rest):
            return rest.lower()
        return rest[: i - 1].lower() + rest[i - 1 :]
    return rest[0].lower() + rest[1:]


def parse_file(path: str, source: bytes, origin: str) -> list[JavaClass]:
    tree = _PARSER.parse(source)
    root = tree.root_node
    package = ""
    imports: dict[str, str] = {}
    wildcards: list[str] = []
    statics: dict[str, str] = {}
    for node in root.named_children:
        if node.type == "package_declaration":
            for c in node.named_children:
                if c.type in ("scoped_identifier", "identifier"):
                    package = text(c)
        elif node.type == "import_declaration":
            raw = text(node)
            is_static = " static " in raw or raw.startswith("import static")
            target = raw.removeprefix("import").strip().removesuffix(";").strip()
            if is_static:
                target = target.removeprefix("static").strip()
                if not target.endswith(".*"):
                    statics[target.rsplit(".", 1)[-1]] = target
                continue
            if target.endswith(".*"):
                wildcards.append(target[:-2])
            else:
                imports[target.rsplit(".", 1)[-1]] = target
    jf = JavaFile(path, package, imports, wildcards, statics, source)
    out: list[JavaClass] = []
    for node in root.named_children:
        _collect_type(node, jf, None, out, origin)
    return out


_TYPE_DECLS = {
    "class_declaration": "class",
    "interface_declaration": "interface",
    "enum_declaration": "enum",
    "record_declaration": "record",
    "annotation_type_declaration": "annotation",
}


def _collect_type(node: Node, jf: JavaFile, outer: JavaClass | None, out: list[JavaClass], origin: str) -> None:
    kind = _TYPE_DECLS.get(node.type)
    if kind is None:
        return
    name = text(node.child_by_field_name("name"))
    fqn = f"{outer.fqn}.{name}" if outer else (f"{jf.package}.{name}" if jf.package else name)
    mods = _child_of_type(node, "modifiers")
    tparams = node.child_by_field_name("type_parameters")
    type_params = []
    if tparams is not None:
        for tp in tparams.named_children:
            if tp.type == "type_parameter":
                ident = _child_of_type(tp, "type_identifier", "identifier")
                type_params.append(text(ident))
    superclass = None
    interfaces: list[Node] = []
    sc = node.child_by_field_name("superclass")
    if sc is not None:
        superclass = sc.named_children[0] if sc.named_children else None
    si = node.child_by_field_name("interfaces")
    if si is None and kind == "interface":
        si = _child_of_type(node, "extends_interfaces")
    if si is not None:
        tl = _child_of_type(si, "type_list")
        if tl is not None:
            interfaces = list(tl.named_children)
    cls = JavaClass(
        fqn=fqn,
        simple=name,
        kind=kind,
        package=jf.package,
        outer=outer.fqn if outer else None,
        file=jf,
        modifiers=_modifier_words(mods),
        annotations=_annotations(mods),
        type_params=type_params,
        superclass=superclass,
        interfaces=interfaces,
        origin=origin,
    )
    if outer is not None:
        outer.nested[name] = fqn
    out.append(cls)
    body = node.child_by_field_name("body")
    if body is None:
        return
    for member in body.named_children:
        if member.type == "enum_body_declarations":
            for m in member.named_children:
                _member(m, cls, jf, out, origin)
            continue
        if member.type == "enum_constant":
            cls.enum_constants.append(text(member.child_by_field_name("name")))
            continue
        _member(member, cls, jf, out, origin)
    if kind == "record":
        params = node.child_by_field_name("parameters")
        if params is not None:
            for p in params.named_children:
                if p.type == "formal_parameter":
                    cls.members.append(
                        Member(
                            name=text(p.child_by_field_name("name")),
                            type_node=p.child_by_field_name("type"),
                            annotations=_annotations(_child_of_type(p, "modifiers")),
                            initializer=None,
                            is_static=False,
                            is_transient=False,
                        )
                    )


def _member(member: Node, cls: JavaClass, jf: JavaFile, out: list[JavaClass], origin: str) -> None:
    if member.type in _TYPE_DECLS:
        _collect_type(member, jf, cls, out, origin)
        return
    if member.type == "field_declaration" or (member.type == "constant_declaration"):
        mods = _child_of_type(member, "modifiers")
        words = _modifier_words(mods)
        anns = _annotations(mods)
        type_node = member.child_by_field_name("type")
        for decl in member.children_by_field_name("declarator"):
            cls.members.append(
                Member(
                    name=text(decl.child_by_field_name("name")),
                    type_node=type_node,
                    annotations=anns,
                    initializer=decl.child_by_field_name("value"),
                    is_static="static" in words or member.type == "constant_declaration" or cls.kind == "interface",
                    is_transient="transient" in words,
                )
            )
        return
    if member.type == "method_declaration":
        mods = _child_of_type(member, "modifiers")
        anns = _annotations(mods)
        if cls.kind == "enum" and any(a.simple == "JsonValue" for a in anns):
            cls.enum_has_json_value = True
        if cls.kind != "interface":
            params = member.child_by_field_name("parameters")
            if (
                text(member.child_by_field_name("name")) == "run"
                and params is not None
                and len(params.named_children) == 1
                and "RunContext" in text(params.named_children[0].child_by_field_name("type"))
            ):
                cls.run_return = member.child_by_field_name("type")
            return
        params = member.child_by_field_name("parameters")
        if params is not None and params.named_children:
            return
        words = _modifier_words(mods)
        if "static" in words:
            return
        prop = _getter_property(text(member.child_by_field_name("name")))
        if prop is None:
            return
        cls.members.append(
            Member(
                name=prop,
                type_node=member.child_by_field_name("type"),
                annotations=anns,
                initializer=None,
                is_static=False,
                is_transient=False,
                from_getter=True,
                is_default_method="default" in words or member.child_by_field_name("body") is not None,
            )
        )
