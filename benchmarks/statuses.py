"""Per-part status and time of a full solve (default: bundled Bekasi, 60 s budget).

    python benchmarks/statuses.py [SCENARIO] [--time-limit S]

Prints the parts that did not end optimal and the slowest parts, after a real `solve`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.load import load_scenario  # noqa: E402
from models.problem import Problem  # noqa: E402
from optimizer.solve import SolveSettings, solve  # noqa: E402

DEFAULT = ROOT / "scenarios" / "bekasi-nataru-2025.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    problem = Problem(load_scenario(args.scenario).scenario)
    started = time.perf_counter()
    result = solve(problem, SolveSettings(time_limit_s=args.time_limit, workers=args.workers))
    print(
        f"status={result.status} objective={result.objective} bound={result.bound} "
        f"wall={time.perf_counter() - started:.2f}s parts={len(result.parts)}"
    )
    for part in result.parts:
        if part.status != "optimal":
            print("NOT OPTIMAL", part)
    for part in sorted(result.parts, key=lambda p: -p.wall_time_s)[:8]:
        print(f"{part.wall_time_s:6.2f}s {part.status} {','.join(part.units)} people={part.people}")


if __name__ == "__main__":
    main()
