"""Write the insights report: reports/insights.html, its PNG charts and
insights.json (the suppressed figures, which identify no one).

    python -m insights [--endpoints endpoints.yml] [--out reports]

`make report` runs it.
"""

from __future__ import annotations

import argparse
import logging
from datetime import datetime, timezone
from pathlib import Path

from actions.topics import topic_titles
from insights import aggregate, events, render
from privacy.settings import settings
from privacy.tracker_store import from_endpoints


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--out", type=Path, default=Path("reports"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    options = settings()["insights"]
    titles = topic_titles()
    store = from_endpoints(args.endpoints)
    counts = aggregate.tally(events.conversations(store), set(titles))
    report = aggregate.summary(
        counts,
        events.ratings(store),
        options["min_conversations"],
        options["show_fallback_questions"],
    )
    report["generated"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = render.write(report, args.out, settings()["retention_days"], titles)
    print(f"Wrote {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
