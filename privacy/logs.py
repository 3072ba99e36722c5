"""No message text, tracker or contact detail in any log line, at any level.

Left alone, the servers log what they handle: at DEBUG Rasa's structlog events
carry the message (`parse_data_text`), dialogue states that quote it and slot
values; Sanic logs every websocket frame; when an action fails, the action
server logs the action's exception and answers 500 with the whole tracker,
which Rasa logs inside its traceback; a database error quotes its SQL
parameters, the stored events. `install()` makes each record safe as it is made,
whatever handler later writes it:

- A structlog event keeps its name and the keys known to name only parts of
  the assistant (actions), plus plain numbers; any other value is "[removed]".
- A stdlib record keeps its wording, but what it fills in is limited to plain
  values: an object, a container or an exception among its arguments shows as
  its type.
- An exception shows its traceback and type, not its message, which can quote
  the data it failed on. Only OS and import errors ("[Errno 111] Connect call
  failed", "No module named x") and database errors, cut before their SQL
  parameters, keep theirs.
- E-mail addresses, phone numbers and other long numbers are masked, as in a
  stored message, so a sender id such as "twilio:+447700900123" does not show.
- An access log line loses its query string, which can carry the API token.
- Rasa's Python warnings about a message that looks like "/intent" but is not
  one are not shown: they quote the whole message, and go to stderr whatever
  the log level.

Rasa installs it when it builds the tracker store (privacy/tracker_store.py),
the action server when it imports actions/log_privacy.py.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError

from privacy.redaction import redact_log_line

REMOVED = "[removed]"
# structlog keys whose values are Rasa's own names, never something a person wrote
SAFE_EVENT_KEYS = frozenset(
    {"event", "event_info", "event_key", "level", "log_level", "action_name"}
    | {"action_extract_slot", "docs"}
)
PLAIN = (str, int, float, type(None))
SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
# Rasa's warnings (rasa.shared.utils.io.raise_warning) that quote a message
QUOTING_WARNINGS = r"Failed to parse arguments in line|Parsed an (intent|entity) '"
CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def exception_text(exc: BaseException) -> str:
    """The last line of a traceback, with a message only where it is safe."""
    kind = type(exc)
    name = kind.__qualname__
    if kind.__module__ != "builtins":
        name = f"{kind.__module__}.{name}"
    if isinstance(exc, OSError | ImportError):
        return f"{name}: {exc}"
    if isinstance(exc, SQLAlchemyError):
        return f"{name}: {SQL_PARAMETERS.sub(REMOVED, str(exc))}"
    return f"{name}: {REMOVED}"


def safe_traceback(exc: BaseException) -> str:
    """The traceback as Python prints it, causes first, each exception's message
    reduced by `exception_text`."""
    chain: list[tuple[BaseException, str]] = []
    current: BaseException | None = exc
    link = ""
    while current is not None and all(current is not e for e, _ in chain):
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, CAUSE
        elif current.__suppress_context__:
            current = None
        else:
            current, link = current.__context__, CONTEXT
    text = ""
    for exception, link in reversed(chain):
        if exception.__traceback__ is not None:
            text += "Traceback (most recent call last):\n"
            text += "".join(traceback.format_tb(exception.__traceback__))
        text += exception_text(exception) + "\n" + link
    return text.rstrip("\n")


def plain(value: object) -> object:
    """A log argument as a line may show it."""
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, BaseException):
        return exception_text(value)
    return f"<{type(value).__name__}>"


def make_safe(record: logging.LogRecord) -> None:
    """Format the record's message now, from safe parts only."""
    message = record.msg if isinstance(record.msg, str) else str(plain(record.msg))
    args = record.args
    try:
        if isinstance(args, Mapping):
            message %= {key: plain(value) for key, value in args.items()}
        elif args:
            message %= tuple(plain(arg) for arg in args)
    except (TypeError, ValueError, KeyError):
        pass  # a call whose arguments do not fit its wording: the wording alone
    record.msg = redact_log_line(SQL_PARAMETERS.sub(REMOVED, message))
    record.args = None
    if record.exc_info:
        if record.exc_info[1] is not None:
            record.exc_text = safe_traceback(record.exc_info[1])
        record.exc_info = None  # no handler may render the original


class SafeRecords:
    """A log record factory that makes every record safe (`make_safe`)."""

    def __init__(self, make: Callable[..., logging.LogRecord]):
        self.make = make

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make(*args, **kwargs)
        make_safe(record)
        return record


def safe_access_line(record: logging.LogRecord) -> bool:
    # Sanic adds the request line after the record is made, as `extra`
    request = getattr(record, "request", None)
    if isinstance(request, str):
        record.request = redact_log_line(request.split("?", 1)[0])
    return True


def safe_event(
    _: object, method_name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: what `make_safe` does for a stdlib record."""
    exc_info = event.pop("exc_info", method_name == "exception")
    for key, value in event.items():
        if key not in SAFE_EVENT_KEYS and not isinstance(value, int | float | None):
            event[key] = REMOVED
    if exc_info:
        if isinstance(exc_info, BaseException):
            exc: BaseException | None = exc_info
        elif isinstance(exc_info, tuple):
            exc = exc_info[1]
        else:
            exc = sys.exc_info()[1]
        if exc is not None:
            event["exception"] = safe_traceback(exc)
    event["exc_info"] = False  # so no later processor renders the original
    return event


def install() -> None:
    """Make every log record of this process safe, from now on. Idempotent."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, SafeRecords):
        logging.setLogRecordFactory(SafeRecords(factory))
    warnings.filterwarnings("ignore", QUOTING_WARNINGS)
    access = logging.getLogger("sanic.access")
    if safe_access_line not in access.filters:
        access.addFilter(safe_access_line)
    # In place and first: loggers already in use hold this very list.
    processors = structlog.get_config()["processors"]
    if safe_event not in processors:
        processors.insert(0, safe_event)
