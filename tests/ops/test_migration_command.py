"""`secure-kafka migrate` without a cluster: the plan file's checks, the platform commands, and the
command's flow over a fake cluster (the real migration through it: tests/e2e/test_migration.py)."""
import sys

import pytest
import yaml

from secure_kafka import cli
from secure_kafka.ops import migration_command
from secure_kafka.model.errors import UsageError
from secure_kafka.ops.migration_command import CommandFailed, Plan, load_plan, run_command
from test_migration_driver import Fake


@pytest.fixture
def home(tmp_path):
    tool = tmp_path / "kafka" / "bin" / "kafka-metadata-quorum.sh"
    tool.parent.mkdir(parents=True)
    tool.write_text("#!/bin/sh\nexit 1\n")
    return str(tmp_path / "kafka")


def plan_data(home, **changes):
    data = {"bootstrap": "10.0.1.10:9094,10.0.2.10:9094", "bootstrap_controller": "10.0.1.20:9093",
            "brokers": [0, 1, 2], "controllers": [1000, 1001, 1002], "kafka_home": home,
            "commands": {"start_controllers": "start.sh", "restart_broker": "restart.sh broker {node} {phase}",
                         "restart_controller": ["restart.sh", "controller", "{node}", "{index}", "{phase}"],
                         "migrated": "migrated.sh", "stop_zookeeper": "stop-zk.sh",
                         "stop_controllers": "stop.sh", "clear_migration": "zk.sh deleteall /controller"}}
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def test_a_whole_plan_loads_with_its_commands_split_as_argv(home):
    plan = load_plan(plan_data(home), "controllers", "retired")
    assert plan.brokers == (0, 1, 2) and plan.controllers == (1000, 1001, 1002)
    assert plan.commands["restart_broker"] == ("restart.sh", "broker", "{node}", "{phase}")
    assert plan.commands["restart_controller"][-2:] == ("{index}", "{phase}")
    assert (plan.timeout, plan.interval) == (1800, 5)


BAD = [
    ({"brokers": []}, "plan brokers []: a non-empty list of node ids"),
    ({"brokers": [0, "1"]}, "plan brokers [0, '1']: a non-empty list of node ids"),
    ({"brokers": [0, 0]}, "plan brokers [0, 0]: each node id once"),
    ({"controllers": [-1]}, "plan controllers [-1]: a non-empty list of node ids (integers >= 0)"),
    ({"bootstrap": "10.0.1.10"}, "plan bootstrap '10.0.1.10': host:port pairs"),
    ({"bootstrap_controller": 9093}, "plan bootstrap_controller 9093: host:port pairs"),
    ({"kafka_home": "/nonexistent"}, "plan kafka_home '/nonexistent': a Kafka installation with "
                                     "bin/kafka-metadata-quorum.sh"),
    ({"timeout": 0}, "plan timeout 0: a number of seconds greater than 0"),
    ({"interval": "5s"}, "plan interval '5s': a number of seconds greater than 0"),
    ({"brokers": None}, "plan brokers: missing"),
    ({"zookeeper_connect": "x:2181"}, "plan zookeeper_connect: not a setting (allowed: bootstrap,"),
    ({"commands": ["restart.sh"]}, "plan commands ['restart.sh']: a mapping of start_controllers,"),
    ({"commands": {"reboot": "x"}}, "plan commands.reboot: not a command (allowed: start_controllers,"),
    ({"commands": {"restart_broker": "r.sh {host}", "migrated": "m", "start_controllers": "s",
                   "restart_controller": "c", "stop_zookeeper": "z"}},
     "plan commands.restart_broker argument '{host}': may use {node}, {phase}"),
    ({"commands": {"restart_broker": "r.sh 'unclosed", "migrated": "m", "start_controllers": "s",
                   "restart_controller": "c", "stop_zookeeper": "z"}},
     "plan commands.restart_broker \"r.sh 'unclosed\": an argv"),
    ({"commands": {"restart_broker": "", "migrated": "m", "start_controllers": "s",
                   "restart_controller": "c", "stop_zookeeper": "z"}}, "plan commands.restart_broker '': an argv"),
    ({"commands": {"restart_broker": "r", "start_controllers": "s", "restart_controller": "c",
                   "stop_zookeeper": "z"}}, "plan commands.migrated: missing; phases controllers to retired need it"),
]


