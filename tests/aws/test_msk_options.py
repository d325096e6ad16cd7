"""MskCluster's late-2026 options under Pulumi SDK mocks: Express brokers, the in-place ZooKeeper ->
KRaft move, multi-VPC connectivity for named accounts, and topics as code — each built, judged by
the pack, and refused with one error where MSK (or our durability guards) would not have it."""
import json
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import assert_refused, by_type

from secure_kafka import ClientAccess, MskCluster, MskClusterArgs, MskTopic
from secure_kafka.gate.mockrun import record
from secure_kafka.gate.verdict import judge
from secure_kafka.render import parse_properties
from secure_kafka.stack.config import parse

PACK = Path(__file__).resolve().parents[2] / "policies"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
ARGS = MskClusterArgs(vpc_id="vpc-0a1b2c3d4e5f60718", vpc_cidr="10.0.0.0/16", subnet_ids=SUBNETS,
                      clients=[ClientAccess("orders", cidr="10.0.32.0/20")], auth_modes=("iam", "scram"),
                      scram_users=("orders",))
EXPRESS = replace(ARGS, instance_type="express.m7g.large")
ACCOUNTS = ["444455556666", "111122223333"]
# The actions a multi-VPC client account needs (MSK developer guide, "multi-VPC private connectivity").
VPC_CONNECTION_ACTIONS = {"kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeCluster",
                          "kafka:DescribeClusterV2"}


def built(args, name="c"):
    run = record(lambda: MskCluster(name, args), preview=False)
    return run, by_type(run.resources)


def pack_findings(run):
    verdicts, _ = judge(PACK, run.resources, project="p", stack="s", preview=False)
    return {v.resource.name: [d.policy for d in v.diagnostics] for v in verdicts if v.diagnostics}


def test_express_brokers_have_no_volume_no_autoscaling_and_msk_fixed_durability():
    standard_run, standard = built(ARGS)
    run, types = built(EXPRESS)
    [cluster] = types["aws:msk/cluster:Cluster"]
    group = cluster.properties["brokerNodeGroupInfo"]
    assert group["instanceType"] == "express.m7g.large" and "storageInfo" not in group
    assert "storageInfo" in standard["aws:msk/cluster:Cluster"][0].properties["brokerNodeGroupInfo"]
    assert not any(t.startswith("aws:appautoscaling") for t in types)
    assert {"aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy"} <= set(standard)
    props = parse_properties(types["aws:msk/configuration:Configuration"][0].properties["serverProperties"])
    assert props == {"allow.everyone.if.no.acl.found": "false", "auto.create.topics.enable": "false"}
    standard_props = parse_properties(standard["aws:msk/configuration:Configuration"][0].properties["serverProperties"])
    assert standard_props["min.insync.replicas"] == "2" and standard_props["unclean.leader.election.enable"] == "false"
    assert pack_findings(run) == {} == pack_findings(standard_run)


def test_the_in_place_kraft_move_builds_on_three_zones_from_3_9():
    run, types = built(replace(ARGS, current_kafka_version="3.9.x", kafka_version="3.9.x.kraft"))
    [cluster] = types["aws:msk/cluster:Cluster"]
    assert cluster.properties["kafkaVersion"] == "3.9.x.kraft"
    assert types["aws:msk/configuration:Configuration"][0].properties["kafkaVersions"] == ["3.9.x.kraft"]
    assert pack_findings(run) == {}
    express_run, _ = built(replace(EXPRESS, current_kafka_version="3.9.x", kafka_version="3.9.x.kraft"))
    assert pack_findings(express_run) == {}


def test_multi_vpc_connectivity_names_exactly_the_accounts_and_the_pack_holds_on_it():
    run, types = built(replace(ARGS, cross_account_ids=ACCOUNTS))
    [cluster] = types["aws:msk/cluster:Cluster"]
    auth = cluster.properties["brokerNodeGroupInfo"]["connectivityInfo"]["vpcConnectivity"]["clientAuthentication"]
    assert auth == {"sasl": {"iam": True, "scram": True}, "tls": False}  # the cluster's own modes, no more
    [policy] = types["aws:msk/clusterPolicy:ClusterPolicy"]
    document = json.loads(policy.properties["policy"])
    [statement] = document["Statement"]
    assert statement["Principal"] == {"AWS": sorted(ACCOUNTS)} and statement["Effect"] == "Allow"
    assert set(statement["Action"]) == VPC_CONNECTION_ACTIONS and "Condition" not in statement
    assert statement["Resource"] == policy.properties["clusterArn"]
    assert pack_findings(run) == {}
    # the same document with a wildcard principal is what KAFKA-MSK-008 blocks
    from kafka_guardrails import Resource, judge_resource
    opened = {**document, "Statement": [{**statement, "Principal": {"AWS": "*"}}]}
    found = judge_resource(Resource(policy.type, {**policy.properties, "policy": json.dumps(opened)}))
    assert [f.rule_id for f in found] == ["KAFKA-MSK-008"]
    _, plain = built(ARGS)
    assert "aws:msk/clusterPolicy:ClusterPolicy" not in plain
    assert "vpcConnectivity" not in plain["aws:msk/cluster:Cluster"][0].properties["brokerNodeGroupInfo"]["connectivityInfo"]


