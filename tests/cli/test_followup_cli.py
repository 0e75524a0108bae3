"""``hostclaim next``, ``due``, ``calendar`` and ``legal`` through the CLI, on real SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from hostclaim.i18n import set_language


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    """``--lang zh`` sets the language for the rest of the process; tests start in English."""
    set_language("en")
    yield
    set_language("en")


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def new_case(cli, *extra: str) -> str:
    return ok(
        cli(
            "case",
            "new",
            "--provider",
            "Nordstern Hosting GmbH",
            "--name",
            "Wang Min",
            "--provider-country",
            "DE",
            "--country",
            "CN",
            "--fee",
            "89.00",
            "--currency",
            "EUR",
            "--service-tz",
            "Europe/Berlin",
            *extra,
        )
    ).strip()


def comm(cli, ref: str, days: float, direction: str = "outbound", channel: str = "email", **kw):
    args = ["comm", "add", ref, "--at", ago(days), "--channel", channel]
    args += ["--direction", direction, "--summary", kw.pop("summary", "About the outage")]
    for key, value in kw.items():
        args += [f"--{key}", value]
    return ok(cli(*args))


def test_next_shows_the_overdue_reply_first(cli) -> None:
    ref = new_case(cli)
    comm(cli, ref, 30, summary="Reported the outage")
    comm(cli, ref, 28, "inbound", summary="Vague answer")
    comm(cli, ref, 20, channel="letter", subject="Formal complaint", summary="Complaint letter")
    data = json.loads(ok(cli("next", ref, "--json")))
    assert data["overdue"][0]["state"] == "overdue"
    assert {i["kind"] for i in data["overdue"]} >= {"reply_due"}
    assert data["next"]["step"] == "provider_support"
    assert data["letter"] == "follow_up"
    assert data["command"] == f"hostclaim letter draft {ref} --kind follow_up"
    assert [w["code"] for w in data["why"]] == ["reply_overdue"]

    text = ok(cli("next", ref))
    assert text.index("Overdue") < text.index("Next: Provider support")
    assert f"hostclaim letter draft {ref} --kind follow_up" in text
    assert "Not open to this case" in text
    assert ok(cli("verify", ref)).startswith(f"{ref}: intact")
    zh = ok(cli("--lang", "zh", "next", ref))
    assert "已逾期" in zh and "下一步" in zh


def test_chinese_business_against_a_german_host(cli) -> None:
    ref = new_case(cli)
    ok(cli("directory", "link", ref, "hetzner"))
    fields = [
        "complainant_employees=40",
        "governing_law=German law",
        "venue=Landgericht Frankfurt am Main",
        "venue_country=DE",
    ]
    ok(cli("case", "edit", ref, *[arg for f in fields for arg in ("--set", f)]))
    comm(cli, ref, 40, channel="letter", subject="Formal complaint", summary="Complaint")
    comm(cli, ref, 25, summary="Follow-up")
    comm(cli, ref, 20, channel="letter", subject="Escalation to management", summary="To the CEO")
    data = json.loads(ok(cli("next", ref, "--json")))
    assert data["next"]["step"] == "legal" and data["letter"] == "letter_before_action"
    closed = {r["step"]: r for r in data["closed"]}
    assert {"mediation", "regulator", "consumer_body"} <= set(closed)
    miit = next(b for b in closed["regulator"]["bodies"] if b["key"] == "cn-miit-12300")
    assert any(r["code"] == "provider_outside" and r["inference"] for r in miit["reasons"])
    text = ok(cli("next", ref))
    assert "our inference" in text and "Landgericht Frankfurt am Main" in text

    legal = json.loads(ok(cli("legal", ref, "--json")))
    assert legal["steps"][0]["step"] == "consult_lawyer"
    assert legal["contract_forum"]["venue_country"] == "DE"
    assert "Legal route" in ok(cli("legal", ref))


def test_legal_shows_the_small_claims_limit(cli) -> None:
    ref = ok(
        cli(
            "case",
            "new",
            "--provider",
            "Example Hosting Ltd",
            "--name",
            "Jo Bloggs",
            "--provider-country",
            "GB",
            "--country",
            "GB",
            "--currency",
            "GBP",
            "--type",
            "consumer",
        )
    ).strip()
    ok(cli("demand", "add", ref, "--kind", "compensation", "--text", "Losses", "--amount", "2400"))
    data = json.loads(ok(cli("legal", ref, "--json")))
    forum = next(f for f in data["forums"] if f["body"] == "uk-small-claims")
    assert forum["fits"] is True and forum["limit"] == "GBP 10,000"
    text = ok(cli("legal", ref))
    assert "GBP 10,000" in text and "fits" in text


def test_due_across_two_cases(cli) -> None:
    first = new_case(cli)
    comm(cli, first, 20, summary="Ticket")  # follow-up cadence overdue
    second = new_case(cli, "--title", "second")
    comm(cli, second, 2, channel="letter", subject="Formal complaint", summary="Letter")
    items = json.loads(ok(cli("due", "--json")))
    assert {i["case"] for i in items} == {first, second}
    assert items[0]["case"] == first and items[0]["state"] == "overdue"
    assert any(i["case"] == second and i["kind"] == "reply_due" for i in items)
    assert json.loads(ok(cli("due", "--days", "0", "--json")))[0]["case"] == first
    text = ok(cli("due"))
    assert first in text and second in text
    assert cli("due", "--days", "-1").exit_code == 2


def test_calendar_parses_back_with_alarms(cli, tmp_path: Path) -> None:
    first = new_case(cli)
    comm(cli, first, 20, summary="Ticket")
    second = new_case(cli)
    comm(cli, second, 2, channel="letter", subject="Formal complaint", summary="Letter")
    out = tmp_path / "case.ics"
    assert "written to" in ok(cli("calendar", first, str(out)))
    calendar = Calendar.from_ical(out.read_bytes())
    events = calendar.walk("VEVENT")
    assert events and all(event.walk("VALARM") for event in events)
    assert all(event["DTEND"].dt.tzinfo is not None for event in events)
    assert first in str(events[0]["DESCRIPTION"])

    everything = tmp_path / "all.ics"
    ok(cli("calendar", "--all", str(everything)))
    merged = Calendar.from_ical(everything.read_bytes()).walk("VEVENT")
    assert len(merged) > len(events)
    uids = [str(e["UID"]) for e in merged]
    assert len(uids) == len(set(uids))
    # Exporting again gives the same events (stable UIDs), replacing the file.
    ok(cli("calendar", first, str(out)))
    again = [str(e["UID"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    assert again == [str(e["UID"]) for e in events]


def test_calendar_refuses_bad_targets(cli, case_ref, tmp_path: Path) -> None:
    for args in (
        ("calendar", str(tmp_path / "x.ics")),
        ("calendar", "--all", case_ref, str(tmp_path / "x.ics")),
        ("calendar", case_ref, str(tmp_path / "x.txt")),
        ("calendar", case_ref, str(tmp_path / "missing" / "x.ics")),
    ):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.ics")) and not list(tmp_path.glob("*.txt"))


def test_next_asks_for_the_complainant_country(cli, case_ref) -> None:
    comm(cli, case_ref, 3)
    text = ok(cli("next", case_ref))
    assert "complainant_country" in text and "case edit" in text
    assert json.loads(ok(cli("next", case_ref, "--json")))["missing"] == ["complainant_country"]


def test_case_edit_accepts_the_follow_up_fields(cli, case_ref) -> None:
    ok(
        cli(
            "case",
            "edit",
            case_ref,
            "--set",
            "complainant_employees=12",
            "--set",
            "provider_memberships=de-bnetza-schlichtung",
            "--set",
            "arbitration=no",
            "--set",
            "deadlock_letter_at=2026-11-02",
            "--set",
            "venue_country=de",
        )
    )
    data = json.loads(ok(cli("case", "show", case_ref, "--json")))
    assert data["complainant_employees"] == 12
    assert data["provider_memberships"] == ["de-bnetza-schlichtung"]
    assert data["arbitration"] is False and data["venue_country"] == "DE"
    assert data["deadlock_letter_at"] == "2026-11-02T12:00:00Z"
    for bad in ("complainant_employees=many", "arbitration=maybe", "provider_memberships=nope"):
        result = cli("case", "edit", case_ref, "--set", bad)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert ok(cli("verify", case_ref)).startswith(f"{case_ref}: intact")


def test_verify_stays_intact_after_everything(cli, tmp_path: Path) -> None:
    ref = new_case(cli)
    ok(cli("directory", "link", ref, "hetzner"))
    comm(cli, ref, 30, summary="Ticket")
    comm(cli, ref, 29, "inbound", summary="Automatic reply: ticket received")
    comm(cli, ref, 20, channel="letter", subject="Formal complaint", summary="Letter")
    ok(cli("next", ref))
    comm(cli, ref, 10, summary="Follow-up")
    ok(cli("next", ref, "--json"))
    comm(cli, ref, 5, "inbound", summary="A real answer")
    ok(cli("due"))
    ok(cli("calendar", "--all", str(tmp_path / "all.ics")))
    ok(cli("legal", ref))
    deadlines = {r["status"] for r in json.loads(ok(cli("next", ref, "--json")))["overdue"]}
    assert deadlines <= {"open"}
    assert ok(cli("verify", "--all")).count("intact") == 1
