"""KafkaOnKubernetes' security stream and the alert rules shipped for it: the pods' log configuration writes
it (both log4j forms), a Loki rule ConfigMap is there by default with the thresholds given, a Fluent Bit
→ CloudWatch configuration when asked. The rules are read here the way each stack reads them
(tests/support/logstacks.py) over real Kafka lines; tests/e2e/test_kubernetes_variant.py does the same over
the lines real servers wrote with these ConfigMaps."""
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from helpers import assert_refused, assert_schema_valid
from logstacks import fluent_bit_grep, logql_count_rule

from kafka_guardrails.cwlogs import matches
from secure_kafka import KafkaOnKubernetesArgs, SecurityAlarmsArgs
from secure_kafka.kubernetes.alerts import FLUENT_BIT_FILE, LOKI_RULE_LABEL, RULES_FILE
from secure_kafka.kubernetes.component import KafkaOnKubernetes
from secure_kafka.kubernetes.manifests import alert_config_maps, config_files
from secure_kafka.model.alarms import EVENTS
from secure_kafka.render.kafka import SECURITY_STREAM_PREFIX

ROOT = Path(__file__).resolve().parents[2]
ARGS = KafkaOnKubernetesArgs(cluster="orders", storage_class="gp3-encrypted")
FIXTURES = ROOT / "tests" / "ops" / "fixtures"  # lines the real 3.9.2 and 4.4.0 servers wrote


def real_lines():
    return [line for f in sorted(FIXTURES.glob("*.log")) for line in f.read_text().splitlines() if line.strip()]


def maps(args):
    return {m["metadata"]["name"]: m for m in alert_config_maps(args)}


def test_the_pods_write_the_security_stream_in_their_releases_form():
    for args, file in ((ARGS, "log4j2.properties"),
                       (replace(ARGS, metadata_mode="zookeeper", kafka_version="3.9.2"), "log4j.properties")):
        text = config_files(args)[0][file]
        assert f"{SECURITY_STREAM_PREFIX} [%d]" in text and "stream" in text, file


def test_loki_rules_ship_by_default_with_the_thresholds_and_count_exactly_their_events():
    found = maps(ARGS)
    assert set(found) == {"kafka-security-rules"}
    rules_map = found["kafka-security-rules"]
    assert LOKI_RULE_LABEL.items() <= rules_map["metadata"]["labels"].items()
    assert_schema_valid([rules_map])
    [group] = yaml.safe_load(rules_map["data"][RULES_FILE])["groups"]
    assert [r["alert"] for r in group["rules"]] == ["KafkaAuthenticationFailures", "KafkaAuthorizationDenials",
                                                     "KafkaAccessChanges"]
    stream = [f"{SECURITY_STREAM_PREFIX} {line}" for line in real_lines()]
    noise = [line for line in real_lines()]  # the same lines without the prefix: another container's output
    for event, rule in zip(EVENTS, group["rules"]):
        passes, minutes, threshold = logql_count_rule(rule["expr"])
        assert (minutes, threshold) == (5, getattr(SecurityAlarmsArgs(), event.key))
        wanted = [line for line in stream if matches(event.pattern, line)]
        assert wanted and [line for line in stream if passes(line)] == wanted, event.key
        assert not [line for line in noise if passes(line)], event.key


def test_thresholds_follow_the_arguments_and_none_turns_the_rules_off():
    strict = SecurityAlarmsArgs(authentication_failures=2, denials=7, access_changes=1, period_minutes=15)
    [group] = yaml.safe_load(maps(replace(ARGS, alarms=strict))["kafka-security-rules"]["data"][RULES_FILE])["groups"]
    assert [logql_count_rule(r["expr"])[1:] for r in group["rules"]] == [(15, 2), (15, 7), (15, 1)]
    assert maps(replace(ARGS, alarms=None)) == {}


def test_fluent_bit_ships_exactly_the_stream_to_the_log_group_where_the_alarm_patterns_count_it():
    args = replace(ARGS, fluent_bit_log_group="/secure-kafka/orders/k8s", fluent_bit_region="eu-west-1")
    config = maps(args)["kafka-security-fluent-bit"]["data"][FLUENT_BIT_FILE]
    assert "log_group_name     /secure-kafka/orders/k8s" in config and "region             eu-west-1" in config
    assert f"_{ARGS.namespace}_kafka*.log" in config
    keep = fluent_bit_grep(config)
    lines = real_lines()
    stream = [f"{SECURITY_STREAM_PREFIX} {line}" for line in lines]
    assert [line for line in stream + lines if keep(line)] == stream
    for event in EVENTS:  # what arrives in CloudWatch is counted as the files would be
        assert sum(matches(event.pattern, line) for line in stream) == sum(matches(event.pattern, line) for line in lines)


def test_the_component_registers_the_rule_config_map(monitor):
    from secure_kafka.gate.k8syaml import kubernetes_manifests
    from secure_kafka.gate.mockrun import record

    run = record(lambda: KafkaOnKubernetes("orders", ARGS))
    names = {m["metadata"]["name"] for m in kubernetes_manifests(run.resources) if m["kind"] == "ConfigMap"}
    assert "kafka-security-rules" in names


@pytest.mark.parametrize("change, setting, fragment", [
    ({"fluent_bit_log_group": "/secure-kafka/orders"}, "fluent_bit_region", "both"),
    ({"fluent_bit_region": "eu-west-1"}, "fluent_bit_log_group", "both"),
    ({"fluent_bit_log_group": "bad group name", "fluent_bit_region": "eu-west-1"}, "fluent_bit_log_group",
     "a CloudWatch Logs group name"),
    ({"fluent_bit_log_group": "/g", "fluent_bit_region": "Ireland"}, "fluent_bit_region", "an AWS region"),
    ({"alarms": SecurityAlarmsArgs(emails=["oncall@example.com"])}, "alarms.emails", "Alertmanager"),
    ({"alarms": SecurityAlarmsArgs(denials=0)}, "alarms.denials", "an integer"),
])
def test_bad_alert_settings_are_refused_before_anything_is_registered(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: KafkaOnKubernetes("orders", replace(ARGS, **change)), setting, fragment)
