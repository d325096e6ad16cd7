"""Kubernetes Services, all ways: load balancers (annotations of every cloud, the AWS Load Balancer
Controller's precedence, loadBalancerClass), NodePort, externalIPs, named target ports resolved
against workloads, and server-side-apply patches."""
from typing import Any

from . import COMBINED, NONE, UNSEEN, Case, Member, StackCase

SERVICE = "kubernetes:core/v1:Service"
PATCH = "kubernetes:core/v1:ServicePatch"
STS = "kubernetes:apps/v1:StatefulSet"
AWS_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme"
AWS_INTERNAL = "service.beta.kubernetes.io/aws-load-balancer-internal"


def svc(kind: str, ports: list[dict], annotations: dict | None = None, name: str = "kafka", **spec: Any) -> dict:
    meta: dict = {"name": name, "namespace": "kafka"}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta,
            "spec": {"type": kind, "ports": ports, "selector": spec.pop("selector", {"app": "kafka"}), **spec}}


W4 = ["0.0.0.0/0"]

CASES = [
    Case("svc-lb-no-ranges", SERVICE, svc("LoadBalancer", [{"name": "kafka", "port": 9092}]), True),
    Case("svc-lb-target-port", SERVICE, svc("LoadBalancer", [{"name": "tls", "port": 443, "targetPort": 9094}]), True, 9094),
    Case("svc-lb-world-ranges", SERVICE, svc("LoadBalancer", [{"port": 9092}], loadBalancerSourceRanges=W4), True),
    Case("svc-nodeport", SERVICE, svc("NodePort", [{"port": 9092, "nodePort": 30092}]), True),
    Case("svc-nodeport-private-ranges-do-not-apply", SERVICE,
         svc("NodePort", [{"port": 9092}], loadBalancerSourceRanges=["10.0.0.0/8"]), True),
    Case("svc-lb-internal-false", SERVICE, svc("LoadBalancer", [{"port": 9092}], {AWS_INTERNAL: "false"}), True),
    Case("svc-lb-scheme-internet", SERVICE, svc("LoadBalancer", [{"port": 9094}], {AWS_SCHEME: "internet-facing"}), True, 9094),
    Case("svc-lb-scheme-beats-legacy-internal", SERVICE,
         svc("LoadBalancer", [{"port": 9092}], {AWS_SCHEME: "internet-facing", AWS_INTERNAL: "true"}), True),
    Case("svc-aws-class-ignores-other-clouds", SERVICE,
         svc("LoadBalancer", [{"port": 9092}], {"networking.gke.io/load-balancer-type": "Internal"},
             loadBalancerClass="service.k8s.aws/nlb"), True),
    Case("svc-unknown-class-ignores-annotations", SERVICE,
         svc("LoadBalancer", [{"port": 9092}], {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"},
             loadBalancerClass="example.com/edge"), True),
    Case("svc-external-ips-routable", SERVICE, svc("ClusterIP", [{"port": 9092}], externalIPs=["52.12.34.56"]), True),
    Case("svc-external-ips-v6-routable", SERVICE,
         svc("ClusterIP", [{"port": 9096}], externalIPs=["2600:1f18::10"]), True, 9096),
    Case("svc-source-ranges-annotation-public", SERVICE, svc("LoadBalancer", [{"port": 9092}], {
        "service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8, 0.0.0.0/0"}), True),
    Case("svc-clusterip", SERVICE, svc("ClusterIP", [{"port": 9092}]), False),
    Case("svc-headless", SERVICE, svc("ClusterIP", [{"port": 9092}], clusterIP="None"), False),
    Case("svc-lb-internal-aws", SERVICE, svc("LoadBalancer", [{"port": 9092}], {AWS_INTERNAL: "true"}), False),
    # OCI network load balancers read only their own annotation (oci-cloud-controller-manager)
    Case("svc-oci-nlb-with-the-classic-internal-annotation", SERVICE,
         svc("LoadBalancer", [{"port": 9092}], {"oci.oraclecloud.com/load-balancer-type": "nlb",
                                                "service.beta.kubernetes.io/oci-load-balancer-internal": "true"}), True),
    Case("svc-oci-nlb-internal", SERVICE,
         svc("LoadBalancer", [{"port": 9092}], {"oci.oraclecloud.com/load-balancer-type": "nlb",
                                                "oci-network-load-balancer.oraclecloud.com/internal": "true"}), False),
    Case("svc-oci-lb-internal", SERVICE,
         svc("LoadBalancer", [{"port": 9092}], {"oci.oraclecloud.com/load-balancer-type": "lb",
                                                "service.beta.kubernetes.io/oci-load-balancer-internal": "true"}), False),
    Case("svc-oci-lb-with-the-nlb-annotation", SERVICE,
         svc("LoadBalancer", [{"port": 9092}], {"oci-network-load-balancer.oraclecloud.com/internal": "true"}), True),
    Case("svc-lb-scheme-internal", SERVICE, svc("LoadBalancer", [{"port": 9092}], {AWS_SCHEME: "internal"}), False),
    Case("svc-aws-class-scheme-internal", SERVICE,
         svc("LoadBalancer", [{"port": 9092}], {AWS_SCHEME: "internal"}, loadBalancerClass="service.k8s.aws/nlb"), False),
    Case("svc-lb-internal-gke", SERVICE, svc("LoadBalancer", [{"port": 9092}], {"networking.gke.io/load-balancer-type": "Internal"}), False),
    Case("svc-lb-internal-azure", SERVICE,
         svc("LoadBalancer", [{"port": 9092}], {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}), False),
    Case("svc-lb-private-ranges", SERVICE, svc("LoadBalancer", [{"port": 9092}], loadBalancerSourceRanges=["10.0.0.0/8"]), False),
    Case("svc-lb-https-only", SERVICE, svc("LoadBalancer", [{"port": 443, "targetPort": 8443}]), False),
    Case("svc-lb-udp", SERVICE, svc("LoadBalancer", [{"port": 9092, "protocol": "UDP"}]), False),
    Case("svc-external-ips-private", SERVICE, svc("ClusterIP", [{"port": 9092}], externalIPs=["10.0.0.10"]), False),
    Case("svc-external-ips-web-only", SERVICE, svc("ClusterIP", [{"port": 443}], externalIPs=["52.12.34.56"]), False),
    # A named targetPort says nothing alone; the stack resolves it (below).
    Case("svc-lb-named-target-port-alone", SERVICE, svc("LoadBalancer", [{"port": 443, "targetPort": "kafka-tls"}]), False),
    # A patch is judged on what it sets.
    Case("svc-patch-makes-lb-on-9092", PATCH, {"metadata": {"name": "kafka", "namespace": "kafka"},
                                              "spec": {"type": "LoadBalancer", "ports": [{"port": 9092}]}}, True),
    Case("svc-patch-annotations-only", PATCH, {"metadata": {"name": "kafka", "namespace": "kafka",
                                                            "annotations": {"team": "data"}}}, False),
]


def broker(port: int, name: str = "kafka-tls") -> Member:
    return Member("brokers", STS, {"apiVersion": "apps/v1", "kind": "StatefulSet",
                                   "metadata": {"name": "events", "namespace": "kafka"},
                                   "spec": {"serviceName": "events", "selector": {"matchLabels": {"app": "events"}},
                                            "template": {"metadata": {"labels": {"app": "events"}}, "spec": {
                                                "containers": [{"name": "broker", "image": "example/broker:1",
                                                                "ports": [{"name": name, "containerPort": port}]}]}}}})


# The namespace has a NetworkPolicy, so KAFKA-K8S-003 stays quiet and only the exposure speaks.
DENY_ALL = Member("deny-all", "kubernetes:networking.k8s.io/v1:NetworkPolicy", {
    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all", "namespace": "kafka"},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})
NAMED = svc("LoadBalancer", [{"name": "tls", "port": 443, "targetPort": "kafka-tls"}], name="events",
            selector={"app": "events"})

STACKS = [
    StackCase("named-target-port-reaches-kafka", (Member("front", SERVICE, NAMED), broker(9094), DENY_ALL),
              COMBINED, ("front", "brokers"), 9094),
    StackCase("named-target-port-reaches-web", (Member("front", SERVICE, NAMED), broker(8443), DENY_ALL), NONE),
    StackCase("named-target-port-other-namespace",
              (Member("front", SERVICE, {**NAMED, "metadata": {"name": "events", "namespace": "web"}}), broker(9094),
               DENY_ALL), NONE),
    StackCase("patch-turns-an-internal-lb-public",
              (Member("base", SERVICE, svc("LoadBalancer", [{"port": 9092}], {AWS_SCHEME: "internal"})),
               Member("flip", PATCH, {"metadata": {"name": "kafka", "namespace": "kafka",
                                                   "annotations": {AWS_SCHEME: "internet-facing"}}})),
              COMBINED, ("flip", "base"), checkov=False),
    StackCase("patch-makes-a-clusterip-a-load-balancer",
              (Member("base", SERVICE, svc("ClusterIP", [{"port": 9092}])),
               Member("flip", PATCH, {"metadata": {"name": "kafka", "namespace": "kafka"},
                                      "spec": {"type": "LoadBalancer"}})),
              COMBINED, ("flip", "base"), checkov=False),
    StackCase("patch-adds-a-label-only",
              (Member("base", SERVICE, svc("LoadBalancer", [{"port": 9092}], {AWS_SCHEME: "internal"})),
               Member("label", PATCH, {"metadata": {"name": "kafka", "namespace": "kafka", "labels": {"team": "d"}}})),
              NONE, checkov=False),
    StackCase("patch-of-a-service-outside-the-stack",
              (Member("flip", PATCH, {"metadata": {"name": "kafka", "namespace": "kafka"},
                                      "spec": {"type": "LoadBalancer"}}),), UNSEEN, ("flip",), checkov=False),
]
