"""Run real Apache Kafka 3.9.x and ZooKeeper on 127.0.0.1 with the configs our renderers produce.

Fetches the jars with Maven into `.cache/` (git-ignored), issues the certificates of
`secure_kafka.model.pki` with `cryptography`, and starts each server in its own process group so that
everything is stopped — and its ports, files and processes released — even when a test fails.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import jvmcache
import probes
from kafka_guardrails.versions import DEFAULTS, risk_ids
from oidc import IdentityProvider
from secure_kafka.model import pki
from secure_kafka.model.oauth import BROKER_VALIDATOR, OAuthArgs
from secure_kafka.render import parse_properties, render_properties
from secure_kafka.render.jvm import jvm_options
from secure_kafka.render.kafka import BrokerSettings, PemFiles, log_config, server_properties
from secure_kafka.render.kraft import (CONTROLLER_ID_BASE, ControllerSettings, KRaftBrokerSettings, Voter,
                                       controller_properties, kraft_broker_properties)
from secure_kafka.render.kraft import cluster_id as kraft_cluster_id
from secure_kafka.render.loginpolicy import JAR_NAME, policy_jar
from secure_kafka.render.oauth import with_oauth
from secure_kafka.render.zookeeper import QuorumMember, ZooKeeperSettings, myid, zoo_cfg

ROOT = Path(__file__).resolve().parents[2]
# Kafka 3.x logs through reload4j (log4j 1), 4.x through log4j 2 (KIP-653): each runtime gets the
# binding its distribution ships, so the log configuration the platforms render is the one read.
POMS = {3: Path(__file__).resolve().parent / "pom.xml", 4: Path(__file__).resolve().parent / "pom-4.xml"}
# Exactly the releases the platforms ship, from the library's version table: ZooKeeper mode's last
# release (3.9.2) and the KRaft default (the newest 4.x, 4.4.0).
KAFKA_VERSION = DEFAULTS["zookeeper"]
KAFKA_4 = DEFAULTS["kraft"]
HOST = "127.0.0.1"  # the only address anything here binds to or advertises
# Tests favour start-up time on 2 cores; benchmarks pass SERVER_JVM for steady-state throughput.
JVM = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true")
SERVER_JVM = ("-XX:+UseG1GC", "-Djava.net.preferIPv4Stack=true")
# The servers run on a JDK that would accept TLS 1.0/1.1 and 3DES (the JDK's own list, minus those):
# whatever refuses them in the tests is the rendered configuration, not the JDK's defaults.
PERMISSIVE_JDK = ("jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, "
                  "EC keySize < 224, anon, NULL\n")
# Keys of the Kubernetes variant that the test cluster replaces, and why: where a pod listens,
# advertises, keeps files and finds its peers. Everything else boots as the ConfigMap renders it.
K8S_LOCAL_BROKER_KEYS = ("listeners", "advertised.listeners", "log.dirs", "ssl.keystore.location",
                         "ssl.truststore.location", "zookeeper.connect", "zookeeper.ssl.keystore.location",
                         "zookeeper.ssl.truststore.location", "broker.id")
K8S_LOCAL_ZOOKEEPER_KEYS = ("dataDir", "secureClientPort", "secureClientPortAddress", "ssl.keyStore.location",
                            "ssl.trustStore.location", "ssl.quorum.keyStore.location",
                            "ssl.quorum.trustStore.location",
                            # pods listen on every interface of their own network namespace; here that
                            # would be the host's, and nothing here binds beyond 127.0.0.1
                            "quorumListenOnAllIPs")
# KRaft: the same for brokers and controllers; `controller.quorum.voters` names the controller
# pods' DNS names, which are 127.0.0.1 ports here.
K8S_LOCAL_KRAFT_KEYS = ("listeners", "advertised.listeners", "log.dirs", "ssl.keystore.location",
                        "ssl.truststore.location", "controller.quorum.voters")


def kafka_classpath(version: str = KAFKA_VERSION) -> str:
    """The Kafka runtime's jars, fetched once with Maven into the project cache."""
    cache = ROOT / ".cache" / f"kafka-{version}"
    lib = cache / "lib"
    marker = cache / ".complete"
    pom = POMS[4 if int(version.split(".")[0]) >= 4 else 3]
    stamp = f"{version} {pom.name} {hashlib.sha256(pom.read_bytes()).hexdigest()[:16]}"
    with _cache_lock(cache):  # both real-Kafka lanes may ask first on a fresh clone
        if not marker.exists() or marker.read_text() != stamp:  # a changed POM fetches again
            shutil.rmtree(lib, ignore_errors=True)
            lib.mkdir(parents=True)
            done = subprocess.run(["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                                   f"-DoutputDirectory={lib}", f"-Dkafka.version={version}"],
                                  capture_output=True, text=True, timeout=1200)
            if done.returncode != 0 or not any(lib.glob("kafka_2.13-*.jar")):
                raise RuntimeError(f"mvn could not fetch Kafka {version}: {done.stdout[-2000:]} {done.stderr[-2000:]}")
            marker.write_text(stamp)
    classpath = ":".join(str(p) for p in sorted(lib.glob("*.jar")))
    jvmcache.register(classpath)
    return classpath


def kafka_tools_classpath(version: str = KAFKA_VERSION) -> str:
    """The runtime plus Kafka's command-line tools jar (kafka-metadata-quorum and friends), which
    the broker does not need; fetched once, without its dependencies (the runtime has them)."""
    tools = ROOT / ".cache" / f"kafka-{version}" / "tools"
    jar = tools / f"kafka-tools-{version}.jar"
    runtime = kafka_classpath(version)
    with _cache_lock(tools):
        if not jar.exists():
            done = subprocess.run(["mvn", "-q", "-B", "dependency:copy",
                                   f"-Dartifact=org.apache.kafka:kafka-tools:{version}",
                                   f"-DoutputDirectory={tools}.partial", "-Dtransitive=false"],
                                  capture_output=True, text=True, timeout=600)
            fetched = Path(f"{tools}.partial") / jar.name
            if done.returncode != 0 or not fetched.exists():
                raise RuntimeError(f"mvn could not fetch kafka-tools {version}: {done.stdout[-2000:]} {done.stderr[-2000:]}")
            tools.mkdir(parents=True, exist_ok=True)
            os.replace(fetched, jar)
    return f"{runtime}:{jar}"


@contextlib.contextmanager
def _cache_lock(path: Path) -> Iterator[None]:
    """One process at a time fetches into a cache directory (the others wait, then find it there)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def free_ports(count: int) -> list[int]:
    sockets, ports = [], []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((HOST, 0))
            sockets.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in sockets:
            s.close()
    return ports


def port_open(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.3) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


# --- certificates: the pki model, issued with cryptography ------------------------------------
@dataclass
class Authority:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(subject: dict[str, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject["organization"]),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, subject["organizational_unit"]),
                      x509.NameAttribute(NameOID.COMMON_NAME, subject["common_name"])])


def new_authority(cluster: str) -> Authority:
    key = rsa.generate_private_key(public_exponent=65537, key_size=pki.RSA_BITS)
    now = datetime.datetime.now(datetime.timezone.utc)
    name = _name(pki.ca_subject(cluster))
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=pki.CA_VALIDITY_HOURS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return Authority(key, cert)


def issue(spec: pki.CertSpec, ca: Authority) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM) for one CertSpec."""
    import ipaddress

    key = rsa.generate_private_key(public_exponent=65537, key_size=pki.RSA_BITS)
    now = datetime.datetime.now(datetime.timezone.utc)
    usages = ([ExtendedKeyUsageOID.SERVER_AUTH] if spec.server else []) + \
             ([ExtendedKeyUsageOID.CLIENT_AUTH] if spec.client else [])
    sans = [x509.DNSName(d) for d in spec.dns_names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in spec.ip_addresses]
    builder = (x509.CertificateBuilder().subject_name(_name(spec.subject)).issuer_name(ca.cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(hours=pki.LEAF_VALIDITY_HOURS))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
               .add_extension(x509.ExtendedKeyUsage(usages), critical=False))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(ca.key, hashes.SHA256())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Identity:
    """Files of one certificate holder, in the shapes Kafka, ZooKeeper and librdkafka read."""

    key: Path
    cert: Path
    bundle: Path  # key + certificate + CA: Kafka's and ZooKeeper's PEM keystore
    ca: Path

    @property
    def pem_files(self) -> PemFiles:
        return PemFiles(keystore=str(self.bundle), truststore=str(self.ca))


def write_identity(directory: Path, spec: pki.CertSpec, ca: Authority, trust: Optional[Authority] = None) -> Identity:
    directory.mkdir(parents=True, exist_ok=True)
    key_pem, cert_pem = issue(spec, ca)
    paths = Identity(directory / f"{spec.name}.key", directory / f"{spec.name}.crt",
                     directory / f"{spec.name}.bundle.pem", directory / "ca.pem")
    paths.key.write_bytes(key_pem)
    paths.cert.write_bytes(cert_pem)
    paths.bundle.write_bytes(key_pem + cert_pem + ca.pem)
    paths.ca.write_bytes((trust or ca).pem)
    for p in (paths.key, paths.bundle):
        p.chmod(0o600)
    return paths


def e2e_broker_settings(cluster: str, index: int, zookeeper_connect: str, home: Path, tls: PemFiles,
                        tls_port: int, sasl_port: Optional[int], brokers: int) -> BrokerSettings:
    """What the real test brokers run with: only addresses, ports and paths are test-specific."""
    return BrokerSettings(broker_id=index, cluster=cluster, advertised_host=HOST, bind_host=HOST,
                          zookeeper_connect=zookeeper_connect, log_dirs=str(home / "data"), tls=tls,
                          tls_port=tls_port, sasl_port=sasl_port, replication_factor=min(3, brokers),
                          min_insync_replicas=2)


# --- processes ---
_STARTED: list["Server"] = []


@atexit.register
def _kill_leftovers() -> None:
    """Last line of defence: an interpreter that dies mid-test still takes its servers along."""
    for server in _STARTED:
        server.signal(signal.SIGKILL)


# --------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    command: list[str]
    log: Path
    ports: Sequence[int]
    process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        _STARTED.append(self)
        command = jvmcache.launch(self.command)
        handle = open(self.log, "ab")
        self.process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT,
                                        start_new_session=True, cwd=str(self.log.parent))
        handle.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        if self.running:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, timeout: float = 30) -> None:
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def log_option(path: Path) -> str:
    """The JVM option that points a server at its rendered log configuration (log4j 1 or 2, by file)."""
    key = "log4j2.configurationFile" if path.name.startswith("log4j2") else "log4j.configuration"
    return f"-D{key}=file:{path}"


