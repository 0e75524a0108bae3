"""The shared privacy detectors: checksums, formats, and properties that must always hold."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from hostclaim.domain.redact import find_sensitive, mask_for
from hostclaim.domain.redact.checks import cn_id_ok, luhn_ok

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _luhn_complete(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def _id_complete(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


cards = st.builds(
    lambda head, body: _luhn_complete(head + body),
    st.sampled_from(["4", "51", "52", "55", "62", "35"]),
    st.text("0123456789", min_size=13, max_size=13),
)
ids = st.builds(
    lambda region, born, seq: _id_complete(f"{region}{born:%Y%m%d}{seq:03d}"),
    st.sampled_from(["110101", "310104", "440305", "510107"]),
    st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(0, 999),
)


@given(cards)
def test_every_luhn_valid_card_is_found_and_masked_to_its_last_four(card: str) -> None:
    (found,) = find_sensitive(f"charged to card {card} yesterday")
    assert found.kind == "bank_card" and found.value == card
    assert mask_for(found) == f"[CARD ****{card[-4:]}]"


@given(cards, st.integers(1, 9))
def test_a_card_number_failing_luhn_is_left_alone(card: str, delta: int) -> None:
    broken = card[:-1] + str((int(card[-1]) + delta) % 10)
    assert not luhn_ok(broken)
    assert find_sensitive(f"charged to card {broken} yesterday") == []


@given(ids)
def test_every_valid_id_number_is_found(number: str) -> None:
    assert cn_id_ok(number)
    (found,) = find_sensitive(f"身份证号：{number}。")
    assert found.kind == "id_number"


@given(ids, st.integers(1, 10))
def test_an_id_number_with_a_wrong_check_digit_is_left_alone(number: str, delta: int) -> None:
    alphabet = "0123456789X"
    broken = number[:17] + alphabet[(alphabet.index(number[17].upper()) + delta) % 11]
    assert find_sensitive(f"合同编号 {broken}") == []


@given(st.text(max_size=300))
def test_detections_are_ordered_disjoint_and_exact(text: str) -> None:
    found = find_sensitive(text, literals=["secret-host"])
    for det in found:
        assert text[det.start : det.end] == det.value
        assert det.value not in mask_for(det) or len(det.value) < 3
    for first, second in pairwise(found):
        assert first.end <= second.start


def test_phone_formats() -> None:
    text = (
        "a 13812345678 b +86 138 1234 5678 c 138-1234-5678 d (212) 555-0123 e +44 20 7946 0958 "
        "f 021-64381234"
    )
    assert [d.kind for d in find_sensitive(text)] == ["phone"] * 6


def test_numbers_that_are_not_phones() -> None:
    text = (
        "IP 203.0.113.10, 2026-10-03 14:05:33, epoch 1759480800, ticket #13912345678, "
        "FCC +1-888-225-5322, 400-820-1234, amount 1,234,567.89, version 10.2.3"
    )
    assert find_sensitive(text) == []


def test_allow_list_by_address_domain_and_number() -> None:
    text = (
        "anna@lumentrade.de, support@hetzner.com, ops.lead@hetzner.com, +49 30 1234567, "
        "bob@gmail.com"
    )
    found = find_sensitive(text, allow=["anna@lumentrade.de", "@hetzner.com", "030 1234567"])
    assert [d.value for d in found] == ["bob@gmail.com"]


def test_secrets() -> None:
    text = """
    password: hunter2x
    DB_PASSWORD='s3cr3t!'
    密码是Root1234
    postgres://app:S3cretPass@db.internal/app
    AKIAQX4B7R2MZ9KD3WQP
    xoxb-2614079382-1930485726-kQ9vR3mT7xL2pW8z
    api_key = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmN
    -----BEGIN PRIVATE KEY-----
    MIIEvQIBADANBgkqhkiG9w0BAQEFAASC
    -----END PRIVATE KEY-----
    """
    kinds = [d.kind for d in find_sensitive(text)]
    assert kinds == ["password"] * 4 + ["api_key"] * 4 + ["private_key"]
    values = [d.value for d in find_sensitive(text)]
    assert values[:4] == ["hunter2x", "s3cr3t!", "Root1234", "S3cretPass"]


def test_words_after_password_are_not_passwords() -> None:
    text = (
        "The password is incorrect. password: reset via the portal. PasswordAuthentication no. "
        "密码：已重置。password: ******** password: [PASSWORD] token: ok"
    )
    assert find_sensitive(text) == []


def test_pathological_inputs_stay_fast() -> None:
    import time

    for text in ("x@" + "a-" * 20000, "a@" + "a." * 20000, "_" * 50000, "a_b-c.d" * 10000):
        started = time.perf_counter()
        find_sensitive(text)
        assert time.perf_counter() - started < 2.0
