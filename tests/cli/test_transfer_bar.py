"""Large files show a progress bar on a terminal; small ones and pipes stay quiet."""

from io import StringIO

from rich.console import Console

from hostclaim.cli import common


def _bar(monkeypatch, terminal: bool) -> tuple[StringIO, type[common.TransferBar]]:
    out = StringIO()
    monkeypatch.setattr(common, "console", Console(file=out, force_terminal=terminal, width=100))
    return out, common.TransferBar


def test_a_big_transfer_on_a_terminal_draws_a_bar(monkeypatch) -> None:
    out, bar_type = _bar(monkeypatch, terminal=True)
    with bar_type("contract.pdf") as bar:
        bar.on_start(64 * 1024 * 1024)
        bar.progress(32 * 1024 * 1024)
    assert "contract.pdf" in out.getvalue()


def test_small_transfers_and_pipes_draw_nothing(monkeypatch) -> None:
    out, bar_type = _bar(monkeypatch, terminal=True)
    with bar_type("small.log") as bar:
        bar.on_start(1024)
        bar.progress(1024)
    out2, bar_type2 = _bar(monkeypatch, terminal=False)
    with bar_type2("big.bin") as bar:
        bar.on_start(64 * 1024 * 1024)
        bar.progress(64 * 1024 * 1024)
    assert out.getvalue() == "" and out2.getvalue() == ""
