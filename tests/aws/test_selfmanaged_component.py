"""SelfManagedKafka and ZooKeeperEnsemble under Pulumi SDK mocks, and the selfmanaged stack."""
import json
from dataclasses import replace
from pathlib import Path

import pulumi
import pytest
from helpers import ZK_MODE, assert_refused, by_type
import yaml

from secure_kafka import ClientAccess, ConfigError
from secure_kafka.aws.self_managed import SelfManagedKafka, SelfManagedKafkaArgs
from secure_kafka.stack.config import parse
from secure_kafka.gate import run_program
from secure_kafka.gate.verdict import judge, mandatory_count
from secure_kafka.model.pki import BringYourOwnCa
from secure_kafka.render import parse_properties
from secure_kafka.aws.zookeeper import ZooKeeperEnsemble, ZooKeeperEnsembleArgs

ROOT = Path(__file__).resolve().parents[2]
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
ARGS = SelfManagedKafkaArgs(cluster="orders", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                            subnet_ids=SUBNETS, clients=[ClientAccess("orders", cidr="10.0.32.0/20")], **ZK_MODE)


@pytest.fixture(scope="module")
def stack():
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.selfmanaged.yaml").read_text())["config"]
    return config, run_program(ROOT, "selfmanaged")


def written_files(user_data):
    assert user_data.startswith("#cloud-config\n")
    return {f["path"]: f["content"] for f in yaml.safe_load(user_data)["write_files"]}


def test_instances_are_private_imdsv2_encrypted_and_keyless(stack):
    _, run = stack
    types = by_type(run.resources)
    [key] = types["aws:kms/key:Key"]
    key_arn = run.outputs["kmsKeyArn"]
    instances = types["aws:ec2/instance:Instance"]
    assert len(instances) == 6  # 3 brokers + 3 ZooKeeper nodes
    enis = {e.name: e for e in types["aws:ec2/networkInterface:NetworkInterface"]}
    for inst in instances:
        props = inst.properties
        assert "keyName" not in props and props.get("associatePublicIpAddress") is not True
        assert props["metadataOptions"]["httpTokens"] == "required"
        assert props["metadataOptions"]["httpPutResponseHopLimit"] == 1
        assert props["rootBlockDevice"]["encrypted"] is True and props["rootBlockDevice"]["kmsKeyId"] == key_arn
        assert len(props["ebsBlockDevices"]) == 1
        assert all(d["encrypted"] is True and d["kmsKeyId"] == key_arn for d in props["ebsBlockDevices"])
        assert props["primaryNetworkInterface"]["networkInterfaceId"].startswith(inst.name + "-eni")
        assert "PRIVATE KEY" not in props["userData"] and "MOCK" not in props["userData"]
    assert set(enis) == {i.name + "-eni" for i in instances}
    # brokers and ZooKeeper nodes are spread over every subnet (one per AZ)
    subnets = set(yaml.safe_load((ROOT / "stacks" / "Pulumi.selfmanaged.yaml").read_text())
                  ["config"]["secure-kafka:selfManaged"]["subnetIds"])
    for role in ("-broker-", "-zk-"):
        assert {e.properties["subnetId"] for n, e in enis.items() if role in n} == subnets
    assert key.properties["enableKeyRotation"] is True


