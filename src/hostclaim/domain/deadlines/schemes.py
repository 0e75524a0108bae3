"""Complaint bodies whose clocks the deadline rules know, with the source of each clock.

Values are those of REFERENCE.md §2 (status ``verified``); article numbers were read from the
instruments' published text. Where a start point of a period is not stated in §2, the rule says
so with a caveat instead of claiming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hostclaim.domain.deadlines.inputs import ComplainantKind
from hostclaim.domain.deadlines.model import Source, SourceKind, SourceStatus

CONSUMER = ComplainantKind.CONSUMER
SMALL_BUSINESS = ComplainantKind.SMALL_BUSINESS
BUSINESS = ComplainantKind.BUSINESS
CHECKED = date(2026, 11, 1)  # "stored copies, late 2026" (REFERENCE.md)


def regulation(citation: str, url: str | None = None) -> Source:
    return Source(
        citation=citation,
        status=SourceStatus.VERIFIED,
        kind=SourceKind.REGULATION,
        url=url,
        checked=CHECKED,
    )


@dataclass(frozen=True)
class Scheme:
    """A body taking complaints about providers of one country, and whom it accepts.

    ``scheme_id`` is the body's key in the directory (``data/bodies/<key>.yaml``)."""

    scheme_id: str
    provider_country: str
    zone: str  # the body's seat: its periods are counted on that calendar
    accepts: frozenset[ComplainantKind]

    def open_to(self, kind: ComplainantKind | None) -> bool:
        """Unknown complainant kind: keep the scheme, its caveat says who may use it."""
        return kind is None or kind in self.accepts

    @property
    def who_may_use(self) -> str:
        return f"deadlines.who.{self.scheme_id}"


MIIT_12300 = Scheme("cn-miit-12300", "CN", "Asia/Shanghai", frozenset(ComplainantKind))
SAMR_12315 = Scheme("cn-12315", "CN", "Asia/Shanghai", frozenset({CONSUMER}))
OFCOM_ADR = Scheme("uk-ofcom-adr", "GB", "Europe/London", frozenset({CONSUMER, SMALL_BUSINESS}))
FR_MEDIATEUR = Scheme("fr-mediateur-telecom", "FR", "Europe/Paris", frozenset({CONSUMER}))
NL_GESCHILLEN = Scheme(
    "nl-geschillencommissie-telecom", "NL", "Europe/Amsterdam", frozenset({CONSUMER})
)
HK_CCSS = Scheme("hk-ccss", "HK", "Asia/Hong_Kong", frozenset({CONSUMER}))
AU_TIO = Scheme("au-tio", "AU", "Australia/Melbourne", frozenset({CONSUMER, SMALL_BUSINESS}))
SG_SMALL_CLAIMS = Scheme("sg-small-claims", "SG", "Asia/Singapore", frozenset(ComplainantKind))

MIIT_ORDER_35 = "电信用户申诉处理办法 (MIIT Order 35)"
SAMR_ORDER_20 = "市场监督管理投诉举报处理暂行办法 (SAMR Order 20)"

SOURCES: dict[str, Source] = {
    "miit_wait": regulation(f"{MIIT_ORDER_35} Art. 10(4)"),
    "miit_acceptance": regulation(f"{MIIT_ORDER_35} Art. 14"),
    "miit_time_bar": regulation(f"{MIIT_ORDER_35} Art. 11(1)"),
    "samr_acceptance": regulation(f"{SAMR_ORDER_20} Art. 14"),
    "samr_time_bar": regulation(f"{SAMR_ORDER_20} Art. 15(4)"),
    "ofcom_adr": regulation(
        "Ofcom: alternative dispute resolution (8 weeks; 6 weeks from 8 April 2026; deadlock)",
        "https://www.ofcom.org.uk",
    ),
    "fr_mediateur": regulation(
        "service-public.fr F14373 (Médiateur des communications électroniques)",
        "https://www.service-public.fr/particuliers/vosdroits/F14373",
    ),
    "nl_geschillen": regulation(
        "De Geschillencommissie Telecommunicatie", "https://www.degeschillencommissie.nl"
    ),
    "hk_ccss": regulation(
        "OFCA Customer Complaint Settlement Scheme (CCSS)", "https://ccss.cahk.hk"
    ),
    "au_tio": regulation("Telecommunications Industry Ombudsman", "https://www.tio.com.au"),
    "sg_small_claims": regulation(
        "Singapore Small Claims Tribunals", "https://www.judiciary.gov.sg"
    ),
}
