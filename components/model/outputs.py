"""Values that may be Outputs (of another resource or a StackReference): checked now when known, or
when they resolve, before any child that uses them is created; and secrets kept secret."""
from __future__ import annotations

from typing import Any, Callable, Sequence, TypeVar

import pulumi

from .errors import ConfigError

T = TypeVar("T")


# The SDK re-raises an error from an Output's callback as a plain ValueError carrying only its text;
# the refusals are kept here so that the CLI can still report them as configuration errors.
REFUSED_WHEN_RESOLVED: list[ConfigError] = []


def when_known(value: "pulumi.Input[T]", check: Callable[[Any], None]) -> "pulumi.Input[T]":
    """Validate a value now when it is known, or when it resolves when it is an Output (a value
    from another resource or a StackReference): a bad value then fails the deployment with the
    same ConfigError, before the resource that uses it is created."""
    if isinstance(value, pulumi.Output):
        def checked(resolved: T) -> T:
            try:
                check(resolved)
            except ConfigError as error:
                REFUSED_WHEN_RESOLVED.append(error)
                raise
            return resolved
        return value.apply(checked)
    check(value)
    return value


def secret_text(value: "pulumi.Input[str]") -> "pulumi.Output[str]":
    """`pulumi.Output.secret` for text, typed (the SDK's generic signature infers Never for Outputs)."""
    return pulumi.Output.secret(value)


def is_known(value: object) -> bool:
    return not isinstance(value, pulumi.Output)


def checked(value: "pulumi.Input[T]", check: Callable[[object, str], None], setting: str) -> "pulumi.Input[T]":
    """`when_known` with a named setting: the value as passed on to a resource, checked."""
    return when_known(value, lambda v: check(v, setting))


def check_now(value: object, check: Callable[[object, str], None], setting: str) -> None:
    """Check a value that is already known; an Output waits for `checked` at the resource."""
    if is_known(value):
        check(value, setting)


def hold_children(opts: "pulumi.ResourceOptions | None", checked_inputs: Sequence[object]) -> "pulumi.ResourceOptions | None":
    """Options for a component whose Output inputs are checked when they resolve: the component and
    every child wait for all those checks, so a bad value from another stack stops the deployment
    before any of the component's resources is created, not halfway through."""
    pending = [value for value in checked_inputs if isinstance(value, pulumi.Output)]
    if not pending:
        return opts
    gate: pulumi.Output[list[pulumi.Resource]] = pulumi.Output.all(*pending).apply(lambda _: [])

    def wait(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(depends_on=gate)))
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(transformations=[wait]))
