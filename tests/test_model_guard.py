"""With the HTTP API on, no route loads a model other than the one the server
started with (channels/guards.py). The test walks Rasa's route table, as
`rasa run --enable-api` builds it with the project's channels, so a route that
Rasa adds and that reads a model path cannot slip through unnoticed."""

from __future__ import annotations

import inspect
import re
import shutil
from collections.abc import Iterator

import pytest
import requests
from rasa.core.run import configure_app, create_http_input_channels

from channels.guards import MODEL_BODY_KEYS, MODEL_QUERY_ARG, REFUSED
from tests.servers import MODEL, ROOT

GUARDED = (MODEL_QUERY_ARG, *MODEL_BODY_KEYS)
# A handler may read a model path where its source names one of them; a name
# that is not read there only makes the test send one more request.
NAMED = re.compile("[\"'](" + "|".join(GUARDED) + ")[\"']")
KNOWN = {("PUT", "/model"), ("POST", "/model/test/intents")}  # Rasa 3.6's


def routes_reading_a_model_path() -> Iterator[tuple[str, str, str]]:
    """(method, path, parameter) for each route whose handler names a guarded
    parameter, with its path parameters filled in."""
    channels = create_http_input_channels(None, str(ROOT / "credentials.yml"))
    app = configure_app(channels, enable_api=True, auth_token="unused")
    for route in app.router.routes:
        source = inspect.getsource(inspect.unwrap(route.handler))
        path = "/" + re.sub(r"<[^>]+>", "someone", route.path)
        for parameter in sorted(set(NAMED.findall(source))):
            if parameter in MODEL_BODY_KEYS and route.ctx.ignore_body:
                continue  # Sanic never reads this route's body (GET, DELETE)
            for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
                yield method, path, parameter


ROUTES = sorted(routes_reading_a_model_path())


def test_the_walk_finds_the_routes_known_to_load_a_model():
    assert {(method, path) for method, path, _ in ROUTES} >= KNOWN


@pytest.fixture(scope="module")
def another_model(tmp_path_factory) -> str:
    """A copy of the model at another path: a real model, but not this server's."""
    copy = tmp_path_factory.mktemp("models") / MODEL.name
    shutil.copy(MODEL, copy)
    return str(copy)


def naming(parameter: str, model: str) -> dict:
    """The request arguments that name `model` through `parameter`."""
    if parameter == MODEL_QUERY_ARG:
        return {"params": {parameter: model}}
    value = {
        "model_file": model,
        "model_server": {"url": f"https://models.example/{MODEL.name}"},
        "remote_storage": "aws",
    }[parameter]
    return {"json": {parameter: value}}


@pytest.mark.parametrize("method, path, parameter", ROUTES)
def test_a_route_that_reads_a_model_path_refuses_any_other_model(
    assistant, another_model, method, path, parameter
):
    request = naming(parameter, another_model)
    request.setdefault("params", {})["token"] = assistant.token

    reply = requests.request(method, assistant.url + path, timeout=60, **request)

    assert reply.status_code == 403
    assert reply.json() == {"error": REFUSED}


@pytest.mark.parametrize("model", [str(MODEL), "models/../models/" + MODEL.name])
def test_the_model_the_server_started_with_may_be_named(assistant, model):
    # no test data: Rasa itself answers, with 400
    reply = requests.post(
        f"{assistant.url}/model/test/intents",
        params={MODEL_QUERY_ARG: model, "token": assistant.token},
        timeout=60,
    )

    assert reply.status_code == 400
    assert reply.json()["reason"] == "BadRequest"
