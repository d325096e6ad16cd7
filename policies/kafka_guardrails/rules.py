"""The registry: every rule once, in a stable order, looked up by name or id."""
from __future__ import annotations

from typing import Iterable, Sequence

from . import exposure, k8s, msk
from .forms import NETWORK_TYPES
from .model import ADVISORY, MANDATORY, Finding, Resource, Rule
from .settings import Settings


class Registry:
    """Rejects duplicate names so two rules can never shadow each other in the pack."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            if rule.name in self._rules:
                raise ValueError(f"duplicate rule name {rule.name!r}")
            self._rules[rule.name] = rule

    def __iter__(self):
        return iter(sorted(self._rules.values(), key=lambda r: (r.id, r.name)))

    def __getitem__(self, name: str) -> Rule:
        return self._rules[name]

    def resource_rules(self) -> list[Rule]:
        return [r for r in self if not r.stack]

    def stack_rules(self) -> list[Rule]:
        return [r for r in self if r.stack]


RULES = Registry([
    Rule(exposure.RULE_ID, "kafka-no-public-port", exposure.TITLE, MANDATORY,
         exposure.REMEDIATION, NETWORK_TYPES, exposure.judge),
    Rule(exposure.RULE_ID, "kafka-no-public-port-combined",
         "Security-group rules may not together open a Kafka or ZooKeeper port to the internet",
         MANDATORY, exposure.REMEDIATION, NETWORK_TYPES, exposure.judge_stack, stack=True),
    Rule("KAFKA-MSK-001", "msk-no-public-access", "MSK brokers may not have public access",
         MANDATORY, "Set publicAccess.type to DISABLED.", msk.CLUSTER_TYPES, msk.public_access),
    Rule("KAFKA-MSK-002", "msk-tls-in-transit", "MSK must encrypt client-broker and in-cluster traffic with TLS",
         MANDATORY, "clientBroker TLS, inCluster true.", msk.CLUSTER_TYPES, msk.in_transit),
    Rule("KAFKA-MSK-003", "msk-client-authentication", "MSK clients must authenticate (IAM, SCRAM or mutual TLS)",
         MANDATORY, "Disable unauthenticated access; enable IAM, SCRAM or TLS.", msk.CLUSTER_TYPES,
         msk.client_authentication),
    Rule("KAFKA-MSK-004", "msk-customer-kms-key", "MSK data at rest must use a customer-managed KMS key",
         MANDATORY, "Set encryptionAtRestKmsKeyArn.", msk.CLUSTER_TYPES, msk.customer_key),
    Rule("KAFKA-MSK-005", "msk-acl-deny-by-default", "MSK configuration must deny topics without ACLs",
         MANDATORY, "allow.everyone.if.no.acl.found=false.", msk.CONFIG_TYPES, msk.deny_by_default),
    Rule("KAFKA-MSK-006", "msk-broker-logging", "MSK broker logs should be delivered for audit",
         ADVISORY, "Enable loggingInfo.brokerLogs.", msk.CLUSTER_TYPES, msk.broker_logging),
    Rule("KAFKA-MSK-007", "msk-no-unclean-leader-election", "MSK should not allow unclean leader election",
         ADVISORY, "unclean.leader.election.enable=false.", msk.CONFIG_TYPES, msk.unclean_election),
    Rule("KAFKA-K8S-001", "k8s-kafka-workload-hardened",
         "Kafka/ZooKeeper pods run unprivileged, as non-root, with a read-only root filesystem",
         MANDATORY, "runAsNonRoot, readOnlyRootFilesystem, no privilege.", k8s.WORKLOAD_TYPES,
         k8s.workload_hardening),
    Rule("KAFKA-K8S-002", "k8s-kafka-resource-limits", "Kafka/ZooKeeper containers have CPU and memory limits",
         ADVISORY, "Set resources.limits.", k8s.WORKLOAD_TYPES, k8s.resource_limits),
    Rule("KAFKA-K8S-003", "k8s-kafka-network-policy", "Namespaces running Kafka have a NetworkPolicy",
         ADVISORY, "Add a default-deny NetworkPolicy.", k8s.WORKLOAD_TYPES | k8s.POLICY_TYPES,
         k8s.network_policies, stack=True),
])


def judge_resource(resource: Resource, settings: Settings = Settings(),
                   rules: Sequence[Rule] | None = None) -> list[Finding]:
    """Run every resource rule that applies. Never raises: a rule that fails reports itself."""
    out: list[Finding] = []
    for rule in rules if rules is not None else RULES.resource_rules():
        if resource.type in rule.types:
            out.extend(safe_check(rule, resource, settings))
    return out


def judge_stack(resources: Sequence[Resource], settings: Settings = Settings(),
                rules: Sequence[Rule] | None = None) -> list[Finding]:
    out: list[Finding] = []
    for rule in rules if rules is not None else RULES.stack_rules():
        relevant = [r for r in resources if r.type in rule.types]
        out.extend(safe_check(rule, relevant, settings))
    return out


def safe_check(rule: Rule, subject, settings: Settings) -> list[Finding]:
    """Fail closed: odd input that trips a rule becomes a finding, never a crash or a pass."""
    try:
        return list(rule.check(subject, settings))
    except Exception as error:  # noqa: BLE001 - the point is to catch anything
        label = subject.label if isinstance(subject, Resource) else "stack"
        return [Finding(rule.id, label,
                        f"the rule {rule.name} could not read this input ({type(error).__name__}: "
                        f"{error}); it is reported rather than passed.",
                        "Check the resource's properties against the provider schema.",
                        MANDATORY)]
