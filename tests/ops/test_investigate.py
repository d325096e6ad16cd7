"""`secure-kafka investigate` over the lines Kafka 3.9.2 and 4.4.0 brokers really wrote (fixtures/, and the
live servers in tests/e2e): every form read, every line accounted for, the questions answered, the
SIEM formats, bad input in one line (exit 2), and CloudWatch Logs and S3 exports served by moto."""
import datetime
import gzip
import json
from pathlib import Path

import pytest

from secure_kafka.cli import main
from secure_kafka.ops.trail.answers import Digest, Filters, new_hosts
from secure_kafka.ops.trail.lines import ALLOWED, DENIED, FAILED, Event, Unreadable, parse

FIXTURES = Path(__file__).parent / "fixtures"
V39, V44 = FIXTURES / "broker-3.9.2.log", FIXTURES / "broker-4.4.0.log"


def lines(path):
    return path.read_text().splitlines(keepends=True)


def counted(*paths):
    """(lines, audit events) of fixture files: 3.9's per-ACL detail lines are the only non-events in them."""
    every = [line for path in paths for line in lines(path)]
    return len(every), len(every) - sum("is ALLOW based on acl" in line for line in every)


def investigate(capsys, *args):
    code = main(["investigate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("path,user,topic", [(V39, "User:reader2821", "ledger-74608f"),
                                             (V44, "User:reader66cc", "ledger-471662")])
def test_every_form_each_release_writes_is_read(path, user, topic):
    parsed = [parse(line) for line in lines(path)]
    events = [p for p in parsed if isinstance(p, Event)]
    assert not [p for p in parsed if isinstance(p, Unreadable)]
    # 3.9's second, per-ACL line repeats the first and is skipped; 4.x writes one line per decision
    assert len(events) == len(parsed) - sum(1 for line in lines(path) if "is ALLOW based on acl" in line)
    mine = [e for e in events if e.principal == user]
    assert mine and {e.resource for e in mine} == {topic} and {e.result for e in mine} == {ALLOWED}
    assert {e.operation for e in mine} <= {"READ", "WRITE", "DESCRIBE"}
    [stranger] = [e for e in events if e.result == DENIED]
    assert (stranger.principal, stranger.resource_type, stranger.resource, stranger.host) == \
        ("User:stranger", "TOPIC", topic, "127.0.0.1")
    [login, handshake] = [e for e in events if e.kind == "authentication"]
    assert (login.result, login.resource, login.host, login.principal) == (FAILED, "SCRAM-SHA-512", "127.0.0.1", "")
    assert (handshake.result, handshake.resource) == (FAILED, "SSL")  # a client without a certificate
    changes = {e.request for e in events if e.changes_access}
    assert changes == {"CreateAcls", "AlterUserScramCredentials"}
    assert all(e.time and e.time.year == 2026 for e in events)


@pytest.mark.parametrize("release", ["3.9.2", "4.4.0"])
def test_a_failed_tls_handshake_is_a_failed_login_named_ssl(release):
    [line] = [l for l in (FIXTURES / f"broker-{release}.log").read_text().splitlines() if "SSL handshake failed" in l]
    event = parse(line)
    assert isinstance(event, Event) and (event.operation, event.resource, event.result, event.host) == \
        ("AUTHENTICATE", "SSL", FAILED, "127.0.0.1")


def test_the_kubernetes_security_stream_reads_as_the_files_do():
    from secure_kafka.render.kafka import SECURITY_STREAM_PREFIX

    lines = [line for f in sorted(FIXTURES.glob("*.log")) for line in f.read_text().splitlines()]
    events = [parse(line) for line in lines]
    assert sum(isinstance(e, Event) for e in events) >= 10
    assert [parse(f"{SECURITY_STREAM_PREFIX} {line}") for line in lines] == events


