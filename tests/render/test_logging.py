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


@pytest.mark.parametrize("version", ["3.9.2", "4.4.0"])
def test_the_security_stream_adds_stdout_for_the_audit_and_login_failures_and_stays_quiet(version):
    """Kubernetes' form: the same files, plus the authorizer and the network layer's INFO (failed logins)
    to stdout with the prefix — never louder than INFO on a security logger."""
    from kafka_guardrails.logconfig import levels, loud_security
    from secure_kafka.render.kafka import SECURITY_STREAM_PREFIX, SELECTOR_LOGGER

    plain, streamed = log_config(version, "/l"), log_config(version, "/l", stream=SECURITY_STREAM_PREFIX)
    assert set(plain.properties.items()) - set(streamed.properties.items()) <= {
        (f"log4j.logger.{AUDIT_LOGGER}", "DEBUG, audit")}  # log4j 1 names the appenders in the level line
    found = levels(streamed.properties)
    assert {(f.logger, f.level) for f in found} == {("root", "INFO"), (AUDIT_LOGGER, "DEBUG"), (SELECTOR_LOGGER, "INFO")}
    assert loud_security(found) == []
    text = render_properties(streamed.properties)
    assert f"{SECURITY_STREAM_PREFIX} [%d] %p %m (%c)%n" in text
    assert ("System.out" if version.startswith("3") else "SYSTEM_OUT") in text
