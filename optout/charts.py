"""Geometry of the Overview's opt-outs-per-day chart, drawn as inline SVG by the template.
Pure: counts in, coordinates out."""

from dataclasses import dataclass
from datetime import date
from typing import Any

CHART = {"width": 760, "height": 210, "left": 40, "right": 8, "top": 12, "bottom": 26}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int


def axis(top: int) -> tuple[int, int]:
    """A round top for the y axis and its step: at most 4 gridlines above zero."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top <= step * 4:
            return max(-(-top // step), 1) * step, step
    step = -(-top // 4)
    return step * 4, step


def bar_chart(daily: list[tuple[date, int]]) -> dict[str, Any]:
    """Bars, gridlines and weekly date labels for `daily` (oldest first)."""
    c = CHART
    top_value, step = axis(max((n for _, n in daily), default=0))
    plot_w = c["width"] - c["left"] - c["right"]
    plot_h = c["height"] - c["top"] - c["bottom"]
    slot = plot_w / max(len(daily), 1)
    bars = []
    for i, (day, n) in enumerate(daily):
        h = plot_h * n / top_value
        bars.append(
            Bar(
                x=round(c["left"] + i * slot + slot * 0.15, 2),
                y=round(c["top"] + plot_h - h, 2),
                width=round(slot * 0.7, 2),
                height=round(h, 2),
                day=day,
                count=n,
            )
        )
    ticks = [
        {"value": v, "y": round(c["top"] + plot_h - plot_h * v / top_value, 2)}
        for v in range(0, top_value + 1, step)
    ]
    # A date label every week, counted back from today so that today is always labelled.
    labels = [
        {"x": round(b.x + b.width / 2, 2), "day": b.day}
        for i, b in enumerate(bars)
        if (len(bars) - 1 - i) % 7 == 0
    ]
    return {
        **c,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "axis_y": c["top"] + plot_h,
        "axis_right": c["width"] - c["right"],
        "label_y": c["height"] - 8,
        "total": sum(n for _, n in daily),
    }