K8S_LOG_DIR = "/var/log/kafka"  # where KafkaOnKubernetes' pods keep their log files


def write_log_config(home: Path, version: str, configmap: Optional[dict[str, str]] = None) -> Path:
    """The log configuration the platforms render for this Kafka release, written into the node's home;
    given a Kubernetes ConfigMap's data, its own text, with the pod's log directory made the node's home."""
    config = log_config(version, str(home))
    for stale in ("log4j.properties", "log4j2.properties"):
        (home / stale).unlink(missing_ok=True)
    path = home / config.file
    text = render_properties(config.properties)
    if configmap is not None:
        assert K8S_LOG_DIR in configmap[config.file], "the ConfigMap's log configuration names no log directory"
        text = configmap[config.file].replace(K8S_LOG_DIR, str(home))
    path.write_text(text)
    return path


def java(classpath: str, main: str, args: Sequence[str], heap: str, log4j: Optional[Path] = None,
         flags: Sequence[str] = JVM) -> list[str]:
    props = [log_option(log4j)] if log4j else []
    return jvmcache.shared(["java", f"-Xmx{heap}", f"-Xms{heap}", *flags, *props, "-cp", classpath, main, *args])


@dataclass
class KafkaCluster:
    """3 ZooKeeper nodes and N brokers, TLS everywhere, on 127.0.0.1."""

    cluster: str = "e2e"
    zookeepers: int = 3
    brokers: int = 3
    sasl: bool = True
    workdir: Optional[Path] = None
    # Benchmarks only: the same cluster with TLS, authentication and ACLs stripped, as the
    # baseline that TLS throughput is compared with. Never used by a security test.
    insecure_baseline: bool = False
    jvm_flags: Sequence[str] = JVM
    # "ec2": the configs SelfManagedKafka renders; "kubernetes": KafkaOnKubernetes' ConfigMaps
    variant: str = "ec2"
    # Certificate names per node ("zk0", "broker1"), replacing 127.0.0.1: wrong names for tests.
    cert_hosts: Optional[dict[str, list[str]]] = None
    # Mutation tests only: (role, index, rendered config) -> the config to run.
    mutate: Optional[Callable[[str, int, dict], dict]] = None
    # "zookeeper" (a ZooKeeper ensemble) or "kraft" (a dedicated controller quorum, no ZooKeeper)
    metadata: str = "zookeeper"
    controllers: int = 3
    version: str = ""  # default: what the platforms ship in this metadata mode
    # ZooKeeper mode: start broker 0 alone and wait until it is the controller before the rest,
    # for tests whose other brokers cannot talk to themselves (a certificate for another host).
    broker0_controls: bool = False
    # ZooKeeper mode: also plan a controller quorum (ports, certificates) for a migration to KRaft.
    migration: bool = False
    # The SASL_SSL listener also takes OAuth logins (OAuthArgs as a user gives them), checked against
    # the JWKS of an identity provider the harness runs on 127.0.0.1 (`self.idp`)
    oauth: bool = False

    def __post_init__(self) -> None:
        self.own_workdir = self.workdir is None
        self.workdir = Path(self.workdir or tempfile.mkdtemp(prefix="secure-kafka-e2e-"))
        self.version = self.version or DEFAULTS[self.metadata]
        self.classpath = kafka_classpath(self.version)
        if self.metadata == "kraft":
            self.zookeepers = 0
        elif not self.migration:
            self.controllers = 0
        self.ca = new_authority(self.cluster)
        self.pki_dir = self.workdir / "pki"
        zk_ports = free_ports(3 * self.zookeepers)
        self.zk_members = [QuorumMember(i + 1, HOST, zk_ports[3 * i + 1], zk_ports[3 * i + 2])
                           for i in range(self.zookeepers)]
        self.zk_client_ports = [zk_ports[3 * i] for i in range(self.zookeepers)]
        ports = free_ports(2 * self.brokers)
        self.tls_ports = ports[: self.brokers]
        self.sasl_ports = ports[self.brokers:] if self.sasl else []
        hosts = self.cert_hosts or {}
        self.zk_ids = [write_identity(self.pki_dir / f"zk{i}", spec, self.ca) for i, spec in enumerate(
            pki.zookeeper_certs(self.cluster, [hosts.get(f"zk{i}", [HOST]) for i in range(self.zookeepers)]))]
        self.broker_ids = [write_identity(self.pki_dir / f"broker{i}", spec, self.ca) for i, spec in enumerate(
            pki.broker_certs(self.cluster, [hosts.get(f"broker{i}", [HOST, "localhost"])
                                            for i in range(self.brokers)]))]
        controller_ports = free_ports(self.controllers)
        self.voters = [Voter(CONTROLLER_ID_BASE + i, HOST, controller_ports[i]) for i in range(self.controllers)]
        self.controller_ids = [write_identity(self.pki_dir / f"controller{i}", spec, self.ca) for i, spec in enumerate(
            pki.controller_certs(self.cluster, [hosts.get(f"controller{i}", [HOST]) for i in range(self.controllers)]))]
        self.controller_servers: list[Server] = []
        security = self.workdir / "java.security"
        security.write_text(PERMISSIVE_JDK)
        self.policy_jar = self.workdir / JAR_NAME  # the controllers' AlterConfigs policy, as the platforms ship it
        self.policy_jar.write_bytes(policy_jar())
        self.idp: Optional[IdentityProvider] = None
        self.oauth_args: Optional[OAuthArgs] = None
        self.oauth_ca_file = self.workdir / "idp-ca.pem"
        if self.oauth:
            assert self.sasl, "OAuth logins ride the SASL_SSL listener"
            self.idp = IdentityProvider(self.workdir / "idp").start()
            self.oauth_args = OAuthArgs(jwks_endpoint_url=self.idp.jwks_url, allowed_urls=[self.idp.jwks_url],
                                        expected_issuer=self.idp.issuer, expected_audience=[self.idp.audience],
                                        jwt_validator=BROKER_VALIDATOR, jwks_ca_pem=self.idp.ca_pem)
            self.oauth_ca_file.write_text(self.idp.ca_pem)
        # every server runs with the JVM properties the platforms render (KAFKA_OPTS) for its release
        self.jvm_flags = (*self.jvm_flags, f"-Djava.security.properties={security}",
                          *jvm_options(self.version, self.oauth_args))
        self.zk_servers: list[Server] = []
        self.kafka_servers: list[Server] = []

    # identities for tests
    def client(self, name: str, *, ca: Optional[Authority] = None) -> Identity:
        """A client certificate from this cluster's CA (or from `ca`, a foreign one)."""
        spec = pki.client_cert(self.cluster, name, [HOST])
        return write_identity(self.pki_dir / f"client-{name}{'-foreign' if ca else ''}", spec, ca or self.ca, trust=self.ca)

    def rollout_identity(self) -> Identity:
        """The certificate SelfManagedKafka issues to its rolling gate (User:kafka-rollout)."""
        return write_identity(self.pki_dir / "rollout", pki.rollout_cert(self.cluster), self.ca)

    def client_for_hosts(self, name: str, hosts: list[str]) -> Identity:
        """A client certificate from this cluster's CA naming other hosts than the one it connects from."""
        spec = pki.client_cert(self.cluster, name, hosts)
        return write_identity(self.pki_dir / f"client-{name}-hosts", spec, self.ca)

    def zookeeper_identity_for_hosts(self, hosts: list[str]) -> Identity:
        """A ZooKeeper member certificate from this cluster's CA for other hosts: an impostor peer."""
        spec = pki.zookeeper_certs(self.cluster, [hosts])[0]
        return write_identity(self.pki_dir / "zookeeper-impostor", spec, self.ca)

    @property
    def zookeeper_connect(self) -> str:
        return ",".join(f"{HOST}:{p}" for p in self.zk_client_ports)

    def bootstrap(self, sasl: bool = False) -> str:
        return ",".join(f"{HOST}:{p}" for p in (self.sasl_ports if sasl else self.tls_ports))

    # lifecycle
    def start(self, wait: bool = True) -> "KafkaCluster":
        if self.metadata == "kraft":
            return self._start_kraft(wait)
        for i, member in enumerate(self.zk_members):
            self.zk_servers.append(self._zookeeper(i, member))
        for server in self.zk_servers:
            server.start()
        wait_until(lambda: all(port_open(p) for p in self.zk_client_ports), 90, "ZooKeeper secure ports")
        for i in range(self.brokers):
            self.kafka_servers.append(self._broker(i))
        for i, server in enumerate(self.kafka_servers):
            server.start()
            if i == 0 and self.broker0_controls:
                wait_until(lambda: self.controller_id() == 0, 120, "broker 0 elected controller")
        if wait:
            self.wait_healthy()
        return self

    def logs(self, role: str, index: int) -> str:
        """Everything a server has logged (stdout and log4j files, the hourly rolled ones first)."""
        home = self.workdir / {"broker": f"kafka{index}", "controller": f"controller{index}",
                               "zookeeper": f"zk{index}"}[role]
        files = sorted(home.glob("*.log*"), key=lambda p: (p.name.split(".log")[0], p.suffix == ".log", p.name))
        return "".join(p.read_text(errors="replace") for p in files if p.is_file())

    def wait_healthy(self, timeout: float = 180) -> None:
        def ready() -> bool:
            for s in self.servers:
                if not s.running:
                    raise RuntimeError(f"{s.name} exited:\n{s.tail()}")
            return len(self.registered_brokers()) == self.brokers
        wait_until(ready, timeout, "all brokers registered")

    def controller_id(self) -> Optional[int]:
        """The controller a running broker names, or None while none answers."""
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({**self.tls_config(self.operator()), "socket.timeout.ms": 3000, "log_level": 0})
        try:
            return admin.list_topics(timeout=3).controller_id
        except Exception:  # noqa: BLE001 - not up yet
            return None

    def registered_brokers(self) -> list[int]:
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({**self.tls_config(self.operator()), "socket.timeout.ms": 3000, "log_level": 0})
        try:
            return sorted(admin.list_topics(timeout=3).brokers)
        except Exception:  # noqa: BLE001 - not up yet
            return []

    def operator(self) -> Identity:
        """The brokers' own identity: the only super user, used by the tests to grant ACLs."""
        return self.broker_ids[0]

    def tls_config(self, who: Identity) -> dict:
        if self.insecure_baseline:
            return {"bootstrap.servers": self.bootstrap(), "security.protocol": "PLAINTEXT"}
        return {"bootstrap.servers": self.bootstrap(), "security.protocol": "SSL",
                "ssl.ca.location": str(who.ca), "ssl.certificate.location": str(who.cert),
                "ssl.key.location": str(who.key), "ssl.endpoint.identification.algorithm": "https"}

    def sasl_config(self, who: Identity, user: str, password: str) -> dict:
        return {**self.tls_config(who), "bootstrap.servers": self.bootstrap(sasl=True),
                "security.protocol": "SASL_SSL", "sasl.mechanisms": "SCRAM-SHA-512",
                "sasl.username": user, "sasl.password": password}

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()

    def cleanup(self) -> None:
        """Stop everything and remove the work dir; safe to call twice and after failures. The
        servers are killed all at once: their data goes with the work dir, so a graceful
        shutdown (each broker moving its leaders to peers that are stopping too) only costs time."""
        try:
            for server in self.servers:
                server.signal(signal.SIGKILL)
            for server in self.servers:
                try:
                    server.kill()
                except Exception:  # noqa: BLE001 - keep going: the next ones must stop too
                    pass
        finally:
            if self.idp is not None:
                self.idp.stop()
            if self.own_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "KafkaCluster":
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc) -> None:
        self.cleanup()

    @property
    def servers(self) -> list[Server]:
        return self.zk_servers + self.controller_servers + self.kafka_servers

    # KRaft
    def _start_kraft(self, wait: bool) -> "KafkaCluster":
        # the component's own derivation: a random id starts with '-' one time in 64, which the
        # storage tool reads as an option
        cluster_id = kraft_cluster_id(f"{self.cluster}/{self.workdir}")
        self.controller_servers = [self._controller(i) for i in range(self.controllers)]
        self.kafka_servers = [self._kraft_broker(i) for i in range(self.brokers)]
        for server in self.controller_servers + self.kafka_servers:
            self._format(server, cluster_id)
        for server in self.controller_servers:
            server.start()
        wait_until(lambda: all(port_open(v.port) for v in self.voters), 90, "controller ports")
        for server in self.kafka_servers:
            server.start()
        if wait:
            self.wait_healthy()
        return self

    def _format(self, server: Server, cluster_id: str) -> None:
        """kafka-storage.sh format: the node's metadata directory, stamped with the cluster id."""
        config = server.log.parent / "server.properties"
        done = subprocess.run(java(self._classpath("controller", self.version), "kafka.tools.StorageTool",
                                   ["format", "-t", cluster_id, "-c", str(config)], "256m", flags=self.jvm_flags),
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"formatting {server.name} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")

    def _write(self, home: Path, role: str, index: int, config: dict) -> Path:
        home.mkdir(parents=True, exist_ok=True)
        if self.mutate:
            config = self.mutate(role, index, dict(config))
        (home / "server.properties").write_text(render_properties(config))
        write_log_config(home, self.version, self._configmap_logs())
        return home

    def _configmap_logs(self) -> Optional[dict[str, str]]:
        """The Kubernetes variant's log configuration comes from its ConfigMap, as the pods read it."""
        if self.variant != "kubernetes":
            return None
        from secure_kafka.kubernetes.manifests import config_files

        return config_files(kubernetes_args(self))[0]

    def _log_path(self, home: Path) -> Path:
        return home / log_config(self.version, str(home)).file

    def controller_settings(self, index: int) -> ControllerSettings:
        voter = self.voters[index]
        return ControllerSettings(voter.node_id, self.cluster, HOST, self.voters,
                                  str(self.workdir / f"controller{index}" / "meta"), self.controller_ids[index].pem_files,
                                  bind_host=HOST, port=voter.port, replication_factor=min(3, self.brokers),
                                  min_insync_replicas=2)

    def start_controllers(self, configs: Sequence[dict[str, Any]], cluster_id: str) -> None:
        """Start the planned controllers with these configs (a migration's phase 1), formatted
        into `cluster_id`."""
        self.controller_servers = [self._controller(i, configs[i]) for i in range(self.controllers)]
        for server in self.controller_servers:
            self._format(server, cluster_id)
            server.start()
        wait_until(lambda: all(port_open(v.port) for v in self.voters), 90, "controller ports")

    def _classpath(self, role: str, version: str) -> str:
        """Kafka's jars; a controller's also the AlterConfigs policy its rendered config names."""
        jars = kafka_classpath(version)
        return f"{jars}:{self.policy_jar}" if role == "controller" else jars

    def _controller(self, index: int, config: Optional[dict[str, Any]] = None) -> Server:
        voter = self.voters[index]
        if config is None:
            config = controller_properties(self.controller_settings(index))
            if self.variant == "kubernetes":
                config = _kubernetes_kraft(self, "controller", index, config)
        home = self._write(self.workdir / f"controller{index}", "controller", index, config)
        command = java(self._classpath("controller", self.version), "kafka.Kafka", [str(home / "server.properties")],
                       "256m", self._log_path(home), self.jvm_flags)
        return Server(f"controller-{index}", command, home / "stdout.log", [voter.port])

    def _kraft_broker(self, index: int) -> Server:
        home = self.workdir / f"kafka{index}"
        settings = KRaftBrokerSettings(index, self.cluster, HOST, self.voters, str(home / "data"),
                                       self.broker_ids[index].pem_files, bind_host=HOST,
                                       tls_port=self.tls_ports[index],
                                       sasl_port=self.sasl_ports[index] if self.sasl else None,
                                       replication_factor=min(3, self.brokers), min_insync_replicas=2)
        config = with_oauth(kraft_broker_properties(settings, self.brokers), self.oauth_args, self.version,
                            str(self.oauth_ca_file))
        if self.variant == "kubernetes":
            config = _kubernetes_kraft(self, "broker", index, config)
        self._write(home, "broker", index, config)
        command = java(self.classpath, "kafka.Kafka", [str(home / "server.properties")], "384m",
                       self._log_path(home), self.jvm_flags)
        ports = [settings.tls_port] + ([settings.sasl_port] if settings.sasl_port else [])
        return Server(f"kafka-{index}", command, home / "stdout.log", ports)

    # configs from the renderers
    def _zookeeper(self, index: int, member: QuorumMember) -> Server:
        home = self.workdir / f"zk{index}"
        data = home / "data"
        data.mkdir(parents=True, exist_ok=True)
        settings = ZooKeeperSettings(member.server_id, self.zk_members, str(data), self.zk_ids[index].pem_files,
                                     secure_client_port=self.zk_client_ports[index], bind_host=HOST)
        (data / "myid").write_text(myid(settings))
        config = zoo_cfg(settings)
        if self.variant == "kubernetes":
            config = _kubernetes_zookeeper(self, config)
        if self.insecure_baseline:
            config = _plaintext_zookeeper(config)
        if self.mutate:
            config = self.mutate("zookeeper", index, dict(config))
        (home / "zoo.cfg").write_text(render_properties(config))
        command = java(self.classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                       [str(home / "zoo.cfg")], "192m", write_log_config(home, self.version, self._configmap_logs()),
                       self.jvm_flags)
        return Server(f"zookeeper-{member.server_id}", command, home / "stdout.log",
                      [self.zk_client_ports[index], member.quorum_port, member.election_port])

    def broker_settings(self, index: int) -> BrokerSettings:
        return e2e_broker_settings(self.cluster, index, self.zookeeper_connect, self.workdir / f"kafka{index}",
                                   self.broker_ids[index].pem_files, self.tls_ports[index],
                                   self.sasl_ports[index] if self.sasl else None, self.brokers)

    def _broker(self, index: int) -> Server:
        home = self.workdir / f"kafka{index}"
        home.mkdir(parents=True, exist_ok=True)
        settings = self.broker_settings(index)
        config = with_oauth(server_properties(settings, self.brokers), self.oauth_args, self.version,
                            str(self.oauth_ca_file))
        if self.variant == "kubernetes":
            config = _kubernetes_broker(self, index, config)
        if self.insecure_baseline:
            config = _plaintext_broker(config)
        if self.mutate:
            config = self.mutate("broker", index, dict(config))
        (home / "server.properties").write_text(render_properties(config))
        command = java(self.classpath, "kafka.Kafka", [str(home / "server.properties")], "384m",
                       write_log_config(home, self.version, self._configmap_logs()), self.jvm_flags)
        ports = [settings.tls_port] + ([settings.sasl_port] if settings.sasl_port else [])
        return Server(f"kafka-{index}", command, home / "stdout.log", ports)

    def listening(self, server: Server, expected: Sequence[int] = ()) -> set[tuple[str, int]]:
        """What the server's process listens on, read from the OS (waiting up to 15 s for the
        `expected` ports, which a just-restarted server may not have bound yet)."""
        assert server.process is not None
        deadline = time.monotonic() + 15
        while True:
            found = probes.listening(server.process.pid)
            if set(expected) <= {port for _, port in found} or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    def rendered(self, role: str, index: int) -> dict[str, str]:
        """The configuration file a server runs with, as written (not as the test meant it)."""
        name = {"broker": f"kafka{index}/server.properties", "controller": f"controller{index}/server.properties",
                "zookeeper": f"zk{index}/zoo.cfg"}[role]
        return parse_properties((self.workdir / name).read_text())

    def roll_node(self, role: str, index: int, version: Optional[str] = None,
                  change: Optional[dict[str, Any]] = None, config: Optional[dict[str, Any]] = None) -> None:
        """One step of a rolling change: stop the node gracefully (SIGTERM: controlled shutdown),
        apply the change to its config file (or replace it with `config`) and/or run it on
        another Kafka version, start it."""
        servers = self.controller_servers if role == "controller" else self.kafka_servers
        old = servers[index]
        old.stop(timeout=90)
        command = list(old.command)
        if version is not None:  # the new release's runtime, and the log configuration it reads
            command[command.index("-cp") + 1] = self._classpath(role, version)
            logging = [i for i, a in enumerate(command) if a.startswith(("-Dlog4j.configuration=", "-Dlog4j2."))]
            for i in logging:
                command[i] = log_option(write_log_config(old.log.parent, version))
            command = [a for a in command if not a.startswith("-Dorg.apache.kafka.")]  # and its JVM properties
            command[command.index("-cp"):command.index("-cp")] = list(jvm_options(version))
        path = old.log.parent / "server.properties"
        if config is not None:
            path.write_text(render_properties(config))
        if change:
            path.write_text(render_properties({**parse_properties(path.read_text()), **change}))
        servers[index] = Server(old.name, command, old.log, old.ports)
        servers[index].start()

    def restart_controller(self, index: int) -> None:
        old = self.controller_servers[index]
        new = Server(old.name, old.command, old.log, old.ports)
        self.controller_servers[index] = new
        new.start()

    def restart_broker(self, index: int) -> None:
        old = self.kafka_servers[index]
        new = Server(old.name, old.command, old.log, old.ports)
        self.kafka_servers[index] = new
        new.start()


