"""Where a resource says which Kafka it runs: an MSK version string, a container image, a Strimzi
`Kafka`'s `spec.kafka.version`, the Kafka distribution a machine's boot script downloads. Read into
one model (`kafka-version`) the KAFKA-VER rules judge against versions.py.

An acknowledgement (`secure-kafka:accepted-version-risks` tag, or the annotation
`secure-kafka.io/accepted-version-risks`) is read next to it, so the rules can report an accepted
risk as accepted instead of hiding it.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from ..model import Resource
from ..registry import form
from ..values import MISSING, UNKNOWN, as_text, get, is_unknown, known, mapping
from ..versions import APACHE, MSK, downloads, image_version
from .kafka_logging import machine as logging_of

ACCEPT_TAG = "secure-kafka:accepted-version-risks"
ACCEPT_ANNOTATION = "secure-kafka.io/accepted-version-risks"


@dataclass(frozen=True)
class Release:
    platform: str                 # apache | msk
    version: Any                  # a version string, UNKNOWN, or None (a Kafka whose version cannot be read)
    where: str                    # the property path or container it was read from
    why: str = ""                 # why the version cannot be read


@dataclass(frozen=True)
class Releases:
    releases: tuple[Release, ...]
    accepted: tuple[str, ...] = field(default=())
    mode: str = ""                # zookeeper | kraft, where the resource says


def accepted_risks(value: Any) -> tuple[str, ...]:
    text = as_text(known(value))
    if not text:
        return ()
    return tuple(dict.fromkeys(p for p in text.replace(",", " ").split() if p))


def _tags(props: Any) -> dict[str, Any]:
    tags = known(mapping(props).get("tags", MISSING))
    if isinstance(tags, list):  # CloudFormation's [{Key, Value}]
        return {str(t.get("key")): t.get("value") for t in tags if isinstance(t, dict)}
    return mapping(tags)


def msk_cluster(resource: Resource, props: Any) -> Releases:
    version = known(mapping(props).get("kafkaVersion", MISSING))
    if version is MISSING:
        return Releases((Release(MSK, None, "kafkaVersion", "no kafkaVersion is set"),))
    value = UNKNOWN if is_unknown(version) else str(version)
    return Releases((Release(MSK, value, "kafkaVersion"),), accepted_risks(_tags(props).get(ACCEPT_TAG)))


def msk_configuration(resource: Resource, props: Any) -> Optional[Releases]:
    versions = known(mapping(props).get("kafkaVersions", MISSING))
    if versions is MISSING or versions is None:
        return None
    if is_unknown(versions):
        return Releases((Release(MSK, UNKNOWN, "kafkaVersions"),))
    items = versions if isinstance(versions, list) else [versions]
    return Releases(tuple(Release(MSK, UNKNOWN if is_unknown(v) else str(v), f"kafkaVersions[{i}]")
                          for i, v in enumerate(items)))


def workload(containers: list[Any], annotations: Any) -> Optional[Releases]:
    """Kafka images of a pod template's containers ([(path, container)])."""
    found = []
    for where, container in containers:
        image = known(mapping(container).get("image", MISSING))
        if image is MISSING or image is None:
            continue
        if is_unknown(image):
            found.append(Release(APACHE, UNKNOWN, where))
            continue
        read = image_version(str(image))
        if read is not None:
            found.append(Release(APACHE, read.version, f"{where} ({read.image})", read.why))
    if not found:
        return None
    return Releases(tuple(found), accepted_risks(mapping(annotations).get(ACCEPT_ANNOTATION)))


def strimzi(resource: Resource, props: Any) -> Releases:
    props = mapping(props)
    version = known(get(props, "spec", "kafka", "version"))
    accepted = accepted_risks(get(props, "metadata", "annotations", ACCEPT_ANNOTATION))
    mode = "zookeeper" if get(props, "spec", "zookeeper") not in (MISSING, None) else "kraft"
    if version is MISSING or version is None:
        return Releases((Release(APACHE, None, "spec.kafka.version",
                                 "no spec.kafka.version: the operator picks its own default"),), accepted, mode)
    value = UNKNOWN if is_unknown(version) else str(version)
    return Releases((Release(APACHE, value, "spec.kafka.version"),), accepted, mode)


def _user_data(props: dict[str, Any]) -> Any:
    for key in ("userData", "userDataBase64"):
        value = known(props.get(key, MISSING))
        if value is not MISSING and value is not None:
            return value
    data = mapping(props.get("launchTemplateData"))  # CloudFormation's launch template
    return known(data.get("userData", MISSING))


def boot_script(props: Any) -> Optional[str]:
    """An EC2 instance's or launch template's user data as text (base64 decoded); None when absent or unknown."""
    raw = _user_data(mapping(props))
    if raw is MISSING or raw is None or is_unknown(raw) or not isinstance(raw, str):
        return None
    text: str = raw
    if "kafka_" in text or "log4j" in text:
        return text
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return text


_SHIPPED = re.compile(r'"log_group_name"\s*:\s*"([^"]+)"')


@dataclass(frozen=True)
class Shipping:
    """Where a Kafka machine's CloudWatch agent sends its logs (the groups named in its boot script)."""

    groups: tuple[str, ...]


def shipping(plain: Optional[str]) -> Optional[Shipping]:
    """Only for a machine whose boot script installs Kafka: others are not Kafka platforms."""
    if plain is None or not downloads(plain):
        return None
    return Shipping(tuple(dict.fromkeys(_SHIPPED.findall(plain))))


def machine(resource: Resource, props: Any) -> Optional[Releases]:
    """An EC2 instance or launch template whose boot script downloads a Kafka distribution."""
    props = mapping(props)
    plain = boot_script(props)
    if plain is None:
        return None  # nothing to read: no sign that it runs Kafka at all
    found = downloads(plain)
    if not found:
        return None
    mode = "kraft" if "process.roles" in plain else "zookeeper" if "zookeeper.connect" in plain else ""
    return Releases(tuple(Release(APACHE, v, "userData (Kafka download)") for v in found),
                    accepted_risks(_tags(props).get(ACCEPT_TAG)), mode)


form(key="aws.ec2-machine", family="Amazon EC2",
     summary="instances and launch templates whose user data downloads a Kafka distribution: its release "
             "(KAFKA-VER-*), and the log configuration the user data writes (KAFKA-LOG-001); their reachability "
             "is the security groups'",
     pulumi=("aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"),
     terraform=("aws_instance", "aws_launch_template"),
     cloudformation=("AWS::EC2::Instance", "AWS::EC2::LaunchTemplate"),
     models={"kafka-version": machine, "kafka-logging": lambda resource, props: logging_of(boot_script(props)),
             "log-shipping": lambda resource, props: shipping(boot_script(props))},
     fix="Run a Kafka release the version table accepts.")
