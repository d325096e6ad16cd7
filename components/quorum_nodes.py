"""The EC2 nodes of a metadata quorum (ZooKeeper ensemble or KRaft controllers): spread over the
subnets, one certificate per node naming its address, a log group and a role of their own, and
each node booted from a pure function of the quorum's addresses."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Mapping, Optional, Sequence

import pulumi

from . import compute, pki
from .rollout import RolloutChain

# (node index, [every node's IP, this node's TLS secret ARN, region, log group]) -> user data
Boot = Callable[[int, list[Any]], str]


@dataclass(frozen=True)
class QuorumNodes:
    ips: list[pulumi.Output[str]]
    pki: pki.ClusterPki
    instances: list[pulumi.Resource]


def launch_quorum(name: str, args: compute.NodeGroupArgs, count: int, where: compute.Placement,
                  sg: pulumi.Input[str], key_arn: pulumi.Input[str], role: str, tags: Mapping[str, str],
                  certs: Callable[[str, Sequence[Sequence[str]]], list[pki.CertSpec]], boot: Boot,
                  data_device: str, parent: pulumi.Resource, ca: Optional[pki.BringYourOwnCa] = None,
                  chain: Optional[RolloutChain] = None) -> QuorumNodes:
    nodes, enis = compute.launch(compute.NodeLaunch(name, count, args.instance_type, args.root_gib, args.data_gib,
                                                    first=1), where, sg, tags, parent)
    ips = [e.private_ip for e in enis]
    specs = certs(args.cluster, [[]] * len(nodes))
    cluster_pki = pki.ClusterPki(f"{name}-pki", pki.ClusterPkiArgs(
        args.cluster, [pki.PkiNode(s, pulumi.Output.all(ip).apply(list)) for s, ip in zip(specs, ips)],
        key_arn, ca=ca or args.ca), opts=pulumi.ResourceOptions(parent=parent))
    logs = compute.encrypted_log_group(name, args.cluster, role, key_arn, args.log_retention_days, tags, parent)
    profile = compute.instance_profile(f"{name}-{'zk' if role == 'zookeeper' else 'ctl'}",
                                       secret_arns=list(cluster_pki.secret_arns.values()), key_arn=key_arn,
                                       log_group_arn=logs.arn, tags=tags, parent=parent)
    ami = args.ami_id or compute.amazon_linux(parent)
    region = compute.region(parent)
    instances: list[pulumi.Resource] = []
    for index, (node, eni, spec) in enumerate(zip(nodes, enis, specs)):
        user_data = pulumi.Output.all(ips, cluster_pki.secret_arns[spec.name], region, logs.name).apply(
            partial(boot, index))
        # One at a time: a change to the quorum's boot documents must never replace every member at
        # once (a majority would restart empty); with a `chain`, each also waits until the quorum
        # can lose a member and the replaced one is back (KRaft controllers, rollout.QuorumRollout).
        instance = compute.instance(node, ami=ami, eni=eni, profile=profile, key_arn=key_arn, user_data=user_data,
                                    tags=tags, parent=parent, data_device=data_device,
                                    depends_on=chain.before(index, user_data) if chain else instances[-1:])
        if chain:
            chain.after(index, instance, instance.id)
        instances.append(instance)
    return QuorumNodes(ips, cluster_pki, instances)
