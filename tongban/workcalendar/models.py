"""The holiday dictionary (seed §1.11 节假日维护): holidays and adjusted working days.

A date is a working day when it is Monday–Friday and inside no holiday, or when it is
an adjusted working day (调休上班). ``calendar.WorkCalendar`` turns these two tables
into working-day arithmetic; every change goes through ``services``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class HolidayQuerySet(models.QuerySet):
    def overlapping(self, first_day: dt.date, last_day: dt.date) -> HolidayQuerySet:
        """Holidays whose range shares at least one day with ``first_day..last_day``."""
        return self.filter(first_day__lte=last_day, last_day__gte=first_day)

    def containing(self, day: dt.date) -> HolidayQuerySet:
        return self.filter(first_day__lte=day, last_day__gte=day)


class Holiday(models.Model):
    """One holiday of an official arrangement: every day from ``first_day`` to
    ``last_day`` (inclusive) is a day off, weekends included.

    ``year`` is the arrangement year — the year of the State Council notice the
    holiday belongs to — so New Year 2017 (2016-12-31 … 2017-01-02) is filed under
    2017. A year "has an arrangement" when at least one holiday carries it; a year
    without one falls back to the plain Monday–Friday rule and the system warns.
    """

    year = models.PositiveSmallIntegerField(
        _("arrangement year"),
        db_index=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
        help_text=_("The year of the State Council notice this holiday belongs to."),
    )
    name = models.CharField(_("holiday name"), max_length=50)
    first_day = models.DateField(_("first day"), db_index=True)
    last_day = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = HolidayQuerySet.as_manager()

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["first_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "name"],
                name="workcalendar_holiday_unique_year_name",
                violation_error_message=_(
                    "A holiday with this name already exists in this year's arrangement."
                ),
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="workcalendar_holiday_last_not_before_first",
                violation_error_message=_("The last day must not precede the first day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"

    @property
    def day_count(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def clean(self) -> None:
        """Single-holiday rules plus the checks that need its neighbours: the range is
        not reversed, the name is unique in its year, it overlaps no other holiday and
        covers no other holiday's adjusted working day. Messages name the field."""
        errors: dict[str, list[str]] = {}
        first, last = self.first_day, self.last_day
        if first and last and last < first:
            errors.setdefault("last_day", []).append(
                gettext("The last day (%(last)s) precedes the first day (%(first)s).")
                % {"last": last.isoformat(), "first": first.isoformat()}
            )
        if self.year and first and last and self.year not in {first.year, last.year}:
            errors.setdefault("year", []).append(
                gettext(
                    "The arrangement year must be the year of the first or the last day "
                    "(%(first)s or %(last)s)."
                )
                % {"first": first.year, "last": last.year}
            )
        others = Holiday.objects.exclude(pk=self.pk) if self.pk else Holiday.objects.all()
        if self.year and self.name and others.filter(year=self.year, name=self.name).exists():
            errors.setdefault("name", []).append(
                gettext("A holiday named “%(name)s” already exists in the %(year)s arrangement.")
                % {"name": self.name, "year": self.year}
            )
        if first and last and first <= last:
            clash = others.overlapping(first, last).order_by("first_day").first()
            if clash is not None:
                errors.setdefault("first_day", []).append(
                    gettext(
                        "The days %(first)s to %(last)s overlap the holiday “%(other)s” "
                        "(%(other_first)s to %(other_last)s)."
                    )
                    % {
                        "first": first.isoformat(),
                        "last": last.isoformat(),
                        "other": clash,
                        "other_first": clash.first_day.isoformat(),
                        "other_last": clash.last_day.isoformat(),
                    }
                )
            covered = AdjustedWorkday.objects.filter(date__range=(first, last)).select_related(
                "holiday"
            )
            if self.pk:
                covered = covered.exclude(holiday_id=self.pk)
            adjusted = covered.order_by("date").first()
            if adjusted is not None:
                errors.setdefault("first_day", []).append(
                    gettext(
                        "The days %(first)s to %(last)s include %(date)s, an adjusted working "
                        "day of “%(other)s”."
                    )
                    % {
                        "first": first.isoformat(),
                        "last": last.isoformat(),
                        "date": adjusted.date.isoformat(),
                        "other": adjusted.holiday,
                    }
                )
        if errors:
            raise ValidationError(errors)


class AdjustedWorkday(models.Model):
    """An adjusted working day (调休上班): a weekend day outside every holiday on
    which offices work, as part of ``holiday``'s arrangement."""

    holiday = models.ForeignKey(
        Holiday,
        on_delete=models.CASCADE,
        related_name="adjusted_workdays",
        verbose_name=_("holiday"),
    )
    date = models.DateField(
        _("adjusted working day"),
        unique=True,
        error_messages={"unique": _("This date is already an adjusted working day.")},
    )

    class Meta:
        verbose_name = _("adjusted working day")
        verbose_name_plural = _("adjusted working days")
        ordering = ["date"]

    def __str__(self) -> str:
        return self.date.isoformat()

    def clean(self) -> None:
        """An adjusted working day must not already be a working day (a Monday–Friday
        outside every holiday), must not fall inside a holiday, and must not be filed
        twice. ``self.holiday`` may carry unsaved new dates (the admin validates a
        holiday and its adjusted days in one form), so its own range is taken from
        the instance, the others' from the database."""
        day = self.date
        if day is None:
            return
        try:
            holiday = self.holiday
        except Holiday.DoesNotExist:
            holiday = None
        inside = None
        if (
            holiday is not None
            and holiday.first_day
            and holiday.last_day
            and holiday.first_day <= day <= holiday.last_day
        ):
            inside = holiday
        if inside is None:
            others = Holiday.objects.containing(day)
            if holiday is not None and holiday.pk:
                others = others.exclude(pk=holiday.pk)
            inside = others.first()
        if inside is not None:
            raise ValidationError(
                {
                    "date": gettext(
                        "%(date)s falls inside the holiday “%(holiday)s” (%(first)s to "
                        "%(last)s); an adjusted working day must be outside every holiday."
                    )
                    % {
                        "date": day.isoformat(),
                        "holiday": inside,
                        "first": inside.first_day.isoformat(),
                        "last": inside.last_day.isoformat(),
                    }
                }
            )
        if day.weekday() < 5:
            raise ValidationError(
                {
                    "date": gettext(
                        "%(date)s is already a working day (a Monday to Friday outside any "
                        "holiday); an adjusted working day must be a Saturday or Sunday."
                    )
                    % {"date": day.isoformat()}
                }
            )
        taken = AdjustedWorkday.objects.filter(date=day).select_related("holiday")
        if self.pk:
            taken = taken.exclude(pk=self.pk)
        other = taken.first()
        if other is not None:
            raise ValidationError(
                {
                    "date": gettext("%(date)s is already an adjusted working day of “%(holiday)s”.")
                    % {"date": day.isoformat(), "holiday": other.holiday}
                }
            )


class CalendarVersion(models.Model):
    """A single-row counter bumped by every change to the dictionary, so that each
    process can tell cheaply (one tiny query at most once per second) whether its
    cached ``WorkCalendar`` is stale."""

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("calendar version")

    def __str__(self) -> str:
        return str(self.value)
