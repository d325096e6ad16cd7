"""Where a resource carries a Kafka log configuration: the files an EC2 machine's boot script writes,
a ConfigMap's data, a Strimzi `Kafka`'s inline loggers. Read into one model (`kafka-logging`) the
KAFKA-LOG rule judges; a resource without any log configuration gives no model.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..logconfig import LoggerLevel, is_log_config, levels, levels_in, looks_like_kafka
from ..model import Resource
from ..values import UNKNOWN, get, is_unknown, known, mapping


@dataclass(frozen=True)
class LogSource:
    where: str                       # the property path the configuration was read from
    levels: tuple[LoggerLevel, ...]
    kafka: bool                      # the configuration is Kafka's (so its root logger is Kafka's too)


@dataclass(frozen=True)
class KafkaLogging:
    sources: tuple[LogSource, ...]
    unknown: tuple[str, ...] = ()    # paths whose value is not known yet


def from_text(where: str, text: Any) -> Optional[LogSource]:
    if not isinstance(text, str) or not is_log_config(text):
        return None
    return LogSource(where, tuple(levels_in(text)), looks_like_kafka(text))


def machine(plain: Optional[str]) -> Optional[KafkaLogging]:
    """The boot script's text (decoded by the caller), when it writes a log configuration."""
    source = from_text("userData", plain)
    return KafkaLogging((source,)) if source else None


def config_map(resource: Resource, props: Any) -> Optional[KafkaLogging]:
    data = known(mapping(props).get("data"))
    if is_unknown(data):
        return KafkaLogging((), ("data",))
    sources, unknown = [], []
    for key, value in sorted(mapping(data).items()):
        if is_unknown(value):
            unknown.append(f"data[{key}]")
            continue
        source = from_text(f"data[{key}]", value)
        if source:
            sources.append(source)
    return KafkaLogging(tuple(sources), tuple(unknown)) if sources or unknown else None


def strimzi(resource: Resource, props: Any) -> Optional[KafkaLogging]:
    """`spec.kafka.logging` of type inline: its `loggers` map (an external ConfigMap is judged as one)."""
    logging = get(props, "spec", "kafka", "logging")
    if logging is UNKNOWN:
        return KafkaLogging((), ("spec.kafka.logging",))
    loggers = get(logging, "loggers")
    if loggers is UNKNOWN:
        return KafkaLogging((), ("spec.kafka.logging.loggers",))
    if not isinstance(loggers, dict) or not loggers:
        return None
    entries = {str(k): str(v) for k, v in loggers.items() if not is_unknown(v)}
    unknown = tuple(f"spec.kafka.logging.loggers[{k}]" for k, v in loggers.items() if is_unknown(v))
    found = levels({**entries, **{f"log4j.logger.{k}": v for k, v in entries.items()
                                  if k not in ("kafka.root.logger.level", "root.logger.level")}})
    return KafkaLogging((LogSource("spec.kafka.logging.loggers", tuple(found), True),), unknown)
