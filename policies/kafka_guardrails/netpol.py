"""A small evaluator of Kubernetes NetworkPolicy semantics, to answer "may A reach B on port P?".

Follows networking.k8s.io/v1: a pod is isolated for a direction when some policy in its namespace
selects it with that policy type; an isolated pod admits only what some selecting policy allows;
a connection needs the sender's egress and the receiver's ingress. Peers are podSelector,
namespaceSelector (both together: AND) or ipBlock; ports match number, name or range.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: Mapping[str, str]
    ip: str = "10.244.0.1"
    ports: Mapping[str, int] = field(default_factory=dict)  # named container ports


@dataclass(frozen=True)
class External:
    """A destination or source outside the cluster."""

    ip: str


def matches(selector: Optional[Mapping[str, Any]], labels: Mapping[str, str]) -> bool:
    """LabelSelector semantics; an empty selector matches everything, a missing one nothing."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False  # unknown operator: fail closed
    return True


def policy_types(policy: Mapping[str, Any]) -> set[str]:
    spec = policy.get("spec") or {}
    if spec.get("policyTypes"):
        return set(spec["policyTypes"])
    return {"Ingress"} | ({"Egress"} if "egress" in spec else set())


class Cluster:
    """Policies plus the namespaces' labels (kubernetes.io/metadata.name is always set)."""

    def __init__(self, policies: Sequence[Mapping[str, Any]], namespaces: Optional[Mapping[str, Mapping[str, str]]] = None) -> None:
        self.policies = [p for p in policies if p.get("kind", "NetworkPolicy") == "NetworkPolicy"]
        self.namespaces = {ns: {**labels, "kubernetes.io/metadata.name": ns} for ns, labels in dict(namespaces or {}).items()}

    def _ns_labels(self, ns: str) -> dict[str, str]:
        return self.namespaces.get(ns, {"kubernetes.io/metadata.name": ns})

    def _selecting(self, pod: Pod, direction: str) -> list[Mapping[str, Any]]:
        return [p for p in self.policies
                if (p.get("metadata") or {}).get("namespace", "default") == pod.namespace
                and direction in policy_types(p) and matches((p.get("spec") or {}).get("podSelector", {}), pod.labels)]

    def _peer_matches(self, peer: Mapping[str, Any], other: Any, policy_ns: str) -> bool:
        if "ipBlock" in peer:
            block = peer["ipBlock"]
            ip = ipaddress.ip_address(other.ip)  # pods and external addresses alike
            if ip not in ipaddress.ip_network(block["cidr"], strict=False):
                return False
            return not any(ip in ipaddress.ip_network(e, strict=False) for e in block.get("except") or [])
        if not isinstance(other, Pod):
            return False  # pod/namespace selectors never match addresses outside the cluster
        ns_selector, pod_selector = peer.get("namespaceSelector"), peer.get("podSelector")
        if ns_selector is not None:
            if not matches(ns_selector, self._ns_labels(other.namespace)):
                return False
        elif other.namespace != policy_ns:
            return False
        return pod_selector is None or matches(pod_selector, other.labels)

    @staticmethod
    def _port_matches(rule_ports: Optional[Sequence[Mapping[str, Any]]], port: int, protocol: str,
                      target: Any) -> bool:
        if not rule_ports:
            return True
        for p in rule_ports:
            if p.get("protocol", "TCP") != protocol:
                continue
            value = p.get("port")
            if value is None:
                return True
            if isinstance(value, str) and not value.isdigit():
                number = target.ports.get(value) if isinstance(target, Pod) else None
                if number == port:
                    return True
                continue
            low = int(value)
            if low <= port <= int(p.get("endPort", low)):
                return True
        return False

    def _allowed(self, pod: Pod, other: Any, port: int, protocol: str, direction: str, target: Any) -> bool:
        selecting = self._selecting(pod, direction)
        if not selecting:
            return True  # not isolated in this direction
        key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
        for policy in selecting:
            ns = (policy.get("metadata") or {}).get("namespace", "default")
            for rule in (policy.get("spec") or {}).get(key) or []:
                peers = rule.get(peers_key)
                if peers and not any(self._peer_matches(peer, other, ns) for peer in peers):
                    continue
                if self._port_matches(rule.get("ports"), port, protocol, target):
                    return True
        return False

    def can_connect(self, source: Any, destination: Any, port: int, protocol: str = "TCP") -> bool:
        """Egress of the source (if a pod) and ingress of the destination (if a pod) must both allow."""
        if isinstance(source, Pod) and not self._allowed(source, destination, port, protocol, "Egress", destination):
            return False
        if isinstance(destination, Pod) and not self._allowed(destination, source, port, protocol, "Ingress", destination):
            return False
        return True
