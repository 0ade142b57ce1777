"""The process diagram page (``/office/supervision/cases/<number>/diagram/``), its SVG download
and the diagram on the case page: scoped like the case, in a constant number of
queries."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.cases import services
from tongban.cases.models import Decision
from tongban.cases.testing import accepted, active_step, at

SVG = "{http://www.w3.org/2000/svg}"


def _url(case, **query) -> str:
    url = reverse("supervision:diagram", args=[case.number])
    return url + ("?format=svg" if query.get("svg") else "")


def _busy(personas, item):
    """A case with a return and a finished special procedure: more rows of every kind."""
    case = accepted(personas, item, at("2026-03-02"))
    first = active_step(case)
    services.advance_step(
        actor=personas.handler,
        case=case,
        step_id=first.pk,
        decision=Decision.AGREE,
        at=at("2026-03-03"),
    )
    services.advance_step(
        actor=personas.section_head,
        case=case,
        step_id=active_step(case).pk,
        decision=Decision.RETURN,
        opinion="请补充现场照片",
        return_to=first.pk,
        at=at("2026-03-04"),
    )
    services.suspend_case(
        actor=personas.handler,
        case=case,
        procedure="onsite_check",
        reason="核查",
        at=at("2026-03-05"),
    )
    services.resume_case(actor=personas.handler, case=case, at=at("2026-03-09"))
    services.suspend_case(
        actor=personas.handler,
        case=case,
        procedure="expert_review",
        reason="评审",
        at=at("2026-03-10"),
    )
    return case


def test_it_shows_the_diagram_page_and_the_svg_itself(client, personas, items):
    case = accepted(personas, items.joint, at("2026-03-02"))
    log_in(client, personas.supervisor)

    page = client.get(_url(case))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="diagram"' in html and f'data-case="{case.number}"' in html
    assert html.count("data-step=") == case.steps.count()

    svg = client.get(_url(case, svg=True))
    assert svg.status_code == 200
    assert svg["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    boxes = [g for g in root.iter(f"{SVG}g") if "data-step" in g.attrib]
    assert {b.get("data-step") for b in boxes} == {
        str(pk) for pk in case.steps.values_list("pk", flat=True)
    }


def test_a_case_out_of_scope_is_not_found(client, personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    log_in(client, personas.outsider)  # natural resources: not their case

    assert client.get(_url(case)).status_code == 404
    assert client.get(_url(case, svg=True)).status_code == 404
    assert (
        client.get(reverse("supervision:diagram", args=["TS-2026-NONE-000001"])).status_code == 404
    )


def test_an_administrator_without_case_modules_is_refused(client, personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    log_in(client, personas.security_admin)

    assert client.get(_url(case)).status_code in (403, 404)


def test_the_diagram_costs_the_same_queries_whatever_the_case(client, personas, items):
    simple = accepted(personas, items.promised, at("2026-03-02"))
    busy = _busy(personas, items.promised)
    assert busy.steps.count() > simple.steps.count() and busy.suspensions.count() == 2
    log_in(client, personas.supervisor)
    client.get(_url(simple))  # warm the session and the calendar

    counts = []
    for case in (simple, busy, simple):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(case)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


def test_the_case_page_embeds_the_diagram_without_extra_queries(client, personas, items):
    case = _busy(personas, items.promised)
    log_in(client, personas.handler)

    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'id="case-diagram"' in html
    assert reverse("supervision:diagram", args=[case.number]) in html
    # One box per step of the process (5), the returned passes folded into them.
    diagram = html.split('id="case-diagram"', 1)[1].split("</svg>", 1)[0]
    assert diagram.count("data-step=") == 5
    assert 'data-passes="2"' in diagram
    assert 'data-paused="true"' in diagram
