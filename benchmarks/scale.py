"""How solve time and memory grow with the staff count: generated cities and bundled Bekasi.

    python benchmarks/scale.py [--staff 1000,3000,10000,30000,100000] [--bekasi] [--monolithic]
                               [--time-limit S] [--data DIR]

For each size, `piket generate` writes a city (3 WFA days in a 14-day horizon, about 225
staff a unit, seed 0) into --data once; each scenario then runs in a fresh process, so the
peak memory of a row is that row's own. One row each: staff, model size summed over the
parts, load (file to Problem), solve, write (roster.csv + summary.json), total, peak memory,
status and the gap between objective and bound. --monolithic solves the same inputs as one
CP-SAT model too (up to --monolithic-max-staff) and prints its row beside, with the ratio of
total times.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.load import load_scenario  # noqa: E402
from models.output import write_outputs  # noqa: E402
from models.problem import Problem  # noqa: E402
from models.synthetic.generate import GeneratorSettings, generate  # noqa: E402
from optimizer.solve import SolveSettings, solve  # noqa: E402

BEKASI = ROOT / "scenarios" / "bekasi-nataru-2025.yaml"
STAFF_PER_UNIT = 225  # as in Kota Bekasi: 10,362 staff in 46 units


def measure(path: Path, monolithic: bool, time_limit: float) -> dict[str, object]:
    """One scenario, start to files written, in this process."""
    started = time.perf_counter()
    loaded = load_scenario(path)
    problem = Problem(loaded.scenario)
    loaded_at = time.perf_counter()
    settings = SolveSettings(time_limit_s=time_limit, monolithic=monolithic)
    result = solve(problem, settings)
    solved_at = time.perf_counter()
    with tempfile.TemporaryDirectory() as out_dir:
        write_outputs(Path(out_dir), result, problem, loaded)
    written_at = time.perf_counter()
    gap = None
    if result.objective is not None and result.bound is not None:
        gap = (result.objective - result.bound) / max(abs(result.objective), 1)
    return {
        "staff": len(problem.people),
        "parts": len(result.parts),
        "variables": sum(part.variables for part in result.parts),
        "constraints": sum(part.constraints for part in result.parts),
        "load_s": loaded_at - started,
        "solve_s": solved_at - loaded_at,
        "write_s": written_at - solved_at,
        "total_s": written_at - started,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "status": result.status,
        "objective": result.objective,
        "gap": gap,
    }


def in_fresh_process(path: Path, monolithic: bool, time_limit: float) -> dict[str, object]:
    command = [sys.executable, __file__, "--one", str(path), "--time-limit", str(time_limit)]
    if monolithic:
        command.append("--monolithic")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.splitlines()[-1])


def generated(staff: int, data: Path) -> Path:
    settings = GeneratorSettings(staff=staff, units=max(4, round(staff / STAFF_PER_UNIT)))
    path = data / f"{settings.name}.yaml"
    if not path.exists():
        generate(settings).write(data)
    return path


def row(name: str, figures: dict[str, object]) -> str:
    gap = figures["gap"]
    return (
        f"| {name} | {figures['staff']:,} | {figures['parts']} | {figures['variables']:,} "
        f"| {figures['constraints']:,} | {figures['load_s']:.1f} | {figures['solve_s']:.1f} "
        f"| {figures['write_s']:.1f} | {figures['total_s']:.1f} | {figures['peak_mib']:,.0f} "
        f"| {figures['status']} | {'-' if gap is None else f'{100 * gap:.3f}%'} |"
    )


HEADER = (
    "| scenario | staff | parts | variables | constraints | load s | solve s | write s | total s "
    "| peak MiB | status | gap |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
    "| ---: | --- | ---: |"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", default="1000,3000,10000,30000,100000")
    parser.add_argument("--bekasi", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--monolithic", action="store_true", help="also solve as one model")
    parser.add_argument(
        "--monolithic-max-staff",
        type=int,
        default=30_000,
        help="skip the monolithic model above this many staff (its memory grows fast)",
    )
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "generated")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # a child process's job
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.monolithic, args.time_limit)))
        return
    scenarios = [generated(int(n), args.data) for n in args.staff.split(",") if n]
    if args.bekasi:
        scenarios.append(BEKASI)
    print(HEADER)
    for path in scenarios:
        decomposed = in_fresh_process(path, False, args.time_limit)
        print(row(path.stem, decomposed), flush=True)
        if args.monolithic and decomposed["staff"] <= args.monolithic_max_staff:  # type: ignore[operator]
            whole = in_fresh_process(path, True, args.time_limit)
            ratio = whole["total_s"] / decomposed["total_s"]  # type: ignore[operator]
            print(row(f"{path.stem} monolithic ({ratio:.1f}x)", whole), flush=True)


if __name__ == "__main__":
    main()
