"""KAFKA-NET-005 (advisory): managed Kafka services on the internet — Aiven (no project VPC or public
access on, no IP filter = 0.0.0.0/0) and Confluent Cloud on public networking — in-process, over the
Analyzer protocol and by the real checkov on a Terraform plan."""
import json
from pathlib import Path

import pytest

from checkov_forms import _plan_entry, run_checkov, write_plan
from kafka_guardrails import ADVISORY, Resource, judge_resource
from secure_kafka.gate import PolicyPack

PACK = Path(__file__).resolve().parents[2] / "policies"
AIVEN = "aiven:index/kafka:Kafka"
CONFLUENT = "confluentcloud:index/kafkaCluster:KafkaCluster"
POLICY = "kafka-managed-service-public"


def aiven(**extra):
    return {"project": "shop", "serviceName": "events", "plan": "business-4", "cloudName": "aws-eu-west-1", **extra}


def confluent(**extra):
    return {"displayName": "events", "availability": "MULTI_ZONE", "cloud": "AWS", "region": "eu-west-1",
            "dedicated": {"cku": 2}, "environment": {"id": "env-1"}, **extra}


CASES = [
    ("aiven-defaults", AIVEN, aiven(), True),
    ("aiven-world-filter-in-vpc-with-public-access", AIVEN,
     aiven(projectVpcId="shop/vpc-1", kafkaUserConfig={"publicAccess": {"kafka": True},
                                                       "ipFilterObjects": [{"network": "0.0.0.0/0"}]}), True),
    ("aiven-vpc-private", AIVEN, aiven(projectVpcId="shop/vpc-1"), False),
    ("aiven-filtered-to-clients", AIVEN, aiven(kafkaUserConfig={"ipFilterObjects": [{"network": "10.20.0.0/16"}]}),
     False),
    ("confluent-public-networking", CONFLUENT, confluent(), True),
    ("confluent-private-network", CONFLUENT, confluent(network={"id": "n-abc123"}), False),
]
TF_TYPES = {AIVEN: "aiven_kafka", CONFLUENT: "confluent_kafka_cluster"}


@pytest.mark.parametrize("name,type_,props,exposed", CASES, ids=[c[0] for c in CASES])
def test_in_process(name, type_, props, exposed):
    findings = judge_resource(Resource(type_, props, name=name))
    assert [(f.policy, f.level) for f in findings] == ([(POLICY, ADVISORY)] if exposed else [])
    if exposed:
        assert "leaked credential" in findings[0].message


def test_unknown_networking_is_said():
    [finding] = judge_resource(Resource(CONFLUENT, confluent(network="04da6b54-80e4-46f7-96ec-b56ff0331ba9")))
    assert finding.unknown and "not known yet" in finding.message


@pytest.mark.pack
def test_over_the_analyzer_protocol():
    with PolicyPack(PACK, preview=False) as pack:
        pack.configure({})
        for name, type_, props, exposed in CASES:
            found = pack.analyze(type_, props, name=name)
            assert [(d.policy, d.level) for d in found] == ([(POLICY, "advisory")] if exposed else []), name


def _snake(value):
    if isinstance(value, dict):
        return {"".join("_" + c.lower() if c.isupper() else c for c in k): [_snake(v)] if isinstance(v, dict)
                else _snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake(v) for v in value]
    return value


def _plan(path):
    entries = [_plan_entry(TF_TYPES[type_], name.replace("-", "_"), _snake(props)) for name, type_, props, _ in CASES]
    write_plan(path, entries)


def test_check_on_a_terraform_plan(tmp_path, capsys):
    from secure_kafka.cli import main

    _plan(tmp_path / "plan.json")
    assert main(["check", str(tmp_path / "plan.json"), "--format", "json", "--quiet"]) == 0  # advisory only
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["resources"] == len(CASES) and report["summary"]["unjudged"] == 0
    flagged = {f["resource"] for f in report["findings"] if f["policy"] == POLICY}
    assert flagged == {f"tf:{TF_TYPES[t]}.{n.replace('-', '_')}" for n, t, _, e in CASES if e}


@pytest.mark.checkov
def test_real_checkov_on_a_terraform_plan(tmp_path):
    _plan(tmp_path / "plan.json")
    found = run_checkov(tmp_path, "terraform_plan", check_ids=("CKV_KAFKA_NET_005",))
    assert len(found) == len(CASES)
    for name, type_, _, exposed in CASES:
        assert found[("plan.json", f"{TF_TYPES[type_]}.{name.replace('-', '_')}")] == \
            ("FAILED" if exposed else "PASSED"), name
