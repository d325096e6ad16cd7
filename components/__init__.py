"""secure_kafka: Pulumi components that run Apache Kafka with secure defaults."""
__version__ = "0.2.0"

from .encryption import CustomerKey, CustomerKeyArgs
from .errors import ConfigError
from .msk import MskCluster, MskClusterArgs
from .network import ClientAccess, KafkaSecurityGroup, KafkaSecurityGroupArgs

__all__ = ["ClientAccess", "ConfigError", "CustomerKey", "CustomerKeyArgs", "KafkaSecurityGroup",
           "KafkaSecurityGroupArgs", "MskCluster", "MskClusterArgs"]
