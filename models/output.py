"""Writers for the output contract (docs/scenario-format.md §2): `roster.csv` and `summary.json`, each whole or not at all."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from models.load import LoadedScenario
from models.problem import Problem
from models.result import Result

ROSTER_FILE = "roster.csv"
SUMMARY_FILE = "summary.json"
CHANGES_FILE = "changes.csv"  # written by a replan


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); outputs are shared, so give them the
        # permissions an ordinary new file would get under the current umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def default_out_dir(scenario_path: Path) -> Path:
    return Path("out") / scenario_path.stem


def summary(result: Result, problem: Problem, loaded: LoadedScenario) -> dict[str, Any]:
    """The summary contract (docs/scenario-format.md §2), plus the objective's named terms."""
    evaluation = result.evaluation
    data: dict[str, Any] = {
        "scenario": problem.name,
        "scenario_file": str(loaded.path),
        "overrides": list(loaded.overrides),  # `--set PATH=VALUE` applied to the file
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "wall_time_s": round(result.wall_time_s, 3),
        "staff": len(problem.people),
        "days": len(problem.days),
        "input_sha256": loaded.input_sha256,
        "solver": {
            "name": result.solver.name,
            "version": result.solver.version,
            "seed": result.solver.seed,
            "workers": result.solver.workers,
        },
        "objective_terms": dict(evaluation.terms) if evaluation else {},
        "tier_scale": problem.tier_scale,
        "interrupted": result.interrupted,
        "reasons": list(result.reasons),
        "input_warnings": [str(warning) for warning in loaded.warnings],
        "wfa_person_days": dict(evaluation.wfa_person_days) if evaluation else {},
        "coverage": [c.as_json() for c in evaluation.coverage] if evaluation else [],
        "fairness": {pool: f.as_json() for pool, f in evaluation.fairness.items()}
        if evaluation
        else {},
        "parts": [
            {
                "units": list(part.units),
                "people": part.people,
                "variables": part.variables,
                "constraints": part.constraints,
                "status": part.status,
                "objective": part.objective,
                "bound": part.bound,
                "wall_time_s": round(part.wall_time_s, 3),
            }
            for part in result.parts
        ],
    }
    return data | _standby_and_resilience(result, problem) | _repair_and_relax(result, problem)


def _standby_and_resilience(result: Result, problem: Problem) -> dict[str, Any]:
    """Who stands by for which rule and day (`standby`, rules asking for it), and N-1 per
    rule and day (`resilience`): does it hold if any one person on site is absent."""
    evaluation = result.evaluation
    if evaluation is None:
        return {"standby": [], "resilience": []}
    return {
        "standby": [figure.as_json(problem) for figure in evaluation.standby],
        "resilience": [figure.as_json() for figure in evaluation.resilience],
    }


def _repair_and_relax(result: Result, problem: Problem) -> dict[str, Any]:
    """Keys only a relaxed solve (`shortfalls`) or a replan (`changes`) adds."""
    extra: dict[str, Any] = {}
    if result.relaxed:
        extra["relaxed"] = True
        extra["shortfalls"] = [
            {**c.as_json(), "short": c.required - c.onsite} for c in result.shortfalls
        ]
    if result.changes is not None:
        extra["changes"] = [change.as_json(problem) for change in result.changes]
    return extra


def changes_csv(result: Result, problem: Problem) -> str:
    """A replan's changed cells as CSV: the people a planner has to tell."""
    rows = [change.as_json(problem) for change in result.changes or ()]
    columns = ["staff_id", "name", "unit", "site", "date", "from", "to", "absent"]
    return pd.DataFrame(rows, columns=columns).to_csv(index=False, lineterminator="\n")


def write_outputs(
    out_dir: Path, result: Result, problem: Problem, loaded: LoadedScenario
) -> dict[str, Any]:
    """Write the roster (when there is one) and the summary; returns the summary.

    A stale roster from an earlier run is removed when this run has none, so a batch job
    never pairs a new `infeasible` summary with an old roster.
    """
    data = summary(result, problem, loaded)
    roster_path = out_dir / ROSTER_FILE
    if result.roster is not None:
        csv_text = result.roster_frame(problem).to_csv(index=False, lineterminator="\n")
        write_atomic(roster_path, csv_text.encode("utf-8"))
    else:
        roster_path.unlink(missing_ok=True)
    if result.changes is not None:
        write_atomic(out_dir / CHANGES_FILE, changes_csv(result, problem).encode("utf-8"))
    else:  # a stale list from an earlier replan would not match this run's roster
        (out_dir / CHANGES_FILE).unlink(missing_ok=True)
    write_atomic(
        out_dir / SUMMARY_FILE,
        (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    return data
