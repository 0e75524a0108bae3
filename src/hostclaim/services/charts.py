"""The SLA report as a picture: availability calendar, incident timeline and latency.

Drawn with matplotlib's object API: no pyplot and no global backend switch; ``savefig`` renders
PNG with the Agg canvas and SVG with the SVG backend. Saved as ``BASENAME.png`` and ``.svg``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.dates as mdates
import polars as pl
import pyarrow as pa
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from hostclaim.domain.accounting import Timeline, from_us, to_us
from hostclaim.domain.probes import State
from hostclaim.domain.timeutil import zone
from hostclaim.errors import InvalidInput
from hostclaim.i18n import current_language, t

if TYPE_CHECKING:
    from hostclaim.services.sla_report import SlaReport

_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "PingFang SC",
)
_STATE_COLOURS = {
    State.DOWN: "#d32f2f",
    State.UNKNOWN: "#9e9e9e",
    State.MAINTENANCE: "#1e88e5",
    State.DEGRADED: "#fb8c00",
}
GREEN, LIGHT_GREEN, ORANGE, RED, GREY = "#2e7d32", "#a5d6a7", "#ffb74d", "#e53935", "#e0e0e0"


@cache
def _cjk_family() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FAMILIES if name in names), None)


def _language() -> tuple[str, list[str]]:
    """The chart's language and font: Chinese only with a font that has its glyphs."""
    lang = current_language()
    if lang == "zh":
        family = _cjk_family()
        if family is not None:
            return lang, [family, "DejaVu Sans"]
        lang = "en"
    return lang, ["DejaVu Sans"]


def output_paths(basename: Path) -> tuple[Path, Path]:
    base = basename
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    if not base.parent.is_dir():
        raise InvalidInput("monitoring.error.chart_folder", path=str(base.parent))
    return base.with_name(base.name + ".png"), base.with_name(base.name + ".svg")


def render_report(
    report: SlaReport, timeline: Timeline, rows: pa.Table, basename: Path
) -> tuple[Path, Path]:
    """Draw the report's chart; returns the PNG and SVG paths."""
    png, svg = output_paths(basename)
    lang, fonts = _language()
    with matplotlib.rc_context({"font.family": fonts, "svg.hashsalt": "hostclaim"}):
        figure = Figure(figsize=(11, 11), layout="constrained")
        grid = figure.add_gridspec(3, 1, height_ratios=[3.2, 1.1, 2.0])
        _calendar(figure.add_subplot(grid[0]), report, lang)
        _timeline(figure.add_subplot(grid[1]), report, timeline, lang)
        _latency(figure.add_subplot(grid[2]), report, rows, lang)
        figure.suptitle(
            t(
                "monitoring.chart.title",
                lang,
                target=report.target,
                period=report.period,
                tz=report.tz,
                availability=f"{_trim(report.availability_percent)}%",
                policy=report.policy.ref,
            ),
            fontsize=12,
        )
        figure.savefig(png, format="png", dpi=110)
        figure.savefig(svg, format="svg", metadata={"Date": None})
    return png, svg


def _trim(percent: Decimal) -> str:
    return f"{percent.quantize(Decimal('0.0001'), rounding='ROUND_DOWN'):f}"


def _target_percent(report: SlaReport) -> float:
    value = report.policy.commitment.target_percent.value
    return float(value) if value is not None else 99.9


def _colour(availability: float | None, target: float) -> str:
    if availability is None:
        return GREY
    percent = availability * 100
    if percent >= 100:
        return GREEN
    if percent >= target:
        return LIGHT_GREEN
    if percent >= 95:
        return ORANGE
    return RED


