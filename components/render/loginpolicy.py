"""The controllers' AlterConfigs policy that keeps the login side of every listener static.

Kafka lets an operator change a listener's JAAS configuration and SASL callback handlers at runtime; on
4.4.0 in KRaft mode the controller stores such a change and the broker takes it without checking the
JVM's login-module allow-list (found by tests/e2e: an LDAP login module was stored and taken). The policy
(`StaticLoginPolicy.java` beside this module, ours) refuses those keys on the controllers, which validate every
AlterConfigs in KRaft mode; ZooKeeper-mode brokers already refuse them (no password encoder secret).

The compiled class ships beside its source (`StaticLoginPolicy.class`, `javac --release 11`, the
same bytes against Kafka 3.9 and 4.4); a test rebuilds it from the source and compares. Nodes get it as
a jar on the controllers' CLASSPATH.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from .properties import Value

POLICY_CLASS = "io.securekafka.policy.StaticLoginPolicy"
JAVA_DIR = Path(__file__).parent
SOURCE = JAVA_DIR / "StaticLoginPolicy.java"
CLASS_FILE = JAVA_DIR / "StaticLoginPolicy.class"
JAR_NAME = "secure-kafka-policy.jar"
_ENTRY_TIME = (2026, 12, 1, 0, 0, 0)  # fixed, so the jar is the same bytes on every render


def policy_properties() -> dict[str, Value]:
    return {"alter.config.policy.class.name": POLICY_CLASS}


def policy_jar() -> bytes:
    """A jar of the compiled policy (manifest and class), byte for byte the same on every call."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as jar:
        for name, data in (("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n\r\n"),
                           (POLICY_CLASS.replace(".", "/") + ".class", CLASS_FILE.read_bytes())):
            entry = zipfile.ZipInfo(name, date_time=_ENTRY_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            jar.writestr(entry, data)
    return out.getvalue()
