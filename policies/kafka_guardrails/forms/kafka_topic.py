"""Kafka topics declared as code: Amazon MSK's topic resource and the Kafka provider's (Pulumi and
Terraform), read into one model the topic-durability rule judges.

MSK carries the topic configs as a JSON string, the Kafka provider as a map; either may be absent
(the cluster's defaults then decide) or not known yet.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..model import Resource
from ..registry import form
from ..values import MISSING, UNKNOWN, as_int, get, known


@dataclass(slots=True)
class Topic:
    replication: Any   # an int, UNKNOWN, MISSING, or None when not a whole number
    configs: Any       # {name: text}, UNKNOWN, or None when they cannot be read
    error: str = ""


def _configs(value: Any) -> tuple[Any, str]:
    value = known(value)
    if value is MISSING or value is None:
        return {}, ""
    if value is UNKNOWN:
        return UNKNOWN, ""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError as error:
            return None, f"the configs are not JSON ({error})"
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):  # Terraform's block list
        value = value[0]
    if not isinstance(value, dict):
        return None, f"the configs are a {type(value).__name__}, not a mapping"
    return {str(k): UNKNOWN if known(v) is UNKNOWN else str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in value.items()}, ""


def topic(resource: Resource, props: Any) -> Topic:
    raw = get(props, "replicationFactor")
    replication = raw if raw in (MISSING, UNKNOWN) else as_int(raw)
    configs, error = _configs(get(props, "configs") if get(props, "configs") is not MISSING else get(props, "config"))
    return Topic(replication, configs, error)


form(key="kafka.topic", family="Kafka topics",
     summary="replication factor, min.insync.replicas and unclean leader election of a declared topic "
             "(KAFKA-TOPIC-001)",
     pulumi=("aws:msk/topic:Topic", "kafka:index/topic:Topic"), terraform=("aws_msk_topic", "kafka_topic"),
     models={"kafka-topic": topic}, maps=frozenset({"config"}),
     fix="Give the topic replication factor 3 (2 at least) and min.insync.replicas 2, below the replication factor.")
