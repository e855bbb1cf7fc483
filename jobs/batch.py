"""Many scenarios solved in parallel worker processes, on one machine or a Dask cluster.

    for done in solve_many(["scenarios/"], "out/batch", BatchSettings(deterministic=True)):
        print(done.job.name, done.status)

Each scenario is a `Job` with a folder of its own under the batch's output folder, holding
the solve's `roster.csv` and `summary.json` (written by `models.output.write_outputs`) and
`result.json`: the job's record (status, times, figures, error), written last, so that a
folder with a `result.json` holds a complete result. `results.jsonl` in the output folder
collects the records, one line per scenario.

A rerun finds each job's `result.json` and reuses it when the input (`input_sha256`) and
the solve settings are unchanged: a batch stopped halfway, even by SIGKILL, resumes where
it stopped, and nothing finished is solved again (`force` redoes everything).

One code path for both places: a `concurrent.futures` executor, a `ProcessPoolExecutor`
locally or the executor of a `distributed.Client` for a cluster; the jobs are independent,
so nothing else differs.
"""

from __future__ import annotations

import glob
import itertools
import json
import multiprocessing
import os
import re
import signal
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from jobs.compare import scenario_figures
from models.errors import InputIssue, InvalidInput
from models.load import load_scenario
from models.output import ROSTER_FILE, SUMMARY_FILE, write_atomic, write_outputs
from models.overrides import vary_overrides
from models.problem import Problem
from optimizer.solve import SolveSettings, solve

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
RESULTS_FILE = "results.jsonl"
RESULT_FILE = "result.json"
# Statuses a rerun keeps (the same input and settings give them again); `invalid` and
# `error` are tried again, since the files or the program may have been fixed since.
COMPLETE = ("optimal", "feasible", "infeasible", "unknown")
SOLVED = ("optimal", "feasible")
# results.jsonl is rewritten whole (temporary file, then rename) at most this often, so
# that a batch of many quick scenarios does not rewrite a long file after every one. A
# record not yet in it when the batch is killed is still in its folder's result.json,
# which the rerun reuses and lists.
FLUSH_INTERVAL_S = 1.0
CONNECT_TIMEOUT_S = 20.0  # to reach a Dask scheduler before giving up


@dataclass(frozen=True)
class Job:
    """One scenario to solve: a file, with `--set` overrides, under a folder name."""

    name: str  # its folder in the batch's output folder
    scenario: Path  # absolute, so a worker on another machine finds the same file
    shown: str  # the path as given, for records and messages
    overrides: tuple[str, ...] = ()
    variant: tuple[str, ...] = ()  # the `--vary` overrides (part of `overrides`) that made it

    @property
    def label(self) -> str:
        """`bekasi` or `bekasi min_share=0.3`: a short column heading."""
        values = (_last_key(text) for text in self.variant)
        return " ".join([self.scenario.stem, *values])


@dataclass(frozen=True)
class BatchSettings:
    """The solve options of `piket solve` for every job; None keeps the scenario's own."""

    time_limit_s: float | None = None
    workers: int | None = None
    seed: int | None = None
    deterministic: bool = False
    force: bool = False  # solve again even where a complete result exists

    def asked(self) -> dict[str, Any]:
        """The options a result depends on, as asked (None: the scenario's `solver`)."""
        return {
            "time_limit_s": self.time_limit_s,
            "workers": self.workers,
            "seed": self.seed,
            "deterministic": self.deterministic,
        }

    def for_problem(self, problem: Problem) -> SolveSettings:
        return SolveSettings.from_problem(
            problem,
            time_limit_s=self.time_limit_s,
            workers=self.workers,
            seed=self.seed,
            deterministic=self.deterministic or None,
        )


@dataclass(frozen=True)
class JobResult:
    job: Job
    record: dict[str, Any]  # its results.jsonl line (and result.json)
    folder: Path  # the job's output folder
    reused: bool = False  # a complete earlier result, not solved again

    @property
    def status(self) -> str:
        return str(self.record["status"])

    @property
    def solved(self) -> bool:
        return self.status in SOLVED


# --- which scenarios ---------------------------------------------------------------------------


def find_scenarios(inputs: Iterable[str | Path], exclude: Path | None = None) -> list[Path]:
    """Scenario files from paths, folders (searched recursively) and glob patterns, each once,
    in the order given (sorted within a folder or pattern). Raises InvalidInput naming each
    input that matches nothing."""
    found: dict[Path, Path] = {}
    issues = []
    for text in inputs:
        matches = _expand(str(text), exclude)
        if not matches:
            issues.append(InputIssue(str(text), None, "", _nothing_found(str(text))))
        for path in matches:
            found.setdefault(path.resolve(), path)
    if issues:
        raise InvalidInput(issues)
    return list(found.values())


