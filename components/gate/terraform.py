"""Terraform configuration (`.tf`) read into the engine's resources, as checkov reads it before its
checks run: every `.tf` file of a module together (so joins work across files), variable defaults
(and `terraform.tfvars`, `*.auto.tfvars`) and locals resolved, `count` and `for_each` expanded,
`dynamic` blocks unrolled, local child modules followed with the arguments of their call.

What cannot be worked out without running Terraform (function calls, conditionals, outputs of
remote modules, variables without a default) becomes Pulumi's unknown marker, so a rule reads it
as "not known yet" — mandatory by default in `secure-kafka check`, advisory with `--preview`.
What the reader cannot follow at all (a remote module) is returned as unread, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from kafka_guardrails import Resource

from ..model.errors import UsageError
from ..model.userfiles import read_text

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine reads Pulumi's unknown string as unknown
_META = frozenset({"count", "for_each", "lifecycle", "depends_on", "provider", "provisioner", "connection",
                   "dynamic"})
_TRAVERSAL = re.compile(r"^([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\.\d+|\[[^\[\]]+\])*)$")
_STEP = re.compile(r"\.([A-Za-z_][\w-]*|\d+)|\[([^\[\]]+)\]")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class Module:
    resources: list[Resource] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)   # (location, why)
    files: list[str] = field(default_factory=list)


def _parse(path: Path) -> dict[str, Any]:
    import hcl2
    from hcl2.utils import SerializationOptions

    text = read_text(path)
    try:
        parsed: dict[str, Any] = hcl2.loads(text, serialization_options=SerializationOptions(with_comments=False))
    except Exception as error:  # noqa: BLE001 - the parser raises several kinds; one line names the file
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UsageError(f"{path} is not valid Terraform HCL: {first}") from None
    return parsed


def _label(key: Any) -> str:
    text = str(key)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


class _Scope:
    """Variables, locals and the iteration values (`count.index`, `each.*`, dynamic iterators)."""

    def __init__(self, variables: dict[str, Any], locals_: dict[str, Any]) -> None:
        self.variables = variables
        self.locals_raw = locals_
        self.locals: dict[str, Any] = {}
        self.resolving: set[str] = set()
        self.frames: dict[str, Any] = {}

    def child(self, **frames: Any) -> "_Scope":
        scope = _Scope(self.variables, self.locals_raw)
        scope.locals, scope.resolving = self.locals, self.resolving
        scope.frames = {**self.frames, **frames}
        return scope

    def local(self, name: str) -> Any:
        if name in self.locals:
            return self.locals[name]
        if name not in self.locals_raw or name in self.resolving:
            return UNKNOWN
        self.resolving.add(name)
        try:
            value = self.locals[name] = evaluate(self.locals_raw[name], self)
        finally:
            self.resolving.discard(name)
        return value


def _steps(value: Any, rest: str) -> Any:
    for name, index in _STEP.findall(rest):
        key: Any = name or index.strip()
        if isinstance(key, str) and len(key) >= 2 and key[0] == key[-1] == '"':
            key = key[1:-1]
        if value == UNKNOWN:
            return UNKNOWN
        if isinstance(value, list) and isinstance(key, str) and key.isdigit():
            value = value[int(key)] if int(key) < len(value) else UNKNOWN
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return UNKNOWN
    return value


def expression(text: str, scope: _Scope) -> Any:
    """One HCL expression (the inside of `${...}`): literals and traversals; anything else unknown."""
    text = text.strip()
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1].replace('\\"', ""):
        return template(text[1:-1], scope)
    found = _TRAVERSAL.match(text)
    if found is None:
        return UNKNOWN
    head, rest = found.groups()
    if head == "var":
        name, _, more = rest[1:].partition(".") if rest.startswith(".") else ("", "", "")
        bracket = name.find("[")
        if bracket >= 0:
            name, more = name[:bracket], name[bracket:] + ("." + more if more else "")
        else:
            more = "." + more if more else ""
        return _steps(scope.variables.get(name, UNKNOWN), more)
    if head == "local":
        step = _STEP.match(rest)
        if step is None:
            return UNKNOWN
        return _steps(scope.local(step.group(1) or ""), rest[step.end():])
    if head in scope.frames:
        return _steps(scope.frames[head], rest)
    if head in ("each", "count", "self", "path", "terraform", "module"):
        return UNKNOWN
    return "${" + text + "}"  # a reference to another resource or data source: the engine makes it a Ref


def template(inner: str, scope: _Scope) -> Any:
    """A quoted string with `${...}` interpolations; exactly one interpolation keeps its value's type."""
    inner = inner.replace('\\"', '"').replace("\\\\", "\\").replace("\\n", "\n")
    if "${" not in inner:
        return inner
    parts: list[Any] = []
    position = 0
    while True:
        start = inner.find("${", position)
        if start < 0:
            parts.append(inner[position:])
            break
        depth, end = 0, start
        for end in range(start, len(inner)):
            if inner[end] == "{":
                depth += 1
            elif inner[end] == "}":
                depth -= 1
                if depth == 0:
                    break
        parts.append(inner[position:start])
        parts.append((expression(inner[start + 2:end], scope),))
        position = end + 1
    values = [p for p in parts if p != ""]
    if len(values) == 1 and isinstance(values[0], tuple):
        return values[0][0]
    out = []
    for part in values:
        if isinstance(part, tuple):
            value = part[0]
            if value == UNKNOWN or isinstance(value, (dict, list)) or (isinstance(value, str) and value.startswith("${")):
                return UNKNOWN
            out.append(str(value).lower() if isinstance(value, bool) else str(value))
        else:
            out.append(part)
    return "".join(out)


