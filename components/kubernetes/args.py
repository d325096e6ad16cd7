"""The arguments of KafkaOnKubernetes: typed, with the defaults a hardened platform starts from.

Pure (no Kubernetes provider): the stack-config reader, the validator and the manifest builders all
read these dataclasses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

from kafka_guardrails.versions import image_version

from ..model import pki
from ..model.access import TopicGrant
from ..model.alarms import SecurityAlarmsArgs
from ..model.errors import ConfigError
from ..model.oauth import OAuthArgs
from ..model.releases import default_release
from ..model.renames import renamed
from ..render.kafka import ClientQuota

if TYPE_CHECKING:
    import pulumi

SERVICE_TYPES = ("ClusterIP", "LoadBalancer", "NodePort")


@dataclass(frozen=True)
class ContainerResources:
    """Requests and limits of one container, as Kubernetes quantities; limits are always set.

    Attributes:
        cpu_request / cpu_limit: e.g. "500m" / "2" (brokers' defaults).
        memory_request / memory_limit: e.g. "2Gi" / "2Gi"; equal, so that the JVM is never
            OOM-killed for using what it was promised.
    """

    cpu_request: str = "500m"
    memory_request: str = "2Gi"
    cpu_limit: str = "2"
    memory_limit: str = "2Gi"


@renamed(brokers="broker_count", zookeepers="zookeeper_count", controllers="controller_count")
@dataclass(frozen=True)
class KafkaOnKubernetesArgs:
    """Kafka and ZooKeeper pods on any conformant cluster.

    Attributes:
        cluster: the cluster's name (lowercase, digits, '-'); in certificate subjects.
        namespace: a namespace of its own (not kube-*), labelled Pod Security `restricted` (kafka).
        environment: dev, staging or prod (prod: 3+ brokers, 3+ ZooKeeper pods).
        broker_count / zookeeper_count: 3 and 3 by default (brokers 2-30; ZooKeeper 3 or 5, 1 outside
            prod); 0.2.0's `brokers` / `zookeepers` still work for one release, with a warning.
        metadata_mode: "kraft" (default): `controller_count` KRaft controller pods (3 or 5; 1 outside
            prod), TLS with client certificates on 9093, reachable only from the brokers and each
            other; `controller_storage_gib` (10) and `controller_resources` size them. Or "zookeeper":
            ZooKeeper pods on Kafka 3.9.2, only with that line's risks accepted (README, "Kafka versions").
        kafka_version: the Apache Kafka release the pods run; default: the version table's for the
            metadata mode (4.4.0 KRaft, 3.9.2 ZooKeeper). Refused when it has a known CVE or ended support,
            unless each risk is named in `accept_version_risks` (written as the annotation
            `secure-kafka.io/accepted-version-risks` on the workloads, which the pack reports).
        image: default `apache/kafka:<kafka_version>`; your own pinned image (a mirror, a digest) must
            then name its release in `kafka_version` when its tag does not; `:latest` is refused.
        listeners: TLS listeners only, SSL (9094, mutual TLS; default) and/or SASL_SSL (9096).
        replication_factor / min_insync_replicas: topic defaults (3 / 2).
        storage_class: the name of an encrypted StorageClass to use (may be an Output of the stack
            that made it); or leave it unset and give eks_kms_key_arn.
        eks_kms_key_arn: on EKS, the customer key for a gp3 StorageClass this component creates;
            may be an Output of another stack (checked when it resolves).
        broker_storage_gib / zookeeper_storage_gib: volume sizes (100 / 10).
        broker_resources / zookeeper_resources: `ContainerResources` (limits always set).
        access: `TopicGrant`s: Kafka ACLs, client certificates (Secrets) and network policies.
        quota: `ClientQuota` for every client.
        cilium / cilium_version: add Cilium Kafka L7 (per-topic) policies; Cilium 1.14-1.19 only
            (1.20 removed Kafka rules and would silently allow the whole port).
        client_service_type: ClusterIP (default); LoadBalancer/NodePort only internal with private
            load_balancer_source_ranges, judged by the guardrail before anything is created.
        ca: `BringYourOwnCa`; default a generated CA. cluster_domain: the DNS suffix (cluster.local).
        oauth: None (default: no OAuth; every pod allows no OAuth URL), or `OAuthArgs`: clients may also
            log in on the SASL_SSL listener with a JWT the brokers check against the provider's JWKS.
        https_egress_cidrs: with `oauth`, required: where the broker pods may reach the provider on 443
            (their network policy allows nothing else out); never 0.0.0.0/0 or ::/0 in prod.
        alarms: the security events (failed logins, denials, access changes) always go to the pods'
            stdout, each line prefixed `SECURE-KAFKA-AUDIT`; `SecurityAlarmsArgs()` (default) also ships
            Loki ruler alert rules with these thresholds (ConfigMap `kafka-security-rules`, label
            `loki_rule: "1"`); None: no rules. `emails` is refused here: route alerts with Alertmanager.
        fluent_bit_log_group / fluent_bit_region: both or neither: a Fluent Bit configuration (ConfigMap
            `kafka-security-fluent-bit`) that sends the stream to that CloudWatch Logs group, where
            `SecurityAlarms` counts it (docs/kubernetes.md, "Security alerts").
    """

    cluster: str
    namespace: str = "kafka"
    environment: str = "prod"
    broker_count: int = 3
    zookeeper_count: int = 3
    kafka_version: Optional[str] = None
    accept_version_risks: Sequence[str] = ()
    image: Optional[str] = None
    listeners: Sequence[str] = ("SSL",)
    replication_factor: int = 3
    min_insync_replicas: int = 2
    storage_class: Optional["pulumi.Input[str]"] = None
    eks_kms_key_arn: Optional["pulumi.Input[str]"] = None
    broker_storage_gib: int = 100
    zookeeper_storage_gib: int = 10
    broker_resources: ContainerResources = ContainerResources()
    zookeeper_resources: ContainerResources = ContainerResources("250m", "1Gi", "1", "1Gi")
    access: Sequence[TopicGrant] = ()
    quota: ClientQuota = ClientQuota()
    cilium: bool = False
    # Cilium deprecated Kafka L7 rules in 1.19 and removed them in 1.20, whose API server would
    # prune `rules.kafka` and leave a plain port allow: refused there.
    cilium_version: str = "1.19"
    client_service_type: str = "ClusterIP"
    load_balancer_source_ranges: Sequence[str] = ()
    ca: Optional[pki.BringYourOwnCa] = None
    cluster_domain: str = "cluster.local"
    metadata_mode: str = "kraft"
    controller_count: int = 3
    controller_storage_gib: int = 10
    oauth: Optional[OAuthArgs] = None
    https_egress_cidrs: Sequence[str] = ()
    alarms: Optional[SecurityAlarmsArgs] = SecurityAlarmsArgs()
    fluent_bit_log_group: Optional[str] = None
    fluent_bit_region: Optional[str] = None
    controller_resources: ContainerResources = ContainerResources("250m", "1Gi", "1", "1Gi")


def kafka_release(args: KafkaOnKubernetesArgs) -> str:
    """The release the pods run: kafka_version, else what the image's tag names, else the table's default."""
    if args.kafka_version:
        return args.kafka_version
    read = image_version(args.image) if isinstance(args.image, str) else None
    if read is not None and read.version:
        return read.version
    return default_release(args.metadata_mode if args.metadata_mode in ("zookeeper", "kraft") else "kraft")


def kafka_image(args: KafkaOnKubernetesArgs) -> str:
    return args.image or f"apache/kafka:{kafka_release(args)}"


def check_object_name(value: object, setting: str) -> None:
    """A Kubernetes object name (DNS subdomain, RFC 1123)."""
    if not isinstance(value, str) or len(value) > 253 or not _SUBDOMAIN.match(value):
        raise ConfigError(setting, value, "a Kubernetes object name: lowercase letters, digits, '-' and '.'")


_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
