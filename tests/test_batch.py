"""Batch jobs (jobs.batch): many scenarios in worker processes or on a Dask cluster, one
folder and one results.jsonl line each, resumable after a kill, reproducible on request."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cli
from jobs import batch
from jobs.batch import (
    RESULT_FILE,
    RESULTS_FILE,
    BatchSettings,
    Job,
    ResultsLog,
    find_scenarios,
    make_jobs,
    run_job,
    solve_many,
)
from models.errors import InvalidInput

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"
SHARES = ("0.3", "0.5", "0.7", "1")
DETERMINISTIC = BatchSettings(deterministic=True)


def write_scenarios(folder: Path, count: int) -> list[Path]:
    """`count` tiny scenarios, each a different variant of tests/data/tiny.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        path = folder / f"tiny-{k:02d}.yaml"
        path.write_text(
            f"extends: {TINY}\n"
            f"name: tiny {k}\n"
            f"coverage:\n  - {{id: dukcapil-wfa, min_share: {SHARES[k % len(SHARES)]}}}\n"
        )
        paths.append(path)
    return paths


def results_lines(out: Path) -> list[dict[str, Any]]:
    path = out / RESULTS_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def rosters(out: Path, names: list[str]) -> dict[str, bytes]:
    return {name: (out / name / "roster.csv").read_bytes() for name in names}


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of 12 tiny scenarios."""
    folder = tmp_path_factory.mktemp("twelve")
    write_scenarios(folder, 12)
    return folder


@pytest.fixture(scope="module")
def reference(twelve: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The twelve solved in one uninterrupted deterministic batch (two local workers)."""
    out = tmp_path_factory.mktemp("reference")
    results = list(solve_many([twelve], out, DETERMINISTIC, jobs=2))
    assert [r.status for r in results] == ["optimal"] * 12
    return out


# --- which scenarios, under which names -----------------------------------------------------------


def test_inputs_are_files_folders_and_globs_each_once(tmp_path: Path) -> None:
    paths = write_scenarios(tmp_path / "in", 3)
    (tmp_path / "in" / "notes.txt").write_text("not a scenario")
    (tmp_path / "in" / ".hidden").mkdir()
    write_scenarios(tmp_path / "in" / ".hidden", 1)
    (tmp_path / "in" / "sub").mkdir()
    nested = write_scenarios(tmp_path / "in" / "sub", 1)
    found = find_scenarios([paths[0], tmp_path / "in", str(tmp_path / "in" / "*.yaml")])
    assert found == [paths[0], nested[0], paths[1], paths[2]]  # a folder: by path
    # the output folder of a batch is never read as input
    assert find_scenarios([tmp_path / "in"], exclude=tmp_path / "in" / "sub") == paths


def test_an_input_that_matches_nothing_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput) as caught:
        find_scenarios([tmp_path / "missing.yaml", tmp_path / "empty", f"{tmp_path}/*.toml"])
    assert [issue.message for issue in caught.value.issues] == [
        "no such file or folder",
        "the folder holds no scenario file (.yaml, .yml, .json, .toml)",
        "the pattern matches no scenario file",
    ]
    code, output = run("batch", tmp_path / "missing.yaml", "--out", tmp_path / "out")
    assert code == 2 and "missing.yaml: no such file or folder" in output


def test_job_names_are_unique_and_say_which_variant(tmp_path: Path) -> None:
    a = write_scenarios(tmp_path / "a", 1)[0]
    b = write_scenarios(tmp_path / "b", 1)[0]  # the same file name in another folder
    jobs = make_jobs([a, b], overrides=["solver.seed=3"], vary=["coverage[dukcapil-wfa].min=1,2"])
    assert [job.name for job in jobs] == [
        "a-tiny-00@coverage.dukcapil-wfa.min=1",
        "a-tiny-00@coverage.dukcapil-wfa.min=2",
        "b-tiny-00@coverage.dukcapil-wfa.min=1",
        "b-tiny-00@coverage.dukcapil-wfa.min=2",
    ]
    assert jobs[1].overrides == ("solver.seed=3", "coverage[dukcapil-wfa].min=2")
    assert jobs[1].label == "tiny-00 min=2"
    assert jobs[0].scenario.is_absolute()  # a worker elsewhere finds the same file


