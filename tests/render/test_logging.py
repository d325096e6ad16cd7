"""The log configuration each Kafka release reads: log4j 1 on 3.x, log4j 2 on 4.x (KIP-653), the same two
files (the server log, the authorizer's audit log, allowed requests included) — and no security logger
ever at DEBUG or TRACE, where Kafka writes SASL exchanges (CVE-2026-33558)."""
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
def test_only_the_authorizer_logger_is_at_debug_and_no_security_logger_is(version):
    from kafka_guardrails.logconfig import levels, loud_security

    found = levels(log_config(version, "/var/log/kafka").properties)
    assert {(f.logger, f.level) for f in found} == {("root", "INFO"), (AUDIT_LOGGER, "DEBUG")}
    assert loud_security(found) == []  # the engine's KAFKA-LOG-001 judgement
    quiet = levels(log_config(version, "/var/log/kafka", allowed=False).properties)
    assert {(f.logger, f.level) for f in quiet} == {("root", "INFO"), (AUDIT_LOGGER, "INFO")}


def test_the_audit_log_does_not_also_go_to_the_server_log():
    assert log_config("3.9.2", "/l").properties[f"log4j.additivity.{AUDIT_LOGGER}"] is False
    assert log_config("4.4.0", "/l").properties["logger.audit.additivity"] is False
