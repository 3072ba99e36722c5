"""Serve the demo page with the chat widget (web/), with headers that keep it private.

The Content-Security-Policy lets the page load only its own files and talk only
to the assistant, so no third-party host learns that someone opened it;
`no-store` keeps the page out of the browser's disk cache on a shared computer.
Usage: serve_web.py --port 8080 --socket-url http://localhost:5005
"""

from __future__ import annotations

import argparse
import functools
import html
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

WEB = Path(__file__).resolve().parents[1] / "web"


def content_security_policy(socket_url: str) -> str:
    parts = urlsplit(socket_url)
    websocket = parts._replace(scheme="wss" if parts.scheme == "https" else "ws")
    origins = f"{parts.scheme}://{parts.netloc} {websocket.scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            # the widget injects its stylesheet as <style> elements
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",  # the carousel's icon font is inlined
            f"connect-src {origins}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


class PrivatePageHandler(SimpleHTTPRequestHandler):
    socket_url = ""

    def end_headers(self) -> None:
        self.send_header(
            "Content-Security-Policy", content_security_policy(self.socket_url)
        )
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        super().end_headers()

    def do_GET(self) -> None:
        if urlsplit(self.path).path in ("/", "/index.html"):
            page = (WEB / "index.html").read_text(encoding="utf-8")
            url = html.escape(self.socket_url, quote=True)
            body = page.replace("{{SOCKET_URL}}", url).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass  # which pages a person opened is nobody's business


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--socket-url", required=True, help="the Rasa server's URL")
    args = parser.parse_args()
    if not (WEB / "vendor" / "rasa-webchat.js").exists():
        raise SystemExit("web/vendor/rasa-webchat.js is missing: run `make install`")
    handler = functools.partial(PrivatePageHandler, directory=str(WEB))
    PrivatePageHandler.socket_url = args.socket_url
    with ThreadingHTTPServer((args.host, args.port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
