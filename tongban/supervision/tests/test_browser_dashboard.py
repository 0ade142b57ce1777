"""A real browser: after a simulated history (the real services on a simulated
clock, swept every night, and a last sweep now), the supervisor opens the dashboard;
the cards chart is drawn from the page's JSON blob and it and the figures show the
cards and cases of the history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db.models import Q
from django.test import Client
from playwright.sync_api import expect

from tongban.accounts.models import User
from tongban.accounts.roles import RoleCode
from tongban.accounts.testing import log_in
from tongban.cases.models import OPEN_STATUSES, Case
from tongban.cases.simulation import simulate
from tongban.core.clock import local_date, now
from tongban.supervision.models import Card
from tongban.supervision.services import sweep


def _session_cookie(user, live_url: str) -> dict:
    """The supervisor's session with the second factor done, as a browser cookie (the
    login form and the authenticator are tested in accounts)."""
    client = log_in(Client(), user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_url,
    }


@pytest.mark.browser
def test_the_dashboard_shows_the_cards_of_a_simulated_history(page, live_server):
    from tongban.accounts.testing import ensure_builtin_roles

    # live_server runs after other transactional tests, whose flush removed the roles
    # a migration created; the demo organisation needs them.
    ensure_builtin_roles()
    instant = now()
    today = local_date(instant)
    simulate(30, today - dt.timedelta(days=75), today, seed=3, until=instant)
    sweep(at=instant)
    first = today.replace(day=1)
    month = Card.objects.filter(issued_on__range=(first, today))
    assert month.exists(), "the history has cards this month"
    supervisor = User.objects.filter(roles__code=RoleCode.SUPERVISOR).first()

    page.context.add_cookies([_session_cookie(supervisor, live_server.url)])
    page.goto("/office/supervision/")

    chart = page.locator("#chart-cards")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas").first).to_be_visible()
    expect(chart).to_have_attribute(
        "data-total", str(month.filter(Q(colour="yellow") | Q(colour="red")).count())
    )
    rows = page.locator("#cards-by-department tbody tr[data-department]")
    expect(rows).to_have_count(month.values("department").distinct().count())
    for code in month.values_list("department__code", flat=True).distinct():
        issued = month.filter(department__code=code).count()
        cell = page.locator(
            f'#cards-by-department tr[data-department="{code}"] [data-kind="issued"]'
        )
        expect(cell).to_have_text(str(issued))
    opened = Case.objects.filter(status__in=OPEN_STATUSES).count()
    expect(page.locator('[data-figure="open"]')).to_have_attribute("data-count", str(opened))
    expect(page.locator("#chart-trend")).to_have_attribute("data-rendered", "true")

    # A department's issued figure opens its cards of the month.
    code = month.values_list("department__code", flat=True).first()
    page.locator(f'#cards-by-department tr[data-department="{code}"] [data-kind="issued"]').click()
    expect(page.locator("#result-count")).to_have_attribute(
        "data-count", str(month.filter(department__code=code).count())
    )