def _plaintext_zookeeper(config: dict) -> dict:
    """Benchmark baseline: the rendered zoo.cfg without TLS."""
    out = {k: v for k, v in config.items() if not k.startswith(("ssl", "authProvider", "secureClientPort"))}
    out.update({"clientPort": config["secureClientPort"], "clientPortAddress": config["secureClientPortAddress"],
                "sslQuorum": False})
    out.pop("serverCnxnFactory", None)
    return out


def _plaintext_broker(config: dict) -> dict:
    """Benchmark baseline: the rendered server.properties without TLS, authentication or ACLs."""
    out = {k: v for k, v in config.items()
           if not k.startswith(("ssl.", "zookeeper.ssl", "zookeeper.clientCnxnSocket", "authorizer", "super.users",
                                "allow.everyone", "sasl.", "listener.name."))}
    for key in ("listeners", "advertised.listeners"):
        out[key] = ",".join(l.replace("SASL_SSL://", "SASL_PLAINTEXT://").replace("SSL://", "PLAINTEXT://")
                            for l in config[key].split(",") if l.startswith("SSL://"))
    out.update({"security.inter.broker.protocol": "PLAINTEXT", "zookeeper.set.acl": False})
    return out


def kubernetes_args(cluster: "KafkaCluster") -> Any:
    from secure_kafka.kubernetes.args import KafkaOnKubernetesArgs

    kraft = cluster.metadata == "kraft"
    return KafkaOnKubernetesArgs(cluster=cluster.cluster, environment="dev", broker_count=cluster.brokers,
                                 zookeeper_count=3 if kraft else cluster.zookeepers, storage_class="encrypted",
                                 replication_factor=min(3, cluster.brokers),
                                 listeners=("SSL", "SASL_SSL") if cluster.sasl else ("SSL",),
                                 metadata_mode=cluster.metadata, controller_count=cluster.controllers if kraft else 3,
                                 kafka_version=cluster.version,
                                 accept_version_risks=risk_ids(cluster.version, cluster.metadata))


