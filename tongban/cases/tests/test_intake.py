"""Intake (事件受理, first half): an application taken in at the counter or online,
numbered, its review limit set (行政许可法 Art. 32), personal data encrypted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tongban.audit.models import AuditRecord
from tongban.cases import selectors, services
from tongban.cases.models import (
    ApplicantKind,
    Case,
    CaseMaterial,
    CaseStatus,
    Channel,
    IdType,
    MaterialSource,
)
from tongban.cases.services import ApplicantData, Conflict, MaterialIn
from tongban.cases.testing import COMPANY_CODE, PERSON_ID, all_materials, at, person, receive
from tongban.catalog.models import HandlingType
from tongban.core.errors import ActionNotAllowed, PermissionDenied, ValidationFailed
from tongban.core.models import StoredFile
from tongban.notify.models import OutboxMessage
from tongban.workcalendar.calendar import get_calendar

from .support import land_clerk, land_item, nothing_changes


def three_page_pdf() -> bytes:
    """A minimal, well-formed PDF with three empty pages (xref offsets computed)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>",
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * 3,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def receive_as(actor, item):
    return services.submit_application(
        actor=actor,
        item=item,
        applicant=person(),
        form_data={"shop_name": "小三面馆"},
        materials=all_materials(item),
        at=at("2026-03-02"),
    )


class TestCounterIntake:
    def test_it_numbers_the_case_and_sets_the_review_limit(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02", 9, 30))

        case.refresh_from_db()
        assert case.number == "TS-2026-SCJG-000001"
        assert case.status == CaseStatus.RECEIVED
        assert case.channel == Channel.COUNTER
        assert case.received_by == personas.window_clerk
        assert case.hall == personas.org.market
        assert case.department == personas.org.market
        assert case.item_name == "食品经营许可"
        assert case.handling_type == HandlingType.PROMISED
        assert case.limit_days == 15
        assert case.accepted_on is None and case.deadline is None
        assert case.received_on == dt.date(2026, 3, 2)
        # Monday 2 March + 5 working days = Monday 9 March; checked the day after.
        assert case.review_due_on == dt.date(2026, 3, 9)
        assert case.next_check_on == dt.date(2026, 3, 10)
        assert len(case.query_code) == 8
        assert case.materials.count() == 3
        assert set(case.materials.values_list("source", flat=True)) == {MaterialSource.COUNTER}
        event = case.timeline.get()
        assert event.action == "receive" and event.actor == personas.window_clerk
        audit = AuditRecord.objects.get(object_id=str(case.pk), action="case.receive")
        assert audit.actor_id == personas.window_clerk.pk
        sms = OutboxMessage.objects.get(case=case)
        assert sms.template == "case.received"
        assert sms.address == "13912341234"
        assert case.number in sms.body and case.query_code in sms.body

    def test_it_counts_the_review_limit_over_qingming(self, personas, items):
        calendar = get_calendar()
        assert not any(calendar.is_workday(dt.date(2026, 4, d)) for d in (4, 5, 6))
        # Thu 2 April: Fri 3 (1), Qingming 4–6, Tue 7 (2), 8 (3), 9 (4), Fri 10 (5).
        case = receive(personas, items.promised, at("2026-04-02"))
        assert case.review_due_on == dt.date(2026, 4, 10)
        assert case.next_check_on == dt.date(2026, 4, 11)

    def test_it_counts_the_adjusted_working_day_after_labour_day(self, personas, items):
        calendar = get_calendar()
        assert calendar.is_workday(dt.date(2026, 5, 9))  # Saturday, 调休上班
        assert not calendar.is_workday(dt.date(2026, 5, 5))
        # Wed 29 April: Thu 30 (1), Labour Day 1–5 May, Wed 6 (2), 7 (3), Fri 8 (4),
        # Saturday 9 May is worked (5).
        case = receive(personas, items.promised, at("2026-04-29"))
        assert case.review_due_on == dt.date(2026, 5, 9)

    def test_it_numbers_serially_per_department_and_year(self, personas, items):
        clerk = land_clerk(personas)
        item = land_item(personas)
        first = receive(personas, items.promised, at("2026-03-02"))
        second = receive(personas, items.immediate, at("2026-03-02", 11))
        land = services.submit_application(
            actor=clerk,
            item=item,
            applicant=person(),
            form_data={},
            materials=all_materials(item),
            at=at("2026-03-03"),
        )
        third = receive(personas, items.promised, at("2026-03-04"))
        next_year = receive(personas, items.promised, at("2027-01-05"))

        assert first.number == "TS-2026-SCJG-000001"
        assert second.number == "TS-2026-SCJG-000002"
        assert land.number == "TS-2026-ZRZY-000001"
        assert third.number == "TS-2026-SCJG-000003"
        assert next_year.number == "TS-2027-SCJG-000001"
        assert land.hall == personas.org.land

    def test_it_encrypts_the_id_number_and_mobile_at_rest(self, personas, items):
        case = receive(personas, items.promised, at("2026-03-02"))

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT applicant_id_number, applicant_mobile, applicant_address,"
                " applicant_id_index, applicant_mobile_index FROM cases_case WHERE id = %s",
                [case.pk],
            )
            raw_id, raw_mobile, raw_address, id_index, mobile_index = cursor.fetchone()
        assert raw_id and PERSON_ID not in raw_id
        assert raw_mobile and "13912341234" not in raw_mobile
        assert raw_address and "民主西路" not in raw_address
        assert PERSON_ID not in id_index and "13912341234" not in mobile_index
        case.refresh_from_db()
        assert case.applicant_id_number == PERSON_ID
        assert case.applicant_mobile == "13912341234"

    def test_it_finds_cases_by_id_number_and_mobile_through_the_blind_index(self, personas, items):
        mine = receive(personas, items.promised, at("2026-03-02"))
        company = ApplicantData(
            kind=ApplicantKind.ORGANISATION,
            name="天水小三餐饮有限公司",
            id_type=IdType.CREDIT_CODE,
            id_number=COMPANY_CODE,
            mobile="13700000000",
        )
        other = receive(personas, items.promised, at("2026-03-02", 11), applicant=company)

        def search(**filters) -> list[str]:
            found = selectors.case_list(personas.handler, selectors.CaseFilters(**filters))
            return list(found.values_list("number", flat=True))

        assert search(id_number=PERSON_ID) == [mine.number]
        # Lower case and blanks are normalised like at intake.
        assert search(id_number=f" {PERSON_ID.lower()} ") == [mine.number]
        assert search(id_number=COMPANY_CODE) == [other.number]
        assert search(mobile="13912341234") == [mine.number]
        assert search(mobile="13700000000") == [other.number]
        assert search(mobile="13600000000") == []

    def test_it_counts_the_pages_of_an_uploaded_pdf(self, personas, items):
        essential, licence, _extra = items.promised.materials.order_by("order", "id")
        upload = SimpleUploadedFile("申请书.pdf", three_page_pdf(), content_type="application/pdf")

        case = receive(
            personas,
            items.promised,
            at("2026-03-02"),
            materials=[
                MaterialIn(material_id=essential.pk, upload=upload),
                MaterialIn(material_id=licence.pk, pages=2, copies=2),
            ],
        )

        uploaded = case.materials.get(material=essential)
        assert uploaded.pages == 3
        assert uploaded.file is not None and uploaded.file.kind == "pdf"
        paper = case.materials.get(material=licence)
        assert paper.pages == 2 and paper.copies == 2 and paper.file is None


