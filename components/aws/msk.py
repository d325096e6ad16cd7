"""MskCluster: Amazon MSK with TLS only, authenticated clients, deny-by-default ACLs,
customer-key encryption, encrypted audit logs and storage autoscaling.

Every argument is validated by `validate_msk_args` before the first child is registered, and
the rendered broker configuration is judged by the same rule engine as the policy pack.
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from kafka_guardrails import MANDATORY, Resource, Settings, judge_resource
from kafka_guardrails.versions import LINES, MSK, MSK_DEFAULT

from ..model import configtypes
from ..model.access import TopicGrant, msk_iam_policy, validate_grants
from ..model.checks import (check_choice, check_int, check_kms_arn, check_pca_arn, check_properties, check_replication,
                            check_subnet_id, check_vpc_id)
from ..model.errors import ConfigError
from ..model.outputs import check_now, checked, hold_children, secret_text
from ..model.problems import Problems
from ..model.releases import accepted_marks, check_release
from ..render import render_properties
from .alarms import SecurityAlarms, SecurityAlarmsArgs, validate_alarm_args
from .keys import CustomerKey, CustomerKeyArgs
from .msk_topics import MskTopic, durability, topic_configs, validate_topics
from .security_groups import (ClientAccess, KafkaSecurityGroup, KafkaSecurityGroupArgs, network_checks,
                              validate_clients, validate_vpc_cidr)

AUTH_PORTS = {"tls": 9094, "scram": 9096, "iam": 9098}
ENHANCED_MONITORING = ("DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION")
CLIENT_BROKER = ("TLS", "TLS_PLAINTEXT", "PLAINTEXT")
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                      2192, 2557, 2922, 3288, 3653)
# Set by typed arguments or pinned secure; `server_properties` may not touch them.
PINNED_PROPERTIES = {
    "allow.everyone.if.no.acl.found": "false",
    "auto.create.topics.enable": "false",
    "unclean.leader.election.enable": "false",
}
TYPED_PROPERTIES = {"min.insync.replicas": "min_insync_replicas",
                    "default.replication.factor": "replication_factor"}
VOLUME_DIMENSION = "kafka:broker-storage:VolumeSize"
# The engine path of the volume size: autoscaling changes it, so Pulumi must not diff it.
VOLUME_SIZE_PATH = "brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"

_CLUSTER_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{0,63}$")
# The versions MSK offers, from the engine's version table (support dates and sources there). `.kraft`
# versions run without ZooKeeper, so they have no ZooKeeper connect string.
KAFKA_VERSIONS = tuple(sorted(ln.line for ln in LINES if ln.platform == MSK))
ZOOKEEPER_VERSIONS = tuple(v for v in KAFKA_VERSIONS if not v.endswith(".kraft"))
KRAFT_VERSIONS = tuple(v for v in KAFKA_VERSIONS if v.endswith(".kraft"))
_M7G_SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
# Express brokers (M7g only): MSK manages their storage and fixes their durability settings.
EXPRESS_TYPES = tuple(f"express.m7g.{s}" for s in _M7G_SIZES)
INSTANCE_TYPES = ("kafka.t3.small",
                  *(f"kafka.m5.{s}" for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge",
                                               "16xlarge", "24xlarge")),
                  *(f"kafka.m7g.{s}" for s in _M7G_SIZES), *EXPRESS_TYPES)
# What MSK sets on Express brokers and does not let a configuration change (its "read-only" table).
EXPRESS_FIXED = {"replication_factor": 3, "min_insync_replicas": 2}
STORAGE_ARGS = ("volume_size_gib", "max_volume_size_gib", "storage_target_utilization")
# The one in-place ZooKeeper -> KRaft move MSK offers (UpdateClusterKafkaVersion), and what it needs.
KRAFT_MOVE = ("3.9.x", "3.9.x.kraft")
# What another account needs to make a multi-VPC connection and find the brokers; nothing else.
CROSS_ACCOUNT_ACTIONS = ("kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeCluster",
                         "kafka:DescribeClusterV2")
_ACCOUNT = re.compile(r"^\d{12}$")
_SCRAM_USER = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_PROPERTY = re.compile(r"^[a-z][a-z0-9._-]*$")



@dataclass(frozen=True)
class MskClusterArgs:
    """Everything an MSK cluster needs; the defaults are the secure choice, written out.

    Values another stack would hand over (VPC id and CIDR, subnet ids, client security groups, a
    KMS key ARN, ACM Private CA ARNs) may be `pulumi.Input`s: known values are checked before any
    resource is registered, Outputs when they resolve (a bad one fails the deployment with the same
    message). Every other argument is checked before registration.

    Attributes:
        vpc_id: the VPC (`vpc-...`) the brokers and their security group live in.
        vpc_cidr: the VPC's CIDR, private; broker egress is limited to it.
        subnet_ids: 2 or 3 private subnets, one per Availability Zone.
        clients: who may connect: `ClientAccess(name, cidr=...)` (private ranges) or
            `ClientAccess(name, security_group_id=...)`; at least one.
        broker_count: brokers, a multiple of the subnet count (default 3).
        instance_type: an MSK broker type, e.g. kafka.m5.large (default), kafka.m7g.large, or an Express
            type (express.m7g.large ...): MSK manages Express storage (leave the volume settings at their
            defaults: no EBS, no storage autoscaling), fixes replication 3 / min ISR 2, and needs 3 subnets.
        kafka_version: an MSK version, `3.9.x` (default), `3.8.x`, or a KRaft version (`3.9.x.kraft`,
            `4.0.x.kraft`, `4.1.x.kraft`) that runs without ZooKeeper. Versions past MSK's end of support
            (3.6.0, 3.7.x) are refused unless accepted (README, "Kafka versions").
        accept_version_risks: risks of `kafka_version` accepted by name (`end-of-support`); written on the
            cluster as the tag `secure-kafka:accepted-version-risks`, which the pack reports.
        current_kafka_version: the version the running cluster has, when this update changes
            `kafka_version`: the path is checked (no downgrade, no way back from KRaft; the in-place
            ZooKeeper -> KRaft move only from 3.9.x to 3.9.x.kraft, on 3 AZs, not on kafka.t3.small).
        cross_account_ids: AWS accounts (12 digits, never `*`) that may reach the cluster over multi-VPC
            private connectivity: turns it on for the enabled auth modes and publishes a cluster policy
            naming exactly these accounts (KAFKA-MSK-008 holds on it). Not on kafka.t3.small.
        topics: `MskTopic`s created as `aws.msk.Topic`, each held to the replication/min ISR guards.
        alarms: thresholds and subscribers of the security alarms on the broker logs (failed logins,
            denials, access changes; `SecurityAlarmsArgs()` by default); None turns them off.
        volume_size_gib / max_volume_size_gib: EBS per broker at creation / the autoscaling ceiling
            (100 / 1000); the cluster ignores later size changes, which autoscaling makes.
        storage_target_utilization: percent disk use autoscaling keeps (60).
        auth_modes: client authentication, from `iam` (default), `scram`, `tls` (mutual TLS).
        scram_users: SCRAM users to create (secrets under the customer key), with `scram`.
        tls_certificate_authority_arns: ACM Private CA ARNs, exactly when `tls` is enabled.
        kms_key_arn: your customer key; by default the component creates one with rotation.
        replication_factor / min_insync_replicas: defaults for topics (3 / 2); 2 <= min ISR <= RF.
        server_properties: further broker properties; the pinned secure ones cannot be weakened.
        log_retention_days: broker log retention in CloudWatch (90; one of CloudWatch's periods).
        enhanced_monitoring: DEFAULT, PER_BROKER (default), PER_TOPIC_PER_BROKER, PER_TOPIC_PER_PARTITION.
        access: `TopicGrant`s; with IAM, one IAM policy per client limited to its topics.
        tags: added to every resource.
        client_broker_encryption / in_cluster_encryption / allow_unauthenticated / broker_logs_enabled:
            explicit weakenings (TLS / True / False / True by default); the policy pack still blocks them.
    """

    vpc_id: "pulumi.Input[str]"
    vpc_cidr: "pulumi.Input[str]"
    subnet_ids: Sequence["pulumi.Input[str]"]
    clients: Sequence[ClientAccess]
    broker_count: int = 3
    instance_type: str = "kafka.m5.large"
    kafka_version: str = MSK_DEFAULT
    accept_version_risks: Sequence[str] = ()
    current_kafka_version: Optional[str] = None
    volume_size_gib: int = 100
    max_volume_size_gib: int = 1000
    storage_target_utilization: int = 60
    auth_modes: Sequence[str] = ("iam",)
    scram_users: Sequence[str] = ()
    tls_certificate_authority_arns: Sequence["pulumi.Input[str]"] = ()
    kms_key_arn: Optional["pulumi.Input[str]"] = None
    replication_factor: int = 3
    min_insync_replicas: int = 2
    server_properties: Mapping[str, Union[str, int, bool]] = field(default_factory=dict)
    log_retention_days: int = 90
    enhanced_monitoring: str = "PER_BROKER"
    access: Sequence[TopicGrant] = ()
    cross_account_ids: Sequence[str] = ()
    topics: Sequence[MskTopic] = ()
    alarms: Optional[SecurityAlarmsArgs] = SecurityAlarmsArgs()
    tags: Mapping[str, str] = field(default_factory=dict)
    client_broker_encryption: str = "TLS"
    in_cluster_encryption: bool = True
    allow_unauthenticated: bool = False
    broker_logs_enabled: bool = True


def _names(values: object, label: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ConfigError(label, values, "a list")
    return list(values)


def is_kraft(version: str) -> bool:
    return version.endswith(".kraft")


def is_express(instance_type: str) -> bool:
    return instance_type in EXPRESS_TYPES


def listener_ports(auth_modes: Sequence[str]) -> tuple[int, ...]:
    """The ports the enabled authentication modes listen on; never 9092, never ZooKeeper."""
    return tuple(sorted(AUTH_PORTS[mode] for mode in set(auth_modes)))


def broker_properties(args: MskClusterArgs) -> dict[str, Union[str, int, bool]]:
    """The broker configuration: the caller's extra properties under the pinned secure ones. Express
    brokers get only what MSK lets a configuration set on them: it fixes replication and min ISR,
    and unclean election is not among their writable properties (Kafka's default, off, holds)."""
    if is_express(args.instance_type):
        return {**args.server_properties, **{k: v for k, v in PINNED_PROPERTIES.items()
                                             if k != "unclean.leader.election.enable"}}
    return {**args.server_properties, **PINNED_PROPERTIES,
            "min.insync.replicas": args.min_insync_replicas,
            "default.replication.factor": args.replication_factor}


def cross_account_policy(accounts: Sequence[str], cluster_arn: str) -> dict[str, Any]:
    """The cluster policy of multi-VPC connectivity: exactly the named accounts, exactly what a VPC
    connection needs, on this cluster."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "SecureKafkaNamedAccounts", "Effect": "Allow", "Principal": {"AWS": sorted(accounts)},
        "Action": list(CROSS_ACCOUNT_ACTIONS), "Resource": cluster_arn}]}


def validate_msk_args(name: str, args: MskClusterArgs, label: Callable[[str], str] = lambda n: n) -> None:
    """Every bad argument at once (a ConfigError each: the argument, the value, what is allowed), in the
    order below; known values now, Outputs when they resolve (see MskCluster)."""
    configtypes.check_types(args, label)  # types first: every check below relies on them
    problems = Problems()
    with problems:
        if not isinstance(name, str) or not _CLUSTER_NAME.match(name):
            raise ConfigError(label("name"), name, "1-64 letters, digits or '-', starting with a letter (MSK's rule)")
    with problems:
        check_now(args.vpc_id, check_vpc_id, label("vpc_id"))
    with problems:
        check_now(args.vpc_cidr, validate_vpc_cidr, label("vpc_cidr"))
    subnets: list[Any] = []
    with problems:
        subnets = _names(args.subnet_ids, label("subnet_ids"))
        if not 2 <= len(subnets) <= 3:
            raise ConfigError(label("subnet_ids"), subnets, "2 or 3 subnets, one per Availability Zone")
        for subnet in subnets:
            check_now(subnet, check_subnet_id, label("subnet_ids"))
        plain = [s for s in subnets if isinstance(s, str)]
        if len(set(plain)) != len(plain):
            raise ConfigError(label("subnet_ids"), subnets, "distinct subnets, one per Availability Zone")
    if problems.ok(label("subnet_ids")):
        with problems:
            check_int(args.broker_count, label("broker_count"), len(subnets), 90,
                      f"a multiple of the subnet count ({len(subnets)}), at most 90")
            if args.broker_count % len(subnets):
                raise ConfigError(label("broker_count"), args.broker_count,
                                  f"a multiple of the subnet count ({len(subnets)}), so every AZ has as many brokers")
    with problems:
        check_choice(args.instance_type, label("instance_type"), INSTANCE_TYPES, "an MSK broker type: ")
    with problems:
        check_choice(args.kafka_version, label("kafka_version"), KAFKA_VERSIONS, "a version MSK offers: ",
                     " (quote it in YAML; '.kraft' runs without ZooKeeper)")
    check_release(problems, label, MSK, args.kafka_version, "", args.accept_version_risks,
                  after=(label("kafka_version"),))
    if problems.ok(label("kafka_version"), label("instance_type"), label("subnet_ids")):
        with problems:
            _check_version_path(args, len(subnets), label)
    if problems.ok(label("instance_type")) and is_express(args.instance_type):
        _check_express(problems, args, len(subnets), label)
    with problems:
        check_int(args.volume_size_gib, label("volume_size_gib"), 1, 16384)
    if problems.ok(label("volume_size_gib")):
        with problems:
            check_int(args.max_volume_size_gib, label("max_volume_size_gib"), args.volume_size_gib, 16384,
                      f"an integer from volume_size_gib ({args.volume_size_gib}) to 16384")
    with problems:
        check_int(args.storage_target_utilization, label("storage_target_utilization"), 10, 90, "a percentage 10-90")
    modes: list[Any] = []
    with problems:
        modes = _names(args.auth_modes, label("auth_modes"))
        if not modes or any(m not in AUTH_PORTS for m in modes) or len(set(modes)) != len(modes):
            raise ConfigError(label("auth_modes"), modes,
                              f"a non-empty list of distinct modes from {', '.join(AUTH_PORTS)}")
    with problems:
        users = _names(args.scram_users, label("scram_users"))
        for user in users:
            if not isinstance(user, str) or not _SCRAM_USER.match(user):
                raise ConfigError(label("scram_users"), user, "lowercase user names of letters, digits, '_' or '-'")
        if len(set(users)) != len(users):
            raise ConfigError(label("scram_users"), users, "distinct user names")
        if users and "scram" not in modes and problems.ok(label("auth_modes")):
            raise ConfigError(label("scram_users"), users, "SCRAM users only when auth_modes includes scram")
    with problems:
        cas = _names(args.tls_certificate_authority_arns, label("tls_certificate_authority_arns"))
        if ("tls" in modes) != bool(cas) and problems.ok(label("auth_modes")):
            raise ConfigError(label("tls_certificate_authority_arns"), cas,
                              "one or more ACM Private CA ARNs exactly when auth_modes includes tls")
        for arn in cas:
            check_now(arn, check_pca_arn, label("tls_certificate_authority_arns"))
    with problems:
        if args.kms_key_arn is not None:
            check_now(args.kms_key_arn, check_kms_arn, label("kms_key_arn"))
    check_replication(problems, label, args.broker_count, args.replication_factor, args.min_insync_replicas)
    with problems:
        if args.log_retention_days not in LOG_RETENTION_DAYS or type(args.log_retention_days) is not int:
            raise ConfigError(label("log_retention_days"), args.log_retention_days,
                              f"one of CloudWatch's periods: {', '.join(map(str, LOG_RETENTION_DAYS))}")
    with problems:
        check_choice(args.enhanced_monitoring, label("enhanced_monitoring"), ENHANCED_MONITORING)
    with problems:
        check_choice(args.client_broker_encryption, label("client_broker_encryption"), CLIENT_BROKER,
                     note=" (TLS is the secure default)")
    for flag in ("in_cluster_encryption", "allow_unauthenticated", "broker_logs_enabled"):
        with problems:
            if type(getattr(args, flag)) is not bool:
                raise ConfigError(label(flag), getattr(args, flag), "true or false")
    with problems:
        _validate_properties(args, label)
    with problems:
        validate_grants(args.access, label("access"))
        if args.access and "iam" not in modes and problems.ok(label("auth_modes")):
            raise ConfigError(label("access"), [g.client for g in args.access],
                              "IAM topic policies need auth_modes to include iam (SCRAM/TLS clients get Kafka ACLs)")
    if problems.ok(label("auth_modes")):
        with problems:
            validate_clients(args.clients, listener_ports(modes), label("clients"))
    with problems:
        _check_accounts(args.cross_account_ids, args.instance_type, label("cross_account_ids"))
    if args.alarms is not None:
        validate_alarm_args(problems, args.alarms, label)
    if problems.ok(label("broker_count"), label("replication_factor"), label("min_insync_replicas")):
        validate_topics(problems, args.topics, label("topics"), args.broker_count, args.replication_factor,
                        args.min_insync_replicas)
    problems.raise_all()


def _check_express(problems: Problems, args: MskClusterArgs, subnet_count: int, label: Callable[[str], str]) -> None:
    """What Express brokers imply, said where a setting contradicts it."""
    with problems:
        if subnet_count and subnet_count != 3:
            raise ConfigError(label("subnet_ids"), list(args.subnet_ids),
                              "3 subnets, one per Availability Zone: Express brokers run in three")
    defaults = {f.name: f.default for f in dataclasses.fields(MskClusterArgs)}
    for name in STORAGE_ARGS:
        with problems:
            if getattr(args, name) != defaults[name]:
                raise ConfigError(label(name), getattr(args, name),
                                  f"its default ({defaults[name]}): Express brokers have no EBS volume to size or "
                                  "autoscale; MSK manages their storage")
    for name, fixed in EXPRESS_FIXED.items():
        with problems:
            if getattr(args, name) != fixed:
                raise ConfigError(label(name), getattr(args, name), f"{fixed}: MSK fixes it on Express brokers")


def _check_version_path(args: MskClusterArgs, subnet_count: int, label: Callable[[str], str]) -> None:
    """The move from `current_kafka_version` to `kafka_version`, as MSK allows it in place."""
    current, target = args.current_kafka_version, args.kafka_version
    if current is None or current == target:
        return
    if current not in KAFKA_VERSIONS:
        raise ConfigError(label("current_kafka_version"), current, f"a version MSK offers: {', '.join(KAFKA_VERSIONS)}")
    if is_kraft(current) and not is_kraft(target):
        raise ConfigError(label("kafka_version"), target,
                          f"a KRaft version: a cluster on {current} cannot go back to ZooKeeper")
    if not is_kraft(current) and is_kraft(target):
        if (current, target) != KRAFT_MOVE:
            raise ConfigError(label("kafka_version"), target,
                              f"{KRAFT_MOVE[1]} from {KRAFT_MOVE[0]} (MSK moves a ZooKeeper cluster to KRaft in place "
                              f"only from {KRAFT_MOVE[0]}; upgrade {current} to {KRAFT_MOVE[0]} first, upgrade "
                              "further after the move)")
        if args.instance_type == "kafka.t3.small":
            raise ConfigError(label("instance_type"), args.instance_type,
                              "a type other than kafka.t3.small: MSK does not move it to KRaft")
        if not is_express(args.instance_type) and subnet_count != 3:
            raise ConfigError(label("subnet_ids"), list(args.subnet_ids),
                              "3 subnets (3 Availability Zones): MSK moves Standard brokers to KRaft only on three")
        return
    if _order(target) < _order(current):
        raise ConfigError(label("kafka_version"), target, f"{current} or newer: MSK cannot downgrade a cluster")


def _order(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.removesuffix(".kraft").split("."))


def _check_accounts(accounts: object, instance_type: str, setting: str) -> None:
    if isinstance(accounts, (str, bytes)) or not isinstance(accounts, Sequence):
        raise ConfigError(setting, accounts, "a list of 12-digit AWS account ids")
    for account in accounts:
        if account == "*":
            raise ConfigError(setting, account, "named accounts only: `*` would let every AWS account connect")
        if not isinstance(account, str) or not _ACCOUNT.match(account):
            raise ConfigError(setting, account, "a 12-digit AWS account id")
    if len(set(accounts)) != len(accounts):
        raise ConfigError(setting, list(accounts), "distinct account ids")
    if accounts and instance_type == "kafka.t3.small":
        raise ConfigError(setting, list(accounts), "none on kafka.t3.small: MSK offers multi-VPC connectivity "
                          "on larger brokers only")


def _validate_properties(args: MskClusterArgs, label: Callable[[str], str]) -> None:
    def why(key: str, value: object) -> str:
        shown = value if isinstance(value, (str, int, bool)) else str(value)  # check_properties checked it
        probe = Resource("aws:msk/configuration:Configuration",
                         {"serverProperties": render_properties({key: shown})}, name=key)
        said = [f.message for f in judge_resource(probe, Settings()) if f.level == MANDATORY]
        return ", the secure setting" + (f"; the guardrail says: {said[0]}" if said else "")

    check_properties(args.server_properties, label("server_properties"), _PROPERTY, "Kafka property",
                     "log.retention.hours", TYPED_PROPERTIES, "argument", PINNED_PROPERTIES, why)


def _iam_policy_json(access: Sequence[TopicGrant], client: str, cluster_arn: str) -> str:
    return json.dumps(msk_iam_policy(access, cluster_arn, client))


def _scram_secret_json(user: str, password: str) -> str:
    """The secret MSK reads a SCRAM user from: {"username": ..., "password": ...}."""
    return json.dumps({"username": user, "password": password})


class MskCluster(pulumi.ComponentResource):
    """An Amazon MSK cluster that the kafka-guardrails pack passes without exceptions.

    Outputs: `arn`; `bootstrap_brokers_tls` / `bootstrap_brokers_sasl_scram` /
    `bootstrap_brokers_sasl_iam` (one per enabled auth mode; empty for the others, as MSK reports);
    `zookeeper_connect_string` (TLS; None on KRaft versions); `security_group_id`; `kms_key_arn`;
    `scram_passwords` (secret, per SCRAM user); `client_policies` (IAM policy per TopicGrant client).
    """

    arn: pulumi.Output[str]
    bootstrap_brokers_tls: pulumi.Output[str]
    bootstrap_brokers_sasl_scram: pulumi.Output[str]
    bootstrap_brokers_sasl_iam: pulumi.Output[str]
    zookeeper_connect_string: Optional[pulumi.Output[str]]
    security_group_id: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    scram_passwords: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: MskClusterArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate_msk_args(name, args)
        # Values from other stacks are checked when they resolve; nothing is created before that.
        subnet_ids = [checked(s, check_subnet_id, "subnet_ids") for s in args.subnet_ids]
        ca_arns = [checked(a, check_pca_arn, "tls_certificate_authority_arns") for a in args.tls_certificate_authority_arns]
        given_key = None if args.kms_key_arn is None else checked(args.kms_key_arn, check_kms_arn, "kms_key_arn")
        opts = hold_children(opts, [*network_checks(args.vpc_id, args.vpc_cidr, args.clients), *subnet_ids, *ca_arns,
                                    given_key])
        super().__init__("secure-kafka:aws:MskCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {**args.tags, "secure-kafka:cluster": name, **accepted_marks(args.accept_version_risks)}
        log_group_name = f"/aws/msk/{name}/broker"

        if given_key is None:
            self.customer_key: Optional[CustomerKey] = CustomerKey(f"{name}-data", CustomerKeyArgs(
                description=f"MSK {name}: data at rest, SCRAM secrets, broker logs",
                alias=f"secure-kafka/{name}", log_group_names=[log_group_name], alarm_topics=args.alarms is not None,
                tags=tags), opts=child)
            key_arn: pulumi.Input[str] = self.customer_key.arn
        else:
            self.customer_key, key_arn = None, given_key

        self.network = KafkaSecurityGroup(f"{name}-clients", KafkaSecurityGroupArgs(
            vpc_id=args.vpc_id, vpc_cidr=args.vpc_cidr, ports=listener_ports(args.auth_modes),
            clients=args.clients, description=f"MSK {name}: named clients on TLS listeners only",
            tags=tags), opts=child)

        # A configuration carries no tags: a version whose risks are accepted is left out of its
        # compatibility list (optional in MSK), so only the tagged cluster states the acceptance.
        self.configuration = aws.msk.Configuration(
            f"{name}-config", name=f"{name}-secure",
            kafka_versions=[] if args.accept_version_risks else [args.kafka_version],
            description="secure-kafka: ACLs deny by default, no auto-created topics, no unclean election",
            server_properties=render_properties(broker_properties(args), header="Rendered by secure-kafka"),
            opts=child)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-broker-logs", name=log_group_name, retention_in_days=args.log_retention_days,
            kms_key_id=key_arn, tags=tags, opts=child)

        modes = set(args.auth_modes)
        express = is_express(args.instance_type)
        # Express brokers have no volume: no storage block, nothing for autoscaling to change.
        storage = None if express else aws.msk.ClusterBrokerNodeGroupInfoStorageInfoArgs(
            ebs_storage_info=aws.msk.ClusterBrokerNodeGroupInfoStorageInfoEbsStorageInfoArgs(
                volume_size=args.volume_size_gib))
        # Multi-VPC connectivity offers exactly the cluster's own authentication modes, never unauthenticated.
        vpc_connectivity = aws.msk.ClusterBrokerNodeGroupInfoConnectivityInfoVpcConnectivityArgs(
            client_authentication=aws.msk.ClusterBrokerNodeGroupInfoConnectivityInfoVpcConnectivityClientAuthenticationArgs(
                sasl=aws.msk.ClusterBrokerNodeGroupInfoConnectivityInfoVpcConnectivityClientAuthenticationSaslArgs(
                    iam="iam" in modes, scram="scram" in modes),
                tls="tls" in modes)) if args.cross_account_ids else None
        self.cluster = aws.msk.Cluster(
            name, cluster_name=name, kafka_version=args.kafka_version,
            number_of_broker_nodes=args.broker_count, enhanced_monitoring=args.enhanced_monitoring,
            broker_node_group_info=aws.msk.ClusterBrokerNodeGroupInfoArgs(
                instance_type=args.instance_type, client_subnets=subnet_ids,
                security_groups=[self.network.security_group_id], az_distribution="DEFAULT",
                storage_info=storage,
                connectivity_info=aws.msk.ClusterBrokerNodeGroupInfoConnectivityInfoArgs(
                    public_access=aws.msk.ClusterBrokerNodeGroupInfoConnectivityInfoPublicAccessArgs(type="DISABLED"),
                    vpc_connectivity=vpc_connectivity),
            ),
            encryption_info=aws.msk.ClusterEncryptionInfoArgs(
                encryption_at_rest_kms_key_arn=key_arn,
                encryption_in_transit=aws.msk.ClusterEncryptionInfoEncryptionInTransitArgs(
                    client_broker=args.client_broker_encryption, in_cluster=args.in_cluster_encryption),
            ),
            client_authentication=aws.msk.ClusterClientAuthenticationArgs(
                unauthenticated=args.allow_unauthenticated,
                sasl=aws.msk.ClusterClientAuthenticationSaslArgs(iam="iam" in modes, scram="scram" in modes),
                tls=aws.msk.ClusterClientAuthenticationTlsArgs(certificate_authority_arns=ca_arns)
                if "tls" in modes else None,
            ),
            configuration_info=aws.msk.ClusterConfigurationInfoArgs(
                arn=self.configuration.arn, revision=self.configuration.latest_revision),
            logging_info=aws.msk.ClusterLoggingInfoArgs(broker_logs=aws.msk.ClusterLoggingInfoBrokerLogsArgs(
                cloudwatch_logs=aws.msk.ClusterLoggingInfoBrokerLogsCloudwatchLogsArgs(
                    enabled=args.broker_logs_enabled, log_group=self.log_group.name))),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=[] if express else [VOLUME_SIZE_PATH]))

        self.storage_target: Optional[aws.appautoscaling.Target] = None
        self.storage_policy: Optional[aws.appautoscaling.Policy] = None
        if not express:
            self.storage_target, self.storage_policy = self._storage_autoscaling(name, args)
        self.cluster_policy = aws.msk.ClusterPolicy(
            f"{name}-accounts", cluster_arn=self.cluster.arn,
            policy=self.cluster.arn.apply(lambda arn: json.dumps(cross_account_policy(args.cross_account_ids, arn))),
            opts=child) if args.cross_account_ids else None
        self.topics = {
            topic.name: aws.msk.Topic(
                f"{name}-topic-{topic.name}", name=topic.name, cluster_arn=self.cluster.arn,
                partition_count=topic.partitions, replication_factor=rf,
                configs=topic_configs(topic, min_isr), opts=child)
            for topic in args.topics
            for rf, min_isr in [durability(topic, args.replication_factor, args.min_insync_replicas)]}

        self.alarms = None if args.alarms is None else SecurityAlarms(
            f"{name}-security", [self.log_group.name], key_arn, args.alarms, tags, opts=child)
        self.scram_passwords, self.scram_secrets = self._scram_users(name, args, key_arn, tags)
        self.client_policies = {
            grant.client: aws.iam.Policy(
                f"{name}-{grant.client}-topics", name=f"secure-kafka-{name}-{grant.client}",
                description=f"Topics {grant.client} may use on MSK {name} (IAM authentication)",
                policy=self.cluster.arn.apply(partial(_iam_policy_json, args.access, grant.client)),
                tags=dict(tags), opts=child)
            for grant in args.access}

        self.arn = self.cluster.arn
        self.bootstrap_brokers_tls = self.cluster.bootstrap_brokers_tls
        self.bootstrap_brokers_sasl_scram = self.cluster.bootstrap_brokers_sasl_scram
        self.bootstrap_brokers_sasl_iam = self.cluster.bootstrap_brokers_sasl_iam
        # KRaft versions have no ZooKeeper: no connect string to hand to anyone.
        self.zookeeper_connect_string = None if is_kraft(args.kafka_version) else \
            self.cluster.zookeeper_connect_string_tls
        self.security_group_id = self.network.security_group_id
        self.kms_key_arn = pulumi.Output.from_input(key_arn)
        self.register_outputs({
            "arn": self.arn, "bootstrapBrokersTls": self.bootstrap_brokers_tls,
            "bootstrapBrokersSaslScram": self.bootstrap_brokers_sasl_scram,
            "bootstrapBrokersSaslIam": self.bootstrap_brokers_sasl_iam,
            **({"zookeeperConnectString": self.zookeeper_connect_string} if self.zookeeper_connect_string else {}),
            "securityGroupId": self.security_group_id, "kmsKeyArn": self.kms_key_arn,
            "scramSecretArns": [s.arn for s in self.scram_secrets],
            "scramPasswords": pulumi.Output.secret(self.scram_passwords),
            "clientPolicyArns": {c: p.arn for c, p in self.client_policies.items()},
            "topicArns": {t: topic.arn for t, topic in self.topics.items()},
            **({"alarmTopicArn": self.alarms.topic_arn} if self.alarms else {}),
        })

    def _storage_autoscaling(self, name: str,
                             args: MskClusterArgs) -> tuple[aws.appautoscaling.Target, aws.appautoscaling.Policy]:
        """Standard brokers' EBS grows with use up to max_volume_size_gib; it never shrinks."""
        child = pulumi.ResourceOptions(parent=self)
        target = aws.appautoscaling.Target(
            f"{name}-storage", service_namespace="kafka", scalable_dimension=VOLUME_DIMENSION,
            resource_id=self.cluster.arn, min_capacity=1, max_capacity=args.max_volume_size_gib, opts=child)
        policy = aws.appautoscaling.Policy(
            f"{name}-storage", policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace, scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=args.storage_target_utilization, disable_scale_in=True,
                predefined_metric_specification=aws.appautoscaling
                .PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="KafkaBrokerStorageUtilization")),
            opts=child)
        return target, policy

    def _scram_users(self, name: str, args: MskClusterArgs, key_arn: pulumi.Input[str],
                     tags: Mapping[str, str]) -> tuple[dict[str, Any], list[Any]]:
        """One Secrets Manager secret per SCRAM user, under the customer key, associated with the cluster."""
        passwords: dict[str, pulumi.Output[str]] = {}
        secrets, versions = [], []
        for user in args.scram_users:
            child = pulumi.ResourceOptions(parent=self)
            password = random.RandomPassword(f"{name}-{user}-password", length=32, special=False,
                                             min_lower=4, min_upper=4, min_numeric=4, opts=child)
            secret = aws.secretsmanager.Secret(
                f"{name}-{user}-scram", name=f"AmazonMSK_{name}_{user}", kms_key_id=key_arn,
                description=f"SASL/SCRAM credentials of {user} on MSK {name}",
                recovery_window_in_days=7, tags=dict(tags), opts=child)
            versions.append(aws.secretsmanager.SecretVersion(
                f"{name}-{user}-scram", secret_id=secret.id,
                secret_string=secret_text(password.result.apply(partial(_scram_secret_json, user))), opts=child))
            passwords[user] = secret_text(password.result)
            secrets.append(secret)
        if secrets:
            self.scram_association = aws.msk.ScramSecretAssociation(
                f"{name}-scram", cluster_arn=self.cluster.arn, secret_arn_lists=[s.arn for s in secrets],
                opts=pulumi.ResourceOptions(parent=self, depends_on=versions))
        return passwords, secrets