def _expand(text: str, exclude: Path | None) -> list[Path]:
    path = Path(text)
    if path.is_file():
        return [path]
    if path.is_dir():
        candidates = sorted(p for p in path.rglob("*") if p.is_file())
    elif glob.has_magic(text):
        candidates = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
    else:
        return []
    return [p for p in candidates if _is_scenario(p, path if path.is_dir() else None, exclude)]


def _is_scenario(path: Path, folder: Path | None, exclude: Path | None) -> bool:
    """A scenario file not under a hidden folder of the search, nor in the output folder."""
    if path.suffix.lower() not in SCENARIO_SUFFIXES:
        return False
    inside = path.relative_to(folder).parts if folder else path.parts
    if any(part.startswith(".") and part not in (".", "..") for part in inside):
        return False
    return exclude is None or not path.resolve().is_relative_to(exclude.resolve())


def _nothing_found(text: str) -> str:
    if glob.has_magic(text):
        return "the pattern matches no scenario file"
    if Path(text).is_dir():
        return f"the folder holds no scenario file ({', '.join(SCENARIO_SUFFIXES)})"
    return "no such file or folder"


def make_jobs(
    paths: Sequence[Path], overrides: Sequence[str] = (), vary: Sequence[str] = ()
) -> list[Job]:
    """One job per file and combination of `vary` values (`PATH=V1,V2,...`, each a sweep;
    several sweeps: every combination). `overrides` apply to every job, before the sweep."""
    sweeps = [vary_overrides(text) for text in vary]
    jobs = [
        Job("", path.resolve(), str(path), tuple(overrides) + combination, combination)
        for path in paths
        for combination in itertools.product(*sweeps)
    ]
    return _named(jobs)


def _named(jobs: list[Job]) -> list[Job]:
    """Folder names: the file's stem and any sweep values; a name two files share gets
    their parent folder's name in front, and a number if that is not enough."""
    names = [_folder_name(job.scenario.stem, job.variant) for job in jobs]
    clashing = {name for name in names if names.count(name) > 1}
    names = [
        f"{job.scenario.parent.name}-{name}" if name in clashing else name
        for job, name in zip(jobs, names, strict=True)
    ]
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return [replace(job, name=name) for job, name in zip(jobs, unique, strict=True)]


def _folder_name(stem: str, variant: tuple[str, ...]) -> str:
    """`bekasi` + `coverage[dukcapil-loket-wfa].min_share=0.3` ->
    `bekasi@coverage.dukcapil-loket-wfa.min_share=0.3` (safe on every file system)."""
    parts = [stem]
    for text in variant:
        path, _, value = text.partition("=")
        dotted = re.sub(r"\[([^\]]*)\]", r".\1", path)  # coverage[x].min -> coverage.x.min
        parts.append(f"{dotted}={value}")
    return re.sub(r"[^\w.,=@+-]+", "-", "@".join(parts))


def _last_key(override: str) -> str:
    """`coverage[x].min_share=0.3` -> `min_share=0.3`."""
    path, _, value = override.partition("=")
    key = re.split(r"[.\[\]]", path.rstrip("]"))[-1]
    return f"{key}={value}"


def check_jobs(jobs: Sequence[Job]) -> list[InputIssue]:
    """Every fault of every job's input, without solving (a quick check before a long run)."""
    issues: list[InputIssue] = []
    for job in jobs:
        try:
            load_scenario(job.scenario, job.overrides)
        except InvalidInput as error:
            issues += error.issues
    return issues


# --- solving many ------------------------------------------------------------------------------


