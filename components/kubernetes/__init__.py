"""Kafka on Kubernetes: typed arguments (`args`), the pure manifest builders (`manifests`), the one
validation pass (`validation`) and the component that registers the objects (`component`).

May import: `model`, `render`, `certificates`, `kafka_guardrails`. Only `component` imports
pulumi_kubernetes; `args`, `manifests` and `validation` import no provider. Never `aws`.
"""
