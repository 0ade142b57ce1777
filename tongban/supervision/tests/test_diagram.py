"""The process diagram (issue 5 item 6): one box per step, coloured by state, the
assisting departments in parallel lanes, suspensions marked, every text escaped."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.models import DepartmentKind
from tongban.cases import services
from tongban.cases.diagram import PALETTE, build_diagram, case_diagram
from tongban.cases.models import Decision
from tongban.cases.testing import accepted, active_step, at, receive
from tongban.catalog import services as catalog
from tongban.catalog.models import HandlingType
from tongban.catalog.rules import AssistingSpec, StepSpec
from tongban.workcalendar.calendar import get_calendar

SVG = "{http://www.w3.org/2000/svg}"


def _draw(case, today: str) -> ET.Element:
    case.refresh_from_db()
    svg = case_diagram(case, today=dt.date.fromisoformat(today), calendar=get_calendar())
    return ET.fromstring(svg)  # noqa: S314 - our own output


def _boxes(root: ET.Element) -> dict[str, ET.Element]:
    """The step boxes by their (short) name."""
    return {
        box.find(f"{SVG}text").text: box
        for box in root.iter(f"{SVG}g")
        if "data-step" in box.attrib
    }


def _rect(box: ET.Element) -> ET.Element:
    return box.find(f"{SVG}rect")


def _translate(box: ET.Element) -> tuple[float, float]:
    x, y = re.fullmatch(r"translate\(([\d.]+),([\d.]+)\)", box.get("transform")).groups()
    return float(x), float(y)


def _joint_item(personas):
    """A joint item with two assisting departments (natural resources, housing)."""
    housing = accounts.create_department(
        actor=None,
        code="ZJJ",
        name="天水市住房和城乡建设局",
        kind=DepartmentKind.DEPARTMENT,
        parent=personas.org.city,
        at=timezone.now(),
    )
    item = catalog.save_item_definition(
        actor=None,
        fields={
            "code": "620500-SCJG-LB-201",
            "name": "大型户外广告设置审批",
            "item_type": personas_item_type(),
            "department": personas.org.market,
            "handling_type": HandlingType.JOINT,
            "promised_limit": 20,
            "statutory_limit": 30,
        },
        steps=[
            StepSpec("受理", "window_clerk"),
            StepSpec("承办", "handler", 8),
            StepSpec("审核", "section_head", 2),
            StepSpec("批准", "department_head", 2),
            StepSpec("办结", "handler"),
        ],
        assisting=[
            AssistingSpec(personas.org.land.pk, 6, "规划审查"),
            AssistingSpec(housing.pk, 5, "结构安全审查"),
        ],
        materials=[catalog.MaterialSpec("户外广告设置申请表", required=True, essential=True)],
        at=timezone.now(),
    )
    catalog.publish_item(actor=None, item=item, at=timezone.now())
    return item


def personas_item_type():
    from tongban.dictionaries.models import ItemType

    return ItemType.objects.get(name="行政许可")


def test_it_draws_one_box_per_step_coloured_by_state(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    root = _draw(case, "2026-03-03")

    assert root.tag == f"{SVG}svg"
    assert case.number in root.find(f"{SVG}title").text
    assert root.find(f"{SVG}desc").text
    boxes = _boxes(root)
    assert list(boxes) == ["受理", "承办", "审核", "批准", "办结"]
    states = {name: box.get("data-state") for name, box in boxes.items()}
    assert states == {
        "受理": "done",
        "承办": "active",
        "审核": "waiting",
        "批准": "waiting",
        "办结": "waiting",
    }
    assert _rect(boxes["受理"]).get("fill") == PALETTE["done"][0]
    assert _rect(boxes["承办"]).get("fill") == PALETTE["active"][0]
    assert _rect(boxes["审核"]).get("fill") == PALETTE["waiting"][0]
    # The current step is highlighted with a thicker border.
    assert "current" in boxes["承办"].get("class")
    assert float(_rect(boxes["承办"]).get("stroke-width")) > float(
        _rect(boxes["审核"]).get("stroke-width")
    )
    # Name, handler, working days used / allowed (1 of 8 on Tuesday 3 March).
    texts = [t.text for t in boxes["承办"].iter(f"{SVG}text")]
    assert texts[1] == personas.handler.display_name
    assert texts[2].startswith("1 / 8")
    # A left-to-right flow: every box further right than the one before.
    xs = [_translate(box)[0] for box in boxes.values()]
    assert xs == sorted(xs) and len(set(xs)) == 5


def test_a_step_past_its_own_due_date_is_red_and_one_due_soon_orange(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))  # 承办 due 12 March

    assert _boxes(_draw(case, "2026-03-11"))["承办"].get("data-state") == "due_soon"
    late = _boxes(_draw(case, "2026-03-13"))["承办"]
    assert late.get("data-state") == "overdue"
    assert _rect(late).get("fill") == PALETTE["overdue"][0]
    assert _rect(late).get("stroke") == PALETTE["overdue"][1]


def test_a_returned_step_shows_its_latest_pass_and_the_number_of_passes(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    first = active_step(case)
    services.advance_step(
        actor=personas.handler,
        case=case,
        step_id=first.pk,
        decision=Decision.AGREE,
        at=at("2026-03-03"),
    )
    review = active_step(case)
    services.advance_step(
        actor=personas.section_head,
        case=case,
        step_id=review.pk,
        decision=Decision.RETURN,
        opinion="营业执照复印件不清晰，请核实",
        return_to=first.pk,
        at=at("2026-03-04"),
    )
    boxes = _boxes(_draw(case, "2026-03-05"))

    # Still one box per step of the process, not one per pass.
    assert list(boxes) == ["受理", "承办", "审核", "批准", "办结"]
    again = boxes["承办"]
    assert again.get("data-state") == "active"
    assert again.get("data-step") == str(active_step(case).pk)
    assert again.get("data-passes") == "2"
    marker = again.find(f"{SVG}g[@data-passes-marker]")
    assert marker is not None and marker.find(f"{SVG}text").text == "×2"
    # 审核 waits for its second pass; it was started once.
    assert boxes["审核"].get("data-state") == "waiting"
    assert boxes["审核"].find(f"{SVG}g[@data-passes-marker]") is None


def test_the_assisting_departments_run_in_parallel_lanes_between_a_fork_and_a_join(personas, items):
    case = accepted(personas, _joint_item(personas), at("2026-03-02"))
    root = _draw(case, "2026-03-03")

    lanes = [b for b in root.iter(f"{SVG}g") if b.get("data-kind") == "assist"]
    assert len(lanes) == 2
    assert {b.get("data-state") for b in lanes} == {"active"}
    (x1, y1), (x2, y2) = (_translate(b) for b in lanes)
    assert x1 == x2 and y1 != y2  # parallel: same column, different lanes
    lead = [b for b in root.iter(f"{SVG}g") if b.get("data-kind") == "lead"]
    assert all(_translate(b)[0] != x1 for b in lead)
    # Intake before the lanes, the lead department's steps after them.
    assert _translate(lead[0])[0] < x1 < _translate(lead[1])[0]
    junctions = [p.get("data-junction") for p in root.iter(f"{SVG}path") if p.get("data-junction")]
    assert junctions == ["fork", "join"]


def test_a_suspension_is_marked_on_the_active_step_and_the_header(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    services.suspend_case(
        actor=personas.handler,
        case=case,
        procedure="onsite_check",
        reason="需现场核查经营场所",
        at=at("2026-03-04"),
    )
    paused = _draw(case, "2026-03-06")
    header = paused.find(f"{SVG}g[@data-suspensions]")
    assert header.get("data-suspensions") == "1" and header.get("data-paused") == "true"
    step = _boxes(paused)["承办"]
    badge = step.find(f"{SVG}g[@data-pause]")
    assert badge.get("data-pause") == "onsite_check"
    assert "2" in badge.find(f"{SVG}text").text  # Thursday and Friday
    # The stopped clock: the step is neither late nor using days (2 of 4 counted).
    assert step.get("data-state") == "active"
    assert [t.text for t in step.iter(f"{SVG}text")][2].startswith("2 / 8")
    assert _boxes(_draw(case, "2026-03-20"))["承办"].get("data-state") == "active"

    services.resume_case(actor=personas.handler, case=case, at=at("2026-03-09"))
    resumed = _draw(case, "2026-03-10")
    assert resumed.find(f"{SVG}g[@data-suspensions]").get("data-paused") == "false"
    boxes = _boxes(resumed)
    assert boxes["承办"].find(f"{SVG}g[@data-pause]") is not None
    assert boxes["受理"].find(f"{SVG}g[@data-pause]") is None


def test_an_application_not_yet_accepted_shows_the_items_process_waiting(personas, items):
    case = receive(personas, _joint_item(personas), at("2026-03-02"))
    root = _draw(case, "2026-03-02")

    states = [b.get("data-state") for b in root.iter(f"{SVG}g") if "data-step" in b.attrib]
    assert states == ["waiting"] * 7  # 受理, two lanes, 承办, 审核, 批准, 办结
    assert len([b for b in root.iter(f"{SVG}g") if b.get("data-kind") == "assist"]) == 2


def test_every_text_is_escaped(personas, items):
    case = accepted(personas, items.promised, at("2026-03-02"))
    case.item_name = '<script>alert("item")</script>'
    steps = list(case.steps.select_related("department", "assignee", "finished_by"))
    steps[1].name = "<script>alert(1)</script>"
    personas.handler.full_name = "</text><script>x</script>"
    steps[1].assignee = personas.handler

    svg = build_diagram(case, steps, [], today=dt.date(2026, 3, 3), calendar=get_calendar())

    assert "<script" not in svg
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert not list(root.iter(f"{SVG}script"))
    assert '<script>alert("item")</script>' in root.find(f"{SVG}title").text
    names = [t.text for t in root.iter(f"{SVG}text")]
    assert any(n.startswith("<script>") for n in names)
