import json


def test_comm_add_and_list_in_time_order_with_utc_storage(cli, case_ref) -> None:
    (tmp := cli.home.parent / "mail.eml").write_text("From: a@b\n\nhello\n")
    assert cli("evidence", "add", case_ref, str(tmp), "--kind", "communication").exit_code == 0
    later = cli(
        "comm",
        "add",
        case_ref,
        "--at",
        "2026-10-05T11:02:00+02:00",
        "--channel",
        "email",
        "--direction",
        "inbound",
        "--summary",
        "vague reply",
        "--ticket",
        "#448120",
        "-e",
        "E1",
    )
    assert later.exit_code == 0, later.output
    earlier = cli(
        "comm",
        "add",
        case_ref,
        "--at",
        "2026-10-03 14:25",
        "--tz",
        "Asia/Shanghai",
        "--channel",
        "phone",
        "--direction",
        "outbound",
        "--summary",
        "called hotline",
        "--counterpart",
        "agent Jonas",
    )
    assert earlier.exit_code == 0, earlier.output
    rows = json.loads(cli("comm", "list", case_ref, "--json").stdout)
    assert [r["summary"] for r in rows] == ["called hotline", "vague reply"]
    assert rows[0]["at"] == "2026-10-03T06:25:00Z"
    assert rows[1]["at"] == "2026-10-05T09:02:00Z"
    assert rows[1]["evidence_numbers"] == [1] and rows[1]["ticket_ref"] == "#448120"


def test_comm_refuses_unknown_evidence_channel_and_naive_time(cli, case_ref) -> None:
    base = [
        "comm",
        "add",
        case_ref,
        "--channel",
        "email",
        "--direction",
        "inbound",
        "--summary",
        "s",
    ]
    assert "No record E7" in cli(*base, "--at", "2026-10-05T11:02:00Z", "-e", "E7").stderr
    assert (
        "channel"
        in cli(
            "comm",
            "add",
            case_ref,
            "--at",
            "2026-10-05T11:02:00Z",
            "--channel",
            "pigeon",
            "--direction",
            "inbound",
            "--summary",
            "s",
        ).stderr
    )
    assert "no UTC offset" in cli(*base, "--at", "2026-10-05 11:02").stderr
    assert json.loads(cli("comm", "list", case_ref, "--json").stdout) == []


def test_incident_add_and_list(cli, case_ref) -> None:
    ok = cli(
        "incident",
        "add",
        case_ref,
        "--start",
        "2026-10-03T06:10:02Z",
        "--end",
        "2026-10-04T02:05:02Z",
        "--impact",
        "API unreachable",
        "--target",
        "api-1",
    )
    assert ok.exit_code == 0, ok.output
    rows = json.loads(cli("incident", "list", case_ref, "--json").stdout)
    assert rows[0]["ref"] == "I1" and rows[0]["end_at"] == "2026-10-04T02:05:02Z"
    assert "19 h 55 min" in cli("incident", "list", case_ref).stdout
    backwards = cli(
        "incident",
        "add",
        case_ref,
        "--start",
        "2026-10-04T00:00:00Z",
        "--end",
        "2026-10-03T00:00:00Z",
        "--impact",
        "x",
    )
    assert backwards.exit_code == 2 and "ends before it starts" in backwards.stderr


def test_demands_with_amounts_and_status_changes(cli, case_ref) -> None:
    ok = cli(
        "demand",
        "add",
        case_ref,
        "--kind",
        "service_credit",
        "--amount",
        "26.70",
        "--text",
        "30% credit",
    )
    assert ok.exit_code == 0, ok.output
    rows = json.loads(cli("demand", "list", case_ref, "--json").stdout)
    assert rows[0]["amount"] == "26.70" and rows[0]["currency"] == "EUR"  # the case's currency
    assert cli("demand", "add", case_ref, "--kind", "fix_by", "--text", "fix it").exit_code == 2
    assert (
        cli("demand", "status", case_ref, "D1", "met", "--reason", "credited on invoice").exit_code
        == 0
    )
    assert json.loads(cli("demand", "list", case_ref, "--json").stdout)[0]["status"] == "met"
    assert cli("verify", case_ref).exit_code == 0
