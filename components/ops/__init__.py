"""Day-2 tools that talk to running clusters and accounts, not to Pulumi: the rolling gate, the
ZooKeeper-to-KRaft migration driver and its command, and the security-group audit.

May import: `model`, `render`, `gate.project` (usage errors, YAML reading), `kafka_guardrails`, and
the clients they drive (confluent-kafka, boto3). Never pulumi: these run where Pulumi is not installed.
"""
