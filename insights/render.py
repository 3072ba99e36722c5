"""The report as HTML (insights/report.html) with its PNG charts."""

from __future__ import annotations

import functools
import json
from html import escape
from pathlib import Path
from string import Template
from typing import Any

import yaml

from insights import charts

TEMPLATE = Path(__file__).with_name("report.html")


@functools.cache
def wording() -> dict[str, str]:
    path = Path(__file__).with_name("wording.yml")
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def table(
    rows: dict[str, dict[str, Any]],
    columns: list[str],
    label: str,
    headings: dict[str, str] | None = None,
) -> str:
    """One row per name, one cell per column (weeks, unless `headings` names
    the columns)."""
    if not rows:
        return note(wording()["none_yet"])
    head = "".join(f"<th>{escape((headings or {}).get(c, c))}</th>" for c in columns)
    body = "".join(
        f"<tr><td>{escape(name)}</td>"
        + "".join(f"<td>{escape(str(values[c]))}</td>" for c in columns)
        + "</tr>"
        for name, values in rows.items()
    )
    return (
        f"<table><thead><tr><th>{escape(label)}</th>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def questions(
    grouped: dict[str, list[str]] | None, minimum: int, titles: dict[str, str]
) -> str:
    if grouped is None:
        return note(wording()["questions_off"])
    groups = "".join(
        f"<h3>{escape(titles.get(topic, topic))}</h3><ul>"
        + "".join(f"<li>{escape(text)}</li>" for text in texts)
        + "</ul>"
        for topic, texts in grouped.items()
    )
    intro = note(wording()["questions_intro"].format(minimum=minimum))
    return intro + (groups or note(wording()["no_group_yet"]))


def helpfulness(rows: dict[str, dict[str, Any]]) -> str:
    if not rows:
        return note(wording()["no_ratings_yet"])
    shown = {
        topic: {
            **values,
            "helpful_pct": wording()["rate_suppressed"]
            if values["helpful_pct"] is None
            else f"{values['helpful_pct']}%",
        }
        for topic, values in rows.items()
    }
    headings = {
        "helpful": "helpful",
        "not_helpful": "not helpful",
        "helpful_pct": "share helpful",
    }
    return table(shown, list(headings), "topic", headings)


def what_was_missing(grouped: dict[str, list[str]], minimum: int) -> str:
    if not grouped:
        return note(wording()["missing_none"].format(minimum=minimum))
    return note(wording()["missing_intro"].format(minimum=minimum)) + "".join(
        f"<h3>{escape(topic)}</h3><ul>"
        + "".join(f"<li>{escape(text)}</li>" for text in texts)
        + "</ul>"
        for topic, texts in grouped.items()
    )


def titled(rows: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    """Rows by the topics' button titles, as people see them."""
    return {titles.get(name, name): values for name, values in rows.items()}


def write(
    report: dict[str, Any], out: Path, retention_days: int, titles: dict[str, str]
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    weeks, minimum = report["weeks"], report["min_conversations"]
    answers = titled(report["answers"], titles)
    charts.stacked(answers, weeks, out / "answers.png")
    charts.rate(report["fallback_rate_pct"], weeks, out / "fallback_rate.png")
    charts.stacked(report["escalations"], weeks, out / "escalations.png")
    rate = {
        w: wording()["rate_suppressed"] if r is None else f"{r}%"
        for w, r in report["fallback_rate_pct"].items()
    }
    html = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        generated=escape(report["generated"]),
        retention_days=retention_days,
        minimum=minimum,
        activity=table(
            {
                "conversations": report["conversations"],
                "messages": report["messages"],
            },
            weeks,
            "",
        ),
        answers=table(answers, weeks, "topic"),
        fallbacks=table(
            {"messages not understood": report["fallbacks"], "share": rate},
            weeks,
            "",
        ),
        escalations=table(report["escalations"], weeks, "level, region"),
        questions=questions(report["fallback_questions"], minimum, titles),
        helpfulness=helpfulness(titled(report["helpfulness"], titles)),
        missing=what_was_missing(titled(report["what_was_missing"], titles), minimum),
    )
    page = out / "insights.html"
    page.write_text(html, encoding="utf-8")
    (out / "insights.json").write_text(json.dumps(report, indent=2) + "\n")
    return page
