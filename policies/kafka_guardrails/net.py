"""The neutral network model every exposure form is reduced to, and its verdict.

An `Entry` is one way in: the TCP ports it opens and the sources it admits. A `Net` is what a
resource contributes: its entries (judged on the resource alone) and, for joins across the
stack, the role it plays, the keys it is known by and the keys it points at.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple, Optional

from . import cidr
from .ports import Span
from .settings import Settings
from .values import UNKNOWN, UNKNOWN_SENTINELS, Ref, is_unknown, items

WORLD = (("", "0.0.0.0/0"), ("", "::/0"))


@dataclass(slots=True)
class Entry:
    path: str
    span: Span
    sources: tuple[Any, ...] = ()           # ((path, raw value), ...): CIDRs as written
    refs: tuple[Any, ...] = ()              # other named sources, for messages only (or the keys of `detail` naming them)
    prefix_lists: tuple[Any, ...] = ()      # prefix-list references, resolved against the stack
    proto: str = "tcp"
    implicit_world: bool = False  # nothing restricts the sources, so everyone is admitted
    note: str = ""                # why this form is reachable (said in the finding)
    kafka: bool = False           # a Kafka listener whatever its port number
    detail: Any = None            # what the form's revoke text needs


@dataclass(slots=True)
class Net:
    entries: list[Any] = field(default_factory=list)
    role: str = ""
    ids: tuple[Any, ...] = ()               # its own ids/ARNs/names as written, or explicit k8s:… join keys
    links: dict[str, Any] = field(default_factory=dict)  # relation -> keys it points at
    data: Any = None              # what the role's join needs


def not_known(path: str) -> "Entry":
    """An entry the engine cannot read yet (a whole rule or switch unknown during preview): any port,
    from a source not known yet — advisory in a preview, mandatory at `up` and in `check`."""
    from .ports import UNKNOWN_SPAN
    return Entry(path, UNKNOWN_SPAN, ((path, UNKNOWN),))


def world(note: str = "") -> dict[str, Any]:
    """Keyword arguments for an entry that admits everyone (no sources restrict it)."""
    return {"sources": WORLD, "implicit_world": True, "note": note}


def sources_at(block: Any, path: str, *names: str) -> list[Any]:
    """(path, value) for every CIDR listed under `names` in a canonical block."""
    out: list[Any] = []
    if not isinstance(block, dict):
        return out
    for name in names:
        value = block.get(name)
        if value is None:
            continue
        where = f"{path}.{name}" if path else name
        for item in items(value):
            out.append((where, item))
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


def unresolved(resource: Any, value: Any, prop: str) -> tuple[str, ...]:
    """A key that finds nothing, for a reference not known yet that no dependency names: in a preview a
    reference to a resource of the stack is unknown but comes with the dependency the join follows; one
    without it (a stack reference, a config value) can only point outside the stack, so a join that
    finds no member for it reports it as unseen instead of passing."""
    if prop in resource.property_dependencies or not any(is_unknown(item) for item in items(value)):
        return ()
    return (f"{prop}=<not known yet>",)


def key_label(key: Any) -> str:
    """A join key as a message names it: an id as written, other keys (urn:, field=<not known yet>) whole."""
    return str(key).removeprefix("id:")


class Later(NamedTuple):
    """A link whose join keys are worked out only when a stack follows it (`Stack.linked`)."""

    value: Any
    prop: str


def own_keys(resource: Any, ids: tuple[Any, ...]) -> tuple[str, ...]:
    """The keys a resource is known by in joins: its label, its tf:/cfn: name, its own ids/ARNs/
    names given as inputs, and explicit k8s:Kind/namespace/name keys. Computed only for stacks."""
    out = [f"urn:{resource.urn}" if resource.urn else f"urn:{resource.label}"]
    if resource.name and resource.name.startswith(("tf:", "cfn:")):
        out.append(resource.name)
    for value in ids:
        for item in items(value):
            if isinstance(item, str) and item and not is_unknown(item) and not isinstance(item, Ref):
                out.append(item if item.startswith("k8s:") else f"id:{item}")
    return tuple(out)


def named_refs(entry: Entry) -> tuple[Any, ...]:
    """The other named sources of an entry; forms may leave them as key names to read from the
    entry's raw block, so the common case never formats them."""
    if entry.refs and entry.refs[0] == "@" and isinstance(entry.detail, dict):
        block = entry.detail
        out = []
        for name in entry.refs[1:]:
            if name == "self":
                if block.get("self") is True or str(block.get("self")).lower() == "true":
                    out.append("self")
                continue
            for item in items(block.get(name)):
                if item is not None and item != "":
                    out.append(f"{name}={'<unknown>' if is_unknown(item) else item}")
        return tuple(out)
    return tuple(entry.refs)


@dataclass(slots=True)
class Verdict:
    covered: tuple[int, ...]
    reach: cidr.Reach
    nets: list[Any]
    bad: list[Any]
    unknown_paths: list[Any]

    @property
    def offending(self) -> list[str]:
        return cidr.offending(self.nets, self.reach) if self.reach.public else []


def verdict(entry: Entry, settings: Settings, extra: Iterable[Any] = (), covered: Any = None) -> Optional[Verdict]:
    """None when the entry cannot expose a guarded port; else what its sources reach. Only
    sources that touch the internet are kept: the rest cannot make anything public."""
    if covered is None:
        covered = entry.span.covers(settings.ports)
    if entry.kafka and not covered:
        covered = entry.span.only or (entry.span.low,)
    if not covered:
        return None
    nets: list[Any] = []
    bad: list[Any] = []
    unknown_paths: list[Any] = []
    for path, raw in (entry.sources if not extra else (*entry.sources, *extra)):
        if type(raw) is str:
            if raw in UNKNOWN_SENTINELS:
                unknown_paths.append(path or "<entry>")
                continue
            net = cidr.classify(raw)
            if net is False:
                continue
            if net is None:
                bad.append((path, raw))
            else:
                nets.append(net)
        elif raw is UNKNOWN:
            unknown_paths.append(path or "<entry>")
        elif isinstance(raw, str) and not isinstance(raw, Ref):
            net = cidr.classify(str(raw))
            if net is None:
                bad.append((path, raw))
            elif net is not False:
                nets.append(net)
        else:
            bad.append((path, raw))
    if not (nets or bad or unknown_paths):
        return None
    reach = cidr.reach(nets, settings.ipv4_public_prefix, settings.ipv6_public_prefix) if nets else cidr.PRIVATE
    if not (reach.public or bad or unknown_paths):
        return None
    return Verdict(covered, reach, nets, bad, unknown_paths)
