"""A pack that only reads every property of each resource: the Analyzer protocol's floor."""
import os
from collections.abc import Mapping, Sequence

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError


def _touch(value):
    if isinstance(value, Mapping):
        for key in value:
            try:
                _touch(value[key])
            except UnknownValueError:
                pass
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        for index in range(len(value)):
            try:
                _touch(value[index])
            except UnknownValueError:
                pass


def read_only(args, report_violation):
    _touch(args.props)


def read_stack(args, report_violation):
    for resource in args.resources:
        _touch(resource.props)


def nothing(args, report_violation):
    """A policy that returns at once: what pulumi-policy itself costs per policy."""


# EMPTY_PACK_SHAPE=R,S: R resource and S stack policies that do nothing, so the floor has the
# same number of policies as the pack it is compared with (pulumi-policy deserializes each
# resource once per policy before calling it).
shape = os.environ.get("EMPTY_PACK_SHAPE")
if shape:
    resource_count, stack_count = (int(n) for n in shape.split(","))
    policies = [ResourceValidationPolicy(name=f"noop-{i}", description="does nothing", validate=nothing)
                for i in range(resource_count)]
    policies += [StackValidationPolicy(name=f"noop-stack-{i}", description="does nothing", validate=nothing)
                 for i in range(stack_count)]
else:
    policies = [ResourceValidationPolicy(name="read-only", description="reads each resource", validate=read_only),
                StackValidationPolicy(name="read-stack", description="reads the stack", validate=read_stack)]

PolicyPack(name="empty-floor", enforcement_level=EnforcementLevel.MANDATORY, policies=policies)