class TestOnlineSubmission:
    def test_it_takes_an_online_application_without_an_actor(self, personas, items):
        case = services.submit_application(
            actor=None,
            item=items.promised,
            applicant=person(),
            form_data={"shop_name": "小三面馆"},
            materials=all_materials(items.promised),
            channel=Channel.ONLINE,
            at=at("2026-03-02"),
        )

        case.refresh_from_db()
        assert case.channel == Channel.ONLINE
        assert case.received_by is None and case.hall is None
        assert case.status == CaseStatus.RECEIVED
        assert set(case.materials.values_list("source", flat=True)) == {MaterialSource.ONLINE}
        event = case.timeline.get()
        assert event.action == "receive" and event.actor is None
        audit = AuditRecord.objects.get(object_id=str(case.pk), action="case.receive")
        assert audit.actor_id is None

    def test_it_refuses_online_an_item_not_open_online(self, personas, items):
        assert not items.joint.online_allowed
        with nothing_changes(), pytest.raises(ActionNotAllowed):
            services.submit_application(
                actor=None,
                item=items.joint,
                applicant=person(),
                form_data={},
                materials=all_materials(items.joint),
                channel=Channel.ONLINE,
                at=at("2026-03-02"),
            )

    def test_it_refuses_staff_submitting_through_the_online_channel(self, personas, items):
        with nothing_changes(), pytest.raises(PermissionDenied):
            services.submit_application(
                actor=personas.window_clerk,
                item=items.promised,
                applicant=person(),
                form_data={"shop_name": "小三面馆"},
                materials=all_materials(items.promised),
                channel=Channel.ONLINE,
                at=at("2026-03-02"),
            )


