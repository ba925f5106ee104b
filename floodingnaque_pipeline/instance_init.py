"""Create the local Dagster instance's SQLite storage once, before anything else uses it.

`python -m floodingnaque_pipeline.instance_init` (from the repo root, where ./dagster.yaml is)
creates `.dagster_local/`'s databases and stamps their schema version, holding a file lock so
two of it never race. Why: Dagster creates each SQLite database the first time a process opens
it, with no lock between processes (dagster/_core/storage/runs/sqlite/sqlite_run_storage.py,
`from_local`: check the Alembic revision, `create_all`, then `stamp_alembic_rev`). Two
`dg launch` started together on a fresh `.dagster_local/` both see no revision and both stamp:
`alembic_version` ends with two rows, and every later command fails with "more than one head".
On an existing instance this is a quick no-op; the README's commands run it first.

Also `python -m floodingnaque_pipeline.instance_init dev [dg dev options]`: initialise, then
run `dg dev` in this process with SIGINT/SIGTERM back at their defaults, so a `dg dev` started
in the background (`&`, `nohup`, which ignore SIGINT) still stops on `kill PID` or Ctrl-C.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import dagster as dg
from dagster._core.instance.ref import InstanceRef

LOCK_NAME = ".init.lock"  # inside .dagster_local/: deleting it to start afresh takes it too
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def restore_default_signals() -> None:
    """Undo dispositions inherited from a background shell: an ignored signal stays ignored
    across exec, and Python installs its Ctrl-C handler only when SIGINT was not ignored."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_DFL)


def initialise(project_root: Path) -> None:
    """Open every storage of the instance configured by project_root/dagster.yaml, the way
    `dg dev` / `dg launch` open it without DAGSTER_HOME, under an exclusive lock."""
    if not (project_root / "dagster.yaml").is_file():
        raise FileNotFoundError(
            f"no dagster.yaml in {project_root}: run this from the repo root (the folder that "
            "holds dagster.yaml), as `dg dev` and `dg launch` are run"
        )
    previous = os.getcwd()
    os.chdir(project_root)  # dagster.yaml's relative base_dir resolves against it
    try:
        storage = project_root / ".dagster_local"
        storage.mkdir(exist_ok=True)
        with (storage / LOCK_NAME).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            home = tempfile.mkdtemp(prefix=".tmp_dagster_home_", dir=project_root)
            try:
                ref = InstanceRef.from_dir(home, config_dir=str(project_root))
                with dg.DagsterInstance.from_ref(ref) as instance:
                    instance.get_runs(limit=1)
                    instance.event_log_storage.get_concurrency_keys()
                    instance.all_instigator_state()
            finally:
                shutil.rmtree(home, ignore_errors=True)
    finally:
        os.chdir(previous)


def main(argv: list[str]) -> int:
    initialise(Path.cwd())
    if argv[:1] == ["dev"]:
        restore_default_signals()
        dg_bin = Path(sys.executable).with_name("dg")
        os.execv(dg_bin, [str(dg_bin), "dev", *argv[1:]])
    print(f"Dagster instance ready in {Path.cwd() / '.dagster_local'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
