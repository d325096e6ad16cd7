"""Checks of known values every component's validator shares; each raises one ConfigError naming the
setting. Pure: a value that is still an Output is checked by `outputs.checked` when it resolves."""
from __future__ import annotations

import re
from typing import Callable, Mapping, Sequence

from .errors import ConfigError
from .problems import Problems

ENVIRONMENTS = ("dev", "staging", "prod")
# Client, cluster and namespace names: DNS labels, also safe inside certificate subjects and the
# broker's principal-mapping rule (no regex or .properties escapes needed).
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def check_int(value: object, setting: str, low: int, high: int, what: str = "") -> None:
    if type(value) is not int or not low <= value <= high:
        raise ConfigError(setting, value, what or f"an integer {low}-{high}")


def check_choice(value: object, setting: str, choices: Sequence[object], what: str = "one of ", note: str = "") -> None:
    """One of a fixed list; the message says `what` they are, lists them, then adds `note`."""
    if value not in choices:
        raise ConfigError(setting, value, f"{what}{', '.join(map(str, choices))}{note}")


def check_properties(values: object, where: str, key_pattern: "re.Pattern[str]", what: str, example: str,
                     typed: Mapping[str, str], field_word: str, pinned: Mapping[str, str],
                     why_pinned: Callable[[str, object], str]) -> None:
    """A mapping of Kafka config names to one-line values (broker properties, topic configs): names of the
    right shape, the typed ones left to their argument, the pinned ones only at their secure value."""
    if not isinstance(values, Mapping):
        raise ConfigError(where, values, f"a mapping of {what} names to values")
    for key, value in values.items():
        at = f"{where}[{key!r}]"
        if not isinstance(key, str) or not key_pattern.match(key):
            raise ConfigError(at, key, f"a {what} name like {example}")
        if key in typed:
            raise ConfigError(at, value, f"set it with the {typed[key]} {field_word}")
        if not isinstance(value, (str, int, bool)) or "\n" in str(value):
            raise ConfigError(at, value, "a one-line string, number or boolean")
        if key in pinned and str(value).lower() != pinned[key]:
            raise ConfigError(at, value, f"only {pinned[key]}{why_pinned(key, value)}")


def check_replication(problems: Problems, label: Callable[[str], str], broker_count: int, replication_factor: object,
                      min_insync_replicas: object, *, prod: bool = False, after: Sequence[str] = ()) -> None:
    """Replication factor 2 to the broker count (3 or more in prod when `prod`), min ISR 2 to the
    replication factor; each judged only when what it is measured against is valid (and `after` too)."""
    if problems.ok(*after, label("broker_count")):
        with problems:
            check_int(replication_factor, label("replication_factor"), 2, broker_count,
                      f"an integer from 2 to the broker count ({broker_count})")
            if prod and isinstance(replication_factor, int) and replication_factor < 3:
                raise ConfigError(label("replication_factor"), replication_factor, "3 or more in prod")
    if problems.ok(*after, label("broker_count"), label("replication_factor")):
        with problems:
            check_int(min_insync_replicas, label("min_insync_replicas"), 2, replication_factor,  # type: ignore[arg-type]
                      f"an integer from 2 to the replication factor ({replication_factor})")


def check_https_egress(cidrs: object, setting: str, environment: object, what: str) -> None:
    """Ranges nodes may reach on 443 (`what` they are for): CIDRs, and in prod never the whole internet."""
    import ipaddress

    if isinstance(cidrs, (str, bytes)) or not isinstance(cidrs, Sequence):
        raise ConfigError(setting, cidrs, f"a list of CIDRs ({what})")
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except (TypeError, ValueError):
            raise ConfigError(setting, cidr, f"a CIDR such as 10.0.0.0/16 ({what})") from None
        if cidr in ("0.0.0.0/0", "::/0") and environment == "prod":
            raise ConfigError(setting, cidr, f"{what} in prod, not the whole internet")


def check_environment(value: object, setting: str) -> None:
    check_choice(value, setting, ENVIRONMENTS)


def check_ensemble_size(value: object, environment: str, setting: str, group: str = "ensemble") -> None:
    """A ZooKeeper ensemble or KRaft controller quorum has an odd size; prod needs 3 or more so
    that one member can fail and a majority remains."""
    if type(value) is not int or value not in (1, 3, 5):
        raise ConfigError(setting, value, f"an odd {group} size: 3 or 5 (1 outside prod)")
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


# AWS identifiers another stack may hand over. Each check runs on a known value before anything is
# registered, or on an Output when it resolves (see when_known).
_AWS_IDS = {
    "vpc": (re.compile(r"^vpc-[0-9a-f]{8,17}$"), "an id like vpc-0123456789abcdef0"),
    "subnet": (re.compile(r"^subnet-[0-9a-f]{8,17}$"), "ids like subnet-0123456789abcdef0"),
    "sg": (re.compile(r"^sg-[0-9a-f]{8,17}$"), "an id like sg-0123456789abcdef0"),
    "kms": (re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$"),
            "a customer KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)"),
    "pca": (re.compile(r"^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority/[0-9a-f-]{36}$"),
            "arn:aws:acm-pca:<region>:<account>:certificate-authority/<uuid>"),
}


def _aws_id(kind: str) -> Callable[[object, str], None]:
    pattern, allowed = _AWS_IDS[kind]

    def check(value: object, setting: str) -> None:
        if not isinstance(value, str) or not pattern.match(value):
            raise ConfigError(setting, value, allowed)
    return check


check_vpc_id = _aws_id("vpc")
check_subnet_id = _aws_id("subnet")
check_security_group_id = _aws_id("sg")
check_kms_arn = _aws_id("kms")
check_pca_arn = _aws_id("pca")
