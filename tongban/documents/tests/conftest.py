from __future__ import annotations

import pytest

from tongban.cases import services
from tongban.cases.models import Outcome
from tongban.cases.testing import accepted, at, make_items, receive


@pytest.fixture
def items(personas):
    return make_items(personas)


@pytest.fixture
def notice_cases(personas, items):
    """One case per notice kind, made through the real services."""
    clerk = personas.window_clerk
    acceptance = accepted(personas, items.promised, at("2026-03-02"))
    rejection = services.reject_application(
        actor=clerk,
        case=receive(personas, items.promised, at("2026-03-03")),
        reasons="申请事项不属于本机关职权范围",
        at=at("2026-03-03", 11),
    )
    supplement = services.request_supplement(
        actor=clerk,
        case=receive(personas, items.promised, at("2026-03-04")),
        items=["营业执照复印件（加盖公章）"],
        note="请于五个工作日内补正",
        at=at("2026-03-04", 11),
    )
    completion = services.handle_immediately(
        actor=clerk,
        case=receive(personas, items.immediate, at("2026-03-05")),
        outcome=Outcome.APPROVED,
        certificate_number="MC2026000123",
        at=at("2026-03-05", 11),
    )
    return {
        "acceptance": acceptance,
        "rejection": rejection,
        "supplement": supplement,
        "completion": completion,
    }
