"""CloudWatch Logs metric filters (which log group, which pattern), for KAFKA-LOG-002: does a Kafka
platform's log group have filters that count its security events."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Resource
from ..registry import form
from ..values import UNKNOWN, as_text, get


@dataclass(frozen=True)
class LogFilter:
    group: Any     # the log group's name, UNKNOWN, or None when absent
    pattern: Any   # the filter pattern, UNKNOWN, or None


def metric_filter(resource: Resource, props: Any) -> LogFilter:
    group = get(props, "logGroupName")
    pattern = get(props, "pattern") if get(props, "pattern") is not UNKNOWN else UNKNOWN
    if pattern is not UNKNOWN and as_text(pattern) is None:
        pattern = get(props, "filterPattern")
    return LogFilter(UNKNOWN if group is UNKNOWN else as_text(group),
                     UNKNOWN if pattern is UNKNOWN else as_text(pattern))


form(key="aws.log-metric-filter", family="Amazon CloudWatch",
     summary="metric filters: the log group and pattern, joined with the Kafka platforms whose logs they count "
             "(KAFKA-LOG-002)",
     pulumi=("aws:cloudwatch/logMetricFilter:LogMetricFilter", "aws-native:logs:MetricFilter"),
     terraform=("aws_cloudwatch_log_metric_filter",), cloudformation=("AWS::Logs::MetricFilter",),
     models={"log-filter": metric_filter}, fix="Count the platform's failed logins and denials (secure-kafka's "
     "components add them: alarms=SecurityAlarmsArgs()).")
