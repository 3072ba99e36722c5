"""Server-wide request rules that Rasa's HTTP server has no setting for.

Rasa 3.6 offers no hook for its own routes, so the REST channel (always
configured) installs these as app middleware when the server starts.

- Models load only from the local models folder: Rasa's `PUT /model` would
  also fetch one from any `model_server` URL or cloud `remote_storage`, or load
  any path on the machine, for whoever holds the API token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

MODELS = Path("models")


def model_is_local(body: Any) -> bool:
    if (
        not isinstance(body, dict)
        or body.get("model_server")
        or body.get("remote_storage")
    ):
        return False
    path = body.get("model_file")
    if not isinstance(path, str) or not path:
        return False
    return Path(path).resolve().is_relative_to(MODELS.resolve())


async def only_local_models(request: Request) -> HTTPResponse | None:
    loads_model = request.method == "PUT" and request.path.rstrip("/") == "/model"
    if loads_model and not model_is_local(request.json):
        return response.json(
            {"error": f"Models are loaded only from the {MODELS}/ folder."},
            status=403,
        )
    return None


def install(blueprint: Blueprint) -> None:
    """Register the rules on the app that serves `blueprint`."""

    @blueprint.listener("before_server_start")
    async def register(app: Sanic, _: Any) -> None:
        if only_local_models not in app.request_middleware:
            app.register_middleware(only_local_models, "request")
