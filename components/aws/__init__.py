"""Kafka on AWS: MSK, self-managed EC2 brokers with a dedicated ZooKeeper ensemble or KRaft
controller quorum, and what they share (security groups, customer keys, node launch, certificates
in Secrets Manager, the rolling rollout).

May import: `model`, `render`, `certificates`, `ops.rollgate` (the gate's environment contract),
`kafka_guardrails`, pulumi and its AWS-side providers. Never pulumi_kubernetes or `kubernetes`.
"""
