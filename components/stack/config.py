"""Typed, validated stack settings. Every error names the key, the value and what is allowed.

Stack files use camelCase keys (`secure-kafka:msk: {brokerCount: 3}`); they map one to one onto
the component's typed arguments. Every key of the `secure-kafka` namespace is read — an unknown one,
at the top or inside a block, is refused with the allowed ones — and every value is held to the type
of the argument it sets before the component's own validator checks its meaning, so a bad value
fails the same way from a stack file and from another program, and nothing is registered.
"""
from __future__ import annotations

import dataclasses
import json
import typing
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Optional, Union

from ..aws.msk import KAFKA_VERSIONS, MskClusterArgs, validate_msk_args
from ..aws.msk_topics import MskTopic
from ..aws.security_groups import ClientAccess, validate_vpc_cidr
from ..aws.self_managed import SelfManagedKafkaArgs, validate_kafka_args
from ..kubernetes.args import KafkaOnKubernetesArgs
from ..kubernetes.validation import validate_k8s_args
from ..model import configtypes
from ..model.access import TopicGrant
from ..model.checks import check_environment
from ..model.errors import ConfigError
from ..model.naming import camel, snake
from ..model.renames import SINCE, UNTIL, deprecated_names

NS = "secure-kafka"
# Filled from the top-level keys, not from the platform block.
SHARED = ("vpc_id", "vpc_cidr", "clients", "environment", "cluster")
SCALARS = ("environment", "platform", "clusterName", "vpcId", "vpcCidr")


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
TOP_LEVEL = (*SCALARS, "clients", *(p.key for p in PLATFORMS.values()))
# The accepted values of string settings, offered when YAML turned one into a number (3.9 for "3.9.x").
CHOICES: dict[tuple[type, str], tuple[str, ...]] = {(MskClusterArgs, "kafka_version"): KAFKA_VERSIONS,
                                                    (MskClusterArgs, "current_kafka_version"): KAFKA_VERSIONS}
# Fields that hold a list of typed blocks.
LISTS_OF = {"access": TopicGrant, "topics": MskTopic}


@dataclass(frozen=True)
class PlatformConfig:
    environment: str
    platform: str
    cluster_name: str
    args: Any  # MskClusterArgs, SelfManagedKafkaArgs or KafkaOnKubernetesArgs, by platform
    deprecations: tuple[str, ...] = ()  # old keys the stack file still uses, one line each


