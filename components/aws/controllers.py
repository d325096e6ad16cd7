"""KRaftControllerQuorum: Kafka's metadata quorum on EC2, in place of a ZooKeeper ensemble.

Controllers listen only on the TLS CONTROLLER port (client certificates required), which is open
only between the controllers and from the brokers' group; they never open connections to brokers.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Optional, Sequence

import pulumi

from kafka_guardrails.versions import APACHE

from ..model import pki
from ..model.checks import check_ensemble_size, check_int, check_security_group_id
from ..model.outputs import checked, hold_children
from ..model.problems import Problems
from ..model.releases import check_release
from ..model.renames import renamed
from ..render import render_properties
from ..render.cloudinit import CLOUDWATCH_START, KAFKA_HOME, LOG_DIR, NodeBoot, cloud_config, cloudwatch_agent_config

from ..render.kraft import (CONTROLLER_ID_BASE, CONTROLLER_PORT, ControllerSettings, Voter, cluster_id,
                            controller_properties, format_command, quorum_voters)
from ..render.loginpolicy import JAR_NAME, policy_jar
from . import nodes
from .keys import CustomerKey, CustomerKeyArgs
from .quorum_nodes import launch_quorum
from .rollout import QuorumRollout, RolloutChain, controller_gate_command
from .zookeeper import DATA_DEVICE, NODE_FILES, validate_nodes

CONFIG_PATH = "/etc/kafka/controller.properties"


@renamed(node_count="controller_count")
@dataclass(frozen=True)
class KRaftControllerQuorumArgs(nodes.NodeGroupArgs):
    """A dedicated controller quorum; NodeGroupArgs (cluster, VPC, subnets, key, CA, retention, tags) plus:

    Attributes:
        controller_count: 3 (default) or 5; 1 only outside prod (0.2.0's `node_count`: deprecated).
        broker_security_group_ids: the groups (may be Outputs) whose members may reach the
            CONTROLLER port 9093: the brokers. Nobody else can.
        cluster_id: the KRaft cluster id every node is formatted with; by default derived from
            the project, stack and cluster name, so it never changes between updates.
        replication_factor / min_insync_replicas: topic defaults; in KRaft the controller creates
            topics, so it must carry the same defaults as the brokers.
        rollout: gate each controller's replacement on the quorum's health (`secure-kafka
            roll-gate --controller`, asked through the brokers); None: one after another, ungated.
    """

    controller_count: int = 3
    broker_security_group_ids: Sequence["pulumi.Input[str]"] = ()
    cluster_id: Optional[str] = None
    replication_factor: int = 3
    min_insync_replicas: int = 2
    rollout: Optional[QuorumRollout] = None


def validate_quorum_args(args: KRaftControllerQuorumArgs, label: Callable[[str], str] = lambda n: n) -> None:
    """Every bad argument at once: the quorum's size, its node group, its CA, the topic defaults."""
    problems = Problems()
    with problems:
        check_ensemble_size(args.controller_count, args.environment, label("controller_count"),
                            group="controller quorum")
    with problems:
        validate_nodes(args, label)
    with problems:
        pki.validate_ca(args.ca, label)
    check_release(problems, label, APACHE, nodes.release(args, "kraft"), "kraft", args.accept_version_risks)
    with problems:
        check_int(args.replication_factor, label("replication_factor"), 2, 60, "an integer 2-60")
    if problems.ok(label("replication_factor")):
        with problems:
            check_int(args.min_insync_replicas, label("min_insync_replicas"), 2, args.replication_factor,
                      f"an integer from 2 to the replication factor ({args.replication_factor})")
    problems.raise_all()


def quorum_cluster_id(args: KRaftControllerQuorumArgs) -> str:
    return args.cluster_id or cluster_id(f"{pulumi.get_project()}/{pulumi.get_stack()}/{args.cluster}")


def voters(ips: Sequence[str]) -> list[Voter]:
    return [Voter(CONTROLLER_ID_BASE + i, ip, CONTROLLER_PORT) for i, ip in enumerate(ips)]


class KRaftControllerQuorum(pulumi.ComponentResource):
    """3 or 5 KRaft controllers over the given subnets, formatted into one cluster id.

    Outputs: `quorum_voters` (the brokers' `controller.quorum.voters`), `ips`, `security_group_id`,
    `cluster_id`.
    """

    quorum_voters: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: KRaftControllerQuorumArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate_quorum_args(args)
        where = nodes.placement(args)
        peers = [checked(peer, check_security_group_id, f"broker_security_group_ids[{i}]")
                 for i, peer in enumerate(args.broker_security_group_ids)]
        super().__init__("secure-kafka:aws:KRaftControllerQuorum", name, None,
                         hold_children(opts, where.checks() + peers))
        child = pulumi.ResourceOptions(parent=self)
        tags = nodes.group_tags(args, "controller")
        key_arn = where.kms_key_arn or CustomerKey(f"{name}-data", CustomerKeyArgs(
            description=f"Kafka controllers {args.cluster}: volumes, TLS secrets, logs", alias=f"secure-kafka/{name}",
            log_group_names=[nodes.log_group_name(args.cluster, "controller")], tags=tags), opts=child).arn
        self.security_group = nodes.node_security_group(f"{name}-ctl", where.vpc_id, f"KRaft controllers {args.cluster}",
                                                          tags, self)
        sg = self.security_group.id
        for index, peer in enumerate(peers):
            nodes.group_rule(f"{name}-broker-{index}", sg, CONTROLLER_PORT, peer_group=peer,
                               description="brokers to the controller quorum, TLS with client certificates",
                               parent=self)
        nodes.peer_port(f"{name}-raft", sg, CONTROLLER_PORT, "controller quorum (Raft), TLS", self)
        nodes.https_egress(name, sg, args.https_egress_cidrs or [where.vpc_cidr], self)

        self.cluster_id = quorum_cluster_id(args)
        chain = None if args.rollout is None else RolloutChain(
            f"{name}-roll", args.controller_count, args.rollout.bootstrap, args.rollout.credentials, self,
            command_line=controller_gate_command(args.rollout.kafka_home, CONTROLLER_ID_BASE),
            gate_new_nodes=False, what="controller")
        launched = launch_quorum(name, args, args.controller_count, where, sg, key_arn, "controller", tags,
                                 pki.controller_certs, partial(_user_data, args, self.cluster_id), DATA_DEVICE, self,
                                 chain=chain)
        self.pki, self.instances, ips = launched.pki, launched.instances, launched.ips
        self.ips = pulumi.Output.all(*ips)
        self.quorum_voters = self.ips.apply(lambda v: quorum_voters(voters(v)))
        self.security_group_id = sg
        self.key_arn = pulumi.Output.from_input(key_arn)
        self.register_outputs({"quorumVoters": self.quorum_voters, "securityGroupId": sg,
                               "clusterId": self.cluster_id})


def _user_data(args: KRaftControllerQuorumArgs, cluster: str, index: int, resolved: list[Any]) -> str:
    ips, secret_arn, region, log_group = resolved
    return controller_user_data(args, cluster, index, ips, secret_arn, region, log_group)


POLICY_JAR_PATH = f"/opt/secure-kafka/lib/{JAR_NAME}"


def controller_user_data(args: KRaftControllerQuorumArgs, cluster: str, index: int, ips: Sequence[str],
                         secret_arn: str, region: str, log_group: str) -> str:
    """Pure: one controller's boot document: its config, formatted once, then started."""
    settings = ControllerSettings(
        node_id=CONTROLLER_ID_BASE + index, cluster=args.cluster, host=ips[index], voters=voters(ips),
        log_dirs="/var/lib/kafka/metadata", tls=NODE_FILES, replication_factor=args.replication_factor,
        min_insync_replicas=args.min_insync_replicas)
    files = {
        CONFIG_PATH: render_properties(controller_properties(settings)),
        "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json": cloudwatch_agent_config(
            log_group, {"server": f"{LOG_DIR}/server.log", "audit": f"{LOG_DIR}/kafka-authorizer.log"}),
    }
    return cloud_config(NodeBoot("kafka", f"controller-{index + 1}", region, secret_arn, CONFIG_PATH, files,
                                 kafka_version=nodes.release(args, "kraft"), heap="2g", data_device=DATA_DEVICE, log_group=log_group,
                                 pre_start=(format_command(KAFKA_HOME, cluster, CONFIG_PATH, (POLICY_JAR_PATH,)),),
                                 post_start=(CLOUDWATCH_START,),
                                 # the AlterConfigs policy the config names (render.loginpolicy)
                                 binary_files={POLICY_JAR_PATH: policy_jar()}, classpath=(POLICY_JAR_PATH,)))
