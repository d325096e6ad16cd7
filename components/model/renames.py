"""One argument vocabulary across platforms (`broker_count`, `zookeeper_count`, `controller_count`, ...),
and the old names of 0.2.0 kept for one release: passing or reading one warns with the new name.

Stack files follow the same names in camelCase; `stack.config` accepts the old keys the same way.
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Mapping, TypeVar

from .errors import ConfigError

C = TypeVar("C", bound=type)
SINCE, UNTIL = "0.3.0", "0.4.0"


def deprecated_names(cls: type) -> Mapping[str, str]:
    """{old argument name: new name} of an Args class; empty when nothing was renamed."""
    return getattr(cls, "__renamed__", {})


def renamed(**old_to_new: str) -> Callable[[C], C]:
    """Let a dataclass accept (and answer to) the old names of renamed fields, with a DeprecationWarning.

    Giving both the old and the new name is a ConfigError: which one was meant cannot be guessed."""
    def decorate(cls: C) -> C:
        init: Callable[..., None] = vars(cls)["__init__"]  # the dataclass's own

        @functools.wraps(init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise ConfigError(old, kwargs[old], f"{new} alone ({old} is its old name, deprecated since {SINCE})")
                warnings.warn(f"{cls.__name__}({old}=...) is deprecated since {SINCE}: use {new}= "
                              f"({old} goes in {UNTIL})", DeprecationWarning, stacklevel=2)
                kwargs[new] = kwargs.pop(old)
            init(self, *args, **kwargs)

        cls.__init__ = __init__  # type: ignore[misc]
        for old, new in old_to_new.items():
            setattr(cls, old, property(functools.partial(_read_old, cls.__name__, old, new),
                                       doc=f"Deprecated since {SINCE}: the old name of `{new}`."))
        cls.__renamed__ = {**deprecated_names(cls), **old_to_new}  # type: ignore[attr-defined]
        return cls
    return decorate


def _read_old(owner: str, old: str, new: str, self: Any) -> Any:
    warnings.warn(f"{owner}.{old} is deprecated since {SINCE}: read {new} ({old} goes in {UNTIL})",
                  DeprecationWarning, stacklevel=3)
    return getattr(self, new)
