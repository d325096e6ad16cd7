"""What the engine judges and what it reports; nothing here knows Pulumi or checkov."""
from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Optional, Sequence

MANDATORY = "mandatory"
ADVISORY = "advisory"


class Finding(NamedTuple):
    """One problem. `resource` anchors it (where a tool shows it); `resources` names every
    resource it joins, so no consumer parses the message. `unknown` marks a verdict that
    preview-time unknowns block. (An immutable record: a NamedTuple is the cheapest to build.)"""

    rule_id: str
    policy: str
    level: str
    resource: str
    message: str
    remediation: str
    resources: tuple[str, ...] = ()
    path: str = ""
    ports: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    unknown: bool = False

    def text(self) -> str:
        joined = f"\nResources: {', '.join(self.resources)}" if len(self.resources) > 1 else ""
        return f"[{self.rule_id}] {self.resource}: {self.message}{joined}\nFix: {self.remediation}"


_NO_DEPENDENCIES: Mapping[str, Sequence[str]] = {}  # shared, never written


class Resource:
    """A resource as a front end delivered it: its type name in its own dialect and its
    properties in that dialect's spelling. The canonical view and each model extracted from
    it are computed once: the canonical view is kept, the models live as long as one judgement needs
them (all the rules that read a model share one extraction) or, in a stack, as long as the stack."""

    __slots__ = ("type", "props", "name", "urn", "property_dependencies", "location", "custom", "secrets",
                 "_form", "_canonical", "_models", "_keep")

    def __init__(self, type: str, props: Any, name: str = "", urn: str = "",
                 property_dependencies: Optional[Mapping[str, Sequence[str]]] = None,
                 location: str = "", custom: bool = True) -> None:
        self.type = type
        self.props = props
        self.name = name
        self.urn = urn
        self.property_dependencies = property_dependencies or _NO_DEPENDENCIES
        self.location = location  # file:line where a file front end read it
        self.custom = custom      # False for a component resource (it holds no cloud object itself)
        self.secrets: tuple[str, ...] = ()  # secret values read in plain text: reports never print them
        self._form: Any = None
        self._canonical: Any = None
        self._models: Optional[dict[str, Any]] = None
        self._keep = False  # a stack keeps extracted models for its joins; a lone judgement drops them

    @property
    def label(self) -> str:
        return self.urn or self.name or self.type

    def __repr__(self) -> str:
        return f"Resource({self.type!r}, {self.label!r})"
