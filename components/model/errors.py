"""The two kinds of bad input: a component setting (`ConfigError`, raised before any resource is
registered) and a tool's input (`UsageError`: a file, a stack, a flag; one line, exit code 2)."""


class ConfigError(ValueError):
    """Names the setting, the bad value and what is allowed."""

    def __init__(self, setting: str, value: object, allowed: str) -> None:
        self.setting, self.value, self.allowed = setting, value, allowed
        super().__init__(f"{setting}={value!r} is not allowed: {allowed}")


class UsageError(Exception):
    """Bad input to a command (a file, a stack, a flag): said in one line, exit code 2."""
