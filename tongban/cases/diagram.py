"""The process diagram of a case (issue 5 item 6): the item's process drawn left to
right as a server-rendered SVG — no script, so it works in the page, in an <img> and
as a download.

``build_diagram`` is a pure function of the case, its steps and its suspensions (the
caller reads them, in a fixed number of queries): one column per step order, the
assisting departments of a joint item drawn as parallel lanes between a fork and a
join. Each box is coloured by its state and shows the step's name, its handler and
the working days used against those allowed; a step done more than once (a return)
shows its latest pass and "×n"; a suspension puts a pause badge on the step(s) that
were active when the clock stopped and a line on the header.

Every text goes through ``escape`` — step names, handlers and item names are data
that somebody typed — and is real SVG text, with ``<title>``/``<desc>`` for screen
readers. Colours are presentation attributes, not ``style``, so the page's CSP needs
no exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _

from tongban.workcalendar.calendar import WorkCalendar

from .models import (
    Case,
    CaseStatus,
    CaseStep,
    StepKind,
    StepStatus,
    Suspension,
    SuspensionKind,
)
from .selectors import step_days

# Geometry (px). A column is one step order; lanes stack within a column.
BOX_W = 168
BOX_H = 74
GAP = 56  # between columns: room for the arrow, the fork or the join
LANE = BOX_H + 34  # a lane's height: the box and its pause badge
HEADER = 58  # the case line and the suspension line above the flow
MARGIN = 16
NAME_CHARS = 11  # CJK characters that fit on the name line at 13px

# state -> (fill, stroke, text); Bootstrap's palette, readable on white.
PALETTE = {
    "done": ("#d1e7dd", "#198754", "#0f5132"),
    "active": ("#cfe2ff", "#0d6efd", "#052c65"),
    "due_soon": ("#fff3cd", "#fd7e14", "#664d03"),
    "overdue": ("#f8d7da", "#dc3545", "#58151c"),
    "waiting": ("#f8f9fa", "#adb5bd", "#495057"),
    "returned": ("#e9ecef", "#ced4da", "#6c757d"),
    "cancelled": ("#e9ecef", "#ced4da", "#6c757d"),
}
PAUSE = ("#fff3cd", "#997404")


@dataclass
class Node:
    """One box: the latest pass of a step (one order, one department)."""

    step: CaseStep
    passes: int  # how many times it was started (a return starts it again)
    state: str
    used: int | None
    allowed: int | None
    late: bool
    pauses: list[Suspension] = field(default_factory=list)
    x: int = 0
    y: int = 0


@dataclass
class Column:
    order: int
    nodes: list[Node]

    @property
    def parallel(self) -> bool:
        return len(self.nodes) > 1 or any(n.step.kind == StepKind.ASSIST for n in self.nodes)


def _state(step: CaseStep, today: dt.date, calendar: WorkCalendar, warn_days: int) -> str:
    if step.status == StepStatus.ACTIVE:
        if step.due_on is not None:
            if today > step.due_on:
                return "overdue"
            if calendar.wd(today, step.due_on) <= warn_days:
                return "due_soon"
        return "active"
    return str(step.status)


def columns(
    steps: Sequence[CaseStep],
    suspensions: Iterable[Suspension],
    *,
    today: dt.date,
    calendar: WorkCalendar,
    warn_days: int | None = None,
) -> list[Column]:
    """Group the steps into columns (by order) and boxes (latest pass per department
    within an order), with their states, days and pause badges."""
    warn_days = settings.TONGBAN_WARN_DAYS if warn_days is None else warn_days
    suspensions = list(suspensions)
    # While the clock is stopped a running step neither uses days nor falls due: the
    # open suspension's days join the step's when it ends (cases.services).
    running = next((p for p in suspensions if p.ended_on is None), None)
    stopped = calendar.wd(running.started_on, today) if running is not None else 0
    groups: dict[int, dict[tuple[str, int], list[CaseStep]]] = {}
    for step in steps:
        key = (step.kind, step.department_id if step.kind == StepKind.ASSIST else 0)
        groups.setdefault(step.order, {}).setdefault(key, []).append(step)
    result = []
    for order in sorted(groups):
        nodes = []
        for passes in groups[order].values():
            # The latest pass is the current state of the step: after a return the
            # steps to do again are fresh rows (the earlier passes stay as they were).
            latest = max(passes, key=lambda s: s.pk or 0)
            used, late = step_days(latest, today, calendar)
            state = _state(latest, today, calendar, warn_days)
            if running is not None and latest.status == StepStatus.ACTIVE:
                used = None if used is None else max(0, used - stopped)
                state, late = "active", False
            nodes.append(
                Node(
                    step=latest,
                    passes=sum(1 for s in passes if s.started_at is not None),
                    state=state,
                    used=used,
                    allowed=latest.limit_days,
                    late=late,
                )
            )
        nodes.sort(key=lambda n: (n.step.kind != StepKind.LEAD, n.step.name, n.step.pk or 0))
        result.append(Column(order, nodes))
    _mark_pauses(result, suspensions)
    return result


def _mark_pauses(cols: list[Column], suspensions: list[Suspension]) -> None:
    """A suspension belongs to the boxes whose pass was running when it started."""
    for suspension in suspensions:
        for col in cols:
            for node in col.nodes:
                s = node.step
                if (
                    s.started_at is not None
                    and s.started_at <= suspension.started_at
                    and (s.finished_at is None or s.finished_at >= suspension.started_at)
                ):
                    node.pauses.append(suspension)


def _pause_days(suspension: Suspension, today: dt.date, calendar: WorkCalendar) -> int:
    if suspension.ended_on is not None:
        return suspension.days
    return calendar.wd(suspension.started_on, today)


def _pause_label(suspension: Suspension, today: dt.date, calendar: WorkCalendar) -> str:
    what = (
        suspension.get_procedure_display()
        if suspension.kind == SuspensionKind.SPECIAL_PROCEDURE and suspension.procedure
        else suspension.get_kind_display()
    )
    days = _pause_days(suspension, today, calendar)
    return _("%(what)s %(days)s d") % {"what": what, "days": days}


def _short(text: str, limit: int = NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _handler(step: CaseStep) -> str:
    person = step.finished_by if step.finished_by_id else step.assignee
    if person is not None:
        return person.display_name
    return str(step.department) if step.department_id else "—"


def _days_text(node: Node) -> str:
    if node.used is None and not node.allowed:
        return "—"
    used = "—" if node.used is None else str(node.used)
    if node.allowed:
        return _("%(used)s / %(allowed)s working days") % {"used": used, "allowed": node.allowed}
    return _("%(used)s working days") % {"used": used}


STATE_LABELS = {
    "done": lambda: _("done"),
    "active": lambda: _("being handled"),
    "due_soon": lambda: _("being handled, due soon"),
    "overdue": lambda: _("being handled, past its due date"),
    "waiting": lambda: _("waiting"),
    "returned": lambda: _("returned"),
    "cancelled": lambda: _("cancelled"),
}


def _text(x: float, y: float, text: str, **attrs: str | int | float) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
    return f'<text x="{x:g}" y="{y:g}"{extra}>{escape(text)}</text>'


def build_diagram(
    case: Case,
    steps: Sequence[CaseStep],
    suspensions: Sequence[Suspension],
    *,
    today: dt.date,
    calendar: WorkCalendar,
    warn_days: int | None = None,
) -> str:
    """The SVG document (a string, safe to inline: every text is escaped)."""
    cols = columns(steps, suspensions, today=today, calendar=calendar, warn_days=warn_days)
    lanes = max((len(c.nodes) for c in cols), default=1)
    flow_h = lanes * LANE
    width = MARGIN * 2 + max(1, len(cols)) * BOX_W + max(0, len(cols) - 1) * GAP
    height = HEADER + flow_h + MARGIN
    centre = HEADER + flow_h / 2
    trunk = centre - LANE / 2 + BOX_H / 2  # the y of a lone box's middle: the main line

    for index, col in enumerate(cols):
        x = MARGIN + index * (BOX_W + GAP)
        top = centre - len(col.nodes) * LANE / 2  # the lanes, centred on the flow
        for lane, node in enumerate(col.nodes):
            node.x, node.y = x, round(top + lane * LANE)

    title = _("Process of case %(number)s: %(item)s") % {
        "number": case.number,
        "item": case.item_name,
    }
    summary = "; ".join(
        _("%(step)s: %(state)s") % {"step": n.step.name, "state": STATE_LABELS[n.state]()}
        for c in cols
        for n in c.nodes
    )
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tb-diagram" role="img" '
        f'width="{width}" height="{height:g}" viewBox="0 0 {width} {height:g}" '
        f'aria-labelledby="diagram-title diagram-desc" data-case="{escape(case.number)}" '
        f'font-family="system-ui, -apple-system, &quot;Microsoft YaHei&quot;, sans-serif">',
        f'<title id="diagram-title">{escape(title)}</title>',
        f'<desc id="diagram-desc">{escape(summary or _("No steps yet."))}</desc>',
        '<defs><marker id="diagram-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#6c757d"/></marker></defs>',
    ]
    out.append(_header(case, suspensions, today, calendar))
    out.append(_edges(cols, trunk))
    for col in cols:
        for node in col.nodes:
            out.append(_box(node, today, calendar))
    out.append("</svg>")
    return "".join(out)


def _header(
    case: Case, suspensions: Sequence[Suspension], today: dt.date, calendar: WorkCalendar
) -> str:
    parts = [case.number, case.item_name, case.get_status_display()]
    if case.deadline is not None:
        parts.append(_("deadline %(date)s") % {"date": case.deadline.isoformat()})
    line = [_text(MARGIN, 22, " · ".join(parts), font_size=14, font_weight=600, fill="#212529")]
    if suspensions:
        paused = "true" if any(s.ended_on is None for s in suspensions) else "false"
        pieces = [
            (_("paused now: %(what)s since %(date)s") if s.ended_on is None else "%(what)s")
            % {"what": _pause_label(s, today, calendar), "date": s.started_on.isoformat()}
            for s in suspensions
        ]
        text = _("Clock stopped: %(list)s") % {"list": "、".join(pieces)}
        line.append(
            f'<g data-suspensions="{len(suspensions)}" data-paused="{paused}">'
            f'<rect x="{MARGIN}" y="31" width="14" height="14" rx="3" fill="{PAUSE[0]}" '
            f'stroke="{PAUSE[1]}"/>'
            f'<path d="M{MARGIN + 5},34.5 v7 M{MARGIN + 9},34.5 v7" stroke="{PAUSE[1]}" '
            'stroke-width="1.6"/>'
            + _text(MARGIN + 20, 43, text, font_size=12, fill="#664d03")
            + "</g>"
        )
    return "".join(line)


def _edges(cols: list[Column], trunk: float) -> str:
    """Arrows from column to column; a fork before and a join after a column of
    parallel lanes (the assisting departments)."""
    out = ['<g class="edges" fill="none" stroke="#6c757d" stroke-width="1.5">']
    arrow = 'marker-end="url(#diagram-arrow)"'
    for index in range(len(cols) - 1):
        left, right = cols[index], cols[index + 1]
        x1 = left.nodes[0].x + BOX_W
        x2 = right.nodes[0].x
        fork_x = x1 + GAP / 2
        if right.parallel:
            out.append(f'<line x1="{x1}" y1="{trunk:g}" x2="{fork_x:g}" y2="{trunk:g}"/>')
            out.append(_junction(fork_x, trunk, "fork"))
            for node in right.nodes:
                y = node.y + BOX_H / 2
                out.append(f'<path d="M{fork_x:g},{trunk:g} V{y:g} H{x2 - 1}" {arrow}/>')
        elif left.parallel:
            for node in left.nodes:
                y = node.y + BOX_H / 2
                out.append(f'<path d="M{x1},{y:g} H{fork_x:g} V{trunk:g}"/>')
            out.append(_junction(fork_x, trunk, "join"))
            out.append(
                f'<line x1="{fork_x:g}" y1="{trunk:g}" x2="{x2 - 1}" y2="{trunk:g}" {arrow}/>'
            )
        else:
            y1 = left.nodes[0].y + BOX_H / 2
            y2 = right.nodes[0].y + BOX_H / 2
            out.append(f'<path d="M{x1},{y1:g} H{fork_x:g} V{y2:g} H{x2 - 1}" {arrow}/>')
    out.append("</g>")
    return "".join(out)


def _junction(x: float, y: float, kind: str) -> str:
    return (
        f'<path data-junction="{kind}" d="M{x:g},{y - 7:g} L{x + 7:g},{y:g} L{x:g},{y + 7:g} '
        f'L{x - 7:g},{y:g} z" fill="#ffffff" stroke="#6c757d" stroke-width="1.5"/>'
    )


def _box(node: Node, today: dt.date, calendar: WorkCalendar) -> str:
    step = node.step
    fill, stroke, ink = PALETTE.get(node.state, PALETTE["waiting"])
    current = step.status == StepStatus.ACTIVE
    muted = node.state in ("returned", "cancelled")
    x, y = node.x, node.y
    label = "; ".join(
        [
            step.name,
            STATE_LABELS[node.state](),
            _handler(step),
            _days_text(node),
            *(
                _("paused: %(what)s") % {"what": _pause_label(p, today, calendar)}
                for p in node.pauses
            ),
        ]
    )
    ident = step.pk or f"planned-{step.order}"  # not saved yet: before acceptance
    classes = f"step state-{node.state}" + (" current" if current else "")
    out = [
        f'<g data-step="{ident}" data-order="{step.order}" data-kind="{escape(step.kind)}" '
        f'data-state="{escape(node.state)}" data-passes="{node.passes}" '
        f'class="{escape(classes)}" '
        f'transform="translate({x},{y})">',
        f"<title>{escape(label)}</title>",
        f'<rect width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{3 if current else 1.2}"'
        + (' stroke-dasharray="4 3"' if muted else "")
        + "/>",
        _text(10, 22, _short(step.name), font_size=13, font_weight=600, fill=ink),
        _text(10, 42, _short(_handler(step), 13), font_size=12, fill=ink),
        _text(
            10,
            62,
            _days_text(node),
            font_size=12,
            fill="#b02a37" if node.late else ink,
            data_days="used",
        ),
    ]
    if node.passes > 1:
        out.append(
            f'<g data-passes-marker="{node.passes}">'
            f'<rect x="{BOX_W - 34}" y="6" width="28" height="18" rx="9" fill="{stroke}"/>'
            + _text(
                BOX_W - 20,
                19,
                f"×{node.passes}",
                font_size=11,
                fill="#ffffff",
                text_anchor="middle",
            )
            + "</g>"
        )
    if node.pauses:
        # One badge under the box; several pauses of the same pass share its text.
        py = BOX_H + 6
        text = "、".join(_pause_label(p, today, calendar) for p in node.pauses)
        kinds = " ".join(p.procedure or p.kind for p in node.pauses)
        out.append(
            f'<g data-pause="{escape(kinds)}">'
            f'<rect x="0" y="{py}" width="{BOX_W}" height="20" rx="10" fill="{PAUSE[0]}" '
            f'stroke="{PAUSE[1]}"/>'
            f'<path d="M10,{py + 5} v10 M15,{py + 5} v10" stroke="{PAUSE[1]}" stroke-width="1.8"/>'
            + _text(22, py + 14.5, _short(text, 13), font_size=11, fill="#664d03")
            + "</g>"
        )
    out.append("</g>")
    return "".join(out)


def planned_steps(case: Case) -> list[CaseStep]:
    """Before acceptance a case has no steps yet: the item's process as unsaved,
    waiting steps (the same shape ``_instantiate_process`` will give them). Two
    queries."""
    from tongban.accounts.roles import RoleCode
    from tongban.catalog.models import HandlingType

    item = case.item
    process = list(item.steps.select_related("department").order_by("order", "id"))
    assisting = (
        list(item.assisting.select_related("department"))
        if item.handling_type == HandlingType.JOINT
        else []
    )
    rows: list[CaseStep] = []
    order = 0
    if process and process[0].role == RoleCode.WINDOW_CLERK:
        spec = process.pop(0)
        rows.append(_planned(case, 0, StepKind.LEAD, spec.name, spec.department or item.department))
    order = 1
    for assist in assisting:
        name = _("Joint review: %(dept)s") % {"dept": assist.department.name}
        row = _planned(case, order, StepKind.ASSIST, name, assist.department)
        row.limit_days = assist.limit_days
        rows.append(row)
    if assisting:
        order += 1
    for spec in process:
        row = _planned(case, order, StepKind.LEAD, spec.name, spec.department or item.department)
        row.limit_days = spec.limit_days
        rows.append(row)
        order += 1
    return rows


def _planned(case: Case, order: int, kind: str, name: str, department) -> CaseStep:
    return CaseStep(
        case=case,
        order=order,
        kind=kind,
        name=name,
        department=department,
        status=StepStatus.WAITING,
    )


def case_diagram(case: Case, *, today: dt.date, calendar: WorkCalendar) -> str:
    """Read what the diagram needs (three queries; five before acceptance) and draw it."""
    steps = list(
        case.steps.select_related("department", "assignee", "finished_by").order_by("order", "id")
    )
    if not steps and case.status in (CaseStatus.RECEIVED, CaseStatus.SUPPLEMENT_REQUESTED):
        steps = planned_steps(case)
    suspensions = list(case.suspensions.order_by("started_at", "id"))
    return build_diagram(case, steps, suspensions, today=today, calendar=calendar)
