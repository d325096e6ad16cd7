"""`secure-kafka versions`: the table as the README carries it, one version judged, and a review that is
due — with exit codes a scheduled job can act on, and one line for what it cannot read."""
import pytest

from kafka_guardrails.versions import REVIEWED, Table
from secure_kafka.cli import main


def test_the_table_is_printed_and_nothing_is_due_on_its_review_day(capsys):
    assert main(["versions"]) == 0
    assert capsys.readouterr().out.strip() == Table().markdown(REVIEWED).strip()


@pytest.mark.parametrize("argv,code,fragment", [
    (["--check", "4.4.0"], 0, "no known risk"),
    (["--check", "3.9.2", "--mode", "zookeeper"], 1, "CVE-2026-111115"),
    (["--check", "3.7.x", "--platform", "msk"], 1, "MSK ended support for 3.7.x"),
    (["--check", "3.7.x", "--platform", "msk", "--as-of", "2026-08-31"], 0, "no known risk"),
])
def test_one_version_is_judged(capsys, argv, code, fragment):
    assert main(["versions", *argv]) == code
    assert fragment in capsys.readouterr().out


@pytest.mark.parametrize("argv,fragment", [
    (["--check", "9.9.9"], "--check '9.9.9': not a apache version the table knows"),
    (["--check", "3.9"], "not a apache version the table knows"),
    (["--as-of", "yesterday"], "--as-of 'yesterday': a date as YYYY-MM-DD"),
])
def test_what_it_cannot_read_is_one_line_and_exit_2(capsys, argv, fragment):
    assert main(["versions", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1


def test_a_review_that_is_due_fails_the_scheduled_job(capsys):
    assert main(["versions", "--as-of", "2027-06-01"]) == 1
    err = capsys.readouterr().err
    assert "apache 4.4 last reviewed 2026-12-03, over 120 days before 2027-06-01" in err
