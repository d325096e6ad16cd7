"""secure-kafka: typed stack config -> one Kafka platform -> stack outputs."""
import pulumi

from secure_kafka import KafkaSecurityGroup, KafkaSecurityGroupArgs
from secure_kafka.config import load

settings = load()
network = KafkaSecurityGroup(
    f"kafka-{settings.environment}",
    KafkaSecurityGroupArgs(vpc_id=settings.vpc_id, vpc_cidr=settings.vpc_cidr,
                           ports=settings.listener_ports, clients=settings.clients,
                           tags={"Environment": settings.environment}),
)
pulumi.export("securityGroupId", network.security_group_id)
