"""One error type for bad input, raised before any resource is registered."""


class ConfigError(ValueError):
    """Names the setting, the bad value and what is allowed."""

    def __init__(self, setting: str, value: object, allowed: str) -> None:
        self.setting, self.value, self.allowed = setting, value, allowed
        super().__init__(f"{setting}={value!r} is not allowed: {allowed}")
