"""secure-kafka: typed stack config -> one Kafka platform -> stack outputs."""
import pulumi

from secure_kafka.stack.config import load
from secure_kafka.stack.platforms import build

for name, value in build(load()).items():
    pulumi.export(name, value)
