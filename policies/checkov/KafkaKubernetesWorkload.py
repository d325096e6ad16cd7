"""KAFKA-K8S-001/002 as checkov checks for Kubernetes manifests (CKV_KAFKA_K8S_00N): the same
engine rules the pack applies to Pulumi's StatefulSets, Deployments, Pods, Jobs…"""
from checkov.common.models.enums import CheckCategories
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check

from kafka_engine_bridge import RULES, check_id, judge

KINDS = ("Pod", "StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "Job", "CronJob")
K8S_RULES = [r.name for r in RULES.resource_rules() if r.id.startswith("KAFKA-K8S")]


class KafkaWorkloadRule(BaseK8Check):
    def __init__(self, rule_name: str) -> None:
        self.rule_name = rule_name
        rule = RULES[rule_name]
        super().__init__(name=f"Ensure {rule.title} ({rule.id})", id=check_id(rule_name),
                         categories=(CheckCategories.KUBERNETES,), supported_entities=KINDS)

    def scan_spec_conf(self, conf):
        kind = conf.get("kind", "Pod") if isinstance(conf, dict) else "Pod"
        name = (conf.get("metadata") or {}).get("name", "") if isinstance(conf, dict) else ""
        return judge(self, kind, conf, name, rule_name=self.rule_name)


checks = [KafkaWorkloadRule(name) for name in K8S_RULES]
