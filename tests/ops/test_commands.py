"""The day-2 commands are registered in one place (cli.OPS_COMMANDS): each is a module of secure_kafka.ops
with its own parser and runner, reachable from the console command."""
import importlib

import pytest

from secure_kafka.cli import OPS_COMMANDS, main, parser


@pytest.mark.parametrize("command", sorted(OPS_COMMANDS))
def test_each_ops_command_is_its_own_module_and_a_subcommand(command, capsys):
    module = importlib.import_module(f"secure_kafka.ops.{OPS_COMMANDS[command]}")
    assert callable(module.add_parser) and callable(module.run)
    with pytest.raises(SystemExit) as done:
        parser().parse_args([command, "--help"])
    assert done.value.code == 0 and f"usage: secure-kafka {command}" in capsys.readouterr().out


def test_an_ops_command_runs_through_the_registry(monkeypatch):
    seen = []
    rollgate = importlib.import_module("secure_kafka.ops.rollgate")
    monkeypatch.setattr(rollgate, "run", lambda args: seen.append(args.command) or 7)
    assert main(["roll-gate", "after", "--broker", "1", "--brokers", "0,1,2", "--bootstrap", "127.0.0.1:1"]) == 7
    assert seen == ["roll-gate"]
