"""Which Kafka loggers a log configuration turns up to DEBUG: log4j 1 (`log4j.logger.x=DEBUG, A`,
`log4j.rootLogger`), log4j 2 properties (`logger.id.name` + `logger.id.level`, `rootLogger.level`,
`rootLogger = DEBUG, A`) and Strimzi's inline loggers (`kafka.root.logger.level`).

Kafka's security and network loggers at DEBUG or below write SASL exchanges (CVE-2026-33558: SCRAM
messages in 3.9.1's DEBUG output), so their level — or an ancestor's that they inherit — is what the
KAFKA-LOG rule judges. The authorizer logger is not among them: its DEBUG lines are the audit trail of
allowed requests.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

# Loggers whose DEBUG output can carry credentials or authentication exchanges.
SECURITY_LOGGERS = ("org.apache.kafka.common.security", "org.apache.kafka.common.network", "kafka.network",
                    "kafka.request.logger", "org.apache.kafka.clients.NetworkClient")
LOUD = ("DEBUG", "TRACE", "ALL")
ROOT = "root"
_STRIMZI_ROOT = ("kafka.root.logger.level", "root.logger.level")


@dataclass(frozen=True)
class LoggerLevel:
    logger: str     # a logger name, or "root"
    level: str      # upper case
    where: str      # the key it was read from


def _first(value: str) -> str:
    return value.split(",")[0].strip().upper()


def _pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        for sep in ("=", ":"):
            if sep in line:
                key, _, value = line.partition(sep)
                out[key.strip()] = value.strip()
                break
    return out


def levels(entries: Mapping[str, object]) -> list[LoggerLevel]:
    """Every logger a set of log4j 1/2 (or Strimzi) key-value pairs gives a level."""
    out = []
    for key, value in entries.items():
        if not isinstance(value, str):
            continue
        if key in ("log4j.rootLogger", "rootLogger", "rootLogger.level", *_STRIMZI_ROOT):
            out.append(LoggerLevel(ROOT, _first(value), key))
        elif key.startswith("log4j.logger."):
            out.append(LoggerLevel(key[len("log4j.logger."):], _first(value), key))
        elif key.startswith("logger.") and key.endswith(".level"):
            ident = key[len("logger."):-len(".level")]
            out.append(LoggerLevel(str(entries.get(f"logger.{ident}.name", ident)), _first(value), key))
    return out


def levels_in(text: str) -> list[LoggerLevel]:
    return levels(_pairs(text))


def covers(logger: str) -> bool:
    """The logger is a security logger, one of their ancestors (whose level they inherit) or below one."""
    if logger == ROOT:
        return True
    return any(s == logger or s.startswith(logger + ".") or logger.startswith(s + ".") for s in SECURITY_LOGGERS)


def loud_security(found: Iterable[LoggerLevel], kafka_config: bool = True) -> list[LoggerLevel]:
    """The entries that put a security logger at DEBUG or below. The root logger counts only in a
    configuration that is Kafka's (`kafka_config`): another program's root logger is not ours to judge."""
    return [f for f in found if f.level in LOUD and covers(f.logger) and (f.logger != ROOT or kafka_config)]


def looks_like_kafka(text: str) -> bool:
    return "kafka" in text.lower()


def is_log_config(text: str) -> bool:
    return any(mark in text for mark in ("log4j.", "rootLogger", "logger.", "appender."))
