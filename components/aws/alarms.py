"""Security alarms on a platform's broker logs: CloudWatch Logs metric filters for failed logins,
authorization denials and access changes, an alarm on each, and an SNS topic under the customer key.

The filter patterns match the lines Kafka writes (the forms `secure-kafka investigate` reads, taken from
the real 3.9.2 and 4.4.0 servers); the engine's `kafka_guardrails.cwlogs.matches` evaluates them as
CloudWatch Logs does: the tests apply these patterns to the real lines, and KAFKA-LOG-002 asks the same of
any stack's filters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from ..model.checks import check_int
from ..model.errors import ConfigError
from ..model.problems import Problems

NAMESPACE = "SecureKafka"  # each platform's metrics under SecureKafka/<name>, so clusters never mix
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class SecurityEvent:
    key: str          # the threshold's argument name
    metric: str       # the CloudWatch metric
    pattern: str      # the CloudWatch Logs filter pattern
    summary: str


EVENTS = (
    SecurityEvent("authentication_failures", "AuthenticationFailures", '"Failed authentication with"',
                  "failed SASL/TLS logins (a wrong password, a guessed user)"),
    SecurityEvent("denials", "AuthorizationDenials", '"is Denied"',
                  "requests the authorizer denied (a credential used beyond its ACLs)"),
    SecurityEvent("access_changes", "AccessChanges",
                  '?"for request = CreateAcls" ?"for request = DeleteAcls" ?"for request = AlterUserScramCredentials"',
                  "ACL and SCRAM-credential changes, allowed or denied (who changed access)"),
)


@dataclass(frozen=True)
class SecurityAlarmsArgs:
    """Thresholds per evaluation period (sums of matching lines), and who is told.

    Attributes:
        authentication_failures / denials / access_changes: alarm at this many or more per period
            (defaults 5 / 20 / 1: any access change is worth a look).
        period_minutes: 1, 5, 10, 15, 30 or 60 (default 5).
        emails: addresses subscribed to the alarm topic (each confirms by mail); none by default.
    """

    authentication_failures: int = 5
    denials: int = 20
    access_changes: int = 1
    period_minutes: int = 5
    emails: Sequence[str] = ()


def validate_alarm_args(problems: Problems, args: object, label: Callable[[str], str]) -> None:
    if not isinstance(args, SecurityAlarmsArgs):
        with problems:
            raise ConfigError(label("alarms"), args, "SecurityAlarmsArgs(...)")
        return
    for event in EVENTS:
        with problems:
            check_int(getattr(args, event.key), f"{label('alarms')}.{event.key}", 1, 100000)
    with problems:
        if args.period_minutes not in (1, 5, 10, 15, 30, 60) or type(args.period_minutes) is not int:
            raise ConfigError(f"{label('alarms')}.period_minutes", args.period_minutes, "1, 5, 10, 15, 30 or 60")
    with problems:
        emails = args.emails
        if isinstance(emails, str) or not isinstance(emails, Sequence) or \
                not all(isinstance(e, str) and _EMAIL.match(e) for e in emails) or len(set(emails)) != len(emails):
            raise ConfigError(f"{label('alarms')}.emails", emails, "a list of distinct e-mail addresses")


class SecurityAlarms(pulumi.ComponentResource):
    """Metric filters on each log group (brokers; KRaft controllers, which authorize ACL changes), one alarm
    per event over their sum, and the topic under the customer key (`secure-kafka:aws:SecurityAlarms`).

    Outputs: `topic_arn`, `alarm_names` (by event key).
    """

    def __init__(self, name: str, log_group_names: Sequence[pulumi.Input[str]], key_arn: pulumi.Input[str],
                 args: SecurityAlarmsArgs, tags: Optional[Mapping[str, str]] = None,
                 after: Sequence[pulumi.Resource] = (), opts: Optional[pulumi.ResourceOptions] = None) -> None:
        problems = Problems()
        validate_alarm_args(problems, args, lambda n: n)
        problems.raise_all()
        super().__init__("secure-kafka:aws:SecurityAlarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(tags or {})
        namespace = f"{NAMESPACE}/{name}"
        self.topic = aws.sns.Topic(f"{name}-alarms", kms_master_key_id=key_arn, tags=tags, opts=child)
        self.subscriptions = [aws.sns.TopicSubscription(f"{name}-alarms-{i}", topic=self.topic.arn, protocol="email",
                                                        endpoint=email, opts=child)
                              for i, email in enumerate(args.emails)]
        self.filters: list[aws.cloudwatch.LogMetricFilter] = []
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for event in EVENTS:
            mine = [aws.cloudwatch.LogMetricFilter(
                f"{name}-{event.key.replace('_', '-')}" + (f"-{i}" if i else ""), log_group_name=group,
                pattern=event.pattern, metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                    name=event.metric, namespace=namespace, value="1", default_value="0"),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(after)))  # the groups exist first
                for i, group in enumerate(log_group_names)]
            self.filters += mine
            self.alarms[event.key] = aws.cloudwatch.MetricAlarm(
                f"{name}-{event.key.replace('_', '-')}", alarm_description=f"{name}: {event.summary}",
                namespace=namespace, metric_name=event.metric, statistic="Sum", period=args.period_minutes * 60,
                evaluation_periods=1, threshold=getattr(args, event.key),
                comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
                alarm_actions=[self.topic.arn], ok_actions=[self.topic.arn], tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=mine))
        self.topic_arn = self.topic.arn
        self.register_outputs({"topicArn": self.topic.arn,
                               "alarmNames": {k: a.name for k, a in self.alarms.items()}})
