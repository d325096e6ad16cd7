"""The one validation pass of KafkaOnKubernetes: its arguments as a whole, before any object exists.

A non-ClusterIP client Service is judged by the guardrail's own rule engine, so the component
refuses exactly what the policy pack would block.
"""
from __future__ import annotations

from typing import Callable

from kafka_guardrails import Resource, Settings, judge_resource
from kafka_guardrails.versions import APACHE, image_version

from ..model import configtypes
from ..model.access import validate_grants
from ..model.checks import (NAME, check_ensemble_size, check_environment, check_https_egress, check_int, check_kms_arn,
                            check_replication)
from ..model.alarms import SecurityAlarmsArgs, validate_alarm_args
from ..model.errors import ConfigError
from ..model.oauth import DEFAULT_SCOPES, OAUTH_SCOPES, validate_oauth
from ..model.outputs import check_now
from ..model.problems import Problems
from ..model.releases import check_release
from ..render.kafka import LISTENER_PORTS
from .alerts import LOG_GROUP, REGION
from .args import SERVICE_TYPES, KafkaOnKubernetesArgs, check_object_name, kafka_release
from .manifests import client_ports, client_service


def validate_k8s_args(args: KafkaOnKubernetesArgs, label: Callable[[str], str] = lambda n: n) -> None:
    """Every bad argument at once (a ConfigError each), in the order below."""
    configtypes.check_types(args, label)  # types first: every check below relies on them
    problems = Problems()
    with problems:
        if not isinstance(args.cluster, str) or not NAME.match(args.cluster):
            raise ConfigError(label("cluster"), args.cluster, "lowercase letters, digits and '-'")
    with problems:
        if not isinstance(args.namespace, str) or not NAME.match(args.namespace) or args.namespace.startswith("kube-"):
            raise ConfigError(label("namespace"), args.namespace, "a DNS label for a namespace of its own (not kube-*)")
    with problems:
        check_environment(args.environment, label("environment"))
    with problems:
        if args.metadata_mode not in ("zookeeper", "kraft"):
            raise ConfigError(label("metadata_mode"), args.metadata_mode,
                              "zookeeper (ZooKeeper pods) or kraft (KRaft controller pods)")
    if problems.ok(label("environment"), label("metadata_mode")):
        kraft = args.metadata_mode == "kraft"
        quorum, other, other_default = (("controller_count", "zookeeper_count", 3) if kraft
                                        else ("zookeeper_count", "controller_count", 3))
        with problems:
            check_ensemble_size(getattr(args, quorum), args.environment, label(quorum),
                                **({"group": "controller quorum"} if kraft else {}))
        with problems:
            if getattr(args, other) != other_default:
                raise ConfigError(label(other), getattr(args, other), f"nothing with metadata_mode {args.metadata_mode}")
    if problems.ok(label("environment")):
        low = 3 if args.environment == "prod" else 2
        with problems:
            check_int(args.broker_count, label("broker_count"), low, 30, f"an integer {low}-30 in {args.environment}")
    check_replication(problems, label, args.broker_count, args.replication_factor, args.min_insync_replicas,
                      after=(label("environment"),))
    with problems:
        if isinstance(args.listeners, str) or not args.listeners or any(l not in LISTENER_PORTS for l in args.listeners):
            raise ConfigError(label("listeners"), args.listeners, "TLS listeners only: SSL and/or SASL_SSL")
    with problems:
        if not args.storage_class and not args.eks_kms_key_arn:
            raise ConfigError(label("storage_class"), args.storage_class,
                              "the name of an encrypted StorageClass, or eks_kms_key_arn to create one on EKS")
        if args.storage_class:
            check_now(args.storage_class, check_object_name, label("storage_class"))
    with problems:
        if args.eks_kms_key_arn is not None:
            check_now(args.eks_kms_key_arn, check_kms_arn, label("eks_kms_key_arn"))
    with problems:
        if args.image is not None and (":" not in args.image or args.image.endswith(":latest")):
            raise ConfigError(label("image"), args.image,
                              "an image with a pinned tag or digest, e.g. apache/kafka:4.4.0 (or leave it unset)")
        read = image_version(args.image) if args.image else None
        if args.image and args.kafka_version and read is not None and read.version \
                and read.version != args.kafka_version:
            raise ConfigError(label("kafka_version"), args.kafka_version,
                              f"the release the image runs ({read.version}, from {args.image}), or leave it unset")
        if args.image and not args.kafka_version and (read is None or not read.version):
            raise ConfigError(label("kafka_version"), args.kafka_version,
                              f"the Kafka release (x.y.z) {args.image} runs: its reference does not name one")
    if problems.ok(label("metadata_mode"), label("image"), label("kafka_version")):
        check_release(problems, label, APACHE, kafka_release(args), args.metadata_mode, args.accept_version_risks,
                      scopes=OAUTH_SCOPES if args.oauth is not None else DEFAULT_SCOPES)
    with problems:
        if args.client_service_type not in SERVICE_TYPES:
            raise ConfigError(label("client_service_type"), args.client_service_type,
                              f"one of {', '.join(SERVICE_TYPES)}")
    with problems:
        validate_grants(args.access, label("access"))
    with problems:
        if args.cilium:
            try:
                version = tuple(int(part) for part in str(args.cilium_version).split(".")[:2])
            except ValueError:
                version = ()
            if len(version) != 2 or version >= (1, 20) or version < (1, 14):
                raise ConfigError(label("cilium_version"), args.cilium_version,
                                  "a Cilium release with Kafka L7 rules, 1.14-1.19 (1.20 removed them); "
                                  "or cilium: false and rely on the broker ACLs")
    if problems.ok(label("metadata_mode"), label("image")):  # which release the validator must suit
        validate_oauth(problems, args.oauth, kafka_release(args), args.listeners, label)
    with problems:
        if args.oauth is None and args.https_egress_cidrs:
            raise ConfigError(label("https_egress_cidrs"), args.https_egress_cidrs,
                              "empty without oauth: the broker pods reach nothing outside the cluster")
        if args.oauth is not None and not args.https_egress_cidrs:
            raise ConfigError(label("https_egress_cidrs"), args.https_egress_cidrs,
                              "the ranges of your OAuth provider's JWKS endpoint: the brokers fetch its keys on 443")
        check_https_egress(args.https_egress_cidrs, label("https_egress_cidrs"), args.environment,
                           "your OAuth provider's ranges")
    if args.alarms is not None:
        validate_alarm_args(problems, args.alarms, label)
        with problems:
            if isinstance(args.alarms, SecurityAlarmsArgs) and args.alarms.emails:
                raise ConfigError(f"{label('alarms')}.emails", args.alarms.emails,
                                  "none on Kubernetes: the rules alert through your Loki ruler's Alertmanager")
    with problems:
        group, region = args.fluent_bit_log_group, args.fluent_bit_region
        if (group is None) != (region is None):
            raise ConfigError(label("fluent_bit_log_group" if group is None else "fluent_bit_region"), None,
                              "both fluent_bit_log_group and fluent_bit_region, or neither")
        if group is not None and (not isinstance(group, str) or not LOG_GROUP.match(group)):
            raise ConfigError(label("fluent_bit_log_group"), group, "a CloudWatch Logs group name")
        if region is not None and (not isinstance(region, str) or not REGION.match(region)):
            raise ConfigError(label("fluent_bit_region"), region, "an AWS region such as eu-west-1")
    if args.client_service_type != "ClusterIP" and problems.ok(label("client_service_type"), label("listeners"),
                                                               label("namespace")):
        with problems:
            _judge_client_service(args, label)
    problems.raise_all()


def _judge_client_service(args: KafkaOnKubernetesArgs, label: Callable[[str], str]) -> None:
    service = client_service(args)
    # Judge twice: as rendered (internal scheme), and as if the scheme were lost, so that the
    # source ranges alone must already keep the internet out.
    bare = {**service, "metadata": {k: v for k, v in service["metadata"].items() if k != "annotations"}}
    findings = [f for probe in (service, bare)
                for f in judge_resource(Resource("kubernetes:core/v1:Service", probe, name=service["metadata"]["name"]),
                                        Settings(ports=tuple(client_ports(args))))]
    if findings or not args.load_balancer_source_ranges:
        said = findings[0].message if findings else "no loadBalancerSourceRanges were given"
        raise ConfigError(label("client_service_type"), args.client_service_type,
                          "ClusterIP, or an internal load balancer with private loadBalancerSourceRanges; "
                          f"the guardrail says: {said}")