def test_rendered_broker_and_zookeeper_configs_are_tls_only(stack):
    _, run = stack
    types = by_type(run.resources)
    enis = {e.name: e.properties for e in types["aws:ec2/networkInterface:NetworkInterface"]}
    ips = {name[: -len("-eni")]: None for name in enis}
    brokers = sorted((i for i in types["aws:ec2/instance:Instance"] if "-broker-" in i.name), key=lambda i: i.name)
    zookeepers = sorted((i for i in types["aws:ec2/instance:Instance"] if "-zk-" in i.name), key=lambda i: i.name)
    assert len(brokers) == 3 and len(zookeepers) == 3 and ips
    zk_ips = [run.outputs["zookeeperConnect"].split(",")[i].split(":")[0] for i in range(3)]
    for index, broker in enumerate(brokers):
        server = parse_properties(written_files(broker.properties["userData"])["/etc/kafka/server.properties"])
        assert server["broker.id"] == str(index)
        assert all(l.split("://")[0] in ("SSL", "SASL_SSL") for l in server["listeners"].split(","))
        assert ":9092" not in server["listeners"] + server["advertised.listeners"]
        assert server["security.inter.broker.protocol"] == "SSL"
        assert server["ssl.client.auth"] == "required" and server["listener.name.sasl_ssl.ssl.client.auth"] == "required"
        assert server["allow.everyone.if.no.acl.found"] == "false" and server["super.users"] == "User:kafka-broker"
        assert server["zookeeper.ssl.client.enable"] == "true" and server["zookeeper.set.acl"] == "true"
        assert server["zookeeper.connect"] == ",".join(f"{ip}:2182" for ip in zk_ips) + "/kafka"
        assert (server["min.insync.replicas"], server["default.replication.factor"]) == ("2", "3")
        assert server["unclean.leader.election.enable"] == "false" and server["auto.create.topics.enable"] == "false"
    for index, node in enumerate(zookeepers):
        files = written_files(node.properties["userData"])
        zoo = parse_properties(files["/etc/kafka/zoo.cfg"])
        assert "clientPort" not in zoo and zoo["secureClientPort"] == "2182"
        assert zoo["sslQuorum"] == "true" and zoo["ssl.clientAuth"] == "need" and zoo["portUnification"] == "false"
        assert [zoo[f"server.{i}"] for i in (1, 2, 3)] == [f"{ip}:2888:3888" for ip in zk_ips]
        staged = [p for p in files if p.endswith("/zookeeper/myid")]
        assert staged and files[staged[0]] == f"{index + 1}\n"


def test_security_groups_admit_only_named_peers(stack):
    config, run = stack
    types = by_type(run.resources)
    groups = {g.name: g for g in types["aws:ec2/securityGroup:SecurityGroup"]}
    broker_sg = run.outputs["securityGroupId"]
    ingress, egress = types[INGRESS], types[EGRESS]
    assert not [r for r in ingress + egress if r.properties.get("fromPort") in (22, 9092)]
    assert len(ingress) >= 6 and len(egress) >= 5
    assert all(r.properties["ipProtocol"] == "tcp" and r.properties["fromPort"] == r.properties["toPort"]
               for r in ingress + egress)
    broker_in = [r for r in ingress if r.properties["securityGroupId"] == broker_sg]
    zk_sg = {r.properties["securityGroupId"] for r in ingress} - {broker_sg}
    assert len(zk_sg) == 1 and len(groups) == 2
    [zk_sg] = zk_sg
    zk_in = [r for r in ingress if r.properties["securityGroupId"] == zk_sg]
    client_cidrs = {c["cidr"] for c in config["secure-kafka:clients"] if "cidr" in c}
    client_sgs = {c["securityGroupId"] for c in config["secure-kafka:clients"] if "securityGroupId" in c}
    for r in broker_in:
        source = r.properties.get("cidrIpv4") or r.properties.get("referencedSecurityGroupId")
        assert source in client_cidrs | client_sgs | {broker_sg}
        assert r.properties["fromPort"] in ((9094,) if source == broker_sg else (9094, 9096))
    assert {(r.properties["fromPort"], r.properties["referencedSecurityGroupId"]) for r in zk_in} == {
        (2182, broker_sg), (2888, zk_sg), (3888, zk_sg)}
    for r in egress:
        target = r.properties.get("cidrIpv4") or r.properties.get("referencedSecurityGroupId")
        assert target not in ("0.0.0.0/0", None)
        assert (r.properties["fromPort"], target) in {(443, config["secure-kafka:vpcCidr"]), (9094, broker_sg),
                                                       (2182, zk_sg), (2888, zk_sg), (3888, zk_sg)}


