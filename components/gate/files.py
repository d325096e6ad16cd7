"""Files produced elsewhere, read into the engine's resources: `pulumi preview --json` output,
`pulumi stack export` state, Terraform plan JSON, CloudFormation templates (JSON or YAML with the
short intrinsic tags) and Kubernetes manifests (multi-document YAML or JSON, `List` kinds
included). A directory is walked for .json/.yaml/.yml/.template files. Each resource keeps the
file and line it was read from, for the reports."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from kafka_guardrails import Resource
from kafka_guardrails.files import FRONT_ENDS, detect, manifests

from .project import UsageError

SUFFIXES = (".json", ".yaml", ".yml", ".template")
_CFN_TAGS = ("Ref", "Condition", "GetAtt", "Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue", "Join",
             "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "ToJsonString", "Length")


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (`!Ref X` -> {"Ref": "X"}, `!GetAtt a.b` -> Fn::GetAtt)."""


def _tag(name: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:
            raise yaml.constructor.ConstructorError(None, None, f"!{name} on an unexpected node", node.start_mark)
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        return {key: value}
    return construct


for _name in _CFN_TAGS:
    _Loader.add_constructor(f"!{_name}", _tag(_name))


@dataclass
class Loaded:
    """What a set of paths held: resources per file, and the files that held nothing to judge."""

    resources: list[Resource] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)   # file -> what it was read as
    skipped: list[str] = field(default_factory=list)


def _documents(path: Path) -> list[tuple[int, Any]]:
    """(line, document) for every document of a file; a file that cannot be parsed is a UsageError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{path} cannot be read: {error.strerror or error}") from None
    if path.suffix == ".json":
        try:
            return [(1, json.loads(text))]
        except json.JSONDecodeError as error:
            raise UsageError(f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
        return [(node.start_mark.line + 1, _construct(node)) for node in nodes if node is not None]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{path} is not valid YAML{where}: {getattr(error, 'problem', None) or error}") from None


def _construct(node: yaml.Node) -> Any:
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES
                          and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.exists():
            out.append(path)
        else:
            raise UsageError(f"{path} does not exist")
    return out


def load(paths: Iterable[Path]) -> Loaded:
    loaded = Loaded()
    for path in _files(paths):
        shown = str(path)
        docs = _documents(path)
        kinds = {kind for kind in (detect(doc) for _, doc in docs) if kind is not None}
        if not kinds:
            loaded.skipped.append(shown)
            continue
        if kinds == {"kubernetes"}:
            for line, doc in docs:
                if detect(doc) == "kubernetes":
                    loaded.resources += manifests([doc], f"{shown}:{line}")
            loaded.kinds[shown] = "kubernetes"
            continue
        if len(docs) != 1:
            raise UsageError(f"{path} holds several documents of kind {', '.join(sorted(kinds))}; one per file")
        kind = kinds.pop()
        resources = FRONT_ENDS[kind](docs[0][1], shown)
        if kind == "cloudformation":
            for resource in resources:
                resource.location = f"{shown}:{_cfn_line(path, resource.name)}"
        loaded.resources += resources
        loaded.kinds[shown] = kind
    return loaded


def _cfn_line(path: Path, name: str) -> int:
    """The line where a CloudFormation resource's logical id stands (1 when it cannot be found)."""
    logical = name.removeprefix("cfn:")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith((f"{logical}:", f'"{logical}":', f"'{logical}':")):
            return number
    return 1
