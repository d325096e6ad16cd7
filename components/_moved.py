"""The module paths of 0.2.0, kept importable for one release after the split by role (0.3.0).

`import secure_kafka.msk` still works and warns once with the new place; a module that was split
(`pki`, `validate`) answers each name from the module that holds it now. Names exported by
`secure_kafka` itself never moved and never warn.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from typing import Any, Optional, Sequence

# old module (under secure_kafka) -> the modules that hold its names now, searched in order
MOVED: dict[str, tuple[str, ...]] = {
    "errors": ("model.errors",), "naming": ("model.naming",), "access": ("model.access",),
    "configtypes": ("model.configtypes",), "validate": ("model.checks", "model.outputs"),
    "pki": ("model.pki", "certificates", "aws.cluster_pki"),
    "msk": ("aws.msk",), "brokers": ("aws.self_managed",), "zookeeper": ("aws.zookeeper",),
    "controllers": ("aws.controllers",), "quorum_nodes": ("aws.quorum_nodes",), "network": ("aws.security_groups",),
    "encryption": ("aws.keys",), "compute": ("aws.nodes",), "rollout": ("aws.rollout",),
    "rolling": ("ops.rolling",), "rollgate": ("ops.rollgate",), "migrate": ("ops.migrate",),
    "migration_command": ("ops.migration_command",), "audit": ("ops.audit",),
    "audit.collect": ("ops.audit.collect",), "audit.backout": ("ops.audit.backout",),
    "config": ("stack.config",), "platforms": ("stack.platforms",),
}
# the 0.2.0 module `secure_kafka.kubernetes` is now a package; its names live in these modules
KUBERNETES = ("kubernetes.args", "kubernetes.manifests", "kubernetes.validation", "kubernetes.component")
PACKAGE = __name__.rsplit(".", 1)[0]


def _warn(old: str, new: str, stacklevel: int = 4) -> None:
    warnings.warn(f"{PACKAGE}.{old} moved to {PACKAGE}.{new} in 0.3.0; the old path goes in 0.4.0",
                  DeprecationWarning, stacklevel=stacklevel)


def lookup(old: str, homes: Sequence[str], name: str) -> Any:
    """`name` from the first of `homes` that defines it, with a warning naming where it lives now."""
    for home in homes:
        module = importlib.import_module(f"{PACKAGE}.{home}")
        if hasattr(module, name):
            _warn(f"{old}.{name}", f"{home}.{name}")
            return getattr(module, name)
    raise AttributeError(f"module '{PACKAGE}.{old}' has no attribute {name!r}")


class _Shim(importlib.abc.Loader):
    def __init__(self, old: str) -> None:
        self.old = old

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        homes = MOVED[self.old]
        if len(homes) == 1:  # moved whole: the new module itself, so patching it patches the real one
            _warn(self.old, homes[0], stacklevel=8)
            return importlib.import_module(f"{PACKAGE}.{homes[0]}")
        module = types.ModuleType(spec.name, f"Moved in 0.3.0 to: {', '.join(homes)}.")
        module.__getattr__ = lambda name: lookup(self.old, homes, name)  # type: ignore[method-assign]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the module is the new one, or a shim that looks names up."""


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: Optional[types.ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        old = fullname[len(PACKAGE) + 1:] if fullname.startswith(PACKAGE + ".") else ""
        if old not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Shim(old), is_package=old == "audit")


def install() -> None:
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        # first: under the old package path the regular finder would load a second copy of a moved module
        sys.meta_path.insert(0, _Finder())