def test_tls_material_reaches_nodes_only_through_encrypted_secrets(stack):
    config, run = stack
    clients = len(config["secure-kafka:selfManaged"].get("access", []))
    types = by_type(run.resources)
    key_arn = run.outputs["kmsKeyArn"]
    secrets = types["aws:secretsmanager/secret:Secret"]
    assert len(secrets) == 6 + clients and all(s.properties["kmsKeyId"] == key_arn for s in secrets)
    versions = types["aws:secretsmanager/secretVersion:SecretVersion"]
    assert len(versions) == len(secrets)
    assert all("secretString" in v.secret_inputs for v in versions)
    requests = {r.name: r.properties for r in types["tls:index/certRequest:CertRequest"]}
    assert len(requests) == 6 + clients + 1  # + the rolling gate's identity, which no node receives
    gate = [r for n, r in requests.items() if n.endswith("-gate-rollout")]
    assert len(gate) == 1 and gate[0]["subject"]["commonName"] == "kafka-rollout"
    broker_ips = {hp.rsplit(":", 1)[0] for hp in run.outputs["bootstrapServers"].split(",")}
    zk_ips = {hp.rsplit(":", 1)[0] for hp in run.outputs["zookeeperConnect"].split(",")}
    brokers = [r for n, r in requests.items() if "broker" in n]
    zookeepers = [r for n, r in requests.items() if "zookeeper" in n]
    assert {r["subject"]["commonName"] for r in brokers} == {"kafka-broker"}
    assert {r["subject"]["commonName"] for r in zookeepers} == {"zookeeper"}
    # every node's certificate names exactly the address the others use for it
    assert sorted(ip for r in brokers for ip in r["ipAddresses"]) == sorted(broker_ips)
    assert sorted(ip for r in zookeepers for ip in r["ipAddresses"]) == sorted(zk_ips)
    for policy in types["aws:iam/rolePolicy:RolePolicy"]:
        doc = json.loads(policy.properties["policy"])
        [read] = [s for s in doc["Statement"] if s["Action"] == "secretsmanager:GetSecretValue"]
        assert read["Resource"] and all(arn.startswith("arn:aws:secretsmanager:") for arn in read["Resource"])
        [decrypt] = [s for s in doc["Statement"] if s["Action"] == "kms:Decrypt"]
        assert decrypt["Condition"]["StringEquals"]["kms:ViaService"].startswith("secretsmanager.")
    assert {a.properties["policyArn"] for a in types["aws:iam/rolePolicyAttachment:RolePolicyAttachment"]} == {
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}


def test_selfmanaged_stack_passes_the_pack(stack):
    _, run = stack
    verdicts, stack_diags = judge(ROOT / "policies", run.resources, project="secure-kafka", stack="selfmanaged",
                                  preview=True)
    assert mandatory_count(verdicts, stack_diags) == 0
    assert {"secure-kafka:aws:SelfManagedKafka", "secure-kafka:aws:ZooKeeperEnsemble",
            "secure-kafka:tls:ClusterPki"} <= {v.resource.type for v in verdicts}


BAD = [
    ({"zookeeper_count": 2}, "zookeeper_count", "odd"),
    ({"zookeeper_count": 4}, "zookeeper_count", "odd"),
    ({"zookeeper_count": 1}, "zookeeper_count", "at least 3 nodes in prod"),
    ({"ca": BringYourOwnCa("", "")}, "ca.cert_pem", "BEGIN CERTIFICATE"),
    ({"ca": BringYourOwnCa("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n", None)},
     "ca.private_key_pem", "PRIVATE KEY"),
    ({"listeners": ("PLAINTEXT",)}, "listeners", "TLS listeners only"),
    ({"listeners": ("SSL", "SASL_PLAINTEXT")}, "listeners", "TLS listeners only"),
    ({"listeners": ()}, "listeners", "non-empty"),
    ({"replication_factor": 4}, "replication_factor", "broker count (3)"),
    ({"min_insync_replicas": 4}, "min_insync_replicas", "replication factor (3)"),
    ({"min_insync_replicas": 1}, "min_insync_replicas", "from 2"),
    ({"broker_count": 2, "replication_factor": 2}, "broker_count", "3-60 in prod"),
    ({"environment": "qa"}, "environment", "dev"),
    ({"cluster": "Orders!"}, "cluster", "lowercase"),
    ({"subnet_ids": []}, "subnet_ids", "non-empty"),
    ({"data_gib": 5}, "data_gib", "10-16384"),
    ({"https_egress_cidrs": ("0.0.0.0/0",)}, "https_egress_cidrs", "VPC endpoint"),
    ({"clients": [ClientAccess("web", cidr="0.0.0.0/0")]}, "clients[0].cidr", "guardrail says"),
    ({"clients": []}, "clients", "at least one"),
]


