"""The people of an organization: its contacts, added, edited and deleted with their checks.
Part of `OrganizationService`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from anso_desktop.errors import ConflictError, NotFoundError
from anso_desktop.services.base import Errors, clean_text
from anso_desktop.storage.models import Contact

if TYPE_CHECKING:
    from anso_desktop.services.organizations import ContactData


class OrganizationContacts:
    """Contacts of the register's organizations."""

    database: Any  # and `_get`, from CrudService

    def add_contact(self, data: ContactData) -> Contact:
        with self.database.transaction() as session:
            self._get(session, data.organization_id)
            contact = Contact()
            self._apply_contact(contact, data)
            session.add(contact)
            self._flush(session)
            return contact

    def update_contact(self, contact_id: int, expected_version: int, data: ContactData) -> Contact:
        with self.database.transaction() as session:
            contact = session.get(Contact, contact_id)
            if contact is None:
                raise NotFoundError(
                    f"Contact #{contact_id} no longer exists; it may have been deleted."
                )
            if contact.version != expected_version:
                raise ConflictError(f"Contact '{contact.name}'")
            self._apply_contact(contact, data)
            self._flush(session)
            return contact

    def contact(self, contact_id: int) -> Contact:
        """One contact as it is now (a contact form reloads it after a conflict)."""
        with self.database.transaction() as session:
            contact = session.get(Contact, contact_id)
            if contact is None:
                raise NotFoundError(
                    f"Contact #{contact_id} no longer exists; it may have been deleted."
                )
            return contact

    def contact_roles(self) -> list[str]:
        """The roles contacts already have ("Focal point"...), for type-ahead in the form."""
        with self.database.transaction() as session:
            roles = session.scalars(select(Contact.role).distinct()).all()
        return sorted((role for role in roles if role), key=str.casefold)

    def delete_contact(self, contact_id: int) -> None:
        with self.database.transaction() as session:
            contact = session.get(Contact, contact_id)
            if contact is not None:
                session.delete(contact)

    @staticmethod
    def _apply_contact(contact: Contact, data: ContactData) -> None:
        errors = Errors()
        name = " ".join((data.name or "").split())
        errors.require("name", name, "Name")
        email = clean_text(data.email)
        errors.email("email", email)
        errors.max_length("name", name, 200, "Name")
        for field_name, limit in (("title", 200), ("email", 300), ("phone", 60), ("role", 200)):
            value = clean_text(getattr(data, field_name))
            errors.max_length(field_name, value, limit, field_name.capitalize())
        errors.raise_if_any()
        contact.organization_id = data.organization_id
        contact.name = name
        contact.title = clean_text(data.title)
        contact.email = email
        contact.phone = clean_text(data.phone)
        contact.role = clean_text(data.role)
