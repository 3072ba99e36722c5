"""Replies of the action server are checked as Rasa checks them, without the
reply schema itself being checked again on every call (scaling/action_replies.py)."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from scaling import action_replies

VALID = {
    "events": [{"event": "slot", "name": "region", "value": "uk"}],
    "responses": [{"response": "utter_nothing_more"}],
}
INVALID = {"events": [{"event": "slot"}], "responses": "utter_nothing_more"}
ACTION = RemoteAction("action_suggest_more", EndpointConfig("http://127.0.0.1:1"))


def rasas_error() -> str:
    with pytest.raises(ValidationError) as raised:
        ACTION._validate_action_result(INVALID)
    return raised.value.message


@pytest.fixture
def installed(monkeypatch) -> list[object]:
    """The check installed for this test only; each check of the schema itself."""
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    schema_checks: list[object] = []
    validator = validator_for(RemoteAction.action_response_format_spec())
    check_schema = validator.check_schema

    def counted(cls: type, schema: object) -> None:
        schema_checks.append(schema)
        check_schema(schema)

    monkeypatch.setattr(validator, "check_schema", classmethod(counted))
    action_replies.install()
    return schema_checks


def test_a_valid_reply_passes_without_checking_the_schema_again(installed):
    for _ in range(3):
        assert ACTION._validate_action_result(VALID) is True

    assert installed == []


def test_an_invalid_reply_raises_rasas_own_error(installed, monkeypatch):
    error = rasas_error()

    monkeypatch.undo()

    assert error == rasas_error()
    assert "Failed to validate Action server response" in error
