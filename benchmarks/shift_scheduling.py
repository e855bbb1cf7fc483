"""The shift scheduling benchmark (Curtois & Qu, Instances 1–24), solved as piket scenarios.

    python benchmarks/shift_scheduling.py [--instances 1-12] [--time-limit 60] [--csv FILE]
                                          [--workers N] [--seed K] [--data DIR]

Each instance is imported exactly as `piket import-benchmark` does, solved as `piket solve`
does (time limit per instance, counted from the start of the solve, model building
included), and its roster recomputed by the independent checker. One row per instance:
objective, bound, the best-known value from the literature (`best-known.csv`, used for the
report only), the gap to it, time and status. `--csv` writes the rows as CSV too.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.load import load_scenario  # noqa: E402
from models.output import write_atomic  # noqa: E402
from models.problem import Problem  # noqa: E402
from models.shift_scheduling import read_instance, write_scenario  # noqa: E402
from optimizer.solve import SolveSettings, solve  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "shift-scheduling"
COLUMNS = ("instance", "objective", "bound", "best_known", "gap_pct", "time_s", "status", "valid")


def instance_numbers(text: str) -> list[int]:
    """`1-12`, `3`, `1,4,20-24` -> instance numbers."""
    numbers: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


def best_known(data: Path) -> dict[str, int]:
    """Instance name -> the literature's best objective (upper bound)."""
    with (data / "best-known.csv").open(encoding="utf-8") as stream:
        return {row["instance"]: int(row["upper_bound"]) for row in csv.DictReader(stream)}


def run(path: Path, settings: SolveSettings, known: int | None) -> dict[str, object]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        scenario = write_scenario(read_instance(path), Path(folder))[0]
        problem = Problem(load_scenario(scenario).scenario)
    result = solve(problem, settings)
    elapsed = time.perf_counter() - started
    evaluation = result.evaluation
    if evaluation is not None and evaluation.objective != result.objective:
        raise AssertionError(
            f"{path.stem}: checker objective {evaluation.objective} != solver {result.objective}"
        )
    objective = result.objective
    gap = None if objective is None or not known else 100 * (objective - known) / known
    return {
        "instance": path.stem,
        "objective": objective,
        "bound": result.bound,
        "best_known": known,
        "gap_pct": None if gap is None else round(gap, 2),
        "time_s": round(elapsed, 1),
        "status": result.status,
        "valid": evaluation.valid if evaluation is not None else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1-24", help="e.g. 1-12 or 1,4,20-24")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=0, help="CP-SAT workers (0: all cores)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", type=Path, help="also write the rows to this CSV file")
    parser.add_argument("--data", type=Path, default=DATA, help="the benchmark's folder")
    args = parser.parse_args()
    known = best_known(args.data)
    settings = SolveSettings(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
    rows = []
    print(" | ".join(COLUMNS), flush=True)
    for number in instance_numbers(args.instances):
        name = f"Instance{number}"
        row = run(args.data / "instances" / f"{name}.txt", settings, known.get(name))
        rows.append(row)
        print(" | ".join("" if row[c] is None else str(row[c]) for c in COLUMNS), flush=True)
    if args.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        write_atomic(args.csv, buffer.getvalue().encode("utf-8"))


if __name__ == "__main__":
    main()