def _clients(raw: Any) -> tuple[ClientAccess, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{NS}:clients", raw, "a list of {name, cidr | securityGroupId}")
    out = []
    for index, item in enumerate(raw):
        where = f"{NS}:clients[{index}]"
        if not isinstance(item, Mapping):
            raise ConfigError(where, item, "an object with name and cidr or securityGroupId")
        extra = set(item) - {"name", "cidr", "securityGroupId"}
        if extra:
            raise ConfigError(f"{where}.{sorted(extra)[0]}", item[sorted(extra)[0]],
                              "a known setting: cidr, name, securityGroupId")
        for key in item:
            configtypes.check(item[key], str, f"{where}.{key}")
        out.append(ClientAccess(str(item.get("name", "")), item.get("cidr"), item.get("securityGroupId")))
    return tuple(out)


def typed_block(cls: type, raw: Any, prefix: str, shared: Mapping[str, Any],
                renamed_keys: Optional[dict[str, str]] = None) -> Any:
    """Build dataclass `cls` from a camelCase block: unknown keys are named with the allowed ones,
    every value is held to its field's type. A key of 0.2.0 is read as its new name and recorded in
    `renamed_keys` ({new key: the key written})."""
    renamed_keys = {} if renamed_keys is None else renamed_keys
    if not isinstance(raw, Mapping):
        raise ConfigError(prefix, raw, "a mapping of settings (key: value lines), not "
                          + ("a list" if isinstance(raw, list) else type(raw).__name__))
    fields = {f.name: f for f in dataclasses.fields(cls)}
    names = {n: f for n, f in fields.items() if n not in shared}
    types = configtypes.hints(cls)
    values: dict[str, Any] = {k: v for k, v in shared.items() if k in fields}
    old_names = deprecated_names(cls)
    for key, value in raw.items():
        name = snake(str(key))
        if name in old_names and camel(name) == key:  # a 0.2.0 key: read as its new name, with a warning
            new = old_names[name]
            if camel(new) in raw:
                raise ConfigError(f"{prefix}.{key}", value, f"{camel(new)} alone ({key} is its old name, "
                                  f"deprecated since {SINCE})")
            renamed_keys[f"{prefix}.{camel(new)}"] = f"{prefix}.{key}"
            name = new
        elif name not in names or camel(name) != key:
            allowed = ", ".join(sorted(camel(n) for n in names))
            raise ConfigError(f"{prefix}.{key}", value, f"a known setting: {allowed}")
        default = names[name].default
        where = f"{prefix}.{key}"
        optional = _optional_block(types[name])
        if dataclasses.is_dataclass(default):  # a nested block such as quota: {producerByteRate: ...}
            value = typed_block(type(default), value, where, {})
        elif optional is not None and isinstance(value, Mapping):  # a block that is off by default (oauth)
            value = typed_block(optional, value, where, {})
        elif name in LISTS_OF:
            if not isinstance(value, list):
                raise ConfigError(where, value, "a list of objects")
            value = tuple(typed_block(LISTS_OF[name], item, f"{where}[{i}]", {}) for i, item in enumerate(value))
        else:
            value = configtypes.check(value, types[name], where, CHOICES.get((cls, name), ()))
        values[name] = value
    missing = [camel(n) for n, f in names.items() if n not in values
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{prefix}.{missing[0]}", None, "a value (this setting has no default)")
    return cls(**values)


def _optional_block(annotation: Any) -> Optional[type]:
    """X of an `Optional[X]` field whose X is a dataclass (a block of settings that is off by default)."""
    if typing.get_origin(annotation) is not Union:
        return None
    options = [o for o in typing.get_args(annotation) if o is not type(None)]
    if len(options) == 1 and isinstance(options[0], type) and dataclasses.is_dataclass(options[0]):
        return options[0]
    return None


def _label(prefix: str, written: Mapping[str, str]) -> Callable[[str], str]:
    """Component argument name -> the stack-file key a user has to fix (as written, old name or new)."""
    def label(name: str) -> str:
        if name in ("name", "cluster"):
            return f"{NS}:clusterName"
        key = f"{NS}:{camel(name)}" if name in SHARED else f"{prefix}.{camel(name)}"
        return written.get(key, key)
    return label


def parse(values: Mapping[str, Any]) -> PlatformConfig:
    """Build the typed config from the namespace's values (blocks already decoded)."""
    unknown = sorted(set(values) - set(TOP_LEVEL))
    if unknown:
        raise ConfigError(f"{NS}:{unknown[0]}", values[unknown[0]],
                          f"a known setting: {', '.join(f'{NS}:{k}' for k in sorted(TOP_LEVEL))}")
    for key in SCALARS:
        if key in values:
            configtypes.check(values[key], str, f"{NS}:{key}")
    env = values.get("environment")
    check_environment(env, f"{NS}:environment")
    platform = values.get("platform", "msk")
    if platform not in PLATFORMS:
        raise ConfigError(f"{NS}:platform", platform, f"one of {', '.join(PLATFORMS)}")
    spec = PLATFORMS[platform]
    for other in PLATFORMS.values():
        if other.key != spec.key and other.key in values:
            raise ConfigError(f"{NS}:{other.key}", values[other.key],
                              f"only the {NS}:{spec.key} block: {NS}:platform is {platform}")
    for key in ("vpcId", "vpcCidr", "clients") if spec.aws else ():
        if key not in values:
            raise ConfigError(f"{NS}:{key}", None, f"a value: the {platform} platform needs it")
    if not spec.aws:
        for key in ("vpcId", "vpcCidr", "clients"):
            if key in values:
                raise ConfigError(f"{NS}:{key}", values[key], "nothing on the kubernetes platform "
                                  "(clients are NetworkPolicy grants: kubernetes.access)")
    name = str(values.get("clusterName", f"kafka-{env}"))
    shared: dict[str, Any] = {"environment": env, "cluster": name}
    if spec.aws:
        validate_vpc_cidr(values["vpcCidr"], f"{NS}:vpcCidr")
        shared.update(vpc_id=values["vpcId"], vpc_cidr=values["vpcCidr"], clients=_clients(values["clients"]))
    prefix = f"{NS}:{spec.key}"
    written: dict[str, str] = {}
    with warnings.catch_warnings():  # the stack file's old keys are reported once, as stack-file keys
        warnings.simplefilter("ignore", DeprecationWarning)
        args = typed_block(spec.args, values.get(spec.key, {}), prefix, shared, written)
    spec.validate(name, args, _label(prefix, written))
    notes = tuple(f"{old} is deprecated since {SINCE}: write {new} (the old key goes in {UNTIL})"
                  for new, old in sorted(written.items()))
    return PlatformConfig(str(env), platform, name, args, notes)


def namespace_values(namespace: str = NS) -> dict[str, str]:
    """Every key of a config namespace as the CLI hands it to the program (strings, JSON for
    structured values): the explicitly set config and the CLI's PULUMI_CONFIG bag."""
    from pulumi.runtime import config as runtime

    keys = set(runtime.CONFIG.get()) | set(runtime.get_config_env())
    prefix = f"{namespace}:"
    out = {}
    for key in sorted(keys):
        if key.startswith(prefix):
            value = runtime.get_config(key)
            if value is not None:
                out[key[len(prefix):]] = value
    return out


# Namespaces this program reads besides its own: the providers it uses and the engine's.
PROVIDER_NAMESPACES = ("aws", "command", "kubernetes", "pulumi", "random", "tls")


def check_namespaces(keys: Iterable[str]) -> None:
    """A key in a namespace nobody reads (`secure_kafka:vpcId`, `secure-kafak:msk`) would be ignored
    in silence and the default used instead: refuse it, naming the key this program would read."""
    for key in sorted(keys):
        namespace, sep, name = key.partition(":")
        if sep and namespace != NS and namespace not in PROVIDER_NAMESPACES:
            raise ConfigError(key, None, f"a key of this program's namespace ({NS}:{name}) or of a provider it "
                              f"uses ({', '.join(PROVIDER_NAMESPACES)}); {namespace!r} is read by nothing")


def load(config: Optional[Mapping[str, str]] = None) -> PlatformConfig:
    """The stack's settings, from `config` (namespace key -> string) or the running program's config."""
    if config is None:
        from pulumi.runtime import config as runtime
        check_namespaces(set(runtime.CONFIG.get()) | set(runtime.get_config_env()))
    raw = dict(config) if config is not None else namespace_values(NS)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("clients", *(p.key for p in PLATFORMS.values())):
            try:
                values[key] = json.loads(value) if isinstance(value, str) else value
            except json.JSONDecodeError:
                raise ConfigError(f"{NS}:{key}", value, "a YAML list or mapping (not a quoted string)") from None
        else:
            values[key] = value
    settings = parse(values)
    if settings.deprecations:
        import pulumi  # a diagnostic of `pulumi up`/`preview`; printed as "warning: ..." outside the engine

        for note in settings.deprecations:
            pulumi.log.warn(note)
    return settings