def evaluate(value: Any, scope: _Scope) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("__") or key == "dynamic":
                continue
            out[_label(key)] = evaluate(item, scope)
        for block in value.get("dynamic") or []:
            for label, spec in (block.items() if isinstance(block, dict) else ()):
                if isinstance(spec, dict):
                    out.setdefault(_label(label), [])
                    if not isinstance(out[_label(label)], list):
                        out[_label(label)] = [out[_label(label)]]
                    out[_label(label)].extend(_dynamic(_label(label), spec, scope))
        return out
    if isinstance(value, list):
        return [evaluate(item, scope) for item in value]
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == value[-1] == '"':
            return template(value[1:-1], scope)
        if value.startswith("${") and value.endswith("}"):
            return expression(value[2:-1], scope)
        return value
    return value


def _pairs(collection: Any) -> list[tuple[Any, Any]]:
    """(key, value) of what `for_each` walks; one unknown pair when it cannot be known."""
    if isinstance(collection, dict):
        return list(collection.items())
    if isinstance(collection, list):
        return [(item if isinstance(item, (str, int)) else index, item) for index, item in enumerate(collection)]
    return [(UNKNOWN, UNKNOWN)]


def _dynamic(label: str, spec: dict[str, Any], scope: _Scope) -> list[Any]:
    iterator = _label(evaluate(spec.get("iterator"), scope)) if spec.get("iterator") else label
    content = spec.get("content") or [{}]
    body = content[0] if isinstance(content, list) and content else content
    out = []
    for key, item in _pairs(evaluate(spec.get("for_each", UNKNOWN), scope)):
        out.append(evaluate(body, scope.child(**{iterator: {"key": key, "value": item}})))
    return out


def _instances(body: dict[str, Any], scope: _Scope) -> list[_Scope]:
    if "count" in body:
        count = evaluate(body["count"], scope)
        if isinstance(count, bool) or not isinstance(count, int):
            return [scope.child(count={"index": UNKNOWN})]
        return [scope.child(count={"index": i}) for i in range(max(count, 0))]
    if "for_each" in body:
        return [scope.child(each={"key": k, "value": v}) for k, v in _pairs(evaluate(body["for_each"], scope))]
    return [scope]


