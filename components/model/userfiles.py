"""Files a user hands a command (stack files, plans, settings): read as text, or as YAML the way the
Pulumi CLI reads it (YAML 1.2); each problem is one UsageError line naming the file."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import UsageError


class _Yaml12(yaml.SafeLoader):
    """YAML as the Pulumi CLI reads it (YAML 1.2): only true/false are booleans, so `yes`, `no`, `on`
    and `off` reach the program as strings, and the offline gate refuses them as `pulumi up` would."""


_Yaml12.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Yaml12.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def read_text(path: Path, what: str = "") -> str:
    """The file's UTF-8 text; `what` names the flag or role it came in as (`--targets`)."""
    named = f"{what} {path}" if what else str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{named} does not exist") from None
    except OSError as error:
        raise UsageError(f"{named} cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{named} cannot be read: not UTF-8 text") from None


def read_yaml(path: Path, what: str) -> Any:
    text = read_text(path, what)
    try:
        return yaml.load(text, Loader=_Yaml12)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise UsageError(f"{what} {path} is not valid YAML{where}: {problem}") from None
