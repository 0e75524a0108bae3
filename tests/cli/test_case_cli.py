import json


def test_case_new_prints_a_human_id_and_case_list_shows_it(cli, case_ref) -> None:
    assert case_ref.startswith("HC-20") and case_ref.endswith("-0001")
    listing = json.loads(cli("case", "list", "--json").stdout)
    assert [c["ref"] for c in listing] == [case_ref]
    assert listing[0]["monthly_fee"] == "89.00"
    assert listing[0]["goals"] == ["compensation"]
    second = cli("case", "new", "--provider", "Vultr", "--name", "Leo", "--type", "consumer")
    assert second.stdout.strip().endswith("-0002")


def test_case_show_json_and_text(cli, case_ref) -> None:
    data = json.loads(cli("case", "show", case_ref, "--json").stdout)
    assert data["provider_name"] == "Nordstern Hosting GmbH"
    assert data["stage"] == "preparing"
    assert data["service_tz"] == "Europe/Berlin"
    text = cli("case", "show", case_ref.lower()).stdout
    assert "Nordstern Hosting GmbH" in text and "89.00 EUR" in text


def test_stage_moves_are_recorded_with_reasons(cli, case_ref) -> None:
    moved = cli("case", "stage", case_ref, "complained", "--reason", "ticket #448120 opened")
    assert moved.exit_code == 0, moved.output
    back = cli("case", "stage", case_ref, "preparing", "--reason", "x")
    assert back.exit_code == 2
    assert "does not move back" in back.stderr
    data = json.loads(cli("case", "show", case_ref, "--json").stdout)
    assert data["stage"] == "complained"
    assert data["stage_history"][0]["reason"] == "ticket #448120 opened"


def test_case_edit_changes_only_what_is_given(cli, case_ref) -> None:
    result = cli("case", "edit", case_ref, "--set", "billing_day=1", "--set", "contract-ref=NS-1")
    assert result.exit_code == 0, result.output
    data = json.loads(cli("case", "show", case_ref, "--json").stdout)
    assert (data["billing_day"], data["contract_ref"], data["monthly_fee"]) == (1, "NS-1", "89.00")
    bad = cli("case", "edit", case_ref, "--set", "fee_typo=3")
    assert bad.exit_code == 2 and "Unknown field" in bad.stderr


def test_bad_case_input_is_refused_and_nothing_is_written(cli) -> None:
    for args, needle in [
        (["--service-tz", "Mars/Base"], "time zone"),
        (["--currency", "EURO"], "currency"),
        (["--fee", "lots"], "amount"),
        (["--goal", "revenge"], "goal"),
        (["--billing-day", "32"], "Billing-cycle day"),
        (["--provider-country", "Germany"], "country code"),
    ]:
        result = cli("case", "new", "--provider", "P", "--name", "N", *args)
        assert result.exit_code == 2, args
        assert needle in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(cli("case", "list", "--json").stdout) == []


def test_unknown_case_is_one_clear_line_and_exit_2(cli) -> None:
    result = cli("case", "show", "HC-2026-9999")
    assert result.exit_code == 2
    assert "No case 'HC-2026-9999'" in result.stderr
