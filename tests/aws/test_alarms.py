"""Security alarms on the platforms' broker logs: the graph MskCluster registers (filters, alarms, the
topic under the customer key), the filter patterns applied to the lines the real 3.9.2 and 4.4.0 brokers
wrote (tests/ops/fixtures; tests/e2e reads the live servers'), thresholds from the stack file, bad input."""
import json
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import ZK_MODE, assert_refused, by_type

from secure_kafka import ClientAccess, MskCluster, MskClusterArgs, SelfManagedKafka, SelfManagedKafkaArgs
from kafka_guardrails.cwlogs import matches
from secure_kafka.aws.alarms import EVENTS, SecurityAlarmsArgs
from secure_kafka.gate.mockrun import record
from secure_kafka.ops.trail.lines import DENIED, FAILED, Event, parse
from secure_kafka.stack.config import parse as parse_stack

FIXTURES = Path(__file__).resolve().parents[1] / "ops" / "fixtures"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
ARGS = MskClusterArgs(vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16", subnet_ids=SUBNETS,
                      clients=[ClientAccess("orders", cidr="10.0.32.0/20")])


def expected(event, line):
    """What each alarm should count, decided by the investigate parser (regexes, not the patterns)."""
    parsed = parse(line)
    if not isinstance(parsed, Event):
        return False
    return {"authentication_failures": parsed.result == FAILED,
            "denials": parsed.result == DENIED,
            "access_changes": parsed.changes_access}[event.key]


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.log")), ids=lambda p: p.name)
def test_each_pattern_matches_exactly_its_events_in_the_real_lines(fixture):
    lines = fixture.read_text().splitlines()
    for event in EVENTS:
        hits = [line for line in lines if matches(event.pattern, line)]
        assert hits and hits == [line for line in lines if expected(event, line)], event.key


def test_the_pattern_semantics_are_cloudwatchs():
    assert matches('"is Denied"', "x is Denied y") and not matches('"is Denied"', "x is denied y")  # case-sensitive
    assert matches('?"a b" ?"c"', "zz c") and not matches('?"a b" ?"c"', "a  b")
    assert matches('"a" "b"', "b then a") and not matches('"a" "b"', "a only")


