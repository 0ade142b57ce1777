"""Input and output shapes of the statistics API (statistics.md "Output")."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

FormatValue = Literal["json", "html", "xlsx", "pdf"]


class ReportQuery(Schema):
    """The parameters of every report; ``from``/``to`` are inclusive acceptance dates."""

    date_from: dt.date = Field(..., alias="from", description="First acceptance date.")
    date_to: dt.date = Field(..., alias="to", description="Last acceptance date.")
    as_of: dt.datetime | None = Field(
        None, description="The facts as of this instant (ISO 8601); default now."
    )
    department: str = Field(
        "", max_length=32, description="A department code; its sub-departments included."
    )
    format: FormatValue = Field("json", description="`json` (default), `html`, `xlsx` or `pdf`.")


class ReportOut(Schema):
    """``{"report", "params", "columns", "rows"}``; department rows end with the total
    row ``{"department": "TOTAL", …}``; monthly rows carry ``"month": "YYYY-MM"``."""

    report: str
    params: dict[str, Any]
    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]
