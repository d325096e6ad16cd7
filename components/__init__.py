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
    "MskCluster": "aws.msk", "MskClusterArgs": "aws.msk",
    "NodeGroupArgs": "aws.nodes",
    "SelfManagedKafka": "aws.self_managed", "SelfManagedKafkaArgs": "aws.self_managed",
    "ZooKeeperEnsemble": "aws.zookeeper", "ZooKeeperEnsembleArgs": "aws.zookeeper",
    "KRaftControllerQuorum": "aws.controllers", "KRaftControllerQuorumArgs": "aws.controllers",
    "ClientQuota": "render.kafka",
    "BringYourOwnCa": "model.pki",
    "KafkaOnKubernetes": "kubernetes.component", "KafkaOnKubernetesArgs": "kubernetes.args", "ContainerResources": "kubernetes.args",
}
__all__ = sorted(_EXPORTS)

# 0.2.0 module paths (`secure_kafka.msk`, ...) import for one more release, with a DeprecationWarning.
_moved.install()

if TYPE_CHECKING:
    from .model.access import TopicGrant
    from .aws.self_managed import SelfManagedKafka, SelfManagedKafkaArgs
    from .aws.nodes import NodeGroupArgs
    from .aws.controllers import KRaftControllerQuorum, KRaftControllerQuorumArgs
    from .aws.keys import CustomerKey, CustomerKeyArgs
    from .model.errors import ConfigError
    from .kubernetes.args import ContainerResources, KafkaOnKubernetesArgs
    from .kubernetes.component import KafkaOnKubernetes
    from .aws.msk import MskCluster, MskClusterArgs
    from .aws.security_groups import ClientAccess, KafkaSecurityGroup, KafkaSecurityGroupArgs
    from .model.pki import BringYourOwnCa
    from .render.kafka import ClientQuota
    from .aws.zookeeper import ZooKeeperEnsemble, ZooKeeperEnsembleArgs


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'secure_kafka' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
