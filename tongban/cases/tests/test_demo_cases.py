"""The demo's cases (``tongban.cases.demo``): simulated through the services when the
demo loads, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from tongban.audit.models import AuditRecord
from tongban.cases.models import Case, CaseStatus, TimelineEvent, Urging
from tongban.core.clock import LOCAL_TZ
from tongban.site.demo import STEPS, load_demo_data
from tongban.supervision.models import Card, CardColour

NOW = dt.datetime(2026, 4, 15, 11, 30, tzinfo=LOCAL_TZ)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return Case.objects.count(), TimelineEvent.objects.count(), AuditRecord.objects.count()


def test_it_loads_after_the_catalogue():
    assert STEPS.index("tongban.cases.demo.load") > STEPS.index("tongban.catalog.demo.load")


@override_settings(TONGBAN_DEMO_CASES=60)
def test_it_fills_the_office_with_cases_up_to_now_and_only_once():
    context = load_demo_data(at=NOW)

    cases = Case.objects.all()
    assert cases.count() == 60
    statuses = set(cases.values_list("status", flat=True))
    assert {CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS, CaseStatus.COMPLETED} <= statuses
    assert {CaseStatus.SUSPENDED, CaseStatus.SUPPLEMENT_REQUESTED} <= statuses
    assert cases.filter(status=CaseStatus.IN_PROGRESS, deadline__lt=NOW.date()).exists()
    # A history up to the moment the demo starts: nothing dated in its future.
    assert not TimelineEvent.objects.filter(at__gt=NOW).exists()
    assert cases.filter(received_on__lt=NOW.date() - dt.timedelta(days=90)).exists()
    # Supervision ran along: the office opens with yellow and red cards, some cured,
    # and automatic urgings — none of them after the moment the demo starts.
    cards = Card.objects.all()
    assert set(cards.values_list("colour", flat=True)) == set(CardColour.values)
    assert cards.filter(cured_at__isnull=True).exists()
    assert cards.filter(cured_at__isnull=False).exists()
    assert not cards.filter(issued_at__gt=NOW).exists()
    assert Urging.objects.filter(automatic=True, at__lte=NOW).exists()
    assert any(c.created == 60 for c in context.counts)

    before = _counts()
    cards_before = Card.objects.count()
    again = load_demo_data(at=NOW + dt.timedelta(hours=1))

    assert _counts() == before
    assert Card.objects.count() == cards_before
    assert again.created == 0
