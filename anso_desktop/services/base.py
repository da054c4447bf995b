"""What every area's service shares: list queries, a page of results, version checks, and the
translation of database refusals into messages that name the field.

Services are plain Python: no Qt, one transaction per call, and only detached objects leave them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from anso_desktop.errors import ConflictError, NotFoundError, ValidationError
from anso_desktop.storage.database import Database
from anso_desktop.storage.models import Base, Searchable, fold_for_search

ModelT = TypeVar("ModelT", bound=Base)
DataT = TypeVar("DataT")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ListQuery:
    """What a list screen asks for: search text, filters by name, sort, and a window of rows."""

    search: str = ""
    filters: Mapping[str, Any] = field(default_factory=dict)
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int | None = None
    #: Whether to count the matching rows too (a further page of a list already counted: no).
    with_total: bool = True


@dataclass(frozen=True)
class Page(Generic[ModelT]):
    rows: list[ModelT]
    #: Rows matching the query in all (-1 when the query asked not to count).
    total: int


def clean_text(value: str | None) -> str | None:
    """Trim and collapse blank to None: what a form or a spreadsheet cell really means."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


class Errors:
    """Collects field errors, then raises them all at once (a form shows every one)."""

    def __init__(self) -> None:
        self.by_field: dict[str, str] = {}

    def add(self, field_name: str, message: str) -> None:
        self.by_field.setdefault(field_name, message)

    def require(self, field_name: str, value: object, label: str) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(field_name, f"{label} is required")

    def max_length(self, field_name: str, value: str | None, limit: int, label: str) -> None:
        if value is not None and len(value) > limit:
            self.add(field_name, f"{label} is longer than {limit} characters")

    def email(self, field_name: str, value: str | None) -> None:
        if value and not _EMAIL.match(value.strip()):
            self.add(field_name, f"'{value}' is not an e-mail address")

    def not_negative(self, field_name: str, value: Any, label: str) -> None:
        if value is not None and value < 0:
            self.add(field_name, f"{label} cannot be negative")

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