def test_both_spellings_of_an_operation_read_the_same():
    old = parse("[2026-12-03 11:45:52,380] DEBUG Principal = User:a is Allowed Operation = DescribeConfigs from host = "
                "10.0.0.5 on resource = Topic:LITERAL:t for request = DescribeConfigs with resourceRefCount = 1 (x)")
    new = parse("[2026-12-03 11:45:52,380] DEBUG Principal = User:a is Allowed operation = DESCRIBE_CONFIGS from host = "
                "10.0.0.5 on resource = Topic:LITERAL:t for request = DescribeConfigs with resourceRefCount = 1 based "
                "on rule MatchingAcl(...) (kafka.authorizer.logger)")
    assert old == new and old.operation == "DESCRIBE_CONFIGS"
    group = parse("[2026-12-03 11:45:52,380] INFO Principal = User:a is Denied operation = READ from host = 10.0.0.5 "
                  "on resource = Group:LITERAL:team:a for request = JoinGroup with resourceRefCount = 1")
    assert (group.resource_type, group.resource) == ("GROUP", "team:a")  # ':' is legal in group names
    assert parse("[2026-12-03 11:45:52,380] INFO Kafka version: 4.4.0 (org.apache.kafka.common.utils.AppInfoParser)") is None
    odd = parse("[2026-12-03 11:45:52,380] INFO Principal = User:a did something new (kafka.authorizer.logger)")
    assert isinstance(odd, Unreadable)


def test_digest_counts_filters_and_new_addresses():
    events = [f"[2026-12-0{d} 10:00:00,000] DEBUG Principal = User:a is Allowed Operation = Read from host = {h} on "
              f"resource = Topic:LITERAL:{t} for request = Fetch with resourceRefCount = 1\n"
              for d, h, t in [(1, "10.0.0.5", "x"), (1, "10.0.0.5", "x"), (2, "10.0.0.5", "y"), (3, "203.0.113.9", "x")]]
    denied = "[2026-12-03 10:00:01,000] INFO Principal = User:b is Denied Operation = Read from host = 10.0.0.7 on " \
             "resource = Topic:LITERAL:x for request = Fetch with resourceRefCount = 1\n"
    source = [("f", line) for line in [*events, denied, "noise\n", "[x] Principal = ???\n"]]
    digest = Digest(Filters(topic="x")).read(source)
    assert (digest.lines, digest.events, digest.kept, digest.unreadable) == (7, 5, 4, 1)
    rows = {(r.principal, r.host): (r.allowed, r.denied) for r in digest.sorted_rows()}
    assert rows == {("User:a", "10.0.0.5"): (2, 0), ("User:a", "203.0.113.9"): (1, 0), ("User:b", "10.0.0.7"): (0, 1)}
    whole = Digest(Filters(principal="User:a")).read(source)
    assert list(new_hosts(whole, "User:a", datetime.datetime(2026, 12, 2))) == \
        [("203.0.113.9", datetime.datetime(2026, 12, 3, 10))]
    window = Digest(Filters(since=datetime.datetime(2026, 12, 2), until=datetime.datetime(2026, 12, 3))).read(source)
    assert window.in_window == 1 and [r.resource for r in window.sorted_rows()] == ["y"]


