from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories

from kafka_engine_bridge import CHECK_ID, CHECK_NAME, judge


class KafkaPortNotPublicCloudFormation(BaseResourceCheck):
    """KAFKA-NET-001 for CloudFormation templates."""

    def __init__(self) -> None:
        super().__init__(name=CHECK_NAME, id=CHECK_ID, categories=(CheckCategories.NETWORKING,),
                         supported_resources=("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"))

    def scan_resource_conf(self, conf):
        return judge(self, conf.get("Type", self.entity_type), conf.get("Properties") or {})


check = KafkaPortNotPublicCloudFormation()