class TestIntakeRefusals:
    def test_it_refuses_a_clerk_of_another_department(self, personas, items):
        clerk = land_clerk(personas)
        with nothing_changes(), pytest.raises(PermissionDenied):
            services.submit_application(
                actor=clerk,
                item=items.promised,
                applicant=person(),
                form_data={"shop_name": "小三面馆"},
                materials=all_materials(items.promised),
                at=at("2026-03-02"),
            )

    def test_it_refuses_a_handler_at_the_counter(self, personas, items):
        with nothing_changes(), pytest.raises(PermissionDenied):
            receive_as(personas.handler, items.promised)

    def test_it_names_every_invalid_field_and_stores_nothing(self, personas, items):
        essential = items.promised.materials.order_by("order", "id").first()
        bad = ApplicantData(
            kind=ApplicantKind.PERSON,
            name="  ",
            id_type=IdType.RESIDENT_ID,
            id_number="620502199001011234",  # wrong check digit
            mobile="1391234",
        )
        upload = SimpleUploadedFile("申请书.pdf", three_page_pdf(), content_type="application/pdf")

        with nothing_changes(), pytest.raises(ValidationFailed) as refused:
            services.submit_application(
                actor=personas.window_clerk,
                item=items.promised,
                applicant=bad,
                form_data={"area": "很大"},
                materials=[
                    MaterialIn(material_id=essential.pk, upload=upload),
                    MaterialIn(material_id=999_999, pages=1),
                    MaterialIn(name="无页数的材料"),
                    MaterialIn(material_id=essential.pk, pages=1),
                ],
                at=at("2026-03-02"),
            )

        fields = refused.value.fields
        assert {
            "applicant.name",
            "applicant.id_number",
            "applicant.mobile",
            "form.shop_name",
            "form.area",
            "materials.1",
            "materials.2",
            "materials.3",
        } <= set(fields)
        assert "materials.0" not in fields  # the upload itself was fine …
        assert not StoredFile.objects.exists()  # … yet nothing was stored
        assert not Case.objects.exists() and not CaseMaterial.objects.exists()

    def test_it_refuses_an_upload_whose_content_is_not_its_extension(self, personas, items):
        essential = items.promised.materials.order_by("order", "id").first()
        upload = SimpleUploadedFile("申请书.jpg", three_page_pdf(), content_type="image/jpeg")
        with nothing_changes(), pytest.raises(ValidationFailed) as refused:
            receive(
                personas,
                items.promised,
                at("2026-03-02"),
                materials=[MaterialIn(material_id=essential.pk, upload=upload)],
            )
        assert set(refused.value.fields) == {"materials.0"}

    def test_it_refuses_an_organisation_identified_by_a_resident_id(self, personas, items):
        applicant = ApplicantData(
            kind=ApplicantKind.ORGANISATION,
            name="天水小三餐饮有限公司",
            id_type=IdType.RESIDENT_ID,
            id_number=PERSON_ID,
            mobile="13912341234",
        )
        with nothing_changes(), pytest.raises(ValidationFailed) as refused:
            receive(personas, items.promised, at("2026-03-02"), applicant=applicant)
        assert set(refused.value.fields) == {"applicant.id_type"}


class TestIdempotency:
    def submit(self, personas, item, key: str, when: str = "2026-03-02"):
        return services.submit_application(
            actor=None,
            item=item,
            applicant=person(),
            form_data={f.key: "小三面馆" for f in item.form_fields.all() if f.required},
            materials=all_materials(item),
            channel=Channel.ONLINE,
            at=at(when),
            idempotency_key=key,
        )

    def test_it_returns_the_first_case_for_a_repeated_key(self, personas, items):
        first = self.submit(personas, items.promised, "partner-7f3a")
        with nothing_changes():
            again = self.submit(personas, items.promised, "partner-7f3a", "2026-03-03")
        assert again.pk == first.pk and again.number == first.number
        assert again.received_on == dt.date(2026, 3, 2)

    def test_it_refuses_the_same_key_for_another_item(self, personas, items):
        first = self.submit(personas, items.promised, "partner-7f3a")
        with nothing_changes(), pytest.raises(Conflict) as refused:
            self.submit(personas, items.immediate, "partner-7f3a")
        assert refused.value.code == "conflict"
        assert first.number in str(refused.value.message)