class CrudService(Generic[ModelT, DataT]):
    """Create, update, delete, get and list for one table.

    Subclasses name their model, how to search, filter and sort it, and implement `_validate` and
    `_apply` (copy validated data onto a model).
    """

    model: ClassVar[type[Base]]
    #: What one record is called in messages ("Meeting").
    noun: ClassVar[str]
    #: Columns the search box looks in, for tables that are not `Searchable`.
    search_columns: ClassVar[Sequence[str]] = ()
    #: Sort keys: name -> column attribute name (or an expression built by `_sort_expression`).
    sort_columns: ClassVar[Mapping[str, str]] = {}
    default_sort: ClassVar[Sequence[str]] = ("id",)
    #: Unique constraints, by the text the database puts in its error, -> (field, message).
    unique_messages: ClassVar[Mapping[str, tuple[str, str]]] = {}

    def __init__(self, database: Database) -> None:
        self.database = database

    # --- hooks -------------------------------------------------------------------------------

    def _validate(self, session: Session, data: DataT, existing: ModelT | None) -> DataT:
        """Check and normalise `data`; raise ValidationError naming each bad field."""
        raise NotImplementedError

    def _apply(self, session: Session, record: ModelT, data: DataT) -> None:
        raise NotImplementedError

    def _filter(self, statement: Select[Any], name: str, value: Any) -> Select[Any]:
        raise ValueError(f"{self.noun} lists have no filter '{name}'")

    def _load_options(self) -> Sequence[Any]:
        """What `get` loads with a record (its children), so nothing loads lazily later."""
        return ()

    def _list_options(self) -> Sequence[Any]:
        """What `list` loads with each row: by default the same as `get`."""
        return self._load_options()

    def describe(self, record: ModelT) -> str:
        """How one record is named in messages."""
        return self.noun

    # --- commands ------------------------------------------------------------------------------

    def create(self, data: DataT) -> ModelT:
        with self.database.transaction() as session:
            data = self._validate(session, data, None)
            record = self.model()
            self._apply(session, record, data)
            session.add(record)
            self._flush(session)
            return self._reload(session, record)

    def update(self, record_id: int, expected_version: int, data: DataT) -> ModelT:
        """Save `data` over the record, provided nobody changed it since `expected_version`."""
        with self.database.transaction() as session:
            record = self._get_current(session, record_id, expected_version)
            data = self._validate(session, data, record)
            self._apply(session, record, data)
            self._flush(session)
            return self._reload(session, record)

    def delete(self, record_id: int, expected_version: int | None = None) -> None:
        with self.database.transaction() as session:
            record = self._get_current(session, record_id, expected_version)
            self._before_delete(session, record)
            session.delete(record)
            self._flush(session)

    def _before_delete(self, session: Session, record: ModelT) -> None:
        """Refuse a delete the data would not survive (raise ValidationError)."""

    def get(self, record_id: int) -> ModelT:
        with self.database.transaction() as session:
            return self._get(session, record_id)

    def list(self, query: ListQuery | None = None) -> Page[ModelT]:
        query = query or ListQuery()
        with self.database.transaction() as session:
            statement = self._query_statement(query)
            total = (
                session.execute(
                    select(func.count()).select_from(statement.order_by(None).subquery())
                ).scalar_one()
                if query.with_total
                else -1
            )
            statement = statement.options(*self._list_options())
            statement = self._ordered(statement, query)
            if query.offset:
                statement = statement.offset(query.offset)
            if query.limit is not None:
                statement = statement.limit(query.limit)
            rows = list(session.execute(statement).unique().scalars())
            return Page(rows=rows, total=total)

    def iterate(self, query: ListQuery | None = None, batch: int = 2000) -> Iterator[ModelT]:
        """Every record under `query`, streamed in one read (exports): no OFFSET paging, whose
        cost grows with every page, and never more than `batch` records in memory."""
        query = query or ListQuery()
        with self.database.transaction() as session:
            statement = self._ordered(
                self._query_statement(query).options(*self._list_options()), query
            )
            result = session.execute(statement.execution_options(yield_per=batch))
            # The session holds loaded records weakly: each batch is freed once written.
            for partition in result.scalars().partitions():
                yield from partition

    def count(self, query: ListQuery | None = None) -> int:
        query = query or ListQuery()
        with self.database.transaction() as session:
            statement = self._query_statement(query)
            return session.execute(
                select(func.count()).select_from(statement.order_by(None).subquery())
            ).scalar_one()

    def filtered(self, query: ListQuery) -> Select[Any]:
        """The list's statement under `query` (search and filters), not yet in order: for a
        reader of many plain rows that picks its own columns (an export)."""
        return self._query_statement(query)

    def in_order(self, statement: Select[Any], query: ListQuery) -> Select[Any]:
        """`statement` in the list's order under `query` (the id last: a total order)."""
        return self._ordered(statement, query)

    # --- helpers -------------------------------------------------------------------------------

    def _query_statement(self, query: ListQuery) -> Select[Any]:
        statement: Select[Any] = select(self.model)
        if query.search.strip():
            statement = statement.where(self._search_condition(query.search.strip()))
        for name, value in query.filters.items():
            if value is None or value == "":
                continue
            statement = self._filter(statement, name, value)
        return statement

    def _search_condition(self, text: str) -> ColumnElement[bool]:
        if issubclass(self.model, Searchable):
            pattern = f"%{_escape_like(fold_for_search(text))}%"
            return self.model.search_text.like(pattern, escape="\\")
        pattern = f"%{_escape_like(text)}%"
        return or_(
            *(getattr(self.model, name).ilike(pattern, escape="\\") for name in self.search_columns)
        )

    def _sort_expression(self, key: str) -> Any:
        try:
            return getattr(self.model, self.sort_columns[key])
        except KeyError:
            raise ValueError(f"{self.noun} lists cannot be sorted by '{key}'") from None

    def _ordered(self, statement: Select[Any], query: ListQuery) -> Select[Any]:
        order: list[Any] = []
        if query.sort:
            expression = self._sort_expression(query.sort)
            order.append(expression.desc() if query.descending else expression.asc())
        order += [getattr(self.model, name) for name in self.default_sort]
        # The id last makes the order total, so paging never repeats or skips a row.
        order.append(self.model.id.desc() if query.descending else self.model.id)  # type: ignore[attr-defined]
        return statement.order_by(*order)

    def _get(self, session: Session, record_id: int) -> ModelT:
        record = session.get(self.model, record_id, options=self._load_options())
        if record is None:
            raise NotFoundError(
                f"{self.noun} #{record_id} no longer exists; it may have been deleted."
            )
        return record  # type: ignore[return-value]

    def _get_current(
        self, session: Session, record_id: int, expected_version: int | None
    ) -> ModelT:
        record = self._get(session, record_id)
        if expected_version is not None and record.version != expected_version:  # type: ignore[attr-defined]
            raise ConflictError(self.describe(record))
        return record

    def _reload(self, session: Session, record: ModelT) -> ModelT:
        """Read the saved record back with its relationships loaded, for use after the session."""
        session.expire(record)
        return self._get(session, record.id)  # type: ignore[attr-defined]

    def _flush(self, session: Session) -> None:
        try:
            session.flush()
        except StaleDataError as error:
            raise ConflictError(self.noun) from error
        except sa_exc.IntegrityError as error:
            raise self._explain_integrity_error(error) from error

    def _explain_integrity_error(self, error: sa_exc.IntegrityError) -> ValidationError:
        text = str(error.orig)
        for marker, (field_name, message) in self.unique_messages.items():
            if marker in text:
                return ValidationError.single(field_name, message)
        first_line = text.splitlines()[0] if text else "constraint failed"
        return ValidationError.single("record", f"The database refused the change: {first_line}")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def each_id(ids: Iterable[int]) -> list[int]:
    """Distinct ids in their given order."""
    return list(dict.fromkeys(ids))
