"""A pack that only reads every property of each resource: the Analyzer protocol's floor."""
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


PolicyPack(name="empty-floor", enforcement_level=EnforcementLevel.MANDATORY, policies=[
    ResourceValidationPolicy(name="read-only", description="reads each resource", validate=read_only),
    StackValidationPolicy(name="read-stack", description="reads the stack", validate=read_stack),
])
