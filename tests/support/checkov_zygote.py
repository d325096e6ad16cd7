"""A checkov process that has imported checkov once and forks a fresh child per run (run by
.venv-checkov's python; stdlib only besides checkov).

Why: importing checkov costs about 8 CPU-seconds, most of a test run of it; the test suite runs
checkov dozens of times. Each run still gets a process of its own (forked after the import, before
anything is scanned or any external check is loaded), its own argv, working directory, environment
and stdout/stderr, and its own exit code, as `checkov ...` would give.

Protocol, one JSON object per line: in {"argv", "cwd", "env", "stdout", "stderr"} (paths to write the
child's output to); out {"rc"}. EOF on stdin ends the server.
"""
import json
import os
import sys
import warnings


def _child(request: dict) -> None:
    os.chdir(request["cwd"])
    sys.argv = ["checkov", *request["argv"]]  # as the CLI's process has it (checks may read it)
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    code = 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=SyntaxWarning)
            result = Checkov(argv=request["argv"]).run()
        code = result if isinstance(result, int) else 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on the child's stderr, as checkov's own crash would be
        import traceback

        traceback.print_exc()
        code = 2
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    answers = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        answers.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"rc": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


if __name__ == "__main__":
    from checkov.main import Checkov  # noqa: E402 - the import every child shares

    main()
