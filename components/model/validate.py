"""Checks every component's validator shares; each raises one ConfigError naming the setting."""
from __future__ import annotations

import re
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

ENVIRONMENTS = ("dev", "staging", "prod")
# Client, cluster and namespace names: DNS labels, also safe inside certificate subjects and the
# broker's principal-mapping rule (no regex or .properties escapes needed).
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def check_int(value: object, setting: str, low: int, high: int, what: str = "") -> None:
    if type(value) is not int or not low <= value <= high:
        raise ConfigError(setting, value, what or f"an integer {low}-{high}")


def check_environment(value: object, setting: str) -> None:
    if value not in ENVIRONMENTS:
        raise ConfigError(setting, value, f"one of {', '.join(ENVIRONMENTS)}")


def check_ensemble_size(value: object, environment: str, setting: str, group: str = "ensemble") -> None:
    """A ZooKeeper ensemble or KRaft controller quorum has an odd size; prod needs 3 or more so
    that one member can fail and a majority remains."""
    if type(value) is not int or value not in (1, 3, 5):
        raise ConfigError(setting, value, f"an odd {group} size: 3 or 5 (1 outside prod)")
    if environment == "prod" and value < 3:
        raise ConfigError(setting, value, "at least 3 nodes in prod, so one can fail")


# EC2 families suited to Kafka and ZooKeeper (general purpose, memory and storage optimised, burstable
# for small non-prod nodes) and their sizes: a misspelled type is refused before anything is created.
EC2_FAMILIES = ("c5", "c6a", "c6g", "c6i", "c7a", "c7g", "c7i", "d3", "d3en", "i3", "i3en", "i4g", "i4i", "im4gn",
                "is4gen", "m5", "m5a", "m6a", "m6g", "m6i", "m7a", "m7g", "m7i", "m8g", "r5", "r6a", "r6g", "r6i",
                "r7a", "r7g", "r7i", "r8g", "t3", "t3a", "t4g")
EC2_SIZES = ("medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge",
             "32xlarge", "48xlarge", "metal")


def check_instance_type(value: object, setting: str) -> None:
    family, _, size = str(value).partition(".") if isinstance(value, str) else ("", "", "")
    if family not in EC2_FAMILIES or size not in EC2_SIZES:
        raise ConfigError(setting, value, f"an EC2 type <family>.<size>, family one of {', '.join(EC2_FAMILIES)}; "
                                          f"size one of {', '.join(EC2_SIZES)}")


# AWS identifiers another stack may hand over. Each check runs on a known value before anything is
# registered, or on an Output when it resolves (see when_known).
_AWS_IDS = {
    "vpc": (re.compile(r"^vpc-[0-9a-f]{8,17}$"), "an id like vpc-0123456789abcdef0"),
    "subnet": (re.compile(r"^subnet-[0-9a-f]{8,17}$"), "ids like subnet-0123456789abcdef0"),
    "sg": (re.compile(r"^sg-[0-9a-f]{8,17}$"), "an id like sg-0123456789abcdef0"),
    "kms": (re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$"),
            "a customer KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)"),
    "pca": (re.compile(r"^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority/[0-9a-f-]{36}$"),
            "arn:aws:acm-pca:<region>:<account>:certificate-authority/<uuid>"),
}


def _aws_id(kind: str) -> Callable[[object, str], None]:
    pattern, allowed = _AWS_IDS[kind]

    def check(value: object, setting: str) -> None:
        if not isinstance(value, str) or not pattern.match(value):
            raise ConfigError(setting, value, allowed)
    return check


check_vpc_id = _aws_id("vpc")
check_subnet_id = _aws_id("subnet")
check_security_group_id = _aws_id("sg")
check_kms_arn = _aws_id("kms")
check_pca_arn = _aws_id("pca")


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