def test_msk_registers_filters_alarms_and_an_encrypted_topic_by_default():
    run = record(lambda: MskCluster("orders", replace(ARGS, alarms=SecurityAlarmsArgs(
        denials=50, emails=("oncall@example.com",)))), preview=False)
    types = by_type(run.resources)
    [group] = types["aws:cloudwatch/logGroup:LogGroup"]
    filters = types["aws:cloudwatch/logMetricFilter:LogMetricFilter"]
    assert sorted(f.properties["pattern"] for f in filters) == sorted(e.pattern for e in EVENTS)
    assert {f.properties["logGroupName"] for f in filters} == {group.properties["name"]}
    namespaces = {f.properties["metricTransformation"]["namespace"] for f in filters}
    assert namespaces == {"SecureKafka/orders-security"}
    alarms = {a.properties["metricName"]: a.properties for a in types["aws:cloudwatch/metricAlarm:MetricAlarm"]}
    assert {m: a["threshold"] for m, a in alarms.items()} == {
        "AuthenticationFailures": 5, "AuthorizationDenials": 50, "AccessChanges": 1}
    assert all(a["namespace"] == "SecureKafka/orders-security" and a["period"] == 300 for a in alarms.values())
    [topic] = types["aws:sns/topic:Topic"]
    [key] = types["aws:kms/key:Key"]
    # the topic is under the cluster's customer key, the one its log group uses
    assert topic.properties["kmsMasterKeyId"] == group.properties["kmsKeyId"]
    assert topic.properties["kmsMasterKeyId"].startswith("arn:aws:kms:")
    [actions] = {tuple(a["alarmActions"]) for a in alarms.values()}
    assert len(actions) == 1 and actions[0].startswith("arn:aws:sns:") and "alarms" in actions[0]
    [subscription] = types["aws:sns/topicSubscription:TopicSubscription"]
    assert subscription.properties["endpoint"] == "oncall@example.com"
    policy = json.loads(key.properties["policy"])
    [publish] = [s for s in policy["Statement"] if s["Sid"] == "CloudWatchAlarmsPublishToEncryptedTopics"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(publish["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_alarms_off_is_explicit_and_leaves_no_key_grant():
    types = by_type(record(lambda: MskCluster("quiet", replace(ARGS, alarms=None)), preview=False).resources)
    assert "aws:cloudwatch/metricAlarm:MetricAlarm" not in types and "aws:sns/topic:Topic" not in types
    policy = json.loads(types["aws:kms/key:Key"][0].properties["policy"])
    assert not [s for s in policy["Statement"] if s["Sid"] == "CloudWatchAlarmsPublishToEncryptedTopics"]


def test_thresholds_come_from_the_stack_file():
    config = parse_stack({"environment": "prod", "platform": "msk", "vpcId": ARGS.vpc_id, "vpcCidr": ARGS.vpc_cidr,
                          "clients": [{"name": "orders", "cidr": "10.0.32.0/20"}],
                          "msk": {"subnetIds": SUBNETS, "alarms": {"denials": 10, "periodMinutes": 15,
                                                                   "emails": ["oncall@example.com"]}}})
    assert config.args.alarms == SecurityAlarmsArgs(denials=10, period_minutes=15, emails=("oncall@example.com",))


@pytest.mark.parametrize("change,setting,fragment", [
    (SecurityAlarmsArgs(denials=0), "alarms.denials", "1-100000"),
    (SecurityAlarmsArgs(period_minutes=7), "alarms.period_minutes", "1, 5, 10, 15, 30 or 60"),
    (SecurityAlarmsArgs(emails=("not-an-address",)), "alarms.emails", "e-mail addresses"),
    (SecurityAlarmsArgs(emails="oncall@example.com"), "alarms.emails", "e-mail addresses"),
])
def test_bad_thresholds_are_refused_before_any_resource(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: MskCluster("kafka", replace(ARGS, alarms=change)), setting, fragment)


@pytest.mark.parametrize("mode,quorum_group", [({"metadata_mode": "kraft"}, "/secure-kafka/orders/controller"),
                                               (ZK_MODE, "/secure-kafka/orders/zookeeper")], ids=["kraft", "zookeeper"])
def test_self_managed_alarms_watch_the_brokers_and_the_quorum(mode, quorum_group):
    """In KRaft the controllers authorize (and log) ACL and SCRAM changes: their log group is watched too."""
    args = SelfManagedKafkaArgs(cluster="orders", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                                subnet_ids=SUBNETS, clients=[ClientAccess("orders", cidr="10.0.32.0/20")], **mode)
    types = by_type(record(lambda: SelfManagedKafka("orders", args), preview=False).resources)
    groups = {g.properties["name"] for g in types["aws:cloudwatch/logGroup:LogGroup"]}
    assert {"/secure-kafka/orders/kafka", quorum_group} <= groups
    filters = types["aws:cloudwatch/logMetricFilter:LogMetricFilter"]
    assert sorted((f.properties["logGroupName"], f.properties["pattern"]) for f in filters) == sorted(
        (g, e.pattern) for g in ("/secure-kafka/orders/kafka", quorum_group) for e in EVENTS)
    alarms = types["aws:cloudwatch/metricAlarm:MetricAlarm"]
    assert sorted(a.properties["metricName"] for a in alarms) == sorted(e.metric for e in EVENTS)
    [topic] = types["aws:sns/topic:Topic"]
    assert topic.properties["kmsMasterKeyId"].startswith("arn:aws:kms:")
    off = by_type(record(lambda: SelfManagedKafka("orders", replace(args, alarms=None)), preview=False).resources)
    assert "aws:cloudwatch/metricAlarm:MetricAlarm" not in off


def test_the_pack_reports_a_platform_whose_alarms_are_off():
    from kafka_guardrails import Resource, judge_stack

    def said(args):
        run = record(lambda: MskCluster("orders", args), preview=False)
        stack = [Resource(r.type, r.properties, name=r.name) for r in run.resources]
        return [f.message for f in judge_stack(stack) if f.rule_id == "KAFKA-LOG-002"]

    assert said(ARGS) == []
    [off] = said(replace(ARGS, alarms=None))
    assert "/aws/msk/orders/broker" in off and "failed logins or authorization denials" in off