@pytest.mark.parametrize("changes, message", BAD, ids=[m.split(":")[0] + f"-{i}" for i, (_, m) in enumerate(BAD)])
def test_a_bad_plan_is_one_error_naming_the_setting_the_value_and_what_is_allowed(home, changes, message):
    with pytest.raises(UsageError) as refused:
        load_plan(plan_data(home, **changes), "controllers", "retired")
    assert str(refused.value).startswith(message), str(refused.value)


def test_placeholders_are_per_command():
    assert "may use {node}, {phase}" in _placeholder_error("restart_broker", "{index}")
    assert "may use no placeholders" in _placeholder_error("stop_zookeeper", "{node}")


def _placeholder_error(name, arg):
    with pytest.raises(UsageError) as refused:
        migration_command._command(["x", arg], name)
    return str(refused.value)


@pytest.mark.parametrize("first, last, needed", [
    ("controllers", "controllers", {"start_controllers", "migrated"}),
    ("brokers", "kraft", {"restart_broker", "migrated"}),
    ("finalised", "finalised", {"restart_controller", "migrated"}),
    ("retired", "retired", {"stop_zookeeper", "migrated"}),
])
def test_only_the_commands_of_the_chosen_phases_are_required(home, first, last, needed):
    commands = plan_data(home)["commands"]
    load_plan(plan_data(home, commands={n: commands[n] for n in needed}), first, last)
    for missing in needed:
        with pytest.raises(UsageError, match=f"commands.{missing}: missing"):
            load_plan(plan_data(home, commands={n: commands[n] for n in needed - {missing}}), first, last)


def _plan(tmp_path, **commands):
    return Plan("h:1", "h:2", (0,), (1000,), tmp_path, {n: tuple(v) for n, v in commands.items()}, timeout=30)


def test_commands_get_their_placeholders_and_fail_loudly(tmp_path):
    out = tmp_path / "out"
    plan = _plan(tmp_path, restart_broker=[sys.executable, "-c", "import sys; open(sys.argv[1], 'w').write("
                                            "' '.join(sys.argv[2:]))", str(out), "{node}", "{phase}"],
                 migrated=[sys.executable, "-c", "import sys; sys.exit(3)"],
                 stop_zookeeper=[sys.executable, "-c", "import sys; sys.stderr.write('zk busy'); sys.exit(4)"])
    assert run_command(plan, "restart_broker", node=2, phase="kraft") is True
    assert out.read_text() == "2 kraft"
    assert run_command(plan, "migrated", check=False) is False
    with pytest.raises(CommandFailed, match="commands.stop_zookeeper .* exited 4: zk busy"):
        run_command(plan, "stop_zookeeper")


class Recorder(Fake):
    """The driver's fake cluster, started by the command's own phase 1."""

    def ops(self):
        ops = super().ops()
        ops.start_controllers = lambda: self.log.append(("controllers", "start"))
        return ops


