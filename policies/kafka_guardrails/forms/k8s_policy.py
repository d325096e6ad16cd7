"""Kubernetes network policies, read only for the namespace they cover (KAFKA-K8S-003 asks that
every namespace running Kafka has one)."""
from __future__ import annotations

from typing import Any

from ..model import Resource
from ..registry import form
from ..values import MISSING, get


def namespace(resource: Resource, props: Any) -> Any:
    value = get(props, "metadata", "namespace")
    return "default" if value is MISSING else value


form(key="k8s.network-policy", family="Kubernetes network policies",
     summary="the namespace a NetworkPolicy or CiliumNetworkPolicy covers (KAFKA-K8S-003)",
     pulumi=("kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:cilium.io/v2:CiliumNetworkPolicy"),
     terraform=("kubernetes_network_policy", "kubernetes_network_policy_v1"), models={"netpol": namespace})
