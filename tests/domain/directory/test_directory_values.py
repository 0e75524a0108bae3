from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from hostclaim.domain.directory import Money, Period, Sourced, Status
from hostclaim.domain.directory.values import PeriodUnit


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("8 weeks", date(2026, 3, 1), date(2026, 4, 26)),
        ("15 days", date(2026, 1, 20), date(2026, 2, 4)),
        ("1 month", date(2026, 1, 31), date(2026, 2, 28)),
        ("1 month", date(2024, 1, 31), date(2024, 2, 29)),
        ("1 year", date(2024, 2, 29), date(2025, 2, 28)),
        ("2 years", date(2026, 10, 3), date(2028, 10, 3)),
        ("5 working days", date(2026, 11, 27), date(2026, 12, 4)),  # a Friday
    ],
)
def test_period_arithmetic(text: str, start: date, end: date) -> None:
    assert Period.model_validate(text).after(start) == end


def test_period_text_is_checked() -> None:
    with pytest.raises(ValidationError):
        Period.model_validate("soon")
    with pytest.raises(ValidationError):
        Period.model_validate("0 days")
    assert str(Period.model_validate("5 working days")) == "5 working days"


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=1, max_value=40),
    st.sampled_from(list(PeriodUnit)),
)
def test_periods_always_move_forward(start: date, amount: int, unit: PeriodUnit) -> None:
    end = Period(amount=amount, unit=unit).after(start)
    assert end > start
    if unit is PeriodUnit.WORKING_DAYS:
        assert end.weekday() < 5
        assert end - start <= timedelta(days=amount * 7 // 5 + 3)


def test_sourced_refuses_unknown_keys_and_empty_sources() -> None:
    base = {"value": 1, "source": "x", "checked": "2026-11-30", "status": "verified"}
    assert Sourced[int].model_validate(base).status is Status.VERIFIED
    with pytest.raises(ValidationError):
        Sourced[int].model_validate({**base, "comment": "no"})
    with pytest.raises(ValidationError):
        Sourced[int].model_validate({**base, "source": ""})
    with pytest.raises(ValidationError):
        Sourced[int].model_validate({**base, "status": "probably"})


def test_money() -> None:
    assert str(Money(amount="10000", currency="gbp")) == "GBP 10,000"
    assert str(Money(amount="26.70", currency="EUR")) == "EUR 26.70"
    with pytest.raises(ValidationError):
        Money(amount="1", currency="euro")
    with pytest.raises(ValidationError):
        Money(amount="-1", currency="EUR")
