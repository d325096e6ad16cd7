"""One topic-access model, three enforcement points: Kafka ACLs on the brokers, Cilium's Kafka
L7 rules in the network, and (for MSK with IAM) an IAM policy. Pure functions of the model."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple, Optional, Sequence

from .errors import ConfigError
from .problems import Problems

_TOPIC = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
_CLIENT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class TopicGrant:
    """What one client may do; everything else is denied (ACLs deny by default).

    Attributes:
        client: the client's name (lowercase, digits, '-'): its certificate CN, Kafka principal
            `User:<client>` and, on MSK with IAM, the name of its IAM policy.
        produce / consume: topic names (or `prefix*` for a prefix) it may write / read; consuming
            also allows the consumer group named like the client.
        labels: on Kubernetes, the labels of its pods (default `app: <client>`), for NetworkPolicy
            and Cilium's per-topic Kafka rules.
        namespace: on Kubernetes, where those pods run (default: the Kafka namespace).
    """

    client: str
    produce: Sequence[str] = ()
    consume: Sequence[str] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    namespace: Optional[str] = None

    @property
    def principal(self) -> str:
        return f"User:{self.client}"

    @property
    def pod_labels(self) -> dict[str, str]:
        return dict(self.labels) or {"app": self.client}


class AclEntry(NamedTuple):
    principal: str
    resource_type: str  # TOPIC, GROUP or CLUSTER
    name: str
    pattern: str  # LITERAL or PREFIXED
    operation: str  # WRITE, READ, DESCRIBE, DESCRIBE_CONFIGS


def validate_grants(grants: Sequence[TopicGrant], setting: str = "access") -> None:
    """Every bad grant at once (the first thing wrong with each)."""
    problems = Problems()
    seen: set[str] = set()
    for index, grant in enumerate(grants):
        with problems:
            _validate_grant(grant, f"{setting}[{index}]", seen)
    problems.raise_all()


def _validate_grant(grant: TopicGrant, where: str, seen: set[str]) -> None:
    if not isinstance(grant.client, str) or not _CLIENT.match(grant.client) or grant.client in ("kafka-broker", "zookeeper"):
        raise ConfigError(f"{where}.client", grant.client, "a lowercase client name, not a node identity")
    if grant.client in seen:
        raise ConfigError(f"{where}.client", grant.client, "one grant per client")
    seen.add(grant.client)
    for kind in ("produce", "consume"):
        topics = getattr(grant, kind)
        if isinstance(topics, str):
            raise ConfigError(f"{where}.{kind}", topics, "a list of topic names")
        for topic in topics:
            if not isinstance(topic, str) or not _TOPIC.match(topic) or topic in (".", ".."):
                raise ConfigError(f"{where}.{kind}", topic, "Kafka topic names: letters, digits, '.', '_', '-'")
    if not grant.produce and not grant.consume:
        raise ConfigError(where, grant.client, "at least one topic to produce or consume")


def kafka_acls(grants: Sequence[TopicGrant]) -> list[AclEntry]:
    """ALLOW entries only: everything else stays denied (allow.everyone.if.no.acl.found=false).
    A consumer reads with group ids prefixed by its own name."""
    out: list[AclEntry] = []
    for g in grants:
        for topic in g.produce:
            out += [AclEntry(g.principal, "TOPIC", topic, "LITERAL", op) for op in ("WRITE", "DESCRIBE")]
        for topic in g.consume:
            out += [AclEntry(g.principal, "TOPIC", topic, "LITERAL", op) for op in ("READ", "DESCRIBE")]
        if g.consume:
            out.append(AclEntry(g.principal, "GROUP", g.client, "PREFIXED", "READ"))
    return sorted(set(out))


def cilium_kafka_rules(grant: TopicGrant) -> list[dict[str, Any]]:
    """Cilium `rules.kafka` entries: the roles Cilium knows are produce and consume."""
    return ([{"role": "produce", "topic": t} for t in grant.produce]
            + [{"role": "consume", "topic": t} for t in grant.consume])


def cilium_allows(rules: Sequence[Mapping[str, str]], role: str, topic: str) -> bool:
    """What Cilium's proxy decides for a request on a port with these L7 rules: a request passes
    when some rule matches it, and an empty rule list allows everything."""
    if not rules:
        return True
    return any(r.get("role", role) == role and (r.get("topic") in (None, topic)) for r in rules)


def msk_iam_policy(grants: Sequence[TopicGrant], cluster_arn: str, client: str) -> dict[str, Any]:
    """The IAM policy for one client's role on MSK with IAM authentication."""
    [grant] = [g for g in grants if g.client == client]
    base = cluster_arn.replace(":cluster/", ":topic/", 1)
    group = cluster_arn.replace(":cluster/", ":group/", 1)
    statements = [{"Effect": "Allow", "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
                   "Resource": cluster_arn}]
    if grant.produce:
        statements.append({"Effect": "Allow", "Action": ["kafka-cluster:WriteData", "kafka-cluster:DescribeTopic"],
                           "Resource": [f"{base}/{t}" for t in grant.produce]})
    if grant.consume:
        statements.append({"Effect": "Allow", "Action": ["kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"],
                           "Resource": [f"{base}/{t}" for t in grant.consume]})
        statements.append({"Effect": "Allow", "Action": ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
                           "Resource": f"{group}/{grant.client}*"})
    return {"Version": "2012-10-17", "Statement": statements}


def permitted(grants: Sequence[TopicGrant], client: str, role: str, topic: str) -> bool:
    """The model's own answer, used to check that every enforcement point agrees with it."""
    return any(g.client == client and topic in (g.produce if role == "produce" else g.consume) for g in grants)


def rollout_acls(principal: str, quorum: bool = False) -> list[AclEntry]:
    """What the rolling gate needs and nothing more: see every topic's partitions and configs
    (its ISR and min ISR); with `quorum`, also describe the cluster (the KRaft quorum, asked through
    a broker). It can neither read nor write a record, nor change anything."""
    topics = [AclEntry(principal, "TOPIC", "*", "LITERAL", op) for op in ("DESCRIBE", "DESCRIBE_CONFIGS")]
    return topics + ([AclEntry(principal, "CLUSTER", "kafka-cluster", "LITERAL", "DESCRIBE")] if quorum else [])


def acl_arguments(entry: AclEntry, bootstrap: str, command_config: str) -> list[str]:
    """Arguments of kafka-acls.sh (kafka.admin.AclCommand) that add one ALLOW entry."""
    target = {"TOPIC": ["--topic", entry.name], "GROUP": ["--group", entry.name],
              "CLUSTER": ["--cluster"]}[entry.resource_type]
    operation = "".join(part.title() for part in entry.operation.split("_"))  # DESCRIBE_CONFIGS -> DescribeConfigs
    return ["--bootstrap-server", bootstrap, "--command-config", command_config, "--add", "--force",
            "--allow-principal", entry.principal, "--operation", operation, *target,
            "--resource-pattern-type", entry.pattern.lower()]