def _calendar(ax: Axes, report: SlaReport, lang: str) -> None:
    target = _target_percent(report)
    first = report.days[0].day if report.days else report.period_start.date()
    offset = first.weekday()
    weeks = (offset + len(report.days) + 6) // 7
    for index, day in enumerate(report.days):
        cell = offset + index
        col, row = cell % 7, cell // 7
        colour = _colour(day.availability, target)
        partial = day.coverage is not None and day.coverage < 1
        ax.add_patch(
            Rectangle(
                (col, weeks - row - 1),
                0.94,
                0.9,
                facecolor=colour,
                edgecolor="#424242" if partial else "white",
                hatch="//" if partial else None,
                linewidth=0.8,
            )
        )
        label = "—" if day.availability is None else f"{day.availability * 100:.2f}%"
        ax.text(col + 0.06, weeks - row - 0.22, str(day.day.day), fontsize=9, va="top")
        ax.text(col + 0.47, weeks - row - 0.62, label, fontsize=8, ha="center", va="center")
    names = [t(f"monitoring.chart.weekday.{i}", lang) for i in range(7)]
    ax.set_xticks([i + 0.47 for i in range(7)], names)
    ax.xaxis.set_ticks_position("top")
    ax.set_yticks([])
    ax.set_xlim(0, 7)
    ax.set_ylim(0, weeks)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(
        t("monitoring.chart.calendar", lang, month=report.period, tz=report.tz),
        fontsize=10,
        loc="left",
    )
    ax.legend(
        handles=[
            Patch(color=GREEN, label="100%"),
            Patch(color=LIGHT_GREEN, label=f"≥ {target:g}%"),
            Patch(color=ORANGE, label=f"95% – {target:g}%"),
            Patch(color=RED, label="< 95%"),
            Patch(facecolor=GREY, label=t("monitoring.chart.no_data", lang)),
            Patch(
                facecolor="white",
                edgecolor="#424242",
                hatch="//",
                label=t("monitoring.chart.partial", lang),
            ),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=6,
        fontsize=8,
        frameon=False,
    )


def _timeline(ax: Axes, report: SlaReport, timeline: Timeline, lang: str) -> None:
    p0, p1 = to_us(report.period_start), to_us(report.period_end)
    day_us = 86_400 * 1_000_000
    handles = []
    for state, colour in _STATE_COLOURS.items():
        mask = timeline.state == int(state)
        spans = [
            (
                mdates.date2num(from_us(max(int(s), p0))),
                (min(int(e), p1) - max(int(s), p0)) / day_us,
            )
            for s, e in zip(timeline.start_us[mask], timeline.end_us[mask], strict=True)
            if e > p0 and s < p1
        ]
        if spans:
            ax.broken_barh(spans, (0.15, 0.7), facecolors=colour, linewidth=0)
        handles.append(
            Patch(color=colour, label=t(f"monitoring.chart.state.{state.name.lower()}", lang))
        )
    for claim in report.incidents:
        ax.annotate(
            claim.ref,
            (mdates.date2num(max(claim.start, report.period_start)), 0.9),
            fontsize=8,
            color="#b71c1c" if claim.counted else "#757575",
        )
    _time_axis(ax, report)
    ax.set_ylim(0, 1.2)
    ax.set_yticks([])
    ax.set_title(t("monitoring.chart.timeline", lang), fontsize=10, loc="left")
    ax.legend(handles=handles, loc="upper right", fontsize=8, ncol=4, frameon=False)


def _latency(ax: Axes, report: SlaReport, rows: pa.Table, lang: str) -> None:
    p0, p1 = to_us(report.period_start), to_us(report.period_end)
    hour = 3_600 * 1_000_000
    source = pl.from_arrow(rows.select(["vantage", "at_us", "latency_ms"]))
    assert isinstance(source, pl.DataFrame)
    frame = (
        source.lazy()
        .filter((pl.col("at_us") >= p0) & (pl.col("at_us") < p1))
        .drop_nulls("latency_ms")
        .with_columns(((pl.col("at_us") - p0) // hour).alias("bin"))
        .group_by(["vantage", "bin"])
        .agg(pl.col("latency_ms").median().alias("ms"))
        .sort(["vantage", "bin"])
        .collect()
    )
    plotted = False
    for (vantage,), part in frame.group_by(["vantage"], maintain_order=True):
        times = [
            mdates.date2num(from_us(p0 + int(b) * hour) + timedelta(minutes=30))
            for b in part["bin"]
        ]
        ax.plot(times, part["ms"].to_list(), linewidth=0.9, label=str(vantage))
        plotted = True
    for claim in report.incidents:
        if claim.counted:
            ax.axvspan(
                mdates.date2num(claim.start),
                mdates.date2num(claim.end),
                color="#ef9a9a",
                alpha=0.4,
                linewidth=0,
            )
    if not plotted:
        ax.text(
            0.5, 0.5, t("monitoring.chart.no_latency", lang), transform=ax.transAxes, ha="center"
        )
    else:
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    _time_axis(ax, report)
    ax.set_ylabel("ms")
    ax.set_title(t("monitoring.chart.latency", lang), fontsize=10, loc="left")


def _time_axis(ax: Axes, report: SlaReport) -> None:
    local = zone(report.tz)
    ax.set_xlim(mdates.date2num(report.period_start), mdates.date2num(report.period_end))
    locator = mdates.DayLocator(interval=3, tz=local)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d", tz=local))
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
