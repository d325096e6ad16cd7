"""secure_kafka: Pulumi components that run Apache Kafka with secure defaults."""
from .errors import ConfigError
from .network import ClientAccess, KafkaSecurityGroup, KafkaSecurityGroupArgs

__all__ = ["ClientAccess", "ConfigError", "KafkaSecurityGroup", "KafkaSecurityGroupArgs"]
