"""Time to optimal, peak memory and model size for a scenario (default: bundled Bekasi).

    python benchmarks/bekasi.py [SCENARIO ...] [--workers N] [--time-limit S]

Prints one row per scenario: load, build and solve time, status, objective, bound, model
size summed over the independent parts, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.load import load_scenario  # noqa: E402
from models.problem import Problem  # noqa: E402
from optimizer.solve import SolveSettings, solve  # noqa: E402

DEFAULT = ROOT / "scenarios" / "bekasi-nataru-2025.yaml"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run(path: Path, workers: int, time_limit: float) -> dict[str, object]:
    started = time.perf_counter()
    loaded = load_scenario(path)
    loaded_at = time.perf_counter()
    problem = Problem(loaded.scenario)
    built_at = time.perf_counter()
    result = solve(problem, SolveSettings(time_limit_s=time_limit, workers=workers))
    solved_at = time.perf_counter()
    return {
        "scenario": path.name,
        "staff": len(problem.people),
        "days": len(problem.days),
        "parts": len(result.parts),
        "variables": sum(p.variables for p in result.parts),
        "constraints": sum(p.constraints for p in result.parts),
        "load_s": round(loaded_at - started, 2),
        "build_s": round(built_at - loaded_at, 2),
        "solve_s": round(solved_at - built_at, 2),
        "total_s": round(solved_at - started, 2),
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "peak_mib": round(peak_rss_mib()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--workers", type=int, default=0, help="CP-SAT workers (0: all cores)")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    rows = [run(path, args.workers, args.time_limit) for path in args.scenarios]
    columns = list(rows[0])
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row[c]) for c in columns))


if __name__ == "__main__":
    main()
