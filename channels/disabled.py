"""The webhook of a messaging channel whose variables are missing.

Rasa builds every channel in credentials.yml and needs an InputChannel from
each, so an unconfigured platform is an instance that mounts this instead of
its connector: the platform, or whoever probes the URL, gets a clear 503.
"""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


def blueprint(channel: str) -> Blueprint:
    off = Blueprint(f"{channel}_off")

    async def not_configured(_: Request) -> HTTPResponse:
        return response.json(
            {"error": f"The {channel} channel is not configured on this server."},
            status=503,
        )

    off.add_route(not_configured, "/", methods=["GET"])
    off.add_route(not_configured, "/webhook", methods=["GET", "POST"])
    return off
