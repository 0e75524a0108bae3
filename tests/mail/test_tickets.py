"""Ticket references: every style in the registry, no false hits, one entry per value."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostclaim.mail import find_ticket_refs, register_ticket_pattern, ticket_patterns
from hostclaim.mail.tickets import _PATTERNS


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("Ticket #12345", "12345", "ticket"),
        ("Re: [Case 0012345] Outage", "0012345", "case"),
        ("Ticket ID: ABC-123", "ABC-123", "ticket"),
        ("工单号：12345", "12345", "ticket"),
        ("工单号: 67890 已受理", "67890", "ticket"),
        ("工单编号 #A-55501", "A-55501", "ticket"),
        ("Request #123", "123", "request"),
        ("[#ABC-12345] Your server", "ABC-12345", "ticket"),
        ("[Ticket#2026100303001234] Re: down", "2026100303001234", "ticket"),
        ("Ticket-Nr.: 778899", "778899", "ticket"),
        ("ticket number 445566.", "445566", "ticket"),
        ("Support Request ID: SR-10001", "SR-10001", "request"),
        ("Incident #INC0012345 resolved", "INC0012345", "incident"),
        ("Case No. 2026-000123", "2026-000123", "case"),
    ],
)
def test_recognised_styles(text: str, value: str, kind: str) -> None:
    [ref] = find_ticket_refs(text)
    assert (ref.value, ref.kind) == (value, kind)


@pytest.mark.parametrize(
    "text",
    [
        "Your ticket is closed.",
        "In case 2 servers fail",
        "We received your request and will answer.",
        "Ticket #12 is too short to be a reference",
        "Email me at ticket@provider.example",
        "",
    ],
)
def test_no_false_references(text: str) -> None:
    assert find_ticket_refs(text) == ()


def test_same_value_counts_once_in_order_of_appearance() -> None:
    refs = find_ticket_refs(
        "Re: [Case 0012345] Ticket #0012345",
        "> Ticket ID: ABC-123\nSee case #0012345 and Request #555 and ticket id: abc-123",
    )
    assert [(r.value, r.kind) for r in refs] == [
        ("0012345", "case"),
        ("ABC-123", "ticket"),
        ("555", "request"),
    ]


def test_text_whose_lower_case_is_longer_still_works() -> None:
    # "İ" lower-cases to two characters, so keyword positions would shift.
    assert find_ticket_refs("İstanbul DC: Ticket #445566")[0].value == "445566"


def test_providers_can_register_their_style() -> None:
    try:
        register_ticket_pattern("vorgang", "ticket", r"\bVorgang\s+(?P<value>\d{6,})")
        assert find_ticket_refs("Ihr Vorgang 20261003")[0].pattern == "vorgang"
        assert "vorgang" in [p.name for p in ticket_patterns()]
        with pytest.raises(ValueError):
            register_ticket_pattern("bad", "ticket", re.compile(r"\d+"))
    finally:
        _PATTERNS.pop("vorgang", None)


@given(st.text(max_size=300))
def test_any_text_is_safe(text: str) -> None:
    for ref in find_ticket_refs(text):
        assert re.search(r"\d{3}", ref.value)
