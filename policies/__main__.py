"""kafka-guardrails: the Pulumi policy pack. Wiring only; the rules live in kafka_guardrails."""
from pulumi_policy import EnforcementLevel, PolicyPack

from pack_adapter import build_policies, report_pack_version

report_pack_version()

PolicyPack(
    name="kafka-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
    description="No Kafka or ZooKeeper port may be reachable from the internet; MSK and "
                "Kubernetes hardening.",
)
