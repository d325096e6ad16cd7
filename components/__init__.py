"""secure_kafka: Pulumi components that run Apache Kafka with secure defaults.

Every component and its typed arguments import from here; the platform modules load on first use,
so a stack that builds only an MSK cluster never imports pulumi_kubernetes.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _moved

__version__ = "0.2.0"

# name -> module that defines it
_EXPORTS = {
    "ConfigError": "model.errors",
    "ClientAccess": "aws.security_groups", "KafkaSecurityGroup": "aws.security_groups", "KafkaSecurityGroupArgs": "aws.security_groups",
    "CustomerKey": "aws.keys", "CustomerKeyArgs": "aws.keys",
    "TopicGrant": "model.access",
    "MskCluster": "aws.msk", "MskClusterArgs": "aws.msk", "MskTopic": "aws.msk_topics",
    "NodeGroupArgs": "aws.nodes",
    "SecurityAlarms": "aws.alarms", "SecurityAlarmsArgs": "model.alarms",
    "SelfManagedKafka": "aws.self_managed", "SelfManagedKafkaArgs": "aws.self_managed",
    "ZooKeeperEnsemble": "aws.zookeeper", "ZooKeeperEnsembleArgs": "aws.zookeeper",
    "KRaftControllerQuorum": "aws.controllers", "KRaftControllerQuorumArgs": "aws.controllers",
    "ClientQuota": "render.kafka",
    "BringYourOwnCa": "model.pki", "OAuthArgs": "model.oauth",
    "KafkaOnKubernetes": "kubernetes.component", "KafkaOnKubernetesArgs": "kubernetes.args", "ContainerResources": "kubernetes.args",
}
__all__ = sorted(_EXPORTS)

# 0.2.0 module paths (`secure_kafka.msk`, ...) import for one more release, with a DeprecationWarning.
_moved.install()

if TYPE_CHECKING:  # `X as X`: an explicit re-export, so mypy --strict users may import these
    from .aws.controllers import KRaftControllerQuorum as KRaftControllerQuorum
    from .aws.controllers import KRaftControllerQuorumArgs as KRaftControllerQuorumArgs
    from .aws.keys import CustomerKey as CustomerKey
    from .aws.keys import CustomerKeyArgs as CustomerKeyArgs
    from .aws.msk import MskCluster as MskCluster
    from .aws.msk import MskClusterArgs as MskClusterArgs
    from .aws.msk_topics import MskTopic as MskTopic
    from .aws.alarms import SecurityAlarms as SecurityAlarms
    from .model.alarms import SecurityAlarmsArgs as SecurityAlarmsArgs
    from .aws.nodes import NodeGroupArgs as NodeGroupArgs
    from .aws.security_groups import ClientAccess as ClientAccess
    from .aws.security_groups import KafkaSecurityGroup as KafkaSecurityGroup
    from .aws.security_groups import KafkaSecurityGroupArgs as KafkaSecurityGroupArgs
    from .aws.self_managed import SelfManagedKafka as SelfManagedKafka
    from .aws.self_managed import SelfManagedKafkaArgs as SelfManagedKafkaArgs
    from .aws.zookeeper import ZooKeeperEnsemble as ZooKeeperEnsemble
    from .aws.zookeeper import ZooKeeperEnsembleArgs as ZooKeeperEnsembleArgs
    from .kubernetes.args import ContainerResources as ContainerResources
    from .kubernetes.args import KafkaOnKubernetesArgs as KafkaOnKubernetesArgs
    from .kubernetes.component import KafkaOnKubernetes as KafkaOnKubernetes
    from .model.access import TopicGrant as TopicGrant
    from .model.errors import ConfigError as ConfigError
    from .model.oauth import OAuthArgs as OAuthArgs
    from .model.pki import BringYourOwnCa as BringYourOwnCa
    from .render.kafka import ClientQuota as ClientQuota


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'secure_kafka' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
