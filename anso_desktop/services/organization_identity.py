"""An organization's identity: the likely matches of a name in the register, and the other names
(aliases) an organization was matched under. Part of `OrganizationService`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from anso_desktop.services import matching
from anso_desktop.services.matching import Candidate, OrganizationIndex
from anso_desktop.storage.models import Organization, OrganizationAlias, normalize_name

_INDEX_KEY = "organization_index"


class OrganizationIdentity:
    """Likely matches and aliases of the register's organizations."""

    database: Any

    @staticmethod
    def matching_index(session: Session) -> OrganizationIndex:
        """The register indexed for likely matches, built once per transaction (an import asks
        for thousands of rows); `forget_matching_index` after adding organizations."""
        index = session.info.get(_INDEX_KEY)
        if index is None:
            index = session.info[_INDEX_KEY] = matching.OrganizationIndex.of(
                session.execute(
                    select(
                        Organization.id,
                        Organization.name,
                        Organization.acronym,
                        Organization.country,
                    )
                ),
                session.execute(select(OrganizationAlias.organization_id, OrganizationAlias.name)),
            )
        return index

    @staticmethod
    def forget_matching_index(session: Session) -> None:
        session.info.pop(_INDEX_KEY, None)

    def likely_matches(
        self,
        name: str,
        acronym: str | None = None,
        country: str | None = None,
        *,
        session: Session | None = None,
        folded: str | None = None,
    ) -> list[Candidate]:
        """The organizations of the register `name` may be, best first, each with its reason
        (`folded`: the name's `normalize_name`, when the caller has it)."""
        if session is not None:
            return self.matching_index(session).candidates(name, acronym, country, folded=folded)
        with self.database.transaction() as own:
            return self.matching_index(own).candidates(name, acronym, country)

    @classmethod
    def find_by_reference(cls, session: Session, name: str) -> tuple[int | None, list[Candidate]]:
        """The organization a sheet or form names: by name, acronym or alias exactly, else the one
        strong likely match; with the candidates when none is sure (for the message)."""
        folded = normalize_name(name)
        found = session.scalars(
            select(Organization.id).where(Organization.normalized_name == folded)
        ).first()
        if found is None:
            found = session.scalars(
                select(OrganizationAlias.organization_id).where(
                    OrganizationAlias.normalized_name == folded
                )
            ).first()
        if found is None:
            acronyms = session.scalars(
                select(Organization.id).where(func.upper(Organization.acronym) == name.upper())
            ).all()
            found = acronyms[0] if len(acronyms) == 1 else None
        if found is not None:
            return found, []
        candidates = cls.matching_index(session).candidates(name)
        chosen = matching.decide(candidates)
        return (chosen.record.id if chosen is not None else None), candidates

    @staticmethod
    def add_alias(session: Session, organization_id: int, name: str) -> bool:
        """Keep `name` as another name of the organization, unless it is its name already or
        another organization's (never taken from one to give to another)."""
        name = " ".join(name.split())
        folded = normalize_name(name)
        if not folded:
            return False
        if (
            session.scalars(
                select(Organization.id).where(Organization.normalized_name == folded)
            ).first()
            is not None
        ):
            return False
        if (
            session.scalars(
                select(OrganizationAlias.id).where(OrganizationAlias.normalized_name == folded)
            ).first()
            is not None
        ):
            return False
        record = session.get(Organization, organization_id)
        if record is None:
            return False
        record.aliases.append(OrganizationAlias(name=name))
        index = session.info.get(_INDEX_KEY)
        if index is not None:
            index.add_alias(organization_id, name)
        return True

    def aliases(self, organization_id: int) -> list[str]:
        with self.database.transaction() as session:
            return list(
                session.scalars(
                    select(OrganizationAlias.name)
                    .where(OrganizationAlias.organization_id == organization_id)
                    .order_by(OrganizationAlias.name)
                )
            )

    def all_alias_records(self) -> list[OrganizationAlias]:
        """Every alias with its organization, by organization then alias (the Aliases sheet)."""
        with self.database.transaction() as session:
            return list(
                session.scalars(
                    select(OrganizationAlias)
                    .join(OrganizationAlias.organization)
                    .options(joinedload(OrganizationAlias.organization))
                    .order_by(Organization.normalized_name, OrganizationAlias.normalized_name)
                )
            )

    def count_aliases(self) -> int:
        with self.database.transaction() as session:
            return session.scalar(select(func.count()).select_from(OrganizationAlias)) or 0

    def remove_alias(self, organization_id: int, name: str) -> None:
        with self.database.transaction() as session:
            for alias in session.scalars(
                select(OrganizationAlias).where(
                    OrganizationAlias.organization_id == organization_id,
                    OrganizationAlias.normalized_name == normalize_name(name),
                )
            ):
                session.delete(alias)
            organization = session.get(Organization, organization_id)
            if organization is not None:
                session.flush()
                session.expire(organization, ["aliases"])
                organization.refresh_search_text()
