"""KafkaOnKubernetes: 3 ZooKeeper (or 3 KRaft controller) + N Kafka pods, hardened, behind
default-deny network policies.

Validation (`validation.validate_k8s_args`) and the objects (`manifests.manifests`) are pure; this
module issues the certificates and registers each object as a child of the component.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping, Optional

import pulumi
import pulumi_kubernetes as k8s

from ..certificates import generate_ca, issue_certificates
from ..model import pki
from ..model.checks import check_kms_arn
from ..model.outputs import checked, hold_children
from ..render.kraft import cluster_id
from .args import ContainerResources, KafkaOnKubernetesArgs, check_object_name
from .manifests import broker_hosts, client_ports, controller_hosts, manifests, zookeeper_hosts
from .validation import validate_k8s_args

__all__ = ["ContainerResources", "KafkaOnKubernetes", "KafkaOnKubernetesArgs", "REGISTER", "child_name"]


# Each kind's registration; `n` is the Pulumi name: the component's name, the kind and the object's
# name, so that two clusters in one program never share a URN (the URN holds types, not parents).
REGISTER: dict[str, Callable[[str, dict[str, Any], pulumi.ResourceOptions], pulumi.Resource]] = {
    "Namespace": lambda n, m, o: k8s.core.v1.Namespace(n, metadata=m["metadata"], opts=o),
    "StorageClass": lambda n, m, o: k8s.storage.v1.StorageClass(
        n, metadata=m["metadata"], provisioner=m["provisioner"], parameters=m["parameters"],
        reclaim_policy=m["reclaimPolicy"], allow_volume_expansion=m["allowVolumeExpansion"],
        volume_binding_mode=m["volumeBindingMode"], opts=o),
    "ServiceAccount": lambda n, m, o: k8s.core.v1.ServiceAccount(
        n, metadata=m["metadata"], automount_service_account_token=m["automountServiceAccountToken"], opts=o),
    "ConfigMap": lambda n, m, o: k8s.core.v1.ConfigMap(n, metadata=m["metadata"], data=m["data"],
                                                       binary_data=m.get("binaryData"), opts=o),
    "Secret": lambda n, m, o: k8s.core.v1.Secret(n, metadata=m["metadata"], type=m["type"],
                                                 string_data=pulumi.Output.secret(m["stringData"]), opts=o),
    "NetworkPolicy": lambda n, m, o: k8s.networking.v1.NetworkPolicy(n, metadata=m["metadata"], spec=m["spec"], opts=o),
    "CiliumNetworkPolicy": lambda n, m, o: k8s.apiextensions.CustomResource(
        n, api_version=m["apiVersion"], kind=m["kind"], metadata=m["metadata"], spec=m["spec"], opts=o),
    "Service": lambda n, m, o: k8s.core.v1.Service(n, metadata=m["metadata"], spec=m["spec"], opts=o),
    "StatefulSet": lambda n, m, o: k8s.apps.v1.StatefulSet(n, metadata=m["metadata"], spec=m["spec"], opts=o),
    "PodDisruptionBudget": lambda n, m, o: k8s.policy.v1.PodDisruptionBudget(
        n, metadata=m["metadata"], spec=m["spec"], opts=o),
    "Job": lambda n, m, o: k8s.batch.v1.Job(n, metadata=m["metadata"], spec=m["spec"], opts=o),
}


def child_name(component: str, manifest: Mapping[str, Any]) -> str:
    return f"{component}-{manifest['kind'].lower()}-{manifest['metadata']['name']}"


class KafkaOnKubernetes(pulumi.ComponentResource):
    """Kafka and ZooKeeper on any conformant cluster (EKS gets an encrypted EBS StorageClass).

    Outputs: `namespace`, `bootstrap_servers` (the in-cluster TLS service, one host:port per
    listener), `ca_cert_pem` (clients' truststore); `resources` maps "Kind/name" to each object.
    """

    namespace: str
    bootstrap_servers: str
    ca_cert_pem: pulumi.Output[str]

    def __init__(self, name: str, args: KafkaOnKubernetesArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate_k8s_args(args)
        # Outputs of other stacks are checked when they resolve; nothing is created before that.
        if args.eks_kms_key_arn is not None:
            args = replace(args, eks_kms_key_arn=checked(args.eks_kms_key_arn, check_kms_arn, "eks_kms_key_arn"))
        if args.storage_class:
            args = replace(args, storage_class=checked(args.storage_class, check_object_name, "storage_class"))
        super().__init__("secure-kafka:k8s:Kafka", name, None,
                         hold_children(opts, [args.eks_kms_key_arn, args.storage_class]))
        ca = args.ca or generate_ca(f"{name}-cluster", args.cluster, self)
        kraft = args.metadata_mode == "kraft"
        nodes = [pki.PkiNode(s) for s in pki.broker_certs(args.cluster, broker_hosts(args))]
        if kraft:
            nodes += [pki.PkiNode(s) for s in pki.controller_certs(args.cluster, controller_hosts(args))]
        else:
            # The members share one identity and one certificate naming every member: ZooKeeper
            # reads one keystore path from the shared zoo.cfg.
            nodes += [pki.PkiNode(s) for s in pki.zookeeper_certs(
                args.cluster, [[h for hosts in zookeeper_hosts(args) for h in hosts]])]
        nodes += [pki.PkiNode(pki.client_cert(args.cluster, g.client)) for g in args.access]
        issued = issue_certificates(f"{name}-pki", nodes, ca, self)
        ca_pem = pulumi.Output.from_input(ca.cert_pem)

        def bundle(spec_name: str) -> pulumi.Output[str]:
            key, cert = issued[spec_name]
            return pulumi.Output.secret(pulumi.Output.all(key, cert, ca_pem).apply(lambda v: v[0] + v[1] + v[2]))

        secrets: dict[str, dict[str, Any]] = {
            "kafka-tls": {**{f"kafka-{i}.pem": bundle(f"broker-{i}") for i in range(args.broker_count)}, "ca.pem": ca_pem},
        }
        if kraft:
            secrets["kafka-controller-tls"] = {**{f"kafka-controller-{i}.pem": bundle(f"controller-{i}")
                                                  for i in range(args.controller_count)}, "ca.pem": ca_pem}
        else:
            secrets["zookeeper-tls"] = {"node.pem": bundle("zookeeper-0"), "ca.pem": ca_pem}
        for grant in args.access:
            secrets[f"client-{grant.client}-tls"] = {"client.pem": bundle(f"client-{grant.client}"), "ca.pem": ca_pem}
        self.resources: dict[str, pulumi.Resource] = {}
        previous: list[pulumi.Resource] = []
        kraft_id = cluster_id(f"{pulumi.get_project()}/{pulumi.get_stack()}/{args.namespace}/{args.cluster}") if kraft else ""
        for manifest in manifests(args, secrets, kraft_id):
            depends = previous[:1] if manifest["kind"] != "Namespace" else []
            resource = REGISTER[manifest["kind"]](child_name(name, manifest), manifest,
                                                  pulumi.ResourceOptions(parent=self, depends_on=depends))
            if manifest["kind"] == "Namespace":
                previous = [resource]
            self.resources[f"{manifest['kind']}/{manifest['metadata']['name']}"] = resource
        self.namespace = args.namespace
        self.bootstrap_servers = ",".join(f"kafka.{args.namespace}.svc:{p}" for p in client_ports(args))
        self.ca_cert_pem = ca_pem
        self.register_outputs({"namespace": self.namespace, "bootstrapServers": self.bootstrap_servers,
                               "caCertPem": ca_pem})
