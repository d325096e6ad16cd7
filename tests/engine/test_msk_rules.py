"""KAFKA-MSK-* hardening rules: engine, Terraform/CloudFormation spellings, and the pack."""
import base64
import copy
from pathlib import Path

import pytest

from kafka_guardrails import ADVISORY, MANDATORY, Resource, Settings, judge_resource
from secure_kafka.gate import PolicyPack

CLUSTER = "aws:msk/cluster:Cluster"
CONFIG = "aws:msk/configuration:Configuration"
PACK = Path(__file__).resolve().parents[2] / "policies"

SECURE = {
    "clusterName": "kafka", "kafkaVersion": "3.9.x", "numberOfBrokerNodes": 3,
    "brokerNodeGroupInfo": {"instanceType": "kafka.m7g.large", "clientSubnets": ["s1", "s2", "s3"],
                            "securityGroups": ["sg-1"],
                            "connectivityInfo": {"publicAccess": {"type": "DISABLED"}}},
    "encryptionInfo": {"encryptionAtRestKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/k",
                       "encryptionInTransit": {"clientBroker": "TLS", "inCluster": True}},
    "clientAuthentication": {"sasl": {"iam": True, "scram": False}, "unauthenticated": False},
    "loggingInfo": {"brokerLogs": {"cloudwatchLogs": {"enabled": True, "logGroup": "lg"}}},
}


def variant(**changes):
    props = copy.deepcopy(SECURE)
    for dotted, value in changes.items():
        node = props
        *parents, leaf = dotted.split("__")
        for name in parents:
            node = node.setdefault(name, {})
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return props


MSK_CASES = [
    ("public-access", variant(brokerNodeGroupInfo__connectivityInfo__publicAccess__type="SERVICE_PROVIDED_EIPS"), "KAFKA-MSK-001"),
    ("plaintext-clients", variant(encryptionInfo__encryptionInTransit__clientBroker="PLAINTEXT"), "KAFKA-MSK-002"),
    ("tls-plaintext-clients", variant(encryptionInfo__encryptionInTransit__clientBroker="TLS_PLAINTEXT"), "KAFKA-MSK-002"),
    ("in-cluster-off", variant(encryptionInfo__encryptionInTransit__inCluster=False), "KAFKA-MSK-002"),
    ("unauthenticated", variant(clientAuthentication__unauthenticated=True), "KAFKA-MSK-003"),
    ("no-authentication", variant(clientAuthentication=None), "KAFKA-MSK-003"),
    ("aws-managed-key", variant(encryptionInfo__encryptionAtRestKmsKeyArn=None), "KAFKA-MSK-004"),
    ("no-broker-logs", variant(loggingInfo=None), "KAFKA-MSK-006"),
]


def ids(findings):
    return sorted({f.rule_id for f in findings})


def test_secure_cluster_passes():
    assert judge_resource(Resource(CLUSTER, SECURE)) == []


@pytest.mark.parametrize("name,props,rule", MSK_CASES, ids=[c[0] for c in MSK_CASES])
def test_each_weakening_is_reported_by_its_rule(name, props, rule):
    findings = judge_resource(Resource(CLUSTER, props))
    assert ids(findings) == [rule]
    assert findings[0].level == (ADVISORY if rule == "KAFKA-MSK-006" else MANDATORY)


def test_mutual_tls_alone_is_authentication():
    props = variant(clientAuthentication={"tls": {"certificateAuthorityArns": ["arn:aws:acm-pca:ca"]}})
    assert judge_resource(Resource(CLUSTER, props)) == []


