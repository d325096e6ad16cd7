"""Write the Kubernetes objects a program registers as plain manifests (for kubernetes-validate,
checkov or kubectl diff). Secret values are replaced: manifests on disk never hold keys."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import yaml
from pulumi.runtime import rpc

from .analyzer import StackResource

REDACTED = "REDACTED"


def _reveal_shape(value: Any) -> Any:
    """Secret-wrapped inputs keep their shape with every string replaced."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _redact(value.get("value"))
        return {k: _reveal_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal_shape(v) for v in value]
    return value


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return REDACTED if isinstance(value, str) else value


def _ints(value: Any) -> Any:
    """The engine carries numbers as floats; manifests want integers where they are whole."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def kubernetes_manifests(resources: Iterable[StackResource]) -> list[dict[str, Any]]:
    return [_ints(_reveal_shape(dict(r.properties))) for r in resources
            if r.custom and r.type.startswith("kubernetes:")]


def write_manifests(resources: Iterable[StackResource], directory: Path) -> list[Path]:
    """One file per object, named kind-namespace-name.yaml."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for manifest in kubernetes_manifests(resources):
        meta = manifest.get("metadata") or {}
        path = directory / f"{manifest['kind']}-{meta.get('namespace', 'cluster')}-{meta.get('name')}.yaml".lower()
        path.write_text(yaml.safe_dump(manifest, sort_keys=False))
        paths.append(path)
    return paths
