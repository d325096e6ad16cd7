"""Java .properties text, the format of server.properties, zoo.cfg and MSK configurations."""
from __future__ import annotations

from typing import Mapping, Union

from kafka_guardrails.forms.aws_msk import parse_properties  # one parser: the engine's

__all__ = ["parse_properties", "render_properties"]

Value = Union[str, int, bool]


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_properties(values: Mapping[str, Value], header: str = "") -> str:
    """Sorted `key=value` lines so that the same settings always give the same text (no diffs)."""
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    for key in sorted(values):
        text = _text(values[key])
        if "\n" in text or "\n" in key:
            raise ValueError(f"property {key!r} must be one line")
        lines.append(f"{key}={text}")
    return "\n".join(lines) + "\n"
