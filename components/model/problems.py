"""One validation pass that reports every bad setting at once, in the order the validator checks them.

A validator wraps each independent check in `with problems:`; a failing check is recorded and the next
one runs. A check that only makes sense when earlier settings are good (a replication factor against
the broker count) runs under `if problems.ok(...)`, so one mistake never drags in a second, invented
one. `raise_all` then raises nothing, the one ConfigError, or a ConfigErrors listing them all.
"""
from __future__ import annotations

from types import TracebackType
from typing import Optional, Sequence

from .errors import ConfigError


class ConfigErrors(ConfigError):
    """Several settings are wrong. Its own setting/value/allowed are the first one's, so a caller that
    handles one ConfigError still names a real setting; `errors` holds them all, in check order."""

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(first.setting, first.value, first.allowed)
        self.args = (f"{len(self.errors)} settings are not allowed:\n"
                     + "\n".join(f"  - {error}" for error in self.errors),)

    def __str__(self) -> str:
        return str(self.args[0])


class Problems:
    """The ConfigErrors of one validation pass (a context manager that swallows each one it sees), at
most one per setting."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []

    def __enter__(self) -> "Problems":
        return self

    def __exit__(self, kind: Optional[type[BaseException]], error: Optional[BaseException],
                 trace: Optional[TracebackType]) -> bool:
        if not isinstance(error, ConfigError):
            return False
        for one in error.errors if isinstance(error, ConfigErrors) else (error,):
            # one error per setting: the first check that refused it says why (a quorum's node group
            # repeats checks the brokers already made)
            if one.setting not in {e.setting for e in self.errors}:
                self.errors.append(one)
        return True

    def ok(self, *settings: str) -> bool:
        """No error so far on any of these settings (or on a part of one: `access[0].client`)."""
        return not any(e.setting == s or e.setting.startswith((f"{s}.", f"{s}[")) for e in self.errors
                       for s in settings)

    def raise_all(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ConfigErrors(self.errors)
