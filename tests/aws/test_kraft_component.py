"""SelfManagedKafka in KRaft mode (a dedicated controller quorum, no ZooKeeper) under Pulumi SDK
mocks, through the `kraft` stack and through the component's own arguments."""
import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from helpers import ZK_ACCEPTED, ZK_MODE, assert_refused, by_type

from secure_kafka import ClientAccess
from secure_kafka.aws.self_managed import SelfManagedKafka, SelfManagedKafkaArgs
from secure_kafka.aws.controllers import KRaftControllerQuorum, KRaftControllerQuorumArgs
from secure_kafka.gate import run_program
from secure_kafka.gate.mockrun import record
from secure_kafka.gate.verdict import judge, mandatory_count
from secure_kafka.render import parse_properties
from secure_kafka.render.kraft import cluster_id

ROOT = Path(__file__).resolve().parents[2]
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
ARGS = SelfManagedKafkaArgs(cluster="orders", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                            subnet_ids=SUBNETS, clients=[ClientAccess("orders", cidr="10.0.32.0/20")],
                            metadata_mode="kraft")


@pytest.fixture(scope="module")
def stack():
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.kraft.yaml").read_text())["config"]
    return config, run_program(ROOT, "kraft")


def boot(instance):
    document = yaml.safe_load(instance.properties["userData"])
    return {f["path"]: f["content"] for f in document["write_files"]}, document["runcmd"]


def nodes(run, role):
    found = sorted((i for i in by_type(run.resources)["aws:ec2/instance:Instance"] if role in i.name),
                   key=lambda i: i.name)
    return found


def test_a_controller_quorum_replaces_zookeeper(stack):
    config, run = stack
    types = {r.type for r in run.resources}
    assert "secure-kafka:aws:KRaftControllerQuorum" in types and "secure-kafka:aws:ZooKeeperEnsemble" not in types
    block = config["secure-kafka:selfManaged"]
    controllers, brokers = nodes(run, "-ctl-"), nodes(run, "-broker-")
    assert len(controllers) == block["controllerCount"] and len(brokers) == block["brokerCount"]
    assert "zookeeperConnect" not in run.outputs
    voters = run.outputs["controllerQuorumVoters"].split(",")
    assert len(voters) == block["controllerCount"]
    assert all(v.startswith(f"{1000 + i}@") and v.endswith(":9093") for i, v in enumerate(voters))


def test_every_node_is_formatted_into_one_cluster_and_talks_tls_only(stack):
    config, run = stack
    controllers, brokers = nodes(run, "-ctl-"), nodes(run, "-broker-")
    assert len(controllers) == 3 and len(brokers) == 3
    voters = run.outputs["controllerQuorumVoters"]
    ids = set()
    for index, node in enumerate(controllers):
        files, runcmd = boot(node)
        props = parse_properties(files["/etc/kafka/controller.properties"])
        assert props["process.roles"] == "controller" and props["node.id"] == str(1000 + index)
        assert props["controller.quorum.voters"] == voters
        assert props["listener.security.protocol.map"] == "CONTROLLER:SSL" and props["ssl.client.auth"] == "required"
        assert props["allow.everyone.if.no.acl.found"] == "false"
        assert props["default.replication.factor"] == str(config["secure-kafka:selfManaged"]["replicationFactor"])
        [fmt] = [c for c in runcmd if "format" in c]
        assert fmt[:4] == ["runuser", "-u", "kafka", "--"] and fmt[-1] == "/etc/kafka/controller.properties"
        ids.add(fmt[fmt.index("-t") + 1])
        # formatted before the service first starts
        assert runcmd.index(fmt) < runcmd.index(["systemctl", "enable", "--now", "kafka.service"])
    for index, node in enumerate(brokers):
        files, runcmd = boot(node)
        props = parse_properties(files["/etc/kafka/server.properties"])
        assert props["process.roles"] == "broker" and props["node.id"] == str(index)
        assert props["controller.quorum.voters"] == voters and "zookeeper.connect" not in props
        assert "PLAINTEXT" not in props["listener.security.protocol.map"].replace("SASL_SSL", "")
        assert all(l.split("://")[0] in ("SSL", "SASL_SSL") for l in props["listeners"].split(","))
        [fmt] = [c for c in runcmd if "format" in c]
        ids.add(fmt[fmt.index("-t") + 1])
    assert len(ids) == 1
    [the_id] = ids
    assert the_id == cluster_id(f"secure-kafka/kraft/{config['secure-kafka:clusterName']}")


def test_the_controller_port_is_open_only_between_controllers_and_from_brokers(stack):
    config, run = stack
    types = by_type(run.resources)
    broker_sg = run.outputs["securityGroupId"]
    ingress, egress = types[INGRESS], types[EGRESS]
    assert len(types["aws:ec2/securityGroup:SecurityGroup"]) == 2
    controller_sgs = {r.properties["securityGroupId"] for r in ingress} - {broker_sg}
    assert len(controller_sgs) == 1
    [ctl_sg] = controller_sgs
    assert {(r.properties["fromPort"], r.properties.get("referencedSecurityGroupId"), r.properties.get("cidrIpv4"))
            for r in ingress if r.properties["securityGroupId"] == ctl_sg} == {(9093, broker_sg, None),
                                                                               (9093, ctl_sg, None)}
    assert not [r for r in ingress + egress if r.properties["fromPort"] in (2181, 2182, 2888, 3888, 9092)]
    broker_out = {(r.properties["fromPort"], r.properties.get("referencedSecurityGroupId") or r.properties["cidrIpv4"])
                  for r in egress if r.properties["securityGroupId"] == broker_sg}
    assert broker_out == {(9093, ctl_sg), (9094, broker_sg), (443, config["secure-kafka:vpcCidr"])}
    ctl_out = {(r.properties["fromPort"], r.properties.get("referencedSecurityGroupId") or r.properties["cidrIpv4"])
               for r in egress if r.properties["securityGroupId"] == ctl_sg}
    assert ctl_out == {(9093, ctl_sg), (443, config["secure-kafka:vpcCidr"])}  # never to the brokers