def _run(monkeypatch, capsys, home, fake, *argv):
    plan = home + "/../plan.yaml"
    with open(plan, "w") as f:
        yaml.safe_dump(plan_data(home), f)
    monkeypatch.setattr(migration_command, "ops_for", lambda plan, workdir, env, say: fake.ops())
    code = cli.main(["migrate", "--plan", plan, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_runs_every_phase_in_order_and_reports_each(monkeypatch, capsys, home):
    fake = Recorder()
    code, out, err = _run(monkeypatch, capsys, home, fake)
    assert code == 0, err
    assert len(fake.log) == 11 and fake.log[0] == ("controllers", "start") and fake.log[-1] == ("retired", "zookeeper")
    assert [line.split()[1] for line in out.splitlines() if line.startswith("phase ")] == [
        "controllers", "brokers", "kraft", "finalised", "retired"]
    assert "secure-kafka migrate: finalised done in" in out


def test_a_refused_phase_exits_1_naming_why_and_runs_nothing(monkeypatch, capsys, home):
    fake = Recorder()
    code, out, err = _run(monkeypatch, capsys, home, fake, "--from", "kraft")
    assert code == 1 and fake.log == []
    assert err.strip().splitlines() == ["secure-kafka migrate: stopped: phase kraft refused: the controllers have "
                                        "not migrated the metadata from ZooKeeper yet"]


def test_check_only_judges_the_first_phase(monkeypatch, capsys, home):
    fake = Recorder(healthy=False)
    code, out, err = _run(monkeypatch, capsys, home, fake, "--check", "--from", "brokers")
    assert code == 1 and fake.log == [] and "phase brokers may not start: " in err and "under-replicated" in err
    code, out, err = _run(monkeypatch, capsys, home, Recorder(), "--check", "--from", "brokers")
    assert code == 0 and out.strip() == "secure-kafka migrate: phase brokers may start"


def test_phases_backwards_are_a_usage_error(monkeypatch, capsys, home):
    code, out, err = _run(monkeypatch, capsys, home, Recorder(), "--from", "retired", "--until", "brokers")
    assert code == 2 and err.strip() == ("secure-kafka: --from retired --until brokers: phases run in order "
                                         "controllers -> brokers -> kraft -> finalised -> retired")


def test_credentials_come_from_the_environment_only(tmp_path, home):
    plan = load_plan(plan_data(home), "brokers", "retired")
    with pytest.raises(UsageError, match="SECURE_KAFKA_MIGRATE_CA_PEM is not set to a PEM value"):
        migration_command.ops_for(plan, tmp_path, {}, print)


def test_a_rollback_plan_needs_its_commands_and_kafka_configs(home):
    data = plan_data(home)
    with pytest.raises(UsageError, match=r"kafka_home .*: a Kafka installation with bin/kafka-metadata-quorum.sh "
                                         r"and bin/kafka-configs.sh"):
        load_plan(data, "controllers", "retired", rollback=True)
    tool = f"{home}/bin/kafka-configs.sh"
    open(tool, "w").close()
    without = {n: c for n, c in data["commands"].items() if n != "stop_controllers"}
    with pytest.raises(UsageError, match="plan commands.stop_controllers: missing; a rollback needs it to stop"):
        load_plan({**data, "commands": without}, "controllers", "retired", rollback=True)
    plan = load_plan({**data, "commands": {n: data["commands"][n] for n in
                                           ("restart_broker", "stop_controllers", "clear_migration")}},
                     "controllers", "retired", rollback=True)
    assert set(plan.commands) == {"restart_broker", "stop_controllers", "clear_migration"}


class RollbackRecorder(Recorder):
    def ops(self):
        ops = super().ops()
        ops.stop_controllers = lambda: self.log.append(("controllers", "stopped"))
        ops.clear_migration = lambda: self.log.append(("zookeeper", "cleared"))
        ops.finalised = lambda: self.finalised
        return ops


def test_rollback_through_the_command(monkeypatch, capsys, home):
    open(f"{home}/bin/kafka-configs.sh", "w").close()
    fake = RollbackRecorder()
    fake.is_migrated, fake.kraft_brokers, fake.finalised = True, {0, 1, 2}, []
    code, out, err = _run(monkeypatch, capsys, home, fake, "--rollback")
    assert code == 0, err
    assert len(fake.log) == 8 and fake.log[3:5] == [("controllers", "stopped"), ("zookeeper", "cleared")]
    assert [line for line in out.splitlines() if line.startswith("rollback ")] == [
        "rollback brokers", "rollback controllers", "rollback zookeeper"]
    fake = RollbackRecorder()
    fake.is_migrated, fake.finalised = True, [1001]
    code, out, err = _run(monkeypatch, capsys, home, fake, "--rollback")
    assert code == 1 and fake.log == [] and "(finalised): Kafka has no way back" in err
    code, out, err = _run(monkeypatch, capsys, home, fake, "--rollback", "--from", "kraft")
    assert code == 2 and "--from and --until do not apply" in err
