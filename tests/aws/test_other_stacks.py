"""The components as another team's program uses them: inputs that are Outputs of other stacks
(read through a real `pulumi.StackReference`), two instances in one program, one bootstrap string
per listener, and a bad value from another stack refused before anything of ours is registered."""
import json
from pathlib import Path

import pulumi
import pytest
from helpers import ZK_ACCEPTED, by_type

from secure_kafka import (ClientAccess, ConfigError, KafkaOnKubernetes, KafkaOnKubernetesArgs, KafkaSecurityGroup,
                          KafkaSecurityGroupArgs, MskCluster, MskClusterArgs, SelfManagedKafka, SelfManagedKafkaArgs,
                          ZooKeeperEnsemble, ZooKeeperEnsembleArgs)
from secure_kafka.gate.mockrun import STACK_REFERENCE, Mocks, RecordingMonitor, record

ROOT = Path(__file__).resolve().parents[2]
NETWORK = {**json.loads((ROOT / "examples" / "msk-shared-vpc" / "network-prod.json").read_text()),
           "storageClass": "gp3-encrypted-by-platform"}
REF = "acme/network/prod"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def inputs():
    """The network stack's outputs as a program sees them: Outputs, never plain values."""
    net = pulumi.StackReference(REF)
    subnets = net.require_output("privateSubnetIds")
    return {"vpc_id": net.require_output("vpcId"), "vpc_cidr": net.require_output("vpcCidr"),
            "subnet_ids": [subnets.apply(lambda ids, i=i: ids[i]) for i in range(3)],
            "kms_key_arn": net.require_output("dataKeyArn"), "client_sg": net.require_output("appSecurityGroupId"),
            "storage_class": net.require_output("storageClass")}


def msk(name, n):
    return MskCluster(name, MskClusterArgs(
        vpc_id=n["vpc_id"], vpc_cidr=n["vpc_cidr"], subnet_ids=n["subnet_ids"], kms_key_arn=n["kms_key_arn"],
        clients=[ClientAccess("app", security_group_id=n["client_sg"])]))


def self_managed(name, n):
    return SelfManagedKafka(name, SelfManagedKafkaArgs(
        cluster=name, vpc_id=n["vpc_id"], vpc_cidr=n["vpc_cidr"], subnet_ids=n["subnet_ids"],
        kms_key_arn=n["kms_key_arn"], listeners=("SSL", "SASL_SSL"),
        clients=[ClientAccess("app", security_group_id=n["client_sg"])]))


def zookeeper(name, n):
    return ZooKeeperEnsemble(name, ZooKeeperEnsembleArgs(
        cluster=name, vpc_id=n["vpc_id"], vpc_cidr=n["vpc_cidr"], subnet_ids=n["subnet_ids"],
        kms_key_arn=n["kms_key_arn"], client_security_group_ids=[n["client_sg"]], accept_version_risks=ZK_ACCEPTED))


def security_group(name, n):
    return KafkaSecurityGroup(name, KafkaSecurityGroupArgs(
        vpc_id=n["vpc_id"], vpc_cidr=n["vpc_cidr"], ports=[9094],
        clients=[ClientAccess("app", security_group_id=n["client_sg"])]))


def kubernetes(name, n):
    return KafkaOnKubernetes(name, KafkaOnKubernetesArgs(cluster=name, namespace=f"{name}-ns",
                                                         eks_kms_key_arn=n["kms_key_arn"]))


def kubernetes_storage_class(name, n):
    return KafkaOnKubernetes(name, KafkaOnKubernetesArgs(cluster=name, namespace=f"{name}-ns",
                                                         storage_class=n["storage_class"]))


COMPONENTS = {"kubernetes-storage-class": kubernetes_storage_class, "msk": msk, "self-managed": self_managed, "zookeeper": zookeeper, "security-group": security_group,
              "kubernetes": kubernetes}


def run(*builders, outputs=None):
    monitor = RecordingMonitor(Mocks({REF: outputs or NETWORK}))

    def program():
        n = inputs()
        for name, build in builders:
            build(name, n)
    return record(program, monitor=monitor), monitor


def ours(resources):
    return [r for r in resources if r.type != STACK_REFERENCE]


@pytest.mark.parametrize("kind", sorted(COMPONENTS))
def test_outputs_of_another_stack_reach_every_resource(kind):
    recorded, _ = run(("a", COMPONENTS[kind]))
    types = by_type(ours(recorded.resources))
    groups = types.get(SG, [])
    assert all(g.properties["vpcId"] == NETWORK["vpcId"] for g in groups)
    client_rules = [r for r in types.get(INGRESS, []) if r.properties.get("referencedSecurityGroupId")
                    == NETWORK["appSecurityGroupId"]]
    if kind == "kubernetes-storage-class":
        assert "kubernetes:storage.k8s.io/v1:StorageClass" not in types
        claims = [t for s in types["kubernetes:apps/v1:StatefulSet"] for t in s.properties["spec"]["volumeClaimTemplates"]]
        assert len(claims) == 2 and {c["spec"]["storageClassName"] for c in claims} == {NETWORK["storageClass"]}
        return
    if kind == "kubernetes":
        assert not groups
        [storage] = types["kubernetes:storage.k8s.io/v1:StorageClass"]
        assert storage.properties["parameters"]["kmsKeyId"] == NETWORK["dataKeyArn"]
        return
    assert len(groups) >= 1 and client_rules
    # the given key is used, none is created
    assert "aws:kms/key:Key" not in types
    if kind != "security-group":
        keyed = [r for r in ours(recorded.resources) if "kmsKeyId" in r.properties]
        assert keyed and {r.properties["kmsKeyId"] for r in keyed} == {NETWORK["dataKeyArn"]}
    egress_cidrs = {r.properties.get("cidrIpv4") for r in types.get(EGRESS, [])} - {None}
    assert egress_cidrs == {NETWORK["vpcCidr"]}
    if kind == "msk":
        [cluster] = types["aws:msk/cluster:Cluster"]
        assert cluster.properties["brokerNodeGroupInfo"]["clientSubnets"] == NETWORK["privateSubnetIds"]
        assert cluster.properties["encryptionInfo"]["encryptionAtRestKmsKeyArn"] == NETWORK["dataKeyArn"]
    if kind in ("self-managed", "zookeeper"):
        enis = types["aws:ec2/networkInterface:NetworkInterface"]
        assert {e.properties["subnetId"] for e in enis} == set(NETWORK["privateSubnetIds"])