def test_controller_certificates_name_their_addresses(stack):
    _, run = stack
    requests = [r.properties for r in by_type(run.resources)["tls:index/certRequest:CertRequest"]
                if "controller" in r.name]
    assert len(requests) == 3
    voter_ips = sorted(v.split("@")[1].rsplit(":", 1)[0] for v in run.outputs["controllerQuorumVoters"].split(","))
    assert {r["subject"]["commonName"] for r in requests} == {"kafka-controller"}
    assert sorted(ip for r in requests for ip in r["ipAddresses"]) == voter_ips


def test_kraft_stack_passes_the_pack(stack):
    _, run = stack
    verdicts, stack_diags = judge(ROOT / "policies", run.resources, project="secure-kafka", stack="kraft",
                                  preview=True)
    assert mandatory_count(verdicts, stack_diags) == 0
    assert {"secure-kafka:aws:SelfManagedKafka", "secure-kafka:aws:KRaftControllerQuorum"} <= {
        v.resource.type for v in verdicts}


def test_kraft_on_4_4_is_the_default_and_zookeeper_mode_needs_its_risks_accepted(monitor):
    plain = replace(ARGS, metadata_mode=SelfManagedKafkaArgs.__dataclass_fields__["metadata_mode"].default)
    run = record(lambda: SelfManagedKafka("kafka", plain))
    types = {r.type for r in run.resources}
    assert "secure-kafka:aws:KRaftControllerQuorum" in types and "secure-kafka:aws:ZooKeeperEnsemble" not in types
    downloads = {v for r in run.resources if r.type == "aws:ec2/instance:Instance"
                 for v in re.findall(r"kafka_2\.13-([0-9.]+)\.tgz", r.properties["userData"])}
    assert downloads == {"4.4.0"}
    assert_refused(monitor, lambda: SelfManagedKafka("kafka", replace(ARGS, metadata_mode="zookeeper")),
                   "kafka_version", "accept each by name in accept_version_risks: [CVE-2026-111115")
    zk = record(lambda: SelfManagedKafka("kafka", replace(ARGS, **ZK_MODE)))
    instances = [r for r in zk.resources if r.type == "aws:ec2/instance:Instance"]
    assert {r.properties["tags"]["secure-kafka:accepted-version-risks"] for r in instances} == {" ".join(ZK_ACCEPTED)}
    assert {v for r in instances for v in re.findall(r"kafka_2\.13-([0-9.]+)\.tgz", r.properties["userData"])} \
        == {"3.9.2"}
    assert "secure-kafka:aws:ZooKeeperEnsemble" in {r.type for r in zk.resources}


def test_dev_may_run_a_single_controller(monitor):
    run = record(lambda: SelfManagedKafka("kafka", replace(ARGS, environment="dev", controller_count=1,
                                                            broker_count=2, replication_factor=2)))
    assert len([r for r in run.resources if r.type == "aws:ec2/instance:Instance" and "-ctl-" in r.name]) == 1


def test_the_cluster_id_is_stable_and_never_an_option():
    ids = [cluster_id(f"project/stack/cluster-{i}") for i in range(2000)]
    assert len(ids) == 2000 and len(set(ids)) == 2000
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
    assert cluster_id("a/b/c") == cluster_id("a/b/c") != cluster_id("a/b/d")


BAD = [
    ({"metadata_mode": "zk"}, "metadata_mode", "kraft"),
    ({"metadata_mode": "KRaft"}, "metadata_mode", "zookeeper"),
    ({"controller_count": 2}, "controller_count", "odd controller quorum"),
    ({"controller_count": 4}, "controller_count", "odd controller quorum"),
    ({"controller_count": 1}, "controller_count", "at least 3 nodes in prod"),
    ({"controller_instance_type": "m6i.hyge"}, "controller_instance_type", ""),
    ({"zookeeper_count": 5}, "zookeeper_count", "nothing with metadata_mode kraft"),
    ({"metadata_mode": "zookeeper", "controller_count": 5}, "controller_count", "nothing with metadata_mode zookeeper"),
]


@pytest.mark.parametrize("change,setting,fragment", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_before_any_resource(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: SelfManagedKafka("kafka", replace(ARGS, **change)), setting, fragment)


def test_the_quorum_alone_refuses_a_bad_broker_group(monitor):
    args = KRaftControllerQuorumArgs(cluster="orders", vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16",
                                     subnet_ids=SUBNETS, broker_security_group_ids=["sg-nope"])
    assert_refused(monitor, lambda: KRaftControllerQuorum("ctl", args), "broker_security_group_ids[0]", "sg-")
