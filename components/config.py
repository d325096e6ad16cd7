"""Typed, validated stack settings. Every error names the key, the value and what is allowed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pulumi

from .errors import ConfigError
from .network import ClientAccess, validate_clients, validate_ports

ENVIRONMENTS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class PlatformConfig:
    environment: str
    vpc_id: str
    vpc_cidr: str
    listener_ports: tuple[int, ...]
    clients: tuple[ClientAccess, ...]


def _clients(raw: Any) -> tuple[ClientAccess, ...]:
    if not isinstance(raw, list):
        raise ConfigError("secure-kafka:clients", raw, "a list of {name, cidr | securityGroupId}")
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ConfigError(f"secure-kafka:clients[{index}]", item, "an object with name and cidr or securityGroupId")
        extra = set(item) - {"name", "cidr", "securityGroupId"}
        if extra:
            raise ConfigError(f"secure-kafka:clients[{index}]", sorted(extra), "only the keys name, cidr, securityGroupId")
        out.append(ClientAccess(item.get("name"), item.get("cidr"), item.get("securityGroupId")))
    return tuple(out)


def parse(values: Mapping[str, Any]) -> PlatformConfig:
    """Build the typed config from plain values (already JSON-decoded)."""
    env = values.get("environment")
    if env not in ENVIRONMENTS:
        raise ConfigError("secure-kafka:environment", env, f"one of {', '.join(ENVIRONMENTS)}")
    for key in ("vpcId", "vpcCidr"):
        if not isinstance(values.get(key), str) or not values.get(key):
            raise ConfigError(f"secure-kafka:{key}", values.get(key), "a non-empty string")
    ports = values.get("listenerPorts", [9094])
    if not isinstance(ports, Sequence) or isinstance(ports, str):
        raise ConfigError("secure-kafka:listenerPorts", ports, "a list of TCP ports")
    validate_ports(list(ports), "secure-kafka:listenerPorts")
    if 9092 in ports:
        raise ConfigError("secure-kafka:listenerPorts", list(ports), "TLS listener ports only; 9092 is Kafka's plaintext port")
    clients = _clients(values.get("clients"))
    validate_clients(clients, list(ports), "secure-kafka:clients")
    return PlatformConfig(env, values["vpcId"], values["vpcCidr"], tuple(ports), clients)


def load(config: pulumi.Config | None = None) -> PlatformConfig:
    config = config or pulumi.Config("secure-kafka")
    keys = ("environment", "vpcId", "vpcCidr")
    values: dict[str, Any] = {k: config.get(k) for k in keys}
    for key in ("listenerPorts", "clients"):
        try:
            value = config.get_object(key)
        except Exception:  # noqa: BLE001 - config that is not JSON
            raise ConfigError(f"secure-kafka:{key}", config.get(key), "valid YAML/JSON") from None
        if value is not None:
            values[key] = value
    return parse(values)
