"""Column types that keep money exact on every database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

CENT = Decimal("0.01")


class FixedPoint(TypeDecorator[Decimal]):
    """A Decimal with a fixed number of decimals: NUMERIC where the database has a true decimal
    type, and a whole number of the smallest unit in an INTEGER on SQLite, whose NUMERIC is a
    float and whose SUM would drift. Subclasses set `impl`, `precision` and `places` alike (the
    dialect's copy of the type has another `impl`, so the digits are class attributes)."""

    impl = Numeric(16, 2)
    cache_ok = True
    precision: ClassVar[int] = 16
    places: ClassVar[int] = 2

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.places, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value).quantize(Decimal(1).scaleb(-self.places))
        if dialect.name == "sqlite":
            return int(amount.scaleb(self.places))
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        unit = Decimal(1).scaleb(-self.places)
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.places).quantize(unit)
        return Decimal(value).quantize(unit)


class Money(FixedPoint):
    """An amount of money: two decimals, up to 9,999,999,999,999.99."""

    impl = Numeric(16, 2)
    cache_ok = True
    precision = 16
    places = 2


class Rate(FixedPoint):
    """An exchange rate: six decimals ("1 USD = 6.451500 CNY"), exact on every database."""

    impl = Numeric(18, 6)
    cache_ok = True
    precision = 18
    places = 6