@pytest.mark.parametrize("change,setting,fragment", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_before_any_resource(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: SelfManagedKafka("kafka", replace(ARGS, **change)), setting, fragment)


def test_dev_may_run_a_single_zookeeper_and_two_brokers(monitor):
    from secure_kafka.gate.mockrun import record

    run = record(lambda: SelfManagedKafka("kafka", replace(ARGS, environment="dev", zookeeper_count=1, broker_count=2,
                                                            replication_factor=2)))
    assert sum(r.type == "aws:ec2/instance:Instance" for r in run.resources) == 3
    with pytest.raises(ConfigError, match="zookeeper_count=2"):
        SelfManagedKafka("kafka2", replace(ARGS, environment="dev", zookeeper_count=2))


def test_standalone_ensemble_runs_zookeeper_mode_only_with_its_risks_accepted(monitor):
    args = ZooKeeperEnsembleArgs(cluster="zk", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                                 subnet_ids=SUBNETS)
    assert_refused(monitor, lambda: ZooKeeperEnsemble("zk", args), "kafka_version", "none in this metadata mode")
    assert_refused(monitor, lambda: ZooKeeperEnsemble("zk", replace(args, kafka_version="4.4.0")),
                   "kafka_version", "a release that runs zookeeper mode")


def test_standalone_ensemble_refuses_even_sizes(monitor):
    args = ZooKeeperEnsembleArgs(cluster="zk", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                                 subnet_ids=SUBNETS, zookeeper_count=4)
    with pytest.raises(ConfigError, match="zookeeper_count=4"):
        ZooKeeperEnsemble("zk", args)
    assert monitor.recorded == []


BASE = {"environment": "prod", "platform": "self-managed", "vpcId": "vpc-0a1b2c3d4e5f60718",
        "vpcCidr": "10.0.0.0/16", "clients": [{"name": "a", "cidr": "10.0.1.0/24"}],
        "selfManaged": {"subnetIds": SUBNETS}}


@pytest.mark.parametrize("change,setting", [
    ({"listeners": ["PLAINTEXT"]}, "secure-kafka:selfManaged.listeners"),
    ({"zookeeperCount": 4}, "secure-kafka:selfManaged.zookeeperCount"),
    ({"replicationFactor": 5}, "secure-kafka:selfManaged.replicationFactor"),
    ({"quota": {"producerByteRate": 0}}, "secure-kafka:selfManaged.quota"),
    ({"quota": {"bytes": 1}}, "secure-kafka:selfManaged.quota.bytes"),
])
def test_selfmanaged_stack_config_errors_name_the_key(change, setting):
    with pytest.raises(ConfigError) as error:
        parse({**BASE, "selfManaged": {**BASE["selfManaged"], **change}})
    assert error.value.setting == setting, str(error.value)


def test_selfmanaged_stack_config_parses_nested_quota():
    cfg = parse({**BASE, "selfManaged": {**BASE["selfManaged"], "quota": {"producerByteRate": 1024}}})
    assert cfg.platform == "self-managed" and cfg.args.quota.producer_byte_rate == 1024
    assert cfg.args.cluster == "kafka-prod" and cfg.args.environment == "prod"


def test_bring_your_own_ca_signs_every_node_and_no_ca_is_generated():
    from secure_kafka.gate.mockrun import record

    ca = BringYourOwnCa("-----BEGIN CERTIFICATE-----\nOURCA\n-----END CERTIFICATE-----\n",
                        pulumi.Output.secret("-----BEGIN PRIVATE KEY-----\nOURKEY\n-----END PRIVATE KEY-----\n"))
    run = record(lambda: SelfManagedKafka("byo", replace(ARGS, ca=ca)))
    types = by_type(run.resources)
    assert "tls:index/selfSignedCert:SelfSignedCert" not in types
    signed = types["tls:index/locallySignedCert:LocallySignedCert"]
    assert len(signed) == 7 and {s.properties["caCertPem"] for s in signed} == {ca.cert_pem}  # 6 nodes + the gate
    assert all("caPrivateKeyPem" in s.secret_inputs for s in signed)


def test_readme_command_runs_the_selfmanaged_stack(capsys):
    from secure_kafka.gate.__main__ import main as gate_main

    assert gate_main(["--stack", "selfmanaged", "--project-dir", str(ROOT)]) == 0
    out = capsys.readouterr().out
    assert "secure-kafka:aws:SelfManagedKafka" in out and "0 mandatory" in out and "bootstrapServers" in out


def test_issued_private_keys_are_secret_outputs():
    """Keys never reach state in plaintext: pulumi-tls marks them secret and we keep them so."""
    from pulumi.runtime.sync_await import _sync_await

    from secure_kafka.certificates import generate_ca, issue_certificates
    from secure_kafka.gate.mockrun import record
    from secure_kafka.model import pki

    seen = {}

    def program():
        parent = pulumi.ComponentResource("test:index:Parent", "p")
        ca = generate_ca("t", "orders", parent)
        issued = issue_certificates("t", [pki.PkiNode(s) for s in pki.broker_certs("orders", [["10.0.0.1"]])],
                                    ca, parent)
        key, cert = issued["broker-0"]
        seen["key"] = _sync_await(key.is_secret())
        seen["cert"] = _sync_await(cert.is_secret())

    record(program)
    assert seen == {"key": True, "cert": False}


def test_access_model_becomes_acls_at_boot_and_client_certificates(stack):
    config, run = stack
    grants = config["secure-kafka:selfManaged"]["access"]
    types = by_type(run.resources)
    [first] = [i for i in types["aws:ec2/instance:Instance"] if i.name.endswith("-broker-0")]
    others = [i for i in types["aws:ec2/instance:Instance"] if "-broker-" in i.name and i is not first]
    commands = [c[-1] for c in yaml.safe_load(first.properties["userData"])["runcmd"] if c[0] == "/bin/bash"]
    acl_lines = [c for c in commands if "kafka-acls.sh" in c]
    expected = {(g["client"], t, op) for g in grants for t, op in
                [(t, "Write") for t in g.get("produce", [])] + [(t, "Read") for t in g.get("consume", [])]}
    for client, topic, op in expected:
        assert any(f"User:{client}" in line and f"--topic {topic}" in line and f"--operation {op}" in line
                   for line in acl_lines), (client, topic, op)
    assert any("kafka-configs.sh" in c and "--entity-default" in c for c in commands)
    assert len(others) == 2  # the other brokers
    assert all("kafka-acls.sh" not in str(i.properties["userData"]) for i in others)
    client_secrets = {s.properties["name"] for s in types["aws:secretsmanager/secret:Secret"] if "/tls/client-" in s.properties["name"]}
    assert client_secrets == {f"secure-kafka/orders-kafka/tls/client-{g['client']}" for g in grants}
    [broker_role] = [p for p in types["aws:iam/rolePolicy:RolePolicy"] if "brokers" in p.name]
    readable = json.loads(broker_role.properties["policy"])["Statement"][0]["Resource"]
    assert len(readable) == 3 and not any("client-" in arn for arn in readable)
