"""Stack-file values checked against the typed arguments they fill, before any validator runs.

A stack file is YAML, so the values that reach a program are what YAML made of them: `"true"`
is a string, `3.10` is the number 3.1, `[a]` is a list. Each value is held to the annotation of
the argument it sets, and a mismatch is one ConfigError naming the key, the value and what is
allowed — with the YAML spelling that would have been right.
"""
from __future__ import annotations

import dataclasses
import typing
from typing import Any, Mapping, Sequence, Union

import pulumi

from .errors import ConfigError
from .problems import Problems


def _describe(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return "true or false (unquoted)"
    if annotation is int:
        return "a whole number (unquoted)"
    if annotation is float:
        return "a number (unquoted)"
    if annotation is str:
        return "a string"
    if origin is Union:
        options = [a for a in typing.get_args(annotation) if a is not type(None) and not _is_output(a)]
        return " or ".join(_describe(a) for a in options) if options else "a value"
    if origin in (list, tuple, Sequence, typing.get_origin(Sequence[int])):
        inner = typing.get_args(annotation)
        return f"a list of {_describe(inner[0]) if inner else 'values'}".replace("a list of a ", "a list of ")
    if origin in (dict, Mapping, typing.get_origin(Mapping[str, int])):
        return "a mapping"
    if dataclasses.is_dataclass(annotation):
        return "a mapping of settings"
    return "a value"


def _is_output(annotation: Any) -> bool:
    origin = typing.get_origin(annotation) or annotation
    return origin in (pulumi.Output, pulumi.Input) or getattr(origin, "__name__", "") in ("Output", "Awaitable")


def _hint(value: Any, annotation: Any, choices: Sequence[str] = ()) -> str:
    """What the YAML author most likely meant."""
    if annotation is str and isinstance(value, (int, float)) and not isinstance(value, bool) and choices:
        near = [c for c in choices if c == str(value) or c.startswith(f"{value}.")] or list(choices)
        quoted = [f'"{c}"' for c in near]
        more = f" (or {', '.join(quoted[1:])})" if len(near) > 1 else ""
        return (f"; YAML read an unquoted {value!r} as a number (3.10 becomes 3.1): quote one of the "
                f"accepted values, e.g. {quoted[0]}{more}")
    if annotation is bool and isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
        return f"; write {'true' if value.lower() in ('true', 'yes') else 'false'} without quotes"
    if annotation is int and isinstance(value, str) and value.strip().isdigit():
        return f"; write {value.strip()} without quotes"
    if annotation is int and isinstance(value, str):
        return "; a size or rate is a number of bytes (10485760, not 10MB)"
    if annotation is str and isinstance(value, float):
        return f"; YAML read an unquoted {value!r} as a number (3.10 becomes 3.1): quote it, e.g. \"{value}\""
    if annotation is str and isinstance(value, (int, bool)):
        return "; quote it"
    return ""


def check(value: Any, annotation: Any, key: str, choices: Sequence[str] = ()) -> Any:
    """`value` if it fits `annotation`, else one ConfigError for `key`."""
    if annotation is Any or annotation is object:
        return value
    origin = typing.get_origin(annotation)
    if origin is Union:
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None) or _is_output(option):
                continue
            try:
                return check(value, option, key)
            except ConfigError as error:
                errors.append(error)
        if len(errors) == 1:
            raise errors[0]
        raise ConfigError(key, value, _describe(annotation))
    if _is_output(annotation):
        return value
    if annotation is bool:
        if type(value) is not bool:
            raise ConfigError(key, value, _describe(bool) + _hint(value, bool))
        return value
    if annotation is int:
        if type(value) is not int:
            raise ConfigError(key, value, _describe(int) + _hint(value, int))
        return value
    if annotation is float:
        if type(value) not in (int, float):
            raise ConfigError(key, value, _describe(float))
        return value
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(key, value, _describe(str) + _hint(value, str, choices))
        return value
    if origin in (list, tuple) or origin is typing.get_origin(Sequence[int]):
        if not isinstance(value, list):
            raise ConfigError(key, value, _describe(annotation))
        args = typing.get_args(annotation)
        inner = args[0] if args else Any
        return tuple(check(item, inner, f"{key}[{index}]") for index, item in enumerate(value))
    if origin in (dict,) or origin is typing.get_origin(Mapping[str, int]):
        if not isinstance(value, dict):
            raise ConfigError(key, value, _describe(annotation))
        args = typing.get_args(annotation)
        inner = args[1] if len(args) == 2 else Any
        return {str(k): check(v, inner, f"{key}.{k}") for k, v in value.items()}
    return value


def hints(cls: type) -> dict[str, Any]:
    """The resolved annotations of a dataclass's fields (each base in its own module, with the names
    that only type checkers import supplied)."""
    from .pki import BringYourOwnCa
    return typing.get_type_hints(cls, localns={"pulumi": pulumi, "Output": pulumi.Output, "T": Any,
                                               "BringYourOwnCa": BringYourOwnCa})


def _known(value: Any) -> bool:
    """A value a program passed directly (not an Output or awaitable, which are checked when they resolve)."""
    return not isinstance(value, pulumi.Output) and not hasattr(value, "__await__")


def check_types(args: Any, label: Any) -> None:
    """Every known scalar argument of a component's Args against its annotation, before any meaning
    is judged: `broker_count="3"` from Python is refused as "not a whole number", the way a stack
    file's quoted number is, instead of failing later as an odd range."""
    types = hints(type(args))
    problems = Problems()  # every mistyped argument at once; the meaning is judged only once all fit
    for field in dataclasses.fields(args):
        value = getattr(args, field.name)
        annotation = types.get(field.name, Any)
        plain = [a for a in (typing.get_args(annotation) if typing.get_origin(annotation) is Union else (annotation,))
                 if a is not type(None) and not _is_output(a)]
        if value is None or not _known(value) or plain not in ([int], [bool], [float]):
            continue
        expected = plain[0]
        fits = type(value) is expected or (expected is float and type(value) is int)
        if not fits:
            what = {int: "a whole number", bool: "true or false", float: "a number"}[expected]
            suggestion = _python_hint(value, expected)
            with problems:
                raise ConfigError(label(field.name), value,
                                  f"{what}: {value!r} is a {type(value).__name__}, not {what}{suggestion}")
    problems.raise_all()


def _python_hint(value: Any, expected: type) -> str:
    if expected is int and isinstance(value, str) and value.strip().isdigit():
        return f" (pass {value.strip()} without quotes)"
    if expected is int and isinstance(value, float) and value.is_integer():
        return f" (pass {int(value)})"
    if expected is bool and isinstance(value, str) and value.lower() in ("true", "false"):
        return f" (pass {value.lower() == 'true'})"
    return ""
