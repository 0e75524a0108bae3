"""Every fact in an SLA policy carries where it came from, when it was checked, and how sure we are.

A value without a primary source is ``unconfirmed``: it may be shipped (or left empty) but never
passed off as ``verified``. A value the source itself gets wrong is ``wrong-in-source``; it is kept
so the discrepancy is visible, and the rules refuse to compute with it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Status = Literal["verified", "unconfirmed", "wrong-in-source"]
STATUSES: tuple[Status, ...] = ("verified", "unconfirmed", "wrong-in-source")

T = TypeVar("T")


def _exact_number(value: Any) -> Any:
    """Accept ``Decimal`` or ``int`` (YAML integers); refuse floats, strings and booleans.

    Floats are refused because a binary fraction is not the number the provider printed; the
    policy loader reads YAML decimals straight into ``Decimal``.
    """
    if isinstance(value, bool):
        return value  # strict validation rejects it with a clear message
    if isinstance(value, int):
        return Decimal(value)
    return value


Number = Annotated[Decimal, BeforeValidator(_exact_number)]
"""An exact decimal number in a policy (a percent, a count of minutes or hours)."""

Percent = Annotated[Decimal, BeforeValidator(_exact_number), Field(ge=0, le=100)]


class Model(BaseModel):
    """Strict, closed and immutable: a typo in a policy file is an error, not a silent default."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Sourced(Model, Generic[T]):
    """One fact with its provenance: ``{value, source, checked, status, note}``."""

    value: T | None = None
    source: Annotated[str, Field(min_length=3)]
    checked: date | None = None
    status: Status
    note: str | None = None

    @model_validator(mode="after")
    def _provenance_is_complete(self) -> Sourced[T]:
        if self.status != "unconfirmed":
            if self.value is None:
                raise ValueError(
                    f"a {self.status} fact needs a value; leave it empty only when unconfirmed"
                )
            if self.checked is None:
                raise ValueError(f"a {self.status} fact needs the date it was checked")
        return self

    @property
    def known(self) -> bool:
        """True when there is a value the rules may compute with."""
        return self.value is not None and self.status != "wrong-in-source"