def test_topics_carry_their_durability_and_the_pack_reads_them():
    topics = [MskTopic("orders", 12), MskTopic("audit", 3, replication_factor=3, min_insync_replicas=3,
                                                  config={"retention.ms": 604800000, "compression.type": "zstd"})]
    run, types = built(replace(ARGS, topics=topics))
    got = {t.properties["name"]: t for t in types["aws:msk/topic:Topic"]}
    assert set(got) == {"orders", "audit"}
    assert got["orders"].properties["partitionCount"] == 12 and got["orders"].properties["replicationFactor"] == 3
    assert json.loads(got["orders"].properties["configs"]) == {"min.insync.replicas": "2"}  # the cluster's, written out
    assert json.loads(got["audit"].properties["configs"]) == {
        "min.insync.replicas": "3", "retention.ms": "604800000", "compression.type": "zstd"}
    [arn] = {t.properties["clusterArn"] for t in got.values()}
    assert arn.startswith("arn:aws:kafka:") and ":cluster/c/" in arn  # the mock's ARN of this cluster
    assert pack_findings(run) == {}


def test_topics_come_from_the_stack_file():
    config = parse({"environment": "dev", "platform": "msk", "vpcId": ARGS.vpc_id, "vpcCidr": ARGS.vpc_cidr,
                    "clients": [{"name": "orders", "cidr": "10.0.32.0/20"}],
                    "msk": {"subnetIds": SUBNETS, "crossAccountIds": ["111122223333"],
                                         "currentKafkaVersion": "3.9.x", "kafkaVersion": "3.9.x.kraft",
                                         "topics": [{"name": "orders", "partitions": 12,
                                                     "config": {"retention.ms": "86400000"}}]}})
    assert config.args.topics == (MskTopic("orders", 12, config={"retention.ms": "86400000"}),)
    assert tuple(config.args.cross_account_ids) == ("111122223333",) and config.args.current_kafka_version == "3.9.x"


BAD = [
    # Express
    ({**vars(EXPRESS), "subnet_ids": SUBNETS[:2], "broker_count": 2, "replication_factor": 2}, "subnet_ids",
     "Express brokers run in three"),
    ({**vars(EXPRESS), "volume_size_gib": 500, "max_volume_size_gib": 1000}, "volume_size_gib", "no EBS volume"),
    ({**vars(EXPRESS), "storage_target_utilization": 70}, "storage_target_utilization", "MSK manages their storage"),
    ({**vars(EXPRESS), "broker_count": 6, "replication_factor": 2}, "replication_factor",
     "3: MSK fixes it on Express"),
    ({**vars(EXPRESS), "min_insync_replicas": 3}, "min_insync_replicas", "2: MSK fixes it on Express"),
    # version paths
    ({"current_kafka_version": "3.8.x", "kafka_version": "3.9.x.kraft"}, "kafka_version", "upgrade 3.8.x to 3.9.x first"),
    ({"current_kafka_version": "3.9.x", "kafka_version": "4.1.x.kraft"}, "kafka_version", "3.9.x.kraft from 3.9.x"),
    ({"current_kafka_version": "3.9.x", "kafka_version": "3.9.x.kraft", "subnet_ids": SUBNETS[:2],
      "broker_count": 2}, "subnet_ids", "only on three"),
    ({"current_kafka_version": "3.9.x", "kafka_version": "3.9.x.kraft", "instance_type": "kafka.t3.small"},
     "instance_type", "kafka.t3.small"),
    ({"current_kafka_version": "3.9.x.kraft", "kafka_version": "3.9.x"}, "kafka_version", "cannot go back to ZooKeeper"),
    ({"current_kafka_version": "3.9.x", "kafka_version": "3.8.x"}, "kafka_version", "cannot downgrade"),
    ({"current_kafka_version": "4.1.x.kraft", "kafka_version": "3.9.x.kraft"}, "kafka_version", "cannot downgrade"),
    ({"current_kafka_version": "3.5.1"}, "current_kafka_version", "a version MSK offers"),
    # multi-VPC accounts
    ({"cross_account_ids": ["*"]}, "cross_account_ids", "named accounts only"),
    ({"cross_account_ids": ["12345"]}, "cross_account_ids", "12-digit"),
    ({"cross_account_ids": "111122223333"}, "cross_account_ids", "a list of 12-digit"),
    ({"cross_account_ids": ["111122223333", "111122223333"]}, "cross_account_ids", "distinct"),
    ({"cross_account_ids": ["111122223333"], "instance_type": "kafka.t3.small"}, "cross_account_ids",
     "none on kafka.t3.small"),
    # topics
    ({"topics": [MskTopic("orders", replication_factor=1)]}, "topics[0].replication_factor", "from 2"),
    ({"topics": [MskTopic("orders", replication_factor=4)]}, "topics[0].replication_factor", "broker count (3)"),
    ({"topics": [MskTopic("orders", replication_factor=2, min_insync_replicas=3)]}, "topics[0].min_insync_replicas",
     "replication factor (2)"),
    ({"topics": [MskTopic("orders", min_insync_replicas=1)]}, "topics[0].min_insync_replicas", "from 2"),
    ({"topics": [MskTopic("orders", 0)]}, "topics[0].partitions", "1-10000"),
    ({"topics": [MskTopic("bad topic")]}, "topics[0].name", "Kafka's rule"),
    ({"topics": [MskTopic("orders"), MskTopic("orders")]}, "topics[1].name", "no other topic"),
    ({"topics": [MskTopic("orders", config={"min.insync.replicas": "1"})]},
     "topics[0].config['min.insync.replicas']", "min_insync_replicas field"),
    ({"topics": [MskTopic("orders", config={"unclean.leader.election.enable": True})]},
     "topics[0].config['unclean.leader.election.enable']", "only false"),
    ({"topics": ["orders"]}, "topics[0]", "an MskTopic"),
]


@pytest.mark.parametrize("change,setting,fragment", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_before_any_resource(monitor, change, setting, fragment):
    assert_refused(monitor, lambda: MskCluster("kafka", replace(ARGS, **change)), setting, fragment)