# (component, output, bad value, the setting the refusal names)
BAD = [
    ("msk", "vpcCidr", "0.0.0.0/0", "vpc_cidr"),
    ("msk", "vpcId", "vpc-XYZ", "vpc_id"),
    ("msk", "privateSubnetIds", ["subnet-nope", "subnet-0c0ffee0c0ffee102", "subnet-0c0ffee0c0ffee103"], "subnet_ids"),
    ("msk", "appSecurityGroupId", "sg-1", "clients[0].securityGroupId"),
    ("msk", "dataKeyArn", "alias/aws/kafka", "kms_key_arn"),
    ("self-managed", "vpcCidr", "52.0.0.0/8", "vpc_cidr"),
    ("self-managed", "appSecurityGroupId", "0.0.0.0/0", "clients[0].securityGroupId"),
    ("zookeeper", "appSecurityGroupId", "sg-1", "client_security_group_ids[0]"),
    ("zookeeper", "privateSubnetIds", ["subnet-0c0ffee0c0ffee101", "igw-0c0ffee0c0ffee102",
                                       "subnet-0c0ffee0c0ffee103"], "subnet_ids"),
    ("security-group", "vpcCidr", "::/0", "vpc_cidr"),
    ("kubernetes", "dataKeyArn", "arn:aws:s3:::not-a-key", "eks_kms_key_arn"),
    ("kubernetes-storage-class", "storageClass", "Not_A_Name", "storage_class"),
]


@pytest.mark.parametrize("kind, output, value, setting", BAD, ids=[f"{b[0]}-{b[1]}" for b in BAD])
def test_a_bad_value_from_another_stack_creates_nothing(kind, output, value, setting):
    # control: the same program with the good outputs registers the component and its children
    good, _ = run(("a", COMPONENTS[kind]))
    assert len(ours(good.resources)) > 3

    monitor = RecordingMonitor(Mocks({REF: {**NETWORK, output: value}}))
    with pytest.raises(ValueError) as raised:
        record(lambda: COMPONENTS[kind]("a", inputs()), monitor=monitor)
    shown = next(v for v in value if v not in NETWORK[output]) if isinstance(value, list) else value
    expected = str(ConfigError(setting, shown, "")).split(" is not allowed")[0]
    assert f"{expected} is not allowed" in str(raised.value)
    # no resource of ours - not even the component - was registered (the reference is a read)
    assert monitor.recorded == []


@pytest.mark.parametrize("kind", sorted(COMPONENTS))
def test_two_instances_in_one_program_share_no_urn_or_physical_name(kind):
    one, _ = run(("a", COMPONENTS[kind]))
    two, _ = run(("a", COMPONENTS[kind]), ("b", COMPONENTS[kind]))
    single, double = ours(one.resources), ours(two.resources)
    assert len(double) == 2 * len(single)
    urns = [r.urn for r in double]
    assert len(set(urns)) == len(urns)
    # names AWS and Kubernetes hold unique: log groups, IAM, secrets, aliases, clusters, namespaces
    physical = [(r.type, r.properties.get("name") or r.properties.get("clusterName")
                 or r.properties.get("metadata", {}).get("name"),
                 r.properties.get("metadata", {}).get("namespace")) for r in double]
    named = [p for p in physical if p[1]]
    assert named or kind == "security-group"
    assert len(set(named)) == len(named), sorted(n for n in named if named.count(n) > 1)


def test_self_managed_has_one_bootstrap_string_per_listener():
    outputs = {}

    def program():
        kafka = self_managed("ledger", inputs())
        outputs["tls"], outputs["sasl"], outputs["all"] = (kafka.bootstrap_servers_tls,
                                                           kafka.bootstrap_servers_sasl_ssl, kafka.bootstrap_servers)
        for key, value in outputs.items():
            pulumi.export(key, value)
    exported = record(program, stack_outputs={REF: NETWORK}).outputs
    tls, sasl = exported["tls"].split(","), exported["sasl"].split(",")
    assert len(tls) == len(sasl) == 3
    assert {hp.rsplit(":", 1)[1] for hp in tls} == {"9094"} and {hp.rsplit(":", 1)[1] for hp in sasl} == {"9096"}
    assert [hp.rsplit(":", 1)[0] for hp in tls] == [hp.rsplit(":", 1)[0] for hp in sasl]
    assert exported["all"].split(",") == tls  # the first listener's: one address per broker
