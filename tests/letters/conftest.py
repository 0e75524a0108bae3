"""A fixed case, close to the first journey: six servers at a German host, a 20-hour outage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from hostclaim.letters.model import (
    Clause,
    Communication,
    Complainant,
    Demand,
    Enclosure,
    Escalation,
    Forum,
    Incident,
    LetterContext,
    Liability,
    Provider,
    Service,
    SlaInfo,
)


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def sample_context() -> LetterContext:
    return LetterContext(
        case_ref="HC-2026-0007",
        complainant=Complainant(
            name="Wang Min",
            organisation="Shenzhen Lanhai E-commerce Co., Ltd.",
            role="Operations Manager",
            email="wang.min@lanhai.example",
            phone="+86 755 0000 0000",
            address=(
                "Room 1201, Example Tower\n1 Example Road, Nanshan District\nShenzhen 518000, China"
            ),
            customer_id="K-204519",
            is_consumer=False,
        ),
        provider=Provider(
            name="Rheinhost",
            legal_name="Rheinhost Example GmbH",
            country="Germany",
            address="Beispielstraße 12\n60311 Frankfurt am Main",
            website="https://rheinhost.example",
            support_email="support@rheinhost.example",
            zone="Europe/Berlin",
        ),
        service=Service(
            contract_ref="RH-DS-88123",
            product="Dedicated Server DS-6 (6 servers)",
            start_date=date(2025, 3, 1),
            monthly_fee=Decimal("89.00"),
            currency="EUR",
            billing_day=1,
            zone="Europe/Berlin",
        ),
        goals=("repair", "compensation"),
        liability=Liability(
            position="provider_full",
            note={
                "en": "the outages were inside your network; our servers were running throughout.",
                "zh": "故障发生在贵司网络内部，我方服务器在此期间始终正常运行。",
            },
        ),
        demands=(
            Demand(
                kind="sla_credit",
                amount=Decimal("26.70"),
                currency="EUR",
                text={
                    "en": "credit to our account for October 2026 under your SLA.",
                    "zh": "按照贵司 SLA，为我方账户计入 2026 年 10 月的服务抵扣额。",
                },
                calculation=(
                    {
                        "en": "99.9 % committed; 97.29 % measured for October 2026: "
                        "tier below 99.0 %, 30 %",
                        "zh": "承诺 99.9%；2026 年 10 月实测 97.29%：低于 99.0% 档，抵扣 30%",
                    },
                    {
                        "en": "30 % × EUR 89.00 monthly fee = EUR 26.70",
                        "zh": "30% × 月费 89.00 欧元 = 26.70 欧元",
                    },
                ),
            ),
            Demand(
                kind="fix_by",
                due=date(2026, 12, 5),
                text={
                    "en": "a written root-cause analysis and the measures taken "
                    "to prevent a repeat.",
                    "zh": "提交书面根因分析报告，并说明为防止再次发生所采取的措施。",
                },
            ),
        ),
        incidents=(
            Incident(
                number=1,
                start=_t("2026-10-03T06:05:00"),
                end=_t("2026-10-04T02:00:00"),
                targets=("api-01 (203.0.113.10)", "api-02 (203.0.113.11)"),
                impact={
                    "en": "our order API was unreachable during a national sales event; "
                    "orders could not be placed.",
                    "zh": "全国促销活动期间我方订单接口无法访问，客户无法下单。",
                },
                cause={
                    "en": "not stated by you; our probes from two networks failed "
                    "at your edge router.",
                    "zh": "贵司尚未说明；我方从两个网络发起的探测均在贵司边缘路由器处失败。",
                },
                evidence_refs=("Encl. 3", "Encl. 4"),
                ticket_ref="#4711",
            ),
            Incident(
                number=2,
                start=_t("2026-10-17T13:20:00"),
                end=_t("2026-10-17T13:35:00"),
                duration=timedelta(minutes=15),
                targets=("api-01 (203.0.113.10)",),
                impact={"en": "checkout errors for 15 minutes.", "zh": "结算功能报错 15 分钟。"},
            ),
        ),
        communications=(
            Communication(
                at=_t("2026-10-03T06:40:00"),
                channel="portal",
                direction="outbound",
                counterpart="Rheinhost Support",
                summary={
                    "en": "reported the outage of api-01 and api-02.",
                    "zh": "报告 api-01 与 api-02 中断。",
                },
                ticket_ref="#4711",
            ),
            Communication(
                at=_t("2026-10-03T06:41:00"),
                channel="email",
                direction="inbound",
                counterpart="Rheinhost Support",
                summary={"en": "automatic acknowledgement only.", "zh": "仅收到自动回复。"},
                ticket_ref="#4711",
            ),
            Communication(
                at=_t("2026-10-05T09:12:00"),
                channel="email",
                direction="inbound",
                counterpart="J. Becker, Rheinhost Support",
                summary={
                    "en": "said a 'network event' had been resolved; no cause or credit offered.",
                    "zh": "称“网络事件”已解决，未说明原因，也未提出补偿。",
                },
                ticket_ref="#4711",
            ),
        ),
        clauses=(
            Clause(
                ref="SLA §2.1",
                text={"en": "99.9 % monthly network availability.", "zh": "每月网络可用性 99.9%。"},
            ),
            Clause(
                ref="SLA §4",
                text={
                    "en": "service credits by availability tier.",
                    "zh": "按可用性档位给予服务抵扣。",
                },
            ),
        ),
        sla=SlaInfo(
            policy_key="rheinhost-dedicated",
            policy_name="Rheinhost Dedicated Server SLA",
            policy_version="2025-01",
            subject_words="SLA Credit Request",
            required_information=(
                {"en": "the date and time of each incident", "zh": "每次故障的日期和时间"},
                {
                    "en": "the affected server names and IP addresses",
                    "zh": "受影响的服务器名称和 IP 地址",
                },
                {
                    "en": "logs showing the outage, with confidential data removed",
                    "zh": "证明故障的日志（已删除机密信息）",
                },
            ),
            commitment=Decimal("99.9"),
            availability=Decimal("97.29"),
            period={
                "en": "October 2026 (Europe/Berlin)",
                "zh": "2026 年 10 月（Europe/Berlin 时区）",
            },
            method={
                "en": "time-weighted, from external probes at two vantage points; "
                "unknown time not counted as down.",
                "zh": "按时间加权计算，数据来自两个外部监测点；无数据的时段不计为中断。",
            },
            credit_lines=(
                {
                    "en": "availability 97.29 % < 99.0 % → credit 30 % of the monthly fee",
                    "zh": "可用性 97.29% < 99.0% → 抵扣月费的 30%",
                },
                {"en": "30 % × EUR 89.00 = EUR 26.70", "zh": "30% × 89.00 欧元 = 26.70 欧元"},
            ),
            claim_deadline=date(2026, 11, 30),
        ),
        enclosures=(
            Enclosure(
                title={"en": "Service contract", "zh": "服务合同"},
                date=date(2025, 3, 1),
                sha256="3f9a1c0b7d2e" + "0" * 52,
                file_name="contract.pdf",
            ),
            Enclosure(
                title={"en": "Invoice October 2026", "zh": "2026 年 10 月发票"},
                date=date(2026, 11, 1),
                sha256="a1b2c3d4e5f6",
                file_name="invoice-2026-10.pdf",
            ),
            Enclosure(
                title={
                    "en": "Outage report with method statement",
                    "zh": "故障报告（含计算方法说明）",
                },
                date=date(2026, 11, 20),
                sha256="0123456789ab",
                file_name="outage-report.pdf",
            ),
            Enclosure(
                title={"en": "Support correspondence, ticket #4711", "zh": "工单 #4711 往来邮件"},
                date=date(2026, 10, 5),
                sha256="fedcba987654",
                file_name="ticket-4711.eml",
            ),
        ),
        letter_date=date(2026, 11, 21),
        missed_deadline=date(2026, 11, 14),
        forum=Forum(
            kind="court",
            name="Amtsgericht Frankfurt am Main",
            limit=Decimal("5000"),
            currency="EUR",
            basis={
                "en": "clause 14.2 of your terms (place of jurisdiction: Frankfurt am Main)",
                "zh": "贵司条款第 14.2 条（管辖地：美因河畔法兰克福）",
            },
        ),
        escalation=Escalation(
            body="Rheinhost Example GmbH, Management",
            contact="Ms Anna Schmidt, Head of Customer Operations",
            reference="#4711",
            email="management@rheinhost.example",
        ),
        open_questions=(
            {
                "en": "Does the SLA's sole-remedy clause bar damages beyond the credit?",
                "zh": "SLA 中“唯一救济”条款是否排除抵扣额以外的损害赔偿？",
            },
            {
                "en": "Is the Frankfurt court the right venue for a claim of this size?",
                "zh": "以本案标的额，法兰克福法院是否为合适的管辖法院？",
            },
        ),
    )


@pytest.fixture
def ctx() -> LetterContext:
    return sample_context()


@pytest.fixture(scope="session")
def sample() -> LetterContext:
    """The sample case, for fixtures that outlive one test (it is immutable)."""
    return sample_context()


# The body each kind is addressed to, where it is not the provider itself.
_ADDRESSEES = {
    "regulator_complaint": Escalation(
        body="Bundesnetzagentur", address="Tulpenfeld 4\n53113 Bonn\nGermany"
    ),
    "consumer_body_complaint": Escalation(
        body="Europäisches Verbraucherzentrum Deutschland", email="info@cec-zev.example"
    ),
    "mediation_request": Escalation(
        body="Schlichtungsstelle Telekommunikation", reference="S-2026-118"
    ),
}


def _context_for(kind: str) -> LetterContext:
    ctx = sample_context()
    if kind in _ADDRESSEES:
        ctx = ctx.model_copy(update={"escalation": _ADDRESSEES[kind]})
    return ctx


@pytest.fixture
def context_for() -> Callable[[str], LetterContext]:
    """The sample case as drafted for a kind."""
    return _context_for
