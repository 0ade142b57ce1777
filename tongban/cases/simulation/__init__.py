"""A simulated history of cases, made by driving the real services with a simulated
clock (``tongban simulate``, the demo's cases, the benchmark's data).

Every case gets a *plan* when it arrives: its item and channel, its fate (completed,
denied, rejected, withdrawn, terminated, or still open at the end in one of the open
states) and traits (supplement before or after acceptance, acceptance with materials
pending, a special procedure, an extension asked for, a return to an earlier step,
slow handling). Rare fates and traits are dealt like cards — a fixed share of the
cases, at least one each when there are enough cases — so that even a small run
shows every state, and the same seed always deals the same hand.

The plan is played out through ``tongban.cases.services`` only: a heap of pending
events keyed by their instant is worked off in chronological order, so the services
always see a consistent clock (no action is ever dated before one already taken).
People act as they would in the office: window clerks who may take the item in
(``access.may_take_in``), handlers who may act on the step (``access.may_act_on_step``)
claiming it from the queue when nobody holds it, heads deciding extensions and
terminating. Delays are counted in working days on the real calendar; events that
would fall after the end are dropped, so cases still running then stay open.

Electronic supervision runs along: the supervision sweep (registered by supervision
with ``nightly.on_simulated_night``, since the case engine cannot import it) once
per simulated day, just after local midnight, in order with the other events — so
the history has what the sweep makes of it: deemed acceptances (the fate
"unreviewed": an application nobody reviews), yellow and red cards (and their cure
when the case ends), automatic urgings of overdue steps, special-procedure and
pledge alerts.

The package: ``plans`` deals the plans, ``staff`` and ``applicants`` supply the people
and the data, ``run`` plays the plans through the services, ``summary`` reports, and
``entry_points`` has ``simulate`` itself. Callers import from here.
"""

from .applicants import Applicant, _applicant, _form_data
from .entry_points import BASE_STEPS, load_base_data, simulate
from .nightly import on_simulated_night
from .plans import Plan, make_plans
from .staff import ItemProfile, Staff, usable_items
from .summary import Progress, Summary, text_progress

__all__ = [
    "BASE_STEPS",
    "Applicant",
    "ItemProfile",
    "Plan",
    "Progress",
    "Staff",
    "Summary",
    "_applicant",
    "_form_data",
    "load_base_data",
    "make_plans",
    "on_simulated_night",
    "simulate",
    "text_progress",
    "usable_items",
]
