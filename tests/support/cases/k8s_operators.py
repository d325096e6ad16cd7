"""Operators' Kafka custom resources: Strimzi (v1beta2, v1) and Confluent for Kubernetes."""
from . import COMBINED, NONE, UNSEEN, Case, Member, StackCase

STRIMZI = "kubernetes:kafka.strimzi.io/v1beta2:Kafka"
STRIMZI_V1 = "kubernetes:kafka.strimzi.io/v1:Kafka"
CONFLUENT = "kubernetes:platform.confluent.io/v1beta1:Kafka"
INTERNAL = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}


def strimzi(*listeners: dict, api: str = "kafka.strimzi.io/v1beta2", template: dict | None = None,
            pools: bool = False) -> dict:
    kafka: dict = {"version": "4.4.0", "replicas": 3, "listeners": [
        {"name": "tls", "port": 9093, "type": "internal", "tls": True, "authentication": {"type": "tls"}},
        *listeners], "storage": {"type": "ephemeral"}}
    if template:
        kafka["template"] = template
    if pools:  # Strimzi 1.x: KRaft with KafkaNodePools; node ids come from the pools, not 0..replicas-1
        del kafka["replicas"], kafka["storage"]
        return {"apiVersion": api, "kind": "Kafka", "metadata": {
            "name": "events", "namespace": "kafka",
            "annotations": {"strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled"}},
            "spec": {"kafka": kafka}}
    return {"apiVersion": api, "kind": "Kafka", "metadata": {"name": "events", "namespace": "kafka",
                                                             "annotations": {"strimzi.io/kraft": "enabled"}},
            "spec": {"kafka": kafka}}


def external(kind: str, port: int = 9094, **configuration) -> dict:
    out: dict = {"name": "external", "port": port, "type": kind, "tls": True, "authentication": {"type": "tls"}}
    if configuration:
        out["configuration"] = configuration
    return out


def confluent(listeners: dict) -> dict:
    return {"apiVersion": "platform.confluent.io/v1beta1", "kind": "Kafka",
            "metadata": {"name": "kafka", "namespace": "confluent"},
            "spec": {"replicas": 3, "image": {"application": "confluentinc/cp-server:7.7.0",
                                              "init": "confluentinc/confluent-init-container:2.9.0"},
                     "dataVolumeCapacity": "100Gi", "listeners": listeners}}


