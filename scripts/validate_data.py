"""`rasa data validate`, with every warning treated as an error.

Rasa warns about each response that no story or rule names, even when Rasa's own
fallback actions or our custom actions send it, and about each intent without
training examples, even when only a channel sends it ("/opt_out" from
channels/twilio.py, never predicted from text) or only the RiskDetector gives it
(the check-in intent of safety/taxonomy.yml). Those are in use, so they are
exempt; any other warning, or a failed validation, fails this script.

Rasa also skips, without a word, a file under data/ that it does not recognise
as NLU data, stories or rules (a file that lost its `version` and `nlu:` lines):
its examples would silently be missing from the model, so such a file fails
this script too.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from rasa.shared.core.training_data.story_reader.yaml_story_reader import (
    YAMLStoryReader,
)
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from privacy.feedback import RATINGS

ROOT = Path(__file__).resolve().parents[1]
# action_default_ask_rephrase and action_default_fallback send these.
SENT_BY_RASA_DEFAULT_ACTIONS = {"utter_ask_rephrase", "utter_default"}
UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule")
UNTRAINED = re.compile(
    r"The intent '(\w+)' is listed in the domain file, but is not found"
)


def sent_by_custom_actions() -> set[str]:
    """Responses the actions and the response generator (nlg/) send by name,
    some named in privacy/feedback.py, which the store shares with them."""
    paths = [*(ROOT / "actions").glob("*.py"), *(ROOT / "nlg").glob("*.py"),
             ROOT / "privacy" / "feedback.py"]  # fmt: skip
    sources = (path.read_text() for path in paths)
    return {name for source in sources for name in re.findall(r'"(utter_\w+)"', source)}


def sent_by_channels() -> set[str]:
    sources = (path.read_text() for path in (ROOT / "channels").glob("*.py"))
    return {name for source in sources for name in re.findall(r'"/(\w+)"', source)}


def sent_by_rating_buttons() -> set[str]:
    """The intents of "Was this helpful?" (privacy/feedback.py)."""
    return set(RATINGS)


def given_by_the_risk_detector() -> set[str]:
    raw = yaml.safe_load((ROOT / "safety" / "taxonomy.yml").read_text())
    return {str(raw["check_in_intent"])}


def exempt(line: str) -> bool:
    unused, untrained = UNUSED.search(line), UNTRAINED.search(line)
    if unused:
        return (
            unused.group(1) in SENT_BY_RASA_DEFAULT_ACTIONS | sent_by_custom_actions()
        )
    return untrained is not None and untrained.group(1) in (
        sent_by_channels() | sent_by_rating_buttons() | given_by_the_risk_detector()
    )


def unread_data_files(directory: Path = ROOT / "data") -> list[Path]:
    """Files under `directory` that Rasa's importer would skip."""
    return [
        path
        for path in sorted(directory.rglob("*.yml"))
        if not RasaYAMLReader.is_yaml_nlu_file(path)
        and not YAMLStoryReader.is_stories_file(path)
    ]


def main() -> int:
    unread = unread_data_files()
    if unread:
        print(
            "Rasa would skip these data files (no `version` and `nlu:`, `rules:` "
            "or `stories:`):\n" + "\n".join(str(p.relative_to(ROOT)) for p in unread)
        )
        return 1
    run = subprocess.run(
        [str(ROOT / ".venv/bin/rasa"), "data", "validate", "--fail-on-warnings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = run.stdout + run.stderr
    warnings = [
        line
        for line in output.splitlines()
        if "UserWarning" in line and not exempt(line)
    ]
    if run.returncode != 0 or warnings:
        print(output if run.returncode else "\n".join(warnings))
        return 1
    print("rasa data validate: no errors, no warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
