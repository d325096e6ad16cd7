"""Managed Kafka services configured from IaC, whose brokers are authenticated but reachable from the
internet: Aiven for Apache Kafka (no project VPC, or public access switched on; Aiven admits
0.0.0.0/0 when no IP filter is set) and Confluent Cloud clusters on public networking (no `network`).
Judged by KAFKA-NET-005 (advisory): the reason is said, the level is the user's to raise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Resource
from ..registry import form
from ..values import MISSING, UNKNOWN, as_bool, get, items, known, mapping


@dataclass(slots=True)
class Managed:
    service: str        # "Aiven for Apache Kafka" | "Confluent Cloud"
    public: Any         # True, False or UNKNOWN
    why: str
    sources: tuple[str, ...] = ()


def aiven(resource: Resource, props: Any) -> Managed:
    props = mapping(props)
    config = mapping(props.get("kafkaUserConfig"))
    vpc = known(props.get("projectVpcId"))
    public = as_bool(get(config, "publicAccess", "kafka"))
    filters: list[Any] = []
    for key in ("ipFilterObjects", "ipFilterObject", "ipFilters", "ipFilterStrings", "ipFilter"):
        for item in items(known(config.get(key))):
            filters.append(mapping(item).get("network") if isinstance(item, dict) else item)
    if UNKNOWN in filters or vpc is UNKNOWN or public is UNKNOWN:
        return Managed("Aiven for Apache Kafka", UNKNOWN, "its VPC, public access or IP filter is not known yet")
    reachable = vpc in (None, MISSING, "") or public is True
    sources = tuple(str(f) for f in filters) or ("0.0.0.0/0",)
    why = ("it is not placed in a project VPC" if vpc in (None, MISSING, "") else "public access to Kafka is on")
    why += ("; no IP filter is set, which Aiven reads as 0.0.0.0/0" if not filters
            else f"; its IP filter admits {', '.join(sources)}")
    return Managed("Aiven for Apache Kafka", reachable, why, sources)


def confluent_cloud(resource: Resource, props: Any) -> Managed:
    props = mapping(props)
    network = known(props.get("network"))
    if network is UNKNOWN:
        return Managed("Confluent Cloud", UNKNOWN, "its network is not known yet")
    if network in (None, MISSING) or not mapping(network).get("id"):
        return Managed("Confluent Cloud", True, "it has no `network`, so it runs on public networking: its "
                                                "bootstrap endpoint is on the internet", ("0.0.0.0/0", "::/0"))
    return Managed("Confluent Cloud", False, "it is attached to a private network")


form(key="aiven.kafka", family="Managed Kafka services",
     summary="Aiven for Apache Kafka: project VPC, `publicAccess.kafka`, IP filters (none = 0.0.0.0/0) (KAFKA-NET-005)",
     pulumi=("aiven:index/kafka:Kafka",), terraform=("aiven_kafka",), models={"managed-kafka": aiven},
     fix="Place the service in a project VPC, keep public access off, and set IP filters to client ranges.")
form(key="confluent-cloud.kafka-cluster", family="Managed Kafka services",
     summary="Confluent Cloud Kafka clusters: a private `network` (none = public networking) (KAFKA-NET-005)",
     pulumi=("confluentcloud:index/kafkaCluster:KafkaCluster",), terraform=("confluent_kafka_cluster",),
     models={"managed-kafka": confluent_cloud},
     fix="Attach the cluster to a private network (PrivateLink, peering or Transit Gateway).")
