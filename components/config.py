"""Typed, validated stack settings. Every error names the key, the value and what is allowed.

Stack files use camelCase keys (`secure-kafka:msk: {brokerCount: 3}`); they map one to one onto
the component's typed arguments, and the component's own validator checks them, so a bad
value fails the same way from a stack file and from another program.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Mapping, NamedTuple, Optional

import pulumi

from .access import TopicGrant
from .brokers import SelfManagedKafkaArgs, validate_kafka_args
from .errors import ConfigError
from .kubernetes import KafkaOnKubernetesArgs, validate_k8s_args
from .msk import MskClusterArgs, validate_msk_args
from .naming import camel, snake
from .network import ClientAccess
from .validate import check_environment

NS = "secure-kafka"
# Filled from the top-level keys, not from the platform block.
SHARED = ("vpc_id", "vpc_cidr", "clients", "environment", "cluster")


class Platform(NamedTuple):
    key: str  # the stack-config block: secure-kafka:<key>
    args: type
    validate: Callable[[str, Any, Callable[[str], str]], None]
    aws: bool = True  # needs vpcId / vpcCidr


PLATFORMS = {
    "msk": Platform("msk", MskClusterArgs, validate_msk_args),
    "self-managed": Platform("selfManaged", SelfManagedKafkaArgs,
                             lambda name, args, label: validate_kafka_args(args, label)),
    "kubernetes": Platform("kubernetes", KafkaOnKubernetesArgs,
                           lambda name, args, label: validate_k8s_args(args, label), aws=False),
}
# Fields that hold a list of typed blocks.
LISTS_OF = {"access": TopicGrant}


@dataclass(frozen=True)
class PlatformConfig:
    environment: str
    platform: str
    cluster_name: str
    args: Any  # MskClusterArgs or SelfManagedKafkaArgs, by platform


def _clients(raw: Any) -> tuple[ClientAccess, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{NS}:clients", raw, "a list of {name, cidr | securityGroupId}")
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ConfigError(f"{NS}:clients[{index}]", item, "an object with name and cidr or securityGroupId")
        extra = set(item) - {"name", "cidr", "securityGroupId"}
        if extra:
            raise ConfigError(f"{NS}:clients[{index}]", sorted(extra), "only the keys name, cidr, securityGroupId")
        out.append(ClientAccess(item.get("name"), item.get("cidr"), item.get("securityGroupId")))
    return tuple(out)


def typed_block(cls: type, raw: Any, prefix: str, shared: Mapping[str, Any]) -> Any:
    """Build dataclass `cls` from a camelCase block; unknown keys are named with the allowed ones."""
    if not isinstance(raw, Mapping):
        raise ConfigError(prefix, raw, "an object of settings")
    names = {f.name: f for f in dataclasses.fields(cls) if f.name not in shared}
    values: dict[str, Any] = {k: v for k, v in shared.items() if k in {f.name for f in dataclasses.fields(cls)}}
    for key, value in raw.items():
        name = snake(str(key))
        if name not in names or camel(name) != key:
            allowed = ", ".join(sorted(camel(n) for n in names))
            raise ConfigError(f"{prefix}.{key}", value, f"a known setting: {allowed}")
        default = names[name].default
        if dataclasses.is_dataclass(default):  # a nested block such as quota: {producerByteRate: ...}
            value = typed_block(type(default), value, f"{prefix}.{key}", {})
        elif name in LISTS_OF:
            if not isinstance(value, list):
                raise ConfigError(f"{prefix}.{key}", value, "a list of objects")
            value = [typed_block(LISTS_OF[name], item, f"{prefix}.{key}[{i}]", {}) for i, item in enumerate(value)]
        values[name] = tuple(value) if isinstance(value, list) else value
    missing = [camel(n) for n, f in names.items() if n not in values
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{prefix}.{missing[0]}", None, "a value (this setting has no default)")
    return cls(**values)


def _label(prefix: str) -> Callable[[str], str]:
    """Component argument name -> the stack-file key a user has to fix."""
    def label(name: str) -> str:
        if name in ("name", "cluster"):
            return f"{NS}:clusterName"
        return f"{NS}:{camel(name)}" if name in SHARED else f"{prefix}.{camel(name)}"
    return label


def parse(values: Mapping[str, Any]) -> PlatformConfig:
    """Build the typed config from plain values (already JSON-decoded)."""
    env = values.get("environment")
    check_environment(env, f"{NS}:environment")
    platform = values.get("platform", "msk")
    if platform not in PLATFORMS:
        raise ConfigError(f"{NS}:platform", platform, f"one of {', '.join(PLATFORMS)}")
    spec = PLATFORMS[platform]
    for key in ("vpcId", "vpcCidr") if spec.aws else ():
        if not isinstance(values.get(key), str) or not values.get(key):
            raise ConfigError(f"{NS}:{key}", values.get(key), "a non-empty string")
    name = values.get("clusterName", f"kafka-{env}")
    shared = {"environment": env, "cluster": name}
    if spec.aws:
        shared.update(vpc_id=values["vpcId"], vpc_cidr=values["vpcCidr"], clients=_clients(values.get("clients")))
    prefix = f"{NS}:{spec.key}"
    args = typed_block(spec.args, values.get(spec.key, {}), prefix, shared)
    spec.validate(name, args, _label(prefix))
    return PlatformConfig(env, platform, name, args)


def load(config: Optional[pulumi.Config] = None) -> PlatformConfig:
    config = config or pulumi.Config(NS)
    values: dict[str, Any] = {k: config.get(k) for k in ("environment", "vpcId", "vpcCidr", "platform", "clusterName")}
    values = {k: v for k, v in values.items() if v is not None}
    for key in ("clients", *(p.key for p in PLATFORMS.values())):
        try:
            value = config.get_object(key)
        except Exception:  # noqa: BLE001 - config that is not JSON
            raise ConfigError(f"{NS}:{key}", config.get(key), "valid YAML/JSON") from None
        if value is not None:
            values[key] = value
    return parse(values)
