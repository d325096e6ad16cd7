"""Alert rules for the security stream of the Kafka pods, for the two common log stacks: a Loki ruler
(LogQL rules in a ConfigMap labelled for the Loki chart's rule sidecar) and Fluent Bit shipping the stream to
CloudWatch Logs (where `SecurityAlarms`' metric filters count it). A cluster has no log service we can
assume, so the pods write the security events to stdout, each line prefixed (`render.kafka`); these rules
select that prefix and the events of `model.alarms`. Pure: no Pulumi.
"""
from __future__ import annotations

import re
from typing import Any

from ..model.alarms import EVENTS, SecurityAlarmsArgs
from ..render.kafka import SECURITY_STREAM_PREFIX
from .args import KafkaOnKubernetesArgs

LOKI_RULE_LABEL = {"loki_rule": "1"}  # the Loki helm chart's sidecar loads ConfigMaps with this label
RULES_FILE = "secure-kafka-security.yaml"
FLUENT_BIT_FILE = "secure-kafka-security.conf"
_ALERT = {"authentication_failures": "KafkaAuthenticationFailures", "denials": "KafkaAuthorizationDenials",
          "access_changes": "KafkaAccessChanges"}
LOG_GROUP = re.compile(r"^[\w./#-]{1,512}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stream_selector(args: KafkaOnKubernetesArgs) -> str:
    """The pods whose output holds the stream: the namespace's Kafka brokers and controllers."""
    return f'{{namespace={_quote(args.namespace)}, container=~"kafka|kafka-controller"}}'


def loki_rules(args: KafkaOnKubernetesArgs, alarms: SecurityAlarmsArgs) -> dict[str, Any]:
    """One rule group: per event, the prefixed lines counted over the period, alerting at the threshold."""
    period = f"{alarms.period_minutes}m"
    rules = []
    for event in EVENTS:
        lines = (f"{stream_selector(args)} |= {_quote(SECURITY_STREAM_PREFIX + ' ')} "
                 f"|~ {_quote(event.regex)}")
        rules.append({
            "alert": _ALERT[event.key],
            "expr": f"sum(count_over_time({lines} [{period}])) >= {getattr(alarms, event.key)}",
            "labels": {"severity": "warning", "cluster": args.cluster, "namespace": args.namespace},
            "annotations": {"summary": f"{args.cluster}: {event.summary}",
                            "investigate": "secure-kafka investigate --help (docs/investigate.md)"},
        })
    return {"groups": [{"name": f"secure-kafka-{args.cluster}-security", "interval": "1m", "rules": rules}]}


def fluent_bit_config(args: KafkaOnKubernetesArgs, log_group: str, region: str) -> str:
    """Tail the Kafka pods' container logs, keep the prefixed lines, send them to `log_group`."""
    return "\n".join([
        "[INPUT]",
        "    Name              tail",
        "    Tag               secure-kafka.security",
        f"    Path              /var/log/containers/kafka-*_{args.namespace}_kafka*.log",
        "    multiline.parser  cri, docker",
        "    Refresh_Interval  10",
        "",
        "[FILTER]",
        "    Name   grep",
        "    Match  secure-kafka.security",
        f"    Regex  log ^{SECURITY_STREAM_PREFIX}\\s",  # a trailing blank would not survive the file
        "",
        "[OUTPUT]",
        "    Name               cloudwatch_logs",
        "    Match              secure-kafka.security",
        f"    region             {region}",
        f"    log_group_name     {log_group}",
        f"    log_stream_prefix  {args.cluster}-",
        "    log_key            log",
        "    auto_create_group  Off",
        "",
    ])
