"""The `piket` command: parse, call, print. No logic of its own lives here."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from models.errors import InvalidInput
from models.load import load_scenario
from models.output import default_out_dir, write_outputs
from models.problem import Problem
from models.reports.export import ReportTargets, write_reports
from models.result import Evaluation
from models.scenario import ScenarioFile
from optimizer.check import evaluate, read_roster
from optimizer.solve import Progress, SolveSettings, solve

# The format's output contract (docs/scenario-format.md §2): exit codes shared by every command.
EXIT_OK, EXIT_ERROR, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_NO_SOLUTION = 0, 1, 2, 3, 4
_EXIT_BY_STATUS = {
    "optimal": EXIT_OK,
    "feasible": EXIT_OK,
    "infeasible": EXIT_INFEASIBLE,
    "unknown": EXIT_NO_SOLUTION,
}

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail_invalid(error: InvalidInput) -> NoReturn:
    err.print(f"[bold red]invalid input[/]: {len(error.issues)} problem(s)", highlight=False)
    for issue in error.issues:
        err.print(f"  {issue}", highlight=False, markup=False)
    sys.exit(EXIT_INVALID)


def _load(path: Path) -> tuple[Any, Problem]:
    try:
        loaded = load_scenario(path)
    except InvalidInput as error:
        _fail_invalid(error)
    return loaded, Problem(loaded.scenario)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="piket")
def main() -> None:
    """piket: fair WFA and on-site duty (piket) rosters, proven optimal with CP-SAT."""


def report_options(command: Any) -> Any:
    """The report options `solve` and `export` share."""
    options = [
        click.option(
            "--xlsx",
            type=click.Path(path_type=Path),
            help="Excel workbook: a summary and one sheet per OPD.",
        ),
        click.option("--html", type=click.Path(path_type=Path), help="Self-contained HTML report."),
        click.option(
            "--ics",
            type=click.Path(path_type=Path),
            help="Folder for one iCalendar file per person.",
        ),
        click.option(
            "--wfa-reports",
            type=click.Path(path_type=Path),
            help="Daily WFA report template (.xlsx and .csv).",
        ),
        click.option(
            "--lang",
            type=click.Choice(["id", "en"]),
            default="id",
            show_default=True,
            help="Language of the reports.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _targets(reports: dict[str, Path | None]) -> ReportTargets:
    """The report options (named as ReportTargets' fields) as one value."""
    return ReportTargets(**reports)


def _print_written(paths: list[Path]) -> None:
    calendars = [p for p in paths if p.suffix == ".ics"]
    for path in paths:
        if path.suffix != ".ics":
            out.print(f"wrote {path}")
    if calendars:
        out.print(f"wrote {len(calendars)} calendar(s) in {calendars[0].parent}")


@main.command("solve")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Output folder [default: out/<scenario stem>/].",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds for the whole solve [scenario's solver.time_limit_s].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="CP-SAT workers; 0 = all cores [scenario's solver.workers].",
)
@click.option("--seed", type=click.IntRange(min=0), help="Random seed [scenario's solver.seed].")
@click.option(
    "--deterministic",
    is_flag=True,
    help="One worker, fixed seed: the same roster for the same input.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON only.")
@report_options
def solve_command(
    scenario: Path,
    out_dir: Path | None,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    deterministic: bool,
    as_json: bool,
    lang: str,
    **reports: Path | None,
) -> None:
    """Solve SCENARIO and write roster.csv and summary.json (and any reports asked for)."""
    loaded, problem = _load(scenario)
    settings = SolveSettings.from_problem(
        problem,
        time_limit_s=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic or None,
    )
    previous_sigterm = signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    live = not as_json and err.is_terminal
    status = err.status("solving…") if live else None
    if status is not None:
        settings.on_progress = lambda event: status.update(_progress_text(event))
        status.start()
    try:
        result = solve(problem, settings)
    except KeyboardInterrupt:
        err.print("stopped; nothing written")
        sys.exit(EXIT_ERROR)
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        if status is not None:
            status.stop()
    data = write_outputs(out_dir or default_out_dir(scenario), result, problem, loaded)
    targets = _targets(reports)
    written = []
    if targets.any() and result.roster is not None and result.evaluation is not None:
        written = write_reports(targets, problem, result.roster, result.evaluation, lang, data)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_solve_summary(data, out_dir or default_out_dir(scenario))
        _print_written(written)
    sys.exit(_EXIT_BY_STATUS.get(result.status, EXIT_ERROR))


def _stop_like_ctrl_c(signum: int, frame: object) -> None:
    """A batch scheduler's SIGTERM (a job timeout) stops the search as Ctrl-C does, so the
    best roster found so far is still written."""
    raise KeyboardInterrupt


def _progress_text(event: Progress) -> str:
    best = "—" if event.objective is None else f"{event.objective:,.0f}"
    bound = "—" if event.bound is None else f"{event.bound:,.0f}"
    return f"part {event.part + 1}/{event.parts} · {event.elapsed_s:5.1f} s · part best {best} · bound {bound}"


def _print_solve_summary(data: dict[str, Any], out_dir: Path) -> None:
    colour = {"optimal": "green", "feasible": "yellow"}.get(data["status"], "red")
    out.print(
        f"[bold]{data['scenario']}[/]: [{colour}]{data['status']}[/] in {data['wall_time_s']:.1f} s "
        f"({data['staff']} staff × {data['days']} days)"
    )
    if data["objective"] is not None:
        out.print(f"objective {data['objective']:,} · bound {data['bound']:,}")
        terms = " · ".join(f"{name} {value:,}" for name, value in data["objective_terms"].items())
        out.print(f"terms: {terms}  (WFA fairness weighs ×{data['tier_scale']:,} above the rest)")
    for reason in data["reasons"]:
        out.print(f"  [red]•[/] {reason}", highlight=False)
    if data["coverage"]:
        unmet = [c for c in data["coverage"] if not c["met"]]
        out.print(
            f"coverage: {len(data['coverage']) - len(unmet)}/{len(data['coverage'])} requirements met"
        )
        for c in unmet[:20]:
            out.print(
                f"  [red]✗[/] {c['requirement']} {c['date']}: {c['onsite']} on site, needs {c['required']}"
            )
    if data["fairness"]:
        out.print(_fairness_table(data))
    if data["objective"] is not None:
        out.print(f"wrote {out_dir / 'roster.csv'} and {out_dir / 'summary.json'}")
    else:
        out.print(f"wrote {out_dir / 'summary.json'}")


def _fairness_table(data: dict[str, Any]) -> Table:
    """WFA per pool; pools without WFA-eligible staff (all on site) are counted, not listed."""
    pools = {pool: f for pool, f in data["fairness"].items() if f["eligible"]}
    on_site = len(data["fairness"]) - len(pools)
    caption = f"{on_site} pool(s) with no WFA-eligible staff are not listed" if on_site else None
    table = Table(
        title="WFA per pool", title_justify="left", caption=caption, caption_justify="left"
    )
    for column in ("pool", "WFA person-days", "eligible", "min", "max", "mean", "Jain"):
        table.add_column(column, justify="left" if column == "pool" else "right")
    wfa_days = data["wfa_person_days"]
    for pool, f in sorted(pools.items()):
        unit = pool.split("/")[0]
        table.add_row(
            pool,
            str(wfa_days.get(unit, 0)) if "/" not in pool else "",
            str(f["eligible"]),
            str(f["wfa_days_min"]),
            str(f["wfa_days_max"]),
            f"{f['wfa_days_mean']:.2f}",
            f"{f['jain']:.3f}",
        )
    return table


@main.command("check")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.argument("roster", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print violations and figures as JSON only.")
def check_command(scenario: Path, roster: Path, as_json: bool) -> None:
    """Check ROSTER (a roster CSV, solved or hand-edited) against every hard rule of SCENARIO."""
    _, problem = _load(scenario)
    try:
        evaluation = evaluate(problem, read_roster(problem, roster))
    except InvalidInput as error:
        _fail_invalid(error)
    if as_json:
        click.echo(json.dumps(_evaluation_json(evaluation), indent=2, ensure_ascii=False))
    else:
        _print_check(evaluation, problem)
    sys.exit(EXIT_OK if evaluation.valid else EXIT_INFEASIBLE)


def _evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "valid": evaluation.valid,
        "violations": [
            {"rule": v.rule, "message": v.message, "staff_id": v.staff_id, "date": v.date}
            for v in evaluation.violations
        ],
        "objective": evaluation.objective,
        "objective_terms": evaluation.terms,
        "wfa_person_days": evaluation.wfa_person_days,
        "fairness": {pool: f.as_json() for pool, f in evaluation.fairness.items()},
    }


def _print_check(evaluation: Evaluation, problem: Problem) -> None:
    if evaluation.valid:
        out.print("[green]valid[/]: every hard rule holds")
    else:
        out.print(f"[red]{len(evaluation.violations)} violation(s)[/]")
        for violation in evaluation.violations:
            out.print(f"  • {violation.message}", highlight=False, markup=False)
    terms = " · ".join(f"{name} {value:,}" for name, value in evaluation.terms.items())
    out.print(
        f"objective {evaluation.objective:,} (terms: {terms}; WFA fairness ×{problem.tier_scale:,})"
    )
    data = {
        "fairness": {k: v.as_json() for k, v in evaluation.fairness.items()},
        "wfa_person_days": evaluation.wfa_person_days,
    }
    out.print(_fairness_table(data))


@main.command("export")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.argument("roster", type=click.Path(path_type=Path))
@report_options
def export_command(scenario: Path, roster: Path, lang: str, **reports: Path | None) -> None:
    """Write reports (Excel, HTML, calendars, WFA report templates) for ROSTER."""
    loaded, problem = _load(scenario)
    targets = _targets(reports)
    if not targets.any():
        raise click.UsageError("name at least one of --xlsx, --html, --ics, --wfa-reports")
    try:
        cells = read_roster(problem, roster)
    except InvalidInput as error:
        _fail_invalid(error)
    evaluation = evaluate(problem, cells)
    settings = {
        "scenario": problem.name,
        "scenario_file": str(loaded.path),
        "valid": evaluation.valid,
    }
    _print_written(write_reports(targets, problem, cells, evaluation, lang, settings))
    if not evaluation.valid:
        err.print(
            f"note: the roster breaks {len(evaluation.violations)} hard rule(s); see `piket check`"
        )


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the scenario format, for editors."""
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "piket scenario (format v1)"
    click.echo(json.dumps(schema, indent=2))


if __name__ == "__main__":
    main()
