"""Security alarms on a platform's broker logs: CloudWatch Logs metric filters for failed logins,
authorization denials and access changes, an alarm on each, and an SNS topic under the customer key.

The filter patterns match the lines Kafka writes (the forms `secure-kafka investigate` reads, taken from
the real 3.9.2 and 4.4.0 servers); the engine's `kafka_guardrails.cwlogs.matches` evaluates them as
CloudWatch Logs does: the tests apply these patterns to the real lines, and KAFKA-LOG-002 asks the same of
any stack's filters.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from ..model.alarms import EVENTS, SecurityAlarmsArgs, SecurityEvent, validate_alarm_args
from ..model.problems import Problems

__all__ = ["EVENTS", "NAMESPACE", "SecurityAlarms", "SecurityAlarmsArgs", "SecurityEvent", "validate_alarm_args"]

NAMESPACE = "SecureKafka"  # each platform's metrics under SecureKafka/<name>, so clusters never mix


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
