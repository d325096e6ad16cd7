"""kafka_guardrails: the rule engine behind the policy pack, the checkov checks and the
components. Pure Python with no Pulumi or checkov import, so every front end shares it."""
from .model import ADVISORY, MANDATORY, Finding, Resource, Rule
from .rules import RULES, judge_resource, judge_stack
from .settings import DEFAULT_PORTS, Settings, SettingsError, from_config

__all__ = [
    "ADVISORY", "MANDATORY", "DEFAULT_PORTS", "Finding", "Resource", "Rule", "RULES",
    "Settings", "SettingsError", "from_config", "judge_resource", "judge_stack",
]