def test_terraform_and_cloudformation_spellings():
    tf = {"kafka_version": ["3.9.x"], "encryption_info": [{"encryption_at_rest_kms_key_arn": ["k"],
                               "encryption_in_transit": [{"client_broker": ["TLS_PLAINTEXT"], "in_cluster": [True]}]}],
          "client_authentication": [{"unauthenticated": [True]}],
          "logging_info": [{"broker_logs": [{"cloudwatch_logs": [{"enabled": [True]}]}]}]}
    assert ids(judge_resource(Resource("aws_msk_cluster", tf))) == ["KAFKA-MSK-002", "KAFKA-MSK-003"]
    cfn = {"KafkaVersion": "3.9.x", "EncryptionInfo": {"EncryptionAtRest": {"DataVolumeKMSKeyId": "k"},
                              "EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True}},
           "ClientAuthentication": {"Sasl": {"Scram": {"Enabled": True}}, "Unauthenticated": {"Enabled": False}},
           "LoggingInfo": {"BrokerLogs": {"CloudWatchLogs": {"Enabled": True}}}}
    assert judge_resource(Resource("AWS::MSK::Cluster", cfn)) == []
    cfn["ClientAuthentication"]["Unauthenticated"]["Enabled"] = True
    assert ids(judge_resource(Resource("AWS::MSK::Cluster", cfn))) == ["KAFKA-MSK-003"]


@pytest.mark.parametrize("text,expected", [
    ("allow.everyone.if.no.acl.found=true\n", ["KAFKA-MSK-005"]),
    ("auto.create.topics.enable=false\nallow.everyone.if.no.acl.found = TRUE", ["KAFKA-MSK-005"]),
    ("unclean.leader.election.enable=true", ["KAFKA-MSK-007"]),
    ("allow.everyone.if.no.acl.found=false\nunclean.leader.election.enable=false", []),
    ("# allow.everyone.if.no.acl.found=true", []),
])
def test_configuration_properties(text, expected):
    assert ids(judge_resource(Resource(CONFIG, {"serverProperties": text}))) == expected
    encoded = base64.b64encode(text.encode()).decode()  # CloudFormation carries the file base64-encoded
    assert ids(judge_resource(Resource("AWS::MSK::Configuration", {"ServerProperties": encoded}))) == expected


def test_unknown_in_preview_is_advisory():
    props = variant(encryptionInfo__encryptionInTransit__clientBroker="04da6b54-80e4-46f7-96ec-b56ff0331ba9")
    [finding] = judge_resource(Resource(CLUSTER, props), Settings(preview=True))
    assert finding.unknown and finding.level == ADVISORY


@pytest.mark.pack
def test_pack_blocks_raw_insecure_clusters_with_the_right_rule():
    with PolicyPack(PACK, preview=False) as pack:
        pack.configure({})
        assert pack.analyze(CLUSTER, SECURE, "urn:pulumi:s::p::aws:msk/cluster:Cluster::ok", "ok") == []
        for name, props, rule in MSK_CASES:
            diags = pack.analyze(CLUSTER, props, f"urn:pulumi:s::p::{CLUSTER}::{name}", name)
            assert len(diags) == 1 and rule in diags[0].message, (name, diags)
            assert diags[0].level == ("advisory" if rule == "KAFKA-MSK-006" else "mandatory")
        [diag] = pack.analyze(CONFIG, {"serverProperties": "allow.everyone.if.no.acl.found=true"}, "urn:c", "c")
        assert diag.policy == "msk-acl-deny-by-default" and diag.level == "mandatory"


@pytest.mark.checkov
def test_checkov_msk_checks_on_a_terraform_plan_and_cloudformation(tmp_path):
    import json

    from checkov_forms import run_checkov, terraform_plan
    from cases import Case

    rules = ["KAFKA-MSK-00%d" % i for i in range(1, 8)]
    check_ids = tuple("CKV_" + r.replace("-", "_") for r in rules)
    cluster_cases = [Case("secure", CLUSTER, SECURE, False)] + [Case(n, CLUSTER, p, True) for n, p, _ in MSK_CASES]
    assert len(cluster_cases) == len(MSK_CASES) + 1 >= 8
    (tmp_path / "plan.json").write_text(json.dumps(terraform_plan(cluster_cases)))
    results = run_checkov(tmp_path / "plan.json", "terraform_plan", file=True, check_ids=check_ids)
    expected = {"secure": None, **{name: rule for name, _, rule in MSK_CASES}}
    for name, rule in expected.items():
        resource = f"aws_msk_cluster.{name.replace('-', '_')}"
        failed = {cid for (cid, res), v in results.items() if res == resource and v == "FAILED"}
        assert failed == ({"CKV_" + rule.replace("-", "_")} if rule else set()), (name, failed)
    template = {"Resources": {
        "Open": {"Type": "AWS::MSK::Configuration",
                 "Properties": {"Name": "o", "ServerProperties": base64.b64encode(
                     b"allow.everyone.if.no.acl.found=true\nunclean.leader.election.enable=true\n").decode()}},
        "Closed": {"Type": "AWS::MSK::Configuration",
                   "Properties": {"Name": "c", "ServerProperties": base64.b64encode(
                       b"allow.everyone.if.no.acl.found=false\n").decode()}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    results = run_checkov(tmp_path / "t.json", "cloudformation", file=True, check_ids=check_ids)
    failed = {(cid, res) for (cid, res), v in results.items() if v == "FAILED"}
    assert failed == {("CKV_KAFKA_MSK_005", "AWS::MSK::Configuration.Open"),
                      ("CKV_KAFKA_MSK_007", "AWS::MSK::Configuration.Open")}
    assert ("CKV_KAFKA_MSK_005", "AWS::MSK::Configuration.Closed") in results
