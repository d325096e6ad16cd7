"""Checks every component's validator shares; each raises one ConfigError naming the setting."""
from __future__ import annotations

import re

from .errors import ConfigError

ENVIRONMENTS = ("dev", "staging", "prod")
# Client, cluster and namespace names: DNS labels, also safe inside certificate subjects and the
# broker's principal-mapping rule (no regex or .properties escapes needed).
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def check_int(value: object, setting: str, low: int, high: int, what: str = "") -> None:
    if type(value) is not int or not low <= value <= high:
        raise ConfigError(setting, value, what or f"an integer {low}-{high}")


def check_environment(value: object, setting: str) -> None:
    if value not in ENVIRONMENTS:
        raise ConfigError(setting, value, f"one of {', '.join(ENVIRONMENTS)}")


def check_ensemble_size(value: object, environment: str, setting: str) -> None:
    """A ZooKeeper ensemble has an odd size; prod needs 3 or more so that one member can fail."""
    if type(value) is not int or value not in (1, 3, 5):
        raise ConfigError(setting, value, "an odd ensemble size: 3 or 5 (1 outside prod)")
    if environment == "prod" and value < 3:
        raise ConfigError(setting, value, "at least 3 nodes in prod, so one can fail")