CASES = [
    Case("strimzi-loadbalancer", STRIMZI, strimzi(external("loadbalancer")), True, 9094),
    Case("strimzi-loadbalancer-odd-port", STRIMZI, strimzi(external("loadbalancer", 9095)), True, 9095),
    Case("strimzi-nodeport", STRIMZI, strimzi(external("nodeport")), True, 9094),
    Case("strimzi-route", STRIMZI, strimzi(external("route")), True, 9094),
    Case("strimzi-ingress", STRIMZI, strimzi(external("ingress", bootstrap={"host": "kafka.example.com"})), True, 9094),
    Case("strimzi-v1-loadbalancer", STRIMZI_V1, strimzi(external("loadbalancer"), api="kafka.strimzi.io/v1"),
         True, 9094),
    Case("strimzi-loadbalancer-world-ranges", STRIMZI,
         strimzi(external("loadbalancer", loadBalancerSourceRanges=["0.0.0.0/0"])), True, 9094),
    Case("strimzi-loadbalancer-bootstrap-internal-brokers-not", STRIMZI,
         strimzi(external("loadbalancer", bootstrap={"annotations": INTERNAL},
                          brokers=[{"broker": 0, "annotations": {}}])), True, 9094),
    Case("strimzi-loadbalancer-all-internal", STRIMZI,
         strimzi(external("loadbalancer", bootstrap={"annotations": INTERNAL},
                          brokers=[{"broker": i, "annotations": INTERNAL} for i in range(3)])), False),
    Case("strimzi-loadbalancer-internal-by-template", STRIMZI,
         strimzi(external("loadbalancer"), template={
             "externalBootstrapService": {"metadata": {"annotations": INTERNAL}},
             "perPodService": {"metadata": {"annotations": INTERNAL}}}), False),
    Case("strimzi-loadbalancer-private-ranges", STRIMZI,
         strimzi(external("loadbalancer", loadBalancerSourceRanges=["10.0.0.0/8"])), False),
    Case("strimzi-internal-only", STRIMZI, strimzi(), False),
    Case("strimzi-tlsroute", STRIMZI_V1, strimzi(external("tlsroute", 9095), api="kafka.strimzi.io/v1", pools=True),
         True, 9095),
    Case("strimzi-some-brokers-overridden-internal", STRIMZI,
         strimzi(external("loadbalancer", bootstrap={"annotations": INTERNAL},
                          brokers=[{"broker": 0, "annotations": INTERNAL}])), True, 9094),
    Case("strimzi-pools-internal-by-template", STRIMZI_V1,
         strimzi(external("loadbalancer"), api="kafka.strimzi.io/v1", pools=True, template={
             "externalBootstrapService": {"metadata": {"annotations": INTERNAL}},
             "perPodService": {"metadata": {"annotations": INTERNAL}}}), False),
    Case("strimzi-cluster-ip", STRIMZI, strimzi(external("cluster-ip")), False),
    Case("confluent-external-loadbalancer", CONFLUENT,
         confluent({"external": {"externalAccess": {"type": "loadBalancer",
                                                    "loadBalancer": {"domain": "example.com"}}}}), True),
    Case("confluent-custom-nodeport", CONFLUENT,
         confluent({"custom": [{"name": "partner", "port": 9096, "externalAccess": {
             "type": "nodePort", "nodePort": {"host": "kafka.example.com", "nodePortOffset": 30000}}}]}), True, 9096),
    Case("confluent-external-route", CONFLUENT,
         confluent({"external": {"externalAccess": {"type": "route", "route": {"domain": "apps.example.com"}}}}), True),
    Case("confluent-external-internal-lb", CONFLUENT,
         confluent({"external": {"externalAccess": {"type": "loadBalancer", "loadBalancer": {
             "domain": "example.com", "annotations": INTERNAL}}}}), False),
    Case("confluent-internal-only", CONFLUENT, confluent({"internal": {"tls": {"enabled": True}}}), False),
]


POOL = "kubernetes:kafka.strimzi.io/v1:KafkaNodePool"


def pool(ids: str | None = "[0-2]", replicas: int = 3, roles=("broker",)) -> dict:
    meta: dict = {"name": "brokers", "namespace": "kafka", "labels": {"strimzi.io/cluster": "events"}}
    if ids:
        meta["annotations"] = {"strimzi.io/next-node-ids": ids}
    return {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaNodePool", "metadata": meta,
            "spec": {"replicas": replicas, "roles": list(roles), "storage": {"type": "ephemeral"}}}


OVERRIDDEN = Member("events", STRIMZI_V1, strimzi(external("loadbalancer", bootstrap={"annotations": INTERNAL},
                                                           brokers=[{"broker": i, "annotations": INTERNAL}
                                                                    for i in range(3)]),
                                                  api="kafka.strimzi.io/v1", pools=True))

STACKS = [
    StackCase("strimzi-pool-ids-all-overridden", (OVERRIDDEN, Member("brokers", POOL, pool())), NONE),
    StackCase("strimzi-pool-ids-not-overridden", (OVERRIDDEN, Member("brokers", POOL, pool("[10-12]"))),
              COMBINED, ("events", "brokers"), 9094),
    StackCase("strimzi-pool-ids-not-pinned", (OVERRIDDEN, Member("brokers", POOL, pool(None))),
              COMBINED, ("events", "brokers"), 9094),
    StackCase("strimzi-pool-controllers-only", (OVERRIDDEN, Member("brokers", POOL, pool("[10-12]", roles=("controller",)))),
              UNSEEN, ("events",), checkov=False),
    StackCase("strimzi-pools-not-in-the-stack", (OVERRIDDEN,), UNSEEN, ("events",), checkov=False),
]