def kubernetes_configmaps(cluster: "KafkaCluster") -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """server-<i>.properties per broker and the shared zoo.cfg, parsed from KafkaOnKubernetes' ConfigMaps."""
    from secure_kafka.kubernetes.manifests import config_files

    kafka, zookeeper = config_files(kubernetes_args(cluster))
    brokers = {name: parse_properties(text) for name, text in kafka.items() if name.startswith("server-")}
    return brokers, parse_properties(zookeeper["zoo.cfg"])


def kubernetes_kraft_configmaps(cluster: "KafkaCluster") -> dict[str, dict[str, str]]:
    """server-<i>.properties and controller-<i>.properties, parsed from the KRaft ConfigMaps."""
    from secure_kafka.kubernetes.manifests import config_files

    kafka, controllers = config_files(kubernetes_args(cluster))
    return {name: parse_properties(text) for name, text in {**kafka, **controllers}.items()
            if name.startswith(("server-", "controller-")) and name.endswith(".properties")}


def _kubernetes_kraft(cluster: "KafkaCluster", role: str, index: int, local: dict) -> dict:
    mapped = kubernetes_kraft_configmaps(cluster)[f"{'server' if role == 'broker' else 'controller'}-{index}.properties"]
    config: dict = dict(mapped)
    config.update({key: local[key] for key in K8S_LOCAL_KRAFT_KEYS if key in local})
    return config


def _kubernetes_broker(cluster: "KafkaCluster", index: int, local: dict) -> dict:
    brokers, _ = kubernetes_configmaps(cluster)
    config: dict = dict(brokers[f"server-{index}.properties"])
    config.update({key: local[key] for key in K8S_LOCAL_BROKER_KEYS})
    return config


def _kubernetes_zookeeper(cluster: "KafkaCluster", local: dict) -> dict:
    _, shared = kubernetes_configmaps(cluster)
    config: dict = {k: v for k, v in shared.items() if not k.startswith("server.")}
    config.update({key: local[key] for key in K8S_LOCAL_ZOOKEEPER_KEYS})
    config.update({k: v for k, v in local.items() if k.startswith("server.")})  # the peers' addresses
    return config
