"""The `piket` command: parse, call, print. No logic of its own lives here."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Sequence
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Table

from jobs.batch import (
    RESULTS_FILE,
    BatchSettings,
    Job,
    JobResult,
    check_jobs,
    find_scenarios,
    make_jobs,
    solve_many,
)
from jobs.compare import build_comparison, to_csv, to_markdown, to_table
from models.errors import InputIssue, InvalidInput
from models.ledger import piket_days_text, write_next_staff
from models.load import load_scenario
from models.output import default_out_dir, write_outputs
from models.problem import Problem
from models.reports.export import ReportTargets, write_reports
from models.result import CellChange, Evaluation
from models.scenario import ScenarioFile
from models.shift_scheduling import read_instance, write_scenario
from models.synthetic.generate import GeneratorSettings, generate
from optimizer.check import evaluate, read_roster
from optimizer.explain import Conflict, Explanation, Sources, explain
from optimizer.replan import Absence, Replan, absent_problem, replan
from optimizer.solve import Progress, SolveSettings, solve
from optimizer.why import CellWhy, parse_option, why

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


_LISTED = 10  # items listed by name in the human output (rules, parts, warnings); the rest counted


def _load(path: Path) -> tuple[Any, Problem]:
    try:
        loaded = load_scenario(path)
    except InvalidInput as error:
        _fail_invalid(error)
    _warn(loaded.warnings)
    return loaded, Problem(loaded.scenario)


def _warn(warnings: tuple[InputIssue, ...]) -> None:
    """Accepted input piket cannot use as meant (an unknown superior, an unreadable phone)."""
    for warning in warnings[:_LISTED]:
        err.print(f"[yellow]warning[/]: {warning}", highlight=False)
    if len(warnings) > _LISTED:
        err.print(
            f"[yellow]warning[/]: … and {len(warnings) - _LISTED} more (summary.json: input_warnings)"
        )


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


def solve_options(command: Any) -> Any:
    """The solver options `solve`, `batch` and `compare` share."""
    options = [
        click.option(
            "--time-limit",
            type=click.FloatRange(min=0, min_open=True),
            help="Seconds for the whole solve [scenario's solver.time_limit_s].",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=0),
            help="CP-SAT workers; 0 = all cores [scenario's solver.workers].",
        ),
        click.option(
            "--seed", type=click.IntRange(min=0), help="Random seed [scenario's solver.seed]."
        ),
        click.option(
            "--deterministic",
            is_flag=True,
            help="One worker, fixed seed: the same roster for the same input.",
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
@solve_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON only.")
@click.option(
    "--relax",
    is_flag=True,
    help="Minimum coverage as penalised shortfalls: the best roster possible when the rules "
    "cannot all hold (status stays infeasible, exit 3, while any minimum is short).",
)
@report_options
def solve_command(
    scenario: Path,
    out_dir: Path | None,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    deterministic: bool,
    as_json: bool,
    relax: bool,
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
        relax=relax or None,
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
    if data.get("relaxed"):
        short = sum(s["short"] for s in data["shortfalls"])
        out.print(
            f"relaxed: minimum coverage as shortfalls; {len(data['shortfalls'])} requirement(s) "
            f"short, {short} person-shift(s) in all (`piket explain` says why)"
        )
    if data["objective"] is not None:
        bound = "—" if data["bound"] is None else f"{data['bound']:,}"
        out.print(f"objective {data['objective']:,} · bound {bound}")
        terms = " · ".join(f"{name} {value:,}" for name, value in data["objective_terms"].items())
        out.print(f"terms: {terms}  (WFA fairness weighs ×{data['tier_scale']:,} above the rest)")
    for reason in data["reasons"]:
        out.print(f"  [red]•[/] {reason}", highlight=False)
    _print_unproven(data.get("parts", []))
    if data["coverage"]:
        unmet = [c for c in data["coverage"] if not c["met"]]
        out.print(
            f"coverage: {len(data['coverage']) - len(unmet)}/{len(data['coverage'])} requirements met"
        )
        for c in unmet[:20]:
            out.print(
                f"  [red]✗[/] {c['requirement']} {c['date']}: {c['onsite']} on site, needs {c['required']}"
            )
    _print_standby(data.get("standby", []))
    _print_resilience(data.get("resilience", []))
    if data["fairness"]:
        out.print(_fairness_table(data))
    if data["objective"] is not None:
        out.print(f"wrote {out_dir / 'roster.csv'} and {out_dir / 'summary.json'}")
    else:
        out.print(f"wrote {out_dir / 'summary.json'}")


def _print_unproven(parts: list[dict[str, Any]]) -> None:
    """Parts whose roster is valid but not proven optimal in their share of the time."""
    unproven = [
        part for part in parts if part["status"] == "feasible" and part["objective"] is not None
    ]
    for part in unproven[:_LISTED]:
        gap = (part["objective"] - part["bound"]) / max(abs(part["objective"]), 1)
        units = ", ".join(part["units"][:3]) + (" …" if len(part["units"]) > 3 else "")
        out.print(
            f"  [yellow]•[/] not proven optimal: {units} ({part['people']} people): "
            f"objective {part['objective']:,}, bound {part['bound']:,}, gap {100 * gap:.2f}%",
            highlight=False,
        )
    if len(unproven) > _LISTED:
        out.print(
            f"  … and {len(unproven) - _LISTED} more part(s) not proven optimal (summary.json: parts)"
        )


def _print_standby(figures: list[dict[str, Any]]) -> None:
    """Who stands by, per rule and day (summary.json `standby` has them all)."""
    if not figures:
        return
    people = sum(len(f["staff"]) for f in figures)
    out.print(f"standby: {people} named for {len(figures)} requirements")
    for f in figures[: 2 * _LISTED]:
        names = ", ".join(
            f"{s['name']}" + (f" ({s['phone']})" if s["phone"] else "") for s in f["staff"]
        )
        out.print(f"  {f['requirement']} {f['date']}: {names or '—'}", highlight=False)
    if len(figures) > 2 * _LISTED:
        out.print(f"  … and {len(figures) - 2 * _LISTED} more (summary.json: standby)")


def _print_resilience(figures: list[dict[str, Any]]) -> None:
    """N-1: how many requirements (rule, unit, day) hold with any one person on site absent,
    and the rules and days that do not (summary.json `resilience` has every one)."""
    if not figures:
        return
    units: dict[str, set[str]] = {}
    for f in figures:
        units.setdefault(f["requirement"], set()).add(f["unit"])
    fragile: dict[str, list[str]] = {}
    for f in figures:
        if not f["resilient"]:
            many = len(units[f["requirement"]]) > 1  # a rule over several units: name the unit
            key = f"{f['requirement']} [{f['unit']}]" if many else f["requirement"]
            fragile.setdefault(key, []).append(f["date"])
    short = sum(len(days) for days in fragile.values())
    out.print(
        f"N-1: {len(figures) - short}/{len(figures)} requirements hold with any one person "
        "on site absent"
    )
    if not fragile:
        return
    out.print(f"not resilient ({short} requirements, {len(fragile)} rules):")
    for rule, days in list(fragile.items())[:_LISTED]:
        out.print(f"  {rule}: {_date_ranges(days)}", highlight=False, markup=False)
    if len(fragile) > _LISTED:
        out.print(f"  … and {len(fragile) - _LISTED} more rules (summary.json: resilience)")


def _date_ranges(days: list[str]) -> str:
    """`2025-12-22..2025-12-24, 2025-12-31`: runs of consecutive ISO dates as ranges."""
    ordinals = sorted({date.fromisoformat(day).toordinal() for day in days})
    runs: list[list[int]] = []
    for ordinal in ordinals:
        if runs and ordinal == runs[-1][-1] + 1:
            runs[-1].append(ordinal)
        else:
            runs.append([ordinal])
    texts = [
        str(date.fromordinal(run[0])) + (f"..{date.fromordinal(run[-1])}" if len(run) > 1 else "")
        for run in runs
    ]
    return ", ".join(texts)


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
        click.echo(json.dumps(_evaluation_json(evaluation, problem), indent=2, ensure_ascii=False))
    else:
        _print_check(evaluation, problem)
    sys.exit(EXIT_OK if evaluation.valid else EXIT_INFEASIBLE)


def _evaluation_json(evaluation: Evaluation, problem: Problem) -> dict[str, Any]:
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
        "standby": [f.as_json(problem) for f in evaluation.standby],
        "resilience": [f.as_json() for f in evaluation.resilience],
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
    _print_resilience([f.as_json() for f in evaluation.resilience])
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


@main.command("generate")
@click.option("--staff", type=click.IntRange(min=1), required=True, help="Number of staff.")
@click.option(
    "--units", type=click.IntRange(min=1), default=40, show_default=True, help="Number of units."
)
@click.option(
    "--days", type=click.IntRange(1, 366), default=14, show_default=True, help="Horizon length."
)
@click.option(
    "--wfa-days",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="WFA days, from mid-horizon.",
)
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d"]),
    default="2025-12-22",
    show_default=True,
    help="First day.",
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("."),
    help="Folder to write into [.].",
)
def generate_command(
    staff: int, units: int, days: int, wfa_days: int, start: Any, seed: int, out_dir: Path
) -> None:
    """Write a synthetic scenario (YAML + staff CSV): a city-like mix of fire brigades,
    hospitals and offices with generated names and NIPs, the same files for the same seed."""
    settings = GeneratorSettings(staff, units, days, wfa_days, seed, start.date())
    try:
        paths = generate(settings).write(out_dir)
    except InvalidInput as error:
        _fail_invalid(error)
    _print_written(paths)


def variant_options(command: Any) -> Any:
    """`--set` and `--vary`, which `batch` and `compare` share."""
    options = [
        click.option(
            "--set",
            "overrides",
            multiple=True,
            metavar="PATH=VALUE",
            help="Change a value of every scenario, e.g. 'coverage[dukcapil-loket-wfa].min_share=0.3'.",
        ),
        click.option(
            "--vary",
            multiple=True,
            metavar="PATH=V1,V2,...",
            help="Solve one variant per value (several --vary: every combination).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _jobs_of(
    inputs: Sequence[str], overrides: Sequence[str], vary: Sequence[str], out_dir: Path
) -> list[Job]:
    try:
        return make_jobs(find_scenarios(inputs, exclude=out_dir), overrides, vary)
    except InvalidInput as error:
        _fail_invalid(error)


def _solve_jobs(
    jobs: list[Job],
    out_dir: Path,
    settings: BatchSettings,
    parallel: int | None,
    scheduler: str | None,
) -> list[JobResult]:
    """Every job solved (or reused), with a progress bar on a terminal and a line per
    scenario otherwise. Ctrl-C or SIGTERM stops at once, keeping what has finished."""
    results: list[JobResult] = []
    previous_sigterm = signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    bar = RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal,
    )
    try:
        with (
            bar,
            closing(
                solve_many(jobs, out_dir, settings, jobs=parallel, scheduler=scheduler)
            ) as stream,
        ):
            task = bar.add_task("solving", total=len(jobs), counts="")
            for done in stream:
                results.append(done)
                bar.update(task, advance=1, counts=_counts(results))
                if bar.disable:
                    err.print(
                        f"[{len(results)}/{len(jobs)}] {_one_line(done)}",
                        highlight=False,
                        markup=False,
                    )
    except KeyboardInterrupt:
        err.print(
            f"stopped: {len(results)} of {len(jobs)} finished, kept in {out_dir}; run the same command again to resume"
        )
        sys.exit(EXIT_ERROR)
    except RuntimeError as error:  # the cluster cannot be reached or used
        err.print(f"[bold red]error[/]: {error}", highlight=False)
        sys.exit(EXIT_ERROR)
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
    return results


def _counts(results: list[JobResult]) -> str:
    solved = sum(r.solved for r in results)
    reused = sum(r.reused for r in results)
    text = f"✓ {solved}" + (f" ({reused} reused)" if reused else "")
    failed = len(results) - solved
    return text + (f" · ✗ {failed}" if failed else "")


def _one_line(done: JobResult) -> str:
    record = done.record
    if done.reused:
        return f"{done.job.name}: {done.status} (reused)"
    if done.status in ("invalid", "error"):
        first = (record.get("issues") or [record.get("error", "")])[0]
        return f"{done.job.name}: {done.status}: {first}"
    return f"{done.job.name}: {done.status} in {record['total_s']:.1f} s"


def _batch_exit_code(results: list[JobResult]) -> int:
    """0 when every scenario was solved; else the code of the worst outcome, in the order
    1 (a failure) > 2 (invalid input) > 4 (no roster in time) > 3 (infeasible)."""
    statuses = {r.status for r in results}
    for status, code in (
        ("error", EXIT_ERROR),
        ("invalid", EXIT_INVALID),
        ("unknown", EXIT_NO_SOLUTION),
        ("infeasible", EXIT_INFEASIBLE),
    ):
        if status in statuses:
            return code
    return EXIT_OK


@main.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Output folder: one folder per scenario, and results.jsonl.",
)
@click.option(
    "--jobs",
    "parallel",
    type=click.IntRange(min=1),
    help="Scenarios solved at once [the number of cores; on a cluster, its threads].",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="Run on the Dask cluster of this scheduler instead of local processes.",
)
@click.option("--force", is_flag=True, help="Solve again where a complete result exists.")
@variant_options
@solve_options
def batch_command(
    inputs: tuple[str, ...],
    out_dir: Path,
    parallel: int | None,
    scheduler: str | None,
    force: bool,
    overrides: tuple[str, ...],
    vary: tuple[str, ...],
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    deterministic: bool,
) -> None:
    """Solve many scenarios (files, folders, glob patterns) in parallel, each into its own
    folder under --out, with a results.jsonl line per scenario. A rerun skips every scenario
    whose input and settings already have a complete result, so a stopped batch resumes.
    Exit code: 0 if every scenario was solved, else that of the worst outcome (1 failure,
    2 invalid input, 4 no roster in time, 3 infeasible)."""
    jobs = _jobs_of(inputs, overrides, vary, out_dir)
    settings = BatchSettings(time_limit, workers, seed, deterministic, force)
    results = _solve_jobs(jobs, out_dir, settings, parallel, scheduler)
    _print_batch_summary(results, out_dir)
    sys.exit(_batch_exit_code(results))


def _print_batch_summary(results: list[JobResult], out_dir: Path) -> None:
    by_status: dict[str, int] = {}
    for done in results:
        by_status[done.status] = by_status.get(done.status, 0) + 1
    counts = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
    reused = sum(r.reused for r in results)
    out.print(f"{len(results)} scenario(s): {counts}" + (f" ({reused} reused)" if reused else ""))
    for done in results:
        if not done.solved:
            out.print(f"  [red]✗[/] {_one_line(done)}", highlight=False)
    out.print(f"results: {out_dir / RESULTS_FILE}")


@main.command("compare")
@click.argument("scenarios", nargs=-1, required=True)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    help="The scenario the others are measured against [the first].",
)
@click.option("--csv", "as_csv", is_flag=True, help="Print the table as CSV.")
@click.option("--markdown", is_flag=True, help="Print the table as Markdown, for a memo.")
@click.option("--all-rows", is_flag=True, help="Also rows equal in every scenario.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out/compare"),
    show_default=True,
    help="Where the solves are kept; a rerun reuses them.",
)
@click.option(
    "--jobs",
    "parallel",
    type=click.IntRange(min=1),
    help="Scenarios solved at once [the number of cores].",
)
@click.option("--force", is_flag=True, help="Solve again where a complete result exists.")
@variant_options
@solve_options
def compare_command(
    scenarios: tuple[str, ...],
    baseline: Path | None,
    as_csv: bool,
    markdown: bool,
    all_rows: bool,
    out_dir: Path,
    parallel: int | None,
    force: bool,
    overrides: tuple[str, ...],
    vary: tuple[str, ...],
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    deterministic: bool,
) -> None:
    """Solve SCENARIOS (or reuse their earlier solves) and print them side by side: status,
    objective, WFA per unit, fairness per pool, coverage margins, and the cells that differ
    from the baseline roster."""
    if as_csv and markdown:
        raise click.UsageError("choose one of --csv and --markdown")
    jobs = _jobs_of(
        [str(baseline), *scenarios] if baseline else scenarios, overrides, vary, out_dir
    )
    issues = check_jobs(jobs)
    if issues:
        _fail_invalid(InvalidInput(issues))
    settings = BatchSettings(time_limit, workers, seed, deterministic, force)
    finished = {r.job.name: r for r in _solve_jobs(jobs, out_dir, settings, parallel, None)}
    results = [finished[job.name] for job in jobs]
    failed = [r for r in results if r.status == "error"]
    for done in failed:
        err.print(f"[red]✗[/] {_one_line(done)}", highlight=False)
    comparison = build_comparison(results, jobs[0].name, all_rows)
    if as_csv:
        click.echo(to_csv(comparison), nl=False)
    elif markdown:
        click.echo(to_markdown(comparison), nl=False)
    else:
        out.print(to_table(comparison))
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


@main.command("ledger")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.argument("roster", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The next period's staff file (.csv).",
)
@click.option(
    "--allow-violations",
    is_flag=True,
    help="Record a roster that breaks hard rules (as it was worked, say).",
)
def ledger_command(scenario: Path, roster: Path, out_path: Path, allow_violations: bool) -> None:
    """Write the staff file for the next period: each person's history raised by the WFA
    burden ROSTER gave them, counted as the fairness objective counts it."""
    if out_path.suffix.lower() != ".csv":
        raise click.BadParameter(
            "the next staff file is written as CSV; name it .csv", param_hint="--out"
        )
    loaded, problem = _load(scenario)
    try:
        evaluation = evaluate(problem, read_roster(problem, roster))
    except InvalidInput as error:
        _fail_invalid(error)
    if not evaluation.valid and not allow_violations:
        err.print(
            f"{roster} breaks {len(evaluation.violations)} hard rule(s) (see `piket check`); "
            "nothing written. --allow-violations records it all the same.",
            highlight=False,
        )
        sys.exit(EXIT_INFEASIBLE)
    write_next_staff(out_path, loaded, evaluation.burden)
    raised = [b for b in evaluation.burden if b]
    out.print(
        f"wrote {out_path}: history raised for {len(raised)} of {len(problem.people)} staff, "
        f"by {piket_days_text(sum(raised, start=Decimal(0)))} piket days in all "
        f"(a standby day counts {piket_days_text(problem.standby_weight)})",
        highlight=False,
    )


# --- explain, why, replan ----------------------------------------------------------------


def _settings(
    problem: Problem,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    deterministic: bool,
) -> SolveSettings:
    return SolveSettings.from_problem(
        problem,
        time_limit_s=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic or None,
    )


def _print_reason_list(reasons: Sequence[Any], numbered: bool = False) -> None:
    for k, reason in enumerate(reasons, start=1):
        mark = f"{k}." if numbered else "•"
        out.print(f"  {mark} {reason}", highlight=False, markup=False)


def _print_shortfalls(shortfalls: Sequence[Any]) -> None:
    for c in shortfalls:
        where = " / ".join(part for part in (c.unit, c.site, c.shift) if part)
        where += f" (skill {c.skill})" if c.skill else ""
        out.print(
            f"  ✗ {where} on {c.date}: {c.onsite} on site, needs {c.required} "
            f"(short {c.required - c.onsite}; rule {c.requirement})",
            highlight=False,
            markup=False,
        )


def _print_conflict(conflict: Conflict) -> None:
    minimal = (
        "minimal: drop any one and the rest can hold"
        if conflict.minimal
        else "not proven minimal in the time given"
    )
    out.print(f"Rules of {', '.join(conflict.units)} that cannot hold together ({minimal}):")
    if not conflict.rules:
        out.print("  (the cells themselves cannot be filled; no single rule is to blame)")
    _print_reason_list(conflict.rules, numbered=True)


@main.command("explain")
@click.argument("scenario", type=click.Path(path_type=Path))
@solve_options
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON only.")
def explain_command(
    scenario: Path,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    deterministic: bool,
    as_json: bool,
) -> None:
    """Explain why SCENARIO cannot be solved: capacity checks, a minimal set of rules that
    cannot hold together, and the best roster possible with every shortfall. Exit code 0 if
    a roster meets every rule, 3 if none can, 4 if undecided in time."""
    loaded, problem = _load(scenario)
    settings = _settings(problem, time_limit, workers, seed, deterministic)
    explanation = explain(problem, settings, Sources(loaded))
    if as_json:
        click.echo(json.dumps(explanation.as_json(), indent=2, ensure_ascii=False))
    else:
        _print_explanation(explanation, problem, scenario)
    codes = {"feasible": EXIT_OK, "infeasible": EXIT_INFEASIBLE}
    sys.exit(codes.get(explanation.status, EXIT_NO_SOLUTION))


def _print_explanation(explanation: Explanation, problem: Problem, scenario: Path) -> None:
    status = explanation.status
    if status == "feasible":
        out.print(f"[bold]{problem.name}[/]: [green]feasible[/]: a roster meets every rule")
        return
    words = {"infeasible": "the rules cannot all hold", "unknown": "undecided in the time given"}
    out.print(f"[bold]{problem.name}[/]: [red]{status}[/]: {words[status]}")
    if explanation.quick:
        out.print(f"Found before any search ({len(explanation.quick)}):")
        _print_reason_list(explanation.quick)
    for conflict in explanation.conflicts:
        _print_conflict(conflict)
    relaxed = explanation.relaxed
    if relaxed.roster is None:
        out.print("Best roster possible: none, even with minimum coverage relaxed:")
        _print_reason_list(relaxed.reasons)
        return
    shortfalls = relaxed.shortfalls
    short = sum(c.required - c.onsite for c in shortfalls)
    proven = "proven the fewest" if explanation.fewest_proven else "not proven the fewest"
    out.print(
        f"Best roster possible, minimum coverage relaxed: {len(shortfalls)} requirement(s) "
        f"short, {short} person-shift(s) in all ({proven}):"
    )
    _print_shortfalls(shortfalls)
    out.print(f"(`piket solve {scenario} --relax` writes the relaxed roster)", highlight=False)


@main.command("why")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.argument("roster", type=click.Path(path_type=Path))
@click.option("--staff", "staff_id", required=True, help="The person's staff id (NIP).")
@click.option(
    "--date", "on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="The day, YYYY-MM-DD."
)
@click.option(
    "--instead",
    default="wfa",
    show_default=True,
    metavar="wfa|off|onsite:SHIFT",
    help="What the cell would hold instead; its cost is found by a re-solve.",
)
@solve_options
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON only.")
def why_command(
    scenario: Path,
    roster: Path,
    staff_id: str,
    on: Any,
    instead: str,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    deterministic: bool,
    as_json: bool,
) -> None:
    """Why ROSTER gives this person this status on this day (the rules that bind the cell),
    and what it would cost to give them --instead (WFA): feasible or not, and how far each
    objective term moves, by a re-solve of their part with the cell forced."""
    try:
        option = parse_option(instead)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--instead") from None
    loaded, problem = _load(scenario)
    settings = _settings(problem, time_limit, workers, seed, deterministic)
    try:
        cells = read_roster(problem, roster)
        answer = why(
            loaded.scenario, problem, cells, staff_id, on.date(), option, settings, Sources(loaded)
        )
    except InvalidInput as error:
        _fail_invalid(error)
    if as_json:
        click.echo(json.dumps(answer.as_json(problem), indent=2, ensure_ascii=False))
    else:
        _print_why(answer, problem)
    sys.exit(EXIT_OK)


def _print_why(answer: CellWhy, problem: Problem) -> None:
    staff = problem.people[answer.person]
    day = problem.days[answer.day].date
    out.print(
        f"[bold]{staff.name}[/] ({staff.id}, {staff.unit}) on {day}: [bold]{answer.option}[/]",
        highlight=False,
    )
    _print_reason_list(answer.reasons)
    other = answer.alternative
    status = other.status
    if status == "current":
        out.print(f"instead {other.option}: that is what the roster gives already")
    elif status == "not allowed":
        out.print(f"instead {other.option}: not allowed: {other.why_not}", highlight=False)
    elif status == "infeasible":
        out.print(f"instead {other.option}: [red]infeasible[/]: the rules cannot all hold then")
        _print_reason_list(other.quick)
        if other.conflict:
            _print_conflict(other.conflict)
    elif other.term_deltas is None or other.objective_delta is None:
        out.print(f"instead {other.option}: {status}: no roster found in the time given")
    else:
        moved = " · ".join(f"{name} {delta:+,}" for name, delta in other.term_deltas.items())
        out.print(
            f"instead {other.option}: feasible ({status}); objective {other.objective_delta:+,} "
            f"(terms: {moved}; WFA fairness ×{problem.tier_scale:,})",
            highlight=False,
        )
        out.print(f"  {len(other.changes)} other cell(s) change:", highlight=False)
        _print_changes(other.changes, problem)


def _print_changes(changes: Sequence[CellChange], problem: Problem) -> None:
    for change in changes:
        staff = problem.people[change.person]
        note = " (absent)" if change.absent else ""
        out.print(
            f"  {staff.name} ({staff.id}, {staff.unit}{'/' + staff.site if staff.site else ''}) "
            f"{problem.days[change.day].date}: {change.before} → {change.after}{note}",
            highlight=False,
            markup=False,
        )


def _absences(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[Absence]:
    try:
        return [Absence.parse(value) for value in values]
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@main.command("replan")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "published",
    required=True,
    type=click.Path(path_type=Path),
    help="The published roster (CSV) to repair.",
)
@click.option(
    "--absent",
    "absences",
    multiple=True,
    required=True,
    callback=_absences,
    metavar="ID:DATE[..DATE]",
    help="Someone who cannot work those days; repeat for several.",
)
@click.option(
    "--freeze-before",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Days before this date stay exactly as published.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Output folder [default: out/<scenario stem>-replan/].",
)
@solve_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON only.")
def replan_command(
    scenario: Path,
    published: Path,
    absences: list[Absence],
    freeze_before: Any,
    out_dir: Path | None,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    deterministic: bool,
    as_json: bool,
) -> None:
    """Repair the published roster after absences with the fewest changed cells (then the
    best objective), keeping days before --freeze-before as they were. Writes roster.csv,
    summary.json and changes.csv (who, day, from, to: the people to tell)."""
    freeze = freeze_before.date() if freeze_before else None
    try:
        loaded = load_scenario(scenario)
        _warn(loaded.warnings)
        problem = absent_problem(loaded.scenario, absences, freeze)
        cells = read_roster(problem, published)
    except InvalidInput as error:
        _fail_invalid(error)
    settings = _settings(problem, time_limit, workers, seed, deterministic)
    outcome = replan(problem, cells, absences, freeze, settings, Sources(loaded))
    target = out_dir or Path("out") / f"{scenario.stem}-replan"
    data = write_outputs(target, outcome.result, problem, loaded)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_replan(outcome, problem, target)
    sys.exit(_EXIT_BY_STATUS.get(outcome.result.status, EXIT_ERROR))


def _print_replan(outcome: Replan, problem: Problem, out_dir: Path) -> None:
    result = outcome.result
    colour = {"optimal": "green", "feasible": "yellow"}.get(result.status, "red")
    parts = "; ".join(", ".join(units) for units in outcome.repaired) or "none"
    out.print(
        f"[bold]{problem.name}[/]: replan [{colour}]{result.status}[/] in "
        f"{result.wall_time_s:.1f} s (re-solved: {parts})",
        highlight=False,
    )
    if result.changes is None:
        _print_reason_list(outcome.quick)
        for conflict in outcome.conflicts:
            _print_conflict(conflict)
        if not outcome.quick and not outcome.conflicts:
            _print_reason_list(result.reasons)
        out.print(f"wrote {out_dir / 'summary.json'}")
        return
    absent = len(result.changes) - outcome.changed
    out.print(f"{outcome.changed} cell(s) changed, besides the {absent} absent day(s):")
    _print_changes(result.changes, problem)
    out.print(
        f"wrote {out_dir / 'roster.csv'}, {out_dir / 'changes.csv'} and {out_dir / 'summary.json'}"
    )


@main.command("import-benchmark")
@click.argument("instance", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("."),
    help="Folder to write the scenario into [.].",
)
def import_benchmark_command(instance: Path, out_dir: Path) -> None:
    """Convert an instance of the shift scheduling benchmark (Curtois & Qu, InstanceN.txt)
    into a scenario (YAML + staff and requests CSV) that `piket solve` solves; its objective
    is the benchmark's penalty."""
    try:
        paths = write_scenario(read_instance(instance), out_dir)
    except InvalidInput as error:
        _fail_invalid(error)
    _print_written(paths)
    out.print(f"solve it with: piket solve {paths[0]}", highlight=False)


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the scenario format, for editors."""
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "piket scenario (format v1)"
    click.echo(json.dumps(schema, indent=2))


if __name__ == "__main__":
    main()
