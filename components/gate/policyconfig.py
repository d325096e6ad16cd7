"""The policy-pack config file, as `pulumi preview --policy-pack-config` takes it:

    {"all": "advisory", "kafka-no-public-port": {"extraPorts": [8083], "enforcementLevel": "mandatory"},
     "kafka-exposure-unseen": "disabled"}

Validated in full before anything runs (unknown policies, levels, keys and values are refused in
one line), then resolved per policy the way the CLI resolves it: the policy's own level, then `all`,
then its own setting.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from kafka_guardrails import RULES, Settings, SettingsError, from_config

from ..model.errors import UsageError
from ..model.userfiles import read_text

LEVELS = ("advisory", "mandatory", "remediate", "disabled")


@dataclass(frozen=True)
class PolicySetting:
    level: str
    settings: Settings


def read(path: Optional[Path]) -> dict[str, Any]:
    if path is None:
        return {}
    text = read_text(path, "--policy-config")
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"--policy-config {path} is not valid JSON (line {error.lineno}, column {error.colno}: "
                         f"{error.msg})") from None
    validate(config, str(path))
    checked: dict[str, Any] = config
    return checked


def validate(config: Any, where: str = "policy config") -> None:
    if not isinstance(config, Mapping):
        raise UsageError(f"{where}: the config must be a JSON object of policy names, got {type(config).__name__}")
    names = {rule.name for rule in RULES}
    for name, value in config.items():
        if name != "all" and name not in names:
            raise UsageError(f"{where}: {name!r} is not a policy of kafka-guardrails; allowed: all, "
                             f"{', '.join(sorted(names))}")
        if isinstance(value, str):
            if value not in LEVELS:
                raise UsageError(f"{where}: {name}={value!r} is not allowed: use one of {', '.join(LEVELS)}")
            continue
        if name == "all" or not isinstance(value, Mapping):
            raise UsageError(f"{where}: {name}={value!r} is not allowed: use an enforcement level"
                             + ("" if name == "all" else " or an object of settings"))
        level = value.get("enforcementLevel")
        if level is not None and level not in LEVELS:
            raise UsageError(f"{where}: {name}.enforcementLevel={level!r} is not allowed: use one of {', '.join(LEVELS)}")
        try:
            from_config({k: v for k, v in value.items() if k != "enforcementLevel"})
        except SettingsError as error:
            raise UsageError(f"{where}: {name}.{error}") from None


def resolve(config: Mapping[str, Any], preview: bool) -> dict[str, PolicySetting]:
    """Every policy's level and engine settings under this config (the gate's in-process mode)."""
    out = {}
    for rule in RULES:
        level = rule.level
        if isinstance(config.get("all"), str):
            level = config["all"]
        own = config.get(rule.name)
        properties: Mapping[str, Any] = {}
        if isinstance(own, str):
            level = own
        elif isinstance(own, Mapping):
            level = own.get("enforcementLevel", level)
            properties = {k: v for k, v in own.items() if k != "enforcementLevel"}
        out[rule.name] = PolicySetting("mandatory" if level == "remediate" else level,
                                       from_config(properties, preview=preview))
    return out


STRICT = ("kafka-coverage", "kafka-unrecognised-exposure")


def strict(config: Mapping[str, Any]) -> dict[str, Any]:
    """`--strict`: what the gate did not judge, and what only its generic detector saw, block like a
    mandatory finding (their settings, e.g. harmlessTypes, are kept)."""
    out = dict(config)
    for name in STRICT:
        own = out.get(name)
        out[name] = {**own, "enforcementLevel": "mandatory"} if isinstance(own, Mapping) else "mandatory"
    return out
