"""zoo.cfg for a dedicated ZooKeeper ensemble: TLS-only client port with certificates required,
TLS between quorum members, x509 authentication for znode ACLs, no admin server."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .kafka import CIPHER_SUITES, TLS_PROTOCOLS, PemFiles
from .properties import Value

X509_PROVIDER = "org.apache.zookeeper.server.auth.X509AuthenticationProvider"
SECURE_CLIENT_PORT, QUORUM_PORT, ELECTION_PORT = 2182, 2888, 3888


@dataclass(frozen=True)
class QuorumMember:
    server_id: int
    host: str
    quorum_port: int = QUORUM_PORT
    election_port: int = ELECTION_PORT


@dataclass(frozen=True)
class ZooKeeperSettings:
    server_id: int
    members: Sequence[QuorumMember]
    data_dir: str
    tls: PemFiles
    secure_client_port: int = SECURE_CLIENT_PORT
    bind_host: str = "0.0.0.0"
    # Off only where peers have no reverse-resolvable names matching their certificates
    # (Kubernetes pods); the cluster CA and x509 identities still authenticate every peer.
    verify_hostnames: bool = True
    # On in containers, where a member's own name may not resolve to an interface at start.
    quorum_listen_on_all_ips: bool = False


def validate_ensemble(members: Sequence[QuorumMember]) -> None:
    if len(members) not in (1, 3, 5, 7) or len({m.server_id for m in members}) != len(members):
        raise ValueError("an ensemble has 1, 3, 5 or 7 members with distinct ids")


def zoo_cfg(settings: ZooKeeperSettings) -> dict[str, Value]:
    """No `clientPort`: the only client port is `secureClientPort`."""
    validate_ensemble(settings.members)
    if settings.server_id not in {m.server_id for m in settings.members}:
        raise ValueError(f"server id {settings.server_id} is not a member of the ensemble")
    tls = settings.tls
    props: dict[str, Value] = {
        "tickTime": 2000,
        "initLimit": 10,
        "syncLimit": 5,
        "dataDir": settings.data_dir,
        "secureClientPort": settings.secure_client_port,
        "secureClientPortAddress": settings.bind_host,
        "serverCnxnFactory": "org.apache.zookeeper.server.NettyServerCnxnFactory",
        "admin.enableServer": False,
        "4lw.commands.whitelist": "ruok",
        "autopurge.snapRetainCount": 5,
        "autopurge.purgeInterval": 24,
        # clients: TLS with a certificate from the cluster CA, authenticated as their DN
        "ssl.clientAuth": "need",
        "ssl.protocol": "TLSv1.3",
        "ssl.enabledProtocols": TLS_PROTOCOLS,
        "ssl.ciphersuites": CIPHER_SUITES,
        "ssl.hostnameVerification": settings.verify_hostnames,
        "ssl.keyStore.type": "PEM",
        "ssl.keyStore.location": tls.keystore,
        "ssl.trustStore.type": "PEM",
        "ssl.trustStore.location": tls.truststore,
        "authProvider.x509": X509_PROVIDER,
        "ssl.authProvider": "x509",
        # quorum: TLS between members only
        "sslQuorum": True,
        "portUnification": False,
        "ssl.quorum.protocol": "TLSv1.3",
        "ssl.quorum.enabledProtocols": TLS_PROTOCOLS,
        "ssl.quorum.ciphersuites": CIPHER_SUITES,
        "ssl.quorum.hostnameVerification": settings.verify_hostnames,
        "ssl.quorum.keyStore.type": "PEM",
        "ssl.quorum.keyStore.location": tls.keystore,
        "ssl.quorum.trustStore.type": "PEM",
        "ssl.quorum.trustStore.location": tls.truststore,
        "quorumListenOnAllIPs": settings.quorum_listen_on_all_ips,
    }
    for m in settings.members:
        props[f"server.{m.server_id}"] = f"{m.host}:{m.quorum_port}:{m.election_port}"
    return props


def myid(settings: ZooKeeperSettings) -> str:
    return f"{settings.server_id}\n"
