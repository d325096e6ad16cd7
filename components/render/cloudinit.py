"""cloud-init user data and systemd units for Kafka and ZooKeeper nodes on EC2.

User data carries configuration only. Private keys are fetched at boot from Secrets Manager
(encrypted with the customer key) by the instance role, so they never appear in user data,
which anyone with ec2:DescribeInstanceAttribute can read.
"""
from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import yaml

from ..model.oauth import OAuthArgs
from . import render_properties
from .jvm import jvm_options
from .kafka import log_config

KAFKA_HOME = "/opt/kafka"
CONFIG_DIR = "/etc/kafka"
TLS_DIR = "/etc/kafka/tls"
DATA_DIR = "/var/lib/kafka"
LOG_DIR = "/var/log/kafka"
APACHE_ARCHIVE = "https://archive.apache.org/dist/kafka"
CLOUDWATCH_START = ("/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s "
                    "-c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json")
MAIN_CLASS = {"kafka": "kafka.Kafka", "zookeeper": "org.apache.zookeeper.server.quorum.QuorumPeerMain"}


@dataclass(frozen=True)
class NodeBoot:
    """What one node needs at boot; `files` maps absolute paths to their text."""

    role: str  # "kafka" or "zookeeper"
    node_name: str
    region: str
    tls_secret_arn: str
    config_path: str
    files: Mapping[str, str]
    kafka_version: str = "4.4.0"   # the components pass the release their version check accepted
    scala_version: str = "2.13"
    heap: str = "1g"
    data_device: str = "/dev/sdf"
    log_group: str = ""
    # as the kafka user, before the service's first start (KRaft: format the metadata log)
    pre_start: Sequence[Sequence[str]] = field(default_factory=tuple)
    post_start: Sequence[str] = field(default_factory=tuple)
    oauth: Optional[OAuthArgs] = None  # a broker that also takes OAuth logins: its URLs and login module
    binary_files: Mapping[str, bytes] = field(default_factory=dict)  # written from base64 (a jar)
    classpath: Sequence[str] = field(default_factory=tuple)  # added to Kafka's (kafka-run-class.sh reads CLASSPATH)


def systemd_unit(boot: NodeBoot) -> str:
    """A sandboxed service: its own user, read-only system, writable data/log dirs only."""
    main = MAIN_CLASS[boot.role]
    lines = [
        "[Unit]",
        f"Description=secure-kafka {boot.role} ({boot.node_name})",
        "After=network-online.target", "Wants=network-online.target", "",
        "[Service]",
        "User=kafka", "Group=kafka",
        f"Environment=KAFKA_HEAP_OPTS=-Xms{boot.heap} -Xmx{boot.heap}",
        f"Environment=KAFKA_LOG4J_OPTS={log_config(boot.kafka_version, LOG_DIR).option(CONFIG_DIR)}",
        f"Environment=\"KAFKA_OPTS={' '.join(jvm_options(boot.kafka_version, boot.oauth))}\"",
        f"Environment=LOG_DIR={LOG_DIR}",
        *([f"Environment=CLASSPATH={':'.join(boot.classpath)}"] if boot.classpath else []),
        f"ExecStart={KAFKA_HOME}/bin/kafka-run-class.sh {main} {boot.config_path}",
        "Restart=on-failure", "RestartSec=5", "LimitNOFILE=100000", "TimeoutStopSec=120",
        "NoNewPrivileges=true", "ProtectSystem=strict", "ProtectHome=true", "PrivateTmp=true",
        "PrivateDevices=true", "ProtectKernelTunables=true", "ProtectKernelModules=true",
        "ProtectControlGroups=true", "RestrictSUIDSGID=true", "LockPersonality=true",
        "CapabilityBoundingSet=", "AmbientCapabilities=",
        f"ReadWritePaths={DATA_DIR} {LOG_DIR}", f"ReadOnlyPaths={TLS_DIR}", "",
        "[Install]", "WantedBy=multi-user.target", "",
    ]
    return "\n".join(lines)


def fetch_tls_script(boot: NodeBoot) -> str:
    """Writes key+certificate+CA from the node's secret into files only the kafka user can read."""
    arn, region = shlex.quote(boot.tls_secret_arn), shlex.quote(boot.region)
    return "\n".join([
        "#!/bin/bash", "set -euo pipefail", "umask 077",
        f"install -d -m 0750 -o root -g kafka {TLS_DIR}",
        f"secret=$(aws secretsmanager get-secret-value --region {region} --secret-id {arn} --query SecretString --output text)",
        "python3 - \"$secret\" <<'PY'",
        "import json, os, sys",
        "pem = json.loads(sys.argv[1])",
        f"d = {TLS_DIR!r}",
        "files = {'node.pem': pem['key'] + pem['cert'] + pem['ca'], 'ca.pem': pem['ca']}",
        "for name, text in files.items():",
        "    path = os.path.join(d, name)",
        "    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640), 'w') as f:",
        "        f.write(text)",
        "PY",
        f"chown root:kafka {TLS_DIR}/node.pem {TLS_DIR}/ca.pem",
        "",
    ])


