"""Rating a case (好差评): only its own citizen, only once, only when completed; a bad
rating needs a reason and opens a follow-up the department head closes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.accounts.testing import log_in
from tongban.audit.models import AuditRecord
from tongban.cases import services as cases
from tongban.cases.models import Case, Outcome
from tongban.cases.testing import accepted, active_step, at
from tongban.core.errors import ActionNotAllowed, NotFound, PermissionDenied, ValidationFailed
from tongban.notify.models import OutboxMessage
from tongban.qa.tests.support import log_in_citizen, make_citizen
from tongban.ratings import services
from tongban.ratings.models import FollowUp, FollowUpStatus, Rating, RatingLevel


def completed_case(personas, items, citizen, day: str = "2026-03-02") -> Case:
    """An immediate case of ``citizen``'s, accepted and completed on ``day``."""
    case = accepted(personas, items.immediate, at(day, 9))
    # Online applications by a citizen account are the apply helper's; the link is
    # what they write.
    Case.objects.filter(pk=case.pk).update(citizen=citizen)
    cases.complete_case(
        actor=personas.window_clerk,
        case=case,
        step_id=active_step(case).pk,
        outcome=Outcome.APPROVED,
        at=at(day, 11),
    )
    case.refresh_from_db()
    return case


def test_it_takes_one_good_rating_on_the_citizens_page(client, personas, items):
    citizen = make_citizen()
    case = completed_case(personas, items, citizen)
    log_in_citizen(client, citizen)
    url = reverse("ratings_public:rate", args=[case.number])
    assert client.get(url).status_code == 200

    response = client.post(url, {"level": RatingLevel.VERY_SATISFIED, "comment": "很快"})
    assert response.status_code == 302
    rating = Rating.objects.get(case=case)
    assert rating.level == 5 and rating.citizen == citizen and rating.comment == "很快"
    assert rating.department == personas.org.market and rating.channel == "portal"
    assert not FollowUp.objects.exists()
    assert AuditRecord.objects.filter(action="rating.create").count() == 1

    page = client.get(url)
    assert 'id="existing-rating" data-level="5"' in page.text
    # Twice: refused, the first rating stands.
    client.post(url, {"level": RatingLevel.VERY_DISSATISFIED, "reason": "再评一次"})
    with pytest.raises(ActionNotAllowed):
        services.rate_case(
            case=case, level=1, comment="", reason="再评", at=at("2026-03-03"), citizen=citizen
        )
    assert Rating.objects.get(case=case).level == 5


def test_it_hides_other_citizens_cases_behind_404(client, personas, items):
    owner, other = make_citizen(), make_citizen("钱市民", "13700002222")
    case = completed_case(personas, items, owner)
    url = reverse("ratings_public:rate", args=[case.number])

    log_in_citizen(client, other)
    assert client.get(url).status_code == 404
    assert client.post(url, {"level": 5}).status_code == 404
    assert client.get(reverse("ratings_public:rate", args=["TS-NO-SUCH"])).status_code == 404
    with pytest.raises(NotFound):
        services.rate_case(
            case=case, level=5, comment="", reason="", at=at("2026-03-03"), citizen=other
        )
    assert not Rating.objects.exists()

    client.logout()
    assert client.get(url).status_code in (302, 404)  # to the citizens' login, or none yet


def test_it_refuses_a_case_not_yet_completed(personas, items):
    citizen = make_citizen()
    case = accepted(personas, items.promised, at("2026-03-02"))
    Case.objects.filter(pk=case.pk).update(citizen=citizen)
    with pytest.raises(ActionNotAllowed):
        services.rate_case(
            case=case, level=5, comment="", reason="", at=at("2026-03-03"), citizen=citizen
        )
    assert not Rating.objects.exists()


def test_it_needs_a_reason_for_a_bad_rating(client, personas, items):
    citizen = make_citizen()
    case = completed_case(personas, items, citizen)
    with pytest.raises(ValidationFailed) as caught:
        services.rate_case(
            case=case,
            level=RatingLevel.DISSATISFIED,
            comment="",
            reason=" ",
            at=at("2026-03-03"),
            citizen=citizen,
        )
    assert "reason" in caught.value.fields

    log_in_citizen(client, citizen)
    response = client.post(
        reverse("ratings_public:rate", args=[case.number]), {"level": RatingLevel.VERY_DISSATISFIED}
    )
    assert response.status_code == 422
    assert 'data-field-error="reason"' in response.text
    assert not Rating.objects.exists() and not FollowUp.objects.exists()


def test_a_bad_rating_opens_a_follow_up_for_the_head_who_closes_it(client, personas, items):
    citizen = make_citizen()
    case = completed_case(personas, items, citizen)
    rating = services.rate_case(
        case=case,
        level=RatingLevel.DISSATISFIED,
        comment="",
        reason="窗口人员态度差，让我跑了两趟",
        at=at("2026-03-03", 10),
        citizen=citizen,
    )
    follow_up = FollowUp.objects.get(rating=rating)
    assert follow_up.status == FollowUpStatus.OPEN
    assert follow_up.assigned_head == personas.department_head
    assert follow_up.department == personas.org.market
    # Tuesday 3 March + 5 working days.
    assert follow_up.due_on.isoformat() == "2026-03-10"
    told = OutboxMessage.objects.filter(template="rating.bad", recipient=personas.department_head)
    assert told.count() == 2  # an internal message and an SMS

    log_in(client, personas.department_head)
    listing = client.get(reverse("ratings:follow_ups"))
    assert f'data-follow-up="{follow_up.pk}"' in listing.text
    log_in(client, personas.outsider)
    assert client.get(reverse("ratings:follow_ups")).status_code == 403

    with pytest.raises(PermissionDenied):
        services.close_follow_up(
            actor=personas.handler, follow_up=follow_up, note="已处理", at=at("2026-03-04")
        )
    log_in(client, personas.department_head)
    url = reverse("ratings:close", args=[follow_up.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 422 and 'data-field-error="note"' in response.text
    response = client.post(url, {"note": "已电话致歉，并对窗口人员进行了批评教育。"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED
    assert follow_up.closed_by == personas.department_head
    assert AuditRecord.objects.filter(action="rating.follow_up_close").exists()


def test_a_trusted_partner_rates_without_a_citizen(personas, items):
    case = completed_case(personas, items, None)
    rating = services.rate_case(
        case=case, level=RatingLevel.SATISFIED, comment="", reason="", at=at("2026-03-03")
    )
    assert rating.channel == "partner" and rating.citizen is None
