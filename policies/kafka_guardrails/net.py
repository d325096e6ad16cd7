"""The neutral network model every exposure form is reduced to, and its verdict.

An `Entry` is one way in: the TCP ports it opens and the sources it admits. A `Net` is what a
resource contributes: its entries (judged on the resource alone) and, for joins across the
stack, the role it plays, the keys it is known by and the keys it points at.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from . import cidr
from .ports import Span
from .settings import Settings
from .values import MISSING, UNKNOWN, Ref, is_unknown, items

WORLD = (("", "0.0.0.0/0"), ("", "::/0"))


@dataclass(slots=True)
class Entry:
    path: str
    span: Span
    sources: tuple = ()           # ((path, raw value), ...): CIDRs as written
    refs: tuple = ()              # other named sources, for messages only
    prefix_lists: tuple = ()      # prefix-list references, resolved against the stack
    proto: str = "tcp"
    implicit_world: bool = False  # nothing restricts the sources, so everyone is admitted
    note: str = ""                # why this form is reachable (said in the finding)
    kafka: bool = False           # a Kafka listener whatever its port number
    detail: Any = None            # what the form's revoke text needs


@dataclass(slots=True)
class Net:
    entries: list = field(default_factory=list)
    role: str = ""
    keys: tuple = ()              # names in the join space (id:…, urn:…, tf:…, cfn:…, k8s:…)
    links: dict = field(default_factory=dict)  # relation -> keys it points at
    data: Any = None              # what the role's join needs


def world(note: str = "") -> dict:
    """Keyword arguments for an entry that admits everyone (no sources restrict it)."""
    return {"sources": WORLD, "implicit_world": True, "note": note}


def sources_at(block: Any, path: str, *names: str) -> list:
    """(path, value) for every CIDR listed under `names` in a canonical block."""
    out = []
    if not isinstance(block, dict):
        return out
    for name in names:
        value = block.get(name, MISSING)
        if value is MISSING or value is None:
            continue
        for index, item in enumerate(items(value)):
            out.append((f"{path}.{name}[{index}]" if path else f"{name}[{index}]", item))
    return out


def keys_of(resource: Any, value: Any, prop: str = "") -> tuple[str, ...]:
    """Join keys a reference value (and the resource's property dependency on `prop`) point at."""
    out = []
    for item in items(value):
        if isinstance(item, Ref):
            out.append(str(item))
        elif isinstance(item, str) and item and not is_unknown(item):
            out.append(f"id:{item}")
    if prop:
        out.extend(f"urn:{urn}" for urn in resource.property_dependencies.get(prop, ()))
    return tuple(out)


def own_keys(resource: Any, *values: Any) -> tuple[str, ...]:
    """The keys a resource is known by: its label and any of its own ids/ARNs/names given."""
    out = [f"urn:{resource.urn}" if resource.urn else f"urn:{resource.label}"]
    if resource.name and resource.name.startswith(("tf:", "cfn:")):
        out.append(resource.name)
    for value in values:
        for item in items(value):
            if isinstance(item, str) and item and not is_unknown(item) and not isinstance(item, Ref):
                out.append(f"id:{item}")
    return tuple(out)


@dataclass(slots=True)
class Verdict:
    covered: tuple[int, ...]
    reach: cidr.Reach
    nets: list
    bad: list
    unknown_paths: list

    @property
    def offending(self) -> list[str]:
        return cidr.offending(self.nets, self.reach) if self.reach.public else []


def verdict(entry: Entry, settings: Settings, extra: Iterable = ()) -> Optional[Verdict]:
    """None when the entry cannot expose a guarded port; else what its sources reach."""
    covered = entry.span.covers(settings.ports)
    if entry.kafka and not covered:
        covered = entry.span.only or (entry.span.low,)
    if not covered:
        return None
    nets, bad, unknown_paths = [], [], []
    for path, raw in (*entry.sources, *extra):
        if raw is UNKNOWN or is_unknown(raw):
            unknown_paths.append(path or "<entry>")
            continue
        net = cidr.parse(raw) if isinstance(raw, str) and not isinstance(raw, Ref) else None
        if net is None:
            bad.append((path, raw))
        else:
            nets.append(net)
    if nets:
        reach = cidr.reach(nets, settings.ipv4_public_prefix, settings.ipv6_public_prefix)
    else:
        reach = cidr.PRIVATE
    if not (reach.public or bad or unknown_paths):
        return None
    return Verdict(covered, reach, nets, bad, unknown_paths)
