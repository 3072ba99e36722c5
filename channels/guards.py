"""Server-wide request rules that Rasa's HTTP server has no setting for.

Rasa 3.6 offers no hook for its own routes, so the REST channel (always
configured) installs these on the app when the server starts.

- Bodies are at most `max_body_bytes` (channels/guards.yml): Sanic's default
  is 100 MB, whatever the entry point (`make run`, `rasa run`, the image).
- Only the model the server started with may be named. With the API on,
  `PUT /model` would load any path on the machine, fetch one from any
  `model_server` URL or cloud `remote_storage`, and `POST /model/test/intents
  ?model=` would load any path too. The rule covers every route: any request
  whose query has `model`, or whose JSON body has one of MODEL_BODY_KEYS, must
  name exactly that model file, so a route Rasa adds cannot slip through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sanic import Blueprint, Sanic, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

SETTINGS = yaml.safe_load(Path(__file__).with_name("guards.yml").read_text())
MAX_BODY_BYTES = int(SETTINGS["max_body_bytes"])
MODEL_QUERY_ARG = "model"
MODEL_BODY_KEYS = ("model_file", "model_server", "remote_storage")
REFUSED = "This server loads only the model it was started with."


def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except InvalidUsage:  # not JSON: the route itself says what is wrong
        return {}
    return body if isinstance(body, dict) else {}


def names_only(model: Path | None, request: Request) -> bool:
    """Whether every model the request names is the file `model`."""
    paths: list[Any] = list(request.args.getlist(MODEL_QUERY_ARG, []))
    body = _json_object(request)
    for key in MODEL_BODY_KEYS:
        if body.get(key) is None:
            continue
        if key != "model_file":  # a download: never this local file
            return False
        paths.append(body[key])
    return all(
        isinstance(path, str) and model is not None and Path(path).resolve() == model
        for path in paths
    )


async def only_the_configured_model(request: Request) -> HTTPResponse | None:
    model = getattr(request.app.ctx, "configured_model", None)
    if names_only(model, request):
        return None
    return response.json({"error": REFUSED}, status=403)


def install(blueprint: Blueprint) -> None:
    """Register the rules on the app that serves `blueprint`."""

    @blueprint.listener("before_server_start")
    async def register(app: Sanic, _: Any) -> None:
        # read per connection, so it holds from the first request
        app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
        if only_the_configured_model not in app.request_middleware:
            app.register_middleware(only_the_configured_model, "request")

    @blueprint.listener("after_server_start")
    async def remember_model(app: Sanic, _: Any) -> None:
        # Rasa loads the model before the server starts; until this runs,
        # no model may be named at all
        processor = app.ctx.agent.processor
        model = processor.model_path.resolve() if processor else None
        app.ctx.configured_model = model
