"""A Pulumi project on disk, read the way the Pulumi CLI reads it: its name (the config namespace),
its program, its `stackConfigDir`, and one stack's config. Any problem is a `UsageError` — one
line naming the file and what is wrong, never a traceback."""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..model.errors import UsageError
from ..model.userfiles import read_yaml

# The keys a stack file may hold (Pulumi's project-stack schema); anything else is a typo that would
# leave the whole block unread.
STACK_KEYS = ("config", "encryptedkey", "encryptionsalt", "environment", "secretsprovider")


@dataclass
class Project:
    dir: Path
    name: str
    main: Path
    stack_config_dir: Path
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def stacks(self) -> list[str]:
        return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in self.stack_config_dir.glob("Pulumi.*.yaml"))

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def placeholders(self, stack: str) -> list[str]:
        """The stack file's values marked `# placeholder: what to put here`: stand-ins that run under
        the offline gate but must be replaced by real ids before `pulumi up`."""
        path = self.stack_file(stack)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        out = []
        for number, line in enumerate(lines, 1):
            value, sep, note = line.partition("# placeholder")
            if sep:
                out.append(f"{path.relative_to(self.dir) if path.is_relative_to(self.dir) else path}:{number} {value.strip()} ({note.lstrip(':').strip() or 'replace it'})")
        return out

    def config(self, stack: str) -> tuple[dict[str, str], list[str]]:
        """(config as the CLI hands it to a program: every value a string, JSON for structured ones;
        the keys whose values are secrets and cannot be read offline)."""
        path = self.stack_file(stack)
        if not path.exists():
            available = ", ".join(self.stacks()) or "none"
            raise UsageError(f"stack {stack!r} has no config file {path}; stacks of this project: {available}")
        data = read_yaml(path, "stack config")
        if data is None:
            data = {}
        if not isinstance(data, Mapping) or not isinstance(data.get("config") or {}, Mapping):
            raise UsageError(f"stack config {path} must be a mapping with a `config:` mapping")
        for key in sorted(set(map(str, data)) - set(STACK_KEYS)):
            near = difflib.get_close_matches(key, STACK_KEYS, n=1)
            raise UsageError(f"stack config {path}: {key!r} is not a key of a stack file"
                             + (f" (did you mean {near[0]!r}?)" if near else "")
                             + f"; it holds {', '.join(STACK_KEYS)}, and nothing under {key!r} would be read")
        values: dict[str, Any] = {}
        for key, value in self.defaults.items():
            values[key] = value
        for key, value in (data.get("config") or {}).items():
            key = str(key)
            values[key if ":" in key else f"{self.name}:{key}"] = value
        out, secret = {}, []
        for key, value in values.items():
            if isinstance(value, Mapping) and set(value) == {"secure"}:
                secret.append(key)
                out[key] = "[secret: not readable offline]"
            else:
                out[key] = value if isinstance(value, str) else json.dumps(value)
        return out, sorted(secret)


def load_project(directory: Path) -> Project:
    """Pulumi.yaml (or Pulumi.yml) in `directory`: name, main program, stackConfigDir, config defaults."""
    directory = directory.resolve()
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        path = directory / candidate
        if path.exists():
            break
    else:
        raise UsageError(f"{directory} is not a Pulumi project: no Pulumi.yaml (use --project-dir)")
    data = read_yaml(path, "project file")
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str) or not data["name"]:
        raise UsageError(f"project file {path} needs a `name:` (the config namespace)")
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if runtime_name not in (None, "python"):
        raise UsageError(f"project {data['name']} runs on {runtime_name!r}; the offline gate runs Python programs "
                         "(judge other runtimes' `pulumi preview --json` output with `secure-kafka check`)")
    main = directory / str(data.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.exists():
        raise UsageError(f"project {data['name']}: its program {main} does not exist")
    stack_dir = directory / str(data.get("stackConfigDir") or ".")
    defaults: dict[str, Any] = {}
    for key, spec in (data.get("config") or {}).items() if isinstance(data.get("config"), Mapping) else ():
        value = spec.get("default", spec.get("value")) if isinstance(spec, Mapping) else spec
        if value is not None:
            defaults[str(key) if ":" in str(key) else f"{data['name']}:{key}"] = value
    return Project(directory, data["name"], main, stack_dir, defaults)
