"""What a rule is and what it reports; nothing here knows Pulumi or checkov."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

MANDATORY = "mandatory"
ADVISORY = "advisory"


@dataclass(frozen=True)
class Finding:
    """One problem on one resource. `unknown` marks a verdict blocked by preview-time unknowns."""

    rule_id: str
    resource: str
    message: str
    remediation: str
    level: str = MANDATORY
    path: str = ""
    ports: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    unknown: bool = False

    def text(self) -> str:
        return f"[{self.rule_id}] {self.resource}: {self.message}\nFix: {self.remediation}"


@dataclass(frozen=True)
class Resource:
    """A resource as the engine sees it, whatever front end delivered it."""

    type: str
    props: Mapping[str, Any]
    name: str = ""
    urn: str = ""
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.urn or self.name or self.type


Check = Callable[[Resource, Any], list]


@dataclass(frozen=True)
class Rule:
    """A policy: an id, a kebab-case name, a one-line title, a level, the fix, and a check."""

    id: str
    name: str
    title: str
    level: str
    remediation: str
    types: frozenset
    check: Check
    stack: bool = False
