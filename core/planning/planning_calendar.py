"""A plant's planning calendar: buckets of days or weeks over a horizon of working days.

Period 1 starts on the first working day on or after the run date (day buckets) or on
the Monday of the run's week (week buckets). Requirements dated before period 1 are
past due and planned in period 1; lead times are in working days and become whole
periods, rounded up (a 3-day lead time is one week bucket, never zero).
"""

from __future__ import annotations

import bisect
import math
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from core import db
from core.errors import InvalidInput
from core.planning.models import PlanningCalendar
from core.tenancy.plants import get_plant

DEFAULT: dict[str, Any] = {"bucket": "week", "horizon": 26, "working_days": [1, 2, 3, 4, 5], "demand_time_fence": 0}


@dataclass(frozen=True)
class CalendarView:
    plant_id: uuid.UUID
    bucket: str
    horizon: int
    working_days: list[int]
    demand_time_fence: int


@dataclass(frozen=True)
class Buckets:
    """The periods of one plan: ``starts[k]`` is the first day of period k+1."""

    bucket: str
    starts: list[date]
    working_days: frozenset[int]

    @property
    def periods(self) -> int:
        return len(self.starts)

    def period_of(self, day: date) -> int | None:
        """1-based period holding ``day``; 1 when it is past due; None beyond the horizon."""
        if day < self.starts[0]:
            return 1
        end = self.starts[-1] + (timedelta(days=7) if self.bucket == "week" else timedelta(days=1))
        if day >= end:
            return None
        return bisect.bisect_right(self.starts, day)

    def lead_time_periods(self, working_days: int) -> int:
        """Whole periods that cover a lead time of ``working_days`` (rounded up)."""
        if working_days <= 0:
            return 0
        per_period = len(self.working_days) if self.bucket == "week" else 1
        return math.ceil(working_days / per_period)

    def start_of(self, period: int) -> date:
        """First day of a 1-based period (clamped to the horizon)."""
        return self.starts[min(max(period, 1), self.periods) - 1]


def make_buckets(calendar: CalendarView, today: date) -> Buckets:
    """The buckets of a run made on ``today`` under ``calendar``."""
    working = frozenset(calendar.working_days)
    if calendar.bucket == "week":
        monday = today - timedelta(days=today.weekday())
        starts = [monday + timedelta(weeks=k) for k in range(calendar.horizon)]
        return Buckets("week", starts, working)
    starts, day = [], today
    while len(starts) < calendar.horizon:
        if day.isoweekday() in working:
            starts.append(day)
        day += timedelta(days=1)
    return Buckets("day", starts, working)


def _clean(raw: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = dict(DEFAULT)
    clean.update({k: v for k, v in raw.items() if v is not None})
    if clean["bucket"] not in ("day", "week"):
        raise InvalidInput("bucket must be day or week", "bucket")
    if not isinstance(clean["horizon"], int) or not 1 <= clean["horizon"] <= 400:
        raise InvalidInput("horizon must be between 1 and 400 periods", "horizon")
    days = clean["working_days"]
    if not days or any(not isinstance(d, int) or not 1 <= d <= 7 for d in days) or len(set(days)) != len(days):
        raise InvalidInput("working_days must be distinct ISO weekdays 1 (Monday) to 7", "working_days")
    fence = clean["demand_time_fence"]
    if not isinstance(fence, int) or not 0 <= fence <= clean["horizon"]:
        raise InvalidInput("demand_time_fence must be between 0 and the horizon", "demand_time_fence")
    clean["working_days"] = sorted(days)
    return clean


def get_calendar(tenant_id: uuid.UUID, plant_id: uuid.UUID) -> CalendarView:
    """The plant's calendar, or the default (weeks, 26, Monday to Friday) if never set."""
    get_plant(tenant_id, plant_id)
    with db.tenant_session(tenant_id) as session:
        row = session.scalars(select(PlanningCalendar).where(
            PlanningCalendar.tenant_id == tenant_id, PlanningCalendar.plant_id == plant_id)).one_or_none()
        values = DEFAULT if row is None else {
            "bucket": row.bucket, "horizon": row.horizon, "working_days": list(row.working_days),
            "demand_time_fence": row.demand_time_fence}
    return CalendarView(plant_id=plant_id, **values)


def set_calendar(tenant_id: uuid.UUID, plant_id: uuid.UUID, raw: dict[str, Any]) -> CalendarView:
    """Replace the plant's calendar; 422 naming the bad field."""
    get_plant(tenant_id, plant_id)
    clean = _clean(raw)
    with db.tenant_session(tenant_id) as session:
        row = session.scalars(select(PlanningCalendar).where(
            PlanningCalendar.tenant_id == tenant_id, PlanningCalendar.plant_id == plant_id)).one_or_none()
        if row is None:
            row = PlanningCalendar(tenant_id=tenant_id, plant_id=plant_id)
            session.add(row)
        for name, value in clean.items():
            setattr(row, name, value)
    return CalendarView(plant_id=plant_id, **clean)
