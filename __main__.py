"""secure-kafka: typed stack config -> one Kafka platform -> stack outputs."""
import pulumi

from secure_kafka.config import load
from secure_kafka.platforms import build

for name, value in build(load()).items():
    pulumi.export(name, value)
