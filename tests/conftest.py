"""Tiny named scenarios built inline, as fixtures and builders."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from models.problem import Problem
from models.scenario import Scenario

# Mon 2025-12-29 .. Wed 2025-12-31: three working days, all of them WFA days.
BASE: dict[str, Any] = {
    "version": 1,
    "name": "tiny",
    "horizon": {"start": "2025-12-29", "end": "2025-12-31"},
    "calendar": {"wfa_days": ["2025-12-29..2025-12-31"]},
    "shifts": {
        "kantor": {"start": "07:30", "end": "16:00"},
        "pagi": {"start": "07:00", "end": "14:00"},
        "siang": {"start": "14:00", "end": "21:00"},
        "malam": {"start": "21:00", "end": "07:00"},
        "jaga": {"start": "08:00", "end": "08:00"},
    },
    "units": {"office": {"shifts": ["kantor"]}},
    "staff": [],
    "solver": {"time_limit_s": 20, "workers": 1, "seed": 0},
}


def people(n: int, unit: str = "office", **fields: Any) -> list[dict[str, Any]]:
    return [
        {"id": f"{unit}-{i}", "name": f"{unit.title()} {i}", "unit": unit, **fields}
        for i in range(n)
    ]


def build(**sections: Any) -> Problem:
    """A Problem from BASE with whole sections replaced."""
    data = copy.deepcopy(BASE)
    data.update(sections)
    return Problem(Scenario.model_validate(data))


@pytest.fixture
def make_problem():
    return build