def test_the_command_answers_as_a_table_and_in_each_siem_format(capsys, tmp_path):
    code, out, err = investigate(capsys, V39, V44, "--result", "denied")
    assert code == 0 and "User:stranger" in out and "TOPIC:ledger-74608f" in out and "TOPIC:ledger-471662" in out
    assert "{} lines read, {} audit events (2 match), 0 unreadable".format(*counted(V39, V44)) in err
    code, out, _ = investigate(capsys, V44, "--topic", "ledger-471662", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert {(r["principal"], r["operation"], r["allowed"], r["denied"]) for r in rows} >= \
        {("User:reader66cc", "WRITE", 1, 0), ("User:stranger", "DESCRIBE", 0, 1)}
    code, out, _ = investigate(capsys, V44, "--principal", "User:stranger", "--format", "ecs")
    [doc] = [json.loads(line) for line in out.splitlines()]
    assert doc["event"]["outcome"] == "failure" and doc["user"]["name"] == "User:stranger"
    assert doc["source"]["ip"] == "127.0.0.1" and doc["kafka"]["resource"] == {"type": "TOPIC", "name": "ledger-471662"}
    code, out, _ = investigate(capsys, V44, "--principal", "User:stranger", "--format", "splunk")
    [hec] = [json.loads(line) for line in out.splitlines()]
    assert hec["sourcetype"] == "secure-kafka:audit" and hec["event"]["denied"] == 1 and hec["time"] > 1.7e9
    packed = tmp_path / "old.log.gz"
    packed.write_bytes(gzip.compress(V39.read_bytes()))
    code, out, _ = investigate(capsys, tmp_path, "--operation", "AUTHENTICATE")
    assert code == 0 and "SCRAM-SHA-512" in out and "AUTHENTICATE" in out


def test_unreadable_audit_lines_are_counted_shown_and_exit_1(capsys, tmp_path):
    log = tmp_path / "kafka-authorizer.log"
    log.write_text(V44.read_text() + "[2026-12-03 12:00:00,000] INFO Principal = User:x took a new shape\n")
    code, out, err = investigate(capsys, log)
    assert code == 1 and "1 unreadable audit lines" in err and "took a new shape" in err and "User:stranger" in out


@pytest.mark.parametrize("args,says", [
    (["/nonexistent/kafka.log"], "/nonexistent/kafka.log: no such file or directory"),
    ([], "no logs to read"),
    (["--since", "yesterday", str(V44)], "--since 'yesterday': a UTC time"),
    (["--new-hosts-since", "2026-12-01", str(V44)], "--new-hosts-since needs --principal"),
    (["--since", "2027-01-01", str(V44)], "the logs cover 2026-12-03T"),
    (["--s3", "bucket-only", str(V44)], "s3://BUCKET/PREFIX"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, args, says):
    code = main(["investigate", *args])
    err = capsys.readouterr().err
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1, err


def test_logs_that_are_not_kafkas_and_unreadable_files_exit_2(capsys, tmp_path):
    other = tmp_path / "nginx.log"
    other.write_text('127.0.0.1 - - [03/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 612\n')
    assert main(["investigate", str(other)]) == 2
    assert "none of the 1 lines read is a Kafka authorizer" in capsys.readouterr().err
    broken = tmp_path / "cut.log.gz"
    broken.write_bytes(gzip.compress(V44.read_bytes())[:40])
    assert main(["investigate", str(broken)]) == 2
    assert "cut.log.gz: cannot be read" in capsys.readouterr().err


def _stamp(line: str) -> int:
    day, clock = line[1:11], line[12:24].replace(",", ".")
    return int(datetime.datetime.fromisoformat(f"{day}T{clock}+00:00").timestamp() * 1000)


def test_cloudwatch_logs_as_msk_and_our_ec2_nodes_ship_them(aws, endpoint, capsys):
    logs = aws("logs")
    logs.create_log_group(logGroupName="/aws/msk/orders/broker")
    for stream, path in (("broker-1", V39), ("broker-2", V44)):
        logs.create_log_stream(logGroupName="/aws/msk/orders/broker", logStreamName=stream)
        logs.put_log_events(logGroupName="/aws/msk/orders/broker", logStreamName=stream, logEvents=sorted(
            ({"timestamp": _stamp(line), "message": line.rstrip("\n")} for line in lines(path)),
            key=lambda e: e["timestamp"]))
    code, out, err = investigate(capsys, "--cloudwatch-group", "/aws/msk/orders/broker", "--endpoint-url", endpoint,
                                 "--region", "eu-west-1", "--result", "denied", "--format", "jsonl")
    assert code == 0 and f"{counted(V39, V44)[0]} lines read" in err
    assert {(r["principal"], r["resource"]) for r in map(json.loads, out.splitlines())} == \
        {("User:stranger", "ledger-74608f"), ("User:stranger", "ledger-471662")}
    code, out, err = investigate(capsys, "--cloudwatch-group", "/aws/msk/orders/broker", "--endpoint-url", endpoint,
                                 "--region", "eu-west-1", "--since", "2026-12-03T11:46:10")
    assert code == 0 and "ledger-74608f" not in out and "ledger-471662" in out
    code, _, err = investigate(capsys, "--cloudwatch-group", "/aws/msk/missing", "--endpoint-url", endpoint,
                               "--region", "eu-west-1")
    assert code == 2 and "CloudWatch Logs group /aws/msk/missing" in err


def test_s3_exports_are_read_gzip_and_all(aws, endpoint, capsys):
    s3 = aws("s3")
    s3.create_bucket(Bucket="audit-exports", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    export = "".join(f"2026-12-03T{line[12:20]}.{line[21:24]}Z {line}" for line in lines(V44))
    s3.put_object(Bucket="audit-exports", Key="msk/orders/000000.gz", Body=gzip.compress(export.encode()))
    code, out, err = investigate(capsys, "--s3", "s3://audit-exports/msk/", "--endpoint-url", endpoint,
                                 "--region", "eu-west-1", "--principal", "User:stranger")
    assert code == 0 and "User:stranger" in out and "{} lines read, {} audit events (1 match)".format(*counted(V44)) in err


def test_msk_s3_delivery_is_read_as_msk_lays_it_out(aws, endpoint, capsys):
    """MSK's own delivery to S3 (not a CloudWatch export): gzip objects per broker and hour under
    AWSLogs/<account>/KafkaBrokerLogs/<region>/<cluster>/<yyyy-mm-dd-hh>/, each line in the broker's own
    log4j layout `[time] LEVEL message (logger)` with no export timestamp in front. (The layout is the one
    seen in lines captured from MSK brokers' S3 delivery, e.g. the fixtures of confluentinc/kcp's broker-log
    scanner; the lines here are a real 4.4.0 broker's, split across two brokers' objects.)"""
    s3 = aws("s3")
    s3.create_bucket(Bucket="msk-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    every = lines(V44)
    hour = "AWSLogs/123456789012/KafkaBrokerLogs/eu-west-1/orders-0f6e1c2a-52a4-4b7e-9d1c-3c2b1a0f9e8d-5/2026-12-03-14"
    for broker, part in ((1, every[::2]), (2, every[1::2])):
        s3.put_object(Bucket="msk-logs", Key=f"{hour}/Broker-{broker}_14-05_5b17f69{broker}.log.gz",
                      Body=gzip.compress("".join(part).encode()))
    code, out, err = investigate(capsys, "--s3", "s3://msk-logs/AWSLogs/123456789012/KafkaBrokerLogs/",
                                 "--endpoint-url", endpoint, "--region", "eu-west-1", "--result", "denied",
                                 "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and " 0 unreadable audit lines" in err, err
    assert "{} lines read, {} audit events".format(*counted(V44)) in err, err
    assert {r["principal"] for r in rows} == {"User:stranger"} and sum(r["denied"] for r in rows) == sum(
        "Principal = User:stranger is Denied" in line for line in every)


def test_an_s3_object_that_is_not_gzip_is_one_line_exit_2(aws, endpoint, capsys):
    s3 = aws("s3")
    s3.create_bucket(Bucket="msk-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    key = "AWSLogs/123456789012/KafkaBrokerLogs/eu-west-1/orders-5/2026-12-03-14/Broker-1_14-05_0.log.gz"
    s3.put_object(Bucket="msk-logs", Key=key, Body=b"not gzip at all")
    code, out, err = investigate(capsys, "--s3", "s3://msk-logs/AWSLogs/", "--endpoint-url", endpoint,
                                 "--region", "eu-west-1")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert f"s3://msk-logs/{key}: cannot be read" in err


def test_missing_credentials_are_one_line(endpoint, capsys, monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code = main(["investigate", "--cloudwatch-group", "/aws/msk/orders/broker", "--endpoint-url", endpoint,
                 "--region", "eu-west-1"])
    err = capsys.readouterr().err
    assert code == 2 and "no AWS credentials" in err and len(err.strip().splitlines()) == 1
