"""A whole stack for the rules that join resources: an index by role and by join key, and
the registry of joins (each family module declares its own with `@join`)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from .dialects import model
from .net import Later, keys_of, own_keys
from .model import Resource
from .ports import Span


@dataclass(frozen=True)
class Path:
    """An exposure that only the stack shows: the resources it runs through (the first anchors
    the finding), the ports it reaches, the sources it admits and why. `unseen` marks a path
    that runs into a resource outside the stack (reported by KAFKA-NET-002, advisory)."""

    resources: tuple[Resource, ...]
    message: str
    ports: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    fix: str = ""
    unknown: bool = False
    unseen: bool = False


JOINS: dict[str, Callable[["Stack", Any], Iterable[Path]]] = {}
# joins that read what the others found (e.g. to report only the links no path ran through)
LATE_JOINS: dict[str, Callable[["Stack", Any, list[Path]], Iterable[Path]]] = {}


def join(name: str, late: bool = False) -> Callable[..., Any]:
    """Declare a stack join (a family module's way of following its links); a late one is called
    after every other, with the paths they found."""
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in JOINS or name in LATE_JOINS:
            raise ValueError(f"duplicate join {name!r}")
        (LATE_JOINS if late else JOINS)[name] = fn
        return fn
    return register


class Stack(Sequence[Any]):
    """The resources of one stack, indexed for joins. Models come from each resource's cache."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = list(resources)
        for resource in self.resources:
            resource._keep = True
        self._roles: Optional[dict[str, list[Any]]] = None
        self._keys: Optional[dict[str, list[Any]]] = None
        self._paths: dict[int, list[Path]] = {}
        self._errors: list[Path] = []

    def __len__(self) -> int:
        return len(self.resources)

    def __getitem__(self, index: int) -> Resource:  # type: ignore[override]  # no slicing
        return self.resources[index]

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def _index(self) -> None:
        roles: dict[str, list[Any]] = defaultdict(list)
        keys: dict[str, list[Any]] = defaultdict(list)
        for resource in self.resources:
            try:
                net = model(resource, "net")
            except Exception as error:  # noqa: BLE001 - fail closed: an unreadable resource is reported
                self._errors.append(Path((resource,), f"{resource.label} could not be read for the stack's joins "
                                         f"({type(error).__name__}: {error}); it is reported rather than passed."))
                continue
            if net is None:
                continue
            if net.role:
                roles[net.role].append((resource, net))
            for key in own_keys(resource, net.ids):
                keys[key].append((resource, net))
        self._roles, self._keys = roles, keys

    def role(self, name: str) -> list[Any]:
        """(resource, net) pairs of every resource playing `name`."""
        if self._roles is None:
            self._index()
        return self._roles.get(name, [])  # type: ignore[union-attr]

    def find(self, keys: Iterable[str], role: str = "") -> list[Any]:
        """(resource, net) pairs known by any of `keys` (optionally of one role), each once."""
        if self._keys is None:
            self._index()
        seen, out = set(), []
        for key in keys:
            for resource, net in self._keys.get(key, ()):  # type: ignore[union-attr]
                if id(resource) not in seen and (not role or net.role == role):
                    seen.add(id(resource))
                    out.append((resource, net))
        return out

    def linked(self, resource: Resource, net: Any, relation: str) -> tuple[Any, ...]:
        """The join keys a resource's link points at (computed on first use for `Later` links)."""
        found = net.links.get(relation, ())
        if isinstance(found, Later):
            found = net.links[relation] = keys_of(resource, found.value, found.prop)
        return tuple(found)

    def paths(self, settings: Any) -> list[Path]:
        """Every join's paths, computed once for all the stack rules that read them."""
        found = self._paths.get(id(settings))
        if found is None:
            if self._roles is None:
                self._index()
            found = list(self._errors)
            for name, fn in JOINS.items():
                _tried(found, name, fn, self, settings)
            for name, late in LATE_JOINS.items():
                _tried(found, name, late, self, settings, list(found))
            self._paths[id(settings)] = found
        return found


def _tried(found: list[Path], name: str, fn: Callable[..., Iterable[Path]], *args: Any) -> None:
    """Run one join into `found`; fail closed: a join that trips is reported."""
    try:
        found.extend(fn(*args))
    except Exception as error:  # noqa: BLE001 - reported rather than passed
        found.append(Path((), f"the {name} join could not read this stack "
                              f"({type(error).__name__}: {error}); it is reported rather than passed."))


def span_of(ports: Iterable[int]) -> Span:
    ordered = tuple(sorted(set(ports)))
    return Span(ordered[0], ordered[-1], only=ordered) if ordered else Span(1, 0)
