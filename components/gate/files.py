"""Files produced elsewhere, read into the engine's resources: `pulumi preview --json` output,
`pulumi stack export` state, Terraform plan JSON, CloudFormation templates (JSON or YAML with the
short intrinsic tags) and Kubernetes manifests (multi-document YAML or JSON, `List` kinds
included). A directory is walked for .json/.yaml/.yml/.template files. Each resource keeps the
file and line it was read from, for the reports."""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from kafka_guardrails import Resource
from kafka_guardrails.files import FRONT_ENDS, detect, manifests

from ..model.errors import UsageError
from ..model.userfiles import read_text

SUFFIXES = (".json", ".yaml", ".yml", ".template", ".tf")
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
    """What a set of paths held: resources per file, what could not be read (with the reason; the
    gate reports those as unjudged), and how many files a directory walk passed over by suffix."""

    resources: list[Resource] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)   # file -> what it was read as
    unread: list[tuple[str, str]] = field(default_factory=list)  # (location, why)
    ignored: dict[str, int] = field(default_factory=dict)  # suffix -> files a directory walk passed over


def _documents(path: Path) -> list[tuple[int, Any]]:
    """(line, document) for every document of a file; a file that cannot be read or parsed is a
    UsageError. Parsed once per file version: `scan` classifies files with it before judging them."""
    try:
        stat = path.stat()
    except OSError as error:
        raise UsageError(f"{path} cannot be read: {error.strerror or error}") from None
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _parsed(name: str, _mtime_ns: int, _size: int) -> list[tuple[int, Any]]:
    path = Path(name)
    text = read_text(path)
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


def _files(paths: Iterable[Path], loaded: Loaded) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.is_file()
                     and not any(part.startswith(".") for part in p.relative_to(path).parts)]
            for p in found:
                if p.suffix not in SUFFIXES:
                    loaded.ignored[p.suffix or "(none)"] = loaded.ignored.get(p.suffix or "(none)", 0) + 1
            out += sorted(p for p in found if p.suffix in SUFFIXES)
            if not any(p.suffix in SUFFIXES for p in found):
                loaded.unread.append((str(path), "the directory holds no file the gate can read (.tf, .json, "
                                                 ".yaml, .yml, .template)"))
        elif path.exists():
            out.append(path)
        else:
            raise UsageError(f"{path} does not exist")
    return out


_NOTHING = ("nothing the gate can read: not a Terraform plan, Terraform configuration, CloudFormation template, "
            "Pulumi preview or state, or Kubernetes manifest")


def _terraform(paths: list[Path], loaded: Loaded) -> None:
    """Each directory holding .tf files is read once as a module (a child module read through its
    parent's call is not read again as a root)."""
    from .terraform import load_module

    done: set[str] = set()
    for directory in sorted({p.parent for p in paths}, key=lambda d: (len(d.parts), str(d))):
        if all(str(p) in done for p in directory.glob("*.tf")):
            continue
        module = load_module(directory)
        done.update(module.files)
        done.update(str(p) for p in directory.glob("*.tf"))
        loaded.resources += module.resources
        loaded.unread += module.unread
        for file in module.files:
            loaded.kinds[file] = "terraform"
        if not module.resources and not module.unread:
            loaded.unread.append((str(directory), "the Terraform module declares no resource the gate can read"))


def load(paths: Iterable[Path]) -> Loaded:
    loaded = Loaded()
    found = _files(paths, loaded)
    _terraform([p for p in found if p.suffix == ".tf"], loaded)
    for path in found:
        if path.suffix == ".tf":
            continue
        shown = str(path)
        docs = _documents(path)
        kinds = {kind for kind in (detect(doc) for _, doc in docs) if kind is not None}
        if not kinds:
            loaded.unread.append((shown, _NOTHING))
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
        front_end: Any = FRONT_ENDS[kind]
        unread = len(loaded.unread)
        if kind.startswith("pulumi-"):
            resources = front_end(docs[0][1], shown, loaded.unread)
        else:
            resources = front_end(docs[0][1], shown)
        if not resources and len(loaded.unread) == unread:  # nothing read, and nothing said about it yet
            loaded.unread.append((shown, f"read as {kind}, but it holds no resource to judge"))
        if kind == "cloudformation":
            for resource in resources:
                resource.location = f"{shown}:{_cfn_line(path, resource.name)}"
        if kind == "terraform-plan":
            for resource in resources:
                resource.location = _tf_declaration(docs[0][1], path, resource.name) or resource.location
        loaded.resources += resources
        loaded.kinds[shown] = kind
    return loaded


_TF_BLOCK = re.compile(r'^\s*resource\s+"(?P<type>[^"]+)"\s+"(?P<name>[^"]+)"')


def _tf_declaration(plan: Any, path: Path, label: str) -> str:
    """Where a planned resource is declared: the .tf file and line beside the plan (the root module's
    directory, where `terraform show -json` is usually run), following local module sources from the
    plan's `configuration`; "" where the plan does not lead to a file on disk."""
    parts = label.removeprefix("tf:").split(".")
    module = (plan.get("configuration") or {}).get("root_module") or {} if isinstance(plan, dict) else {}
    directory = path.parent
    while len(parts) > 2 and parts[0] == "module":
        call = ((module.get("module_calls") or {}).get(parts[1]) or {}) if isinstance(module, dict) else {}
        source = call.get("source") if isinstance(call, dict) else None
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            return ""
        directory, module, parts = directory / source, call.get("module") or {}, parts[2:]
    if len(parts) != 2:
        return ""
    for tf in sorted(directory.glob("*.tf")):
        try:
            lines = tf.read_text(encoding="utf-8").splitlines()
        except OSError:
            return ""
        for number, line in enumerate(lines, 1):
            found = _TF_BLOCK.match(line)
            if found and (found["type"], found["name"]) == (parts[0], parts[1]):
                return f"{tf}:{number}"
    return ""


def _cfn_line(path: Path, name: str) -> int:
    """The line where a CloudFormation resource's logical id stands (1 when it cannot be found)."""
    logical = name.removeprefix("cfn:")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith((f"{logical}:", f'"{logical}":', f"'{logical}':")):
            return number
    return 1
