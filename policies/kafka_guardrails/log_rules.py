"""Kafka log configurations (KAFKA-LOG-001): no security or network logger at DEBUG or below.

Those loggers write SASL exchanges at DEBUG (CVE-2026-33558 put SCRAM messages in 3.9.1's): a log
file, a CloudWatch group or a pod's stdout would then hold what a client authenticates with. The
level a logger inherits counts too, so a root logger or `org.apache.kafka` at DEBUG in a Kafka
configuration is reported as well.
"""
from __future__ import annotations

from .forms.kafka_logging import KafkaLogging
from .logconfig import loud_security
from .model import MANDATORY, Resource
from .rules import Issue, rule
from .settings import Settings


@rule("KAFKA-LOG-001", "kafka-security-loggers-quiet",
      "Kafka's security and network loggers stay above DEBUG (DEBUG output carries SASL exchanges)", MANDATORY,
      "Set the logger (and the root logger of a Kafka configuration) to INFO or above; to debug authentication, "
      "do it on a test cluster with throwaway credentials.", model="kafka-logging")
def quiet(resource: Resource, logging: KafkaLogging, settings: Settings) -> list[Issue]:
    out = [Issue(f"{where} is not known yet, so its log configuration cannot be judged.", path=where, unknown=True)
           for where in logging.unknown]
    for source in logging.sources:
        for found in loud_security(source.levels, source.kafka):
            whom = "the root logger, which every Kafka logger inherits," if found.logger == "root" else \
                f"logger {found.logger}"
            out.append(Issue(f"{source.where}: {found.where} puts {whom} at {found.level}: Kafka's security and "
                             "network loggers then write SASL exchanges (credentials) to the log.",
                             path=f"{source.where}[{found.where}]"))
    return out
