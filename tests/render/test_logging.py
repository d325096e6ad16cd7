"""The log configuration each Kafka release reads: log4j 1 on 3.x, log4j 2 on 4.x (KIP-653), the same two
files (the server log, the authorizer's audit log) — and no logger of ours ever at DEBUG or TRACE, where
Kafka writes SASL exchanges and config values (CVE-2026-33558)."""
import pytest

from secure_kafka.render import render_properties
from secure_kafka.render.kafka import AUDIT_LOGGER, log_config


@pytest.mark.parametrize("version,file,option", [
    ("3.9.2", "log4j.properties", "-Dlog4j.configuration=file:/etc/kafka/log4j.properties"),
    ("4.4.0", "log4j2.properties", "-Dlog4j2.configurationFile=file:/etc/kafka/log4j2.properties"),
])
def test_each_release_reads_its_own_format(version, file, option):
    config = log_config(version, "/var/log/kafka")
    assert config.file == file and config.option("/etc/kafka") == option
    text = render_properties(config.properties)
    assert "/var/log/kafka/server.log" in text and "/var/log/kafka/kafka-authorizer.log" in text
    assert AUDIT_LOGGER in text


@pytest.mark.parametrize("version", ["3.9.2", "4.4.0"])
def test_no_logger_is_raised_to_debug_or_trace(version):
    props = log_config(version, "/var/log/kafka").properties
    levels = {k: str(v).split(",")[0].strip().upper() for k, v in props.items()
              if k.endswith(".level") or k.startswith(("log4j.rootLogger", "log4j.logger."))}
    assert levels and set(levels.values()) == {"INFO"}, levels


def test_the_audit_log_does_not_also_go_to_the_server_log():
    assert log_config("3.9.2", "/l").properties[f"log4j.additivity.{AUDIT_LOGGER}"] is False
    assert log_config("4.4.0", "/l").properties["logger.audit.additivity"] is False
