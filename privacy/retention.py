"""Delete conversations older than the retention period (privacy/settings.yml).

    python -m privacy.retention [--days N] [--endpoints endpoints.yml]

`make purge` runs it. A running server purges by itself, at start-up and daily
(privacy/schedule.py); this is for purging now, or where no server runs (the
CronJob in deploy/k8s/).
"""

from __future__ import annotations

import argparse
import logging

from privacy.settings import settings
from privacy.tracker_store import from_endpoints


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=settings()["retention_days"])
    parser.add_argument("--endpoints", default="endpoints.yml")
    args = parser.parse_args(argv)
    if args.days <= 0:
        parser.error("--days must be positive")
    logging.basicConfig(level=logging.WARNING)
    deleted = from_endpoints(args.endpoints).delete_older_than(args.days)
    print(f"Deleted {deleted} conversation(s) older than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
