"""``hostclaim demo``: a realistic sample case, so a newcomer sees every part at once.

The provider, people and numbers are fictional.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hostclaim.domain.case import (
    Channel,
    ComplainantType,
    DemandKind,
    Direction,
    EvidenceKind,
    Goal,
    Liability,
)
from hostclaim.domain.lifecycle import Stage
from hostclaim.services import cases, communications, demands, evidence, incidents
from hostclaim.services.workspace import Workspace

PROVIDER = "Nordstern Hosting GmbH"
SUPPORT = "support@nordstern-hosting.example"


def _pdf(title: str, lines: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 1, 15, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


CONTRACT = [
    "Contract NS-2026-00417 between Nordstern Hosting GmbH, Frankfurt am Main, Germany",
    "and Shenzhen Lanhai E-commerce Co., Ltd., Shenzhen, China (customer no. K-58213).",
    "",
    "1. Services: six dedicated servers 'Root Server AX-64' in data centre FRA-2.",
    "2. Fee: EUR 89.00 per server and month, billed on the 1st of each month.",
    "3. Service level: network availability of at least 99.9% per calendar month,",
    "   measured in Europe/Berlin time. Credits: below 99.9% 10%, below 99.0% 30%,",
    "   below 95.0% 100% of the monthly fee of the affected server.",
    "4. Claims for credits must be made in writing within 30 days after the end of",
    "   the month in which the outage occurred, subject 'SLA Credit Request'.",
    "5. Governing law: Germany. Venue: Frankfurt am Main.",
]

INVOICE = [
    "Invoice RE-2026-10-58213, 1 October 2026",
    "Customer K-58213, Shenzhen Lanhai E-commerce Co., Ltd.",
    "6 x Root Server AX-64, October 2026 ........ EUR 534.00",
    "Paid by bank transfer on 2 October 2026.",
]

LOG = """\
2026-10-03T06:09:41Z api-1 nginx[812]: upstream response OK 200 12ms
2026-10-03T06:10:02Z api-1 kernel: ixgbe 0000:03:00.0 eno1: NIC Link is Down
2026-10-03T06:10:05Z api-1 keepalived[640]: VRRP_Instance(VI_1) Entering FAULT STATE
2026-10-03T06:10:31Z monitor-sh check_http: CRITICAL - Socket timeout after 10 seconds (api-1)
2026-10-03T12:00:00Z monitor-sh check_http: CRITICAL - Socket timeout after 10 seconds (api-1)
2026-10-04T02:04:58Z api-1 kernel: ixgbe 0000:03:00.0 eno1: NIC Link is Up 10 Gbps
2026-10-04T02:05:12Z monitor-sh check_http: OK - HTTP/1.1 200 OK - 0.041 second response time
"""


def _mail(frm: str, to: str, date: str, subject: str, body: str, msgid: str) -> bytes:
    return (
        f"From: {frm}\r\nTo: {to}\r\nDate: {date}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{msgid}>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def build_demo(ws: Workspace) -> str:
    details = cases.CaseDetails(
        title="API servers unreachable for 19 h 55 min (3–4 Oct 2026)",
        complainant_type=ComplainantType.BUSINESS,
        complainant_name="王敏 (Wang Min)",
        complainant_org="Shenzhen Lanhai E-commerce Co., Ltd.",
        complainant_role="Operations manager",
        complainant_contact="ops@lanhai-shop.example",
        complainant_account_id="K-58213",
        complainant_country="CN",
        provider_name=PROVIDER,
        provider_country="DE",
        provider_website="https://nordstern-hosting.example",
        contract_ref="NS-2026-00417",
        product="6 × Root Server AX-64 (FRA-2)",
        service_start=datetime(2026, 1, 15).date(),
        monthly_fee=Decimal("89.00"),
        currency="EUR",
        billing_day=1,
        service_tz="Europe/Berlin",
        goals=[Goal.REPAIR, Goal.COMPENSATION],
        liability=Liability.PROVIDER_FULL,
    )
    ref = cases.create_case(ws, details).ref

    def add(data: bytes, name: str, kind: EvidenceKind, title: str, at: datetime) -> str:
        added = evidence.add_bytes(
            ws, ref, data, name=name, kind=kind, title=title, captured_at=at, origin="demo"
        )
        return f"E{added.evidence.number}"

    t0 = datetime(2026, 10, 3, 6, 10, 2, tzinfo=UTC)
    add(
        _pdf("Dedicated Server Agreement", CONTRACT),
        "contract-NS-2026-00417.pdf",
        EvidenceKind.CONTRACT,
        "Service contract NS-2026-00417",
        datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
    )
    add(
        _pdf("Invoice", INVOICE),
        "invoice-2026-10.pdf",
        EvidenceKind.PAYMENT,
        "October 2026 invoice and payment",
        datetime(2026, 10, 2, 3, 0, tzinfo=UTC),
    )
    log = add(
        LOG.encode(),
        "api-1-syslog-2026-10-03.log",
        EvidenceKind.SYSTEM_LOG,
        "api-1 syslog and external checks, 3–4 Oct",
        datetime(2026, 10, 4, 3, 0, tzinfo=UTC),
    )
    first = add(
        _mail(
            "Wang Min <ops@lanhai-shop.example>",
            SUPPORT,
            "Sat, 03 Oct 2026 14:25:00 +0800",
            "URGENT: api-1 unreachable since 06:10 UTC",
            "Our server api-1 (customer K-58213) has been unreachable since 06:10 UTC.\n"
            "The NIC link is down. Please investigate urgently.",
            "20261003062500.ops@lanhai-shop.example",
        ),
        "2026-10-03-outbound.eml",
        EvidenceKind.COMMUNICATION,
        "Our first report to support",
        datetime(2026, 10, 3, 6, 25, tzinfo=UTC),
    )
    auto = add(
        _mail(
            f"Nordstern Support <{SUPPORT}>",
            "ops@lanhai-shop.example",
            "Sat, 03 Oct 2026 08:25:40 +0200",
            "[Ticket #448120] URGENT: api-1 unreachable since 06:10 UTC",
            "Thank you for contacting us. Your ticket #448120 has been created.",
            "ticket-448120-1@nordstern-hosting.example",
        ),
        "2026-10-03-autoreply.eml",
        EvidenceKind.COMMUNICATION,
        "Automatic ticket confirmation #448120",
        datetime(2026, 10, 3, 6, 25, 40, tzinfo=UTC),
    )
    vague = add(
        _mail(
            f"Nordstern Support <{SUPPORT}>",
            "ops@lanhai-shop.example",
            "Mon, 05 Oct 2026 11:02:00 +0200",
            "Re: [Ticket #448120] URGENT: api-1 unreachable since 06:10 UTC",
            "Dear customer, the issue has been resolved. We apologise for any inconvenience.",
            "ticket-448120-2@nordstern-hosting.example",
        ),
        "2026-10-05-reply.eml",
        EvidenceKind.COMMUNICATION,
        "Support's reply without cause or compensation",
        datetime(2026, 10, 5, 9, 2, tzinfo=UTC),
    )
    contact = communications.ContactInput
    for item in (
        contact(
            at=datetime(2026, 10, 3, 6, 25, tzinfo=UTC),
            channel=Channel.EMAIL,
            direction=Direction.OUTBOUND,
            counterpart=SUPPORT,
            subject="URGENT: api-1 unreachable since 06:10 UTC",
            summary="Reported the outage of api-1 and asked for urgent investigation.",
            evidence=[first],
        ),
        contact(
            at=datetime(2026, 10, 3, 6, 25, 40, tzinfo=UTC),
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            counterpart="Nordstern Support (automatic)",
            summary="Automatic confirmation; ticket opened.",
            ticket_ref="#448120",
            evidence=[auto],
        ),
        contact(
            at=datetime(2026, 10, 3, 9, 40, tzinfo=UTC),
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            counterpart="Support hotline, agent 'Jonas'",
            summary="Called the hotline; told engineers were 'working on it', no time given.",
            ticket_ref="#448120",
        ),
        contact(
            at=datetime(2026, 10, 5, 9, 2, tzinfo=UTC),
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            counterpart=SUPPORT,
            summary="Vague reply: 'resolved', no cause, no credit.",
            ticket_ref="#448120",
            evidence=[vague],
        ),
    ):
        communications.log_contact(ws, ref, item)
    incidents.record_incident(
        ws,
        ref,
        incidents.IncidentInput(
            start=t0,
            end=datetime(2026, 10, 4, 2, 5, 2, tzinfo=UTC),
            target="api-1 (203.0.113.10)",
            impact="API servers unreachable during the National Day sale; orders failed.",
            evidence=[log],
        ),
    )
    demands.add_demand(
        ws,
        ref,
        demands.DemandInput(
            kind=DemandKind.SERVICE_CREDIT,
            text=(
                "SLA credit of 30% of the monthly fee of api-1 for October 2026"
                " (availability below 99.0%)."
            ),
            amount=Decimal("26.70"),
            currency="EUR",
        ),
    )
    demands.add_demand(
        ws,
        ref,
        demands.DemandInput(
            kind=DemandKind.APOLOGY_AND_REPORT,
            text="A written root-cause report and the measures taken to prevent a repeat.",
            due_date=datetime(2026, 11, 13).date(),
        ),
    )
    cases.move_stage(
        ws, ref, Stage.COMPLAINED, "Outage reported by e-mail and phone (ticket #448120)."
    )
    return ref
