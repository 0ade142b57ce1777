"""What else runs each simulated night. The case engine sits below electronic
supervision and cannot call it; supervision registers its sweep here (from
``SupervisionConfig.ready``), as would anything else that a real night's scheduled
jobs do to cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# job(at) -> what it did, by kind ({"yellow_cards": 2, "deemed_accepted": 1, …})
NightlyJob = Callable[[dt.datetime], Mapping[str, int]]


@dataclass(frozen=True)
class Registered:
    job: NightlyJob
    logger: str  # whose repeated log lines a run shows once ("" for none)


JOBS: list[Registered] = []


def on_simulated_night(job: NightlyJob, *, logger: str = "") -> NightlyJob:
    """Run ``job`` just after each simulated midnight, in order with the other events."""
    if all(r.job is not job for r in JOBS):
        JOBS.append(Registered(job, logger))
    return job