def solve_many(
    scenarios: Iterable[str | Path | Job],
    out_dir: str | Path,
    settings: BatchSettings | None = None,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
) -> Generator[JobResult, None, None]:
    """Solve every scenario (files, folders, globs, or `Job`s from `make_jobs`) into
    `out_dir`, yielding each result as it finishes (reused ones too, marked `reused`).

    `jobs`: scenarios solved at once (default: the number of cores; on a cluster, its
    total threads). `scheduler`: a Dask scheduler address (`tcp://host:8786`) to run on
    instead of local worker processes. Invalid or failing scenarios are results with
    status `invalid` or `error` and their error; the others go on. Stopping early (an
    exception, Ctrl-C, closing the generator) keeps every finished result; a rerun
    resumes.
    """
    settings = settings or BatchSettings()
    out = Path(out_dir).resolve()
    queue = deque(_as_jobs(scenarios, out))
    log = ResultsLog(out / RESULTS_FILE)
    with _executors(jobs, scheduler) as pool:
        running: dict[Future[tuple[dict[str, Any], bool]], Job] = {}
        finished = False
        try:
            while queue or running:
                while queue and len(running) < pool.in_flight:
                    job = queue.popleft()
                    running[pool.submit(job, out, settings)] = job
                done, _ = wait(running, timeout=FLUSH_INTERVAL_S, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    outcome = _outcome(job, future, out)
                    log.add(outcome.record)
                    yield outcome
                log.flush(due_only=True)
            finished = True
        finally:
            log.flush()
            if not finished:
                pool.stop(running)


def _as_jobs(scenarios: Iterable[str | Path | Job], out: Path) -> list[Job]:
    items = list(scenarios)
    given = [item for item in items if isinstance(item, Job)]
    paths = find_scenarios([item for item in items if not isinstance(item, Job)], exclude=out)
    return given + make_jobs(paths)


def _outcome(job: Job, future: Future[tuple[dict[str, Any], bool]], out: Path) -> JobResult:
    """The job's result; a failure outside `run_job` (a worker process that died, a lost
    cluster worker) becomes an `error` result, so the batch goes on."""
    folder = out / job.name
    try:
        record, reused = future.result()
    except BrokenProcessPool:
        message = "its worker process died (killed, or out of memory?)"
        return JobResult(job, _failed(job, message), folder)
    except Exception as error:  # noqa: BLE001 - any failure is this job's, not the batch's
        return JobResult(job, _failed(job, f"{type(error).__name__}: {error}"), folder)
    return JobResult(job, record, folder, reused)


def _failed(job: Job, message: str) -> dict[str, Any]:
    return {**_identity(job), "status": "error", "error": message, "finished": _now()}


class ResultsLog:
    """`results.jsonl`: one record per job name, in the order they finished.

    Earlier lines are kept (a rerun replaces the line of each job it finishes again), so
    the file always lists each scenario of the folder once. Written whole, never appended,
    so a reader (or a kill) never meets half a line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[str, dict[str, Any]] = {}
        self.dirty = False
        self.flushed_at = 0.0
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = _json_or_none(line)
                if isinstance(record, dict) and "name" in record:
                    self.records[record["name"]] = record

    def add(self, record: dict[str, Any]) -> None:
        if self.records.get(record["name"]) == record:
            return  # a reused result already listed
        self.records.pop(record["name"], None)
        self.records[record["name"]] = record
        self.dirty = True

    def flush(self, due_only: bool = False) -> None:
        if not self.dirty or (due_only and time.monotonic() - self.flushed_at < FLUSH_INTERVAL_S):
            return
        lines = "".join(_json_line(record) for record in self.records.values())
        write_atomic(self.path, lines.encode("utf-8"))
        self.dirty = False
        self.flushed_at = time.monotonic()


def _json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


# --- where the jobs run ------------------------------------------------------------------------


@dataclass
class _Pool:
    """The executor the jobs go to, and how many may be submitted at once."""

    executor: Executor
    in_flight: int
    make: Callable[[], Executor] | None = None  # a new local pool, for one that broke
    retired: list[Executor] = field(default_factory=list)

    def submit(self, job: Job, out: Path, settings: BatchSettings) -> Future[Any]:
        """When a local worker process dies (killed, out of memory), every job in the pool
        fails with it (recorded as errors; a rerun tries them again) and the pool refuses
        more work: the batch goes on with a fresh one."""
        try:
            return self.executor.submit(run_job, job, str(out), settings)
        except BrokenProcessPool:
            if self.make is None:
                raise
            self.retired.append(self.executor)
            self.executor = self.make()
            return self.executor.submit(run_job, job, str(out), settings)

    def stop(self, running: dict[Future[Any], Job]) -> None:
        """Stopped early: drop what has not started, and end local workers at once (their
        jobs are left for the rerun; a cluster keeps going and writes what it finishes)."""
        for future in running:
            future.cancel()
        if isinstance(self.executor, ProcessPoolExecutor):
            _terminate_workers(self.executor)
        self.executor.shutdown(wait=False, cancel_futures=True)


@contextmanager
def _executors(jobs: int | None, scheduler: str | None) -> Iterator[_Pool]:
    if scheduler is not None:
        with _cluster(scheduler) as client:
            threads = sum(client.nthreads().values()) or 1
            yield _Pool(client.get_executor(pure=False), jobs or threads)
        return
    size = jobs or os.cpu_count() or 1
    pool = _Pool(_local_pool(size), size, make=lambda: _local_pool(size))
    try:
        yield pool
    finally:
        for executor in [*pool.retired, pool.executor]:
            executor.shutdown(wait=True, cancel_futures=True)


def _local_pool(size: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=size, mp_context=_process_context(), initializer=_worker_started
    )


def _process_context() -> BaseContext:
    """forkserver where there is one: each worker is forked from a server process that has
    imported the solver once (a spawned worker spends about 2 s importing it; on 2 cores
    four of them cost a batch seconds), and never from this process, whose threads
    (OR-Tools, the progress display) a plain fork could catch holding a lock. Elsewhere,
    spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


@contextmanager
def _cluster(address: str) -> Iterator[Any]:
    try:
        from distributed import Client
    except ImportError:
        raise RuntimeError(
            "--scheduler needs Dask's distributed package: pip install 'piket[cluster]'"
        ) from None
    try:
        client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError) as error:
        raise RuntimeError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    with client:
        yield client


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """End a local pool's processes now (Python 3.14 has `terminate_workers()`; before it
    the processes are reachable only through the pool's `_processes`)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def _worker_started() -> None:
    """In each local worker process: Ctrl-C is for the batch, which decides what stops;
    and the worker ends with the batch, even a SIGKILLed one, instead of solving on as an
    orphan. (A forkserver worker's own parent is the server, which stays up while any of
    its workers does: so the worker watches the batch process itself.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    batch = multiprocessing.parent_process()
    if batch is not None:
        watch = threading.Thread(target=_end_with, args=(batch,), daemon=True)
        watch.start()


def _end_with(batch: BaseProcess) -> None:
    batch.join()  # returns once the batch process has ended, however it ended
    os._exit(1)


# --- one job, in a worker ----------------------------------------------------------------------


def run_job(job: Job, out_dir: str, settings: BatchSettings) -> tuple[dict[str, Any], bool]:
    """Load, solve and write one scenario into its folder; returns its record, and whether
    it is a complete earlier result reused. Never raises for a fault of the scenario:
    invalid input and failures are records too."""
    folder = Path(out_dir) / job.name
    started, clock = _now(), time.monotonic()
    try:
        loaded = load_scenario(job.scenario, job.overrides)
    except InvalidInput as error:
        record = _record(
            job, started, clock, status="invalid", issues=[str(i) for i in error.issues]
        )
        return _finish(folder, record, stale=True), False
    asked = settings.asked()
    earlier = _read_json(folder / RESULT_FILE)
    if not settings.force and _reusable(earlier, loaded.input_sha256, asked, folder):
        return earlier, True
    try:
        problem = Problem(loaded.scenario)
        solve_settings = settings.for_problem(problem)
        loaded_s = time.monotonic() - clock
        result = solve(problem, solve_settings)
        data = write_outputs(folder, result, problem, loaded)
        record = _record(
            job,
            started,
            clock,
            status=result.status,
            scenario=problem.name,
            input_sha256=loaded.input_sha256,
            objective=result.objective,
            bound=result.bound,
            interrupted=result.interrupted,
            settings=asked,
            solver=_solver_record(data["solver"], solve_settings),
            load_s=round(loaded_s, 3),
            solve_s=round(result.wall_time_s, 3),
            figures=scenario_figures(problem, result, data),
        )
        return _finish(folder, record), False
    except Exception as error:  # noqa: BLE001 - recorded; the batch goes on
        lines = traceback.format_exception_only(error)
        record = _record(job, started, clock, status="error", error="".join(lines).strip())
        return _finish(folder, record, stale=True), False


def _identity(job: Job) -> dict[str, Any]:
    return {
        "name": job.name,
        "scenario_file": job.shown,
        "overrides": list(job.overrides),
        "outputs": job.name,
    }


def _record(job: Job, started: str, clock: float, **fields: Any) -> dict[str, Any]:
    return {
        **_identity(job),
        **fields,
        "started": started,
        "finished": _now(),
        "total_s": round(time.monotonic() - clock, 3),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }


def _solver_record(solver: dict[str, Any], settings: SolveSettings) -> dict[str, Any]:
    """How the roster was found: the summary's solver (name, version, seed, workers) and
    the time limit; `deterministic` (one CP-SAT worker, this seed) gives the same roster for
    the same input on any run that ends before its time limit."""
    return {
        **solver,
        "time_limit_s": settings.time_limit_s,
        "deterministic": settings.deterministic,
    }


def _finish(folder: Path, record: dict[str, Any], stale: bool = False) -> dict[str, Any]:
    """Write the record last: a folder with a result.json holds a complete result. With no
    new roster and summary, older ones are removed rather than left beside it."""
    if stale:
        for name in (ROSTER_FILE, SUMMARY_FILE):
            (folder / name).unlink(missing_ok=True)
    write_atomic(
        folder / RESULT_FILE,
        (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    return record


def _read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file; {} when there is none (a first run) or it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _reusable(earlier: dict[str, Any], sha256: str, asked: dict[str, Any], folder: Path) -> bool:
    """A complete result of the same input, asked for with the same options, with its files.
    (Options left to the scenario are part of the input, and so of its sha256.)"""
    if earlier.get("input_sha256") != sha256 or earlier.get("settings") != asked:
        return False
    if earlier.get("status") not in COMPLETE or earlier.get("interrupted"):
        return False
    if _read_json(folder / SUMMARY_FILE).get("input_sha256") != sha256:
        return False
    return earlier["status"] not in SOLVED or (folder / ROSTER_FILE).is_file()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
