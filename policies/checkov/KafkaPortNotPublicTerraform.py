from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from kafka_engine_bridge import CHECK_ID, CHECK_NAME, judge

TYPES = ("aws_security_group", "aws_default_security_group", "aws_security_group_rule",
         "aws_vpc_security_group_ingress_rule", "kubernetes_service", "kubernetes_service_v1")


class KafkaPortNotPublicTerraform(BaseResourceCheck):
    """KAFKA-NET-001 for Terraform HCL and plans."""

    def __init__(self) -> None:
        super().__init__(name=CHECK_NAME, id=CHECK_ID, categories=(CheckCategories.NETWORKING,),
                         supported_resources=TYPES)

    def scan_resource_conf(self, conf):
        return judge(self, self.entity_type, conf)


check = KafkaPortNotPublicTerraform()