def _blocks(parsed: dict[str, Any], kind: str) -> Iterable[tuple[str, Any]]:
    for entry in parsed.get(kind) or []:
        if isinstance(entry, dict):
            for key, value in entry.items():
                if not str(key).startswith("__"):
                    yield _label(key), value


def _line(text: str, *labels: str) -> int:
    pattern = re.compile(r"^[ \t]*" + r"\s+".join(
        [re.escape(labels[0])] + [rf'"?{re.escape(label)}"?' for label in labels[1:]]) + r"\s*\{", re.M)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _tfvars(directory: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    files = [directory / "terraform.tfvars"] + sorted(directory.glob("*.auto.tfvars"))
    empty = _Scope({}, {})
    for path in files:
        if path.is_file():
            for key, value in _parse(path).items():
                if not key.startswith("__"):
                    out[key] = evaluate(value, empty)
    return out


def load_module(directory: Path, inputs: Optional[dict[str, Any]] = None, prefix: str = "",
                shown: Optional[str] = None, depth: int = 0) -> Module:
    """Every resource of the module in `directory`, with the `.tf` files it read."""
    module = Module()
    files = sorted(p for p in directory.glob("*.tf") if p.is_file())
    parsed = [(path, _parse(path), path.read_text(encoding="utf-8")) for path in files]
    module.files = [str(p) for p in files]
    variables: dict[str, Any] = {}
    locals_: dict[str, Any] = {}
    empty = _Scope({}, {})
    for _, doc, _ in parsed:
        for name, body in _blocks(doc, "variable"):
            body = body if isinstance(body, dict) else {}
            variables[name] = evaluate(body["default"], empty) if "default" in body else UNKNOWN
        for entry in doc.get("locals") or []:
            if isinstance(entry, dict):
                locals_.update({k: v for k, v in entry.items() if not k.startswith("__")})
    if inputs is None:
        variables.update({k: v for k, v in _tfvars(directory).items() if k in variables})
    else:
        variables.update({k: v for k, v in inputs.items() if k in variables})
    scope = _Scope(variables, locals_)
    base = shown if shown is not None else str(directory)
    for path, doc, text in parsed:
        where = str(path) if shown is None else f"{base}/{path.name}"
        for kind, named in _blocks(doc, "resource"):
            for name, body in (named.items() if isinstance(named, dict) else ()):
                name, body = _label(name), body if isinstance(body, dict) else {}
                location = f"{where}:{_line(text, 'resource', kind, name)}"
                for instance in _instances(body, scope):
                    props = evaluate({k: v for k, v in body.items() if k not in _META or k == "dynamic"}, instance)
                    module.resources.append(Resource(kind, props, name=f"tf:{prefix}{kind}.{name}", location=location))
        for name, body in _blocks(doc, "module"):
            body = body if isinstance(body, dict) else {}
            location = f"{where}:{_line(text, 'module', name)}"
            source = evaluate(body.get("source", ""), scope)
            if not (isinstance(source, str) and source.startswith(("./", "../"))) or depth >= 8:
                module.unread.append((location, f"module {name} (source {source!r}) is not followed: only local "
                                                "module paths are read; judge its plan (terraform show -json)"))
                continue
            child = (directory / source).resolve()
            if not child.is_dir():
                module.unread.append((location, f"module {name}: {source} is not a directory"))
                continue
            args = {k: v for k, v in body.items() if k not in ("source", "version", "providers") and k not in _META}
            for instance in _instances(body, scope):
                inner = load_module(child, evaluate(args, instance), f"{prefix}module.{name}.",
                                    f"{base}/{source.rstrip('/')}", depth + 1)
                module.resources += inner.resources
                module.unread += inner.unread
                module.files += [f for f in inner.files if f not in module.files]
    return module
