"""The exposure table rendered for the engine and for the Analyzer protocol.

A stack case's references become what `pulumi preview` sends: the referencing value is not known
yet (Pulumi's unknown sentinel) and the resource has a property dependency on its target's URN.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from cases import STRING_UNKNOWN, Member, StackCase
from kafka_guardrails import Resource
from secure_kafka.gate import StackResource

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def steps(path: str) -> list:
    return [int(index) if index else name for name, index in _STEP.findall(path)]


def set_path(props: dict, path: str, value: Any) -> None:
    """Set `a.b[0].c` in nested props, creating what is missing."""
    parts = steps(path)
    node: Any = props
    for here, after in zip(parts, parts[1:]):
        if isinstance(here, int):
            while len(node) <= here:
                node.append({} if isinstance(after, str) else [])
            node = node[here]
        else:
            if here not in node or not isinstance(node[here], (dict, list)):
                node[here] = [] if isinstance(after, int) else {}
            node = node[here]
    last = parts[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def urn(member: Member) -> str:
    return f"urn:pulumi:dev::table::{member.type}::{member.name}"


def preview_props(member: Member) -> dict:
    props = copy.deepcopy(member.props)
    for path in member.refs:
        if not _inside_unknown(props, path):  # a reference inside a part not known yet: that part says it
            set_path(props, path, STRING_UNKNOWN)
    return props


def _inside_unknown(props: Any, path: str) -> bool:
    node = props
    for step in steps(path)[:-1]:
        if node == STRING_UNKNOWN:
            return True
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return False
    return node == STRING_UNKNOWN


def stack_resources(case: StackCase) -> list[StackResource]:
    by_name = {m.name: m for m in case.members}
    out = []
    for member in case.members:
        deps: dict[str, list[str]] = {}
        for path, target in member.refs.items():
            deps.setdefault(str(steps(path)[0]), []).append(urn(by_name[target]))
        out.append(StackResource(member.type, member.name, urn(member), preview_props(member),
                                 property_dependencies=deps))
    return out


def engine_resources(case: StackCase) -> list[Resource]:
    return [Resource(r.type, r.properties, r.name, r.urn, r.property_dependencies) for r in stack_resources(case)]


def labels(case: StackCase, names) -> set[str]:
    by_name = {m.name: m for m in case.members}
    return {urn(by_name[n]) for n in names}
