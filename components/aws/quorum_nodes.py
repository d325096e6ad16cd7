"""The EC2 nodes of a metadata quorum (ZooKeeper ensemble or KRaft controllers): spread over the
subnets, one certificate per node naming its address, a log group and a role of their own, and
each node booted from a pure function of the quorum's addresses."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Mapping, Optional, Sequence

import pulumi

from ..model import pki
from . import nodes
from .cluster_pki import ClusterPki, ClusterPkiArgs
from .rollout import RolloutChain

# (node index, [every node's IP, this node's TLS secret ARN, region, log group]) -> user data
Boot = Callable[[int, list[Any]], str]


@dataclass(frozen=True)
class QuorumNodes:
    ips: list[pulumi.Output[str]]
    pki: ClusterPki
    instances: list[pulumi.Resource]


def launch_quorum(name: str, args: nodes.NodeGroupArgs, count: int, where: nodes.Placement,
                  sg: pulumi.Input[str], key_arn: pulumi.Input[str], role: str, tags: Mapping[str, str],
                  certs: Callable[[str, Sequence[Sequence[str]]], list[pki.CertSpec]], boot: Boot,
                  data_device: str, parent: pulumi.Resource, ca: Optional[pki.BringYourOwnCa] = None,
                  chain: Optional[RolloutChain] = None) -> QuorumNodes:
    launched, enis = nodes.launch(nodes.NodeLaunch(name, count, args.instance_type, args.root_gib, args.data_gib,
                                                    first=1), where, sg, tags, parent)
    ips = [e.private_ip for e in enis]
    specs = certs(args.cluster, [[]] * len(launched))
    cluster_pki = ClusterPki(f"{name}-pki", ClusterPkiArgs(
        args.cluster, [pki.PkiNode(s, pulumi.Output.all(ip).apply(list)) for s, ip in zip(specs, ips)],
        key_arn, ca=ca or args.ca), opts=pulumi.ResourceOptions(parent=parent))
    logs = nodes.encrypted_log_group(name, args.cluster, role, key_arn, args.log_retention_days, tags, parent)
    profile = nodes.instance_profile(f"{name}-{'zk' if role == 'zookeeper' else 'ctl'}",
                                       secret_arns=list(cluster_pki.secret_arns.values()), key_arn=key_arn,
                                       log_group_arn=logs.arn, tags=tags, parent=parent)
    ami = args.ami_id or nodes.amazon_linux(parent)
    region = nodes.region(parent)
    instances: list[pulumi.Resource] = []
    for index, (node, eni, spec) in enumerate(zip(launched, enis, specs)):
        user_data = pulumi.Output.all(ips, cluster_pki.secret_arns[spec.name], region, logs.name).apply(
            partial(boot, index))
        # One at a time: a change to the quorum's boot documents must never replace every member at
        # once (a majority would restart empty); with a `chain`, each also waits until the quorum
        # can lose a member and the replaced one is back (KRaft controllers, rollout.QuorumRollout).
        instance = nodes.instance(node, ami=ami, eni=eni, profile=profile, key_arn=key_arn, user_data=user_data,
                                    tags=tags, parent=parent, data_device=data_device,
                                    depends_on=chain.before(index, user_data) if chain else instances[-1:])
        if chain:
            chain.after(index, instance, instance.id)
        instances.append(instance)
    return QuorumNodes(ips, cluster_pki, instances)
