"""KAFKA-TOPIC-001: a declared topic keeps acknowledged writes — in-process for MSK's and the Kafka
provider's topic shapes, over the Analyzer protocol, and by the real checkov on a Terraform plan."""
import json
from pathlib import Path

import pytest

from checkov_forms import _plan_entry, run_checkov, write_plan
from kafka_guardrails import ADVISORY, Resource, judge_resource
from secure_kafka.gate import PolicyPack

PACK = Path(__file__).resolve().parents[2] / "policies"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # Pulumi's unknown-value sentinel

# (name, replication factor, configs, what the finding must say or None when durable)
TOPICS = [
    ("durable", 3, {"min.insync.replicas": "2"}, None),
    ("durable-rf2", 2, {"min.insync.replicas": "2", "retention.ms": "86400000"}, None),
    ("single-copy", 1, {"min.insync.replicas": "2"}, "replication factor 1"),
    ("one-ack", 3, {"min.insync.replicas": "1"}, "min.insync.replicas=1"),
    ("unwritable", 2, {"min.insync.replicas": "3"}, "above the replication factor 2"),
    ("cluster-decides", 3, {}, "not set on the topic"),
    ("unclean", 3, {"min.insync.replicas": "2", "unclean.leader.election.enable": "true"}, "out-of-sync replica"),
]


def msk_props(rf, configs):
    return {"clusterArn": "arn:aws:kafka:eu-west-1:123456789012:cluster/c/1", "name": "t", "partitionCount": 6,
            "replicationFactor": rf, "configs": json.dumps(configs)}


def provider_props(rf, configs):
    return {"name": "t", "partitions": 6, "replicationFactor": rf, "config": configs}


@pytest.mark.parametrize("token,shape", [("aws:msk/topic:Topic", msk_props), ("kafka:index/topic:Topic", provider_props)])
@pytest.mark.parametrize("name,rf,configs,says", TOPICS, ids=[t[0] for t in TOPICS])
def test_in_process(token, shape, name, rf, configs, says):
    findings = judge_resource(Resource(token, shape(rf, configs), name=name))
    if says is None:
        assert findings == []
    else:
        assert [f.rule_id for f in findings] == ["KAFKA-TOPIC-001"] and says in findings[0].message, findings
        assert findings[0].level == ADVISORY


def test_unreadable_and_unknown_values_are_reported_not_passed():
    [bad] = judge_resource(Resource("aws:msk/topic:Topic", {**msk_props(3, {}), "configs": "{not json"}))
    assert "cannot be read" in bad.message and not bad.unknown
    [odd] = judge_resource(Resource("kafka:index/topic:Topic", provider_props("three", {"min.insync.replicas": "2"})))
    assert "not a whole number" in odd.message
    unknown = judge_resource(Resource("aws:msk/topic:Topic", {**msk_props(UNKNOWN, {}), "configs": UNKNOWN}))
    assert [f.unknown for f in unknown] == [True, True]


@pytest.mark.pack
def test_over_the_analyzer_protocol():
    with PolicyPack(PACK, preview=False) as pack:
        pack.configure({})
        for name, rf, configs, says in TOPICS:
            found = pack.analyze("aws:msk/topic:Topic", msk_props(rf, configs), name=name)
            assert [(d.policy, d.level) for d in found] == \
                ([] if says is None else [("kafka-topic-durability", "advisory")]), name
            assert says is None or says in found[0].message


@pytest.mark.checkov
def test_real_checkov_on_a_terraform_plan(tmp_path):
    entries = [_plan_entry("aws_msk_topic", f"msk_{name.replace('-', '_')}",
                           {"cluster_arn": "arn:aws:kafka:eu-west-1:1:cluster/c/1", "name": name, "partition_count": 6,
                            "replication_factor": rf, "configs": json.dumps(configs)})
               for name, rf, configs, _ in TOPICS]
    entries += [_plan_entry("kafka_topic", f"kafka_{name.replace('-', '_')}",
                            {"name": name, "partitions": 6, "replication_factor": rf, "config": configs})
                for name, rf, configs, _ in TOPICS]
    write_plan(tmp_path / "plan" / "plan.json", entries)
    results = run_checkov(tmp_path / "plan", "terraform_plan", check_ids=("CKV_KAFKA_TOPIC_001",))
    assert len(results) == 2 * len(TOPICS)
    for name, _, _, says in TOPICS:
        verdict = "PASSED" if says is None else "FAILED"
        assert results[("plan.json", f"aws_msk_topic.msk_{name.replace('-', '_')}")] == verdict, name
        assert results[("plan.json", f"kafka_topic.kafka_{name.replace('-', '_')}")] == verdict, name
