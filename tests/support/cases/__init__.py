"""The exposure table: every family of forms, exposed cases and safe look-alikes.

One module per family (the same split as `kafka_guardrails/forms/`); this package collects every
module's `CASES` (one resource, judged alone) and `STACKS` (several resources, judged together),
so a new family's cases need no edit here. Properties are written as the Pulumi engine sends them
(camelCase); `tests/support/checkov_forms.py` turns the same cases into Terraform plans, CloudFormation
templates and Kubernetes manifests for the real checkov.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any

STRING_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class Case:
    name: str
    type: str
    props: dict
    exposed: bool
    port: int = 9092          # a guarded port the finding must name, when exposed
    checkov: bool = True      # also run through checkov where the form has a dialect there


@dataclass(frozen=True)
class Member:
    """One resource of a stack case. `refs` maps a property path (`loadBalancerArn`,
    `defaultActions[0].targetGroupArn`, `ingress[0].prefixListIds[0]`) to the member it points at."""

    name: str
    type: str
    props: dict
    refs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StackCase:
    name: str
    members: tuple
    policies: frozenset       # exactly the stack policies that fire
    joins: tuple = ()         # members the finding must name
    port: int = 9092
    checkov: bool = True


NET = "kafka-no-public-port"
COMBINED = frozenset({"kafka-no-public-port-combined"})
UNSEEN = frozenset({"kafka-exposure-unseen"})
NONE: frozenset = frozenset()

CASES: list[Case] = []
STACKS: list[StackCase] = []
FAMILIES: dict[str, Any] = {}
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    FAMILIES[_info.name] = _module
    CASES.extend(getattr(_module, "CASES", []))
    STACKS.extend(getattr(_module, "STACKS", []))

EXPOSED = [c for c in CASES if c.exposed]
SAFE = [c for c in CASES if not c.exposed]

# Names other tests import from the security-group family.
from .aws_sg import DEFAULT_SG, NATIVE_IN, NATIVE_SG, SG, SG_RULE, VPC_IN, rule, sg, tcp, vpc_in  # noqa: E402
from .k8s_services import SERVICE, svc  # noqa: E402
