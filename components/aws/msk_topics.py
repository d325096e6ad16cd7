"""Topics as code on MSK (`aws.msk.Topic`): each declared with its partitions, replication factor and
min ISR, held to the same durability guards as the cluster's defaults before anything is registered.

A topic that leaves replication or min ISR unset takes the cluster's (`replication_factor`,
`min_insync_replicas`); min ISR is always written into the topic's configs, so what the pack reads
on the resource is what the brokers enforce, whatever the cluster default becomes later.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence, Union

from ..model.checks import check_int, check_properties, check_replication
from ..model.errors import ConfigError
from ..model.problems import Problems

# Kafka's own rule for topic names (kafka.common.internals.Topic): 1-249 of these, not "." or "..".
_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
_CONFIG_KEY = re.compile(r"^[a-z][a-z0-9.]*$")
# Set by typed fields, or never weakened on a topic of ours.
TYPED_CONFIGS = {"min.insync.replicas": "min_insync_replicas"}
PINNED_CONFIGS = {"unclean.leader.election.enable": "false"}
MAX_PARTITIONS = 10000


@dataclass(frozen=True)
class MskTopic:
    """A topic on the cluster.

    Attributes:
        name: Kafka's topic name rule (letters, digits, '.', '_', '-'; up to 249).
        partitions: 1 to 10000.
        replication_factor / min_insync_replicas: the cluster's defaults when unset; 2 <= min ISR <= RF.
        config: further topic configs (`retention.ms: "604800000"`); min ISR has its field, and unclean
            leader election stays off.
    """

    name: str
    partitions: int = 6
    replication_factor: Optional[int] = None
    min_insync_replicas: Optional[int] = None
    config: Mapping[str, Union[str, int, bool]] = field(default_factory=dict)


def durability(topic: MskTopic, replication_factor: int, min_insync_replicas: int) -> tuple[int, int]:
    """The topic's replication factor and min ISR, the cluster's where the topic leaves them unset."""
    rf = replication_factor if topic.replication_factor is None else topic.replication_factor
    return rf, min_insync_replicas if topic.min_insync_replicas is None else topic.min_insync_replicas


def validate_topics(problems: Problems, topics: object, setting: str, broker_count: int, replication_factor: int,
                    min_insync_replicas: int) -> None:
    """Every topic's name, partitions, durability (check_replication, as for the cluster) and configs."""
    if isinstance(topics, (str, bytes)) or not isinstance(topics, Sequence):
        with problems:
            raise ConfigError(setting, topics, "a list of MskTopic")
        return
    seen: set[str] = set()
    for index, topic in enumerate(topics):
        where = f"{setting}[{index}]"
        if not isinstance(topic, MskTopic):
            with problems:
                raise ConfigError(where, topic, "an MskTopic(name, partitions, ...)")
            continue
        with problems:
            if not isinstance(topic.name, str) or not _TOPIC_NAME.match(topic.name) or topic.name in (".", ".."):
                raise ConfigError(f"{where}.name", topic.name, "1-249 letters, digits, '.', '_' or '-' (Kafka's rule)")
            if topic.name in seen:
                raise ConfigError(f"{where}.name", topic.name, "a name no other topic in the list has")
            seen.add(topic.name)
        with problems:
            check_int(topic.partitions, f"{where}.partitions", 1, MAX_PARTITIONS)
        rf, min_isr = durability(topic, replication_factor, min_insync_replicas)
        check_replication(problems, _under(where), broker_count, rf, min_isr)
        with problems:
            _check_config(topic.config, f"{where}.config")


def _under(where: str) -> Callable[[str], str]:
    def label(name: str) -> str:
        return f"{where}.{name}"
    return label


def _check_config(config: object, where: str) -> None:
    check_properties(config, where, _CONFIG_KEY, "topic config", "retention.ms", TYPED_CONFIGS, "field", PINNED_CONFIGS,
                     lambda key, value: ": an out-of-sync replica must never lead")


def topic_configs(topic: MskTopic, min_insync_replicas: int) -> str:
    """The `configs` JSON of aws.msk.Topic: the caller's configs, min ISR written out, values as strings."""
    values = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in topic.config.items()}
    return json.dumps({**values, "min.insync.replicas": str(min_insync_replicas)}, sort_keys=True)
