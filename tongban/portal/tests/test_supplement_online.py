"""补正 online: after the intake desk asks for a supplement, the applicant's citizen
account sees what is missing on the application's page and uploads it; the case goes
back to review and whoever asked is told. The page shows personal data masked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.cases import services as cases
from tongban.cases.models import CaseStatus, MaterialSource
from tongban.cases.testing import PERSON_ID, make_items, person
from tongban.core.clock import now
from tongban.notify.models import OutboxMessage
from tongban.portal import applications
from tongban.portal.testing import login_citizen, make_citizen

from .applying import exe_named_pdf, materials, pdf


@pytest.fixture
def setting(personas, client):
    item = make_items(personas).promised
    citizen = make_citizen()
    given = [
        applications.MaterialIn(material_id=m.pk, upload=pdf(f"{m.pk}.pdf", text=str(m.pk)))
        for m in materials(item)
        if m.required
    ]
    case = applications.submit_online(
        item=item,
        applicant=person(),
        form_data={"shop_name": "小三面馆"},
        materials=given,
        at=now(),
        idempotency_key="draft-supplement-test",
        citizen=citizen,
    )
    cases.request_supplement(
        actor=personas.window_clerk, case=case, items=["其他说明材料（经营场所照片）"], at=now()
    )
    return item, citizen, case, login_citizen(client, citizen)


def test_it_shows_the_request_and_masked_data(setting):
    _item, _citizen, case, web = setting
    page = web.get(reverse("my:case", args=[case.number])).content.decode()
    assert 'id="supplement"' in page
    assert "其他说明材料（经营场所照片）" in page
    assert PERSON_ID not in page and "13912341234" not in page
    assert "139****1234" in page
    assert "6205**********1235" in page
    assert 'data-event="request_supplement"' in page


def test_it_refuses_a_bad_file_and_the_case_still_waits(setting):
    item, _citizen, case, web = setting
    optional = materials(item)[2]
    response = web.post(
        reverse("my:supplement", args=[case.number]),
        {f"supplement-{optional.pk}": exe_named_pdf(), "note": "照片见附件"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert f'data-error-for="supplement-{optional.pk}"' in page
    assert "不接受此类型的文件" in page
    assert "照片见附件" in page  # the note is kept
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT_REQUESTED


def test_it_takes_the_supplement_online_and_tells_the_requester(setting, personas):
    item, _citizen, case, web = setting
    optional = materials(item)[2]
    response = web.post(
        reverse("my:supplement", args=[case.number]),
        {f"supplement-{optional.pk}": pdf("photos.pdf", text="photos"), "note": "照片见附件"},
    )
    assert response["Location"] == reverse("my:case", args=[case.number])
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    supplied = case.materials.get(source=MaterialSource.SUPPLEMENT)
    assert supplied.material_id == optional.pk
    assert OutboxMessage.objects.filter(
        template="case.supplemented", recipient=personas.window_clerk
    ).exists()
    page = web.get(response["Location"]).content.decode()
    assert 'id="supplement"' not in page
    assert 'data-event="supplement"' in page


def test_only_the_case_citizen_may_supplement(setting):
    _item, _citizen, case, _web = setting
    with pytest.raises(applications.NotFound):
        applications.supplement_online(
            citizen=make_citizen("李四", "13700001111"),
            case=case,
            materials=[],
            note="x",
            at=now(),
        )
