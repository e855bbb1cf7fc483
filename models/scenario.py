"""The scenario as written (format v1): frozen pydantic models, one per section of docs/scenario-format.md.

These models check what can be checked inside one section (types, ranges, shapes).
Checks that need two sections at once (a coverage rule naming a unit, a pin naming a
person, a date inside the horizon) live in `models.validate`, so that every fault in a
file is reported in one pass instead of stopping at the first model that fails.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_KEYWORDS = ("all", "working", "nonworking", "holidays", "collective_leave", "wfa")
STATUSES = ("onsite", "wfa", "off", "leave")

_TIME = re.compile(r"^(\d{2}):(\d{2})$")


def parse_clock(value: Any, *, allow_24: bool) -> int:
    """Minutes after midnight of an `HH:MM` time (or a TOML/YAML time object)."""
    if hasattr(value, "hour") and hasattr(value, "minute"):
        return int(value.hour) * 60 + int(value.minute)
    if not isinstance(value, str):
        raise ValueError(f"expected a time of day 'HH:MM', got {value!r}")
    match = _TIME.match(value.strip())
    if not match:
        raise ValueError(f"expected a time of day 'HH:MM', got {value!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and minutes == 0 and allow_24:
        return 24 * 60
    if hours > 23 or minutes > 59:
        hint = " ('24:00' is allowed as an end only)" if hours == 24 else ""
        raise ValueError(f"{value!r} is not a time of day{hint}")
    return hours * 60 + minutes


class Strict(BaseModel):
    """Unknown keys are errors, values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Horizon(Strict):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered_and_bounded(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if (self.end - self.start).days + 1 > 366:
            raise ValueError("a horizon is at most 366 days")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# A day selector item: a keyword, a weekday or weekday range, a date or a date range.
DayItem = date | str


class Calendar(Strict):
    weekend: tuple[Weekday, ...] = ("sat", "sun")
    holidays: dict[date, str] = Field(default_factory=dict)
    collective_leave: dict[date, str] = Field(default_factory=dict)
    wfa_days: tuple[DayItem, ...] = ()

    @field_validator("wfa_days", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str | date) else value


class Shift(Strict):
    """An on-site slot. end <= start: ends the next day; end == start: 24 hours."""

    start: str
    end: str
    # Shifts this one may not be followed by on the next day (a nurse's forbidden
    # successions, e.g. no early shift the morning after a late one), whatever the rest.
    not_followed_by: tuple[str, ...] = ()

    @field_validator("not_followed_by", mode="before")
    @classmethod
    def _shift_list(cls, value: Any) -> Any:
        return split_bar(value)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock_text(cls, value: Any, info: Any) -> str:
        minutes = parse_clock(value, allow_24=info.field_name == "end")
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    @property
    def start_minute(self) -> int:
        return parse_clock(self.start, allow_24=False)

    @property
    def length_minutes(self) -> int:
        end = parse_clock(self.end, allow_24=True)
        length = end - self.start_minute
        return length if length > 0 else length + 24 * 60


NonNegativeInt = Annotated[int, Field(ge=0)]
# Piket days as a count with at most two decimals: a standby day counts as a fraction of a
# piket day (`fairness.standby_weight`), and `piket ledger` carries such fractions forward.
PiketDays = Annotated[Decimal, Field(ge=0, decimal_places=2)]


def exact_decimal(value: Any) -> Any:
    """A YAML/TOML float as the decimal it was written as: 0.55 means 55/100 exactly."""
    return Decimal(str(value)) if isinstance(value, float) else value


def parse_shift_limits(value: Any) -> Any:
    """`D=14|E=0` (a CSV cell) -> {"D": "14", "E": "0"}; a mapping passes through; blank -> None."""
    if isinstance(value, str):
        if not value.strip():
            return None
        limits: dict[str, str] = {}
        for item in value.split("|"):
            shift, sep, limit = item.partition("=")
            if not sep or not shift.strip():
                raise ValueError(f"expected SHIFT=LIMIT items separated by '|', got {item!r}")
            limits[shift.strip()] = limit.strip()
        return limits
    return value


class PersonRules(BaseModel):
    """The rules that may also be set for one person, as staff columns of the same names;
    a person's own rule overrides their unit's. None: not stated here."""

    model_config = ConfigDict(frozen=True)

    max_consecutive_onsite_days: Annotated[int, Field(ge=1)] | None = None
    # Hospital-grade rules (nurse rostering), per person over the horizon.
    min_consecutive_onsite_days: Annotated[int, Field(ge=1)] | None = None
    min_consecutive_days_off: Annotated[int, Field(ge=1)] | None = None
    max_onsite_days: NonNegativeInt | None = None
    max_weekends_worked: NonNegativeInt | None = None
    min_work_minutes: NonNegativeInt | None = None
    max_work_minutes: NonNegativeInt | None = None
    max_shifts_per_type: dict[str, NonNegativeInt] | None = None

    @field_validator("max_shifts_per_type", mode="before")
    @classmethod
    def _shift_limits(cls, value: Any) -> Any:
        return parse_shift_limits(value)


class Rules(Strict, PersonRules):
    """Hard rules; a unit's `rules` override the global ones key by key."""

    min_rest_hours: Annotated[float, Field(ge=0, le=24 * 14)] | None = None
    min_shifts_per_week: Annotated[int, Field(ge=0, le=7)] | None = None
    max_shifts_per_week: Annotated[int, Field(ge=0, le=7)] | None = None

    def overridden_by(self, other: Rules) -> Rules:
        """These rules with every key that `other` states explicitly replaced."""
        return self.model_copy(update={k: getattr(other, k) for k in other.model_fields_set})


class Unit(Strict):
    name: str | None = None
    schedule: Literal["roster", "office"] = "office"
    shifts: tuple[str, ...] = Field(min_length=1)
    wfa: bool | None = None  # default: True for office units, False for roster units
    rules: Rules = Field(default_factory=Rules)

    @property
    def wfa_default(self) -> bool:
        return self.wfa if self.wfa is not None else self.schedule == "office"


# The rules a staff column may set for one person (same names and meanings as in `rules`).
PERSON_RULES = tuple(PersonRules.model_fields)


def split_bar(value: Any) -> Any:
    """`a|b|c` text (as in CSV cells) -> list; lists pass through; empty -> []."""
    if value is None:
        return []
    if isinstance(value, float) and value != value:  # NaN from an empty spreadsheet cell
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    if isinstance(value, date):
        return [value]
    return value


def id_text(value: Any, column: str) -> Any:
    """A staff id as text; a number a spreadsheet or YAML made of it is refused, saying why."""
    if isinstance(value, float) and abs(value) >= 1e15:
        raise ValueError(
            f"{column} {value!r} is stored as a number, and a number keeps only 15 significant "
            "digits: an 18-digit NIP stored this way has already lost its last digits; "
            f"format the {column} column as Text and re-enter the ids"
        )
    if isinstance(value, bool | float):
        raise ValueError(
            f"{column} {value!r} is a number, not text: write ids as text (quote them in "
            "YAML/JSON, format the column as Text in a spreadsheet)"
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", value.strip()):
        raise ValueError(
            f"{column} {value!r} looks like a number a spreadsheet rewrote in scientific "
            f"notation; its digits are lost: format the {column} column as Text and re-enter it"
        )
    return value.strip() if isinstance(value, str) else value


class StaffMember(PersonRules):
    """One person, with their own rules (PersonRules, overriding the unit's). Extra columns
    (office, rank, ...) are kept in `model_extra`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    site: str | None = None
    skills: tuple[str, ...] = ()
    wfa_eligible: bool | None = None
    leave: tuple[DayItem, ...] = ()
    history: PiketDays = Decimal(0)
    superior: str | None = None  # the direct superior's staff id
    phone: str | None = None  # normalised to +62... when it is an Indonesian number

    @property
    def own_rules(self) -> dict[str, Any]:
        """The rules this person has of their own (the PERSON_RULES keys that are set)."""
        return {key: getattr(self, key) for key in PERSON_RULES if getattr(self, key) is not None}

    @field_validator("id", mode="before")
    @classmethod
    def _id_is_text(cls, value: Any) -> Any:
        return id_text(value, "id")

    @field_validator("site", mode="before")
    @classmethod
    def _empty_site(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("skills", "leave", mode="before")
    @classmethod
    def _bar_list(cls, value: Any) -> Any:
        return split_bar(value)

    @field_validator("wfa_eligible", mode="before")
    @classmethod
    def _boolean_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            if text == "":
                return None
            table = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
            if text not in table:
                raise ValueError(f"expected true/false, yes/no or 1/0, got {value!r}")
            return table[text]
        return value

    @field_validator("history", mode="before")
    @classmethod
    def _blank_history(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return 0
        if isinstance(value, bool):
            raise ValueError(f"expected a number of piket days, got {value!r}")
        return exact_decimal(value)

    @field_validator("superior", mode="before")
    @classmethod
    def _superior_id(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, float) and value != value:  # NaN from an empty spreadsheet cell
            return None
        return id_text(value, "superior")

    @field_validator("phone", mode="before")
    @classmethod
    def _phone_number(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, float) and value != value:
            return None
        try:
            return normalise_phone(value)
        except ValueError:
            # The format keeps extra staff columns as written: a phone piket cannot read
            # stays as it is, and models.validate.contact_warnings says so.
            return str(value).strip()

    @property
    def extra(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


# Indonesian numbers: national 0 + 8..12 digits (mobile 08..., landline 021...), or the
# same without the 0 after the country code 62. Spaces, dots, dashes and brackets are
# written in many ways and carry nothing.
_PHONE_SEPARATORS = re.compile(r"[\s.()\-/]")
_PHONE = re.compile(r"^(?:\+62|62|0)([1-9]\d{7,11})$")


def normalise_phone(value: Any) -> str:
    """`0812-3456-7890`, `+62 812 3456 7890`, `62812...` -> `+6281234567890` (E.164)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"expected a phone number as text, got {value!r}")
    text = str(value).strip()
    digits = _PHONE_SEPARATORS.sub("", text)
    match = _PHONE.match(digits)
    if match is None:
        hint = ""
        if _PHONE.match(f"0{digits}"):  # a spreadsheet drops the 0 of a number it stores
            hint = " (its leading 0 lost? format the phone column as Text)"
        raise ValueError(
            f"{text!r} is not an Indonesian phone number: expected 0 or +62 and then 8 to 12 "
            f"digits, e.g. 0812-3456-7890 or +62 812 3456 7890{hint}"
        )
    return f"+62{match.group(1)}"


class CoverageRule(Strict):
    """Minimum (and optionally maximum / soft target) on-site presence, per unit and day."""

    id: str | None = None
    unit: str | tuple[str, ...]
    site: str | None = None
    skill: str | None = None
    shift: str
    days: DayItem | tuple[DayItem, ...] = "all"
    min: NonNegativeInt | None = None
    min_share: Annotated[Decimal, Field(ge=0, le=1)] | None = None
    max: NonNegativeInt | None = None
    target: NonNegativeInt | None = None
    weight: NonNegativeInt = 1
    over_weight: NonNegativeInt = 0  # with `target`: each person on site above it costs this
    # People on WFA that day who match the rule's unit, site and skill, named as standby:
    # reachable and able to come on site for the rule's shift. Hard: exactly this many.
    standby: NonNegativeInt = 0
    # Hard: the rule still holds when any one person on site is absent (one more on site
    # than the minimum, or a standby who can step in).
    resilient: bool = False
    remove: bool = False  # only meaningful under `extends`: drops the base rule with this id

    @field_validator("min_share", mode="before")
    @classmethod
    def _exact_decimal(cls, value: Any) -> Any:
        # 0.55 must mean 55/100 exactly, not the nearest binary float.
        return exact_decimal(value)


class Request(Strict):
    staff: str
    date: date
    # not_onsite: not on site that day (in `shift`, when given): a shift-off request
    want: Literal["wfa", "onsite", "off", "not_onsite"]
    shift: str | None = None
    weight: NonNegativeInt = 1

    @field_validator("staff", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("shift", mode="before")
    @classmethod
    def _blank_shift(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("weight", mode="before")
    @classmethod
    def _blank_weight(cls, value: Any) -> Any:
        return 1 if value is None or (isinstance(value, str) and not value.strip()) else value


class Pin(Strict):
    staff: str
    date: date
    status: Literal["onsite", "wfa", "off", "leave"]
    shift: str | None = None

    @field_validator("staff", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class FairnessWeights(Strict):
    wfa_days: NonNegativeInt = 10
    holiday_duty: NonNegativeInt = 5
    night_shifts: NonNegativeInt = 1
    onsite_days: NonNegativeInt = 1  # each on-site day where `off` was allowed (aim 4)


class Fairness(Strict):
    pool: Literal["unit", "site", "all"] = "unit"
    weights: FairnessWeights = Field(default_factory=FairnessWeights)
    use_history: bool = True
    # What a standby day adds to the WFA burden, in piket days (a WFA day without WFA adds 1).
    standby_weight: Annotated[Decimal, Field(ge=0, le=1, decimal_places=2)] = Decimal("0.5")

    @field_validator("standby_weight", mode="before")
    @classmethod
    def _exact_decimal(cls, value: Any) -> Any:
        return exact_decimal(value)


class SolverSettings(Strict):
    time_limit_s: Annotated[float, Field(gt=0)] = 60.0
    workers: NonNegativeInt = 0
    seed: NonNegativeInt = 0


class Scenario(Strict):
    """A whole scenario after `extends` is merged and staff/requests files are read."""

    version: Literal[1]
    name: str
    extends: str | None = None
    horizon: Horizon
    calendar: Calendar = Field(default_factory=Calendar)
    shifts: dict[str, Shift] = Field(min_length=1)
    units: dict[str, Unit] = Field(min_length=1)
    staff: tuple[StaffMember, ...]
    coverage: tuple[CoverageRule, ...] = ()
    rules: Rules = Field(default_factory=Rules)
    fairness: Fairness = Field(default_factory=Fairness)
    requests: tuple[Request, ...] = ()
    pins: tuple[Pin, ...] = ()
    solver: SolverSettings = Field(default_factory=SolverSettings)


class ScenarioFile(Scenario):
    """The file as a planner writes it: `staff` and `requests` may name a CSV/XLSX file.

    Used for the JSON Schema (`piket schema`); the loader reads those files and
    validates the result as a `Scenario`.
    """

    staff: str | tuple[StaffMember, ...]  # type: ignore[assignment]
    requests: str | tuple[Request, ...] = ()  # type: ignore[assignment]
