"""The demo's public side (``tongban.portal.demo``): a citizen who can log in and
finds cases of their own, rated cases with the follow-ups of bad ratings, and
questions answered in public — loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.accounts.demo.people import DEMO_PASSWORD
from tongban.cases.models import CaseStatus
from tongban.citizens.services import authenticate_citizen
from tongban.core.clock import LOCAL_TZ
from tongban.portal.demo import CITIZEN_MOBILE
from tongban.qa.models import Question, QuestionStatus
from tongban.qa.selectors import public_questions
from tongban.ratings.models import FollowUp, Rating
from tongban.site.demo import STEPS, load_demo_data

NOW = dt.datetime(2026, 4, 15, 11, 30, tzinfo=LOCAL_TZ)

pytestmark = pytest.mark.django_db


def test_it_loads_after_the_cases():
    assert STEPS.index("tongban.portal.demo.load") > STEPS.index("tongban.cases.demo.load")


def test_it_opens_the_public_side_full_and_loads_once():
    load_demo_data(at=NOW)

    citizen = authenticate_citizen(mobile=CITIZEN_MOBILE, password=DEMO_PASSWORD, ip=None, at=NOW)
    own = citizen.cases.all()
    assert own.exists()
    assert own.filter(status=CaseStatus.COMPLETED).exists()  # something to rate
    assert not Rating.objects.filter(case__citizen=citizen).exists()

    ratings = Rating.objects.all()
    assert ratings.count() >= 3
    assert not ratings.filter(rated_at__gt=NOW).exists()
    assert all(r.case.status == CaseStatus.COMPLETED for r in ratings)
    bad = [r for r in ratings if r.is_bad]
    assert FollowUp.objects.count() == len(bad)

    assert public_questions().count() >= 4
    waiting = Question.objects.exclude(status=QuestionStatus.ANSWERED)
    assert waiting.count() == 2  # left for the office's queue

    counts = (Rating.objects.count(), Question.objects.count(), own.count())
    load_demo_data(at=NOW + dt.timedelta(hours=1))
    assert (Rating.objects.count(), Question.objects.count(), own.count()) == counts
