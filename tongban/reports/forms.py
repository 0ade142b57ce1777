"""The report parameters (statistics.md "Common ground"): ``from``, ``to`` (inclusive
acceptance dates), ``as_of`` (an instant, default now) and an optional department code
— shared by the pages, the API and the command so that all three read them alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import Department
from tongban.core import clock

# A window longer than this is refused: the monthly report has one row per month and
# every figure is a link, so an unbounded window would be an unbounded page.
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Params:
    """Validated parameters; ``as_of`` is always a fixed instant, so that the links
    behind the figures evaluate the cases at the very instant the figures were."""

    date_from: dt.date
    date_to: dt.date
    as_of: dt.datetime
    department: str | None

    def as_kwargs(self) -> dict:
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "as_of": self.as_of,
            "department": self.department,
        }

    def as_query(self) -> dict[str, str]:
        query = {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "as_of": self.as_of.astimezone(clock.LOCAL_TZ).isoformat(timespec="seconds"),
        }
        if self.department:
            query["department"] = self.department
        return query


def default_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current month up to today."""
    return today.replace(day=1), today


class ReportForm(forms.Form):
    """``from``/``to`` are Python keywords, so the fields are added in ``__init__``;
    ``user`` limits the department codes to those the user may see (a code outside
    the scope is refused like an unknown one)."""

    def __init__(self, data=None, *, user, today: dt.date | None = None):
        today = today or clock.local_date(clock.now())
        start, end = default_window(today)
        if data is not None:
            data = data.copy()
            for name, value in (("from", start), ("to", end)):
                if not data.get(name):
                    data[name] = value.isoformat()
        super().__init__(data)
        self.user = user
        self.fields["from"] = forms.DateField(
            label=_("Accepted from"),
            initial=start,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields["to"] = forms.DateField(
            label=_("Accepted to"),
            initial=end,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields["as_of"] = forms.CharField(
            label=_("As of"),
            required=False,
            help_text=_("A date or date and time; empty means now."),
            widget=forms.TextInput(attrs={"placeholder": "2026-03-31T18:00"}),
        )
        self.fields["department"] = forms.CharField(
            label=_("Department code"), required=False, max_length=50
        )

    def clean_as_of(self) -> dt.datetime | None:
        text = self.cleaned_data.get("as_of", "").strip()
        if not text:
            return None
        try:
            return clock.parse_instant(text)
        except ValueError:
            raise forms.ValidationError(
                _("Not a date or time (expected e.g. 2026-03-31 or 2026-03-31T12:00).")
            ) from None

    def clean_department(self) -> str | None:
        code = self.cleaned_data.get("department", "").strip().upper()
        if not code:
            return None
        if not Department.objects.visible_to(self.user).filter(code=code).exists():
            raise forms.ValidationError(_("No department in your scope has this code."))
        return code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end:
            if end < start:
                self.add_error("to", _("The end date is before the start date."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("to", _("The window may span at most five years."))
        return cleaned

    def params(self, now: dt.datetime | None = None) -> Params:
        """The parameters of a valid form; an empty ``as_of`` is fixed to ``now``."""
        data = self.cleaned_data
        return Params(
            date_from=data["from"],
            date_to=data["to"],
            as_of=data.get("as_of") or now or clock.now(),
            department=data.get("department"),
        )

    def errors_as_fields(self) -> dict[str, list[str]]:
        return {name: [str(m) for m in messages] for name, messages in self.errors.items()}
