import json

from hypothesis import given
from hypothesis import strategies as st

from hostclaim.domain.ledger import GENESIS, canonical, entry_hash

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_is_stable_and_lossless(value: object) -> None:
    text = canonical(value)
    assert json.loads(text) == value
    assert canonical(json.loads(text)) == text


def test_canonical_json_ignores_key_order_and_keeps_chinese() -> None:
    assert (
        canonical({"b": 1, "a": "王敏"}) == canonical({"a": "王敏", "b": 1}) == '{"a":"王敏","b":1}'
    )


def test_entry_hash_depends_on_every_header_field() -> None:
    base = dict(
        case_ref="HC-2026-0001",
        seq=1,
        at="2026-10-03T06:25:00Z",
        kind="k",
        payload_hash="a" * 64,
        prev_hash=GENESIS,
    )
    reference = entry_hash(**base)
    for key, other in [
        ("case_ref", "HC-2026-0002"),
        ("seq", 2),
        ("at", "2026-10-03T06:25:01Z"),
        ("kind", "j"),
        ("payload_hash", "b" * 64),
        ("prev_hash", "1" * 64),
    ]:
        assert entry_hash(**{**base, key: other}) != reference, key
