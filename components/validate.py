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


# EC2 families suited to Kafka and ZooKeeper (general purpose, memory and storage optimised, burstable
# for small non-prod nodes) and their sizes: a misspelled type is refused before anything is created.
EC2_FAMILIES = ("c5", "c6a", "c6g", "c6i", "c7a", "c7g", "c7i", "d3", "d3en", "i3", "i3en", "i4g", "i4i", "im4gn",
                "is4gen", "m5", "m5a", "m6a", "m6g", "m6i", "m7a", "m7g", "m7i", "m8g", "r5", "r6a", "r6g", "r6i",
                "r7a", "r7g", "r7i", "r8g", "t3", "t3a", "t4g")
EC2_SIZES = ("medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge",
             "32xlarge", "48xlarge", "metal")


def check_instance_type(value: object, setting: str) -> None:
    family, _, size = str(value).partition(".") if isinstance(value, str) else ("", "", "")
    if family not in EC2_FAMILIES or size not in EC2_SIZES:
        raise ConfigError(setting, value, f"an EC2 type <family>.<size>, family one of {', '.join(EC2_FAMILIES)}; "
                                          f"size one of {', '.join(EC2_SIZES)}")
