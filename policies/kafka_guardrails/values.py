"""Reading values of the canonical model: camelCase keys, plain JSON-like data.

The front ends (dialects.py) have already turned every dialect into this shape, so these
helpers never guess at spellings; they only tell known values from unknown ones and read
scalars the way providers coerce them.
"""
from __future__ import annotations

from typing import Any, Optional

# The Pulumi engine's markers for values not known during preview (pulumi-policy's proxy.py).
UNKNOWN_SENTINELS = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


UNKNOWN: Any = _Marker("unknown")  # a value the engine cannot see yet (preview)
MISSING: Any = _Marker("missing")  # a key that is not there


class Ref(str):
    """A reference to another resource of the same stack, as a join key (`tf:aws_lb.front`,
    `cfn:Front`). It is a str so messages print it; extractors tell it apart by type."""

    __slots__ = ()


class Param(str):
    """A value read from a template parameter's default (CloudFormation): judged by that default, and
    remembered as overridable at deploy time. It is a str so every reader treats it as its value."""

    parameter: str = ""
    allowed: tuple[str, ...] = ()   # AllowedValues, when the template restricts it

    @classmethod
    def of(cls, value: str, parameter: str, allowed: tuple[str, ...] = ()) -> "Param":
        made = cls(value)
        made.parameter, made.allowed = parameter, allowed
        return made


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or (type(value) is str and value in UNKNOWN_SENTINELS)


def known(value: Any) -> Any:
    """The value, with Pulumi's unknown sentinels read as UNKNOWN."""
    if type(value) is str and value in UNKNOWN_SENTINELS:
        return UNKNOWN
    return value


def get(obj: Any, *names: str) -> Any:
    """Follow nested mappings: the value, MISSING where the walk stops, UNKNOWN where it meets
    a value not known yet. Terraform's one-block lists are stepped through."""
    for name in names:
        kind = type(obj)
        if kind is dict:
            obj = obj.get(name, MISSING)
        elif kind is list and len(obj) == 1 and type(obj[0]) is dict:
            obj = obj[0].get(name, MISSING)
        elif obj is UNKNOWN or (kind is str and obj in UNKNOWN_SENTINELS):
            return UNKNOWN
        elif isinstance(obj, dict):
            obj = obj.get(name, MISSING)
        else:
            return MISSING
        if obj is None:
            return MISSING
    if type(obj) is str and obj in UNKNOWN_SENTINELS:
        return UNKNOWN
    return obj


def mapping(value: Any) -> dict[str, Any]:
    """A dict, or {} (Terraform's one-block lists are unwrapped)."""
    if type(value) is list and len(value) == 1:
        value = value[0]
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """The entries of a list-ish value (a lone scalar counts as a list of one). Entries are not
    flattened: a list where a scalar belongs stays a list, so it is reported as unreadable."""
    if value is MISSING or value is None:
        return []
    kind = type(value)
    if kind is list or kind is tuple:
        for element in value:
            if type(element) is str and element in UNKNOWN_SENTINELS:
                return [UNKNOWN if type(e) is str and e in UNKNOWN_SENTINELS else e for e in value]
        return value if kind is list else list(value)
    if kind is str and value in UNKNOWN_SENTINELS:
        return [UNKNOWN]
    return [value]


def blocks(obj: Any, name: str) -> list[tuple[str, Any]]:
    """The entries of a repeated block as (path, entry)."""
    value = get(obj, name)
    if value is MISSING:
        return []
    if value is UNKNOWN or not isinstance(value, list):
        return [(name, value)]
    return [(f"{name}[{index}]", known(entry)) for index, entry in enumerate(value)]


def as_int(value: Any) -> Any:
    """An int, UNKNOWN, or None when the value is not a whole number."""
    if type(value) is int:
        return value
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isascii() and text.lstrip("-").isdigit():
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


def as_bool(value: Any) -> Any:
    """True/False, UNKNOWN, or None when the value is not a switch."""
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "1", "on"):
            return True
        if text in ("false", "no", "0", "off", ""):
            return False
        return None
    if isinstance(value, (int, float)):
        return bool(value)
    return None


def as_text(value: Any) -> Optional[str]:
    """A stripped string, or None (unknowns and non-strings)."""
    if isinstance(value, str) and not is_unknown(value):
        return str(value).strip()
    return None
