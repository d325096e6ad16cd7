"""kafka-guardrails' rules as checkov checks for Kubernetes (generated from the engine's registries)."""
from kafka_engine_bridge import kubernetes_checks

checks = kubernetes_checks()
