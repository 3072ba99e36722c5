"""`rasa data validate`, with every warning treated as an error.

Rasa warns about each response that no story or rule names, even when Rasa's own
fallback actions or our custom actions send it. Those responses are in use, so
they are exempt; any other warning, or a failed validation, fails this script.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# action_default_ask_rephrase and action_default_fallback send these.
SENT_BY_RASA_DEFAULT_ACTIONS = {"utter_ask_rephrase", "utter_default"}
UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule")


def sent_by_custom_actions() -> set[str]:
    sources = (path.read_text() for path in (ROOT / "actions").glob("*.py"))
    return {name for source in sources for name in re.findall(r'"(utter_\w+)"', source)}


def main() -> int:
    run = subprocess.run(
        [str(ROOT / ".venv/bin/rasa"), "data", "validate", "--fail-on-warnings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = run.stdout + run.stderr
    exempt = SENT_BY_RASA_DEFAULT_ACTIONS | sent_by_custom_actions()
    warnings = [
        line
        for line in output.splitlines()
        if "UserWarning" in line
        and not ((unused := UNUSED.search(line)) and unused.group(1) in exempt)
    ]
    if run.returncode != 0 or warnings:
        print(output if run.returncode else "\n".join(warnings))
        return 1
    print("rasa data validate: no errors, no warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
