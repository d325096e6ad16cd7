"""Engine settings, read from the policy pack's config with errors that name the key."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional

# Kafka listeners (plaintext, controller, TLS, SASL/SCRAM, IAM; MSK public 91xx) and
# ZooKeeper (client, TLS client, quorum, election).
DEFAULT_PORTS: tuple[int, ...] = (
    2181, 2182, 2888, 3888, 9092, 9093, 9094, 9096, 9098, 9194, 9196, 9198,
)


class SettingsError(ValueError):
    """Raised for configuration the pack must refuse; the message names the key."""


@dataclass(frozen=True)
class Settings:
    ports: tuple[int, ...] = DEFAULT_PORTS
    ipv4_public_prefix: int = 16
    ipv6_public_prefix: int = 48
    preview: bool = False
    harmless: tuple[str, ...] = ()   # type-name globs the user declares harmless (coverage)
    today: Optional[datetime.date] = None  # the day versions are judged on (None: the clock's)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ports", tuple(sorted(set(self.ports))))

    def with_preview(self, preview: bool) -> "Settings":
        return replace(self, preview=preview)


KNOWN_KEYS = {"ports", "extraPorts", "ipv4PublicPrefix", "ipv6PublicPrefix", "harmlessTypes", "versionsAsOf"}


def _prefix(config: Mapping[str, Any], key: str, default: int, top: int) -> int:
    value = config.get(key, default)
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int or not 0 <= value <= top:
        raise SettingsError(f"{key}={value!r} is not allowed: use a prefix length from 0 to {top}")
    return value


def _port_list(config: Mapping[str, Any], key: str) -> tuple[int, ...]:
    value = config.get(key, [])
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"{key}={value!r} is not allowed: use a list of TCP ports 1-65535")
    out: list[int] = []
    for item in value:
        if type(item) is float and item.is_integer():
            item = int(item)
        if type(item) is not int or not 1 <= item <= 65535:
            raise SettingsError(f"{key} entry {item!r} is not allowed: use TCP ports 1-65535")
        out.append(item)
    return tuple(out)


def _type_list(config: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = config.get(key, [])
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SettingsError(f"{key}={value!r} is not allowed: use a list of type names or globs, "
                            "e.g. [\"aws:sqs/*\", \"aws_sqs_queue\"]")
    return tuple(v.strip() for v in value)


def _day(config: Mapping[str, Any], key: str) -> Optional[datetime.date]:
    value = config.get(key)
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise SettingsError(f"{key}={value!r} is not allowed: use a date as YYYY-MM-DD") from None


def from_config(config: Mapping[str, Any] | None, preview: bool = False) -> Settings:
    """`ports` replaces the default list; `extraPorts` adds to it."""
    config = dict(config or {})
    unknown = sorted(set(config) - KNOWN_KEYS - {"enforcementLevel"})
    if unknown:
        raise SettingsError(f"unknown setting(s) {', '.join(unknown)}: allowed are "
                            f"{', '.join(sorted(KNOWN_KEYS))}")
    ports = _port_list(config, "ports") if "ports" in config else DEFAULT_PORTS
    if "ports" in config and not ports:
        raise SettingsError("ports=[] is not allowed: list at least one TCP port")
    ports = tuple(sorted(set(ports) | set(_port_list(config, "extraPorts"))))
    return Settings(
        ports=ports,
        ipv4_public_prefix=_prefix(config, "ipv4PublicPrefix", 16, 32),
        ipv6_public_prefix=_prefix(config, "ipv6PublicPrefix", 48, 128),
        preview=preview,
        harmless=_type_list(config, "harmlessTypes"),
        today=_day(config, "versionsAsOf"),
    )