# --- one job -----------------------------------------------------------------------------------


def tiny_job(tmp_path: Path, *overrides: str) -> Job:
    return make_jobs([write_scenarios(tmp_path / "in", 1)[0]], overrides)[0]


def test_a_complete_result_is_reused_unless_input_options_or_force_change(tmp_path: Path) -> None:
    job, out = tiny_job(tmp_path), str(tmp_path / "out")
    first, reused = run_job(job, out, DETERMINISTIC)
    assert (first["status"], reused) == ("optimal", False)
    assert run_job(job, out, DETERMINISTIC) == (first, True)
    assert run_job(job, out, BatchSettings(deterministic=True, force=True))[1] is False
    assert run_job(job, out, BatchSettings(deterministic=True, seed=5))[1] is False
    job.scenario.write_text(job.scenario.read_text() + "solver: {seed: 9}\n")  # a new input
    record, reused = run_job(job, out, BatchSettings(deterministic=True, seed=5))
    assert not reused and record["input_sha256"] != first["input_sha256"]


def test_a_result_without_its_files_or_stopped_early_is_solved_again(tmp_path: Path) -> None:
    job, out = tiny_job(tmp_path), tmp_path / "out"
    record, _ = run_job(job, str(out), DETERMINISTIC)
    (out / job.name / "roster.csv").unlink()
    assert run_job(job, str(out), DETERMINISTIC)[1] is False
    stopped = {**record, "interrupted": True}
    (out / job.name / RESULT_FILE).write_text(json.dumps(stopped))
    assert run_job(job, str(out), DETERMINISTIC)[1] is False


def test_the_record_says_what_was_solved_how_and_how_long(tmp_path: Path) -> None:
    job = tiny_job(tmp_path, "solver.seed=4")
    record, _ = run_job(job, str(tmp_path / "out"), DETERMINISTIC)
    assert record["name"] == job.name and record["overrides"] == ["solver.seed=4"]
    assert record["scenario"] == "tiny 0"
    assert record["status"] == "optimal" and record["objective"] == record["bound"]
    assert record["settings"] == {
        "time_limit_s": None,
        "workers": None,
        "seed": None,
        "deterministic": True,
    }
    # How the roster was found: one CP-SAT worker with the scenario's (overridden) seed.
    assert record["solver"]["workers"] == 1 and record["solver"]["seed"] == 4
    assert record["solver"]["deterministic"] is True
    assert record["total_s"] >= record["solve_s"] >= 0
    assert record["figures"]["wfa_person_days"] == 5  # min_share 0.3: see test_compare
    summary = json.loads((tmp_path / "out" / job.name / "summary.json").read_text())
    assert summary["input_sha256"] == record["input_sha256"]
    assert summary["overrides"] == ["solver.seed=4"]
    on_disk = json.loads((tmp_path / "out" / job.name / RESULT_FILE).read_text())
    assert on_disk == record


def test_invalid_input_is_a_record_naming_the_fault_and_old_outputs_go(tmp_path: Path) -> None:
    job, out = tiny_job(tmp_path), tmp_path / "out"
    run_job(job, str(out), DETERMINISTIC)
    job.scenario.write_text(job.scenario.read_text().replace("min_share: 0.3", "min_share: lots"))
    record, reused = run_job(job, str(out), DETERMINISTIC)
    assert (record["status"], reused) == ("invalid", False)
    assert record["issues"] == [
        f"{job.scenario}:4: coverage[1].min_share: Input should be a valid decimal (got 'lots')"
    ]
    assert sorted(p.name for p in (out / job.name).iterdir()) == [RESULT_FILE]


def test_a_failure_while_solving_is_a_record_and_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_solve(*args: object) -> None:
        raise MemoryError("no room for the model")

    monkeypatch.setattr(batch, "solve", broken_solve)
    job, out = tiny_job(tmp_path), str(tmp_path / "out")
    record, _ = run_job(job, out, DETERMINISTIC)
    assert record["status"] == "error" and record["error"] == "MemoryError: no room for the model"
    monkeypatch.undo()
    assert run_job(job, out, DETERMINISTIC)[0]["status"] == "optimal"


