"""Kafka log configurations (KAFKA-LOG-001): no security or network logger at DEBUG or below.

Those loggers write SASL exchanges at DEBUG (CVE-2026-33558 put SCRAM messages in 3.9.1's): a log
file, a CloudWatch group or a pod's stdout would then hold what a client authenticates with. The
level a logger inherits counts too, so a root logger or `org.apache.kafka` at DEBUG in a Kafka
configuration is reported as well.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from .cwlogs import uncounted
from .dialects import model
from .forms.kafka_logging import KafkaLogging
from .logconfig import loud_security
from .model import ADVISORY, MANDATORY, Resource
from .rules import Issue, rule
from .settings import Settings
from .stack import Stack
from .values import MISSING, UNKNOWN, is_unknown


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


_ALARMS_FIX = ("Add CloudWatch Logs metric filters (and alarms) on the platform's broker log group for failed logins "
               "(\"Failed authentication with\") and denials (\"is Denied\") — secure-kafka's MskCluster and "
               "SelfManagedKafka add them by default (alarms=SecurityAlarmsArgs()).")


@rule("KAFKA-LOG-002", "kafka-security-alarms",
      "A Kafka platform's broker logs are counted by metric filters for failed logins and denials", ADVISORY,
      _ALARMS_FIX, model="msk", stack=True, also=("log-filter", "log-shipping"))
def alarms(stack: Stack, settings: Settings) -> list[Issue]:
    patterns: dict[str, list[str]] = defaultdict(list)
    unsure = False  # a filter whose group or pattern is not known yet could be the one that counts
    for resource in stack:
        found = model(resource, "log-filter")
        if found is None:
            continue
        if is_unknown(found.group) or is_unknown(found.pattern):
            unsure = True
        elif found.group:
            patterns[found.group].append(found.pattern or "")

    def judge(resource: Resource, groups: list[Any], what: str) -> list[Issue]:
        out = []
        for group in groups:
            if is_unknown(group):
                out.append(Issue(f"{what}: the log group is not known yet, so its alarms cannot be judged.",
                                 (resource,), unknown=True))
                continue
            missing = uncounted(patterns.get(group, []))
            if missing and unsure:
                out.append(Issue(f"{what}: a metric filter in the stack is not known yet, so the alarms on {group} "
                                 "cannot be judged.", (resource,), unknown=True))
            elif missing:
                out.append(Issue(f"{what} logs to {group}, but no metric filter there counts its "
                                 f"{' or '.join(missing)}: nobody is told when they happen.", (resource,)))
        return out

    out: list[Issue] = []
    for resource in stack:
        msk = model(resource, "msk")
        if msk is not None:
            if msk.broker_logs is False:
                out.append(Issue("the MSK cluster delivers no broker logs, so no alarm can count its failed logins "
                                 "or denials.", (resource,)))
            elif msk.log_group is MISSING or msk.log_group is None:
                if msk.broker_logs is not UNKNOWN:
                    out.append(Issue("the MSK cluster's broker logs do not go to CloudWatch Logs, where metric "
                                     "filters could count its failed logins and denials.", (resource,)))
            else:
                out += judge(resource, [UNKNOWN if is_unknown(msk.log_group) else msk.log_group], "the MSK cluster")
        shipped = model(resource, "log-shipping")
        if shipped is not None:
            if not shipped.groups:
                out.append(Issue("this Kafka machine ships no logs to CloudWatch Logs, so no alarm can count its "
                                 "failed logins or denials.", (resource,)))
            else:
                out += judge(resource, list(shipped.groups), "this Kafka machine")
    return out
