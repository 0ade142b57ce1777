"""The citizen session beside the staff one, its idle limit, and a citizen's view of
cases: their own only."""

from __future__ import annotations

import pytest
from django.http import Http404

from tongban.accounts.testing import log_in
from tongban.cases import services as cases
from tongban.cases.models import Channel
from tongban.cases.testing import at, make_items, person
from tongban.citizens.access import cases_of, get_case_for_citizen

from .support import MOBILE, OTHER_MOBILE, PASSWORD, register

pytestmark = pytest.mark.django_db


def test_it_keeps_staff_and_citizen_logins_apart(client, personas):
    # A staff session is nobody on the portal …
    log_in(client, personas.handler)
    assert client.get("/office/").status_code == 200
    response = client.get("/portal/account/")
    assert response.status_code == 302 and response.url.startswith("/portal/account/login/")

    # … and a citizen session nobody in the office.
    register()
    citizen_browser = client.__class__()
    citizen_browser.post("/portal/account/login/", {"mobile": MOBILE, "password": PASSWORD})
    assert citizen_browser.get("/portal/account/").status_code == 200
    office = citizen_browser.get("/office/")
    assert office.status_code == 302 and "/accounts/login/" in office.url

    # Both in one browser: logging the citizen out leaves the staff member logged in.
    client.post("/portal/account/login/", {"mobile": MOBILE, "password": PASSWORD})
    assert client.get("/portal/account/").status_code == 200
    client.post("/portal/account/logout/")
    assert client.get("/office/").status_code == 200
    assert client.get("/portal/account/").status_code == 302


def test_it_ends_a_citizen_session_idle_for_longer_than_the_limit(client, settings):
    register()
    client.post("/portal/account/login/", {"mobile": MOBILE, "password": PASSWORD})
    session = client.session
    session["_citizen_seen_at"] -= settings.SESSION_COOKIE_AGE + 1
    session.save()
    response = client.get("/portal/account/")
    assert response.status_code == 302
    assert "_citizen_id" not in client.session


def test_it_shows_the_masked_name_in_the_navigation_snippet(client):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    citizen = register()
    request = RequestFactory().get("/portal/")
    request.citizen = citizen
    html = render_to_string("citizens/_nav.html", request=request)
    assert "张*三" in html and "张小三" not in html
    request.citizen = None
    assert "/portal/account/login/?next=/portal/" in render_to_string(
        "citizens/_nav.html", request=request
    )


def test_it_lets_a_citizen_see_only_their_own_cases(personas):
    items = make_items(personas)
    mine, theirs = register(), register(OTHER_MOBILE, "李四")
    when = at("2026-03-03")

    def apply(citizen):
        return cases.submit_application(
            actor=None,
            item=items.promised,
            applicant=person(mobile=citizen.mobile),
            form_data={"shop_name": "小三面馆"},
            at=when,
            channel=Channel.ONLINE,
            citizen=citizen,
        )

    my_case, their_case = apply(mine), apply(theirs)

    assert list(cases_of(mine)) == [my_case]
    assert get_case_for_citizen(mine, my_case.number) == my_case
    for number in (their_case.number, "TS-2026-SCJG-999999"):
        with pytest.raises(Http404):
            get_case_for_citizen(mine, number)
    with pytest.raises(Http404):
        get_case_for_citizen(None, my_case.number)
