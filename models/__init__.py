"""The scenario as written, the resolved problem, and results with their reports."""

from models.errors import InputIssue, InvalidInput
from models.load import LoadedScenario, load_scenario
from models.problem import Problem
from models.result import Evaluation, Result, Roster

__all__ = [
    "Evaluation",
    "InputIssue",
    "InvalidInput",
    "LoadedScenario",
    "Problem",
    "Result",
    "Roster",
    "load_scenario",
]
