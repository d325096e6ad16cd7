"""kafka-guardrails' rules as checkov checks for Terraform (generated from the engine's registries)."""
from kafka_engine_bridge import terraform_checks

checks = terraform_checks()
