"""kafka-guardrails' rules as checkov checks for CloudFormation (generated from the engine's registries)."""
from kafka_engine_bridge import cloudformation_checks

checks = cloudformation_checks()
