"""The shipped directory: complete, sourced, and saying what REFERENCE.md says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hostclaim.domain.directory import (
    Basis,
    BodyKind,
    BodyState,
    HostingScope,
    Membership,
    Status,
    Verdict,
    get_body,
    get_provider,
    load_directory,
    source_guide_rows,
)
from hostclaim.domain.directory.audit import sourced_values, unconfirmed_values, unsourced_values
from hostclaim.errors import NotFound

DIRECTORY = load_directory()
RECORDS = list(DIRECTORY.records())


def _id(record: object) -> str:
    return str(getattr(record, "key", record))


@pytest.mark.parametrize("record", RECORDS, ids=_id)
def test_every_value_carries_source_date_and_status(record: object) -> None:
    assert unsourced_values(record) == []  # type: ignore[arg-type]
    values = list(sourced_values(record))  # type: ignore[arg-type]
    assert values, "a record with no facts"
    for path, value in values:
        assert isinstance(value.status, Status), path
        assert isinstance(value.checked, date), path
        assert value.source.strip(), path
        if value.status is Status.VERIFIED:
            assert value.source.strip(), f"{path}: verified without a source"


def test_the_load_is_cached() -> None:
    assert load_directory() is DIRECTORY


@pytest.mark.parametrize(
    "key",
    [
        "aws",
        "google-cloud",
        "microsoft-azure",
        "digitalocean",
        "linode",
        "vultr",
        "hetzner",
        "ovhcloud",
        "leaseweb",
        "equinix",
        "contabo",
        "scaleway",
        "ionos",
        "oracle-cloud",
    ],
)
def test_providers_of_reference_section_4_and_more(key: str) -> None:
    provider = get_provider(key)
    assert provider.names.en.value and provider.names.zh.value
    assert provider.website.value.startswith("https://")


def test_sla_policy_keys_are_the_agreed_ones() -> None:
    agreed = {
        "aws-ec2-region",
        "vultr",
        "ovhcloud-dedicated",
        "hetzner-cloud",
        "leaseweb-public-cloud",
        "gce-single-instance",
        "azure-vm",
        "digitalocean-droplets",
        "linode-compute",
        "equinix-colocation",
    }
    used = {ref.value for p in DIRECTORY.providers.values() for ref in p.sla_policies}
    assert used == agreed


@pytest.mark.parametrize(
    "key",
    [
        "cn-miit-12300",
        "cn-12315",
        "us-fcc",
        "us-cfpb",
        "uk-ofcom-adr",
        "uk-small-claims",
        "eu-odr",
        "eu-ecc-net",
        "eu-small-claims",
        "de-bnetza-schlichtung",
        "nl-geschillencommissie-telecom",
        "nl-kantonrechter",
        "fr-mediateur-telecom",
        "hk-ccss",
        "hk-small-claims",
        "sg-small-claims",
        "jp-mic-consumer-centre",
        "jp-small-claims",
        "au-tio",
    ],
)
def test_every_row_of_reference_section_2_is_a_body(key: str) -> None:
    body = get_body(key)
    assert body.names.en.value and body.names.zh.value


@pytest.mark.parametrize(
    ("key", "currency", "maximum"),
    [
        ("uk-small-claims", "GBP", "10000"),
        ("eu-small-claims", "EUR", "5000"),
        ("nl-kantonrechter", "EUR", "25000"),
        ("hk-small-claims", "HKD", "75000"),
        ("sg-small-claims", "SGD", "20000"),
        ("jp-small-claims", "JPY", "600000"),
    ],
)
def test_small_claims_limits(key: str, currency: str, maximum: str) -> None:
    limit = get_body(key).claim_limit
    assert limit is not None and limit.value.maximum is not None
    assert limit.value.maximum.currency == currency
    assert limit.value.maximum.amount == Decimal(maximum)


def test_sg_limit_by_consent_and_hk_ccss_minimum() -> None:
    sg = get_body("sg-small-claims").claim_limit
    assert sg is not None and sg.value.by_consent is not None
    assert sg.value.by_consent.amount == 30000
    ccss = get_body("hk-ccss").claim_limit
    assert ccss is not None and ccss.value.minimum is not None
    assert (ccss.value.minimum.amount, ccss.value.minimum.currency) == (300, "HKD")


def test_eu_odr_is_closed_with_its_dates() -> None:
    life = get_body("eu-odr").lifecycle
    assert life.status is Status.VERIFIED
    assert life.value.state is BodyState.CLOSED
    assert life.value.no_new_cases_from == date(2025, 3, 20)
    assert life.value.closed_on == date(2025, 7, 20)


def test_miit_12300_scope_for_overseas_providers_is_marked_as_inference() -> None:
    body = get_body("cn-miit-12300")
    assert body.jurisdiction.value.provider_in == ("CN",)
    assert body.jurisdiction.inference
    assert body.jurisdiction.status is not Status.VERIFIED
    assert any(note.inference for note in body.scope_notes)


def test_who_may_use_which_scheme() -> None:
    ofcom = get_body("uk-ofcom-adr").eligibility.value
    assert ofcom.businesses and ofcom.max_employees == 10
    tio = get_body("au-tio").eligibility.value
    assert tio.max_full_time_equivalents == 20
    assert tio.max_turnover is not None and tio.max_turnover.amount == 3_000_000
    assert not get_body("cn-12315").eligibility.value.businesses
    assert get_body("de-bnetza-schlichtung").membership.value is Membership.VOLUNTARY
    assert get_body("au-tio").membership.value is Membership.COMPULSORY
    assert get_body("us-cfpb").hosting_scope.value is HostingScope.OUT_OF_SCOPE


def test_kinds_cover_the_ladder() -> None:
    kinds = {body.kind.value for body in DIRECTORY.bodies.values()}
    assert {
        BodyKind.REGULATOR,
        BodyKind.CONSUMER_BODY,
        BodyKind.ADR_SCHEME,
        BodyKind.MEDIATION,
        BodyKind.SMALL_CLAIMS,
        BodyKind.ADVICE_ONLY,
    } <= kinds


EXPECTED_ROWS = {
    "+86-10-12321-12321": (Verdict.WRONG, "cn-miit-12300", Status.WRONG_IN_SOURCE),
    "contact@miit.gov.cn": (Verdict.UNCONFIRMED, "cn-miit-12300", Status.UNCONFIRMED),
    "+1-888-225-5322": (Verdict.VERIFIED, "us-fcc", Status.VERIFIED),
    "complaints@fcc.gov": (Verdict.UNCONFIRMED_LIKELY_WRONG, "us-fcc", Status.UNCONFIRMED),
    "+86-10-12315": (Verdict.WRONG_ATTRIBUTION, "cn-12315", Status.WRONG_IN_SOURCE),
    "ccaa@ccaa.org.cn": (Verdict.WRONG_BODY, "cn-cca", Status.WRONG_IN_SOURCE),
    "+1-800-234-1345": (Verdict.LIKELY_FABRICATED, None, Status.UNCONFIRMED),
    "help@consumerrights.com": (Verdict.LIKELY_FABRICATED, None, Status.UNCONFIRMED),
}


def test_source_guide_table_as_written_with_verdicts() -> None:
    rows = {row.contact_as_written.value.address: row for row in source_guide_rows()}
    assert set(rows) == set(EXPECTED_ROWS)
    for address, (verdict, body, status) in EXPECTED_ROWS.items():
        row = rows[address]
        assert row.verdict.value is verdict, address
        assert (row.correct_body.value if row.correct_body else None) == body, address
        assert row.contact_as_written.status is status, address
        assert "seed/000_572a40c831cdbf8a.txt" in row.body_as_written.source


def test_the_12321_row_points_to_the_reporting_centre_too() -> None:
    row = next(r for r in source_guide_rows() if r.key == "miit-phone")
    assert [ref.value for ref in row.see_also] == ["cn-12321"]
    assert get_body("cn-12321").hosting_scope.value is HostingScope.OUT_OF_SCOPE


def test_unknown_keys_raise_not_found_with_a_message() -> None:
    with pytest.raises(NotFound) as caught:
        get_provider("no-such-host")
    assert "no-such-host" in caught.value.render("en")
    assert "no-such-host" in caught.value.render("zh")
    with pytest.raises(NotFound):
        get_body("no-such-body")


@pytest.mark.parametrize("record", RECORDS, ids=_id)
def test_inferences_are_never_shipped_as_verified(record: object) -> None:
    flagged = {path for path, _ in unconfirmed_values(record)}  # type: ignore[arg-type]
    for path, value in sourced_values(record):  # type: ignore[arg-type]
        if value.basis is Basis.INFERENCE:
            assert path in flagged, path
