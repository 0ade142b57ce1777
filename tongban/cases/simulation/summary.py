"""What a simulation reports: the summary of what it made (counted in chunks of
case keys) and a text progress bar.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from tongban.catalog.models import HandlingType

from ..models import Case, CaseStatus

Progress = Callable[[float, str], None]


@dataclass
class Summary:
    """What a simulation made."""

    cases: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    actions: dict[str, int]
    refused: int
    overdue_open: int
    seconds: float
    loaded_base: bool = False

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        labels = dict(CaseStatus.choices)
        types = dict(HandlingType.choices)
        out = [
            _("%(n)d cases simulated in %(s).1f s (%(rate).0f cases/s).")
            % {"n": self.cases, "s": self.seconds, "rate": self.rate}
        ]
        for status, _label in CaseStatus.choices:
            out.append(f"  {labels[status]} ({status}): {self.by_status.get(status, 0)}")
        out.append(
            "  "
            + "  ".join(f"{types[t]} ({t}): {self.by_type.get(t, 0)}" for t in HandlingType.values)
        )
        out.append(_("Open and overdue at the end: %(n)d") % {"n": self.overdue_open})
        out.append(
            _(
                "Supervision: %(deemed)d deemed accepted, %(yellow)d yellow cards, "
                "%(red)d red cards, %(urgings)d automatic urgings."
            )
            % {
                "deemed": self.actions.get("deemed_accepted", 0),
                "yellow": self.actions.get("yellow_cards", 0),
                "red": self.actions.get("red_cards", 0),
                "urgings": self.actions.get("urgings", 0),
            }
        )
        if self.refused:
            out.append(_("Actions refused by the services: %(n)d") % {"n": self.refused})
        return out


def _chunks(pks: list[int], size: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(pks), size):
        yield pks[i : i + size]


def _counts(pks: list[int], column: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for chunk in _chunks(pks):
        for value, total in (
            Case.objects.filter(pk__in=chunk)
            .values_list(column)
            .annotate(total=Count("pk"))
            .order_by()
        ):
            counts[value] += total
    return dict(counts)


def _overdue(pks: list[int], end: dt.date) -> int:
    return sum(
        Case.objects.filter(pk__in=chunk, status=CaseStatus.IN_PROGRESS, deadline__lt=end).count()
        for chunk in _chunks(pks)
    )


def text_progress(stream, width: int = 30) -> Progress:
    """A one-line text progress bar (``\\r``-rewritten) for a terminal's stderr."""

    def show(fraction: float, label: str) -> None:
        fraction = min(1.0, max(0.0, fraction))
        filled = int(width * fraction)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {label}")
        if fraction >= 1.0:
            stream.write("\n")
        stream.flush()

    return show