STAGE = "/var/lib/cloud/secure-kafka-stage"


def _staged(path: str) -> bool:
    """Files under the data dir are written after the data volume is mounted, not before."""
    return path.startswith(DATA_DIR + "/")


def install_script(boot: NodeBoot) -> str:
    """Java, a dedicated user, the data volume, and Kafka verified against Apache's signature."""
    name = f"kafka_{boot.scala_version}-{boot.kafka_version}"
    url = f"{APACHE_ARCHIVE}/{boot.kafka_version}/{name}.tgz"
    return "\n".join([
        "#!/bin/bash", "set -euo pipefail",
        "dnf install -y java-17-amazon-corretto-headless gnupg2 amazon-cloudwatch-agent",
        "id kafka >/dev/null 2>&1 || useradd --system --home-dir /var/lib/kafka --shell /sbin/nologin kafka",
        f"install -d -m 0750 -o kafka -g kafka {DATA_DIR} {LOG_DIR}",
        f"dev={shlex.quote(boot.data_device)}",
        "blkid \"$dev\" >/dev/null 2>&1 || mkfs.xfs \"$dev\"",
        f"grep -q \" {DATA_DIR} \" /etc/fstab || echo \"$dev {DATA_DIR} xfs defaults,nofail 0 2\" >> /etc/fstab",
        f"mount -a && chown kafka:kafka {DATA_DIR}",
        *[f"install -D -m 0644 -o kafka -g kafka {STAGE}{path} {path}" for path in sorted(boot.files) if _staged(path)],
        "work=$(mktemp -d) && cd \"$work\"",
        f"curl -fsSLO {url} -fsSLO {url}.asc -fsSLO {APACHE_ARCHIVE}/KEYS",
        "export GNUPGHOME=\"$work/gnupg\" && install -d -m 0700 \"$GNUPGHOME\"",
        f"gpg --batch --import KEYS && gpg --batch --verify {name}.tgz.asc {name}.tgz",
        f"install -d {KAFKA_HOME} && tar -xzf {name}.tgz -C {KAFKA_HOME} --strip-components=1",
        "",
    ])


def log_file(kafka_version: str) -> tuple[str, str]:
    """(path, text) of the log configuration the node's Kafka release reads (log4j 1 on 3.x, 2 on 4.x)."""
    config = log_config(kafka_version, LOG_DIR)
    return f"{CONFIG_DIR}/{config.file}", render_properties(config.properties)


def cloud_config(boot: NodeBoot) -> str:
    """The #cloud-config document; everything secret is fetched at boot, nothing is embedded."""
    path, text = log_file(boot.kafka_version)
    written = {path: text, **boot.files}
    files = [{"path": (STAGE + path) if _staged(path) else path, "content": text, "permissions": "0644",
              "owner": "root:root"} for path, text in sorted(written.items())]
    files += [{"path": path, "encoding": "b64", "content": base64.b64encode(data).decode(), "permissions": "0644",
               "owner": "root:root"} for path, data in sorted(boot.binary_files.items())]
    files += [
        {"path": f"/etc/systemd/system/{boot.role}.service", "content": systemd_unit(boot), "permissions": "0644"},
        {"path": "/usr/local/sbin/secure-kafka-install", "content": install_script(boot), "permissions": "0700"},
        {"path": "/usr/local/sbin/secure-kafka-fetch-tls", "content": fetch_tls_script(boot), "permissions": "0700"},
    ]
    runcmd = [["/usr/local/sbin/secure-kafka-install"], ["/usr/local/sbin/secure-kafka-fetch-tls"]]
    runcmd += [["runuser", "-u", "kafka", "--", *command] for command in boot.pre_start]
    runcmd += [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", f"{boot.role}.service"]]
    runcmd += [["/bin/bash", "-c", command] for command in boot.post_start]
    document = {"write_files": files, "runcmd": runcmd, "ssh_pwauth": False, "disable_root": True}
    return "#cloud-config\n" + yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=1000)


class _Dumper(yaml.SafeDumper):
    """Multi-line file contents as literal blocks, so the user data reads like the files."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def cloudwatch_agent_config(log_group: str, files: Mapping[str, str]) -> str:
    """Ship the service log and the authorizer audit log to the encrypted log group."""
    import json

    collect = [{"file_path": path, "log_group_name": log_group, "log_stream_name": f"{{instance_id}}/{stream}",
                "retention_in_days": -1} for stream, path in sorted(files.items())]
    return json.dumps({"agent": {"run_as_user": "cwagent"},
                       "logs": {"logs_collected": {"files": {"collect_list": collect}}}}, indent=1)
