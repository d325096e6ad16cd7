"""KAFKA-MSK-* as checkov checks for Terraform (HCL and plan) and CloudFormation: one check
per engine rule and framework, ids CKV_KAFKA_MSK_00N."""
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck as CfnCheck
from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as TfCheck

from kafka_engine_bridge import MSK_RULES, RULES, check_id, judge

_TF = {"msk": ("aws_msk_cluster",), "config": ("aws_msk_configuration",)}
_CFN = {"msk": ("AWS::MSK::Cluster",), "config": ("AWS::MSK::Configuration",)}


def _kind(rule_name: str) -> str:
    return "config" if any("onfiguration" in t for t in RULES[rule_name].types) else "msk"


def _describe(rule_name: str, types: dict) -> dict:
    """The checkov identity of one engine rule: id, 'Ensure …' name, resource types."""
    rule = RULES[rule_name]
    return {"name": f"Ensure {rule.title[0].lower()}{rule.title[1:]} ({rule.id})",
            "id": check_id(rule_name), "categories": (CheckCategories.ENCRYPTION,),
            "supported_resources": types[_kind(rule_name)]}


class MskRuleTerraform(TfCheck):
    def __init__(self, rule_name: str) -> None:
        self.rule_name = rule_name
        super().__init__(**_describe(rule_name, _TF))

    def scan_resource_conf(self, conf):
        return judge(self, self.entity_type, conf, rule_name=self.rule_name)


class MskRuleCloudFormation(CfnCheck):
    def __init__(self, rule_name: str) -> None:
        self.rule_name = rule_name
        super().__init__(**_describe(rule_name, _CFN))

    def scan_resource_conf(self, conf):
        return judge(self, conf.get("Type", self.entity_type), conf.get("Properties") or {},
                     rule_name=self.rule_name)


checks = [cls(name) for name in MSK_RULES for cls in (MskRuleTerraform, MskRuleCloudFormation)]
