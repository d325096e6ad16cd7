from checkov.common.models.enums import CheckCategories
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check

from kafka_engine_bridge import CHECK_ID, CHECK_NAME, judge


class KafkaPortNotPublicKubernetes(BaseK8Check):
    """KAFKA-NET-001 for Kubernetes Service manifests."""

    def __init__(self) -> None:
        super().__init__(name=CHECK_NAME, id=CHECK_ID, categories=(CheckCategories.NETWORKING,),
                         supported_entities=("Service",))

    def scan_spec_conf(self, conf):
        name = (conf.get("metadata") or {}).get("name", "") if isinstance(conf, dict) else ""
        return judge(self, "Service", conf, name)


check = KafkaPortNotPublicKubernetes()
