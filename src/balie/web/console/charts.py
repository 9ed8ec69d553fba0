"""Bar charts for server-rendered inline SVG: the geometry only, the template draws it.

A chart is a list of groups (one label on the x axis, e.g. an hour or a day) with one or more
series values each (e.g. median and p90). Coordinates are in the SVG's own units
(``viewBox="0 0 WIDTH HEIGHT"``); the SVG scales with the page.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 720
HEIGHT = 240
LEFT = 84  # room for the axis figures ("55 min 00 s")
BOTTOM = 28  # room for the labels under the bars
TOP = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # which series: its colour and legend entry
    text: str  # "09:00: 12", the bar's own <title>


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM


def bar_chart(
    groups: list[tuple[str, list[float]]],
    *,
    series_names: list[str],
    show=str,
    label_every: int = 1,
) -> Chart:
    """``groups``: (x label, one value per series); ``show`` formats a value for people."""
    plot_width = WIDTH - LEFT - 8
    plot_height = HEIGHT - BOTTOM - TOP
    top = _nice_top(max((v for _, values in groups for v in values), default=0))
    slot = plot_width / max(len(groups), 1)
    per_series = max(len(series_names), 1)
    bar_width = min(max(slot * 0.8 / per_series, 1), 48)
    bars, labels = [], []
    for index, (label, values) in enumerate(groups):
        start = LEFT + index * slot + (slot - bar_width * per_series) / 2
        for series, value in enumerate(values):
            height = plot_height * value / top if top else 0
            bars.append(
                Bar(
                    x=round(start + series * bar_width, 2),
                    y=round(TOP + plot_height - height, 2),
                    width=round(bar_width, 2),
                    height=round(height, 2),
                    series=series,
                    text=f"{label}, {series_names[series]}: {show(value)}",
                )
            )
        if index % label_every == 0:
            labels.append(Label(x=round(LEFT + index * slot + slot / 2, 2), text=label))
    ticks: list[Tick] = []
    for part in range(5 if top else 1):  # all zero: only the baseline
        text = show(top * part / 4)
        if not ticks or ticks[-1].text != text:  # small values round alike: each text once
            ticks.append(Tick(y=round(TOP + plot_height * (1 - part / 4), 2), text=text))
    return Chart(bars=bars, ticks=ticks, labels=labels)


def _nice_top(highest: float) -> float:
    """The axis' top: 1, 2 or 5 times a power of ten, at least ``highest``."""
    if highest <= 0:
        return 0
    step = 1.0
    while step * 10 <= highest:
        step *= 10
    while step > highest * 10:
        step /= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= highest:
            return step * factor
    return step * 10
