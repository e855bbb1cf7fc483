"""Per-part solve times for a scenario (default: bundled Bekasi), to tune the solver.

    python benchmarks/parts.py [--scenario S] [--unit U ...] [--limit S] [--slow 1.0]

Partitions the problem exactly as `optimizer.solve` does, then solves each part alone through
`optimizer.solve._Run.solve_part` (the same model, parameters and phases as a real solve),
and prints one row per part slower than --slow seconds, then totals.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import importlib  # noqa: E402

from models.load import load_scenario  # noqa: E402
from models.problem import Problem  # noqa: E402
from optimizer.solve import SolveSettings, partition  # noqa: E402

solve_module = importlib.import_module("optimizer.solve")

DEFAULT = ROOT / "scenarios" / "bekasi-nataru-2025.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=DEFAULT)
    parser.add_argument(
        "--unit", action="append", default=[], help="only parts with this unit (prefix match)"
    )
    parser.add_argument(
        "--site", action="append", default=[], help="only parts with one of these sites"
    )
    parser.add_argument("--limit", type=float, default=60.0, help="time limit per part")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--pack", type=int, default=None, help="override PACK_FREE_CELLS")
    parser.add_argument("--slow", type=float, default=1.0, help="print parts slower than this")
    args = parser.parse_args()
    problem = Problem(load_scenario(args.scenario).scenario)
    if args.pack is not None:
        solve_module.PACK_FREE_CELLS = args.pack
    parts = partition(problem)
    run = solve_module._Run(problem, SolveSettings(time_limit_s=1e9, workers=args.workers))
    total, worst, statuses = 0.0, 0.0, {}
    for index, part in enumerate(parts):
        people = [problem.people[p] for p in part.people]
        units = sorted({p.unit for p in people})
        sites = sorted({p.site or "" for p in people})
        if args.unit and not any(u.startswith(x) for u in units for x in args.unit):
            continue
        if args.site and not any(s in args.site for s in sites):
            continue
        started = time.perf_counter()
        outcome = run.solve_part(index, parts, args.limit)
        elapsed = time.perf_counter() - started
        total += elapsed
        worst = max(worst, elapsed)
        r = outcome.report
        statuses[r.status] = statuses.get(r.status, 0) + 1
        if elapsed >= args.slow:
            label = ",".join(units)[:30] + "/" + ",".join(sites)[:20]
            print(
                f"{index:3d} {label:52s} n={len(people):5d} {r.status:8s} obj={r.objective} bound={r.bound} {elapsed:6.2f}s",
                flush=True,
            )
    print(f"parts={len(parts)} total={total:.2f}s worst={worst:.2f}s statuses={statuses}")


if __name__ == "__main__":
    main()
