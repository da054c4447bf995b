"""Deterministic synthetic data for the benchmarks: the same rows for the same seed and size."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert

from anso_desktop.domain import MeetingKind, MeetingMode, MemberStatus, OrganizationKind, Relation
from anso_desktop.storage.database import Database
from anso_desktop.storage.models import (
    Meeting,
    MeetingOrganizer,
    Organization,
    fold_for_search,
    normalize_name,
)

SEED = 2021
_WORDS = (
    "Academy Institute University Council Centre Society Foundation Observatory Laboratory "
    "Agency Alliance Network Commission Federation Association"
).split()
_FIELDS = (
    "Sciences Physics Astronomy Agriculture Ecology Geography Biotechnology Health Water "
    "Energy Climate Oceanography Mathematics Chemistry Engineering Informatics Medicine"
).split()
_COUNTRIES = "AR BR CL CN CU EC ES HU KG KZ LK MY MN NP PK RS RU TH UZ ZA GH SN PH".split()
_BATCH = 5000


def organization_rows(count: int, seed: int = SEED) -> list[dict[str, object]]:
    rng = random.Random(seed)
    statuses = list(MemberStatus)
    kinds = list(OrganizationKind)
    rows = []
    for number in range(count):
        name = f"{rng.choice(_WORDS)} of {rng.choice(_FIELDS)} No. {number:06d}"
        applied = date(2018, 1, 1) + timedelta(days=rng.randrange(1500))
        acronym = "".join(word[0] for word in name.split()[:3]).upper() + str(number % 97)
        rows.append(
            {
                "name": name,
                "normalized_name": normalize_name(name),
                "search_text": fold_for_search(f"{name} | {acronym}"),
                "acronym": acronym,
                "country": rng.choice(_COUNTRIES),
                "kind": rng.choice(kinds).value,
                "relation": Relation.MEMBER.value,
                "status": rng.choice(statuses).value,
                "applied_on": applied,
                "version": 1,
            }
        )
    return rows


def meeting_rows(count: int, seed: int = SEED) -> list[dict[str, object]]:
    rng = random.Random(seed)
    kinds = list(MeetingKind)
    modes = list(MeetingMode)
    rows = []
    for number in range(count):
        start = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
        title = (
            f"ANSO {rng.choice(('workshop', 'forum', 'conference'))} on "
            f"{rng.choice(_FIELDS).lower()} No. {number:06d}"
        )
        rows.append(
            {
                "title": title,
                "search_text": fold_for_search(f"{title} | Chinese Academy of Sciences"),
                "kind": rng.choice(kinds).value,
                "start_date": start,
                "end_date": start + timedelta(days=rng.randrange(4)),
                "mode": rng.choice(modes).value,
                "location": rng.choice(("Beijing", "Kunming", "Budapest", "Belgrade", None)),
                "version": 1,
            }
        )
    return rows


def fill(database: Database, *, organizations: int = 0, meetings: int = 0) -> None:
    """Insert the synthetic rows in one transaction (bulk, bypassing the services: setup only)."""
    with database.connection() as connection:
        rows = organization_rows(organizations)
        for start in range(0, len(rows), _BATCH):
            connection.execute(insert(Organization), rows[start : start + _BATCH])
        rows = meeting_rows(meetings)
        for start in range(0, len(rows), _BATCH):
            connection.execute(insert(Meeting), rows[start : start + _BATCH])
        if meetings:
            ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM meetings")]
            organizers = [
                {"meeting_id": meeting_id, "position": 0, "name": "Chinese Academy of Sciences"}
                for meeting_id in ids
            ]
            for start in range(0, len(organizers), _BATCH):
                connection.execute(insert(MeetingOrganizer), organizers[start : start + _BATCH])
