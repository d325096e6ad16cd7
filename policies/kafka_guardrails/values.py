"""Reading property values that arrive in every shape the engine meets.

Pulumi sends camelCase with unknown-value sentinels, Terraform (HCL via checkov)
sends snake_case with every scalar wrapped in a one-element list, CloudFormation
sends PascalCase. These helpers hide that so a rule reads one logical field.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator, Optional

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


class _Unknown:
    """A value the engine cannot see yet (preview). A singleton, falsy-free on purpose."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, str) and value in UNKNOWN_SENTINELS)


@lru_cache(maxsize=512)
def spellings(name: str) -> tuple[str, ...]:
    """camelCase name -> (camelCase, snake_case, PascalCase)."""
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name)
    pascal = name[:1].upper() + name[1:]
    out = [name]
    for s in (snake, pascal):
        if s not in out:
            out.append(s)
    return tuple(out)


def unwrap(value: Any) -> Any:
    """Strip the one-element list wrapping checkov puts around HCL values."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def as_mapping(value: Any) -> Optional[dict]:
    value = unwrap(value)
    return value if isinstance(value, dict) else None


def field(obj: Any, name: str) -> Any:
    """The value of logical field `name` (camelCase) in any spelling, MISSING if absent."""
    if not isinstance(obj, dict):
        return MISSING
    if name in obj:  # the engine's own spelling, the common case
        return obj[name]
    for key in spellings(name):
        if key in obj:
            return obj[key]
    return MISSING


def scalar(obj: Any, name: str) -> Any:
    value = unwrap(field(obj, name))
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return UNKNOWN
    return value


def items(value: Any) -> Iterator[Any]:
    """Flatten a list-ish value (nested lists from HCL, a lone scalar) into its leaves."""
    if value is MISSING or value is None:
        return
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        yield UNKNOWN
        return
    if isinstance(value, (list, tuple)):
        for element in value:
            yield from items(element)
        return
    yield value


def entries(obj: Any, name: str) -> list[tuple[str, Any]]:
    """Blocks of a repeated field as (path, block) pairs; HCL nests them one level deeper."""
    value = field(obj, name)
    if value is MISSING or value is None:
        return []
    if is_unknown(value):
        return [(f"{name}", UNKNOWN)]
    if not isinstance(value, (list, tuple)):
        return [(f"{name}", value)]
    out: list[tuple[str, Any]] = []
    for index, block in enumerate(value):
        if isinstance(block, (list, tuple)):
            for sub, inner in enumerate(block):
                out.append((f"{name}[{index}][{sub}]", inner))
        else:
            out.append((f"{name}[{index}]", block))
    return out


def as_int(value: Any) -> Any:
    """An int, UNKNOWN, or None when the value is not a whole number."""
    value = unwrap(value)
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None


def as_bool(value: Any) -> Any:
    value = unwrap(value)
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0", ""):
            return False
    if isinstance(value, (int, float)):
        return bool(value)
    return None


def walk(obj: Any, *names: str) -> Any:
    """Follow nested blocks by logical field names: the value, MISSING where the walk stops,
    or UNKNOWN where it meets a value not known yet."""
    for name in names:
        if is_unknown(obj):
            return UNKNOWN
        obj = field(as_mapping(obj), name)
        if obj is MISSING or obj is None:
            return MISSING
    value = unwrap(obj)
    return UNKNOWN if is_unknown(value) else value
