"""MskCluster under Pulumi SDK mocks: the graph, its security properties, and the pack's verdicts."""
import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pulumi_aws as aws
import pytest
from helpers import assert_refused, by_type
import yaml

from secure_kafka import ClientAccess, ConfigError, MskCluster, MskClusterArgs
from secure_kafka.stack.config import parse
from secure_kafka.aws.keys import key_policy
from secure_kafka.gate import run_program
from secure_kafka.gate.analyzer import PolicyPack
from secure_kafka.gate.mockrun import record
from secure_kafka.gate.verdict import judge, mandatory_count
from secure_kafka.render import parse_properties

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies"
# The ports MSK listens on per authentication mode (AWS documentation), not taken from our code.
SPEC_PORTS = {"tls": 9094, "scram": 9096, "iam": 9098}
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
PCA = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
ARGS = MskClusterArgs(vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16", subnet_ids=SUBNETS,
                      clients=[ClientAccess("orders", cidr="10.0.32.0/20"),
                               ClientAccess("bi", security_group_id="sg-0a1b2c3d4e5f60718")],
                      auth_modes=("iam", "scram"), scram_users=("orders",))


def stack_settings(stack):
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return config, config["secure-kafka:msk"]


def ancestors(resource, by_urn):
    while resource.parent and resource.parent in by_urn:
        resource = by_urn[resource.parent]
        yield resource


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_stack_graph_has_every_part_with_secure_inputs(stack):
    config, msk = stack_settings(stack)
    run = run_program(ROOT, stack)
    types = by_type(run.resources)
    [cluster] = types["aws:msk/cluster:Cluster"]
    [key] = types["aws:kms/key:Key"]
    [alias] = types["aws:kms/alias:Alias"]
    [conf] = types["aws:msk/configuration:Configuration"]
    [group] = types["aws:ec2/securityGroup:SecurityGroup"]
    [logs] = types["aws:cloudwatch/logGroup:LogGroup"]
    [target] = types["aws:appautoscaling/target:Target"]
    [policy] = types["aws:appautoscaling/policy:Policy"]
    [egress] = types["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"]
    ingress = types["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]
    props = cluster.properties

    # every child hangs under the one MskCluster component
    by_urn = {r.urn: r for r in run.resources}
    [component] = types["secure-kafka:aws:MskCluster"]
    assert all(component in list(ancestors(r, by_urn)) for r in run.resources if r is not component)

    # network: only the listeners of the enabled auth modes, only to named clients; egress to the VPC
    expected_ports = {SPEC_PORTS[m] for m in msk["authModes"]}
    assert {r.properties["fromPort"] for r in ingress} == expected_ports
    assert all(r.properties["fromPort"] == r.properties["toPort"] for r in ingress)
    assert len(ingress) == len(config["secure-kafka:clients"]) * len(expected_ports)
    assert not {9092, 2181, 2182} & {r.properties["fromPort"] for r in ingress}
    assert egress.properties["cidrIpv4"] == config["secure-kafka:vpcCidr"] and "ingress" not in group.properties
    assert props["brokerNodeGroupInfo"]["securityGroups"] == [egress.properties["securityGroupId"]]
    assert props["brokerNodeGroupInfo"]["connectivityInfo"]["publicAccess"]["type"] == "DISABLED"
    assert props["brokerNodeGroupInfo"]["clientSubnets"] == msk["subnetIds"]
    assert props["numberOfBrokerNodes"] == msk["brokerCount"]
    assert msk["brokerCount"] % len(msk["subnetIds"]) == 0

    # encryption: customer key with rotation, scoped policy, alias; TLS only in transit
    assert key.properties["enableKeyRotation"] is True
    statements = json.loads(key.properties["policy"])["Statement"]
    assert any(s.get("Condition", {}).get("StringEquals", {}).get("kms:ViaService") for s in statements)
    assert alias.properties["name"] == f"alias/secure-kafka/kafka-{stack}"
    key_arn = props["encryptionInfo"]["encryptionAtRestKmsKeyArn"]
    assert key_arn.startswith("arn:aws:kms:") and key_arn.endswith(key.name + "-" + key_arn.rsplit("-", 1)[1])
    assert props["encryptionInfo"]["encryptionInTransit"] == {"clientBroker": "TLS", "inCluster": True}

    # authentication: the configured modes, never unauthenticated
    auth = props["clientAuthentication"]
    assert auth["unauthenticated"] is False
    assert auth["sasl"] == {"iam": "iam" in msk["authModes"], "scram": "scram" in msk["authModes"]}
    assert ("tls" in auth) == ("tls" in msk["authModes"])

    # broker configuration
    server = parse_properties(conf.properties["serverProperties"])
    assert server["allow.everyone.if.no.acl.found"] == "false"
    assert server["auto.create.topics.enable"] == "false"
    assert server["unclean.leader.election.enable"] == "false"
    assert 2 <= int(server["min.insync.replicas"]) <= int(server["default.replication.factor"]) <= msk["brokerCount"]
    assert props["configurationInfo"]["arn"].startswith("arn:aws:kafka:")

    # audit: broker logs to an encrypted, retained group
    assert logs.properties["kmsKeyId"] == key_arn
    assert logs.properties["retentionInDays"] == msk["logRetentionDays"]
    assert props["loggingInfo"]["brokerLogs"]["cloudwatchLogs"] == {"enabled": True, "logGroup": logs.properties["name"]}
    assert props["enhancedMonitoring"] == msk["enhancedMonitoring"]

    # storage autoscaling without drift on the volume size
    assert target.properties["scalableDimension"] == "kafka:broker-storage:VolumeSize"
    assert target.properties["resourceId"] == run.outputs["clusterArn"]
    assert target.properties["maxCapacity"] == msk["maxVolumeSizeGib"]
    assert policy.properties["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"] == {
        "predefinedMetricType": "KafkaBrokerStorageUtilization"}
    assert "brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize" in cluster.ignore_changes

    # SCRAM users: AmazonMSK_ secrets under the customer key, associated, passwords secret
    users = msk.get("scramUsers", [])
    secrets = types.get("aws:secretsmanager/secret:Secret", [])
    assert len(secrets) == len(users)
    assert all(s.properties["name"].startswith("AmazonMSK_") and s.properties["kmsKeyId"] == key_arn for s in secrets)
    versions = types.get("aws:secretsmanager/secretVersion:SecretVersion", [])
    assert len(versions) == len(users)
    assert all("secretString" in v.secret_inputs for v in versions)
    if users:
        [assoc] = types["aws:msk/scramSecretAssociation:ScramSecretAssociation"]
        assert len(assoc.properties["secretArnLists"]) == len(users)
        assert run.outputs["scramPasswords"] == "[secret]"

    # outputs per auth mode
    for mode, output in (("iam", "bootstrapBrokersSaslIam"), ("scram", "bootstrapBrokersSaslScram"),
                         ("tls", "bootstrapBrokersTls")):
        assert (":%d" % SPEC_PORTS[mode] in run.outputs[output]) == (mode in msk["authModes"])
    assert run.outputs["zookeeperConnectString"] and all(
        hp.endswith(":2182") for hp in run.outputs["zookeeperConnectString"].split(","))  # ZooKeeper over TLS
    assert run.outputs["kmsKeyArn"] == key_arn and run.outputs["securityGroupId"].startswith("sg-")

    # and the pack, as `pulumi preview --policy-pack policies` would run it
    verdicts, stack_diags = judge(PACK, run.resources, project="secure-kafka", stack=stack, preview=True)
    assert mandatory_count(verdicts, stack_diags) == 0
    assert [d for v in verdicts for d in v.diagnostics] == [] and stack_diags == []


def test_prod_is_sized_for_production():
    sizes = {stack: stack_settings(stack)[1] for stack in ("dev", "staging", "prod")}
    prod = sizes["prod"]
    assert len(prod["subnetIds"]) == 3 and prod["brokerCount"] >= 3
    assert prod["logRetentionDays"] > sizes["staging"]["logRetentionDays"] > sizes["dev"]["logRetentionDays"]
    rank = ["small", "large", "xlarge", "2xlarge", "4xlarge"]
    size = {s: rank.index(v["instanceType"].rsplit(".", 1)[1]) for s, v in sizes.items()}
    assert size["prod"] > size["staging"] > size["dev"]


WEAKENINGS = [
    ("plaintext-clients", {"client_broker_encryption": "TLS_PLAINTEXT"}, "msk-tls-in-transit", "mandatory"),
    ("plain-only", {"client_broker_encryption": "PLAINTEXT"}, "msk-tls-in-transit", "mandatory"),
    ("no-in-cluster", {"in_cluster_encryption": False}, "msk-tls-in-transit", "mandatory"),
    ("anonymous", {"allow_unauthenticated": True}, "msk-client-authentication", "mandatory"),
    ("no-logs", {"broker_logs_enabled": False}, "msk-broker-logging", "advisory"),
]


@pytest.mark.pack
def test_each_weakening_argument_is_blocked_by_the_pack():
    runs = {name: record(lambda n=name, c=change: MskCluster(f"w-{n}", replace(ARGS, **c)), preview=False)
            for name, change, _, _ in WEAKENINGS}
    secure = record(lambda: MskCluster("w-secure", ARGS), preview=False)
    with PolicyPack(PACK, preview=False) as pack:
        pack.configure({})
        for r in secure.resources:
            assert pack.analyze(r.type, r.properties, r.urn, r.name, r.custom) == [], r.name
        for name, _, policy, level in WEAKENINGS:
            [cluster] = [r for r in runs[name].resources if r.type == "aws:msk/cluster:Cluster"]
            diags = pack.analyze(cluster.type, cluster.properties, cluster.urn, cluster.name)
            assert [(d.policy, d.level) for d in diags] == [(policy, level)], (name, diags)
            assert cluster.name in diags[0].message or cluster.urn == diags[0].urn


def raw_clusters():
    """Hand-built aws.msk.Cluster resources, each missing one protection."""
    base = dict(kafka_version="3.9.x", number_of_broker_nodes=3,
                broker_node_group_info={"instance_type": "kafka.m5.large", "client_subnets": SUBNETS,
                                        "security_groups": ["sg-0a1b2c3d4e5f60718"]},
                encryption_info={"encryption_at_rest_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k",
                                 "encryption_in_transit": {"client_broker": "TLS", "in_cluster": True}},
                client_authentication={"sasl": {"iam": True}, "unauthenticated": False},
                logging_info={"broker_logs": {"cloudwatch_logs": {"enabled": True, "log_group": "g"}}})
    aws.msk.Cluster("raw-secure", **base)
    aws.msk.Cluster("raw-public", **{**base, "broker_node_group_info": {
        **base["broker_node_group_info"],
        "connectivity_info": {"public_access": {"type": "SERVICE_PROVIDED_EIPS"}}}})
    aws.msk.Cluster("raw-plaintext", **{**base, "encryption_info": {
        "encryption_at_rest_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "encryption_in_transit": {"client_broker": "PLAINTEXT"}}})
    aws.msk.Cluster("raw-aws-key", **{**base, "encryption_info": {
        "encryption_in_transit": {"client_broker": "TLS", "in_cluster": True}}})
    aws.msk.Cluster("raw-no-auth", **{**base, "client_authentication": None})
    aws.msk.Cluster("raw-anonymous", **{**base, "client_authentication": {"unauthenticated": True}})
    aws.msk.Configuration("raw-open-acls", kafka_versions=["3.9.x"],
                          server_properties="allow.everyone.if.no.acl.found=true\n")
    aws.msk.Configuration("raw-unclean", kafka_versions=["3.9.x"],
                          server_properties="unclean.leader.election.enable = true\n")


@pytest.mark.pack
def test_hand_built_insecure_msk_resources_are_blocked_with_the_right_rule():
    run = record(raw_clusters, preview=False)
    expected = {"raw-secure": [], "raw-public": [("msk-no-public-access", "mandatory")],
                "raw-plaintext": [("msk-tls-in-transit", "mandatory")],
                "raw-aws-key": [("msk-customer-kms-key", "mandatory")],
                "raw-no-auth": [("msk-client-authentication", "mandatory")],
                "raw-anonymous": [("msk-client-authentication", "mandatory")],
                "raw-open-acls": [("msk-acl-deny-by-default", "mandatory")],
                "raw-unclean": [("msk-no-unclean-leader-election", "advisory")]}
    verdicts, _ = judge(PACK, run.resources, project="p", stack="s", preview=False)
    got = {v.resource.name: sorted((d.policy, d.level) for d in v.diagnostics) for v in verdicts}
    assert got == expected


BAD = [
    ({"broker_count": 4}, "broker_count", "multiple of the subnet count (3)"),
    ({"broker_count": 2}, "broker_count", "multiple"),
    ({"broker_count": "3"}, "broker_count", "not a whole number"),
    ({"subnet_ids": SUBNETS[:1]}, "subnet_ids", "2 or 3 subnets"),
    ({"subnet_ids": [SUBNETS[0], SUBNETS[0]]}, "subnet_ids", "distinct"),
    ({"subnet_ids": ["subnet-xyz", *SUBNETS[1:]]}, "subnet_ids", "subnet-0123"),
    ({"vpc_id": "vpc-nothex"}, "vpc_id", "vpc-0123"),
    ({"replication_factor": 4}, "replication_factor", "broker count (3)"),
    ({"replication_factor": 1}, "replication_factor", "from 2"),
    ({"min_insync_replicas": 1}, "min_insync_replicas", "from 2"),
    ({"min_insync_replicas": 3, "replication_factor": 2}, "min_insync_replicas", "replication factor (2)"),
    ({"auth_modes": ("iam", "ldap")}, "auth_modes", "iam"),
    ({"auth_modes": ()}, "auth_modes", "non-empty"),
    ({"auth_modes": "iam"}, "auth_modes", "a list"),
    ({"auth_modes": ("iam",)}, "scram_users", "auth_modes includes scram"),
    ({"scram_users": ("Bad User",)}, "scram_users", "lowercase"),
    ({"auth_modes": ("tls",), "scram_users": ()}, "tls_certificate_authority_arns", "exactly when"),
    ({"tls_certificate_authority_arns": (PCA,)}, "tls_certificate_authority_arns", "exactly when"),
    ({"auth_modes": ("tls",), "scram_users": (), "tls_certificate_authority_arns": ("arn:aws:acm:x",)},
     "tls_certificate_authority_arns", "certificate-authority"),
    ({"kafka_version": "3.9"}, "kafka_version", "3.9.x"),
    ({"kafka_version": "3.6.0"}, "kafka_version", "nearest: 3.8.x"),
    ({"kafka_version": "3.7.x"}, "kafka_version", "accept each by name in accept_version_risks: [end-of-support]"),
    ({"kafka_version": "3.7.x.kraft"}, "kafka_version", "MSK ended support for 3.7.x.kraft on 2026-09-01"),
    ({"accept_version_risks": ["end-of-support"]}, "accept_version_risks", "only risks 3.9.x has (none)"),
    ({"accept_version_risks": "end-of-support"}, "accept_version_risks", "a list of CVE ids"),
    ({"accept_version_risks": ["CVE-26"]}, "accept_version_risks", "distinct CVE ids"),
    ({"kafka_version": "4.0.x"}, "kafka_version", "4.0.x.kraft"),
    ({"instance_type": "kafka.m5.larg"}, "instance_type", "kafka.m5.large"),
    ({"instance_type": "m5.large"}, "instance_type", "kafka.m5.large"),
    ({"clients": []}, "clients", "at least one client"),
    ({"clients": [ClientAccess("web", cidr="0.0.0.0/0")]}, "clients[0].cidr", "guardrail says"),
    ({"clients": [ClientAccess("web", cidr="2600:1f18::/32")]}, "clients[0].cidr", "guardrail says"),
    ({"log_retention_days": 10}, "log_retention_days", "CloudWatch"),
    ({"enhanced_monitoring": "ALL"}, "enhanced_monitoring", "PER_BROKER"),
    ({"client_broker_encryption": "tls"}, "client_broker_encryption", "TLS"),
    ({"in_cluster_encryption": "no"}, "in_cluster_encryption", "true or false"),
    ({"max_volume_size_gib": 50, "volume_size_gib": 100}, "max_volume_size_gib", "from volume_size_gib (100)"),
    ({"storage_target_utilization": 95}, "storage_target_utilization", "10-90"),
    ({"kms_key_arn": "alias/aws/kafka"}, "kms_key_arn", "customer KMS key"),
    ({"server_properties": {"allow.everyone.if.no.acl.found": "true"}},
     "server_properties['allow.everyone.if.no.acl.found']", "any topic that has no ACL"),
    ({"server_properties": {"unclean.leader.election.enable": True}},
     "server_properties['unclean.leader.election.enable']", "only false"),
    ({"server_properties": {"min.insync.replicas": 1}}, "server_properties['min.insync.replicas']",
     "min_insync_replicas argument"),
    ({"server_properties": {"Bad Key": 1}}, "server_properties['Bad Key']", "property name"),
]


@pytest.mark.parametrize("change,setting,fragment", BAD, ids=[b[1] + "-" + str(i) for i, b in enumerate(BAD)])
def test_bad_input_is_refused_before_any_resource(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: MskCluster("kafka", replace(ARGS, **change)), setting, fragment)


def test_an_accepted_end_of_support_builds_and_the_pack_still_reports_it():
    from kafka_guardrails import Settings, judge_resource
    from kafka_guardrails import Resource as Judged

    run = record(lambda: MskCluster("legacy", replace(ARGS, kafka_version="3.7.x",
                                                      accept_version_risks=["end-of-support"])))
    types = by_type(run.resources)
    [cluster] = types["aws:msk/cluster:Cluster"]
    [conf] = types["aws:msk/configuration:Configuration"]
    assert cluster.properties["kafkaVersion"] == "3.7.x"
    assert cluster.properties["tags"]["secure-kafka:accepted-version-risks"] == "end-of-support"
    assert conf.properties.get("kafkaVersions", []) == []  # untaggable: the acceptance lives on the cluster
    found = judge_resource(Judged("aws:msk/cluster:Cluster", cluster.properties), Settings())
    assert [f.rule_id for f in found if f.rule_id.startswith("KAFKA-VER")] == ["KAFKA-VER-002"]
    plain = record(lambda: MskCluster("current", ARGS))
    [current] = by_type(plain.resources)["aws:msk/cluster:Cluster"]
    assert "secure-kafka:accepted-version-risks" not in current.properties["tags"]
    assert by_type(plain.resources)["aws:msk/configuration:Configuration"][0].properties["kafkaVersions"] == ["3.9.x"]


def test_bad_cluster_name_is_refused(monitor):
    with pytest.raises(ConfigError, match="name='9 lives'"):
        MskCluster("9 lives", ARGS)
    assert monitor.recorded == []


def test_a_callers_key_replaces_the_component_key():
    arn = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
    run = record(lambda: MskCluster("byok", replace(ARGS, kms_key_arn=arn)))
    types = by_type(run.resources)
    assert "aws:kms/key:Key" not in types
    [cluster] = types["aws:msk/cluster:Cluster"]
    assert cluster.properties["encryptionInfo"]["encryptionAtRestKmsKeyArn"] == arn
    assert {s.properties["kmsKeyId"] for s in types["aws:secretsmanager/secret:Secret"]} == {arn}


def test_extra_server_properties_are_kept_under_the_pinned_ones():
    run = record(lambda: MskCluster("extra", replace(ARGS, server_properties={"log.retention.hours": 72})))
    [conf] = by_type(run.resources)["aws:msk/configuration:Configuration"]
    server = parse_properties(conf.properties["serverProperties"])
    assert server["log.retention.hours"] == "72" and server["allow.everyone.if.no.acl.found"] == "false"


def test_mutual_tls_mode_passes_the_private_ca():
    run = record(lambda: MskCluster("mtls", replace(ARGS, auth_modes=("tls",), scram_users=(),
                                                     tls_certificate_authority_arns=(PCA,))))
    types = by_type(run.resources)
    [cluster] = types["aws:msk/cluster:Cluster"]
    assert cluster.properties["clientAuthentication"]["tls"] == {"certificateAuthorityArns": [PCA]}
    assert {r.properties["fromPort"] for r in types["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]} == {9094}
    assert "aws:secretsmanager/secret:Secret" not in types


def test_key_policy_grants_use_only_through_named_services():
    doc = key_policy("123456789012", "aws", "eu-west-1", ["kafka", "secretsmanager"], ["/aws/msk/x/broker"])
    crypto = {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:*"}
    for statement in doc["Statement"]:
        assert statement["Principal"] != "*" and statement["Principal"].get("AWS") != "*"
        actions = set(statement["Action"])
        if "AWS" in statement["Principal"] and actions & crypto:
            assert statement["Condition"]["StringEquals"]["kms:ViaService"] == [
                "kafka.eu-west-1.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com"]
            assert statement["Condition"]["StringEquals"]["kms:CallerAccount"] == "123456789012"
    [logs] = [s for s in doc["Statement"] if "Service" in s["Principal"]]
    assert logs["Principal"]["Service"] == "logs.eu-west-1.amazonaws.com"
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == [
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/msk/x/broker"]
    assert not any("kms:*" in s["Action"] for s in doc["Statement"])


BASE = {"environment": "dev", "vpcId": "vpc-0a1b2c3d4e5f60718", "vpcCidr": "10.0.0.0/16",
        "clients": [{"name": "a", "cidr": "10.0.1.0/24"}],
        "msk": {"subnetIds": SUBNETS[:2], "brokerCount": 2, "replicationFactor": 2}}


@pytest.mark.parametrize("change,setting", [
    ({"environment": "qa"}, "secure-kafka:environment"),
    ({"platform": "heroku"}, "secure-kafka:platform"),
    ({"vpcId": ""}, "secure-kafka:vpcId"),
    ({"vpcId": "vpc-XYZ"}, "secure-kafka:vpcId"),
    ({"clusterName": "-x"}, "secure-kafka:clusterName"),
    ({"clients": {"a": 1}}, "secure-kafka:clients"),
    ({"clients": [{"name": "a", "cidr": "10.0.1.0/24", "port": 1}]}, "secure-kafka:clients[0].port"),
    ({"clients": [{"name": "a", "cidr": "0.0.0.0/0"}]}, "secure-kafka:clients[0].cidr"),
    ({"msk": {**BASE["msk"], "brokerCount": 3}}, "secure-kafka:msk.brokerCount"),
    ({"msk": {**BASE["msk"], "broker_count": 2}}, "secure-kafka:msk.broker_count"),
    ({"msk": {**BASE["msk"], "listenerPorts": [9092]}}, "secure-kafka:msk.listenerPorts"),
    ({"msk": {**BASE["msk"], "authModes": ["none"]}}, "secure-kafka:msk.authModes"),
    ({"msk": {"brokerCount": 2}}, "secure-kafka:msk.subnetIds"),
    ({"msk": []}, "secure-kafka:msk"),
])
def test_stack_config_errors_name_the_stack_key(change, setting):
    with pytest.raises(ConfigError) as error:
        parse({**BASE, **change})
    assert error.value.setting == setting, str(error.value)


def test_stack_config_unknown_key_lists_the_allowed_ones():
    with pytest.raises(ConfigError) as error:
        parse({**BASE, "msk": {**BASE["msk"], "brokers": 2}})
    assert "brokerCount" in error.value.allowed and "authModes" in error.value.allowed


def test_stack_config_parses_to_component_args():
    cfg = parse(BASE)
    assert cfg.cluster_name == "kafka-dev" and cfg.args.broker_count == 2
    assert cfg.args.clients[0].cidr == "10.0.1.0/24" and cfg.args.auth_modes == ("iam",)


def test_gate_refuses_a_bad_stack_file_with_one_line(tmp_path):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    config["config"]["secure-kafka:msk"]["replicationFactor"] = 5
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    done = subprocess.run([sys.executable, "-m", "secure_kafka.gate", "--stack", "dev", "--project-dir", str(tmp_path),
                           "--policy-pack", str(PACK)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "secure-kafka:msk.replicationFactor=5" in done.stderr and "Traceback" not in done.stderr


def test_another_program_installs_and_uses_the_component(tmp_path):
    """A second, tiny Pulumi program with this project pip-installed as a package."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(ROOT)], check=True, timeout=300,
                   capture_output=True)
    app = tmp_path / "orders-platform"
    (app / "stacks").mkdir(parents=True)
    (app / "Pulumi.yaml").write_text("name: orders-platform\nruntime: python\nstackConfigDir: stacks\n")
    (app / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (app / "__main__.py").write_text(textwrap.dedent("""
        import pulumi
        import secure_kafka
        from secure_kafka import ClientAccess, MskCluster, MskClusterArgs

        cluster = MskCluster("orders", MskClusterArgs(
            vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.9.0.0/16",
            subnet_ids=["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"], broker_count=2,
            replication_factor=2, clients=[ClientAccess("orders-api", cidr="10.9.4.0/24")]))
        pulumi.export("where", secure_kafka.__file__)
        pulumi.export("brokers", cluster.bootstrap_brokers_sasl_iam)
    """))
    probe = textwrap.dedent(f"""
        import json, sys
        from secure_kafka.gate import run_program
        run = run_program({str(app)!r}, "dev", project="orders-platform")
        print(json.dumps({{"outputs": run.outputs, "types": sorted({{r.type for r in run.resources}})}}))
    """)
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outputs"]["where"].startswith(str(site))
    assert ":9098" in result["outputs"]["brokers"]
    assert "aws:msk/cluster:Cluster" in result["types"] and "secure-kafka:aws:MskCluster" in result["types"]


def test_prod_access_model_becomes_one_iam_policy_per_client():
    config, msk = stack_settings("prod")
    run = run_program(ROOT, "prod")
    policies = {p.properties["name"]: json.loads(p.properties["policy"])
                for p in run.resources if p.type == "aws:iam/policy:Policy"}
    assert set(policies) == {f"secure-kafka-kafka-prod-{g['client']}" for g in msk["access"]}
    cluster_arn = run.outputs["clusterArn"]
    for grant in msk["access"]:
        doc = policies[f"secure-kafka-kafka-prod-{grant['client']}"]
        writes = [r for s in doc["Statement"] if "kafka-cluster:WriteData" in s["Action"] for r in s["Resource"]]
        reads = [r for s in doc["Statement"] if "kafka-cluster:ReadData" in s["Action"] for r in s["Resource"]]
        assert [w.rsplit("/", 1)[1] for w in writes] == grant.get("produce", [])
        assert [r.rsplit("/", 1)[1] for r in reads] == grant.get("consume", [])
        assert all(r.startswith(cluster_arn.replace(":cluster/", ":topic/")) for r in writes + reads)


def test_iam_topic_policies_need_iam_authentication(monitor):
    from secure_kafka.model.access import TopicGrant

    assert_refused(monitor, lambda: MskCluster("kafka", replace(ARGS, auth_modes=("scram",), access=(
        TopicGrant("orders", produce=("o",)),))), "access", "auth_modes to include iam")
