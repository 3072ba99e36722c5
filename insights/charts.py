"""The report's PNG charts. Only figures its tables show are drawn, so a chart
never reveals a count the tables suppress; the headings above them in the
report say what they show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TOP_TOPICS = 8  # more stacked colours than this cannot be told apart


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: there is no display on a server
    import matplotlib.pyplot as plt

    return plt


def _drawn(values: dict[str, Any], weeks: list[str]) -> list[float]:
    return [v if isinstance(v, int) else 0 for v in (values[w] for w in weeks)]


def stacked(rows: dict[str, dict[str, Any]], weeks: list[str], path: Path) -> None:
    totals = {label: sum(_drawn(v, weeks)) for label, v in rows.items()}
    labels = [k for k in sorted(totals, key=lambda k: -totals[k]) if totals[k]]
    figure, axes = _pyplot().subplots(figsize=(8, 4))
    bottom = [0.0] * len(weeks)
    axes.bar(weeks, bottom, color="none")  # the weeks' axis even with nothing drawn
    for label in labels[:TOP_TOPICS]:
        heights = _drawn(rows[label], weeks)
        axes.bar(weeks, heights, bottom=bottom, label=label)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_ylim(0, max([1.0, *bottom]) * 1.1)
    axes.yaxis.get_major_locator().set_params(integer=True)
    _finish(figure, axes, path, legend=bool(labels))


def rate(values: dict[str, float | None], weeks: list[str], path: Path) -> None:
    figure, axes = _pyplot().subplots(figsize=(8, 3))
    shown = [(w, v) for w in weeks if (v := values[w]) is not None]
    axes.plot([w for w, _ in shown], [v for _, v in shown], marker="o")
    axes.set_ylabel("% of messages")
    axes.set_ylim(0, max([5.0, *(v * 1.2 for _, v in shown)]))
    _finish(figure, axes, path, legend=False)


def _finish(figure: Any, axes: Any, path: Path, legend: bool) -> None:
    axes.set_xlabel("week")
    if legend:
        axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    _pyplot().close(figure)
