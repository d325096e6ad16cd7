"""ZooKeeperEnsemble: a dedicated ensemble on EC2, TLS-only for clients and quorum."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Optional, Sequence

import pulumi

from kafka_guardrails.versions import APACHE

from ..model import pki
from ..model.checks import (NAME, check_ensemble_size, check_https_egress, check_instance_type, check_int, check_kms_arn,
                            check_security_group_id, check_subnet_id, check_vpc_id)
from ..model.errors import ConfigError
from ..model.outputs import check_now, checked, hold_children
from ..model.problems import Problems
from ..model.releases import check_release
from ..model.renames import renamed
from ..render import render_properties
from ..render.cloudinit import CLOUDWATCH_START, LOG_DIR, TLS_DIR, NodeBoot, cloud_config, cloudwatch_agent_config
from ..render.kafka import PemFiles
from ..render.zookeeper import (ELECTION_PORT, QUORUM_PORT, SECURE_CLIENT_PORT, QuorumMember, ZooKeeperSettings, myid,
                                zoo_cfg)
from . import nodes
from .keys import CustomerKey, CustomerKeyArgs
from .msk import LOG_RETENTION_DAYS
from .quorum_nodes import launch_quorum
from .security_groups import validate_vpc_cidr

NODE_FILES = PemFiles(keystore=f"{TLS_DIR}/node.pem", truststore=f"{TLS_DIR}/ca.pem")
DATA_DEVICE = "/dev/sdf"


@renamed(node_count="zookeeper_count")
@dataclass(frozen=True)
class ZooKeeperEnsembleArgs(nodes.NodeGroupArgs):
    """A dedicated ensemble; NodeGroupArgs (cluster, VPC, subnets, key, CA, retention, tags) plus:

    Attributes:
        zookeeper_count: 3 (default) or 5; 1 only outside prod (0.2.0's `node_count`: deprecated).
        client_security_group_ids: the groups (may be Outputs) whose members may reach the TLS
            client port 2182; nobody else can, and there is no plaintext port.
    """

    zookeeper_count: int = 3
    client_security_group_ids: Sequence["pulumi.Input[str]"] = ()


def validate_ensemble_args(args: ZooKeeperEnsembleArgs, label: Callable[[str], str] = lambda n: n) -> None:
    """Every bad argument at once: the ensemble's size, its node group, its CA."""
    problems = Problems()
    with problems:
        check_ensemble_size(args.zookeeper_count, args.environment, label("zookeeper_count"))
    with problems:
        validate_nodes(args, label)
    with problems:
        pki.validate_ca(args.ca, label)
    check_release(problems, label, APACHE, nodes.release(args, "zookeeper"), "zookeeper", args.accept_version_risks)
    problems.raise_all()


def validate_nodes(args: nodes.NodeGroupArgs, label: Callable[[str], str]) -> None:
    """Checks shared by every EC2 node group: subnets, sizes, names, retention; every failure at once."""
    problems = Problems()
    with problems:
        if not isinstance(args.cluster, str) or not NAME.match(args.cluster):
            raise ConfigError(label("cluster"), args.cluster,
                              "lowercase letters, digits and '-' (used in certificate subjects)")
    with problems:
        check_now(args.vpc_id, check_vpc_id, label("vpc_id"))
    with problems:
        check_now(args.vpc_cidr, validate_vpc_cidr, label("vpc_cidr"))
    with problems:
        if isinstance(args.subnet_ids, str) or not isinstance(args.subnet_ids, Sequence) or not args.subnet_ids:
            raise ConfigError(label("subnet_ids"), args.subnet_ids, "a non-empty list of private subnets, one per AZ")
        for subnet in args.subnet_ids:
            check_now(subnet, check_subnet_id, label("subnet_ids"))
    with problems:
        if args.kms_key_arn is not None:
            check_now(args.kms_key_arn, check_kms_arn, label("kms_key_arn"))
    for attr, low, high in (("root_gib", 8, 1024), ("data_gib", 10, 16384)):
        with problems:
            check_int(getattr(args, attr), label(attr), low, high, f"an integer {low}-{high} (GiB)")
    with problems:
        if args.log_retention_days not in LOG_RETENTION_DAYS:
            raise ConfigError(label("log_retention_days"), args.log_retention_days,
                              "one of CloudWatch's retention periods")
    with problems:
        check_instance_type(args.instance_type, label("instance_type"))
    with problems:
        check_https_egress(args.https_egress_cidrs, label("https_egress_cidrs"), args.environment,
                           "VPC endpoint ranges, and your OAuth provider's when OAuth is on")
    problems.raise_all()


class ZooKeeperEnsemble(pulumi.ComponentResource):
    """3 or 5 ZooKeeper nodes over the given subnets. Clients reach only the TLS port 2182 and
    must present a certificate from the cluster CA; quorum ports are open only inside the ensemble.

    Outputs: `connect_string` (host:2182,...), `security_group_id`, `key_arn`.
    """

    connect_string: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: ZooKeeperEnsembleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate_ensemble_args(args)
        where = nodes.placement(args)
        peers = [checked(peer, check_security_group_id, f"client_security_group_ids[{i}]")
                 for i, peer in enumerate(args.client_security_group_ids)]
        super().__init__("secure-kafka:aws:ZooKeeperEnsemble", name, None, hold_children(opts, where.checks() + peers))
        tags = nodes.group_tags(args, "zookeeper")
        key_arn = where.kms_key_arn or CustomerKey(f"{name}-data", CustomerKeyArgs(
            description=f"ZooKeeper {args.cluster}: volumes, TLS secrets, logs", alias=f"secure-kafka/{name}",
            log_group_names=[nodes.log_group_name(args.cluster, "zookeeper")], tags=tags),
            opts=pulumi.ResourceOptions(parent=self)).arn
        self.security_group = nodes.node_security_group(f"{name}-zk", where.vpc_id, f"ZooKeeper {args.cluster}", tags, self)
        sg = self.security_group.id
        for peer_index, peer in enumerate(peers):
            nodes.group_rule(f"{name}-client-{peer_index}", sg, SECURE_CLIENT_PORT, peer_group=peer,
                               description="ZooKeeper clients (Kafka brokers), TLS only", parent=self)
        for port, what in ((QUORUM_PORT, "quorum"), (ELECTION_PORT, "leader election")):
            nodes.peer_port(f"{name}-{what.split()[-1]}", sg, port, f"ZooKeeper {what} inside the ensemble", self)
        nodes.https_egress(name, sg, args.https_egress_cidrs or [where.vpc_cidr], self)

        launched = launch_quorum(name, args, args.zookeeper_count, where, sg, key_arn, "zookeeper", tags,
                                 pki.zookeeper_certs, partial(_user_data, nodes.release(args, "zookeeper")),
                                 DATA_DEVICE, self)
        self.pki, self.instances, ips = launched.pki, launched.instances, launched.ips
        self.connect_string = pulumi.Output.all(*ips).apply(
            lambda v: ",".join(f"{ip}:{SECURE_CLIENT_PORT}" for ip in v))
        self.security_group_id = sg
        self.key_arn = pulumi.Output.from_input(key_arn)
        self.register_outputs({"connectString": self.connect_string, "securityGroupId": sg})


def _user_data(kafka_version: str, index: int, resolved: list[Any]) -> str:
    ips, secret_arn, region, log_group = resolved
    return zookeeper_user_data(index, ips, secret_arn, region, log_group, kafka_version)


def zookeeper_user_data(index: int, ips: Sequence[str], secret_arn: str, region: str, log_group: str,
                        kafka_version: str) -> str:
    """Pure: one member's boot document from the ensemble's addresses."""
    members = [QuorumMember(i + 1, ip, QUORUM_PORT, ELECTION_PORT) for i, ip in enumerate(ips)]
    settings = ZooKeeperSettings(index + 1, members, "/var/lib/kafka/zookeeper", NODE_FILES, SECURE_CLIENT_PORT)
    files = {
        "/etc/kafka/zoo.cfg": render_properties(zoo_cfg(settings)),
        "/var/lib/kafka/zookeeper/myid": myid(settings),
        "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json":
            cloudwatch_agent_config(log_group, {"zookeeper": f"{LOG_DIR}/server.log"}),
    }
    return cloud_config(NodeBoot("zookeeper", f"zookeeper-{index + 1}", region, secret_arn, "/etc/kafka/zoo.cfg",
                                 files, kafka_version=kafka_version, heap="1g",
                                 data_device=DATA_DEVICE, log_group=log_group, post_start=(CLOUDWATCH_START,)))

