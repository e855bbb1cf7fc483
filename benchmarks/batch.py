"""Batch throughput: scenarios per minute for 1, 2 and 4 local worker processes.

    python benchmarks/batch.py [SCENARIO] [--scenarios N] [--jobs 1 2 4] [--workers W]

Solves N variants of a small scenario (default: a generated "small city" of 82 staff over
14 days: a fire post on 24-hour jaga, a hospital ward on three shifts, an office with WFA;
about a second to solve) or of SCENARIO. The variants differ only in `solver.seed`
(`--vary solver.seed=0,1,...`): each is an input of its own, equal in work. For each J,
`piket batch --jobs J` runs as its own process, timed from its start to its exit, into a
fresh output folder (nothing reused). Each scenario's CP-SAT gets W workers (default 1:
the parallelism is across scenarios). Prints one row per J: wall time, scenarios per
minute, the mean time one solve took (it grows when the jobs compete for the cores), and
the peak of the resident memory of the batch and all its worker processes together
(sampled every 0.2 s).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_S = 0.2
SMALL_CITY_UNITS = {"damkar": 18, "ward": 24, "office": 40}  # staff per unit


def write_small_city(path: Path) -> Path:
    lines = [
        "version: 1",
        "name: small city",
        "horizon: {start: 2025-12-22, end: 2026-01-04}",
        "calendar:",
        "  holidays: {2025-12-25: Hari Raya Natal, 2026-01-01: Tahun Baru Masehi}",
        "  collective_leave: {2025-12-26: Cuti Bersama Natal}",
        "  wfa_days: [2025-12-29..2025-12-31]",
        "shifts:",
        '  kantor: {start: "07:30", end: "16:00"}',
        '  pagi: {start: "07:00", end: "14:00"}',
        '  siang: {start: "14:00", end: "21:00"}',
        '  malam: {start: "21:00", end: "07:00"}',
        '  jaga: {start: "08:00", end: "08:00"}',
        "units:",
        "  damkar: {schedule: roster, shifts: [jaga], wfa: false, rules: {min_rest_hours: 48}}",
        "  ward: {schedule: roster, shifts: [pagi, siang, malam], wfa: false,",
        "         rules: {min_rest_hours: 11, max_consecutive_onsite_days: 6}}",
        "  office: {schedule: office, shifts: [kantor]}",
        "staff:",
    ]
    for unit, count in SMALL_CITY_UNITS.items():
        for k in range(count):
            person = f"{{id: '{unit}-{k:02d}', name: {unit.title()} {k}, unit: {unit}, history: {k % 3}}}"
            lines.append(f"  - {person}")
    lines += [
        "coverage:",
        "  - {id: damkar-jaga, unit: damkar, shift: jaga, days: all, min: 5}",
        "  - {id: ward-pagi, unit: ward, shift: pagi, days: all, min: 5}",
        "  - {id: ward-siang, unit: ward, shift: siang, days: all, min: 4}",
        "  - {id: ward-malam, unit: ward, shift: malam, days: all, min: 3}",
        "  - {id: office-wfa, unit: office, shift: kantor, days: wfa, min_share: 0.5}",
        "  - {id: office-piket, unit: office, shift: kantor, days: [holidays, collective_leave], min: 2}",
        "solver: {time_limit_s: 60, workers: 1, seed: 0}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def peak_tree_rss(process: psutil.Process, stop: threading.Event, peak: list[int]) -> None:
    """The largest sum of resident memory over the process and its descendants."""
    while not stop.is_set():
        try:
            tree = [process, *process.children(recursive=True)]
            total = 0
            for member in tree:
                try:
                    total += member.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            peak[0] = max(peak[0], total)
        except psutil.NoSuchProcess:
            return
        stop.wait(SAMPLE_S)


def run(scenario: Path, count: int, jobs: int, workers: int) -> dict[str, object]:
    seeds = ",".join(str(k) for k in range(count))
    with tempfile.TemporaryDirectory(prefix="piket-batch-bench-") as out:
        command = [sys.executable, "-m", "cli", "batch", str(scenario), "--out", out]
        command += [
            "--jobs",
            str(jobs),
            "--workers",
            str(workers),
            "--vary",
            f"solver.seed={seeds}",
        ]
        started = time.perf_counter()
        batch = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        stop, peak = threading.Event(), [0]
        sampler = threading.Thread(
            target=peak_tree_rss, args=(psutil.Process(batch.pid), stop, peak)
        )
        sampler.start()
        output, _ = batch.communicate()
        wall = time.perf_counter() - started
        stop.set()
        sampler.join()
        lines = (Path(out) / "results.jsonl").read_text().splitlines()
        solve_times = [json.loads(line)["solve_s"] for line in lines]
    if batch.returncode != 0:
        raise SystemExit(f"piket batch failed ({batch.returncode}):\n{output.decode()}")
    return {
        "jobs": jobs,
        "scenarios": count,
        "wall_s": round(wall, 1),
        "scenarios_per_min": round(count / wall * 60, 1),
        "mean_solve_s": round(sum(solve_times) / len(solve_times), 2),
        "peak_mib": round(peak[0] / 2**20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, help="default: the small city")
    parser.add_argument("--scenarios", type=int, default=24, help="variants to solve")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT workers per scenario")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="piket-small-city-") as folder:
        scenario = args.scenario or write_small_city(Path(folder) / "small-city.yaml")
        print(f"{scenario.name}: {args.scenarios} variants, CP-SAT workers {args.workers}")
        print("| jobs | scenarios | wall time | scenarios/min | mean solve | peak memory |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for jobs in args.jobs:
            row = run(scenario.resolve(), args.scenarios, jobs, args.workers)
            print(
                f"| {row['jobs']} | {row['scenarios']} | {row['wall_s']} s | "
                f"{row['scenarios_per_min']} | {row['mean_solve_s']} s | {row['peak_mib']} MiB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
