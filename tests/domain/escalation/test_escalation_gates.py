"""Single gates: scheme membership, time bars, closed bodies, size and amount limits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostclaim.domain.directory import get_body
from hostclaim.domain.directory.regions import EU
from hostclaim.domain.escalation import CaseFacts, Step, judge, ladder
from hostclaim.errors import InvalidInput, NotFound


def test_provider_not_in_a_voluntary_scheme(make_facts: Any, helpers: Any) -> None:
    facts = make_facts(
        complainant={"type": "consumer", "country": "DE"},
        provider_key="hetzner",
        complaint_first_made_at=date(2026, 10, 1),
    )
    bnetza = helpers.verdict(ladder(facts), "de-bnetza-schlichtung")
    assert not bnetza.open and bnetza.opens_on is None
    assert helpers.codes(bnetza, blocking=True) == ["provider_not_member"]
    assert "scope_check" in helpers.codes(bnetza, blocking=False)

    member = facts.model_copy(update={"provider_memberships": ("de-bnetza-schlichtung",)})
    assert helpers.verdict(ladder(member), "de-bnetza-schlichtung").open


def _french_consumer(make_facts: Any, today: date, **extra: Any) -> CaseFacts:
    return make_facts(
        complainant={"type": "consumer", "country": "FR"},
        provider_key="ovhcloud",
        provider_memberships=("fr-mediateur-telecom",),
        contacts=[
            {"at": date(2025, 1, 10), "direction": "outbound", "channel": "letter"},
            *extra.pop("contacts", []),
        ],
        today=today,
        **extra,
    )


def test_french_mediator_after_two_months_without_answer(make_facts: Any, helpers: Any) -> None:
    early = _french_consumer(make_facts, date(2025, 2, 1))
    mediator = helpers.verdict(ladder(early), "fr-mediateur-telecom")
    assert not mediator.open and mediator.opens_on == date(2025, 3, 10)

    open_ = _french_consumer(make_facts, date(2025, 6, 1))
    mediator = helpers.verdict(ladder(open_), "fr-mediateur-telecom")
    assert mediator.open
    until = next(r for r in mediator.reasons if r.key.endswith(".time_bar_until"))
    assert until.params["date"] == date(2026, 1, 10)


def test_french_mediator_time_bar_passed(make_facts: Any, helpers: Any) -> None:
    late = _french_consumer(make_facts, date(2026, 2, 1))
    mediator = helpers.verdict(ladder(late), "fr-mediateur-telecom")
    assert not mediator.open and mediator.opens_on is None
    assert helpers.codes(mediator, blocking=True) == ["time_bar_passed"]
    passed = next(r for r in mediator.reasons if r.blocking)
    assert "2026-01-10" in passed.render("en") and "2026-01-10" in passed.render("zh")


def test_french_mediator_through_the_consumer_service(make_facts: Any, helpers: Any) -> None:
    answered = [{"at": date(2025, 1, 20), "direction": "inbound", "channel": "email"}]
    facts = _french_consumer(
        make_facts,
        date(2025, 3, 1),
        contacts=answered,
        management_escalation_at=date(2025, 2, 1),
    )
    mediator = helpers.verdict(ladder(facts), "fr-mediateur-telecom")
    # The reply closed the "no answer" path; the second level opens it a month later.
    assert mediator.open
    waiting = _french_consumer(
        make_facts, date(2025, 2, 15), contacts=answered, management_escalation_at=date(2025, 2, 1)
    )
    mediator = helpers.verdict(ladder(waiting), "fr-mediateur-telecom")
    assert not mediator.open and mediator.opens_on == date(2025, 3, 1)


countries = st.sampled_from(sorted(EU | {"CN", "GB", "US"}))


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["consumer", "business"]),
    own=countries,
    provider=countries,
    complained=st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2026, 11, 1))),
    deadlock=st.booleans(),
)
def test_eu_odr_is_never_offered(
    kind: str, own: str, provider: str, complained: date | None, deadlock: bool
) -> None:
    today = date(2026, 11, 30)
    facts = CaseFacts.model_validate(
        {
            "complainant": {"type": kind, "country": own, "employees": 5},
            "provider_country": provider,
            "provider_memberships": ["eu-odr"],
            "complaint_first_made_at": complained,
            "deadlock_letter_at": complained + timedelta(days=1)
            if deadlock and complained
            else None,
            "today": today,
        }
    )
    odr = judge(get_body("eu-odr"), facts, None)
    assert not odr.open and odr.opens_on is None
    assert odr.reasons[0].key == "escalation.reason.closed" and odr.reasons[0].blocking
    for rung in ladder(facts):
        assert "eu-odr" not in rung.open_body_keys


@pytest.mark.parametrize(
    ("fte", "turnover", "blocking"),
    [
        (12, "2500000", []),
        (25, "2500000", ["too_big_fte"]),
        (12, "3500000", ["too_big_turnover"]),
        (12, None, ["size_unknown_turnover"]),
    ],
)
def test_tio_small_business_limits(
    make_facts: Any, helpers: Any, fte: int, turnover: str | None, blocking: list[str]
) -> None:
    who: dict[str, Any] = {"type": "business", "country": "AU", "full_time_equivalents": fte}
    if turnover:
        who["annual_turnover"] = {"amount": turnover, "currency": "AUD"}
    facts = make_facts(
        complainant=who, provider_country="AU", complaint_first_made_at=date(2026, 11, 1)
    )
    tio = helpers.verdict(ladder(facts), "au-tio")
    assert helpers.codes(tio, blocking=True) == blocking
    assert tio.open is (not blocking)


def test_hk_ccss_minimum_amount(make_facts: Any, helpers: Any) -> None:
    def ccss(amount: str) -> Any:
        facts = make_facts(
            complainant={"type": "consumer", "country": "HK"},
            provider_country="HK",
            provider_memberships=["hk-ccss"],
            complaint_first_made_at=date(2026, 9, 1),
            amounts_claimed=[{"amount": amount, "currency": "HKD"}],
        )
        return helpers.verdict(ladder(facts), "hk-ccss")

    assert ccss("450").open
    small = ccss("200")
    assert helpers.codes(small, blocking=True) == ["amount_under_minimum"]


@pytest.mark.parametrize(
    ("amount", "is_open", "code"),
    [
        ("15000", True, "amount_fits"),
        ("25000", True, "amount_fits_by_consent"),
        ("35000", False, "amount_over_limit"),
    ],
)
def test_sg_small_claims_limit_and_consent(
    make_facts: Any, helpers: Any, amount: str, is_open: bool, code: str
) -> None:
    facts = make_facts(
        complainant={"type": "business", "country": "SG", "employees": 3},
        provider_key="aws",
        provider_country="SG",  # contracted with the Singapore entity
        incidents=[date(2026, 3, 1)],
        amounts_claimed=[{"amount": amount, "currency": "SGD"}],
    )
    small = helpers.verdict(ladder(facts), "sg-small-claims")
    assert small.open is is_open
    assert code in helpers.codes(small)


def test_bodies_elsewhere_are_not_listed(make_facts: Any) -> None:
    facts = make_facts(complainant={"type": "consumer", "country": "JP"}, provider_country="JP")
    keys = {key for rung in ladder(facts) for key in rung.body_keys}
    assert keys == {"jp-mic-consumer-centre", "jp-small-claims"}


def test_regions_unknown_provider_country(make_facts: Any, helpers: Any) -> None:
    facts = make_facts(complainant={"type": "consumer", "country": "FR"})
    mediator = helpers.verdict(ladder(facts), "fr-mediateur-telecom")
    assert "provider_country_unknown" in helpers.codes(mediator, blocking=True)


def test_dates_after_today_are_refused(make_facts: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_facts(
            complainant={"type": "consumer", "country": "GB"},
            incidents=[date(2026, 12, 5)],
            today=date(2026, 11, 30),
        )
    assert "2026-12-05" in caught.value.render("en")
    assert "2026-12-05" in caught.value.render("zh")


def test_an_unknown_provider_key_is_not_found(make_facts: Any) -> None:
    facts = make_facts(complainant={"type": "consumer", "country": "GB"}, provider_key="nope")
    with pytest.raises(NotFound):
        ladder(facts)


def test_no_bodies_where_the_directory_has_none(make_facts: Any, helpers: Any) -> None:
    facts = make_facts(complainant={"type": "business", "country": "BR"}, provider_country="BR")
    rungs = ladder(facts)
    for step in (Step.MEDIATION, Step.REGULATOR, Step.CONSUMER_BODY):
        assert "no_body" in helpers.codes(helpers.rung(rungs, step), blocking=True)
    assert helpers.rung(rungs, Step.LEGAL).open