def test_results_log_lists_each_scenario_once_and_survives_a_reread(tmp_path: Path) -> None:
    log = ResultsLog(tmp_path / RESULTS_FILE)
    log.add({"name": "a", "status": "error"})
    log.add({"name": "b", "status": "optimal"})
    log.add({"name": "a", "status": "optimal"})  # a rerun finishes `a` again
    log.flush()
    assert results_lines(tmp_path) == [
        {"name": "b", "status": "optimal"},
        {"name": "a", "status": "optimal"},
    ]
    assert not list(tmp_path.glob(".*"))  # written through a temporary file, renamed
    again = ResultsLog(tmp_path / RESULTS_FILE)
    assert list(again.records) == ["b", "a"]


# --- whole batches -----------------------------------------------------------------------------


def test_one_invalid_or_infeasible_scenario_does_not_stop_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_scenarios(folder, 2)
    (folder / "broken.yaml").write_text(f"extends: {TINY}\nsolvr: {{}}\n")
    (folder / "short.yaml").write_text(
        f"extends: {TINY}\ncoverage:\n  - {{id: damkar-jaga, min: 4}}\n"
    )
    code, output = run("batch", folder, "--out", tmp_path / "out", "--jobs", "2")
    assert code == 2  # invalid input outranks infeasible in the exit code
    statuses = {line["name"]: line["status"] for line in results_lines(tmp_path / "out")}
    assert statuses == {
        "broken": "invalid",
        "short": "infeasible",
        "tiny-00": "optimal",
        "tiny-01": "optimal",
    }
    assert "broken.yaml:2: solvr: unknown key 'solvr'; did you mean 'solver'?" in output
    short = json.loads((tmp_path / "out" / "short" / RESULT_FILE).read_text())
    assert "damkar-jaga" in short["figures"]["shortfalls"][0]


class _KillsItsWorker(str):
    """Unpickled in a worker process, ends that process: a worker that dies mid-job.
    (Text, so that the job's record, which lists its overrides, is still JSON.)"""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        return os._exit, (1,)


def test_a_worker_process_that_dies_costs_only_its_job(tmp_path: Path) -> None:
    good = make_jobs(write_scenarios(tmp_path / "in", 2))
    doomed = Job("doomed", good[0].scenario, "doomed.yaml", (_KillsItsWorker("x=1"),))
    results = list(solve_many([good[0], doomed, good[1]], tmp_path / "out", jobs=1))
    assert [(r.job.name, r.status) for r in results] == [
        ("tiny-00", "optimal"),
        ("doomed", "error"),
        ("tiny-01", "optimal"),  # solved by a fresh pool
    ]
    assert "worker process died" in results[1].record["error"]


def test_a_killed_batch_resumes_to_the_results_of_an_uninterrupted_one(
    twelve: Path, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "cli", "batch", str(twelve), "--out", str(out)]
    command += ["--jobs", "1", "--deterministic"]
    parent = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        lines_seen = _kill_once_results_appear(parent, out)
    finally:
        _end_group(parent)
    assert 0 < lines_seen < 12, "the batch was not killed halfway"
    assert _group_is_gone(parent.pid), "a worker outlived its killed parent"
    before = {line["name"]: line for line in results_lines(out)}

    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    lines = results_lines(out)
    names = sorted(line["name"] for line in lines)
    assert names == [f"tiny-{k:02d}" for k in range(12)]  # every scenario, exactly once
    assert all(line["status"] == "optimal" for line in lines)
    final = {line["name"]: line for line in lines}
    assert all(final[name] == line for name, line in before.items())  # nothing redone
    # Each result listed before the kill is reused; so may be some finished in the last
    # second before it, whose result.json was written but whose line was not yet.
    reused = re.search(r"\((\d+) reused\)", again.stdout)
    assert reused and int(reused[1]) >= len(before)
    assert rosters(out, names) == rosters(reference, names)


def test_sigterm_stops_the_batch_at_once_keeping_what_finished(
    twelve: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "cli", "batch", str(twelve), "--out", str(out)]
    parent = subprocess.Popen(
        [*command, "--jobs", "1"], start_new_session=True, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not results_lines(out) and parent.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        parent.send_signal(signal.SIGTERM)  # as a job scheduler does at a timeout
        _, stderr = parent.communicate(timeout=30)
    finally:
        _end_group(parent)
    assert parent.returncode == 1
    assert "stopped:" in stderr and "run the same command again to resume" in stderr
    assert _group_is_gone(parent.pid), "a worker outlived the stopped batch"
    finished = results_lines(out)
    assert 0 < len(finished) < 12
    for line in finished:  # each listed result is complete on disk
        assert json.loads((out / line["name"] / RESULT_FILE).read_text()) == line


def _kill_once_results_appear(parent: subprocess.Popen[bytes], out: Path) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and parent.poll() is None:
        seen = len(results_lines(out))
        if seen:
            os.kill(parent.pid, signal.SIGKILL)
            parent.wait()
            return seen
        time.sleep(0.02)
    return len(results_lines(out)) if parent.poll() is None else 12


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """The batch this test started, if it is still running (the test failed early)."""
    if process.poll() is None:
        process.kill()
        process.wait()


def _group_is_gone(group: int) -> bool:
    """Whether every process of the batch's group (its workers, a forkserver) has ended;
    an ended process whose exit nobody collected yet (a zombie) has ended."""
    deadline = time.monotonic() + 10
    while _live_members(group):
        if time.monotonic() > deadline:
            for pid in _live_members(group):
                os.kill(pid, signal.SIGKILL)
            return False
        time.sleep(0.05)
    return True


def _live_members(group: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue  # ended while being read
        if int(pgrp) == group and state != "Z":
            members.append(int(stat.parent.name))
    return members


# --- on a Dask cluster -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1."""
    distributed = pytest.importorskip(
        "distributed", reason="Dask's distributed is not installed (pip install '.[cluster]')"
    )
    address = f"tcp://127.0.0.1:{_free_port()}"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    started = [
        _start(
            logs / "scheduler.log",
            "dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            "--no-dashboard",
        )
    ]
    try:
        for k in (1, 2):
            started.append(
                _start(
                    logs / f"worker-{k}.log",
                    "dask_worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--no-nanny",  # the worker is this process: quicker to start and stop
                )
            )
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        # Workers first, then the scheduler: a worker whose scheduler is gone first tries
        # to reconnect for a while before it stops.
        _stop(started[1:])
        _stop(started[:1])


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start(log: Path, module: str, *args: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as stream:
        return subprocess.Popen(
            [sys.executable, "-m", f"distributed.cli.{module}", *args],
            stdout=stream,
            stderr=subprocess.STDOUT,
        )


def test_a_batch_runs_on_a_dask_cluster_with_the_same_results(
    dask_cluster: str, twelve: Path, reference: Path, tmp_path: Path
) -> None:
    from distributed import Client

    with Client(dask_cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
    out, six = tmp_path / "out", sorted(twelve.glob("*.yaml"))[:6]
    code, output = run("batch", *six, "--out", out, "--scheduler", dask_cluster, "--deterministic")
    assert code == 0, output
    lines = results_lines(out)
    assert len(lines) == 6 and all(line["status"] == "optimal" for line in lines)
    ran_on = {int(line["worker"].rsplit(":", 1)[1]) for line in lines}
    assert ran_on <= worker_pids  # solved by the cluster's workers, not here
    names = sorted(line["name"] for line in lines)
    assert rosters(out, names) == rosters(reference, names)


def test_an_unreachable_scheduler_is_an_error_that_says_so(
    twelve: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed", reason="Dask's distributed is not installed")
    monkeypatch.setattr(batch, "CONNECT_TIMEOUT_S", 1.0)
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens there
    code, output = run("batch", twelve, "--out", tmp_path / "out", "--scheduler", address)
    assert code == 1
    assert f"cannot reach the Dask scheduler at {address}" in output
